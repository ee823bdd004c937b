"""End-to-end fixtures: a real `schedviz serve` on a free loopback port, driven by Chromium.

Each test gets its own server (a fresh run history), started in its own process group so the
server and the lab processes it starts are all stopped at the end, and checked to be gone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from serverproc import serve

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A projector-sized window."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 950}}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Base URL of a fresh `schedviz serve`; stops it and its lab processes afterwards."""
    with serve(tmp_path / "data", tmp_path / "server.log") as (url, _):
        yield url


@pytest.fixture
def app(page: Page, server: str) -> Page:
    """The app's page, loaded and connected to the server's websocket."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    page.wait_for_function("document.getElementById('connection').dataset.state === 'open'")
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def screenshot(page: Page, output_path: str) -> Any:
    """Save a full-page screenshot as a test artefact (and under test-results/screenshots)."""

    def take(name: str) -> Path:
        target = Path(output_path) / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, SCREENSHOTS / target.name)
        return target

    return take
