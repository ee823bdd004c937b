"""The source a recording keeps of the code it ran, so its replay shows the lines its events
name (the asyncio workloads' yield points and blocking lines) wherever it is opened.

Stored as JSON text in the recording's `source` column: {"files": {path: text}}, the path as the
events name it (`aio_step.file`). Only code the run ran is kept, and only a file the run names is
ever shown: a client cannot name a path to read.

Guarantees:
- `workload_source(config)` is None for a run that shows no source (pools), so those recordings
  stay as small as before.
- `panel_source(stored)` answers what GET /api/source/asyncio answers ({file, lines}), or None
  for a recording without source; `source_of(stored, config)` falls back to the shipped
  workloads for an asyncio recording made before sources were kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def workload_source(config: Mapping[str, Any]) -> str | None:
    """The source to keep with a run of `config`: the asyncio workloads for an asyncio run."""
    if config.get("executor") != "asyncio":
        return None
    from schedviz import aio_workloads  # asyncio itself: only for an asyncio run

    path = Path(aio_workloads.__file__)
    return json.dumps({"files": {str(path): path.read_text(encoding="utf-8")}})


def panel_source(stored: str | None) -> dict[str, Any] | None:
    """The first kept file as {file, lines}, or None when there is none (or it is unreadable)."""
    if not stored:
        return None
    try:
        files = json.loads(stored).get("files")
    except (ValueError, AttributeError):
        return None
    if not isinstance(files, dict) or not files:
        return None
    path, text = next(iter(files.items()))
    if not isinstance(path, str) or not isinstance(text, str):
        return None
    return {"file": path, "lines": text.splitlines()}


def source_of(stored: str | None, config: Mapping[str, Any]) -> dict[str, Any] | None:
    """A recording's source panel: what it kept, else (an older asyncio recording) the
    workloads as shipped now, else None."""
    return panel_source(stored) or panel_source(workload_source(config))
