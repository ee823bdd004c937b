"""Synthetic GIL events (schema v3) for frontend tests, with their own reference arithmetic.

A GIL sampler reports a change of holder at the sample that first sees it; the change happened
somewhere in the window before. `reference_stats` derives each holder's certain time and the
unknown time straight from that rule, independently of the browser's code, so tests compare the
two instead of hard-coded numbers.
"""

from __future__ import annotations

import random
from typing import Any

Holder = int | str | None  # a worker id, a thread name, or None for nobody

LAB_PID = 4242


def sampler(t: int = 0, pid: int = LAB_PID, *, available: bool = True, period_ns: int = 100_000,
            reason: str | None = None, realtime: bool = True) -> dict[str, Any]:
    return {"t": t, "kind": "gil_sampler", "pid": pid, "available": available,
            "period_ns": period_ns, "reason": reason, "realtime": realtime}


def change(t: int, holder: Holder, window_ns: int, *, pid: int = LAB_PID, switches: int = 1,
           gap: bool = False) -> dict[str, Any]:
    return {"t": t, "kind": "gil", "pid": pid, "held": holder is not None,
            "worker": holder if isinstance(holder, int) else None,
            "thread": holder if isinstance(holder, str) else None,
            "window_ns": window_ns, "switches": switches, "gap": gap}


def with_seq(events: list[dict[str, Any]], first: int = 0) -> list[dict[str, Any]]:
    """Events sorted by time and numbered."""
    ordered = sorted(events, key=lambda e: e["t"])
    return [{"seq": first + n, **e} for n, e in enumerate(ordered)]


def alternating(workers: list[int], start: int, end: int, hold_ns: int, window_ns: int, *,
                pid: int = LAB_PID, seed: int = 1, free_every: int = 0) -> list[dict[str, Any]]:
    """Workers taking turns with the GIL every ~hold_ns (jittered), sampled with `window_ns`
    windows; every `free_every`-th turn nobody holds it. Switch counts vary (some unseen)."""
    rng = random.Random(seed)
    out = []
    t = start
    k = 0
    while t < end:
        holder: Holder = workers[k % len(workers)]
        if free_every and k % free_every == free_every - 1:
            holder = None
        w = rng.randint(window_ns // 2, window_ns)
        out.append(change(t, holder, w, pid=pid, switches=rng.choice([1, 1, 1, 2, 5]),
                          gap=rng.random() < 0.02))
        t += max(w + 1, int(hold_ns * rng.uniform(0.5, 1.5)))
        k += 1
    return out


def key(holder: Holder) -> str | None:
    """The page's name for a holder in data-gil-shares: a worker id or a thread name."""
    return None if holder is None else str(holder)


def reference_stats(changes: list[dict[str, Any]], a: float, b: float, end_t: int
                    ) -> dict[str, Any]:
    """Certain time per holder, free and unknown time in [a, b], by the sampler's rule."""
    cs = sorted(changes, key=lambda e: e["t"])
    held: dict[str, int] = {}
    free = unknown = 0

    def add(x0: float, x1: float, what: str | None, kind: str) -> None:
        nonlocal free, unknown
        lo, hi = max(a, x0), min(b, x1)
        if hi <= lo:
            return
        if kind == "unknown":
            unknown += hi - lo
        elif what is None:
            free += hi - lo
        else:
            held[what] = held.get(what, 0) + hi - lo

    for i, c in enumerate(cs):
        who = key(c["worker"] if c["worker"] is not None else c["thread"]) if c["held"] else None
        if i == 0:
            add(c["t"] - c["window_ns"], c["t"], None, "unknown")
        nxt = cs[i + 1] if i + 1 < len(cs) else None
        u = max(c["t"], nxt["t"] - nxt["window_ns"]) if nxt else max(c["t"], end_t)
        add(c["t"], u, who, "held")
        if nxt:
            add(u, nxt["t"], None, "unknown")
    known = sum(held.values()) + free
    return {"held": held, "free": free, "unknown": unknown, "known": known,
            "shares": {k: v / known for k, v in held.items()} if known else {}}
