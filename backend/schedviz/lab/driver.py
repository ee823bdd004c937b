"""Runs one scenario: submits tasks as its arrival says, applies live changes, ends cleanly.

A live max_workers change cannot shrink or grow a real pool in place, so it starts a new pool of
the new size, moves every task that has not started to it (a pending future can be cancelled; a
running one cannot), and retires the old pool, whose workers finish what they are running and
then exit. The events show exactly that: pool_created, task_moved, pool_retired, worker_exited.
A run-wide Limiter keeps the new pool from starting tasks beside the old pool's running ones
beyond the new max_workers.

Guarantees:
- Tasks are only ever submitted to the current pool, under `_lock`, so a resize never races an
  arrival into a pool that is shutting down.
- `run()` returns only after every pool is shut down and all its workers have exited, with
  run_ended as the last event recorded.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import Future, wait
from typing import Any

from schedviz.instrument.limiter import Limiter
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor, RunIds
from schedviz.lab.flusher import Emit, Flusher
from schedviz.protocol import SCHEMA_VERSION, RunConfig
from schedviz.workloads import run_task


class Driver:
    """One run of one RunConfig, from run_started to run_ended."""

    def __init__(self, config: RunConfig, emit: Emit, run_id: str | None = None) -> None:
        self.config = config
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.recorder = Recorder()
        self._flusher = Flusher(self.recorder, emit)
        self._ids = RunIds()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pools: list[InstrumentedThreadPoolExecutor] = []
        self._pool: InstrumentedThreadPoolExecutor | None = None
        self._futures: dict[int, Future[Any]] = {}  # task id -> its latest future
        self._max_workers = config.max_workers
        self._limiter = Limiter(config.max_workers)

    # -- commands (any thread) --------------------------------------------------------------

    def stop(self) -> None:
        """Stop submitting, cancel what has not started; running tasks finish."""
        self._stop.set()
        with self._lock:
            if self._pool is not None:
                self._pool.cancel_pending("stopped")

    def set_max_workers(self, n: int) -> None:
        """Resize live: a new pool of `n` workers takes over all work that has not started."""
        if not 1 <= n <= 64:
            raise ValueError(f"max_workers must be between 1 and 64, got {n}")
        with self._lock:
            old = self._max_workers
            if n == old or self._pool is None or self._stop.is_set():
                return
            self._max_workers = n
            self._limiter.set_limit(
                n, lambda: self.recorder.record("config_changed", "max_workers", old, n)
            )
            retiring = self._pool
            self._pool = self._new_pool(n)
            for task, (_, new_future) in retiring.move_pending(self._pool).items():
                self._futures[task] = new_future
            retiring.shutdown(wait=False)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> str:
        """Run to the end; returns the reason: completed, stopped or error."""
        rec = self.recorder
        rec.record_at(
            "run_started",
            rec.t0,
            self.run_id,
            time.time_ns() - (time.monotonic_ns() - rec.t0),
            SCHEMA_VERSION,
            self.config.model_dump(),
        )
        self._flusher.start()
        reason, message = "completed", None
        try:
            with self._lock:
                self._pool = self._new_pool(self._max_workers)
            self._arrive()
            self._wait_all_done()
            if self._stop.is_set():
                reason = "stopped"
        except Exception as exc:  # the run ends visibly instead of hanging the lab
            reason, message = "error", f"the run failed: {exc!r}"
            rec.record("error", message)
            self.stop()
        finally:
            self._shutdown_pools()
            rec.record("run_ended", reason, message)
            self._flusher.close()
        return reason

    def _new_pool(self, n: int) -> InstrumentedThreadPoolExecutor:
        pool = InstrumentedThreadPoolExecutor(
            n, recorder=self.recorder, ids=self._ids, limiter=self._limiter
        )
        self._pools.append(pool)
        return pool

    def _submit_next(self) -> bool:
        """Submit one task to the current pool; False once stopped."""
        cfg = self.config
        with self._lock:
            if self._stop.is_set() or self._pool is None:
                return False
            task = next(self._ids.tasks)
            self._futures[task] = self._pool.submit_task(
                task, run_task, task, cfg.workload, cfg.task_ms, cfg.hash_mb, cfg.fail_every
            )
        return True

    def _arrive(self) -> None:
        cfg = self.config
        if cfg.arrival == "batch":
            for _ in range(cfg.n_tasks):
                if not self._submit_next():
                    return
            return
        # A steady rate: task k is due at k / rate seconds; sleeping on the stop event lets a
        # stop interrupt the wait at once.
        start = time.monotonic()
        deadline = start + cfg.duration_s
        for k in range(cfg.n_tasks):
            due = start + k / cfg.rate
            if due >= deadline or self._stop.wait(max(0.0, due - time.monotonic())):
                return
            if not self._submit_next():
                return

    def _wait_all_done(self) -> None:
        # A resize may replace futures while we wait: loop until the latest ones are all done.
        while True:
            with self._lock:
                pending = [f for f in self._futures.values() if not f.done()]
            if not pending:
                return
            wait(pending)

    def _shutdown_pools(self) -> None:
        with self._lock:
            pools = list(self._pools)
            self._pool = None
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
