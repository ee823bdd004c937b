// @ts-check
/**
 * The timeline's geometry, computed once per frame from the canvas width and the number of
 * lanes; drawing and hit-testing both read it, so what is drawn is what is hovered.
 *
 *   ┌ gutter ┬──────────── plot ────────────┐
 *   │        │ time axis                     │
 *   │        │ marker labels                 │
 *   │ GIL    │ GIL holder per process (v3)   │  one row per sampled interpreter, or a notice
 *   │ loop … │ asyncio: loop, tasks, tracks  │  v4: an asyncio run's section (aiolayout.js)
 *   │ W1 …   │ lane 1                        │
 *   │ W2 …   │ lane 2 …                      │
 *   │ lab    │ the parent process (v2)       │  process pools only: its pickling and memory
 *   │ queue  │ queue-depth track             │
 *   └────────┴───────────────────────────────┘
 */

/**
 * @typedef {object} Layout
 * @property {number} width       CSS pixels
 * @property {number} height      CSS pixels
 * @property {number} gutter      width of the label column
 * @property {number} plotX       left edge of the plot
 * @property {number} plotW       width of the plot
 * @property {number} axisY
 * @property {number} axisH
 * @property {number} markerY     the row where marker labels sit
 * @property {number} markerH
 * @property {number} lanesY      top of the first lane
 * @property {number} laneH
 * @property {number} laneCount
 * @property {boolean} twoLineLabels  room for the thread name on a second line
 * @property {number} queueY      top of the queue-depth track
 * @property {number} queueH
 * @property {number} labY        top of the lab (parent process) lane; labH 0 when there is none
 * @property {number} labH
 * @property {number} memH        height of the memory strip along each lane's bottom (0: none)
 * @property {number} stateH      height of the thread-state strip above it (v3; 0: none)
 * @property {number} gilY        top of the first GIL row (v3)
 * @property {number} gilH        height of one GIL row
 * @property {number} gilCount    GIL rows: one per sampled interpreter, plus one notice row
 * @property {number} aioY        top of an asyncio run's section (v4)
 * @property {number} aioH        its height (0: not an asyncio run)
 */

/**
 * @typedef {object} LayoutOptions
 * @property {boolean} [lab]     draw the lab lane (a process pool run)
 * @property {boolean} [memory]  reserve a memory strip at the bottom of each lane
 * @property {number} [gil]      GIL rows above the worker lanes (v3)
 * @property {boolean} [states]  reserve a thread-state strip in each lane (v3)
 * @property {number} [aio]      height of the asyncio section above the worker lanes (v4)
 * @property {boolean} [queue]   draw the queue-depth track (default true; v4: an asyncio run
 *   that never offloaded work has no pool queue to show)
 */

import { aioGeometry } from "../aio/layout.js";

export const AXIS_H = 30;
export const MARKER_H = 28;
export const QUEUE_GAP = 12;
export const QUEUE_H = 96;
export const BOTTOM_PAD = 6;
/** Lanes are as tall as this while few, so labels stay large on a projector. */
export const MAX_LANE_H = 44;
/** And never shorter than one 14 px label line. */
export const MIN_LANE_H = 20;
/** Lanes together aim for this height before they start to shrink. */
export const LANES_TARGET_H = 440;
/** The lab lane: a thin row of pickling marks over its memory strip. */
export const LAB_H = 50;
/** A GIL row: tall enough for a two-line label that reads on a projector. */
export const GIL_H = 44;
/** Gap between the GIL rows and the worker lanes. */
export const GIL_GAP = 6;
/** Memory strips get this much of a lane, when the lane is tall enough to spare it. */
export const MEM_H = 8;
/** Thread-state strips: thin, yet a solid line on a projector; thinner in crowded lanes. */
export const STATE_H = 8;
export const STATE_H_SMALL = 5;

/**
 * Geometry for a canvas `width` CSS pixels wide showing `laneCount` lanes.
 * @param {number} width
 * @param {number} laneCount
 * @param {LayoutOptions} [options]
 * @returns {Layout}
 */
