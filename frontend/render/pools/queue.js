// @ts-check
/**
 * The queue-depth track under the lanes: the exact step function reduced to one value per pixel
 * column (the column's maximum, so a brief spike is never hidden), plus ticks where queued tasks
 * were moved to a new pool or cancelled.
 */
import { lowerBound, upperBound } from "../../model/core/sorted.js";
import { isAsyncioRun } from "../../model/core/selectors.js";
import { TOLERANCE_PX } from "../core/pick.js";
import { describeQueue } from "./describe.js";
import { stepArea } from "../core/paint.js";
import { STATE_COLORS, THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/queue.js").QueueTrack} QueueTrack */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */

/**
 * Highest queue depth within each pixel column of the plot; NaN outside the run (before 0 or
 * after now).
 * @param {QueueTrack} queue
 * @param {Viewport} vp
 * @param {number} nowT
 */
export function queueColumns(queue, vp, nowT) {
  const n = Math.max(1, Math.ceil(vp.width));
  const cols = new Float32Array(n).fill(NaN);
  const steps = queue.steps;
  const depths = queue.depths();
  const firstCol = Math.max(0, Math.floor(vp.toX(0)));
  const lastCol = Math.min(n - 1, Math.floor(vp.toX(nowT)));
  if (lastCol < firstCol) return cols;
  // Depth entering the view, then every step inside it raises its column's maximum.
  let i = upperBound(steps, vp.t0, (s) => s.t);
  let depth = i > 0 ? depths[i - 1] : 0;
  for (let c = firstCol; c <= lastCol; c++) {
    const colEnd = vp.toT(c + 1);
    let max = depth;
    while (i < steps.length && steps[i].t < colEnd) {
      depth = depths[i];
      if (depth > max) max = depth;
      i++;
    }
    cols[c] = max;
  }
  return cols;
}

/**
 * A round axis maximum at or above `max` (1, 2, 5, 10, 20, …).
 * @param {number} max
 */
export function niceMax(max) {
  if (max <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

/**
 * Draw the queue-depth track with its move and cancel ticks.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 */
export function drawQueueTrack(ctx, model, vp, layout, nowT) {
  if (layout.queueH === 0) return;
  const { plotX, queueY, queueH } = layout;
  const top = niceMax(model.queue.max());
  const innerTop = queueY + 16;
  const innerH = queueH - 20;
  const yOf = (/** @type {number} */ d) => innerTop + innerH - (d / top) * innerH;
  ctx.fillStyle = "#fbf7fa";
  ctx.fillRect(plotX, queueY, layout.plotW, queueH);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(plotX, innerTop + innerH, layout.plotW, 1);

  const cols = queueColumns(model.queue, vp, nowT);
  if (stepArea(ctx, cols, plotX, innerTop + innerH, yOf)) {
    ctx.fillStyle = "rgba(204, 121, 167, 0.45)";
    ctx.fill();
    ctx.strokeStyle = STATE_COLORS.queue;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  drawTicks(ctx, model, vp, layout, queueY + 2);

  // Labels: what the track is, and its scale.
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(15, "bold");
  ctx.fillStyle = THEME.text;
  ctx.fillText("queue depth", 10, queueY + queueH * 0.35);
  ctx.font = font(14);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(`now ${model.queue.current()} · max ${model.queue.max()}`, 10, queueY + queueH * 0.65);
  ctx.textAlign = "right";
  ctx.fillText(String(top), plotX - 6, innerTop + 2);
  ctx.fillText("0", plotX - 6, innerTop + innerH);
}

/**
 * Ticks along the top of the track: ▼ orange where a task was moved, grey × where one was
 * cancelled; at most one of each per pixel column.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} y
 */
function drawTicks(ctx, model, vp, layout, y) {
  const key = (/** @type {{t: number}} */ e) => e.t;
  let lastCol = -1;
  ctx.fillStyle = STATE_COLORS.moved;
  const moves = model.moves;
  for (let i = lowerBound(moves, vp.t0, key); i < moves.length && moves[i].t <= vp.t1; i++) {
    const col = Math.floor(vp.toX(moves[i].t));
    if (col === lastCol) continue;
    lastCol = col;
    const x = layout.plotX + col;
    ctx.beginPath();
    ctx.moveTo(x - 5, y);
    ctx.lineTo(x + 5, y);
    ctx.lineTo(x, y + 9);
    ctx.closePath();
    ctx.fill();
  }
  lastCol = -1;
  ctx.strokeStyle = STATE_COLORS.cancelled;
  ctx.lineWidth = 2;
  ctx.beginPath();
  const cancels = model.cancels;
  for (let i = lowerBound(cancels, vp.t0, key); i < cancels.length && cancels[i].t <= vp.t1; i++) {
    const col = Math.floor(vp.toX(cancels[i].t));
    if (col === lastCol) continue;
    lastCol = col;
    const x = layout.plotX + col;
    ctx.moveTo(x - 4, y + 1);
    ctx.lineTo(x + 4, y + 9);
    ctx.moveTo(x + 4, y + 1);
    ctx.lineTo(x - 4, y + 9);
  }
  ctx.stroke();
}


/** Gap above the track, and its height. */
export const QUEUE_GAP = 12;
export const QUEUE_H = 96;

/**
 * The queue-depth track: tasks submitted and not yet started, with move and cancel ticks.
 * Its hits come after the marker lines' (a line crossing the track wins over the graph).
 * @type {import("../core/track.js").Track}
 */
export const queueTrack = {
  id: "queue",
  hitOrder: 2,
  // v4: an asyncio run that never offloaded work has no pool queue to show.
  layoutOptions: (model) => ({ queue: !isAsyncioRun(model) || model.submitted > 0 }),
  getHeight: (options) => QUEUE_GAP + (options.queue === false ? 0 : QUEUE_H),
  layoutFields: (box, options) => ({ queueY: box.y + QUEUE_GAP, queueH: options.queue === false ? 0 : QUEUE_H }),
  render: (ctx, { model, vp, layout, nowT }) => drawQueueTrack(ctx, model, vp, layout, nowT),
  onMouseMove: ({ model, vp, layout, nowT }, _box, x, y) => {
    if (x < layout.plotX || x > layout.plotX + layout.plotW) return null;
    if (y < layout.queueY || y > layout.queueY + layout.queueH) return null;
    const t = vp.toT(x - layout.plotX);
    if (t < 0 || t > nowT) return null;
    const tol = TOLERANCE_PX * vp.nsPerPx;
    const key = (/** @type {{t: number}} */ e) => e.t;
    const count = (/** @type {{t: number}[]} */ list) =>
      upperBound(list, t + tol, key) - lowerBound(list, t - tol, key);
    return {
      type: "queue",
      t,
      depth: model.queue.depthAt(t),
      moved: count(model.moves),
      cancelled: count(model.cancels),
    };
  },
  describe: (_model, hit) => (hit.type === "queue" ? describeQueue(hit) : null),
};
