// @ts-check
/**
 * Tooltip text for whatever is hovered: the first track that recognises the hit puts it into
 * words (plain title + rows), so the DOM layer only lays them out.
 */
import { tracks } from "../tracks.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./pick.js").Hit} Hit */
/** @typedef {{title: string, rows: [string, string][], note?: string}} Description */

/**
 * Describe a hit for the tooltip.
 * @param {TimelineModel} model
 * @param {Hit} hit
 * @param {number} nowT
 * @returns {Description}
 */
export function describe(model, hit, nowT) {
  for (const track of tracks()) {
    const desc = track.describe?.(model, hit, nowT);
    if (desc) return desc;
  }
  return { title: "", rows: [] };
}
