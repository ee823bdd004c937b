"""The course over REST: GET /api/lessons lists every lesson with the code shown beside its
timeline; GET /api/lessons/{id}/observed?recording=<run id> answers a lesson's question from a
recorded run's own events.

Guarantees:
- The observed summary is computed from the recording as stored, read through the store, and
  only once the recording has ended: 409 while it is still being recorded (ask again), 404 for
  an unknown lesson or recording, 422 when the events are not this lesson's run (the lesson's
  own message says why) or the query is not a recording id.
- An example lesson's code is a shipped example found by its name in the folder's listing;
  nothing a client sends becomes a path.
- Store reads and the observing run off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from schedviz import lessons
from schedviz.lessons import Lesson, NotObservable
from schedviz.lessons.code import example_code, preset_code
from schedviz.storage.errors import StorageError, UnknownRecording
from schedviz.storage.recordings import MAX_ID_CHARS, RecordingStore
from schedviz.web import examples

RECORDING_ID = rf"[A-Za-z0-9_.\-]{{1,{MAX_ID_CHARS}}}"


def lesson_json(lesson: Lesson) -> dict[str, Any]:
    """A lesson as GET /api/lessons lists it."""
    config = lesson.preset or lesson.compare
    code: dict[str, Any] | None = None
    if config is not None:
        code = preset_code(config)
    elif lesson.example is not None:
        path = examples.shipped().get(lesson.example)
        code = example_code(path) if path is not None else None
    return {
        "id": lesson.id, "number": lesson.number, "concept": lesson.concept,
        "title": lesson.title, "explanation": lesson.explanation,
        "prediction": lesson.prediction, "kind": lesson.kind,
        "config": config.model_dump() if config is not None else None,
        "example": lesson.example, "knobs": list(lesson.knobs), "code": code,
    }


def observed(store: RecordingStore, lesson: Lesson, recording: str) -> dict[str, Any]:
    """The lesson's observed summary of a recording (raises HTTPException as the API answers)."""
    try:
        rec = store.get(recording)
        if rec.live:
            raise HTTPException(409, f"recording {recording} has not ended yet: its observed "
                                "summary comes when the run ends; ask again")
        events = list(store.read_events(recording))
    except UnknownRecording as exc:
        raise HTTPException(404, f"{exc}; GET /api/recordings lists them") from exc
    except StorageError as exc:
        raise HTTPException(500, f"the recordings store failed: {exc}") from exc
    try:
        found = lesson.observe(events)
    except NotObservable as exc:
        raise HTTPException(422, f"recording {recording} cannot answer the lesson "
                            f"{lesson.title!r}: {exc}") from exc
    return {"lesson": lesson.id, "recording": recording,
            "observations": [o.as_json() for o in found]}


def router(store_of: Callable[[], RecordingStore]) -> APIRouter:
    """The course's routes, reading recordings from the store `store_of()` returns."""
    api = APIRouter()

    @api.get("/api/lessons")
    async def list_lessons() -> list[dict[str, Any]]:
        return await asyncio.to_thread(lambda: [lesson_json(x) for x in lessons.all_lessons()])

    @api.get("/api/lessons/{lesson_id}/observed")
    async def observe(
        lesson_id: str,
        recording: Annotated[str | None, Query(
            description="the recording's id (the run's run_id): 1–64 letters, digits, '-', '_' "
                        "or '.'")] = None,
    ) -> dict[str, Any]:
        if recording is None or not re.fullmatch(RECORDING_ID, recording):
            raise HTTPException(422, "give ?recording=<the run's id>: 1–"
                                f"{MAX_ID_CHARS} letters, digits, '-', '_' or '.'; got "
                                f"{recording!r}")
        try:
            lesson = lessons.get(lesson_id)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from exc
        store = store_of()
        return await asyncio.to_thread(observed, store, lesson, recording)

    return api
