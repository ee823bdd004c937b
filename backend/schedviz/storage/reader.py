"""Reading the recordings file: short queries on pooled connections, recordings streamed.

A stream reads a page of batches at a time and holds no connection between pages, so a slow
consumer (a late viewer's websocket) keeps no read transaction open; what a live recording's
writer has not committed yet comes from the writer's queue, so a stream of a live recording
is gap-free up to the last event appended.

Guarantees:
- `query` may be called from any thread; each call takes a connection of its own from the
  pool (WAL: a reader never waits for the writer, nor the writer for it).
- A stream may be iterated on any thread, and handed between threads between pages.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from schedviz.storage.codec import decode_batch, decode_strings
from schedviz.storage.errors import StorageError
from schedviz.storage.schema import connect
from schedviz.storage.writer import MAX_BATCH_EVENTS, Writer

PAGE_BATCHES = 8  # batches fetched per query while streaming
_LAST = (1 << 63) - 1

Event = dict[str, Any]


class Reader:
    """The reading connections of one store."""

    def __init__(self, path: Path, writer: Writer) -> None:
        self.path = path
        self.writer = writer
        self._free: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._opened:
                conn.close()
            self._opened.clear()
            self._free.clear()

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """The rows of one read."""
        with self._lock:
            if self._closed:
                raise StorageError("the recordings store is closed")
            conn = self._free.pop() if self._free else None
        if conn is None:
            conn = connect(self.path)
            with self._lock:
                self._opened.append(conn)
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the recordings file {self.path}: {exc}") from exc
        finally:
            with self._lock:
                self._free.append(conn)

    def stream(self, rid: str, next_seq: int, to_seq: int | None) -> Iterator[list[Event]]:
        """The events of `rid` from `next_seq` to `to_seq` (None: the end), a batch at a time."""
        strings: list[str] = []
        last = _LAST if to_seq is None else to_seq
        looked_again = False
        committed, tail = 0, []
        while next_seq <= last:
            rows = self.query(
                "SELECT first_seq, last_seq, blob FROM batches WHERE recording = ? AND "
                "last_seq >= ? AND first_seq <= ? ORDER BY first_seq LIMIT ?",
                (rid, next_seq, last, PAGE_BATCHES),
            )
            if rows:
                self.more_strings(rid, strings)
                for first, end, blob in rows:
                    if first > next_seq:
                        raise StorageError(
                            f"recording {rid!r} lacks events {next_seq}–{first - 1}"
                        )
                    events = decode_batch(blob, strings)
                    yield events[next_seq - first:last - first + 1]
                    next_seq = end + 1
                continue
            with self.writer.lock:
                lv = self.writer.live.get(rid)
                if lv is not None:
                    committed = lv.progress.events
                    tail = lv.inflight + lv.pending
            if lv is None:
                if looked_again:
                    return
                looked_again = True  # it may have been finished (and written) just now
                continue
            if next_seq < committed:
                continue  # a cycle committed since the query: read the file again
            tail = tail[next_seq - committed:last - committed + 1]
            for start in range(0, len(tail), MAX_BATCH_EVENTS):
                yield tail[start:start + MAX_BATCH_EVENTS]
            return

    def more_strings(self, rid: str, strings: list[str]) -> None:
        """Extend `strings` with the recording's strings committed since it was read."""
        rows = self.query(
            "SELECT first_id, blob FROM strings WHERE recording = ? AND first_id + count > ? "
            "ORDER BY first_id", (rid, len(strings)),
        )
        for first, blob in rows:
            if first > len(strings):
                raise StorageError(f"recording {rid!r} lacks strings {len(strings)}–{first - 1}")
            strings.extend(decode_strings(blob)[len(strings) - first:])
