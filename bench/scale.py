"""Approximate search at scale: 1,000,000 synthetic findings, recall@10 against exact search.

    python -m bench.scale [--size 1000000] [--queries 200]

Synthetic findings are made from the real ones by perturbing and recombining their embeddings
(a mix of two real vectors plus noise, renormalised), so the neighbourhood structure resembles
the corpus. Compares exact inner-product search with IVF-flat and HNSW at several settings:
recall@10 of the exact top 10, per-query latency percentiles (single query, as the API does)
and index memory. Writes ``docs/scale.md``.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from bench.report import write_table
from findings.encoding import DIMENSION, model_name
from findings.settings import get_settings
from findings.store import connect, reads


def synthetic(real: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """Vectors made by mixing pairs of real vectors and adding noise."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        a, b = real[rng.integers(len(real), size=n)], real[rng.integers(len(real), size=n)]
        mix = rng.uniform(0.6, 1.0, size=(n, 1)).astype(np.float32)
        block = mix * a + (1 - mix) * b + rng.normal(0, 0.02, size=a.shape).astype(np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed_search(index: faiss.Index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[float]]:
    """Search one query at a time; ids and per-query milliseconds."""
    ids, times = [], []
    for query in queries:
        start = time.perf_counter()
        _, found = index.search(query.reshape(1, -1), k)
        times.append((time.perf_counter() - start) * 1000)
        ids.append(found[0])
    return np.array(ids), times


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of the exact top-k found."""
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def memory_mb(index: faiss.Index) -> float:
    """Serialised index size in MiB (what it holds in memory, near enough)."""
    return faiss.serialize_index(index).nbytes / 2**20


def candidates(vectors: np.ndarray) -> list[tuple[str, faiss.Index, dict]]:
    """The approximate indexes to compare, built over ``vectors``."""
    dim = vectors.shape[1]
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, 4096, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors[np.random.default_rng(1).choice(len(vectors), 200_000, replace=False)])
    ivf.add(vectors)
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    hnsw.add(vectors)
    return [("ivf4096", ivf, {"nprobe": [16, 32, 64]}), ("hnsw32", hnsw, {"efSearch": [64, 128, 256]})]


def main(argv: list[str] | None = None) -> int:
    """Build, measure and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", default="docs/scale.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    _, real = reads.indexed_vectors(connect(settings.db_path, read_only=True), dimension=DIMENSION,
                                    model=model_name(settings.encoder_backend, settings.encoder))
    vectors = synthetic(real, args.size)
    queries = synthetic(real, args.queries, seed=7)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    truth, exact_ms = timed_search(exact, queries)
    rows = [("exact (flat)", "-", 1.0, exact_ms, memory_mb(exact))]
    for name, index, params in candidates(vectors):
        for param, values in params.items():
            for value in values:
                faiss.ParameterSpace().set_index_parameter(index, param, value)
                found, times = timed_search(index, queries)
                rows.append((name, f"{param}={value}", recall(found, truth), times, memory_mb(index)))
    lines = [f"# Approximate search over {args.size:,} synthetic findings ({args.queries} queries)\n",
             "| index | setting | recall@10 vs exact | p50 ms | p99 ms | index MiB |",
             "|---|---|---|---|---|---|"]
    for name, setting, rec, times, mib in rows:
        lines.append(f"| {name} | {setting} | {rec:.3f} | {np.percentile(times, 50):.2f} "
                     f"| {np.percentile(times, 99):.2f} | {mib:.0f} |")
    text = "\n".join(lines) + "\n"
    write_table(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
