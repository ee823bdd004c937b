"""The page runs a shipped example by name: the server traces the checkout's own file
(`schedviz trace --live`), the page shows it as a run, and it lands in the library with the
example's source. Only shipped examples run: any other name, a path included, is refused."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.timeout(120)


def post(url: str) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, json.load(res)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_an_example_picked_on_the_page_is_traced_shown_and_recorded(  # type: ignore[no-untyped-def]
        app: Page, server: str, screenshot) -> None:
    with urllib.request.urlopen(f"{server}/api/examples") as res:
        names = [e["name"] for e in json.load(res)]
    assert "two_threads" in names and "process_map_chunks" in names
    expect(app.locator("#examples")).to_be_visible()
    app.select_option("#example-select", "two_threads")
    app.click("#example-run")
    timeline = app.locator("#timeline")
    app.wait_for_function("document.getElementById('timeline').dataset.runState === 'ended'"
                          " && +document.getElementById('timeline').dataset.lanes >= 3",
                          timeout=60_000)
    run_id = timeline.get_attribute("data-run-id")
    screenshot("example-two-threads")
    with urllib.request.urlopen(f"{server}/api/recordings/{run_id}") as res:
        rec = json.load(res)["recording"]
    assert rec["name"].startswith("two_threads")
    assert rec["has_source"] is True and rec["ended_reason"] == "completed"


@pytest.mark.parametrize("name", ["nope", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd",
                                  "two_threads.py"])
def test_only_shipped_examples_run(server: str, name: str) -> None:
    status, body = post(f"{server}/api/examples/{name}/run")
    if "%2F" in name:
        # A slash ends the name: no example route matches at all.
        assert status in (404, 405), body
    else:
        assert status == 404, body
        assert "the examples are:" in body["detail"]
    with urllib.request.urlopen(f"{server}/api/recordings") as res:
        assert json.load(res) == []
