"""frontend/ served as static files on a free loopback port, as the browser tests and the render
benchmark load it: module imports resolve against the same origin, no build step."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # Two frontends served one after the other on the same port must not share a cache.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def serve_frontend(folder: Path = FRONTEND) -> Iterator[str]:
    """Serve frontend/ (or another copy of it) until the block ends; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="frontend-static", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
