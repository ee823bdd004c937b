"""The comparison of executors (schedviz/compare.py) and `schedviz compare`: a real CPU-bound
comparison, its summary checked against the events the runs wrote, and the command's refusals."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest

from comparerun import EXECUTORS, comparison
from realruns import schedviz_command
from schedviz import compare
from schedviz.protocol import RunConfig


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] == kind]


def expected_row(executor: str, events: list[dict[str, Any]]) -> tuple[int, int]:
    """(wall ns, CPU ns) computed here from the run's events, as the summary says it measures."""
    if executor == "asyncio":
        steps = of(events, "aio_step")
        wall = max(s["t"] + s["dur_ns"] for s in steps) - min(s["t"] for s in steps)
        return wall, of(events, "aio_loop_cpu")[-1]["cpu_ns"]
    first = min(e["t"] for e in of(events, "task_submitted"))
    last = max(e["t"] for e in of(events, "task_finished"))
    return last - first, sum(e["cpu_ns"] for e in of(events, "task_finished"))


def test_the_command_runs_every_executor_and_prints_the_table() -> None:
    run = comparison()
    assert run.returncode == 0, run.stderr
    assert set(run.runs) == set(EXECUTORS)
    assert [line.split()[0] for line in run.stdout.splitlines()] == ["executor", *EXECUTORS]
    # progress: one line per run, in the order they ran, and the note about cpu
    assert re.findall(r"\[(\d)/4\] (\w+)", run.stderr) == [
        (str(i), name) for i, name in enumerate(EXECUTORS, 1)]
    assert "cpu runs as cpu_work" in run.stderr


def test_each_run_is_the_executor_its_row_names() -> None:
    configs = {name: events[0]["config"] for name, events in comparison().runs.items()}
    pools = {name: (c["executor"], c["max_workers"]) for name, c in configs.items()}
    assert pools["sequential"] == ("threads", 1)
    assert pools["threads"] == ("threads", 2)
    assert pools["processes"] == ("processes", 2)
    assert configs["asyncio"]["executor"] == "asyncio"
    assert {c["workload"] for c in configs.values()} == {"cpu_work"}
    assert all(c["n_tasks"] == 4 and c["task_ms"] == 150 for c in configs.values())


def test_the_summary_is_what_the_events_say() -> None:
    runs = comparison().runs
    rows = compare.summarize([runs[name] for name in EXECUTORS])
    assert [r.executor for r in rows] == list(EXECUTORS)
    expected = {name: expected_row(name, runs[name]) for name in EXECUTORS}
    for r in rows:
        assert (r.wall_ns, r.cpu_ns) == expected[r.executor]
        assert r.speedup == expected["sequential"][0] / expected[r.executor][0]
        assert r.run_id == runs[r.executor][0]["run_id"]
    assert {r.tasks for r in rows} == {4}


def test_the_printed_table_matches_the_summary() -> None:
    run = comparison()
    rows = compare.summarize([run.runs[name] for name in EXECUTORS])
    assert run.stdout.strip() == compare.table(rows)
    for line, r in zip(run.stdout.splitlines()[1:], rows, strict=True):
        wall, cpu, speedup = re.findall(r"([\d.]+)(?: ms|×)", line)
        assert int(wall) == round(r.wall_ns / 1e6) and int(cpu) == round(r.cpu_ns / 1e6)
        assert float(speedup) == round(r.speedup or 0, 2)


def test_a_cpu_bound_comparison_shows_processes_faster_than_threads() -> None:
    assert (os.cpu_count() or 1) >= 2  # the acceptance needs two cores; this machine has them
    rows = {r.executor: r for r in compare.summarize(
        [comparison().runs[name] for name in EXECUTORS])}
    assert rows["processes"].wall_ns < rows["threads"].wall_ns
    # the same work everywhere: each task used 150 ms of CPU whichever executor ran it
    for r in rows.values():
        assert r.cpu_ns >= 4 * 150e6


@pytest.mark.parametrize(("args", "message"), [
    (["--n-tasks", "0"], "n_tasks must be from 1 to 200 for a comparison; got 0"),
    (["--task-ms", "9000"], "task_ms must be from 1 to 5000 for a comparison; got 9000"),
    (["--max-workers", "1"], "max_workers must be from 2 to 64 for a comparison; got 1"),
    (["--workload", "mixed"], "invalid choice: 'mixed' (choose from 'cpu', 'cpu_work', 'sleep', "
                              "'hash')"),
    (["--n-tasks", "many"], "invalid int value: 'many'"),
])
def test_bad_arguments_are_refused_with_what_is_allowed(args: list[str], message: str) -> None:
    proc = subprocess.run([*schedviz_command(), "compare", *args], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stdout == ""


def test_a_workload_without_a_coroutine_counterpart_leaves_asyncio_out() -> None:
    plan = compare.plan(RunConfig(workload="hash", n_tasks=4, max_workers=2))
    assert [name for name, _ in plan.runs] == ["sequential", "threads", "processes"]
    assert "asyncio left out: hash has no coroutine counterpart" in plan.notes


def test_sleep_on_asyncio_sleeps_as_long_in_all() -> None:
    plan = compare.plan(RunConfig(workload="sleep", n_tasks=4, task_ms=150, max_workers=2))
    aio = dict(plan.runs)["asyncio"]
    assert (aio.workload, aio.task_ms) == ("sleep", 50)  # three awaits of 50 ms each
    assert dict(plan.runs)["threads"].workload == "sleep"


@pytest.mark.parametrize(("fields", "message"), [
    ({"arrival": "rate"}, "submits its tasks at once"),
    ({"fail_every": 2}, "needs every task to finish"),
    ({"workload": "echo"}, "a comparison runs workload cpu, cpu_work, sleep, hash"),
    ({"n_tasks": 500}, "n_tasks must be from 1 to 200"),
    ({"chunksize": 0}, "chunksize"),
])
def test_settings_that_cannot_be_compared_are_refused(fields: dict[str, Any], message: str
                                                      ) -> None:
    with pytest.raises(compare.ComparisonError, match=re.escape(message)):
        compare.plan(compare.config_of({"workload": "cpu", "max_workers": 2, **fields}))


def test_events_of_an_unfinished_run_are_not_comparable() -> None:
    events = comparison().runs["threads"]
    cut = [e for e in events if e["kind"] != "run_ended"]
    with pytest.raises(compare.NotComparable, match="the threads run did not complete"):
        compare.summarize([cut])
    with pytest.raises(compare.NotComparable, match="must start with a run_started"):
        compare.split_runs(events[1:])
