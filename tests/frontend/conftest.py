"""Fixtures for frontend unit tests: Chromium loads the real ES modules from a static server.

The model and viewport modules are pure JavaScript; each test imports them inside a blank page
served from the same origin (so module imports resolve) and asserts on what they return.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeserver import fake  # noqa: F401  (the scripted server fixture, for every page test)
from playwright.sync_api import Page

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
HARNESS = "/__harness__.html"




class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def static_server() -> Iterator[str]:
    """Serve frontend/ on a free loopback port for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(FRONTEND))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="frontend-static", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def js(page: Page, static_server: str) -> Page:
    """A blank page on the static server's origin, ready for `import()` of frontend modules."""
    page.route(
        f"{static_server}{HARNESS}",
        lambda route: route.fulfill(
            content_type="text/html", body="<!doctype html><title>t</title>"
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{static_server}{HARNESS}")
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"
