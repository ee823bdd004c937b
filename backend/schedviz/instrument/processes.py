"""A drop-in `ProcessPoolExecutor` that records workers, tasks, chunks and pickling costs.

    caller thread                      worker process (init_worker, run_in_worker)
    -------------                      -------------------------------------------
    submit: task_submitted ─> pending ─> call queue: pickle (fn, args) timed ─> loads (timed)
                                                  ─> run ─> dumps (timed)
                                                       events ──SimpleQueue──┐
    map:    one ChunkCall per chunk                                          │
                                                                             ▼
    drain thread: pid -> worker id, into the Recorder  <─ WorkerChannel: ready / started signals
    exit watcher: process sentinels -> worker_exited(exitcode), pool_broken
    result: ResultEnvelope unpickles itself in the parent (timed) into the plain result,
            handing over the task's other events (finished, item ends, result pickling)

Seams: the initializer and the submitted callable are public. Two private ones, isolated here and
checked on CPython 3.11, 3.12 and 3.13: `_spawn_process` (called for every new worker process; the
only place its start time and Process object can be had) and `_processes`/`_max_workers` (read
only). Results, exceptions, cancellation, shutdown, `map` order and `chunksize` behave as in the
plain executor; an argument that cannot be pickled fails its Future, as there. A call is pickled
when the pool puts it on its call queue (at most max_workers + 1 at a time), as the plain pool
does, not at submit: the parent never holds the bytes of every pending call at once.

Guarantees:
- Every worker process gets worker_spawned (parent's stamp before start), worker_ready (its own
  stamp) and worker_exited with its exit code; its events reach the Recorder before its exit.
- When the pool breaks (a worker died), pool_broken names that worker; its running tasks finish
  with an error and the tasks that never started are recorded as cancelled ("pool_broken").
- A pool dropped without shutdown() is collected and shuts down as the plain pool does: its
  threads, its futures' callbacks and the result registry hold `_PoolEvents`, never the
  executor; it is then recorded as retired. A call that fails to unpickle in its worker ends
  that worker, as in the plain pool, so the pool breaks (BrokenProcessPool).
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import select
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from schedviz.instrument import gil
from schedviz.instrument.common import Deferred, RunIds
from schedviz.instrument.futures import PoolFutures
from schedviz.instrument.pending import OnSubmit, PendingMixin, PendingTasks
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.worker import (
    PICKLE_PROTOCOL,
    SIGNAL_READY,
    ChunkCall,
    FrameReader,
    WorkerCall,
    WorkerChannel,
    WorkerEvents,
    init_worker,
    register_parent,
    unregister_parent,
)
from schedviz.protocol import FIELDS

T = TypeVar("T")

_tokens = itertools.count(1)
#: kind -> index in an event tuple of the `worker` field a worker fills with its pid.
_WORKER_SLOT = {k: 2 + f.index("worker") for k, f in FIELDS.items() if "worker" in f}
_EXIT_REAP_S = 10.0
_EXIT_POLL_S = 0.01


def _collected_exitcode(process: BaseProcess) -> int | None:
    """The exit code once the pool itself has collected it, else None; never reads it itself.

    `Process.exitcode` polls, and for a forkserver worker a second reader of the status pipe
    makes the pool's own read fail, which then records 255. The pool always collects its
    workers' codes (on shutdown, on a break, after max_tasks_per_child), so wait for that.
    Private attribute, read only; checked on CPython 3.11-3.13.
    """
    popen = getattr(process, "_popen", None)
    code = getattr(popen, "returncode", None)
    return code if isinstance(code, int) else None


def describe_exit(code: int | None) -> str:
    """A worker's exit code in words."""
    if code is None:
        return "exited (code unknown)"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _ends_of_unfinished(
    running: dict[int, tuple[int, int]], exit_t: dict[int, int]
) -> dict[int, tuple[int, bool]]:
    """When each started-but-unfinished task of a broken pool ended, and if it was in progress.

    A worker runs one task at a time: a task followed by another on the same worker ended
    (its result lost) before that one began; the last one ended with the worker's process.
    """
    by_worker: dict[int, list[tuple[int, int]]] = {}
    for task, (worker, began) in running.items():
        by_worker.setdefault(worker, []).append((began, task))
    ends: dict[int, tuple[int, bool]] = {}
    for worker, tasks in by_worker.items():
        tasks.sort()
        for (_, task), (next_began, _) in itertools.pairwise(tasks):
            ends[task] = (next_began, False)
        ends[tasks[-1][1]] = (exit_t.get(worker, time.monotonic_ns()), True)
    return ends


