"""Serving the app with uvicorn, with bounds on what one request or one client may cost.

A request's line and headers together may hold at most ``max_request_head`` bytes: a larger
head is answered 431 and the connection closed as soon as the limit is passed (uvicorn's C
parser keeps no such limit of its own). ``server_concurrency`` caps the connections a worker
serves at once (uvicorn answers 503 above it); :mod:`api.limits` caps each client's share.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from findings.settings import get_settings


def too_large_response() -> bytes:
    """The 431 answer, in the API's error shape."""
    body = b'{"detail": "the request line and headers are too large", "errors": []}'
    return (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request head over the configured size."""

    max_head = get_settings().max_request_head

    def on_message_begin(self) -> None:
        """A new request: its head starts empty."""
        super().on_message_begin()
        self.head_done = False

    def on_headers_complete(self) -> None:
        """The head is complete: the body is not counted."""
        self.head_done, self.head_bytes = True, 0
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        """Count the head's bytes before parsing them; answer 431 once over the limit."""
        if not getattr(self, "head_done", False):
            self.head_bytes = getattr(self, "head_bytes", 0) + len(data)
            if self.head_bytes > self.max_head:
                self.transport.write(too_large_response())
                self.transport.close()
                return
        super().data_received(data)
