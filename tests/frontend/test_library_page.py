"""The Library panel against a scripted /api/recordings: rows, rename, keep, delete, upload."""

from __future__ import annotations

from typing import Any

from fakeserver import SCENARIOS, FakeServer, shot, status
from playwright.sync_api import Page, Route, expect

NS = 1_000_000_000


def recording(rid: str, name: str, **over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": rid, "name": name, "kept": False, "created_ns": 1_700_000_000 * NS,
        "ended_ns": 1_700_000_002 * NS,
        "config": {"executor": "threads", "workload": "sleep", "n_tasks": 12, "max_workers": 3},
        "schema_version": 4, "session": 1, "events": 1234, "first_t": 0, "last_t": 2_500_000_000,
        "bytes": 5 * 1024 * 1024, "ended_reason": "completed", "has_source": False, "live": False,
    }
    return {**rec, **over}


class Library:
    """Answers the library's REST calls from a list, and notes what the page asked for."""

    def __init__(self, page: Page, recordings: list[dict[str, Any]]) -> None:
        self.recordings = recordings
        self.requests: list[tuple[str, str, Any]] = []
        #: (status, detail) for the next PATCH / DELETE / import, instead of doing it
        self.refuse: tuple[int, str] | None = None
        page.route("**/api/recordings", self._list)
        page.route("**/api/recordings/*", self._one)

    def _list(self, route: Route) -> None:
        self.requests.append(("GET", "list", None))
        route.fulfill(json=self.recordings)

    def _one(self, route: Route) -> None:
        req = route.request
        rid = req.url.rsplit("/", 1)[1]
        body = req.post_data_buffer if rid == "import" else req.post_data_json
        self.requests.append((req.method, rid, body))
        if self.refuse:
            code, detail = self.refuse
            self.refuse = None
            route.fulfill(status=code, json={"detail": detail})
            return
        rec = next((r for r in self.recordings if r["id"] == rid), None)
        if req.method == "PATCH" and rec is not None:
            rec.update(req.post_data_json)
            route.fulfill(json={"recording": rec})
        elif req.method == "DELETE" and rec is not None:
            self.recordings.remove(rec)
            route.fulfill(status=204, body="")
        elif req.method == "POST" and rid == "import":
            new = recording("imported", "an imported run")
            self.recordings.insert(0, new)
            route.fulfill(status=201, json={"recording": new})
        else:
            route.fulfill(status=404, json={"detail": f"no recording {rid}"})


def open_library(page: Page, rows: int) -> None:
    page.click("#library-button")
    expect(page.locator("#library")).to_be_visible()
    expect(page.locator("#library")).to_have_attribute("data-rows", str(rows))


