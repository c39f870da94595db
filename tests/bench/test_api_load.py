"""The API load benchmark's helpers: unique cold queries, percentiles, the table, CPU accounting."""

from __future__ import annotations

import os
import sys

import pytest

from bench.api_load import format_table, meets_bar, percentile, ratio_lines, tree_cpu_seconds
from bench.load_workloads import CouncilExclusions, FilterMix, Workload, cold_query


def test_cold_queries_are_unique_and_keep_the_base_query():
    variants = [cold_query("care leavers", n) for n in range(5_000)]
    assert len(set(variants)) == len(variants)
    assert all(v.startswith("care leavers ") for v in variants)


def test_cold_workload_never_repeats_a_text_and_keeps_filters():
    queries = [{"q": "a", "label": "weakness"}, {"q": "b"}]
    workload = Workload(queries, cold=True)
    sent = [workload.next() for _ in range(400)]
    assert len({p["q"] for p in sent}) == 400
    assert all(p.get("label") == "weakness" for p in sent if p["q"].startswith("a "))
    warm = Workload(queries, cold=False)
    assert [warm.next()["q"] for _ in range(4)] == ["a", "b", "a", "b"]


def test_percentile_by_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 51 and percentile(values, 0.99) == 100
    assert percentile([3.0], 0.9) == 3.0


def test_table_marks_the_bar():
    row = {"case": "cold", "workers": 1, "clients": 8, "requests": 10, "errors": 0, "rate": 5.0, "p50": 19.0,
           "p90": 30.0, "p99": 59.0, "mean": 20.0, "server_cpu": 4.0, "client_cpu": 0.3, "load": 1.0}
    assert meets_bar(row) and not meets_bar({**row, "p99": 61.0}) and not meets_bar({**row, "errors": 1})
    table = format_table([row, {**row, "case": "warm", "p50": 25.0}], seconds=60)
    assert "| cold | 1 | 8 | 10 | 0 | 5.0 | 19.0 |" in table and table.rstrip().endswith("| no |")
    floor = 8 * 4.3 / (os.cpu_count() or 1)
    assert f"| 4.00 | 0.30 | {floor:.1f} |" in table


def test_ratios_compare_32_with_8_clients_and_cached_queries_with_and_without_exclusions():
    base = {"workers": 2, "p50": 1.0}
    results = [{**base, "case": "mixed", "clients": 8, "p99": 20.0},
               {**base, "case": "mixed", "clients": 32, "p99": 70.0},
               {**base, "case": "cached", "clients": 4, "p99": 10.0},
               {**base, "case": "cached+exclusions", "clients": 8, "p99": 25.0}]
    lines = ratio_lines(results)
    assert "**3.50** (bar <= 3: not met)" in lines[0] and "**2.50** (bar <= 2: not met)" in lines[1]
    lines = ratio_lines([*results, {**base, "case": "cached+one-exclusion", "clients": 8, "p99": 20.0}])
    assert "excluding one council = 25.0 / 20.0 = **1.25** (bar <= 2: met)" in lines[2]


def test_filter_mixes_draw_filters_and_council_exclusions():
    queries = [{"q": "care leavers", "label": "weakness"}]
    mix = FilterMix(queries, ["Torbay", "Wiltshire"], seed=3)
    sent = [mix.request() for _ in range(200)]
    assert {route for route, _ in sent} == {"/search", "/similar"}
    assert all(len(params) == 3 for route, params in sent if route == "/search")  # q, label, one filter
    exclusions = [CouncilExclusions(queries, ["Torbay"], seed=1).request() for _ in range(20)]
    assert {p["exclude_council"].lower() for _, p in exclusions} == {"torbay"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_tree_cpu_seconds_counts_this_process():
    before = tree_cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert tree_cpu_seconds(os.getpid()) > before
