// @ts-check
/**
 * How a Future's waits and done-callbacks look on a row (a worker lane's bar, or the row of a
 * thread without a lane), and what is under the pointer there (v6). A wait is a purple hatched
 * span over the waiting thread's bar, labelled "waits on #2" when it fits, ended by a cap in its
 * outcome's colour; its timeout is a red line where it fired, dashed where it would have (or
 * will). A callback is a small magenta block at the bottom of the bar of the thread that ran it.
 *
 * Rules it keeps: drawing and hit-testing share `waitSpan` and `callbackBox`, so what is drawn
 * is what is hovered; only what is in view is looked at (the facts binary-search their lists).
 */
import { awaitedText, callText, timeoutAt } from "../../model/pools/futures.js";
import { boxedText, hatch } from "../core/paint.js";
import { TOLERANCE_PX } from "../core/pick.js";
import { FUTURE_COLORS, THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/pools/futures.js").FutureWait} FutureWait */
/** @typedef {import("../../model/pools/futures.js").FutureCallback} FutureCallback */
/** @typedef {import("../../model/pools/futures.js").Deadlock} Deadlock */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {{y: number, h: number}} RowBox  the bar's extent in the row, canvas px */
/**
 * What the pointer can be over: a wait, a callback, a deadlock (its line or its label), or a
 * future's row.
 * @typedef {{type: "future-wait", wait: FutureWait}
 *   | {type: "future-callback", callback: FutureCallback}
 *   | {type: "deadlock", deadlock: Deadlock}
 *   | {type: "future", task: number}} FutureHit
 */

/** Waits at least this wide (CSS px) are drawn one by one, with their label and timeout. */
export const SOLO_PX = 3;

/** A callback's block is at least this wide, so a 20 µs callback is still seen. */
export const CALLBACK_MIN_PX = 6;

/**
 * The colour of a wait's end: its outcome's, purple while it still waits.
 * @param {FutureWait} w
 */
export function outcomeColor(w) {
  switch (w.outcome) {
    case null:
      return FUTURE_COLORS.wait;
    case "done":
      return FUTURE_COLORS.done;
    case "timeout":
      return FUTURE_COLORS.timeout;
    case "cancelled":
      return FUTURE_COLORS.cancelled;
    default:
      return FUTURE_COLORS.error;
  }
}

/**
 * A wait's span in plot px, clamped a little outside the plot.
 * @param {FutureWait} w
 * @param {Viewport} vp
 * @param {number} nowT
 */
export function waitSpan(w, vp, nowT) {
  const x0 = Math.max(-2, vp.toX(w.t));
  const x1 = Math.min(vp.width + 2, Math.max(vp.toX(w.endT ?? Math.max(nowT, w.t)), x0 + 2));
  return { x0, x1 };
}

/**
 * A callback's block in canvas px, at the bottom of the row's bar.
 * @param {FutureCallback} c
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 */
export function callbackBox(c, vp, plotX, box) {
  const x0 = vp.toX(c.t);
  const w = Math.max(CALLBACK_MIN_PX, vp.toX(c.t + c.durNs) - x0);
  const h = Math.max(6, Math.min(12, Math.round(box.h * 0.45)));
  return { x: plotX + x0 - (w === CALLBACK_MIN_PX ? w / 2 : 0), y: box.y + box.h - h, w, h };
}

/**
 * Draw the waits over a row's bar. Waits at least SOLO_PX wide are drawn one by one with their
 * label, end cap and timeout; narrower ones that touch merge into one plain hatched span, so a
 * zoomed-out loop of 10,000 result() calls costs a few spans, not 10,000.
 * @param {CanvasRenderingContext2D} ctx
 * @param {FutureWait[]} waits  by start (as the facts list them)
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 * @param {number} nowT
 * @param {FutureWait | null} hover
 */
export function drawWaits(ctx, waits, vp, plotX, box, nowT, hover) {
  /** @type {{x0: number, x1: number} | null} */
  let merged = null;
  for (const w of waits) {
    const span = waitSpan(w, vp, nowT);
    if (span.x1 - span.x0 < SOLO_PX && w !== hover) {
      if (merged && span.x0 - merged.x1 < 1) merged.x1 = Math.max(merged.x1, span.x1);
      else {
        if (merged) drawWaitSpan(ctx, plotX, box, merged.x0, merged.x1);
        merged = { x0: span.x0, x1: span.x1 };
      }
      continue;
    }
    drawWait(ctx, w, span, vp, plotX, box, hover === w);
  }
  if (merged) drawWaitSpan(ctx, plotX, box, merged.x0, merged.x1);
}

/**
 * The hatched span of a wait (or of merged narrow ones), plot px x0..x1.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} plotX
 * @param {RowBox} box
 * @param {number} x0
 * @param {number} x1
 */
function drawWaitSpan(ctx, plotX, box, x0, x1) {
  const x = plotX + x0;
  const width = x1 - x0;
  // Lighten the bar under it, then hatch: the task is on its worker, yet not running code.
  ctx.fillStyle = "rgba(255,255,255,0.45)";
  ctx.fillRect(x, box.y, width, box.h);
  hatch(ctx, x, box.y, width, box.h, FUTURE_COLORS.wait, 7);
  ctx.fillStyle = FUTURE_COLORS.wait;
  ctx.fillRect(x, box.y, width, 2);
  ctx.fillRect(x, box.y + box.h - 2, width, 2);
}

/**
 * One wait wide enough to be itself: its span, end cap, label and timeout.
 * @param {CanvasRenderingContext2D} ctx
 * @param {FutureWait} w
 * @param {{x0: number, x1: number}} span
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 * @param {boolean} hovered
 */
function drawWait(ctx, w, span, vp, plotX, box, hovered) {
  const { x0, x1 } = span;
  const x = plotX + x0;
  const width = x1 - x0;
  drawWaitSpan(ctx, plotX, box, x0, x1);
  if (w.endT !== null && x1 <= vp.width) {
    ctx.fillStyle = outcomeColor(w);
    ctx.fillRect(plotX + x1 - 3, box.y - 2, 3, box.h + 4);
  }
  const lh = Math.min(20, box.h - 4);
  // Measuring text costs: only where a label can fit at all.
  if (width >= 90 && lh >= 14) {
    // "waits on #2 · result(timeout=1.0)" where it fits, else "waits on #2".
    ctx.font = font(13, "bold");
    const short = `waits on ${awaitedText(w)}`;
    const long = `${short} · ${callText(w)}`;
    const label = ctx.measureText(long).width + 20 <= width ? long : short;
    if (width >= ctx.measureText(label).width + 20) {
      boxedText(ctx, label, Math.max(plotX, x) + 4, box.y + (box.h - lh) / 2, {
        px: 13, bold: true, fg: "#ffffff", bg: FUTURE_COLORS.wait, border: FUTURE_COLORS.wait, h: lh,
      });
    }
  }
  drawTimeout(ctx, w, vp, plotX, box);
  if (hovered) {
    ctx.strokeStyle = THEME.highlight;
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, box.y - 1, width + 2, box.h + 2);
  }
}

