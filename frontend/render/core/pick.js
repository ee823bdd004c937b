// @ts-check
/**
 * Hit-testing: what is under the pointer, using the same layout, level of detail and marker
 * placement as drawing, so the tooltip always explains what the user sees.
 */
import { itemAt, sampleAt } from "../../model/processes.js";
import { pickAio } from "../aio/pick.js";
import { lowerBound, upperBound } from "../../model/sorted.js";
import { barEnd } from "../pools/bars.js";
import { capBox, capKind } from "../pools/faults.js";
import { gilLaneTracks } from "../gil/lane.js";
import { labRows, visibleParentSpans } from "../pools/lablane.js";
import { laneIndexAt, stateBox } from "./layout.js";
import { placeMarkers } from "./markers.js";
import { stateEndT } from "../gil/statestrip.js";

/** @typedef {import("../../model/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/lanes.js").Lane} Lane */
/** @typedef {import("../../model/lanes.js").Task} Task */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./markers.js").PlacedMarker} PlacedMarker */
/**
 * @typedef {import("../../model/processes.js").PickleSpan} PickleSpan
 * @typedef {import("../../model/processes.js").MemorySample} MemorySample
 * @typedef {{type: "task", task: Task, lane: Lane, item?: {index: number, t0: number, t1: number} | null}
 *   | {type: "marker", placed: PlacedMarker}
 *   | {type: "lane", lane: Lane}
 *   | {type: "lab"}
 *   | {type: "gil", pid: number, t: number, label: boolean, col: [number, number], view: [number, number]}
 *   | {type: "gil-off"}
 *   | {type: "thread-state", lane: Lane, t: number, col: [number, number],
 *      span: {code: number, from: number, to: number, index: number}}
 *   | {type: "pickle", span: PickleSpan, task: Task | null}
 *   | {type: "memory", lane: Lane | null, t: number, sample: MemorySample}
 *   | {type: "queue", t: number, depth: number, moved: number, cancelled: number}
 *   | import("../aio/pick.js").AioHit} Hit
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
 * @param {(text: string) => number} [capMeasure] exit-cap label width (defaults to `measure`)
 * @returns {Hit | null}
 */
export function pick(model, vp, layout, x, y, nowT, measure, capMeasure = measure) {
  const placed = placeMarkers(model, vp, layout, measure);
  const inPlot = x >= layout.plotX && x <= layout.plotX + layout.plotW;
  if (y >= layout.markerY && y < layout.markerY + layout.markerH) {
    for (const p of placed) {
      if (p.box && x >= p.box.x && x <= p.box.x + p.box.w) return { type: "marker", placed: p };
    }
  }
  if (layout.gilCount > 0 && y >= layout.gilY && y < layout.gilY + layout.gilCount * layout.gilH) {
    const row = Math.floor((y - layout.gilY) / layout.gilH);
    const tracks = gilLaneTracks(model);
    if (row >= tracks.length) return { type: "gil-off" };
    const px = x - layout.plotX;
    const c = Math.floor(px);
    return {
      type: "gil", pid: tracks[row].pid, t: vp.toT(px), label: x < layout.plotX,
      col: [vp.toT(c), vp.toT(c + 1)], view: [vp.t0, vp.t1],
    };
  }
  if (layout.aioH > 0 && y >= layout.aioY && y < layout.aioY + layout.aioH) {
    // v4: an asyncio run's loop lane, task rows and tracks.
    const hit = pickAio(model, vp, layout, x, y, nowT);
    if (hit) return hit;
  }
  const laneIndex = laneIndexAt(layout, y);
  if (laneIndex >= 0 && laneIndex < model.lanes.list.length) {
    const lane = model.lanes.list[laneIndex];
    if (x < layout.plotX) return { type: "lane", lane };
    const laneY = layout.lanesY + laneIndex * layout.laneH;
    if (inPlot && layout.stateH > 0) {
      const box = stateBox(layout, laneY);
      if (y >= box.y - 2 && y < box.y + box.h + 1) {
        const hit = stateHit(model, lane, vp, x - layout.plotX, nowT);
        if (hit) return hit;
      }
    }
    if (inPlot && layout.memH > 0 && y >= laneY + layout.laneH - layout.memH - 2) {
      const hit = memoryHit(model, lane, vp, x - layout.plotX, lane.exitedT ?? nowT);
      if (hit) return hit;
    }
    if (inPlot) {
      const task = taskAt(lane, vp, x - layout.plotX, nowT);
      if (task) return { type: "task", task, lane, item: itemAt(task, vp.toT(x - layout.plotX)) };
      if (capKind(lane)) {
        const cap = capBox(lane, vp, layout, laneY, capMeasure);
        if (x >= Math.min(cap.x - TOLERANCE_PX, cap.box.x) && x <= Math.max(cap.x + TOLERANCE_PX, cap.box.x + cap.box.w)) {
          return { type: "lane", lane };
        }
      }
    }
  }
  if (layout.labH > 0 && y >= layout.labY && y < layout.labY + layout.labH) {
    if (!inPlot) return { type: "lab" };
    if (layout.memH > 0 && y >= layout.labY + layout.labH - layout.memH - 3) {
      const hit = memoryHit(model, null, vp, x - layout.plotX, model.endedT ?? nowT);
      if (hit) return hit;
    }
    const span = parentSpanAt(model, vp, layout, x - layout.plotX, y);
    return span ? { type: "pickle", span, task: model.tasks.get(span.task) ?? null } : { type: "lab" };
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

/**
 * The thread state shown at plot pixel px of a lane's strip, or null where none is known.
 * @param {TimelineModel} model
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} nowT
 * @returns {Hit | null}
 */
function stateHit(model, lane, vp, px, nowT) {
  const ws = model.threads.workers.get(lane.worker);
  if (!ws) return null;
  const t = vp.toT(px);
  const span = model.threads.spanAt(ws, t, stateEndT(model, lane, nowT));
  if (!span) return null;
  const c = Math.floor(px);
  return { type: "thread-state", lane, t, col: [vp.toT(c), vp.toT(c + 1)], span };
}

/**
 * The memory sample in force at plot pixel px of a process's strip (the lab's for lane null).
 * @param {TimelineModel} model
 * @param {Lane | null} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} endT
 * @returns {Hit | null}
 */
function memoryHit(model, lane, vp, px, endT) {
  const t = vp.toT(px);
  const series = model.proc.series(lane ? lane.worker : null);
  if (!series || series.samples.length === 0 || t < series.samples[0].t || t > endT) return null;
  const sample = sampleAt(series, t);
  return sample ? { type: "memory", lane, t, sample } : null;
}

/**
 * The parent pickling span drawn nearest plot pixel px in the lab lane's row under y.
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} px
 * @param {number} y
 * @returns {PickleSpan | null}
 */
export function parentSpanAt(model, vp, layout, px, y) {
  const rows = labRows(layout);
  const row = y < rows.result.y ? "args" : "result";
  let best = null;
  let bestD = TOLERANCE_PX + 1;
  for (const v of visibleParentSpans(model, vp)) {
    if ((v.span.what === "args" ? "args" : "result") !== row) continue;
    const d = px < v.x0 ? v.x0 - px : px > v.x1 ? px - v.x1 : 0;
    if (d < bestD) {
      best = v.span;
      bestD = d;
    }
  }
  return best;
}
