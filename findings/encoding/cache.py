"""The embedding cache: every finding text embedded once per encoder, keyed by its text hash.

Texts are embedded in chunks, shortest first. In the building process by default; with a
distributed executor each chunk is embedded by a worker that loaded the encoder once
(:func:`load_worker_encoder`), the chunks being the same either way.
"""

from __future__ import annotations

import sqlite3

import numpy as np
from tqdm import tqdm

from findings.encoding.encoder import encode, load_encoder
from findings.executors import Executor, WorkerSetup
from findings.store import reads, writes

CHUNK = 1024
_WORKER_ENCODER = None


def load_worker_encoder(backend: str, name: str, cache_dir: str) -> None:
    """Worker set-up: load the build's encoder once (its export is already in ``cache_dir``)."""
    global _WORKER_ENCODER
    _WORKER_ENCODER = load_encoder(backend, name, cache_dir)


def encode_on_worker(item: tuple[list[str], int | None]) -> np.ndarray:
    """Worker: the unit vectors of a chunk of texts (``(texts, batch_size)``)."""
    texts, batch_size = item
    return encode(texts, _WORKER_ENCODER, batch_size)


def embed_missing(conn: sqlite3.Connection, encoder, name: str, batch_size: int | None = None,
                  progress: bool = True, *, executor: Executor | None = None,
                  encoder_spec: tuple[str, str, str] | None = None) -> int:
    """Embed every finding text not yet in the cache under ``name``.

    Args:
        conn: an open store.
        encoder: the loaded encoder (used in this process).
        name: the cache's model name.
        batch_size: texts per encoder call.
        progress: show a progress bar.
        executor: a distributed executor to embed on (None, or a local one: this process).
        encoder_spec: ``(backend, encoder, cache_dir)`` each worker loads the encoder from.

    Returns:
        The number of texts embedded.

    """
    rows = reads.missing_embeddings(conn, model=name)
    rows.sort(key=lambda r: len(r["text"]))
    parts = [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]
    texts = [[r["text"] for r in part] for part in parts]
    if executor is not None and executor.distributed and parts:
        vectors = executor.map(encode_on_worker, [(t, batch_size) for t in texts],
                               setup=WorkerSetup(load_worker_encoder, encoder_spec))
    else:
        vectors = (encode(t, encoder, batch_size) for t in texts)
    with tqdm(total=len(rows), desc="embed", unit="finding", disable=not progress) as bar:
        for part, part_vectors in zip(parts, vectors, strict=True):
            writes.put_embeddings(conn, [(r["text_hash"], name, v.tobytes())
                                         for r, v in zip(part, part_vectors, strict=True)])
            bar.update(len(part))
    return len(rows)
