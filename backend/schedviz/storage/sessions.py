"""Sessions: the runs of one sitting, told apart by an idle hour or by asking for a new one.

A run joins the newest session unless nothing happened in it (no run made or ended, and it was
not started) for `idle_session_s`; then, or after `new()`, the next run starts another.
Imported recordings belong to no session.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from schedviz.storage.errors import UnknownSession
from schedviz.storage.records import RECORDING_COLUMNS, Recording, Session, check_name
from schedviz.storage.writer import Cycle

if TYPE_CHECKING:
    from schedviz.storage.recordings import RecordingStore

_SELECT = ("SELECT s.id, s.started_ns, s.name, (SELECT count(*) FROM recordings r "
           "WHERE r.session = s.id) FROM sessions s")


class Sessions:
    """The sessions of a store (`store.sessions`)."""

    def __init__(self, store: RecordingStore) -> None:
        self.store = store

    def new(self, name: str | None = None) -> Session:
        """Start a session now: the next runs belong to it."""
        checked = None if name is None else check_name(name)
        started = self.store.clock()

        def run(conn: sqlite3.Connection, cycle: Cycle) -> int:
            return int(conn.execute("INSERT INTO sessions (started_ns, name) VALUES (?, ?)",
                                    (started, checked)).lastrowid or 0)

        return self.get(self.store.submit(run))

    def get(self, session_id: int) -> Session:
        rows = self.store.query(f"{_SELECT} WHERE s.id = ?", (session_id,))
        if not rows:
            raise UnknownSession(session_id)
        return Session(*rows[0])

    def all(self) -> list[Session]:
        """Every session, newest first."""
        return [Session(*row) for row in self.store.query(f"{_SELECT} ORDER BY s.id DESC")]

    def runs(self, session_id: int) -> list[Recording]:
        """The recordings of a session in the order they were made."""
        self.get(session_id)
        rows = self.store.query(f"SELECT {RECORDING_COLUMNS} FROM recordings WHERE session = ? "
                                "ORDER BY created_ns, rowid", (session_id,))
        return self.store.with_live(rows)


def session_for(conn: sqlite3.Connection, now_ns: int, idle_ns: int) -> int:
    """The session a run made at `now_ns` belongs to (a new one after `idle_ns` of nothing)."""
    row = conn.execute("SELECT id, started_ns FROM sessions ORDER BY id DESC LIMIT 1").fetchone()
    if row is not None:
        (last,) = conn.execute(
            "SELECT max(max(created_ns, coalesce(ended_ns, 0))) FROM recordings "
            "WHERE session = ?", (row[0],),
        ).fetchone()
        if now_ns - max(row[1], last or 0) <= idle_ns:
            return int(row[0])
    return int(conn.execute("INSERT INTO sessions (started_ns) VALUES (?)",
                            (now_ns,)).lastrowid or 0)
