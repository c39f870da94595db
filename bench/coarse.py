"""A count's coarse first pass against exact cosines, on the built store and the dev queries.

    python -m bench.coarse [--dims 96 128 192] [--qrels ../shared/gold/queries-dev.jsonl]

For each number of principal directions: the share of the exact ``count_dense_depth`` nearest
that the rescored set holds (mean and worst over the dev queries), and the milliseconds of the
first pass (median, one thread). Then, at the settings' dims, the match sets of ``Counter.count``
with and without it on every dev query. Writes ``docs/coarse.md``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.api_load import graded_queries
from bench.report import write_table
from findings.relevance.candidates import RESCORE
from findings.relevance.coarse import CoarseCosines
from findings.relevance.counts import Counter
from findings.retrieval import SearchEngine
from findings.retrieval.dense import limit_threads
from findings.settings import get_settings


def held_share(vectors: np.ndarray, coarse: CoarseCosines, queries: np.ndarray, depth: int) -> list[float]:
    """Per query: the share of the exact ``depth`` nearest among the rescored positions."""
    shares = []
    for query in queries:
        exact = np.argpartition(-(vectors @ query), depth - 1)[:depth]
        _, rescored = coarse.cosines(vectors, query, None, RESCORE * depth)
        shares.append(len(np.intersect1d(exact, rescored)) / depth)
    return shares


def first_pass_ms(vectors: np.ndarray, coarse: CoarseCosines | None, queries: np.ndarray,
                  depth: int) -> float:
    """Median milliseconds of the first pass (the full product when ``coarse`` is None)."""
    times = []
    for query in queries:
        start = time.perf_counter()
        if coarse is None:
            vectors @ query
        else:
            coarse.cosines(vectors, query, None, RESCORE * depth)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def same_members(engine: SearchEngine, settings, queries: list[dict]) -> tuple[int, int, int]:
    """Queries whose match set is the same with and without the first pass; members in both, in either."""
    coarse = Counter.open(engine, settings)
    exact = Counter.open(engine, settings.model_copy(update={"count_coarse_dims": 0}))
    same = both = either = 0
    for query in queries:
        a = {f["id"] for f in coarse.count(query["q"], label=query.get("label")).findings}
        b = {f["id"] for f in exact.count(query["q"], label=query.get("label")).findings}
        same, both, either = same + (a == b), both + len(a & b), either + len(a | b)
    return same, both, either


def main(argv: list[str] | None = None) -> int:
    """Measure, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[96, 128, 192])
    parser.add_argument("--qrels", default="../shared/gold/queries-dev.jsonl")
    parser.add_argument("--out", default="docs/coarse.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    limit_threads(1)
    engine = SearchEngine.open(settings)
    vectors, depth = engine.index.vectors, settings.count_dense_depth
    queries = graded_queries(args.qrels)
    embedded = np.stack([engine.embed(query["q"]) for query in queries])
    full_ms = first_pass_ms(vectors, None, embedded, depth)
    lines = [f"# A count's coarse first pass ({len(vectors):,} findings, {len(queries)} dev queries)", "",
             f"Rescored: the best {RESCORE * depth:,} of the coarse order get exact cosines; held: the share "
             f"of the exact {depth:,} nearest among them. The full product takes {full_ms:.2f} ms "
             "(median, one thread).", "",
             "| dims | held (mean) | held (worst query) | first pass ms |", "|---|---|---|---|"]
    for dims in args.dims:
        coarse = CoarseCosines.fit(vectors, dims)
        held = held_share(vectors, coarse, embedded, depth)
        lines.append(f"| {dims} | {np.mean(held):.4f} | {min(held):.4f} | "
                     f"{first_pass_ms(vectors, coarse, embedded, depth):.2f} |")
    same, both, either = same_members(engine, settings, queries)
    lines += ["", f"At {settings.count_coarse_dims} dims (the setting), `Counter.count` at the default "
              f"cut-off: the same match set on {same} of {len(queries)} queries; {both:,} members in both "
              f"of {either:,} in either."]
    write_table("\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
