"""Under `schedviz trace`, a program's `concurrent.futures.wait` and `as_completed`, however it
names them, record their waits; its own threads' waits and callbacks name their lanes; and the
plain functions are back once the trace ends."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

PROGRAM = """
    import concurrent.futures as cf
    import threading
    from concurrent.futures import ThreadPoolExecutor, as_completed, wait
    from concurrent.futures._base import as_completed as base_as_completed

    gate = threading.Event()

    def held():
        gate.wait(10)
        return 1

    def waiter(pool):
        fut = pool.submit(held)
        fut.add_done_callback(lambda f: print("callback ident", threading.get_ident()))
        threading.Timer(0.05, gate.set).start()
        print("waiter ident", threading.get_ident())
        return fut.result(timeout=10)

    with ThreadPoolExecutor(2) as pool:
        t = threading.Thread(target=waiter, args=(pool,), name="mine")
        t.start()
        t.join()
        gate.clear()
        fs = [pool.submit(held)]
        threading.Timer(0.05, gate.set).start()
        print(len(wait(fs).done))
        gate.clear()
        fs = [pool.submit(held)]
        threading.Timer(0.05, gate.set).start()
        print(len(cf.wait(fs, timeout=10).done))
        for how in (as_completed, base_as_completed):
            gate.clear()
            fs = [pool.submit(held)]
            threading.Timer(0.05, gate.set).start()
            print(sum(f.result() for f in how(fs, timeout=10)))
"""


def traced(tmp_path: Path, code: str) -> tuple[str, list[dict[str, Any]]]:
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(code))
    out = tmp_path / "events.jsonl"
    proc = subprocess.run([sys.executable, "-m", "schedviz", "trace", "--events-out", str(out),
                           str(script)], capture_output=True, text=True, timeout=90,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, [json.loads(line) for line in out.open()]


def test_every_spelling_of_wait_and_as_completed_is_recorded(tmp_path: Path) -> None:
    stdout, events = traced(tmp_path, PROGRAM)
    assert stdout.split()[-4:] == ["1", "1", "1", "1"]
    calls = [e["call"] for e in events if e["kind"] == "future_wait"]
    assert calls[0] == "result"
    assert sorted(calls[1:]) == ["as_completed", "as_completed", "wait", "wait"]
    ended = [e["outcome"] for e in events if e["kind"] == "future_wait_ended"]
    assert ended == ["done"] * 5


def test_a_program_threads_wait_and_callback_name_its_lane(tmp_path: Path) -> None:
    stdout, events = traced(tmp_path, PROGRAM)
    lanes = {e["name"]: e["worker"] for e in events if e["kind"] == "worker_spawned"}
    first = next(e for e in events if e["kind"] == "future_wait")
    assert (first["thread"], first["worker"], first["task"]) == ("mine", lanes["mine"], None)
    idents = dict(line.rsplit(" ", 1) for line in stdout.splitlines() if "ident" in line)
    [callback] = [e for e in events if e["kind"] == "future_callback"]
    assert callback["thread_ident"] == int(idents["callback ident"])
    # added before the task finished: it ran on the pool worker that finished it
    by_lane = {v: k for k, v in lanes.items()}
    assert by_lane[callback["worker"]] == callback["thread"] != "mine"
    pools = {e["worker"]: e["pool"] for e in events if e["kind"] == "worker_spawned"}
    assert pools[callback["worker"]] is not None


def test_the_plain_functions_are_back_after_a_block(tmp_path: Path) -> None:
    stdout, _ = traced(tmp_path, """
        import concurrent.futures, concurrent.futures._base as base
        print(concurrent.futures.wait.__module__, base.as_completed.__module__)
    """)
    assert stdout.split() == ["schedviz.instrument.futures"] * 2
    code = textwrap.dedent("""
        import concurrent.futures, concurrent.futures._base as base
        import schedviz
        with schedviz.trace(events_out="inline.jsonl"):
            inside = concurrent.futures.wait.__module__
        print(inside, concurrent.futures.wait.__module__, base.as_completed.__module__)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=90, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["schedviz.instrument.futures", "concurrent.futures._base",
                                   "concurrent.futures._base"]
