"""Bookmarks: a note at one event of a recording, kept in event order.

A bookmark names its event by seq and keeps that event's t, so a replay can seek to it by
either; a live recording takes bookmarks too, at any event appended so far.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from schedviz.storage.errors import InvalidValue, UnknownBookmark
from schedviz.storage.records import Bookmark, check_note
from schedviz.storage.writer import Cycle

if TYPE_CHECKING:
    from schedviz.storage.recordings import RecordingStore

_COLUMNS = "id, recording, seq, t, note, created_ns"


class Bookmarks:
    """The bookmarks of a store's recordings (`store.bookmarks`); changes wait for the writer."""

    def __init__(self, store: RecordingStore) -> None:
        self.store = store

    def add(self, recording_id: str, seq: int, note: str = "", t: int | None = None
            ) -> Bookmark:
        """A note at event `seq` (its t is looked up when not given)."""
        note = check_note(note)
        t = self._t_at(recording_id, seq, t)
        created = self.store.clock()

        def run(conn: sqlite3.Connection, cycle: Cycle) -> int:
            return int(conn.execute(
                "INSERT INTO bookmarks (recording, seq, t, note, created_ns) "
                "VALUES (?, ?, ?, ?, ?)", (recording_id, seq, t, note, created),
            ).lastrowid or 0)

        return self.get(self.store.submit(run))

    def edit(self, bookmark_id: int, *, note: str | None = None, seq: int | None = None,
             t: int | None = None) -> Bookmark:
        """Change a bookmark's note and/or move it to event `seq`."""
        old = self.get(bookmark_id)
        note = old.note if note is None else check_note(note)
        new_seq, new_t = old.seq, old.t
        if seq is not None:
            new_seq, new_t = seq, self._t_at(old.recording, seq, t)

        def run(conn: sqlite3.Connection, cycle: Cycle) -> None:
            cur = conn.execute("UPDATE bookmarks SET seq = ?, t = ?, note = ? WHERE id = ?",
                               (new_seq, new_t, note, bookmark_id))
            if cur.rowcount == 0:
                raise UnknownBookmark(bookmark_id)

        self.store.submit(run)
        return self.get(bookmark_id)

    def delete(self, bookmark_id: int) -> None:
        def run(conn: sqlite3.Connection, cycle: Cycle) -> None:
            if conn.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,)).rowcount == 0:
                raise UnknownBookmark(bookmark_id)

        self.store.submit(run)

    def get(self, bookmark_id: int) -> Bookmark:
        rows = self.store.query(f"SELECT {_COLUMNS} FROM bookmarks WHERE id = ?", (bookmark_id,))
        if not rows:
            raise UnknownBookmark(bookmark_id)
        return Bookmark(*rows[0])

    def of(self, recording_id: str) -> list[Bookmark]:
        """A recording's bookmarks in event order."""
        self.store.get(recording_id)
        rows = self.store.query(f"SELECT {_COLUMNS} FROM bookmarks WHERE recording = ? "
                                "ORDER BY seq, id", (recording_id,))
        return [Bookmark(*row) for row in rows]

    def _t_at(self, rid: str, seq: object, t: object) -> int:
        """The t to keep for a bookmark at `seq`: `t` if given, else the event's own."""
        count = self.store.count(rid)
        if type(seq) is not int or not 0 <= seq < count:
            raise InvalidValue(
                f"seq must be the seq of one of the recording's events, 0–{count - 1}; "
                f"got {seq!r}"
            )
        if t is not None:
            if type(t) is not int:
                raise InvalidValue(f"t must be an int (ns); got {t!r}")
            return t
        for event in self.store.read_events(rid, seq, seq):
            return int(event["t"])
        raise InvalidValue(f"recording {rid!r} has no event {seq}")
