"""A recording as one downloadable file, and the way back in: checked whole before anything is
stored, then stored in one transaction.

The file (all integers little-endian):

    MAGIC                                  16 bytes
    format version, event schema version   u16, u16
    content length                         u64
    content: sections, each a 4-byte tag, a u64 length, then that many bytes, in this order:
      META  the recording's metadata, JSON
      BMKS  its bookmarks, JSON (a list of {seq, t, note, created_ns})
      STRS  its string table (codec.encode_strings)
      BTCH  its batches: each first_seq u64, last_seq u64, t0 i64, t1 i64, length u32, blob
    sha256 of everything before it         32 bytes

An import refuses, with a message and without writing anything: a file too large or one that
decompresses too large, a foreign or truncated file, an unknown (newer) format or event
schema version, a checksum that does not match, and content that does not decode to gap-free
events from seq 0. Batches are stored as the file has them, once each has decoded.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

from schedviz.protocol import FIELDS, SCHEMA_VERSION
from schedviz.storage.codec import (
    CodecError,
    InflateLimit,
    StringTable,
    decode_body,
    decode_strings,
    encode_batch,
    encode_strings,
    inflate,
    wire_event,
)
from schedviz.storage.errors import InvalidValue, RefusedFile, TooLarge
from schedviz.storage.recordings import RecordingStore, StoredBatch
from schedviz.storage.records import (
    Bookmark,
    Recording,
    check_name,
    check_note,
    check_source,
    default_name,
)
from schedviz.storage.writer import MAX_BATCH_EVENTS

MAGIC = b"\x89schedviz-rec\r\n\x1a"  # PNG's trick: text-mode mangling and 7-bit copies show
FORMAT_VERSION = 1
MIN_SCHEMA_VERSION = 1  # the oldest event schema this schedviz still reads
MAX_FILE_BYTES = 256 * 1024 * 1024  # an upload larger than this is refused unread
MAX_DECOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024  # what its batches and strings may inflate to

_HEADER = struct.Struct("<16sHHQ")
_SECTION = struct.Struct("<4sQ")
_BATCH = struct.Struct("<QQqqI")
_DIGEST = 32
_SECTIONS = (b"META", b"BMKS", b"STRS", b"BTCH")
_META_FIELDS = ("id", "name", "kept", "created_ns", "ended_ns", "config", "events", "first_t",
                "last_t", "ended_reason", "source")


def export_recording(store: RecordingStore, recording_id: str, path: str | Path | None = None
                     ) -> bytes:
    """The recording as one file's bytes (also written to `path`, when given)."""
    rec, strings, batches = store.stored(recording_id)
    meta = {k: getattr(rec, k) for k in _META_FIELDS}
    marks = [{"seq": b.seq, "t": b.t, "note": b.note, "created_ns": b.created_ns}
             for b in store.bookmarks.of(recording_id)]
    parts = [_section(b"META", json.dumps(meta).encode()),
             _section(b"BMKS", json.dumps(marks).encode()),
             _section(b"STRS", encode_strings(strings))]
    body = b"".join(_BATCH.pack(b.first_seq, b.last_seq, b.t0, b.t1, len(b.blob)) + b.blob
                    for b in batches)
    parts.append(_section(b"BTCH", body))
    content = b"".join(parts)
    head = _HEADER.pack(MAGIC, FORMAT_VERSION, rec.schema_version, len(content)) + content
    data = head + hashlib.sha256(head).digest()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _section(tag: bytes, payload: bytes) -> bytes:
    return _SECTION.pack(tag, len(payload)) + payload


