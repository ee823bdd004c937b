"""The thread-state model (schema v3): /proc states of each worker combined with the GIL lane
into the state its lane shows, per worker totals, and the page's summary of them; compared with
hand arithmetic and with a slow reference derivation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_gil import LAB_PID, alternating, change, sampler, with_seq
from synthetic_runs import MS, batch, shuffled
from synthetic_threads import random_states, reference_totals, state, warning

pytestmark = pytest.mark.timeout(60)

# Feeds events to a fresh store (in one batch, or in `batches` of that size) and returns each
# worker's totals in ns, the summary and a few spans, all as plain JSON.
TOTALS = """
async ({events, endT, batchSize, spans}) => {
  const { EventStore } = await import('/model/core/store.js');
  const { DISPLAYED_STATES, summarizeThreadStates } = await import('/model/gil/threadstates.js');
  const store = new EventStore();
  store.reset('r');
  const facts = store.model.threads;
  const named = (arr) => {
    const o = {};
    arr.forEach((v, c) => { if (v > 0) o[DISPLAYED_STATES[c]] = Math.round(v); });
    return o;
  };
  // Ask for totals between batches too: the incremental part must survive what comes later.
  for (let i = 0; i < events.length; i += batchSize) {
    store.append('r', events.slice(i, i + batchSize));
    for (const ws of facts.workers.values()) facts.totals(ws, Math.max(store.model.maxT, 0));
  }
  const totals = {};
  for (const ws of facts.workers.values()) totals[ws.worker] = named(facts.totals(ws, endT));
  const span = ([w, t]) => {
    const s = facts.spanAt(facts.workers.get(w), t, endT);
    return s && {state: DISPLAYED_STATES[s.code], from: s.from, to: s.to, raw: s.change.state};
  };
  return {totals, events: facts.events, spans: spans.map(span),
          summary: summarizeThreadStates(facts, () => endT)};
}
"""

# The hand-made run: every number below is worked out in the test's comments (ms).
GIL = [
    sampler(0),
    change(10 * MS, 0, 100_000),               # unknown [9.9, 10), W0 [10, 19.8)
    change(20 * MS, 1, 200_000, switches=2),   # unknown [19.8, 20) W0 -> W1, one unseen switch
    change(30 * MS, None, 100_000, switches=0),  # W1 [20, 29.9), unknown [29.9, 30), free
    change(40 * MS, 0, 100_000),               # free [30, 39.9), unknown [39.9, 40), W0 [40, 50)
]
STATES = [
    state(5 * MS, 0, "running"), state(22 * MS, 0, "gil_wait", syscall=202),
    state(41 * MS, 0, "running"),
    state(5 * MS, 1, "lock_wait", syscall=202), state(19 * MS, 1, "running"),
    state(33 * MS, 1, "sleeping", syscall=230), state(45 * MS, 1, "io", syscall=7),
    state(5 * MS, 2, "running"),               # a hashing thread: on a CPU the whole time
    # A CPU thread waiting for the GIL, seen running twice (woken in take_gil), never given it.
    state(21 * MS, 3, "gil_wait", syscall=202), state(25 * MS, 3, "running"),
    state(27 * MS, 3, "gil_wait", syscall=202), state(44 * MS, 3, "running"),
    # Waiting from 12 ms; the change at 20 ms counts a take nobody saw, which may have been
    # this thread's: from that window on its running look is taken at its word.
    state(12 * MS, 4, "gil_wait", syscall=202), state(25 * MS, 4, "running"),
]
HAND = {
    # W0: running [5, 22): no GIL data before 9.9 and the first window -> on CPU 5; held
    # [10, 19.8) 9.8. Seen waiting at 22: the look before (at 17 or earlier) saw it running and
    # it let go of the GIL at 19.8, so it waits from there: [19.8, 41) -> 21.2, except that the
    # GIL lane says W0 holds it from 40 (that look is stale): holding 1, waiting 20.2. Then
    # running [41, 50) holding 9.
    "0": {"on_cpu": 5, "holding_gil": 19.8, "gil_wait": 20.2},
    # W1: lock_wait [5, 19) 14; running from 19: W0 holds [19, 19.8) -> without 0.8, its own
    # hand-off window [19.8, 20) -> on CPU 0.2, holding [20, 29.9) 9.9; seen sleeping at 33,
    # placed where it let go of the GIL, 29.9: sleeping [29.9, 45) 15.1; io [45, 50) 5.
    "1": {"lock_wait": 14, "cpu_without_gil": 0.8, "on_cpu": 0.2, "holding_gil": 9.9,
          "sleeping": 15.1, "io": 5},
    # W2: running [5, 50): no data before 9.9, the first window and the window with an unseen
    # switch (which may have passed through W2) -> on CPU 5.2; everything else without 39.8.
    "2": {"on_cpu": 5.2, "cpu_without_gil": 39.8},
    # W3: waiting from 21. Seen running at 25 and 44 with no take of its own and none unseen
    # (W1 took it at 20, before its wait; free at 30 and W0 at 40 are one visible take each),
    # so it never left the wait: waiting for the GIL all 29 ms.
    "3": {"gil_wait": 29},
    # W4: waiting [12, 25) 13. The change at 20 ms counts a take nobody saw (maybe its own),
    # so from 19.8 it may have left the wait: its running look at 25 is taken at its word,
    # without the GIL (W1, nobody, W0 hold it) 25.
    "4": {"gil_wait": 13, "cpu_without_gil": 25},
}


def totals(js: Page, events: list[dict[str, Any]], end_t: int, batch_size: int = 10_000,
           spans: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    got: dict[str, Any] = js.evaluate(TOTALS, {"events": events, "endT": end_t,
                                               "batchSize": batch_size, "spans": spans or []})
    return got


def in_ms(hand: dict[str, dict[str, float]]) -> dict[str, dict[str, int]]:
    return {w: {k: round(v * MS) for k, v in s.items()} for w, s in hand.items()}


@pytest.mark.parametrize(("seed", "batch_size"), [(None, 10_000), (None, 1), (5, 3), (8, 1)])
def test_states_and_gil_combine_into_the_displayed_state(
        js: Page, seed: int | None, batch_size: int) -> None:
    events = with_seq([*GIL, *STATES])
    if seed is not None:
        events = shuffled(events, seed)  # out of order: totals are redone, same answer
    got = totals(js, events, 50 * MS, batch_size,
                 spans=[(0, 15 * MS), (0, 21 * MS), (0, 40.5 * MS), (1, 25 * MS), (2, 25 * MS),
                        (0, 2 * MS)])
    assert got["totals"] == in_ms(HAND)
    assert got["events"] == len(STATES)
    s0, s1, s2, s3, s4, s5 = got["spans"]
    # Holding from 10 ms until its own hand-off window opens at 19.8 ms.
    assert s0 == {"state": "holding_gil", "from": 10 * MS, "to": 19.8 * MS, "raw": "running"}
    # Seen waiting at 22 ms, waiting since it let go of the GIL, until it holds it again.
    assert s1 == {"state": "gil_wait", "from": 19.8 * MS, "to": 40 * MS, "raw": "gil_wait"}
    # A look said gil_wait; the GIL lane says W0 holds it, and holding goes on in the next look.
    assert s2 == {"state": "holding_gil", "from": 40 * MS, "to": 50 * MS, "raw": "gil_wait"}
    assert s3 == {"state": "holding_gil", "from": 20 * MS, "to": 29.9 * MS, "raw": "running"}
    # Across GIL changes among other threads: one stretch without the GIL.
    assert s4 == {"state": "cpu_without_gil", "from": 20 * MS, "to": 50 * MS, "raw": "running"}
    assert s5 is None  # before its first look: nothing known
    fr = got["summary"]["states"]
    assert set(fr) == set(HAND)
    for w, hand in HAND.items():
        observed = sum(hand.values())
        assert fr[w] == {k: round(v / observed, 4) for k, v in hand.items()}, w
    assert got["summary"]["changes"] == len(STATES)
    assert got["summary"]["unavailable"] is None


def test_without_gil_data_running_stays_plain_on_cpu(js: Page) -> None:
    # A worker process (its own pid) whose GIL nobody sampled; the lab's GIL says W0 holds it,
    # which is another interpreter's GIL and must not count.
    other = LAB_PID + 1
    events = with_seq([sampler(0, pid=other, available=False, reason="turned off"),
                       change(1 * MS, 0, 50_000),
                       state(2 * MS, 0, "running", pid=other), state(6 * MS, 0, "sleeping",
                                                                     pid=other),
                       state(8 * MS, 0, "running", pid=other)])
    got = totals(js, events, 10 * MS)
    assert got["totals"] == {"0": {"on_cpu": 6 * MS, "sleeping": 2 * MS}}


def test_a_long_run_matches_the_reference(js: Page) -> None:
    end_t = 800 * MS
    gil = alternating([0, 1, 2], 5 * MS, 790 * MS, 3 * MS, 250_000, free_every=5, seed=7)
    states = [e for w in range(4) for e in random_states(w, (w + 1) * MS, 795 * MS, 5 * MS,
                                                         seed=3)]
    events = shuffled(with_seq([sampler(0), *gil, *states]), 2)
    got = totals(js, events, end_t, batch_size=97)
    for w in range(4):
        ref = reference_totals(states, gil, w, end_t)
        mine = got["totals"][str(w)]
        assert set(mine) == {k for k, v in ref.items() if round(v) > 0}, w
        for k, v in ref.items():
            assert abs(mine.get(k, 0) - v) <= 2, (w, k, mine.get(k), v)


def test_a_warning_says_they_cannot_be_read(js: Page) -> None:
    run = batch(4, 2, task_ns=20 * MS)
    events = [*run.events, *with_seq([state(1 * MS, 0, "other"), warning(0)], len(run.events))]
    got = totals(js, events, run.ended_at)
    assert got["summary"]["unavailable"].startswith("thread states are not shown")
    assert got["summary"]["states"] == {}
    assert got["summary"]["changes"] == 1


def test_threads_that_are_no_pool_worker_are_counted_not_kept(js: Page) -> None:
    events = with_seq([state(1 * MS, None, "running", thread="MainThread"),
                       state(2 * MS, 3, "sleeping")])
    got = totals(js, events, 4 * MS)
    assert got["events"] == 2
    assert got["totals"] == {"3": {"sleeping": 2 * MS}}
