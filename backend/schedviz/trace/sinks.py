"""Where a trace's events go: one `Sink` interface, a JSON Lines file and the library behind it.

A trace hands its sinks the same three calls, in this order, from one thread at a time:
`open(meta)` once before any event, `events(batch)` for each flushed batch of wire events (seq
gap-free from 0 across batches, run_started first), `close(reason, meta)` once at the end (after
the batch holding run_ended), even when the program failed. A sink that cannot take the trace
at all raises `SinkRefused` from `open`, before the program runs.

Guarantees:
- `JsonlSink` writes each event as `schedviz run --events-out` does (storage.jsonl.event_line).
- `LibrarySink` records into the recordings library: the recording is kept (a trace is asked
  for, never pruned), named after the program, with the source of the files it ran
  (sources.py) stored at the end, when the events say which those are.
- A library held by another process (a running server) is refused with who holds it and what
  to use instead (`--live`), never waited on.
- After `close`, `describe()` says where the trace went and an optional `url()` which page
  shows it now (`--open` opens that one; a live sink, pushing to a running server, has one).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from schedviz.storage.recordings import RecordingStore

Event = dict[str, Any]


@dataclass
class TraceMeta:
    """What a sink knows of the trace: its id, name and config; `source` once it has ended."""

    run_id: str
    name: str
    config: dict[str, Any]
    #: the program's folder: files the events name under it are the program's own
    root: Path | None = None
    #: {"files": {path: text}} as JSON text (storage/sources.py), filled in before close
    source: str | None = None
    #: files the events named (aio yield sites, blocking lines), in first-seen order
    files: list[str] = field(default_factory=list)


class SinkRefused(Exception):
    """A sink cannot take this trace (a busy library, an unwritable file), with what to do."""


class Sink(Protocol):
    """Takes one trace's events; see the module docstring for the order of the calls."""

    def open(self, meta: TraceMeta) -> None: ...

    def events(self, batch: list[Event]) -> None: ...

    def close(self, reason: str, meta: TraceMeta) -> None: ...

    def describe(self) -> str:
        """After close: one line on where the trace went ("" for nothing to say)."""
        ...

    # Optional: `url() -> str | None`, after close the page that shows the trace now (a
    # running server's); `--open` opens the first one a sink offers.


class JsonlSink:
    """The events as JSON Lines in `path` (replaced), one event a line."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._out: Any = None

    def open(self, meta: TraceMeta) -> None:
        try:
            self._out = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise SinkRefused(f"cannot write {self.path}: {exc.strerror}") from None

    def events(self, batch: list[Event]) -> None:
        from schedviz.storage.jsonl import event_line

        self._out.writelines(map(event_line, batch))

    def close(self, reason: str, meta: TraceMeta) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def describe(self) -> str:
        return f"events written to {self.path}"

    def url(self) -> str | None:
        return None


class LibrarySink:
    """The trace as a kept recording in the library of `data_dir` (None: the default one)."""

    def __init__(self, data_dir: str | None = None) -> None:
        self.data_dir = data_dir
        self.store: RecordingStore | None = None
        self.run_id: str | None = None
        self.summary = ""

    def open(self, meta: TraceMeta) -> None:
        from schedviz.cli import _lock_holder  # the words `schedviz record` says it in
        from schedviz.storage import datadir
        from schedviz.storage.errors import StorageError
        from schedviz.storage.recordings import FILE_NAME, RecordingStore

        try:
            self.store = RecordingStore.in_data_dir(self.data_dir)
        except (StorageError, datadir.DataDirError) as exc:
            folder = datadir.choose(self.data_dir)
            holder = _lock_holder(folder / FILE_NAME)
            if holder is None:
                raise SinkRefused(str(exc)) from None
            raise SinkRefused(
                f"the library in {folder} is open in {holder}: trace into it with `schedviz "
                "trace --live …` (the running server records it), or write the events to a "
                "file with --events-out FILE.jsonl, or use --data-dir DIR for another library"
            ) from None
        self.run_id = meta.run_id
        self.store.create_recording(meta.run_id, meta.config, name=meta.name)
        self.store.keep(meta.run_id)  # now, so that even a trace cut short is never pruned

    def events(self, batch: list[Event]) -> None:
        assert self.store is not None and self.run_id is not None
        self.store.append(self.run_id, batch)

    def close(self, reason: str, meta: TraceMeta) -> None:
        store, rid = self.store, self.run_id
        if store is None or rid is None:
            return
        try:
            store.finish(rid, reason)
            if meta.source is not None:
                _store_source(store, rid, meta.source)
            store.flush()
            rec = store.get(rid)
            problem = store.last_error
            self.summary = f"recorded {rid} {rec.name!r} (kept): {rec.events} events"
            if problem:
                self.summary += f"; the library could not store everything: {problem}"
        finally:
            store.close()
            self.store = None

    def describe(self) -> str:
        return self.summary

    def url(self) -> str | None:
        """Where the recording can be seen now: nowhere while no server has the library
        (this sink held it); `schedviz serve` then shows it at /?recording=<id>."""
        return None


def _store_source(store: RecordingStore, rid: str, source: str) -> None:
    """The recording's source, known only once the trace has ended (the files its events name).

    Through the store's writer, after the recording's own insert: the store offers source only
    at create_recording, when the program has not run yet.
    """
    from schedviz.storage.records import check_source

    text = check_source(source)
    store.submit(lambda conn, cycle: conn.execute(
        "UPDATE recordings SET source = ? WHERE id = ?", (text, rid)))
