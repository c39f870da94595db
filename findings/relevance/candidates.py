"""Deep candidates for a query and the features the relevance model reads.

The candidates are the union of the ``dense_depth`` nearest findings by cosine and the
``lexical_depth`` best by BM25, over the whole store (or the findings a filter allows): deep
enough that a finding outside them is all but never relevant (``docs/counts.md``). Each
candidate gets the features in :data:`FEATURES`, computed from whole-store arrays, so that a
feature means the same for every query: its cosine, the cosine's gap to the query's best, its
rank in each arm, its BM25 score and share of the best, the share of the query's terms it holds
(each weighted by its IDF), and how unlikely it is to be of the asked label; then its cosine to
the query's *topic* (the mean of the query's nearest findings, which reads a lay paraphrase in
the reports' own words), and both cosines standardised against the query's best candidates (so
that a query whose words sit far from every finding is not judged by another query's scale).
One feature is the query's own: how far its nearest findings stand out from the next tier (a
topic the reports treat distinctly against one they touch on everywhere or nowhere), which lets
a query's candidates as a whole be judged more or less likely. Another is whether the query
asks for a label: a finding must then be of that kind as well as on topic. Where a label is asked,
each candidate also carries whether the classifier gave it another one (``other_label``), which
the model reads apart from the features (:class:`~findings.relevance.model.RelevanceModel`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from findings.relevance.coarse import CoarseCosines
from findings.retrieval.lexical import LexicalIndex
from nlp.labels import FINDING_LABELS

FEATURES = ("cosine", "cosine_gap", "dense_rank", "bm25_share", "lexical_rank", "term_idf_share",
            "label_mismatch", "topic_cosine", "cosine_z", "topic_z", "cosine_spread",
            "label_asked")
TOPIC_SIZE = 20  # nearest findings whose mean is the query's topic (pseudo-relevance feedback)
REFERENCE_SIZE = 200  # best candidates a candidate's score is standardised against
RESCORE = 2  # with coarse cosines, the best RESCORE * dense_depth of their order get exact ones
NEAREST = 20  # the query's nearest findings, whose mean cosine is set against the next tier's
NEXT_TIER = (100, 300)  # ranks of the next tier of nearest findings
OTHER_LABELS = len(FINDING_LABELS) - 1  # the labels a finding may have besides its own


@dataclass(frozen=True)
class Candidates:
    """Candidate findings for one query: rowids, their features (rows in :data:`FEATURES` order).

    ``other_label`` marks the candidates labelled otherwise than the asked label (None: no label
    was asked).
    """

    rowids: np.ndarray
    features: np.ndarray
    other_label: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rowids)


def top(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` highest scores, best first."""
    if len(scores) > depth:
        best = np.argpartition(-scores, depth - 1)[:depth]
        return best[np.argsort(-scores[best], kind="stable")]
    return np.argsort(-scores, kind="stable")


