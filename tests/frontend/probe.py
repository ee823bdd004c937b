"""JavaScript snippets that feed events to the frontend's model in the page and return what it
derived, as plain JSON for the Python side to compare with the simulation's ground truth."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

# Feeds `batches` (lists of events) for `runId` into a fresh EventStore, then summarises the
# model: lanes, tasks, counts, markers and the queue depth at each probe time.
FEED_AND_SUMMARISE = """
async ({runId, batches, probes, nowT}) => {
  const { EventStore } = await import('/model/core/store.js');
  const { computeStats } = await import('/model/core/stats.js');
  const store = new EventStore();
  for (const b of batches) store.append(runId, b);
  const m = store.model;
  const tasks = {};
  for (const [id, t] of m.tasks) {
    tasks[id] = {state: t.state, submitted: t.submittedT, started: t.startedT,
                 finished: t.finishedT, cancelled: t.cancelledT, worker: t.worker, ok: t.ok,
                 moves: t.moves.map(x => x.t), pool: t.pool};
  }
  return {
    runId: m.runId,
    lanes: m.lanes.list.map(l => ({worker: l.worker, pool: l.pool, name: l.name,
      nativeId: l.nativeId, spawned: l.spawnedT, exited: l.exitedT,
      tasks: l.tasks.map(t => t.id)})),
    activeLanes: m.lanes.activeCount(),
    tasks,
    counts: m.counts,
    finished: m.finished,
    submitted: m.submitted,
    moved: m.movedTasks,
    markers: m.markers.map(x => ({t: x.t, field: x.field, old: x.old, new: x.new})),
    pools: [...m.pools.values()],
    ended: m.ended, endReason: m.endReason,
    depths: probes.map(t => m.queue.depthAt(t)),
    queueMax: m.queue.max(),
    queueNow: m.queue.current(),
    stats: computeStats(m, nowT ?? m.maxT),
    events: store.events.length,
    duplicates: store.duplicates,
  };
}
"""


def feed(
    page: Page,
    run_id: str,
    batches: list[list[dict[str, Any]]],
    probes: list[int] | None = None,
    now_t: int | None = None,
) -> dict[str, Any]:
    """Feed batches to a fresh store in the page and return the model's summary."""
    result: dict[str, Any] = page.evaluate(
        FEED_AND_SUMMARISE,
        {"runId": run_id, "batches": batches, "probes": probes or [], "nowT": now_t},
    )
    return result


def marker_texts(page: Page) -> list[str]:
    """The labels of the markers the live page's timeline places now."""
    texts: list[str] = page.evaluate("""async () => {
        const { placeMarkers } = await import('/render/core/markers.js');
        const { markerMeasure } = await import('/render/core/timeline.js');
        const { store, view } = window.schedviz;
        return placeMarkers(store.model, view.viewport, view.layout, markerMeasure(view.ctx))
            .map(p => p.text);
    }""")
    return texts
