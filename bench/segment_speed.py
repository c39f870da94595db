"""Segmentation speed against the fp32 sentence-transformers encoder, as a ratio.

    python -m bench.segment_speed [--sample 4000]

Segments every stored document (text extraction excluded: texts come from the store) with
the build's worker processes (``FINDINGS_WORKERS``, 2), counts the units, then times the fp32
sentence-transformers default encoding a random sample of those units and extrapolates to all
of them. Writes ``docs/segment-speed.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from bench.report import write_table
from findings.encoding import load_encoder
from findings.segment import segment_text
from findings.settings import get_settings
from findings.store import connect, reads
from findings.workers import worker_pool
from nlp.author import author_from_publisher
from nlp.pipeline import load_pipeline

_PIPELINE = None


def _load(model_dir: str, cache_dir: str) -> None:
    global _PIPELINE
    _PIPELINE = load_pipeline(model_dir, cache_dir)


def _unit_texts(row: dict) -> list[str]:
    author = author_from_publisher(row["publisher"]) if row["publisher"] else None
    found = segment_text(_PIPELINE, row["text"], row["doc_id"], author,
                         json.loads(row["page_starts"]), include_other=True)
    return [f.text for f in found]


def segment_all(rows: list[dict], model_dir: str, workers: int, cache_dir: str) -> tuple[float, list[str]]:
    """Seconds to segment every document with the build's process pool, and all unit texts.

    The time includes starting the workers and loading the pipeline in each.
    """
    texts: list[str] = []
    start = time.perf_counter()
    with worker_pool(workers, _load, (model_dir, cache_dir)) as pool:
        for unit_texts in pool.map(_unit_texts, rows, chunksize=2):
            texts.extend(unit_texts)
    return time.perf_counter() - start, texts


def embed_rate(texts: list[str], sample: int, repeats: int = 3) -> float:
    """Median units per second of the fp32 encoder (batch 32, its default) on a sample."""
    model = load_encoder("torch", "", "")  # the sentence-transformers default needs no cache
    chosen = random.Random(0).sample(texts, min(sample, len(texts)))
    model.encode(chosen[:64])
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.encode(chosen, batch_size=32)
        rates.append(len(chosen) / (time.perf_counter() - start))
    return statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    """Measure and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=4000)
    parser.add_argument("--out", default="docs/segment-speed.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    rows = reads.document_texts(connect(settings.db_path, read_only=True))
    seconds, texts = segment_all(rows, str(settings.model_dir), settings.workers, str(settings.cache_dir))
    rate = embed_rate(texts, args.sample)
    embed_seconds = len(texts) / rate
    table = (
        f"# Segmentation speed ({settings.workers} worker processes, as `findings build`; "
        "2-core machine)\n\n"
        "| documents | units | segment s | fp32 embed units/s (median of 3) | embed s (extrapolated) "
        "| segment / embed |\n|---|---|---|---|---|---|\n"
        f"| {len(rows)} | {len(texts)} | {seconds:.1f} | {rate:.1f} | {embed_seconds:.1f} "
        f"| {seconds / embed_seconds:.3f} |\n")
    write_table(table, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
