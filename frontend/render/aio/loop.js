// @ts-check
/**
 * The event loop's lane of an asyncio run (v4): each step in its task's colour, idle time in
 * select hatched grey, a step that blocked the loop outlined red and labelled with the line it
 * was blocked at (also while it still blocks); plus the pieces the task rows share with it.
 *
 * Level of detail: a step narrower than a pixel is drawn one pixel wide, at most one per
 * pixel column.
 */
import { basename, taskLabel } from "../../model/aio/loop.js";
import { byTime, upperBound } from "../../model/core/sorted.js";
import { loopBarBox } from "./layout.js";
import { AIO_COLORS, font, taskColor, THEME } from "../core/theme.js";
import { formatDuration } from "../core/format.js";
import { fitText, hatch } from "../core/paint.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioTask} AioTask */
/** @typedef {import("../../model/aio/loop.js").AioStep} AioStep */
/** @typedef {import("../../model/aio/loop.js").AioFacts} AioFacts */
/** @typedef {import("./layout.js").AioGeometry} AioGeometry */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {import("./section.js").AioHover} AioHover */

/**
 * Where the run's open spans end: its end, or its current time while it runs.
 * @param {TimelineModel} model
 * @param {number} nowT
 */
export function aioEndT(model, nowT) {
  return model.endedT ?? nowT;
}

/**
 * The label of a step that blocked the loop: how long, where, and the line's text.
 * @param {AioStep | import("../../model/aio/loop.js").AioBlocked} s
 * @param {boolean} [ongoing]
 */
export function blockedText(s, ongoing = false) {
  const r = "blocked" in s ? s.blocked : s;
  const dur = "dur" in s ? s.dur : 0;
  const where = r && r.line !== null ? ` · ${basename(r.file)}:${r.line}` : "";
  const source = r && r.source ? `: ${r.source.replace(/\s+#.*$/, "")}` : "";
  return `${ongoing ? "blocking the loop" : "blocked the loop"} ${formatDuration(dur)}${ongoing ? " so far" : ""}${where}${source}`;
}

/**
 * Busy (in steps) and idle (in select) time of the loop within [a, b].
 * @param {AioFacts} aio
 * @param {number} a
 * @param {number} b
 */
