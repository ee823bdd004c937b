"""Synthetic asyncio runs (schema v4) for frontend tests: a tiny single-threaded event loop that
runs scripted tasks and emits the wire events the lab would, plus reference arithmetic (who waits
on what when) derived from the emitted steps alone, so tests compare the browser's derivation
with an independent answer instead of hard-coded numbers.

The loop follows asyncio's rules as far as the view cares: one step at a time, a task runs until
its next await, the loop sits idle in select when nothing is ready, a step longer than the
slow-step threshold in force when it ends is reported as blocking the loop (while it runs, and at
its end), and a task that ran to its end in one such step is warned of as never yielding.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MS = 1_000_000
US = 1_000
SOURCE_FILE = "/srv/schedviz/aio_workloads.py"
OVERHEAD_NS = 20 * US  # the loop's own work between two steps


@dataclass
class Await:
    """One step of a task: it runs `run_ns`, then awaits at `line` for `wait_ns`."""

    run_ns: int
    line: int | None = None
    awaiting: str = ""
    wait_ns: int = 0
    waits_on: str | None = None
    offload_ns: int = 0  # > 0: the wait is a pool task of this length (run_in_executor)
    source: str = ""  # the text of the line a slow step is blocked on


@dataclass
class Script:
    name: str
    steps: list[Await]
    start_ns: int = 0
    outcome: str = "done"  # how the last step ends: done, error, cancelled
    coro: str = ""


@dataclass
class AioRun:
    run_id: str
    events: list[dict[str, Any]]
    steps: list[dict[str, Any]] = field(default_factory=list)  # every aio_step, by time
    ended_at: int = 0

    def waiters(self, name: str, t: float) -> list[int]:
        """Tasks waiting on sync object `name` at t: by the rule, not by the browser's code."""
        by_task: dict[int, list[dict[str, Any]]] = {}
        for s in self.steps:
            by_task.setdefault(s["task"], []).append(s)
        out = []
        for task, steps in by_task.items():
            steps.sort(key=lambda s: s["t"])
            for i, s in enumerate(steps):
                if s["outcome"] != "yield" or s["waits_on"] != name:
                    continue
                until = steps[i + 1]["t"] if i + 1 < len(steps) else self.ended_at
                if s["t"] + s["dur_ns"] <= t < until:
                    out.append(task)
        return sorted(out)