def import_recording(store: RecordingStore, data: bytes | str | Path) -> Recording:
    """Store an exported recording file; RefusedFile (nothing stored) if it is not one."""
    raw = _read(data)
    if not raw.startswith(MAGIC):
        raise RefusedFile(_foreign(raw))
    if len(raw) < _HEADER.size + _DIGEST:
        raise RefusedFile(f"the file is truncated: {len(raw)} bytes is less than a header")
    _, version, schema, length = _HEADER.unpack_from(raw)
    if version != FORMAT_VERSION:
        newer = "a newer" if version > FORMAT_VERSION else "an unknown"
        raise RefusedFile(
            f"the file is in recording format version {version}, made by {newer} schedviz; "
            f"this one reads version {FORMAT_VERSION}"
        )
    check_schema_version(schema)
    expected = _HEADER.size + length + _DIGEST
    if len(raw) < expected:
        raise RefusedFile(f"the file is truncated: it has {len(raw)} of its {expected} bytes")
    if len(raw) > expected:
        raise RefusedFile(f"the file has {len(raw) - expected} bytes after its end")
    if hashlib.sha256(raw[:-_DIGEST]).digest() != raw[-_DIGEST:]:
        raise RefusedFile("the file is corrupt: its checksum (sha256) does not match its content")
    sections = _sections(memoryview(raw)[_HEADER.size:-_DIGEST])
    meta = _meta(sections[b"META"], schema)
    budget = _Budget()
    try:
        strings = decode_strings(bytes(sections[b"STRS"]), budget.left())
    except InflateLimit:
        raise budget.exceeded() from None
    except CodecError as exc:
        raise RefusedFile(f"the file is corrupt: its string table does not decode ({exc})"
                          ) from None
    budget.spend(sum(len(s) for s in strings))
    batches = _batches(sections[b"BTCH"], strings, meta.events, budget, schema)
    marks = _bookmarks(sections[b"BMKS"], meta.events)
    return store.insert_recording(_spanned(meta, batches), strings, batches, marks)


def _spanned(meta: Recording, batches: list[StoredBatch]) -> Recording:
    """The metadata with its time span as the batches have it (not as the file says)."""
    return replace(
        meta, first_t=min((b.t0 for b in batches), default=None),
        last_t=max((b.t1 for b in batches), default=None),
    )


def check_schema_version(schema: object) -> int:
    """An event schema version this schedviz reads, or RefusedFile naming both versions."""
    if type(schema) is not int or schema < MIN_SCHEMA_VERSION:
        raise RefusedFile(
            f"its events are in schema version {schema!r}; this schedviz reads versions "
            f"{MIN_SCHEMA_VERSION}–{SCHEMA_VERSION}"
        )
    if schema > SCHEMA_VERSION:
        raise RefusedFile(
            f"its events are in schema version {schema}, newer than this schedviz's version "
            f"{SCHEMA_VERSION}: open it with a newer schedviz"
        )
    return schema


def _read(data: bytes | str | Path) -> bytes:
    if isinstance(data, bytes):
        size = len(data)
    else:
        try:
            size = Path(data).stat().st_size
        except OSError as exc:
            raise RefusedFile(f"cannot read {data}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise TooLarge(
            f"the file is {size / 2**20:.1f} MiB; at most {MAX_FILE_BYTES // 2**20} MiB can be "
            "imported (MAX_FILE_BYTES)"
        )
    return data if isinstance(data, bytes) else Path(data).read_bytes()


def _foreign(raw: bytes) -> str:
    head = raw.lstrip()[:1]
    if not raw:
        return "the file is empty"
    if head == b"{":
        return ("this is not a schedviz recording file but it looks like JSON: if it holds "
                "events as JSON Lines (schedviz run --events-out), import it with import_jsonl")
    if raw[:2] == b"\x1f\x8b":
        return "this is a gzip file, not a schedviz recording file: unpack it first"
    if raw.startswith(b"SQLite format 3"):
        return "this is an SQLite database, not an exported recording file"
    return "this is not a schedviz recording file (it does not begin with schedviz's marker)"


