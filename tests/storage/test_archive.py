"""Recording files out and in: a round trip keeps everything; a bad file changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from storeutil import assert_same_events

from schedviz.protocol import SCHEMA_VERSION
from schedviz.storage import archive, writer
from schedviz.storage.archive import (
    export_recording,
    import_any,
    import_jsonl,
    import_recording,
)
from schedviz.storage.codec import StringTable, encode_batch
from schedviz.storage.errors import RecordingLive, RefusedFile, TooLarge
from schedviz.storage.recordings import RecordingStore, StoredBatch
from schedviz.storage.records import Bookmark

Event = dict[str, Any]
HEADER = struct.Struct("<16sHHQ")


@pytest.fixture
def source(tmp_path: Path, real_runs: dict[str, list[Event]],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingStore]:
    """A store holding the real process-pool run in a few batches, with two bookmarks."""
    monkeypatch.setattr(writer, "MAX_BATCH_EVENTS", 256)
    with RecordingStore(tmp_path / "source.sqlite3", commit_interval_s=0.05) as store:
        _record_source(store, real_runs["processes"])
        yield store


def _record_source(store: RecordingStore, events: list[Event]) -> None:
    store.create_recording("t1", events[0]["config"], name="Chunks",
                           source="print('hi')\n")
    for i in range(0, len(events), 500):
        store.append("t1", events[i:i + 500])
    store.finish("t1", "completed")
    store.flush()
    store.bookmarks.add("t1", 5, "five")
    store.bookmarks.add("t1", 40, "forty")
    assert len(store.stored("t1")[2]) > 2


@pytest.fixture
def exported(source: RecordingStore) -> bytes:
    data = export_recording(source, "t1")
    source.close()
    return data


def snapshot(store: RecordingStore) -> list[Any]:
    """Everything in the library, to show a refused import changed nothing."""
    store.flush()
    with sqlite3.connect(store.path) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("recordings", "strings", "batches", "bookmarks", "sessions")]


def rebuilt(data: bytes, content: bytes | None = None, version: int | None = None,
            schema: int | None = None) -> bytes:
    """The file with other content or versions, and a checksum that fits again."""
    magic, v, s, _ = HEADER.unpack_from(data)
    body = data[HEADER.size:-32] if content is None else content
    head = HEADER.pack(magic, v if version is None else version,
                       s if schema is None else schema, len(body)) + body
    return head + hashlib.sha256(head).digest()


def sections(data: bytes) -> dict[bytes, bytes]:
    content, out, pos = data[HEADER.size:-32], {}, 0
    while pos < len(content):
        tag, length = struct.unpack_from("<4sQ", content, pos)
        out[tag] = content[pos + 12:pos + 12 + length]
        pos += 12 + length
    return out


def joined(parts: dict[bytes, bytes]) -> bytes:
    return b"".join(struct.pack("<4sQ", tag, len(p)) + p for tag, p in parts.items())


def test_a_recording_goes_out_and_back_whole(exported: bytes, store: RecordingStore,
                                             real_runs: dict[str, list[Event]],
                                             tmp_path: Path) -> None:
    assert exported.startswith(archive.MAGIC)
    rec = import_recording(store, exported)
    assert (rec.id, rec.name, rec.kept, rec.session) == ("t1", "Chunks", True, None)
    assert rec.ended_reason == "completed" and rec.source == "print('hi')\n"
    assert rec.events == len(real_runs["processes"])
    assert rec.schema_version == SCHEMA_VERSION
    assert_same_events(list(store.read_events("t1")), real_runs["processes"])
    assert [(b.seq, b.note) for b in store.bookmarks.of("t1")] == [(5, "five"), (40, "forty")]
    again = import_recording(store, exported)  # the same file twice: a second copy
    assert again.id == "t1-2" and store.count("t1-2") == rec.events
    path = tmp_path / "copy.schedviz"
    path.write_bytes(exported)
    assert import_any(store, path).id == "t1-3"


def test_export_writes_a_file_and_refuses_a_live_recording(tmp_path: Path) -> None:
    with RecordingStore(tmp_path / "r.sqlite3") as store:
        store.create_recording("live", {})
        with pytest.raises(RecordingLive, match="still being recorded"):
            export_recording(store, "live")
        store.finish("live", "stopped")
        store.flush()
        data = export_recording(store, "live", tmp_path / "out.schedviz")
        assert (tmp_path / "out.schedviz").read_bytes() == data


def test_an_older_event_schema_opens(exported: bytes, store: RecordingStore) -> None:
    rec = import_recording(store, rebuilt(exported, schema=SCHEMA_VERSION - 1))
    assert rec.schema_version == SCHEMA_VERSION - 1 and rec.events > 0


def refusals(exported: bytes) -> dict[str, tuple[bytes, str]]:
    """name -> (a bad file, what the refusal must say)."""
    parts = sections(exported)
    meta = json.loads(parts[b"META"])
    body = parts[b"BTCH"]
    first, last, _, _, length = struct.unpack_from("<QQqqI", body)
    blob = bytearray(body[36:36 + length])
    blob[len(blob) // 2] ^= 0xFF
    return {
        "empty": (b"", "the file is empty"),
        "foreign": (b"\x00\x01garbage" * 50, "not a schedviz recording file"),
        "json": (b'{"seq": 0}\n', "looks like JSON.*import_jsonl"),
        "gzip": (gzip.compress(exported), "gzip file"),
        "sqlite": (b"SQLite format 3\x00" + bytes(100), "SQLite database"),
        "header only": (exported[:30], "truncated: 30 bytes is less than a header"),
        "truncated": (exported[:-100], f"truncated: it has {len(exported) - 100} of its "
                                       f"{len(exported)} bytes"),
        "extra bytes": (exported + b"more", "4 bytes after its end"),
        "checksum": (exported[:200] + bytes([exported[200] ^ 1]) + exported[201:],
                     r"checksum \(sha256\) does not match"),
        "newer format": (rebuilt(exported, version=2),
                         "format version 2, made by a newer schedviz; this one reads version 1"),
        "newer schema": (rebuilt(exported, schema=SCHEMA_VERSION + 1),
                         f"schema version {SCHEMA_VERSION + 1}, newer than this schedviz's "
                         f"version {SCHEMA_VERSION}"),
        "schema 0": (rebuilt(exported, schema=0), f"reads versions 1–{SCHEMA_VERSION}"),
        "corrupt batch": (rebuilt(exported, joined({**parts, b"BTCH": body[:36] + bytes(blob)
                                                    + body[36 + length:]})),
                          f"batch of events {first}–{last} does not decode"),
        "missing batch": (rebuilt(exported, joined({**parts, b"BTCH": body[36 + length:]})),
                          f"events 0… are missing \\(a batch holds {last + 1}–"),
        "missing section": (rebuilt(exported, joined({b"META": parts[b"META"]})),
                            "BMKS section is missing"),
        "wrong count": (rebuilt(exported, joined({
            **parts, b"META": json.dumps({**meta, "events": 5}).encode()})),
            "metadata says 5 events"),
        "bad metadata": (rebuilt(exported, joined({
            **parts, b"META": json.dumps({**meta, "name": ""}).encode()})),
            "metadata: a name cannot be empty"),
        "bad bookmark": (rebuilt(exported, joined({
            **parts, b"BMKS": b'[{"seq": 99999, "t": 0, "note": "", "created_ns": 0}]'})),
            "bookmark 1 is not"),
    }


REFUSALS = ["empty", "foreign", "json", "gzip", "sqlite", "header only", "truncated",
            "extra bytes", "checksum", "newer format", "newer schema", "schema 0",
            "corrupt batch", "missing batch", "missing section", "wrong count", "bad metadata",
            "bad bookmark"]


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_file_is_refused_and_nothing_is_stored(exported: bytes, store: RecordingStore,
                                                     case: str) -> None:
    import_recording(store, exported)  # the library holds something already
    before = snapshot(store)
    data, message = refusals(exported)[case]
    with pytest.raises(RefusedFile, match=message):
        import_recording(store, data)
    assert snapshot(store) == before


def test_the_cases_cover_every_refusal(exported: bytes) -> None:
    assert sorted(refusals(exported)) == sorted(REFUSALS)


def test_size_bounds(exported: bytes, store: RecordingStore,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(store)
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", len(exported) - 1)
    with pytest.raises(TooLarge, match=r"at most 0 MiB can be imported \(MAX_FILE_BYTES\)"):
        import_recording(store, exported)
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 2**30)
    monkeypatch.setattr(archive, "MAX_DECOMPRESSED_BYTES", 5000)
    with pytest.raises(TooLarge, match=r"decompresses to more than 0 MiB"):
        import_recording(store, exported)
    assert snapshot(store) == before


def test_a_failing_insert_stores_nothing(store: RecordingStore, exported: bytes) -> None:
    """The last step of an import is one transaction: a failure in it leaves no trace."""
    import_recording(store, exported)
    before = snapshot(store)
    rec, strings, batches = store.stored("t1")
    bad_mark = Bookmark(0, "", 1, 1, None, 0)  # type: ignore[arg-type]  # (NOT NULL fails)
    with pytest.raises(Exception, match="refused a change"):
        store.insert_recording(rec, strings, batches, [bad_mark])
    assert snapshot(store) == before


# -- JSON Lines ------------------------------------------------------------------------------


@pytest.mark.parametrize("run", ["processes", "asyncio", "gil"])
def test_jsonl_of_a_real_run_imports_exactly(store: RecordingStore, run: str,
                                             real_run_files: dict[str, Path],
                                             real_runs: dict[str, list[Event]]) -> None:
    rec = import_jsonl(store, real_run_files[run])
    events = real_runs[run]
    assert rec.id == events[0]["run_id"] and rec.events == len(events) and rec.kept
    assert rec.ended_reason == events[-1]["reason"] and rec.name.endswith("(imported)")
    assert rec.created_ns == events[0]["wall_time_ns"]
    assert_same_events(list(store.read_events(rec.id)), events)
    assert import_any(store, real_run_files[run].read_bytes()).id == f"{rec.id}-2"


def jsonl(*events: Any) -> bytes:
    return b"".join((e if isinstance(e, bytes) else json.dumps(e).encode()) + b"\n"
                    for e in events)


START = {"seq": 0, "t": 0, "kind": "run_started", "run_id": "j1", "wall_time_ns": 5,
         "schema_version": SCHEMA_VERSION, "config": {"executor": "threads"}}
DEPTH = {"seq": 1, "t": 10, "kind": "queue_depth", "depth": 2}


def test_jsonl_with_blank_lines_and_no_end_imports_as_interrupted(
        store: RecordingStore) -> None:
    rec = import_jsonl(store, jsonl(START, b"", DEPTH, b"  "), name="Mine")
    assert (rec.name, rec.events, rec.ended_reason, rec.ended_ns) == (
        "Mine", 2, "interrupted", None)


def test_jsonl_of_an_older_schema_keeps_its_fields(store: RecordingStore) -> None:
    old = {**START, "schema_version": 1}
    worker = {"seq": 1, "t": 3, "kind": "worker_exited", "worker": 0, "pool": 0}  # (no exitcode)
    rec = import_jsonl(store, jsonl(old, worker))
    assert rec.schema_version == 1
    assert list(store.read_events(rec.id))[1] == worker


JSONL_REFUSALS: dict[str, tuple[bytes, str]] = {
    "empty": (b"\n\n", "holds no events"),
    "not json": (jsonl(START, b"{nope"), "line 2 is not JSON"),
    "not an object": (jsonl(START, [1, 2]), "line 2: an event is a JSON object; got list"),
    "no t": (jsonl(START, {"seq": 1, "kind": "queue_depth", "depth": 1}), "line 2: .*lacks t"),
    "t not int": (jsonl(START, {**DEPTH, "t": 1.5}), "line 2: seq and t are integers"),
    "gap": (jsonl(START, DEPTH, {**DEPTH, "seq": 3}), "line 3: seq must be 2 .*got 3"),
    "not from 0": (jsonl({**START, "seq": 1}), "line 1: seq must be 0"),
    "no run_started": (jsonl({**DEPTH, "seq": 0}), "line 1: the first event must be "
                                                   "run_started; got 'queue_depth'"),
    "unknown kind": (jsonl(START, {"seq": 1, "t": 0, "kind": "teleport"}),
                     "line 2: unknown event kind 'teleport'"),
    "wrong fields": (jsonl(START, {**DEPTH, "colour": 1}), "line 2: .*it has depth, colour"),
    "newer schema": (jsonl({**START, "schema_version": SCHEMA_VERSION + 1}),
                     f"line 1: .*schema version {SCHEMA_VERSION + 1}, newer than this "
                     f"schedviz's version {SCHEMA_VERSION}"),
    "bad start": (jsonl({**START, "config": "x"}), "line 1: .*(config|fields)"),
    "huge int": (jsonl(START, b'{"seq": 1, "t": ' + b"9" * 5000 + b', "kind": "x"}'),
                 "line 2 is not JSON"),
}


@pytest.mark.parametrize("case", sorted(JSONL_REFUSALS))
def test_bad_jsonl_is_refused_by_line_and_nothing_is_stored(store: RecordingStore,
                                                            case: str) -> None:
    import_jsonl(store, jsonl(START, DEPTH))
    before = snapshot(store)
    data, message = JSONL_REFUSALS[case]
    with pytest.raises(RefusedFile, match=message):
        import_jsonl(store, data)
    assert snapshot(store) == before


def test_insert_recording_takes_a_free_id(store: RecordingStore) -> None:
    table = StringTable()
    events = [START, DEPTH]
    batch = StoredBatch(0, 1, 0, 10, encode_batch(events, table))
    rec = import_jsonl(store, jsonl(*events))
    again = store.insert_recording(rec, table.strings, [batch], [])
    assert again.id == "j1-2" and list(store.read_events("j1-2")) == events
