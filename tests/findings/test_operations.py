"""Operating a store: a second build, a read-only mount, a full disk end in one line, not a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from findings.cli import main
from findings.settings import get_settings
from findings.store import connect, reads
from findings.store.lock import StoreLocked, build_lock

TEXT = "Leaders know their services well. Too many assessments are late and plans drift. " * 8


@pytest.fixture()
def store_env(tmp_path, monkeypatch):
    """FINDINGS_DATA_DIR pointed at a fresh folder for commands run through ``main``."""
    def point(data_dir: Path) -> Path:
        monkeypatch.setenv("FINDINGS_DATA_DIR", str(data_dir))
        get_settings.cache_clear()
        return data_dir

    yield point
    get_settings.cache_clear()


def mounted(*args: str) -> None:
    """Run mount(8), skipping the test where this machine does not allow it."""
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")


def one_line_error(capsys, command: str) -> str:
    """The command's one error line (progress bars and the store's path may stand beside it)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith(f"findings {command}: ")]
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


def test_a_second_build_exits_with_one_line(store_env, tmp_path, capsys):
    data_dir = store_env(tmp_path / "data")
    with build_lock(data_dir):
        with pytest.raises(StoreLocked), build_lock(data_dir):
            pass
        assert main(["build", str(tmp_path / "nothing.txt")]) == 2
    assert "another build is running" in one_line_error(capsys, "build")
    with build_lock(data_dir):  # released with its holder
        pass


def test_a_store_on_a_read_only_mount_opens_read_only(store_env, tmp_path, capsys):
    source, mount = tmp_path / "store", tmp_path / "ro"
    source.mkdir(), mount.mkdir()
    report = tmp_path / "report.txt"
    report.write_text(TEXT, encoding="utf-8")
    store_env(source)
    assert main(["ingest", str(report)]) == 0
    connect(source / "findings.db").close()
    mounted("--bind", str(source), str(mount))
    try:
        mounted("-o", "remount,bind,ro", str(mount))
        conn = connect(mount / "findings.db", read_only=True)
        assert reads.counts(conn)["documents"] == 1
        conn.close()
        store_env(mount)
        capsys.readouterr()
        assert main(["ingest", str(report)]) == 2
        assert "read-only" in one_line_error(capsys, "ingest")
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_ends_in_one_line(store_env, tmp_path, capsys):
    disk = tmp_path / "small"
    disk.mkdir()
    mounted("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk))
    try:
        files = []
        for i in range(6):
            files.append(tmp_path / f"report-{i}.txt")
            files[-1].write_text(f"Report {i}. " + TEXT * 400, encoding="utf-8")
        store_env(disk / "data")
        assert main(["ingest", *map(str, files)]) == 2
        assert "disk is full" in one_line_error(capsys, "ingest")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
