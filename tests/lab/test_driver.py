"""Real runs through the Driver: real pools, real threads, the run invariants on every one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from invariants import RunSummary, check_run
from schedviz.lab.driver import LIVE, Driver
from schedviz.protocol import LIVE_FIELDS, CompactEvent, RunConfig, expand


class Collect:
    """An emit callback that keeps every event and can wake a test when a condition holds."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, batch: list[CompactEvent]) -> None:
        with self._cond:
            self.events.extend(expand(e) for e in batch)
            self._cond.notify_all()

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e["kind"] == kind)

    def wait_for(self, pred: Callable[[Collect], bool], timeout: float = 30) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: pred(self), timeout), "condition never held"


def start(config: RunConfig) -> tuple[Driver, Collect, threading.Thread]:
    sink = Collect()
    driver = Driver(config, sink)
    thread = threading.Thread(target=driver.run, name="test-run")
    thread.start()
    return driver, sink, thread


def run_to_end(config: RunConfig) -> RunSummary:
    sink = Collect()
    assert Driver(config, sink).run() == "completed"
    return check_run(sink.events)


@pytest.mark.parametrize("workload", ["sleep", "cpu", "hash", "mixed"])
def test_batch_run_of_each_workload_keeps_the_invariants(workload: str) -> None:
    run = run_to_end(RunConfig(workload=workload, n_tasks=9, task_ms=20, hash_mb=1, max_workers=3))
    assert len(run.finished) == 9 and all(t.finished["ok"] for t in run.finished)  # type: ignore[index]
    assert len(run.workers) <= 3
    assert run.ended["reason"] == "completed"


def test_sleep_tasks_fill_every_worker_but_never_more() -> None:
    run = run_to_end(RunConfig(workload="sleep", n_tasks=12, task_ms=50, max_workers=3))
    assert run.max_running == 3
    lanes = {t.started[1] for t in run.finished if t.started}
    assert len(lanes) == 3, "each of the 3 workers ran tasks"
    assert all(w["exited_t"] >= 0 for w in run.workers.values()), "every worker exit recorded"
    depths = [e["depth"] for e in run.kinds("queue_depth")]
    assert depths and max(depths) >= 6 and depths[-1] == 0


def test_exceptions_appear_as_such() -> None:
    run = run_to_end(RunConfig(workload="sleep", n_tasks=8, task_ms=1, max_workers=2, fail_every=4))
    failed = sorted(t.task for t in run.finished if not t.finished["ok"])  # type: ignore[index]
    assert failed == [3, 7]
    for task in failed:
        fin = run.tasks[task].finished
        assert fin is not None and fin["result"] is None and "TaskFailed" in fin["error"]


def test_stop_cancels_waiting_tasks_and_ends_stopped() -> None:
    driver, sink, thread = start(
        RunConfig(workload="sleep", n_tasks=40, task_ms=200, max_workers=2)
    )
    sink.wait_for(lambda s: s.count("task_started") >= 2)
    driver.stop()
    thread.join(30)
    run = check_run(sink.events)
    assert run.ended["reason"] == "stopped"
    cancelled = run.kinds("task_cancelled")
    assert len(cancelled) >= 30 and {e["reason"] for e in cancelled} == {"stopped"}
    assert len(run.finished) + len(cancelled) == len(run.tasks)


def test_live_resize_up_moves_waiting_work_and_new_limit_holds() -> None:
    driver, sink, thread = start(
        RunConfig(workload="sleep", arrival="rate", rate=40, n_tasks=60, task_ms=150,
                  max_workers=2)
    )
    # Let a queue build on 2 workers (40/s arriving, ~13/s served), then resize.
    sink.wait_for(lambda s: s.count("task_started") >= 4)
    driver.set(max_workers=5)
    thread.join(60)
    run = check_run(sink.events)
    (change,) = run.kinds("config_changed")
    assert (change["field"], change["old"], change["new"]) == ("max_workers", 2, 5)
    pools = run.kinds("pool_created")
    assert [p["max_workers"] for p in pools] == [2, 5]
    assert next(e["pool"] for e in run.kinds("pool_retired")) == 0
    assert run.kinds("task_moved"), "waiting tasks moved to the new pool"
    old_workers = [w for w in run.workers.values() if w["pool"] == 0]
    assert len(old_workers) == 2 and all("exited_t" in w for w in old_workers)
    # After the change the run uses the new size: 5 tasks at once on the new pool's lanes.
    after = [t for t in run.finished if t.started and t.started[0] > change["t"]]
    assert {run.workers[t.started[1]]["pool"] for t in after if t.started} == {1}
    assert run.max_running == 5


