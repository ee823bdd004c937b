"""Bookkeeping of one pool's tasks that have not started: what a resize moves, a stop cancels.

Guarantees:
- A task is pending from its submit until it starts, is cancelled or is moved; every exit
  from pending happens once, under the lock.
- A cancelled task is recorded as `task_cancelled` with the reason given to `cancel_all`
  (or "cancelled" for a caller's own `Future.cancel()`); a moved one as `task_moved` only.
- `Future.cancel()` runs done callbacks in the calling thread, and those take the lock: so
  futures are cancelled outside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from schedviz.instrument.recorder import Recorder

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
#: takes over a moved task: (task id, fn, args, kwargs)
Resubmit = Callable[[int, Callable[..., Any], tuple[Any, ...], dict[str, Any]], object]
#: an executor's hook, called after each submit with (task id, its future, its call)
OnSubmit = Callable[[int, "Future[Any]", Call], None]


class PendingTasks:
    """Not-yet-started tasks of one pool, by task id."""

    def __init__(self, recorder: Recorder, pool_id: int) -> None:
        self._rec = recorder
        self._pool_id = pool_id
        self._lock = threading.Lock()
        self._tasks: dict[int, tuple[Future[Any], Call]] = {}
        self._moving: set[int] = set()
        self._cancel_reason = "cancelled"

    def add(self, task: int, fut: Future[Any], call: Call) -> None:
        with self._lock:
            self._tasks[task] = (fut, call)
        fut.add_done_callback(lambda f: self._on_done(task, f))

    def started(self, task: int) -> None:
        with self._lock:
            self._tasks.pop(task, None)

    def _on_done(self, task: int, fut: Future[Any]) -> None:
        with self._lock:
            self._tasks.pop(task, None)
            moving = task in self._moving
            reason = self._cancel_reason
        if fut.cancelled() and not moving:
            self._rec.record("task_cancelled", task, reason)

    def count(self) -> int:
        with self._lock:
            return len(self._tasks)

    def cancel_all(self, reason: str = "cancelled") -> int:
        """Cancel every task that has not started; returns how many were cancelled."""
        with self._lock:
            self._cancel_reason = reason
            futures = [fut for fut, _ in self._tasks.values()]
        return sum(1 for fut in futures if fut.cancel())

    def move_all(self, target_pool: int, resubmit: Resubmit) -> dict[int, Future[Any]]:
        """Cancel each pending task here and hand it to `resubmit` under the same id.

        Returns task id -> its old future (now cancelled). A task that starts while this runs
        stays where it is: only a pending future can be cancelled.
        """
        with self._lock:
            pending = sorted(self._tasks.items())
        moved: dict[int, Future[Any]] = {}
        for task, (fut, (fn, args, kwargs)) in pending:
            with self._lock:
                self._moving.add(task)
            if fut.cancel():
                self._rec.record("task_moved", task, self._pool_id, target_pool)
                resubmit(task, fn, args, kwargs)
                moved[task] = fut
            with self._lock:
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
