"""The asyncio model (schema v4): tasks, steps in time order whatever the arrival order, waiters
per sync object, slow-step reports matched to their steps, offload links, the ready queue, which
tasks never yielded (one step that blocked the loop, under the threshold in force), all derived
in the browser from synthetic events and compared with the simulation's own record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_aio import (
    MS,
    SOURCE_FILE,
    US,
    Await,
    Script,
    mixed,
    one_steppers,
    simulate,
    sleepers,
)
from synthetic_runs import shuffled

pytestmark = pytest.mark.timeout(60)

# Feeds the events (one JSON string) to a fresh store and answers the questions below.
FACTS = """
async ({events, probes, names}) => {
  const { EventStore } = await import('/model/core/store.js');
  const { summarizeAio, sampleValueAt } = await import('/model/aio/loop.js');
  const { waiterSamples } = await import('/model/aio/waiters.js');
  const store = new EventStore();
  for (const batch of JSON.parse(events)) store.append('r', batch);
  const aio = store.model.aio;
  const sync = aio.syncObjects();
  const waiters = {};
  for (const name of names) {
    const obj = sync.get(name);
    const samples = obj ? waiterSamples(obj) : [];
    waiters[name] = probes.map(t => [sampleValueAt(samples, t),
                                     aio.waitersAt(name, t).map(x => x.id)]);
  }
  const ready = aio.readySeries();
  return {
    summary: summarizeAio(aio),
    steps: aio.steps.map(s => [s.t, s.task]),
    perTask: Object.fromEntries(aio.taskList.map(t => [t.name, t.steps.map(s => s.t)])),
    blocked: aio.blocked.map(r => [r.task, r.t, r.dur, r.line]),
    blockedSteps: aio.steps.filter(s => s.blocked).map(s => [s.task, s.t, s.blocked.line]),
    ongoing: aio.ongoing.size,
    syncNames: [...sync.keys()],
    waiters,
    offloads: aio.steps.map(s => aio.poolTaskOf(s)).filter(p => p !== null),
    idleReady: aio.idle.map(i => sampleValueAt(ready, i.t + i.dur / 2)),
    done: Object.fromEntries(aio.taskList.map(t => [t.name, t.done && t.done.outcome])),
    states: probes.map(t => aio.taskStateAt(aio.taskList[1], t)?.state ?? null),
    neverYielded: aio.taskList.filter(t => aio.neverYielded(t)).map(t => t.name),
  };
}
"""


def facts(js: Page, batches: list[list[dict[str, Any]]], probes: list[float],
          names: list[str]) -> dict[str, Any]:
    got: dict[str, Any] = js.evaluate(
        FACTS, {"events": json.dumps(batches), "probes": probes, "names": names})
    return got


@pytest.mark.parametrize("seed", [None, 5, 17])
def test_mixed_run_waiters_blocked_and_order(js: Page, seed: int | None) -> None:
    run = simulate(mixed())
    events = run.events if seed is None else shuffled(run.events, seed)
    batches = [events[i : i + 7] for i in range(0, len(events), 7)]
    probes = [t * MS for t in (0.5, 5, 30, 60, 89, 100, 120, 160, 171, 175, 185, 205, 300)]
    names = ["lock log", "queue jobs"]
    got = facts(js, batches, probes, names)

    steps = sorted((s["t"], s["task"]) for s in run.steps)
    assert [tuple(s) for s in got["steps"]] == steps
    for name, times in got["perTask"].items():
        assert times == sorted(times), name
    assert got["summary"]["tasks"] == 9
    assert got["summary"]["steps"] == len(run.steps)
    assert got["summary"]["blocked"] == 2
    # Yield sites: distinct basename:line of the steps that yielded, sorted by line.
    lines = sorted({s["line"] for s in run.steps if s["outcome"] == "yield"})
    assert got["summary"]["yieldSites"] == [f"aio_workloads.py:{n}" for n in lines]
    # Each final report is matched to its step, whichever arrived first; none still ongoing.
    assert sorted(map(tuple, got["blocked"])) == sorted(
        (e["task"], e["t"], e["dur_ns"], e["line"]) for e in run.events
        if e["kind"] == "aio_blocked" and not e["ongoing"])
    matched = sorted((b[0], b[1], b[3]) for b in got["blocked"])
    assert sorted(map(tuple, got["blockedSteps"])) == matched
    assert got["ongoing"] == 0
    assert sorted(got["syncNames"]) == sorted(names)
    for name in names:
        for probe, (count, tasks) in zip(probes, got["waiters"][name], strict=True):
            ref = run.waiters(name, probe)
            assert (count, tasks) == (len(ref), ref), (name, probe / MS)
    assert got["offloads"] == [0]
    # The loop is idle: nothing is ready then, whatever the last sample said.
    assert got["idleReady"] and set(got["idleReady"]) == {0}
    assert got["done"]["consumer-0"] == "cancelled"
    assert got["done"]["failer-0"] == "error"
    assert got["done"]["crunch-0"] == "done"
    # accept-0 also ran to its end in one step, but a quick one: it held up nobody.
    assert got["done"]["accept-0"] == "done"
    assert got["neverYielded"] == ["crunch-0"]


def test_lock_waiters_overlap_while_a_step_blocks_the_loop(js: Page) -> None:
    """Two tasks wait on the lock; the blocker keeps both waiting past their wake-up time."""
    run = simulate(mixed())
    got = facts(js, [run.events], [50 * MS, 120 * MS, 175 * MS], ["lock log"])
    counts = [c for c, _ in got["waiters"]["lock log"]]
    # Before the blocker: both wait; while it blocks (to ~170 ms): still both; after: none.
    assert counts[0] == 2 and counts[1] == 2
    assert counts[2] == len(run.waiters("lock log", 175 * MS))


def test_task_states_over_time(js: Page) -> None:
    run = simulate(sleepers(n=2, sleeps=2, sleep_ms=100))
    first = next(s for s in run.steps if s["task"] == 2)
    probes = [first["t"] + 1000, first["t"] + first["dur_ns"] + 5 * MS, run.ended_at]
    got = facts(js, [run.events], probes, [])
    assert got["states"] == ["running", "waiting", "ended"]


def test_an_ongoing_report_lasts_until_its_step_arrives(js: Page) -> None:
    """While a step still blocks, the watchdog's report stands for it; the step replaces it."""
    run = simulate([Script("main", [Await(40 * US, 30, "a Future", 10 * MS), Await(10 * US)]),
                    Script("blocker", [Await(200 * MS, 80, "sleep(0.1)", 10 * MS),
                                       Await(10 * US)], start_ns=10 * US)])
    ongoing = [e for e in run.events if e["kind"] == "aio_blocked" and e["ongoing"]]
    before = [e for e in run.events if e["seq"] <= ongoing[0]["seq"]]
    got = facts(js, [before], [], [])
    assert got["ongoing"] == 1 and got["blocked"] == []
    got = facts(js, [before, [e for e in run.events if e["seq"] > ongoing[0]["seq"]]], [], [])
    assert got["ongoing"] == 0 and len(got["blocked"]) == 1
    assert got["blockedSteps"] == [[2, got["blocked"][0][1], 79]]
    # A late duplicate of the ongoing report, after the step, changes nothing.
    got = facts(js, [run.events, [{**ongoing[0], "seq": 10_000}]], [], [])
    assert got["ongoing"] == 0


