"""Counts on the dev queries: the match set's precision, recall and calibration, and its speed.

    python -m bench.counts [--queries ../shared/gold/queries-dev.jsonl] [--out docs/counts.md]

Every query is scored by a relevance model fitted without it (leave-one-query-out, as
``findings train-relevance`` measures the model it saves). Precision is over members aligned to a
judged unit (right when graded 2), recall over the judged grade-2 units, each with a 95% interval
over the queries drawn again with replacement; the reliability table in bins of equal width and of
equal count, how far its worst bin moves by chance, and the log loss and Brier score. Then the time of
``Counter.count`` and of ``GET /prevalence`` (in-process client) for each dev query, median of
three runs each after one warm-up; and the wall time of the command itself, ``findings count TEXT
--json`` in a fresh process that opens the store, once per dev query (``--cold N``: the first N).
The store's kept arrays (``FINDINGS_KEEP_ARRAYS``, ``docs/cold-start.md``) are mapped by those
processes as by any command after a build. Writes a Markdown report.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.report import write_table
from findings.relevance.counts import Counter
from findings.relevance.matcher import Matcher
from findings.relevance.measure import (
    calibration_resolution,
    chosen_cutoff,
    match_quality,
    proper_scores,
    reliability,
    resampled_intervals,
)
from findings.relevance.stats import wilson
from findings.relevance.training import cross_validated, judged_queries, read_judgments
from findings.retrieval import SearchEngine
from findings.settings import get_settings


def quality_table(queries, probabilities, cutoffs: list[float]) -> str:
    """Pooled precision and recall (with intervals over resampled queries), members, unjudged share."""
    lines = ["| cut-off | precision (judged members) | its 95% interval | recall (grade-2 units) | "
             "its 95% interval | members | judged members | unjudged share |",
             "|---|---|---|---|---|---|---|---|"]
    spreads = resampled_intervals(queries, probabilities, tuple(cutoffs))
    for cutoff, spread in zip(cutoffs, spreads, strict=True):
        m = match_quality(queries, probabilities, cutoff)
        (p_low, p_high), (r_low, r_high) = spread["precision_interval"], spread["recall_interval"]
        lines.append(f"| {cutoff:.2f} | {m['precision']:.3f} | {p_low:.3f}-{p_high:.3f} | "
                     f"{m['recall']:.3f} | {r_low:.3f}-{r_high:.3f} | {m['members']} | "
                     f"{m['judged_members']} | {m['unjudged']:.3f} |")
    return "\n".join(lines)


def reliability_table(queries, probabilities, equal_count: bool = False) -> str:
    """Predicted against observed share of relevant judged candidates, per probability bin."""
    lines = ["| predicted | judged candidates | mean predicted | observed relevant | its 95% interval "
             "| gap |",
             "|---|---|---|---|---|---|"]
    for row in reliability(queries, probabilities, equal_count=equal_count):
        gap = row["observed"] - row["predicted"]
        low, high = wilson(row["relevant"], row["n"])
        lines.append(f"| {row['bin']} | {row['n']} | {row['predicted']:.3f} | {row['observed']:.3f} | "
                     f"{low:.3f}-{high:.3f} | {gap:+.3f} |")
    return "\n".join(lines)


def resolution_text(queries, probabilities) -> str:
    """How far the worst equal-width bin moves by chance, as a paragraph."""
    r = calibration_resolution(queries, probabilities)
    low, high = r["resampled_range"]
    return (f"If each judged candidate's relevance were drawn from its own prediction (a perfectly "
            f"calibrated model), every bin would be within {r['within']:.2f} in {r['perfect']:.0%} of "
            f"{r['draws']:,} draws (median worst gap {r['perfect_median']:.3f}). Drawing the {len(queries)} "
            f"queries again with replacement, over their real judgments, every bin is within "
            f"{r['within']:.2f} in {r['resampled']:.0%} of draws (median worst gap "
            f"{r['resampled_median']:.3f}, 5th-95th percentile {low:.3f}-{high:.3f}).")


def scores_text(queries, probabilities) -> str:
    """The out-of-fold proper scores, as a paragraph."""
    scores = proper_scores(queries, probabilities)
    return (f"Over all {scores['judged']:,} judged candidates, out-of-fold: log loss "
            f"{scores['log_loss']:.4f}, Brier score {scores['brier']:.4f}. These proper scores compare "
            f"two models on every judged candidate at once (lower is better); the bins and the recall "
            f"at one cut-off move with the few candidates near an edge (`docs/counts-model.md`).")


def timings(counter: Counter, texts: list[str], runs: int = 3) -> tuple[float, float]:
    """Median seconds of a count, in the library and through ``GET /prevalence``."""
    from fastapi.testclient import TestClient

    from api.main import create_app

    library, route = [], []
    for text in texts:
        counter.count(text)
        library.append(statistics.median(timed(lambda t=text: counter.count(t)) for _ in range(runs)))
    settings = get_settings().model_copy(update={"reload_interval": 0})
    with TestClient(create_app(settings, loader=lambda _settings: counter.matcher.engine)) as client:
        client.get("/prevalence", params={"q": texts[0]})
        for text in texts:
            route.append(statistics.median(
                timed(lambda t=text: client.get("/prevalence", params={"q": t}).raise_for_status())
                for _ in range(runs)))
    return statistics.median(library), statistics.median(route)


def cold_timing(texts: list[str]) -> float:
    """Median seconds of ``findings count TEXT --json`` in a fresh process (opening the store each time)."""
    command = [sys.executable, "-m", "findings.cli", "count"]
    return statistics.median(timed(lambda t=text: subprocess.run([*command, t, "--json"], check=True,
                                                                 capture_output=True))
                             for text in texts)


def timed(call) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Measure and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=None)
    parser.add_argument("--out", default="docs/counts.md")
    parser.add_argument("--cold", type=int, default=None,
                        help="queries timed as a fresh command (default: every dev query; 0: none)")
    args = parser.parse_args(argv)
    settings = get_settings()
    path = Path(args.queries or settings.relevance_queries)
    judgments = read_judgments(path)
    engine = SearchEngine.open(settings)
    counter = Counter.open(engine, settings)
    queries = judged_queries(Matcher.open(engine, None, settings), judgments)
    probabilities = cross_validated(queries)
    cutoff = chosen_cutoff(queries, probabilities)
    library, route = timings(counter, [q.text for q in queries])
    cold_texts = [q.text for q in queries][: args.cold]  # None: all of them
    cold = cold_timing(cold_texts) if cold_texts else None
    text = (f"# Counts on the dev queries ({len(queries)} queries, leave-one-query-out)\n\n"
            f"Default cut-off (lowest reaching precision 0.90): **{cutoff:.2f}**.\n\n"
            + quality_table(queries, probabilities, sorted({0.5, 0.6, 0.7, 0.8, cutoff, 0.9}))
            + "\n\n## Reliability (judged candidates of every query, out-of-fold)\n\n"
            + reliability_table(queries, probabilities)
            + "\n\nThe same candidates in ten bins of equal count:\n\n"
            + reliability_table(queries, probabilities, equal_count=True)
            + "\n\n" + resolution_text(queries, probabilities)
            + "\n\n" + scores_text(queries, probabilities)
            + f"\n\n## Speed (median over the {len(queries)} dev queries of the median of 3 runs)\n\n"
            f"| | seconds |\n|---|---|\n| `Counter.count` | {library:.3f} |\n"
            f"| `GET /prevalence` | {route:.3f} |\n"
            + (f"| `findings count TEXT --json`, a fresh process opening the store (median of "
               f"{len(cold_texts)} queries) | {cold:.2f} |\n" if cold is not None else ""))
    write_table(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
