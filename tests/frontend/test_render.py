"""Drawing: level of detail merges 10,000 tasks into a few segments per pixel column, hit-testing
finds what is drawn, and the canvas really shows each state's colour where the task is."""

from __future__ import annotations

from typing import Any

from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_runs import MS, batch

SETUP = """
const { markerMeasure } = await import('/render/core/timeline.js');
const { laneSegments } = await import('/render/pools/bars.js');
const { pick } = await import('/render/core/pick.js');
"""


def evaluate(js: Page, body: str, arg: dict[str, Any]) -> Any:
    return scene(js, SETUP, body, arg)


def test_ten_thousand_tasks_merge_into_at_most_a_few_segments_per_pixel(js: Page) -> None:
    run = batch(10_000, 4, task_ns=2 * MS, fail_every=10)
    got = evaluate(js, """
        const counts = model.lanes.list.map(l => laneSegments(l, vp, nowT).length);
        const merged = model.lanes.list.map(l => laneSegments(l, vp, nowT)
            .reduce((n, s) => n + s.count, 0));
        draw();
        vp.zoomAt(0, 1e-4);                      // a few tasks fill the view: one segment each
        const zoomed = laneSegments(model.lanes.list[0], vp, nowT);
        return {counts, merged, plotW: layout.plotW,
                zoomed: zoomed.map(s => [s.count, s.task && s.task.id])};
    """, {"events": run.events, "width": 1200})
    per_lane = 10_000 // 4
    assert got["merged"] == [per_lane] * 4  # every task is drawn, merged or not
    # ok and error merge separately, so at most ~2 segments per pixel column per lane.
    assert all(c <= 2 * got["plotW"] + 2 for c in got["counts"]), got["counts"]
    assert all(c < per_lane for c in got["counts"])
    assert got["zoomed"] and all(count == 1 and tid is not None for count, tid in got["zoomed"])


def test_canvas_shows_state_colours_where_tasks_are(js: Page) -> None:
    run = batch(6, 2, task_ns=100 * MS, fail_every=3)
    got = evaluate(js, """
        draw();
        const out = [];
        for (const [i, lane] of model.lanes.list.entries()) {
            for (const task of lane.tasks) {
                // Sample a quarter of the way in: away from the task's label text.
                const t = task.startedT + 0.25 * (task.finishedT - task.startedT);
                const x = Math.round(layout.plotX + vp.toX(t));
                const y = Math.round(layout.lanesY + i * layout.laneH + layout.laneH / 2);
                const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
                out.push({id: task.id, ok: task.ok, rgb: [r, g, b]});
            }
        }
        return out;
    """, {"events": run.events, "width": 1200})
    assert len(got) == 6
    for sample in got:
        r, g, b = sample["rgb"]
        if sample["ok"]:
            assert (r, g, b) == (0x00, 0x9E, 0x73), sample  # bluish green
        else:
            # Vermillion, or the darker hatching drawn over it: red dominates either way.
            assert r > g > b and r > 100, sample


def test_pick_finds_the_task_under_the_pointer_and_the_marker(js: Page) -> None:
    from synthetic_runs import simulate

    submits = [2_000 + 50 * MS * i for i in range(30)]
    run = simulate(submits, 300 * MS, [(0, 3), (600 * MS, 6)])
    got = evaluate(js, """
        const measure = markerMeasure(ctx);
        const lane = model.lanes.list[4];
        const task = lane.tasks[1];
        const mid = (task.startedT + task.finishedT) / 2;
        const x = layout.plotX + vp.toX(mid);
        const y = layout.lanesY + 4 * layout.laneH + layout.laneH / 2;
        const hit = pick(model, vp, layout, x, y, nowT, measure);
        const mx = layout.plotX + vp.toX(model.markers[0].t);
        const mhit = pick(model, vp, layout, mx + 1, layout.queueY + 30, nowT, measure);
        const gutter = pick(model, vp, layout, 20, y, nowT, measure);
        const qy = layout.queueY + layout.queueH / 2;
        const qhit = pick(model, vp, layout, layout.plotX + vp.toX(700e6), qy, nowT, measure);
        return {hit: hit && [hit.type, hit.task.id], want: task.id,
                marker: mhit && [mhit.type, mhit.placed.text],
                gutter: gutter && [gutter.type, gutter.lane.worker],
                queue: qhit && [qhit.type, qhit.depth, model.queue.depthAt(qhit.t)]};
    """, {"events": run.events, "width": 1200})
    assert got["hit"] == ["task", got["want"]]
    assert got["marker"] == ["marker", "max_workers 3 → 6"]
    assert got["gutter"] == ["lane", 4]
    assert got["queue"][0] == "queue" and got["queue"][1] == got["queue"][2]


def test_describe_task_reports_times_wait_and_outcome(js: Page) -> None:
    run = batch(6, 2, task_ns=100 * MS, fail_every=3)
    failing = next(t for t in run.tasks.values() if not t.ok)
    got = js.evaluate(
        """async ({events, id}) => {
            const { EventStore } = await import('/model/core/store.js');
            const { describeTask } = await import('/render/pools/describe.js');
            const store = new EventStore();
            store.append('r', events);
            const d = describeTask(store.model, store.model.tasks.get(id), store.model.maxT);
            return {title: d.title, rows: Object.fromEntries(d.rows)};
        }""",
        {"events": run.events, "id": failing.id},
    )
    assert got["title"] == f"Task #{failing.id} · raised"
    rows = got["rows"]
    assert rows["exception"] == f"ValueError('task {failing.id} failed')"
    assert rows["run time"] == "100 ms"
    wait_ms = (failing.started - failing.submitted) / MS
    assert rows["queue wait"] == f"{float(f'{wait_ms:.3g}'):g} ms"
    assert rows["worker"].startswith(f"W{failing.worker}")


def test_formatting_durations(js: Page) -> None:
    got = js.evaluate(
        """async () => {
            const f = await import('/render/core/format.js');
            return [f.formatDuration(512), f.formatDuration(1500), f.formatDuration(99.5e6),
                    f.formatDuration(1.234e9), f.formatDuration(185e9), f.formatRate(12.345)];
        }"""
    )
    assert got == ["512 ns", "1.5 µs", "99.5 ms", "1.23 s", "3 min 5 s", "12.3"]

