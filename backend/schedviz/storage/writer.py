"""The one thread that writes the recordings file: callers queue work, it commits in cycles.

A cycle takes, under the lock, every queued command and every live recording's new events,
writes them all in one transaction and commits; then, under the lock again, it makes what it
committed the recordings' new progress. Events wait at most `interval_s` (a command wakes it at
once), so a killed process loses at most that much plus one write.

A live recording's events go to the file in batches of `MAX_BATCH_EVENTS`; what a cycle brings
short of that is written as a small batch, and the small batches since the last full one (the
tail, also kept in memory) are rewritten as one full batch once they add up to it: a slow run
is stored as compactly as a fast one, and no event is encoded more than twice.

Guarantees:
- `submit` and `take_events` may be called from any thread and never touch sqlite; `submit`
  with `wait=True` blocks until the command's cycle committed, then returns its result or
  raises its error (a StorageError when the file could not be written).
- Commands run in the order they were submitted, after the events appended before them: a
  recording's events are in the file before its finish is.
- A cycle is all or nothing: when the file fails (a full disk), the events and the commands
  nobody waits for are kept and tried again every `RETRY_S`; the progress of a live
  recording only ever describes what is committed.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from schedviz.storage.codec import StringTable, encode_batch, encode_strings
from schedviz.storage.errors import StorageError
from schedviz.storage.records import Recording

log = logging.getLogger("schedviz.storage")

MAX_BATCH_EVENTS = 2048
STRING_TAIL_ROWS = 16  # small string chunks merged into one past this many
COMMIT_INTERVAL_S = 0.25
RETRY_S = 1.0

Event = dict[str, Any]


@dataclass
class Progress:
    """What of a live recording is committed; a cycle changes a copy, kept if it commits."""

    events: int = 0  # seqs below this are in the file
    strings: int = 0  # string ids below this are in the file
    tail: list[Event] = field(default_factory=list)  # committed, in small batches
    tail_rows: int = 0
    tail_bytes: int = 0
    string_tail_first: int = 0  # string chunks from this id on are small ones
    string_tail_rows: int = 0
    string_tail_bytes: int = 0
    bytes: int = 0
    first_t: int | None = None
    last_t: int | None = None

    def copy(self) -> Progress:
        return replace(self, tail=list(self.tail))


class Live:
    """A recording being recorded: what it is, its events not yet committed, its strings."""

    def __init__(self, meta: Recording) -> None:
        self.meta = meta
        self.strings = StringTable()
        self.pending: list[Event] = []  # appended, not yet taken by a cycle
        self.inflight: list[Event] = []  # taken by the running cycle, not yet committed
        self.appended = 0  # the seq the next appended event must have
        self.finishing = False
        self.failed: str | None = None
        self.progress = Progress()
        self.session: int | None = None
        self.first_t: int | None = None  # of every appended event, committed or not
        self.last_t: int | None = None


@dataclass
class Command:
    """Work for the writer: `run(conn, cycle)` inside the cycle's transaction."""

    run: Callable[[sqlite3.Connection, Cycle], Any]
    done: threading.Event | None = None  # set when someone waits for the result
    result: Any = None
    error: BaseException | None = None


@dataclass
class Cycle:
    """One transaction's worth of work and what becomes true once it commits."""

    progress: dict[str, Progress] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


