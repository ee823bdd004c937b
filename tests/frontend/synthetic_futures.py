"""A synthetic run with Future facts for frontend tests (schema v6): the deadlock of lesson 9
(one worker; its task submits a second task to the same pool and waits on it with a timeout),
done-callbacks run on a worker and on the main thread, a future cancelled while pending and
waited on, and an as_completed() wait from the main thread.

It emits wire events as backend/schedviz/protocol.py describes them and keeps its own record
of every wait, callback and deadlock, so tests compare the browser's derivation with an
independent answer; `seed` varies every duration.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from synthetic_runs import batch

MS = 1_000_000


@dataclass
class WaitRecord:
    wait: int
    call: str
    tasks: list[int]
    timeout_s: float | None
    task: int | None
    worker: int | None
    thread: str
    began: int
    ended: int
    outcome: str


@dataclass
class CallbackRecord:
    task: int
    name: str
    worker: int | None
    thread: str
    began: int
    dur_ns: int


@dataclass
class FutureRun:
    run_id: str
    events: list[dict[str, Any]]
    waits: dict[int, WaitRecord]
    callbacks: list[CallbackRecord]
    deadlocks: list[tuple[int, int, list[list[int]]]]  # (t, pool, chain)
    cancelled: list[int]
    ended_at: int


def future_run(seed: int = 1, timeout_s: float = 0.5) -> FutureRun:
    """One worker, a task that waits on a task it submitted (deadlock, ended by its timeout),
    then callbacks, a cancelled future waited on, as_completed(), and a future only cancelled."""
    rnd = random.Random(seed)
    events: list[dict[str, Any]] = []
    waits: dict[int, WaitRecord] = {}
    callbacks: list[CallbackRecord] = []
    deadlocks: list[tuple[int, int, list[list[int]]]] = []

    def emit(t: int, kind: str, **fields: Any) -> None:
        events.append({"t": t, "kind": kind, **fields})

    def jitter(ms: float) -> int:
        return int(ms * MS * rnd.uniform(0.8, 1.25))

    def wait_began(t: int, wid: int, call: str, tasks: list[int], timeout: float | None,
                   task: int | None, worker: int | None, thread: str) -> None:
        waits[wid] = WaitRecord(wid, call, tasks, timeout, task, worker, thread, t, -1, "")
        emit(t, "future_wait", wait=wid, call=call, tasks=tasks, timeout_s=timeout, task=task,
             worker=worker, thread=thread)

    def wait_ended(t: int, wid: int, outcome: str) -> None:
        waits[wid].ended, waits[wid].outcome = t, outcome
        emit(t, "future_wait_ended", wait=wid, outcome=outcome)

    def callback(t: int, task: int, name: str, worker: int | None, thread: str) -> int:
        dur = jitter(0.05)
        callbacks.append(CallbackRecord(task, name, worker, thread, t, dur))
        emit(t, "future_callback", task=task, name=name, dur_ns=dur, worker=worker,
             thread=thread, thread_ident=140000000000 + (worker if worker is not None else 99),
             ok=True)
        return t + dur

    worker_name = "ThreadPoolExecutor-0_0"
    emit(0, "run_started", run_id="futures-synth", wall_time_ns=1_700_000_000 * 10**9,
         schema_version=6, config={"executor": "threads", "max_workers": 1})
    emit(jitter(0.2), "pool_created", pool=0, max_workers=1, executor="threads")
    t = jitter(1)
    emit(t, "task_submitted", task=1, pool=0, args="(pool)", map_id=None, first_item=None,
         items=None)
    t += jitter(0.3)
    emit(t, "worker_spawned", worker=0, pool=0, name=worker_name, native_id=4242)
    emit(t, "task_started", task=1, worker=0)
    main_wait_t = t + jitter(0.2)
    wait_began(main_wait_t, 1, "result", [1], None, None, None, "MainThread")
    t = main_wait_t + jitter(1)
    emit(t, "task_submitted", task=2, pool=0, args="()", map_id=None, first_item=None, items=None)
    inner_wait_t = t + jitter(0.2)
    wait_began(inner_wait_t, 2, "result", [2], timeout_s, 1, 0, worker_name)
    # The only worker waits on a task only this pool can run: a deadlock, seen soon after.
    dead_t = inner_wait_t + jitter(100)
    deadlocks.append((dead_t, 0, [[1, 2]]))
    emit(dead_t, "deadlock", pool=0, chain=[[1, 2]],
         message="task #1 waits on #2, which no worker is free to start; it ends when "
         f"#1's result(timeout={timeout_s}) times out")
    t = inner_wait_t + int(timeout_s * 1e9) + jitter(0.1)
    wait_ended(t, 2, "timeout")
    t += jitter(0.5)
    emit(t, "task_finished", task=1, worker=0, ok=True, result="'gave up'", error=None,
         item_ends=None, cpu_ns=jitter(1))
    wait_ended(t + jitter(0.05), 1, "done")
    emit(t, "task_started", task=2, worker=0)
    t += jitter(100)
    emit(t, "task_finished", task=2, worker=0, ok=True, result="'inner'", error=None,
         item_ends=None, cpu_ns=jitter(1))
    # The worker that finished #2 runs its callbacks; one added later runs on the adder.
    t = callback(t + jitter(0.01), 2, "report", 0, worker_name)
    t = callback(t + jitter(5), 1, "main.<locals>.late", None, "MainThread")
    t += jitter(1)
    emit(t, "task_submitted", task=3, pool=0, args="()", map_id=None, first_item=None, items=None)
    t += jitter(0.5)
    emit(t, "task_cancelled", task=3, reason="cancel()")
    t = callback(t + jitter(0.01), 3, "report", None, "MainThread")
    t += jitter(0.5)
    wait_began(t, 3, "exception", [3], None, None, None, "MainThread")
    t += jitter(0.05)
    wait_ended(t, 3, "cancelled")
    t += jitter(1)
    wait_began(t, 4, "as_completed", [2, 3], 2.0, None, None, "MainThread")
    t += jitter(0.1)
    wait_ended(t, 4, "done")
    # A future cancelled while pending that nobody waits on: cancel() alone.
    t += jitter(0.5)
    emit(t, "task_submitted", task=4, pool=0, args="()", map_id=None, first_item=None, items=None)
    t += jitter(0.5)
    emit(t, "task_cancelled", task=4, reason="cancel()")
    t += jitter(2)
    emit(t, "worker_exited", worker=0, pool=0, exitcode=None)
    t += jitter(0.5)
    emit(t, "run_ended", reason="completed", message=None)
    events.sort(key=lambda e: e["t"])
    for seq, e in enumerate(events):
        e["seq"] = seq
    return FutureRun("futures-synth", events, waits, callbacks, deadlocks, [3, 4], t)


def waited_batch(n: int, workers: int, task_ns: int) -> list[dict[str, Any]]:
    """A batch of n tasks (synthetic_runs.batch) whose every future the program looks at, as
    `for f in futures: f.result()` does: the main thread (no lane) waits on each task in turn,
    and each task's done-callback runs on its worker when it finishes. For the render
    benchmark: n waits, n callbacks and n futures looked at."""
    run = batch(n, workers, task_ns=task_ns)
    extra: list[dict[str, Any]] = []
    begin = 5_000
    for i in sorted(run.tasks):
        rec = run.tasks[i]
        if rec.finished is None:
            continue
        extra.append({"t": begin, "kind": "future_wait", "wait": i, "call": "result",
                      "tasks": [i], "timeout_s": None, "task": None, "worker": None,
                      "thread": "MainThread"})
        end = max(begin, rec.finished + 2_000)
        extra.append({"t": end, "kind": "future_wait_ended", "wait": i, "outcome": "done"})
        extra.append({"t": rec.finished + 500, "kind": "future_callback", "task": i,
                      "name": "report", "dur_ns": 20_000, "worker": rec.worker,
                      "thread": f"pool0_{rec.worker}", "thread_ident": 7000 + (rec.worker or 0),
                      "ok": True})
        begin = end + 1_000
    events = [*run.events, *extra]
    for seq, e in enumerate(events):
        e["seq"] = seq
    return events
