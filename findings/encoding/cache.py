"""The embedding cache: every finding text embedded once per encoder, keyed by its text hash."""

from __future__ import annotations

import sqlite3

from tqdm import tqdm

from findings.encoding.encoder import encode
from findings.store import reads, writes

CHUNK = 1024


def embed_missing(conn: sqlite3.Connection, encoder, name: str, batch_size: int | None = None,
                  progress: bool = True) -> int:
    """Embed every finding text not yet in the cache under ``name``.

    Returns:
        The number of texts embedded.

    """
    rows = reads.missing_embeddings(conn, model=name)
    rows.sort(key=lambda r: len(r["text"]))
    with tqdm(total=len(rows), desc="embed", unit="finding", disable=not progress) as bar:
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            vectors = encode([r["text"] for r in part], encoder, batch_size)
            writes.put_embeddings(conn, [(r["text_hash"], name, v.tobytes())
                                         for r, v in zip(part, vectors, strict=True)])
            bar.update(len(part))
    return len(rows)
