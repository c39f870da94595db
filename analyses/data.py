"""Loading the findings table, the reports table and aligned embeddings for the analyses.

Every analysis takes plain pandas/numpy inputs; this module is the one place that opens the
store for them (through :mod:`findings.store`). Embeddings come from the store's cache under
the configured encoder; texts missing from the cache are embedded on the fly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from findings.encoding import DIMENSION, encode, load_encoder, model_name
from findings.settings import PROJECT_DIR, Settings, get_settings
from findings.store import connect, reads
from findings.store.export import findings_frame, reports_frame


@dataclass
class Corpus:
    """What the analyses work on.

    Attributes:
        findings: one row per finding (``findings.export.findings_frame`` plus ``text_hash``),
            with a fresh 0..n-1 index.
        embeddings: unit-normalised float32 matrix, row ``i`` belongs to ``findings.iloc[i]``.
        reports: one row per document in the store (including documents without findings).
        settings: the settings the data came from.

    """

    findings: pd.DataFrame
    embeddings: np.ndarray
    reports: pd.DataFrame
    settings: Settings


def aligned_embeddings(frame: pd.DataFrame, cached: dict[str, np.ndarray],
                       encoder=None) -> np.ndarray:
    """An embedding matrix aligned with ``frame`` rows, embedding texts missing from ``cached``.

    Args:
        frame: findings with ``text`` and ``text_hash`` columns.
        cached: vectors by text hash.
        encoder: a loaded encoder for the missing texts (only needed when some are missing).

    Returns:
        A ``(len(frame), DIMENSION)`` float32 matrix with unit-length rows.

    """
    missing = frame.loc[~frame["text_hash"].isin(cached.keys())].drop_duplicates("text_hash")
    if len(missing):
        if encoder is None:
            raise ValueError(f"{len(missing)} texts have no cached embedding: give an encoder")
        vectors = encode(missing["text"].tolist(), encoder)
        cached = {**cached, **dict(zip(missing["text_hash"], vectors, strict=True))}
    if frame.empty:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    matrix = np.vstack([cached[h] for h in frame["text_hash"]]).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def resolve(settings: Settings) -> Settings:
    """Settings whose relative data folder is found from the project when not from here.

    Notebooks run with their own folder as working directory, where ``data/`` does not exist.
    """
    if settings.data_dir.is_absolute() or settings.db_path.is_file():
        return settings
    candidate = PROJECT_DIR / settings.data_dir
    return settings.model_copy(update={"data_dir": candidate}) if candidate.is_dir() else settings


def select_label(corpus: Corpus, label: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The findings with one label and their embeddings (the frame keeps its original index)."""
    mask = (corpus.findings["label"] == label).to_numpy()
    return corpus.findings[mask], corpus.embeddings[mask]


def load_corpus(settings: Settings | None = None) -> Corpus:
    """Read findings, reports and embeddings from the store named by the settings.

    Args:
        settings: defaults to ``findings.settings.get_settings()`` (``FINDINGS_DATA_DIR``).

    """
    settings = resolve(settings or get_settings())
    conn = connect(settings.db_path, read_only=True)
    try:
        frame = findings_frame(conn, text_hash=True).reset_index(drop=True)
        cached = reads.cached_vectors(conn, model=model_name(settings.encoder_backend, settings.encoder))
        encoder = None
        if not frame["text_hash"].isin(cached.keys()).all():
            encoder = load_encoder(settings.encoder_backend, settings.encoder,
                                   str(settings.encoder_cache))
        embeddings = aligned_embeddings(frame, cached, encoder)
        reports = reports_frame(conn)
    finally:
        conn.close()
    return Corpus(frame, embeddings, reports, settings)


def output_dir(settings: Settings | None = None) -> Path:
    """The folder plots go to (created): ``notebook_out`` of the settings (read afresh by default)."""
    folder = (settings or Settings()).notebook_out
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_figure(fig, name: str) -> Path:
    """Write a matplotlib figure as ``<output_dir>/<name>.png`` and return the path."""
    path = output_dir() / f"{name}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def corpus_encoder(corpus: Corpus):
    """The sentence encoder the corpus was embedded with (for free-text queries)."""
    settings = corpus.settings
    return load_encoder(settings.encoder_backend, settings.encoder, str(settings.encoder_cache))
