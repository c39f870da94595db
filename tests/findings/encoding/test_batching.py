"""Micro-batching of query encoding: queries waiting together are encoded in one call."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from findings.encoding.batching import BatchingEncoder


class GatedEncoder:
    """Encodes a text as [len(text)]; the first call waits until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()

    def encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        self.started.set()
        self.release.wait(timeout=10)
        if "boom" in texts:
            raise ValueError("boom")
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)


def test_waiting_queries_share_a_batch_and_get_their_own_vectors():
    encoder = GatedEncoder()
    batcher = BatchingEncoder(encoder, max_batch=8)
    results: dict[str, float] = {}

    def ask(text: str) -> None:
        results[text] = float(batcher.encode(text)[0])

    first = threading.Thread(target=ask, args=("a",))
    first.start()
    assert encoder.started.wait(timeout=10)
    others = [threading.Thread(target=ask, args=(text,)) for text in ("bb", "ccc", "dddd")]
    for thread in others:
        thread.start()
    while batcher.requests.qsize() < 3:
        threading.Event().wait(0.01)
    encoder.release.set()
    for thread in [first, *others]:
        thread.join(timeout=10)
    assert encoder.batches[0] == ["a"]
    assert sorted(encoder.batches[1]) == ["bb", "ccc", "dddd"]
    assert results == {"a": 1.0, "bb": 2.0, "ccc": 3.0, "dddd": 4.0}
    batcher.close()


def test_errors_reach_the_caller_and_a_closed_encoder_refuses():
    encoder = GatedEncoder()
    encoder.release.set()
    batcher = BatchingEncoder(encoder, max_batch=4)
    with pytest.raises(ValueError, match="boom"):
        batcher.encode("boom")
    assert float(batcher.encode("ok")[0]) == 2.0
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.encode("late")


def test_a_query_cancelled_while_waiting_is_dropped_and_the_thread_lives_on():
    encoder = GatedEncoder()
    batcher = BatchingEncoder(encoder, max_batch=8)
    first = batcher.submit("a")
    assert encoder.started.wait(timeout=10)
    dropped, kept = batcher.submit("bb"), batcher.submit("ccc")
    assert dropped.cancel()
    encoder.release.set()
    assert float(first.result(timeout=10)[0]) == 1.0
    assert float(kept.result(timeout=10)[0]) == 3.0
    assert float(batcher.encode("dddd")[0]) == 4.0
    assert encoder.batches == [["a"], ["ccc"], ["dddd"]]
    batcher.close()

