"""The Library panel end to end: a real run lands in the library, where it is renamed, kept and
downloaded as a recording file through the page."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_processes import run_and_wait

from schedviz.storage.archive import MAGIC

pytestmark = pytest.mark.timeout(120)


def recordings(server: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(f"{server}/api/recordings") as res:
        listed: list[dict[str, object]] = json.load(res)
    return listed


def test_a_run_is_renamed_kept_and_downloaded(app: Page, server: str, screenshot,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    app.select_option("#preset", "io-threads")
    run_id = run_and_wait(app)

    app.click("#library-button")
    row = app.locator(f"#library tr[data-id='{run_id}']")
    expect(row).to_be_visible()
    expect(row.locator(".mark-live")).to_have_count(0)
    (rec,) = [r for r in recordings(server) if r["id"] == run_id]
    assert isinstance(rec["events"], int) and rec["events"] > 0
    expect(row.locator(".library-events")).to_have_text(f"{rec['events']:,}")
    expect(row).to_contain_text("Sleeping (I/O-like) tasks on threads")  # the preset's title

    row.get_by_role("button", name="Rename").click()
    row.locator("input.library-rename").fill("Lecture 1: threads wait together")
    row.locator("input.library-rename").press("Enter")
    expect(row.locator(".name")).to_have_text("Lecture 1: threads wait together")

    row.locator(".library-keep").click()
    expect(row.locator(".mark-kept")).to_have_text("★")
    expect(row.locator(".library-keep")).to_have_text("Unkeep")
    (rec,) = [r for r in recordings(server) if r["id"] == run_id]
    assert rec["name"] == "Lecture 1: threads wait together"
    assert rec["kept"] is True

    with app.expect_download() as info:
        row.locator("a.library-download").click()
    download = info.value
    assert download.suggested_filename == f"{run_id}.schedviz"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(MAGIC)

    app.locator("#library").scroll_into_view_if_needed()
    screenshot("library")