def test_live_resize_down_never_starts_beyond_the_new_limit() -> None:
    driver, sink, thread = start(
        RunConfig(workload="sleep", arrival="rate", rate=50, n_tasks=40, task_ms=120,
                  max_workers=5)
    )
    sink.wait_for(lambda s: s.count("task_started") >= 6)
    driver.set(max_workers=2)
    thread.join(60)
    run = check_run(sink.events)  # asserts: each start is within the limit in force then
    (change,) = run.kinds("config_changed")
    starts_after = sorted(t.started[0] for t in run.tasks.values()
                          if t.started and t.started[0] > change["t"])
    assert starts_after, "work went on after the shrink"
    assert len(run.finished) == 40


def test_set_max_workers_refuses_out_of_range() -> None:
    driver = Driver(RunConfig(), Collect())
    with pytest.raises(ValueError, match="between 1 and 64"):
        driver.set(max_workers=65)


def test_every_live_field_is_applied_from_its_value_in_force() -> None:
    driver = Driver(RunConfig(), Collect())
    assert set(LIVE) == set(LIVE_FIELDS)
    for name in LIVE:
        assert getattr(driver, "_" + name) == getattr(driver.config, name)


def test_rate_run_stops_at_its_duration() -> None:
    run = run_to_end(RunConfig(workload="sleep", arrival="rate", rate=20, n_tasks=1000,
                               duration_s=0.3, task_ms=1, max_workers=2))
    # Due times are k/20 s for k < 0.3 * 20: exactly 6 tasks fall inside the window.
    assert len(run.tasks) == 6


# -- process pools --------------------------------------------------------------------------


def chunks_of(run: RunSummary) -> list[Any]:
    return [e for e in run.kinds("task_submitted") if e["items"] is not None]


@pytest.mark.parametrize(("chunksize", "expected"), [(4, 4), (1, 16)])
def test_process_map_yields_one_chunk_per_k_items(chunksize: int, expected: int) -> None:
    run = run_to_end(RunConfig(executor="processes", start_method="fork", submit_mode="map",
                               n_tasks=16, chunksize=chunksize, max_workers=2,
                               workload="sleep", task_ms=5))
    chunks = chunks_of(run)
    assert len(chunks) == expected == len(run.finished)
    assert sorted(c["first_item"] for c in chunks) == list(range(0, 16, chunksize))
    assert sum(c["items"] for c in chunks) == 16
    lanes = {t.started[1] for t in run.finished if t.started}
    assert lanes <= set(run.workers) and len(run.workers) == 2
    for t in run.finished:
        assert t.finished is not None and len(t.finished["item_ends"]) == chunksize
    # four pickling steps per chunk, each with its size
    assert len(run.kinds("serialized")) == 4 * expected
    assert all(w["exitcode"] == 0 for w in run.kinds("worker_exited"))
    assert {e["pid"] for e in run.kinds("worker_ready")} == {
        w["native_id"] for w in run.workers.values()}


def test_spawned_workers_report_their_start_up_cost() -> None:
    run = run_to_end(RunConfig(executor="processes", start_method="spawn", n_tasks=4,
                               max_workers=2, workload="sleep", task_ms=1))
    ready = {e["worker"]: e["t"] for e in run.kinds("worker_ready")}
    assert set(ready) == set(run.workers)
    for worker, spawned in run.workers.items():
        assert ready[worker] > spawned["t"], "a spawned worker is ready after it was started"
    memory = run.kinds("memory")
    assert any(m["worker"] is None for m in memory), "the lab's own memory is sampled"


