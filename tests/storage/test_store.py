"""The recordings store: recording runs as the web does, reading them back, the library."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from storeutil import assert_same_events

from schedviz.storage import errors, schema, writer
from schedviz.storage.recordings import RecordingStore

Event = dict[str, Any]
HOUR_NS = 3600 * 10**9


def record(store: RecordingStore, rid: str, events: list[Event], per_batch: int = 500,
           pause_s: float = 0.0, finish: bool = True) -> None:
    """As the web does: create, append the lab's batches as they come, finish."""
    store.create_recording(rid, events[0].get("config", {}))
    for i in range(0, len(events), per_batch):
        store.append(rid, events[i:i + per_batch])
        if pause_s:
            time.sleep(pause_s)  # (a paced stream: the writer commits between batches)
    if finish:
        store.finish(rid, "completed")


def synthetic(n: int, start: int = 0) -> list[Event]:
    out: list[Event] = []
    for seq in range(start, start + n):
        if seq == 0:
            out.append({"seq": 0, "t": 0, "kind": "run_started", "run_id": "x",
                        "wall_time_ns": 1, "schema_version": 4, "config": {"n_tasks": 3}})
        else:
            out.append({"seq": seq, "t": seq * 1000, "kind": "queue_depth", "depth": seq % 9})
    return out


def rows(store: RecordingStore, sql: str) -> list[Any]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute(sql).fetchall()


def test_a_real_run_comes_back_exactly(store: RecordingStore,
                                       real_runs: dict[str, list[Event]]) -> None:
    events = real_runs["processes"]
    record(store, "p1", events, per_batch=300)
    store.flush()
    assert_same_events(list(store.read_events("p1")), events)
    rec = store.get("p1")
    assert (rec.events, rec.ended_reason, rec.live) == (len(events), "completed", False)
    assert rec.first_t == 0 and rec.last_t == max(e["t"] for e in events)
    assert rec.config == events[0]["config"] and rec.bytes > 0
    assert rec.bytes / rec.events <= 16


def test_a_slow_stream_is_stored_in_full_batches(store: RecordingStore) -> None:
    events = synthetic(5000)
    record(store, "slow", events, per_batch=40, pause_s=0.004)
    store.flush()
    sizes = [last - first + 1 for first, last in rows(
        store, "SELECT first_seq, last_seq FROM batches ORDER BY first_seq")]
    assert sizes[:-1] == [writer.MAX_BATCH_EVENTS] * (len(sizes) - 1)
    assert sum(sizes) == 5000
    assert len(rows(store, "SELECT * FROM strings")) <= 2
    assert_same_events(list(store.read_events("slow")), events)
    (size,) = rows(store, "SELECT sum(length(blob)) FROM "
                          "(SELECT blob FROM batches UNION ALL SELECT blob FROM strings)")[0]
    assert store.get("slow").bytes == size


def test_reading_a_range_and_batch_by_batch(store: RecordingStore) -> None:
    events = synthetic(5000)
    record(store, "r", events)
    store.flush()
    assert_same_events(list(store.read_events("r", 2040, 2060)), events[2040:2061])
    assert_same_events(list(store.read_events("r", 4990)), events[4990:])
    assert list(store.read_events("r", 6000)) == []
    assert list(store.read_events("r", 10, 9)) == []
    batches = list(store.read_batches("r", 100))
    assert [len(b) for b in batches] == [1948, 2048, 904]
    with pytest.raises(errors.InvalidValue, match="from_seq must be an int ≥ 0"):
        store.read_events("r", -1)
    with pytest.raises(errors.UnknownRecording, match="no recording has the id 'nope'"):
        store.read_events("nope")


def test_a_live_recording_reads_whole_before_and_after_commits(tmp_path: Path) -> None:
    with RecordingStore(tmp_path / "r.sqlite3", commit_interval_s=3600) as store:
        events = synthetic(3000)
        record(store, "live", events[:1000], finish=False)
        assert_same_events(list(store.read_events("live")), events[:1000])  # all in memory
        store.flush()
        store.append("live", events[1000:3000])
        assert_same_events(list(store.read_events("live")), events)  # file, then memory
        assert_same_events(list(store.read_events("live", 990, 1010)), events[990:1011])
        rec = store.get("live")
        assert rec.live and rec.events == 3000 and rec.last_t == events[-1]["t"]
        assert store.count("live") == 3000


