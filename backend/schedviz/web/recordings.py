"""The recordings library over REST: list, rename, keep, delete, read, export, import, bookmarks,
sessions (and a session's runs as one offline page).

Every body is validated by a model that refuses unknown fields; every store error becomes a
reply whose `detail` says what is wrong and what to do (an unknown id 404, a bad value 400, a
live recording 409, a refused file 400, a too large one 413). sqlite work runs off the event
loop. An import is read whole, up to the archive's size bound, and refused past it unread.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from schedviz.storage import archive
from schedviz.storage.errors import (
    InvalidValue,
    RecordingLive,
    RefusedFile,
    StorageError,
    TooLarge,
    UnknownBookmark,
    UnknownRecording,
    UnknownSession,
)
from schedviz.storage.exports import GZIP_FORMATS, ExportFormat, write_export
from schedviz.storage.jsonl import event_line
from schedviz.storage.offline_html import FrontendError, write_offline_html
from schedviz.storage.recordings import RecordingStore
from schedviz.storage.sources import source_of

T = TypeVar("T")


class RecordingChange(BaseModel):
    """PATCH /api/recordings/{id}: a new name, and/or keep it in the library (or not)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200, description="its new name")
    kept: bool | None = Field(None, description="true: keep it (never pruned); false: unkeep")


class NewBookmark(BaseModel):
    """POST /api/recordings/{id}/bookmarks: a note at one event of the recording."""

    model_config = ConfigDict(extra="forbid")
    seq: int = Field(ge=0, description="the event the bookmark points at")
    note: str = Field("", max_length=2000, description="what to say at that moment")


class BookmarkChange(BaseModel):
    """PATCH /api/bookmarks/{id}: a new note and/or event."""

    model_config = ConfigDict(extra="forbid")
    seq: int | None = Field(None, ge=0)
    note: str | None = Field(None, max_length=2000)


