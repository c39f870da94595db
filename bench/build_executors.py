"""The full build on each executor: the local process pool against a Dask ``LocalCluster``.

    python -m bench.build_executors [--cluster local:2] [--baseline CHECKOUT] [--out docs/build-executors.md]

Builds the corpus from nothing into a fresh data folder per run (``findings build`` in a
subprocess: the text scorer's exported model in the shared cache is the one thing kept),
first with the local executor, then with ``--cluster``; with ``--baseline`` also the local build
of another checkout (the code before the executors existed) to show the local build's speed
is unchanged. Reports each run's wall time and steps, the ratios, and whether the stores are
identical (documents, findings with their rowids, embeddings within 1e-6).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import write_table
from findings.store import connect
from findings.store.snapshot import build_snapshot

TOLERANCE = 1e-6
STEPS = ("ingest", "segment", "embed", "index")


def run_build(checkout: Path, data_dir: Path, cluster: str) -> dict:
    """One ``findings build`` from nothing; its wall time and step seconds."""
    env = {**os.environ, "FINDINGS_DATA_DIR": str(data_dir), "FINDINGS_CLUSTER": cluster}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "findings.cli", "build"], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    summary = done.stdout.strip()
    steps = dict(re.findall(r"(ingest|segment|embed|index|query encoder) ([\d.]+)s", summary))
    return {"seconds": seconds, "steps": {k: float(v) for k, v in steps.items()}, "summary": summary.strip()}


def differences(first: Path, second: Path) -> list[str]:
    """How two built stores differ (empty: identical)."""
    found = []
    stores = [build_snapshot(connect(d / "findings.db", read_only=True)) for d in (first, second)]
    for part in ("documents", "findings"):
        if stores[0][part] != stores[1][part]:
            found.append(f"{part} differ")
    vectors = [s["embeddings"] for s in stores]
    if vectors[0].keys() != vectors[1].keys():
        found.append("embedded texts differ")
    else:
        gap = max((float(np.abs(vectors[0][k] - vectors[1][k]).max()) for k in vectors[0]), default=0.0)
        if gap > TOLERANCE:
            found.append(f"embeddings differ by up to {gap:.2e}")
    return found


def table_row(name: str, run: dict, local: dict) -> str:
    """A run's line of the table, its store compared with the local build's."""
    found = differences(local["data"], run["data"]) if run is not local else []
    same = "—" if run is local else ("; ".join(found) or "identical")
    steps = " | ".join(f"{run['steps'].get(k, float('nan')):.0f}" for k in STEPS)
    return f"| {name} | {run['seconds']:.0f} | {steps} | {run['seconds'] / local['seconds']:.3f} | {same} |"


def main(argv: list[str] | None = None) -> int:
    """Build each way, compare, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cluster", default="local:2")
    parser.add_argument("--baseline", type=Path, help="a checkout whose local build is the reference")
    parser.add_argument("--out", default="docs/build-executors.md")
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parents[1]
    runs = [("local", here, "")]
    if args.baseline:
        runs.append(("local, baseline checkout", args.baseline, ""))
    runs.append((f"dask {args.cluster}", here, args.cluster))
    with tempfile.TemporaryDirectory(prefix="build-executors-") as scratch:
        results = {}
        for name, checkout, cluster in runs:
            data_dir = Path(scratch) / re.sub(r"\W+", "-", name)
            results[name] = {**run_build(checkout, data_dir, cluster), "data": data_dir}
            print(f"{name}: {results[name]['seconds']:.0f} s", file=sys.stderr)
        lines = ["# The full build on each executor", "",
                 f"Corpus built from nothing, one run each, in this order: {'; '.join(results)}.", "",
                 "| build | wall s | ingest s | segment s | embed s | index s | wall / local | store |",
                 "|---|---|---|---|---|---|---|---|"]
        lines += [table_row(name, r, results["local"]) for name, r in results.items()]
        lines += ["", *(f"- {name}: `{r['summary']}`" for name, r in results.items())]
    write_table("\n".join(lines) + "\n", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
