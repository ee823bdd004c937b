// @ts-check
/**
 * The timeline's geometry, computed once per frame from the canvas width, the number of lanes
 * and what the tracks ask for; drawing and hit-testing both read it, so what is drawn is what
 * is hovered. The tracks are stacked top to bottom in their registered order (render/tracks.js);
 * each says its own height and publishes the named geometry its drawing needs.
 */

/**
 * Geometry of the whole canvas plus what each track publishes (the fields after `plotW`).
 * @typedef {object} Layout
 * @property {number} width       CSS pixels
 * @property {number} height      CSS pixels
 * @property {number} gutter      width of the label column
 * @property {number} plotX       left edge of the plot
 * @property {number} plotW       width of the plot
 * @property {number} bottom      bottom of the last track (the bottom padding follows)
 * @property {Record<string, import("./track.js").Box>} boxes  each track's extent, by its id
 * @property {number} laneCount   the worker lanes asked for
 * @property {number} axisY       core/axis.js
 * @property {number} axisH
 * @property {number} markerY     core/markers.js: the row where marker labels sit
 * @property {number} markerH
 * @property {number} gilY        gil/lane.js: top of the first GIL row (v3)
 * @property {number} gilH        height of one GIL row
 * @property {number} gilCount    GIL rows: one per sampled interpreter, plus one notice row
 * @property {number} aioY        aio/section.js: top of an asyncio run's section (v4)
 * @property {number} aioH        its height (0: not an asyncio run)
 * @property {number} lanesY      pools/lanes.js: top of the first lane
 * @property {number} laneH
 * @property {boolean} twoLineLabels  room for the thread name on a second line
 * @property {number} memH        height of the memory strip along each lane's bottom (0: none)
 * @property {number} stateH      height of the thread-state strip above it (v3; 0: none)
 * @property {number} labY        pools/lablane.js: top of the lab (parent process) lane
 * @property {number} labH        0 when there is none
 * @property {number} futuresY    pools/futures.js: top of the futures' rows (v6)
 * @property {number} futuresH    0 in a run without future events
 * @property {number} queueY      pools/queue.js: top of the queue-depth track
 * @property {number} queueH
 */

/**
 * What the tracks ask for, from the model (each track's `layoutOptions`, merged; a track that
 * is not listed here may add a key of its own).
 * @typedef {object} LayoutOptions
 * @property {boolean} [bookmarks] the run has bookmarks: a row for their flags
 * @property {boolean} [lab]     draw the lab lane (a process pool run)
 * @property {boolean} [memory]  reserve a memory strip at the bottom of each lane
 * @property {number} [gil]      GIL rows above the worker lanes (v3)
 * @property {boolean} [states]  reserve a thread-state strip in each lane (v3)
 * @property {number} [aio]      height of the asyncio section above the worker lanes (v4)
 * @property {number} [futureRows] v6: rows under the futures' header (-1: no futures track)
 * @property {boolean} [queue]   draw the queue-depth track (default true; v4: an asyncio run
 *   that never offloaded work has no pool queue to show)
 */

import { tracks } from "../tracks.js";

export const BOTTOM_PAD = 6;

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
  // Each track adds its own fields below; the cast says they will all be there.
  const layout = /** @type {Layout} */ (/** @type {unknown} */ ({
    width: w, height: 0, gutter, plotX: gutter, plotW: w - gutter - 8, bottom: 0, boxes: {}, laneCount,
  }));
  let y = 0;
  for (const track of tracks()) {
    const h = track.getHeight(options, layout);
    const box = { y, h };
    layout.boxes[track.id] = box;
    if (track.layoutFields) Object.assign(layout, track.layoutFields(box, options, layout));
    y += h;
  }
  layout.bottom = y;
  layout.height = y + BOTTOM_PAD;
  return layout;
}

/**
 * The layout options the tracks ask for, given the model.
 * @param {import("../../model/core/timeline.js").TimelineModel} model
 * @returns {LayoutOptions}
 */
export function layoutOptions(model) {
  /** @type {LayoutOptions} */
  const options = {};
  for (const track of tracks()) if (track.layoutOptions) Object.assign(options, track.layoutOptions(model));
  return options;
}
