"""The run-wide cap: never more admitted than the limit, and a resize applies to the next start."""

from __future__ import annotations

import threading

import pytest

from schedviz.instrument.limiter import Limiter


def test_admits_up_to_limit_then_waits_until_release() -> None:
    gate = Limiter(2)
    gate.acquire()
    gate.acquire()
    admitted = threading.Event()
    t = threading.Thread(target=lambda: (gate.acquire(), admitted.set()))
    t.start()
    assert not admitted.wait(0.2), "a third acquire must wait while 2 are running"
    gate.release()
    assert admitted.wait(5)
    t.join()
    assert gate.running == 2


def test_raising_the_limit_admits_waiters_at_once() -> None:
    gate = Limiter(1)
    gate.acquire()
    admitted = threading.Event()
    t = threading.Thread(target=lambda: (gate.acquire(), admitted.set()))
    t.start()
    assert not admitted.wait(0.1)
    order: list[str] = []
    gate.set_limit(2, lambda: order.append("changed"))
    assert admitted.wait(5)
    t.join()
    assert order == ["changed"] and gate.limit == 2 and gate.running == 2


def test_lowering_the_limit_never_interrupts_but_holds_new_starts() -> None:
    gate = Limiter(3)
    for _ in range(3):
        gate.acquire()
    gate.set_limit(1)
    assert gate.running == 3  # nothing pre-empted
    gate.release()
    gate.release()
    admitted = threading.Event()
    t = threading.Thread(target=lambda: (gate.acquire(), admitted.set()))
    t.start()
    assert not admitted.wait(0.1), "1 running with limit 1: a new start must wait"
    gate.release()
    assert admitted.wait(5)
    t.join()


@pytest.mark.parametrize("bad", [0, -1])
def test_refuses_a_limit_below_one(bad: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limiter(bad)
    with pytest.raises(ValueError, match="at least 1"):
        Limiter(1).set_limit(bad)
