"""Building and running the segmentation pipeline: documents in, findings out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp import author, blocks, classifier, text_scorer, themes, units  # noqa: F401  (registers factories)
from nlp.labels import OTHER

STRUCTURE_PIPES = ("author_detector", "block_parser", "unit_segmenter")


@dataclass
class Finding:
    """One labelled unit of a report, with where it came from."""

    doc_id: str
    unit: int
    text: str
    label: str
    confidence: float
    section: str | None
    block_kind: str | None
    page: int
    start_char: int
    end_char: int
    themes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return asdict(self)


def structure_pipeline() -> Language:
    """A blank English pipeline with the structure components only (no classifier)."""
    pipeline = spacy.blank("en")
    for pipe in STRUCTURE_PIPES:
        pipeline.add_pipe(pipe)
    return pipeline


def load_pipeline(model_dir: str | Path, cache_dir: str | Path | None = None) -> Language:
    """Load a trained pipeline (the project's is in ``models/findings-pipeline``).

    Args:
        model_dir: the saved pipeline.
        cache_dir: where its text scorer keeps its exported model (None: the scorer's default).

    Raises:
        FileNotFoundError: no saved pipeline there (run ``findings train``).

    """
    path = Path(model_dir)
    if not (path / "config.cfg").is_file():
        raise FileNotFoundError(f"no trained pipeline at {path}: run `findings train`")
    components = spacy.util.load_config(path / "config.cfg")["components"]
    if cache_dir is None or "text_scorer" not in components:
        return spacy.load(path)
    return spacy.load(path, config={"components": {"text_scorer": {"cache_dir": str(cache_dir)}}})


def make_doc(pipeline: Language, text: str, doc_id: str, author_kind: str | None,
             page_starts: list[int] | None = None) -> Doc:
    """Tokenise text into a ``Doc`` carrying the document-level attributes."""
    doc = pipeline.make_doc(text)
    doc._.doc_id = doc_id
    doc._.author = author_kind
    doc._.page_starts = page_starts or [0]
    return doc


def run(pipeline: Language, docs: Iterable[Doc]) -> Iterator[Doc]:
    """Apply every pipe to pre-made docs (keeps custom doc attributes)."""
    for doc in docs:
        for _, pipe in pipeline.pipeline:
            doc = pipe(doc)
        yield doc


def page_of(page_starts: list[int], offset: int) -> int:
    """1-based page holding a character offset."""
    page = 1
    for number, start in enumerate(page_starts, start=1):
        if start <= offset:
            page = number
        else:
            break
    return page


def doc_findings(doc: Doc, include_other: bool = False) -> list[Finding]:
    """The labelled units of a processed doc as :class:`Finding` records."""
    found = []
    for index, unit in enumerate(doc.spans.get("units", [])):
        label = unit._.label or OTHER
        if label == OTHER and not include_other:
            continue
        found.append(Finding(
            doc_id=doc._.doc_id, unit=index, text=unit.text, label=label,
            confidence=round(unit._.confidence or 0.0, 4), section=unit._.section,
            block_kind=unit._.block_kind, page=page_of(doc._.page_starts or [0], unit.start_char),
            start_char=unit.start_char, end_char=unit.end_char, themes=list(unit._.themes or []),
        ))
    return found
