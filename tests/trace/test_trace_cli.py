"""`schedviz trace`: a real program in a real subprocess, run as python runs it, its events checked.

Each program is a small script written by the test; its output and exit code are compared with
the same script run by `python` itself.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from invariants import check_aio, check_run, load_jsonl
from schedviz.storage.recordings import RecordingStore

TIMEOUT = 90


def write(folder: Path, name: str, code: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(code))
    return path


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=TIMEOUT, check=False)


def trace(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return python("-m", "schedviz", "trace", *args, cwd=cwd)


def checked(events: list[dict[str, Any]]) -> Any:
    """check_run over a trace: the lab's run-wide cap is not a rule of the program's pools,
    each of which keeps its own, so the checker is given their sum as the cap."""
    pools = sum(e["max_workers"] for e in events if e["kind"] == "pool_created")
    head = dict(events[0], config={**events[0]["config"], "max_workers": max(1, pools)})
    return check_run([head, *events[1:]])


@pytest.mark.parametrize("body, code", [
    ("print('hello', sys.argv[1:])\n", 0),
    ("print('leaving'); sys.exit(3)\n", 3),
    ("print('then'); sys.exit('a message')\n", 1),
    ("def f():\n    raise ValueError('boom')\nprint('before')\nf()\n", 1),
])
def test_output_and_exit_code_are_the_programs(tmp_path: Path, body: str, code: int) -> None:
    script = write(tmp_path, "prog.py", "import sys\n" + body)
    plain = python(script.name, "a", "b", cwd=tmp_path)
    traced = trace("--events-out", "e.jsonl", script.name, "a", "b", cwd=tmp_path)
    assert plain.returncode == code
    assert (traced.stdout, traced.returncode) == (plain.stdout, plain.returncode)
    # stderr: the program's own (a traceback without schedviz frames), then one line of ours
    assert traced.stderr.startswith(plain.stderr), traced.stderr
    assert "schedviz/trace" not in traced.stderr
    ended = checked(load_jsonl(tmp_path / "e.jsonl")).ended
    assert ended["reason"] == ("completed" if code == 0 else "error")


def test_name_main_argv_and_path_are_as_under_python(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "helper.py", "VALUE = 42\n")
    script = write(tmp_path / "sub", "prog.py", """\
        import sys, helper
        print(__name__, sys.argv, sys.path[0], helper.VALUE, __file__)
    """)
    plain = python(str(script.relative_to(tmp_path)), "x", cwd=tmp_path)
    traced = trace("--events-out", "e.jsonl", str(script.relative_to(tmp_path)), "x",
                   cwd=tmp_path)
    assert traced.returncode == plain.returncode == 0, traced.stderr
    assert traced.stdout == plain.stdout


def test_a_missing_script_is_said_as_python_says_it(tmp_path: Path) -> None:
    traced = trace("--events-out", "e.jsonl", "nowhere.py", cwd=tmp_path)
    assert traced.returncode == 2 and "can't open file" in traced.stderr
    assert not (tmp_path / "e.jsonl").exists()


def test_two_threads_of_the_program_get_a_lane_each_beside_the_main_thread(
        tmp_path: Path) -> None:
    script = write(tmp_path, "threads.py", """\
        import threading
        done = []
        def work(n):
            done.append(sum(range(n)))
        threads = [threading.Thread(target=work, args=(50_000,), name=f"mine-{i}")
                   for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(len(done))
    """)
    traced = trace("--events-out", "e.jsonl", script.name, cwd=tmp_path)
    assert traced.returncode == 0 and traced.stdout == "2\n", traced.stderr
    run = checked(load_jsonl(tmp_path / "e.jsonl"))
    lanes = {w["name"]: w for w in run.workers.values() if w["pool"] is None}
    assert sorted(lanes) == ["MainThread", "mine-0", "mine-1"]
    assert all("exited_t" in w for w in lanes.values())
    assert len({w["native_id"] for w in lanes.values()}) == 3


def test_a_spawn_process_pool_map_runs_the_scripts_functions_in_chunks(tmp_path: Path) -> None:
    n, chunksize = 10, 3
    script = write(tmp_path, "procs.py", f"""\
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        def cube(x):
            return x ** 3

        if __name__ == "__main__":
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(2, mp_context=ctx) as pool:
                print(list(pool.map(cube, range({n}), chunksize={chunksize})))
    """)
    plain = python(script.name, cwd=tmp_path)
    traced = trace("--events-out", "e.jsonl", script.name, cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert traced.stdout == plain.stdout == f"{[x ** 3 for x in range(n)]}\n"
    run = checked(load_jsonl(tmp_path / "e.jsonl"))
    chunks = [e for e in run.kinds("task_submitted") if e["map_id"] is not None]
    assert len(chunks) == math.ceil(n / chunksize)
    assert sorted(e["items"] for e in chunks) == [1, 3, 3, 3]
    assert all(t.finished and t.finished["ok"] for t in run.tasks.values())
    assert [e["executor"] for e in run.kinds("pool_created")] == ["processes"]


def test_asyncio_gather_steps_yield_at_the_scripts_own_lines(tmp_path: Path) -> None:
    script = write(tmp_path, "gather.py", """\
        import asyncio

        async def one(i):
            await asyncio.sleep(0.001 * i)
            return i

        async def main():
            print(await asyncio.gather(*(one(i) for i in range(3))))

        asyncio.run(main())
    """)
    traced = trace("--events-out", "e.jsonl", script.name, cwd=tmp_path)
    assert traced.returncode == 0 and traced.stdout == "[0, 1, 2]\n", traced.stderr
    events = load_jsonl(tmp_path / "e.jsonl")
    checked(events)
    aio = check_aio(events)
    sites = {(s["file"], s["line"]) for s in aio.steps if s["outcome"] == "yield"}
    assert sites == {(str(script), 4), (str(script), 8)}
    coros = sorted(t["coro"] for t in aio.tasks.values())
    assert coros == ["main", "one", "one", "one"]


def test_dash_m_runs_a_module_as_python_does(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    write(tmp_path / "pkg", "__init__.py", "")
    write(tmp_path / "pkg", "tool.py", """\
        import sys
        from concurrent.futures import ThreadPoolExecutor
        if __name__ == "__main__":
            with ThreadPoolExecutor(2) as pool:
                print(__name__, sys.argv[1:], sum(pool.map(abs, [-1, -2, 3])))
            sys.exit(4)
    """)
    plain = python("-m", "pkg.tool", "arg", cwd=tmp_path)
    traced = trace("--events-out", "e.jsonl", "-m", "pkg.tool", "arg", cwd=tmp_path)
    assert (traced.stdout, traced.returncode) == (plain.stdout, plain.returncode) == (
        "__main__ ['arg'] 6\n", 4), traced.stderr
    run = checked(load_jsonl(tmp_path / "e.jsonl"))
    assert len(run.finished) == 3


def test_a_trace_is_kept_in_the_library_with_the_programs_source(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = write(tmp_path, "lib.py", """\
        import asyncio
        async def main():
            await asyncio.sleep(0)
        asyncio.run(main())
    """)
    traced = trace("--data-dir", str(data), "--name", "my trace", script.name, cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert "recorded" in traced.stderr and "?recording=" in traced.stderr
    with RecordingStore.in_data_dir(data) as store:
        [rec] = store.list_recordings()
        events = list(store.read_events(rec.id))
    assert rec.name == "my trace" and rec.kept and rec.ended_reason == "completed"
    assert rec.source is not None
    assert list(json.loads(rec.source)["files"]) == [str(script)]
    checked(events)


def test_a_library_held_by_a_server_is_refused_before_the_program_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = write(tmp_path, "never.py", "print('ran')\n")
    with RecordingStore.in_data_dir(data):  # holds the library, as a server does
        traced = trace("--data-dir", str(data), script.name, cwd=tmp_path)
    assert traced.returncode == 1 and traced.stdout == ""
    assert "--live" in traced.stderr and f"pid {os.getpid()}" in traced.stderr


def test_ctrl_c_ends_the_program_as_under_python(tmp_path: Path) -> None:
    script = write(tmp_path, "wait.py", """\
        import threading
        print("ready", flush=True)
        threading.Event().wait()
    """)
    codes = []
    for command in ([sys.executable, script.name],
                    [sys.executable, "-m", "schedviz", "trace", "--events-out", "e.jsonl",
                     script.name]):
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
        assert "KeyboardInterrupt" in err
        codes.append(proc.returncode)
    assert codes[0] == codes[1] == -signal.SIGINT
    assert checked(load_jsonl(tmp_path / "e.jsonl")).ended["reason"] == "stopped"


def test_the_inline_api_records_the_block(tmp_path: Path) -> None:
    script = write(tmp_path, "inline.py", """\
        import sys
        import concurrent.futures
        import schedviz
        heavy = [m for m in ("pydantic", "schedviz.protocol") if m in sys.modules]
        with schedviz.trace(name="block", events_out="e.jsonl"):
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                print(sum(pool.map(abs, [-1, -2])), heavy)
    """)
    traced = python(script.name, cwd=tmp_path)
    assert traced.returncode == 0 and traced.stdout == "3 []\n", traced.stderr
    run = checked(load_jsonl(tmp_path / "e.jsonl"))
    assert len(run.finished) == 2
