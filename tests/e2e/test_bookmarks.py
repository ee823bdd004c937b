"""Bookmarks end to end: one added through the page after a real run is kept with the
recording and exported to Perfetto as a global instant."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_processes import run_and_wait

pytestmark = pytest.mark.timeout(120)


def get(url: str) -> Any:
    with urllib.request.urlopen(url) as res:
        return json.load(res)


def test_a_bookmark_added_after_a_run_is_listed_and_exported(app: Page, server: str,  # type: ignore[no-untyped-def]
                                                              screenshot) -> None:
    app.select_option("#preset", "io-threads")
    run_id = run_and_wait(app)

    app.click("#bookmark-button")
    app.locator("#bookmark-note").fill("every worker waited together")
    app.locator("#bookmark-note").press("Enter")
    expect(app.locator("#bookmarks")).to_have_attribute("data-count", "1")
    expect(app.locator("#bookmarks")).to_contain_text("every worker waited together")

    rec = get(f"{server}/api/recordings/{run_id}")
    (mark,) = rec["bookmarks"]
    assert mark["note"] == "every worker waited together"
    assert mark["seq"] == app.evaluate("window.schedviz.store.lastSeq")

    trace = get(f"{server}/api/recordings/{run_id}/export?format=perfetto")
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    instants = [e for e in events if e.get("ph") in ("i", "I") and e.get("s") == "g"]
    assert any("every worker waited together" in json.dumps(e) for e in instants), instants

    assert app.evaluate("window.schedviz.view.layout.boxes.bookmarks.h") == 22
    screenshot("bookmarks")
