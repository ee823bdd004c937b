"""The course in the page: every lesson the server lists runs in Chromium to its end and shows
its explanation, its prediction and the observed summary of its own run, without an error, in
the normal layout and in presenter mode at 1280x720 (the timeline in the upper half). Also the
address (a lesson with its settings; bad values named with what is allowed), the settings line
of a run started elsewhere, the PNG of the timeline and the `?` list of shortcuts.

One real server serves the whole module; each lesson runs once (the presenter screenshot is the
same run with the window switched to the projector's size)."""

from __future__ import annotations

import json
import struct
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from schedviz.lessons import all_lessons
from schedviz.protocol import RunConfig
from serverproc import serve

pytestmark = pytest.mark.timeout(180)

LESSON_IDS = [lesson.id for lesson in all_lessons()]
PROJECTOR: ViewportSize = {"width": 1280, "height": 720}
RUN_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def course_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real `schedviz serve` for every test of the module."""
    root = tmp_path_factory.mktemp("course")
    with serve(root / "data", root / "server.log") as (url, _):
        yield url


@pytest.fixture(scope="module")
def listed(course_server: str) -> dict[str, dict[str, Any]]:
    """The lessons as GET /api/lessons lists them, by id."""
    return {lesson["id"]: lesson for lesson in get_json(f"{course_server}/api/lessons")}


@pytest.fixture
def course(page: Page, course_server: str) -> Iterator[Page]:
    """The page (not loaded yet); fails the test on an uncaught error in it."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url) as res:
        return json.load(res)


def post_json(url: str, body: dict[str, Any]) -> Any:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as res:
        return json.load(res)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.getElementById('connection').dataset.state === 'open'")


def wait_ended(page: Page, run_id: str | None = None, *, after: str | None = None) -> str:
    """Wait until the timeline shows an ended run (that run, if given; else not run `after`, the
    one shown before); its id."""
    page.wait_for_function(
        """([want, old]) => {
          const t = document.getElementById('timeline');
          return t.dataset.runState === 'ended' && !!t.dataset.runId
            && (want ? t.dataset.runId === want : t.dataset.runId !== old);
        }""", arg=[run_id, after], timeout=RUN_TIMEOUT_MS)
    return page.get_attribute("#timeline", "data-run-id") or ""


def run_lesson(page: Page) -> str:
    """Press the lesson's Run; the id of its run, once it ended and its summary is shown."""
    page.click("#lesson .lesson-run")
    page.wait_for_function(
        "['ready', 'error'].includes(document.getElementById('lesson').dataset.observed)",
        timeout=RUN_TIMEOUT_MS)
    panel = page.locator("#lesson")
    message = panel.locator(".lesson-observed-status").text_content()
    assert panel.get_attribute("data-observed") == "ready", message
    run_id = panel.get_attribute("data-recording") or ""
    return wait_ended(page, run_id)


def no_error_shown(page: Page) -> None:
    expect(page.locator(".banner.error")).to_have_count(0)
    expect(page.locator(".lesson-observed[data-state='error']")).to_have_count(0)


def limits(name: str) -> tuple[int | float, int | float]:
    prop = RunConfig.model_json_schema()["properties"][name]
    return prop["minimum"], prop["maximum"]


