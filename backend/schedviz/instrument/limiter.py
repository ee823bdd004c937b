"""A resizable cap on how many tasks run at once, shared by every pool of one run.

A live resize hands waiting work to a new pool while the old pool's running tasks finish (a
running thread cannot be pre-empted). Without a shared cap, the new pool would start tasks
beside the old ones and, for a moment, more tasks would run than max_workers says. With it, a
task starts only while fewer than `limit` tasks of the run are running, in any pool.

Guarantees:
- `acquire` returns only when running < limit, then counts the caller as running.
- `set_limit` takes effect for the next start at once; it never interrupts a running task.
- The callbacks given to `acquire` and `set_limit` run under the gate's lock, so events they
  record are ordered exactly as admissions and changes happened: a start recorded after a
  change was admitted under the new limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Limiter:
    """A counting gate whose size can change while threads wait on it."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self._cond = threading.Condition()
        self._limit = limit
        self._running = 0

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def running(self) -> int:
        return self._running

    def set_limit(self, limit: int, on_change: Callable[[], object] | None = None) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        with self._cond:
            if on_change is not None:
                on_change()
            self._limit = limit
            self._cond.notify_all()

    def acquire(self, on_admit: Callable[[], object] | None = None) -> None:
        with self._cond:
            while self._running >= self._limit:
                self._cond.wait()
            self._running += 1
            if on_admit is not None:
                on_admit()

    def release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify()

