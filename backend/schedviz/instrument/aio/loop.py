"""The loop counts for itself: idle time in select, tasks ready per iteration, offloads to a pool.

The loop is a `SelectorEventLoop` subclass with a timed selector: a select that was allowed to
wait (the ready queue was empty) is idle time. Each iteration runs what was ready when it
began, so the task steps run between two selects are the tasks that were ready at that
iteration (`aio_ready`, sent when it changes): counted, not read from the loop's queue (a
private attribute); callbacks that are not task steps (a timer firing, a transport reading)
are not counted. A `sleep(d)`'s delay is the last `call_later` of the step, which the loop
notes for the yield site. `run_in_executor` (and so `asyncio.to_thread`) runs on an
instrumented thread pool; the awaiting task and the pool task that served it are linked by an
`aio_offload` event.

Guarantees:
- Everything here runs on the loop's thread; the offload pool records its tasks from its own
  workers, as any instrumented pool does.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable
from concurrent.futures import Future as ConcurrentFuture
from typing import Any, TypeVar

from schedviz.instrument.aio.steps import Instrument
from schedviz.instrument.common import RunIds
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

T = TypeVar("T")

_now = time.monotonic_ns


class TimedSelector(selectors.DefaultSelector):
    """The loop's selector, timing each select and counting the steps run between two."""

    def __init__(self, inst: Instrument) -> None:
        super().__init__()
        self._rec = inst.rec
        self._stepped = inst.stepped
        self._last_ready = -1
        self._iteration_t = 0

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        t0 = _now()
        events = _base_select(self, timeout)
        t1 = _now()
        ready = self._stepped()
        if timeout != 0 or ready != self._last_ready:
            self._selected(t0, t1, timeout, len(events), ready)
        else:  # busy and nothing new to say: the common case, kept to a few operations
            self._iteration_t = t1
        return events

    def _selected(self, t0: int, t1: int, timeout: float | None, io_events: int,
                  ready: int) -> None:
        """One select of the loop: idle if it could wait; `ready` steps ran since the last."""
        if timeout is None or timeout > 0:
            self._rec.record_at("aio_idle", t0, t1 - t0, io_events)
        if self._iteration_t and ready != self._last_ready:  # (none before the first select)
            self._last_ready = ready
            self._rec.record_at("aio_ready", self._iteration_t, ready)
        self._iteration_t = t1


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