def _sections(content: memoryview) -> dict[bytes, memoryview]:
    out: dict[bytes, memoryview] = {}
    pos = 0
    for tag in _SECTIONS:
        if pos + _SECTION.size > len(content):
            raise RefusedFile(f"the file is corrupt: its {tag.decode()} section is missing")
        found, length = _SECTION.unpack_from(content, pos)
        if found != tag:
            raise RefusedFile(f"the file is corrupt: expected section {tag.decode()}, found "
                              f"{bytes(found)!r}")
        pos += _SECTION.size
        if pos + length > len(content):
            raise RefusedFile(f"the file is corrupt: its {tag.decode()} section is cut short")
        out[tag] = content[pos:pos + length]
        pos += length
    if pos != len(content):
        raise RefusedFile(f"the file is corrupt: {len(content) - pos} bytes after its sections")
    return out


def _meta(payload: memoryview, schema: int) -> Recording:
    try:
        meta = json.loads(bytes(payload))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefusedFile(f"the file's metadata is not JSON: {exc}") from None
    if not isinstance(meta, dict) or set(meta) != set(_META_FIELDS):
        raise RefusedFile(f"the file's metadata must have exactly: {', '.join(_META_FIELDS)}")
    ints = ("created_ns", "events")
    optional_ints = ("ended_ns", "first_t", "last_t")
    if (any(type(meta[k]) is not int for k in ints)
            or any(meta[k] is not None and type(meta[k]) is not int for k in optional_ints)
            or meta["events"] < 0 or not isinstance(meta["config"], dict)
            or type(meta["kept"]) is not bool or not isinstance(meta["id"], str)
            or not (meta["ended_reason"] is None or isinstance(meta["ended_reason"], str))):
        raise RefusedFile("the file's metadata has a field of the wrong type")
    try:
        name, source = check_name(meta["name"]), check_source(meta["source"])
    except InvalidValue as exc:
        raise RefusedFile(f"the file's metadata: {exc}") from None
    return Recording(  # imported: kept, as a user brought it in on purpose
        id=_safe_id(meta["id"]), name=name, kept=True, created_ns=meta["created_ns"],
        ended_ns=meta["ended_ns"], config=meta["config"], schema_version=schema,
        session=None, events=meta["events"], first_t=meta["first_t"], last_t=meta["last_t"],
        bytes=0, ended_reason=meta["ended_reason"] or "interrupted", source=source,
        live=False,
    )


def _safe_id(rid: str) -> str:
    """An id as the store takes it (an imported file may come from anywhere)."""
    keep = "".join(c for c in rid if c.isascii() and (c.isalnum() or c in "-_."))[:48]
    return keep or "imported"


class _Budget:
    """Bytes that decompression may still produce."""

    def __init__(self) -> None:
        self.spent = 0

    def left(self) -> int:
        return MAX_DECOMPRESSED_BYTES - self.spent

    def spend(self, n: int) -> None:
        self.spent += n
        if self.spent > MAX_DECOMPRESSED_BYTES:
            raise self.exceeded()

    def exceeded(self) -> TooLarge:
        return TooLarge(
            f"the file decompresses to more than {MAX_DECOMPRESSED_BYTES // 2**20} MiB "
            "(MAX_DECOMPRESSED_BYTES)"
        )


def _batches(payload: memoryview, strings: list[str], events: int, budget: _Budget,
             schema: int) -> list[StoredBatch]:
    out: list[StoredBatch] = []
    pos, expected = 0, 0
    while pos < len(payload):
        if pos + _BATCH.size > len(payload):
            raise RefusedFile("the file is corrupt: a batch header is cut short")
        first, last, t0, t1, length = _BATCH.unpack_from(payload, pos)
        pos += _BATCH.size
        blob = bytes(payload[pos:pos + length])
        pos += length
        if len(blob) != length:
            raise RefusedFile("the file is corrupt: a batch is cut short")
        if first != expected or last < first:
            raise RefusedFile(f"the file is corrupt: events {expected}… are missing (a batch "
                              f"holds {first}–{last})")
        try:
            body = inflate(blob, budget.left())
            budget.spend(len(body))
            decoded = decode_body(body, strings)
        except InflateLimit:
            raise budget.exceeded() from None
        except CodecError as exc:
            raise RefusedFile(f"the file is corrupt: the batch of events {first}–{last} does "
                              f"not decode ({exc})") from None
        check_events(decoded, first, last, t0, t1, schema)
        out.append(StoredBatch(first, last, t0, t1, blob))
        expected = last + 1
    if expected != events:
        raise RefusedFile(f"the file is corrupt: its metadata says {events} events, its "
                          f"batches hold {expected}")
    return out


