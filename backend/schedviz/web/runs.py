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
from collections.abc import Mapping
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


class CurrentRun:
    """What the manager knows of any run, a lab's or a pushed trace (web/tracepush.py): its
    identity and state; its events are in the store, only their count is here."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.state: Literal["running", "ended"] = "running"
        self.events = 0
        self.ended_reason: str | None = None
        self.wall_time_ns = time.time_ns()
        # Set from run_started: the wall clock at the run's t = 0, as its producer pinned it.
        self.t0_wall_ns: int | None = None

    def status_wire(self) -> dict[str, Any]:
        """The run's RunStatus as sent (the `run` of hello, status and REST replies)."""
        raise NotImplementedError

    def busy(self) -> str:
        """Why nothing else may start while this run is going."""
        return f"run {self.run_id} is still going; stop it before starting another"


class Run(CurrentRun):
    """A run of the built-in workloads in a lab process."""

    def __init__(self, run_id: str, config: RunConfig) -> None:
        super().__init__(run_id)
        self.config = config
        self.lab: LabProcess | None = None

    def status_wire(self) -> dict[str, Any]:
        return self.status().model_dump(mode="json")

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
        self.current: CurrentRun | None = None
        self._pump: asyncio.Task[None] | None = None
        self._store_warned = False

    def status(self) -> dict[str, Any] | None:
        """The current run's status as sent, or None before the first run."""
        return self.current.status_wire() if self.current else None

    def running(self) -> Run:
        run = self.current
        if run is None or run.state != "running":
            raise NoRun("no run is going; start one first")
        if not isinstance(run, Run):
            raise NoRun(f"{run.busy()}: it cannot be stopped or changed from here")
        return run

    def begin(self, run: CurrentRun, config: Mapping[str, Any], *, name: str | None = None,
              source: str | None = None) -> None:
        """Make `run` the current run and start its recording; refused while another goes."""
        if self.current is not None and self.current.state == "running":
            raise RunConflict(self.current.busy())
        self._store().create_recording(run.run_id, config, name=name, source=source)
        self._store_warned = False
        self.current = run

    def announce(self, run: CurrentRun) -> None:
        """Tell every viewer the run's status."""
        self.hub.broadcast({**StatusMessage(run=None).wire(), "run": run.status_wire()})

    async def start(self, config: RunConfig) -> Run:
        run = Run(uuid.uuid4().hex[:12], config)
        self.begin(run, config.model_dump(), source=workload_source(config.model_dump()))
        run.lab = await LabProcess.spawn(
            {"cmd": "start", "run_id": run.run_id, "config": config.model_dump()}
        )
        self.announce(run)
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

    def publish(self, run: CurrentRun, events: list[dict[str, Any]]) -> None:
        """Record the run's next events and send them to every viewer."""
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
                self.publish(run, events)
                ends = [e for e in events if e.get("kind") == "run_ended"]
                if not ended and ends:
                    # Ended as far as the user is concerned; the lab only has to exit now.
                    ended = True
                    self.mark_ended(run, ends[-1].get("reason"))
            elif kind == "command_error":
                self.hub.broadcast(ErrorMessage(message=str(message.get("message"))).wire())
        code = await run.lab.wait()
        if not ended:
            self._synthesize_end(run, describe_exit(code))
            self.mark_ended(run, "error")

    def mark_ended(self, run: CurrentRun, reason: str | None,
                   recorded_as: str | None = None) -> None:
        """The run ended for `reason` (its run_ended's); its recording ends as `recorded_as`
        (default: the same reason)."""
        run.state = "ended"
        run.ended_reason = reason
        try:
            self._store().finish(run.run_id, recorded_as or reason or "unknown")
            self._store().prune(self.keep_last)
        except StorageError as exc:
            self._storage_failed(exc)
        self.announce(run)

    def _synthesize_end(self, run: Run, why: str) -> None:
        seq = run.events
        t = time.time_ns() - (run.t0_wall_ns if run.t0_wall_ns is not None else run.wall_time_ns)
        message = f"{why} before the run finished; press Run to start a new one"
        log.warning("run %s: %s", run.run_id, message)
        self.publish(run, [
            {"seq": seq, "t": t, "kind": "error", "message": message},
            {"seq": seq + 1, "t": t, "kind": "run_ended", "reason": "error", "message": message},
        ])

    async def close(self) -> None:
        """Stop any run and end its lab (server shutdown)."""
        run = self.current
        if isinstance(run, Run) and run.lab is not None and run.state == "running":
            await run.lab.send({"cmd": "stop"})
            await run.lab.terminate()
        if self._pump is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._pump, 10)
