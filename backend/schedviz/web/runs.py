"""The current run as the web process sees it: its lab, its recording, its viewers.

One run at a time: the pools of two runs would share two cores and spoil each other's lesson.
Every run is recorded into the recordings store as its batches arrive; the web process keeps
no copy of a run's events (late viewers and replays read the store), so a long run cannot
exhaust it.

Guarantees:
- The recording of a run is complete and gap-free (the viewers' copies may drop, not this);
  a store that cannot write is reported to the viewers once per run, and the live run goes on.
- A run always ends with run_ended: if the lab dies without sending it, this module appends an
  error event and run_ended(error) itself, so every viewer sees why, and the next run starts a
  fresh lab.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any, Literal

from schedviz.protocol import (
    ErrorMessage,
    EventsMessage,
    LiveChange,
    RunConfig,
    RunStatus,
    StatusMessage,
    expand,
)
from schedviz.storage.errors import StorageError
from schedviz.storage.recordings import DEFAULT_KEEP_LAST, RecordingStore
from schedviz.storage.sources import workload_source
from schedviz.web.fanout import Hub
from schedviz.web.supervisor import LabProcess, describe_exit

log = logging.getLogger("schedviz.runs")


class RunConflict(RuntimeError):
    """A run is already going."""


class NoRun(RuntimeError):
    """There is no running run to change or stop."""


class Run:
    """One run's identity and state; its events are in the store, only their count is here."""

    def __init__(self, run_id: str, config: RunConfig) -> None:
        self.run_id = run_id
        self.config = config
        self.state: Literal["running", "ended"] = "running"
        self.events = 0
        self.lab: LabProcess | None = None
        self.ended_reason: str | None = None
        self.wall_time_ns = time.time_ns()
        # Set from run_started: the wall clock at the run's t = 0, as the lab pinned it.
        self.t0_wall_ns: int | None = None

    def status(self) -> RunStatus:
        return RunStatus(
            run_id=self.run_id,
            state=self.state,
            config=self.config,
            events=self.events,
            ended_reason=self.ended_reason,
            lab_pid=self.lab.pid if self.lab else None,
        )


class RunManager:
    """Starts, steers and ends runs, and feeds their events to the hub."""

    def __init__(self, hub: Hub, keep_last: int = DEFAULT_KEEP_LAST) -> None:
        self.hub = hub
        self.keep_last = keep_last
        # Opened by the app when it starts serving (opening it takes the data dir's lock).
        self.store: RecordingStore | None = None
        self.current: Run | None = None
        self._pump: asyncio.Task[None] | None = None
        self._store_warned = False

    def status(self) -> RunStatus | None:
        return self.current.status() if self.current else None

    def running(self) -> Run:
        if self.current is None or self.current.state != "running":
            raise NoRun("no run is going; start one first")
        return self.current

    async def start(self, config: RunConfig) -> Run:
        if self.current is not None and self.current.state == "running":
            raise RunConflict(
                f"run {self.current.run_id} is still going; stop it before starting another"
            )
        run = Run(uuid.uuid4().hex[:12], config)
        self._store().create_recording(run.run_id, config.model_dump(),
                                       source=workload_source(config.model_dump()))
        self._store_warned = False
        self.current = run
        run.lab = await LabProcess.spawn(
            {"cmd": "start", "run_id": run.run_id, "config": config.model_dump()}
        )
        self.hub.broadcast(StatusMessage(run=run.status()).wire())
        self._pump = asyncio.create_task(self._pump_events(run), name=f"pump-{run.run_id}")
        return run

    async def stop(self) -> None:
        run = self.running()
        assert run.lab is not None
        await run.lab.send({"cmd": "stop"})

    async def change(self, change: LiveChange) -> None:
        """Apply a live change to the running run (the lab takes it as validated here)."""
        run = self.running()
        assert run.lab is not None
        await run.lab.send({"cmd": "set", "change": change})

    def _store(self) -> RecordingStore:
        if self.store is None:
            raise RuntimeError("the recordings store is not open: the app has not started")
        return self.store

    def _publish(self, run: Run, events: list[dict[str, Any]]) -> None:
        if run.t0_wall_ns is None and events and events[0].get("kind") == "run_started":
            run.t0_wall_ns = int(events[0]["wall_time_ns"])
        try:
            self._store().append(run.run_id, events)
        except StorageError as exc:
            self._storage_failed(exc)
        run.events += len(events)
        self.hub.broadcast(EventsMessage.batch(run.run_id, events))

    def _storage_failed(self, exc: Exception) -> None:
        """Say once a run that recording failed; the live run and its viewers go on without it."""
        log.error("recording failed: %s", exc)
        if not self._store_warned:
            self._store_warned = True
            self.hub.broadcast(ErrorMessage(
                message=f"this run is not being recorded: {exc}").wire())

    async def _pump_events(self, run: Run) -> None:
        assert run.lab is not None
        ended = False
        async for message in run.lab.messages():
            kind = message.get("type")
            if kind == "events":
                events = [expand(e) for e in message.get("events", [])]
                self._publish(run, events)
                ends = [e for e in events if e.get("kind") == "run_ended"]
                if not ended and ends:
                    # Ended as far as the user is concerned; the lab only has to exit now.
                    ended = True
                    self._mark_ended(run, ends[-1].get("reason"))
            elif kind == "command_error":
                self.hub.broadcast(ErrorMessage(message=str(message.get("message"))).wire())
        code = await run.lab.wait()
        if not ended:
            self._synthesize_end(run, describe_exit(code))
            self._mark_ended(run, "error")

    def _mark_ended(self, run: Run, reason: str | None) -> None:
        run.state = "ended"
        run.ended_reason = reason
        try:
            self._store().finish(run.run_id, reason or "unknown")
            self._store().prune(self.keep_last)
        except StorageError as exc:
            self._storage_failed(exc)
        self.hub.broadcast(StatusMessage(run=run.status()).wire())

    def _synthesize_end(self, run: Run, why: str) -> None:
        seq = run.events
        t = time.time_ns() - (run.t0_wall_ns if run.t0_wall_ns is not None else run.wall_time_ns)
        message = f"{why} before the run finished; press Run to start a new one"
        log.warning("run %s: %s", run.run_id, message)
        self._publish(run, [
            {"seq": seq, "t": t, "kind": "error", "message": message},
            {"seq": seq + 1, "t": t, "kind": "run_ended", "reason": "error", "message": message},
        ])

    async def close(self) -> None:
        """Stop any run and end its lab (server shutdown)."""
        run = self.current
        if run is not None and run.lab is not None and run.state == "running":
            await run.lab.send({"cmd": "stop"})
            await run.lab.terminate()
        if self._pump is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._pump, 10)
