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
    had no take the sampler did not see)."""
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
        return "unknown", key, unseen(cur, nxt) == 0
    return ("held" if key is not None else "free"), key, False


def unseen(prev: dict[str, Any] | None, c: dict[str, Any]) -> int:
    """Takes counted at change c beyond the one its new holder made."""
    own = 1 if _key(c) is not None and _key(c) != (_key(prev) if prev else None) else 0
    return int(c["switches"]) - own


def grant_after_wait(gil: list[dict[str, Any]], me: str, lo: int, b: int) -> int:
    """After a look saw `me` waiting for the GIL at lo: the first time it may have been given
    the GIL (a take of its own, or one nobody saw), else b."""
    ts = [c["t"] for c in gil]
    j = bisect.bisect_right(ts, lo) - 1
    if j < 0 or _key(gil[j]) == me:
        return lo
    for k in range(j + 1, len(gil)):
        start = max(gil[k - 1]["t"], gil[k]["t"] - gil[k]["window_ns"])
        if start >= b:
            break
        if _key(gil[k]) == me or unseen(gil[k - 1], gil[k]) > 0:
            return max(lo, start)
    return b


def _key(c: dict[str, Any]) -> str | None:
    if not c["held"]:
        return None
    return f"w{c['worker']}" if c["worker"] is not None else f"t:{c['thread']}"


LOOK_NS = 5_000_000  # the least time between two /proc looks


def holding_spans(gil: list[dict[str, Any]], key: str, end_t: int) -> list[tuple[int, int]]:
    """Where the GIL is certainly held by `key`: from its change to the next one's window."""
    out = []
    for i, c in enumerate(gil):
        if _key(c) != key:
            continue
        nxt = gil[i + 1] if i + 1 < len(gil) else None
        until = nxt["t"] - nxt["window_ns"] if nxt else end_t
        out.append((c["t"], max(c["t"], until)))
    return out


def placed(mine: list[dict[str, Any]], gil: list[dict[str, Any]], me: str,
           end_t: int) -> list[int]:
    """Where each change is placed: a change from running to a wait moves back to where the
    worker last let go of the GIL, if that was after the look before it."""
    out = []
    spans = holding_spans(gil, me, end_t)
    for i, s in enumerate(mine):
        at = s["t"]
        if gil and i > 0 and mine[i - 1]["state"] == "running" and s["state"] != "running":
            lo = max(mine[i - 1]["t"], s["t"] - LOOK_NS)
            ends = [min(b, s["t"]) for a, b in spans if a < s["t"] and b > lo]
            if ends and lo < max(ends) < s["t"]:
                at = max(ends)
        out.append(at)
    return out


def reference_totals(states: list[dict[str, Any]], gil: list[dict[str, Any]], worker: int,
                     end_t: int) -> dict[str, int]:
    """ns per displayed state of `worker`, from its first state change to end_t."""
    mine = sorted((s for s in states if s["worker"] == worker), key=lambda s: s["t"])
    gil = sorted(gil, key=lambda c: c["t"])
    me = f"w{worker}"
    if not mine:
        return {}
    ts = placed(mine, gil, me, end_t)
    # A running span right after a wait for the GIL waits on until it may have been given it.
    grants = [-1] * len(mine)
    for r, s in enumerate(mine):
        if gil and r > 0 and s["state"] == "running" and mine[r - 1]["state"] == "gil_wait":
            span_end = ts[r + 1] if r + 1 < len(mine) else max(s["t"], end_t)
            grants[r] = grant_after_wait(gil, me, mine[r - 1]["t"], span_end)
    cuts = set(ts) | {end_t} | {g for g in grants if g >= 0}
    for c in gil:
        cuts |= {c["t"], c["t"] - c["window_ns"]}
    points = sorted(x for x in cuts if mine[0]["t"] <= x <= end_t)
    out: dict[str, int] = {}
    for x0, x1 in itertools.pairwise(points):
        if x1 <= x0:
            continue
        mid = (x0 + x1) / 2
        r = bisect.bisect_right(ts, mid) - 1
        raw = _BASE.get(mine[r]["state"], "other")
        kind, key, none_unseen = _gil_at(gil, mid)
        if kind == "held" and key == me:
            shown = "holding_gil"
        elif mid < grants[r]:
            shown = "gil_wait"
        elif raw != "running":
            shown = raw
        elif kind in ("held", "free"):
            shown = "cpu_without_gil"
        elif kind == "unknown":
            i = bisect.bisect_right([c["t"] for c in gil], mid)  # the change the window leads to
            nxt = gil[i]
            certain = (i > 0 and key != me and _key(nxt) != me and none_unseen)
            shown = "cpu_without_gil" if certain else "on_cpu"
        else:
            shown = "on_cpu"
        out[shown] = out.get(shown, 0) + (x1 - x0)
    return out
