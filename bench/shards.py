"""The sharded vector index at scale: 1,000,000 synthetic findings in shards against exact search.

    python -m bench.shards [--size 1000000] [--shards 8] [--queries 500] [--out docs/shards.md]

The synthetic findings are :func:`bench.scale.synthetic`'s (real embeddings mixed and perturbed),
200 to a synthetic document; they go to shards by the document's id as the build sends them
(:func:`findings.retrieval.shards.shard_of`), each shard the HNSW index the store would build
(its M, efConstruction and efSearch settings). Searched one query at a time through
:class:`~findings.retrieval.dense.VectorIndex`, as the API does: recall@10 against exact search,
agreement with one HNSW index over the same vectors, latency percentiles, and the time to
write one shard against all of them (what a build that changes a few documents pays).
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from bench.report import write_table
from bench.scale import recall, synthetic
from findings.encoding import DIMENSION, model_name
from findings.retrieval.dense import VectorIndex
from findings.retrieval.shards import combined, shard_of
from findings.retrieval.vector_file import empty_index
from findings.settings import get_settings
from findings.store import connect, reads

PER_DOCUMENT = 200


def timed_nearest(index: VectorIndex, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[float]]:
    """Each query's top k through the index, and per-query milliseconds."""
    found, times = [], []
    for query in queries:
        start = time.perf_counter()
        found.append(index.nearest(query, k))
        times.append((time.perf_counter() - start) * 1000)
    return np.array(found), times


def built(vectors: np.ndarray, ids: np.ndarray, total: int, settings) -> tuple[faiss.Index, float]:
    """An ``IndexIDMap2`` of the store's kind for ``total`` vectors in all, and seconds to build it."""
    start = time.perf_counter()
    index = faiss.IndexIDMap2(empty_index(total, vectors.shape[1], exact_limit=settings.exact_index_limit,
                                          hnsw_m=settings.hnsw_m,
                                          ef_construction=settings.hnsw_ef_construction))
    index.add_with_ids(vectors, ids)
    return index, time.perf_counter() - start


def row(name: str, found: np.ndarray, truth: np.ndarray, times: list[float], other: str) -> str:
    """A line of the table."""
    return (f"| {name} | {recall(found, truth):.3f} | {other} | {np.percentile(times, 50):.2f} | "
            f"{np.percentile(times, 99):.2f} |")


def shard_members(size: int, shards: int) -> np.ndarray:
    """Each synthetic finding's shard, by its synthetic document (``PER_DOCUMENT`` findings each)."""
    documents = shard_of([f"doc-{i}" for i in range(-(-size // PER_DOCUMENT))], shards)
    return np.repeat(documents, PER_DOCUMENT)[:size]


def measure(vectors: np.ndarray, queries: np.ndarray, shards: int, settings) -> dict:
    """Build the shards and one index over the vectors; search each and exactly."""
    ids, member = np.arange(len(vectors), dtype=np.int64), shard_members(len(vectors), shards)
    parts, seconds = zip(*(built(vectors[member == s], ids[member == s], len(vectors), settings)
                           for s in range(shards)), strict=True)
    options = {"ef_search": settings.hnsw_ef_search, "exact_filter_limit": settings.exact_filter_limit,
               "threads": 1}
    found, times = timed_nearest(VectorIndex(combined(list(parts)), parts=list(parts), **options), queries)
    one_index, one_seconds = built(vectors, ids, len(vectors), settings)
    alone, alone_times = timed_nearest(VectorIndex(one_index, **options), queries)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    return {"truth": exact.search(queries, 10)[1], "found": found, "times": times, "alone": alone,
            "alone_times": alone_times, "sizes": [p.ntotal for p in parts], "seconds": seconds,
            "one_seconds": one_seconds}


def table(m: dict, args, settings) -> str:
    """The Markdown table of :func:`measure`'s figures."""
    agreement = f"{recall(m['found'], m['alone']):.3f}"
    return "\n".join([
        f"# {args.shards} shards over {args.size:,} synthetic findings ({args.queries} queries, one "
        f"thread, efSearch {settings.hnsw_ef_search})", "",
        "| index | recall@10 vs exact | agreement with one index | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
        row(f"{args.shards} HNSW shards (IndexShards)", m["found"], m["truth"], m["times"], agreement),
        row("one HNSW index", m["alone"], m["truth"], m["alone_times"], "1.000"), "",
        f"Shards of {min(m['sizes']):,} to {max(m['sizes']):,} vectors. Writing one shard took a median "
        f"{np.median(m['seconds']):.0f} s, all {args.shards} {sum(m['seconds']):.0f} s, one index over "
        f"everything {m['one_seconds']:.0f} s. `python -m bench.shards`."]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build the shards and one index, measure, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--out", default="docs/shards.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    faiss.omp_set_num_threads(1)
    _, real = reads.indexed_vectors(connect(settings.db_path, read_only=True), dimension=DIMENSION,
                                    model=model_name(settings.encoder_backend, settings.encoder))
    vectors, queries = synthetic(real, args.size), synthetic(real, args.queries, seed=7)
    figures = measure(vectors, queries, args.shards, settings)
    write_table(table(figures, args, settings), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
