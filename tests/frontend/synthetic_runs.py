"""Synthetic runs for frontend tests: a tiny thread-pool simulation that emits wire events and
keeps its own record of what happened, so tests compare the browser's derivation against an
independent answer instead of hard-coded numbers.

The simulation follows the backend's rules: FIFO queue, a task starts on the worker that frees
up first; a resize starts a new pool, moves every task that has not started by then, and the
old workers exit after their running task; a stop cancels what has not started.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

MS = 1_000_000


@dataclass
class TaskRecord:
    id: int
    submitted: int
    started: int | None = None
    finished: int | None = None
    worker: int | None = None
    ok: bool = True
    cancelled: int | None = None
    moved_at: list[int] = field(default_factory=list)


@dataclass
class WorkerRecord:
    id: int
    pool: int
    spawned: int
    free_at: int
    exited: int | None = None


@dataclass
class Run:
    """A simulated run: the events it emits and the ground truth they encode."""

    run_id: str
    events: list[dict[str, Any]]
    tasks: dict[int, TaskRecord]
    workers: dict[int, WorkerRecord]
    resizes: list[tuple[int, int, int]]  # (t, old size, new size)
    ended_at: int

    def depth_at(self, t: int) -> int:
        """Tasks submitted at or before t that had neither started nor been cancelled by t."""
        n = 0
        for task in self.tasks.values():
            left = task.started if task.started is not None else task.cancelled
            if task.submitted <= t and (left is None or left > t):
                n += 1
        return n


def simulate(
    submit_times: list[int],
    task_ns: int,
    sizes: list[tuple[int, int]],
    *,
    fail_every: int = 0,
    stop_at: int | None = None,
    run_id: str = "run-a",
) -> Run:
    """Simulate a run; `sizes` is [(t, max_workers), ...] with the first at t = 0."""
    raw: list[tuple[int, str, dict[str, Any]]] = []

    def emit(t: int, kind: str, **fields: Any) -> None:
        raw.append((t, kind, fields))

    config = {"executor": "threads", "workload": "sleep", "n_tasks": len(submit_times),
              "task_ms": task_ns / MS, "hash_mb": 8.0, "arrival": "rate", "rate": 10.0,
              "duration_s": 30.0, "max_workers": sizes[0][1], "fail_every": fail_every}
    emit(0, "run_started", run_id=run_id, wall_time_ns=1_700_000_000_000_000_000,
         schema_version=1, config=config)
    tasks: dict[int, TaskRecord] = {}
    workers: dict[int, WorkerRecord] = {}
    resizes: list[tuple[int, int, int]] = []
    epochs = [*sizes, (10**18, 0)]
    next_worker = 0
    pending = list(range(len(submit_times)))
    for k, (epoch_t, size) in enumerate(epochs[:-1]):
        end_t = epochs[k + 1][0]
        pool = k
        created = epoch_t + 1_000
        emit(created, "pool_created", pool=pool, max_workers=size, executor="threads")
        if k > 0:
            resizes.append((epoch_t, epochs[k - 1][1], size))
            emit(epoch_t, "config_changed", field="max_workers", old=epochs[k - 1][1], new=size)
        pool_workers = []
        for j in range(size):
            spawned = created + 2_000 * (j + 1)
            w = WorkerRecord(next_worker, pool, spawned, spawned)
            workers[w.id] = w
            pool_workers.append(w)
            emit(w.spawned, "worker_spawned", worker=w.id, pool=pool, name=f"pool{pool}_{j}",
                 native_id=40_000 + w.id)
            next_worker += 1
        still: list[int] = []
        for i in pending:
            sub = submit_times[i]
            if stop_at is not None and sub > stop_at:
                continue
            if sub >= end_t:
                still.append(i)  # submitted after the resize: goes to a later pool
                continue
            if i not in tasks:
                tasks[i] = TaskRecord(i, sub)
                emit(sub, "task_submitted", task=i, pool=pool)
            task = tasks[i]
            w = min(pool_workers, key=lambda x: (x.free_at, x.id))
            start = max(sub, w.free_at) + 500
            limit = end_t if stop_at is None else min(end_t, stop_at)
            if start >= limit:
                still.append(i)
                continue
            task.started, task.worker = start, w.id
            task.finished = start + task_ns
            task.ok = not (fail_every and (i + 1) % fail_every == 0)
            w.free_at = task.finished
            emit(start, "task_started", task=i, worker=w.id)
            emit(task.finished, "task_finished", task=i, worker=w.id, ok=task.ok,
                 result=repr(0.1) if task.ok else None,
                 error=None if task.ok else f"ValueError('task {i} failed')")
        pending = still
        last = k == len(epochs) - 2
        stopping = stop_at is not None and stop_at < end_t
        if last or stopping:
            end = stop_at if stopping else max([w.free_at for w in pool_workers], default=created)
            for i in pending:
                if i in tasks:
                    tasks[i].cancelled = end
                    emit(end, "task_cancelled", task=i, reason="stopped")
            for w in pool_workers:
                w.exited = max(w.free_at, end) + 300
                emit(w.exited, "worker_exited", worker=w.id, pool=pool)
            ended = max([w.exited for w in workers.values() if w.exited], default=end) + 1_000
            emit(ended, "run_ended", reason="stopped" if stopping else "completed", message=None)
            break
        # Resize: the old pool retires; unstarted tasks that were submitted move to the new one.
        emit(end_t, "pool_retired", pool=pool)
        for i in pending:
            if i in tasks and tasks[i].submitted <= end_t:
                tasks[i].moved_at.append(end_t)
                emit(end_t, "task_moved", task=i, from_pool=pool, to_pool=pool + 1)
        for w in pool_workers:
            w.exited = max(w.free_at, end_t) + 300
            emit(w.exited, "worker_exited", worker=w.id, pool=pool)
    raw.sort(key=lambda e: e[0])
    events = [{"seq": n, "t": t, "kind": kind, **f} for n, (t, kind, f) in enumerate(raw)]
    return Run(run_id, events, tasks, workers, resizes, raw[-1][0])


def batch(n: int, workers: int, task_ns: int = 100 * MS, **kw: Any) -> Run:
    """All tasks submitted at once (10 µs apart, as a submit loop does)."""
    return simulate([2_000 + 10_000 * i for i in range(n)], task_ns, [(0, workers)], **kw)


def shuffled(events: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The same events in a random arrival order."""
    out = list(events)
    random.Random(seed).shuffle(out)
    return out


def batches(events: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Split into wire batches of `size` events."""
    return [events[i : i + size] for i in range(0, len(events), size)]
