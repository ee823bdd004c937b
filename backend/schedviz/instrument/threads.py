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
- A pool dropped without shutdown() is collected, and its threads end, as with the plain pool
  (nothing of the pool's own holds the executor); it is then recorded as retired.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from schedviz.instrument import gil
from schedviz.instrument.common import Deferred, RunIds
from schedviz.instrument.futures import PoolFutures, current
from schedviz.instrument.pending import OnSubmit, PendingMixin, PendingTasks
from schedviz.instrument.recorder import Recorder

T = TypeVar("T")

_worker_local = threading.local()


def _run_task(
    rec: Recorder, task: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Run one task on a worker thread, recording its start and outcome around it."""
    worker: int = getattr(_worker_local, "worker", -1)
    rec.record("task_started", task, worker)
    current.task = task  # a wait this task makes names it
    cpu0 = time.thread_time_ns()
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        current.task = None
        rec.record("task_finished", task, worker, False, None, Deferred(exc), None,
                   time.thread_time_ns() - cpu0)
        raise
    current.task = None
    rec.record("task_finished", task, worker, True, Deferred(result), None, None,
               time.thread_time_ns() - cpu0)
    return result


class _Workers:
    """A pool's worker threads and the watchers of their exits, without the pool itself.

    Worker threads (through the initializer), watchers and the pool's finalizer hold this, never
    the executor: as with the plain executor, whose threads keep only a weak reference to it, a
    pool dropped without shutdown() is collected, and its threads then end.
    """

    def __init__(
        self, recorder: Recorder, ids: RunIds, pool_id: int,
        user_init: Callable[..., object] | None, user_initargs: tuple[Any, ...],
    ) -> None:
        self.recorder = recorder
        self.ids = ids
        self.pool_id = pool_id
        self.user_init = user_init
        self.user_initargs = user_initargs
        self.lock = threading.Lock()
        self.threads: dict[int, threading.Thread] = {}
        self.watchers: list[threading.Thread] = []
        self.retiring = False
        #: the pool's futures (their waits, for deadlock); set once the pool knows its size
        self.futures: PoolFutures | None = None

    def init_worker(self) -> None:
        """Runs first in each new worker thread: give it an id and announce it."""
        worker = next(self.ids.workers)
        _worker_local.worker = worker
        current.lane, current.book = worker, self.futures
        thread = threading.current_thread()
        self.recorder.record(
            "worker_spawned", worker, self.pool_id, thread.name, threading.get_native_id()
        )
        gil.register_current_thread(worker, thread.name)
        with self.lock:
            self.threads[worker] = thread
            if self.retiring:  # spawned while shutdown began: watch it too
                self._watch_exit(worker, thread)
        if self.user_init is not None:
            self.user_init(*self.user_initargs)

    def retire(self) -> None:
        """The pool shuts down (or was dropped): record it once and watch every worker's exit."""
        with self.lock:
            if self.retiring:
                return
            self.retiring = True
            self.recorder.record("pool_retired", self.pool_id)
            for worker, thread in self.threads.items():
                self._watch_exit(worker, thread)

    def _watch_exit(self, worker: int, thread: threading.Thread) -> None:
        # join() blocks without holding the GIL, so a watcher per retiring worker costs nothing
        # while it waits, and stamps the exit as soon as the thread is gone.
        recorder, pool_id = self.recorder, self.pool_id

        def watch() -> None:
            thread.join()
            recorder.record("worker_exited", worker, pool_id, None)

        watcher = threading.Thread(target=watch, name=f"exit-watch-{worker}", daemon=True)
        try:
            watcher.start()
        except RuntimeError:  # a pool collected while the interpreter shuts down
            return
        self.watchers.append(watcher)

    def join_watchers(self) -> None:
        for watcher in list(self.watchers):
            watcher.join()


def _start_task(
    pending: PendingTasks, rec: Recorder, task: int, fn: Callable[..., Any],
    args: tuple[Any, ...], kwargs: dict[str, Any],
) -> Any:
    # A plain function, not a method: a queued task must not keep its pool alive.
    pending.started_maybe_before_added(task)
    return _run_task(rec, task, fn, args, kwargs)


class InstrumentedThreadPoolExecutor(PendingMixin, ThreadPoolExecutor):
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
    ) -> None:
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self.recorder = recorder if recorder is not None else Recorder()
        self.ids = ids if ids is not None else RunIds()
        self.pool_id: int = next(self.ids.pools)
        self._book = _Workers(self.recorder, self.ids, self.pool_id, initializer, initargs)
        self.pending = PendingTasks(self.recorder, self.pool_id)
        #: called with (task, future, (fn, args, kwargs)) after each submit; a driver's hook.
        self.on_submit: OnSubmit | None = None
        # Threads are named as the plain pool names them (ThreadPoolExecutor-N_i by default).
        super().__init__(max_workers, thread_name_prefix, self._book.init_worker)
        # The effective size (the default depends on the CPU count); only readable privately.
        # Checked on CPython 3.11-3.13.
        self.max_workers: int = self._max_workers
        self.futures = PoolFutures(self.recorder, self.pool_id, self.max_workers)
        self.futures.on_cancel = self.pending.cancelled_by_caller
        self._book.futures = self.futures
        self.recorder.record("pool_created", self.pool_id, self.max_workers, self.executor_kind)
        # Dropped without shutdown(): its threads end as the plain pool's do; record that.
        weakref.finalize(self, self._book.retire).atexit = False

    # -- tasks ------------------------------------------------------------------------------

    def submit_task(
        self, task: int, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Future[T]:
        """Submit `fn` under a task id chosen by the caller (a moved task keeps its id)."""
        rec = self.recorder
        t = time.monotonic_ns()
        fut: Future[T] = ThreadPoolExecutor.submit(
            self, _start_task, self.pending, rec, task, fn, args, kwargs
        )
        # Recorded after submit() succeeded (it raises once shut down), stamped before it.
        rec.record_at(
            "task_submitted", t, task, self.pool_id, Deferred(args), None, None, None
        )
        self.pending.add(task, fut, (fn, args, kwargs))
        if self.on_submit is not None:
            self.on_submit(task, fut, (fn, args, kwargs))
        self.futures.adopt(fut, task)  # last: the driver's own callbacks are not the program's
        return fut

    # -- shutdown ---------------------------------------------------------------------------

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._book.retire()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self.pending.sweep()  # cancel_futures=True cancels inside the pool: record it now
        if wait:
            self._book.join_watchers()
