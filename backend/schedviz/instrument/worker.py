"""The code on both sides of a process pool's pickle boundary.

In a worker process: `init_worker` (the pool's initializer) and `run_in_worker` (what every
task is submitted as). The worker stamps its own events with `time.monotonic_ns()` (system-wide
on Linux, so lanes of different processes line up) and sends them to the parent in one batch
per step on a `WorkerChannel`: no extra thread in the worker, no round trip per event.

In the parent: `ResultEnvelope` is what a worker returns. It carries the result pickled by the
worker (so the worker can time that) and unpickles itself, in the parent, into the plain result
through `unwrap_result`, which times that too. So the Future holds the real result, exactly as
with a plain ProcessPoolExecutor, and all four pickling steps of a task are measured:
arguments dumps (parent) → loads (worker), result dumps (worker) → loads (parent).

Events from a worker name it by pid in their `worker` field; the parent maps pids to worker ids.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterable
from multiprocessing.context import BaseContext
from typing import Any

from schedviz.instrument.common import short_repr
from schedviz.instrument.recorder import Recorder

PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL

# -- worker side ------------------------------------------------------------------------------


class WorkerChannel:
    """Workers → parent: a one-way pipe whose writers take turns on a lock.

    Only workers write to it and only the parent reads: the parent never needs the lock, so a
    worker killed while holding it cannot block the parent (and a dead worker breaks the pool,
    whose other workers are then terminated anyway).
    """

    def __init__(self, ctx: BaseContext) -> None:
        self.reader, self.writer = ctx.Pipe(duplex=False)
        self.lock = ctx.Lock()

    def put(self, message: object) -> None:
        data = pickle.dumps(message, PICKLE_PROTOCOL)
        with self.lock:
            self.writer.send_bytes(data)

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class _WorkerState:
    """This worker process's pid, event buffer and channel to the parent."""

    def __init__(self, channel: WorkerChannel) -> None:
        self.channel = channel
        self.pid = os.getpid()
        self.buf: list[tuple[Any, ...]] = []

    def flush(self) -> None:
        if self.buf:
            self.channel.put((self.pid, self.buf))
            self.buf = []


_state: _WorkerState | None = None


def init_worker(
    events: WorkerChannel, user_init: Callable[..., object] | None, user_initargs: tuple[Any, ...]
) -> None:
    """The pool's initializer: announce this worker as ready, then run the caller's own."""
    global _state
    _state = _WorkerState(events)  # a fresh state also after fork: never the parent's buffer
    _state.buf.append(("worker_ready", time.monotonic_ns(), _state.pid, _state.pid))
    _state.flush()
    if user_init is not None:
        user_init(*user_initargs)


class ChunkCall:
    """What one chunk of `map(fn, …, chunksize=k)` is submitted as: fn over its items, in order.

    Calling it behaves like CPython's own chunk function; `run` also stamps each item's end.
    """

    __slots__ = ("first_item", "fn", "map_id")

    def __init__(self, fn: Callable[..., Any], map_id: int, first_item: int) -> None:
        self.fn = fn
        self.map_id = map_id
        self.first_item = first_item

    def __call__(self, chunk: Iterable[tuple[Any, ...]]) -> list[Any]:
        return [self.fn(*args) for args in chunk]

    def run(self, chunk: Iterable[tuple[Any, ...]], ends: list[int]) -> list[Any]:
        out = []
        for args in chunk:
            out.append(self.fn(*args))
            ends.append(time.monotonic_ns())
        return out


class ResultEnvelope:
    """A result pickled in the worker; unpickling it in the parent yields the result itself."""

    __slots__ = ("data", "task", "token")

    def __init__(self, token: int, task: int, data: bytes) -> None:
        self.token = token
        self.task = task
        self.data = data

    def __reduce__(self) -> tuple[Any, ...]:
        return (unwrap_result, (self.token, self.task, self.data))


def run_in_worker(token: int, task: int, payload: bytes) -> ResultEnvelope:
    """Run one task in this worker: unpickle the call, run it, pickle the result; time each."""
    st = _state
    if st is None:  # not started through init_worker: nothing to report to
        raise RuntimeError("schedviz worker state missing: the pool's initializer did not run")
    pid = st.pid
    t0 = time.monotonic_ns()
    fn, args, kwargs = pickle.loads(payload)
    t_start = time.monotonic_ns()
    st.buf.append(("serialized", t0, task, "worker", "args", "loads", t_start - t0, len(payload)))
    st.buf.append(("task_started", t_start, task, pid))
    st.flush()  # now, not with the result: a long task must show as running while it runs
    ends: list[int] | None = [] if isinstance(fn, ChunkCall) else None
    try:
        result = fn.run(args[0], ends) if ends is not None else fn(*args, **kwargs)
        t_end = time.monotonic_ns()
        data = pickle.dumps(result, PICKLE_PROTOCOL)
    except BaseException as exc:
        rel = [e - t_start for e in ends] if ends is not None else None
        st.buf.append(
            ("task_finished", time.monotonic_ns(), task, pid, False, None, short_repr(exc), rel)
        )
        st.flush()
        raise
    t_dumped = time.monotonic_ns()
    rel = [e - t_start for e in ends] if ends is not None else None
    st.buf.append(("task_finished", t_end, task, pid, True, short_repr(result), None, rel))
    st.buf.append(
        ("serialized", t_end, task, "worker", "result", "dumps", t_dumped - t_end, len(data))
    )
    st.flush()
    return ResultEnvelope(token, task, data)


# -- parent side ------------------------------------------------------------------------------

#: token -> the recorder of the instrumented pool that submitted the task (parent process only).
_parent_recorders: dict[int, Recorder] = {}


def register_parent(token: int, recorder: Recorder) -> None:
    _parent_recorders[token] = recorder


def unregister_parent(token: int) -> None:
    _parent_recorders.pop(token, None)


def unwrap_result(token: int, task: int, data: bytes) -> Any:
    """Runs in the parent while the pool unpickles a worker's reply: the result, timed."""
    t0 = time.monotonic_ns()
    result = pickle.loads(data)
    rec = _parent_recorders.get(token)
    if rec is not None:
        rec.record_at(
            "serialized", t0, task, "parent", "result", "loads", time.monotonic_ns() - t0, len(data)
        )
    return result
