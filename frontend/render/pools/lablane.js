// @ts-check
/**
 * The cost of crossing a process boundary, drawn where it happens: the worker unpickles a task's
 * arguments right before the task bar and pickles its result right after it (short orange blocks
 * on the worker's lane); the parent (the lab process) pickles arguments when it submits and
 * unpickles results when they come back (orange marks on the lab lane, arguments in the upper
 * row, results in the lower one), above the lab's own memory strip.
 *
 * Spans last micro- to milliseconds, far below a pixel at most zoom levels: each is drawn at
 * least MIN_PX wide so it stays visible, and at most one mark per pixel column and row is drawn,
 * so a run of 10,000 tasks costs a few hundred rectangles.
 */
import { lowerBound } from "../../model/core/sorted.js";
import { workerSpans } from "../../model/pools/processes.js";
import { isProcessRun } from "../../model/core/selectors.js";
import { TOLERANCE_PX } from "../core/pick.js";
import { describeLab, describePickle } from "./describe.js";
import { memoryHit } from "./lanes.js";
import { drawMemoryStrip } from "./memory.js";
import { formatMB } from "../core/format.js";
import { clipTo, fitText } from "../core/paint.js";
import { THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Task} Task */
/** @typedef {import("../../model/pools/processes.js").PickleSpan} PickleSpan */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */

/** Narrowest drawn pickling span, CSS px. */
export const MIN_PX = 2;

/**
 * The worker-side pickling blocks of one task, beside its bar: [x0, x1] in plot pixels.
 * @param {Task} task
 * @param {Viewport} vp
 * @returns {{x0: number, x1: number}[]}
 */
export function workerPickleBoxes(task, vp) {
  const { loads, dumps } = workerSpans(task);
  const out = [];
  if (loads) {
    // Ends where the task starts: grow leftwards when it is thinner than MIN_PX.
    const x1 = vp.toX(loads.end);
    out.push({ x0: Math.min(vp.toX(loads.t), x1 - MIN_PX), x1 });
  }
  if (dumps) {
    const x0 = vp.toX(dumps.t);
    out.push({ x0, x1: Math.max(vp.toX(dumps.end), x0 + MIN_PX) });
  }
  return out;
}

/**
 * Draw a task's worker-side pickling blocks in the middle of its bar's height.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Task} task
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {{y: number, h: number}} bar
 */
export function drawWorkerPickles(ctx, task, vp, layout, bar) {
  const y = bar.y + bar.h * 0.2;
  const h = bar.h * 0.6;
  for (const b of workerPickleBoxes(task, vp)) {
    if (b.x1 < -2 || b.x0 > vp.width + 2) continue;
    ctx.fillStyle = THEME.pickleEdge;
    ctx.fillRect(layout.plotX + b.x0 - 0.5, y - 1, b.x1 - b.x0 + 1, h + 2);
    ctx.fillStyle = THEME.pickle;
    ctx.fillRect(layout.plotX + b.x0, y, b.x1 - b.x0, h);
  }
}

/**
 * Rows of the lab lane: where argument and result marks sit.
 * @param {Layout} layout
 */
export function labRows(layout) {
  const top = layout.labY + 4;
  const markH = Math.max(6, (layout.labH - layout.memH - 10) / 2);
  return { args: { y: top, h: markH }, result: { y: top + markH + 2, h: markH } };
}

/**
 * Parent spans in view, at most one per pixel column and row (the first one in it wins).
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @returns {{span: PickleSpan, x0: number, x1: number}[]}
 */
export function visibleParentSpans(model, vp) {
  const spans = model.proc.parentSpans;
  const from = lowerBound(spans, vp.t0 - model.proc.longestParentSpan, (s) => s.t);
  const out = [];
  const lastCol = { args: -Infinity, result: -Infinity };
  for (let i = from; i < spans.length; i++) {
    const s = spans[i];
    if (s.t > vp.t1) break;
    if (s.end < vp.t0) continue;
    const x0 = vp.toX(s.t);
    const col = Math.floor(x0);
    const row = s.what === "args" ? "args" : "result";
    if (col <= lastCol[row]) continue;
    lastCol[row] = col;
    out.push({ span: s, x0, x1: Math.max(vp.toX(s.end), x0 + MIN_PX) });
  }
  return out;
}

/**
 * Draw the lab lane: its label, the parent's pickling marks and the lab's memory strip.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {PickleSpan | null} hover
 */
