"""Every frontend module parses and imports in Chromium (a syntax error anywhere fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
# main.js wires the live page and opens a websocket, so it is loaded by the page tests instead.
MODULES = sorted(
    p.relative_to(FRONTEND).as_posix()
    for p in FRONTEND.rglob("*.js")
    if p.name != "main.js"
)


@pytest.mark.parametrize("module", MODULES)
def test_module_imports(js: Page, module: str) -> None:
    exported = js.evaluate("async (m) => Object.keys(await import('/' + m))", module)
    assert exported, f"{module} exports nothing"
