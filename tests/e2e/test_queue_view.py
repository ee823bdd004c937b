"""The queues view end to end: a real server and lab run a ProcessPoolExecutor, and the page's
diagram shows its tasks in CPython's stages while it runs (pending work items, a full call
queue of max_workers + 1, busy workers), all done at the end, and in replay the stages at the
cursor as the recorded events say."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_processes import configure
from test_replay import stored_events

pytestmark = pytest.mark.timeout(150)

N_TASKS = 14
WORKERS = 2

# Each stage's count and listed tasks, as the diagram's data attributes say.
STAGES = """() => {
  const out = {};
  for (const el of document.querySelectorAll('#queues .qflow[data-executor="processes"] .qstage')) {
    out[el.dataset.stage] = {
      count: Number(el.dataset.count),
      tasks: el.dataset.tasks ? el.dataset.tasks.split(',').map(Number) : [],
      capacity: el.dataset.capacity ? Number(el.dataset.capacity) : null,
      busy: el.dataset.busy !== undefined ? Number(el.dataset.busy) : null,
    };
  }
  out.text = document.getElementById('queues').innerText;
  return out;
}"""


def stages(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(STAGES)
    return result


def at_cursor(events: list[dict[str, Any]], t: int) -> dict[str, set[int]]:
    """Tasks pending (submitted, call not pickled yet) and done (result unpickled) at t."""
    submitted: set[int] = set()
    pickled: set[int] = set()
    unpickled: set[int] = set()
    for e in events:
        if e["t"] > t:
            continue
        if e["kind"] == "task_submitted":
            submitted.add(e["task"])
        elif e["kind"] == "serialized" and e["side"] == "parent":
            if e["what"] == "args":
                pickled.add(e["task"])
            elif e["t"] + e["duration_ns"] <= t:
                unpickled.add(e["task"])
    return {"pending": submitted - pickled, "done": unpickled}


def test_a_process_pool_s_tasks_in_its_stages_live_and_at_the_replay_cursor(  # type: ignore[no-untyped-def]
        app: Page, server: str, screenshot) -> None:
    queues = app.locator("#queues")
    configure(app, executor="processes", start_method="fork", workload="sleep",
              n_tasks=N_TASKS, task_ms=400, max_workers=WORKERS, arrival="batch")
    app.click("#run")
    expect(queues).to_be_visible(timeout=30_000)
    queues.scroll_into_view_if_needed()
    # While it runs: tasks wait as pending work items, the call queue is full, both work.
    app.wait_for_function(
        """cap => {
            const q = (s) => document.querySelector(`#queues .qstage[data-stage="${s}"]`);
            return q('pending') && +q('pending').dataset.count > 0
                && +q('call').dataset.count === cap && +q('workers').dataset.busy === 2;
        }""",
        arg=WORKERS + 1, timeout=30_000,
    )
    live = stages(app)
    screenshot("queues-process-pool-live")
    assert live["call"]["capacity"] == WORKERS + 1
    assert len(live["call"]["tasks"]) == WORKERS + 1
    in_flight = (live["pending"]["count"] + live["call"]["count"] + live["workers"]["count"]
                 + live["result"]["count"] + live["done"]["count"])
    assert in_flight == N_TASKS, live
    # Every task is in exactly one stage.
    listed = [*live["pending"]["tasks"], *live["call"]["tasks"], *live["workers"]["tasks"],
              *live["result"]["tasks"]]
    assert len(listed) == len(set(listed))
    assert "pending work items" in live["text"] and "call queue" in live["text"]
    assert f"{WORKERS + 1} / {WORKERS + 1}" in live["text"]

    app.wait_for_function(
        "document.getElementById('timeline').dataset.runState === 'ended'", timeout=30_000)
    rid = app.locator("#timeline").get_attribute("data-run-id") or ""
    expect(app.locator('#queues .qstage[data-stage="done"]')).to_have_attribute(
        "data-count", str(N_TASKS))
    end = stages(app)
    assert end["done"]["count"] == N_TASKS
    assert all(end[s]["count"] == 0 for s in ("pending", "call", "result"))

    # Replay: the diagram follows the cursor, and says what the recorded events say there.
    events = stored_events(server, rid)
    app.goto(f"{server}/?recording={rid}")
    app.wait_for_function("document.body.dataset.replay === 'ready'")
    for share in (0.2, 0.5):
        app.evaluate(f"schedviz.player.seekTime(schedviz.replay().endT * {share})")
        t = app.evaluate("schedviz.replay().cursorT")
        want = at_cursor(events, t)
        expect(app.locator('#queues .qstage[data-stage="pending"]')).to_have_attribute(
            "data-count", str(len(want["pending"])))
        got = stages(app)
        assert "at the cursor" in got["text"]
        assert set(got["pending"]["tasks"]) == set(sorted(want["pending"])[:12])
        assert got["done"]["count"] == len(want["done"])
    expect(queues).to_contain_text("at the cursor")
    queues.scroll_into_view_if_needed()
    screenshot("queues-process-pool-replay")


def test_asyncio_s_ready_queue_at_the_replay_cursor_lists_the_iteration_s_tasks(  # type: ignore[no-untyped-def]
        app: Page, server: str, screenshot) -> None:
    app.select_option("#preset", "asyncio-echo")
    app.click("#run")
    app.wait_for_function(
        "document.getElementById('timeline').dataset.runState === 'ended'", timeout=30_000)
    rid = app.locator("#timeline").get_attribute("data-run-id") or ""
    events = sorted(stored_events(server, rid), key=lambda e: (e["t"], e["seq"]))
    # The iteration with the most ready tasks: at its start, they all wait their turn.
    start = max((e for e in events if e["kind"] == "aio_ready"), key=lambda e: e["ready"])
    n = start["ready"]
    assert n >= 2, "the echo run had no iteration with two tasks ready"
    want = [e["task"] for e in events if e["kind"] == "aio_step" and e["t"] >= start["t"]][:n]
    app.goto(f"{server}/?recording={rid}")
    app.wait_for_function("document.body.dataset.replay === 'ready'")
    app.evaluate(f"schedviz.player.seekTime({start['t']})")
    stage = app.locator('#queues .qstage[data-stage="ready"]')
    expect(stage).to_have_attribute("data-count", str(n))
    expect(stage).to_have_attribute("data-tasks", ",".join(str(t) for t in want[:12]))
    expect(stage).to_have_attribute("data-waiting", str(min(n, 12)))
    # A moment later the first has run and the next one runs or waits.
    first = next(e for e in events if e["kind"] == "aio_step" and e["t"] >= start["t"])
    app.evaluate(f"schedviz.player.seekTime({first['t'] + first['dur_ns']})")
    expect(stage.locator(".qchip").first).to_have_attribute("data-status", "ran")
    expect(stage).to_have_attribute("data-tasks", ",".join(str(t) for t in want[:12]))
    app.locator("#queues").scroll_into_view_if_needed()
    screenshot("queues-asyncio-replay")
