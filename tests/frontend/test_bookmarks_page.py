"""Bookmarks on the page against a scripted server: added with the button and with `b`, drawn
as a flag in their own row, described on hover, listed beside the timeline, deleted."""

from __future__ import annotations

from typing import Any

from fakeserver import FakeServer, shot, status
from playwright.sync_api import Page, Route, expect
from synthetic_runs import batch


class Bookmarks:
    """Answers /api/recordings/{id}/bookmarks and /api/bookmarks/{id} from a list."""

    def __init__(self, page: Page, events: list[dict[str, Any]]) -> None:
        self.t_of = {e["seq"]: e["t"] for e in events}
        self.marks: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.refuse: tuple[int, str] | None = None
        page.route("**/api/recordings/*/bookmarks", self._list)
        page.route("**/api/bookmarks/*", self._one)

    def _list(self, route: Route) -> None:
        req = route.request
        self.requests.append((req.method, req.url, req.post_data_json))
        if req.method == "POST":
            if self.refuse:
                code, detail = self.refuse
                self.refuse = None
                route.fulfill(status=code, json={"detail": detail})
                return
            body = req.post_data_json
            mark = {"id": len(self.marks) + 1, "recording": "r1", "seq": body["seq"],
                    "t": self.t_of[body["seq"]], "note": body["note"]}
            self.marks.append(mark)
            route.fulfill(status=201, json={"bookmark": mark})
        else:
            route.fulfill(json=self.marks)

    def _one(self, route: Route) -> None:
        req = route.request
        bid = int(req.url.rsplit("/", 1)[1])
        self.requests.append((req.method, req.url, req.post_data_json))
        mark = next(m for m in self.marks if m["id"] == bid)
        if req.method == "DELETE":
            self.marks.remove(mark)
            route.fulfill(status=204, body="")
        else:
            mark.update(req.post_data_json)
            route.fulfill(json={"bookmark": mark})

    def posts(self) -> list[Any]:
        return [body for method, url, body in self.requests if method == "POST"]


def show_run(fake: FakeServer) -> list[dict[str, Any]]:
    events = batch(12, 3).events
    fake.send(status("r1", "ended"))
    fake.send({"type": "events", "run_id": "r1", "events": events})
    expect(fake.page.locator("#timeline")).to_have_attribute("data-events", str(len(events)))
    return events


def flag_probe(page: Page, bid: int) -> dict[str, Any]:
    """The bookmark's flag position on the live canvas and the colour found there."""
    got: dict[str, Any] = page.evaluate("""async (bid) => {
        const { FLAG_COLOR } = await import('/render/core/bookmarks.js');
        const view = window.schedviz.view;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const mark = view.store.model.bookmarks.list.find((b) => b.id === bid);
        const box = view.layout.boxes.bookmarks;
        const x = view.layout.plotX + view.viewport.toX(mark.t);
        const y = box.y + box.h / 2;
        const dpr = view.canvas.width / view.layout.width;
        const px = view.ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
        const hex = (c) => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
        return { x, y, h: box.h, rgb: Array.from(px.slice(0, 3)), flag: hex(FLAG_COLOR) };
    }""", bid)
    return got


def test_bookmarks_are_added_drawn_described_and_deleted(fake: FakeServer) -> None:
    page = fake.page
    events = show_run(fake)
    server = Bookmarks(page, events)
    last_seq = max(e["seq"] for e in events)
    # A run without bookmarks has no bookmarks row.
    assert page.evaluate("window.schedviz.view.layout.boxes.bookmarks.h") == 0

    page.click("#bookmark-button")
    note = page.locator("#bookmark-note")
    expect(note).to_be_focused()
    note.fill("all three workers busy")
    note.press("Enter")
    expect(page.locator("#bookmarks")).to_have_attribute("data-count", "1")
    assert server.posts() == [{"seq": last_seq, "note": "all three workers busy"}]

    # `b` opens the prompt too; Escape cancels without a request; an empty note is fine.
    page.locator("#timeline-canvas").click(position={"x": 5, "y": 5})
    page.keyboard.press("b")
    expect(note).to_be_focused()
    note.press("Escape")
    expect(page.locator("#bookmark-prompt")).to_be_hidden()
    assert len(server.posts()) == 1
    page.keyboard.press("b")
    note.press("Enter")
    expect(page.locator("#bookmarks")).to_have_attribute("data-count", "2")
    assert server.posts()[1] == {"seq": last_seq, "note": ""}
    # Typing `b` in a text field is typing, not a bookmark.
    page.locator("#n_tasks").focus()
    page.keyboard.press("b")
    expect(page.locator("#bookmark-prompt")).to_be_hidden()

    probe = flag_probe(page, 1)
    assert probe["h"] == 22
    assert probe["rgb"] == probe["flag"], probe
    expect(page.locator("#bookmarks li[data-id='1']")).to_contain_text("all three workers busy")

    box = page.locator("#timeline-canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + probe["x"] + 6, box["y"] + probe["y"])
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Bookmark")
    expect(tooltip).to_contain_text(f"seq {last_seq}")
    shot(page, "bookmarks-page")

    # A refusal is shown.
    server.refuse = (404, "no recording r1")
    page.click("#bookmark-button")
    note.press("Enter")
    expect(page.locator("#bookmark-message")).to_contain_text("no recording r1")

    # Edit inline, then delete after the confirm.
    item = page.locator("#bookmarks li[data-id='2']")
    item.locator(".bookmark-edit").click()
    item.locator(".bookmark-note-edit").fill("second look")
    item.locator(".bookmark-note-edit").press("Enter")
    expect(item).to_contain_text("second look")
    assert ("PATCH", server.requests[-2][1], {"note": "second look"}) == server.requests[-2]
    item.locator(".bookmark-delete").click()
    expect(item.locator(".bookmark-delete")).to_have_text("Really delete?")
    assert not any(m == "DELETE" for m, _, _ in server.requests)
    item.locator(".bookmark-delete").click()
    expect(page.locator("#bookmarks")).to_have_attribute("data-count", "1")
    deleted = [u for m, u, _ in server.requests if m == "DELETE"]
    assert deleted and deleted[0].endswith("/api/bookmarks/2")


def test_clicking_a_bookmark_centres_the_view_on_it(fake: FakeServer) -> None:
    page = fake.page
    events = show_run(fake)
    server = Bookmarks(page, events)
    seq = events[len(events) // 3]["seq"]
    server.marks.append(
        {"id": 7, "recording": "r1", "seq": seq, "t": server.t_of[seq], "note": "early"})
    fake.send(status("r1", "ended"))
    page.evaluate("window.schedviz.view.fit()")
    page.keyboard.press("b")
    page.locator("#bookmark-note").press("Escape")
    # Reload the list as after a change, then click the time.
    page.click("#bookmark-button")
    page.locator("#bookmark-note").press("Enter")
    page.locator("#bookmarks li[data-id='7'] .bookmark-time").click()
    centre = page.evaluate(
        "(() => { const v = window.schedviz.view.viewport; return (v.t0 + v.t1) / 2; })()")
    assert abs(centre - server.t_of[seq]) < 1e6
    expect(page.locator("#live")).not_to_have_class("active")
