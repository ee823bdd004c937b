"""The code on both sides of a process pool's pickle boundary.

In a worker process: `init_worker` (the pool's initializer) and `run_in_worker` (what every
task is submitted as). The worker stamps its own events with `time.monotonic_ns()` (system-wide
on Linux, so lanes of different processes line up). They reach the parent three ways, chosen so
that a task costs no extra round trip and almost no extra bytes:

- `WorkerChannel.signal`: a fixed 48-byte record the moment a worker is ready or a task starts
  (with the unpickling of its call), so a task that kills its worker has already said that it
  started.
- the result itself: a `ResultEnvelope` carries the task's remaining events (finished, item
  ends, result pickling) back with the result the pool sends anyway.
- `WorkerChannel.put`: pickled events, only for a task that raised (an exception travels back
  without our envelope).

Both `signal` and `put` write frames of at most 4 KiB to one pipe: such a write is atomic, so
workers share the pipe without a lock (a worker killed while holding a lock would block the
others), and the parent joins a worker's multi-frame message by its pid.

In the parent, the envelope unpickles itself, in the pool's own result thread, into the plain
result through `unwrap_result`, which also times that. So the Future holds the real result, as
with a plain ProcessPoolExecutor, and all four pickling steps of a task are measured:
arguments dumps (parent) → loads (worker), result dumps (worker) → loads (parent).

Events from a worker name it by pid in their `worker` field; the parent maps pids to worker ids.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import select
import struct
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.context import BaseContext
from typing import Any, NoReturn, Protocol

from schedviz.instrument.common import short_repr
from schedviz.instrument.gil import ProcessGil

PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL

#: kind, pid, task, t, duration_ns, nbytes
SIGNAL = struct.Struct("=6q")
SIGNAL_READY, SIGNAL_STARTED = 0, 1

#: every frame starts with the writer's pid and what the frame is
FRAME = struct.Struct("=qB")
FRAME_SIGNAL, FRAME_PART, FRAME_LAST = 0, 1, 2
#: payload per frame: the pipe's atomic write size less the frame and length headers
FRAME_PAYLOAD = 4096 - FRAME.size - 4

WorkerEvents = tuple[int, list[tuple[Any, ...]]]  # (pid, [raw event tuples])


class WorkerChannel:
    """Workers → parent: one pipe of atomic frames, shared by all workers without a lock."""

    def __init__(self, ctx: BaseContext) -> None:
        self.reader, self.writer = ctx.Pipe(duplex=False)

    def signal(self, kind: int, pid: int, task: int, t: int, duration: int, nbytes: int) -> None:
        self.writer.send_bytes(
            FRAME.pack(pid, FRAME_SIGNAL) + SIGNAL.pack(kind, pid, task, t, duration, nbytes)
        )

    def put(self, message: WorkerEvents) -> None:
        data = pickle.dumps(message, PICKLE_PROTOCOL)
        pid = message[0]
        for i in range(0, len(data), FRAME_PAYLOAD):
            last = i + FRAME_PAYLOAD >= len(data)
            part = FRAME.pack(pid, FRAME_LAST if last else FRAME_PART)
            self.writer.send_bytes(part + data[i : i + FRAME_PAYLOAD])

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class FrameReader:
    """The parent's end: yields signals and whole messages as their frames arrive."""

    def __init__(self, channel: WorkerChannel) -> None:
        self._reader = channel.reader
        self._parts: dict[int, list[bytes]] = {}  # pid -> frames of an unfinished message
        # Connection.poll() builds a selector per call; one poll object costs a syscall.
        self._poller = select.poll()
        self._poller.register(self._reader.fileno(), select.POLLIN)

    def fileno(self) -> int:
        return self._reader.fileno()

    def poll(self) -> bool:
        """A frame (or the writers' end of file) is waiting."""
        return bool(self._poller.poll(0))

    def read(self) -> tuple[str, Any] | None:
        """("signal", fields) or ("message", WorkerEvents), or None for a partial message."""
        frame = self._reader.recv_bytes()
        pid, kind = FRAME.unpack_from(frame)
        body = frame[FRAME.size :]
        if kind == FRAME_SIGNAL:
            return "signal", SIGNAL.unpack(body)
        self._parts.setdefault(pid, []).append(body)
        if kind == FRAME_PART:
            return None
        return "message", pickle.loads(b"".join(self._parts.pop(pid)))


# -- worker side ------------------------------------------------------------------------------

_channel: WorkerChannel | None = None
_pid = 0
_gil: ProcessGil | None = None


def init_worker(
    channel: WorkerChannel,
    user_init: Callable[..., object] | None,
    user_initargs: tuple[Any, ...],
    gil_period_us: int | None = None,
) -> None:
    """The pool's initializer: announce this worker as ready, then run the caller's own."""
    global _channel, _pid, _gil
    _channel, _pid = channel, os.getpid()  # set anew after a fork: never the parent's
    channel.signal(SIGNAL_READY, _pid, -1, time.monotonic_ns(), 0, 0)
    _gil = None
    if gil_period_us:
        _gil = ProcessGil(gil_period_us)
        channel.put((_pid, [_gil.start(_pid)]))
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

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled once per chunk: the default for a __slots__ class goes through copyreg in
        # Python, several times slower than this.
        return (ChunkCall, (self.fn, self.map_id, self.first_item))

    def __call__(self, chunk: Iterable[tuple[Any, ...]]) -> list[Any]:
        fn = self.fn
        return [fn(*args) for args in chunk]

    def run(self, chunk: Iterable[tuple[Any, ...]], ends: list[int]) -> list[Any]:
        fn, stamp, end = self.fn, time.monotonic_ns, ends.append  # locals: this loop is hot
        out = []
        for args in chunk:
            out.append(fn(*args))
            end(stamp())
        return out


