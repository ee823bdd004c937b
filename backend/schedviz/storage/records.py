"""What the store hands out: a recording, a bookmark, a session, each a frozen snapshot.

Also the rules for what a user may type into them (names and notes), checked in one place so
every way in (rename, keep, import, bookmarks) refuses the same things with the same words.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from schedviz.storage.errors import InvalidValue

MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 2_000
MAX_SOURCE_CHARS = 1_000_000  # the text of a traced program; more is not a lesson


@dataclass(frozen=True)
class Recording:
    """A recorded run: its identity, what it ran, and how much of it the store holds."""

    id: str
    name: str
    kept: bool  # kept recordings are never pruned
    created_ns: int  # wall-clock Unix ns when recording began
    ended_ns: int | None  # wall-clock Unix ns when it finished; None while live or if cut
    config: dict[str, Any]
    schema_version: int  # protocol.SCHEMA_VERSION of its events
    session: int | None  # None for an imported recording
    events: int
    first_t: int | None  # smallest t of its events (ns since the run started)
    last_t: int | None  # largest t
    bytes: int  # stored size of its events and strings
    ended_reason: str | None  # completed, stopped, error, interrupted (cut by a crash)
    source: str | None  # the text of the code it ran, when it traced a program
    live: bool  # still being recorded

    def as_json(self) -> dict[str, Any]:
        """The recording as the web sends it (without the source text: `has_source` says)."""
        out = asdict(self)
        out["has_source"] = out.pop("source") is not None
        return out


@dataclass(frozen=True)
class Bookmark:
    """A note at one event of a recording."""

    id: int
    recording: str
    seq: int
    t: int
    note: str
    created_ns: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Session:
    """Runs made one after another; an idle hour (or `new_session()`) starts the next."""

    id: int
    started_ns: int
    name: str | None
    recordings: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


RECORDING_COLUMNS = (
    "id, name, kept, created_ns, ended_ns, config, schema_version, session, events, "
    "first_t, last_t, bytes, ended_reason, source"
)


def recording_from_row(row: sqlite3.Row | tuple[Any, ...], live: bool = False) -> Recording:
    """A row of `SELECT {RECORDING_COLUMNS}` as a Recording."""
    (rid, name, kept, created, ended, config, version, session, events, first_t, last_t,
     size, reason, source) = tuple(row)
    return Recording(
        id=rid, name=name, kept=bool(kept), created_ns=created, ended_ns=ended,
        config=json.loads(config), schema_version=version, session=session, events=events,
        first_t=first_t, last_t=last_t, bytes=size, ended_reason=reason, source=source,
        live=live,
    )


def check_name(name: object) -> str:
    """A recording's name as stored (trimmed), or InvalidValue saying what is allowed."""
    if not isinstance(name, str):
        raise InvalidValue(f"a name is text; got {type(name).__name__}")
    name = name.strip()
    if not name:
        raise InvalidValue("a name cannot be empty")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidValue(f"a name has at most {MAX_NAME_CHARS} characters; got {len(name)}")
    _no_control(name, "a name", allow_newlines=False)
    return name


def check_note(note: object) -> str:
    """A bookmark's note as stored; it may be empty or span lines."""
    if not isinstance(note, str):
        raise InvalidValue(f"a note is text; got {type(note).__name__}")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidValue(f"a note has at most {MAX_NOTE_CHARS} characters; got {len(note)}")
    _no_control(note, "a note", allow_newlines=True)
    return note


def check_source(source: object) -> str | None:
    if source is None:
        return None
    if not isinstance(source, str):
        raise InvalidValue(f"source is text or None; got {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise InvalidValue(
            f"source text has at most {MAX_SOURCE_CHARS} characters; got {len(source)}"
        )
    return source


def _no_control(text: str, what: str, allow_newlines: bool) -> None:
    allowed = "\n\t" if allow_newlines else ""
    for ch in text:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidValue(f"{what} cannot contain the control character {ch!r}")


def default_name(config: Mapping[str, Any]) -> str:
    """A name that says what ran, until the user gives one: "threads · sleep · 12 tasks"."""
    parts = [str(config[k]) for k in ("executor", "workload") if k in config]
    if "n_tasks" in config:
        parts.append(f"{config['n_tasks']} tasks")
    return " · ".join(parts) or "a run"