def test_the_page_offers_every_lesson_the_server_lists(listed: dict[str, dict[str, Any]]) -> None:
    # The parametrization below is the package's own list: it must be what the server lists.
    assert list(listed) == LESSON_IDS
    assert [lesson["number"] for lesson in listed.values()] == sorted(
        lesson["number"] for lesson in listed.values())


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_runs_to_its_end_with_its_observed_summary(  # type: ignore[no-untyped-def]
        course: Page, course_server: str, listed: dict[str, dict[str, Any]], lesson_id: str,
        screenshot) -> None:
    lesson = listed[lesson_id]
    name = f"lesson-{lesson['number']:02d}-{lesson_id}"
    if lesson["kind"] == "compare":
        run_comparison(course, course_server, lesson, name, screenshot)
        return
    open_page(course, f"{course_server}/?lesson={lesson_id}")
    panel = course.locator(f"#lesson[data-lesson='{lesson_id}']")
    expect(panel).to_be_visible()
    # The class predicts first: nothing observed is shown before the run.
    expect(panel.locator(".lesson-observation")).to_have_count(0)
    expect(panel.locator(".lesson-explanation")).to_have_text(lesson["explanation"])
    expect(panel.locator(".lesson-prediction-text")).to_have_text(lesson["prediction"])
    before = course.get_attribute("#timeline", "data-run-id")
    # The summary shown is the one of the run on screen, as the server computes it.
    run_id = run_lesson(course)
    assert run_id != before
    answer = get_json(f"{course_server}/api/lessons/{lesson_id}/observed?recording={run_id}")
    rows = panel.locator(".lesson-observation")
    expect(rows).to_have_count(len(answer["observations"]))
    assert len(answer["observations"]) >= 1
    for i, obs in enumerate(answer["observations"]):
        expect(rows.nth(i).locator("dt")).to_have_text(obs["label"])
        assert rows.nth(i).get_attribute("data-key") == obs["key"]
    expect(course.locator(".lesson-explanation")).to_be_visible()
    no_error_shown(course)
    screenshot(name)
    presenter_view(course, name, screenshot)
    # The same run, not a second one.
    assert course.get_attribute("#timeline", "data-run-id") == run_id


def presenter_view(page: Page, name: str, screenshot: Any) -> None:
    """Switch the window to the projector's size and presenter mode (key p); check the layout."""
    page.set_viewport_size(PROJECTOR)
    page.keyboard.press("p")
    expect(page.locator("body[data-presenter='1']")).to_have_count(1)
    assert "presenter=1" in page.url
    # Laid out again at the new size: the canvas follows its box on the next frame.
    page.wait_for_function(
        "Math.abs(document.getElementById('timeline-canvas').getBoundingClientRect().width"
        " - document.getElementById('timeline').clientWidth) < 2")
    screenshot(f"{name}-presenter")
    top = page.eval_on_selector("#timeline-canvas", "e => e.getBoundingClientRect().top")
    assert 0 <= top < PROJECTOR["height"] / 2, f"the timeline starts at {top} px of 720"
    lesson = page.locator("#lesson")
    if lesson.is_visible():
        box = lesson.bounding_box()
        canvas = page.locator("#timeline-canvas").bounding_box()
        assert box is not None and canvas is not None
        # Beside the timeline, in the upper half as well, and on the screen.
        assert box["x"] + box["width"] <= canvas["x"] or box["x"] >= canvas["x"] + canvas["width"]
        assert box["y"] < PROJECTOR["height"] / 2
        assert box["y"] + box["height"] <= PROJECTOR["height"]
    no_error_shown(page)


def run_comparison(page: Page, server: str, lesson: dict[str, Any], name: str,
                   screenshot: Any) -> None:
    """A compare lesson: its link in the page opens compare.html?lesson=<id>, which runs it."""
    open_page(page, f"{server}/?lesson={lesson['id']}")
    link = page.locator("#lesson a.lesson-compare")
    expect(link).to_have_attribute("href", f"compare.html?lesson={lesson['id']}")
    expect(page.locator("#lesson .lesson-explanation")).to_have_text(lesson["explanation"])
    link.click()
    page.wait_for_url(f"**/compare.html?lesson={lesson['id']}")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    expect(page.locator("#lesson-explanation")).to_have_text(lesson["explanation"])
    expect(page.locator("#lesson-prediction")).to_have_text(lesson["prediction"])
    expect(page.locator("#observed-box")).to_be_hidden()
    page.click("#compare-start")
    page.wait_for_function("document.body.dataset.comparison === 'shown'"
                           " || document.querySelector('.banner.error') !== null",
                           timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".banner.error")).to_have_count(0)
    expect(page.locator("#observed-box")).to_be_visible()
    assert page.locator("#observed li").count() >= 1
    screenshot(name)
    page.set_viewport_size(PROJECTOR)
    screenshot(f"{name}-presenter")


