"""One asyncio run in the lab: an instrumented loop on a thread of its own, a pool for offloads.

Guarantees:
- `run()` returns once the workload's main coroutine has ended (or was cancelled by `stop()`),
  every task it left behind was cancelled and awaited, and the offload pool has shut down.
- The workload's exception, if any, is returned as the run's error message, not raised.
- `stop()` and `set_slow_step_ms()` may be called from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from schedviz.aio_workloads import WORKLOADS, Run
from schedviz.instrument import gil
from schedviz.instrument.aio import Instrument, InstrumentedLoop
from schedviz.instrument.common import RunIds
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor
from schedviz.protocol import RunConfig


class AsyncioRun:
    """The workload of one asyncio RunConfig on an instrumented loop, recorded into `recorder`."""

    def __init__(self, config: RunConfig, recorder: Recorder, ids: RunIds) -> None:
        self.config = config
        self.rec = recorder
        self.inst = Instrument(recorder, config.slow_step_ms)
        self.pool = InstrumentedThreadPoolExecutor(config.max_workers, recorder=recorder,
                                                   ids=ids)
        self._ids = ids
        self._loop: InstrumentedLoop | None = None
        self._main: asyncio.Task[None] | None = None
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        loop, main = self._loop, self._main
        if loop is not None and main is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed in between: nothing to stop
                loop.call_soon_threadsafe(main.cancel)

    def set_slow_step_ms(self, ms: float) -> None:
        self.inst.set_slow_step_ms(ms)

    def run(self) -> str | None:
        """Run the workload to its end; the error message if it failed.

        The loop gets a thread of its own ("event loop"): the caller's thread may already
        have a running loop (asyncio refuses to run a second one there), and the GIL lane and
        the watchdog name the loop's thread.
        """
        result: list[str | None] = []
        failure: list[BaseException] = []

        def main() -> None:
            try:
                result.append(self._run_here())
            except BaseException as exc:  # handed to the caller's thread below
                failure.append(exc)

        thread = threading.Thread(target=main, name="event loop")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]
        return result[0]

    def _run_here(self) -> str | None:
        cfg = self.config
        gil.register_current_thread(None, "event loop")
        loop = InstrumentedLoop(self.inst, self.pool, self._ids)
        self._loop = loop
        run = Run(n=cfg.n_tasks, s=cfg.task_ms / 1000.0, name=self.inst.names.name,
                  watch_queue=self.inst.watch_queue)
        self.inst.start_watchdog()
        error = None
        cpu0 = time.thread_time_ns()  # the loop's thread: every step and select ran here
        try:
            asyncio.set_event_loop(loop)
            self._main = loop.create_task(WORKLOADS[cfg.workload](run), name="main")
            if self._stopped.is_set():
                self._main.cancel()
            try:
                loop.run_until_complete(self._main)
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # the workload failed: the run says so and ends
                error = f"the asyncio workload {cfg.workload!r} failed: {exc!r}"
            self._cancel_leftovers(loop)
            loop.set_task_factory(None)  # the loop's own clean-up is not the workload's
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            self.inst.rec.record("aio_loop_cpu", time.thread_time_ns() - cpu0)
            self.inst.stop_watchdog()
            asyncio.set_event_loop(None)
            loop.close()
            self.pool.shutdown(wait=True)
        return error

    @staticmethod
    def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
        left = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in left:
            t.cancel()
        if left:
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
