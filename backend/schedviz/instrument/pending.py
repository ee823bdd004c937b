"""Bookkeeping of one pool's tasks that have not started: what a resize moves, a stop cancels.

Guarantees:
- A task is pending from its submit until it starts, is cancelled or is moved, also when it
  starts before its submit() returns. The per-task path (add, started) is a few dict and set
  operations, each atomic under the GIL: no lock and, unless
  the pool asks for one, no done-callback per task. cancel_all and move_all use a snapshot.
- A task leaves pending once: whoever pops it records what happened to it. A cancelled task
  is recorded as `task_cancelled` with the reason given to `cancel_all`, or "cancelled" for a
  caller's own `Future.cancel()` (found by `sweep`, at the next drain of the recorder, or by
  the done-callback of a pool that registers one); a moved one as `task_moved` only.
- `Future.cancel()` runs done callbacks in the calling thread: futures are cancelled outside
  the snapshot lock.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from schedviz.instrument.recorder import Recorder

SWEEP_INTERVAL_S = 0.25

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
#: takes over a moved task: (task id, fn, args, kwargs)
Resubmit = Callable[[int, Callable[..., Any], tuple[Any, ...], dict[str, Any]], object]
#: an executor's hook, called after each submit with (task id, its future, its call)
OnSubmit = Callable[[int, "Future[Any]", Call], None]


def _is_cancelled(fut: Future[Any]) -> bool:
    # Future.cancelled() takes the future's lock; a sweep over thousands of pending futures
    # every drain reads the state directly instead (private, read only; CPython 3.11-3.13).
    state = getattr(fut, "_state", None)
    if state is None:
        return fut.cancelled()
    return state in ("CANCELLED", "CANCELLED_AND_NOTIFIED")


class PendingTasks:
    """Not-yet-started tasks of one pool, by task id."""

    def __init__(self, recorder: Recorder, pool_id: int) -> None:
        self._rec = recorder
        self._pool_id = pool_id
        self._lock = threading.Lock()
        self._tasks: dict[int, tuple[Future[Any], Call]] = {}
        self._moving: set[int] = set()
        # Tasks a worker started before their submit() had added them: a new worker thread can
        # run its first task while the submitting thread is still inside submit().
        self._early: set[int] = set()
        self._cancel_reason = "cancelled"  # what cancel_all is doing, for the done-callbacks
        self._last_sweep = 0.0
        recorder.add_drain_hook(self._sweep_now_and_then)

    def add(
        self, task: int, fut: Future[Any], call: Call,
        also: Callable[[int, Future[Any]], None] | None = None,
    ) -> None:
        """Track a submitted task; with `also`, `also(task, future)` runs when it is done."""
        self._tasks[task] = (fut, call)
        if task in self._early:  # it already started: never pending (nor kept alive) here
            self._tasks.pop(task, None)
            self._early.discard(task)
        if also is not None:
            fut.add_done_callback(functools.partial(self._on_done, task, also))

    def started(self, task: int) -> None:
        self._tasks.pop(task, None)

    def started_maybe_before_added(self, task: int) -> None:
        """`started`, for a task that may start before its add() ran (a thread pool's: a new
        worker thread can run its first task while submit() is still starting that thread).

        Every such task must be added. Marked first, then popped; add() stores, then looks:
        whichever way the two threads interleave (no lock), the task does not stay pending.
        """
        self._early.add(task)
        if self._tasks.pop(task, None) is not None:
            self._early.discard(task)

    def _cancelled(self, task: int, reason: str) -> None:
        """Record a cancellation once: only if this call took the task out of pending."""
        if self._tasks.pop(task, None) is not None and task not in self._moving:
            self._rec.record("task_cancelled", task, reason)

    def cancelled_by_caller(self, task: int) -> None:
        """A caller's `Future.cancel()` just took `task` (an instrumented future tells, see
        instrument/futures.py): record it now, at the moment of the call, not at the next sweep.
        While cancel_all runs, its reason is the one recorded."""
        self._cancelled(task, self._cancel_reason)

    def _on_done(
        self, task: int, also: Callable[[int, Future[Any]], None], fut: Future[Any]
    ) -> None:
        if fut.cancelled():
            self._cancelled(task, self._cancel_reason)
        else:
            self._tasks.pop(task, None)
            also(task, fut)

    def _sweep_now_and_then(self) -> None:
        # A sweep reads every pending future; a caller's own cancel is rare (a run's driver
        # cancels through cancel_all, recorded at once), so a few sweeps a second are enough.
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_INTERVAL_S:
            self._last_sweep = now
            self.sweep()

    def sweep(self) -> None:
        """Record the tasks whose futures a caller cancelled since the last sweep."""
        for task, (fut, _) in list(self._tasks.items()):
            if _is_cancelled(fut):
                self._cancelled(task, "cancelled")

    def count(self) -> int:
        return len(self._tasks)

    def _snapshot(self) -> list[tuple[int, tuple[Future[Any], Call]]]:
        with self._lock:  # one snapshot at a time; list() of a dict is atomic under the GIL
            return sorted(list(self._tasks.items()), key=lambda kv: kv[0])

    def cancel_all(self, reason: str = "cancelled") -> int:
        """Cancel every task that has not started; returns how many were cancelled."""
        count = 0
        self._cancel_reason = reason
        try:
            for task, (fut, _) in self._snapshot():
                if fut.cancel():
                    count += 1
                    self._cancelled(task, reason)  # a no-op if a done-callback got there first
        finally:
            self._cancel_reason = "cancelled"
        return count

    def move_all(self, target_pool: int, resubmit: Resubmit) -> dict[int, Future[Any]]:
        """Cancel each pending task here and hand it to `resubmit` under the same id.

        Returns task id -> its old future (now cancelled). A task that starts while this runs
        stays where it is: only a pending future can be cancelled.
        """
        moved: dict[int, Future[Any]] = {}
        for task, (fut, (fn, args, kwargs)) in self._snapshot():
            self._moving.add(task)  # read by _on_done, which cancel() runs in this thread
            if fut.cancel():
                self._tasks.pop(task, None)
                self._rec.record("task_moved", task, self._pool_id, target_pool)
                resubmit(task, fn, args, kwargs)
                moved[task] = fut
            self._moving.discard(task)
        return moved


class PendingMixin:
    """The submit/cancel/move API both instrumented executors offer, over their `pending`."""

    pending: PendingTasks
    ids: Any  # RunIds

    def submit_task(
        self, task: int, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        raise NotImplementedError

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.submit_task(next(self.ids.tasks), fn, *args, **kwargs)

    def pending_count(self) -> int:
        """Tasks submitted here that have not started (nor been cancelled or moved)."""
        return self.pending.count()

    def cancel_pending(self, reason: str = "cancelled") -> int:
        """Cancel every task that has not started; returns how many were cancelled."""
        return self.pending.cancel_all(reason)

    def move_pending(self, target_pool: int, resubmit: Resubmit) -> dict[int, Future[Any]]:
        """Hand every not-yet-started task to `resubmit`, recorded as moved to `target_pool`."""
        return self.pending.move_all(target_pool, resubmit)