def simulate(scripts: list[Script], *, slow_step_ms: float = 50.0, run_id: str = "aio-a",
             workers: int = 2, threshold_changes: Sequence[tuple[int, float]] = ()) -> AioRun:
    """Run the scripts on one simulated loop; returns the events (numbered, by time).

    threshold_changes: (t, ms) live changes of the slow-step threshold.
    """
    raw: list[tuple[int, int, str, dict[str, Any]]] = []  # (recorded at, t, kind, fields)

    def emit(t: int, kind: str, recorded: int | None = None, **fields: Any) -> None:
        raw.append((t if recorded is None else recorded, t, kind, fields))

    config = {"executor": "asyncio", "workload": "sleep", "n_tasks": len(scripts),
              "task_ms": 100.0, "hash_mb": 8.0, "arrival": "batch", "rate": 10.0,
              "duration_s": 30.0, "max_workers": workers, "fail_every": 0,
              "slow_step_ms": slow_step_ms}
    emit(0, "run_started", run_id=run_id, wall_time_ns=1_700_000_000_000_000_000,
         schema_version=4, config=config)
    emit(100 * US, "pool_created", pool=0, max_workers=workers, executor="threads")
    thresholds = [(0, slow_step_ms * MS)]
    for at, ms in sorted(threshold_changes):
        emit(at, "config_changed", field="slow_step_ms", old=thresholds[-1][1] / MS, new=ms)
        thresholds.append((at, ms * MS))

    def slow_ns_at(t: int) -> float:
        return [ns for at, ns in thresholds if at <= t][-1]

    ready: list[tuple[int, int, int]] = []  # (ready at, order, task id)
    next_step = {i + 1: 0 for i in range(len(scripts))}
    for i, sc in enumerate(scripts):
        tid = i + 1
        emit(sc.start_ns, "aio_task", task=tid, name=sc.name, coro=sc.coro or sc.name,
             parent=1 if tid > 1 else None)
        heapq.heappush(ready, (sc.start_ns + 10 * US, tid, tid))
    pool_free = [0] * workers
    pool_task = 0
    order = len(scripts) + 1
    t = 200 * US
    last_ready = -1
    steps: list[dict[str, Any]] = []
    while ready:
        at = ready[0][0]
        if at > t:
            emit(t, "aio_idle", dur_ns=at - t, io_events=0)
            t = at
        n_ready = sum(1 for r in ready if r[0] <= t)
        if n_ready != last_ready:
            emit(t, "aio_ready", ready=n_ready)
            last_ready = n_ready
        _, _, tid = heapq.heappop(ready)
        sc = scripts[tid - 1]
        k = next_step[tid]
        a = sc.steps[k]
        last = k == len(sc.steps) - 1
        outcome = sc.outcome if last else "yield"
        step = {"task": tid, "dur_ns": a.run_ns,
                "file": SOURCE_FILE if not last else None,
                "line": a.line if not last else None,
                "awaiting": a.awaiting if not last else "",
                "waits_on": a.waits_on if not last else None, "outcome": outcome}
        if a.offload_ns and not last:
            w = min(range(workers), key=lambda i: pool_free[i])
            sub = t + a.run_ns // 2
            start = max(sub + 30 * US, pool_free[w])
            if pool_free[w] == 0:
                emit(start - 10 * US, "worker_spawned", worker=w, pool=0, name=f"pool0_{w}",
                     native_id=5000 + w)
            end = start + a.offload_ns
            pool_free[w] = end
            emit(sub, "task_submitted", task=pool_task, pool=0, args="()", map_id=None,
                 first_item=None, items=None)
            emit(sub + 1 * US, "aio_offload", task=tid, pool_task=pool_task)
            emit(start, "task_started", task=pool_task, worker=w)
            emit(end, "task_finished", task=pool_task, worker=w, ok=True, result="1",
                 error=None, item_ends=None)
            step["awaiting"] = f"executor task #{pool_task}"
            pool_task += 1
            wake = end + 50 * US
        else:
            wake = t + a.run_ns + a.wait_ns
        # The lab records a step when it ends, after what was stamped inside it.
        emit(t, "aio_step", recorded=t + a.run_ns, **step)
        steps.append({"t": t, **step})
        slow_ns = slow_ns_at(t + a.run_ns)  # the lab checks a step as it ends
        if a.run_ns > slow_ns:
            blocked = {"task": tid, "file": SOURCE_FILE, "line": (a.line or 1) - 1,
                       "source": a.source or "time.sleep(1)"}
            # Seen while it blocks (the watchdog), then in full at its end.
            emit(t, "aio_blocked", dur_ns=int(slow_ns) + MS, ongoing=True, **blocked)
            emit(t, "aio_blocked", recorded=t + a.run_ns, dur_ns=a.run_ns, ongoing=False,
                 **blocked)
            emit(t + a.run_ns, "warning",
                 message=f"{sc.name} blocked the loop for {a.run_ns / MS:.0f} ms")
        t += a.run_ns + OVERHEAD_NS
        if last:
            emit(t, "aio_task_done", task=tid, outcome=outcome,
                 error="ValueError('boom')" if outcome == "error" else None, steps=k + 1)
            if k == 0 and a.run_ns > slow_ns:
                emit(t, "warning", message=f"{sc.name} never yielded: it ran to its end in one "
                                           "step, and every other task waited for it")
        else:
            next_step[tid] = k + 1
            heapq.heappush(ready, (wake, order, tid))
            order += 1
    end = max([t, *pool_free]) + MS
    emit(end, "pool_retired", pool=0)
    emit(end, "run_ended", reason="completed", message=None)
    raw.sort(key=lambda e: e[0])
    events = [{"seq": n, "t": t_, "kind": kind, **fields}
              for n, (_, t_, kind, fields) in enumerate(raw)]
    return AioRun(run_id, events, steps, end)


