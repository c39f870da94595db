"""The vector index: FAISS over normalised finding embeddings, written atomically.

Exact inner-product search below ``exact_index_limit`` vectors, IVF above it (parameters in
settings). Lexical search is SQLite FTS5 BM25 in the store (see :mod:`findings.store`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

import faiss
import numpy as np

from findings.store import get_meta, set_meta

INDEX_FILE = "vectors.faiss"


def indexed_vectors(conn: sqlite3.Connection, model: str) -> tuple[np.ndarray, np.ndarray]:
    """Finding rowids and their cached embeddings, in rowid order."""
    rows = conn.execute(
        "SELECT f.rowid AS rowid, e.vector AS vector FROM findings f JOIN embeddings e "
        "ON e.text_hash = f.text_hash AND e.model = ? ORDER BY f.rowid", (model,)).fetchall()
    ids = np.fromiter((r["rowid"] for r in rows), dtype=np.int64, count=len(rows))
    vectors = np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]) if rows else (
        np.zeros((0, 384), dtype=np.float32))
    return ids, vectors


def fingerprint(conn: sqlite3.Connection, model: str) -> str:
    """A hash of what the index should hold (finding rows and their texts)."""
    digest = hashlib.sha256(model.encode())
    for row in conn.execute("SELECT rowid, text_hash FROM findings ORDER BY rowid"):
        digest.update(f"{row[0]}:{row[1]};".encode())
    return digest.hexdigest()


def make_index(vectors: np.ndarray, exact_limit: int, n_lists: int, n_probe: int) -> faiss.Index:
    """An exact index for small collections, IVF-flat for large ones."""
    dim = vectors.shape[1]
    if len(vectors) <= exact_limit:
        return faiss.IndexFlatIP(dim)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, min(n_lists, len(vectors) // 39), faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    index.nprobe = n_probe
    return index


def write_atomically(index: faiss.Index, path: Path) -> None:
    """Write an index to a temporary file, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        faiss.write_index(index, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_vector_index(conn: sqlite3.Connection, index_dir: str | Path, model: str,
                       exact_limit: int = 200_000, n_lists: int = 1024, n_probe: int = 32) -> bool:
    """Build the FAISS index of all embedded findings unless it is already current.

    Returns:
        True if the index was (re)written.

    """
    path = Path(index_dir) / INDEX_FILE
    current = fingerprint(conn, model)
    if path.is_file() and get_meta(conn, "index_fingerprint") == current:
        return False
    ids, vectors = indexed_vectors(conn, model)
    index = faiss.IndexIDMap2(make_index(vectors, exact_limit, n_lists, n_probe))
    index.add_with_ids(vectors, ids)
    write_atomically(index, path)
    set_meta(conn, "index_fingerprint", current)
    conn.commit()
    return True


def load_vector_index(index_dir: str | Path) -> faiss.Index:
    """Read the FAISS index.

    Raises:
        FileNotFoundError: the index has not been built.

    """
    path = Path(index_dir) / INDEX_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no vector index at {path}: run `findings build`")
    return faiss.read_index(str(path))
