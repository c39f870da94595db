"""Writing a benchmark's Markdown table to ``docs/`` and the terminal."""

from __future__ import annotations

from pathlib import Path


def write_table(text: str, out: str | Path) -> None:
    """Save a result table and print it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
