"""Frame times of the timeline in real Chromium (`make bench`), against the goal that a frame of
a large run takes at most 100 ms, so zooming, panning and following live stay interactive.

Each case builds the browser's model from a synthetic run (the generators the frontend tests use,
tests/frontend/synthetic_*.py), lays it out 1400 CSS px wide and renders it with the real modules,
as the drawing tests do. It times the cold first frame (the code is compiled and lazy caches are
filled on the way) and then warm frames of a view moved by a pixel each time, as while following
live, so nothing is reused from the frame before. A frame ends when its pixels are on the canvas
(a one-pixel read-back), not when the drawing calls return. Each round runs in a fresh browser
context; the result is the median cold frame over rounds and the median of all warm frames,
reported as the ratio frame_ms / goal_ms (<= 1: met).

A frame time depends on what else the machine does; run it on an idle machine and compare ratios
within one run, not across machines. Writes JSON (default bench-results/render.json) and prints
a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
# The launch rules, the static server and the synthetic runs of the browser tests.
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "frontend")]
import synthetic_aio  # noqa: E402
import synthetic_runs  # noqa: E402
from canvas_scene import SCENE  # noqa: E402
from report import write_table  # noqa: E402
from static_server import serve_frontend  # noqa: E402
from synthetic_futures import waited_batch  # noqa: E402
from synthetic_gil import alternating, sampler, with_seq  # noqa: E402
from synthetic_threads import random_states, state  # noqa: E402

from chromium import launch_args  # noqa: E402

MS = 1_000_000
US = 1_000
GOAL_MS = 100.0
WIDTH = 1400
HARNESS = "/__bench__.html"

# Builds the model from the events (one JSON string), lays it out and times the frames.
FRAMES = """
async (arg) => {
""" + SCENE + """
  const frame = () => {
    const t = performance.now();
    render(ctx, model, vp, {layout, nowT, dpr: 1, hover: null});
    ctx.getImageData(0, 0, 1, 1);  // the pixels are drawn, not only the calls queued
    return performance.now() - t;
  };
  const cold = frame();
  const warm = [];
  for (let i = 0; i < arg.frames; i++) {
    vp.panBy(i % 2 ? 1 : -1);
    warm.push(frame());
  }
  return {cold, warm, lanes: model.lanes.list.length, height: layout.height};
}
"""


def tasks_on_4_workers() -> list[dict[str, Any]]:
    """10,000 2-ms tasks on 4 workers, every tenth raising (tests/frontend/test_render.py)."""
    return synthetic_runs.batch(10_000, 4, task_ns=2 * MS, fail_every=10).events


def tasks_on_64_workers() -> list[dict[str, Any]]:
    """10,000 tasks arriving every 0.3 ms on 16 workers, resized live to 48: 64 lanes
    (tests/frontend/test_page.py)."""
    submits = [2_000 + 300_000 * i for i in range(10_000)]
    run = synthetic_runs.simulate(submits, 20 * MS, [(0, 16), (1_000 * MS, 48)], fail_every=97)
    return run.events


def gil_changes() -> list[dict[str, Any]]:
    """20,000 GIL hand-offs between two workers over 2 s (tests/frontend/test_gil_render.py)."""
    run = synthetic_runs.batch(8, 2, task_ns=1000 * MS)
    turns = alternating([0, 1], 5 * MS, 2100 * MS, 100_000, 40_000, seed=9, free_every=9)
    return [*run.events,
            *with_seq([sampler(0, realtime=False), *turns[:20_000]], len(run.events))]


def thread_state_strips() -> list[dict[str, Any]]:
    """12 workers' thread-state strips (a change per ms each) under 20,000 GIL hand-offs
    (tests/frontend/test_thread_states_render.py)."""
    run = synthetic_runs.batch(24, 12, task_ns=1000 * MS)
    gil = alternating(list(range(12)), 5 * MS, 1990 * MS, 100_000, 40_000, seed=2)[:20_000]
    states = [e for w in range(1, 12)
              for e in random_states(w, 3 * MS, 1995 * MS, 1 * MS, seed=w)]
    states += [s for k in range(1980) for s in (state(2 * MS + k * MS, 0, "sleeping"),
                                                state(2.7 * MS + k * MS, 0, "io"))]
    return [*run.events, *with_seq([sampler(0), *gil, *states], len(run.events))]


def asyncio_steps() -> list[dict[str, Any]]:
    """20 tasks of 2,500 short steps each, 1 ms apart, across the whole view
    (tests/frontend/test_aio_render.py's large run, without its 60 s idle tail)."""
    Await, Script = synthetic_aio.Await, synthetic_aio.Script
    tasks = [Script("main", [Await(20 * US, 30, "a Future", 100 * MS), Await(10 * US)])]
    for i in range(20):
        tasks.append(Script(f"t{i}", [Await(15 * US, 38, "sleep(0.001)", 1 * MS)] * 2500
                            + [Await(5 * US)], start_ns=50 * US))
    return synthetic_aio.simulate(tasks).events


def future_waits() -> list[dict[str, Any]]:
    """10,000 2-ms tasks on 4 workers, each waited on in turn by the main thread and with a
    done-callback on its worker (v6; tests/frontend/synthetic_futures.py)."""
    return waited_batch(10_000, 4, task_ns=2 * MS)


CASES: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
    ("10,000 tasks on 4 workers", tasks_on_4_workers),
    ("10,000 tasks on 64 workers (16 resized to 48)", tasks_on_64_workers),
    ("20,000 GIL changes, 2 workers", gil_changes),
    ("12 thread-state strips + 20,000 GIL changes", thread_state_strips),
    ("50,000 asyncio steps, 21 tasks", asyncio_steps),
    ("10,000 waits and callbacks, 4 workers", future_waits),
]


