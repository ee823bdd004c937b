"""Comparisons from the page: the runs of one comparison (schedviz/compare.py) one after another
through the run manager, so each is shown live and recorded, all in a session of their own.

A comparison's id is its session's id in the library: a finished one is read back from there
(its recordings in order), so it can be opened by URL after the server restarted.

Guarantees:
- One comparison at a time, and none while another run is going (409 with a message); a run
  that another client starts between two of its runs ends it with that message, never mixes in.
- Each run is recorded like any other (named "<executor> · …"), in the comparison's session;
  the runs made after it start a new session.
- Summaries and observations are computed from the recorded events, never kept numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, HTTPException

from schedviz import compare, lessons
from schedviz.storage.errors import UnknownSession
from schedviz.storage.recordings import RecordingStore
from schedviz.web.runs import RunConflict, RunManager

SESSION_PREFIX = "comparison: "
_POLL_S = 0.05  # how often a running comparison looks whether its current run has ended


def describe_config(config: Any) -> str:
    """A comparison's settings in a few words (its session's name)."""
    return (f"{config.workload}, {config.n_tasks} tasks × {config.task_ms:g} ms, "
            f"{config.max_workers} workers")


@dataclass
class Comparison:
    """A comparison the server is running (or ran since it started)."""

    id: int
    plan: compare.Plan
    state: Literal["running", "ended", "error"] = "running"
    message: str | None = None
    run_ids: list[str] = field(default_factory=list)


class ComparisonRunner:
    """Runs comparisons through the run manager, one at a time."""

    def __init__(self, manager: RunManager) -> None:
        self.manager = manager
        self.current: Comparison | None = None
        self._task: asyncio.Task[None] | None = None

    def store(self) -> RecordingStore:
        if self.manager.store is None:
            raise HTTPException(503, "the recordings library is not open yet; try again")
        return self.manager.store

    async def start(self, plan: compare.Plan) -> Comparison:
        if self.current is not None and self.current.state == "running":
            raise RunConflict(f"comparison {self.current.id} is still running; wait for it "
                              "to end")
        run = self.manager.current
        if run is not None and run.state == "running":
            raise RunConflict(run.busy())
        store = self.store()
        session = await asyncio.to_thread(store.sessions.new,
                                          SESSION_PREFIX + describe_config(plan.config))
        comparison = Comparison(session.id, plan)
        self.current = comparison
        self._task = asyncio.create_task(self._run_all(comparison),
                                         name=f"comparison-{session.id}")
        return comparison

    async def _run_all(self, comparison: Comparison) -> None:
        store = self.store()
        try:
            for executor, config in comparison.plan.runs:
                run = await self.manager.start(config)
                comparison.run_ids.append(run.run_id)
                await asyncio.to_thread(store.rename, run.run_id,
                                        f"{executor} · {describe_config(config)}")
                while run.state == "running":
                    await asyncio.sleep(_POLL_S)
                if run.ended_reason != "completed":
                    comparison.state = "error"
                    comparison.message = (f"the {executor} run ended {run.ended_reason}; "
                                          "start the comparison again")
                    return
            comparison.state = "ended"
        except RunConflict as exc:
            comparison.state = "error"
            comparison.message = f"another run started in between ({exc}); start it again"
        except Exception as exc:  # the page must hear why, not wait for ever
            comparison.state = "error"
            comparison.message = f"the comparison failed: {exc}"
        finally:
            # The lecture's next runs are not this comparison's.
            with contextlib.suppress(Exception):
                await asyncio.to_thread(store.sessions.new)

    async def close(self) -> None:
        """The server is stopping: run no further run of a comparison."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    # -- reading one back ---------------------------------------------------------------------

    def status(self, comparison_id: int) -> dict[str, Any]:
        """What the page shows of a comparison: its plan, its runs so far and its state."""
        store = self.store()
        try:
            session = store.sessions.get(comparison_id)
        except UnknownSession as exc:
            raise HTTPException(404, f"no comparison {comparison_id}: {exc}") from exc
        if not (session.name or "").startswith(SESSION_PREFIX):
            raise HTTPException(404, f"session {comparison_id} is not a comparison")
        recordings = {r.id: r for r in store.sessions.runs(comparison_id)}
        live = self.current if self.current and self.current.id == comparison_id else None
        if live is not None:
            plan, state, message, ids = live.plan, live.state, live.message, live.run_ids
        else:
            ids = list(recordings)
            plan = self._plan_of(recordings)
            done = all(r.ended_reason == "completed" for r in recordings.values())
            state = "ended" if done and len(ids) == len(plan.runs) else "error"
            message = None if state == "ended" else "this comparison did not finish"
        runs = []
        for rid in ids:
            rec = recordings.get(rid)
            if rec is None:  # recording not listed yet (just created) or pruned since
                continue
            runs.append({"executor": compare.executor_of(rec.config), "recording": rid,
                         "state": "running" if rec.live else "ended",
                         "ended_reason": rec.ended_reason, "events": store.count(rid),
                         "config": rec.config})
        return {"id": comparison_id, "name": session.name, "state": state, "message": message,
                **plan.as_json(), "recordings": runs}

    @staticmethod
    def _plan_of(recordings: dict[str, Any]) -> compare.Plan:
        configs = {compare.executor_of(r.config): r.config for r in recordings.values()}
        base = configs.get("threads") or next(iter(configs.values()), None)
        if base is None:
            raise HTTPException(404, "this comparison has no recordings left")
        return compare.plan(compare.config_of(base))

    def events(self, comparison_id: int) -> list[list[dict[str, Any]]]:
        """The comparison's runs' recorded events, in order; 409 while it is not finished."""
        status = self.status(comparison_id)
        if status["state"] == "running":
            raise HTTPException(409, "the comparison is still running; ask again when it ends")
        if status["state"] == "error":
            raise HTTPException(409, status["message"] or "the comparison did not finish")
        store = self.store()
        return [list(store.read_events(r["recording"])) for r in status["recordings"]]


