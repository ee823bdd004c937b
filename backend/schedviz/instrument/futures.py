"""What happens to a task's future: who waits on it and how that wait ends, which thread runs
each of its done-callbacks, and when every worker of a thread pool waits on the others (deadlock).

The rule: every future an instrumented executor's submit returns is switched, once submit has
made it, to `Future`: a subclass of `concurrent.futures.Future` named as it (so the same repr)
that adds no state of its own, only two attributes (its task id, its pool's `PoolFutures`).
It overrides three public methods and nothing else:
- `result(timeout)` and `exception(timeout)` record a `future_wait` / `future_wait_ended` pair
  when they would block; on a future that is done they return at once, unrecorded (a wait that
  never waits costs one `done()`).
- `add_done_callback(fn)` adds a timer around `fn` that records `future_callback` when it
  really runs, in the thread that runs it, and re-raises what it raised: the plain future still
  runs a callback added after completion at once in the adding thread, and still logs a
  callback's exception through concurrent.futures' logger.
`wait` and `as_completed` here are the module's functions with their waits recorded (one wait
per call of `wait` that blocks; one per step of `as_completed` that blocks, on the futures not
yielded yet); under `schedviz trace` they are the program's (trace/executors.py).

Why a subclass assigned through `__class__`: the executor's work item sets the result of the
very future submit made, so a wrapper would be another object (not a Future, not the one the
pool completes), and making the future ourselves would mean building the private `_WorkItem`.
A subclass without slots or state has the plain layout, so switching the class is allowed and
keeps every byte of the plain future's behaviour; isinstance(f, concurrent.futures.Future)
holds. The future refers to its task id and to its pool's book, which holds no callable, result
or executor: no new reference cycle keeps a task's callable or result alive.

Deadlock: a thread pool's book knows the waits its workers are in. When the last of its
`max_workers` workers begins a wait, and every one of those waits can only be ended by futures
of this same pool that are not done (each one is pending with no free worker to start it, or
running on a worker that waits itself: a cycle), nothing can go on until a wait times out (or
something outside cancels a future): `deadlock` is recorded at that moment with the wait-for
chain and the message in words. Checking there is enough: a wait only stops being stuck as
time goes on (a future only ever becomes done), so the pool can only become deadlocked when a
wait begins. Process pools have no such book: their workers, other processes,
cannot wait on the futures of this one.

Guarantees:
- A switched future is still a `concurrent.futures.Future`: same repr, results, exceptions,
  cancellation, waiters, callbacks (their thread, their order, their logging); it holds nothing
  more of the task's than the plain one does.
- Each recorded wait gets exactly one `future_wait_ended`, also when the wait raised.
- Each done-callback that runs is recorded once, with the lane and ident of its thread.
- A deadlock is recorded once per episode (until one of its waits ends), at the moment the
  last wait begins, in the thread that begins it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from concurrent.futures import _base
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from schedviz.instrument.recorder import Recorder

T = TypeVar("T")

# The plain functions, taken before a trace can put ours in their place.
_plain_wait = _base.wait
_plain_as_completed = _base.as_completed

# Ids of waits: unique in the process, hence in a run.
_wait_ids = itertools.count()


class _Current(threading.local):
    """What the calling thread is, for the waits and callbacks it records."""

    lane: int | None = None  # its lane (a pool worker's id, a traced program thread's)
    task: int | None = None  # the pool task it runs now
    book: PoolFutures | None = None  # the thread pool it is a worker of


#: set by the pools' workers (instrument/threads.py) and by the trace's lanes (trace/threads.py)
current = _Current()


def callable_name(fn: object) -> str:
    """A callback's qualified name as the class reads it (a partial names what it wraps)."""
    inner = getattr(fn, "func", None)
    if inner is not None and callable(inner):
        return f"partial({callable_name(inner)})"
    name = getattr(fn, "__qualname__", None)
    return name if isinstance(name, str) else type(fn).__qualname__