def test_readers_always_see_a_gap_free_prefix_while_a_run_records(
        store: RecordingStore) -> None:
    events = synthetic(20_000)
    store.create_recording("busy", {})
    store.append("busy", events[:1])
    problems: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            got = [e["seq"] for e in store.read_events("busy")]
            if got != list(range(len(got))) or not got:
                problems.append(f"read {len(got)} events, not a prefix")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(1, 20_000, 250):
        store.append("busy", events[i:i + 250])
        time.sleep(0.002)
    store.finish("busy", "completed")
    store.flush()
    done.set()
    for t in threads:
        t.join()
    assert not problems
    assert_same_events(list(store.read_events("busy")), events)


def test_appending_never_waits_for_the_file(store: RecordingStore) -> None:
    """The web's event loop calls create/append/finish: they return while sqlite is busy."""
    gate = threading.Event()
    store._writer.submit(lambda conn, cycle: gate.wait(10), wait=False)  # the writer is stuck
    events = synthetic(10_000)
    began = time.perf_counter()
    record(store, "quick", events)
    assert time.perf_counter() - began < 0.5
    assert store.count("quick") == 10_000
    gate.set()
    store.flush()
    assert store.get("quick").ended_reason == "completed"
    assert_same_events(list(store.read_events("quick")), events)


def test_compact_events_are_taken_too(store: RecordingStore) -> None:
    store.create_recording("c", {})
    store.append("c", [[0, 0, "queue_depth", 1], [1, 5, "task_started", 3, 0]])
    store.finish("c", "stopped")
    store.flush()
    assert list(store.read_events("c")) == [
        {"seq": 0, "t": 0, "kind": "queue_depth", "depth": 1},
        {"seq": 1, "t": 5, "kind": "task_started", "task": 3, "worker": 0},
    ]


def test_bad_appends_are_refused_with_what_to_do(store: RecordingStore) -> None:
    with pytest.raises(errors.InvalidValue, match="'ghost' is not being recorded"):
        store.append("ghost", synthetic(1))
    store.create_recording("a", {})
    with pytest.raises(errors.InvalidValue, match="already being recorded"):
        store.create_recording("a", {})
    with pytest.raises(errors.InvalidValue, match="go on at seq 0; got seq 5"):
        store.append("a", synthetic(2, start=5))
    with pytest.raises(errors.InvalidValue, match="gap-free seqs: expected 1, got 2"):
        store.append("a", [synthetic(1)[0], synthetic(1, start=2)[0]])
    with pytest.raises(errors.InvalidValue, match="unknown kind 'nope'"):
        store.append("a", [{"seq": 0, "t": 0, "kind": "nope"}])
    with pytest.raises(errors.InvalidValue, match="t must be an int"):
        store.append("a", [{"seq": 0, "t": "soon", "kind": "queue_depth", "depth": 1}])
    with pytest.raises(errors.InvalidValue, match="a recording id is 1–64 letters"):
        store.create_recording("../etc", {})
    with pytest.raises(errors.InvalidValue, match="config must be a JSON object"):
        store.create_recording("b", {"x": object()})
    store.append("a", synthetic(3))
    store.finish("a", "completed")
    with pytest.raises(errors.InvalidValue, match="a finished one takes no more events"):
        store.append("a", synthetic(1, start=3))
    with pytest.raises(errors.InvalidValue, match="a reason is a short text"):
        store.finish("a", "")
    store.flush()
    assert store.count("a") == 3


def test_the_library_lists_gets_renames_and_keeps(store: RecordingStore) -> None:
    for i, rid in enumerate(["first", "second"]):
        store.create_recording(rid, {"executor": "threads", "workload": "cpu", "n_tasks": i},
                               created_ns=10**18 + i)
        store.finish(rid, "completed")
    assert store.get("first").name == "threads · cpu · 0 tasks"
    assert [r.id for r in store.list_recordings()] == ["second", "first"]
    renamed = store.rename("first", "  The GIL, live  ")
    assert renamed.name == "The GIL, live"
    kept = store.keep("second", "Lesson 2")
    assert kept.kept and kept.name == "Lesson 2" and not store.unkeep("second").kept
    assert store.get("first").as_json()["has_source"] is False
    with pytest.raises(errors.UnknownRecording):
        store.rename("third", "x")
    with pytest.raises(errors.UnknownRecording, match="no recording has the id 'third'"):
        store.get("third")


