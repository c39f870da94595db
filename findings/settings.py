"""Settings: the one source of configuration, from the environment (prefix ``FINDINGS_``).

Grouped by what they configure (corpus and store, encoder, index and search, serving); every
field is read as ``FINDINGS_<NAME>``. Lower layers take explicit arguments, never these settings
or the environment.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/findings`` or ``~/.cache/findings``, else (no home) the temporary folder's."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:
        base = Path(tempfile.gettempdir())
    return base / "findings"


class SettingsGroup(BaseSettings):
    """The common configuration of every group: the prefix and an optional ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_", env_file=".env", extra="ignore")


class CorpusSettings(SettingsGroup):
    """Where the corpus, the store, the trained pipeline and caches live; build parallelism."""

    corpus: Path = PROJECT_DIR.parent / "shared" / "corpus"
    data_dir: Path = PROJECT_DIR / "data"  # absolute: the store does not depend on the working folder
    model_dir: Path = PROJECT_DIR / "models" / "findings-pipeline"
    gold_references: Path = PROJECT_DIR / "corpus" / "gold_references.jsonl"  # our labelled units
    relevance_model: Path = PROJECT_DIR / "models" / "relevance.json"  # the counts' relevance model
    relevance_queries: Path = PROJECT_DIR.parent / "shared" / "gold" / "queries-dev.jsonl"  # it learns from
    cache_dir: Path = Field(default_factory=default_cache_dir)  # the text scorer's exported model
    workers: int = 2  # processes for ingest and segmentation
    cluster: str = ""  # the build's Dask cluster: a scheduler address, or local:N ("": local processes)


class EncoderSettings(SettingsGroup):
    """Which sentence encoder embeds the corpus and the queries."""

    encoder: str = ""  # an encoder folder; "" = the packaged all-MiniLM-L6-v2
    encoder_backend: str = "onnx"  # embeds the corpus (fp32: the embeddings sentence-transformers gives)
    # embeds queries: int8 with per-token scales, about half fp32's CPU, same nDCG@10 on the dev
    # queries (docs/encoder.md); "" = the corpus backend
    query_encoder_backend: str = "onnx-int8-token"
    batch_size: int | None = None  # None: each backend's own best


class IndexSettings(SettingsGroup):
    """How the indexes are built and searched (``findings.retrieval``)."""

    dense_backend: str = "faiss"
    lexical_backend: str = "bm25"  # "" leaves the lexical retriever out
    lexical_weight: float = 0.25
    exact_index_limit: int = 50_000  # up to this many vectors: an exact index, HNSW above
    exact_filter_limit: int = 20_000  # filtered subsets up to this size: exact search
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    index_shards: int = 1  # vector index files, findings split by a hash of their document's id
    count_dense_depth: int = 3000  # a count's candidates: the nearest by cosine...
    count_lexical_depth: int = 1000  # ...and the best by BM25 (docs/counts.md)
    count_coarse_dims: int = 128  # above the exact limit, a count orders the store in these many
    # principal directions first, exact cosines for the best (findings.relevance.coarse); 0: exact only
    keep_arrays: bool = True  # arrays derived from the store (postings, vectors, filter columns) kept in
    # <data_dir>/arrays for the next process to map (findings.retrieval.cache); False: derived every time


class ServingSettings(SettingsGroup):
    """The API server, per-search resources, and the notebooks' output."""

    api_workers: int = 2  # `findings serve` processes, each with its own engine (docs/api-load.md)
    search_threads: int = 1  # FAISS/BLAS threads per search (0: leave the libraries' defaults)
    query_cache_size: int = 1024  # query embeddings kept (LRU); 0 turns the cache off
    query_batch: int = 8  # concurrent queries encoded together at most; 1 turns batching off
    client_concurrency: int = 8  # requests in flight per client address; more get 429 (0: no limit)
    server_concurrency: int = 256  # connections a worker serves at once; more get 503
    max_request_head: int = 16_384  # bytes of request line and headers; more get 431
    reload_interval: float = 2.0  # seconds between the server's checks for a rebuilt store; 0: never
    notebook_out: Path = PROJECT_DIR / "notebooks" / "output"  # where the notebooks write plots
    read_only: bool = False  # True: no saved searches (the app's only write), for a public deployment
    vendor_dir: Path = PROJECT_DIR / "node_modules"  # front-end libraries from npm, served as static files


class Settings(CorpusSettings, EncoderSettings, IndexSettings, ServingSettings):
    """Every setting; override any with ``FINDINGS_<NAME>``."""

    @property
    def query_backend(self) -> str:
        """The backend that encodes queries (the corpus's when none is set)."""
        return self.query_encoder_backend or self.encoder_backend

    @property
    def db_path(self) -> Path:
        """The SQLite database of documents, findings and cached embeddings."""
        return self.data_dir / "findings.db"

    @property
    def encoder_cache(self) -> Path:
        """Where the exported ONNX encoder is cached."""
        return self.data_dir / "encoder"

    @property
    def index_dir(self) -> Path:
        """The folder of the vector index files."""
        return self.data_dir / "index"

    @property
    def array_cache_dir(self) -> Path | None:
        """Where arrays derived from the store are kept (None when ``keep_arrays`` is off)."""
        return self.data_dir / "arrays" if self.keep_arrays else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()


def setting_names() -> list[str]:
    """Every setting's environment variable name (``FINDINGS_...``), in field order."""
    return [f"FINDINGS_{name.upper()}" for name in Settings.model_fields]
