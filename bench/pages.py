"""Page render times on the full store: 8 browsers' worth of clients asking for every page type.

    python -m bench.pages [--clients 8] [--seconds 20] [--runs 3] [--workers 2] [--port 8765]

Starts the app (``findings serve``) in a subprocess, finds real URLs of each page type through
the JSON API (the dev queries for search and counts, their hits' findings, reports and
councils), then runs ``--clients`` clients for ``--seconds`` per page type, each sending
``Accept: text/html`` requests back to back over a keep-alive connection from its own loopback
address. The latency is measured at the client (server time plus loopback), so it bounds the
server time from above. Each run opens new connections, which the server's workers accept as
they race for them: how evenly they spread changes from run to run, so the table gives each
run's server p95 and the median over ``--runs``. Writes ``docs/pages.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import quote, urlencode

from bench.api_load import graded_queries, percentile, wait_ready
from bench.report import write_table

BAR_P95_MS = 150.0
HTML = {"Accept": "text/html,application/xhtml+xml"}


def get_json(port: int, path: str):
    """A JSON answer of the served API."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    return json.loads(conn.getresponse().read())


def page_paths(port: int, queries: list[dict]) -> dict[str, list[str]]:
    """Real paths of every page type."""
    hits = [h for q in queries for h in get_json(port, f"/search?{urlencode({**q, 'k': 3})}")]
    return {"search": [f"/?{urlencode(q)}" for q in queries],
            "finding": [f"/findings/{h['id']}" for h in hits],
            "report": sorted({f"/reports/{h['doc_id']}" for h in hits}),
            "council": sorted({f"/councils/{quote(h['council'])}" for h in hits if h["council"]}),
            "counts": [f"/prevalence?{urlencode(q)}" for q in queries]}


def client(port: int, paths: list[str], until: float, source: str, latencies: list[float],
           errors: list[str], server: list[float]) -> None:
    """Ask for random paths back to back until ``until``; keep client and server (``Server-Timing``) times."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    rng = random.Random(source)
    while time.monotonic() < until:
        start = time.perf_counter()
        conn.request("GET", rng.choice(paths), headers=HTML)
        response = conn.getresponse()
        response.read()
        timing = response.getheader("server-timing") or ""
        if "dur=" in timing:
            server.append(float(timing.split("dur=")[1].split(",")[0]))
        if response.status != 200:
            errors.append(str(response.status))
        latencies.append((time.perf_counter() - start) * 1000)
    conn.close()


def measure(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    """p50 and p95 of one page type under ``clients`` clients."""
    latencies, errors, server = [], [], []
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, paths, until, f"127.0.0.{i + 2}", latencies,
                                                     errors, server)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"requests": len(latencies), "errors": len(errors), "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "server_p50": percentile(server, 0.5),
            "server_p95": percentile(server, 0.95)}


def median_of_runs(runs: list[dict]) -> dict:
    """Each figure's median over runs, and every run's server p95."""
    merged = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {**merged, "requests": sum(run["requests"] for run in runs),
            "errors": sum(run["errors"] for run in runs), "runs_p95": [run["server_p95"] for run in runs]}


def table(rows: dict[str, dict], args: argparse.Namespace) -> str:
    """The Markdown table of every page type."""
    lines = [f"# Page render times ({args.clients} clients, {args.workers} workers, {args.seconds:.0f} s per "
             f"page type, {args.runs} runs)", "", "Server time: the app's `Server-Timing` (request reaching "
             "the app to its response starting); client: the whole round trip on loopback, queueing "
             "included. An `async` route's server time (search's) starts when the worker's event loop "
             "takes the request up: waiting for the loop shows in the client time only. Figures are medians "
             "over the runs; requests and errors are totals.", "",
             "| page | requests | errors | server p50 ms | server p95 ms | "
             f"server p95 <= {BAR_P95_MS:.0f} ms | server p95 per run | client p50 ms | client p95 ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {kind} | {r['requests']} | {r['errors']} | {r['server_p50']:.1f} | {r['server_p95']:.1f} | "
              f"{'yes' if r['server_p95'] <= BAR_P95_MS else 'no'} | "
              f"{', '.join(f'{p:.0f}' for p in r['runs_p95'])} | {r['p50']:.1f} | {r['p95']:.1f} |"
              for kind, r in rows.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Serve, measure every page type, write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--qrels", default="../shared/gold/queries-dev.jsonl")
    parser.add_argument("--out", default="docs/pages.md")
    args = parser.parse_args(argv)
    server = subprocess.Popen([sys.executable, "-m", "findings.cli", "serve", "--port", str(args.port),
                               "--workers", str(args.workers), "--log-level", "warning"])
    try:
        wait_ready(args.port)
        paths = page_paths(args.port, graded_queries(args.qrels))
        for kind in paths:  # warm every worker: engines, counters, caches of the query embeddings
            measure(args.port, paths[kind], args.clients, 3)
        runs = [{kind: measure(args.port, kind_paths, args.clients, args.seconds)
                 for kind, kind_paths in paths.items()} for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    write_table(table({kind: median_of_runs([run[kind] for run in runs]) for kind in paths}, args), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
