"""The shipped examples (examples/*.py, the lecture notes' snippets) run as plain Python scripts
and print what their docstrings promise; `schedviz trace` runs the same files unchanged."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# example -> (arguments, text its output must contain)
EXPECTED = {
    "threads_io.py": ([], "8 downloads on 4 threads took"),
    "process_map_chunks.py": ([], "40 items in chunks of 5: 40 results"),
    "asyncio_gather.py": ([], "a done, b done, c done"),
    "future_waits_on_future.py": ([], "outer got 'inner result'"),
    "two_threads.py": ([], "wait: done"),
    "asyncio_warnings.py": ([], "done"),
    "lesson_deadlock.py": (["0.2"], "both deadlocks ended by their timeouts"),
    "lesson_future_api.py": ([], "cancel() of a pending one: True; it is cancelled"),
    "lesson_as_completed.py": ([], "map: download 4 -> page 4"),
    "lesson_why_a_pool.py": ([], "20 tasks on a pool of 4 workers"),
    "lesson_preemptive.py": ([], "two generators:"),
    "lesson_generators.py": ([], "a done, b done, c done"),
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_example_runs_as_a_plain_script(name: str) -> None:
    args, text = EXPECTED[name]
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert text in proc.stdout


def test_one_worker_waiting_on_its_own_pool_is_a_deadlock_the_example_ends() -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / "future_waits_on_future.py"), "1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "every worker was waiting (a deadlock)" in proc.stdout


def test_the_asyncio_mistakes_are_reported_by_python_itself() -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / "asyncio_warnings.py")],
                          capture_output=True, text=True, timeout=60)
    assert "coroutine 'tick' was never awaited" in proc.stderr
    assert "Task exception was never retrieved" in proc.stderr


def trace(name: str, tmp: Path, *args: str) -> tuple[subprocess.CompletedProcess[str],
                                                     list[dict[str, object]]]:
    """`schedviz trace` of a shipped example: the run and its events."""
    out = tmp / f"{name}.jsonl"
    schedviz = Path(sys.executable).with_name("schedviz")
    proc = subprocess.run([str(schedviz), "trace", "--events-out", str(out),
                           str(EXAMPLES / name), *args],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc, [json.loads(line) for line in out.open()]


def of_kind(events: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [e for e in events if e["kind"] == kind]


def test_traced_map_example_has_its_chunks_on_worker_lanes(tmp_path: Path) -> None:
    proc, events = trace("process_map_chunks.py", tmp_path)
    assert "40 items in chunks of 5: 40 results" in proc.stdout
    chunks = [e for e in of_kind(events, "task_submitted") if e.get("items") is not None]
    assert len(chunks) == math.ceil(40 / 5)
    assert sorted(int(str(e["first_item"])) for e in chunks) == list(range(0, 40, 5))
    pool_workers = {e["worker"] for e in of_kind(events, "worker_spawned")
                    if e["pool"] is not None}
    ran_on = {e["worker"] for e in of_kind(events, "task_started")}
    assert len(pool_workers) == 2 and ran_on <= pool_workers
    assert all(e["ok"] for e in of_kind(events, "task_finished"))


def test_traced_gather_example_yields_at_its_own_lines(tmp_path: Path) -> None:
    proc, events = trace("asyncio_gather.py", tmp_path)
    assert "a done, b done, c done" in proc.stdout
    lines = (EXAMPLES / "asyncio_gather.py").read_text().splitlines()
    awaits = {i for i, line in enumerate(lines, 1) if "await " in line}
    yields = [e for e in of_kind(events, "aio_step") if e["outcome"] == "yield"]
    assert len(yields) >= 9  # three coroutines, three awaits each
    assert {e["file"] for e in yields} == {str(EXAMPLES / "asyncio_gather.py")}
    assert {e["line"] for e in yields} <= awaits


def test_traced_two_threads_example_has_a_lane_per_thread(tmp_path: Path) -> None:
    _, events = trace("two_threads.py", tmp_path)
    lanes = {e["name"] for e in of_kind(events, "worker_spawned") if e["pool"] is None}
    assert lanes == {"MainThread", "compute", "wait"}
    assert len(of_kind(events, "worker_exited")) == 3


def test_traced_examples_print_what_they_print_alone(tmp_path: Path) -> None:
    for name in ("asyncio_gather.py", "future_waits_on_future.py", "two_threads.py"):
        plain = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
                               text=True, timeout=60)
        traced, _ = trace(name, tmp_path)
        assert sorted(traced.stdout.splitlines()) == sorted(plain.stdout.splitlines()), name