class Writer:
    """Owns the writing connection and the live recordings; runs the cycles on its thread."""

    def __init__(self, conn: sqlite3.Connection, interval_s: float = COMMIT_INTERVAL_S) -> None:
        self.conn = conn
        self.interval_s = interval_s
        self.lock = threading.Lock()
        self.live: dict[str, Live] = {}
        self.last_error: str | None = None
        self._wake = threading.Condition(self.lock)
        self._commands: list[Command] = []
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="recordings-writer", daemon=True)
        self._thread.start()

    # -- called from any thread ----------------------------------------------------------

    def submit(self, run: Callable[[sqlite3.Connection, Cycle], Any], wait: bool) -> Any:
        """Queue a command; with `wait`, block until it committed and return its result."""
        command = Command(run, threading.Event() if wait else None)
        with self.lock:
            if self._closing:
                raise StorageError("the recordings store is closed")
            self._commands.append(command)
            self._wake.notify()
        if command.done is None:
            return None
        command.done.wait()
        if command.error is not None:
            raise command.error
        return command.result

    def forget(self, rid: str) -> None:
        """A recording is finished and all in the file (the caller holds the lock)."""
        self.live.pop(rid, None)

    def nudge(self) -> None:
        """Start a cycle now (many events are waiting); the caller holds the lock."""
        self._wake.notify()

    def close(self) -> None:
        """Write what is queued and stop the thread."""
        with self.lock:
            self._closing = True
            self._wake.notify()
        self._thread.join()

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self._commands and not self._closing:
                    self._wake.wait(self.interval_s)
                commands, self._commands = self._commands, []
                lives = [lv for lv in self.live.values() if lv.pending]
                for lv in lives:
                    lv.inflight, lv.pending = lv.pending, []
                closing = self._closing
            if commands or lives:
                ok = self._cycle(commands, lives)
                if not ok and closing:
                    log.error("recordings: closed with events that could not be written")
                    return
                if not ok:
                    with self.lock:
                        self._wake.wait_for(lambda: self._closing, RETRY_S)
                    continue
            if closing:
                with self.lock:
                    if not self._commands and not any(lv.pending for lv in self.live.values()):
                        return

    def _cycle(self, commands: list[Command], lives: list[Live]) -> bool:
        cycle = Cycle()
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for command in commands:
                self._run_command(command, cycle)
            for lv in lives:
                self.write_events(cycle, lv)
            conn.execute("COMMIT")
        except Exception as exc:  # the file failed (or a bug): nothing of this cycle holds
            self._failed(commands, lives, exc)
            return False
        with self.lock:
            for lv in lives:
                lv.inflight = []
            for rid, progress in cycle.progress.items():
                if rid in self.live:
                    self.live[rid].progress = progress
            for action in cycle.after_commit:
                action()
            self.last_error = None
        for command in commands:
            if command.done is not None:
                command.done.set()
        return True

    def _run_command(self, command: Command, cycle: Cycle) -> None:
        self.conn.execute("SAVEPOINT command")
        try:
            command.result = command.run(self.conn, cycle)
        except sqlite3.OperationalError:
            raise  # the file failed: the whole cycle is tried again
        except Exception as exc:  # refused (unknown id, bad name): only this command fails
            self.conn.execute("ROLLBACK TO command")
            if isinstance(exc, sqlite3.Error):
                exc = StorageError(f"the recordings file refused a change: {exc}")
            command.error = exc
            if command.done is None:
                log.error("recordings: %s", exc)
        self.conn.execute("RELEASE command")

    def _failed(self, commands: list[Command], lives: list[Live], exc: Exception) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")
        message = f"cannot write the recordings file: {exc}"
        if self.last_error != message:
            log.error("recordings: %s; trying again every %s s", message, RETRY_S)
        retry = [c for c in commands if c.done is None]
        with self.lock:
            self.last_error = message
            for lv in lives:
                lv.pending, lv.inflight = lv.inflight + lv.pending, []
            self._commands[:0] = retry
        for command in commands:
            if command.done is not None:
                command.error = StorageError(message)
                command.done.set()

    # -- inside a cycle (the writer thread) ----------------------------------------------

    def progress(self, cycle: Cycle, lv: Live) -> Progress:
        """This cycle's copy of a live recording's progress."""
        rid = lv.meta.id
        if rid not in cycle.progress:
            cycle.progress[rid] = lv.progress.copy()
        return cycle.progress[rid]

    def write_events(self, cycle: Cycle, lv: Live) -> None:
        """A live recording's events of this cycle into the file (once per cycle)."""
        rid = lv.meta.id
        if rid in cycle.written or lv.failed:
            return
        cycle.written.add(rid)
        if not lv.inflight:
            return
        p = self.progress(cycle, lv)
        self.conn.execute("SAVEPOINT events")
        try:
            self._write(lv, p, lv.inflight)
            self._save_strings(lv, p, merge=p.string_tail_rows >= STRING_TAIL_ROWS)
            self.update_counts(rid, p)
        except sqlite3.Error:
            raise  # the file failed: the cycle is tried again
        except Exception as exc:
            # A value the codec cannot store slipped past append's checks: this recording
            # stops here, with what it had; the others go on.
            self.conn.execute("ROLLBACK TO events")
            cycle.progress[rid] = lv.progress.copy()
            message = f"recording {rid} stopped: an event could not be stored ({exc})"
            log.error("recordings: %s", message)
            cycle.after_commit.append(lambda: setattr(lv, "failed", message))
        self.conn.execute("RELEASE events")

    def _write(self, lv: Live, p: Progress, events: list[Event]) -> None:
        combined = p.tail + events
        full = len(combined) // MAX_BATCH_EVENTS * MAX_BATCH_EVENTS
        if not full:
            p.tail_bytes += self._insert(lv, p, events)
            p.tail += events
            p.tail_rows += 1
            return
        if p.tail:
            self._drop_tail(lv, p)
        for start in range(0, full, MAX_BATCH_EVENTS):
            self._insert(lv, p, combined[start:start + MAX_BATCH_EVENTS])
        rest = combined[full:]
        if rest:
            p.tail, p.tail_rows, p.tail_bytes = rest, 1, self._insert(lv, p, rest)

    def finish_tail(self, lv: Live, p: Progress) -> None:
        """At the end: the small batches as one, the small string chunks as one."""
        if p.tail_rows > 1:
            tail = p.tail
            self._drop_tail(lv, p)
            p.tail, p.tail_rows, p.tail_bytes = tail, 1, self._insert(lv, p, tail)
        self._save_strings(lv, p, merge=p.string_tail_rows > 1)

    def _drop_tail(self, lv: Live, p: Progress) -> None:
        self.conn.execute(
            "DELETE FROM batches WHERE recording = ? AND first_seq >= ?",
            (lv.meta.id, p.tail[0]["seq"]),
        )
        p.bytes -= p.tail_bytes
        p.tail, p.tail_rows, p.tail_bytes = [], 0, 0

    def _insert(self, lv: Live, p: Progress, events: list[Event]) -> int:
        """One batch row; returns its size."""
        blob = encode_batch(events, lv.strings)
        ts = [e["t"] for e in events]
        t0, t1 = min(ts), max(ts)
        self.conn.execute(
            "INSERT INTO batches (recording, first_seq, last_seq, t0, t1, blob) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (lv.meta.id, events[0]["seq"], events[-1]["seq"], t0, t1, blob),
        )
        p.bytes += len(blob)
        p.events = max(p.events, events[-1]["seq"] + 1)
        p.first_t = t0 if p.first_t is None else min(p.first_t, t0)
        p.last_t = t1 if p.last_t is None else max(p.last_t, t1)
        return len(blob)

    def _save_strings(self, lv: Live, p: Progress, merge: bool) -> None:
        rid, strings = lv.meta.id, lv.strings.strings
        if merge:
            self.conn.execute(
                "DELETE FROM strings WHERE recording = ? AND first_id >= ?",
                (rid, p.string_tail_first),
            )
            p.bytes -= p.string_tail_bytes
            p.strings = p.string_tail_first
        if p.strings == len(strings):
            return
        blob = encode_strings(strings[p.strings:])
        self.conn.execute(
            "INSERT INTO strings (recording, first_id, count, blob) VALUES (?, ?, ?, ?)",
            (rid, p.strings, len(strings) - p.strings, blob),
        )
        p.bytes += len(blob)
        if merge:
            p.string_tail_first = len(strings)
            p.string_tail_rows = p.string_tail_bytes = 0
        else:
            p.string_tail_rows += 1
            p.string_tail_bytes += len(blob)
        p.strings = len(strings)

    def update_counts(self, rid: str, p: Progress) -> None:
        self.conn.execute(
            "UPDATE recordings SET events = ?, first_t = ?, last_t = ?, bytes = ? WHERE id = ?",
            (p.events, p.first_t, p.last_t, p.bytes, rid),
        )

