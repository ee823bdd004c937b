"""The library of recorded runs: one SQLite file, written by one thread, read by any.

The web process records a run with `create_recording`, `append` (each batch as it fans it
out) and `finish`; these only queue work, so its event loop never waits on sqlite. Late
viewers and replays stream a recording back with `read_batches`, batch by batch from the
file: no run has to live whole in memory. Everything else (names, keeping, deleting, pruning,
`store.bookmarks`, `store.sessions`, reads) is short sqlite work on the caller's thread, or a
command the writer runs that the caller waits for: from async code, call those through
`asyncio.to_thread`.

Guarantees:
- Every method may be called from any thread. `create_recording`, `append` and `finish` never
  touch sqlite; events are committed within `commit_interval_s` (0.25 s) of being appended,
  and a crash (even SIGKILL) leaves the file readable with a gap-free prefix of every
  recording (the one being recorded then is listed as ended `interrupted`).
- `read_batches` of a live recording returns every event appended so far, gap-free: what is
  committed from the file, the rest from the writer's queue.
- One process at a time has a file open (a lock file beside it); a second one is refused with
  a message, not left to fight over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from schedviz.protocol import SCHEMA_VERSION
from schedviz.storage import datadir, writer
from schedviz.storage.bookmarks import Bookmarks
from schedviz.storage.codec import encode_strings, wire_event
from schedviz.storage.errors import InvalidValue, RecordingLive, StorageError, UnknownRecording
from schedviz.storage.reader import Reader
from schedviz.storage.records import (
    RECORDING_COLUMNS,
    Bookmark,
    Recording,
    check_name,
    check_source,
    default_name,
    recording_from_row,
)
from schedviz.storage.schema import connect, lock, migrate
from schedviz.storage.sessions import Sessions, session_for
from schedviz.storage.writer import MAX_BATCH_EVENTS, Cycle, Live, Writer

FILE_NAME = "recordings.sqlite3"
IDLE_SESSION_S = 3600.0  # a run after this long without one starts a new session
DEFAULT_KEEP_LAST = 20  # unkept recordings a server keeps besides the kept ones (prune)
KEEP_LAST_RANGE = (1, 10_000)
MAX_ID_CHARS = 64
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

Event = dict[str, Any]


@dataclass(frozen=True)
class StoredBatch:
    """A batch as the file holds it (the archive copies these as they are)."""

    first_seq: int
    last_seq: int
    t0: int
    t1: int
    blob: bytes


class RecordingStore:
    """The recordings file at `path`; `close()` it (or use `with`) to write the rest."""

    def __init__(
        self,
        path: str | Path,
        *,
        commit_interval_s: float = writer.COMMIT_INTERVAL_S,
        idle_session_s: float = IDLE_SESSION_S,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.path = Path(path)
        self.idle_session_ns = int(idle_session_s * 1e9)
        self.clock = clock
        self._lock_fd = lock(self.path)
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(self.path)
            migrate(conn, self.path)
            # Nothing else has the file open (the lock says so): what is unfinished was cut.
            conn.execute("UPDATE recordings SET ended_reason = 'interrupted' "
                         "WHERE ended_reason IS NULL")
        except BaseException:
            if conn is not None:
                conn.close()
            os.close(self._lock_fd)
            raise
        self._writer = Writer(conn, commit_interval_s)
        self._reader = Reader(self.path, self._writer)
        self._closed = False
        self.bookmarks = Bookmarks(self)
        self.sessions = Sessions(self)

    @classmethod
    def in_data_dir(cls, explicit: str | Path | None = None, **kwargs: Any) -> RecordingStore:
        """The store in the data directory (see `datadir.data_dir` for which one)."""
        return cls(datadir.data_dir(explicit) / FILE_NAME, **kwargs)

    def __enter__(self) -> RecordingStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish live recordings as `interrupted`, write everything queued, release the file."""
        if self._closed:
            return
        with self._writer.lock:
            unfinished = [rid for rid, lv in self._writer.live.items() if not lv.finishing]
        for rid in unfinished:
            with contextlib.suppress(StorageError):
                self.finish(rid, "interrupted")
        self._writer.close()
        self._closed = True
        self._reader.close()
        self._writer.conn.close()
        os.close(self._lock_fd)

    @property
    def last_error(self) -> str | None:
        """Why the last write failed, while it keeps failing (e.g. the disk is full)."""
        return self._writer.last_error

    def flush(self) -> None:
        """Wait until everything appended and queued so far is committed."""
        self._writer.submit(lambda conn, cycle: None, wait=True)

    # -- recording a run (never waits on sqlite) -----------------------------------------

    def create_recording(
        self,
        run_id: str,
        config: Mapping[str, Any],
        *,
        name: str | None = None,
        source: str | None = None,
        schema_version: int = SCHEMA_VERSION,
        created_ns: int | None = None,
    ) -> Recording:
        """Start recording run `run_id` (its id in the library too); events follow by append."""
        _check_id(run_id)
        meta = Recording(
            id=run_id, name=default_name(config) if name is None else check_name(name),
            kept=False, created_ns=self.clock() if created_ns is None else created_ns,
            ended_ns=None, config=_json_object(config, "config"),
            schema_version=schema_version, session=None, events=0, first_t=None,
            last_t=None, bytes=0, ended_reason=None, source=check_source(source), live=True,
        )
        lv = Live(meta)
        with self._writer.lock:
            if run_id in self._writer.live:
                raise InvalidValue(f"recording {run_id!r} is already being recorded")
            self._writer.live[run_id] = lv
        self._writer.submit(partial(self._insert_new, lv), wait=False)
        return meta

    def append(self, run_id: str, events: Sequence[dict[str, Any] | Sequence[Any]]) -> None:
        """Add the next events of a live recording (wire dicts or compact lists), gap-free."""
        if not events:
            return
        checked = [wire_event(e) for e in events]
        seqs = [ev["seq"] for ev in checked]
        ts = [ev["t"] for ev in checked]
        first = seqs[0]
        bad = next((i for i, s in enumerate(seqs) if type(s) is not int or s != first + i), None)
        if bad is not None:
            expected = first + bad if bad else "an int"
            raise InvalidValue(
                f"events must have gap-free seqs: expected {expected}, got {seqs[bad]!r}"
            )
        bad = next((i for i, t in enumerate(ts) if type(t) is not int), None)
        if bad is not None:
            raise InvalidValue(f"event seq {seqs[bad]}: t must be an int; got {ts[bad]!r}")
        with self._writer.lock:
            lv = self._writer_live(run_id)
            if first != lv.appended:
                raise InvalidValue(
                    f"the events of recording {run_id!r} go on at seq {lv.appended}; "
                    f"got seq {first}"
                )
            lv.pending.extend(checked)
            lv.appended += len(checked)
            lo, hi = min(ts), max(ts)
            lv.first_t = lo if lv.first_t is None else min(lv.first_t, lo)
            lv.last_t = hi if lv.last_t is None else max(lv.last_t, hi)
            if len(lv.pending) >= 4 * MAX_BATCH_EVENTS:
                self._writer.nudge()

    def finish(self, run_id: str, reason: str) -> None:
        """The run ended (`reason`: completed, stopped, error, …): it takes no more events."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 200:
            raise InvalidValue(f"a reason is a short text, like 'completed'; got {reason!r}")
        ended_ns = self.clock()
        with self._writer.lock:
            lv = self._writer_live(run_id, failed_ok=True)
            lv.finishing = True
        self._writer.submit(partial(self._finish, lv, reason, ended_ns), wait=False)

    def _writer_live(self, run_id: str, failed_ok: bool = False) -> Live:
        """The live recording (the caller holds the writer's lock)."""
        lv = self._writer.live.get(run_id)
        if lv is None or lv.finishing:
            raise InvalidValue(
                f"recording {run_id!r} is not being recorded (create_recording starts one; "
                "a finished one takes no more events)"
            )
        if lv.failed and not failed_ok:
            raise StorageError(lv.failed)
        return lv

    def _insert_new(self, lv: Live, conn: sqlite3.Connection, cycle: Cycle) -> None:
        meta = lv.meta
        session = session_for(conn, meta.created_ns, self.idle_session_ns)
        try:
            conn.execute(
                "INSERT INTO recordings (id, name, kept, created_ns, config, schema_version, "
                "session, source) VALUES (?, ?, 0, ?, ?, ?, ?, ?)",
                (meta.id, meta.name, meta.created_ns, json.dumps(meta.config),
                 meta.schema_version, session, meta.source),
            )
        except sqlite3.IntegrityError:
            message = f"a recording with the id {meta.id!r} exists already; this run is not kept"
            with self._writer.lock:
                lv.failed = message
            raise InvalidValue(message) from None
        cycle.after_commit.append(lambda: setattr(lv, "session", session))

    def _finish(self, lv: Live, reason: str, ended_ns: int, conn: sqlite3.Connection,
                cycle: Cycle) -> None:
        w = self._writer
        w.write_events(cycle, lv)
        if not lv.failed:
            progress = w.progress(cycle, lv)
            w.finish_tail(lv, progress)
            w.update_counts(lv.meta.id, progress)
        conn.execute("UPDATE recordings SET ended_ns = ?, ended_reason = ? WHERE id = ?",
                     (ended_ns, reason, lv.meta.id))
        cycle.after_commit.append(partial(w.forget, lv.meta.id))

    # -- reading -------------------------------------------------------------------------

    def list_recordings(self) -> list[Recording]:
        """Every recording, newest first."""
        rows = self.query(f"SELECT {RECORDING_COLUMNS} FROM recordings ORDER BY created_ns DESC")
        found = self.with_live(rows)
        listed = {r.id for r in found}
        with self._writer.lock:  # created a moment ago: not in the file yet
            new = [self._overlay(lv.meta, lv) for rid, lv in self._writer.live.items()
                   if rid not in listed]
        return sorted(found + new, key=lambda r: -r.created_ns) if new else found

    def get(self, recording_id: str) -> Recording:
        rows = self.query(f"SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = ?",
                          (recording_id,))
        found = self.with_live(rows)
        if found:
            return found[0]
        with self._writer.lock:
            lv = self._writer.live.get(recording_id)
            if lv is not None:  # created a moment ago: the writer has not inserted it yet
                return self._overlay(lv.meta, lv)
        raise UnknownRecording(recording_id)

    def count(self, recording_id: str) -> int:
        """Events in the recording (for a live one: appended so far)."""
        with self._writer.lock:
            lv = self._writer.live.get(recording_id)
            if lv is not None:
                return lv.appended
        return self.get(recording_id).events

    def read_events(
        self, recording_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[Event]:
        """The events from `from_seq` to `to_seq` (inclusive; None: to the end), streamed."""
        batches = self.read_batches(recording_id, from_seq, to_seq)
        return (ev for batch in batches for ev in batch)

    def read_batches(
        self, recording_id: str, from_seq: int = 0, to_seq: int | None = None
    ) -> Iterator[list[Event]]:
        """The events from `from_seq` to `to_seq` in batches as stored, read as iterated.

        For a live recording, None reads to the last event appended when the iteration gets
        there. The events are the store's own: do not change them.
        """
        if type(from_seq) is not int or from_seq < 0:
            raise InvalidValue(f"from_seq must be an int ≥ 0; got {from_seq!r}")
        if to_seq is not None and type(to_seq) is not int:
            raise InvalidValue(f"to_seq must be an int or None; got {to_seq!r}")
        self.get(recording_id)  # unknown ids are refused now, not at the first next()
        return self._reader.stream(recording_id, from_seq, to_seq)

    def stored(self, recording_id: str) -> tuple[Recording, list[str], list[StoredBatch]]:
        """A finished recording as stored: its metadata, string table and batches (export)."""
        rec = self.get(recording_id)
        if rec.live:
            raise RecordingLive(f"recording {recording_id!r} is still being recorded")
        strings: list[str] = []
        self._reader.more_strings(recording_id, strings)
        rows = self.query("SELECT first_seq, last_seq, t0, t1, blob FROM batches "
                          "WHERE recording = ? ORDER BY first_seq", (recording_id,))
        return rec, strings, [StoredBatch(*row) for row in rows]

    def with_live(self, rows: list[Any]) -> list[Recording]:
        """Recordings of `RECORDING_COLUMNS` rows, a live one's counts from memory."""
        with self._writer.lock:
            live = dict(self._writer.live)
        out = []
        for row in rows:
            rec = recording_from_row(row)
            lv = live.get(rec.id)
            out.append(self._overlay(rec, lv) if lv is not None else rec)
        return out

    @staticmethod
    def _overlay(rec: Recording, lv: Live) -> Recording:
        return Recording(**{
            **rec.__dict__, "events": lv.appended, "first_t": lv.first_t, "last_t": lv.last_t,
            "bytes": lv.progress.bytes, "session": lv.session, "live": True,
        })

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """Rows of one read (for this package's modules)."""
        return self._reader.query(sql, args)

    def submit(self, run: Callable[[sqlite3.Connection, Cycle], Any]) -> Any:
        """Run a command on the writer and wait for its result (for this package's modules)."""
        return self._writer.submit(run, wait=True)

    # -- the library: names, keeping, deleting (the caller waits for the writer) --------

    def rename(self, recording_id: str, name: str) -> Recording:
        name = check_name(name)
        self._update(recording_id, "name = ?", (name,))
        return self.get(recording_id)

    def keep(self, recording_id: str, name: str | None = None) -> Recording:
        """Keep the recording (prune never deletes it), naming it too if `name` is given."""
        if name is None:
            self._update(recording_id, "kept = 1", ())
        else:
            self._update(recording_id, "kept = 1, name = ?", (check_name(name),))
        return self.get(recording_id)

    def unkeep(self, recording_id: str) -> Recording:
        self._update(recording_id, "kept = 0", ())
        return self.get(recording_id)

    def _update(self, rid: str, assignments: str, args: tuple[Any, ...]) -> None:
        def run(conn: sqlite3.Connection, cycle: Cycle) -> None:
            cur = conn.execute(f"UPDATE recordings SET {assignments} WHERE id = ?", (*args, rid))
            if cur.rowcount == 0:
                raise UnknownRecording(rid)

        self.submit(run)

    def delete(self, recording_id: str) -> None:
        """Delete a finished recording with its bookmarks."""
        with self._writer.lock:
            if recording_id in self._writer.live:
                raise RecordingLive(
                    f"recording {recording_id!r} is still being recorded; stop the run first"
                )

        def run(conn: sqlite3.Connection, cycle: Cycle) -> None:
            if conn.execute("DELETE FROM recordings WHERE id = ?", (recording_id,)).rowcount == 0:
                raise UnknownRecording(recording_id)

        self.submit(run)

    def prune(self, keep_last: int) -> list[str]:
        """Delete the recordings not kept beyond the newest `keep_last`; returns their ids."""
        if type(keep_last) is not int or keep_last < 0:
            raise InvalidValue(f"keep_last must be an int ≥ 0; got {keep_last!r}")

        def run(conn: sqlite3.Connection, cycle: Cycle) -> list[str]:
            with self._writer.lock:
                live = set(self._writer.live)
            rows = conn.execute("SELECT id FROM recordings WHERE kept = 0 "
                                "ORDER BY created_ns DESC, rowid DESC").fetchall()
            doomed = [r[0] for r in rows[keep_last:] if r[0] not in live]
            conn.executemany("DELETE FROM recordings WHERE id = ?", [(r,) for r in doomed])
            return doomed

        result: list[str] = self.submit(run)
        return result

    # -- import (archive.py builds these) ------------------------------------------------

    def insert_recording(
        self, meta: Recording, strings: list[str], batches: list[StoredBatch],
        bookmarks: list[Bookmark],
    ) -> Recording:
        """A whole recording in one transaction (all of it or nothing); returns it as stored.

        It keeps `meta.id` unless that is taken, then gets `id-2`, `id-3`, …
        """
        def run(conn: sqlite3.Connection, cycle: Cycle) -> str:
            rid, n = meta.id, 1
            with self._writer.lock:
                live = set(self._writer.live)
            while rid in live or conn.execute("SELECT 1 FROM recordings WHERE id = ?",
                                              (rid,)).fetchone():
                n += 1
                rid = f"{meta.id[:MAX_ID_CHARS - 8]}-{n}"
            blob = encode_strings(strings)
            size = len(blob) + sum(len(b.blob) for b in batches)
            conn.execute(
                f"INSERT INTO recordings ({RECORDING_COLUMNS}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
                (rid, meta.name, int(meta.kept), meta.created_ns, meta.ended_ns,
                 json.dumps(meta.config), meta.schema_version, meta.events, meta.first_t,
                 meta.last_t, size, meta.ended_reason, meta.source),
            )
            conn.execute("INSERT INTO strings (recording, first_id, count, blob) "
                         "VALUES (?, 0, ?, ?)", (rid, len(strings), blob))
            conn.executemany(
                "INSERT INTO batches (recording, first_seq, last_seq, t0, t1, blob) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(rid, b.first_seq, b.last_seq, b.t0, b.t1, b.blob) for b in batches],
            )
            conn.executemany(
                "INSERT INTO bookmarks (recording, seq, t, note, created_ns) "
                "VALUES (?, ?, ?, ?, ?)",
                [(rid, b.seq, b.t, b.note, b.created_ns) for b in bookmarks],
            )
            return rid

        return self.get(self.submit(run))


def _check_id(run_id: object) -> None:
    if (not isinstance(run_id, str) or not run_id or len(run_id) > MAX_ID_CHARS
            or not set(run_id) <= _ID_CHARS):
        raise InvalidValue(
            f"a recording id is 1–{MAX_ID_CHARS} letters, digits, '-', '_' or '.'; "
            f"got {run_id!r}"
        )


def _json_object(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    try:
        out = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidValue(f"{what} must be a JSON object: {exc}") from None
    return dict(out)