def router(runner: ComparisonRunner) -> APIRouter:
    """POST /api/comparisons, GET /api/comparisons/limits, /current, /{id}, /{id}/summary,
    /{id}/observed?lesson=ID."""
    api = APIRouter()

    @api.post("/api/comparisons", status_code=201)
    async def start(fields: dict[str, Any]) -> dict[str, Any]:
        try:
            plan = compare.plan(compare.config_of(fields))
        except compare.ComparisonError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            comparison = await runner.start(plan)
        except RunConflict as exc:
            raise HTTPException(409, str(exc)) from exc
        return await asyncio.to_thread(runner.status, comparison.id)

    @api.get("/api/comparisons/limits")
    async def limits() -> dict[str, Any]:
        """What the page's form offers: the workloads and each number's allowed range."""
        return {"workloads": list(compare.WORKLOADS), "n_tasks": list(compare.N_TASKS),
                "task_ms": list(compare.TASK_MS), "max_workers": list(compare.MAX_WORKERS),
                "start_methods": ["spawn", "fork", "forkserver"]}

    @api.get("/api/comparisons/current")
    async def current() -> dict[str, Any]:
        comparison = runner.current
        if comparison is None:
            return {"comparison": None}
        return {"comparison": await asyncio.to_thread(runner.status, comparison.id)}

    @api.get("/api/comparisons/{comparison_id}")
    async def status(comparison_id: int) -> dict[str, Any]:
        return await asyncio.to_thread(runner.status, comparison_id)

    @api.get("/api/comparisons/{comparison_id}/summary")
    async def summary(comparison_id: int) -> dict[str, Any]:
        runs = await asyncio.to_thread(runner.events, comparison_id)
        try:
            rows = compare.summarize(runs)
        except compare.NotComparable as exc:
            raise HTTPException(422, str(exc)) from exc
        return {"id": comparison_id, "summary": [r.as_json() for r in rows]}

    @api.get("/api/comparisons/{comparison_id}/observed")
    async def observed(comparison_id: int, lesson: str) -> dict[str, Any]:
        try:
            chosen = lessons.get(lesson)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from exc
        if chosen.kind != "compare":
            raise HTTPException(422, f"lesson {lesson!r} is not a comparison lesson; its "
                                "observed summary is at /api/lessons/{id}/observed")
        runs = await asyncio.to_thread(runner.events, comparison_id)
        try:
            found = chosen.observe([e for run in runs for e in run])
        except lessons.NotObservable as exc:
            raise HTTPException(422, str(exc)) from exc
        return {"lesson": lesson, "comparison": comparison_id,
                "observations": [o.as_json() for o in found]}

    return api

