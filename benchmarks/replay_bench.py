"""Replay of a long real recording in Chromium: the time the page takes to load it, the warm
frame while scrubbing (goal: median at most 16 ms, one display frame) and the page's JS heap
once loaded (goal: at most 300 MB).

The recording is a real run, made once and kept in a data directory of its own (default
bench-results/replay-data/): the run web_memory.py makes (CPU-bound threads switching every
0.1 ms under the GIL sampler at 50 µs, so most events are `gil` and `thread_state`), recorded by
a real `schedviz serve` and stopped once it has `--events` events (about 6 minutes for
1,000,000 on 2 cores). A later run reuses a finished recording there that has at least as many.

Then, over the same server: the events endpoint is downloaded alone (bytes, lines, seconds), and
headless Chromium opens `/?recording=<id>`. Load time runs from page.goto until
`document.body.dataset.replay` is "ready" and a first frame is drawn (view.drawNow()). The heap
is the page's used JS heap after a forced GC (CDP HeapProfiler.collectGarbage, then
Runtime.getHeapUsage). Scrubbing emulates dragging the scrub bar across the whole run and back:
`--positions` cursor positions, each a small move from the last, in one loop in the page; a
frame is player.seekTime + view.drawNow + a one-pixel read-back of #timeline-canvas (the pixels
are on the canvas). The first pass warms up; the median and p95 of the second are reported,
each split into seek, draw and read-back, as ratios to the goals (<= 1: met).

Times depend on the machine and its load; compare ratios within one run. Writes JSON (default
bench-results/replay.json) and prints a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
# The launch rules of the browser tests and their real server process.
sys.path[:0] = [str(ROOT / "tests")]
from report import write_table  # noqa: E402
from web_memory import CONFIG, http  # noqa: E402

from chromium import launch_args  # noqa: E402
from serverproc import serve  # noqa: E402

FRAME_GOAL_MS = 16.0
HEAP_GOAL_MB = 300.0
WIDTH, HEIGHT = 1500, 900
NAME = "replay benchmark"
# The page says it is replaying (data-replay "loading") as soon as it starts; not within this
# after its load event, it does not open ?recording= at all.
ENTER_TIMEOUT_S = 10.0

# Drags the cursor across the run and back twice; times each frame's parts in the second pass.
SCRUB = """
(positions) => {
  const { player, view } = window.schedviz;
  const replay = window.schedviz.replay();
  const ctx = document.querySelector("#timeline-canvas").getContext("2d");
  const start = replay.startT, span = replay.endT - replay.startT, half = positions / 2;
  const times = [];
  for (let i = 0; i < positions; i++) {
    times.push(start + span * (i <= half ? i / half : (positions - i) / half));
  }
  const pass = () => {
    const seek = [], draw = [], read = [], frame = [];
    for (const t of times) {
      const t0 = performance.now();
      player.seekTime(t);
      const t1 = performance.now();
      view.drawNow();
      const t2 = performance.now();
      ctx.getImageData(0, 0, 1, 1);  // the pixels are drawn, not only the calls queued
      const t3 = performance.now();
      seek.push(t1 - t0); draw.push(t2 - t1); read.push(t3 - t2); frame.push(t3 - t0);
    }
    return { seek, draw, read, frame };
  };
  const warmup = pass();
  const timed = pass();
  return { warmup: warmup.frame, ...timed, length: replay.length, spanNs: span };
}
"""

# The first frame once ready, and where the page's own clock puts it and the events' download.
FIRST_FRAME = """
() => {
  window.schedviz.view.drawNow();
  document.querySelector("#timeline-canvas").getContext("2d").getImageData(0, 0, 1, 1);
  const drawnMs = performance.now();
  const fetches = performance.getEntriesByType("resource")
    .filter((e) => /\\/api\\/recordings\\/[^/]+\\/events/.test(e.name));
  const f = fetches[fetches.length - 1];
  const replay = window.schedviz.replay();
  return {
    drawnMs, length: replay.length, pos: replay.pos,
    fetch: f ? { startMs: f.startTime, firstByteMs: f.responseStart, endMs: f.responseEnd,
                 bytes: f.encodedBodySize } : null,
  };
}
"""


def finished_recording(url: str, target: int) -> dict[str, Any] | None:
    """The newest finished recording in the library with at least `target` events."""
    recs = [r for r in http("GET", f"{url}/api/recordings")
            if not r["live"] and r["ended_reason"] is not None and r["events"] >= target]
    return max(recs, key=lambda r: r["created_ns"], default=None)


def record(url: str, target: int) -> dict[str, Any]:
    """Run CONFIG until it has `target` events, showing progress; keep it under NAME."""
    run_id = http("POST", f"{url}/api/runs", CONFIG)["run_id"]
    began = time.monotonic()
    stop_sent = False
    while (run := http("GET", f"{url}/api/runs/current")["run"])["state"] != "ended":
        if not stop_sent and run["events"] >= target:
            http("POST", f"{url}/api/runs/current/stop")
            stop_sent = True
        spent = time.monotonic() - began
        rate = run["events"] / spent if spent > 0 else 0.0
        left = f"about {(target - run['events']) / rate:.0f} s left" if rate else "starting"
        state = "stopping" if stop_sent else left
        print(f"\rrecording {run_id}: {run['events']:>9,} of {target:,} events after "
              f"{spent:4.0f} s ({rate:,.0f}/s, {state})  ", end="", file=sys.stderr, flush=True)
        time.sleep(1.0)  # progress once a second; the run's end has no signal to block on
    print(file=sys.stderr)
    http("PATCH", f"{url}/api/recordings/{run_id}", {"name": NAME, "kept": True})
    got = next(r for r in http("GET", f"{url}/api/recordings") if r["id"] == run_id)
    if got["events"] < target:
        raise RuntimeError(f"the run ended ({got['ended_reason']}) after {got['events']:,} "
                           f"events, short of {target:,}: CONFIG's limits stop it too soon")
    return got


def download(url: str, rid: str) -> dict[str, Any]:
    """GET the recording's events alone: bytes, lines and seconds."""
    began = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(f"{url}/api/recordings/{rid}/events", timeout=120) as resp:
        while chunk := resp.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    return {"bytes": size, "lines": lines, "s": round(time.perf_counter() - began, 2)}


