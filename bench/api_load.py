"""API latency under load: 8 concurrent clients on loopback for 60 s against ``/search``.

    python -m bench.api_load [--clients 8] [--seconds 60] [--port 8765]

Starts the API in a subprocess on 127.0.0.1, waits for ``/health``, then each client sends
``/search`` requests (queries from the graded query set, with their label filter) back to back
until time is up. Bounded in count and time; stops by itself. Writes ``docs/api-load.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

import httpx

from bench.report import write_table


def wait_ready(base: str, timeout: float = 120.0) -> None:
    """Poll ``/health`` until the index is loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the API did not become ready")


def client_loop(base: str, params: list[dict], until: float, latencies: list[float],
                errors: list[str], max_requests: int = 100_000) -> None:
    """Send requests back to back until ``until``; record latencies and errors."""
    with httpx.Client(base_url=base, timeout=10) as client:
        for i in range(max_requests):
            if time.monotonic() >= until:
                return
            start = time.perf_counter()
            try:
                response = client.get("/search", params=params[i % len(params)])
                if response.status_code != 200:
                    errors.append(str(response.status_code))
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            latencies.append((time.perf_counter() - start) * 1000)


def percentile(values: list[float], share: float) -> float:
    """A percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    """Run the load and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--qrels", default="../shared/gold/queries-dev.jsonl")
    parser.add_argument("--out", default="docs/api-load.md")
    args = parser.parse_args(argv)
    queries = {}
    for line in open(args.qrels, encoding="utf-8"):
        row = json.loads(line)
        label = {"label": row["label"]} if row["label"] else {}
        queries.setdefault(row["qid"], {"q": row["query"], **label})
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                              "--port", str(args.port), "--log-level", "warning"])
    try:
        wait_ready(base)
        latencies: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client_loop, args=(base, list(queries.values()), until,
                                                              latencies, errors))
                   for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    table = (f"# API load: {args.clients} clients, {args.seconds:.0f} s, loopback, /search\n\n"
             "| requests | errors | req/s | p50 ms | p90 ms | p99 ms | mean ms |\n"
             "|---|---|---|---|---|---|---|\n"
             f"| {len(latencies)} | {len(errors)} | {len(latencies) / args.seconds:.1f} "
             f"| {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.9):.1f} "
             f"| {percentile(latencies, 0.99):.1f} | {statistics.mean(latencies):.1f} |\n")
    write_table(table, args.out)
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
