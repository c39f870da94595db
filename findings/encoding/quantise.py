"""Graph rewrites that quantise the exported encoder to int8 (onnxruntime, CPU).

``int8``: onnxruntime's dynamic quantisation, per-channel weights and one scale per activation
tensor. ``int8-split``: the same after the few activation channels with the largest calibration
values are routed around int8 through a small fp32 MatMul (:func:`split_outliers`).
``int8-token``: the outlier split, then every other weight MatMul in int8 with one activation
scale per token (:func:`per_token_int8`): a token's scale no longer depends on the [CLS] token's
outliers, and no scale depends on the other texts in a batch (padding still changes fp32 sums in
the last bits, as it does for the fp32 model).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnx

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
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


def weight_groups(model: onnx.ModelProto) -> dict[str, list]:
    """MatMul nodes with constant weights, grouped by the activation they share."""
    weights = {init.name for init in model.graph.initializer}
    groups: dict[str, list] = {}
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in weights:
            groups.setdefault(node.input[0], []).append(node)
    return groups


def activation_peaks(model: onnx.ModelProto, names: list[str], model_dir: str) -> dict[str, np.ndarray]:
    """Per-channel largest absolute value of the named activations on the calibration texts."""
    import onnx
    import onnxruntime as ort
    from transformers import AutoTokenizer

    from nlp.finetune import quiet_offline_loading

    quiet_offline_loading()
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


def split_outliers(model: onnx.ModelProto, peaks: dict[str, np.ndarray],
                   channels: int = OUTLIER_CHANNELS) -> list[str]:
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


def _token_scales(x: str, prefix: str) -> list:
    """Nodes quantising ``x`` per token: uint8 around 128, scale = row's largest |value| / 127."""
    from onnx import TensorProto, helper

    names = [f"{prefix}_{part}" for part in ("abs", "peak", "floor", "scale", "inverse", "scaled",
                                             "shifted", "q")]
    return [helper.make_node("Abs", [x], [names[0]]),
            helper.make_node("ReduceMax", [names[0]], [names[1]], axes=[-1], keepdims=1),
            helper.make_node("Max", [names[1], "token_eps"], [names[2]]),
            helper.make_node("Mul", [names[2], "token_step"], [names[3]]),
            helper.make_node("Reciprocal", [names[3]], [names[4]]),
            helper.make_node("Mul", [x, names[4]], [names[5]]),
            helper.make_node("Add", [names[5], "token_offset"], [names[6]]),  # + 128.5, then truncate
            helper.make_node("Cast", [names[6]], [names[7]], to=TensorProto.UINT8)]


def _int8_matmul(node, weight: np.ndarray, prefix: str) -> tuple[list, list]:
    """A weight MatMul as int8 on ``prefix``'s per-token input: its nodes and new initializers."""
    from onnx import helper, numpy_helper

    scale = (np.maximum(np.abs(weight).max(0), 1e-8) / 127).astype(np.float32)  # per output channel
    name, out = node.input[1], node.output[0]
    tensors = [numpy_helper.from_array(np.round(weight / scale).astype(np.int8), f"{name}_int8"),
               numpy_helper.from_array(scale, f"{name}_scale"),
               numpy_helper.from_array(np.zeros(weight.shape[1], np.int8), f"{name}_zero")]
    nodes = [helper.make_node("MatMulIntegerToFloat", [f"{prefix}_q", f"{name}_int8", "token_one",
                              f"{name}_scale", "token_zero", f"{name}_zero"], [f"{out}_unscaled"],
                              domain="com.microsoft", name=node.name),
             helper.make_node("Mul", [f"{out}_unscaled", f"{prefix}_scale"], [out])]
    return nodes, tensors


def per_token_int8(model: onnx.ModelProto) -> int:
    """Put every weight MatMul but the outlier side paths in int8 with per-token scales, in place.

    Weights are symmetric int8 per output channel; each token's activation row is quantised with
    its own scale (:func:`_token_scales`); onnxruntime's ``MatMulIntegerToFloat`` multiplies and
    applies the weight scales, one ``Mul`` the token scales (:func:`_int8_matmul`).

    Returns:
        The number of MatMuls rewritten.

    """
    from onnx import helper, numpy_helper

    weights = {init.name: init for init in model.graph.initializer}
    constants = {"token_eps": 1e-8, "token_step": 1 / 127, "token_offset": 128.5, "token_one": 1.0}
    added = [numpy_helper.from_array(np.array(v, np.float32), k) for k, v in constants.items()]
    added.append(numpy_helper.from_array(np.array(128, np.uint8), "token_zero"))
    before: dict[str, list] = {}
    instead: dict[str, list] = {}
    for index, (x, nodes) in enumerate(weight_groups(model).items()):
        nodes = [node for node in nodes if not node.name.endswith("_outliers")]
        if nodes:
            before[nodes[0].name] = _token_scales(x, f"token_{index}")
        for node in nodes:
            weight = numpy_helper.to_array(weights[node.input[1]])
            instead[node.name], tensors = _int8_matmul(node, weight, f"token_{index}")
            added += tensors
    ordered = [new for node in model.graph.node
               for new in (*before.get(node.name, []), *instead.get(node.name, [node]))]
    del model.graph.node[:]
    model.graph.node.extend(ordered)
    used = {name for node in ordered for name in node.input}
    kept = [init for init in model.graph.initializer if init.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept + added)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(instead)


def quantise(source: Path, target: Path, variant: str, model_dir: str) -> None:
    """Write the int8 ``variant`` (``int8``, ``int8-split`` or ``int8-token``) of ``source``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    options = {"weight_type": QuantType.QInt8, "per_channel": True, "reduce_range": True}
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        out = Path(tmp) / "q.onnx"
        if variant == "int8":
            quantize_dynamic(str(source), str(out), **options)
        else:
            model = onnx.load(str(source))
            excluded = split_outliers(model, activation_peaks(model, list(weight_groups(model)), model_dir))
            if variant == "int8-token":
                per_token_int8(model)
                onnx.save(model, str(out))
            else:
                split = Path(tmp) / "split.onnx"
                onnx.save(model, str(split))
                quantize_dynamic(str(split), str(out), nodes_to_exclude=excluded, **options)
        os.replace(out, target)
