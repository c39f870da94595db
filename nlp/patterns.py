"""Loading and compiling the pattern files under ``nlp/patterns``."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

PATTERN_DIR = Path(__file__).parent / "patterns"
HEADING_TAIL = r"\s*(?:\?|:|\.|\s\d{1,3})?\s*$"


def read_patterns(name: str) -> dict[str, list[str]]:
    """Read a pattern file by stem, dropping its ``_doc`` entry."""
    data = json.loads((PATTERN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def compile_anchored(patterns: dict[str, list[str]]) -> dict[str, re.Pattern]:
    """Compile each kind's heading patterns into one whole-string, case-insensitive regex."""
    return {
        kind: re.compile(rf"^(?:{'|'.join(f'(?:{p})' for p in items)}){HEADING_TAIL}", re.I)
        for kind, items in patterns.items()
    }


def compile_search(patterns: dict[str, list[str]]) -> dict[str, re.Pattern]:
    """Compile each kind's patterns into one case-insensitive search regex."""
    return {kind: re.compile("|".join(f"(?:{p})" for p in items), re.I) for kind, items in patterns.items()}


@cache
def default_patterns(name: str) -> dict[str, list[str]]:
    """The packaged patterns of one file (cached)."""
    return read_patterns(name)
