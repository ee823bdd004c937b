"""The GIL lane's and the thread-state strips' columns, kept from frame to frame and redone only
from where the data last changed, are exactly the columns worked out from scratch: on real runs,
while a replay's cursor scrubs forwards and back (events applied and taken back), while a live
run grows (events arriving, some out of order), and when the view moves."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

COMPARE = """
async ([events, plan]) => {
  const { Replay } = await import("/model/core/replay.js");
  const { TimelineModel } = await import("/model/core/timeline.js");
  const { Viewport } = await import("/render/core/viewport.js");
  const { gilColumns } = await import("/render/gil/lod.js");
  const { stateColumns } = await import("/render/gil/statestrip.js");

  // A mixed column's slices are fractions of its pixel: a column redone on its own sums its
  // pieces from its left edge, one swept into sums from further left, so the last bits of a
  // fraction may differ (1e-13 of a pixel); compare them to 1e-9.
  const round = (k, v) => (k === "frac" ? Math.round(v * 1e9) / 1e9 : v);
  const columns = (m, vp, endT) => JSON.stringify({
    gil: [...m.gil.tracks.values()].map((tr) => gilColumns(tr, vp, endT)),
    strips: [...m.threads.workers.values()].map((ws) => stateColumns(m.threads, ws, vp, endT)),
  }, round);
  const replay = new Replay(events);
  const n = replay.length;
  const vp = new Viewport(700);
  const problems = [];
  let compared = 0;
  let view = [replay.startT, replay.endT];
  for (const step of plan) {
    if (Array.isArray(step)) {
      // Move the view (a zoom into part of the run).
      const span = replay.endT - replay.startT;
      view = [replay.startT + span * step[0], replay.startT + span * step[1]];
      continue;
    }
    replay.seekIndex(Math.round(step * n));
    // The cursor also moves between events (playing): "now" is after the newest event.
    for (const extra of [0, 3e6]) {
      const endT = replay.cursorT + extra;
      vp.show(view[0], view[1]);
      const kept = columns(replay.model, vp, endT);
      const fresh = new TimelineModel();
      for (let i = 0; i < replay.pos; i++) fresh.apply(replay.events[i]);
      const want = columns(fresh, vp, endT);
      compared++;
      if (kept !== want) {
        const a = JSON.parse(kept), b = JSON.parse(want);
        const gilDiffers = JSON.stringify(a.gil) !== JSON.stringify(b.gil);
        const part = gilDiffers ? "GIL lane" : "thread-state strip";
        problems.push(`${part} after seek to ${step} (pos ${replay.pos}, +${extra} ns)`);
      }
    }
  }
  // Live: events arrive in batches, the newest few shuffled; columns kept across batches.
  const live = new TimelineModel();
  const order = [...replay.events];
  for (let i = 0; i + 3 < order.length; i += 7) [order[i], order[i + 3]] = [order[i + 3], order[i]];
  vp.show(replay.startT, replay.endT);
  for (let i = 0; i < order.length; i += Math.max(1, Math.floor(order.length / 9))) {
    const batch = order.slice(i, i + Math.max(1, Math.floor(order.length / 9)));
    for (const ev of batch) live.apply(ev);
    const endT = live.maxT;
    const kept = columns(live, vp, endT);
    const fresh = new TimelineModel();
    for (const ev of order.slice(0, i + batch.length)) fresh.apply(ev);
    compared++;
    if (kept !== columns(fresh, vp, endT)) problems.push(`live after ${i + batch.length} events`);
  }
  const tracks = [...replay.model.gil.tracks.values()];
  const gilChanges = tracks.reduce((a, t) => a + t.changes.length, 0);
  return { compared, problems, gilChanges };
}
"""

PLAN: list[Any] = [1.0, 0.5, 0.52, 0.49, 0.2, 0.8, [0.3, 0.6], 0.45, 0.5, 0.31, 0.7,
                   [0.0, 1.0], 0.05, 0.95, 0.94, 0.0, 0.3]


@pytest.mark.parametrize("run", ["threads", "processes", "gil", "crash"])
def test_kept_columns_are_the_columns_from_scratch(js: Page,
                                                   real_runs: dict[str, list[dict[str, Any]]],
                                                   run: str) -> None:
    out = js.evaluate(COMPARE, [real_runs[run], PLAN])
    assert not out["problems"], out["problems"]
    assert out["compared"] >= 2 * 15
    assert out["gilChanges"] > 20, "a run with GIL hand-offs to draw"