def open_replay(page: Page, url: str, rid: str, timeout_s: float) -> dict[str, Any]:
    """Load the recording in the page; the seconds until its first frame is drawn."""
    began = time.perf_counter()
    page.goto(f"{url}/?recording={rid}")
    try:
        page.wait_for_function("() => document.body.dataset.replay !== undefined",
                               timeout=ENTER_TIMEOUT_S * 1000)
    except PlaywrightTimeout as exc:
        raise RuntimeError("the page did not enter replay (document.body.dataset.replay unset "
                           f"{ENTER_TIMEOUT_S:.0f} s after load): this frontend does not open "
                           "?recording= yet") from exc
    try:
        page.wait_for_function("() => document.body.dataset.replay === 'ready'",
                               timeout=timeout_s * 1000)
    except PlaywrightTimeout as exc:
        raise RuntimeError(f"the replay was not ready {timeout_s:.0f} s after page.goto "
                           "(--ready-timeout): load time goal missed, not measured") from exc
    first: dict[str, Any] = page.evaluate(FIRST_FRAME)
    first["load_s"] = time.perf_counter() - began
    return first


def heap_mb(page: Page) -> dict[str, float]:
    """The page's JS heap after a forced GC (used and allocated, MB)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.collectGarbage")
        usage = cdp.send("Runtime.getHeapUsage")
    finally:
        cdp.detach()
    return {"used": round(usage["usedSize"] / 2**20, 1),
            "total": round(usage["totalSize"] / 2**20, 1)}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ms(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "p95": round(p95(values), 2)}


def measure(page: Page, url: str, rid: str, positions: int, timeout_s: float) -> dict[str, Any]:
    first = open_replay(page, url, rid, timeout_s)
    heap = heap_mb(page)
    scrub: dict[str, Any] = page.evaluate(SCRUB, positions)
    heap_after = heap_mb(page)
    fetch = first["fetch"]
    return {
        "load_s": round(first["load_s"], 2),
        "page_first_frame_s": round(first["drawnMs"] / 1000, 2),
        "page_events_fetch_s": None if fetch is None else {
            "start": round(fetch["startMs"] / 1000, 2),
            "first_byte": round(fetch["firstByteMs"] / 1000, 2),
            "last_byte": round(fetch["endMs"] / 1000, 2),
        },
        "page_events_bytes": None if fetch is None else fetch["bytes"],
        "replay_events": first["length"],
        "cursor_after_load": first["pos"],
        "heap_used_mb": heap["used"],
        "heap_total_mb": heap["total"],
        "heap_used_after_scrub_mb": heap_after["used"],
        "scrub_positions": positions,
        "scrub_step_events": round(scrub["length"] / (positions / 2)),
        "frame_ms": ms(scrub["frame"]),
        "seek_ms": ms(scrub["seek"]),
        "draw_ms": ms(scrub["draw"]),
        "readback_ms": ms(scrub["read"]),
        "warmup_frame_ms": ms(scrub["warmup"]),
        "all_frame_ms": [round(v, 2) for v in scrub["frame"]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="events the recording has at least (default 1,000,000)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-results" / "replay-data",
                        help="the library the recording is kept in between runs")
    parser.add_argument("--positions", type=int, default=300,
                        help="cursor positions per scrub pass, across the run and back")
    parser.add_argument("--ready-timeout", type=float, default=600.0,
                        help="seconds the page may take to load the recording (default 600)")
    parser.add_argument("--out", default="bench-results/replay.json", help="where to write JSON")
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    with serve(args.data_dir, args.data_dir / "server.log") as (url, _proc):
        rec = finished_recording(url, args.events)
        if rec is not None:
            print(f"reusing recording {rec['id']} ({rec['events']:,} events, "
                  f"{rec['ended_reason']}) in {args.data_dir}", file=sys.stderr)
        else:
            print(f"no recording of {args.events:,} events in {args.data_dir} yet: recording "
                  "one (a few minutes; kept for the next run)", file=sys.stderr)
            rec = record(url, args.events)
        rid = rec["id"]
        got = download(url, rid)
        print(f"events endpoint alone: {got['lines']:,} lines, {got['bytes'] / 2**20:.1f} MiB "
              f"in {got['s']} s", file=sys.stderr)
        load_before = os.getloadavg()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_args({"headless": True}))
            try:
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                print(f"opening {url}/?recording={rid} in Chromium {browser.version} …",
                      file=sys.stderr, flush=True)
                row = measure(page, url, rid, args.positions, args.ready_timeout)
                if errors:
                    raise RuntimeError(f"uncaught errors in the page: {errors}")
                version = browser.version
            finally:
                browser.close()
    frame, heap = row["frame_ms"]["median"], row["heap_used_mb"]
    row.update(
        frame_goal_ms=FRAME_GOAL_MS, frame_ratio=round(frame / FRAME_GOAL_MS, 3),
        frame_met=frame <= FRAME_GOAL_MS, heap_goal_mb=HEAP_GOAL_MB,
        heap_ratio=round(heap / HEAP_GOAL_MB, 3), heap_met=heap <= HEAP_GOAL_MB,
    )
    table = write_table(
        args.out, [row], browser=f"Chromium {version}", recording=rid, config=rec["config"],
        events=rec["events"], stored_bytes=rec["bytes"], download=got,
        load_average_before_after=[round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        viewport_css_px=[WIDTH, HEIGHT],
    )
    print(f"{'events':>9} {'load s':>7} {'frame ms (p95)':>15} {'ratio':>6} {'heap MB':>8} "
          f"{'ratio':>6}  met (frame, heap)")
    print(f"{rec['events']:>9} {row['load_s']:>7} "
          f"{frame:>7} ({row['frame_ms']['p95']:>5}) {row['frame_ratio']:>6} {heap:>8} "
          f"{row['heap_ratio']:>6}  {'yes' if row['frame_met'] else 'NO'}, "
          f"{'yes' if row['heap_met'] else 'NO'}")
    fetch = row["page_events_fetch_s"]
    print(f"frame median: seek {row['seek_ms']['median']} ms, draw {row['draw_ms']['median']} "
          f"ms, read-back {row['readback_ms']['median']} ms; in the page's clock: events' "
          f"last byte at {fetch and fetch['last_byte']} s, first frame at "
          f"{row['page_first_frame_s']} s; download alone {got['s']} s")
    print(f"load average (1 min) before / after: {table['load_average_before_after']}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
