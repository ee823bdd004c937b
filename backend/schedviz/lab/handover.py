"""Routes a run's work to its current pool, and keeps max_workers true across a live resize.

A real pool cannot be resized, so a resize starts a new pool, moves the tasks that have not
started into a backlog here, and retires the old pool, whose running tasks cannot be pre-empted
and finish there. While any retired pool still has work in flight, the backlog is fed to the
new pool only while (work in flight in all pools) < max_workers, so no task starts while
max_workers tasks are already running anywhere. Once the retired pools are idle, everything
goes straight to the pool, which caps itself. A `map()` call made during a hand-over waits in
the backlog until it ends (its chunks are submitted together and could not be fed one by one).

A process pool that breaks (a worker died) is replaced the same way when the run says
"restart": the tasks it never started are submitted again, as new tasks, to a fresh pool.

Locks, and why two: a pool may run Future callbacks while holding its own internal lock (a
process pool does when it breaks), and a submit to that pool waits for that lock. So `_lock`
(bookkeeping, taken by callbacks) is never held while calling into a pool, and `_submit_lock`
(which pool is current; held while submitting) is never taken by a callback.

Guarantees:
- Work is submitted in arrival order (moved tasks first, by id), only to the current pool.
- "in flight" is a Future not yet done; it is done only after the task's finish was recorded.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Future
from typing import Any

from schedviz.instrument import gil
from schedviz.instrument.pending import Call
from schedviz.instrument.recorder import Recorder

Pool = Any  # an instrumented executor (threads or processes)
# ("task", (task, fn, args, kwargs, moved)) or ("map", (fn, items, chunksize))
Entry = tuple[str, tuple[Any, ...]]


class Handover:
    """The current pool, the retiring ones still busy, and the work waiting for a hand-over."""

    def __init__(self, recorder: Recorder, pool: Pool, limit: int) -> None:
        self._rec = recorder
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._submit_lock = threading.Lock()
        self._limit = limit
        self._current = pool
        self._retiring: list[Pool] = []
        self._all: list[Pool] = []
        self._inflight: dict[int, set[Future[Any]]] = {}
        self._calls: dict[int, Call] = {}  # task -> its call, while in flight (for a restart)
        self._backlog: deque[Entry] = deque()
        self._broken: list[tuple[Pool, list[int]]] = []
        self._closed = False
        #: task id -> its latest future; a moved task's old one is replaced
        self.futures: dict[int, Future[Any]] = {}
        #: set by the driver: a fresh pool to replace a broken one, or None to give up
        self.replace_broken: Callable[[Pool], Pool | None] | None = None
        self._adopt(pool)
        self._feeder = threading.Thread(target=self._feed_loop, name="handover", daemon=True)
        self._feeder.start()

    @property
    def current(self) -> Pool:
        return self._current

    def pools(self) -> list[Pool]:
        with self._lock:
            return [*self._retiring, self._current]

    def all_pools(self) -> list[Pool]:
        """Every pool this run has had, for the final shutdown."""
        with self._lock:
            return list(self._all)

    def busy(self) -> int:
        """Tasks in flight in all pools."""
        with self._lock:
            return sum(len(f) for f in self._inflight.values())

    def wait_idle(self) -> None:
        """Block until no work is in flight, waiting, or about to be retried."""
        with self._lock:
            while (
                any(self._inflight.values())
                or (self._backlog and not self._closed)
                or self._broken
                or any(p.breaking() for p in self._all if hasattr(p, "breaking"))
            ):
                self._wake.wait()

    # -- work in (arrival thread) ---------------------------------------------------------------

    def submit(self, task: int, fn: Callable[..., Any], *args: Any) -> None:
        self._offer(("task", (task, fn, args, {}, False)))

    def map(self, fn: Callable[..., Any], items: Iterable[Any], chunksize: int) -> None:
        self._offer(("map", (fn, list(items), chunksize)))

    def _offer(self, entry: Entry) -> None:
        with self._submit_lock:
            with self._lock:
                if self._closed:
                    return
                queue_it = bool(self._backlog) or self._handing_over() or bool(self._broken)
                if queue_it:
                    self._backlog.append(entry)
                    self._wake.notify_all()
                    return
            self._send(entry)

    def resize(self, new_pool: Pool, limit: int) -> None:
        """Make `new_pool` current: waiting work moves to it, the old pool retires."""
        moved: list[Entry] = []
        with self._submit_lock:
            old = self._current
            with self._lock:
                self._current, self._limit = new_pool, limit
                self._adopt(new_pool)
                self._retiring.append(old)
            old.move_pending(
                new_pool.pool_id,
                lambda task, fn, args, kw: moved.append(("task", (task, fn, args, kw, True))),
            )
            with self._lock:
                self._backlog.extendleft(reversed(moved))  # moved work was there first
                self._wake.notify_all()
        old.shutdown(wait=False)

    def stop(self) -> None:
        """Take no more work; cancel what waits here and in the current pool."""
        with self._submit_lock:
            with self._lock:
                self._closed = True
                for kind, entry in self._backlog:
                    if kind == "task" and entry[4]:  # moved: it was recorded as submitted
                        self._rec.record("task_cancelled", entry[0], "stopped")
                self._backlog.clear()
                self._wake.notify_all()
            self._current.cancel_pending("stopped")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify_all()
        self._feeder.join()

    # -- bookkeeping (any thread, including a pool's callbacks) ---------------------------------

    def _adopt(self, pool: Pool) -> None:
        self._all.append(pool)
        self._inflight[pool.pool_id] = set()
        pool.on_submit = lambda task, fut, call: self._track(pool.pool_id, task, fut, call)
        if hasattr(pool, "on_broken"):
            pool.on_broken = lambda tasks: self._on_broken(pool, tasks)

    def _track(self, pool_id: int, task: int, fut: Future[Any], call: Call) -> None:
        with self._lock:
            self._inflight[pool_id].add(fut)
            self._calls[task] = call
            self.futures[task] = fut
        fut.add_done_callback(lambda f: self._done(pool_id, task, f))

    def _done(self, pool_id: int, task: int, fut: Future[Any]) -> None:
        # A call is kept past a break: a restart may have to submit it again.
        broke = not fut.cancelled() and isinstance(fut.exception(), BrokenExecutor)
        with self._lock:
            self._inflight[pool_id].discard(fut)
            if self.futures.get(task) is fut and not broke:
                self._calls.pop(task, None)
            self._wake.notify_all()

    def _on_broken(self, pool: Pool, never_started: list[int]) -> None:
        with self._lock:
            self._broken.append((pool, never_started))
            self._wake.notify_all()

    def _handing_over(self) -> bool:
        return any(self._inflight[p.pool_id] for p in self._retiring)

    # -- the feeder -------------------------------------------------------------------------------

    def _feed_loop(self) -> None:
        gil.register_current_thread(None)
        while True:
            with self._lock:
                while not (self._closed or self._broken or self._ready()):
                    self._wake.wait()
                if self._closed:
                    return
            with self._submit_lock:
                self._restart_broken()
                while (entry := self._next_ready()) is not None:
                    self._send(entry)

    def _ready(self) -> bool:
        """Called with `_lock` held: can the head of the backlog go now?"""
        self._retiring = [p for p in self._retiring if self._inflight[p.pool_id]]
        if not self._backlog or self._closed:
            return False
        old_busy = sum(len(self._inflight[p.pool_id]) for p in self._retiring)
        if not old_busy:
            return True
        kind, _ = self._backlog[0]
        if kind == "map":
            return False
        return old_busy + len(self._inflight[self._current.pool_id]) < self._limit

    def _next_ready(self) -> Entry | None:
        with self._lock:
            return self._backlog.popleft() if self._ready() else None

    def _send(self, entry: Entry) -> None:
        """Submit one backlog entry to the current pool (`_submit_lock` held)."""
        kind, e = entry
        try:
            if kind == "task":
                task, fn, args, kwargs, _ = e
                self._current.submit_task(task, fn, *args, **kwargs)
            else:
                fn, items, chunksize = e
                self._current.map(fn, items, chunksize=chunksize)
        except BrokenExecutor:
            # The pool broke under us: keep the work for the pool that replaces it.
            with self._lock:
                if kind == "task":
                    self._backlog.appendleft(entry)
                else:
                    self._rec.record(
                        "warning", "a map() call met a broken pool; the items it had not "
                        "submitted yet were not run",
                    )

    def _restart_broken(self) -> None:
        # An entry leaves _broken only once handled, so wait_idle cannot return in between.
        while True:
            with self._lock:
                if not self._broken:
                    return
                pool, never_started = self._broken[0]
            try:
                if pool is self._current and self.replace_broken is not None:
                    self._replace(pool, never_started)
            finally:
                with self._lock:
                    self._broken.pop(0)
                    self._wake.notify_all()

    def _replace(self, pool: Pool, never_started: list[int]) -> None:
        assert self.replace_broken is not None
        fresh = self.replace_broken(pool)
        if fresh is None:
            return
        with self._lock:
            self._current = fresh
            self._adopt(fresh)
            calls = [self._calls.pop(t) for t in sorted(never_started) if t in self._calls]
        pool.shutdown(wait=False)
        for fn, args, kwargs in calls:
            # A retry is new work: a new task id, so the first one keeps its own story.
            fresh.submit(fn, *args, **kwargs)
