// @ts-check
/**
 * The registered tracks, top to bottom. Adding a view is one module (see core/track.js for
 * what it owns) and one line here; the layout, picker, renderer, tooltip and legend loop over
 * this list and name no track.
 *
 *   ┌ gutter ┬──────────── plot ────────────┐
 *   │        │ time axis                     │  core/axis.js
 *   │        │ marker labels                 │  core/markers.js (its lines cross every track)
 *   │        │ bookmarks (when there are)    │  core/bookmarks.js
 *   │ GIL    │ GIL holder per process (v3)   │  gil/lane.js
 *   │ loop … │ asyncio: loop, tasks, tracks  │  aio/section.js (v4)
 *   │ W1 …   │ worker lanes                  │  pools/lanes.js
 *   │        │ waits, callbacks over lanes   │  pools/futures.js (v6; no height)
 *   │ lab    │ the parent process (v2)       │  pools/lablane.js (process pools only)
 *   │ futures│ deadlocks, futures' states    │  pools/futures.js (v6; runs with futures)
 *   │ queue  │ queue-depth track             │  pools/queue.js
 *   └────────┴───────────────────────────────┘
 *
 * The list is built on first use, not at import: track modules import core modules that import
 * this one, and a binding read during that cycle would not be initialised yet.
 */
import { aioTrack } from "./aio/section.js";
import { axisTrack } from "./core/axis.js";
import { bookmarksTrack } from "./core/bookmarks.js";
import { cursorTrack } from "./core/cursor.js";
import { markersTrack } from "./core/markers.js";
import { gilTrack } from "./gil/lane.js";
import { futureMarksTrack, futuresTrack } from "./pools/futures.js";
import { labTrack } from "./pools/lablane.js";
import { workerLanesTrack } from "./pools/lanes.js";
import { queueTrack } from "./pools/queue.js";
import { checkTrack } from "./core/track.js";

/** @typedef {import("./core/track.js").Track} Track */

/** @type {Track[] | null} */
let registered = null;

/** @returns {Track[]} the tracks in top-to-bottom order */
export function tracks() {
  registered ??= [axisTrack, markersTrack, bookmarksTrack, gilTrack, aioTrack, futureMarksTrack, workerLanesTrack, labTrack, futuresTrack, queueTrack, cursorTrack];
  return registered;
}

/**
 * Add a track: at the bottom, or right above the track `before` names.
 * @param {Track} track
 * @param {{before?: string}} [where]
 */
export function registerTrack(track, where = {}) {
  checkTrack(track);
  const list = tracks();
  if (list.some((t) => t.id === track.id)) throw new Error(`a track "${track.id}" is already registered`);
  const at = where.before === undefined ? -1 : list.findIndex((t) => t.id === where.before);
  if (where.before !== undefined && at < 0) throw new Error(`no track "${where.before}" to put "${track.id}" above`);
  list.splice(at < 0 ? list.length : at, 0, track);
}

/**
 * Remove the track with this id (tests that register one take it away again).
 * @param {string} id
 */
export function unregisterTrack(id) {
  const list = tracks();
  const at = list.findIndex((t) => t.id === id);
  if (at >= 0) list.splice(at, 1);
}

/**
 * The tracks in drawing order: by layer, then top to bottom.
 * @returns {Track[]}
 */
export function drawOrder() {
  return [...tracks()].sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0));
}

/**
 * The tracks in picking order: by hitOrder, then top to bottom.
 * @returns {Track[]}
 */
export function pickOrder() {
  return [...tracks()].sort((a, b) => (a.hitOrder ?? 0) - (b.hitOrder ?? 0));
}
