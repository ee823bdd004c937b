"""The source a trace keeps: the program's main file and the program files its events name.

The rule: only code the trace ran, and only the program's own. Kept are the main file (first:
the source panel shows the first file) and every file an event names (an asyncio step's yield
site, a blocking line) that lies under the program's folder; never the standard library,
site-packages or schedviz, and never a file the events do not name. The shape is storage's
(`{"files": {path: text}}`, the path as the events name it; see storage/sources.py).

Guarantees:
- `FileNames.take(batch)` is cheap per event (a set lookup per aio_step) and keeps the order
  files were first named in.
- `source_json` stays within storage's limit (MAX_SOURCE_CHARS): files that would pass it are
  left out; unreadable or non-text files are left out; with no file at all it is None.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAX_SOURCE_CHARS = 1_000_000  # storage.records.MAX_SOURCE_CHARS (not imported: keep it light)
_NAMING = ("aio_step", "aio_blocked")


class FileNames:
    """The files a trace's events name, in the order first named."""

    def __init__(self) -> None:
        self.files: dict[str, None] = {}

    def take(self, batch: Iterable[dict[str, Any]]) -> None:
        files = self.files
        for ev in batch:
            if ev["kind"] in _NAMING:
                name = ev["file"]
                if name and name not in files:
                    files[name] = None


def program_files(named: Iterable[str], root: Path, main: Path | None) -> list[Path]:
    """The main file, then the named files under `root` that are the program's."""
    root = root.resolve()
    venv_like = ("site-packages", "dist-packages")
    out: list[Path] = [main] if main is not None else []
    for name in named:
        path = Path(name)
        try:
            resolved = path.resolve()
            resolved.relative_to(root)
        except (OSError, ValueError):
            continue
        if any(part in venv_like for part in resolved.parts) or not resolved.is_file():
            continue
        if resolved.suffix != ".py" or any(resolved == p.resolve() for p in out):
            continue
        out.append(path)
    return out


def source_json(files: list[Path]) -> str | None:
    """`{"files": {path: text}}` for the files, as long as they fit; None when none does."""
    kept: dict[str, str] = {}
    size = len('{"files": {}}')
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        entry = len(json.dumps({str(path): text})) + 2
        if size + entry > MAX_SOURCE_CHARS:
            continue
        kept[os.fspath(path)] = text
        size += entry
    return json.dumps({"files": kept}) if kept else None
