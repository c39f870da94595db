"""The vector index's file: built from the store's embeddings unless current, written atomically.

Exact inner-product search up to ``exact_index_limit`` vectors, HNSW above it (parameters in
settings). The store records which generation the file holds and its checksum
(:func:`record_index`), which :class:`~findings.retrieval.dense.VectorIndex`'s readers and
``findings check`` compare against. Why these choices: ``docs/retrieval.md``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

import numpy as np

from corpus.documents import file_hash
from findings.encoding.encoder import DIMENSION
from findings.retrieval.lazy import lazy_import
from findings.store import reads, writes

faiss = lazy_import("faiss")  # imported at first use (findings.retrieval.lazy)
INDEX_FILE = "vectors.faiss"


def fingerprint(conn: sqlite3.Connection, model: str, params: str = "") -> str:
    """A hash of what the index should hold (finding rows, their texts, index parameters)."""
    digest = hashlib.sha256(f"{model}|{params}".encode())
    for rowid, text_hash in reads.text_hashes(conn):
        digest.update(f"{rowid}:{text_hash};".encode())
    return digest.hexdigest()


def make_index(vectors: np.ndarray, *, exact_limit: int, hnsw_m: int, ef_construction: int) -> faiss.Index:
    """An exact index for small collections, HNSW for large ones."""
    return empty_index(len(vectors), vectors.shape[1], exact_limit=exact_limit, hnsw_m=hnsw_m,
                       ef_construction=ef_construction)


def empty_index(count: int, dim: int, *, exact_limit: int, hnsw_m: int, ef_construction: int) -> faiss.Index:
    """The empty index for ``count`` vectors: exact up to ``exact_limit``, HNSW above."""
    if count <= exact_limit:
        return faiss.IndexFlatIP(dim)
    index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
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


def build_vector_index(conn: sqlite3.Connection, index_dir: str | Path, model: str, *,
                       exact_limit: int, hnsw_m: int, ef_construction: int) -> bool:
    """Build the FAISS index of all embedded findings unless it is already current.

    Returns:
        True if the index was (re)written.

    """
    path = Path(index_dir) / INDEX_FILE
    current = fingerprint(conn, model, f"{exact_limit}|{hnsw_m}|{ef_construction}")
    state = reads.index_state(conn)
    if (path.is_file() and reads.get_meta(conn, "index_fingerprint") == current
            and state.index_sha256 == file_hash(path)):
        if state.index_generation != state.generation:  # the store changed back to what is indexed
            writes.set_meta(conn, "index_generation", str(state.generation))
            conn.commit()
        return False
    ids, vectors = reads.indexed_vectors(conn, model=model, dimension=DIMENSION)
    index = faiss.IndexIDMap2(make_index(vectors, exact_limit=exact_limit, hnsw_m=hnsw_m,
                                         ef_construction=ef_construction))
    index.add_with_ids(vectors, ids)
    write_atomically(index, path)
    record_index(conn, current, file_hash(path), len(ids))
    return True


def record_index(conn: sqlite3.Connection, fingerprint_: str, sha256: str, count: int) -> None:
    """Note in the store which generation the index file on disk holds, and its checksum."""
    generation = reads.generation(conn)
    for key, value in (("index_fingerprint", fingerprint_), ("index_sha256", sha256),
                       ("index_count", str(count)), ("index_generation", str(generation))):
        writes.set_meta(conn, key, value)
    conn.commit()
