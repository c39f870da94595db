import argparse

from bench.pages import median_of_runs, table


def run(p95: float, requests: int = 10) -> dict:
    return {"requests": requests, "errors": 0, "p50": p95 / 2, "p95": p95 + 5, "server_p50": p95 / 2,
            "server_p95": p95}


def test_the_figures_are_medians_over_runs_and_each_runs_p95_is_kept():
    merged = median_of_runs([run(120), run(210), run(140)])
    assert merged["server_p95"] == 140 and merged["requests"] == 30
    assert merged["runs_p95"] == [120, 210, 140]
    args = argparse.Namespace(clients=8, workers=2, seconds=15, runs=3)
    text = table({"counts": merged, "search": median_of_runs([run(160), run(170), run(90)])}, args)
    assert "| counts | 30 | 0 | 70.0 | 140.0 | yes | 120, 210, 140 |" in text
    assert "| search | 30 | 0 | 80.0 | 160.0 | no | 160, 170, 90 |" in text