def test_live_chunksize_applies_to_the_next_map_call() -> None:
    # A stream that outlasts the test: the change always has map() calls after it, however
    # slow the machine (a short stream could be all submitted before the change).
    driver, sink, thread = start(
        RunConfig(executor="processes", start_method="fork", submit_mode="map",
                  arrival="rate", rate=200, map_batch=8, n_tasks=10_000, duration_s=60,
                  chunksize=1, max_workers=2, workload="sleep", task_ms=2)
    )
    sink.wait_for(lambda s: s.count("task_finished") >= 8)
    driver.set(chunksize=4)
    sink.wait_for(lambda s: any(e["kind"] == "task_submitted" and e["items"] == 4
                                for e in s.events))
    driver.stop()
    thread.join(60)
    run = check_run(sink.events)
    (change,) = [e for e in run.kinds("config_changed") if e["field"] == "chunksize"]
    before = [c for c in chunks_of(run) if c["t"] < change["t"]]
    after = [c for c in chunks_of(run) if c["t"] > change["t"]]
    assert before and {c["items"] for c in before} == {1}
    assert after and {c["items"] for c in after} <= {4} and sum(c["items"] for c in after) % 4 == 0


def test_chunksize_change_is_refused_outside_map_mode() -> None:
    with pytest.raises(ValueError, match="submit_mode 'map'"):
        Driver(RunConfig(), Collect()).set(chunksize=4)


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_killed_worker_is_reported_and_a_fresh_pool_continues(method: str) -> None:
    run = run_to_end(RunConfig(executor="processes", start_method=method, n_tasks=10,
                               kill_every=4, max_workers=2, workload="sleep", task_ms=20,
                               on_broken="restart"))
    broken = run.kinds("pool_broken")
    assert broken, "the kill broke the pool"
    killed = {t.task for t in run.tasks.values() if t.finished and not t.finished["ok"]
              and t.finished["error"].startswith("BrokenProcessPool")}
    assert {3, 7} & killed, "a task that killed its worker failed with BrokenProcessPool"
    for b in broken:
        assert b["pid"] in {w["native_id"] for w in run.workers.values()}
        assert f"pid {b['pid']}" in b["message"] and b["exitcode"] == 1
    # The run went on with fresh pools, and every task has an outcome (check_run).
    assert len(run.kinds("pool_created")) == len(broken) + 1
    assert any(t.finished["ok"] for t in run.finished
               if t.started and run.workers[t.started[1]]["pool"] > 0)


def test_killed_worker_ends_the_run_when_asked() -> None:
    sink = Collect()
    reason = Driver(RunConfig(executor="processes", start_method="fork", n_tasks=10,
                              kill_every=3, max_workers=2, workload="sleep", task_ms=50,
                              on_broken="end"), sink).run()
    assert reason == "error"
    run = check_run(sink.events)
    assert run.ended["reason"] == "error" and "on_broken=end" in run.ended["message"]
    assert len(run.kinds("pool_created")) == 1


def test_live_resize_of_a_process_pool() -> None:
    driver, sink, thread = start(
        RunConfig(executor="processes", start_method="fork", arrival="rate", rate=40,
                  n_tasks=40, task_ms=150, workload="sleep", max_workers=2)
    )
    sink.wait_for(lambda s: s.count("task_started") >= 3)
    driver.set(max_workers=4)
    thread.join(60)
    run = check_run(sink.events)  # each start within the limit in force then
    assert [p["max_workers"] for p in run.kinds("pool_created")] == [2, 4]
    old = [w for w in run.workers.values() if w["pool"] == 0]
    assert len(old) == 2 and all(w.get("exitcode", 0) == 0 for w in run.kinds("worker_exited"))
    assert run.max_running == 4
