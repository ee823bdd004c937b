// @ts-check
/**
 * The geometry of an asyncio run's section of the timeline (v4), between the GIL rows and the
 * thread pool's worker lanes; drawing and hit-testing both read it, so what is drawn is what is
 * hovered:
 *
 *   │ event loop │ steps coloured by task, idle time in select hatched grey  │
 *   │ main       │ ▮ its steps, ─ its waits between them, ▾ yield points     │  one row per task
 *   │ sleeper-0  │ …                                                          │
 *   │ ready      │ ready callbacks per loop iteration                         │  small tracks
 *   │ queue jobs │ the queue's size, its maxsize dashed                       │
 *   │ waiting on │ tasks waiting on each lock, queue, semaphore or event      │
 *
 * Also the task colours: one per task, the same on the loop lane, the task's row and the pool
 * task it offloaded work to.
 */

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioTask} AioTask */

import { isAsyncioRun } from "../../model/core/selectors.js";

/** The event loop's own lane: tall, it is what the lesson is about. */
export const LOOP_H = 50;
/** Task rows share about this much height before they shrink to MIN_ROW_H. */
export const ROWS_TARGET_H = 480;
export const MAX_ROW_H = 30;
export const MIN_ROW_H = 18;
/** More tasks than this and the rest are summed up in one row (the model still has them all). */
export const MAX_TASK_ROWS = 40;
/** A small track: ready queue, a queue's size, waiters on one object. */
export const TRACK_H = 42;
export const MAX_TRACKS = 8;
const GAP = 6;
const BOTTOM = 10;

/**
 * @typedef {object} AioTrack
 * @property {"ready" | "queue" | "sync"} kind
 * @property {string} name   the queue's or object's name ("" for ready)
 * @property {number} y
 * @property {number} h
 */
/**
 * @typedef {object} AioGeometry
 * @property {number} y       top of the section
 * @property {number} h       its height (0: not an asyncio run)
 * @property {number} loopY
 * @property {number} loopH
 * @property {number} rowsY   top of the first task row
 * @property {number} rowH
 * @property {AioTask[]} tasks  tasks with a row, top to bottom
 * @property {number} hidden  tasks beyond MAX_TASK_ROWS (summed up in one more row)
 * @property {AioTrack[]} tracks
 */

/**
 * The section's geometry with its top at y.
 * @param {TimelineModel} model
 * @param {number} y
 * @returns {AioGeometry}
 */
export function aioGeometry(model, y) {
  if (!isAsyncioRun(model)) {
    return { y, h: 0, loopY: y, loopH: 0, rowsY: y, rowH: 0, tasks: [], hidden: 0, tracks: [] };
  }
  const aio = model.aio;
  const all = aio.taskList;
  const tasks = all.length > MAX_TASK_ROWS ? all.slice(0, MAX_TASK_ROWS - 1) : all;
  const hidden = all.length - tasks.length;
  const rows = tasks.length + (hidden > 0 ? 1 : 0);
  const rowH = Math.max(MIN_ROW_H, Math.min(MAX_ROW_H, Math.floor(ROWS_TARGET_H / Math.max(1, rows))));
  const loopY = y;
  const rowsY = loopY + LOOP_H + 4;
  let trackY = rowsY + rows * rowH + GAP;
  /** @type {AioTrack[]} */
  const tracks = [{ kind: "ready", name: "", y: trackY, h: TRACK_H }];
  trackY += TRACK_H + 2;
  for (const name of aio.queues.keys()) {
    if (tracks.length >= MAX_TRACKS) break;
    tracks.push({ kind: "queue", name, y: trackY, h: TRACK_H });
    trackY += TRACK_H + 2;
  }
  for (const name of aio.sync.keys()) {
    if (tracks.length >= MAX_TRACKS) break;
    tracks.push({ kind: "sync", name, y: trackY, h: TRACK_H });
    trackY += TRACK_H + 2;
  }
  return {
    y, h: trackY - y + BOTTOM, loopY, loopH: LOOP_H, rowsY, rowH, tasks, hidden, tracks,
  };
}

/**
 * Vertical extent of the bars in a task row at y: a band for the yield ticks above them.
 * @param {number} y
 * @param {number} rowH
 */
export function rowBarBox(y, rowH) {
  const top = rowH >= 24 ? 7 : 5;
  return { y: y + top, h: rowH - top - 3 };
}

/**
 * Vertical extent of the steps on the loop lane at y.
 * @param {number} y
 */
export function loopBarBox(y) {
  return { y: y + 6, h: LOOP_H - 12 };
}