export function loopShares(aio, a, b) {
  let busy = 0;
  let idle = 0;
  if (b <= a) return { busy, idle, span: 0 };
  const steps = aio.steps;
  for (let i = Math.max(0, upperBound(steps, a, byTime) - 1); i < steps.length && steps[i].t < b; i++) {
    busy += Math.max(0, Math.min(b, steps[i].end) - Math.max(a, steps[i].t));
  }
  // A step still blocking the loop keeps it busy up to b (its event comes when it ends).
  for (const r of aio.ongoing.values()) busy += Math.max(0, b - Math.max(a, r.t));
  const spans = aio.idle;
  for (let i = Math.max(0, upperBound(spans, a, byTime) - 1); i < spans.length && spans[i].t < b; i++) {
    idle += Math.max(0, Math.min(b, spans[i].t + spans[i].dur) - Math.max(a, spans[i].t));
  }
  return { busy, idle, span: b - a };
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {AioGeometry} g
 * @param {number} endT
 * @param {AioHover | null} hover
 */
export function drawLoopLane(ctx, model, vp, layout, g, endT, hover) {
  const aio = model.aio;
  const box = loopBarBox(g.loopY);
  const px = layout.plotX;
  // Idle: the loop sat in select, nothing was ready.
  const spans = aio.idle;
  for (let i = Math.max(0, upperBound(spans, vp.t0, byTime) - 1); i < spans.length && spans[i].t <= vp.t1; i++) {
    const x0 = Math.max(-2, vp.toX(spans[i].t));
    const x1 = Math.min(vp.width + 2, vp.toX(spans[i].t + spans[i].dur));
    if (x1 - x0 < 0.5) continue;
    ctx.fillStyle = AIO_COLORS.idle;
    ctx.fillRect(px + x0, box.y, x1 - x0, box.h);
    if (x1 - x0 >= 3) hatch(ctx, px + x0, box.y, x1 - x0, box.h, AIO_COLORS.idleHatch, 8);
  }
  /** @type {AioStep[]} */
  const slow = [];
  const steps = aio.steps;
  let lastCol = -1;
  for (let i = Math.max(0, upperBound(steps, vp.t0, byTime) - 1); i < steps.length && steps[i].t <= vp.t1; i++) {
    const s = steps[i];
    if (aio.isSlow(s)) slow.push(s);
    const x0 = vp.toX(s.t);
    const x1 = vp.toX(s.end);
    if (x1 < 0) continue;
    if (x1 - x0 < 1) {
      const col = Math.floor(x0);
      if (col === lastCol) continue;
      lastCol = col;
      // Two pixels, not one: a lone step must still read on a projector.
      ctx.fillStyle = taskColor(s.task);
      ctx.fillRect(px + col, box.y, 2, box.h);
      continue;
    }
    lastCol = Math.floor(x1);
    ctx.fillStyle = taskColor(s.task);
    ctx.fillRect(px + x0, box.y, x1 - x0, box.h);
    if (x1 - x0 >= 60) {
      const task = aio.tasks.get(s.task);
      ctx.font = font(14, "bold");
      ctx.fillStyle = "#ffffff";
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      const text = task ? taskLabel(task) : `task ${s.task}`;
      ctx.fillText(fitText(ctx, text, x1 - x0 - 8), px + Math.max(0, x0) + 4, box.y + box.h - 10);
    }
  }
  if (hover && hover.what === "step") outlineStep(ctx, vp, layout, hover.step, box, THEME.highlight);
  // Each label may run on past its step, up to the next slow step's.
  for (let k = 0; k < slow.length; k++) {
    const s = slow[k];
    drawBlocked(ctx, vp, layout, s.t, s.end, box, blockedText(s), false, slow[k + 1]?.t ?? null);
  }
  // A step still blocking the loop: from its start to now, before its own report arrives.
  for (const r of aio.ongoing.values()) {
    const end = Math.max(r.t + r.dur, endT);
    const task = aio.tasks.get(r.task);
    ctx.fillStyle = taskColor(r.task);
    const x0 = vp.toX(r.t);
    const x1 = vp.toX(end);
    if (x1 > x0) ctx.fillRect(px + x0, box.y, x1 - x0, box.h);
    drawBlocked(ctx, vp, layout, r.t, end, box, `${task ? task.name : "a task"} ${blockedText({ ...r, dur: end - r.t, blocked: r }, true)}`);
  }
}

/**
 * A red outline around a step that blocked the loop, with its label above it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} t0
 * @param {number} t1
 * @param {{y: number, h: number}} box
 * @param {string | null} text
 * @param {boolean} [inside] fit the label inside the step (else it may run on past its end)
 * @param {number | null} [untilT] where the next label begins: this one stops before it
 */
export function drawBlocked(ctx, vp, layout, t0, t1, box, text, inside = false, untilT = null) {
  const x0 = Math.max(-4, vp.toX(t0));
  const x1 = Math.min(vp.width + 4, vp.toX(t1));
  if (x1 < -4 || x0 > vp.width + 4) return;
  const px = layout.plotX;
  ctx.strokeStyle = AIO_COLORS.blocked;
  ctx.lineWidth = 3;
  ctx.strokeRect(px + x0 - 1.5, box.y - 1.5, Math.max(2, x1 - x0) + 3, box.h + 3);
  if (!text) return;
  ctx.font = font(14, "bold");
  const stop = untilT === null ? layout.plotW : Math.min(layout.plotW, vp.toX(untilT) - 4);
  const room = stop - Math.max(0, x0) - 4;
  const label = fitText(ctx, text, Math.min(room, inside ? x1 - x0 - 4 : Math.max(x1 - x0 - 8, 520)) - 12);
  if (!label || label.length < 8) return;
  const w = ctx.measureText(label).width + 12;
  const lx = px + Math.max(0, x0) + 2;
  ctx.fillStyle = AIO_COLORS.blocked;
  const h = Math.min(20, box.h - 2);
  ctx.fillRect(lx, box.y + 1, w, h);
  ctx.fillStyle = "#ffffff";
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(label, lx + 6, box.y + 1 + h / 2 + 1);
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {AioStep} s
 * @param {{y: number, h: number}} box
 * @param {string} color
 */
export function outlineStep(ctx, vp, layout, s, box, color) {
  const x0 = vp.toX(s.t);
  const x1 = Math.max(vp.toX(s.end), x0 + 1);
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.strokeRect(layout.plotX + x0 - 1, box.y - 1, x1 - x0 + 2, box.h + 2);
}

