"""The library from the command line: `schedviz record`, `recordings`, `export` and `import`.

Real runs in real subprocesses, into real SQLite files under tmp_path; the usage errors go
through `main()` in this process (they stop before any run or file).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from invariants import check_run
from schedviz.cli import main
from schedviz.storage.jsonl import event_line
from schedviz.storage.recordings import RecordingStore
from trace_checker import check_trace

NOTE = "all three workers busy"


def schedviz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schedviz", *args], capture_output=True, text=True, timeout=60,
        check=False,
    )


def listed(lib: Path) -> list[dict[str, Any]]:
    proc = schedviz("recordings", "--data-dir", str(lib), "--json")
    assert proc.returncode == 0, proc.stderr
    result: list[dict[str, Any]] = json.loads(proc.stdout)
    return result


def events_of(lib: Path, rid: str) -> list[dict[str, Any]]:
    with RecordingStore.in_data_dir(lib) as store:
        return list(store.read_events(rid))


def lines(events: list[dict[str, Any]]) -> str:
    return "".join(map(event_line, events))


class Recorded:
    def __init__(self, lib: Path, proc: subprocess.CompletedProcess[str]) -> None:
        self.lib = lib
        self.proc = proc
        self.id = proc.stdout.strip()
        self.events = events_of(lib, self.id)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """The io-threads preset recorded once for the module, with a bookmark added after."""
    lib = tmp_path_factory.mktemp("library")
    proc = schedviz("record", "--scenario", "io-threads", "--name", "io lesson",
                    "--data-dir", str(lib))
    assert proc.returncode == 0, proc.stderr
    rec = Recorded(lib, proc)
    with RecordingStore.in_data_dir(lib) as store:
        store.bookmarks.add(rec.id, 20, NOTE)
    yield rec


def test_record_keeps_the_run_under_its_name(recorded: Recorded) -> None:
    rid, err = recorded.id, recorded.proc.stderr
    run = check_run(recorded.events)
    assert len(run.finished) == 12 and recorded.events[-1]["reason"] == "completed"
    assert run.events[0]["run_id"] == rid
    assert "12 finished (0 raised)" in err
    assert f"recorded {rid} 'io lesson' (kept): {len(recorded.events)} events" in err
    assert f"schedviz export {rid} --format perfetto" in err and f"--data-dir {recorded.lib}" in err
    [meta] = listed(recorded.lib)
    assert meta["id"] == rid and meta["name"] == "io lesson" and meta["kept"] is True
    assert meta["ended_reason"] == "completed" and meta["events"] == len(recorded.events)
    assert meta["scenario"] == "io-threads"


def test_recordings_lists_a_table(recorded: Recorded) -> None:
    proc = schedviz("recordings", "--data-dir", str(recorded.lib))
    assert proc.returncode == 0, proc.stderr
    head, row = proc.stdout.splitlines()
    assert head.split() == ["id", "name", "kept", "date", "what", "ran", "duration", "ended",
                            "events", "size"]
    assert row.startswith(f"{recorded.id}  io lesson  kept  ")
    assert " io-threads " in row and " completed " in row
    assert f" {len(recorded.events)} " in row and row.endswith("KiB")
    assert f"1 recording in {recorded.lib}" in proc.stderr


def test_an_empty_library_says_how_to_record(tmp_path: Path) -> None:
    proc = schedviz("recordings", "--data-dir", str(tmp_path))
    assert proc.returncode == 0 and proc.stdout == ""
    assert "no recordings in" in proc.stderr and "schedviz record --scenario" in proc.stderr
    assert listed(tmp_path) == []


def test_export_perfetto_keeps_the_trace_rules_and_the_bookmark(recorded: Recorded,
                                                               tmp_path: Path) -> None:
    plain, packed = tmp_path / "t.json", tmp_path / "t.json.gz"
    for out, extra in ((plain, ()), (packed, ("--gzip",))):
        proc = schedviz("export", recorded.id, "--format", "perfetto", "-o", str(out),
                        "--data-dir", str(recorded.lib), *extra)
        assert proc.returncode == 0, proc.stderr
        assert "ui.perfetto.dev" in proc.stderr
    trace = json.loads(plain.read_text())
    assert check_trace(trace) == []
    assert json.loads(gzip.decompress(packed.read_bytes())) == trace
    marks = [e for e in trace["traceEvents"] if e.get("cat") == "bookmark"]
    assert [m["args"]["note"] for m in marks] == [NOTE] and marks[0]["args"]["seq"] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json", "t.json.gz"]  # no leftovers


def test_export_jsonl_is_the_recorded_events(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    for extra in ((), ("--gzip",)):
        target = out.with_suffix(".jsonl.gz") if extra else out
        proc = schedviz("export", recorded.id, "--format", "jsonl", "-o", str(target),
                        "--data-dir", str(recorded.lib), *extra)
        assert proc.returncode == 0, proc.stderr
    assert out.read_text() == lines(recorded.events)
    assert gzip.decompress(out.with_suffix(".jsonl.gz").read_bytes()).decode() == out.read_text()


def test_export_recording_imports_back_equal(recorded: Recorded, tmp_path: Path) -> None:
    out, other = tmp_path / "r.schedviz", tmp_path / "other"
    proc = schedviz("export", recorded.id, "--format", "recording", "-o", str(out),
                    "--data-dir", str(recorded.lib))
    assert proc.returncode == 0, proc.stderr
    proc = schedviz("import", str(out), "--data-dir", str(other))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == recorded.id
    assert f"imported {out} as {recorded.id} 'io lesson'" in proc.stderr
    assert lines(events_of(other, recorded.id)) == lines(recorded.events)
    [meta] = listed(other)
    assert meta["name"] == "io lesson" and meta["kept"] is True
    with RecordingStore.in_data_dir(other) as store:
        assert [b.note for b in store.bookmarks.of(recorded.id)] == [NOTE]
    # Again, renamed: a second copy under a new id.
    proc = schedviz("import", str(out), "--name", "again", "--data-dir", str(other))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{recorded.id}-2"
    assert [m["name"] for m in listed(other)] == ["again", "io lesson"]


def test_import_json_lines_with_a_name(recorded: Recorded, tmp_path: Path) -> None:
    source = tmp_path / "e.jsonl"
    source.write_text(lines(recorded.events))
    proc = schedviz("import", str(source), "--name", "from lines", "--data-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    rid = proc.stdout.strip()
    assert lines(events_of(tmp_path, rid)) == lines(recorded.events)
    [meta] = listed(tmp_path)
    assert meta["id"] == rid and meta["name"] == "from lines"


def test_a_refused_file_leaves_the_library_unchanged(recorded: Recorded, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    good = tmp_path / "good.schedviz"
    assert schedviz("export", recorded.id, "--format", "recording", "-o", str(good),
                    "--data-dir", str(recorded.lib)).returncode == 0
    assert schedviz("import", str(good), "--data-dir", str(lib)).returncode == 0
    before = listed(lib)
    data = good.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    jsonl = lines(recorded.events).splitlines(keepends=True)
    files = {
        "truncated.schedviz": (data[: len(data) * 2 // 3], "the file is truncated"),
        "corrupt.schedviz": (bytes(flipped), "checksum (sha256) does not match"),
        "foreign.png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "not a schedviz recording file"),
        "empty.schedviz": (b"", "the file is empty"),
        "cut.jsonl": ("".join(jsonl[:5]).encode() + jsonl[5][:30].encode(), "line 6 is not JSON"),
        "gap.jsonl": ("".join(jsonl[:3] + jsonl[4:]).encode(), "line 4: seq must be 3"),
    }
    for name, (content, message) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        proc = schedviz("import", str(path), "--data-dir", str(lib))
        assert proc.returncode == 1, (name, proc.stderr)
        assert f"{path} was not imported, the library is unchanged: " in proc.stderr, name
        assert message in proc.stderr and "Traceback" not in proc.stderr, (name, proc.stderr)
    for missing, what in ((tmp_path / "nope.schedviz", "no such file"), (tmp_path, "not a file")):
        proc = schedviz("import", str(missing), "--data-dir", str(lib))
        assert proc.returncode == 1 and f"cannot read {missing}: {what}" in proc.stderr
    assert listed(lib) == before


def test_export_html_embeds_the_recording_and_a_session_embeds_its_runs(
    recorded: Recorded, tmp_path: Path,
) -> None:
    lib = str(recorded.lib)
    page, whole = tmp_path / "r.html", tmp_path / "s.html"
    proc = schedviz("export", recorded.id, "--format", "html", "-o", str(page), "--data-dir", lib)
    assert proc.returncode == 0, proc.stderr
    assert f"exported {recorded.id} 'io lesson' ({len(recorded.events)} events) as html" in \
        proc.stderr and "open it in a browser, no server needed" in proc.stderr
    [run] = embedded_runs(page)
    assert run["events"] == recorded.events and run["recording"]["id"] == recorded.id
    assert [m["note"] for m in run["bookmarks"]] == [NOTE]
    [meta] = listed(recorded.lib)
    proc = schedviz("export", "--session", str(meta["session"]), "--format", "html", "-o",
                    str(whole), "--data-dir", lib)
    assert proc.returncode == 0, proc.stderr
    assert f"exported session {meta['session']} (1 recording)" in proc.stderr
    assert embedded_runs(whole) == [run]
    proc = schedviz("export", "--session", "99", "--format", "html", "-o", str(whole),
                    "--data-dir", lib)
    assert proc.returncode == 1
    assert proc.stderr == (f"schedviz export: no session has the id 99; `schedviz recordings "
                           f"--json --data-dir {lib}` shows each one's session\n")


def embedded_runs(page: Path) -> list[dict[str, Any]]:
    """The runs an offline page embeds (base64 of gzip of JSON, in its data element)."""
    found = re.search(r'id="schedviz-recording" data-encoding="gzip\+base64">([^<]*)<',
                      page.read_text())
    assert found, "the page has no embedded recording"
    runs: list[dict[str, Any]] = json.loads(gzip.decompress(base64.b64decode(found[1])))["runs"]
    return runs


def test_unknown_id_and_unwritable_output(recorded: Recorded, tmp_path: Path) -> None:
    lib = str(recorded.lib)
    proc = schedviz("export", "nope", "--format", "jsonl", "-o", str(tmp_path / "x"),
                    "--data-dir", lib)
    assert proc.returncode == 1
    assert proc.stderr == (f"schedviz export: no recording has the id 'nope'; `schedviz "
                           f"recordings --data-dir {lib}` lists them\n")
    for out, message in ((tmp_path, "is a folder"), (tmp_path / "no" / "x", "does not exist")):
        proc = schedviz("export", recorded.id, "--format", "jsonl", "-o", str(out),
                        "--data-dir", lib)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "words"), [
    (["export", "x", "--format", "pdf", "-o", "x"],
     ["invalid choice: 'pdf'", "'perfetto', 'html', 'jsonl', 'recording'"]),
    (["export", "x", "--format", "jsonl"], ["required: -o/--output"]),
    (["export", "x", "--format", "recording", "--gzip", "-o", "x"],
     ["--gzip applies to --format perfetto or jsonl"]),
    (["export", "x", "--format", "html", "--gzip", "-o", "x"],
     ["an html page are compressed already"]),
    (["export", "--format", "html", "-o", "x"], ["give the recording's ID or --session N"]),
    (["export", "x", "--session", "1", "--format", "html", "-o", "x"], ["(not both)"]),
    (["export", "--session", "1", "--format", "jsonl", "-o", "x"],
     ["a --session exports only as --format html"]),
    (["export", "--session", "one", "--format", "html", "-o", "x"],
     ["--session: invalid int value: 'one'"]),
    (["record", "--scenario", "nope", "--name", "x"], ["unknown scenario 'nope'", "io-threads"]),
    (["record", "--scenario", "io-threads"], ["required: --name"]),
    (["record", "--name", "x"], ["give --config FILE.json and/or --scenario ID"]),
    (["record", "--scenario", "io-threads", "--name", "  "], ["a name cannot be empty"]),
    (["record", "--scenario", "io-threads", "--name", "x" * 201], ["at most 200 characters"]),
    (["run", "--events-out", "x.jsonl"], ["give --config FILE.json and/or --scenario ID"]),
    (["import", "f", "--name", "a\x07b"], ["cannot contain the control character"]),
    (["recordings", "--data-dir", ""], ["--data-dir: a path cannot be empty"]),
    (["recordings", "--csv"], ["unrecognized arguments: --csv"]),
    (["serve", "--keep-last", "0"], ["--keep-last: must be a whole number from 1 to 10000"]),
    (["serve", "--keep-last", "10001"], ["from 1 to 10000; got '10001'"]),
    (["serve", "--keep-last", "many"], ["from 1 to 10000; got 'many'"]),
    (["nope"], ["invalid choice: 'nope'", "'record', 'recordings', 'export', 'import'"]),
])
def test_bad_arguments_exit_2_naming_what_is_allowed(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written; if it were, it would be here
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: schedviz")
    for word in words:
        assert word in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_library_open_elsewhere_is_refused(tmp_path: Path) -> None:
    with RecordingStore.in_data_dir(tmp_path):
        proc = schedviz("recordings", "--data-dir", str(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr == (f"schedviz recordings: the library in {tmp_path} is open in another "
                           f"running schedviz (pid {os.getpid()}); stop it or use --data-dir DIR "
                           "for another library\n")


def test_ctrl_c_stops_the_run_and_keeps_what_was_recorded(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "schedviz", "record", "--scenario", "steady-stream",
               "--name", "cut short", "--data-dir", str(tmp_path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stderr is not None
        started = proc.stderr.readline()
        assert "Ctrl-C stops it" in started, started
        # While it records, the library is its own: others are told who has it.
        busy = schedviz("recordings", "--data-dir", str(tmp_path))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert busy.returncode == 1
    assert f"is open in a running `schedviz record` (pid {proc.pid})" in busy.stderr
    assert proc.returncode == 0, err
    assert "stopping: running tasks finish" in err and "Traceback" not in err
    rid = out.strip()
    [meta] = listed(tmp_path)
    assert meta["id"] == rid and meta["kept"] is True and meta["name"] == "cut short"
    assert meta["ended_reason"] == "stopped"
    events = events_of(tmp_path, rid)
    assert meta["events"] == len(events) and f"{len(events)} events" in err
    run = check_run(events)
    assert events[-1]["kind"] == "run_ended" and events[-1]["reason"] == "stopped"
    assert run.finished and len(run.finished) < 600


def test_serve_passes_its_library_options_to_the_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import uvicorn

    from schedviz.web import app as web_app

    made: list[dict[str, Any]] = []
    monkeypatch.setattr(web_app, "create_app", lambda **kw: made.append(kw) or "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    assert main(["serve", "--data-dir", "/srv/lib", "--keep-last", "50"]) == 0
    assert main(["serve"]) == 0
    default = web_app.DEFAULT_KEEP_LAST
    # The host and port go to the app too: its live file tells `schedviz trace --live` where
    # to push (web/tracepush.py).
    live = {"live_host": "127.0.0.1", "live_port": 8000}
    assert made == [{"data_dir": "/srv/lib", "keep_last": 50, **live},
                    {"data_dir": None, "keep_last": default, **live}]
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert f"default {default})" in " ".join(capsys.readouterr().out.split())


def test_a_library_open_in_a_server_is_refused(tmp_path: Path) -> None:
    from serverproc import stop_group

    lib = tmp_path / "lib"
    command = [sys.executable, "-m", "schedviz", "serve", "--port", "0", "--log-level",
               "warning", "--data-dir", str(lib)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        # The server opens the library as it starts serving: the lock file then holds its pid.
        lock = lib / "recordings.sqlite3.lock"
        deadline = time.monotonic() + 30
        while not (lock.exists() and lock.read_text() == str(server.pid)):
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)  # no readiness signal to block on
        proc = schedviz("recordings", "--data-dir", str(lib))
    finally:
        stop_group(server)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (f"schedviz recordings: the library in {lib} is open in a running "
                           f"schedviz server (pid {server.pid}); stop it or use --data-dir DIR "
                           "for another library\n")
    assert listed(lib) == []  # free again once the server stopped
