"""Encoder throughput and fidelity: every backend against the sentence-transformers fp32 default.

    python -m bench.encoder [--sample 3000] [--quality /tmp/quality]

Encodes the same random sample of stored finding texts with every backend, interleaved (round
``r`` runs each backend once before round ``r + 1``, so load from other jobs on the machine hits
all backends alike), and reports the median units/s of 3 rounds, the ratio to the fp32 default
and the mean/min cosine of each backend's embeddings to the fp32 ones. With ``--quality`` it adds
the retrieval table from ``quality-<backend>.md`` files written there by
``python -m bench.search_quality --out <dir>/quality-<backend>.md`` (see docs/encoder.md).
Writes ``docs/encoder.md``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import numpy as np

from bench.report import write_table
from findings.encoding import BACKENDS, load_encoder
from findings.settings import get_settings
from findings.store import connect, reads

ORDER = ("torch", *[b for b in BACKENDS if b != "torch"])
NOTES = """
## How this was measured

    python -m bench.encoder --quality /tmp/quality          # this file (speed: same units, interleaved)
    # quality, on a copy of a full store (each build re-embeds every finding with that backend):
    FINDINGS_DATA_DIR=/tmp/store FINDINGS_ENCODER_BACKEND=onnx-int8-split findings build
    FINDINGS_DATA_DIR=/tmp/store FINDINGS_ENCODER_BACKEND=onnx-int8-split \\
        python -m bench.search_quality --out /tmp/quality/quality-onnx-int8-split.md

Speed on a shared 2-core machine is noisy: compare the ratios within one run, not units/s across
runs. `torch` and `onnx` give the same embeddings (cosine 1.0000), so they share a quality row.
The query sets are small (16 hard, 20 topic queries).

## What the backends do

- All ONNX backends tokenise once and batch by token count (16 texts a batch): 0.7% padding
  instead of 19% when batching by character length; exact for fp32.
- `onnx-int8`: dynamic int8 on every weight MatMul, per-channel weights, one per-tensor scale per
  activation. Weights alone in int8 keep cosine 0.9995; the error is in the activations: LayerNorm
  and GELU outputs carry a few channels with values up to 30 (mostly on the [CLS] token) against a
  median peak of 2, so one per-tensor scale leaves the ordinary channels a few int8 steps.
- `onnx-int8-split`: the same, but for each quantised input the 4 channels with the largest
  calibration peaks are zeroed before int8 and multiplied in fp32 by their weight rows (a Gather
  and a 4-row MatMul per MatMul; the attention-output projection, whose input has no outliers,
  stays plain int8). Calibration: 12 fixed sentences in `findings/quantise.py`.
- `onnx-int8-token`: the same outlier split, then every other weight MatMul quantised with one
  activation scale per token (symmetric, uint8 around 128) instead of one per tensor: the [CLS]
  token's outliers no longer set the step for every other token. onnxruntime's
  `MatMulIntegerToFloat` applies the weight scales, one `Mul` the token scales. Mean cosine to fp32
  0.9995, at about the CPU cost of `onnx-int8-split`; the residue is the int8 weights themselves
  (weights alone in int8: 0.9995; 8 or 16 outlier channels: 0.99956 / 0.99958). No scale is
  shared with the other texts in a batch, so batching changes a text's embedding only in the last
  float bits, as it does in fp32 (padding changes the sums), and it also serves queries, batched.
  Measured on a CPU with VNNI; on AVX2-only CPUs onnxruntime's uint8 x int8 kernel can saturate
  (onnxruntime's own `reduce_range` caveat), which this variant has not been checked against.

## Tried and rejected (screened on 1000-1500 units, cosine to fp32, CPU-time ratios)

- onnxruntime's transformer optimizer (Attention/SkipLayerNorm/BiasGelu fusion; needs an eager
  attention export to match): no measurable gain for fp32 or int8, onnxruntime's own graph
  optimisations already fuse most of it and the time is mostly in the matrix products.
  MultiHeadAttention fusion with quantised projections was slower.
- Mixed precision by excluding sensitive MatMuls: every one of the 24 groups (Q/K/V, attention
  output, FFN in, FFN out per layer) costs 0.0003-0.0017 cosine on its own, spread over all
  layers; no small exclusion set reaches 0.998.
- SmoothQuant-style scaling (alpha 0.3-0.8): cosine 0.86-0.994, worse than per-channel outlier split.
- MatMulNBits 8-bit (block 32, int8 compute): cosine 0.9996 but half the speed of int8.
- Batch size 8/32 and one 2-thread session: no gain over 16 and one 1-thread session per core.
- Per-tensor int8 with onnxruntime's `reduce_range` (7-bit weights, against AVX2 saturation) or
  uint8 weights: cosine 0.9912 / 0.9928, no better than plain int8 (0.9927); the error is the
  activation scale, not saturation. Per-token scales without the outlier split: 0.9971.