class NewSession(BaseModel):
    """POST /api/sessions: start a new session (a sitting of a lecture) from the next run on."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)


def _http(exc: StorageError) -> HTTPException:
    if isinstance(exc, UnknownRecording | UnknownBookmark | UnknownSession):
        return HTTPException(404, str(exc))
    if isinstance(exc, TooLarge):
        return HTTPException(413, str(exc))
    if isinstance(exc, RecordingLive):
        return HTTPException(409, str(exc))
    if isinstance(exc, InvalidValue | RefusedFile):
        return HTTPException(400, str(exc))
    return HTTPException(500, f"the recordings store failed: {exc}")


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run store work off the event loop; its errors become HTTP replies."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except StorageError as exc:
        raise _http(exc) from exc
    except FrontendError as exc:  # the install's frontend cannot be inlined: not the user's doing
        raise HTTPException(500, f"the offline page cannot be made: {exc}") from exc


def router(store_of: Callable[[], RecordingStore]) -> APIRouter:
    """The library's routes over the store `store_of()` returns (the app's, once it serves)."""
    api = APIRouter()

    @api.get("/api/recordings")
    async def list_recordings() -> list[dict[str, Any]]:
        return [r.as_json() for r in await _call(store_of().list_recordings)]

    @api.get("/api/recordings/{recording_id}")
    async def get_recording(recording_id: str) -> dict[str, Any]:
        store = store_of()
        rec = await _call(store.get, recording_id)
        marks = await _call(store.bookmarks.of, recording_id)
        return {"recording": rec.as_json(), "bookmarks": [b.as_json() for b in marks]}

    @api.get("/api/recordings/{recording_id}/source")
    async def recording_source(recording_id: str) -> dict[str, Any]:
        """The source the recording's run ran ({file, lines}), for its replay's source panel."""
        rec = await _call(store_of().get, recording_id)
        source = source_of(rec.source, rec.config)
        if source is None:
            raise HTTPException(404, f"recording {recording_id} kept no source: it ran no "
                                "asyncio workload")
        return source

    @api.patch("/api/recordings/{recording_id}")
    async def change_recording(recording_id: str, change: RecordingChange) -> dict[str, Any]:
        store = store_of()
        if change.name is None and change.kept is None:
            raise HTTPException(400, "give name (1–200 characters) and/or kept (true or false)")
        rec = await _call(store.get, recording_id)
        if change.kept is True:
            rec = await _call(store.keep, recording_id, change.name)
        elif change.kept is False:
            rec = await _call(store.unkeep, recording_id)
        if change.name is not None and change.kept is not True:
            rec = await _call(store.rename, recording_id, change.name)
        return {"recording": rec.as_json()}

    @api.delete("/api/recordings/{recording_id}", status_code=204)
    async def delete_recording(recording_id: str) -> Response:
        await _call(store_of().delete, recording_id)
        return Response(status_code=204)

    @api.get("/api/recordings/{recording_id}/events")
    async def recording_events(
        recording_id: str,
        from_seq: Annotated[int, Query(ge=0, description="the first event to send")] = 0,
        to_seq: Annotated[int | None, Query(ge=0, description="the last event to send")] = None,
    ) -> StreamingResponse:
        """The events as JSON Lines, streamed a batch at a time from the file."""
        store = store_of()
        stream = await _call(store.read_batches, recording_id, from_seq, to_seq)

        async def lines() -> AsyncIterator[bytes]:
            while (batch := await _call(next, stream, None)) is not None:
                yield "".join(event_line(e) for e in batch).encode()

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @api.get("/api/recordings/{recording_id}/export")
    async def export(
        recording_id: str,
        format: Annotated[ExportFormat, Query(description="the file kind")] = "recording",
        gzip: Annotated[bool, Query(description="gzip the perfetto or jsonl output")] = False,
    ) -> Response:
        store = store_of()
        rec = await _call(store.get, recording_id)
        buf = io.BytesIO()
        frontend = _frontend() if format == "html" else None
        await _call(write_export, store, recording_id, format, buf, gzip and format in GZIP_FORMATS,
                    frontend)
        name, media = {
            "recording": (f"{rec.id}.schedviz", "application/octet-stream"),
            "perfetto": (f"{rec.id}.perfetto.json", "application/json"),
            "jsonl": (f"{rec.id}.jsonl", "application/x-ndjson"),
            "html": (f"{rec.id}.html", "text/html"),
        }[format]
        if gzip and format in GZIP_FORMATS:
            name += ".gz"
        return _download(buf.getvalue(), name, media)

    @api.post("/api/recordings/import", status_code=201)
    async def import_file(request: Request) -> dict[str, Any]:
        """A recording file or JSON Lines of events as the request body."""
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > archive.MAX_FILE_BYTES:
            raise HTTPException(413, f"the file is {int(size)} bytes; at most "
                                     f"{archive.MAX_FILE_BYTES} bytes can be imported")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > archive.MAX_FILE_BYTES:
                raise HTTPException(413, f"the file is larger than {archive.MAX_FILE_BYTES} "
                                         "bytes, the most that can be imported")
        if not body:
            raise HTTPException(400, "send the recording file (or JSON Lines) as the body")
        rec = await _call(archive.import_any, store_of(), bytes(body))
        return {"recording": rec.as_json()}

    @api.get("/api/recordings/{recording_id}/bookmarks")
    async def list_bookmarks(recording_id: str) -> list[dict[str, Any]]:
        return [b.as_json() for b in await _call(store_of().bookmarks.of, recording_id)]

    @api.post("/api/recordings/{recording_id}/bookmarks", status_code=201)
    async def add_bookmark(recording_id: str, mark: NewBookmark) -> dict[str, Any]:
        mark_ = await _call(store_of().bookmarks.add, recording_id, mark.seq, mark.note)
        return {"bookmark": mark_.as_json()}

    @api.patch("/api/bookmarks/{bookmark_id}")
    async def edit_bookmark(bookmark_id: int, change: BookmarkChange) -> dict[str, Any]:
        mark = await _call(store_of().bookmarks.edit, bookmark_id, note=change.note, seq=change.seq)
        return {"bookmark": mark.as_json()}

    @api.delete("/api/bookmarks/{bookmark_id}", status_code=204)
    async def delete_bookmark(bookmark_id: int) -> Response:
        await _call(store_of().bookmarks.delete, bookmark_id)
        return Response(status_code=204)

    @api.get("/api/sessions")
    async def list_sessions() -> list[dict[str, Any]]:
        store = store_of()
        out = []
        for session in await _call(store.sessions.all):
            runs = await _call(store.sessions.runs, session.id)
            out.append({**session.as_json(), "recordings": [r.id for r in runs]})
        return out

    @api.post("/api/sessions", status_code=201)
    async def new_session(body: NewSession) -> dict[str, Any]:
        return {"session": (await _call(store_of().sessions.new, body.name)).as_json()}

    @api.get("/api/sessions/{session_id}/export")
    async def export_session(
        session_id: int,
        format: Annotated[Literal["html"], Query(
            description="html: one offline page that replays its runs in order")] = "html",
    ) -> Response:
        store = store_of()
        session = await _call(store.sessions.get, session_id)
        runs = await _call(store.sessions.runs, session_id)
        if not runs:
            raise HTTPException(400, f"session {session_id} has no recordings yet: export it "
                                     "after a run")
        buf = io.BytesIO()
        await _call(write_offline_html, store, [r.id for r in runs], buf, _frontend(),
                    session.name or f"session {session_id}")
        return _download(buf.getvalue(), f"session-{session_id}.html", "text/html")

    return api


def _frontend() -> Path:
    """The frontend the app serves, which an offline page inlines."""
    from schedviz.web.app import frontend_dir  # app.py imports this module: not at the top

    return frontend_dir()


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(
        data, media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

