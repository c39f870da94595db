"""The ``text_scorer`` component: a small fine-tuned transformer gives a second opinion.

The word-feature classifier cannot read meaning ("no longer inadequate", "less likely to be at
risk", "is not afraid to pursue adoption"); a fine-tuned three-layer MiniLM can. It runs after
the ``finding_classifier`` and reads only the units that classifier is unsure of (top
probability below ``gate``; rule-labelled units have 1.0), each with its place in the document
(author, section kind, block kind). It sets ``unit._.text_scores`` and relabels the unit from
the weighted geometric mean of both opinions (``weight`` on its own). Inference is int8 ONNX on
one thread per process.

Serialises as ``cfg.json`` and ``adapter.npz``: the LoRA updates, biases, norms and head that
fine-tuning changed (1.4 MB). Loading applies them to the packaged MiniLM weights and
exports an int8 ONNX model, cached under ``$FINDINGS_CACHE_DIR`` (default
``~/.cache/findings``) by the adapter's hash, so only the first load pays the export. A
full fine-tune (``lora_rank=0``) is saved as ``model.onnx`` instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

import nlp.extensions  # noqa: F401  (registers the Doc and Span attributes read here)
from nlp.author import voice
from nlp.finetune import (
    INPUTS,
    FineTuneConfig,
    base_model_dir,
    base_model_version,
    export_quantised,
    fine_tune,
    merge_low_rank_updates,
    rebuild_model,
    trained_state,
)

WEIGHT = 0.5  # against the classifier's probabilities (grouped CV, four report types: docs/text-weight.md)
GATE = 0.8  # read units whose classifier confidence is below this (grouped CV: same scores as 1.0)
SKIP_BLOCKS = ("marker", "header_cell", "heading", "contents_line", "furniture", "grade_line",
               "boilerplate")


def unit_input(unit: Span, author: str | None) -> str:
    """The text the transformer reads: the unit's context kinds, then its words."""
    return f"{voice(author)} {unit._.section_kind} {unit._.block_kind}: {unit.text}"


