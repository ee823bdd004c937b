"""The shared calculations over a run's events, on small hand-built event lists: the exact
numbers where the events fix them, and the edge cases (nothing ran, events out of order, a task
that never finished, a GIL nobody held)."""

from __future__ import annotations

from typing import Any

import pytest

from schedviz.lessons import observe as ob


class Log:
    """Builds a run's events with gap-free seqs, in the order added (t is given)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, t: int, kind: str, **fields: Any) -> Log:
        self.events.append({"seq": len(self.events), "t": t, "kind": kind, **fields})
        return self

    def task(self, task: int, sub: int, start: int | None, fin: int | None, worker: int = 0,
             cpu_ns: int | None = None, **chunk: Any) -> Log:
        self.add(sub, "task_submitted", task=task, pool=0, args="()",
                 map_id=chunk.get("map_id"), first_item=chunk.get("first_item"),
                 items=chunk.get("items"))
        if start is not None:
            self.add(start, "task_started", task=task, worker=worker)
        if fin is not None:
            self.add(fin, "task_finished", task=task, worker=worker, ok=True, result="1",
                     error=None, item_ends=None, cpu_ns=cpu_ns)
        return self


def three_tasks() -> Log:
    # two workers: task 0 runs 0–100 on W0, task 1 runs 10–60 on W1, task 2 runs 60–90 on W1
    return (Log().task(0, 0, 0, 100, worker=0, cpu_ns=80).task(1, 0, 10, 60, worker=1,
                                                               cpu_ns=50)
            .task(2, 5, 60, 90, worker=1, cpu_ns=30))


def test_task_spans_join_submit_start_and_finish_in_any_order() -> None:
    log = Log()
    log.add(50, "task_finished", task=7, worker=2, ok=False, result=None, error="E",
            item_ends=None, cpu_ns=None)
    log.add(10, "task_started", task=7, worker=2)
    log.add(5, "task_submitted", task=7, pool=1, args="()", map_id=None, first_item=None,
            items=None)
    (span,) = ob.task_spans(log.events)
    assert (span.task, span.pool, span.submitted, span.started, span.finished) == (7, 1, 5, 10, 50)
    assert (span.worker, span.ok, span.cpu_ns, span.run_ns) == (2, False, None, 40)


def test_wall_sum_speedup_and_cores_of_three_tasks() -> None:
    spans = ob.task_spans(three_tasks().events)
    assert ob.work_window(spans) == (0, 100)
    assert ob.work_wall_ns(spans) == 100
    assert ob.running_wall_ns(spans) == 100
    assert ob.task_time_ns(spans) == 100 + 50 + 30
    assert ob.speedup(spans) == pytest.approx(1.8)
    assert ob.task_cpu_ns(spans) == 160
    assert ob.cores_used(spans) == pytest.approx(1.6)


def test_parallelism_counts_a_finish_and_a_start_at_the_same_moment_as_a_hand_over() -> None:
    p = ob.parallelism(ob.task_spans(three_tasks().events))
    # W1's task 1 ends at 60 as task 2 starts there: never three at once
    assert p == ob.Parallelism(max=2, mean=pytest.approx((50 + 30 + 100) / 100))


def test_a_task_still_running_counts_in_no_time() -> None:
    spans = ob.task_spans(Log().task(0, 0, 0, 10).task(1, 0, 5, None).events)
    assert [s.task for s in ob.ran(spans)] == [0]
    assert ob.work_wall_ns(spans) == 10 and ob.task_time_ns(spans) == 10
    assert ob.completion_order(spans) == [0]


def test_nothing_ran_gives_none_not_zero() -> None:
    spans = ob.task_spans(Log().task(0, 0, None, None).events)
    assert ob.work_wall_ns(spans) is None and ob.speedup(spans) is None
    assert ob.parallelism(spans) is None and ob.cores_used(spans) is None
    assert ob.task_cpu_ns(spans) is None
    assert ob.ratio(1, 0) is None and ob.ratio(None, 2) is None
    assert ob.task_spans([]) == [] and ob.chunks([]) is None


def test_completion_order_and_tasks_that_overtook_an_earlier_one() -> None:
    spans = ob.task_spans(three_tasks().events)
    assert ob.completion_order(spans) == [1, 2, 0]
    assert ob.overtaken([1, 2, 0]) == 2  # both finished before task 0
    assert ob.overtaken([0, 1, 2]) == 0
    assert ob.overtaken([2, 1, 0]) == 2
    assert ob.overtaken([]) == 0


def test_chunks_of_two_map_calls() -> None:
    log = (Log().task(0, 0, 1, 2, map_id=0, first_item=0, items=4)
           .task(1, 0, 1, 2, map_id=0, first_item=4, items=2)
           .task(2, 3, 4, 5, map_id=1, first_item=0, items=3)
           .task(3, 3, 4, 5))  # a submit() beside them is no chunk
    found = ob.chunks(ob.task_spans(log.events))
    assert found == ob.Chunks(map_calls=2, chunks=3, items=9)
    assert found is not None and found.items_per_chunk == 3.0
    assert ob.Chunks(0, 0, 0).items_per_chunk == 0.0


def test_workers_startup_first_task_and_threads_created() -> None:
    log = (Log().add(0, "pool_created", pool=0, max_workers=2, executor="processes")
           .add(10, "worker_spawned", worker=0, pool=0, name="P-1", native_id=11)
           .add(12, "worker_spawned", worker=1, pool=0, name="P-2", native_id=12)
           .add(1, "worker_spawned", worker=9, pool=None, name="MainThread", native_id=1)
           .add(110, "worker_ready", worker=0, pid=11)
           .add(90, "worker_ready", worker=1, pid=12)
           .task(0, 5, 120, 130, worker=0).task(1, 5, 95, 99, worker=1)
           .task(2, 5, 100, 101, worker=1))
    assert ob.startup_ns(log.events) == {0: 100, 1: 78}
    assert ob.first_start_after_pool_ns(log.events) == {0: 120, 1: 95}
    assert ob.threads_created(log.events) == 2  # a traced program's own thread is no worker


def test_memory_peaks_per_process_with_uss_where_readable() -> None:
    log = (Log().add(1, "memory", pid=1, worker=None, rss=50, uss=40)
           .add(2, "memory", pid=2, worker=0, rss=10, uss=None)
           .add(3, "memory", pid=2, worker=0, rss=30, uss=None)
           .add(4, "memory", pid=3, worker=1, rss=20, uss=5)
           .add(5, "memory", pid=3, worker=1, rss=15, uss=8))
    assert ob.memory_peaks(log.events) == [
        ob.MemoryUse(1, None, 50, 40), ob.MemoryUse(2, 0, 30, None), ob.MemoryUse(3, 1, 20, 8)]


def test_serialization_adds_time_of_every_step_and_bytes_of_the_dumps() -> None:
    log = Log()
    for op, ns, nbytes in (("dumps", 5, 100), ("loads", 7, 100), ("dumps", 1, 20)):
        log.add(0, "serialized", task=0, side="parent", what="args", op=op, duration_ns=ns,
                nbytes=nbytes)
    assert ob.serialization(log.events) == ob.Serialization(ns=13, nbytes=120, steps=3)
    assert ob.serialization(Log().events) is None


def gil(log: Log, t: int, held: bool, worker: int | None, thread: str | None,
        pid: int = 1) -> Log:
    return log.add(t, "gil", pid=pid, held=held, worker=worker, thread=thread, window_ns=1,
                   switches=1, gap=False)


def test_gil_held_per_holder_clipped_to_the_window_until_the_run_ends() -> None:
    log = Log().add(0, "gil_sampler", pid=1, available=True, period_ns=250, reason=None,
                    realtime=False)
    gil(log, 0, True, None, "MainThread")
    gil(log, 10, True, 0, "W0")
    gil(log, 30, False, None, None)  # nobody from 30 to 40
    gil(log, 40, True, 1, "W1")
    gil(log, 5, True, 0, "W0", pid=2)  # another process's GIL, held to the run's end
    log.add(100, "run_ended", reason="completed", message=None)
    assert ob.gil_held_ns(log.events) == {1: {"MainThread": 10, 0: 20, 1: 60}, 2: {0: 95}}
    assert ob.gil_held_ns(log.events, 20, 50) == {1: {0: 10, 1: 10}, 2: {0: 30}}
    shares = ob.workers_gil_share(log.events, 0, 100)
    assert shares == {0: pytest.approx(0.2 + 0.95), 1: pytest.approx(0.6)}
    assert ob.workers_gil_share(log.events, 50, 50) == {}
    assert ob.gil_sampled(log.events) and not ob.gil_sampled(Log().events)
    assert ob.gil_holder_threads(log.events) == {"MainThread", "W0", "W1"}


def aio_log() -> Log:
    log = Log()
    for task, name in ((1, "main"), (2, "ticker-0"), (3, "blocker-0")):
        log.add(task, "aio_task", task=task, name=name, coro=name, parent=None)

    def step(t: int, task: int, dur: int, outcome: str = "yield") -> None:
        log.add(t, "aio_step", task=task, dur_ns=dur, file="f.py", line=3, awaiting="sleep",
                waits_on=None, outcome=outcome)

    step(10, 2, 2)       # ticker: 10–12
    step(12, 3, 300)     # blocker: 12–312, blocks the loop
    step(312, 2, 3)      # ticker: waited 12–312
    step(320, 2, 1, "done")
    step(330, 3, 1, "done")
    log.add(12, "aio_blocked", task=3, dur_ns=100, file="f.py", line=9, source="x", ongoing=True)
    log.add(12, "aio_blocked", task=3, dur_ns=300, file="f.py", line=9, source="x",
            ongoing=False)
    log.add(0, "aio_idle", dur_ns=7, io_events=0).add(400, "aio_idle", dur_ns=3, io_events=0)
    log.add(331, "aio_task_done", task=3, outcome="done", error=None, steps=2)
    log.add(340, "aio_task_done", task=1, outcome="done", error=None, steps=1)
    log.add(341, "aio_loop_cpu", cpu_ns=44)
    return log


def test_loop_steps_yields_idle_cpu_and_lifetime() -> None:
    events = aio_log().events
    assert ob.loop_steps(events) == ob.LoopSteps(tasks=3, steps=5, yields=3,
                                                 longest_step_ns=300, busy_ns=307)
    assert ob.loop_idle_ns(events) == 10
    assert ob.loop_cpu_ns(events) == 44
    assert ob.aio_lifetime(events) == 340 - 1
    assert ob.loop_steps(Log().events) is None and ob.loop_cpu_ns([]) is None
    assert ob.aio_lifetime([]) is None


def test_the_longest_block_is_an_ended_one_and_the_tickers_waited_through_it() -> None:
    events = aio_log().events
    block = ob.longest_block(events)
    assert block is not None and (block["dur_ns"], block["ongoing"]) == (300, False)
    assert ob.longest_wait_between_steps(events, "ticker") == 312 - 12
    assert ob.longest_wait_between_steps(events, "nobody") is None
    assert ob.task_names(events)[3] == "blocker-0"


def test_run_config_and_end() -> None:
    log = Log().add(0, "run_started", run_id="r", wall_time_ns=0, schema_version=6,
                    config={"executor": "threads"}).add(9, "memory", pid=1, worker=None,
                                                        rss=1, uss=None)
    assert ob.run_config(log.events) == {"executor": "threads"}
    assert ob.run_end_t(log.events) == 9  # no run_ended yet: its latest event
    log.add(7, "run_ended", reason="completed", message=None)
    assert ob.run_end_t(log.events) == 7
    assert ob.run_config([]) is None
    assert [e["kind"] for e in ob.of_kind(log.events, "run_ended", "run_started")] == [
        "run_started", "run_ended"]
