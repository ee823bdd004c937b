// @ts-check
/**
 * Tooltip text for the markers: a live config change (with what a resize did), a broken
 * process pool and the run's end.
 */
import { exitDescription, lostToBrokenPool } from "../../model/pools/processes.js";
import { formatTime } from "./format.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./describe.js").Description} Description */
/** @typedef {import("./markers.js").PlacedMarker} PlacedMarker */

/**
 * Describe a placed marker: its break, its config change, or the run's end.
 * @param {TimelineModel} model
 * @param {PlacedMarker} placed
 * @returns {Description}
 */
export function describePlacedMarker(model, placed) {
  if (placed.type === "broken" && placed.brk) return describeBreak(model, placed.brk);
  if (placed.type === "python" && placed.warning) return describePythonWarning(placed.warning);
  return placed.type === "end" || !placed.marker ? describeEnd(model) : describeMarker(model, placed.marker);
}

/**
 * v5: what Python itself reported, where and when.
 * @param {import("../../model/core/timeline.js").PythonWarning} w
 * @returns {Description}
 */
export function describePythonWarning(w) {
  /** @type {[string, string][]} */
  const rows = [["at", formatTime(w.t)], ["kind", w.category]];
  if (w.file !== null) rows.push(["where", w.line !== null ? `${w.file}, line ${w.line}` : w.file]);
  return { title: "Python warned", rows, note: w.message };
}

/**
 * @param {TimelineModel} model
 * @param {import("../../model/pools/processes.js").PoolBreak} b
 * @returns {Description}
 */
export function describeBreak(model, b) {
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(b.t)],
    ["pool", String(b.pool)],
    ["worker", b.worker !== null ? `W${b.worker} (pid ${b.pid ?? "?"})` : "unknown"],
    ["exit code", exitDescription(b.exitcode)],
  ];
  let lost = 0;
  let cancelled = 0;
  for (const task of model.tasks.values()) {
    if (task.pool !== b.pool) continue;
    if (lostToBrokenPool(task)) lost++;
    else if (task.cancelReason === "pool_broken") cancelled++;
  }
  rows.push(["tasks lost", `${lost} running, ${cancelled} not started (cancelled)`]);
  return { title: `Pool ${b.pool} broke`, rows, note: b.message };
}

/**
 * Explain a config change, with what the resize did when it is max_workers.
 * @param {TimelineModel} model
 * @param {import("../../model/core/timeline.js").Marker} marker
 * @returns {Description}
 */
export function describeMarker(model, marker) {
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(marker.t)],
    ["changed", `${marker.field}: ${JSON.stringify(marker.old)} → ${JSON.stringify(marker.new)}`],
  ];
  let note = "A setting was changed while the run was going.";
  if (marker.field === "max_workers") {
    // The resize's new pool is the first pool created at or after the change.
    const pools = [...model.pools.values()]
      .filter((p) => p.createdT !== null && p.createdT >= marker.t)
      .sort((a, b) => /** @type {number} */ (a.createdT) - /** @type {number} */ (b.createdT));
    const pool = pools[0];
    if (pool) {
      const moved = model.moves.filter((m) => m.to === pool.pool).length;
      rows.push(["new pool", `pool ${pool.pool} with ${pool.maxWorkers ?? "?"} workers`]);
      rows.push(["tasks moved", String(moved)]);
    }
    note =
      "A thread pool cannot shrink, so a resize starts a new pool of the new size and moves the " +
      "tasks that have not started to it. The old pool's workers finish the task they are " +
      "running, then exit (their lanes turn grey).";
  } else if (marker.field === "switch_interval_ms") {
    note =
      "sys.setswitchinterval in the lab: how long a thread may keep the GIL while others wait " +
      "before it is asked to drop it. Shorter means more hand-offs on the GIL lane.";
  } else if (marker.field === "slow_step_ms") {
    note =
      "The asyncio run's slow-step threshold: from here on, a step longer than this is " +
      "reported as having blocked the loop, with the line it was blocked at.";
  } else if (marker.field === "chunksize") {
    const after = [...model.tasks.values()].filter((t) => t.chunk && t.submittedT !== null && t.submittedT >= marker.t);
    rows.push(["chunks since", String(after.length)]);
    note =
      "The next map() call cuts its items into chunks of the new size: larger chunks mean " +
      "fewer messages (less pickling and IPC per item) but coarser load balancing.";
  }
  return { title: `Config change: ${marker.field}`, rows, note };
}

/**
 * @param {TimelineModel} model
 * @returns {Description}
 */
export function describeEnd(model) {
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(model.endedT)],
    ["reason", model.endReason ?? "–"],
  ];
  if (model.endMessage) rows.push(["message", model.endMessage]);
  return { title: "Run ended", rows };
}