def test_a_lesson_address_restores_the_lesson_and_its_settings(course: Page,
                                                              course_server: str) -> None:
    lesson_id = LESSON_IDS[0]
    open_page(course, f"{course_server}/?lesson={lesson_id}&n_tasks=9&max_workers=2&presenter=1")
    expect(course.locator(f"#lesson[data-lesson='{lesson_id}']")).to_be_visible()
    expect(course.locator("#lesson-select")).to_have_value(lesson_id)
    expect(course.locator("body[data-presenter='1']")).to_have_count(1)
    expect(course.locator("#lesson input[name='n_tasks']")).to_have_value("9")
    expect(course.locator("#lesson input[name='max_workers']")).to_have_value("2")
    expect(course.locator("#n_tasks")).to_have_value("9")
    no_error_shown(course)
    # A knob moved is in the address at once, ready to bookmark.
    course.fill("#lesson input[name='n_tasks']", "7")
    course.press("#lesson input[name='n_tasks']", "Tab")
    course.wait_for_function("location.search.includes('n_tasks=7')")
    assert "max_workers=2" in course.url and f"lesson={lesson_id}" in course.url
    # The run is the address' settings, as its own run_started says.
    run_id = run_lesson(course)
    events = [json.loads(line) for line in urllib.request.urlopen(
        f"{course_server}/api/recordings/{run_id}/events").read().decode().splitlines() if line]
    config = events[0]["config"]
    assert (config["n_tasks"], config["max_workers"]) == (7, 2)
    # Reopened from the address, the recording shows its lesson and what it showed; presenter
    # mode on the projector keeps the replayed timeline in the upper half, its bar included.
    course.set_viewport_size(PROJECTOR)
    course.goto(f"{course_server}/?recording={run_id}&lesson={lesson_id}&presenter=1")
    course.wait_for_function("document.body.dataset.replay === 'ready'")
    course.wait_for_function("document.getElementById('lesson').dataset.observed === 'ready'")
    assert course.get_attribute("#lesson", "data-recording") == run_id
    expect(course.locator("#run-settings")).to_contain_text("7 tasks")
    expect(course.locator("#replay")).to_be_visible()
    top = course.eval_on_selector("#timeline-canvas", "e => e.getBoundingClientRect().top")
    assert 0 <= top < PROJECTOR["height"] / 2, f"the replayed timeline starts at {top} px of 720"
    # This browser remembers which lesson the run was: the recording alone shows it too (as when
    # it is opened from the library), and the address gains the lesson.
    course.goto(f"{course_server}/?recording={run_id}")
    course.wait_for_function("document.getElementById('lesson').dataset.observed === 'ready'")
    expect(course.locator(f"#lesson[data-lesson='{lesson_id}']")).to_be_visible()
    assert f"lesson={lesson_id}" in course.url and f"recording={run_id}" in course.url


