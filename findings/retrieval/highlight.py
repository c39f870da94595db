"""Query terms and why a finding matched: which terms occur in it, and where."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or that the their there this "
    "to was were with what which who how about".split())
WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’-])*")  # letters (any script) and digits, inner ' and -


def query_terms(query: str) -> list[str]:
    """Content words of a query, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in WORD_RE.findall(query.lower()):
        word = word.strip("'’-")
        if word and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def term_stem(term: str) -> str:
    """The part of a query term that a matching word must start with (in any case)."""
    return term[: max(4, len(term) - 3)] if len(term) > 4 else term


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern:
    """The compiled pattern of a query term's stem and any word ending.

    Compiled once per term: ``re``'s own cache lookup with flags costs about as much as the
    match on a short finding.
    """
    return re.compile(rf"\b{re.escape(term_stem(term))}\w*", re.I)


def highlight(text: str, terms: list[str]) -> tuple[list[str], list[list[int]]]:
    """Which query terms occur in a text (by shared stem) and their character spans.

    For an ASCII term in an ASCII text, a term whose stem is not a substring (in lower case) is
    skipped before any pattern runs (``re.I`` also matches a few non-ASCII letters, "İ", "ı",
    "ſ", to "i" and "s", which ``str.lower`` does not).
    """
    matched, spans = [], []
    lowered = text.lower() if text.isascii() else None
    for term in terms:
        if lowered is not None and term.isascii() and term_stem(term).lower() not in lowered:
            continue
        found = list(term_pattern(term).finditer(text))
        if found:
            matched.append(term)
            spans.extend([m.start(), m.end()] for m in found)
    return matched, sorted(spans)
