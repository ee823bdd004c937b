"""The /ws endpoint: replays the current run from its recording, streams its batches, and takes
control messages.

Guarantees:
- One task sends (from the viewer's queue), one receives; replies go through the same queue,
  so messages are never sent concurrently on one socket.
- A bad control message is answered with an `error` naming the field and its allowed range;
  the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from schedviz.protocol import (
    CONTROL_ADAPTER,
    SCHEMA_VERSION,
    ErrorDetail,
    ErrorMessage,
    EventsMessage,
    HelloMessage,
    SetMessage,
    StartMessage,
)
from schedviz.validation import describe
from schedviz.web.fanout import Viewer
from schedviz.web.runs import NoRun, RunConflict, RunManager
from schedviz.web.security import origin_allowed

REPLAY_CHUNK = 2000
MAX_MESSAGE_BYTES = 64 * 1024


async def websocket_endpoint(ws: WebSocket) -> None:
    app = ws.app
    if not origin_allowed(ws.headers.get("origin"), app.state.allowed_hosts):
        # 1008 = policy violation: a page from another site may not drive the lab.
        await ws.close(code=1008, reason="origin not allowed")
        return
    await ws.accept()
    manager: RunManager = app.state.manager
    viewer = app.state.hub.subscribe()
    # No await between subscribing and counting the run's events: every event is either in the
    # replay (read from the recording) or in the queue, never both, never neither.
    run = manager.current
    replay = _replay(manager, run.run_id, run.events) if run and run.events else None
    sender = asyncio.create_task(_send_loop(ws, viewer, replay))
    try:
        await _receive_loop(ws, viewer, manager)
    except WebSocketDisconnect:
        pass
    finally:
        app.state.hub.unsubscribe(viewer)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _replay(manager: RunManager, run_id: str, count: int) -> AsyncIterator[dict[str, Any]]:
    """The first `count` events of the run as events messages, read from its recording a batch
    at a time (off the event loop: sqlite blocks), so no whole run is held in memory."""
    assert manager.store is not None
    stream = manager.store.read_batches(run_id, 0, count - 1)
    while (batch := await asyncio.to_thread(next, stream, None)) is not None:
        for i in range(0, len(batch), REPLAY_CHUNK):
            yield EventsMessage.batch(run_id, batch[i : i + REPLAY_CHUNK])


async def _send_loop(
    ws: WebSocket, viewer: Viewer, replay: AsyncIterator[dict[str, Any]] | None
) -> None:
    manager: RunManager = ws.app.state.manager
    try:
        hello = HelloMessage(schema_version=SCHEMA_VERSION, run=None).wire()
        await ws.send_json({**hello, "run": manager.status()})
        if replay is not None:
            async for batch in replay:
                await ws.send_json(batch)
        while True:
            for message in await viewer.next_messages():
                await ws.send_json(message)
    except (WebSocketDisconnect, RuntimeError):
        return


async def _receive_loop(ws: WebSocket, viewer: Viewer, manager: RunManager) -> None:
    while True:
        text = await ws.receive_text()
        if len(text) > MAX_MESSAGE_BYTES:
            await viewer.reply(_error(f"message too large: at most {MAX_MESSAGE_BYTES} bytes"))
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            await viewer.reply(_error(f"not JSON: {exc}"))
            continue
        try:
            message = CONTROL_ADAPTER.validate_python(data)
        except ValidationError as exc:
            errors = describe(exc)
            first = errors[0]
            await viewer.reply(
                _error("; ".join(e["message"] for e in errors), first["field"], errors)
            )
            continue
        try:
            if isinstance(message, StartMessage):
                await manager.start(message.config)
            elif isinstance(message, SetMessage):
                await manager.change(message)
            else:
                await manager.stop()
        except (RunConflict, NoRun) as exc:
            await viewer.reply(_error(str(exc)))


def _error(
    message: str, field: str | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    details = [ErrorDetail.model_validate(e) for e in errors or []]
    return ErrorMessage(message=message, field=field, errors=details).wire()