@pytest.mark.parametrize("name, message", [
    ("", "cannot be empty"), ("   ", "cannot be empty"), ("x" * 201, "at most 200 characters"),
    ("a\nb", "control character"), ("a\x00", "control character"), (3, "a name is text"),
])
def test_bad_names_are_refused(store: RecordingStore, name: Any, message: str) -> None:
    store.create_recording("n", {})
    with pytest.raises(errors.InvalidValue, match=message):
        store.rename("n", name)
    with pytest.raises(errors.InvalidValue, match=message):
        store.keep("n", name)
    assert store.get("n").name == "a run"


def test_prune_deletes_old_unkept_runs_only(store: RecordingStore) -> None:
    for i in range(6):
        store.create_recording(f"r{i}", {}, created_ns=10**18 + i)
        store.append(f"r{i}", synthetic(3))
        if i != 5:
            store.finish(f"r{i}", "completed")
    store.keep("r0")
    store.bookmarks.add("r1", 1, "old")
    # The newest two not kept are r5 (live) and r4; r0 is kept.
    assert sorted(store.prune(keep_last=2)) == ["r1", "r2", "r3"]
    assert [r.id for r in store.list_recordings()] == ["r5", "r4", "r0"]
    assert store.prune(keep_last=0) == ["r4"]  # the live r5 and the kept r0 stay
    assert rows(store, "SELECT count(*) FROM bookmarks") == [(0,)]
    assert rows(store, "SELECT DISTINCT recording FROM batches ORDER BY 1") == [("r0",), ("r5",)]
    with pytest.raises(errors.InvalidValue, match="keep_last must be an int ≥ 0"):
        store.prune(keep_last=-1)


def test_delete(store: RecordingStore) -> None:
    record(store, "d", synthetic(10), finish=False)
    with pytest.raises(errors.RecordingLive, match="still being recorded; stop the run first"):
        store.delete("d")
    store.finish("d", "completed")
    store.flush()
    store.bookmarks.add("d", 3)
    store.delete("d")
    with pytest.raises(errors.UnknownRecording):
        store.get("d")
    with pytest.raises(errors.UnknownRecording):
        store.delete("d")
    assert rows(store, "SELECT (SELECT count(*) FROM batches) + (SELECT count(*) FROM strings)"
                       " + (SELECT count(*) FROM bookmarks)") == [(0,)]


def test_bookmarks(store: RecordingStore) -> None:
    events = synthetic(100)
    record(store, "b", events, finish=False)  # live: bookmarks may be set while it runs
    late = store.bookmarks.add("b", 70, "the pool grows")
    early = store.bookmarks.add("b", 5, "", t=123)
    assert (late.seq, late.t, late.note) == (70, events[70]["t"], "the pool grows")
    assert [m.id for m in store.bookmarks.of("b")] == [early.id, late.id]
    moved = store.bookmarks.edit(late.id, seq=20)
    assert (moved.seq, moved.t, moved.note) == (20, events[20]["t"], "the pool grows")
    assert store.bookmarks.edit(late.id, note="line 2\nline 3").note == "line 2\nline 3"
    store.bookmarks.delete(early.id)
    assert [m.seq for m in store.bookmarks.of("b")] == [20]
    with pytest.raises(errors.InvalidValue, match="0–99; got 100"):
        store.bookmarks.add("b", 100)
    with pytest.raises(errors.InvalidValue, match="at most 2000 characters"):
        store.bookmarks.add("b", 1, "x" * 2001)
    with pytest.raises(errors.UnknownBookmark, match="no bookmark has the id 999"):
        store.bookmarks.edit(999, note="x")
    with pytest.raises(errors.UnknownBookmark):
        store.bookmarks.delete(early.id)
    with pytest.raises(errors.UnknownRecording):
        store.bookmarks.add("zz", 1)


def test_sessions_follow_idle_hours_and_new_session(tmp_path: Path) -> None:
    now = [10**18]
    with RecordingStore(tmp_path / "s.sqlite3", clock=lambda: now[0]) as store:
        def run(rid: str, minutes: float) -> None:
            now[0] += int(minutes * 60e9)
            store.create_recording(rid, {})
            now[0] += int(60e9)
            store.finish(rid, "completed")

        run("a", 0)
        run("b", 59)  # within an hour of a's end
        run("c", 61)  # an idle hour: a new session
        store.flush()
        fresh = store.sessions.new("Tuesday class")
        run("d", 1)
        store.flush()
        sessions = store.sessions.all()
        assert [(s.name, s.recordings) for s in sessions] == [
            ("Tuesday class", 1), (None, 1), (None, 2)]
        assert [r.id for r in store.sessions.runs(sessions[2].id)] == ["a", "b"]
        assert store.get("d").session == fresh.id
        with pytest.raises(errors.UnknownSession):
            store.sessions.runs(99)


