"""Saved searches: a name, the search's parameters, when it was saved and the reports known then.

The web app's only write. ``known_reports`` lets a saved search list what is new since: hits
from reports that were not in the store when it was saved.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from findings.store.reads import document_ids
from findings.store.schema import transaction


def save_search(conn: sqlite3.Connection, *, name: str, params: dict[str, str]) -> None:
    """Save (or replace) a search under a name, with the reports the store holds now."""
    saved = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO saved_searches (name, params, saved, known_reports) "
                     "VALUES (?, ?, ?, ?)",
                     (name, json.dumps(params, sort_keys=True), saved, json.dumps(document_ids(conn))))


def has_saved_searches(conn: sqlite3.Connection) -> bool:
    """Whether the store has the table (a store built before it reads as having none)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'saved_searches'").fetchone() is not None


def saved_searches(conn: sqlite3.Connection) -> list[dict]:
    """Every saved search (name, params, saved), by name."""
    if not has_saved_searches(conn):
        return []
    rows = conn.execute("SELECT name, params, saved FROM saved_searches ORDER BY name").fetchall()
    return [{"name": r[0], "params": json.loads(r[1]), "saved": r[2]} for r in rows]


def saved_search(conn: sqlite3.Connection, *, name: str) -> dict | None:
    """One saved search with the reports known when it was saved (None if unknown)."""
    if not has_saved_searches(conn):
        return None
    row = conn.execute("SELECT name, params, saved, known_reports FROM saved_searches WHERE name = ?",
                       (name,)).fetchone()
    if row is None:
        return None
    return {"name": row[0], "params": json.loads(row[1]), "saved": row[2],
            "known_reports": json.loads(row[3])}
