"""Synthetic thread-state events (schema v3) for frontend tests, with a reference derivation.

A `thread_state` event says what a pool worker's thread is doing from `t` on, as /proc showed
it; the page combines it with the GIL lane. `reference_totals` derives each worker's displayed
state the slow, obvious way (cut the time line at every change and window edge, decide each
piece at its midpoint) so tests compare the browser's incremental code against it.
"""

from __future__ import annotations

import bisect
import itertools
import random
from typing import Any

from synthetic_gil import LAB_PID

STATES = ("holding_gil", "cpu_without_gil", "on_cpu", "gil_wait", "lock_wait", "sleeping",
          "io", "other")
_BASE = {"running": "running", "gil_wait": "gil_wait", "lock_wait": "lock_wait",
         "sleeping": "sleeping", "io": "io", "disk": "other", "other": "other"}
UNAVAILABLE = ("thread states are not shown: /proc/self/task/7/syscall cannot be read "
               "(Operation not permitted); reading it needs ptrace rights (in a container: "
               "CAP_SYS_PTRACE). The GIL lane still works")


def state(t: int, worker: int | None, what: str, *, pid: int = LAB_PID,
          thread: str | None = None, syscall: int | None = None) -> dict[str, Any]:
    name = thread if thread is not None else (f"pool0_{worker}" if worker is not None else None)
    return {"t": t, "kind": "thread_state", "pid": pid, "worker": worker, "thread": name,
            "state": what, "syscall": syscall}


def warning(t: int, message: str = UNAVAILABLE) -> dict[str, Any]:
    return {"t": t, "kind": "warning", "message": message}


def random_states(worker: int, start: int, end: int, step_ns: int, *, pid: int = LAB_PID,
                  seed: int = 1, kinds: tuple[str, ...] = ("running", "gil_wait", "running",
                                                           "lock_wait", "sleeping", "io",
                                                           "disk")) -> list[dict[str, Any]]:
    """A worker's state changes every ~step_ns (jittered), each different from the last."""
    rng = random.Random(seed * 1000 + worker)
    out: list[dict[str, Any]] = []
    t = start
    last = None
    while t < end:
        what = rng.choice([k for k in kinds if k != last])
        out.append(state(t, worker, what, pid=pid))
        last = what
        t += max(1, int(step_ns * rng.uniform(0.3, 1.7)))
    return out


def _gil_at(gil: list[dict[str, Any]], x: float) -> tuple[str, str | None, bool]:
    """The GIL at x: ("none"|"held"|"free"|"unknown", holder key, whether an unknown window
    certainly excludes a third thread: a window between two known holders, one switch)."""
    ts = [c["t"] for c in gil]
    i = bisect.bisect_right(ts, x) - 1  # change in force at x
    nxt = gil[i + 1] if i + 1 < len(gil) else None
    if i < 0:
        first = gil[0] if gil else None
        if first and x >= first["t"] - first["window_ns"]:
            return "unknown", None, False
        return "none", None, False
    cur = gil[i]
    key = _key(cur)
    if nxt and x >= max(cur["t"], nxt["t"] - nxt["window_ns"]):
        return "unknown", key, nxt["switches"] <= 1 and True
    return ("held" if key is not None else "free"), key, False


def _key(c: dict[str, Any]) -> str | None:
    if not c["held"]:
        return None
    return f"w{c['worker']}" if c["worker"] is not None else f"t:{c['thread']}"


def reference_totals(states: list[dict[str, Any]], gil: list[dict[str, Any]], worker: int,
                     end_t: int) -> dict[str, int]:
    """ns per displayed state of `worker`, from its first state change to end_t."""
    mine = sorted((s for s in states if s["worker"] == worker), key=lambda s: s["t"])
    gil = sorted(gil, key=lambda c: c["t"])
    me = f"w{worker}"
    if not mine:
        return {}
    cuts = {s["t"] for s in mine} | {end_t}
    for c in gil:
        cuts |= {c["t"], c["t"] - c["window_ns"]}
    points = sorted(x for x in cuts if mine[0]["t"] <= x <= end_t)
    out: dict[str, int] = {}
    ts = [s["t"] for s in mine]
    for x0, x1 in itertools.pairwise(points):
        if x1 <= x0:
            continue
        mid = (x0 + x1) / 2
        raw = _BASE.get(mine[bisect.bisect_right(ts, mid) - 1]["state"], "other")
        kind, key, one_switch = _gil_at(gil, mid)
        if kind == "held" and key == me:
            shown = "holding_gil"
        elif raw != "running":
            shown = raw
        elif kind in ("held", "free"):
            shown = "cpu_without_gil"
        elif kind == "unknown":
            i = bisect.bisect_right([c["t"] for c in gil], mid)  # the change the window leads to
            nxt = gil[i]
            certain = (i > 0 and key != me and _key(nxt) != me and one_switch)
            shown = "cpu_without_gil" if certain else "on_cpu"
        else:
            shown = "on_cpu"
        out[shown] = out.get(shown, 0) + (x1 - x0)
    return out
