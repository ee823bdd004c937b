"""The queues at a moment (frontend/model/pools/flow.js) on real recorded runs: each stage's
tasks against what this test derives from the events themselves, at many moments of each run.

A process task sits in the pending work items from its submit until the lab pickles its call,
on the call queue (or taken off it by a worker not yet known) from then until a worker begins
unpickling it, on a worker until its result is pickled, on the result queue until the lab has
unpickled the result, then among the done futures. The call queue is FIFO and holds at most
max_workers + 1 calls. A thread pool's work queue holds the submitted tasks not yet started, in
order. asyncio's ready queue at t is the iteration's steps: bounded by selects, as many as that
iteration's aio_ready count.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

Events = list[dict[str, Any]]

# Flows at each time, from a model fed in arrival order (live) and from a replay at that time.
FLOWS = """
async ([events, times]) => {
  const { Replay } = await import("/model/core/replay.js");
  const { TimelineModel } = await import("/model/core/timeline.js");
  const flow = await import("/model/pools/flow.js");
  const live = new TimelineModel();
  for (const e of [...events].sort((a, b) => a.seq - b.seq)) live.apply(e);
  const replay = new Replay(events);
  const out = [];
  for (const t of times) {
    replay.seekTime(t);
    out.push({
      t,
      live: flow.poolFlowsAt(live, t, 100000),
      cursor: flow.poolFlowsAt(replay.model, t, 100000),
      capped: flow.poolFlowsAt(live, t).map((f) => [f.pending.count, f.pending.tasks.length]),
    });
  }
  return out;
}
"""


class TaskFacts:
    """One pool task's moments, straight from its events."""

    def __init__(self) -> None:
        self.submitted: int | None = None
        self.pool: int | None = None
        self.moves: list[tuple[int, int]] = []  # (t, to)
        self.args_dumps: int | None = None
        self.args_loads: int | None = None
        self.started: int | None = None
        self.worker: int | None = None
        self.finished: int | None = None
        self.ok: bool | None = None
        self.result_dumps_end: int | None = None
        self.result_loads_end: int | None = None
        self.cancelled: int | None = None

    def pool_at(self, t: int) -> int | None:
        pool = self.pool
        for mt, to in sorted(self.moves):
            if mt <= t:
                pool = to
        return pool


def facts(events: Events) -> tuple[dict[int, TaskFacts], dict[int, dict[str, Any]]]:
    tasks: dict[int, TaskFacts] = defaultdict(TaskFacts)
    pools: dict[int, dict[str, Any]] = {}
    for e in sorted(events, key=lambda e: (e["t"], e["seq"])):
        k, t = e["kind"], e["t"]
        if k == "pool_created":
            pools[e["pool"]] = e
        elif k == "task_submitted":
            f = tasks[e["task"]]
            if f.submitted is None:
                f.submitted, f.pool = t, e["pool"]
        elif k == "task_moved":
            tasks[e["task"]].moves.append((t, e["to_pool"]))
        elif k == "task_started":
            tasks[e["task"]].started, tasks[e["task"]].worker = t, e["worker"]
        elif k == "task_finished":
            tasks[e["task"]].finished, tasks[e["task"]].ok = t, e["ok"]
        elif k == "task_cancelled":
            tasks[e["task"]].cancelled = t
        elif k == "serialized":
            f = tasks[e["task"]]
            end = t + e["duration_ns"]
            match (e["side"], e["what"]):
                case ("parent", "args"):
                    f.args_dumps = t if f.args_dumps is None else f.args_dumps
                case ("worker", "args"):
                    f.args_loads = t
                case ("worker", "result"):
                    f.result_dumps_end = end
                case ("parent", "result"):
                    f.result_loads_end = end
    return dict(tasks), pools


def before(x: int | None, t: int) -> bool:
    return x is not None and x <= t


