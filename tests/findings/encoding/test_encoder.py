"""The encoder backends on the real model: each against the sentence-transformers fp32 default."""

from __future__ import annotations

import numpy as np
import pytest

SENTENCES = [
    "Management oversight of casework is not consistently effective.",
    "The council has a clear vision for improving services for children and young people.",
    "Value for money is poor.",
    "Strategy meetings are not always held in a timely way, and police attendance is variable, "
    "which means that decisions about child protection enquiries are sometimes delayed.",
    "Care leavers told inspectors that their personal advisers know them well.",
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    from findings.encoding.encoder import load_encoder

    return load_encoder("torch", "", "").encode(SENTENCES), tmp_path_factory.mktemp("encoder")


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "floor"), [("onnx", 0.9999), ("onnx-int8-token", 0.998),
                                                ("onnx-int8-split", 0.995), ("onnx-int8", 0.97)])
def test_onnx_backends_match_the_fp32_default(reference, backend, floor):
    from findings.encoding.encoder import load_encoder

    vectors, cache = reference
    got = load_encoder(backend, "", str(cache)).encode(SENTENCES, batch_size=2)
    assert got.shape == vectors.shape
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert np.sum(got * vectors, axis=1).min() >= floor  # also checks the order is kept


def test_prepare_encoder_rejects_an_unknown_backend(tmp_path):
    from findings.encoding.encoder import prepare_encoder

    with pytest.raises(ValueError, match="unknown encoder backend"):
        prepare_encoder("onnx-int4", "", str(tmp_path))
    prepare_encoder("torch", "", str(tmp_path))  # nothing to export for torch
    assert list(tmp_path.iterdir()) == []


def test_the_onnx_tokenizer_gives_the_ids_transformers_gives():
    from transformers import AutoTokenizer

    from findings.encoding.encoder import encoder_path
    from findings.encoding.onnx_encoder import MAX_TOKENS, tokenizer

    texts = [*SENTENCES, "", "Café – naïve ‘quotes’ … \u00ad soft", "ÆØÅ 中文 😀", " ".join(SENTENCES * 20)]
    expected = AutoTokenizer.from_pretrained(encoder_path())(
        texts, truncation=True, max_length=MAX_TOKENS, return_attention_mask=False,
        return_token_type_ids=False)["input_ids"]
    assert tokenizer(encoder_path())(texts) == expected
    assert max(map(len, expected)) == MAX_TOKENS  # the long text was truncated, in both
