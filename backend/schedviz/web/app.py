"""The web process: REST API, the /ws websocket and the static frontend, via `create_app()`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from schedviz import aio_workloads, protocol, scenarios
from schedviz.protocol import LiveChange, RunConfig
from schedviz.storage.recordings import DEFAULT_KEEP_LAST, KEEP_LAST_RANGE, RecordingStore
from schedviz.validation import describe_error
from schedviz.web import compare, examples, lessons, recordings
from schedviz.web.fanout import Hub
from schedviz.web.runs import NoRun, RunConflict, RunManager
from schedviz.web.security import allowed_hosts
from schedviz.web.tracepush import TRACE_PATH, TracePush
from schedviz.web.ws import websocket_endpoint


def frontend_dir() -> Path:
    """Where the static frontend lives: $SCHEDVIZ_FRONTEND, else `frontend/` of the checkout."""
    configured = os.environ.get("SCHEDVIZ_FRONTEND")
    path = Path(configured) if configured else Path(__file__).resolve().parents[3] / "frontend"
    if not (path / "index.html").is_file():
        raise RuntimeError(
            f"frontend not found at {path}: install schedviz from its checkout with "
            "`pip install -e .` (as `make run` does) or set SCHEDVIZ_FRONTEND to its folder"
        )
    return path


_AIO_SOURCE = Path(aio_workloads.__file__).read_text(encoding="utf-8")


def create_app(data_dir: str | Path | None = None, keep_last: int = DEFAULT_KEEP_LAST,
               live_host: str = "127.0.0.1", live_port: int | None = None) -> FastAPI:
    """A new app with its own run manager; nothing starts until a run is requested.

    Every run is recorded into the recordings store of `data_dir` (see storage/datadir.py for
    the default), opened when the app starts serving and closed when it stops; the newest
    `keep_last` unkept recordings are kept, older ones pruned. With `live_port` (the port it
    serves on, bound on `live_host`), it writes the data directory's live file while it serves,
    for traces pushed to /ws/trace (web/tracepush.py).
    """
    lo, hi = KEEP_LAST_RANGE
    if not lo <= keep_last <= hi:
        raise ValueError(f"keep_last must be between {lo} and {hi}; got {keep_last}")
    hub = Hub()
    example_runner = examples.ExampleRunner()
    manager = RunManager(hub, keep_last=keep_last)
    push = TracePush(manager)
    comparisons = compare.ComparisonRunner(manager)
    hosts = allowed_hosts()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        manager.store = await asyncio.to_thread(RecordingStore.in_data_dir, data_dir)
        try:
            if live_port is not None:  # the store's lock is ours: so is the data dir's live file
                push.publish_live_file(manager.store.path.parent, live_host, live_port)
            yield
        finally:
            await asyncio.to_thread(example_runner.stop)
            await comparisons.close()
            push.withdraw_live_file()
            await manager.close()
            await asyncio.to_thread(manager.store.close)

    app = FastAPI(title="schedviz", version=str(protocol.SCHEMA_VERSION), lifespan=lifespan)
    app.state.hub = hub
    app.state.manager = manager
    app.state.trace_push = push
    app.state.allowed_hosts = hosts
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [describe_error(dict(e)) for e in exc.errors()]
        for d in detail:
            d["msg"] = d["message"]
        return JSONResponse({"detail": detail, "message": "; ".join(d["message"] for d in detail)},
                            status_code=422)

    @app.get("/api/schema")
    async def schema() -> dict[str, Any]:
        return protocol.json_schema()

    @app.get("/api/scenarios")
    async def list_scenarios() -> list[dict[str, Any]]:
        return [s.as_json() for s in scenarios.all_scenarios()]

    @app.get("/api/source/asyncio")
    async def asyncio_source() -> dict[str, Any]:
        """The asyncio workloads' source, shown beside an asyncio run's timeline.

        Only this one module of schedviz's own is served: never a path the client names.
        """
        return {"file": aio_workloads.__file__, "lines": _AIO_SOURCE.splitlines()}

    @app.get("/api/runs/current")
    async def current_run() -> dict[str, Any]:
        return {"run": manager.status()}

    @app.post("/api/runs", status_code=201)
    async def start_run(config: RunConfig) -> dict[str, Any]:
        try:
            run = await manager.start(config)
        except RunConflict as exc:
            raise HTTPException(409, str(exc)) from exc
        return {"run_id": run.run_id, "run": run.status_wire()}

    @app.post("/api/runs/current/stop")
    async def stop_run() -> dict[str, Any]:
        try:
            await manager.stop()
        except NoRun as exc:
            raise HTTPException(409, str(exc)) from exc
        return {"run": manager.status()}

    @app.patch("/api/runs/current")
    async def change_run(change: LiveChange) -> dict[str, Any]:
        try:
            await manager.change(change)
        except NoRun as exc:
            raise HTTPException(409, str(exc)) from exc
        return {"run": manager.status()}

    def store() -> RecordingStore:
        if manager.store is None:
            raise HTTPException(503, "the recordings library is not open yet; try again")
        return manager.store

    app.include_router(recordings.router(store))
    app.include_router(lessons.router(store))
    app.state.examples = example_runner
    app.include_router(examples.router(example_runner, lambda: store().path.parent))
    app.include_router(compare.router(comparisons))
    app.add_api_websocket_route("/ws", websocket_endpoint)
    app.add_api_websocket_route(TRACE_PATH, push.endpoint)
    app.mount("/", StaticFiles(directory=frontend_dir(), html=True), name="frontend")
    return app
