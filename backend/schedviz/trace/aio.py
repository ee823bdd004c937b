"""The program's asyncio event loops are instrumented ones: every step of every task recorded.

The rule: a loop the program gets from asyncio (`asyncio.run`, `asyncio.Runner`,
`asyncio.new_event_loop`, the policy's `get_event_loop`) is made by an event-loop policy that
returns an instrumented selector loop (instrument/aio, as the lab's asyncio runs use), so
`asyncio.sleep`, `gather`, queues and `run_in_executor` behave exactly as on the default loop.
A loop made by a policy or loop factory of the program's own (uvloop, say) is not traced.

Each loop gets an `Instrument` of its own (one loop, one thread), drawing task ids from one
counter for the whole trace so that two loops (`asyncio.run` twice, or in two threads) never
share an id. The slow-step watchdog runs while the loop is open. `run_in_executor(None, …)`
and `to_thread` run on an instrumented thread pool made at their first use (the default
executor, with asyncio's default size), linked to the awaiting task. The loop's own closing
work (`shutdown_asyncgens`, `shutdown_default_executor`) is not traced as the program's tasks.

Guarantees:
- `install` sets the policy and `remove` restores the previous one; loops made meanwhile stay
  instrumented until they close.
- Every task a traced loop creates gets aio_task and, once it ended, aio_task_done.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from schedviz.instrument.aio import Instrument, InstrumentedLoop
from schedviz.instrument.common import RunIds
from schedviz.instrument.recorder import Recorder

T = TypeVar("T")

DEFAULT_SLOW_STEP_MS = 50.0


class _TraceInstrument(Instrument):
    """An Instrument whose task ids come from the trace's one counter (see the module rule)."""

    def __init__(self, recorder: Recorder, counter: itertools.count[int],
                 slow_step_ms: float) -> None:
        self._counter = counter
        self._last_id = 0
        super().__init__(recorder, slow_step_ms)

    # Instrument counts its tasks in `_ids` (`self._ids += 1`, then reads it): each new
    # value is drawn from the shared counter instead.
    @property
    def _ids(self) -> int:
        return self._last_id

    @_ids.setter
    def _ids(self, value: int) -> None:
        self._last_id = next(self._counter) if value else 0


class TracedLoop(InstrumentedLoop):
    """A selector loop instrumented for the trace; its offload pool is made when first used."""

    def __init__(self, inst: Instrument, make_pool: Callable[[], Any], ids: RunIds) -> None:
        super().__init__(inst, None, ids)
        self._make_pool = make_pool
        inst.start_watchdog()
        self._watching = True

    def run_in_executor(  # type: ignore[override]
        self, executor: Any, func: Callable[..., T], *args: Any
    ) -> asyncio.Future[T]:
        if executor is None and self._pool is None and not self.is_closed():
            self._pool = self._make_pool()
            self.set_default_executor(self._pool)
        return super().run_in_executor(executor, func, *args)

    def shutdown_asyncgens(self) -> Coroutine[Any, Any, None]:
        # Not async: the factory must be gone before the clean-up's own task is created.
        self.set_task_factory(None)  # the loop's own clean-up is not the program's
        return super().shutdown_asyncgens()

    def close(self) -> None:
        if self._watching:
            self._watching = False
            self._inst.stop_watchdog()
        super().close()


class LoopPolicy(asyncio.DefaultEventLoopPolicy):
    """The event-loop policy that makes traced loops."""

    def __init__(self, recorder: Recorder, ids: RunIds, make_pool: Callable[[], Any],
                 slow_step_ms: float = DEFAULT_SLOW_STEP_MS) -> None:
        super().__init__()
        self._rec = recorder
        self._ids = ids
        self._make_pool = make_pool
        self._slow_step_ms = slow_step_ms
        self._tasks: itertools.count[int] = itertools.count(1)

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        inst = _TraceInstrument(self._rec, self._tasks, self._slow_step_ms)
        return TracedLoop(inst, self._make_pool, self._ids)

    def next_task_id(self) -> int:
        """A task id of the trace's one counter, for a task not made by a loop (generators.py)."""
        return next(self._tasks)


class Loops:
    """The trace's loop policy, installed for the program's run."""

    def __init__(self, recorder: Recorder, ids: RunIds, make_pool: Callable[[], Any]) -> None:
        self.policy = LoopPolicy(recorder, ids, make_pool)
        self._previous: asyncio.AbstractEventLoopPolicy | None = None
        self._installed = False

    def install(self) -> None:
        self._previous = asyncio.get_event_loop_policy()
        asyncio.set_event_loop_policy(self.policy)
        self._installed = True

    def remove(self) -> None:
        if self._installed:
            asyncio.set_event_loop_policy(self._previous)
            self._installed = False


def default_workers() -> int:
    """asyncio's default executor size (ThreadPoolExecutor's default)."""
    return min(32, (os.cpu_count() or 1) + 4)