- Row normalisation before onnxruntime's per-tensor dynamic int8 (divide each token by its
  largest value, multiply back after): cosine 0.9993, 10% slower than `MatMulIntegerToFloat`.

## Which encoder embeds what

- **Corpus: `onnx` (fp32).** With the corpus in `onnx-int8-token` the hard set loses 1.2% (dense
  0.808 → 0.798, hybrid 0.830 → 0.820) while the topic set gains (dense 0.892 → 0.900, hybrid
  0.899 → 0.902). The hard loss comes from rank swaps in two or three of the 16 queries (h18
  hybrid 0.828 → 0.737, h22 1.000 → 0.936); ordering tied duplicates differently moves these
  sets by as much (0.830/0.899 → 0.832/0.907 on the same embeddings). A full build embeds in
  about 210 s with fp32, 123 s with `onnx-int8-token`; both are within the 10-minute build.
- **Queries: `onnx-int8-token`** (`FINDINGS_QUERY_ENCODER_BACKEND`) against the fp32 corpus:
  dense hard/topic 0.803/0.896, hybrid 0.832/0.907 (fp32 queries: 0.808/0.892, 0.830/0.899), at
  1.3-1.9 ms of CPU per single query against 3.6 ms for fp32, about half. With no scale shared
  across a batch, the API's micro-batching leaves a query's embedding as it is alone (to the last
  float bits).
- On 2026-11-29 (commit 478ea68) `onnx-int8-split` queries were measured the same way (hybrid
  0.830/0.909) but not adopted: batching them made a query's embedding depend on its batch-mates,
  and single-query int8 runs cost more server CPU under load than fp32 batches.
"""


def interleaved(encoders: dict, texts: list[str], rounds: int = 3) -> dict[str, tuple[float, np.ndarray]]:
    """Median units/s of each encoder over ``rounds`` interleaved runs, and its embeddings."""
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    vectors: dict[str, np.ndarray] = {}
    for encoder in encoders.values():
        encoder.encode(texts[:64])  # warm-up
    for _ in range(rounds):
        for name, encoder in encoders.items():
            start = time.perf_counter()
            vectors[name] = encoder.encode(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    return {name: (statistics.median(rates[name]), vectors[name]) for name in encoders}


def speed_table(results: dict[str, tuple[float, np.ndarray]], sample: int) -> list[str]:
    """The Markdown speed/fidelity table (ratios and cosines against ``torch``)."""
    base_rate, base = results["torch"]
    lines = [f"# Encoder throughput ({sample} finding texts, 2 cores, median of 3 interleaved runs)\n",
             "| backend | units/s | × fp32 default | mean cosine to fp32 | min cosine |",
             "|---|---|---|---|---|"]
    for backend, (rate, vectors) in results.items():
        cosine = np.sum(vectors * base, axis=1)
        lines.append(f"| {backend} | {rate:.1f} | {rate / base_rate:.2f} | {cosine.mean():.4f} "
                     f"| {cosine.min():.4f} |")
    return lines


def ndcg_cells(path: Path) -> dict[str, list[str]]:
    """nDCG@10 cells per system from a ``bench.search_quality`` table (every query set)."""
    rows = [line.strip("|").split("|") for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and "nDCG" not in line]
    return {cells[0].strip(): [c.strip() for c in cells[1::2]] for cells in rows}


def quality_table(folder: Path) -> list[str]:
    """Dense and hybrid nDCG@10 per backend, from the files found in ``folder``."""
    found = [(b, folder / f"quality-{b}.md") for b in ORDER if (folder / f"quality-{b}.md").is_file()]
    if not found:
        return []
    lines = ["\n## Retrieval quality per backend (`bench.search_quality`, full corpus, same findings)\n",
             "| backend | dense hard nDCG@10 | dense topic nDCG@10 | hybrid hard nDCG@10 "
             "| hybrid topic nDCG@10 |", "|---|---|---|---|---|"]
    for backend, path in found:
        cells = ndcg_cells(path)
        lines.append(f"| {backend} | {' | '.join(cells['dense'] + cells['hybrid'])} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Measure every backend and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--quality", type=Path, help="folder of quality-<backend>.md files")
    parser.add_argument("--out", default="docs/encoder.md")
    args = parser.parse_args(argv)
    settings = get_settings()
    texts = reads.finding_texts(connect(settings.db_path, read_only=True))
    texts = random.Random(0).sample(texts, min(args.sample, len(texts)))
    encoders = {b: load_encoder(b, settings.encoder, str(settings.encoder_cache)) for b in ORDER}
    lines = speed_table(interleaved(encoders, texts), len(texts))
    lines += quality_table(args.quality) if args.quality else []
    write_table("\n".join(lines) + "\n" + NOTES, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
