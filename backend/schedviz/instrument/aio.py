"""asyncio, instrumented: every step of every task, where it yielded, and the loop's idle time.

How (no private asyncio API, so it works with the C Task on 3.11–3.13):
- A task factory wraps each task's coroutine in a `StepTimer`, a `collections.abc.Coroutine`
  the Task accepts like the coroutine itself. Its `send`/`throw` time one step each and, after
  it, read where the coroutine suspended: the innermost frame of user code in the `cr_await`
  chain (file and line) and the first library awaitable under it (`sleep(0.1)`,
  `StreamReader.read`, `Queue.get`, a Future), which is what the task waits for.
- The loop is a `SelectorEventLoop` subclass with a timed selector: a select that was allowed
  to wait (the ready queue was empty) is idle time. The task steps run between two selects
  are the tasks that were ready at that loop iteration (`aio_ready`, sent when it changes);
  callbacks that are not task steps (a timer firing, a transport reading) are not counted.
- The step timer's hot path is also in C (`schedviz._aiostep`, same events; see ACCELERATED).
  A `sleep(d)`'s delay is the last `call_later` of the step, which the loop notes.
- `run_in_executor` (and so `asyncio.to_thread`) runs on an instrumented thread pool; the
  awaiting task and the pool task that served it are linked by an `aio_offload` event.
- A watchdog thread looks at the loop thread's current frame (`sys._current_frames`, a
  documented function) when a step has run longer than the slow-step threshold, so a step that
  blocks the loop is reported with the source line it is blocked on, while it still blocks.

Raw events (see protocol.py for the fields): aio_task, aio_step, aio_task_done, aio_idle,
aio_ready, aio_blocked, aio_offload, aio_queue, warning.

Guarantees:
- One loop, one thread: steps are recorded in the order they ran and never overlap.
- Every step's event says how it ended: "yield" (with the yield site), "done", "error" or
  "cancelled".
- Instrumentation knows nothing of the web: it records into a Recorder like the pools do.
"""

from __future__ import annotations

import asyncio
import collections.abc
import linecache
import os
import selectors
import sys
import sysconfig
import threading
import time
import weakref
from collections.abc import Callable, Coroutine, Generator
from concurrent.futures import Future as ConcurrentFuture
from types import CodeType, CoroutineType, FrameType, GeneratorType
from typing import Any, TypeVar

from schedviz.instrument.common import RunIds
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

T = TypeVar("T")

