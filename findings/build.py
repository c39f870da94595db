"""The whole build: ingest → segment → embed → index, each step skipping what is current."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from findings.encoding import embed_missing, load_encoder, model_name, prepare_encoder
from findings.ingest import IngestReport, ingest
from findings.retrieval.dense import build_vector_index
from findings.segment import segment_store
from findings.settings import Settings
from findings.store import connect, reads


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    ingest: IngestReport
    segmented: int
    embedded: int
    index_written: bool
    findings: int
    seconds: dict[str, float] = field(default_factory=dict)


def build(settings: Settings, paths: list[str] | None = None, progress: bool = True) -> BuildReport:
    """Build or update the store and indexes from the corpus (or loose ``paths``)."""
    conn = connect(settings.db_path)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    ingested = ingest(conn, settings.corpus, paths, settings.workers, progress)
    seconds["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    segmented = segment_store(conn, settings.model_dir, settings.workers, progress,
                              cache_dir=settings.cache_dir)
    seconds["segment"] = time.perf_counter() - start
    start = time.perf_counter()
    name = model_name(settings.encoder_backend, settings.encoder)
    encoder = load_encoder(settings.encoder_backend, settings.encoder, str(settings.encoder_cache))
    embedded = embed_missing(conn, encoder, name, settings.batch_size, progress)
    seconds["embed"] = time.perf_counter() - start
    start = time.perf_counter()
    written = build_vector_index(conn, settings.index_dir, name, exact_limit=settings.exact_index_limit,
                                 hnsw_m=settings.hnsw_m, ef_construction=settings.hnsw_ef_construction)
    seconds["index"] = time.perf_counter() - start
    start = time.perf_counter()
    prepare_encoder(settings.query_backend, settings.encoder, str(settings.encoder_cache))
    seconds["query encoder"] = time.perf_counter() - start
    total = reads.counts(conn)["findings"]
    conn.close()
    return BuildReport(ingested, segmented, embedded, written, total, seconds)
