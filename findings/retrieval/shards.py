"""The vector index in shards: findings split by a hash of their document's id, searched together.

With ``index_shards`` above one the build writes one FAISS file per shard and a manifest
(``shards.json``) naming each file with its checksum and a fingerprint of what it holds. A
shard whose fingerprint and checksum still hold is kept, so a build that changes a few
documents rewrites only their shards (a document's findings share its shard). Loaded, the
shards are one ``faiss.IndexShards``: each shard's top k, merged, is the top k of one index
over the same vectors (exactly, for exact shards; HNSW shards are each searched as the one
index would be). Every shard is the kind of index the whole would be (HNSW above
``exact_index_limit`` vectors in all), so sharding does not change how a search is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

from corpus.documents import file_hash
from findings.encoding.encoder import DIMENSION
from findings.retrieval.dense import VectorIndex
from findings.retrieval.lazy import lazy_import
from findings.retrieval.vector_file import empty_index, record_index
from findings.retrieval.vector_file import write_atomically as write_index_atomically
from findings.store import reads, writes

faiss = lazy_import("faiss")  # imported at first use (findings.retrieval.lazy)

MANIFEST = "shards.json"


def shard_file(shard: int, shards: int) -> str:
    """The file name of one shard."""
    return f"vectors-{shard:03d}-of-{shards:03d}.faiss"


def shard_of(keys: list[str], shards: int) -> np.ndarray:
    """Each key's shard: the first 8 bytes of its SHA-1, modulo the shard count (stable anywhere)."""
    return np.array([int.from_bytes(hashlib.sha1(k.encode()).digest()[:8], "big") % shards for k in keys],
                    dtype=np.int64)


def shard_fingerprints(rows: list[tuple[int, str, str]], shards: int, params: str) -> list[str]:
    """A hash per shard of what it should hold: its findings' rowids and text hashes, the parameters."""
    digests = [hashlib.sha256(f"{params}|{i}/{shards}".encode()) for i in range(shards)]
    for (rowid, _, text_hash), shard in zip(rows, shard_of([r[1] for r in rows], shards), strict=True):
        digests[shard].update(f"{rowid}:{text_hash};".encode())
    return [d.hexdigest() for d in digests]


def read_manifest(index_dir: Path) -> dict:
    """The shards' manifest ({} when there is none or it cannot be read)."""
    try:
        return json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_text_atomically(text: str, path: Path) -> None:
    """Write a text file under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        Path(tmp).write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def kept(entry: dict | None, fingerprint: str, path: Path) -> bool:
    """Whether a shard file on disk is the one the manifest describes, holding what it should."""
    return bool(entry) and entry["fingerprint"] == fingerprint and path.is_file() and (
        file_hash(path) == entry["sha256"])


def write_shards(conn: sqlite3.Connection, index_dir: Path, model: str, fingerprints: list[str],
                 rows: list[tuple[int, str, str]], make_index) -> list[dict]:
    """Rewrite the shards whose files do not hold what they should; every shard's manifest entry.

    ``make_index(total)`` gives an empty shard for an index of ``total`` vectors in all.
    """
    shards, old = len(fingerprints), read_manifest(index_dir).get("files", [])
    entries = [old[i] if len(old) == shards and kept(old[i], fingerprints[i], index_dir / old[i]["file"])
               else None for i in range(shards)]
    if all(entries):
        return entries
    ids, vectors = reads.indexed_vectors(conn, model=model, dimension=DIMENSION)
    doc_of = {rowid: doc_id for rowid, doc_id, _ in rows}
    member = shard_of([doc_of[int(i)] for i in ids], shards)
    for i in (i for i in range(shards) if entries[i] is None):
        index = faiss.IndexIDMap2(make_index(len(ids)))
        index.add_with_ids(vectors[member == i], ids[member == i])
        path = index_dir / shard_file(i, shards)
        write_index_atomically(index, path)
        entries[i] = {"file": path.name, "fingerprint": fingerprints[i], "sha256": file_hash(path),
                      "count": int(index.ntotal)}
    return entries


def write_manifest(index_dir: Path, entries: list[dict]) -> Path:
    """Record every shard file with its fingerprint, checksum and size; drop files of other layouts."""
    path = index_dir / MANIFEST
    write_text_atomically(json.dumps({"shards": len(entries), "files": entries}, indent=1), path)
    wanted = {entry["file"] for entry in entries}
    for other in index_dir.glob("vectors*.faiss"):
        if other.name not in wanted:
            other.unlink()
    return path


def combined(parts: list[faiss.Index]) -> faiss.IndexShards:
    """Shards searched as one index (each shard's top k, merged); keep ``parts`` alive with it."""
    index = faiss.IndexShards(parts[0].d, False, False)
    for part in parts:
        index.add_shard(part)
    return index


def load_sharded(index_dir: Path, **options) -> VectorIndex:
    """The shards of an index folder as one :class:`~findings.retrieval.dense.VectorIndex`.

    Raises:
        FileNotFoundError: no manifest (the index was not built in shards).

    """
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    if not manifest:
        raise FileNotFoundError(f"no sharded vector index at {index_dir / MANIFEST}: run `findings build`")
    parts = [faiss.read_index(str(index_dir / f["file"])) for f in manifest["files"]]
    return VectorIndex(combined(parts), parts=parts, **options)


def build_sharded_index(conn: sqlite3.Connection, index_dir: str | Path, model: str, *, shards: int,
                        exact_limit: int, hnsw_m: int, ef_construction: int) -> bool:
    """Bring the shards up to date, rewriting only those whose findings changed.

    Returns:
        True if any shard or the manifest was (re)written.

    """
    index_dir = Path(index_dir)
    rows = reads.shard_keys(conn)
    fingerprints = shard_fingerprints(rows, shards, f"{model}|{exact_limit}|{hnsw_m}|{ef_construction}")
    current = hashlib.sha256("|".join(fingerprints).encode()).hexdigest()
    state = reads.index_state(conn)
    manifest = index_dir / MANIFEST
    if (manifest.is_file() and reads.get_meta(conn, "index_fingerprint") == current
            and state.index_sha256 == file_hash(manifest) and not damaged_shards(index_dir)):
        if state.index_generation != state.generation:
            writes.set_meta(conn, "index_generation", str(state.generation))
            conn.commit()
        return False
    make = partial(empty_index, dim=DIMENSION, exact_limit=exact_limit, hnsw_m=hnsw_m,
                   ef_construction=ef_construction)
    entries = write_shards(conn, index_dir, model, fingerprints, rows, make)
    path = write_manifest(index_dir, entries)
    record_index(conn, current, file_hash(path), sum(entry["count"] for entry in entries))
    return True



def damaged_shards(index_dir: Path) -> list[str]:
    """Shard files the manifest names that are missing or do not match its checksum."""
    return [f["file"] for f in read_manifest(index_dir).get("files", [])
            if not (index_dir / f["file"]).is_file() or file_hash(index_dir / f["file"]) != f["sha256"]]
