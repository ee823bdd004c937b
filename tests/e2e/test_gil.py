"""The GIL end to end (schema v3): a real server and lab run two CPU-bound threads, the lab's GIL
sampler reports who holds the GIL, and the page shows one GIL lane where the two workers share
it about evenly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from test_processes import configure, run_and_wait

pytestmark = pytest.mark.timeout(90)


def test_two_cpu_threads_share_the_gil(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    configure(app, executor="threads", workload="cpu", n_tasks=4, task_ms=300, max_workers=2,
              arrival="batch", fail_every=0)
    run_and_wait(app)
    expect(timeline).to_have_attribute("data-finished", "4")

    unavailable = timeline.get_attribute("data-gil-unavailable") or ""
    assert not unavailable, f"the lab's GIL sampler did not run: {unavailable}"
    expect(timeline).to_have_attribute("data-gil-lanes", "1")
    assert int(timeline.get_attribute("data-gil-switches") or 0) > 0
    shares = json.loads(timeline.get_attribute("data-gil-shares") or "{}")
    workers = app.evaluate(
        "() => window.schedviz.store.model.lanes.list.map(l => String(l.worker))")
    assert len(workers) == 2
    # Two pure-Python threads take turns: each holds the GIL about half the time.
    for w in workers:
        assert 0.3 <= shares.get(w, 0) <= 0.7, (w, shares)
    expect(app.locator("#legend .gil-only").first).to_be_visible()

    # Hover the GIL lane where both workers were busy: it names a holder or a hand-off.
    point = app.evaluate("""() => {
        const { store, view } = window.schedviz;
        const tasks = [...store.model.tasks.values()].sort((a, b) => a.startedT - b.startedT);
        const t = (tasks[0].startedT + tasks[0].finishedT) / 2;
        const r = view.canvas.getBoundingClientRect();
        return {x: r.left + view.layout.plotX + view.viewport.toX(t),
                y: r.top + view.layout.gilY + view.layout.gilH / 2};
    }""")
    app.mouse.move(point["x"], point["y"])
    expect(app.locator("#tooltip h3")).to_contain_text("GIL")
    screenshot("gil-two-cpu-threads")


def test_switch_interval_changes_live(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    configure(app, executor="threads", workload="cpu", n_tasks=8, task_ms=300, max_workers=2,
              arrival="batch", fail_every=0, switch_interval_ms=20)
    before = timeline.get_attribute("data-run-id") or ""
    app.click("#run")
    app.wait_for_function(
        "Number(document.getElementById('timeline').dataset.running) > 0", timeout=30_000)
    app.locator("#switch_interval_ms").fill("0.5")
    # The run goes on to its end; the change shows as a marker where it took effect.
    app.wait_for_function(
        """before => {
            const d = document.getElementById('timeline').dataset;
            return d.runId && d.runId !== before && d.runState === 'ended';
        }""",
        arg=before,
        timeout=30_000,
    )
    expect(timeline).to_have_attribute("data-markers", "1")
    marker = app.evaluate("() => window.schedviz.store.model.markers[0]")
    assert marker["field"] == "switch_interval_ms"
    assert (marker["old"], marker["new"]) == (20, 0.5)
    assert int(timeline.get_attribute("data-gil-switches") or 0) > 0
    screenshot("gil-switch-interval-20-to-0.5")


def test_gil_preset_only_cpu_bound_threads_hold_it(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    app.select_option("#preset", "gil-three-ways")
    expect(app.locator("#workload")).to_have_value("mixed")
    run_and_wait(app)
    expect(timeline).to_have_attribute("data-finished", "12")
    expect(timeline).to_have_attribute("data-gil-lanes", "1")
    shares = json.loads(timeline.get_attribute("data-gil-shares") or "{}")
    # The mixed workload gives task n the kind ("cpu", "sleep", "hash")[n % 3]. A thread pool
    # reuses an idle thread before it starts a new one, so a worker may have run two kinds.
    kinds: dict[str, list[str]] = app.evaluate("""() => {
        const out = {};
        for (const t of window.schedviz.store.model.tasks.values()) {
            (out[String(t.worker)] ??= []).push(["cpu", "sleep", "hash"][t.id % 3]);
        }
        return out;
    }""")
    cpu_any = [shares.get(w, 0.0) for w, ks in kinds.items() if "cpu" in ks]
    cpu_only = [shares.get(w, 0.0) for w, ks in kinds.items() if set(ks) == {"cpu"}]
    sleep_only = [shares.get(w, 0.0) for w, ks in kinds.items() if set(ks) == {"sleep"}]
    # Pure-Python loops hold the GIL; sleeping threads release it at once.
    assert sum(cpu_any) > 0.5, (kinds, shares)
    assert sleep_only and max(sleep_only) < 0.05, (kinds, shares)
    if cpu_only:
        assert max(sleep_only) < min(cpu_only), (kinds, shares)
    screenshot("gil-three-ways")


def test_convoy_preset_zoomed_in_shows_the_uncertainty_windows(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    timeline = app.locator("#timeline")
    app.select_option("#preset", "convoy")
    expect(app.locator("#workload")).to_have_value("convoy")
    run_and_wait(app)
    expect(timeline).to_have_attribute("data-gil-lanes", "1")
    screenshot("gil-convoy")
    # Zoom to ~4 ms in the middle of the run: each hand-off's window is wide enough to see.
    point = app.evaluate("""() => {
        const { store, view } = window.schedviz;
        const m = store.model;
        const track = m.gil.laneTracks()[0];
        const mid = track.changes[Math.floor(track.changes.length / 2)].t;
        view.viewport.follow = false;
        view.viewport.t0 = mid - 2e6;
        view.viewport.t1 = mid + 2e6;
        view.invalidate();
        const r = view.canvas.getBoundingClientRect();
        return {x: r.left + view.layout.plotX + view.viewport.toX(mid) - 1,
                y: r.top + view.layout.gilY + view.layout.gilH / 2};
    }""")
    app.mouse.move(point["x"], point["y"])
    expect(app.locator("#tooltip h3")).to_contain_text("GIL")
    screenshot("gil-convoy-zoomed")


def test_gil_preset_thread_states_tell_the_three_kinds_apart(app: Page, screenshot) -> None:  # type: ignore[no-untyped-def]
    """The strip under each worker lane: CPU-bound threads hold the GIL or wait for it, hashing
    threads run without it, sleeping threads sleep; the page's fractions say so."""
    timeline = app.locator("#timeline")
    app.select_option("#preset", "gil-three-ways")
    run_and_wait(app)
    expect(timeline).to_have_attribute("data-finished", "12")
    missing = timeline.get_attribute("data-thread-states-unavailable") or ""
    assert not missing, f"the lab could not read thread states: {missing}"
    assert int(timeline.get_attribute("data-thread-state-changes") or 0) > 0
    states: dict[str, dict[str, float]] = json.loads(
        timeline.get_attribute("data-thread-states") or "{}")
    # The mixed workload gives task n the kind ("cpu", "sleep", "hash")[n % 3]; a thread pool
    # may reuse an idle thread, so a worker may have run two kinds. Per kind, the states shown
    # while its tasks ran (as the strip draws them), and which workers ran it.
    per_task: dict[str, Any] = app.evaluate("""async () => {
        const { DISPLAYED_STATES } = await import('/model/gil/threadstates.js');
        const m = window.schedviz.store.model;
        const shown = {}, ran = {};
        for (const t of m.tasks.values()) {
            const kind = ["cpu", "sleep", "hash"][t.id % 3];
            (ran[kind] ??= []).push(String(t.worker));
            const lane = m.lanes.byWorker.get(t.worker);
            const ws = m.threads.workers.get(t.worker);
            if (!ws) continue;
            const endT = lane.exitedT ?? m.endedT;
            const ns = m.threads.statsBetween(ws, t.startedT, t.finishedT, endT);
            const o = (shown[kind] ??= {});
            ns.forEach((v, c) => { o[DISPLAYED_STATES[c]] = (o[DISPLAYED_STATES[c]] ?? 0) + v; });
        }
        for (const o of Object.values(shown)) {
            const all = Object.values(o).reduce((a, b) => a + b, 0);
            for (const k in o) o[k] /= all;
        }
        return {shown, ran};
    }""")
    shown, ran = per_task["shown"], per_task["ran"]
    detail = json.dumps({"while tasks ran": shown, "workers": states, "ran": ran})
    # Pure-Python loops share one GIL: each holds it part of the time and waits for it a lot.
    assert shown["cpu"].get("holding_gil", 0) >= 0.1, detail
    assert shown["cpu"].get("gil_wait", 0) >= 0.2, detail
    assert shown["cpu"]["holding_gil"] + shown["cpu"]["gil_wait"] >= 0.6, detail
    # hashlib lets go of the GIL while it hashes: mostly on a CPU without it.
    assert max(shown["hash"], key=lambda k: shown["hash"][k]) == "cpu_without_gil", detail
    assert shown["hash"]["cpu_without_gil"] >= 0.5, detail
    assert shown["hash"]["cpu_without_gil"] > 3 * shown["cpu"].get("cpu_without_gil", 0), detail
    # Sleeping threads sleep.
    assert shown["sleep"].get("sleeping", 0) >= 0.8, detail

    # The page's whole-run fractions per worker (observed time includes idle waits on the
    # pool's queue, a lock): every worker that ran a kind of task shows that kind's mark.
    assert set(states) >= {w for ws in ran.values() for w in ws}, detail
    for fractions in states.values():
        assert sum(fractions.values()) == pytest.approx(1, abs=0.01), detail
    for w in set(ran["cpu"]):
        assert states[w].get("gil_wait", 0) >= 0.1, detail
        assert states[w].get("holding_gil", 0) >= 0.05, detail
    for w in set(ran["hash"]):
        assert states[w].get("cpu_without_gil", 0) >= 0.05, detail
    for w in set(ran["sleep"]):
        assert states[w].get("sleeping", 0) >= 0.2, detail
    # A worker that only slept (there always are some: sleeps outlast the others' tasks).
    sleepers = [w for w in set(ran["sleep"]) if w not in ran["cpu"] + ran["hash"]]
    assert sleepers, detail
    for w in sleepers:
        # Besides sleeping, it waits for the GIL to start and after each wake-up (four CPU-bound
        # threads hold it); waiting on a lock is an idle pool worker.
        busy = {k: v for k, v in states[w].items() if k != "lock_wait"}
        assert max(busy, key=lambda k: busy[k]) == "sleeping", detail
        assert states[w]["sleeping"] >= 0.5 * sum(busy.values()), detail
    expect(app.locator("#legend .ts-only").first).to_be_visible()
    expect(app.locator("#legend .ts-off-only")).to_be_hidden()

    # Hover a hashing task's strip where it runs without the GIL: the tooltip says so.
    point = app.evaluate("""() => {
        const { store, view } = window.schedviz;
        const m = store.model;
        const tasks = [...m.tasks.values()].filter(t => t.id % 3 === 2);
        for (const task of tasks) {
            const lane = m.lanes.byWorker.get(task.worker);
            const ws = m.threads.workers.get(task.worker);
            const endT = lane.exitedT ?? m.endedT;
            for (let k = 1; k < 40; k++) {
                const at = task.startedT + (task.finishedT - task.startedT) * k / 40;
                const s = m.threads.spanAt(ws, at, endT);
                if (!s || s.code !== 1 || s.to - s.from < 0.02 * m.endedT) continue;
                const i = m.lanes.list.indexOf(lane);
                const r = view.canvas.getBoundingClientRect();
                const L = view.layout;
                const y = L.lanesY + i * L.laneH + L.laneH - 2 - L.stateH / 2;
                return {worker: task.worker, y: r.top + y,
                        x: r.left + L.plotX + view.viewport.toX((s.from + s.to) / 2)};
            }
        }
        return null;
    }""")
    assert point is not None, detail
    app.mouse.move(point["x"], point["y"])
    tooltip = app.locator("#tooltip")
    expect(tooltip.locator("h3")).to_have_text(f"W{point['worker']} on CPU without the GIL")
    expect(tooltip).to_contain_text("hashlib")
    screenshot("gil-three-ways-thread-states")
