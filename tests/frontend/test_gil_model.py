"""The GIL model (schema v3): holder intervals, uncertainty windows and shares, derived in the
browser from synthetic gil events and compared with hand arithmetic and a reference derivation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page
from synthetic_gil import alternating, change, reference_stats, sampler, with_seq
from synthetic_runs import MS, batch, shuffled

pytestmark = pytest.mark.timeout(60)

# Feeds events (in `order`) to a fresh store and returns whole-run totals, a range's stats and
# the page's summary of the GIL, all as plain JSON.
STATS = """
async ({events, endT, ranges}) => {
  const { EventStore } = await import('/model/core/store.js');
  const { summarizeGil } = await import('/model/gil/holders.js');
  const store = new EventStore();
  store.append('r', events);
  const gil = store.model.gil;
  const plain = (s) => ({held: Object.fromEntries(s.held), free: s.free, unknown: s.unknown,
                         known: s.known, switches: s.switches, changes: s.changes});
  const out = {tracks: [...gil.tracks.keys()], lanes: gil.laneTracks().length,
               unavailable: gil.unavailable().map(s => s.reason),
               summary: summarizeGil(gil, endT)};
  const track = gil.laneTracks()[0];
  if (track) {
    out.totals = plain(track.totals(endT));
    out.ranges = ranges.map(([a, b]) => plain(track.statsBetween(a, b, endT)));
  }
  return out;
}
"""

# The hand-made sequence: every span below is worked out in the test's comments.
HAND = [
    sampler(0),
    change(1000, 0, 100),                 # unknown [900, 1000), then W0
    change(5000, 1, 200),                 # W0 [1000, 4800), unknown [4800, 5000), then W1
    change(8000, None, 100),              # W1 [5000, 7900), unknown [7900, 8000), then free
    change(9000, "MainThread", 500, switches=3, gap=True),  # free [8000, 8500), unknown 500
    change(10000, 0, 100),                # MainThread [9000, 9900), unknown 100, then W0
]                                         # W0 [10000, 12000) at end 12000


def stats(js: Page, events: list[dict[str, Any]], end_t: int,
          ranges: list[tuple[float, float]] | None = None) -> dict[str, Any]:
    got: dict[str, Any] = js.evaluate(STATS, {"events": events, "endT": end_t,
                                              "ranges": ranges or []})
    return got


@pytest.mark.parametrize("seed", [None, 3, 11])
def test_a_known_sequence_gives_exact_intervals_and_shares(js: Page, seed: int | None) -> None:
    events = with_seq(HAND)
    if seed is not None:
        events = shuffled(events, seed)  # out of order: the totals are recomputed, same answer
    got = stats(js, events, 12_000, [(4000, 9200), (0, 12_000)])
    assert got["totals"] == {
        "held": {"w0": 3800 + 2000, "w1": 2900, "t:MainThread": 900},
        "free": 500, "unknown": 100 + 200 + 100 + 500 + 100, "known": 10_100,
        "switches": 7, "changes": 5,
    }
    # [4000, 9200]: W0 800, unknown 200, W1 2900, unknown 100, free 500, unknown 500, Main 200.
    assert got["ranges"][0] == {
        "held": {"w0": 800, "w1": 2900, "t:MainThread": 200}, "free": 500, "unknown": 800,
        "known": 4400, "switches": 5, "changes": 3,
    }
    assert got["ranges"][1]["held"] == got["totals"]["held"]
    summary = got["summary"]
    # Keys are worker ids and thread names; shares exclude the unknown windows.
    assert summary["shares"] == {"0": round(5800 / 10_100, 4), "1": round(2900 / 10_100, 4),
                                 "MainThread": round(900 / 10_100, 4)}
    assert summary["free"] == round(500 / 10_100, 4)
    assert summary["unknown"] == round(1000 / 11_100, 4)
    assert summary["lanes"] == 1 and summary["switches"] == 7


def test_shares_of_a_long_run_match_the_reference(js: Page) -> None:
    changes = alternating([0, 1, 2], 5 * MS, 900 * MS, 2 * MS, 150_000, free_every=7, seed=5)
    end_t = 950 * MS
    events = with_seq([sampler(0), *changes])
    got = stats(js, events, end_t, [(100 * MS, 300.5 * MS)])
    ref = reference_stats(changes, float("-inf"), float("inf"), end_t)
    tot = got["totals"]
    assert tot["held"] == {f"w{k}": v for k, v in ref["held"].items()}
    assert tot["free"] == ref["free"] and tot["unknown"] == ref["unknown"]
    part = reference_stats(changes, 100 * MS, 300.5 * MS, end_t)
    rng = got["ranges"][0]
    assert rng["held"] == pytest.approx({f"w{k}": v for k, v in part["held"].items()})
    assert rng["free"] == pytest.approx(part["free"])
    assert rng["unknown"] == pytest.approx(part["unknown"])
    shares = got["summary"]["shares"]
    assert shares == {k: round(v, 4) for k, v in ref["shares"].items()}
    assert got["summary"]["switches"] == sum(c["switches"] for c in changes)


def test_an_unavailable_sampler_gives_no_lane_but_its_reason(js: Page) -> None:
    reason = "the GIL sampler extension is not built for Python 3.11 (no compiler at install?)"
    run = batch(4, 2, task_ns=10 * MS)
    events = [*run.events, *with_seq([sampler(0, available=False, reason=reason)],
                                     len(run.events))]
    got = stats(js, events, run.ended_at)
    assert got["lanes"] == 0
    assert got["unavailable"] == [reason]
    assert got["summary"]["unavailable"] == [f"pid 4242: {reason}"]
    assert got["summary"]["shares"] == {}
