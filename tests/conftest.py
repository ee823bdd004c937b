"""Shared fixtures: every test must leave no threads or child processes behind, and no test
writes to the user's recordings library."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import launch_args
from realruns import record_real_runs

LEFTOVER_GRACE_S = 10.0

# A test that records without naming a data directory records here, never in the user's own
# library (servers and apps made by fixtures get one of their own per test).
os.environ["SCHEDVIZ_DATA_DIR"] = tempfile.mkdtemp(prefix="schedviz-test-data-")


# multiprocessing's own helpers live for the whole session once started: not leftovers.
_MP_HELPERS = (b"multiprocessing.forkserver", b"multiprocessing.resource_tracker")


def child_pids() -> set[int]:
    """Live child processes of this process (zombies count: they were not reaped)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return {p for p in pids if not _is_mp_helper(p)}


def _is_mp_helper(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return any(h in cmdline for h in _MP_HELPERS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium without sandbox and without background DNS lookups."""
    return launch_args(browser_type_launch_args)


@pytest.fixture(autouse=True)
def no_leftovers(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a thread or a child process running after it returns."""
    if request.node.get_closest_marker("browser"):
        # The browser driver is a session-wide child process; browser tests check their own.
        yield
        return
    threads_before = set(threading.enumerate())
    children_before = child_pids()
    yield
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while True:
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        children = child_pids() - children_before
        if (not threads and not children) or time.monotonic() > deadline:
            break
        for t in threads:
            t.join(0.05)  # wait on the thread itself, not a fixed sleep
        if children and not threads:
            time.sleep(0.05)  # child exit has no handle to wait on from here
    assert not threads, f"threads left running: {[t.name for t in threads]}"
    assert not children, f"child processes left running: {sorted(children)}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under e2e/ and frontend/ drive Chromium: mark them `browser`."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "e2e" in parts or "frontend" in parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def real_run_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """run id -> the JSON Lines of a real run (tests/realruns.py), recorded once per session."""
    return record_real_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="session")
def real_runs(real_run_files: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """run id -> its events."""
    return {rid: [json.loads(line) for line in path.open()]
            for rid, path in real_run_files.items()}
