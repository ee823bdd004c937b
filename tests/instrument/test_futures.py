"""A task's future on real pools: its waits (result, exception, wait, as_completed) with their
outcomes, the threads its done-callbacks run in, that it is still a plain Future, and deadlock.

Exact event sequences where the order is fixed (one thread's own waits), sets where it is not.
"""

from __future__ import annotations

import concurrent.futures
import gc
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    ThreadPoolExecutor,
    TimeoutError,
)
from typing import Any

import pytest
from pool_tasks import square, wait_for_file

from schedviz.instrument import futures
from schedviz.instrument.common import Deferred, short_repr
from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
from schedviz.instrument.recorder import Recorder
from schedviz.instrument.threads import InstrumentedThreadPoolExecutor
from schedviz.protocol import FIELDS

DEADLINE_S = 10.0
FUTURE_KINDS = ("future_wait", "future_wait_ended", "future_callback", "deadlock")


class Seen:
    """Everything a recorder recorded so far, as dicts (kind, t and the kind's fields)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.events: list[dict[str, Any]] = []

    def take(self) -> list[dict[str, Any]]:
        for kind, t, *fields in self.recorder.drain():
            # a Deferred (a task's arguments, its result) read now, as the flusher would
            values = [short_repr(v.obj) if isinstance(v, Deferred) else v for v in fields]
            self.events.append({"kind": kind, "t": t, **dict(zip(FIELDS[kind], values,
                                                                 strict=True))})
        return self.events

    def of(self, *kinds: str) -> list[dict[str, Any]]:
        return [e for e in self.take() if e["kind"] in kinds]

    def until(self, what: Callable[[list[dict[str, Any]]], bool]) -> None:
        """Poll the recorder until `what(events)` holds (a deadline, never a fixed sleep)."""
        deadline = time.monotonic() + DEADLINE_S
        while not what(self.take()):
            assert time.monotonic() < deadline, "the expected events never came"
            time.sleep(0.002)


def future_events(seen: Seen) -> list[tuple[Any, ...]]:
    """The future events, without times, in order."""
    out = []
    for e in seen.of(*FUTURE_KINDS):
        out.append(tuple(v for k, v in e.items() if k not in ("t", "dur_ns")))
    return out


def hold(gate: threading.Event) -> str:
    gate.wait(DEADLINE_S)
    return "held"


def fail_after(gate: threading.Event) -> None:
    gate.wait(DEADLINE_S)
    raise ValueError("bad input")


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def seen(rec: Recorder) -> Seen:
    return Seen(rec)


@pytest.fixture
def gate() -> Any:
    gate = threading.Event()
    yield gate
    gate.set()  # whatever a test did, its held workers end


# -- a drop-in --------------------------------------------------------------------------------


def test_a_task_future_is_a_plain_future_with_the_plain_repr(rec: Recorder,
                                                             gate: threading.Event) -> None:
    with ThreadPoolExecutor(1) as plain, InstrumentedThreadPoolExecutor(1, recorder=rec) as ours:
        theirs, mine = plain.submit(hold, gate), ours.submit(hold, gate)
        assert isinstance(mine, concurrent.futures.Future)
        assert repr(type(mine)) == repr(type(theirs))
        for fut in (theirs, mine):
            deadline = time.monotonic() + DEADLINE_S
            while not fut.running():
                assert time.monotonic() < deadline
                time.sleep(0.002)
        assert repr(mine).replace(hex(id(mine)), "ADDR") == \
            repr(theirs).replace(hex(id(theirs)), "ADDR") == "<Future at ADDR state=running>"
        gate.set()
        assert mine.result() == theirs.result() == "held"
        assert repr(mine).replace(hex(id(mine)), "ADDR") == \
            repr(theirs).replace(hex(id(theirs)), "ADDR")


class Payload:
    def method(self) -> str:
        return "payload"


def test_a_waited_and_called_back_future_keeps_neither_callable_nor_arguments(
        rec: Recorder, seen: Seen, gate: threading.Event) -> None:
    # Reference counting alone must free them (the collector is off): no cycle holds them.
    gc.disable()
    try:
        with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
            blocker = pool.submit(hold, gate)
            payload, arg = Payload(), Payload()
            alive = [weakref.ref(payload), weakref.ref(arg)]
            fut = pool.submit(lambda p, a: p.method(), payload, arg)
            fut.add_done_callback(lambda f: None)
            del payload, arg
            threading.Timer(0.05, gate.set).start()
            assert fut.result(timeout=DEADLINE_S) == "payload"
            blocker.result()
            deadline = time.monotonic() + DEADLINE_S
            while any(r() is not None for r in alive):  # the worker drops its locals soon
                seen.take()  # and the recorder its deferred reprs, at its drain
                assert time.monotonic() < deadline, "the task's callable or arguments stay alive"
                time.sleep(0.002)
    finally:
        gc.enable()
    assert [e["call"] for e in seen.of("future_wait")] == ["result"]
    assert len(seen.of("future_callback")) == 1


# -- waits --------------------------------------------------------------------------------------


def test_a_result_that_blocks_is_one_wait_ending_done(rec: Recorder, seen: Seen,
                                                      gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        fut = pool.submit(hold, gate)
        threading.Timer(0.05, gate.set).start()
        assert fut.result() == "held"
        assert fut.result() == "held"  # done: returns at once, no second wait
    wait = seen.of("future_wait")[0]["wait"]
    assert future_events(seen) == [
        ("future_wait", wait, "result", [0], None, None, None, "MainThread"),
        ("future_wait_ended", wait, "done"),
    ]


def test_result_and_exception_with_a_timeout_end_timed_out(rec: Recorder, seen: Seen,
                                                           gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        fut = pool.submit(hold, gate)
        with pytest.raises(TimeoutError):
            fut.result(timeout=0.02)
        with pytest.raises(TimeoutError):
            fut.exception(timeout=0.02)
        gate.set()
    waits = [e["wait"] for e in seen.of("future_wait")]
    assert future_events(seen) == [
        ("future_wait", waits[0], "result", [0], 0.02, None, None, "MainThread"),
        ("future_wait_ended", waits[0], "timeout"),
        ("future_wait", waits[1], "exception", [0], 0.02, None, None, "MainThread"),
        ("future_wait_ended", waits[1], "timeout"),
    ]


def test_the_tasks_own_exception_ends_the_wait_done(rec: Recorder, seen: Seen,
                                                    gate: threading.Event) -> None:
    second_gate = threading.Event()
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        first, second = pool.submit(fail_after, gate), pool.submit(fail_after, second_gate)
        threading.Timer(0.05, gate.set).start()
        with pytest.raises(ValueError, match="bad input"):
            first.result()
        threading.Timer(0.05, second_gate.set).start()
        assert isinstance(second.exception(), ValueError)
    assert [e["outcome"] for e in seen.of("future_wait_ended")] == ["done", "done"]
    assert [e["call"] for e in seen.of("future_wait")] == ["result", "exception"]


def test_a_future_cancelled_while_waited_on_ends_the_wait_cancelled(
        rec: Recorder, seen: Seen, gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        pool.submit(hold, gate)
        pending = pool.submit(square, 3)
        raised: list[BaseException] = []

        def waiter() -> None:
            try:
                pending.result()
            except BaseException as exc:
                raised.append(exc)

        thread = threading.Thread(target=waiter, name="waiter")
        thread.start()
        seen.until(lambda evs: any(e["kind"] == "future_wait" for e in evs))
        assert pending.cancel()
        thread.join(DEADLINE_S)
        gate.set()
    assert [type(e) for e in raised] == [CancelledError]
    wait = seen.of("future_wait")[0]["wait"]
    assert future_events(seen) == [
        ("future_wait", wait, "result", [1], None, None, None, "waiter"),
        ("future_wait_ended", wait, "cancelled"),
    ]


def test_wait_records_its_futures_timeout_and_outcome(rec: Recorder, seen: Seen,
                                                      gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(2, recorder=rec) as pool:
        held = [pool.submit(hold, gate), pool.submit(hold, gate)]
        done, not_done = futures.wait(held, timeout=0.02, return_when=FIRST_COMPLETED)
        assert (done, not_done) == (set(), set(held))
        threading.Timer(0.05, gate.set).start()
        done, not_done = futures.wait(held)
        assert (done, not_done) == (set(held), set())
        futures.wait(held)  # all done: returns at once, unrecorded
    waits = [e["wait"] for e in seen.of("future_wait")]
    assert future_events(seen) == [
        ("future_wait", waits[0], "wait", [0, 1], 0.02, None, None, "MainThread"),
        ("future_wait_ended", waits[0], "timeout"),
        ("future_wait", waits[1], "wait", [0, 1], None, None, None, "MainThread"),
        ("future_wait_ended", waits[1], "done"),
    ]


def test_wait_on_cancelled_futures_ends_cancelled(rec: Recorder, seen: Seen,
                                                  gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        pool.submit(hold, gate)
        pending = pool.submit(square, 2)

        def cancel_then_free_the_worker() -> None:
            # As in the plain pool, a cancelled future's waiters hear of it once a worker
            # takes it off the queue (set_running_or_notify_cancel).
            assert pending.cancel()
            gate.set()

        threading.Timer(0.05, cancel_then_free_the_worker).start()
        done, _ = futures.wait([pending], timeout=DEADLINE_S)
        assert done == {pending} and pending.cancelled()
    assert [e["outcome"] for e in seen.of("future_wait_ended")] == ["cancelled"]


def test_as_completed_records_each_step_that_blocks(rec: Recorder, seen: Seen,
                                                    gate: threading.Event) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        quick = pool.submit(square, 4)
        quick.result()
        held = pool.submit(hold, gate)
        order = []
        threading.Timer(0.05, gate.set).start()
        for fut in futures.as_completed([held, quick]):
            order.append(fut)  # quick at once (done), then one blocking step for held
        assert order == [quick, held]
        second_gate = threading.Event()
        late = pool.submit(hold, second_gate)
        with pytest.raises(TimeoutError):
            list(futures.as_completed([late], timeout=0.02))
        second_gate.set()
    waits = [e["wait"] for e in seen.of("future_wait")]
    assert future_events(seen)[-4:] == [
        ("future_wait", waits[-2], "as_completed", [1], None, None, None, "MainThread"),
        ("future_wait_ended", waits[-2], "done"),
        ("future_wait", waits[-1], "as_completed", [2], pytest.approx(0.02, abs=0.01), None,
         None, "MainThread"),
        ("future_wait_ended", waits[-1], "timeout"),
    ]


def test_wait_and_as_completed_on_plain_futures_record_nothing(rec: Recorder,
                                                               seen: Seen) -> None:
    with ThreadPoolExecutor(1) as plain:
        fs = [plain.submit(square, i) for i in range(3)]
        assert sorted(f.result() for f in futures.as_completed(fs)) == [0, 1, 4]
        assert len(futures.wait(fs).done) == 3
    assert seen.of(*FUTURE_KINDS) == []


def test_a_pool_task_waiting_names_its_task_and_lane(rec: Recorder, seen: Seen) -> None:
    with InstrumentedThreadPoolExecutor(2, recorder=rec) as pool:
        def outer() -> int:
            return pool.submit(time.sleep, 0.05).result(timeout=DEADLINE_S) or 7

        assert pool.submit(outer).result() == 7
    lanes = {e["worker"]: e["name"] for e in seen.of("worker_spawned")}
    waits = [e for e in seen.of("future_wait") if e["task"] is not None]
    assert len(waits) == 1
    assert (waits[0]["task"], waits[0]["tasks"]) == (0, [1])
    assert lanes[waits[0]["worker"]] == waits[0]["thread"]
    assert seen.of("deadlock") == []  # the second worker ran the inner task


# -- done-callbacks ----------------------------------------------------------------------------


def test_callbacks_run_in_the_finishing_worker_or_at_once_in_the_adding_thread(
        rec: Recorder, seen: Seen, gate: threading.Event) -> None:
    ran: dict[str, int] = {}

    def before(fut: Any) -> None:
        ran["before"] = threading.get_ident()

    def after(fut: Any) -> None:
        ran["after"] = threading.get_ident()

    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        fut = pool.submit(hold, gate)
        fut.add_done_callback(before)
        gate.set()
        fut.result()
        seen.until(lambda evs: any(e["kind"] == "future_callback" for e in evs))
        fut.add_done_callback(after)
        assert "after" in ran  # at once, before add_done_callback returned
    worker = {e["worker"]: e["name"] for e in seen.of("worker_spawned")}
    by_name = {e["name"].rsplit(".", 1)[-1]: e for e in seen.of("future_callback")}
    assert set(by_name) == {"before", "after"}
    assert by_name["before"]["thread_ident"] == ran["before"] != threading.get_ident()
    assert worker[by_name["before"]["worker"]] == by_name["before"]["thread"]
    assert by_name["after"]["thread_ident"] == ran["after"] == threading.get_ident()
    assert (by_name["after"]["worker"], by_name["after"]["thread"]) == (None, "MainThread")
    assert all(e["ok"] and e["task"] == 0 and e["dur_ns"] >= 0 for e in by_name.values())


def test_a_raising_callback_is_logged_as_before_and_recorded_not_ok(
        rec: Recorder, seen: Seen, caplog: pytest.LogCaptureFixture) -> None:
    def broken(fut: Any) -> None:
        raise RuntimeError("callback broke")

    calls = []
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        fut = pool.submit(square, 5)
        fut.result()
        with caplog.at_level(logging.ERROR, logger="concurrent.futures"):
            fut.add_done_callback(broken)
            fut.add_done_callback(calls.append)  # the next one still runs
    assert calls == [fut]
    logged = [r for r in caplog.records if r.name == "concurrent.futures"]
    assert [r.getMessage() for r in logged] == [f"exception calling callback for {fut!r}"]
    assert logged[0].exc_info is not None and "callback broke" in str(logged[0].exc_info[1])
    assert [(e["name"].rsplit(".", 1)[-1], e["ok"]) for e in seen.of("future_callback")] == [
        ("broken", False), ("append", True)]


def test_a_callers_cancel_is_recorded_at_the_call_not_at_a_later_sweep(
        rec: Recorder, seen: Seen, gate: threading.Event, tmp_path: Any) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        pool.submit(hold, gate)
        queued = pool.submit(square, 2)
        before = time.monotonic_ns()
        assert queued.cancel()
        after = time.monotonic_ns()
        gate.set()
    with InstrumentedProcessPoolExecutor(1, recorder=rec) as procs:
        procs.submit(wait_for_file, str(tmp_path / "go"))
        more = [procs.submit(square, i) for i in range(4)]  # the last ones wait in the pool
        p_before = time.monotonic_ns()
        assert more[-1].cancel()
        p_after = time.monotonic_ns()
        (tmp_path / "go").write_text("go")
    cancelled = seen.of("task_cancelled")
    assert [(e["task"], e["reason"]) for e in cancelled] == [(1, "cancelled"), (4, "cancelled")]
    assert before <= cancelled[0]["t"] <= after
    assert p_before <= cancelled[1]["t"] <= p_after


def test_a_process_pool_future_records_its_waits_and_callbacks(rec: Recorder,
                                                               seen: Seen) -> None:
    ran: list[int] = []
    with InstrumentedProcessPoolExecutor(1, recorder=rec) as pool:
        fut = pool.submit(square, 6)
        fut.add_done_callback(lambda f: ran.append(threading.get_ident()))
        assert fut.result(timeout=60) == 36
        seen.until(lambda evs: any(e["kind"] == "future_callback" for e in evs))
    [callback] = seen.of("future_callback")
    assert callback["thread_ident"] == ran[0]
    assert callback["worker"] is None  # the pool's manager thread has no lane
    assert [e["outcome"] for e in seen.of("future_wait_ended")] == ["done"]
    assert seen.of("deadlock") == []


# -- deadlock -----------------------------------------------------------------------------------


def outer_waits_on_inner(pool: ThreadPoolExecutor, timeout: float) -> str:
    inner = pool.submit(square, 9)
    try:
        return str(inner.result(timeout=timeout))
    except TimeoutError:
        return "timed out"


def test_one_worker_waiting_on_its_own_pool_is_a_deadlock_once(rec: Recorder,
                                                               seen: Seen) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        assert pool.submit(outer_waits_on_inner, pool, 0.5).result() == "timed out"
    [deadlock] = seen.of("deadlock")
    assert (deadlock["pool"], deadlock["chain"]) == (0, [[0, 1]])
    assert deadlock["message"] == (
        "task 0 waits on task 1, which is pending: pool 0's only worker is busy with task 0 "
        "— nothing can go on until a wait times out")
    [wait] = [e for e in seen.of("future_wait") if e["task"] == 0]
    assert 0 <= deadlock["t"] - wait["t"] < 2_000_000_000
    ended = {e["wait"]: e["outcome"] for e in seen.of("future_wait_ended")}
    assert ended[wait["wait"]] == "timeout"
    # the pool's next run works, and nothing is left running (conftest's check)
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        assert pool.submit(square, 3).result() == 9
    assert len(seen.of("deadlock")) == 1


def test_each_deadlock_episode_is_reported_once(rec: Recorder, seen: Seen) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        for _ in range(2):  # the first episode ends with its timeout; the second is new
            assert pool.submit(outer_waits_on_inner, pool, 0.2).result() == "timed out"
    assert [e["chain"] for e in seen.of("deadlock")] == [[[0, 1]], [[2, 3]]]


def wait_on_the_other(me: str, box: dict[str, Any], ready: threading.Event,
                      timeout: float) -> str:
    ready.wait(DEADLINE_S)
    other = "b" if me == "a" else "a"
    try:
        return f"got {box[other].result(timeout=timeout)}"
    except TimeoutError:
        return "timed out"


def test_two_tasks_waiting_on_each_other_are_a_cycle(rec: Recorder, seen: Seen) -> None:
    box: dict[str, Any] = {}
    ready = threading.Event()
    with InstrumentedThreadPoolExecutor(2, recorder=rec) as pool:
        box["a"] = pool.submit(wait_on_the_other, "a", box, ready, 0.3)
        box["b"] = pool.submit(wait_on_the_other, "b", box, ready, 3.0)
        ready.set()
        assert box["a"].result() == "timed out"  # a's shorter timeout ends it...
        assert box["b"].result() == "got timed out"  # ...then b gets a's result
    [deadlock] = seen.of("deadlock")
    assert deadlock["chain"] == [[0, 1], [1, 0]]
    assert "(a cycle)" in deadlock["message"] and "tasks 0 and 1" in deadlock["message"]
    last_wait = max(e["t"] for e in seen.of("future_wait") if e["task"] is not None)
    assert 0 <= deadlock["t"] - last_wait < 2_000_000_000
    outcomes = {e["task"]: e["wait"] for e in seen.of("future_wait") if e["task"] is not None}
    ended = {e["wait"]: e["outcome"] for e in seen.of("future_wait_ended")}
    assert {t: ended[w] for t, w in outcomes.items()} == {0: "timeout", 1: "done"}


def test_a_worker_waiting_on_another_pool_is_no_deadlock(rec: Recorder, seen: Seen) -> None:
    with InstrumentedThreadPoolExecutor(1, recorder=rec) as other, \
            InstrumentedThreadPoolExecutor(1, recorder=rec) as pool:
        def outer() -> int:
            return other.submit(square, 4).result(timeout=DEADLINE_S)

        assert pool.submit(outer).result() == 16
    assert len(seen.of("future_wait")) >= 1
    assert seen.of("deadlock") == []


def test_the_described_chain_reads_in_words() -> None:
    graph = {3: [4, 5], 4: [3]}
    chain = futures.wait_for_chain(graph)
    assert chain == [[3, 4], [3, 5], [4, 3]]
    assert futures.describe_deadlock(2, 2, graph, chain, timeouts=False) == (
        "task 3 waits on task 4, which is running; task 3 waits on task 5, which is pending; "
        "task 4 waits on task 3 (a cycle): all 2 workers of pool 2 are busy with tasks 3 and "
        "4 — nothing can go on, and no wait has a timeout: the program hangs")
