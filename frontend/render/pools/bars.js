// @ts-check
/**
 * Level of detail for task bars: turns a lane's tasks in view into segments to draw.
 *
 * Rules it keeps:
 * - A task at least SOLO_PX wide is its own segment (it can carry a label and a gap).
 * - Narrower tasks merge with the previous segment of the same state when the pixel gap between
 *   them is under one pixel, so a lane never yields many more segments than it has pixels.
 * - States merge separately (ok with ok, error with error), so errors stay visible when zoomed
 *   out instead of being swallowed by their neighbours or painting them red.
 */

import { lostToBrokenPool } from "../../model/pools/processes.js";

/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../../model/core/lanes.js").Task} Task */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {"running" | "ok" | "error" | "broken" | "cancelled"} BarState */
/**
 * @typedef {object} Segment
 * @property {number} x0      plot pixel where it starts
 * @property {number} x1      plot pixel where it ends (x1 > x0)
 * @property {BarState} state
 * @property {Task | null} task  the task when the segment is exactly one task
 * @property {number} count   tasks merged into it
 */

/** Tasks at least this wide (CSS px) are drawn one by one. */
export const SOLO_PX = 3;

/**
 * The drawing state of a task that has started.
 * @param {Task} task
 * @returns {BarState}
 */
export function barState(task) {
  if (task.finishedT !== null) return task.ok ? "ok" : lostToBrokenPool(task) ? "broken" : "error";
  if (task.cancelledT !== null) return "cancelled";
  return "running";
}

/**
 * When a started task's bar ends: its finish, or now while it runs.
 * @param {Task} task
 * @param {number} nowT
 */
export function barEnd(task, nowT) {
  const end = task.finishedT ?? task.cancelledT ?? nowT;
  return Math.max(end, /** @type {number} */ (task.startedT));
}

/**
 * Segments of one lane visible in the viewport, grouped by state in draw order.
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {number} nowT
 * @returns {Segment[]}
 */
export function laneSegments(lane, vp, nowT) {
  /** @type {Segment[]} */
  const out = [];
  /** @type {Record<BarState, Segment | null>} */
  const open = { running: null, ok: null, error: null, broken: null, cancelled: null };
  const tasks = lane.tasks;
  const width = vp.width;
  for (let i = lane.firstEndingAfter(vp.t0); i < tasks.length; i++) {
    const task = tasks[i];
    const start = /** @type {number} */ (task.startedT);
    if (start > vp.t1) break;
    const end = barEnd(task, nowT);
    if (end < vp.t0) continue;
    const x0 = Math.max(-1, vp.toX(start));
    const x1 = Math.min(width + 1, Math.max(vp.toX(end), x0 + 0.5));
    const state = barState(task);
    const cur = open[state];
    if (x1 - x0 >= SOLO_PX) {
      if (cur) out.push(cur);
      open[state] = null;
      out.push({ x0, x1, state, task, count: 1 });
    } else if (cur && x0 - cur.x1 < 1) {
      cur.x1 = Math.max(cur.x1, x1);
      cur.count++;
      cur.task = null;
    } else {
      if (cur) out.push(cur);
      open[state] = { x0, x1, state, task, count: 1 };
    }
  }
  for (const s of /** @type {BarState[]} */ (["ok", "cancelled", "error", "broken", "running"])) {
    const cur = open[s];
    if (cur) out.push(cur);
  }
  // Errors and running tasks are drawn last so merged ok work never hides them.
  const order = { ok: 0, cancelled: 1, error: 2, broken: 3, running: 4 };
  out.sort((a, b) => order[a.state] - order[b.state] || a.x0 - b.x0);
  return out;
}