def measure(browser: Browser, base: str, events: str, frames: int) -> dict[str, Any]:
    """One round: a fresh context and page, the cold frame and `frames` warm ones."""
    context = browser.new_context(viewport={"width": WIDTH + 100, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(f"{base}{HARNESS}", lambda route: route.fulfill(
            content_type="text/html", body="<!doctype html><title>bench</title>"))
        page.goto(f"{base}{HARNESS}")
        got: dict[str, Any] = page.evaluate(
            FRAMES, {"events": events, "width": WIDTH, "frames": frames})
        if errors:
            raise RuntimeError(f"uncaught errors in the page: {errors}")
        return got
    finally:
        context.close()


def run_case(browser: Browser, base: str, name: str, make: Callable[[], list[dict[str, Any]]],
             rounds: int, frames: int) -> dict[str, Any]:
    raw = make()
    events = json.dumps(raw)
    results = [measure(browser, base, events, frames) for _ in range(rounds)]
    cold = statistics.median(r["cold"] for r in results)
    warm = statistics.median(ms for r in results for ms in r["warm"])
    return {
        "case": name,
        "events": len(raw),
        "lanes": results[0]["lanes"],
        "canvas_height_px": results[0]["height"],
        "cold_ms": round(cold, 1),
        "warm_median_ms": round(warm, 1),
        "goal_ms": GOAL_MS,
        "ratio": round(warm / GOAL_MS, 3),
        "cold_ratio": round(cold / GOAL_MS, 3),
        "met": warm <= GOAL_MS,
        "cold_met": cold <= GOAL_MS,
        "rounds": rounds,
        "all_cold_ms": [round(r["cold"], 1) for r in results],
        "all_warm_ms": [[round(ms, 1) for ms in r["warm"]] for r in results],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh browser contexts per case")
    parser.add_argument("--frames", type=int, default=9, help="warm frames per round")
    parser.add_argument("--out", default="bench-results/render.json", help="where to write JSON")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rows = []
    with serve_frontend() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_args({"headless": True}))
        try:
            for i, (name, make) in enumerate(CASES, 1):
                print(f"[{i}/{len(CASES)}] {name} …", file=sys.stderr, flush=True)
                rows.append(run_case(browser, base, name, make, args.rounds, args.frames))
            version = browser.version
        finally:
            browser.close()
    table = write_table(
        args.out, rows, browser=f"Chromium {version}",
        load_average_before_after=[round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        width_css_px=WIDTH,
    )
    print(f"{'case':<48} {'cold ms':>8} {'warm ms':>8} {'goal':>5} {'ratio':>6}  met")
    for r in rows:
        print(f"{r['case']:<48} {r['cold_ms']:>8} {r['warm_median_ms']:>8} {r['goal_ms']:>5.0f} "
              f"{r['ratio']:>6}  {'yes' if r['met'] else 'NO'}"
              f"{'' if r['cold_met'] else ' (cold frame: NO)'}")
    print(f"load average (1 min) before / after: {table['load_average_before_after']}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
