"""Per-client limits: at most ``client_concurrency`` requests of one client address at a time.

A client over its limit is answered 429 at once (with ``Retry-After``) instead of queueing
behind itself and slowing every other client; requests of other addresses are not affected.
"""

from __future__ import annotations

import json
from collections import Counter

REFUSED = json.dumps({"detail": "too many requests at once from this client: wait for some to finish",
                      "errors": []}).encode()


class ClientConcurrencyLimit:
    """ASGI middleware counting each client address's requests in flight."""

    def __init__(self, app, limit: int) -> None:
        """Wrap an ASGI app; ``limit`` 0 turns the limit off."""
        self.app = app
        self.limit = limit
        self.active: Counter[str] = Counter()

    async def __call__(self, scope, receive, send) -> None:
        """Pass the request on, or answer 429 if its client already has ``limit`` in flight."""
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        if self.active[client] >= self.limit:
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                                    (b"content-length", str(len(REFUSED)).encode())]})
            await send({"type": "http.response.body", "body": REFUSED})
            return
        self.active[client] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active[client] -= 1
            if not self.active[client]:
                del self.active[client]
