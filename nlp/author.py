"""The ``author_detector`` component: who wrote the document, inspectorate or council.

The manifest's ``publisher`` sets ``doc._.author`` before the pipeline runs; for loose files
the author is inferred from voice cues in ``patterns/authors.json``; publishers are told apart
by the names in ``patterns/publishers.json``. A third kind,
``national``, comes only from a manifest whose publisher is a government department: such a
paper discusses local government in general, and its statements are not judgements about an
inspected body (guideline rule 1). Loose files are never taken for national papers.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp.patterns import compile_search, default_patterns

AUTHORS = ("inspectorate", "council")
KNOWN_AUTHORS = (*AUTHORS, "national")


def author_from_publisher(publisher: str | None) -> str | None:
    """Map a manifest publisher to an author kind, or None when unknown.

    An inspectorate named among the publishers wins over a department (a joint inspection
    published with a ministry is still an inspection).
    """
    if not publisher:
        return None
    lowered = publisher.lower()
    publishers = default_patterns("publishers")
    for kind in ("inspectorate", "national"):
        if any(name in lowered for name in publishers[kind]):
            return kind
    return "council"


def voice(author: str | None) -> str | None:
    """The voice a document's wording is learned under: inspectorate or council.

    A national paper, like an inspectorate, writes about councils from outside.
    """
    return "inspectorate" if author == "national" else author


class AuthorDetector:
    """Fill ``doc._.author`` from voice cues when the caller has not set it."""

    def __init__(self, name: str = "author_detector") -> None:
        """Compile the packaged voice cues."""
        self.name = name
        self.cues = compile_search(default_patterns("authors"))

    def infer(self, text: str) -> str:
        """Vote between council and inspectorate cues over the text."""
        votes = {kind: len(self.cues[kind].findall(text)) for kind in AUTHORS}
        return "council" if votes["council"] > votes["inspectorate"] else "inspectorate"

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.author`` unless already set."""
        if doc._.author not in KNOWN_AUTHORS:
            doc._.author = self.infer(doc.text)
        return doc


@Language.factory("author_detector")
def make_author_detector(nlp: Language, name: str) -> AuthorDetector:
    """Create the author detector."""
    return AuthorDetector(name)