class QueuedCall:
    """A submitted call, pickled only when the pool puts it on its call queue (its feeder
    thread pickles the work item), as the plain pool's calls are: the parent holds references to
    the pending calls' arguments, never a copy of their bytes each. The pickling is timed there
    and recorded as the parent's args dumps; a call that cannot be pickled is noted (its Future
    fails with the pickling error, as in the plain pool)."""

    __slots__ = ("call", "recorder", "task", "token", "unpicklable")

    def __init__(self, token: int, task: int, call: tuple[Callable[..., Any], tuple[Any, ...],
                 dict[str, Any]], recorder: Recorder, unpicklable: set[int]) -> None:
        self.token, self.task, self.call = token, task, call
        self.recorder, self.unpicklable = recorder, unpicklable

    def __call__(self) -> Any:  # only the worker's WorkerCall is ever called
        raise RuntimeError("a queued call runs in a worker process, from its pickled form")

    def __reduce__(self) -> tuple[type[WorkerCall], tuple[int, int, bytes]]:
        t0 = time.monotonic_ns()
        try:
            payload = pickle.dumps(self.call, PICKLE_PROTOCOL)
        except Exception:
            self.unpicklable.add(self.task)
            raise
        t1 = time.monotonic_ns()
        self.recorder.record_at("serialized", t0, self.task, "parent", "args", "dumps", t1 - t0,
                                len(payload))
        return (WorkerCall, (self.token, self.task, payload))


