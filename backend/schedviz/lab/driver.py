"""Runs one scenario: submits work as its arrival says, applies live changes, ends cleanly.

Work reaches the pools through a Handover, which makes live max_workers changes honest (see
handover.py). Tasks are `submit()`ted one by one, or, with submit_mode "map", grouped into
`map(chunksize=…)` calls: one over all items for a batch run, one per `map_batch` arrived items
for a rate run; a live chunksize change applies from the next call on. A process pool that
breaks is replaced by a fresh one, or ends the run, as the config's `on_broken` says.

Guarantees:
- `run()` returns only after every pool is shut down and all its workers have exited, with
  run_ended as the last event recorded.
- Live changes are applied under `_lock` and recorded as config_changed where they took effect;
  LiveChange checks their values, `LIVE` says how each field is applied.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schedviz.instrument.common import RunIds
from schedviz.instrument.gil import GilWatcher
from schedviz.instrument.memory import MemorySampler
from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor
from schedviz.lab.aioloop import AsyncioRun
from schedviz.lab.flusher import Emit, Flusher
from schedviz.lab.handover import Handover, Pool
from schedviz.protocol import SCHEMA_VERSION, LiveChange, RunConfig
from schedviz.validation import validated
from schedviz.workloads import run_item, run_task


class Driver:
    """One run of one RunConfig, from run_started to run_ended."""

    def __init__(self, config: RunConfig, emit: Emit, run_id: str | None = None) -> None:
        self.config = config
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self.recorder = Recorder()
        self._flusher = Flusher(self.recorder, emit, on_failure=self._flusher_failed)
        self._ids = RunIds()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._handover: Handover | None = None
        self._max_workers = config.max_workers
        self._chunksize = config.chunksize
        self._failure: str | None = None
        self._payload = [float(i) for i in range(config.payload_numbers)] or None
        self._memory = MemorySampler(self.recorder, self._processes)
        self._gil = GilWatcher(self.recorder, config.gil_period_us)
        self._switch_interval_ms = config.switch_interval_ms
        self._slow_step_ms = config.slow_step_ms
        self._aio: AsyncioRun | None = None

    # -- commands (any thread) --------------------------------------------------------------

    def stop(self) -> None:
        """Stop submitting, cancel what has not started; running tasks finish."""
        self._stop.set()
        with self._lock:
            if self._handover is not None:
                self._handover.stop()
            if self._aio is not None:
                self._aio.stop()

    def set(self, **fields: float) -> None:
        """Change the running run live, by LiveChange field name (a ValueError says why not)."""
        self.apply(validated(LiveChange, fields))

    def apply(self, change: LiveChange) -> None:
        """Apply the fields `change` gives, in the order of `LIVE`; a refusal stops there.

        LiveChange has checked each value; what is left is whether this run takes the field.
        """
        for name, live in LIVE.items():
            value = getattr(change, name)
            if value is None:
                continue
            if not live.applies(self.config):
                raise ValueError(live.refusal)
            with self._lock:
                # The value in force is the driver's `_<field>`, from the config at the start.
                old = getattr(self, "_" + name)
                if value == old or not live.now(self):
                    continue
                self.recorder.record("config_changed", name, old, value)
                setattr(self, "_" + name, value)
                live.effect(self, value)

    def _resize(self, n: int) -> None:
        """A new pool of `n` workers takes over all work that has not started (under _lock)."""
        assert self._handover is not None
        self._handover.resize(self._new_pool(n), n)

    def _retune_slow_steps(self, ms: float) -> None:
        """asyncio: steps longer than `ms` are reported as blocking the loop, from now on."""
        if self._aio is not None:
            self._aio.set_slow_step_ms(ms)

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
        self._memory.start()
        self._previous_switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(self._switch_interval_ms / 1000.0)
        self._gil.start()
        reason, message = "completed", None
        try:
            if self.config.executor == "asyncio":
                self._run_asyncio()
            else:
                self._run_pools()
            if self._failure is not None:
                reason, message = "error", self._failure
            elif self._stop.is_set():
                reason = "stopped"
        except Exception as exc:  # the run ends visibly instead of hanging the lab
            reason, message = "error", f"the run failed: {exc!r}"
            rec.record("error", message)
            self.stop()
        finally:
            self._shutdown()
            if self._failure is not None and reason != "error":  # it failed while ending
                reason, message = "error", self._failure
            rec.record("run_ended", reason, message)
            self._flusher.close()
        return reason

    def _flusher_failed(self, message: str) -> None:
        """Events were lost (the flusher recorded why): the run ends, with that as its error."""
        self._failure = self._failure or message
        threading.Thread(target=self.stop, name="stop-after-flusher-failure").start()

    def _run_pools(self) -> None:
        with self._lock:
            self._handover = Handover(self.recorder, self._new_pool(self._max_workers),
                                      self._max_workers)
            self._handover.replace_broken = self._replace_broken
        self._arrive()
        self._wait_all_done()

    def _run_asyncio(self) -> None:
        with self._lock:
            self._aio = AsyncioRun(self.config, self.recorder, self._ids)
            self._aio.set_slow_step_ms(self._slow_step_ms)
            if self._stop.is_set():
                self._aio.stop()
        failure = self._aio.run()
        if failure is not None:
            self.recorder.record("error", failure)
            self._failure = failure

    def _new_pool(self, n: int) -> Pool:
        cfg = self.config
        if cfg.executor == "threads":
            return InstrumentedThreadPoolExecutor(n, recorder=self.recorder, ids=self._ids)
        ctx = multiprocessing.get_context(cfg.start_method)
        gil_period = cfg.gil_period_us if self._gil.available else None
        return InstrumentedProcessPoolExecutor(
            n, mp_context=ctx, recorder=self.recorder, ids=self._ids, gil_period_us=gil_period
        )

    def _replace_broken(self, broken: Pool) -> Pool | None:
        """A worker process died: a fresh pool, or None (and the run ends) as configured."""
        if self.config.on_broken == "restart" and not self._stop.is_set():
            self.recorder.record(
                "warning", f"pool {broken.pool_id} broke; continuing with a fresh pool "
                "(on_broken=restart); the tasks it had not started run again as new tasks",
            )
            # Not under _lock: the hand-over calls this holding its own lock, and a resize
            # takes the two in the other order.
            return self._new_pool(self._max_workers)
        self._failure = (
            f"pool {broken.pool_id} broke because a worker process died; the run ends "
            "(on_broken=end). Choose on_broken=restart to continue with a fresh pool."
        )
        threading.Thread(target=self.stop, name="stop-after-break").start()
        return None

    def _processes(self) -> dict[int, int | None]:
        """pid -> worker id of the lab and of every live worker process (for memory samples)."""
        out: dict[int, int | None] = {os.getpid(): None}
        handover = self._handover
        if handover is not None:
            for pool in handover.pools():
                if hasattr(pool, "worker_pids"):
                    out.update(pool.worker_pids())
        return out

    # -- arrivals -----------------------------------------------------------------------------

    def _arrive(self) -> None:
        cfg = self.config
        batch: list[int] = []
        start = time.monotonic()
        deadline = start + cfg.duration_s
        for k in range(cfg.n_tasks):
            if cfg.arrival == "rate":
                # Item k is due at k / rate seconds; waiting on the stop event lets a stop
                # interrupt the wait at once.
                due = start + k / cfg.rate
                if due >= deadline or self._stop.wait(max(0.0, due - time.monotonic())):
                    break
            if self._stop.is_set():
                return
            if cfg.submit_mode == "submit":
                self._submit(k)
                continue
            batch.append(k)
            if cfg.arrival == "rate" and len(batch) >= cfg.map_batch:
                self._map(batch)
                batch = []
        if batch and not self._stop.is_set():
            self._map(batch)

    def _submit(self, k: int) -> None:
        cfg = self.config
        assert self._handover is not None
        task = next(self._ids.tasks)
        self._handover.submit(
            task, run_task, task, cfg.workload, cfg.task_ms, cfg.hash_mb, cfg.fail_every,
            cfg.kill_every, self._payload,
        )

    def _map(self, items: list[int]) -> None:
        cfg = self.config
        assert self._handover is not None
        fn = functools.partial(
            run_item, cfg.workload, cfg.task_ms, cfg.hash_mb, cfg.fail_every, cfg.kill_every,
            self._payload,
        )
        with self._lock:
            chunksize = self._chunksize
        self._handover.map(fn, items, chunksize)

    def _wait_all_done(self) -> None:
        assert self._handover is not None
        self._handover.wait_idle()

    def _shutdown(self) -> None:
        handover = self._handover
        if handover is not None:
            handover.close()
            for pool in handover.all_pools():
                pool.shutdown(wait=True, cancel_futures=True)
        self._memory.stop()
        self._gil.stop()
        sys.setswitchinterval(self._previous_switch_interval)


def _always(_: object) -> bool:
    return True


def _nothing(driver: Driver, value: float) -> None:
    """Nothing but the new value in force (the next map() call reads chunksize)."""


@dataclass(frozen=True)
class Live:
    """How a running driver takes one LiveChange field."""

    applies: Callable[[RunConfig], bool] = _always  # whether this run takes the field at all
    refusal: str = ""  # what to tell a change of it when it does not
    effect: Callable[[Driver, Any], None] = _nothing  # what changes, after config_changed
    now: Callable[[Driver], bool] = _always  # false: too early or too late, the change is moot


#: LiveChange field -> how it is applied, in the order a change applies them: the pool's
#: resize last, so a field this run refuses stops the change before a pool is replaced.
LIVE: dict[str, Live] = {
    "chunksize": Live(
        applies=lambda cfg: cfg.submit_mode == "map",
        refusal="chunksize only applies to submit_mode 'map'",
    ),
    "switch_interval_ms": Live(effect=lambda driver, ms: sys.setswitchinterval(ms / 1000.0)),
    "slow_step_ms": Live(
        applies=lambda cfg: cfg.executor == "asyncio",
        refusal="slow_step_ms only applies to executor 'asyncio'",
        effect=Driver._retune_slow_steps,
    ),
    "max_workers": Live(
        applies=lambda cfg: cfg.executor != "asyncio",
        refusal="max_workers of an asyncio run's offload pool is fixed for the run; "
        "set it before starting",
        effect=Driver._resize,
        # Before the first pool or after a stop there is no pool to resize.
        now=lambda driver: driver._handover is not None and not driver._stop.is_set(),
    ),
}
