"""The comparison page in Chromium against a real server: lesson 15 opened as
compare.html?lesson=…, a comparison started from its form, its progress, then the four real
timelines stacked on one axis, the table of wall, CPU and speedup as the server computed it,
and the lesson's observed summary; opened again by its address; reached from the main page."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 90_000


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def test_lesson_15_compares_the_executors_on_one_axis(page: Page, server: str,
                                                      screenshot: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server}/compare.html?lesson=processes-vs-threads")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    expect(page.locator("#lesson-title")).to_have_text(
        "Lesson 15: Processes vs threads, side by side")
    expect(page.locator("#lesson-prediction")).to_contain_text("how much faster")
    # the lesson's settings are in the form
    assert page.input_value("input[name=n_tasks]") == "4"
    assert page.input_value("select[name=start_method]") == "fork"
    page.click("#compare-start")
    expect(page.locator("#progress")).to_contain_text("Run ", timeout=10_000)
    page.wait_for_function("document.body.dataset.comparison === 'shown'",
                           timeout=RUN_TIMEOUT_MS)
    assert "comparison=" in page.url
    cid = int(page.url.split("comparison=")[1].split("&")[0])

    rows = page.locator(".compare-row")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-executor") for i in range(4)] == [
        "sequential", "threads", "processes", "asyncio"]
    # every row is a drawn timeline of the same span
    heights = page.eval_on_selector_all(".compare-row canvas", "cs => cs.map(c => c.height)")
    assert len(heights) == 4 and min(heights) > 50
    spans = page.evaluate("""() => [...document.querySelectorAll('.compare-row canvas')]
        .map(c => c.width)""")
    assert len(set(spans)) == 1

    summary = get(f"{server}/api/comparisons/{cid}/summary")["summary"]
    cells = page.eval_on_selector_all(
        "#summary tbody tr", "rs => rs.map(r => [r.dataset.executor, Number(r.dataset.wallNs),"
        " Number(r.dataset.cpuNs), r.cells[1].textContent, r.cells[3].textContent])")
    assert cells == [[r["executor"], r["wall_ns"], r["cpu_ns"], f"{round(r['wall_ns'] / 1e6)} ms",
                      f"{r['speedup']:.2f}×"] for r in summary]

    observed = get(f"{server}/api/comparisons/{cid}/observed?lesson=processes-vs-threads")
    keys = page.eval_on_selector_all("#observed li", "ls => ls.map(l => l.dataset.key)")
    assert keys == [o["key"] for o in observed["observations"]]
    speedup = next(o["value"] for o in observed["observations"]
                   if o["key"] == "speedup_processes")
    expect(page.locator("#observed li[data-key=speedup_processes] strong")).to_have_text(
        f"{speedup} ×")
    expect(page.locator(".banner.error")).to_have_count(0)
    page.click("#lesson-details summary")  # the explanation, folded once the results are in
    expect(page.locator("#lesson-explanation")).to_contain_text("Threads only add a call stack")
    expect(page.locator("#lesson-code .focus").first).to_contain_text("while True")
    page.click("#lesson-details summary")
    shot = screenshot("compare-lesson-15-1280x720")
    assert shot.stat().st_size > 10_000

    # zooming one row moves them all
    views = "() => [...document.querySelectorAll('.compare-row')].map(r => r.dataset.view)"
    before = page.evaluate(views)
    assert len(set(before)) == 1 and before[0].startswith("0:")
    page.locator(".compare-row canvas").nth(1).hover()  # scrolls it into view, pointer on it
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"(() => {{ const v = ({views})(); return new Set(v).size === 1 "
                           f"&& v[0] !== {json.dumps(before[0])}; }})()")
    # the same comparison opened by its address, in a fresh page load
    page.goto(f"{server}/compare.html?comparison={cid}")
    page.wait_for_function("document.body.dataset.comparison === 'shown'", timeout=30_000)
    expect(page.locator(".compare-row")).to_have_count(4)
    expect(page.locator("#lesson")).to_be_hidden()
    assert errors == []


def test_the_main_page_links_to_it_and_bad_settings_say_what_is_allowed(
        app: Page, server: str, screenshot: Any) -> None:
    app.click("#compare-link")
    app.wait_for_url(f"{server}/compare.html")
    app.wait_for_function("document.body.dataset.ready === 'true'")
    expect(app.locator("#n_tasks-range")).to_have_text("1–200")
    app.fill("input[name=max_workers]", "1")
    app.click("#compare-start")
    expect(app.locator(".banner.error")).to_contain_text(
        "max_workers must be from 2 to 64 for a comparison; got 1")
    screenshot("compare-refused")

    # a comparison started elsewhere (here: the API) is followed by a page opened without an id
    body = json.dumps({"workload": "sleep", "n_tasks": 2, "task_ms": 60, "max_workers": 2,
                       "start_method": "fork"}).encode()
    req = urllib.request.Request(f"{server}/api/comparisons", data=body, method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        cid = json.loads(resp.read())["id"]
    app.goto(f"{server}/compare.html")
    app.wait_for_function("document.body.dataset.comparison === 'shown'", timeout=RUN_TIMEOUT_MS)
    expect(app.locator(".compare-row")).to_have_count(4)
    expect(app.locator("#progress")).to_contain_text("comparison: sleep, 2 tasks × 60 ms")
    rows = get(f"{server}/api/comparisons/{cid}/summary")["summary"]
    assert app.eval_on_selector_all("#summary tbody tr", "rs => rs.map(r => r.dataset.executor)") \
        == [r["executor"] for r in rows]