class TextScorer:
    """Relabel the units the classifier is unsure of with a fine-tuned transformer's opinion."""

    def __init__(self, name: str = "text_scorer", batch_size: int = 1, threads: int = 1,
                 weight: float = WEIGHT, gate: float = GATE, cache_dir: str | Path = "") -> None:
        """Create an untrained scorer (``fit`` or ``from_disk`` gives it a model).

        Args:
            name: the component name.
            batch_size: units per inference batch. 1 (the default) makes a unit's scores
                independent of other units: dynamic int8 quantisation scales activations per
                batch, so in batches of 32, 2% of labels changed with their batch-mates; at 1
                there is no padding and it was as fast (2.07 vs 1.98 ms per unit).
            threads: ONNX Runtime threads.
            weight: weight of this model's probabilities against the classifier's.
            gate: only units whose classifier confidence is below this are read.
            cache_dir: where exported models are cached ("" for :func:`default_cache_dir`).

        """
        self.name = name
        self.cfg: dict = {"labels": [], "max_length": 96, "skip_blocks": list(SKIP_BLOCKS),
                          "weight": weight, "gate": gate}
        self.batch_size = batch_size
        self.threads = threads
        self.session = None
        self.model_bytes: bytes | None = None
        self.adapter: dict[str, np.ndarray] | None = None
        self.tokenizer = None
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()

    @property
    def labels(self) -> list[str]:
        """The labels, in the order of the score columns."""
        return self.cfg["labels"]

    def fit(self, texts: list[str], labels: list[str], label_names: list[str],
            config: FineTuneConfig | None = None, progress: bool = False) -> None:
        """Fine-tune on unit inputs (see :func:`unit_input`) and load the exported model."""
        config = config or FineTuneConfig()
        model, _ = fine_tune(texts, labels, label_names, config, progress)
        self.cfg.update({"labels": list(label_names), "max_length": config.max_length,
                         "fine_tune": vars(config), "base_model": base_model_version()})
        self.adapter = trained_state(model) if config.lora_rank else None
        merge_low_rank_updates(model)
        self.load_model(self.export(model))

    def export(self, model) -> bytes:
        """The int8 ONNX bytes of a fine-tuned (merged) model."""
        with tempfile.TemporaryDirectory() as tmp:
            export_quantised(model, self.load_tokenizer(), Path(tmp) / "model.onnx")
            return (Path(tmp) / "model.onnx").read_bytes()

    def load_tokenizer(self):
        """The packaged MiniLM tokenizer (fine-tuning does not change it)."""
        if self.tokenizer is None:
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(base_model_dir())
        return self.tokenizer

    def load_model(self, model_bytes: bytes) -> None:
        """Open an ONNX session on a model kept in memory."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        self.model_bytes = model_bytes
        self.session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self.load_tokenizer()

    def model_from_adapter(self, adapter_bytes: bytes) -> bytes:
        """Rebuild, export and cache the int8 model of ``self.adapter`` (read from ``adapter_bytes``)."""
        installed = base_model_version()
        if self.cfg.get("base_model", installed) != installed:
            warnings.warn(f"text scorer trained on {self.cfg['base_model']} but {installed} is "
                          "installed; its labels may be off until `findings train` is run again",
                          stacklevel=2)
        model_cfg = {"labels": self.labels, "fine_tune": self.cfg["fine_tune"], "base": installed}
        digest = hashlib.sha256(adapter_bytes + json.dumps(model_cfg, sort_keys=True).encode()).hexdigest()
        cached = self.cache_dir / f"text-scorer-{digest[:24]}.onnx"
        if cached.is_file():
            return cached.read_bytes()
        model = rebuild_model(self.adapter, FineTuneConfig(**self.cfg["fine_tune"]), len(self.labels))
        model_bytes = self.export(model)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(model_bytes)
            os.replace(partial, cached)
        except OSError:
            pass  # a read-only cache only costs the export again next time
        return model_bytes

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Label probabilities for unit inputs, in length-sorted batches."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = self.tokenizer([texts[i] for i in rows], padding=True, truncation=True,
                                   max_length=self.cfg["max_length"], return_tensors="np")
            logits = self.session.run(None, {n: batch[n].astype(np.int64) for n in INPUTS})[0]
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            out[rows] = probs / probs.sum(axis=1, keepdims=True)
        return out

    def needs_reading(self, unit: Span) -> bool:
        """Whether the classifier left this unit uncertain enough to ask the transformer."""
        if unit._.block_kind in self.cfg["skip_blocks"]:
            return False
        return not unit._.scores or max(unit._.scores.values()) < self.cfg["gate"]

    def __call__(self, doc: Doc) -> Doc:
        """Score the uncertain units of a document and relabel them from both opinions."""
        if self.session is None:
            return doc
        units = [u for u in doc.spans.get("units", []) if self.needs_reading(u)]
        if units:
            probs = self.predict_proba([unit_input(u, doc._.author) for u in units])
            for unit, row in zip(units, probs, strict=True):
                unit._.text_scores = row
                self.relabel(unit, row)
        return doc

    def relabel(self, unit: Span, text_probs: np.ndarray) -> None:
        """Set a unit's label, confidence and scores from both opinions (by label name)."""
        scores = combine(unit._.scores, dict(zip(self.labels, text_probs, strict=True)),
                         self.cfg["weight"])
        best = max(scores, key=scores.get)
        unit._.label, unit._.confidence, unit._.scores = best, scores[best], scores

    def to_disk(self, path: str | Path, exclude: tuple = ()) -> None:
        """Write ``cfg.json`` and ``adapter.npz`` (or ``model.onnx`` for a full fine-tune)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "cfg.json").write_text(json.dumps(self.cfg, indent=1), encoding="utf-8")
        if self.adapter is not None:
            buffer = io.BytesIO()
            np.savez(buffer, **self.adapter)
            (path / "adapter.npz").write_bytes(buffer.getvalue())
        elif self.session is not None:
            (path / "model.onnx").write_bytes(self.model_bytes)

    def from_disk(self, path: str | Path, exclude: tuple = ()) -> TextScorer:
        """Load what :meth:`to_disk` wrote."""
        path = Path(path)
        self.cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        if (path / "adapter.npz").is_file():
            adapter_bytes = (path / "adapter.npz").read_bytes()
            with np.load(io.BytesIO(adapter_bytes)) as saved:
                self.adapter = {name: saved[name] for name in saved.files}
            self.load_model(self.model_from_adapter(adapter_bytes))
        elif (path / "model.onnx").is_file():
            self.load_model((path / "model.onnx").read_bytes())
        return self


def combine(model_scores: dict[str, float] | None, text_scores: dict[str, float],
            weight: float) -> dict[str, float]:
    """Weighted geometric mean of two label distributions, renormalised (``weight`` on the text's).

    Without classifier scores the text scorer's own distribution is returned.
    """
    if not model_scores:
        return {label: float(p) for label, p in text_scores.items()}
    mixed = {label: (1 - weight) * np.log(p + 1e-9) + weight * np.log(text_scores.get(label, 0.0) + 1e-9)
             for label, p in model_scores.items()}
    top = max(mixed.values())
    exp = {label: float(np.exp(v - top)) for label, v in mixed.items()}
    total = sum(exp.values())
    return {label: v / total for label, v in exp.items()}


def default_cache_dir() -> Path:
    """Where exported text-scorer models are cached when no folder is given.

    ``~/.cache/findings``, else (no home directory) the system's temporary folder. The project's
    settings give the folder (``FINDINGS_CACHE_DIR``) through the component's ``cache_dir``.
    """
    try:
        return Path.home() / ".cache" / "findings"
    except RuntimeError:
        return Path(tempfile.gettempdir()) / "findings"


@Language.factory("text_scorer",
                  default_config={"batch_size": 1, "threads": 1, "weight": WEIGHT, "gate": GATE,
                                  "cache_dir": ""})
def make_text_scorer(nlp: Language, name: str, batch_size: int, threads: int, weight: float,
                     gate: float, cache_dir: str) -> TextScorer:
    """Create an (untrained) text scorer; ``cache_dir`` "" is :func:`default_cache_dir`."""
    return TextScorer(name, batch_size, threads, weight, gate, cache_dir)
