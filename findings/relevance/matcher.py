"""Scoring a query's deep candidates with the relevance model, over an open search engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from findings.relevance.candidates import Candidates, StoreArrays, candidates
from findings.relevance.coarse import CoarseCosines
from findings.relevance.model import RelevanceModel
from findings.retrieval.engine import SearchEngine
from findings.retrieval.filters import Filters
from findings.retrieval.highlight import query_terms
from findings.settings import Settings


@dataclass(frozen=True)
class Scored:
    """A query's candidates, best first, with their probabilities of relevance."""

    rowids: np.ndarray
    probabilities: np.ndarray

    def above(self, cutoff: float) -> int:
        """How many candidates reach the cut-off (they come first)."""
        return int(np.searchsorted(-self.probabilities, -cutoff, side="right"))


class Matcher:
    """A query's candidates and their probabilities, from an engine's arrays and a model."""

    def __init__(self, engine: SearchEngine, model: RelevanceModel | None, *, dense_depth: int,
                 lexical_depth: int, coarse_dims: int = 0) -> None:
        """Read what the features need from an open engine.

        Args:
            engine: the open search engine (vectors, BM25, labels, filter columns).
            model: the relevance model (None: candidates only, for training one).
            dense_depth: candidates taken by cosine.
            lexical_depth: candidates taken by BM25.
            coarse_dims: principal directions of a first, coarse ordering (0: exact cosines only).

        """
        self.engine = engine
        self.model = model
        self.arrays = StoreArrays.from_engine(engine)
        self.lexical = engine.lexical
        self.dense_depth = dense_depth
        self.lexical_depth = lexical_depth
        self.coarse = (CoarseCosines.kept(engine.cache, engine.index.vectors, coarse_dims) if coarse_dims
                       else None)

    @classmethod
    def open(cls, engine: SearchEngine, model: RelevanceModel | None, settings: Settings) -> Matcher:
        """A matcher with the settings' depths; coarse cosines first over a store above the exact limit."""
        large = len(engine.index.ids) > settings.exact_index_limit
        return cls(engine, model, dense_depth=settings.count_dense_depth,
                   lexical_depth=settings.count_lexical_depth,
                   coarse_dims=settings.count_coarse_dims if large else 0)

    def candidates(self, text: str, label: str | None = None, filters: Filters | None = None,
                   vector: np.ndarray | None = None) -> Candidates:
        """The deep candidates of a query under filters (a label among them is a feature, not a filter)."""
        if not text or not text.strip():
            raise ValueError("give some text to count")
        filters = Filters(**{**(filters or Filters()).values(), "label": None})
        return candidates(
            ids=self.engine.index.ids, vectors=self.engine.index.vectors,
            query=self.engine.embed(text) if vector is None else vector, terms=query_terms(text),
            lexical=self.lexical, arrays=self.arrays, label=label, allowed=self.engine.allowed_ids(filters),
            dense_depth=self.dense_depth, lexical_depth=self.lexical_depth, coarse=self.coarse)

    def score(self, text: str, label: str | None = None, filters: Filters | None = None,
              vector: np.ndarray | None = None) -> Scored:
        """The candidates, most probable first, with the model's probabilities."""
        if self.model is None:
            raise RuntimeError("this matcher has no relevance model")
        found = self.candidates(text, label, filters, vector)
        probabilities = (self.model.probability(found.features, found.other_label) if len(found)
                         else np.zeros(0))
        order = np.argsort(-probabilities, kind="stable")
        return Scored(found.rowids[order], probabilities[order])
