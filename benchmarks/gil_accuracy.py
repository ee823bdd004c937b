"""How exactly does the GIL lane match the truth? Prints the agreement (goal: ≥ 98 %).

Ground truth: two CPU-bound threads stamp `time.monotonic_ns()` in a tight loop. A thread
runs bytecode only while it holds the GIL, so a run of stamps with small gaps is a span in
which that thread held the GIL. The lane comes from the sampler as in a real run. Both are
compared on a 5 µs grid, leaving out the sampler's own uncertainty windows (the UI draws those
hatched, never as a holder) and the edges of the truth's runs, where the truth itself is fuzzy.

    python benchmarks/gil_accuracy.py [--period-us 100] [--seconds 1.0] [--json out.json]
    (make bench runs it too)
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import threading
import time
from array import array

from schedviz.instrument import gil
from schedviz.instrument.recorder import Recorder
from schedviz.lab.flusher import to_compact
from schedviz.protocol import expand

RUN_GAP_NS = 20_000  # stamps closer than this belong to one span of holding the GIL
EDGE_NS = 20_000  # how close to a truth edge a point is too fuzzy to judge
GRID_NS = 5_000


def stamper(name: str, stamps: array[int], seconds: float) -> None:
    gil.register_current_thread(None, name)
    now, append = time.monotonic_ns, stamps.append
    end = now() + int(seconds * 1e9)
    while True:
        t = now()
        append(t)
        if t > end:
            return


def runs_of(stamps: array[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = prev = stamps[0]
    for t in stamps[1:]:
        if t - prev > RUN_GAP_NS:
            spans.append((start, prev))
            start = t
        prev = t
    spans.append((start, prev))
    return spans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period-us", type=int, default=100, help="the goal is set at 100 µs")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args(argv)
    module, why = gil.load()
    if module is None:
        print(f"no GIL sampler: {why}", file=sys.stderr)
        return 2
    rec = Recorder()
    watcher = gil.GilWatcher(rec, args.period_us)
    stamps = {"A": array("q"), "B": array("q")}
    threads = [threading.Thread(target=stamper, args=(n, s, args.seconds)) for n, s in
               stamps.items()]
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    watcher.stop()
    events = [expand(e) for e in to_compact(rec.drain(), 0, rec.t0)]
    lane = sorted(((e["t"] + rec.t0, e) for e in events if e["kind"] == "gil"),
                  key=lambda x: x[0])
    lane_t = [t for t, _ in lane]
    truth = {name: runs_of(s) for name, s in stamps.items()}
    starts = {name: [a for a, _ in spans] for name, spans in truth.items()}

    def truth_at(t: int) -> str | bool | None:
        """The truth's holder at t; False where it is too fuzzy to judge."""
        for name, spans in truth.items():
            i = bisect.bisect_right(starts[name], t) - 1
            if i >= 0:
                a, b = spans[i]
                if a + EDGE_NS <= t <= b - EDGE_NS:
                    return name
                if a - EDGE_NS <= t <= b + EDGE_NS:
                    return False
        return None

    begin = max(s[0] for s in stamps.values())
    end = min(s[-1] for s in stamps.values())
    agree = compared = in_window = 0
    for t in range(begin, end, GRID_NS):
        i = bisect.bisect_right(lane_t, t) - 1
        if i < 0:
            continue
        if i + 1 < len(lane) and lane[i + 1][0] - lane[i + 1][1]["window_ns"] < t:
            in_window += 1  # the next change may already have happened: unknown, not judged
            continue
        truth_holder = truth_at(t)
        if truth_holder is False or truth_holder is None:
            continue
        event = lane[i][1]
        compared += 1
        agree += event["held"] and event["thread"] == truth_holder
    info = module.info()
    result = {
        "period_us": args.period_us,
        "realtime": bool(info["fifo"]),
        "points_compared": compared,
        "points_in_uncertainty_windows": in_window,
        "agreement": round(agree / compared, 4) if compared else None,
        "goal": 0.98,
        "gil_changes_seen": len(lane),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
