"""Micro-batching of query encoding: concurrent requests share one encoder call.

Several queries encoded together cost less CPU each than one at a time, as the matrix products
get rows enough to be efficient (figures: ``docs/retrieval.md``). A server answering several
clients at once therefore hands each query to one encoding thread, which takes whatever queries
are waiting (up to ``max_batch``) and encodes them in one call. Alone, a query is encoded by
itself; in a batch its embedding can differ from the single-query one in the last float bits
(about 1e-7), as padding changes the shapes of the matrix products.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np

from findings.encoding.encoder import encode

STOP = None


class BatchingEncoder:
    """Encode single queries from many threads or an event loop in one thread that batches them.

    Threads call :meth:`encode`; an event loop awaits the future of :meth:`submit`. A query whose
    future was cancelled before its batch was taken (a request that timed out or went away) is
    dropped; once taken, a future can no longer be cancelled.
    """

    def __init__(self, encoder, max_batch: int = 8) -> None:
        """Start the encoding thread over a loaded encoder."""
        self.encoder = encoder
        self.max_batch = max(1, max_batch)
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="query-encoder", daemon=True)
        self.thread.start()

    def encode(self, text: str) -> np.ndarray:
        """The embedding of one text (blocks until its batch is encoded).

        Raises:
            RuntimeError: the encoder has been closed.

        """
        return self.submit(text).result()

    def submit(self, text: str) -> Future:
        """Queue one text; its embedding arrives in the returned future.

        Raises:
            RuntimeError: the encoder has been closed.

        """
        if not self.thread.is_alive():
            raise RuntimeError("the query encoder is closed")
        future: Future = Future()
        self.requests.put((text, future))
        return future

    def close(self) -> None:
        """Stop the encoding thread; queries still queued then fail."""
        if self.thread.is_alive():
            self.requests.put(STOP)
            self.thread.join(timeout=30)
        while True:
            try:
                item = self.requests.get_nowait()
            except queue.Empty:
                return
            if item is not STOP and item[1].set_running_or_notify_cancel():
                item[1].set_exception(RuntimeError("the query encoder is closed"))

    def _take(self) -> tuple[list[tuple[str, Future]], bool]:
        """Wait for a query, then take every other waiting one up to ``max_batch``."""
        batch, item = [], self.requests.get()
        while item is not STOP:
            if item[1].set_running_or_notify_cancel():  # False: cancelled while waiting
                batch.append(item)
            if len(batch) == self.max_batch:
                return batch, False
            try:
                item = self.requests.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _serve(self) -> None:
        """The encoding thread's loop."""
        stopping = False
        while not stopping:
            batch, stopping = self._take()
            if not batch:
                continue
            try:
                vectors = encode([text for text, _ in batch], self.encoder)
            except Exception as exc:  # noqa: BLE001  (handed to the waiting requests)
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)