_now = time.monotonic_ns
_LIBRARY = tuple(
    os.path.normcase(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
#: schedviz's own instrumentation (a pool's submit, say) is not the user's code either
_INSTRUMENT = os.path.normcase(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SLEEP_CODE = asyncio.sleep.__code__

#: id(code) -> (code, is user code): not the standard library, not schedviz.instrument. By id:
#: hashing a code object hashes its bytecode and constants each time; the code is kept so that
#: its id is not reused.
_user_ids: dict[int, tuple[CodeType, bool]] = {}
#: awaitable code names that wait on a synchronisation object, by kind shown to the user
_SYNC_CODES = {
    "Queue.get": "queue", "Queue.put": "queue", "Lock.acquire": "lock",
    "Semaphore.acquire": "semaphore", "BoundedSemaphore.acquire": "semaphore",
    "Event.wait": "event", "Condition.wait": "condition", "Queue.join": "queue",
}
_SYNC_CODE_OBJECTS = {
    asyncio.Queue.get.__code__, asyncio.Queue.put.__code__, asyncio.Lock.acquire.__code__,
    asyncio.Semaphore.acquire.__code__, asyncio.Event.wait.__code__,
    asyncio.Condition.wait.__code__, asyncio.Queue.join.__code__,
}
_SYNC_IDS = {id(c) for c in _SYNC_CODE_OBJECTS}
#: what a library coroutine waits for, in the user's words
_WAIT_WORDS = {
    "StreamReader.read": "a socket read", "StreamReader.readline": "a socket read",
    "StreamReader.readexactly": "a socket read", "StreamReader.readuntil": "a socket read",
    "StreamReader._wait_for_data": "a socket read", "StreamWriter.drain": "a socket write",
    "BaseEventLoop.sock_recv": "a socket read", "BaseEventLoop.sock_sendall": "a socket write",
    "open_connection": "a TCP connect", "BaseEventLoop.create_connection": "a TCP connect",
    "wait_for": "wait_for", "wait": "asyncio.wait", "Queue.get": "Queue.get",
    "Queue.put": "Queue.put", "Lock.acquire": "Lock.acquire",
    "Semaphore.acquire": "Semaphore.acquire", "Event.wait": "Event.wait",
    "Condition.wait": "Condition.wait", "to_thread": "to_thread", "Queue.join": "Queue.join",
}


def is_user_code(code: CodeType) -> bool:
    """True for code outside the standard library and schedviz.instrument (cached)."""
    known = _user_ids.get(id(code))
    if known is None:
        path = os.path.normcase(os.path.abspath(code.co_filename))
        user = not (path.startswith(_LIBRARY) or path.startswith(_INSTRUMENT)
                    or code.co_filename.startswith("<frozen"))
        known = _user_ids[id(code)] = (code, user)
    return known[1]


def source_line(filename: str, line: int) -> str:
    """The text of one source line, stripped, or "" when it cannot be read."""
    return linecache.getline(filename, line).strip()


class Names:
    """Names for synchronisation objects (queues, locks, ...), given by the workload."""

    def __init__(self) -> None:
        self._names: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()

    def name(self, obj: T, name: str) -> T:
        self._names[obj] = name
        return obj

    def of(self, obj: object) -> str | None:
        try:
            return self._names.get(obj)
        except TypeError:
            return None


def _frame_of(aw: Any) -> FrameType | None:
    """The frame of a coroutine or generator (None once it has finished)."""
    return aw.cr_frame if type(aw) is CoroutineType else aw.gi_frame


class Instrument:
    """Instruments one event loop for one run; `install(loop)` before any task is created."""

    def __init__(self, recorder: Recorder, slow_step_ms: float = 50.0,
                 names: Names | None = None, accelerated: bool | None = None) -> None:
        """`accelerated`: time steps in C (default: when built, see ACCELERATED)."""
        self.rec = recorder
        use_c = ACCELERATED if accelerated is None else accelerated
        if use_c and _CStepTimer is None:
            raise RuntimeError(f"the C step timer is not available: {WHY_NOT_ACCELERATED}")
        self._timer_type: Any = _CStepTimer if use_c else StepTimer
        self.names = names or Names()
        self.slow_ns = int(slow_step_ms * 1e6)
        self._ids = 0
        #: the StepTimer whose step runs now, and when it began (read by the watchdog)
        self.current: StepTimer | None = None
        self.step_t0 = 0
        self.py_steps = 0  # steps since the last select (the Python timer counts here)
        self._stepped: Callable[[], int] = (
            _aiostep.stepped if use_c and _aiostep is not None else self._stepped_py
        )
        self._last_ready = -1
        self._iteration_t = 0
        #: the pool task the current step handed work to, and that step's start
        self.offload_task = 0
        self.offload_at = 0
        #: the last call_later's delay and the step it was set in (asyncio.sleep's timer)
        self.delay: float = 0
        self.delay_at = 0
        self.loop_thread: int | None = None
        self._watchdog: threading.Thread | None = None
        self._stop = threading.Event()
        self.queues: list[asyncio.Queue[Any]] = []
        self._queue_sizes: list[int] = []

    # -- set-up ---------------------------------------------------------------------------

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_task_factory(self._task_factory)  # type: ignore[arg-type]
        self.loop_thread = threading.get_ident()

    def set_slow_step_ms(self, ms: float) -> None:
        self.slow_ns = int(ms * 1e6)

    def start_watchdog(self) -> None:
        self._watchdog = threading.Thread(target=self._watch, name="schedviz-loop-watchdog",
                                          daemon=True)
        self._watchdog.start()

    def stop_watchdog(self) -> None:
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()

    def watch_queue(self, queue: asyncio.Queue[Any], name: str) -> asyncio.Queue[Any]:
        """Report this queue's size whenever a step changed it."""
        self.names.name(queue, name)
        self.queues.append(queue)
        self._queue_sizes.append(-1)
        return queue

    def _task_factory(self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any],
                      **kwargs: Any) -> asyncio.Task[Any]:
        self._ids += 1
        task_id = self._ids
        parent = self.current.task_id if self.current is not None else None
        timer = self._timer_type(coro, task_id, self, self.rec, self.rec._capacity)
        task = asyncio.Task(timer, loop=loop, **kwargs)
        timer.task = task
        qualname = getattr(coro, "__qualname__", type(coro).__name__)
        # The Task itself in the name slot: before 3.13 create_task names it only after the
        # factory returns, so the flusher asks for the name (see `task_name`).
        self.rec.record("aio_task", task_id, task, qualname, parent)
        return task

    # -- the ready queue and idle time (called by the loop) --------------------------------

    def selected(self, t0: int, t1: int, timeout: float | None, io_events: int,
                 ready: int) -> None:
        """One select of the loop: idle if it could wait; `ready` steps ran since the last.

        Each iteration runs what was ready when it began: the task steps since the last
        select are the tasks that were ready then. Counted, not read from the loop's queue
        (a private attribute).
        """
        if timeout is None or timeout > 0:
            self.rec.record_at("aio_idle", t0, t1 - t0, io_events)
        if self._iteration_t and ready != self._last_ready:  # (none before the first select)
            self._last_ready = ready
            self.rec.record_at("aio_ready", self._iteration_t, ready)
        self._iteration_t = t1

    def _stepped_py(self) -> int:
        n, self.py_steps = self.py_steps, 0
        return n

    # -- after each step --------------------------------------------------------------------

    def where(self, coro: Any) -> tuple[str | None, int | None, object, str | None]:
        """The yield site (file, line), what is awaited, and the sync object it waits on.

        What is awaited comes back as a code object, a ("sleep", delay) pair, a type or a
        string, and becomes words in `describe`, off the hot path (the flusher calls it).
        """
        frame = coro.cr_frame
        if frame is None:
            return None, None, "", None
        # By code objects (cr_code, gi_code): asking for a frame makes one, and asyncio.sleep
        # makes a new coroutine and generator every call. Frames only where needed, at the end.
        user_aw: Any = coro
        aw = coro.cr_await
        lib: CodeType | None = None
        sync: Any = None  # the awaitable of a Queue.get, Lock.acquire, … under `lib`
        leaf: object = None
        while aw is not None:
            kind = type(aw)
            if kind is CoroutineType:
                code, aw_next = aw.cr_code, aw.cr_await
            elif kind is GeneratorType:
                code, aw_next = aw.gi_code, aw.gi_yieldfrom
            else:
                leaf = aw
                break
            if lib is None:
                if is_user_code(code):
                    user_aw = aw
                else:
                    lib = code
            if sync is None and id(code) in _SYNC_IDS:
                sync = aw  # the outermost: Queue.join, not the Event it waits on inside
            aw = aw_next
        user = frame if user_aw is coro else _frame_of(user_aw) or frame
        what: object = "the loop (a bare yield)"
        waits_on = None
        sync_frame = _frame_of(sync) if sync is not None else None
        if self.offload_at == self.step_t0 and leaf is not None:
            # This step called run_in_executor (or to_thread) and now awaits a future: the
            # pool task's. (Awaiting a future shows only its iterator, hence the stamp.)
            what = self.offload_what()
        elif sync_frame is not None:  # `async with lock:` awaits Lock.acquire under __aenter__
            what, waits_on = self.sync_what(sync_frame)
        elif lib is not None:
            what = lib
            if lib is _SLEEP_CODE:
                # asyncio.sleep(d > 0) set a timer in this very step: its delay is the last
                # call_later's; sleep(0) sets none.
                what = ("sleep", self.delay if self.delay_at == self.step_t0 else 0)
        elif leaf is not None:
            what = type(leaf)
        return user.f_code.co_filename, user.f_lineno, what, waits_on

    def after_step(self, timer: StepTimer, t0: int, outcome: str) -> None:
        """Record a step that began at t0 and just ended the task (yields: StepTimer.send)."""
        t1 = _now()
        self.current = None
        dur = t1 - t0
        self.rec.record_at("aio_step", t0, timer.task_id, dur, None, None, "", None, outcome)
        timer.steps += 1
        self.py_steps += 1  # the C timer counts its own
        if dur > self.slow_ns:
            self._slow(timer, t0, dur, None, None)
        if self.queues:
            self._queue_sizes_changed(t1)

    def ended(self, timer: Any, t0: int, outcome: str | None,
              exc: BaseException | None) -> None:
        """The step that began at t0 ended the task (outcome None: `exc` says how)."""
        error = None
        if outcome is None:
            if isinstance(exc, asyncio.CancelledError):
                outcome = "cancelled"
            else:
                outcome, error = "error", repr(exc)[:200]
        self.after_step(timer, t0, outcome)
        self.task_done(timer, outcome, error, t0)

    def sync_what(self, frame: FrameType) -> tuple[object, str]:
        """What a step waits for inside a Queue.get, Lock.acquire, …, and on which object."""
        code = frame.f_code
        obj = frame.f_locals.get("self")
        name = self.names.of(obj) if obj is not None else None
        kind = _SYNC_CODES[code.co_qualname]
        return code, (f"{kind} {name}" if name else f"an unnamed {kind}")

    def offload_what(self) -> str:
        """The step called run_in_executor (or to_thread): the pool task it now awaits."""
        return f"executor task #{self.offload_task}"

    def after_yield(self, timer: StepTimer, t0: int) -> None:
        """Record a step that yielded (the slow path; send() inlines the same)."""
        t1 = _now()
        self.current = None
        file, line, what, waits_on = self.where(timer.coro)
        dur = t1 - t0
        self.rec.record_at("aio_step", t0, timer.task_id, dur, file, line, what, waits_on,
                           "yield")
        timer.steps += 1
        self.py_steps += 1
        if dur > self.slow_ns:
            self._slow(timer, t0, dur, file, line)
        if self.queues:
            self._queue_sizes_changed(t1)

    def _slow(self, timer: StepTimer, t0: int, dur: int, file: str | None,
              line: int | None) -> None:
        seen = timer.blocked_at
        timer.blocked_at = None
        if seen is not None:  # the watchdog saw where it was blocked: the exact line
            file, line = seen
        text = source_line(file, line) if file and line else ""
        self.rec.record_at("aio_blocked", t0, timer.task_id, dur, file, line, text, False)
        where = f" at {os.path.basename(file)}:{line}: {text}" if file and line else ""
        self.rec.record("warning", f"{timer.name} blocked the loop for {dur / 1e6:.0f} ms"
                                   f"{where}; no other task ran meanwhile")

    def _queue_sizes_changed(self, t: int) -> None:
        sizes = self._queue_sizes
        for i, q in enumerate(self.queues):
            size = q.qsize()
            if size != sizes[i]:
                sizes[i] = size
                self.rec.record_at("aio_queue", t, self.names.of(q) or f"queue {i}", size,
                                   q.maxsize)

    def task_done(self, timer: StepTimer, outcome: str, error: str | None, t0: int) -> None:
        self.rec.record("aio_task_done", timer.task_id, outcome, error, timer.steps)
        if timer.steps == 1 and _now() - t0 > self.slow_ns:
            self.rec.record("warning", f"{timer.name} never yielded: it ran to its end in one "
                                       "step, and every other task waited for it")

    # -- the watchdog ------------------------------------------------------------------------

    def _watch(self) -> None:
        reported = 0
        while not self._stop.is_set():
            period = min(max(self.slow_ns / 4e9, 0.001), 0.02)
            if self._stop.wait(period):
                return
            timer, t0 = self.current, self.step_t0
            if timer is None or t0 == reported or _now() - t0 <= self.slow_ns:
                continue
            frame = sys._current_frames().get(self.loop_thread or 0)
            while frame is not None and not is_user_code(frame.f_code):
                frame = frame.f_back
            if frame is None or self.current is not timer or self.step_t0 != t0:
                continue
            reported = t0
            file, line = frame.f_code.co_filename, frame.f_lineno
            timer.blocked_at = (file, line)
            text = source_line(file, line)
            self.rec.record_at("aio_blocked", t0, timer.task_id, _now() - t0, file, line, text,
                               True)


class StepTimer(collections.abc.Coroutine):  # type: ignore[type-arg]
    """A task's coroutine, timed: each send/throw is one step of the task.

    The reference implementation; `schedviz._aiostep.StepTimer` does the same in C and is used
    when it is built (see ACCELERATED). Both hand a task's end, slow steps and throws to the
    Instrument, so they record the same events.
    """

    __slots__ = ("_inst", "blocked_at", "coro", "steps", "task", "task_id")

    def __init__(self, coro: Coroutine[Any, Any, Any], task_id: int, inst: Instrument,
                 recorder: Recorder | None = None, capacity: int = 0) -> None:
        self.coro = coro
        self.task_id = task_id
        self._inst = inst
        self.steps = 0
        self.blocked_at: tuple[str, int] | None = None
        self.task: asyncio.Task[Any] | None = None

    @property
    def name(self) -> str:
        return self.task.get_name() if self.task is not None else f"task {self.task_id}"

    def send(self, value: Any) -> Any:
        inst = self._inst
        t0 = inst.step_t0 = _now()
        inst.current = self
        try:
            out = self.coro.send(value)
        except StopIteration:
            inst.ended(self, t0, "done", None)
            raise
        except BaseException as exc:
            inst.ended(self, t0, None, exc)
            raise
        inst.after_yield(self, t0)
        return out

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        args = (typ,) if val is None and tb is None else (typ, val, tb)
        return throw_step(self, args)

    def close(self) -> None:
        self.coro.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self.coro.__await__()

    # What tools and reprs look for on a coroutine: the wrapped one's.
    @property
    def cr_frame(self) -> FrameType | None:
        return self.coro.cr_frame  # type: ignore[attr-defined,no-any-return]

    @property
    def cr_await(self) -> Any:
        return self.coro.cr_await  # type: ignore[attr-defined]

    @property
    def cr_running(self) -> bool:
        return self.coro.cr_running  # type: ignore[attr-defined,no-any-return]

    @property
    def cr_code(self) -> CodeType:
        return self.coro.cr_code  # type: ignore[attr-defined,no-any-return]

    def __repr__(self) -> str:
        return repr(self.coro)


def throw_step(timer: Any, args: tuple[Any, ...]) -> Any:
    """One step that starts with an exception thrown in (cancellation), for both timers."""
    inst: Instrument = timer._inst
    t0 = inst.step_t0 = _now()
    inst.current = timer
    try:
        out = timer.coro.throw(*args)
    except StopIteration:
        inst.ended(timer, t0, "done", None)
        raise
    except BaseException as exc:
        inst.ended(timer, t0, None, exc)
        raise
    inst.after_yield(timer, t0)
    return out


class TimedSelector(selectors.DefaultSelector):
    """The loop's selector, timing each select for the instrument."""

    def __init__(self, inst: Instrument) -> None:
        super().__init__()
        self._inst = inst

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        t0 = _now()
        events = _base_select(self, timeout)
        t1 = _now()
        inst = self._inst
        ready = inst._stepped()
        if timeout != 0 or ready != inst._last_ready:
            inst.selected(t0, t1, timeout, len(events), ready)
        else:  # busy and nothing new to say: the common case, kept to a few operations
            inst._iteration_t = t1
        return events


_base_select = selectors.DefaultSelector.select


class InstrumentedLoop(asyncio.SelectorEventLoop):
    """A selector event loop that counts ready callbacks and runs executor work on a pool."""

    def __init__(self, inst: Instrument, pool: InstrumentedThreadPoolExecutor | None = None,
                 ids: RunIds | None = None) -> None:
        super().__init__(TimedSelector(inst))
        self._inst = inst
        self._pool = pool
        self._ids = ids
        inst.install(self)
        if pool is not None:
            self.set_default_executor(pool)

    def call_later(  # type: ignore[override]
        self, delay: float, callback: Callable[..., Any], *args: Any, context: Any = None
    ) -> asyncio.TimerHandle:
        inst = self._inst
        inst.delay = delay
        inst.delay_at = inst.step_t0
        return super().call_later(delay, callback, *args, context=context)

    def run_in_executor(  # type: ignore[override]
        self, executor: Any, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        pool = self._pool
        if executor is not None or pool is None or self._ids is None:
            return super().run_in_executor(executor, func, *args)
        pool_task = next(self._ids.tasks)
        cfut: ConcurrentFuture[T] = pool.submit_task(pool_task, func, *args)
        fut = asyncio.wrap_future(cfut, loop=self)
        inst = self._inst
        inst.offload_task, inst.offload_at = pool_task, inst.step_t0
        task = inst.current.task_id if inst.current is not None else None
        inst.rec.record("aio_offload", task, pool_task)
        return fut


def task_name(task: object) -> str:
    """A task's name for its aio_task event (the flusher calls this)."""
    get_name = getattr(task, "get_name", None)
    return str(get_name()) if get_name is not None else str(task)


def describe(what: object) -> str:
    """What a step awaited, in words (the flusher calls this, not the hot path)."""
    if isinstance(what, str):
        return what
    if isinstance(what, tuple):
        return f"sleep({what[1]:g})" if isinstance(what[1], float) else f"sleep({what[1]})"
    if isinstance(what, CodeType):
        qual = what.co_qualname
        return _WAIT_WORDS.get(qual, qual)
    if isinstance(what, type):
        # Awaiting a Future shows only its iterator (FutureIter in C, a generator in Python).
        name = "Future" if what.__name__ in ("FutureIter", "generator") else what.__name__
        return f"a {name}"
    return str(what)


def _load_accelerator() -> tuple[Any, str | None]:
    """The C step timer, or None and why not (then the Python one does the same, slower)."""
    if os.environ.get(PURE_PYTHON_ENV):
        return None, f"{PURE_PYTHON_ENV} is set"
    try:
        from schedviz import _aiostep  # type: ignore[attr-defined]
    except ImportError as exc:
        return None, f"schedviz._aiostep is not built ({exc}); reinstall with a C compiler"
    _aiostep.configure(is_user_code, set(_SYNC_CODE_OBJECTS), _SLEEP_CODE, throw_step)
    collections.abc.Coroutine.register(_aiostep.StepTimer)
    _aiostep.stepped()  # from zero
    return _aiostep, None


PURE_PYTHON_ENV = "SCHEDVIZ_PURE_PYTHON_STEPS"
_aiostep, WHY_NOT_ACCELERATED = _load_accelerator()
_CStepTimer = _aiostep.StepTimer if _aiostep is not None else None
#: steps are timed in C (about 3x cheaper); False: in Python, same events
ACCELERATED = _CStepTimer is not None