def moments(events: Events, n: int = 40) -> list[int]:
    """Evenly spread times, plus the moments calls were pickled and results came back."""
    end = max(e["t"] for e in events)
    times = {end * i // n for i in range(n + 1)}
    for e in events:
        if e["kind"] == "serialized" and e["side"] == "parent":
            times.add(e["t"])
            times.add(e["t"] + e["duration_ns"])
    return sorted(times)[:: max(1, len(times) // 150)]


def by_pool(flows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {f["pool"]: f for f in flows}


def in_pool(tasks: dict[int, TaskFacts], pool: int, t: int) -> dict[int, TaskFacts]:
    """The tasks submitted by t that belong to `pool` at t."""
    return {i: f for i, f in tasks.items() if before(f.submitted, t) and f.pool_at(t) == pool}


def gone(f: TaskFacts, t: int) -> bool:
    """Cancelled by t without having started."""
    return before(f.cancelled, t) and not before(f.started, t)


@pytest.mark.parametrize("run", ["processes", "crash"])
def test_a_process_pool_s_tasks_sit_in_the_stages_its_events_mark(
        js: Page, real_runs: dict[str, Events], run: str) -> None:
    events = real_runs[run]
    tasks, pools = facts(events)
    times = moments(events)
    out = js.evaluate(FLOWS, [events, times])
    most_queued = 0
    seen_stages: set[str] = set()
    for snap in out:
        t = snap["t"]
        # Only events at or before t matter: live and replay agree.
        assert snap["live"] == snap["cursor"], f"live and replay differ at t={t}"
        for pool_id, flow in by_pool(snap["live"]).items():
            assert flow["executor"] == "processes"
            mine = in_pool(tasks, pool_id, t)
            capacity = pools[pool_id]["max_workers"] + 1
            assert flow["capacity"] == capacity

            pending = {i for i, f in mine.items()
                       if not gone(f, t) and not before(f.args_dumps, t)}
            assert set(flow["pending"]["tasks"]) == pending, t
            # On the call queue, or taken off it by a worker not known yet: pickled by the
            # lab, not yet being unpickled by a worker.
            called = {i for i, f in mine.items() if not gone(f, t) and before(f.args_dumps, t)
                      and not before(f.args_loads, t) and not before(f.started, t)}
            unpickling = {i for i, f in mine.items() if before(f.args_loads, t)
                          and not before(f.started, t) and not gone(f, t)}
            queue = flow["callQueue"]["tasks"]
            assert set(queue) | (set(flow["taken"]["tasks"]) - unpickling) == called, t
            assert not set(queue) & set(flow["taken"]["tasks"])
            assert flow["callQueue"]["count"] <= capacity, (t, queue)
            # FIFO: what is still queued are the newest-pickled calls, in pickling order.
            order = sorted(called, key=lambda i: (tasks[i].args_dumps, i))
            assert queue == order[len(order) - len(queue):], t
            if queue:
                last_loaded = max((f.args_dumps or -1 for f in mine.values()
                                   if before(f.args_loads, t)), default=-1)
                assert min(tasks[i].args_dumps or 0 for i in queue) > last_loaded
            most_queued = max(most_queued, len(queue))
            # Workers: each holds the task it started and whose result it has not pickled yet.
            held = {w["worker"]: w["task"] for w in flow["workers"] if w["task"] is not None}
            for worker, task in held.items():
                f = tasks[task]
                assert f.worker == worker and before(f.started, t), (t, task)
                assert not before(f.result_dumps_end, t)
                assert not (before(f.finished, t) and f.result_dumps_end is None)
            running = {i for i, f in mine.items() if before(f.started, t)
                       and not before(f.result_dumps_end, t)
                       and not (before(f.finished, t) and f.result_dumps_end is None)}
            assert set(held.values()) == running, t
            result = {i for i, f in mine.items() if before(f.result_dumps_end, t)
                      and not before(f.result_loads_end, t)}
            assert set(flow["resultQueue"]["tasks"]) == result, t
            done = flow["done"]
            assert done["count"] == len(mine) - len(pending) - len(called) - len(unpickling) \
                - len(running) - len(result)
            assert done["cancelled"] == sum(1 for f in mine.values() if gone(f, t))
            assert done["error"] == sum(1 for f in mine.values()
                                        if f.ok is False and before(f.finished, t))
            assert done["ok"] + done["error"] + done["cancelled"] == done["count"]
            for name in ("pending", "callQueue", "taken", "resultQueue", "done"):
                if flow[name]["count"]:
                    seen_stages.add(name)
            if held:
                seen_stages.add("workers")
        for count, listed in snap["capped"]:
            assert listed == min(count, 12)
    assert most_queued >= 1, "the call queue was never seen holding a call"
    assert {"pending", "callQueue", "workers", "done"} <= seen_stages, seen_stages


def test_a_thread_pool_s_work_queue_holds_its_waiting_tasks_in_order(
        js: Page, real_runs: dict[str, Events]) -> None:
    events = real_runs["threads"]
    tasks, _ = facts(events)
    times = moments(events, 60)
    out = js.evaluate(FLOWS, [events, times])
    waited = 0
    for snap in out:
        t = snap["t"]
        assert snap["live"] == snap["cursor"]
        for pool_id, flow in by_pool(snap["live"]).items():
            assert flow["executor"] == "threads"
            assert flow["callQueue"]["count"] == flow["resultQueue"]["count"] == 0
            mine = in_pool(tasks, pool_id, t)
            waiting = sorted((f.submitted or 0, i) for i, f in mine.items()
                             if not before(f.started, t) and not before(f.cancelled, t))
            assert flow["pending"]["tasks"] == [i for _, i in waiting], t
            waited = max(waited, len(waiting))
            held = {w["worker"]: w["task"] for w in flow["workers"] if w["task"] is not None}
            assert set(held.values()) == {i for i, f in mine.items()
                                          if before(f.started, t) and not before(f.finished, t)}
            assert all(tasks[task].worker == worker for worker, task in held.items())
            assert len(held) <= (flow["maxWorkers"] or 0)
            assert flow["done"]["count"] == sum(1 for f in mine.values()
                                                if before(f.finished, t) or gone(f, t))
    assert waited >= 1, "no task was ever seen waiting in the work queue"


# The ready queue at each time, read from the whole recording (as a replay does).
READY = """
async ([events, times]) => {
  const flow = await import("/model/pools/flow.js");
  const src = flow.readySourceOf([...events].sort((a, b) => a.t - b.t || a.seq - b.seq));
  return times.map((t) => ({ t, q: flow.readyQueueAt(src, t, 100000) }));
}
"""


@pytest.mark.parametrize("run", ["asyncio", "queue", "blocking"])
def test_asyncio_s_ready_queue_is_the_iteration_s_tasks(
        js: Page, real_runs: dict[str, Events], run: str) -> None:
    events = sorted(real_runs[run], key=lambda e: (e["t"], e["seq"]))
    steps = [e for e in events if e["kind"] == "aio_step"]
    starts = [s["t"] for s in steps]
    idle = [(e["t"], e["t"] + e["dur_ns"]) for e in events if e["kind"] == "aio_idle"]
    ready = [(e["t"], e["ready"]) for e in events if e["kind"] == "aio_ready"]
    # Moments inside steps (a task running), between them, and in idle spans.
    times = sorted({s["t"] + s["dur_ns"] // 2 for s in steps[::3]}
                   | {a + (b - a) // 2 for a, b in idle[::2]}
                   | {s["t"] + s["dur_ns"] + 1 for s in steps[1::5]})
    out = js.evaluate(READY, [events, times])

    def iteration(t: int) -> tuple[int, list[int]]:
        """The ready count in force at t and the steps (indexes) of the iteration at t."""
        # The segment: between the newest iteration start (a count, a select's end) and the
        # next select; in it every iteration ran n steps.
        bounds = [rt for rt, _ in ready if rt <= t] + [b for _, b in idle if b <= t]
        seg_from = max(bounds, default=None)
        n = next((v for rt, v in reversed(ready) if rt <= t), 0)
        nexts = [rt for rt, _ in ready if rt > t] + [a for a, _ in idle if a > t]
        seg_until = min(nexts, default=None)
        seg = [i for i, s in enumerate(steps)
               if (seg_from is None or s["t"] >= seg_from)
               and (seg_until is None or s["t"] < seg_until)]
        if n > 0 and seg:
            k = bisect.bisect_right(starts, t) - 1
            g = max(0, (k - seg[0]) // n) if k >= seg[0] else 0
            return n, seg[g * n:(g + 1) * n]
        return n, seg

    ran_with_others = looked_back = 0
    for snap in out:
        t, q = snap["t"], snap["q"]
        in_idle = any(a <= t < b for a, b in idle)
        if in_idle:
            assert q["state"] == "idle" and q["tasks"] == [], t
        else:
            assert q["state"] == "iteration", t
            n, group = iteration(t)
            assert [x["task"] for x in q["tasks"]] == [steps[i]["task"] for i in group], t
            if n > 0:
                assert q["count"] == n and len(group) <= n
            # One iteration: no select inside it.
            if group:
                first, last = steps[group[0]]["t"], steps[group[-1]]["t"]
                assert not any(first < a < last for a, _ in idle)
            for x, i in zip(q["tasks"], group, strict=True):
                s = steps[i]
                want = "ready" if s["t"] > t else "running" if t < s["t"] + s["dur_ns"] else "ran"
                assert x["status"] == want, (t, x)
            running = [s for s in steps if s["t"] <= t < s["t"] + s["dur_ns"]]
            for s in running:
                assert {"task": s["task"], "status": "running"} in q["tasks"], t
            if len(q["tasks"]) > 1:
                ran_with_others += 1
        # Nothing ready at t: the newest iteration before t that had ready tasks, all run.
        k = bisect.bisect_right(starts, t) - 1
        if q["tasks"] or k < 0:
            assert q["previous"] is None, t
        else:
            _, group = iteration(starts[k])
            assert q["previous"]["tasks"] == [
                {"task": steps[i]["task"], "status": "ran"} for i in group], t
            looked_back += 1
    assert ran_with_others >= 1, "no iteration with more than one ready task was seen"
    assert looked_back >= 1, "no moment without ready tasks was seen"
