// @ts-check
/**
 * Hit-testing: what is under the pointer, using the same layout, level of detail and marker
 * placement as drawing, so the tooltip always explains what the user sees.
 */
import { lowerBound, upperBound } from "../model/sorted.js";
import { barEnd } from "./bars.js";
import { laneIndexAt } from "./layout.js";
import { placeMarkers } from "./markers.js";

/** @typedef {import("../model/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../model/lanes.js").Lane} Lane */
/** @typedef {import("../model/lanes.js").Task} Task */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./markers.js").PlacedMarker} PlacedMarker */
/**
 * @typedef {{type: "task", task: Task, lane: Lane}
 *   | {type: "marker", placed: PlacedMarker}
 *   | {type: "lane", lane: Lane}
 *   | {type: "queue", t: number, depth: number, moved: number, cancelled: number}} Hit
 */

/** How close (CSS px) the pointer must be to a thin bar or a marker line to hit it. */
export const TOLERANCE_PX = 4;

/**
 * The thing at canvas point (x, y), or null.
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} x CSS px from the canvas's left edge
 * @param {number} y CSS px from the canvas's top edge
 * @param {number} nowT
 * @param {(text: string) => number} measure marker label width
 * @returns {Hit | null}
 */
export function pick(model, vp, layout, x, y, nowT, measure) {
  const placed = placeMarkers(model, vp, layout, measure);
  const inPlot = x >= layout.plotX && x <= layout.plotX + layout.plotW;
  if (y >= layout.markerY && y < layout.markerY + layout.markerH) {
    for (const p of placed) {
      if (p.box && x >= p.box.x && x <= p.box.x + p.box.w) return { type: "marker", placed: p };
    }
  }
  const laneIndex = laneIndexAt(layout, y);
  if (laneIndex >= 0 && laneIndex < model.lanes.list.length) {
    const lane = model.lanes.list[laneIndex];
    if (x < layout.plotX) return { type: "lane", lane };
    if (inPlot) {
      const task = taskAt(lane, vp, x - layout.plotX, nowT);
      if (task) return { type: "task", task, lane };
    }
  }
  if (inPlot && y >= layout.markerY && y <= layout.queueY + layout.queueH) {
    let best = null;
    let bestD = TOLERANCE_PX + 1;
    for (const p of placed) {
      const d = Math.abs(p.x - x);
      if (d < bestD) {
        best = p;
        bestD = d;
      }
    }
    if (best) return { type: "marker", placed: best };
  }
  if (inPlot && y >= layout.queueY && y <= layout.queueY + layout.queueH) {
    const t = vp.toT(x - layout.plotX);
    if (t < 0 || t > nowT) return null;
    const tol = TOLERANCE_PX * vp.nsPerPx;
    const key = (/** @type {{t: number}} */ e) => e.t;
    const count = (/** @type {{t: number}[]} */ list) =>
      upperBound(list, t + tol, key) - lowerBound(list, t - tol, key);
    return {
      type: "queue",
      t,
      depth: model.queue.depthAt(t),
      moved: count(model.moves),
      cancelled: count(model.cancels),
    };
  }
  return null;
}

/**
 * The task whose bar covers plot pixel px of `lane`, else the nearest within the tolerance.
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} nowT
 * @returns {Task | null}
 */
export function taskAt(lane, vp, px, nowT) {
  const t = vp.toT(px);
  const tol = TOLERANCE_PX * vp.nsPerPx;
  const tasks = lane.tasks;
  /** @type {Task | null} */
  let best = null;
  let bestD = Infinity;
  // Bars do not overlap: only the few around t can be within the tolerance.
  const from = lane.firstEndingAfter(t - tol);
  for (let i = from; i < tasks.length; i++) {
    const task = tasks[i];
    const start = /** @type {number} */ (task.startedT);
    if (start > t + tol) break;
    const end = barEnd(task, nowT);
    const d = t < start ? start - t : t > end ? t - end : 0;
    if (d <= tol && d < bestD) {
      best = task;
      bestD = d;
    }
  }
  return best;
}
