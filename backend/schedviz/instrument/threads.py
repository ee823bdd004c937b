"""A drop-in `ThreadPoolExecutor` that records every task's and worker's life into a Recorder.

Seams used, all public: the pool's `initializer` (a worker thread announces itself), a wrapper
around each submitted callable (started / finished, on the worker), `Future.add_done_callback`
(cancelled), and `Thread.join` (a worker's exit). Results, exceptions, cancellation, shutdown and
`map` ordering are those of the plain executor: the wrapper re-raises what the callable raised and
returns what it returned.

Guarantees:
- Each task id is recorded as submitted exactly once, then either started and finished exactly
  once on one worker, or cancelled, or moved to another pool (where it may start later).
- A worker is recorded as spawned before any task it runs, and as exited after its last task.
"""

from __future__ import annotations

import itertools
import reprlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from schedviz.instrument.limiter import Limiter
from schedviz.instrument.recorder import Recorder

T = TypeVar("T")

_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8


def short_repr(obj: object) -> str:
    """A repr that stays short however large the object is (results can be huge lists)."""
    try:
        return _repr.repr(obj)
    except Exception as exc:  # a broken __repr__ must not break the task's bookkeeping
        return f"<unrepresentable {type(obj).__name__}: {exc!r}>"


class RunIds:
    """Id sources shared by every pool of one run, so ids stay unique across live resizes."""

    def __init__(self) -> None:
        # next() on itertools.count is atomic in CPython: no lock needed from many threads.
        self.tasks = itertools.count()
        self.workers = itertools.count()
        self.pools = itertools.count()


_worker_local = threading.local()


def _run_task(
    rec: Recorder,
    task: int,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    limiter: Limiter | None,
) -> Any:
    """Run one task on a worker thread, recording its start and outcome around it."""
    worker: int = getattr(_worker_local, "worker", -1)
    if limiter is None:
        rec.record("task_started", task, worker)
    else:  # the run-wide cap across pools (see limiter.py); started is stamped on admission
        limiter.acquire(lambda: rec.record("task_started", task, worker))
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        rec.record("task_finished", task, worker, False, None, short_repr(exc))
        raise
    else:
        rec.record("task_finished", task, worker, True, short_repr(result), None)
        return result
    finally:
        if limiter is not None:
            limiter.release()