def check_events(decoded: list[dict[str, Any]], first: int, last: int, t0: int, t1: int,
                 schema: int) -> None:
    """A decoded batch matches its header, and its kinds are ones this schedviz knows (in
    this schedviz's own schema version, with exactly their fields)."""
    if len(decoded) != last - first + 1 or decoded[0]["seq"] != first:
        raise RefusedFile(f"the file is corrupt: the batch of events {first}–{last} holds "
                          f"{len(decoded)} events")
    ts = [e["t"] for e in decoded]
    if min(ts) != t0 or max(ts) != t1:
        raise RefusedFile(f"the file is corrupt: the batch of events {first}–{last} has other "
                          "times than its header says")
    for e in decoded:
        if e["kind"] not in FIELDS:
            raise RefusedFile(f"event {e['seq']} has a kind this schedviz does not know: "
                              f"{e['kind']!r}")
        if schema == SCHEMA_VERSION:
            try:
                wire_event(e)
            except CodecError as exc:
                raise RefusedFile(f"the file's events do not fit the schema: {exc}") from None
    if first == 0 and decoded[0]["kind"] != "run_started":
        raise RefusedFile("the file is corrupt: its first event is not run_started")


def _bookmarks(payload: memoryview, events: int) -> list[Bookmark]:
    try:
        marks = json.loads(bytes(payload))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefusedFile(f"the file's bookmarks are not JSON: {exc}") from None
    if not isinstance(marks, list):
        raise RefusedFile("the file's bookmarks must be a list")
    out = []
    for i, m in enumerate(marks):
        if (not isinstance(m, dict) or set(m) != {"seq", "t", "note", "created_ns"}
                or any(type(m[k]) is not int for k in ("seq", "t", "created_ns"))
                or not 0 <= m["seq"] < events):
            raise RefusedFile(f"the file's bookmark {i + 1} is not {{seq, t, note, created_ns}} "
                              f"with seq an event of the recording")
        try:
            note = check_note(m["note"])
        except InvalidValue as exc:
            raise RefusedFile(f"the file's bookmark {i + 1}: {exc}") from None
        out.append(Bookmark(0, "", m["seq"], m["t"], note, m["created_ns"]))
    return out


# ---------------------------------------------------------------------------------------------
# JSON Lines of events (what `schedviz run --events-out` writes)
# ---------------------------------------------------------------------------------------------