export function drawLabLane(ctx, model, vp, layout, nowT, hover) {
  if (layout.labH <= 0) return;
  const { plotX, plotW, labY, labH } = layout;
  ctx.fillStyle = THEME.labLane;
  ctx.fillRect(0, labY, layout.width, labH);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, labY + labH - 1, layout.width, 1);
  ctx.fillRect(0, labY, layout.width, 1);

  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(14, "bold");
  ctx.fillStyle = THEME.text;
  const pid = model.proc.labPid;
  const maxW = layout.gutter - 16;
  ctx.fillText(fitText(ctx, `lab (parent)${pid !== null ? ` · pid ${pid}` : ""}`, maxW), 10, labY + 11);
  ctx.font = font(12);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(fitText(ctx, "pickling: args ▴ · results ▾", maxW), 10, labY + 26);
  if (layout.memH > 0 && model.proc.maxRss > 0) {
    ctx.fillText(fitText(ctx, `memory strips: top = ${formatMB(model.proc.maxRss)}`, maxW), 10, labY + 40);
  }

  clipTo(ctx, plotX, labY, plotW, labH);
  const rows = labRows(layout);
  for (const { span, x0, x1 } of visibleParentSpans(model, vp)) {
    const row = span.what === "args" ? rows.args : rows.result;
    ctx.fillStyle = THEME.pickleEdge;
    ctx.fillRect(plotX + x0 - 0.5, row.y - 0.5, x1 - x0 + 1, row.h + 1);
    ctx.fillStyle = THEME.pickle;
    ctx.fillRect(plotX + x0, row.y, x1 - x0, row.h);
    if (hover === span) {
      ctx.strokeStyle = THEME.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(plotX + x0 - 2, row.y - 2, x1 - x0 + 4, row.h + 4);
    }
  }
  if (layout.memH > 0) {
    const box = { x: plotX, y: labY + labH - layout.memH - 2, h: layout.memH };
    drawMemoryStrip(ctx, model.proc.series(null), vp, box, model.proc.maxRss, model.endedT ?? nowT);
  }
  ctx.restore();
}

/**
 * The parent pickling span drawn nearest plot pixel px in the lab lane's row under y.
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} px
 * @param {number} y
 * @returns {PickleSpan | null}
 */
export function parentSpanAt(model, vp, layout, px, y) {
  const rows = labRows(layout);
  const row = y < rows.result.y ? "args" : "result";
  let best = null;
  let bestD = TOLERANCE_PX + 1;
  for (const v of visibleParentSpans(model, vp)) {
    if ((v.span.what === "args" ? "args" : "result") !== row) continue;
    const d = px < v.x0 ? v.x0 - px : px > v.x1 ? px - v.x1 : 0;
    if (d < bestD) {
      best = v.span;
      bestD = d;
    }
  }
  return best;
}

/** The lane's height: a thin row of pickling marks over its memory strip. */
export const LAB_H = 50;

/**
 * The lab lane (v2, process pools only): the parent process's pickling and memory.
 * @type {import("../core/track.js").Track}
 */
export const labTrack = {
  id: "lab",
  layoutOptions: (model) => ({ lab: isProcessRun(model) }),
  getHeight: (options) => (options.lab ? LAB_H : 0),
  layoutFields: (box) => ({ labY: box.y, labH: box.h }),
  render: (ctx, { model, vp, layout, nowT, hover }) =>
    drawLabLane(ctx, model, vp, layout, nowT, hover?.type === "pickle" ? hover.span : null),
  onMouseMove: ({ model, vp, layout, nowT }, _box, x, y) => {
    if (layout.labH <= 0 || y < layout.labY || y >= layout.labY + layout.labH) return null;
    if (x < layout.plotX || x > layout.plotX + layout.plotW) return { type: "lab" };
    if (layout.memH > 0 && y >= layout.labY + layout.labH - layout.memH - 3) {
      const hit = memoryHit(model, null, vp, x - layout.plotX, model.endedT ?? nowT);
      if (hit) return hit;
    }
    const span = parentSpanAt(model, vp, layout, x - layout.plotX, y);
    return span ? { type: "pickle", span, task: model.tasks.get(span.task) ?? null } : { type: "lab" };
  },
  // The process-pool legend entries only where they can appear.
  legend: (model) => ({ processes: isProcessRun(model) }),
  describe: (model, hit, nowT) =>
    hit.type === "lab" ? describeLab(model, nowT) : hit.type === "pickle" ? describePickle(hit.span, hit.task) : null,
};