class InstrumentedThreadPoolExecutor(ThreadPoolExecutor):
    """`ThreadPoolExecutor` whose tasks and workers appear as events in `recorder`."""

    executor_kind = "threads"

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        recorder: Recorder | None = None,
        ids: RunIds | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.recorder = recorder if recorder is not None else Recorder()
        self.ids = ids if ids is not None else RunIds()
        self._limiter = limiter
        self.pool_id: int = next(self.ids.pools)
        self._user_init = initializer
        self._user_initargs = initargs
        self._workers_lock = threading.Lock()
        self._worker_threads: dict[int, threading.Thread] = {}
        self._exit_watchers: list[threading.Thread] = []
        self._retiring = False
        # task id -> (future, fn, args, kwargs) while the task has not started: what a resize moves.
        self._pending: dict[int, tuple[Future[Any], Callable[..., Any], tuple[Any, ...],
                                       dict[str, Any]]] = {}
        self._pending_lock = threading.Lock()
        self._moving: set[int] = set()
        self._cancel_reason = "cancelled"
        super().__init__(
            max_workers, thread_name_prefix or f"pool{self.pool_id}", self._init_worker
        )
        # The effective size (the default depends on the CPU count); only readable privately.
        # Checked on CPython 3.11-3.13.
        self.max_workers: int = self._max_workers
        self.recorder.record("pool_created", self.pool_id, self.max_workers, self.executor_kind)

    # -- workers ----------------------------------------------------------------------------

    def _init_worker(self) -> None:
        """Runs first in each new worker thread: give it an id and announce it."""
        worker = next(self.ids.workers)
        _worker_local.worker = worker
        thread = threading.current_thread()
        self.recorder.record(
            "worker_spawned", worker, self.pool_id, thread.name, threading.get_native_id()
        )
        with self._workers_lock:
            self._worker_threads[worker] = thread
            if self._retiring:  # spawned while shutdown began: watch it too
                self._watch_exit(worker, thread)
        if self._user_init is not None:
            self._user_init(*self._user_initargs)

    def _watch_exit(self, worker: int, thread: threading.Thread) -> None:
        # join() blocks without holding the GIL, so a watcher per retiring worker costs nothing
        # while it waits, and stamps the exit as soon as the thread is gone.
        def watch() -> None:
            thread.join()
            self.recorder.record("worker_exited", worker, self.pool_id)

        watcher = threading.Thread(target=watch, name=f"exit-watch-{worker}", daemon=True)
        watcher.start()
        self._exit_watchers.append(watcher)

    # -- tasks ------------------------------------------------------------------------------

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self.submit_task(next(self.ids.tasks), fn, *args, **kwargs)

    def submit_task(
        self, task: int, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Future[T]:
        """Submit `fn` under a task id chosen by the caller (a moved task keeps its id)."""
        rec = self.recorder
        t = time.monotonic_ns()
        # Held across submit so a worker cannot pop the entry before it is added.
        with self._pending_lock:
            fut: Future[T] = super().submit(self._start, rec, task, fn, args, kwargs)
            self._pending[task] = (fut, fn, args, kwargs)
        # Recorded after submit() succeeded (it raises once shut down), stamped before it.
        rec.record_at("task_submitted", t, task, self.pool_id)
        fut.add_done_callback(lambda f: self._on_done(task, f))
        return fut

    def _start(
        self, rec: Recorder, task: int, fn: Callable[..., Any], args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        with self._pending_lock:
            self._pending.pop(task, None)
        return _run_task(rec, task, fn, args, kwargs, self._limiter)

    def _on_done(self, task: int, fut: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.pop(task, None)
        if fut.cancelled() and task not in self._moving:
            self.recorder.record("task_cancelled", task, self._cancel_reason)

    def pending_count(self) -> int:
        """Tasks submitted here that have not started (nor been cancelled or moved)."""
        with self._pending_lock:
            return len(self._pending)

    def cancel_pending(self, reason: str = "cancelled") -> int:
        """Cancel every task that has not started; returns how many were cancelled."""
        self._cancel_reason = reason
        with self._pending_lock:
            futures = [fut for fut, *_ in self._pending.values()]
        # cancel() runs done callbacks (which take the lock) in this thread: call it unlocked.
        return sum(1 for fut in futures if fut.cancel())

    def move_pending(
        self, target: InstrumentedThreadPoolExecutor
    ) -> dict[int, tuple[Future[Any], Future[Any]]]:
        """Move every not-yet-started task to `target` under the same id.

        Returns task id -> (old future, now cancelled; new future in `target`). A task that
        starts while this runs stays here: only a pending future can be cancelled.
        """
        moved: dict[int, tuple[Future[Any], Future[Any]]] = {}
        with self._pending_lock:
            pending = sorted(self._pending.items())
        for task, (fut, fn, args, kwargs) in pending:
            self._moving.add(task)
            if fut.cancel():
                self.recorder.record("task_moved", task, self.pool_id, target.pool_id)
                moved[task] = (fut, target.submit_task(task, fn, *args, **kwargs))
            self._moving.discard(task)
        return moved

    # -- shutdown ---------------------------------------------------------------------------

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._workers_lock:
            first = not self._retiring
            self._retiring = True
            if first:
                self.recorder.record("pool_retired", self.pool_id)
                for worker, thread in self._worker_threads.items():
                    self._watch_exit(worker, thread)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait:
            for watcher in list(self._exit_watchers):
                watcher.join()

    def live_workers(self) -> int:
        """Worker threads of this pool still alive."""
        with self._workers_lock:
            return sum(1 for th in self._worker_threads.values() if th.is_alive())
