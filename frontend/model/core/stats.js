// @ts-check
/**
 * Run statistics for the summary line, read from the model's running counters so they cost
 * O(log n) per call however long the run is.
 */
import { lowerBound, upperBound } from "./sorted.js";

/** @typedef {import("./timeline.js").TimelineModel} TimelineModel */

/**
 * @typedef {object} RunStats
 * @property {number} done          tasks finished, ok or with an exception
 * @property {number} total         tasks submitted
 * @property {number} planned       tasks the config asks for (n_tasks), or null
 * @property {number} running       tasks started and not finished
 * @property {number} queued        tasks submitted and neither started nor cancelled
 * @property {number} ok
 * @property {number} errors        tasks that raised
 * @property {number} cancelled
 * @property {number} moved         tasks moved to a new pool by a resize
 * @property {number} elapsedNs     run time so far (or until it ended)
 * @property {number} throughput    finished tasks per second over the whole run
 * @property {number} recentThroughput finished tasks per second over the last window
 * @property {number} lanes
 * @property {number} activeLanes
 */

/** The window recent throughput is measured over. */
export const RECENT_WINDOW_NS = 2e9;

/**
 * Statistics of the run at run time `nowT`.
 * @param {TimelineModel} model
 * @param {number} nowT
 * @returns {RunStats}
 */
export function computeStats(model, nowT) {
  const c = model.counts;
  const elapsedNs = Math.max(0, nowT);
  const done = c.ok + c.error;
  const seconds = elapsedNs / 1e9;
  // Over a short window the rate is noisy at the very start: use the elapsed time when shorter.
  const windowNs = Math.min(RECENT_WINDOW_NS, elapsedNs);
  const key = (/** @type {{t: number}} */ x) => x.t;
  const recent =
    upperBound(model.finishes, nowT, key) - lowerBound(model.finishes, nowT - windowNs, key);
  return {
    done,
    total: model.submitted,
    planned: model.config && Number.isFinite(model.config.n_tasks) ? model.config.n_tasks : null,
    running: c.running,
    queued: c.queued,
    ok: c.ok,
    errors: c.error,
    cancelled: c.cancelled,
    moved: model.movedTasks,
    elapsedNs,
    throughput: seconds > 0 ? done / seconds : 0,
    recentThroughput: windowNs > 0 ? recent / (windowNs / 1e9) : 0,
    lanes: model.lanes.list.length,
    activeLanes: model.lanes.activeCount(),
  };
}