class _TimedCallback:
    """A done-callback that records when and where it ran; it holds only the callback."""

    __slots__ = ("fn", "recorder", "task")

    def __init__(self, fn: Callable[[Any], object], task: int, recorder: Recorder) -> None:
        self.fn, self.task, self.recorder = fn, task, recorder

    def __call__(self, fut: Any) -> None:
        t0 = time.monotonic_ns()
        ok = False
        try:
            self.fn(fut)
            ok = True
        finally:  # raised: the future logs it as it always does, after this is recorded
            dur_ns = time.monotonic_ns() - t0
            thread = threading.current_thread().name
            self.recorder.record_at(
                "future_callback", t0, self.task, callable_name(self.fn), dur_ns, current.lane,
                thread, threading.get_ident(), ok)


# -- waits --------------------------------------------------------------------------------------

#: how a wait ends: "any" of its futures done, "all" of them, or all / the first exception
_MODES = {_base.FIRST_COMPLETED: "any", _base.FIRST_EXCEPTION: "first_exception"}


@dataclass
class _Blocked:
    """A pool worker's wait, as its pool's book sees it (only while it waits)."""

    wait: int
    task: int
    futures: list[Any]
    mode: str  # "any" | "all" | "first_exception"
    has_timeout: bool

    def awaited_here(self, book: PoolFutures) -> list[int] | None:
        """The tasks of `book`'s pool this wait needs, when only that pool can end it; else None."""
        mine: list[int] = []
        for f in self.futures:
            if f.done():
                if self.mode == "any":
                    return None  # it returns now
                if (self.mode == "first_exception" and not f.cancelled()
                        and f.exception(0) is not None):
                    return None
                continue
            if getattr(f, "_schedviz_pool", None) is book:
                mine.append(f._schedviz_task)
            elif self.mode == "any":
                return None  # another pool (or no pool) may end it
        return sorted(mine) or None


@dataclass
class _Open:
    """A recorded wait in progress."""

    wait: int
    recorders: list[Recorder]
    book: PoolFutures | None


def _begin(call: str, futures: Collection[Any], timeout: float | None,
           mode: str) -> _Open | None:
    """Record that the calling thread begins to wait; None when none of `futures` is ours."""
    by_recorder: dict[Recorder, list[int]] = {}
    for f in futures:
        book = getattr(f, "_schedviz_pool", None)
        if book is not None:
            by_recorder.setdefault(book.recorder, []).append(f._schedviz_task)
    if not by_recorder:
        return None
    wait = next(_wait_ids)
    me = current
    thread = threading.current_thread().name
    timeout_s = None if timeout is None else float(timeout)
    for rec, tasks in by_recorder.items():
        tasks.sort()
        rec.record("future_wait", wait, call, tasks, timeout_s, me.task, me.lane, thread)
    book = me.book if me.task is not None else None
    if book is not None:
        book.enter(_Blocked(wait, me.task, list(futures), mode,  # type: ignore[arg-type]
                            timeout is not None))
    return _Open(wait, list(by_recorder), book)


def _end(opened: _Open, outcome: str) -> None:
    if opened.book is not None:
        opened.book.leave(opened.wait)
    for rec in opened.recorders:
        rec.record("future_wait_ended", opened.wait, outcome)


def _raised(exc: BaseException, fut: Any = None) -> str:
    """The outcome of a wait that raised `exc` (`fut`: the one future it waited on)."""
    if (fut is not None and fut.done() and not fut.cancelled()
            and _base.Future.exception(fut, 0) is exc):
        return "done"  # result() re-raised the task's own exception
    if isinstance(exc, _base.CancelledError):
        return "cancelled"
    if isinstance(exc, TimeoutError):  # concurrent.futures.TimeoutError is it (3.11+)
        return "timeout"
    return "error" if isinstance(exc, Exception) else "interrupted"


def _blocking_call(call: str, fut: Any, timeout: float | None,
                   plain: Callable[[Any, float | None], T]) -> T:
    opened = _begin(call, (fut,), timeout, "any")
    if opened is None:
        return plain(fut, timeout)
    try:
        value = plain(fut, timeout)
    except BaseException as exc:
        _end(opened, _raised(exc, fut))
        raise
    _end(opened, "done")
    return value