def ranks_of(scores: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """1-based rank of each position's score among all ``scores`` (ties share the best rank)."""
    ordered = np.sort(scores)
    return len(scores) - np.searchsorted(ordered, scores[positions], side="right") + 1


def label_mismatch(labels: np.ndarray, confidences: np.ndarray, asked: str | None) -> np.ndarray:
    """How unlikely each finding is to be of the asked label (0 when no label is asked).

    The classifier's confidence is in the finding's own label; the rest is shared evenly
    among the other labels.
    """
    if not asked:
        return np.zeros(len(labels))
    fit = np.where(labels == asked, confidences, (1.0 - confidences) / OTHER_LABELS)
    return 1.0 - fit


def standardised(values: np.ndarray, size: int = REFERENCE_SIZE) -> np.ndarray:
    """Values as z-scores against the ``size`` highest of them."""
    reference = np.sort(values)[-size:] if len(values) else values
    return (values - reference.mean()) / (reference.std() + 1e-6) if len(values) else values


def cosine_spread(cosines: np.ndarray) -> float:
    """The mean of the :data:`NEAREST` highest cosines less the mean of those ranked :data:`NEXT_TIER`.

    With fewer cosines than the tier's first rank, the tier is the lowest cosine.
    """
    if not len(cosines):
        return 0.0
    ordered = np.sort(cosines)[::-1]
    tier = ordered[min(NEXT_TIER[0], len(ordered) - 1):NEXT_TIER[1]]
    return float(ordered[:NEAREST].mean() - tier.mean())


def topic_cosines(chosen_vectors: np.ndarray, vectors: np.ndarray, rows: np.ndarray,
                  cosines: np.ndarray) -> np.ndarray:
    """Cosines of the chosen vectors to the unit mean of the ``TOPIC_SIZE`` nearest.

    ``rows`` gives each cosine's row in ``vectors`` (the cosines may be of a filtered subset).
    """
    if not len(chosen_vectors):
        return np.zeros(0)
    topic = vectors[rows[top(cosines, TOPIC_SIZE)]].mean(axis=0)
    return chosen_vectors @ (topic / (np.linalg.norm(topic) + 1e-12))


def dense_features(vectors: np.ndarray, rows: np.ndarray, cosines: np.ndarray, at_dense: np.ndarray,
                   query: np.ndarray) -> tuple[np.ndarray, ...]:
    """The candidates' exact cosines, their gap to the best, log rank and topic cosines.

    ``cosines`` (by position; ``rows`` maps a position to its row in ``vectors``) is updated in
    place with the candidates' exact cosines before it ranks them.
    """
    chosen = vectors[rows[at_dense]]
    cosine = chosen @ query
    cosines[at_dense] = cosine  # a lexical candidate far down a coarse order gets its exact cosine
    topic = topic_cosines(chosen, vectors, rows, cosines)
    return cosine, cosine - cosines.max(), np.log1p(ranks_of(cosines, at_dense)), topic


def term_shares(lexical: LexicalIndex, terms: list[str], rowids: np.ndarray) -> np.ndarray:
    """The share of the query's terms each sorted rowid contains, each term weighted by its IDF.

    A finding that holds a query's rare word ("unregistered") holds more of the query than one that
    holds its common words ("children", "homes").
    """
    held, total = np.zeros(len(rowids)), 0.0
    for term in terms:
        containing = lexical.term_scores(term)[0]  # every finding holding the term, read once
        weight = lexical.idf(len(containing))
        held += weight * np.isin(rowids, containing, assume_unique=True)
        total += weight
    return held / total if total > 0 else held


@dataclass(frozen=True)
class StoreArrays:
    """What the features read of every finding, by rowid: its label and the label's confidence."""

    labels: np.ndarray
    confidences: np.ndarray

    @classmethod
    def from_engine(cls, engine) -> StoreArrays:
        """The arrays of an open :class:`~findings.retrieval.engine.SearchEngine`."""
        codes = engine.columns.values["label"]
        names = np.array([""] + list(engine.columns.codes["label"]), dtype=object)
        confidences = np.ones(len(codes))
        confidences[: len(engine.label_confidence)] = engine.label_confidence[: len(codes)]
        return cls(names[codes + 1], confidences)

    def label_mismatch(self, rowids: np.ndarray, asked: str | None) -> np.ndarray:
        """:func:`label_mismatch` of some rowids."""
        return label_mismatch(self.labels[rowids], self.confidences[rowids], asked)

    def other_label(self, rowids: np.ndarray, asked: str | None) -> np.ndarray | None:
        """Whether each rowid's finding has another label than the asked one (None: none asked)."""
        return None if asked is None else self.labels[rowids] != asked


def dense_part(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, allowed: np.ndarray | None,
               depth: int, coarse: CoarseCosines | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The allowed rowids, their rows in ``vectors``, their cosines, positions of the ``depth`` nearest.

    The cosines are taken over every vector and then narrowed: copying the allowed vectors out
    costs several times the product itself. With ``coarse``, only the best ``RESCORE * depth``
    cosines are exact (:class:`~findings.relevance.coarse.CoarseCosines`).
    """
    positions = np.arange(len(ids))
    if allowed is not None:
        positions = np.searchsorted(ids, allowed).clip(max=max(0, len(ids) - 1))
        positions = positions[ids[positions] == allowed] if len(ids) else positions[:0]
        ids = ids[positions]
    if coarse is None:
        cosines = vectors @ query if allowed is None else (vectors @ query)[positions]
        return ids, positions, cosines, top(cosines, depth)
    cosines, exact = coarse.cosines(vectors, query, None if allowed is None else positions, RESCORE * depth)
    return ids, positions, cosines, exact[top(cosines[exact], depth)]


def lexical_part(lexical: LexicalIndex | None, terms: list[str], allowed: np.ndarray | None,
                 depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rowids matching any term (allowed ones only), their BM25, positions of the ``depth`` best."""
    if lexical is None or not terms:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    rowids, scores = lexical.scores(lexical.selective_terms(terms))
    if allowed is not None and len(rowids):
        keep = np.isin(rowids, allowed, assume_unique=True)
        rowids, scores = rowids[keep], scores[keep]
    return rowids, scores, top(scores, depth)


def candidates(*, ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, terms: list[str],
               lexical: LexicalIndex | None, arrays: StoreArrays, label: str | None,
               allowed: np.ndarray | None, dense_depth: int, lexical_depth: int,
               coarse: CoarseCosines | None = None) -> Candidates:
    """The deep candidates of a query and their features.

    Args:
        ids: indexed rowids, ascending.
        vectors: their unit vectors (rows).
        query: the query's unit embedding.
        terms: the query's content terms (as BM25 reads them).
        lexical: the BM25 index (None: no lexical arm).
        arrays: labels and confidences by rowid.
        label: the asked label, if any.
        allowed: sorted rowids a filter allows (None: all).
        dense_depth: nearest findings taken by cosine.
        lexical_depth: best findings taken by BM25.
        coarse: the vectors' projection for a first ordering (None: exact cosines throughout).

    """
    dense_ids, dense_rows, cosines, dense_top = dense_part(vectors, ids, query, allowed, dense_depth, coarse)
    if not len(dense_ids):
        return Candidates(np.zeros(0, dtype=np.int64), np.zeros((0, len(FEATURES))))
    lexical_ids, bm25, lexical_top = lexical_part(lexical, terms, allowed, lexical_depth)
    rowids = np.union1d(dense_ids[dense_top], lexical_ids[lexical_top]).astype(np.int64)
    at_dense = np.searchsorted(dense_ids, rowids)  # every lexical candidate is indexed too
    cosine, gap, dense_rank, topic = dense_features(vectors, dense_rows, cosines, at_dense, query)
    score, lexical_rank = np.zeros(len(rowids)), np.full(len(rowids), len(lexical_ids) + 1)
    if len(lexical_ids):
        at_lexical = np.searchsorted(lexical_ids, rowids).clip(max=len(lexical_ids) - 1)
        matched = lexical_ids[at_lexical] == rowids
        score[matched] = bm25[at_lexical[matched]] / bm25.max()
        lexical_rank[matched] = ranks_of(bm25, at_lexical[matched])
    features = np.column_stack([
        cosine, gap, dense_rank, score,
        np.log1p(lexical_rank), term_shares(lexical, terms, rowids) if lexical else np.zeros(len(rowids)),
        arrays.label_mismatch(rowids, label), topic, standardised(cosine), standardised(topic),
        np.full(len(rowids), cosine_spread(cosine)), np.full(len(rowids), float(label is not None))])
    return Candidates(rowids, features, arrays.other_label(rowids, label))
