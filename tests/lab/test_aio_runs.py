"""Real asyncio runs through the Driver: a real loop, real sockets, the invariants on each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_driver import Collect, start

from invariants import AioSummary, check_aio, check_run
from schedviz import aio_workloads
from schedviz.lab.driver import Driver
from schedviz.protocol import ASYNCIO_WORKLOADS, RunConfig

SOURCE = Path(aio_workloads.__file__).read_text().splitlines()


def line_of(text: str) -> int:
    """The 1-based line of aio_workloads.py that contains `text` (exactly one)."""
    found = [i + 1 for i, line in enumerate(SOURCE) if text in line]
    assert len(found) == 1, f"{text!r} is on lines {found}"
    return found[0]


def run_aio(workload: str, **kw: object) -> AioSummary:
    sink = Collect()
    config = RunConfig(executor="asyncio", workload=workload, **kw)  # type: ignore[arg-type]
    assert Driver(config, sink).run() == "completed"
    check_run(sink.events)
    return check_aio(sink.events)


def test_the_loop_runs_the_c_task() -> None:
    # What this instrumentation must work with: the C implementation, no private API.
    assert asyncio.Task.__module__ == "_asyncio"


@pytest.mark.parametrize("workload", ASYNCIO_WORKLOADS)
def test_every_workload_keeps_the_invariants(workload: str) -> None:
    run = run_aio(workload, n_tasks=4, task_ms=30)
    assert len(run.tasks) >= 2 and len(run.steps) >= len(run.tasks)


def test_sleepers_yield_exactly_at_their_await_line() -> None:
    run = run_aio("sleep", n_tasks=5, task_ms=20)
    line = line_of("await asyncio.sleep(run.s)  # yields")
    sleepers = {t for t, e in run.tasks.items() if e["name"].startswith("sleeper-")}
    assert len(sleepers) == 5
    sites = {(s["file"], s["line"], s["awaiting"]) for s in run.steps
             if s["task"] in sleepers and s["outcome"] == "yield"}
    assert sites == {(aio_workloads.__file__, line, "sleep(0.02)")}
    for t in sleepers:  # three sleeps: three yields and the step that returns
        assert run.tasks[t]["done"]["steps"] == 4


def test_blocking_call_is_reported_at_its_line_while_and_after_it_blocks() -> None:
    run = run_aio("blocking", n_tasks=3, task_ms=150)
    line = line_of("time.sleep(run.s)  # blocks the loop")
    # (A loaded machine may stretch another step past 50 ms too: that report is real.)
    mine = [b for b in run.blocked if b["line"] == line]
    assert sorted(b["ongoing"] for b in mine) == [False, True]
    final = next(b for b in mine if not b["ongoing"])
    assert final["file"] == aio_workloads.__file__ and "time.sleep" in final["source"]
    assert final["dur_ns"] >= 150e6
    assert any("blocked the loop" in w and f"aio_workloads.py:{line}" in w and "time.sleep" in w
               for w in run.warnings), run.warnings
    # While it blocked, no other step ran: the tickers' steps lie outside its span.
    inside = [s for s in run.steps if final["t"] < s["t"] < final["t"] + final["dur_ns"]]
    assert inside == []


def test_a_coroutine_that_never_yields_is_called_out() -> None:
    run = run_aio("cpu", n_tasks=2, task_ms=120)
    crunch = next(t for t, e in run.tasks.items() if e["name"] == "crunch-0")
    assert run.tasks[crunch]["done"]["steps"] == 1
    assert any("crunch-0 never yielded" in w for w in run.warnings), run.warnings


def test_echo_clients_wait_on_real_socket_reads() -> None:
    run = run_aio("echo", n_tasks=3, task_ms=5)
    line = line_of("await reader.readline()  # waits for the echo")
    clients = {t for t, e in run.tasks.items() if e["name"].startswith("client-")}
    reads = [s for s in run.steps if s["task"] in clients and s["line"] == line]
    assert len(reads) >= 3 and {s["awaiting"] for s in reads} == {"a socket read"}


def test_queue_waits_name_the_object_waited_on() -> None:
    run = run_aio("queue", n_tasks=6, task_ms=20)
    waits = {s["waits_on"] for s in run.steps if s["waits_on"]}
    assert {"queue jobs", "semaphore slots", "event go"} <= waits, waits


def test_offloaded_work_is_linked_to_its_pool_task() -> None:
    sink = Collect()
    config = RunConfig(executor="asyncio", workload="offload", n_tasks=4, task_ms=30,
                       max_workers=2)
    assert Driver(config, sink).run() == "completed"
    summary = check_run(sink.events)
    run = check_aio(sink.events)
    offloads = [e for e in sink.events if e["kind"] == "aio_offload"]
    assert len(offloads) == 4
    for off in offloads:
        pool_task = summary.tasks[off["pool_task"]]
        assert pool_task.finished is not None and pool_task.finished["ok"]
        # The offloading task's step yielded awaiting exactly that pool task.
        step = next(s for s in run.steps if s["task"] == off["task"] and s["t"] <= off["t"]
                    <= s["t"] + s["dur_ns"])
        assert step["awaiting"] == f"executor task #{off['pool_task']}"


def test_slow_step_threshold_changes_live() -> None:
    driver, sink, thread = start(RunConfig(executor="asyncio", workload="blocking", n_tasks=2,
                                           task_ms=300, slow_step_ms=5000))
    sink.wait_for(lambda s: s.count("aio_step") >= 2)
    driver.set(slow_step_ms=50)
    with pytest.raises(ValueError, match="between 1 and 10000"):
        driver.set(slow_step_ms=0.5)
    thread.join(timeout=30)
    assert not thread.is_alive()
    changed = [e for e in sink.events if e["kind"] == "config_changed"]
    assert [(e["field"], e["old"], e["new"]) for e in changed] == [("slow_step_ms", 5000, 50)]
    assert any(not b["ongoing"] for b in check_aio(sink.events).blocked)


def test_stop_cancels_the_tasks_and_ends_the_run() -> None:
    driver, sink, thread = start(RunConfig(executor="asyncio", workload="sleep", n_tasks=4,
                                           task_ms=5000))
    sink.wait_for(lambda s: s.count("aio_step") >= 4)
    driver.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    run = check_aio(sink.events)
    outcomes = {e["done"]["outcome"] for e in run.tasks.values()}
    assert outcomes == {"cancelled"}
    assert sink.events[-1]["reason"] == "stopped"


def test_a_failing_workload_ends_the_run_with_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(run: aio_workloads.Run) -> None:
        await asyncio.sleep(0)
        raise OSError("no route")

    monkeypatch.setitem(aio_workloads.WORKLOADS, "gather", broken)
    sink = Collect()
    assert Driver(RunConfig(executor="asyncio", workload="gather"), sink).run() == "error"
    check_run(sink.events)
    assert "OSError('no route')" in sink.events[-1]["message"]
    main = next(e for e in check_aio(sink.events).tasks.values() if e["name"] == "main")
    assert main["done"]["outcome"] == "error" and "no route" in main["done"]["error"]
