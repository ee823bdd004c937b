"""Every step of every task is timed and recorded once, by the timer the task factory wraps it in.

The timer (`StepTimer`) is a `collections.abc.Coroutine` the Task accepts like the coroutine
itself: its `send`/`throw` time one step each and, after a yield, the step is recorded with its
yield site (sites.py). The hot path is also in C (`schedviz._aiostep`, same events; see
ACCELERATED). Both timers read the Instrument's step state and call its hooks by name (listed
on `Instrument`), so a task's end, a slow step, queue sizes and a throw are recorded by the
same Python code whichever timer runs.

Guarantees:
- One loop, one thread: steps are recorded in the order they ran and never overlap.
- Every step's event says how it ended: "yield" (with the yield site), "done", "error" or
  "cancelled".
- `set_slow_step_ms` may be called from any thread: it is one attribute store, which the
  next step reads.
"""

from __future__ import annotations

import asyncio
import collections.abc
import functools
import os
import threading
import time
from collections.abc import Callable, Coroutine, Generator
from types import CodeType, FrameType
from typing import Any

from schedviz.instrument.aio.queues import QueueWatch
from schedviz.instrument.aio.sites import (
    SLEEP_CODE,
    SYNC_CODE_OBJECTS,
    Names,
    is_user_code,
    sync_what,
    where,
)
from schedviz.instrument.aio.watchdog import SlowSteps
from schedviz.instrument.recorder import Recorder

_now = time.monotonic_ns


class Instrument:
    """Instruments one event loop for one run; `install(loop)` before any task is created.

    Both step timers read its step state by name (`current`, `step_t0`, `offload_at`,
    `delay`, `delay_at`, `slow_ns`, `queues`) and call its hooks (`ended`, `_slow`,
    `_queue_sizes_changed`, `sync_what`, `offload_what`); the hooks of other units are bound
    here once, so a step calls them as directly as a method of its own.
    """

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
        #: C timer only: throw steps (a cancellation) since the last select, which run in
        #: Python (throw_step), so the C count does not see them
        self.c_thrown: int | None = 0 if use_c else None
        #: steps run since its last call: the tasks a loop iteration found ready (loop.py)
        self.stepped: Callable[[], int] = (
            self._stepped_c if use_c and _aiostep is not None else self._stepped_py
        )
        #: the pool task the current step handed work to, and that step's start
        self.offload_task = 0
        self.offload_at = 0
        #: the last call_later's delay and the step it was set in (asyncio.sleep's timer)
        self.delay: float = 0
        self.delay_at = 0
        self.loop_thread: int | None = None
        self._slow_steps = SlowSteps(self)
        self._queue_watch = QueueWatch(recorder, self.names)
        self.queues = self._queue_watch.queues
        self._queue_sizes_changed = self._queue_watch.changed
        self._slow = self._slow_steps.ended
        self.sync_what: Callable[[FrameType], tuple[object, str]] = functools.partial(
            sync_what, self.names)

    # -- set-up ---------------------------------------------------------------------------

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_task_factory(self._task_factory)  # type: ignore[arg-type]
        self.loop_thread = threading.get_ident()

    def set_slow_step_ms(self, ms: float) -> None:
        self.slow_ns = int(ms * 1e6)

    def start_watchdog(self) -> None:
        self._slow_steps.start()

    def stop_watchdog(self) -> None:
        self._slow_steps.stop()

    def watch_queue(self, queue: asyncio.Queue[Any], name: str) -> asyncio.Queue[Any]:
        """Report this queue's size whenever a step changed it."""
        return self._queue_watch.watch(queue, name)

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

    def _stepped_py(self) -> int:
        n, self.py_steps = self.py_steps, 0
        return n

    def _stepped_c(self) -> int:
        n: int = _aiostep.stepped()
        if self.c_thrown:
            n, self.c_thrown = n + self.c_thrown, 0
        return n

    # -- after each step --------------------------------------------------------------------

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

    def offload_what(self) -> str:
        """The step called run_in_executor (or to_thread): the pool task it now awaits."""
        return f"executor task #{self.offload_task}"

    def after_yield(self, timer: StepTimer, t0: int) -> None:
        """Record a step that yielded (the slow path; send() inlines the same)."""
        t1 = _now()
        self.current = None
        file, line, what, waits_on = where(self, timer.coro)
        dur = t1 - t0
        self.rec.record_at("aio_step", t0, timer.task_id, dur, file, line, what, waits_on,
                           "yield")
        timer.steps += 1
        self.py_steps += 1
        if dur > self.slow_ns:
            self._slow(timer, t0, dur, file, line)
        if self.queues:
            self._queue_sizes_changed(t1)

    def task_done(self, timer: StepTimer, outcome: str, error: str | None, t0: int) -> None:
        self.rec.record("aio_task_done", timer.task_id, outcome, error, timer.steps)
        if timer.steps == 1 and _now() - t0 > self.slow_ns:
            self.rec.record("warning", f"{timer.name} never yielded: it ran to its end in one "
                                       "step, and every other task waited for it")


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
    if inst.c_thrown is not None:
        inst.c_thrown += 1  # a step of this iteration, which the C count does not see
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


def _load_accelerator() -> tuple[Any, str | None]:
    """The C step timer, or None and why not (then the Python one does the same, slower)."""
    if os.environ.get(PURE_PYTHON_ENV):
        return None, f"{PURE_PYTHON_ENV} is set"
    try:
        from schedviz import _aiostep
    except ImportError as exc:
        return None, f"schedviz._aiostep is not built ({exc}); reinstall with a C compiler"
    _aiostep.configure(is_user_code, set(SYNC_CODE_OBJECTS), SLEEP_CODE, throw_step)
    collections.abc.Coroutine.register(_aiostep.StepTimer)
    _aiostep.stepped()  # from zero
    return _aiostep, None


PURE_PYTHON_ENV = "SCHEDVIZ_PURE_PYTHON_STEPS"
_aiostep, WHY_NOT_ACCELERATED = _load_accelerator()
_CStepTimer = _aiostep.StepTimer if _aiostep is not None else None
#: steps are timed in C (about 3x cheaper); False: in Python, same events
ACCELERATED = _CStepTimer is not None
