"""The layers run one way, SQL stays in the store, the environment is read in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("corpus", "nlp", "findings", "api", "analyses")
# what each top-level package may import from the project's own packages
MAY_IMPORT = {
    "corpus": {"corpus"},
    "nlp": {"corpus", "nlp"},
    "findings": {"corpus", "nlp", "findings"},
    "api": {"corpus", "nlp", "findings", "api"},
    "analyses": {"corpus", "nlp", "findings", "analyses"},
}
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]*\b(FROM|INTO|SET|WHERE)\b"
                 r"|\bCREATE (VIRTUAL )?TABLE\b")


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)} & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_package_imports_upward(package):
    upward = {str(path.relative_to(ROOT)): sorted(imported_packages(path) - MAY_IMPORT[package])
              for path in modules(package)}
    assert {path: names for path, names in upward.items() if names} == {}


def test_findings_subpackages_run_store_then_encoding_then_retrieval():
    order = ["store", "encoding", "retrieval"]
    for rank, sub in enumerate(order):
        for path in modules(f"findings/{sub}"):
            upward = {name for name in imported_modules(path)
                      if any(name.startswith(f"findings.{later}") for later in order[rank + 1:])}
            assert upward == set(), f"{path} imports {upward}"


def test_sql_runs_only_in_the_store_package():
    outside = [path for package in PACKAGES for path in modules(package)
               if "findings/store" not in path.as_posix() and SQL.search(path.read_text(encoding="utf-8"))]
    assert outside == []


def test_only_the_settings_read_the_environment():
    readers = [path for package in PACKAGES for path in modules(package)
               if re.search(r"os\.environ(\.get)?\s*[\[(]|os\.getenv", path.read_text(encoding="utf-8"))
               and path != ROOT / "findings" / "settings.py"]
    assert readers == []


def test_the_labels_are_spelled_once():
    spelled = [path for package in PACKAGES for path in modules(package)
               if re.search(r"""["']strength["'],\s*["']weakness["'],\s*["']recommendation["']""",
                            path.read_text(encoding="utf-8"))]
    assert spelled == [ROOT / "nlp" / "labels.py"]
