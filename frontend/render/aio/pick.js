// @ts-check
/**
 * Hit-testing in the asyncio section (v4), with the geometry and level of detail the drawing
 * uses: a yield tick within a few pixels wins over the step or wait under the pointer, so the
 * thin ticks stay easy to hover.
 */
import { byTime, lowerBound, upperBound } from "../../model/core/sorted.js";
import { aioGeometry, loopBarBox, rowBarBox } from "./layout.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioTask} AioTask */
/** @typedef {import("../../model/aio/loop.js").AioStep} AioStep */
/** @typedef {import("../../model/aio/loop.js").AioIdle} AioIdle */
/** @typedef {import("./layout.js").AioTrack} AioTrack */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/**
 * @typedef {{type: "aio-step", step: AioStep, task: AioTask | null, where: "loop" | "row"}
 *   | {type: "aio-yield", step: AioStep, task: AioTask}
 *   | {type: "aio-wait", step: AioStep, task: AioTask}
 *   | {type: "aio-idle", idle: AioIdle}
 *   | {type: "aio-ongoing", report: import("../../model/aio/loop.js").AioBlocked}
 *   | {type: "aio-loop", t: number}
 *   | {type: "aio-task", task: AioTask, t: number | null}
 *   | {type: "aio-more", hidden: number}
 *   | {type: "aio-track", track: AioTrack, t: number}} AioHit
 */

/** How close (CSS px) the pointer must be to a tick or a thin step to hit it. */
export const TICK_TOLERANCE_PX = 5;

/**
 * Whether a hit is one of the asyncio section's.
 * @param {{type: string}} hit
 * @returns {hit is AioHit}
 */
export function isAioHit(hit) {
  return hit.type.startsWith("aio-");
}

/**
 * The thing at canvas point (x, y) inside the asyncio section, or null outside it.
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} x
 * @param {number} y
 * @param {number} nowT
 * @returns {AioHit | null}
 */
export function pickAio(model, vp, layout, x, y, nowT) {
  const g = aioGeometry(model, layout.aioY);
  if (g.h === 0 || y < g.y || y >= g.y + g.h) return null;
  const inPlot = x >= layout.plotX && x <= layout.plotX + layout.plotW;
  const px = x - layout.plotX;
  const t = vp.toT(px);
  const tol = TICK_TOLERANCE_PX * vp.nsPerPx;
  const aio = model.aio;
  if (y >= g.loopY && y < g.loopY + g.loopH) {
    if (!inPlot) return { type: "aio-loop", t: NaN };
    for (const r of aio.ongoing.values()) {
      if (t >= r.t - tol && t <= Math.max(r.t + r.dur, model.endedT ?? nowT) + tol) return { type: "aio-ongoing", report: r };
    }
    const box = loopBarBox(g.loopY);
    const step = nearestStep(aio.steps, t, tol);
    if (step && y >= box.y - 4 && y <= box.y + box.h + 4) {
      return { type: "aio-step", step, task: aio.tasks.get(step.task) ?? null, where: "loop" };
    }
    const spans = aio.idle;
    const i = upperBound(spans, t, byTime) - 1;
    if (i >= 0 && t <= spans[i].t + spans[i].dur) return { type: "aio-idle", idle: spans[i] };
    return { type: "aio-loop", t };
  }
  const rows = g.tasks.length + (g.hidden > 0 ? 1 : 0);
  const row = Math.floor((y - g.rowsY) / g.rowH);
  if (y >= g.rowsY && row < rows) {
    if (row >= g.tasks.length) return { type: "aio-more", hidden: g.hidden };
    const task = g.tasks[row];
    if (!inPlot) return { type: "aio-task", task, t: null };
    const box = rowBarBox(g.rowsY + row * g.rowH, g.rowH);
    const tick = nearestTick(task.steps, t, tol);
    if (tick) return { type: "aio-yield", step: tick, task };
    const step = nearestStep(task.steps, t, tol / 2);
    if (step && y >= box.y - 2) return { type: "aio-step", step, task, where: "row" };
    const state = aio.taskStateAt(task, t);
    if (state && state.state === "waiting" && state.step) return { type: "aio-wait", step: state.step, task };
    return { type: "aio-task", task, t };
  }
  for (const track of g.tracks) {
    if (y >= track.y && y < track.y + track.h) {
      if (!inPlot) return { type: "aio-track", track, t: NaN };
      return { type: "aio-track", track, t };
    }
  }
  return null;
}

/**
 * The step covering t, else the nearest whose edge is within tol.
 * @param {AioStep[]} steps sorted by t, not overlapping
 * @param {number} t
 * @param {number} tol
 */
export function nearestStep(steps, t, tol) {
  let best = null;
  let bestD = Infinity;
  for (let i = Math.max(0, upperBound(steps, t - tol, byTime) - 1); i < steps.length && steps[i].t <= t + tol; i++) {
    const s = steps[i];
    const d = t < s.t ? s.t - t : t > s.end ? t - s.end : 0;
    if (d <= tol && d < bestD) {
      best = s;
      bestD = d;
    }
  }
  return best;
}

/**
 * The yield step whose end (its tick) is nearest t, within tol.
 * @param {AioStep[]} steps
 * @param {number} t
 * @param {number} tol
 */
export function nearestTick(steps, t, tol) {
  let best = null;
  let bestD = Infinity;
  // Steps end in order too (they do not overlap): look at the few around t.
  const from = Math.max(0, lowerBound(steps, t - tol, (s) => s.end) - 1);
  for (let i = from; i < steps.length && steps[i].t <= t + tol; i++) {
    const s = steps[i];
    if (s.outcome !== "yield") continue;
    const d = Math.abs(s.end - t);
    if (d <= tol && d < bestD) {
      best = s;
      bestD = d;
    }
  }
  return best;
}

/**
 * The source line a hit is about, for the source panel: a yield's or wait's yield site, a
 * step's (the line it blocked the loop at, if it did; else where it yielded), or null.
 * @param {{type: string}} hit
 * @returns {{file: string, line: number, kind: "yield" | "blocked"} | null}
 */
export function hitSourceLine(hit) {
  if (!isAioHit(hit)) return null;
  /** @type {{file: string | null, line: number | null} | null} */
  let at = null;
  let kind = /** @type {"yield" | "blocked"} */ ("yield");
  if (hit.type === "aio-yield" || hit.type === "aio-wait") at = hit.step;
  else if (hit.type === "aio-step") {
    at = hit.step.blocked ?? hit.step;
    if (hit.step.blocked) kind = "blocked";
  } else if (hit.type === "aio-ongoing") {
    at = hit.report;
    kind = "blocked";
  }
  return at && at.file !== null && at.line !== null ? { file: at.file, line: at.line, kind } : null;
}

/**
 * What the drawing emphasises for a hover: the hovered step, yield tick or wait.
 * @param {{type: string} | null} hit
 * @returns {import("./section.js").AioHover | null}
 */
export function aioHover(hit) {
  if (!hit || !isAioHit(hit)) return null;
  if (hit.type === "aio-yield") return { what: "yield", step: hit.step };
  if (hit.type === "aio-step") return { what: "step", step: hit.step };
  if (hit.type === "aio-wait") return { what: "wait", step: hit.step };
  return null;
}