def test_it_all_survives_a_reopen_and_close_ends_live_runs(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with RecordingStore(path) as store:
        record(store, "done", synthetic(50))
        record(store, "open", synthetic(30), finish=False)
    with RecordingStore(path) as store:
        assert store.get("done").ended_reason == "completed"
        assert store.get("open").ended_reason == "interrupted"
        assert_same_events(list(store.read_events("open")), synthetic(30))


def test_a_second_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with RecordingStore(path), pytest.raises(errors.StorageError, match="open in another schedviz"):
        RecordingStore(path)


def test_a_newer_file_is_refused_and_an_older_one_migrated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.sqlite3"
    RecordingStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE store_version SET version = 99")
    with pytest.raises(errors.StorageError,
                       match=r"newer schedviz .* version 99; this one knows up to 1"):
        RecordingStore(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE store_version SET version = 1")

    def add_colour(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE recordings ADD COLUMN colour TEXT")

    monkeypatch.setattr(schema, "STORE_VERSION", 2)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: add_colour})
    RecordingStore(path).close()
    assert rows_of(path, "SELECT version FROM store_version") == [(2,)]
    assert "colour" in [c[1] for c in rows_of(path, "PRAGMA table_info(recordings)")]


def rows_of(path: Path, sql: str) -> list[Any]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(errors.StorageError, match=r"file is not a database\. Move it away"):
        RecordingStore(path)


def test_a_full_disk_keeps_the_events_and_tries_again(store: RecordingStore) -> None:
    events = [*synthetic(1), *({"seq": i, "t": i, "kind": "warning", "message": f"{i * 7919}"}
                               for i in range(1, 20_000))]  # (they need pages of their own)
    store.create_recording("full", {})
    store.append("full", events[:10])
    store.flush()
    (pages,) = store._writer.conn.execute("PRAGMA page_count").fetchone()
    store._writer.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
    store.append("full", events[10:])
    with pytest.raises(errors.StorageError, match="cannot write the recordings file: database or "
                                           "disk is full"):
        store.flush()
    assert store.last_error is not None and "full" in store.last_error
    assert_same_events(list(store.read_events("full")), events)  # (from memory)
    store._writer.conn.execute("PRAGMA max_page_count = 1000000")  # room again
    deadline = time.monotonic() + 10
    while store.last_error is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # (the writer retries on its own clock; nothing to wait on)
    store.finish("full", "completed")
    store.flush()
    assert store.last_error is None
    assert_same_events(list(store.read_events("full")), events)
    assert store.get("full").ended_reason == "completed"


def test_the_store_in_the_data_directory(tmp_path: Path) -> None:
    with RecordingStore.in_data_dir(tmp_path / "data") as store:
        assert store.path == tmp_path / "data" / "recordings.sqlite3"
    assert (tmp_path / "data" / "recordings.sqlite3").exists()


def test_an_event_that_cannot_be_stored_stops_only_its_recording(
        store: RecordingStore) -> None:
    store.create_recording("odd", {})
    record(store, "fine", synthetic(10), finish=False)
    store.append("odd", synthetic(2))
    store.flush()  # (what is committed stays; the rest of the failing cycle is not written)
    store.append("odd", [{"seq": 2, "t": 0, "kind": "warning", "message": {1, 2}}])  # a set
    store.flush()
    with pytest.raises(errors.StorageError, match=r"recording odd stopped: an event could "
                                                  r"not be stored .*cannot store a value of "
                                                  r"type set"):
        store.append("odd", synthetic(1, start=3))
    store.append("fine", synthetic(5, start=10))
    store.finish("odd", "error")
    store.finish("fine", "completed")
    store.flush()
    assert [e["seq"] for e in store.read_events("odd")] == [0, 1]
    assert store.get("odd").ended_reason == "error"
    assert_same_events(list(store.read_events("fine")), synthetic(15))


def test_an_id_taken_in_the_file_is_refused_on_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with RecordingStore(path) as store:
        record(store, "same", synthetic(3))
    with RecordingStore(path) as store:
        store.create_recording("same", {})
        store.flush()
        with pytest.raises(errors.StorageError, match="'same' exists already"):
            store.append("same", synthetic(1))
        store.finish("same", "completed")
        store.flush()
        assert store.count("same") == 3