def test_a_live_knob_changes_the_lessons_running_run(course: Page, course_server: str) -> None:
    lesson_id = LESSON_IDS[0]
    assert "max_workers" in next(iter(
        lesson["knobs"] for lesson in get_json(f"{course_server}/api/lessons")
        if lesson["id"] == lesson_id))
    open_page(course, f"{course_server}/?lesson={lesson_id}&n_tasks=90&task_ms=100&max_workers=2")
    before = course.get_attribute("#timeline", "data-run-id")
    course.click("#lesson .lesson-run")
    course.wait_for_function(
        "(b) => { const t = document.getElementById('timeline');"
        " return t.dataset.runId !== b && t.dataset.runState === 'running'"
        " && +t.dataset.lanes === 2; }", arg=before, timeout=RUN_TIMEOUT_MS)
    course.fill("#lesson input[name='max_workers']", "5")
    course.press("#lesson input[name='max_workers']", "Tab")
    # The running pool is resized: a marker at the change, five lanes working.
    course.wait_for_function(
        "() => { const t = document.getElementById('timeline');"
        " return +t.dataset.markers >= 1 && +t.dataset.activeLanes === 5; }",
        timeout=RUN_TIMEOUT_MS)
    course.evaluate("document.activeElement.blur()")  # keys go to the page, not to a field
    # Another viewer's change shows in the knob: it is the run's value now.
    req = urllib.request.Request(f"{course_server}/api/runs/current", method="PATCH",
                                 data=json.dumps({"max_workers": 3}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    expect(course.locator("#lesson input[name='max_workers']")).to_have_value("3")
    course.keyboard.press("x")
    wait_ended(course, course.get_attribute("#timeline", "data-run-id"))


def test_bad_address_values_are_refused_with_the_allowed_range(course: Page,
                                                               course_server: str) -> None:
    lesson_id = LESSON_IDS[0]
    low, high = limits("n_tasks")
    open_page(course, f"{course_server}/?lesson={lesson_id}&n_tasks={high + 1}&presenter=yes"
                      "&executor=fibers")
    banner = course.locator(".banner.error[data-key='url']")
    expect(banner).to_contain_text(
        f"n_tasks={high + 1} is out of range: n_tasks takes {low}–{high}")
    expect(banner).to_contain_text("presenter=yes is not allowed: use presenter=1")
    expect(banner).to_contain_text("executor=fibers is not allowed: executor is one of threads, "
                                   "processes, asyncio")
    # The rest of the address still applies; the refused value is not used.
    expect(course.locator(f"#lesson[data-lesson='{lesson_id}']")).to_be_visible()
    expect(course.locator("#lesson input[name='n_tasks']")).not_to_have_value(str(high + 1))
    open_page(course, f"{course_server}/?lesson=no-such-lesson")
    expect(course.locator(".banner.error[data-key='url-lesson']")).to_contain_text(
        f"lesson=no-such-lesson is not a lesson here: the lessons are {', '.join(LESSON_IDS)}")


def test_the_page_shows_the_settings_of_the_run_it_displays(course: Page,
                                                            course_server: str) -> None:
    open_page(course, course_server)
    # This tab's form says threads, sleep, 12 tasks; another client starts something else.
    expect(course.locator("#executor")).to_have_value("threads")
    config = {"executor": "processes", "workload": "cpu", "n_tasks": 40, "task_ms": 5,
              "max_workers": 2, "submit_mode": "map", "chunksize": 10, "start_method": "fork"}
    run_id = post_json(f"{course_server}/api/runs", config)["run"]["run_id"]
    wait_ended(course, run_id)
    settings = course.locator("#run-settings")
    expected = "processes (fork) · cpu · 40 tasks × 5 ms · max_workers 2 · map() chunksize 10"
    # The form says what the run runs; the line says it too, folded while the form does.
    for field, value in (("executor", "processes"), ("workload", "cpu"), ("n_tasks", "40"),
                         ("max_workers", "2"), ("submit_mode", "map"), ("chunksize", "10")):
        expect(course.locator(f"#{field}")).to_have_value(value)
    expect(settings).to_have_text(f"this run: {expected}")
    assert settings.get_attribute("data-run-id") == run_id
    expect(settings).to_be_hidden()
    # Once the form says something else (the next run's settings), the line shows this run's.
    course.fill("#n_tasks", "5")
    expect(settings).to_be_visible()
    # In presenter mode the form is folded away: the line says it, even when they agree.
    course.fill("#n_tasks", "40")
    expect(settings).to_be_hidden()
    course.evaluate("document.activeElement.blur()")  # keys go to the page, not to a field
    course.keyboard.press("p")
    expect(course.locator("body[data-presenter='1']")).to_have_count(1)
    expect(settings).to_be_visible()
    # A replay of it says the same, from its recording.
    open_page(course, f"{course_server}/?recording={run_id}&presenter=1")
    course.wait_for_function("document.body.dataset.replay === 'ready'")
    expect(settings).to_have_text(f"this run: {expected}")
    expect(settings).to_be_visible()
    expect(course.locator("#executor")).to_have_value("processes")
    # A traced program's run says which program it is.
    open_page(course, course_server)
    post_json(f"{course_server}/api/examples/two_threads/run", {})
    wait_ended(course, after=run_id)
    expect(settings).to_contain_text("schedviz trace two_threads.py")
    expect(settings).to_be_visible()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_visible_timeline_saves_as_a_png_of_the_canvas(course: Page, course_server: str,
                                                           tmp_path: Path) -> None:
    lesson_id = LESSON_IDS[0]
    open_page(course, f"{course_server}/?lesson={lesson_id}&n_tasks=6")
    run_id = run_lesson(course)
    size = course.eval_on_selector("#timeline-canvas", "c => [c.width, c.height]")
    with course.expect_download() as got:
        course.keyboard.press("e")
    download = got.value
    number = next(n for n, lid in enumerate(LESSON_IDS, 1) if lid == lesson_id)
    assert download.suggested_filename == (
        f"schedviz-lesson-{number}-{lesson_id}-run-{run_id[:8]}.png")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert list(png_size(path.read_bytes())) == size
    # The canvas is at device pixels: twice its CSS size on a 2x screen.
    course.set_viewport_size(PROJECTOR)
    with course.expect_download() as got:
        course.click("#png-button")
    path2 = tmp_path / "second.png"
    got.value.save_as(path2)
    size2 = course.eval_on_selector("#timeline-canvas", "c => [c.width, c.height]")
    assert list(png_size(path2.read_bytes())) == size2
    css_width = course.eval_on_selector("#timeline-canvas", "c => c.getBoundingClientRect().width")
    ratio = course.evaluate("devicePixelRatio")
    assert abs(size2[0] - css_width * ratio) <= 1


def test_the_shortcut_list_is_the_list_handled(course: Page, course_server: str) -> None:
    first, second = LESSON_IDS[0], LESSON_IDS[1]
    # A long run, so that it can be stopped by its key.
    open_page(course, f"{course_server}/?lesson={first}&n_tasks=300&task_ms=100")
    course.keyboard.press("?")
    table = course.locator("#shortcuts")
    expect(table).to_be_visible()
    group = table.locator(".shortcuts-group", has=course.locator("h3", has_text="Page"))
    shown = [dt.inner_text().strip() for dt in group.locator("dt").all()]
    course.keyboard.press("Escape")
    expect(table).to_be_hidden()

    def attr(name: str) -> str | None:
        return course.get_attribute("#timeline", f"data-{name}")

    span = "(() => { const v = window.schedviz.view.viewport; return v.t1 - v.t0; })()"

    def run() -> None:
        before = attr("run-id")
        course.keyboard.press("r")
        course.wait_for_function(
            "(b) => { const t = document.getElementById('timeline');"
            " return t.dataset.runId !== b && t.dataset.runState === 'running'; }", arg=before,
            timeout=RUN_TIMEOUT_MS)

    def stop() -> None:
        course.keyboard.press("x")
        course.wait_for_function("document.querySelector('.run-state').textContent.includes('stopped')",
                                 timeout=RUN_TIMEOUT_MS)

    def zoom_in() -> None:
        before = course.evaluate(span)
        course.keyboard.press("w")
        assert course.evaluate(span) < before

    def zoom_out() -> None:
        before = course.evaluate(span)
        course.keyboard.press("s")
        assert course.evaluate(span) > before

    def fit() -> None:
        course.keyboard.press("0")
        expect(course.locator("#live")).to_have_class("active")

    def live() -> None:
        course.keyboard.press("w")
        expect(course.locator("#live")).not_to_have_class("active")
        course.keyboard.press("l")
        expect(course.locator("#live")).to_have_class("active")

    def fullscreen() -> None:
        course.keyboard.press("f")
        course.wait_for_function("document.fullscreenElement !== null")
        course.keyboard.press("f")
        course.wait_for_function("document.fullscreenElement === null")

    def presenter() -> None:
        course.keyboard.press("p")
        expect(course.locator("body[data-presenter='1']")).to_have_count(1)
        course.keyboard.press("p")
        expect(course.locator("body[data-presenter='1']")).to_have_count(0)

    def next_lesson() -> None:
        course.keyboard.press("n")
        expect(course.locator("#lesson-select")).to_have_value(second)

    def previous_lesson() -> None:
        course.keyboard.press("N")
        expect(course.locator("#lesson-select")).to_have_value(first)

    def png() -> None:
        with course.expect_download() as got:
            course.keyboard.press("e")
        assert got.value.suggested_filename.endswith(".png")

    checks = {"r": run, "x": stop, "w": zoom_in, "s": zoom_out, "0": fit, "l": live,
              "f": fullscreen, "p": presenter, "n": next_lesson, "N": previous_lesson, "e": png}
    # Every key the Page table lists is handled as it says (and nothing is listed unchecked).
    assert shown == list(checks)
    for check in checks.values():
        check()
    # The stopped run is not a whole lesson run: the panel may say so, the page shows no error.
    expect(course.locator(".banner.error")).to_have_count(0)