export function computeLayout(width, laneCount, options = {}) {
  const w = Math.max(320, Math.floor(width));
  const gutter = Math.round(Math.min(280, Math.max(170, w * 0.2)));
  // v4: an asyncio run has worker lanes only once it offloads work; no empty lane before.
  const aioH = Math.max(0, options.aio ?? 0);
  const lanes = aioH > 0 ? laneCount : Math.max(1, laneCount);
  const laneH = Math.max(MIN_LANE_H, Math.min(MAX_LANE_H, Math.floor(LANES_TARGET_H / Math.max(1, lanes))));
  const axisY = 0;
  const markerY = axisY + AXIS_H;
  const gilY = markerY + MARKER_H;
  const gilCount = Math.max(0, options.gil ?? 0);
  const aioY = gilY + (gilCount > 0 ? gilCount * GIL_H + GIL_GAP : 0);
  const lanesY = aioY + aioH;
  const labY = lanesY + lanes * laneH;
  const labH = options.lab ? LAB_H : 0;
  const memH = options.memory && laneH >= 30 ? MEM_H : 0;
  const stateH = options.states ? (laneH >= 36 ? STATE_H : laneH >= 28 ? STATE_H - 2 : STATE_H_SMALL) : 0;
  const queueY = labY + labH + QUEUE_GAP;
  return {
    width: w,
    height: queueY + (options.queue === false ? 0 : QUEUE_H) + BOTTOM_PAD,
    gutter,
    plotX: gutter,
    plotW: w - gutter - 8,
    axisY,
    axisH: AXIS_H,
    markerY,
    markerH: MARKER_H,
    lanesY,
    laneH,
    laneCount,
    twoLineLabels: laneH >= 40,
    queueY,
    queueH: options.queue === false ? 0 : QUEUE_H,
    labY,
    labH,
    memH,
    stateH,
    gilY,
    gilH: GIL_H,
    gilCount,
    aioY,
    aioH,
  };
}

/**
 * The layout options a model asks for: a lab lane and memory strips once it is a process run.
 * @param {import("../../model/timeline.js").TimelineModel} model
 * @returns {LayoutOptions}
 */
export function layoutOptions(model) {
  const processes =
    model.config?.executor === "processes" ||
    model.proc.parentSpans.length > 0 ||
    [...model.pools.values()].some((p) => p.executor === "processes");
  // Threads share the lab's memory: strips only make sense once lanes are processes.
  const gil = model.gil.laneTracks().length + (model.gil.unavailable().length > 0 ? 1 : 0);
  // Thread states the backend said it cannot read are not drawn at all (not guessed at).
  const states = model.threads.workers.size > 0 && model.threads.unavailable === null;
  const aio = aioGeometry(model, 0).h;
  const queue = aio === 0 || model.submitted > 0;
  return { lab: processes, memory: processes && model.proc.memorySamples > 0, gil, states, aio, queue };
}

/**
 * Vertical extent of the task bars inside a lane at y (above its thread-state and memory
 * strips).
 * @param {Layout} layout
 * @param {number} y top of the lane
 */
export function barBox(layout, y) {
  const pad = layout.laneH >= 30 ? 6 : 3;
  const top = layout.memH > 0 || layout.stateH > 0 ? Math.min(4, pad) : pad;
  let bottom = layout.memH > 0 ? layout.memH + 2 : pad + 1;
  if (layout.stateH > 0) bottom = layout.laneH - (stateBox(layout, 0).y - 2);
  return { y: y + top, h: layout.laneH - top - bottom };
}

/**
 * Vertical extent of the thread-state strip of a lane at y: along the lane's bottom, above
 * the memory strip when there is one (h 0 when there is none).
 * @param {Layout} layout
 * @param {number} y top of the lane
 */
export function stateBox(layout, y) {
  const bottom = layout.laneH - 1 - (layout.memH > 0 ? layout.memH + 1 : 1);
  return { y: y + bottom - layout.stateH, h: layout.stateH };
}

/**
 * Index of the lane at y, or -1 outside the lanes.
 * @param {Layout} layout
 * @param {number} y
 */
export function laneIndexAt(layout, y) {
  const i = Math.floor((y - layout.lanesY) / layout.laneH);
  return i >= 0 && i < layout.laneCount ? i : -1;
}
