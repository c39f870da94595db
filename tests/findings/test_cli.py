"""Command-line parsing that needs no store: filter options become search filters."""

from __future__ import annotations

import pytest

from findings.cli import parser
from findings.commands import filters_from


def test_filter_options_become_search_filters():
    args = parser().parse_args(["search", "supervision", "--label", "weakness", "--grade", "inadequate",
                                "--council", "Torbay", "--from", "2015-01-01", "--theme", "workforce"])
    filters = filters_from(args)
    assert (filters.label, filters.grade, filters.council) == ("weakness", "inadequate", "Torbay")
    assert (filters.date_from, filters.theme) == ("2015-01-01", "workforce")
    assert filters_from(parser().parse_args(["similar", "x"])).active() is False


def test_enumerated_options_are_matched_in_any_case_as_the_api_matches_them():
    args = parser().parse_args(["count", "x", "--label", "Weakness", "--collection", "OFSTED-SEND",
                                "--outcome", "Widespread  and/or systemic failings"])
    assert (args.label, args.collection, args.outcome) == (
        "weakness", "ofsted-send", "widespread and/or systemic failings")


def test_an_unknown_label_is_refused_with_the_allowed_ones(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["search", "x", "--label", "weaknesses"])
    assert "choose from 'strength', 'weakness'" in capsys.readouterr().err


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch, capsys):
    import findings.cli as cli

    def reader_went_away(args):
        raise BrokenPipeError

    monkeypatch.setattr(cli, "cmd_export", reader_went_away)
    assert cli.main(["export", "--out", "unused.parquet"]) == 1
    assert capsys.readouterr().err == ""


def test_a_date_that_is_no_day_is_refused_before_anything_opens(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["count", "x", "--from", "2020-13-01"])
    assert "argument --from: 2020-13-01 is not a day of the calendar" in capsys.readouterr().err


def test_a_date_range_that_ends_before_it_starts_is_refused_before_the_store_opens(capsys, tmp_path,
                                                                                   monkeypatch):
    import findings.cli as cli

    monkeypatch.setenv("FINDINGS_DATA_DIR", str(tmp_path / "no-store"))
    assert cli.main(["search", "x", "--from", "2021-01-01", "--to", "2020-01-01"]) == 2
    error = capsys.readouterr().err
    assert "the range ends (date_to 2020-01-01) before it starts (date_from 2021-01-01)" in error