/**
 * Where a wait's timeout fires: solid once it did, dashed where it would have (the wait ended
 * first) or will (it still waits).
 * @param {CanvasRenderingContext2D} ctx
 * @param {FutureWait} w
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 */
function drawTimeout(ctx, w, vp, plotX, box) {
  const at = timeoutAt(w);
  if (at === null) return;
  const px = vp.toX(at);
  if (px < -2 || px > vp.width + 2) return;
  const fired = w.outcome === "timeout";
  // A wait that ended well before its timeout: the mark says where it would have fired, faintly.
  const faint = w.outcome !== null && !fired;
  const x = Math.round(plotX + px);
  ctx.save();
  ctx.fillStyle = FUTURE_COLORS.timeout;
  ctx.globalAlpha = faint ? 0.45 : 1;
  // Whole pixels (2 wide, from x - 1), dashed 4 on 3 off until it fires.
  const top = box.y - 4;
  const bottom = box.y + box.h + 4;
  if (fired) ctx.fillRect(x - 1, top, 2, bottom - top);
  else for (let y = top; y < bottom; y += 7) ctx.fillRect(x - 1, y, 2, Math.min(4, bottom - y));
  // A small flag at the top: the timeout's moment, visible even over a dark bar.
  ctx.beginPath();
  ctx.moveTo(x, box.y - 4);
  ctx.lineTo(x + 8, box.y);
  ctx.lineTo(x, box.y + 4);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

/**
 * Draw the callbacks a row's thread ran.
 * @param {CanvasRenderingContext2D} ctx
 * @param {FutureCallback[]} callbacks
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 * @param {FutureCallback | null} hover
 */
export function drawCallbacks(ctx, callbacks, vp, plotX, box, hover) {
  // Blocks that would overlap the one drawn before look like it: skip them (not the hovered).
  let lastEnd = -Infinity;
  for (const c of callbacks) {
    const b = callbackBox(c, vp, plotX, box);
    if (b.x < lastEnd && c !== hover) continue;
    lastEnd = b.x + b.w;
    ctx.fillStyle = c.ok ? FUTURE_COLORS.callback : "#111111";
    ctx.fillRect(b.x, b.y, b.w, b.h);
    ctx.strokeStyle = c.ok ? FUTURE_COLORS.callbackEdge : FUTURE_COLORS.callback;
    ctx.lineWidth = 1;
    ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
    if (hover === c) {
      ctx.strokeStyle = THEME.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(b.x - 2, b.y - 2, b.w + 4, b.h + 4);
    }
  }
}

/**
 * The callback or wait of a row under canvas point (x, y), or null: callbacks first (small,
 * drawn on top), then the wait nearest within the tolerance.
 * @param {FutureWait[]} waits    the row's waits in view
 * @param {FutureCallback[]} callbacks  the row's callbacks in view
 * @param {Viewport} vp
 * @param {number} plotX
 * @param {RowBox} box
 * @param {number} nowT
 * @param {number} x
 * @param {number} y
 * @returns {FutureHit | null}
 */
export function rowHit(waits, callbacks, vp, plotX, box, nowT, x, y) {
  for (let i = callbacks.length - 1; i >= 0; i--) {
    const b = callbackBox(callbacks[i], vp, plotX, box);
    if (x >= b.x - 2 && x <= b.x + b.w + 2 && y >= b.y - 3 && y <= b.y + b.h + 2) {
      return { type: "future-callback", callback: callbacks[i] };
    }
  }
  if (y < box.y - 4 || y > box.y + box.h + 4) return null;
  const px = x - plotX;
  /** @type {FutureWait | null} */
  let best = null;
  let bestD = TOLERANCE_PX + 1;
  for (const w of waits) {
    const { x0, x1 } = waitSpan(w, vp, nowT);
    const d = px < x0 ? x0 - px : px > x1 ? px - x1 : 0;
    // Nested waits (as_completed around result()): the one that began last is on top.
    if (d < bestD || (d === 0 && bestD === 0)) {
      best = w;
      bestD = d;
    }
  }
  return best ? { type: "future-wait", wait: best } : null;
}
