"""A count's first pass over every finding: cosines in a few principal directions, then exact ones.

A count reads the cosine of its query to every finding in the store (to rank them all and take
the deep candidates). Over the full vectors that product reads the whole matrix, and on two
busy cores it is most of a count's time. :class:`CoarseCosines` keeps the vectors projected
onto their first ``dims`` principal directions (a third of the bytes at 128 of 384 dims): the
product over the projection orders the store nearly as the full one does, and the best
``rescore`` of that order then get their exact cosines. Everything a count keeps (its
candidates, their features, the best cosine and the topic's nearest) comes from exact cosines;
the coarse ones only order the rest, and give the ranks of the few lexical candidates far down
the order (``docs/coarse.md`` measures how much of the exact order it keeps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from findings.retrieval.cache import ArrayCache

SAMPLE_ROWS = 20_000  # vectors the principal directions are fitted on (a fixed-seed sample)


def principal_directions(sample: np.ndarray, dims: int) -> np.ndarray:
    """The first ``dims`` right singular vectors of ``sample``, as columns with a positive largest entry.

    They are the eigenvectors of the ``dim x dim`` Gram matrix with the largest eigenvalues, which
    take a few times less to find than a singular value decomposition of the sample itself.
    """
    sample = sample.astype(np.float64)
    _, eigenvectors = np.linalg.eigh(sample.T @ sample)  # ascending eigenvalues
    basis = eigenvectors[:, ::-1][:, :dims]
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), np.arange(dims)])
    return basis * signs


@dataclass(frozen=True)
class CoarseCosines:
    """Vectors projected onto their principal directions, for a fast first ordering.

    Attributes:
        basis: ``(dim, dims)`` orthonormal columns, the first right singular vectors.
        projected: the vectors in that basis, one row per vector.

    """

    basis: np.ndarray
    projected: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray, dims: int, *, seed: int = 0) -> CoarseCosines:
        """The first ``dims`` principal directions of the vectors (uncentred, so the mean direction stays).

        Args:
            vectors: unit vectors, one per row.
            dims: directions kept (fewer than the vectors' dimension).
            seed: the sample's seed (the same vectors always give the same basis).

        Raises:
            ValueError: ``dims`` is not below the vectors' dimension.

        """
        if not 0 < dims < vectors.shape[1]:
            raise ValueError(f"keep between 1 and {vectors.shape[1] - 1} directions, not {dims}")
        rng = np.random.default_rng(seed)
        sample = vectors if len(vectors) <= SAMPLE_ROWS else vectors[
            np.sort(rng.choice(len(vectors), SAMPLE_ROWS, replace=False))]
        basis = np.ascontiguousarray(principal_directions(sample, dims), dtype=np.float32)
        return cls(basis, np.ascontiguousarray(vectors @ basis, dtype=np.float32))

    @classmethod
    def kept(cls, cache: ArrayCache, vectors: np.ndarray, dims: int) -> CoarseCosines:
        """:meth:`fit` once per store state: the basis and projection are kept in ``cache``."""
        arrays = cache.arrays(f"coarse-{dims}-sample{SAMPLE_ROWS}", lambda: vars(cls.fit(vectors, dims)))
        return cls(arrays["basis"], arrays["projected"])

    def cosines(self, vectors: np.ndarray, query: np.ndarray, positions: np.ndarray | None,
                rescore: int) -> tuple[np.ndarray, np.ndarray]:
        """Cosines of the query to the vectors at ``positions`` (None: all), exact for the best ``rescore``.

        Args:
            vectors: the full vectors (the rows the projection was made of).
            query: the query's unit embedding.
            positions: rows to score (e.g. those a filter allows), ascending.
            rescore: how many of the best coarse scores are replaced by exact cosines.

        Returns:
            One score per position (exact for the best ``rescore``, coarse for the rest), and
            the positions whose scores are exact, ascending.

        """
        scores = self.projected @ (query @ self.basis)
        if positions is not None:
            scores = scores[positions]
        best = np.sort(np.argpartition(-scores, rescore - 1)[:rescore]) if len(scores) > rescore else (
            np.arange(len(scores)))
        rows = best if positions is None else positions[best]
        scores[best] = vectors[rows] @ query
        return scores, best
