"""Settings from the environment (prefix ``FINDINGS_``) with embedded defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where things live and how heavy work runs; override any with ``FINDINGS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_", env_file=".env", extra="ignore")

    corpus: Path = Path("../shared/corpus")
    data_dir: Path = Path("data")
    model_dir: Path = PROJECT_DIR / "models" / "findings-pipeline"
    encoder: str = ""
    encoder_backend: str = "onnx"  # embeds the corpus (fp32: the embeddings sentence-transformers gives)
    # embeds queries: int8 with per-token scales, about half fp32's CPU, same nDCG@10 on the dev
    # queries (docs/encoder.md); "" = the corpus backend
    query_encoder_backend: str = "onnx-int8-token"
    workers: int = 2
    batch_size: int | None = None
    lexical_weight: float = 0.25
    exact_index_limit: int = 50_000
    exact_filter_limit: int = 20_000  # filtered subsets up to this size: exact (findings.index)
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    api_workers: int = 2  # `findings serve` processes, each with its own engine (docs/api-load.md)
    search_threads: int = 1  # FAISS/BLAS threads per search (0: leave the libraries' defaults)
    query_cache_size: int = 1024  # query embeddings kept (LRU); 0 turns the cache off
    query_batch: int = 8  # concurrent queries encoded together at most; 1 turns batching off

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
