"""asyncio, instrumented: every step of every task, where it yielded, and the loop's idle time.

How (no private asyncio API, so it works with the C Task on 3.11–3.13), one module each:
- steps.py: a task factory wraps each task's coroutine in a step timer, a
  `collections.abc.Coroutine` the Task accepts like the coroutine itself, whose `send`/`throw`
  time one step each; its hot path is also in C (`schedviz._aiostep`, same events).
- sites.py: after a step, where the coroutine suspended (the innermost user code in the
  `cr_await` chain, file and line) and the first library awaitable under it (`sleep(0.1)`,
  `StreamReader.read`, `Queue.get`, a Future), which is what the task waits for.
- loop.py: the loop's timed selector (idle time, tasks ready per iteration), `sleep`'s delay,
  and `run_in_executor` (so `asyncio.to_thread`) on an instrumented thread pool.
- watchdog.py: a step that blocks the loop longer than the slow-step threshold is reported
  with the source line it is blocked on, while it still blocks.
- queues.py: the size of each watched queue after the steps that changed it.

Raw events (see protocol.py for the fields): aio_task, aio_step, aio_task_done, aio_idle,
aio_ready, aio_blocked, aio_offload, aio_queue, warning.

Guarantees:
- Instrumentation knows nothing of the web: it records into a Recorder like the pools do.
- What each part guarantees of threads and order is in its own module (steps.py first).
"""

from schedviz.instrument.aio.loop import InstrumentedLoop, TimedSelector
from schedviz.instrument.aio.sites import Names, describe, is_user_code, source_line, task_name
from schedviz.instrument.aio.steps import (
    ACCELERATED,
    PURE_PYTHON_ENV,
    WHY_NOT_ACCELERATED,
    Instrument,
    StepTimer,
    throw_step,
)

__all__ = [
    "ACCELERATED",
    "PURE_PYTHON_ENV",
    "WHY_NOT_ACCELERATED",
    "Instrument",
    "InstrumentedLoop",
    "Names",
    "StepTimer",
    "TimedSelector",
    "describe",
    "is_user_code",
    "source_line",
    "task_name",
    "throw_step",
]