class Future(_base.Future[T]):
    """A task's `concurrent.futures.Future`, its waits and done-callbacks recorded."""

    _schedviz_task: int
    _schedviz_pool: PoolFutures

    def result(self, timeout: float | None = None) -> T:
        if self.done():
            return _base.Future.result(self, timeout)
        value: T = _blocking_call("result", self, timeout, _base.Future.result)
        return value

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if self.done():
            return _base.Future.exception(self, timeout)
        return _blocking_call("exception", self, timeout, _base.Future.exception)

    def add_done_callback(self, fn: Callable[[_base.Future[T]], object]) -> None:
        _base.Future.add_done_callback(
            self, _TimedCallback(fn, self._schedviz_task, self._schedviz_pool.recorder))

    def cancel(self) -> bool:
        cancelled = _base.Future.cancel(self)
        on_cancel = self._schedviz_pool.on_cancel
        if cancelled and on_cancel is not None:
            on_cancel(self._schedviz_task)  # recorded at the call, not at the next sweep
        return cancelled


Future.__module__ = "concurrent.futures._base"  # as the plain class: type() reads the same
for _name in ("result", "exception", "add_done_callback", "cancel"):
    getattr(Future, _name).__doc__ = getattr(_base.Future, _name).__doc__


def _returns_at_once(fs: Collection[Any], return_when: str) -> bool:
    done = [f for f in fs if f.done()]
    if return_when == _base.FIRST_COMPLETED and done:
        return True
    if return_when == _base.FIRST_EXCEPTION and any(
            not f.cancelled() and f.exception(0) is not None for f in done):
        return True
    return len(done) == len(fs)


def _wait_outcome(result: Any, return_when: str) -> str:
    done, not_done = result
    if return_when == _base.FIRST_COMPLETED:
        met = bool(done)
    elif return_when == _base.FIRST_EXCEPTION:
        met = not not_done or any(not f.cancelled() and f.exception(0) is not None for f in done)
    else:
        met = not not_done
    if not met:
        return "timeout"
    return "cancelled" if done and all(f.cancelled() for f in done) else "done"


def wait(fs: Iterable[Any], timeout: float | None = None,
         return_when: str = _base.ALL_COMPLETED) -> Any:
    futures = set(fs)
    if _returns_at_once(futures, return_when):
        return _plain_wait(futures, timeout, return_when)
    opened = _begin("wait", futures, timeout, _MODES.get(return_when, "all"))
    if opened is None:
        return _plain_wait(futures, timeout, return_when)
    try:
        result = _plain_wait(futures, timeout, return_when)
    except BaseException as exc:  # an invalid return_when, a Ctrl-C
        _end(opened, _raised(exc))
        raise
    _end(opened, _wait_outcome(result, return_when))
    return result


def as_completed(fs: Iterable[Any], timeout: float | None = None) -> Iterator[Any]:
    # A generator, as the plain one: nothing runs (and the timeout does not start) before the
    # first next(). It holds only the futures not yielded yet, as the plain one does.
    remaining = set(fs)
    end = None if timeout is None else timeout + time.monotonic()
    plain = cast(Generator[Any, None, None], _plain_as_completed(remaining, timeout))
    try:
        while remaining:
            opened = None
            if not any(f.done() for f in remaining):  # this step blocks
                left = None if end is None else end - time.monotonic()
                opened = _begin("as_completed", remaining, left, "any")
            try:
                got = [next(plain)]
            except BaseException as exc:
                if opened is not None:
                    _end(opened, _raised(exc))
                raise
            if opened is not None:
                _end(opened, "done")
            remaining.discard(got[0])
            yield got.pop()  # not kept while suspended: the caller may drop the future
    finally:
        plain.close()  # takes its waiters off the futures not yielded


wait.__doc__ = _plain_wait.__doc__
as_completed.__doc__ = _plain_as_completed.__doc__


# -- a pool's book, and deadlock ----------------------------------------------------------------