class _PoolEvents:
    """A pool's event machinery, without the pool: its workers' events and exits, its breaking.

    The drain and exit-watch threads, the done-callbacks of its futures, the registry that
    results find their pool in, and the pool's finalizer hold this, never the executor: as with
    the plain pool, whose threads keep only a weak reference to it, a pool dropped without
    shutdown() is collected, shuts down, and these threads then end.
    """

    def __init__(
        self, recorder: Recorder, pool_id: int, pending: PendingTasks, events: WorkerChannel,
        token: int,
    ) -> None:
        self.recorder = recorder
        self.pool_id = pool_id
        self.pending = pending
        self._events = events
        self._token = token
        #: called from the event thread with the ids of the tasks a broken pool never started.
        self.on_broken: Callable[[list[int]], None] | None = None
        self._lock = threading.Condition()
        self._workers: dict[int, tuple[int, BaseProcess]] = {}  # pid -> (worker id, process)
        self._exited: set[int] = set()
        # task -> (worker, when its unpickling began): started, and no finish seen yet
        self._running: dict[int, tuple[int, int]] = {}
        self._started_ever: set[int] = set()
        self._finished: set[int] = set()
        self.unpicklable: set[int] = set()
        self._broken_tasks: list[int] = []
        self._exits: list[tuple[int, int, int | None]] = []  # (worker, pid, exitcode), in order
        self._exit_t: dict[int, int] = {}  # worker -> when its process was seen gone
        self._broken = self._broken_reported = self._broken_delivered = self._retiring = False
        # Parent-only signals, never through the workers' channel: wake the exit watcher (new
        # worker, shutdown) and tell the drain thread "broken" (b) or "no more workers" (s).
        self._wake_r, self._wake_w = os.pipe()
        self._ctl_r, self._ctl_w = os.pipe()
        self._fds_open = True
        self._started = False
        self._unstartable: str | None = None  # why the threads could not be started
        self._drain_thread: threading.Thread | None = None
        self._watch_thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the drain and exit-watch threads, once, before the pool's first worker.

        At the first submit, as the plain pool starts its own threads (a pool never used starts
        none). Raises BrokenProcessPool if a thread cannot be started (the interpreter is
        shutting down): the pool cannot run without them, and refuses work from then on.
        """
        with self._lock:
            if self._unstartable is not None:
                raise BrokenProcessPool(self._unstartable)
            if self._started or self._retiring:
                return
            self._started = True
        register_parent(self._token, self)
        self._drain_thread = threading.Thread(target=self._drain, daemon=True,
                                              name=f"pool{self.pool_id}-events")
        self._watch_thread = threading.Thread(target=self._watch, daemon=True,
                                              name=f"pool{self.pool_id}-exits")
        try:
            self._drain_thread.start()
            self._watch_thread.start()
        except RuntimeError as exc:
            why = f"the pool could not start its event threads: {exc}"
            with self._lock:
                self._unstartable = why
                self._retiring = True
            self.recorder.record("pool_broken", self.pool_id, why, None, None, None)
            if self._drain_thread.is_alive():
                self._signal(self._ctl_w, b"s")  # it ends, and closes what it owns
            else:
                self._close()
            raise BrokenProcessPool(why) from exc

    def add_worker(self, pid: int, worker: int, process: BaseProcess) -> None:
        with self._lock:
            self._workers[pid] = (worker, process)
            self._lock.notify_all()

    def retire(self) -> None:
        """The pool shuts down, or was dropped: record it once; the threads end after it."""
        with self._lock:
            first = not self._retiring
            self._retiring = True
            idle = not self._started  # never used: no thread will close what it owns
        if first:
            self.recorder.record("pool_retired", self.pool_id)
            self._signal(self._wake_w, b"r")
        if idle:
            self._close()

    def join(self) -> None:
        for thread in (self._watch_thread, self._drain_thread):
            if thread is not None and thread.ident is not None:  # started
                thread.join()

    def _close(self) -> None:
        unregister_parent(self._token)
        with self._lock:
            if not self._fds_open:
                return
            self._fds_open = False
            for fd in (self._wake_r, self._wake_w, self._ctl_r, self._ctl_w):
                os.close(fd)
        self._events.close()

    def _signal(self, fd: int, byte: bytes) -> None:
        # Under the lock, and only while open: a closed descriptor's number may be reused.
        with self._lock:
            if self._fds_open:
                os.write(fd, byte)

    def wake(self) -> None:
        self._signal(self._wake_w, b"w")

    def worker_pids(self) -> dict[int, int]:
        """pid -> worker id of this pool's worker processes that have not exited."""
        with self._lock:
            return {pid: w for pid, (w, _) in self._workers.items() if pid not in self._exited}

    def _worker_of(self, pid: int) -> int:
        known = self._workers.get(pid)  # a dict read is atomic: no lock on the common path
        if known is not None:
            return known[0]
        with self._lock:
            # A forked worker can report before _spawn_process has registered its pid.
            self._lock.wait_for(lambda: pid in self._workers, timeout=_EXIT_REAP_S)
            return self._workers[pid][0] if pid in self._workers else -1

    def _drain(self) -> None:
        """Move workers' signals and messages into the recorder until no worker is left."""
        gil.register_current_thread(None)
        frames = FrameReader(self._events)
        both = select.poll()  # made once: a selector per wait would cost more than a frame
        both.register(frames.fileno(), select.POLLIN)
        both.register(self._ctl_r, select.POLLIN)
        try:
            while True:
                ready = {fd for fd, _ in both.poll()}
                if frames.fileno() in ready:
                    while frames.poll():  # everything that is there now
                        self._take_frame(frames)
                    continue  # workers' data first: a control byte counts once that is drained
                control = os.read(self._ctl_r, 1)
                while frames.poll():  # no worker is left: whatever they wrote is all here
                    self._take_frame(frames)
                if control == b"b":
                    self._report_broken()
                else:
                    return
        finally:
            self._close()

    def _take_frame(self, frames: FrameReader) -> None:
        item = frames.read()
        if item is None:
            return
        kind, body = item
        if kind == "signal":
            self._take_signal(*body)
        else:
            self.take_worker_events(body)

    def _take_signal(self, kind: int, pid: int, task: int, t: int, dur: int, nbytes: int) -> None:
        worker = self._worker_of(pid)
        if kind == SIGNAL_READY:
            self.recorder.record_at("worker_ready", t, worker, pid)
            return
        self.pending.started(task)
        with self._lock:
            if task not in self._finished:  # its result may have come back first
                self._running[task] = (worker, t - dur)
            self._started_ever.add(task)
        self.recorder.record_at("serialized", t - dur, task, "worker", "args", "loads", dur, nbytes)
        self.recorder.record_at("task_started", t, task, worker)

    def take_worker_events(self, message: WorkerEvents) -> None:
        """A worker's events into the recorder, its pid turned into its worker id."""
        rec = self.recorder
        pid, events = message
        worker = self._worker_of(pid)
        for ev in events:
            kind = ev[0]
            slot = _WORKER_SLOT.get(kind)
            if slot is not None and ev[slot] is not None:  # None: not this worker (a GIL holder)
                ev = (*ev[:slot], worker, *ev[slot + 1 :])
            if kind == "task_finished":
                with self._lock:
                    self._running.pop(ev[2], None)
                    self._finished.add(ev[2])
            rec.record_at(*ev)

    def record_result_loads(self, task: int, t0: int, duration: int, nbytes: int) -> None:
        self.recorder.record_at(
            "serialized", t0, task, "parent", "result", "loads", duration, nbytes
        )

    def _watch(self) -> None:
        """Record each worker's exit as it happens; end once none is left and none can come."""
        gil.register_current_thread(None)
        unresolved: dict[int, tuple[int, BaseProcess, int, float]] = {}
        try:
            while True:
                with self._lock:
                    live = {p.sentinel: (pid, w, p) for pid, (w, p) in self._workers.items()
                            if pid not in self._exited and pid not in unresolved}
                    done = not live and not unresolved and (
                        self._retiring or self._broken_reported)
                if done:
                    break
                timeout = _EXIT_POLL_S if unresolved else None
                for r in multiprocessing.connection.wait([*live, self._wake_r], timeout):
                    if r == self._wake_r:
                        os.read(self._wake_r, 4096)
                    elif r in live:
                        pid, worker, process = live[r]
                        deadline = time.monotonic() + _EXIT_REAP_S
                        unresolved[pid] = (worker, process, time.monotonic_ns(), deadline)
                for pid, (worker, process, t_exit, deadline) in list(unresolved.items()):
                    late = time.monotonic() > deadline
                    code = process.exitcode if late else _collected_exitcode(process)
                    if code is not None or late:
                        del unresolved[pid]
                        self._on_exit(pid, worker, t_exit, code)
        finally:
            self._signal(self._ctl_w, b"s")  # every worker is gone: nothing can follow this

    def _on_exit(self, pid: int, worker: int, t_exit: int, code: int | None) -> None:
        self.recorder.record_at("worker_exited", t_exit, worker, self.pool_id, code)
        with self._lock:
            self._exited.add(pid)
            self._exits.append((worker, pid, code))
            self._exit_t[worker] = t_exit
        self._maybe_report_broken()

    def _culprit(self) -> tuple[int, int, int | None] | None:
        """The worker whose death broke the pool: the first to exit abnormally on its own.

        A broken pool terminates its other workers (SIGTERM) after the fact, so those do not
        count unless nothing else is known.
        """
        with self._lock:
            exits = list(self._exits)
        own = [e for e in exits if e[2] not in (0, -signal.SIGTERM)]
        abnormal = [e for e in exits if e[2] != 0]
        candidates = own or abnormal
        return candidates[0] if candidates else None

    # -- a broken pool --------------------------------------------------------------------------

    def _on_done(self, task: int, fut: Future[Any]) -> None:
        if fut.cancelled():
            return
        exc = fut.exception()
        if isinstance(exc, BrokenProcessPool):
            with self._lock:
                self._broken = True
                self._broken_tasks.append(task)
            self._maybe_report_broken()
        elif exc is not None and task in self.unpicklable:
            self.recorder.record("task_cancelled", task, f"could not pickle the call: {exc!r}")

    def _maybe_report_broken(self) -> None:
        # Only once every worker has exited: then every event a worker sent is already queued
        # ahead of this marker, so the drain thread knows exactly which tasks had started.
        with self._lock:
            if not self._broken or self._broken_reported:
                return
            if any(pid not in self._exited for pid in self._workers):
                return
            self._broken_reported = True
        self._signal(self._ctl_w, b"b")
        self._signal(self._wake_w, b"b")

    def _report_broken(self) -> None:
        culprit = self._culprit()
        with self._lock:
            tasks = set(self._broken_tasks)
            running, started = dict(self._running), set(self._started_ever)
            exit_t = dict(self._exit_t)
        worker, pid, code = culprit if culprit else (None, None, None)
        who = f"worker {worker} (pid {pid}) {describe_exit(code)}" if culprit else "a worker died"
        ends = _ends_of_unfinished(running, exit_t)
        victims = [t for t, (w, _) in running.items() if w == worker and ends[t][1]]
        during = f" while running task {victims[0]}" if victims else ""
        message = f"{who}{during}: the process pool is broken (BrokenProcessPool)"
        self.recorder.record("pool_broken", self.pool_id, message, worker, pid, code)
        for task, (end, in_progress) in sorted(ends.items()):
            if task not in tasks:
                continue
            why = who if in_progress else f"its result was lost when the pool broke ({who})"
            self.recorder.record_at("task_finished", end, task, running[task][0], False, None,
                                    f"BrokenProcessPool: {why}", None, None)
        never_started = sorted(t for t in tasks if t not in started)
        for task in never_started:
            self.recorder.record("task_cancelled", task, "pool_broken")
        if self.on_broken is not None:
            self.on_broken(never_started)
        with self._lock:  # only now: until the hook has run, the pool is still "breaking"
            self._broken_delivered = True

    def breaking(self) -> bool:
        """The pool broke and its final report (pool_broken, on_broken) is not out yet."""
        with self._lock:
            return self._broken and not self._broken_delivered