def row(page: Page, rid: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#library tr[data-id='{rid}']")


def test_rows_show_what_was_recorded(fake: FakeServer) -> None:
    page = fake.page
    preset = SCENARIOS[0]
    Library(page, [
        recording("r2", "live one", live=True, ended_ns=None, events=42, bytes=900),
        recording("r1", "the demo", kept=True, config=preset["config"], last_t=75_000_000_000,
                  created_ns=1_699_999_000 * NS),
    ])
    open_library(page, 2)
    rows = page.locator("#library tr[data-id]")
    expect(rows).to_have_count(2)
    # One session: under its heading, its runs in the order they ran (the server lists newest
    # first).
    expect(rows.nth(0)).to_have_attribute("data-id", "r1")
    heading = page.locator("#library tr.library-session[data-session='1']")
    expect(heading).to_contain_text("Session 1")
    expect(heading).to_contain_text("2 runs")
    expect(heading.locator(".library-replay-session")).to_have_text("▶ Replay session")
    expect(heading.locator("a.library-session-html")).to_have_attribute(
        "href", "/api/sessions/1/export?format=html")
    live = row(page, "r2")
    expect(live).to_contain_text("● recording")
    expect(live).to_contain_text("threads · sleep · 12 tasks · max_workers 3")
    expect(live).to_contain_text("2.5 s")
    expect(live.locator(".library-events")).to_have_text("42")
    expect(live).to_contain_text("900 B")
    expect(live.locator(".mark-kept")).to_have_count(0)
    kept = row(page, "r1")
    expect(kept.locator(".mark-kept")).to_have_text("★")
    expect(kept).to_contain_text(preset["title"])  # a preset's run is named by its title
    expect(kept).to_contain_text("75 s")
    expect(kept).to_contain_text("1,234")
    expect(kept).to_contain_text("5 MiB")
    expect(kept.locator(".library-keep")).to_have_text("Unkeep")
    download = kept.locator("a.library-download")
    expect(download).to_have_attribute("href", "/api/recordings/r1/export?format=recording")
    expect(kept.locator("a.library-perfetto")).to_have_attribute(
        "href", "/api/recordings/r1/export?format=perfetto")
    expect(kept.locator("a.library-html")).to_have_attribute(
        "href", "/api/recordings/r1/export?format=html")
    # A finished recording can be replayed; one still being recorded not yet.
    expect(kept.locator(".library-replay")).to_have_text("▶ Replay")
    expect(live.locator(".library-replay")).to_have_count(0)
    shot(page, "library-page")


def test_empty_library_says_how_runs_get_there(fake: FakeServer) -> None:
    Library(fake.page, [])
    open_library(fake.page, 0)
    expect(fake.page.locator(".library-empty")).to_contain_text("Every run is recorded here")
    expect(fake.page.locator(".library-empty")).to_contain_text("Keep")


def test_rename_sends_the_name_and_shows_a_refusal(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [recording("r1", "old name")])
    open_library(page, 1)
    r = row(page, "r1")

    # Escape cancels: nothing is sent.
    r.get_by_role("button", name="Rename").click()
    r.locator("input.library-rename").fill("never sent")
    r.locator("input.library-rename").press("Escape")
    expect(r.locator(".name")).to_have_text("old name")

    # Refused: the server's message next to the input, which stays for another try.
    r.get_by_role("button", name="Rename").click()
    lib.refuse = (400, "a name has at least one character that is not a space")
    r.locator("input.library-rename").fill("   ")
    r.locator("input.library-rename").press("Enter")
    expect(r.locator(".row-error")).to_have_text(
        "Refused: a name has at least one character that is not a space")
    expect(r.locator("input.library-rename")).to_be_visible()
    assert [q for q in lib.requests if q[0] == "PATCH"] == [("PATCH", "r1", {"name": "   "})]

    r.locator("input.library-rename").fill("Lecture 3: threads")
    r.locator("input.library-rename").press("Enter")
    expect(r.locator(".name")).to_have_text("Lecture 3: threads")
    assert lib.requests[-2] == ("PATCH", "r1", {"name": "Lecture 3: threads"})
    assert lib.requests[-1] == ("GET", "list", None)  # and the list is fetched again


def test_keep_sends_kept(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [recording("r1", "a run")])
    open_library(page, 1)
    row(page, "r1").locator(".library-keep").click()
    expect(row(page, "r1").locator(".mark-kept")).to_have_text("★")
    assert ("PATCH", "r1", {"kept": True}) in lib.requests
    row(page, "r1").locator(".library-keep").click()
    expect(row(page, "r1").locator(".mark-kept")).to_have_count(0)
    assert lib.requests.count(("PATCH", "r1", {"kept": False})) == 1


def test_delete_asks_first(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [recording("r2", "second"), recording("r1", "first")])
    open_library(page, 2)
    r = row(page, "r1")
    r.get_by_role("button", name="Delete").click()
    expect(r).to_contain_text("Delete it for good?")
    r.get_by_role("button", name="Cancel").click()
    expect(r.get_by_role("button", name="Delete")).to_be_visible()
    assert not [q for q in lib.requests if q[0] == "DELETE"]

    r.get_by_role("button", name="Delete").click()
    r.get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#library")).to_have_attribute("data-rows", "1")
    expect(r).to_have_count(0)
    assert [q for q in lib.requests if q[0] == "DELETE"] == [("DELETE", "r1", None)]


def test_delete_of_a_live_recording_shows_the_refusal(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [recording("r1", "running", live=True)])
    open_library(page, 1)
    lib.refuse = (409, "recording r1 is still being recorded; stop the run first")
    row(page, "r1").get_by_role("button", name="Delete").click()
    row(page, "r1").get_by_role("button", name="Yes, delete").click()
    expect(row(page, "r1").locator(".row-error")).to_contain_text("still being recorded")


def test_upload_of_a_bad_file_shows_the_refusal(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [recording("r1", "a run")])
    open_library(page, 1)
    lib.refuse = (400, "this is not a schedviz recording file (no magic bytes)")
    page.set_input_files("#library-file", files=[
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    message = page.locator("#library-message")
    expect(message).to_have_text(
        "Refused notes.txt: this is not a schedviz recording file (no magic bytes)")
    expect(message).to_have_attribute("data-level", "error")
    assert ("POST", "import", b"hello") in lib.requests
    expect(page.locator("#library")).to_have_attribute("data-rows", "1")

    # A good file: the new row appears.
    page.set_input_files("#library-file", files=[
        {"name": "good.schedviz", "mimeType": "application/octet-stream", "buffer": b"ok"}])
    expect(message).to_contain_text("Imported “an imported run”")
    expect(row(page, "imported")).to_be_visible()


def test_the_list_refreshes_when_a_run_ends(fake: FakeServer) -> None:
    page = fake.page
    lib = Library(page, [])
    open_library(page, 0)
    lib.recordings.append(recording("r9", "just ended"))
    fake.send(status("r9", "ended"))
    expect(row(page, "r9")).to_be_visible()
    page.click("#library-button")  # closes it
    expect(page.locator("#library")).to_be_hidden()
    fetches = lib.requests.count(("GET", "list", None))
    fake.send(status("r10", "ended"))
    page.wait_for_timeout(200)
    assert lib.requests.count(("GET", "list", None)) == fetches
