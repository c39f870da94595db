"""The search-quality report: its table and the hybrid's ratio to the better single system."""

from __future__ import annotations

from bench.search_quality import ratios, results_table

TABLE = {
    "bm25": {"hard": (0.50, 0.4)}, "dense": {"hard": (0.80, 0.7)}, "hybrid": {"hard": (0.88, 0.8)},
    "bm25, no label filter": {"hard": (0.60, 0.5)}, "dense, no label filter": {"hard": (0.55, 0.6)},
}


def test_ratio_is_to_the_better_single_system_of_each_kind():
    row = ratios(TABLE, ["hard"]).splitlines()[-1]
    assert row == "| hard | 1.100 (0.880 / 0.800) | 1.467 (0.880 / 0.600) |"


def test_results_table_has_a_row_per_system():
    lines = results_table(TABLE, ["hard"]).splitlines()
    assert lines[0] == "| system | hard nDCG@10 | hard P@10 |"
    assert "| dense, no label filter | 0.550 | 0.600 |" in lines and len(lines) == 2 + len(TABLE)
