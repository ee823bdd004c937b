// @ts-check
/**
 * Hit-testing: what is under the pointer. Each track answers for its own box with the same
 * layout, level of detail and marker placement as its drawing, so the tooltip always explains
 * what the user sees; the tracks are asked in their picking order (render/tracks.js).
 */
import { pickOrder } from "../tracks.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../../model/core/lanes.js").Task} Task */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./markers.js").PlacedMarker} PlacedMarker */
/**
 * @typedef {import("../../model/pools/processes.js").PickleSpan} PickleSpan
 * @typedef {import("../../model/pools/processes.js").MemorySample} MemorySample
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
 *   | {type: "bookmark", bookmark: import("../../model/core/bookmarks.js").Bookmark}
 *   | import("../pools/futuremarks.js").FutureHit
 *   | import("../aio/pick.js").AioHit} Hit   every track's hits (a new track adds its own here)
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
  /** @type {import("./track.js").Scene} */
  const scene = { model, vp, layout, nowT, replay: false, hover: null, measure, capMeasure };
  for (const track of pickOrder()) {
    const box = layout.boxes[track.id];
    if (!track.onMouseMove || !box) continue;
    // Inclusive ends: a track's own tests decide its edge pixels exactly.
    if (y < box.y || y > (track.hitsBelow ? layout.bottom : box.y + box.h)) continue;
    const hit = track.onMouseMove(scene, box, x, y);
    if (hit) return hit;
  }
  return null;
}