class PoolFutures:
    """One pool's futures: where they record and, for a thread pool, its workers' waits."""

    def __init__(self, recorder: Recorder, pool_id: int, max_workers: int | None) -> None:
        """`max_workers` None: a process pool (its workers cannot wait on these futures)."""
        self.recorder = recorder
        self.pool_id = pool_id
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._waits: dict[int, _Blocked] = {}
        self._reported: set[int] | None = None  # the waits of the deadlock recorded, if any
        #: told the task id when a caller's cancel() took a pending future (the pool's
        #: PendingTasks.cancelled_by_caller); holds nothing of the executor
        self.on_cancel: Callable[[int], None] | None = None

    def adopt(self, fut: _base.Future[Any], task: int) -> None:
        """Make `fut`, the future of `task`, one whose waits and callbacks are recorded."""
        fut._schedviz_task = task  # type: ignore[attr-defined]
        fut._schedviz_pool = self  # type: ignore[attr-defined]
        fut.__class__ = Future

    def enter(self, blocked: _Blocked) -> None:
        with self._lock:
            self._waits[blocked.wait] = blocked
            self._check()

    def leave(self, wait: int) -> None:
        with self._lock:
            self._waits.pop(wait, None)
            if self._reported is not None and wait in self._reported:
                self._reported = None  # the episode is over

    def _check(self) -> None:
        """Under the lock: record a deadlock if every worker waits on what only this pool ends."""
        if self._reported is not None or self.max_workers is None:
            return
        if len(self._waits) < self.max_workers:  # a worker is free (or not even started)
            return
        graph: dict[int, list[int]] = {}
        for blocked in self._waits.values():
            awaited = blocked.awaited_here(self)
            if awaited is None:
                return
            graph[blocked.task] = awaited
        chain = wait_for_chain(graph)
        timeouts = any(b.has_timeout for b in self._waits.values())
        message = describe_deadlock(self.pool_id, self.max_workers, graph, chain, timeouts)
        self._reported = set(self._waits)
        self.recorder.record("deadlock", self.pool_id, chain, message)


def wait_for_chain(graph: dict[int, list[int]]) -> list[list[int]]:
    """[waiting task, awaited task] pairs, each path followed from a waiting task until it
    reaches a pending task or closes a cycle; every waiting task's edges appear once."""
    chain: list[list[int]] = []
    seen: set[int] = set()
    for start in sorted(graph):
        task: int | None = start
        while task is not None and task not in seen:
            seen.add(task)
            following = None
            for awaited in graph[task]:
                chain.append([task, awaited])
                if following is None and awaited in graph and awaited not in seen:
                    following = awaited
            task = following
    return chain


def _tasks_in_words(tasks: list[int]) -> str:
    names = [str(t) for t in sorted(tasks)]
    if len(names) == 1:
        return f"task {names[0]}"
    return f"tasks {', '.join(names[:-1])} and {names[-1]}"


def describe_deadlock(pool_id: int, max_workers: int, graph: dict[int, list[int]],
                      chain: list[list[int]], timeouts: bool) -> str:
    """The chain in words, who holds the workers, and how it can end."""
    clauses = []
    waiting_so_far: set[int] = set()
    for waiting, awaited in chain:
        waiting_so_far.add(waiting)
        if awaited not in graph:
            clauses.append(f"task {waiting} waits on task {awaited}, which is pending")
        elif awaited in waiting_so_far:
            clauses.append(f"task {waiting} waits on task {awaited} (a cycle)")
        else:
            clauses.append(f"task {waiting} waits on task {awaited}, which is running")
    busy = _tasks_in_words(list(graph))
    workers = (f"pool {pool_id}'s only worker is busy with {busy}" if max_workers == 1 else
               f"all {max_workers} workers of pool {pool_id} are busy with {busy}")
    how = ("nothing can go on until a wait times out" if timeouts else
           "nothing can go on, and no wait has a timeout: the program hangs")
    return f"{'; '.join(clauses)}: {workers} — {how}"
