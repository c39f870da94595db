"""Features of a unit for the finding classifier: its words, its structure, its judgement cues.

Words are hashed (no vocabulary to store); structure becomes named indicator tokens, also
crossed with the author so that council documents can learn their own voice. Judgement cues
come from the polarity lexicon in ``patterns/polarity.json``: positive and negative judgement
words (flipped after a negator), counted over the whole unit and over its main clause, the
clause after *but / however* or outside an *although / while* clause (guideline rules 2, 3).
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from spacy.tokens import Span

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp.author import voice
from nlp.context import context_tokens
from nlp.patterns import default_patterns

N_WORD_FEATURES = 2**18
N_STRUCT_FEATURES = 2**12
WORD_RE = r"(?u)\b[\w'’-]+\b"
MODAL_RE = re.compile(r"\b(should|must|needs? to|ought|ensure|recommend)", re.I)
RECOMMENDATION_NUMBER_RE = re.compile(r"^\W*(?:R\d{1,2}\b|recommendations? \d{1,2}\b)", re.I)
NEGATION_WINDOW = 30
CUE_KINDS = ("positive", "negative", "negator", "contrast", "concessive", "directive",
             "imperative", "progress")


def length_bucket(n_words: int) -> str:
    """A coarse length class."""
    return "1" if n_words <= 2 else "short" if n_words <= 6 else "mid" if n_words <= 25 else "long"


def count_bucket(n: int) -> str:
    """A coarse count class: 0, 1, 2 or 3+."""
    return str(min(n, 3))


def polarity_of(positive: int, negative: int) -> str:
    """The net judgement of some cue counts."""
    if positive and negative:
        return "pos>" if positive > negative else "neg>" if negative > positive else "both"
    return "pos" if positive else "neg" if negative else "none"


class PolarityCues:
    """Judgement cues of a text from a lexicon of regular expressions."""

    def __init__(self, lexicon: dict[str, list[str]] | None = None) -> None:
        """Compile the lexicon (the packaged ``polarity`` patterns by default)."""
        lexicon = lexicon or default_patterns("polarity")
        self.cues = {
            kind: re.compile(r"(?<![\w'’-])(?:" + "|".join(f"(?:{p})" for p in lexicon[kind])
                             + r")(?![\w'’-])", re.I)
            for kind in CUE_KINDS
        }

    def judgements(self, text: str) -> tuple[int, int]:
        """Positive and negative cue counts, a cue after a nearby negator counting as its opposite."""
        counts = {"positive": 0, "negative": 0}
        for kind, opposite in (("positive", "negative"), ("negative", "positive")):
            for match in self.cues[kind].finditer(text):
                before = text[max(0, match.start() - NEGATION_WINDOW) : match.start()]
                negated = kind == "positive" and self.cues["negator"].search(before)
                counts[opposite if negated else kind] += 1
        return counts["positive"], counts["negative"]

    def main_clause(self, text: str) -> str | None:
        """The clause holding the main point of a mixed unit, or None when there is no contrast."""
        contrasts = list(self.cues["contrast"].finditer(text))
        if contrasts:
            return text[contrasts[-1].end() :]
        concessive = self.cues["concessive"].search(text)
        if concessive is None:
            return None
        if concessive.start() <= 2:
            comma = text.find(",", concessive.end())
            return text[comma + 1 :] if comma > 0 else None
        return text[: concessive.start()]

    def tokens(self, text: str) -> list[str]:
        """Indicator tokens for the judgement, direction and progress cues of a text."""
        positive, negative = self.judgements(text)
        tokens = [f"pol={polarity_of(positive, negative)}", f"pos#={count_bucket(positive)}",
                  f"neg#={count_bucket(negative)}"]
        main = self.main_clause(text)
        if main is not None:
            tokens += ["contrast", f"main={polarity_of(*self.judgements(main))}"]
        first = re.match(r"\W*(?:\d+(?:\.\d+)*\.?\s+|R\d+\s+)?([A-Za-z]+)", text)
        if first and self.cues["imperative"].fullmatch(first.group(1)):
            tokens.append("imperative")
        tokens.append(f"dir#={count_bucket(len(self.cues['directive'].findall(text)))}")
        tokens.append(f"prog#={count_bucket(len(self.cues['progress'].findall(text)))}")
        return tokens


def structure_tokens(unit: Span, author: str | None, cues: PolarityCues | None = None,
                     cue_tokens: list[str] | None = None) -> list[str]:
    """Indicator tokens for the unit's context (section, column, block, author, form, cues).

    ``cue_tokens`` are the unit's judgement-cue tokens when already computed.
    """
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
        f"recnum={bool(RECOMMENDATION_NUMBER_RE.search(unit.text))}",
        f"digits={sum(c.isdigit() for c in unit.text) > 0.2 * max(1, len(unit.text))}",
    ]
    if cue_tokens is not None:
        base += cue_tokens
    elif cues is not None:
        base += cues.tokens(unit.text)
    crossed = [f"{author}|{token}" for token in base]
    return base + crossed + [f"auth={author}", f"sec={unit._.section_kind}|col={unit._.column_kind}"]


class UnitFeaturizer:
    """Turn units into one sparse feature matrix (stateless: hashing only)."""

    def __init__(self, struct_weight: float = 1.0, polarity: bool = True,
                 context: bool = False) -> None:
        """Create the hashing vectorisers; ``struct_weight`` scales structure features.

        Args:
            struct_weight: weight of the structure tokens relative to the word features.
            polarity: add the judgement-cue tokens of the polarity lexicon.
            context: add the context tokens of :mod:`nlp.context` (section grade, position,
                neighbours' cues) to inspectorate documents (in council plans and tables the
                neighbours' cues were measured to blur action and recommendation).

        """
        self.struct_weight = struct_weight
        self.context = context
        self.cues = PolarityCues() if polarity else None
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
        scale = [self.struct_weight / np.sqrt(max(1, len(tokens))) for tokens in structures]
        struct = sparse.diags(scale) @ self.structure.transform(structures)
        return sparse.hstack([words, struct], format="csr")

    def doc_structures(self, units: list[Span], author: str | None) -> list[list[str]]:
        """The structure, cue and (optionally) context tokens of all the units of one document."""
        cues = [self.cues.tokens(u.text) for u in units] if self.cues is not None else None
        author = voice(author)
        out = []
        for index, unit in enumerate(units):
            tokens = structure_tokens(unit, author, self.cues, cues[index] if cues else None)
            if self.context and author == "inspectorate":
                tokens += context_tokens(units, index, cues)
            out.append(tokens)
        return out

    def units(self, units: list[Span], author: str | None) -> sparse.csr_matrix:
        """Features of spaCy unit spans of one document (all of them, in order)."""
        return self.transform([u.text for u in units], self.doc_structures(units, author))
