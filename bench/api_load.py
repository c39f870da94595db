"""API latency under load on loopback: 8, 16 and 32 clients, mixed filters, an adversarial mix.

    python -m bench.api_load [--clients 8,16,32] [--seconds 30] [--workers 2] [--cases ...]

For each worker count, starts the API (``findings serve``) in a subprocess on 127.0.0.1, waits
for ``/health``, then runs each case for ``--seconds``. Every client sends requests back to back
over one keep-alive connection (``http.client``: light, as the load generator shares the
machine), from a loopback address of its own (127.0.0.N), as separate users would.

* ``cold``: every query text unique, so encoding is paid on every request;
* ``warm``: the graded queries repeated (cached embeddings);
* ``mixed``: graded queries with random filters (council, theme, grade, collection, date), a
  fifth of them ``/similar`` leaving out a random council (:mod:`bench.load_workloads`);
* ``cached`` and ``cached+exclusions``: ``--adversaries`` clients repeating cached queries, alone
  and then with as many clients beside them each leaving out a random council per request.

Runs at 8 and 32 clients give the scaling ratio (p99 at 32 / p99 at 8, bar <= 3); the two cached
cases the adversarial ratio (bar <= 2). Before the cases, ``--warmup`` seconds of untimed load
let every worker finish loading. Bounded in count and time; stops by itself. Writes
``docs/api-load.md`` with the load average of the machine, as other work skews the numbers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from bench.load_workloads import CouncilExclusions, FilterMix, FixedExclusion, Workload
from bench.report import write_table
from findings.settings import get_settings

BAR_P50 = 20.0
BAR_P99 = 60.0
DESCRIPTION = (
    "Server: `findings serve --workers N` on the machine's CPUs; the load generator runs on the same "
    "machine, each client from its own loopback address. Cases: see `bench/api_load.py`. CPU ms/req: "
    "CPU time of the server processes and of the load generator per request (less sensitive than "
    "latency to other work on the machine). Load avg: the 1-minute load average at the end of the case. "
    f"Search bar (an 8-client search, issue #4): p50 <= {BAR_P50:.0f} ms, p99 <= {BAR_P99:.0f} ms, no "
    "errors. Idle floor: the mean latency the measured CPU per request allows at best (clients x CPU "
    "ms/req / CPUs; closed loop).\n")


def wait_ready(port: int, timeout: float = 180.0) -> None:
    """Poll ``/health`` until the index is loaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if json.loads(conn.getresponse().read()).get("status") == "ok":
                return
        except (OSError, http.client.HTTPException, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the API did not become ready")


def client_loop(port: int, workload: Workload, until: float, latencies: list[float],
                errors: list[str], source: str = "127.0.0.1", max_requests: int = 100_000) -> None:
    """Send requests back to back until ``until``; record latencies and errors.

    ``source`` is the client's own loopback address (``127.0.0.N``), so that each simulated
    client is a client of its own to the server's per-client limits.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    for _ in range(max_requests):
        if time.monotonic() >= until:
            break
        route, params = workload.request()
        path = f"{route}?{urlencode(params)}"
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
        latencies.append((time.perf_counter() - start) * 1000)
    conn.close()


def percentile(values: list[float], share: float) -> float:
    """A percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (Linux ``/proc``)."""
    parents, ticks = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    family, grown = {pid}, True
    while grown:
        children = {p for p, parent in parents.items() if parent in family} - family
        family |= children
        grown = bool(children)
    return sum(ticks.get(p, 0) for p in family) / os.sysconf("SC_CLK_TCK")


def run_clients(port: int, workload: Workload, clients: int, until: float, first_source: int,
                latencies: list[float], errors: list[str]) -> list[threading.Thread]:
    """Start ``clients`` client threads, each from its own loopback address."""
    threads = [threading.Thread(target=client_loop, args=(port, workload, until, latencies, errors,
                                                           f"127.0.0.{first_source + i}"))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def run_case(port: int, workload: Workload, clients: int, seconds: float, server_pid: int,
             background: tuple[Workload, int] | None = None) -> dict:
    """Run one case: counts, latency percentiles, CPU per request and the load average at its end.

    ``background`` clients (a workload and a count) load the server at the same time; their
    requests count towards errors and CPU, not towards the latencies reported.
    """
    latencies: list[float] = []
    errors: list[str] = []
    others: list[float] = []
    server_cpu, client_cpu = tree_cpu_seconds(server_pid), time.process_time()
    until = time.monotonic() + seconds
    threads = run_clients(port, workload, clients, until, 2, latencies, errors)
    if background:
        threads += run_clients(port, background[0], background[1], until, 2 + clients, others, errors)
    for thread in threads:
        thread.join()
    count = max(1, len(latencies) + len(others))
    return {"clients": clients + (background[1] if background else 0), "requests": len(latencies),
            "errors": len(errors), "rate": len(latencies) / seconds,
            "p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9),
            "p99": percentile(latencies, 0.99), "mean": statistics.mean(latencies),
            "server_cpu": 1000 * (tree_cpu_seconds(server_pid) - server_cpu) / count,
            "client_cpu": 1000 * (time.process_time() - client_cpu) / count,
            "load": os.getloadavg()[0]}


def meets_bar(result: dict) -> bool:
    """Whether a case meets the latency bar of an 8-client search (issue #4): p50, p99, no errors."""
    return result["p50"] <= BAR_P50 and result["p99"] <= BAR_P99 and result["errors"] == 0


def ratio_lines(results: list[dict]) -> list[str]:
    """The scaling and adversarial ratios (issue #17's bars), where their cases ran."""
    p99 = {(r["case"], r["clients"]): r["p99"] for r in results}
    lines = []
    for case in ("mixed", "cold", "warm"):
        if (case, 8) in p99 and (case, 32) in p99:
            ratio = p99[(case, 32)] / p99[(case, 8)]
            verdict = "met" if ratio <= 3 else "not met"
            lines.append(f"- {case}: p99 at 32 clients / p99 at 8 clients = {p99[(case, 32)]:.1f} / "
                         f"{p99[(case, 8)]:.1f} = **{ratio:.2f}** (bar <= 3: {verdict})")
    by_case = {r["case"]: r for r in results}
    attacked = by_case.get("cached+exclusions")
    bases = (("cached", "alone"), ("cached+one-exclusion", "beside as many clients excluding one council"))
    for base, words in bases:
        if attacked and base in by_case:
            ratio = attacked["p99"] / by_case[base]["p99"]
            lines.append(f"- cached queries' p99 beside clients excluding a random council per request / "
                         f"{words} = "
                         f"{attacked['p99']:.1f} / {by_case[base]['p99']:.1f} = **{ratio:.2f}** "
                         f"(bar <= 2: {'met' if ratio <= 2 else 'not met'})")
    return lines


def format_table(results: list[dict], seconds: float) -> str:
    """The Markdown report of the cases (each result has its ``case``, ``workers`` and ``clients``)."""
    lines = [f"# API load: {seconds:.0f} s per case, loopback\n", DESCRIPTION,
             "| case | workers | clients | requests | errors | req/s | p50 ms | p90 ms | p99 ms | mean ms "
             "| server CPU ms/req | client CPU ms/req | idle floor ms | load avg | search bar met |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        floor = r["clients"] * (r["server_cpu"] + r["client_cpu"]) / (os.cpu_count() or 1)
        lines.append(f"| {r['case']} | {r['workers']} | {r['clients']} | {r['requests']} | {r['errors']} "
                     f"| {r['rate']:.1f} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} "
                     f"| {r['mean']:.1f} "
                     f"| {r['server_cpu']:.2f} | {r['client_cpu']:.2f} | {floor:.1f} | {r['load']:.2f} "
                     f"| {'yes' if meets_bar(r) else 'no'} |")
    ratios = ratio_lines(results)
    return "\n".join(lines + ([""] + ratios if ratios else [])) + "\n"


def case_runs(case: str, args: argparse.Namespace, queries: list[dict], councils: list[str]):
    """``(clients, workload, background)`` of each run of a case."""
    counts = [int(c) for c in args.clients.split(",")]
    if case == "cached":
        return [(args.adversaries, Workload(queries, cold=False), None)]
    if case == "cached+exclusions":
        return [(args.adversaries, Workload(queries, cold=False),
                 (CouncilExclusions(queries, councils, seed=1), args.adversaries))]
    if case == "cached+one-exclusion":
        return [(args.adversaries, Workload(queries, cold=False),
                 (FixedExclusion(queries, councils), args.adversaries))]
    workload = {"cold": lambda: Workload(queries, cold=True), "warm": lambda: Workload(queries, cold=False),
                "mixed": lambda: FilterMix(queries, councils)}[case]
    return [(count, workload(), None) for count in counts]


def measure_server(workers: int, args: argparse.Namespace, queries: list[dict]) -> list[dict]:
    """Start the API with ``workers`` processes, warm it up, run each case, stop it."""
    server = subprocess.Popen([sys.executable, "-m", "findings.cli", "serve", "--port", str(args.port),
                               "--workers", str(workers), "--log-level", "warning"])
    try:
        wait_ready(args.port)
        councils = council_names(args.port)
        run_case(args.port, Workload(queries, cold=False), 8, args.warmup, server.pid)
        return [{"case": case, "workers": workers,
                 **run_case(args.port, workload, clients, args.seconds, server.pid, background)}
                for case in args.cases.split(",")
                for clients, workload, background in case_runs(case, args, queries, councils)]
    finally:
        server.terminate()
        server.wait(timeout=30)


def council_names(port: int) -> list[str]:
    """The councils the served store holds (the filter values the mixes draw from)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/councils")
    return [c["council"] for c in json.loads(conn.getresponse().read())]


def graded_queries(path: str) -> list[dict]:
    """The distinct graded queries as request parameters, with their label filter."""
    queries = {}
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        label = {"label": row["label"]} if row["label"] else {}
        queries.setdefault(row["qid"], {"q": row["query"], **label})
    return list(queries.values())


def main(argv: list[str] | None = None) -> int:
    """Run the load cases and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="8,16,32", help="comma-separated client counts")
    parser.add_argument("--adversaries", type=int, default=4,
                        help="clients of the cached case, and as many excluding councils beside them")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", help="comma-separated worker counts to compare "
                                           "(default: the api_workers setting, 1)")
    parser.add_argument("--cases", default="cold,mixed,cached,cached+one-exclusion,cached+exclusions",
                        help="comma-separated: cold, warm, mixed, cached, cached+one-exclusion, "
                             "cached+exclusions")
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds of untimed load first (until every worker has loaded)")
    parser.add_argument("--qrels", default="../shared/gold/queries-dev.jsonl")
    parser.add_argument("--out", default="docs/api-load.md")
    args = parser.parse_args(argv)
    queries = graded_queries(args.qrels)
    workers = [int(w) for w in (args.workers or str(get_settings().api_workers)).split(",")]
    results = [row for count in workers for row in measure_server(count, args, queries)]
    write_table(format_table(results, args.seconds), args.out)
    return 0 if not any(r["errors"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
