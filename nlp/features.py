"""Features of a unit for the finding classifier: its words, its structure, its author.

Words are hashed (no vocabulary to store); structure becomes named indicator tokens, also
crossed with the author so that council documents can learn their own voice.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from spacy.tokens import Span

N_WORD_FEATURES = 2**18
N_STRUCT_FEATURES = 2**12
WORD_RE = r"(?u)\b[\w'’-]+\b"
MODAL_RE = re.compile(r"\b(should|must|needs? to|ought|ensure|recommend)", re.I)


def length_bucket(n_words: int) -> str:
    """A coarse length class."""
    return "1" if n_words <= 2 else "short" if n_words <= 6 else "mid" if n_words <= 25 else "long"


def structure_tokens(unit: Span, author: str | None) -> list[str]:
    """Indicator tokens for the unit's context (section, column, block, author, form)."""
    words = unit.text.split()
    first = re.sub(r"\W", "", words[0].lower()) if words else ""
    base = [
        f"sec={unit._.section_kind}",
        f"col={unit._.column_kind}",
        f"blk={unit._.block_kind}",
        f"len={length_bucket(len(words))}",
        f"first={first}",
        f"end={unit.text.rstrip()[-1:] if unit.text.strip() else ''}",
        f"modal={bool(MODAL_RE.search(unit.text))}",
        f"digits={sum(c.isdigit() for c in unit.text) > 0.2 * max(1, len(unit.text))}",
    ]
    crossed = [f"{author}|{token}" for token in base]
    return base + crossed + [f"auth={author}", f"sec={unit._.section_kind}|col={unit._.column_kind}"]


class UnitFeaturizer:
    """Turn units into one sparse feature matrix (stateless: hashing only)."""

    def __init__(self, struct_weight: float = 1.0) -> None:
        """Create the hashing vectorisers; ``struct_weight`` scales structure features."""
        self.struct_weight = struct_weight
        self.words = HashingVectorizer(
            n_features=N_WORD_FEATURES, ngram_range=(1, 2), alternate_sign=False,
            token_pattern=WORD_RE, norm="l2", lowercase=True,
        )
        self.structure = HashingVectorizer(
            n_features=N_STRUCT_FEATURES, analyzer=lambda tokens: tokens, alternate_sign=False,
            norm=None,
        )

    def transform(self, texts: list[str], structures: list[list[str]]) -> sparse.csr_matrix:
        """Features of units given their texts and structure tokens."""
        words = self.words.transform(texts)
        struct = self.structure.transform(structures) * (self.struct_weight / np.sqrt(len(structures[0]) if structures else 1))
        return sparse.hstack([words, struct], format="csr")

    def units(self, units: list[Span], author: str | None) -> sparse.csr_matrix:
        """Features of spaCy unit spans of one document."""
        return self.transform([u.text for u in units], [structure_tokens(u, author) for u in units])
