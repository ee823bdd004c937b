"""The shipped examples (examples/*.py, the lecture notes' snippets) run as plain Python scripts
and print what their docstrings promise; `schedviz trace` runs the same files unchanged."""

from __future__ import annotations

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
