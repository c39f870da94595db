"""``Server-Timing: app;dur=<ms>`` on every answer.

The time from the request reaching the app to its response starting: what the page benchmark
reads as server time.
"""

from __future__ import annotations

import time


class ServerTiming:
    """ASGI middleware adding the app's time to each response's headers."""

    def __init__(self, app) -> None:
        """Wrap an ASGI app."""
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Pass the request on; stamp the response start with the elapsed milliseconds."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def stamped(message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - start) * 1000
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"server-timing", f"app;dur={elapsed:.1f}".encode())]}
            await send(message)

        await self.app(scope, receive, stamped)
