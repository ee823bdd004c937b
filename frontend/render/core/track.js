// @ts-check
/**
 * What a track is: one view of the timeline (the GIL rows, an asyncio run's section, the worker
 * lanes, the queue …) that owns its height, its drawing, its hit-testing and its tooltip text.
 * The layout, the picker, the renderer, the tooltip and the legend only loop over the registered
 * tracks (render/tracks.js), so adding a view is one module and one registration line.
 *
 * Rules every track keeps:
 * - `getHeight` and `layoutFields` read only the layout options and the tracks above it;
 *   `layoutOptions` is the only place a track reads the model for its geometry.
 * - `render` and `renderBackground` are pure and synchronous: model + viewport + box → canvas.
 * - `onMouseMove` answers for its own box and may decline (null), letting the picker go on;
 *   what it returns, its `describe` puts into words (and returns null for any other hit).
 *
 * `checkTrack` refuses a malformed track at registration, so a typo fails loudly, not silently.
 */

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./layout.js").LayoutOptions} LayoutOptions */
/** @typedef {import("./pick.js").Hit} Hit */
/** @typedef {import("./describe.js").Description} Description */

/**
 * A track's vertical extent, CSS px from the canvas's top.
 * @typedef {{y: number, h: number}} Box
 */

/**
 * What every track draws and picks from in one frame.
 * @typedef {object} Scene
 * @property {TimelineModel} model
 * @property {Viewport} vp
 * @property {Layout} layout
 * @property {number} nowT                      the run's current time (ns); in replay, the cursor
 * @property {boolean} replay                   a recording at a cursor, not a live run
 * @property {Hit | null} hover                 what the pointer is over (drawn highlighted)
 * @property {(text: string) => number} measure   width of a marker label
 * @property {(text: string) => number} capMeasure width of an exit-cap label
 */

/**
 * @typedef {object} Track
 * @property {string} id                         unique; also the key of its box in layout.boxes
 * @property {(model: TimelineModel) => LayoutOptions} [layoutOptions]
 *   what the track needs from the model to size itself (merged into one options object)
 * @property {(options: LayoutOptions, layout: Layout) => number} getHeight
 *   its height, given the options and the layout of the tracks above it
 * @property {(box: Box, options: LayoutOptions, layout: Layout) => object} [layoutFields]
 *   named geometry it publishes on the layout (e.g. lanesY, laneH) for drawing and hit-testing
 * @property {number} [layer] drawing order (z): higher layers draw later, over lower ones;
 *   within a layer tracks draw top to bottom. Default 0.
 * @property {(ctx: CanvasRenderingContext2D, scene: Scene, box: Box) => void} [renderBackground]
 *   drawn before every track's `render` (stripes, labels, the grid)
 * @property {(ctx: CanvasRenderingContext2D, scene: Scene, box: Box) => void} [render]
 * @property {number} [hitOrder] picking order: lower first, then top to bottom. Default 0.
 * @property {boolean} [hitsBelow] its hits reach from its top to the last track's bottom
 *   (marker lines cross every track), not only its own box
 * @property {(scene: Scene, box: Box, x: number, y: number) => Hit | null} [onMouseMove]
 *   the thing of this track at canvas point (x, y), or null to let the next track answer
 * @property {(model: TimelineModel, hit: Hit, nowT: number) => Description | null} [describe]
 *   tooltip text for its own hits, null for any other
 * @property {(model: TimelineModel, nowT: number) => Record<string, boolean | string>} [legend]
 *   legend entries to show, by class name: on or off, or on with a text for the entry's title
 */

/** Every property a track may have; anything else is a typo. */
export const TRACK_KEYS = Object.freeze([
  "id", "layoutOptions", "getHeight", "layoutFields", "layer", "renderBackground", "render",
  "hitOrder", "hitsBelow", "onMouseMove", "describe", "legend",
]);

/**
 * Throw, saying what is wrong, unless `track` has the shape of a Track.
 * @param {any} track
 * @returns {Track}
 */
export function checkTrack(track) {
  if (!track || typeof track.id !== "string" || track.id === "") throw new Error("a track needs a non-empty string id");
  if (typeof track.getHeight !== "function") throw new Error(`track "${track.id}" needs a getHeight function`);
  const unknown = Object.keys(track).filter((k) => !TRACK_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new Error(`track "${track.id}" has unknown properties: ${unknown.join(", ")} (allowed: ${TRACK_KEYS.join(", ")})`);
  }
  return track;
}
