"""The recordings file's tables, and the one way to open it: locked, WAL, checked, migrated.

`STORE_VERSION` is the version of these tables (not of the events in them: each recording
carries its own `schema_version`). A file of an older version is migrated step by step, each
step in its own transaction, by `MIGRATIONS[n]` (from n to n + 1); a file of a newer version
is refused rather than guessed at.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from schedviz.storage.errors import StorageError

STORE_VERSION = 1
#: n -> the step that takes a file from version n to n + 1 (none yet: version 1 is the first).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}
BUSY_TIMEOUT_S = 10.0

TABLES = """
CREATE TABLE store_version (version INTEGER NOT NULL);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_ns INTEGER NOT NULL,
    name TEXT
);
CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kept INTEGER NOT NULL DEFAULT 0,
    created_ns INTEGER NOT NULL,
    ended_ns INTEGER,
    config TEXT NOT NULL,                -- the RunConfig as JSON
    schema_version INTEGER NOT NULL,     -- protocol.SCHEMA_VERSION of its events
    session INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    events INTEGER NOT NULL DEFAULT 0,
    first_t INTEGER,
    last_t INTEGER,
    bytes INTEGER NOT NULL DEFAULT 0,    -- its batches and strings, stored
    ended_reason TEXT,
    source TEXT
);
CREATE INDEX recordings_by_created ON recordings(created_ns);
CREATE INDEX recordings_by_session ON recordings(session, created_ns);
-- A recording's interned strings, in chunks: ids first_id .. first_id + count - 1.
CREATE TABLE strings (
    recording TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    first_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (recording, first_id)
);
-- A recording's events, a codec blob per batch of gap-free seqs.
CREATE TABLE batches (
    recording TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    t0 INTEGER NOT NULL,                 -- smallest t in the batch
    t1 INTEGER NOT NULL,                 -- largest t
    blob BLOB NOT NULL,
    PRIMARY KEY (recording, first_seq)
);
CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY,
    recording TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    t INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_ns INTEGER NOT NULL
);
CREATE INDEX bookmarks_by_recording ON bookmarks(recording, seq);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the recordings file with this module's settings (no migration)."""
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # in WAL: a commit survives a killed process
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise StorageError(
            f"cannot open the recordings file {path}: {exc}. Move it away to start an empty "
            "library, or set SCHEDVIZ_DATA_DIR to another folder."
        ) from exc
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables in an empty file, or bring an older file to STORE_VERSION."""
    try:
        version = _version(conn)
        if version is None:
            with _transaction(conn):
                if _version(conn) is None:  # another opener may have been first
                    for statement in TABLES.split(";")[:-1]:  # (executescript would COMMIT)
                        conn.execute(statement)
                    conn.execute("INSERT INTO store_version VALUES (?)", (STORE_VERSION,))
            return
        if version > STORE_VERSION:
            raise StorageError(
                f"the recordings file {path} was written by a newer schedviz (its tables are "
                f"version {version}; this one knows up to {STORE_VERSION}): upgrade schedviz, "
                "or set SCHEDVIZ_DATA_DIR to another folder"
            )
        while version < STORE_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise StorageError(
                    f"the recordings file {path} has tables of version {version}, and this "
                    f"schedviz has no way from there to version {STORE_VERSION}"
                )
            with _transaction(conn):
                step(conn)
                conn.execute("UPDATE store_version SET version = ?", (version + 1,))
            version += 1
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"the recordings file {path} cannot be read as a recordings file ({exc}). Move it "
            "away to start an empty library, or set SCHEDVIZ_DATA_DIR to another folder."
        ) from exc


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _version(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'store_version'"
    ).fetchone()
    if row is None:
        return None
    found = conn.execute("SELECT version FROM store_version").fetchone()
    if found is None:
        raise StorageError("the recordings file has a store_version table without a version")
    return int(found[0])


def lock(path: Path) -> int:
    """Hold the lock file beside `path` (its fd) so that one process at a time has it open."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageError(
            f"cannot open {lock_path}: {exc.strerror}. Is {path.parent} a writable folder? "
            "Set SCHEDVIZ_DATA_DIR to one."
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise StorageError(
            f"the recordings file {path} is open in another schedviz (pid {holder}); stop "
            "that one, or give this one its own SCHEDVIZ_DATA_DIR"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
