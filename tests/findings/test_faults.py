"""Fault injection: a build killed (SIGKILL) in each of its steps, then run again, leaves the store a
clean build would; a damaged index is rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from findings.check import check
from findings.store import connect, reads
from tests.conftest import sample_corpus

pytestmark = pytest.mark.slow
DOCS = ("audit-commission/bromsgrove-2009-06-cpa-response.txt", "ofsted-ilacs/ilacs-torbay-2016-01-05.pdf")
MARKERS = {"ingest": b"ingest:", "segment": b"segment:", "embed": b"embed:", "index": b"embed: 100%"}


def environment(data_dir: Path, corpus: Path) -> dict[str, str]:
    return {**os.environ, "FINDINGS_DATA_DIR": str(data_dir), "FINDINGS_CORPUS": str(corpus)}


def build(data_dir: Path, corpus: Path) -> None:
    subprocess.run([sys.executable, "-m", "findings.cli", "build"], env=environment(data_dir, corpus),
                   check=True, capture_output=True, timeout=600)


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


WORKERS_END_WITHIN = 60  # seconds: a bound on a hang, not a speed


def running(pids: set[int]) -> set[int]:
    """Which of these processes still run (zombies aside)."""
    alive = set()
    for pid in pids:
        try:
            if (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive.add(pid)
        except OSError:
            continue
    return alive


def build_killed_at(step: str, data_dir: Path, corpus: Path) -> bool:
    """Start a build and kill it as soon as its progress shows ``step``; False if it ended first.

    The build's worker processes must end with it.
    """
    process = subprocess.Popen([sys.executable, "-m", "findings.cli", "build"],
                               env=environment(data_dir, corpus), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    seen = b""
    while process.poll() is None:
        seen += process.stderr.read(1)
        if MARKERS[step] in seen:
            workers = children_of(process.pid)
            process.kill()
            process.wait()
            # a worker still importing when its parent died ends when it reaches its initializer
            # (findings.workers.die_with_parent), which on a loaded machine took more than 10 s
            deadline = time.monotonic() + WORKERS_END_WITHIN
            while running(workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert running(workers) == set(), "workers outlived the killed build"
            return True
    return False


def snapshot(data_dir: Path) -> dict:
    """What a store holds, independent of rowids: documents, findings, embeddings, index state."""
    conn = connect(data_dir / "findings.db", read_only=True)
    try:
        documents = conn.execute("SELECT doc_id, content_hash, text, council, published FROM documents "
                                 "ORDER BY doc_id").fetchall()
        findings = conn.execute("SELECT id, doc_id, unit, text, label, confidence, start_char FROM findings "
                                "ORDER BY id").fetchall()
        embeddings = conn.execute("SELECT text_hash, model, vector FROM embeddings ORDER BY 1, 2").fetchall()
        state = reads.index_state(conn)
        return {"documents": [tuple(r) for r in documents], "findings": [tuple(r) for r in findings],
                "embeddings": [tuple(r) for r in embeddings], "indexed": state.index_count,
                "current": state.current}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def clean(built_settings, corpus_dir, tmp_path_factory):
    corpus = sample_corpus(tmp_path_factory.mktemp("corpus"), corpus_dir, DOCS)
    data_dir = tmp_path_factory.mktemp("clean")
    (data_dir / "encoder").symlink_to(built_settings.encoder_cache)  # exported once, shared
    build(data_dir, corpus)
    return corpus, snapshot(data_dir), built_settings


@pytest.mark.parametrize("step", list(MARKERS))
def test_a_build_killed_in_a_step_then_run_again_equals_a_clean_build(clean, tmp_path, step):
    corpus, expected, built_settings = clean
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "encoder").symlink_to(built_settings.encoder_cache)
    assert build_killed_at(step, data_dir, corpus), f"the build ended before {step}"
    build(data_dir, corpus)
    assert snapshot(data_dir) == expected
    assert expected["current"] and expected["indexed"] == len(expected["findings"])
    assert check(built_settings.model_copy(update={"data_dir": data_dir, "corpus": corpus})) == []