def import_jsonl(store: RecordingStore, data: bytes | str | Path, name: str | None = None
                 ) -> Recording:
    """Store a run's JSON Lines of events; RefusedFile (nothing stored) names the bad line.

    Every line is one event object with seq, t and a known kind, gap-free from seq 0, which is
    its run_started; under this schedviz's schema version each has exactly its kind's fields.
    """
    raw = _read(data)
    strings = StringTable()
    batches: list[StoredBatch] = []
    chunk: list[dict[str, Any]] = []
    head: dict[str, Any] = {}
    last: dict[str, Any] = {}
    schema = SCHEMA_VERSION
    seq = 0
    for lineno, line in enumerate(io.BytesIO(raw), 1):
        if not line.strip():
            continue
        ev = _jsonl_event(line, lineno, seq)
        if seq == 0:
            head = _jsonl_head(ev, lineno)
            schema = head["schema_version"]
        elif schema == SCHEMA_VERSION:
            try:
                wire_event(ev)
            except CodecError as exc:
                raise RefusedFile(f"line {lineno}: {exc}") from None
        chunk.append(ev)
        seq += 1
        last = ev
        if len(chunk) == MAX_BATCH_EVENTS:
            batches.append(_stored(chunk, strings))
            chunk = []
    if chunk:
        batches.append(_stored(chunk, strings))
    if not head:
        raise RefusedFile("the file holds no events")
    config = head["config"]
    ended = last["kind"] == "run_ended"
    meta = Recording(
        id=_safe_id(str(head["run_id"])), kept=True,
        name=check_name(name) if name is not None else f"{default_name(config)} (imported)",
        created_ns=head["wall_time_ns"],
        ended_ns=head["wall_time_ns"] + max(b.t1 for b in batches) if ended else None,
        config=config, schema_version=schema, session=None, events=seq, first_t=None,
        last_t=None, bytes=0, ended_reason=str(last.get("reason")) if ended else "interrupted",
        source=None, live=False,
    )
    return store.insert_recording(_spanned(meta, batches), strings.strings, batches, [])


def _jsonl_event(line: bytes, lineno: int, seq: int) -> dict[str, Any]:
    try:
        ev = json.loads(line)
    except ValueError as exc:  # not JSON, not UTF-8, or an int too long to parse
        raise RefusedFile(f"line {lineno} is not JSON: {exc}") from None
    if not isinstance(ev, dict):
        raise RefusedFile(f"line {lineno}: an event is a JSON object; got {type(ev).__name__}")
    missing = [k for k in ("seq", "t", "kind") if k not in ev]
    if missing:
        raise RefusedFile(f"line {lineno}: an event needs seq, t and kind; it lacks "
                          f"{', '.join(missing)}")
    if type(ev["seq"]) is not int or type(ev["t"]) is not int:
        raise RefusedFile(f"line {lineno}: seq and t are integers; got seq {ev['seq']!r}, "
                          f"t {ev['t']!r}")
    if ev["seq"] != seq:
        raise RefusedFile(f"line {lineno}: seq must be {seq} (seqs go on from 0 without "
                          f"gaps); got {ev['seq']}")
    if ev["kind"] not in FIELDS:
        raise RefusedFile(f"line {lineno}: unknown event kind {ev['kind']!r}; known kinds: "
                          f"{', '.join(sorted(FIELDS))}")
    return ev


def _jsonl_head(ev: dict[str, Any], lineno: int) -> dict[str, Any]:
    if ev["kind"] != "run_started":
        raise RefusedFile(f"line {lineno}: the first event must be run_started; got "
                          f"{ev['kind']!r}")
    try:
        check_schema_version(ev.get("schema_version"))
    except RefusedFile as exc:
        raise RefusedFile(f"line {lineno}: {exc}") from None
    if ev["schema_version"] == SCHEMA_VERSION:
        try:
            wire_event(ev)
        except CodecError as exc:
            raise RefusedFile(f"line {lineno}: {exc}") from None
    if (type(ev.get("wall_time_ns")) is not int or not isinstance(ev.get("config"), dict)
            or not isinstance(ev.get("run_id"), str)):
        raise RefusedFile(f"line {lineno}: run_started needs run_id (text), wall_time_ns "
                          "(an int) and config (an object)")
    return ev


def _stored(events: list[dict[str, Any]], strings: StringTable) -> StoredBatch:
    ts = [e["t"] for e in events]
    blob = encode_batch(events, strings)
    return StoredBatch(events[0]["seq"], events[-1]["seq"], min(ts), max(ts), blob)


def import_any(store: RecordingStore, data: bytes | str | Path) -> Recording:
    """An exported recording file or JSON Lines of events, told apart by how they begin."""
    raw = _read(data)
    if raw.lstrip()[:1] == b"{":
        return import_jsonl(store, raw)
    return import_recording(store, raw)
