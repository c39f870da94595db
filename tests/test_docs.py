"""The README documents every CLI subcommand, API route and setting (sqlite-utils' test_docs style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.main import create_app
from findings.cli import parser
from findings.settings import setting_names

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    actions = [a for a in parser()._actions if a.dest == "command"]  # noqa: SLF001
    return sorted(actions[0].choices)


def routes() -> list[str]:
    return sorted(f"{method.upper()} {path}" for path, operations in create_app().openapi()["paths"].items()
                  for method in operations)


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_is_in_the_readme(command):
    assert re.search(rf"`findings {command}\b", README), f"`findings {command}` is not in README.md"


@pytest.mark.parametrize("route", routes())
def test_every_api_route_is_in_the_readme(route):
    assert f"`{route}" in README, f"{route} is not in README.md"


@pytest.mark.parametrize("name", setting_names())
def test_every_setting_is_in_the_readme(name):
    assert re.search(rf"`{name}`", README), f"{name} is not in README.md"


def test_the_lists_are_not_empty():
    assert len(subcommands()) >= 9 and len(routes()) >= 6 and len(setting_names()) >= 20
