import pytest

from findings.relevance.stats import trend, wilson


def test_wilson_interval_matches_the_textbook_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_a_rising_share_rises_a_flat_one_cannot_be_told_apart():
    years = [y for y in range(2015, 2025) for _ in range(40)]
    rising = [i % 40 < 4 * (y - 2014) for i, y in enumerate(years)]  # 10% .. 100%
    result = trend(years, rising)
    assert result["slope"] > 0 and result["interval"][0] > 0 and "rose" in result["sentence"]
    falling = trend(years, [not x for x in rising])
    assert falling["interval"][1] < 0 and "fell" in falling["sentence"]
    flat = trend(years, [i % 2 == 0 for i in range(len(years))])
    assert flat["interval"][0] < 0 < flat["interval"][1] and "cannot be told apart" in flat["sentence"]


def test_no_trend_from_two_years_or_one_outcome():
    assert trend([2020, 2021], [True, False])["slope"] is None
    assert "same outcome" in trend([2019, 2020, 2021], [True, True, True])["sentence"]


def test_years_that_separate_the_outcomes_give_a_wide_interval_not_a_flat_zero():
    separated = trend([2009, 2015, 2019, 2023], [False, True, True, True])
    low, high = separated["interval"]
    assert low < 0 < high and high - low > 0.1 and "cannot be told apart" in separated["sentence"]
    assert separated["slope"] > 0.01
