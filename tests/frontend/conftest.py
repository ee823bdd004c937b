"""Fixtures for frontend unit tests: Chromium loads the real ES modules from a static server.

The model and viewport modules are pure JavaScript; each test imports them inside a blank page
served from the same origin (so module imports resolve) and asserts on what they return.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakeserver import fake  # noqa: F401  (the scripted server fixture, for every page test)
from playwright.sync_api import Page
from static_server import serve_frontend

HARNESS = "/__harness__.html"


@pytest.fixture(scope="session")
def static_server() -> Iterator[str]:
    """Serve frontend/ on a free loopback port for the whole session."""
    with serve_frontend() as base:
        yield base


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
