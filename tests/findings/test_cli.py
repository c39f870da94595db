"""Command-line parsing that needs no store: filter options become search filters."""

from __future__ import annotations

from findings.cli import filters_from, parser


def test_filter_options_become_search_filters():
    args = parser().parse_args(["search", "supervision", "--label", "weakness", "--grade", "inadequate",
                                "--council", "Torbay", "--from", "2015-01-01", "--theme", "workforce"])
    filters = filters_from(args)
    assert (filters.label, filters.grade, filters.council) == ("weakness", "inadequate", "Torbay")
    assert (filters.date_from, filters.theme) == ("2015-01-01", "workforce")
    assert filters_from(parser().parse_args(["similar", "x"])).active() is False
