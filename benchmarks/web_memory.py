"""Resident memory of the web process across a long live run, against the goal that it stays
within 50 MB of its start over 1,000,000 events (the server keeps no copy of a run's events:
they go to the recordings library as they come).

Starts a real `schedviz serve` over a fresh data directory, samples the server process's RSS
(VmRSS in /proc/PID/status) before the run and every second during it, starts a run by
POST /api/runs that streams events as fast as the lab makes them, keeps one real websocket viewer
connected that reads everything it is sent, and stops the run once it has `--events` events
(GET /api/runs/current). It reports the start RSS, the peak RSS, peak − start, the events, the
run's duration and events/s, and the stored bytes per event of its recording (GET
/api/recordings). Only the web process is measured: the lab is a process of its own.

Writes JSON (default bench-results/web-memory.json) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
# The real server process the browser tests use.
sys.path[:0] = [str(ROOT / "tests")]
from report import write_table  # noqa: E402

from serverproc import serve  # noqa: E402

GOAL_MB = 50.0
# GIL handovers are what a run makes most of within the 10,000-task bound: CPU-bound tasks on
# four threads that switch every 0.1 ms, watched by the GIL sampler at its fastest (50 µs), give
# a gil event per handover seen and thread_state events as each worker waits and runs again.
CONFIG: dict[str, Any] = {
    "executor": "threads", "workload": "cpu", "n_tasks": 10_000, "task_ms": 200,
    "max_workers": 4, "switch_interval_ms": 0.1, "gil_period_us": 50,
}


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def http(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


class Sampler(threading.Thread):
    """RSS of `pid` every second until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while True:
            self.samples.append((time.monotonic() - t0, rss_bytes(self.pid)))
            if self.done.wait(1.0):
                return


class Viewer(threading.Thread):
    """A websocket viewer that reads every message until the run ends or the socket closes."""

    def __init__(self, ws_url: str) -> None:
        super().__init__(daemon=True)
        self.ws = connect(ws_url, max_size=None)
        self.events = 0
        self.dropped = 0
        self.ended = threading.Event()

    def run(self) -> None:
        try:
            for raw in self.ws:
                msg = json.loads(raw)
                if msg["type"] == "events":
                    self.events += len(msg["events"])
                    if any(e.get("kind") == "run_ended" for e in msg["events"]):
                        self.ended.set()
                elif msg["type"] == "dropped":
                    self.dropped += 1
        except ConnectionClosed:
            pass
        finally:
            self.ended.set()


def measure(target: int, viewer: bool) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="schedviz-webmem-") as tmp,
        serve(Path(tmp) / "data", Path(tmp) / "server.log") as (url, proc),
    ):
        time.sleep(1.0)  # let the fresh process settle before the baseline
        start_rss = rss_bytes(proc.pid)
        sampler = Sampler(proc.pid)
        sampler.start()
        view = Viewer(url.replace("http://", "ws://") + "/ws") if viewer else None
        if view is not None:
            view.start()
        run_id = http("POST", f"{url}/api/runs", CONFIG)["run_id"]
        t0 = time.monotonic()
        stopped = False
        while True:
            run = http("GET", f"{url}/api/runs/current")["run"]
            if run["state"] == "ended":
                break
            if run["events"] >= target and not stopped:
                http("POST", f"{url}/api/runs/current/stop")
                stopped = True
            print(f"\r{time.monotonic() - t0:6.0f} s {run['events']:>9} events "
                  f"{rss_bytes(proc.pid) / 2**20:6.1f} MB", end="", file=sys.stderr,
                  flush=True)
            time.sleep(1.0)
        duration = time.monotonic() - t0
        print(file=sys.stderr)
        if view is not None:
            view.ended.wait(60)
            view.ws.close()
        sampler.done.set()
        sampler.join()
        rec = next(r for r in http("GET", f"{url}/api/recordings") if r["id"] == run_id)
    peak = max([start_rss] + [rss for _, rss in sampler.samples])
    events = run["events"]
    return {
        "config": CONFIG,
        "events": events,
        "ended_reason": run["ended_reason"],
        "duration_s": round(duration, 1),
        "events_per_s": round(events / duration),
        "start_rss_mb": round(start_rss / 2**20, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "growth_mb": round((peak - start_rss) / 2**20, 1),
        "goal_mb": GOAL_MB,
        "viewer": viewer,
        "viewer_events": view.events if view is not None else None,
        "viewer_dropped": view.dropped if view is not None else None,
        "recorded_events": rec["events"],
        "stored_bytes_per_event": round(rec["bytes"] / max(1, rec["events"]), 2),
        "rss_samples_mb": [(round(t, 1), round(r / 2**20, 1)) for t, r in sampler.samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="stop the run once it has this many events (default 1,000,000)")
    parser.add_argument("--no-viewer", action="store_true", help="no websocket viewer")
    parser.add_argument("--out", default="bench-results/web-memory.json",
                        help="where to write JSON")
    args = parser.parse_args()
    row = measure(args.events, viewer=not args.no_viewer)
    write_table(args.out, [row], goal_mb=GOAL_MB)
    print(f"{'events':>9} {'s':>6} {'ev/s':>7} {'start MB':>9} {'peak MB':>8} {'growth':>7} "
          f"{'goal':>5} {'B/event':>8} {'viewer got':>10}")
    print(f"{row['events']:>9} {row['duration_s']:>6} {row['events_per_s']:>7} "
          f"{row['start_rss_mb']:>9} {row['peak_rss_mb']:>8} {row['growth_mb']:>7} "
          f"{GOAL_MB:>5.0f} {row['stored_bytes_per_event']:>8} {row['viewer_events']!s:>10}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