def test_a_steps_file_is_the_workloads_source(js: Page) -> None:
    run = simulate(sleepers(n=1, sleeps=1))
    assert {s["file"] for s in run.steps if s["outcome"] == "yield"} == {SOURCE_FILE}
    got = facts(js, [run.events], [], [])
    assert got["summary"]["yieldSites"] == ["aio_workloads.py:30", "aio_workloads.py:38"]



@pytest.mark.parametrize("reports", [True, False])
def test_never_yielded_is_one_step_over_the_threshold_in_force(js: Page, reports: bool) -> None:
    """Only a one-step task whose step blocked the loop never yielded; the threshold lowered
    live counts from its change on. Without the lab's slow-step reports (reports=False) the
    threshold alone decides, and agrees."""
    run = one_steppers(slow_step_ms=50, lowered_to=20)
    events = [e for e in run.events if reports or e["kind"] != "aio_blocked"]
    got = facts(js, [events], [], [])
    assert got["done"] == {name: "done" for name in
                           ("main", "quick-0", "under-0", "over-0", "quick-1")}
    assert got["neverYielded"] == ["over-0"]
    # The simulated lab agrees: it warns of exactly that task.
    warned = [e["message"].split()[0] for e in run.events
              if e["kind"] == "warning" and "never yielded" in e["message"]]
    assert warned == ["over-0"]