def sleepers(n: int = 4, sleeps: int = 3, sleep_ms: int = 100) -> list[Script]:
    """A main task that starts n sleepers, each sleeping `sleeps` times at line 38."""
    main = Script("main", [Await(80 * US, 30, "a Future", (sleeps + 1) * sleep_ms * MS),
                           Await(10 * US)], coro="sleepers")
    out = [main]
    for i in range(n):
        steps = [Await(30 * US + 5 * US * i, 38, f"sleep({sleep_ms / 1000})", sleep_ms * MS)
                 for _ in range(sleeps)]
        out.append(Script(f"sleeper-{i}", [*steps, Await(10 * US)], start_ns=100 * US,
                          coro="sleepers.<locals>.sleeper"))
    return out


def mixed() -> list[Script]:
    """A blocker, a lock with two waiters, a queue waiter, an offload, a task that never yields
    and a quick one-step task (as asyncio's own `_accept_connection2`): every kind of thing the
    view draws."""
    return [
        Script("main", [Await(50 * US, 30, "a Future", 700 * MS), Await(10 * US)], coro="mixed"),
        Script("blocker-0", [Await(20 * US, 78, "sleep(0.05)", 50 * MS),
                             Await(120 * MS, 80, "sleep(0.05)", 50 * MS,
                                   source="time.sleep(run.s)  # blocks the loop"),
                             Await(10 * US)], start_ns=50 * US),
        Script("locker-0", [Await(30 * US, 159, "Lock.acquire", 90 * MS, waits_on="lock log"),
                            Await(40 * US, 160, "sleep(0.01)", 10 * MS), Await(10 * US)],
               start_ns=60 * US),
        Script("locker-1", [Await(30 * US, 159, "Lock.acquire", 150 * MS, waits_on="lock log"),
                            Await(40 * US, 160, "sleep(0.01)", 10 * MS), Await(10 * US)],
               start_ns=60 * US),
        Script("consumer-0", [Await(20 * US, 156, "Queue.get", 60 * MS, waits_on="queue jobs"),
                              Await(20 * US, 156, "Queue.get", 40 * MS, waits_on="queue jobs"),
                              Await(10 * US)], start_ns=70 * US, outcome="cancelled"),
        Script("offload-0", [Await(40 * US, 133, "", offload_ns=200 * MS), Await(10 * US)],
               start_ns=80 * US),
        Script("crunch-0", [Await(90 * MS, 93, source="while time.perf_counter() < end:")],
               start_ns=400 * MS),
        Script("failer-0", [Await(20 * US, 38, "sleep(0.02)", 20 * MS), Await(10 * US)],
               start_ns=90 * US, outcome="error"),
        Script("accept-0", [Await(40 * US)], start_ns=300 * MS,
               coro="BaseSelectorEventLoop._accept_connection2"),
    ]


CRUNCH = "while time.perf_counter() < end:"


def one_steppers(slow_step_ms: float = 50.0, lowered_to: float = 20.0) -> AioRun:
    """Tasks that each run to their end in one step: a quick one, one of 30 ms under the
    starting threshold, and after the threshold is lowered live to `lowered_to` ms, another of
    30 ms (which now blocks the loop) and a quick one again."""
    scripts = [
        Script("main", [Await(50 * US, 30, "a Future", 400 * MS), Await(10 * US)]),
        Script("quick-0", [Await(40 * US)], start_ns=10 * MS),
        Script("under-0", [Await(30 * MS, 93, source=CRUNCH)], start_ns=50 * MS),
        Script("over-0", [Await(30 * MS, 93, source=CRUNCH)], start_ns=250 * MS),
        Script("quick-1", [Await(40 * US)], start_ns=300 * MS),
    ]
    return simulate(scripts, slow_step_ms=slow_step_ms,
                    threshold_changes=[(150 * MS, lowered_to)])


SOURCE_LINES = [f"# line {i}" for i in range(1, 200)]
SOURCE_LINES[37] = "            await asyncio.sleep(run.s)  # yields: the loop runs the others"
SOURCE_LINES[78] = "        time.sleep(run.s)  # blocks the loop: no other task runs"
SOURCE_LINES[158] = "            async with lock:  # one at a time writes the log"


def source_json() -> dict[str, Any]:
    """What GET /api/source/asyncio answers for these runs."""
    return {"file": SOURCE_FILE, "lines": SOURCE_LINES}