class ResultEnvelope:
    """A result pickled in the worker, with the task's events; in the parent, the result."""

    __slots__ = ("data", "events", "task", "token")

    def __init__(self, token: int, task: int, data: bytes, events: WorkerEvents) -> None:
        self.token = token
        self.task = task
        self.data = data
        self.events = events

    def __reduce__(self) -> tuple[Any, ...]:
        return (unwrap_result, (self.token, self.task, self.data, self.events))


class WorkerCall:
    """A task's call as its worker receives it: the pickled (fn, args, kwargs), run when called
    (by the pool's worker loop, as a plain pool calls its work item's function)."""

    __slots__ = ("payload", "task", "token")

    def __init__(self, token: int, task: int, payload: bytes) -> None:
        self.token, self.task, self.payload = token, task, payload

    def __call__(self) -> ResultEnvelope:
        return run_in_worker(self.token, self.task, self.payload)


def _end_worker_as_the_pool_would(exc: BaseException) -> NoReturn:
    """A call that fails to unpickle ends its worker process, as in the plain pool.

    The plain pool's worker unpickles each call while taking it off the call queue, outside any
    handler: an error or `sys.exit()` there ends the process (multiprocessing's bootstrap prints
    the traceback and exits with 1, or with the SystemExit's code), so the pool breaks and the
    Future fails with BrokenProcessPool. Here the call is unpickled inside the task, where the
    pool would catch it and send it back as the task's exception: end the process the same way
    instead. Nothing is half-written: this worker sent nothing for this task yet.
    """
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            sys.stderr.write(f"{code}\n")
            status = 1
    else:
        sys.stderr.write(f"Process {multiprocessing.current_process().name}:\n")
        traceback.print_exception(exc)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def run_in_worker(token: int, task: int, payload: bytes) -> ResultEnvelope:
    """Run one task in this worker: unpickle the call, run it, pickle the result; time each."""
    channel, pid = _channel, _pid
    if channel is None:
        raise RuntimeError("schedviz worker state missing: the pool's initializer did not run")
    t0 = time.monotonic_ns()
    try:
        fn, args, kwargs = pickle.loads(payload)
    except BaseException as exc:
        _end_worker_as_the_pool_would(exc)
    t_start = time.monotonic_ns()
    channel.signal(SIGNAL_STARTED, pid, task, t_start, t_start - t0, len(payload))
    ends: list[int] | None = [] if isinstance(fn, ChunkCall) else None
    cpu0 = time.thread_time_ns()
    try:
        result = fn.run(args[0], ends) if ends is not None else fn(*args, **kwargs)
        t_end = time.monotonic_ns()
        cpu = time.thread_time_ns() - cpu0
        data = pickle.dumps(result, PICKLE_PROTOCOL)
    except BaseException as exc:
        rel = [e - t_start for e in ends] if ends is not None else None
        finished = ("task_finished", time.monotonic_ns(), task, pid, False, None,
                    short_repr(exc), rel, time.thread_time_ns() - cpu0)
        channel.put((pid, [finished, *(_gil.drain(pid) if _gil else ())]))
        raise
    t_dumped = time.monotonic_ns()
    rel = [e - t_start for e in ends] if ends is not None else None
    events = [
        ("task_finished", t_end, task, pid, True, short_repr(result), None, rel, cpu),
        ("serialized", t_end, task, "worker", "result", "dumps", t_dumped - t_end, len(data)),
    ]
    if _gil is not None:
        events.extend(_gil.drain(pid))
    return ResultEnvelope(token, task, data, (pid, events))


# -- parent side ------------------------------------------------------------------------------


class ParentPool(Protocol):
    """What `unwrap_result` needs of the pool that submitted the task."""

    def take_worker_events(self, message: WorkerEvents) -> None: ...

    def record_result_loads(self, task: int, t0: int, duration: int, nbytes: int) -> None: ...


#: token -> the instrumented pool that submitted the task (parent process only).
_parent_pools: dict[int, ParentPool] = {}


def register_parent(token: int, pool: ParentPool) -> None:
    _parent_pools[token] = pool


def unregister_parent(token: int) -> None:
    _parent_pools.pop(token, None)


def unwrap_result(token: int, task: int, data: bytes, events: WorkerEvents) -> Any:
    """Runs in the parent while the pool unpickles a worker's reply: the result, timed."""
    t0 = time.monotonic_ns()
    result = pickle.loads(data)
    t1 = time.monotonic_ns()
    pool = _parent_pools.get(token)
    if pool is not None:
        pool.take_worker_events(events)
        pool.record_result_loads(task, t0, t1 - t0, len(data))
    return result
