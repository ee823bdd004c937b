// @ts-check
/**
 * The worker lanes' geometry: how tall a lane is for a given count, and where its task bars,
 * thread-state strip and memory strip sit inside it. Drawing and hit-testing both use these, so
 * what is drawn is what is hovered.
 */

/** @typedef {import("../core/layout.js").Layout} Layout */

/** Lanes are as tall as this while few, so labels stay large on a projector. */
export const MAX_LANE_H = 44;
/** And never shorter than one 14 px label line. */
export const MIN_LANE_H = 20;
/** Lanes together aim for this height before they start to shrink. */
export const LANES_TARGET_H = 440;
/** Memory strips get this much of a lane, when the lane is tall enough to spare it. */
export const MEM_H = 8;
/** Thread-state strips: thin, yet a solid line on a projector; thinner in crowded lanes. */
export const STATE_H = 8;
export const STATE_H_SMALL = 5;

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
