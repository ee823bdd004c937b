"""A flush that fails ends the run visibly: an error event, run_ended(error), a next run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from invariants import check_run
from schedviz.instrument.recorder import Recorder
from schedviz.lab import flusher
from schedviz.lab.driver import Driver
from schedviz.lab.flusher import Flusher
from schedviz.protocol import CompactEvent, RawEvent, RunConfig, expand


class Sink(list[dict[str, Any]]):
    """An emit callback: every event sent, as its wire object."""

    def __call__(self, batch: list[CompactEvent]) -> None:
        self.extend(expand(e) for e in batch)


def fail_call(n: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the n-th batch the flusher encodes (from 1) raise; the list counts the calls."""
    calls: list[int] = []
    encode: Callable[..., Any] = flusher.to_compact

    def failing(raw: list[RawEvent], seq0: int, t0: int) -> Any:
        calls.append(len(raw))
        if len(calls) == n:
            raise RuntimeError("injected")
        return encode(raw, seq0, t0)

    monkeypatch.setattr(flusher, "to_compact", failing)
    return calls


def test_a_failed_flush_ends_the_run_with_an_error_and_the_next_run_completes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = fail_call(2, monkeypatch)  # the first batch has run_started: keep it
    events = Sink()
    driver = Driver(RunConfig(workload="sleep", n_tasks=20, task_ms=40, max_workers=2), events)
    assert driver.run() == "error"
    assert len(calls) > 2, "the flusher went on after the failure"
    assert [e["seq"] for e in events] == list(range(len(events))), "no gap where it failed"
    (error,) = [e for e in events if e["kind"] == "error"]
    assert error["message"].startswith("the event flusher failed: RuntimeError('injected');")
    assert events[-1]["kind"] == "run_ended"
    assert events[-1]["reason"] == "error" and events[-1]["message"] == error["message"]
    assert not any(e["kind"] == "task_started" and e["task"] >= 19 for e in events), (
        "the run was stopped: its last tasks never started")

    again = Sink()
    assert Driver(RunConfig(workload="sleep", n_tasks=6, task_ms=5), again).run() == "completed"
    assert check_run(again).ended["reason"] == "completed"


def test_a_run_end_lost_in_the_last_flush_is_sent_again_as_an_error() -> None:
    rec = Recorder()
    sent = Sink()
    told: list[str] = []
    f = Flusher(rec, sent, on_failure=told.append)
    rec.record("warning", "before")
    f.flush()
    rec.record("run_ended", "completed", None)
    with pytest.MonkeyPatch.context() as mp:
        fail_call(1, mp)
        f.close()  # its flush fails, the second one sends the report
    assert [(e["kind"], e.get("reason")) for e in sent] == [
        ("warning", None), ("error", None), ("run_ended", "error")]
    assert sent[1]["message"].endswith("events lost: 1; the run ends")
    assert sent[2]["message"] == sent[1]["message"] == f.failure
    assert told == [], "the run had already ended: nothing to stop"


def test_close_raises_when_even_the_report_cannot_be_sent() -> None:
    rec = Recorder()

    def broken(batch: list[Any]) -> None:
        raise OSError("gone")

    f = Flusher(rec, broken)
    rec.record("run_ended", "completed", None)
    with pytest.raises(RuntimeError, match="the end of the run could not be sent: the event "
                                           r"flusher failed: OSError\('gone'\)"):
        f.close()
