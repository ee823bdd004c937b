"""Bookkeeping of one pool's tasks that have not started: what a resize moves, a stop cancels.

Guarantees:
- A task is pending from its submit until it starts, is cancelled or is moved. The per-task
  path (add, started, done) uses only single dict operations, atomic under the GIL: no lock
  on the hot path. cancel_all and move_all work on a snapshot.
- A cancelled task is recorded as `task_cancelled` with the reason given to `cancel_all`
  (or "cancelled" for a caller's own `Future.cancel()`); a moved one as `task_moved` only.
- `Future.cancel()` runs done callbacks in the calling thread: futures are cancelled outside
  the snapshot lock.
"""

from __future__ import annotations

import functools
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

    def add(
        self, task: int, fut: Future[Any], call: Call,
        also: Callable[[int, Future[Any]], None] | None = None,
    ) -> None:
        """Track a submitted task; `also(task, future)` runs when it is done (one callback)."""
        self._tasks[task] = (fut, call)
        fut.add_done_callback(functools.partial(self._on_done, task, also))

    def started(self, task: int) -> None:
        self._tasks.pop(task, None)

    def _on_done(
        self, task: int, also: Callable[[int, Future[Any]], None] | None, fut: Future[Any]
    ) -> None:
        self._tasks.pop(task, None)
        if fut.cancelled():
            if task not in self._moving:
                self._rec.record("task_cancelled", task, self._cancel_reason)
        elif also is not None:
            also(task, fut)

    def count(self) -> int:
        return len(self._tasks)

    def _snapshot(self) -> list[tuple[int, tuple[Future[Any], Call]]]:
        with self._lock:  # one snapshot at a time; list() of a dict is atomic under the GIL
            return sorted(list(self._tasks.items()), key=lambda kv: kv[0])

    def cancel_all(self, reason: str = "cancelled") -> int:
        """Cancel every task that has not started; returns how many were cancelled."""
        self._cancel_reason = reason
        return sum(1 for _, (fut, _) in self._snapshot() if fut.cancel())

    def move_all(self, target_pool: int, resubmit: Resubmit) -> dict[int, Future[Any]]:
        """Cancel each pending task here and hand it to `resubmit` under the same id.

        Returns task id -> its old future (now cancelled). A task that starts while this runs
        stays where it is: only a pending future can be cancelled.
        """
        moved: dict[int, Future[Any]] = {}
        for task, (fut, (fn, args, kwargs)) in self._snapshot():
            self._moving.add(task)  # read by _on_done, which cancel() runs in this thread
            if fut.cancel():
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
