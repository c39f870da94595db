"""Shared fixtures: the shared corpus (integration tests) and small built stores."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"


def requires_corpus() -> pytest.MarkDecorator:
    """Skip when ../shared/corpus is not beside the project."""
    return pytest.mark.skipif(not (CORPUS / "reports.csv").is_file(), reason="no ../shared/corpus")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder."""
    if not (CORPUS / "reports.csv").is_file():
        pytest.skip("no ../shared/corpus")
    return CORPUS


SAMPLE_DOCS = (
    "ofsted-ilacs/ilacs-torbay-2016-01-05.pdf",
    "ofsted-ilacs/ilacs-wiltshire-2023-12-12.pdf",
    "ofsted-ilacs/ilacs-middlesbrough-2020-01-24.pdf",
    "ofsted-ilacs/ilacs-birmingham-2012-10-19.pdf",
    "audit-commission/bromsgrove-2009-06-cpa-response.txt",
)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """Settings of a store and index built over a handful of real reports."""
    from findings.build import build
    from findings.settings import Settings

    data_dir = tmp_path_factory.mktemp("data")
    sample = tmp_path_factory.mktemp("corpus")
    manifest_lines = (corpus_dir / "reports.csv").read_text(encoding="utf-8").splitlines()
    keep = [manifest_lines[0]] + [ln for ln in manifest_lines[1:]
                                  if any(f",{doc}," in ln for doc in SAMPLE_DOCS)]
    (sample / "reports.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for doc in SAMPLE_DOCS:
        target = sample / doc
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(corpus_dir / doc)
    settings = Settings(corpus=sample, data_dir=data_dir)
    report = build(settings, progress=False)
    settings._report = report  # noqa: SLF001  (kept for assertions about the build)
    return settings
