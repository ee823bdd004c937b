"""A recording written out in one of its export formats: the one place that knows what each
format holds, for the web's downloads and the CLI's `export` alike.

- perfetto: Chrome Trace Event JSON with the recording's bookmarks (perfetto.py), gzip optional;
- jsonl: one event a line, as `schedviz run --events-out` writes them (jsonl.py), gzip optional;
- recording: the single checked file that `import` brings back (archive.py; compressed already);
- html: one page that replays it offline from file:// (offline_html.py; compressed inside).
"""

from __future__ import annotations

import gzip as gzip_module
import io
from pathlib import Path
from typing import IO, Literal

from schedviz.storage import archive
from schedviz.storage.jsonl import write_events
from schedviz.storage.offline_html import write_offline_html
from schedviz.storage.perfetto import write_trace
from schedviz.storage.recordings import RecordingStore

ExportFormat = Literal["perfetto", "jsonl", "recording", "html"]
GZIP_FORMATS = ("perfetto", "jsonl")


def write_export(store: RecordingStore, recording_id: str, fmt: ExportFormat, out: IO[bytes],
                 gzip: bool = False, frontend: Path | None = None) -> None:
    """Write recording `recording_id` as `fmt` to the binary file `out`.

    html inlines the frontend in `frontend` (web.app.frontend_dir()), which it needs.
    """
    if gzip and fmt not in GZIP_FORMATS:
        raise ValueError(f"gzip applies to {' or '.join(GZIP_FORMATS)}, not to {fmt}")
    if fmt == "perfetto":
        marks = [b.as_json() for b in store.bookmarks.of(recording_id)]
        write_trace(store.read_events(recording_id), marks, out, gzip=gzip)
    elif fmt == "jsonl" and gzip:
        # Closing the GzipFile writes its trailer; `out` itself stays open.
        with gzip_module.GzipFile(fileobj=out, mode="wb") as raw:
            _write_jsonl(store, recording_id, raw)
    elif fmt == "jsonl":
        _write_jsonl(store, recording_id, out)
    elif fmt == "html":
        if frontend is None:
            raise ValueError("the html export inlines the frontend: give its folder")
        write_offline_html(store, [recording_id], out, frontend)
    else:
        out.write(archive.export_recording(store, recording_id))


def _write_jsonl(store: RecordingStore, recording_id: str, out: IO[bytes] | gzip_module.GzipFile
                 ) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    write_events(store.read_events(recording_id), text)
    text.flush()
    text.detach()  # leave `out` open for the caller
