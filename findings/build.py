"""The whole build: ingest → segment → embed → index, each step skipping what is current.

A build holds the store's lock, first removes what an interrupted build left behind (temporary
index files, half-exported encoders), and repairs what it finds damaged (an index file whose
checksum is not the recorded one is rebuilt; an encoder file whose checksum is wrong is exported
again). :func:`remove` takes documents and everything derived from them out of the store.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field

from findings.encoding import embed_missing, load_encoder, model_name, prepare_encoder
from findings.executors import Executor, open_executor
from findings.ingest import IngestReport, ingest
from findings.retrieval.shards import build_sharded_index
from findings.retrieval.vector_file import build_vector_index
from findings.segment import SegmentReport, segment_store
from findings.settings import Settings
from findings.store import connect, reads, transaction, writes
from findings.store.lock import build_lock


@dataclass
class BuildReport:
    """What a build did and how long each step took."""

    ingest: IngestReport
    segment: SegmentReport
    embedded: int
    index_written: bool
    findings: int
    removed: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def leftovers(settings: Settings) -> list:
    """Temporary files an interrupted build left in the data folder."""
    found = list(settings.index_dir.glob("*.tmp")) if settings.index_dir.is_dir() else []
    if settings.encoder_cache.is_dir():
        found += [p for p in settings.encoder_cache.iterdir()
                  if p.name.startswith("tmp") or p.suffix == ".tmp"]
    if settings.array_cache_dir is not None and settings.array_cache_dir.is_dir():
        found += settings.array_cache_dir.glob("*/.*")  # kept sets being written (findings.retrieval.cache)
    return sorted(found)


def clean_leftovers(settings: Settings) -> int:
    """Delete :func:`leftovers`; returns how many there were."""
    found = leftovers(settings)
    for path in found:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return len(found)


def build(settings: Settings, paths: list[str] | None = None, progress: bool = True,
          prune: bool = False, executor: Executor | None = None) -> BuildReport:
    """Build or update the store and indexes from the corpus (or loose ``paths``).

    Args:
        settings: where the corpus and the store are, and how to build.
        paths: loose files or folders instead of the corpus's manifest.
        progress: show progress bars.
        prune: also remove stored documents that are no longer in the manifest (or ``paths``).
        executor: runs the per-document work (default: the settings' ``cluster``, else local
            processes); one given is left open.

    Raises:
        StoreLocked: another build holds the store.

    """
    with build_lock(settings.data_dir):
        clean_leftovers(settings)
        own = executor is None
        executor = open_executor(settings.cluster, settings.workers) if own else executor
        if executor.dashboard and progress:
            print(f"{executor.name} dashboard: {executor.dashboard}", file=sys.stderr)
        conn = connect(settings.db_path)
        try:
            return build_steps(conn, settings, paths, progress, prune, executor)
        finally:
            conn.close()
            if own:
                executor.close()


def build_steps(conn, settings: Settings, paths: list[str] | None, progress: bool,
                prune: bool, executor: Executor) -> BuildReport:
    """The steps of :func:`build` over an open store, timed."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    ingested = ingest(conn, settings.corpus, paths, executor, progress)
    removed = []
    if prune:
        with transaction(conn):
            gone = sorted(set(reads.document_ids(conn)) - set(ingested.seen))
            removed = writes.remove_documents(conn, gone)
            writes.rebuild_fts(conn)
    seconds["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    segmented = segment_store(conn, settings.model_dir, executor, progress, cache_dir=settings.cache_dir)
    seconds["segment"] = time.perf_counter() - start
    start = time.perf_counter()
    name = model_name(settings.encoder_backend, settings.encoder)
    encoder = load_encoder(settings.encoder_backend, settings.encoder, str(settings.encoder_cache))
    embedded = embed_missing(conn, encoder, name, settings.batch_size, progress, executor=executor,
                             encoder_spec=(settings.encoder_backend, settings.encoder,
                                           str(settings.encoder_cache)))
    seconds["embed"] = time.perf_counter() - start
    start = time.perf_counter()
    written = index_store(conn, settings)
    seconds["index"] = time.perf_counter() - start
    start = time.perf_counter()
    prepare_encoder(settings.query_backend, settings.encoder, str(settings.encoder_cache))
    seconds["query encoder"] = time.perf_counter() - start
    start = time.perf_counter()
    keep_arrays(settings)
    seconds["arrays"] = time.perf_counter() - start
    return BuildReport(ingested, segmented, embedded, written, reads.counts(conn)["findings"], removed,
                       seconds)


def keep_arrays(settings: Settings) -> None:
    """Open an engine and a counter once, so that the arrays they derive are kept for later processes.

    What they keep is in :mod:`findings.retrieval.cache`: the first ``findings count`` or server
    after a build then maps them instead of deriving them (``docs/cold-start.md``).
    """
    from findings.relevance.counts import Counter
    from findings.retrieval.engine import SearchEngine

    if settings.array_cache_dir is None:
        return
    try:
        engine = SearchEngine.open(settings)
        try:
            if settings.relevance_model.is_file():
                Counter.open(engine, settings)
        finally:
            engine.close()
    except Exception as error:  # noqa: BLE001  (the store is built; only the next start pays for this)
        print(f"warning: the arrays for a fast start were not kept ({error}); the next command "
              "derives them", file=sys.stderr)


def index_store(conn, settings: Settings) -> bool:
    """(Re)build the vector index of the store's embedded findings if it is not current."""
    model = model_name(settings.encoder_backend, settings.encoder)
    options = {"exact_limit": settings.exact_index_limit, "hnsw_m": settings.hnsw_m,
               "ef_construction": settings.hnsw_ef_construction}
    if settings.index_shards > 1:
        return build_sharded_index(conn, settings.index_dir, model, shards=settings.index_shards, **options)
    return build_vector_index(conn, settings.index_dir, model, **options)


def remove(settings: Settings, doc_ids: list[str]) -> list[str]:
    """Remove documents and everything derived from them; returns the ids that were stored.

    The full-text index and the vector index are brought up to date at once (from cached
    embeddings: no encoder is needed).

    Raises:
        StoreLocked: a build holds the store.

    """
    with build_lock(settings.data_dir):
        conn = connect(settings.db_path)
        try:
            with transaction(conn):
                removed = writes.remove_documents(conn, doc_ids)
                writes.rebuild_fts(conn)
            index_store(conn, settings)
        finally:
            conn.close()
    return removed
