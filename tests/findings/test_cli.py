"""Command-line parsing that needs no store: filter options become search filters."""

from __future__ import annotations

from findings.cli import parser
from findings.commands import filters_from


def test_filter_options_become_search_filters():
    args = parser().parse_args(["search", "supervision", "--label", "weakness", "--grade", "inadequate",
                                "--council", "Torbay", "--from", "2015-01-01", "--theme", "workforce"])
    filters = filters_from(args)
    assert (filters.label, filters.grade, filters.council) == ("weakness", "inadequate", "Torbay")
    assert (filters.date_from, filters.theme) == ("2015-01-01", "workforce")
    assert filters_from(parser().parse_args(["similar", "x"])).active() is False


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch, capsys):
    import findings.cli as cli

    def reader_went_away(args):
        raise BrokenPipeError

    monkeypatch.setattr(cli, "cmd_export", reader_went_away)
    assert cli.main(["export", "--out", "unused.parquet"]) == 1
    assert capsys.readouterr().err == ""
