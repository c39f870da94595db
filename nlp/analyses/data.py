"""Loading the findings table, the reports table and aligned embeddings for the analyses.

Every analysis takes plain pandas/numpy inputs; this module is the one place that reads the
store. Embeddings come from the store's cache (``embeddings`` joined on the finding's text
hash) under the configured encoder; texts missing from the cache are embedded on the fly.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from findings.encoder import DIMENSION, encode, load_encoder, model_name
from findings.export import findings_frame
from findings.settings import PROJECT_DIR, Settings, get_settings

OUTPUT_ENV = "FINDINGS_NOTEBOOK_OUT"
DEFAULT_OUTPUT = PROJECT_DIR / "notebooks" / "output"
REPORTS_QUERY = """
SELECT doc_id, council, council_code, collection, doc_type, publisher, published, source_url,
       grades FROM documents ORDER BY published, doc_id
"""


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


def reports_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    """One row per stored document with its metadata; grades as ``grade_*`` columns."""
    frame = pd.read_sql_query(REPORTS_QUERY, conn)
    grades = frame.pop("grades").map(lambda s: json.loads(s or "{}"))
    grade_frame = pd.DataFrame(list(grades), index=frame.index)
    frame = pd.concat([frame, grade_frame.add_prefix("grade_")], axis=1)
    frame["published"] = pd.to_datetime(frame["published"], errors="coerce")
    return frame


def cached_vectors(conn: sqlite3.Connection, model: str) -> dict[str, np.ndarray]:
    """Cached embeddings of the store's findings under ``model``, by text hash."""
    rows = conn.execute(
        "SELECT e.text_hash, e.vector FROM embeddings e WHERE e.model = ? AND e.text_hash IN "
        "(SELECT text_hash FROM findings)", (model,)).fetchall()
    return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}


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
    from findings.store import connect

    settings = resolve(settings or get_settings())
    conn = connect(settings.db_path, read_only=True)
    try:
        frame = findings_frame(conn)
        hashes = pd.read_sql_query("SELECT id, text_hash FROM findings", conn)
        frame = frame.merge(hashes, on="id", how="left").reset_index(drop=True)
        cached = cached_vectors(conn, model_name(settings.encoder_backend, settings.encoder))
        encoder = None
        if not frame["text_hash"].isin(cached.keys()).all():
            encoder = load_encoder(settings.encoder_backend, settings.encoder,
                                   str(settings.encoder_cache))
        embeddings = aligned_embeddings(frame, cached, encoder)
        reports = reports_frame(conn)
    finally:
        conn.close()
    return Corpus(frame, embeddings, reports, settings)


def output_dir() -> Path:
    """The folder plots go to: ``$FINDINGS_NOTEBOOK_OUT`` or ``notebooks/output`` (created)."""
    folder = Path(os.environ.get(OUTPUT_ENV) or DEFAULT_OUTPUT)
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
