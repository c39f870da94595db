"""Context features of a unit: the grade of its section and what its neighbours say.

A unit's label often lives around it rather than in it. Ofsted states a graded judgement in
the heading of a section ("The experiences and progress of children in care: good"), which is a
strong prior for the polarity of the sentences under it; a sentence that opens a paragraph
tends to state the judgement that the following ones ("For example, ...") illustrate. These
tokens are read from the document itself, never from a manifest, so loose files get them too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Span

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)

GRADE_RE = re.compile(
    r"\b(?:(?P<ri>requires? improvement|not yet good|to be good)|(?P<outstanding>outstanding)"
    r"|(?P<inadequate>inadequate)|(?P<good>good))\b",
    re.I,
)
GRADE_NAMES = {"ri": "requires_improvement", "outstanding": "outstanding",
               "inadequate": "inadequate", "good": "good"}
NEIGHBOUR_KINDS = ("pol=", "main=", "imperative", "dir#=", "prog#=")


def grade_of(text: str | None) -> str:
    """The inspection grade a heading or grade line states ("none" when it states none)."""
    if not text:
        return "none"
    match = GRADE_RE.search(text)
    return GRADE_NAMES[match.lastgroup] if match else "none"


def opens_block(units: Sequence[Span], index: int) -> bool:
    """Whether a unit is the first sentence of its block (after any paragraph number)."""
    if index == 0:
        return True
    previous = units[index - 1]
    if previous._.block_kind == "marker":
        return True
    return "\n" in previous.doc[previous.end - 1 : units[index].start].text_with_ws


def neighbour_tokens(tokens: list[str], prefix: str) -> list[str]:
    """The judgement and direction cue tokens of a neighbour, renamed with a prefix."""
    return [prefix + t for t in tokens if t.startswith(NEIGHBOUR_KINDS)]


def context_tokens(units: Sequence[Span], index: int,
                   cues: Sequence[list[str]] | None = None) -> list[str]:
    """Indicator tokens for a unit's context: section grade, position and neighbours' cues.

    Args:
        units: the units of one document, in order.
        index: the position of the unit in ``units``.
        cues: the judgement-cue tokens of every unit (no neighbour tokens when None).

    Returns:
        The context tokens.

    """
    unit = units[index]
    first = opens_block(units, index)
    grade = grade_of(unit._.section)
    tokens = [f"sgrade={grade}", f"opens={first}", f"sgrade={grade}|opens={first}"]
    if cues is None:
        return tokens
    if not first:
        tokens += neighbour_tokens(cues[index - 1], "prev:")
    if index + 1 < len(units) and not opens_block(units, index + 1):
        tokens += neighbour_tokens(cues[index + 1], "next:")
    return tokens