class InstrumentedProcessPoolExecutor(PendingMixin, ProcessPoolExecutor):
    """`ProcessPoolExecutor` whose workers, tasks, chunks and pickling appear in `recorder`."""

    executor_kind = "processes"

    def __init__(
        self,
        max_workers: int | None = None,
        mp_context: BaseContext | None = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        max_tasks_per_child: int | None = None,
        recorder: Recorder | None = None,
        ids: RunIds | None = None,
        gil_period_us: int | None = None,
    ) -> None:
        """As ProcessPoolExecutor; `gil_period_us` also samples each worker's GIL (off: None)."""
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self.recorder = recorder if recorder is not None else Recorder()
        self.ids = ids if ids is not None else RunIds()
        ctx = mp_context
        if ctx is None:  # the plain pool's default: fork cannot recycle workers, spawn can
            ctx = multiprocessing.get_context("spawn" if max_tasks_per_child is not None else None)
        self._events = WorkerChannel(ctx)
        try:
            super().__init__(max_workers, ctx, init_worker,
                             (self._events, initializer, initargs, gil_period_us),
                             max_tasks_per_child=max_tasks_per_child)
        except BaseException:  # a refused argument (as the plain pool refuses it): no pipe leak
            self._events.close()
            raise
        self.pool_id: int = next(self.ids.pools)
        self.max_workers: int = self._max_workers  # type: ignore[attr-defined]  # private, 3.11-3.13
        self.pending = PendingTasks(self.recorder, self.pool_id)
        #: its futures' waits and callbacks (no deadlock: a worker process cannot wait on them)
        self.futures = PoolFutures(self.recorder, self.pool_id, None)
        self.futures.on_cancel = self.pending.cancelled_by_caller
        #: called with (task, future, (fn, args, kwargs)) after each submit; a driver's hook.
        self.on_submit: OnSubmit | None = None
        self._token = next(_tokens)
        self._pool = _PoolEvents(self.recorder, self.pool_id, self.pending, self._events,
                                 self._token)
        self._unpicklable = self._pool.unpicklable
        self.recorder.record("pool_created", self.pool_id, self.max_workers, self.executor_kind)
        # Dropped without shutdown(): the plain pool then shuts down by itself; record it.
        weakref.finalize(self, self._pool.retire).atexit = False

    # -- workers ----------------------------------------------------------------------------

    def _spawn_process(self) -> None:
        # Private hook (CPython 3.11-3.13): called for every new worker, under the pool's lock.
        t = time.monotonic_ns()
        before = set(self._processes)
        super()._spawn_process()  # type: ignore[misc]
        for pid in set(self._processes) - before:
            process = self._processes[pid]
            worker = next(self.ids.workers)
            self._pool.add_worker(pid, worker, process)
            self.recorder.record_at(
                "worker_spawned", t, worker, self.pool_id, process.name or "", pid
            )
            self._pool.wake()

    # -- what the pool's events say ------------------------------------------------------------

    @property
    def on_broken(self) -> Callable[[list[int]], None] | None:
        """Called from the event thread with the ids of the tasks a broken pool never started."""
        return self._pool.on_broken

    @on_broken.setter
    def on_broken(self, hook: Callable[[list[int]], None] | None) -> None:
        self._pool.on_broken = hook

    def worker_pids(self) -> dict[int, int]:
        """pid -> worker id of this pool's worker processes that have not exited."""
        return self._pool.worker_pids()

    def breaking(self) -> bool:
        """The pool broke and its final report (pool_broken, on_broken) is not out yet."""
        return self._pool.breaking()

    def take_worker_events(self, message: WorkerEvents) -> None:
        """A worker's events into the recorder, its pid turned into its worker id."""
        self._pool.take_worker_events(message)

    def record_result_loads(self, task: int, t0: int, duration: int, nbytes: int) -> None:
        self._pool.record_result_loads(task, t0, duration, nbytes)

    # -- tasks ------------------------------------------------------------------------------

    def submit_task(
        self, task: int, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> Future[T]:
        """Submit `fn` under a task id chosen by the caller (a moved task keeps its id)."""
        rec = self.recorder
        t0 = time.monotonic_ns()
        self._pool.start()  # once: its threads, before the first worker
        call = QueuedCall(self._token, task, (fn, args, kwargs), rec, self._unpicklable)
        fut: Future[T] = ProcessPoolExecutor.submit(self, call)
        info: tuple[Deferred, int | None, int | None, int | None]
        if isinstance(fn, ChunkCall):
            chunk = args[0]
            info = (Deferred(chunk), fn.map_id, fn.first_item, len(chunk))
        else:
            info = (Deferred(args), None, None, None)
        rec.record_at("task_submitted", t0, task, self.pool_id, *info)
        self.pending.add(task, fut, (fn, args, kwargs), self._pool._on_done)
        if self.on_submit is not None:
            self.on_submit(task, fut, (fn, args, kwargs))
        self.futures.adopt(fut, task)  # last: the driver's own callbacks are not the program's
        return fut

    def map(
        self, fn: Callable[..., T], *iterables: Iterable[Any], timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[T]:
        """As ProcessPoolExecutor.map; each chunk is one task that knows its items."""
        if chunksize < 1:
            raise ValueError("chunksize must be >= 1.")
        map_id = next(self.ids.maps)
        end_time = None if timeout is None else timeout + time.monotonic()
        items = zip(*iterables, strict=False)
        futures: list[Future[list[T]]] = []
        first = 0
        while chunk := tuple(itertools.islice(items, chunksize)):
            futures.append(self.submit(ChunkCall(fn, map_id, first), chunk))
            first += len(chunk)

        def results() -> Iterator[list[T]]:
            try:
                futures.reverse()
                while futures:
                    fut = futures.pop()
                    try:
                        yield fut.result(None if end_time is None else end_time - time.monotonic())
                    finally:
                        fut.cancel()
            finally:
                for fut in futures:
                    fut.cancel()

        def chained() -> Iterator[T]:
            for chunk_results in results():
                chunk_results.reverse()  # pop from the end: no reference kept to yielded items
                while chunk_results:
                    yield chunk_results.pop()

        return chained()

    # -- shutdown ---------------------------------------------------------------------------

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.retire()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait:
            self._pool.join()
