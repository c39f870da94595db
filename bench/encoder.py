"""Encoder throughput: the ONNX backends against the sentence-transformers fp32 default.

    python -m bench.encoder [--sample 3000]

Encodes the same random sample of stored finding texts with each backend (median of 3 runs,
after a warm-up) and reports units/s, the ratio to the fp32 default and the mean/min cosine of
each backend's embeddings to the fp32 ones. Writes ``docs/encoder.md``. Retrieval quality per
backend is measured by ``bench.search_quality --backend``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from bench.report import write_table
from findings.encoder import BACKENDS, load_encoder
from findings.settings import get_settings
from findings.store import connect


def throughput(encoder, texts: list[str], repeats: int = 3) -> tuple[float, np.ndarray]:
    """Median units per second and the embeddings."""
    encoder.encode(texts[:64])
    rates, vectors = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = encoder.encode(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates), vectors


def main(argv: list[str] | None = None) -> int:
    """Measure every backend and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--out", default="docs/encoder.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    texts = [r[0] for r in connect(settings.db_path, read_only=True).execute(
        "SELECT text FROM findings")]
    texts = random.Random(0).sample(texts, min(args.sample, len(texts)))
    results = {}
    for backend in ("torch", *[b for b in BACKENDS if b != "torch"]):
        encoder = load_encoder(backend, settings.encoder, str(settings.encoder_cache))
        results[backend] = throughput(encoder, texts)
    base_rate, base = results["torch"]
    lines = [f"# Encoder throughput ({len(texts)} finding texts, 2 cores, median of 3)\n",
             "| backend | units/s | × fp32 default | mean cosine to fp32 | min cosine |",
             "|---|---|---|---|---|"]
    for backend, (rate, vectors) in results.items():
        cosine = np.sum(vectors * base, axis=1)
        lines.append(f"| {backend} | {rate:.1f} | {rate / base_rate:.2f} | {cosine.mean():.4f} "
                     f"| {cosine.min():.4f} |")
    text = "\n".join(lines) + "\n"
    write_table(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
