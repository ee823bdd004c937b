// @ts-check
/**
 * The Future lifecycle on the timeline (v6), as two tracks:
 * - `futureMarksTrack` (no height of its own, over the worker lanes): each wait drawn on the
 *   bar of the thread that waits, each done-callback on the lane of the thread that ran it, and
 *   each deadlock as a red line down the lanes at its time.
 * - `futuresTrack` (under the lanes): a header row carrying each deadlock's label with its
 *   wait-for chain ("⚠ deadlock · pool 0: #1 → #2"), then a row per thread without a lane that
 *   waited or ran callbacks (the program's main thread), then a row per future the code looked
 *   at (waited on, with callbacks, or cancelled): pending → running → finished with a result or
 *   an exception, or cancelled.
 * Both are absent (0 px, nothing drawn) in a run without future events.
 */
import { chainText } from "../../model/pools/futures.js";
import { futureState, describeCallback, describeDeadlock, describeFuture, describeWait } from "./describefutures.js";
import { drawCallbacks, drawWaits, rowHit } from "./futuremarks.js";
import { barBox, laneIndexAt } from "./lanebox.js";
import { boxedText, clipTo, fitText, hatch } from "../core/paint.js";
import { TOLERANCE_PX } from "../core/pick.js";
import { FUTURE_COLORS, STATE_COLORS, THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/pools/futures.js").Deadlock} Deadlock */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {import("./futuremarks.js").FutureHit} FutureHit */
/** @typedef {{kind: "thread", thread: string} | {kind: "future", task: number}} FutureRow */

/** The header row (the deadlock labels), a thread's row and a future's row, CSS px. */
export const HEADER_H = 30;
export const ROW_H = 32;
/** At most this many futures get rows (as_completed over 10,000 tasks must not take the page). */
export const MAX_FUTURE_ROWS = 6;
/** And this many threads without a lane. */
export const MAX_THREAD_ROWS = 3;
const DEADLOCK_LABEL_H = 24;

/**
 * The rows under the header, top to bottom, and how many futures had no room. A task
 * cancelled twice (a resize, then a stop) is one row: `model.cancels` has one entry per event.
 * @param {TimelineModel} model
 * @returns {{rows: FutureRow[], hidden: number}}
 */
export function futureRows(model) {
  /** @type {FutureRow[]} */
  const rows = [];
  for (const thread of model.futures.threads.keys()) {
    if (rows.length >= MAX_THREAD_ROWS) break;
    rows.push({ kind: "thread", thread });
  }
  let shown = 0;
  for (const task of model.futures.watched.keys()) {
    if (shown >= MAX_FUTURE_ROWS) break;
    rows.push({ kind: "future", task });
    shown++;
  }
  // A run that looks at its futures shows those it cancelled too: cancel() worked on them
  // (only a pending future can be cancelled), though nobody waited on them.
  let hidden = model.futures.watched.size - shown;
  const counted = new Set();
  for (const c of model.cancels) {
    if (model.futures.watched.has(c.task) || counted.has(c.task)) continue;
    counted.add(c.task);
    if (shown >= MAX_FUTURE_ROWS) hidden++;
    else {
      rows.push({ kind: "future", task: c.task });
      shown++;
    }
  }
  // The futures shown in task order (#1, #2, #3), whichever fact named them first.
  const first = rows.findIndex((r) => r.kind === "future");
  if (first >= 0) {
    const futures = rows.splice(first).sort((a, b) => (a.kind === "future" && b.kind === "future" ? a.task - b.task : 0));
    rows.push(...futures);
  }
  return { rows, hidden };
}

/**
 * A deadlock's label and its box in canvas px (right of its line, or left of it near the
 * plot's right edge, never left of `minLeft`: the previous label's end); drawing and
 * hit-testing share it. The label is the whole chain when it ends before `maxRight` (the next
 * deadlock's line), else without the words after it, else "⚠ #0 → #1", else "⚠".
 * @param {TimelineModel} model
 * @param {Deadlock} d
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {(text: string) => number} measure width at the label's font
 * @param {number} [maxRight]
 * @param {number} [minLeft]
 */
export function deadlockLabel(model, d, vp, layout, measure, maxRight = Infinity, minLeft = -Infinity) {
  const x = layout.plotX + vp.toX(d.t);
  const y = layout.futuresY + (HEADER_H - DEADLOCK_LABEL_H) / 2;
  const chain = chainText(d);
  // The chain matters most: it outlives the words around it as room runs out.
  const texts = [`⚠ deadlock · pool ${d.pool}: ${chain}${chainEnd(model, d)}`,
    `⚠ deadlock · pool ${d.pool}: ${chain}`, `⚠ ${chain}`, "⚠"];
  let placed = null;
  for (const text of texts) {
    const w = measure(text) + 14;
    let bx = x + 4;
    if (bx + w > layout.plotX + layout.plotW) bx = Math.max(layout.plotX, minLeft, x - 4 - w);
    placed = { x, text, box: { x: bx, y, w, h: DEADLOCK_LABEL_H } };
    if (bx + w <= maxRight) break;
  }
  return /** @type {{x: number, text: string, box: {x: number, y: number, w: number, h: number}}} */ (placed);
}

/**
 * The labels of the deadlocks in view, each kept clear of the next one's line and of the label
 * before (one that cannot be is left out: its line stays, and hovering it explains it).
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {(text: string) => number} measure
 */
function deadlockLabels(model, vp, layout, measure) {
  const list = deadlocksInView(model, vp);
  /** @type {{d: Deadlock, x: number, text: string, box: {x: number, y: number, w: number, h: number}}[]} */
  const out = [];
  let minLeft = -Infinity;
  for (let i = 0; i < list.length; i++) {
    const next = list[i + 1];
    const maxRight = next ? layout.plotX + vp.toX(next.t) - 3 : Infinity;
    const label = deadlockLabel(model, list[i], vp, layout, measure, maxRight, minLeft);
    if (label.box.x + label.box.w > maxRight) continue;
    out.push({ d: list[i], ...label });
    minLeft = label.box.x + label.box.w + 3;
  }
  return out;
}

/**
 * How a chain ends, in words: on a task no worker is free to start, or back on its first task.
 * @param {TimelineModel} model
 * @param {Deadlock} d
 */
function chainEnd(model, d) {
  const last = d.chain.at(-1);
  if (!last) return "";
  if (last[1] === d.chain[0][0]) return " (a cycle)";
  const started = model.tasks.get(last[1])?.startedT ?? null;
  return started === null || started > d.t ? " (pending: no free worker)" : "";
}

/**
 * Width of a deadlock label's text.
 * @param {CanvasRenderingContext2D} ctx
 */
function labelMeasure(ctx) {
  return (/** @type {string} */ text) => {
    ctx.font = font(15, "bold");
    return ctx.measureText(text).width;
  };
}

/**
 * The deadlocks whose line is in view.
 * @param {TimelineModel} model
 * @param {Viewport} vp
 */
function deadlocksInView(model, vp) {
  return model.futures.deadlocks.filter((d) => d.t >= vp.t0 - vp.nsPerPx * 2 && d.t <= vp.t1 + vp.nsPerPx * 2);
}

/**
 * A red line down from `top` to `bottom` at each deadlock in view.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} top
 * @param {number} bottom
 */
function drawDeadlockLines(ctx, model, vp, layout, top, bottom) {
  ctx.fillStyle = FUTURE_COLORS.deadlock;
  for (const d of deadlocksInView(model, vp)) {
    ctx.fillRect(Math.round(layout.plotX + vp.toX(d.t)) - 1, top, 3, bottom - top);
  }
}

/**
 * Waits, callbacks and deadlock lines over the worker lanes.
 * @type {import("../core/track.js").Track}
 */
export const futureMarksTrack = {
  id: "future-marks",
  // Over the bars and the marker lines, under the replay cursor.
  layer: 4,
  // Asked before the lanes (it is above them), and only over its own marks: a task bar
  // elsewhere is still the lanes' to answer.
  hitsBelow: true,
  getHeight: () => 0,
  render: (ctx, { model, vp, layout, nowT, hover }) => {
    if (!model.futures.seen || model.lanes.list.length === 0) return;
    const lanes = model.lanes.list;
    clipTo(ctx, layout.plotX, layout.lanesY, layout.plotW, lanes.length * layout.laneH);
    const hw = hover?.type === "future-wait" ? hover.wait : null;
    const hc = hover?.type === "future-callback" ? hover.callback : null;
    for (let i = 0; i < lanes.length; i++) {
      const worker = lanes[i].worker;
      const box = barBox(layout, layout.lanesY + i * layout.laneH);
      drawWaits(ctx, model.futures.waitsIn(worker, vp.t0, vp.t1), vp, layout.plotX, box, nowT, hw);
      drawCallbacks(ctx, model.futures.callbacksIn(worker, vp.t0, vp.t1), vp, layout.plotX, box, hc);
    }
    drawDeadlockLines(ctx, model, vp, layout, layout.lanesY, layout.lanesY + lanes.length * layout.laneH);
    ctx.restore();
  },
  onMouseMove: ({ model, vp, layout, nowT }, _box, x, y) => {
    if (!model.futures.seen || x < layout.plotX || x > layout.plotX + layout.plotW) return null;
    const i = laneIndexAt(layout, y);
    if (i < 0 || i >= model.lanes.list.length) return null;
    const worker = model.lanes.list[i].worker;
    const box = barBox(layout, layout.lanesY + i * layout.laneH);
    const [t0, t1] = [vp.toT(x - layout.plotX - TOLERANCE_PX - 12), vp.toT(x - layout.plotX + TOLERANCE_PX + 12)];
    return rowHit(model.futures.waitsIn(worker, t0, t1), model.futures.callbacksIn(worker, t0, t1),
      vp, layout.plotX, box, nowT, x, y);
  },
  legend: (model) => ({ futures: model.futures.seen }),
  describe: (model, hit, nowT) => describeFutureHit(model, hit, nowT),
};

/**
 * The futures' rows under the lanes.
 * @type {import("../core/track.js").Track}
 */
export const futuresTrack = {
  id: "futures",
  layer: 4,
  layoutOptions: (model) => ({
    futureRows: model.futures.seen ? futureRows(model).rows.length : -1,
  }),
  getHeight: (options) => {
    const rows = /** @type {number} */ (options.futureRows ?? -1);
    return rows < 0 ? 0 : HEADER_H + rows * ROW_H + 4;
  },
  layoutFields: (box) => ({ futuresY: box.y, futuresH: box.h }),
  renderBackground: (ctx, { model, layout }) => {
    if (layout.futuresH === 0) return;
    const { rows, hidden } = futureRows(model);
    const { futuresY: y0, width } = layout;
    ctx.fillStyle = "#fbf8fc";
    ctx.fillRect(0, y0, width, layout.futuresH);
    ctx.fillStyle = THEME.separator;
    ctx.fillRect(0, y0, width, 1);
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.font = font(15, "bold");
    ctx.fillStyle = THEME.text;
    ctx.fillText("futures", 10, y0 + HEADER_H / 2);
    if (hidden > 0) {
      // After the title as drawn: its width grows with the type (presenter mode).
      const after = 10 + ctx.measureText("futures").width + 10;
      ctx.font = font(13);
      ctx.fillStyle = THEME.mutedText;
      ctx.fillText(`+${hidden} more`, after, y0 + HEADER_H / 2);
    }
    for (let i = 0; i < rows.length; i++) {
      const y = y0 + HEADER_H + i * ROW_H;
      ctx.fillStyle = i % 2 ? THEME.laneOdd : THEME.laneEven;
      ctx.fillRect(0, y, width, ROW_H);
      ctx.fillStyle = THEME.separator;
      ctx.fillRect(0, y + ROW_H - 1, width, 1);
    }
  },
  render: (ctx, scene) => {
    const { model, vp, layout, nowT, hover } = scene;
    if (layout.futuresH === 0) return;
    const { rows } = futureRows(model);
    const hw = hover?.type === "future-wait" ? hover.wait : null;
    const hc = hover?.type === "future-callback" ? hover.callback : null;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const y = layout.futuresY + HEADER_H + i * ROW_H;
      drawRowLabel(ctx, model, row, y, layout);
      clipTo(ctx, layout.plotX, y, layout.plotW, ROW_H);
      const box = { y: y + 5, h: ROW_H - 10 };
      if (row.kind === "thread") {
        drawWaits(ctx, model.futures.waitsIn(row.thread, vp.t0, vp.t1), vp, layout.plotX, box, nowT, hw);
        drawCallbacks(ctx, model.futures.callbacksIn(row.thread, vp.t0, vp.t1), vp, layout.plotX, box, hc);
      } else {
        drawFutureStates(ctx, model, row.task, vp, layout, box, nowT, hover?.type === "future" && hover.task === row.task);
      }
      ctx.restore();
    }
    clipTo(ctx, layout.plotX - 1, layout.futuresY, layout.plotW + 2, layout.futuresH);
    drawDeadlockLines(ctx, model, vp, layout, layout.futuresY, layout.futuresY + layout.futuresH);
    ctx.restore();
    const measure = labelMeasure(ctx);
    for (const { d, text, box } of deadlockLabels(model, vp, layout, measure)) {
      boxedText(ctx, text, box.x, box.y, {
        px: 15, bold: true, fg: "#ffffff", bg: FUTURE_COLORS.deadlock, border: "#5c0b06", padX: 7, h: box.h,
      });
      if (hover?.type === "deadlock" && hover.deadlock === d) {
        ctx.strokeStyle = THEME.highlight;
        ctx.lineWidth = 2;
        ctx.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2);
      }
    }
  },
  onMouseMove: ({ model, vp, layout, nowT, measure }, _box, x, y) => {
    if (layout.futuresH === 0 || y < layout.futuresY || y > layout.futuresY + layout.futuresH) return null;
    const inPlot = x >= layout.plotX && x <= layout.plotX + layout.plotW;
    if (y < layout.futuresY + HEADER_H) {
      // The label's own width is measured at its drawing font by the picker's `measure` scale.
      const m = (/** @type {string} */ text) => measure(text) * (15 / 14);
      for (const { d, box } of deadlockLabels(model, vp, layout, m)) {
        if (x >= box.x && x <= box.x + box.w) return { type: "deadlock", deadlock: d };
      }
    }
    if (inPlot) {
      for (const d of deadlocksInView(model, vp)) {
        if (Math.abs(layout.plotX + vp.toX(d.t) - x) <= TOLERANCE_PX) return { type: "deadlock", deadlock: d };
      }
    }
    const i = Math.floor((y - layout.futuresY - HEADER_H) / ROW_H);
    const { rows } = futureRows(model);
    if (y < layout.futuresY + HEADER_H || i < 0 || i >= rows.length) return null;
    const row = rows[i];
    if (row.kind === "future") return { type: "future", task: row.task };
    if (!inPlot) return null;
    const box = { y: layout.futuresY + HEADER_H + i * ROW_H + 5, h: ROW_H - 10 };
    const [t0, t1] = [vp.toT(x - layout.plotX - TOLERANCE_PX - 12), vp.toT(x - layout.plotX + TOLERANCE_PX + 12)];
    return rowHit(model.futures.waitsIn(row.thread, t0, t1), model.futures.callbacksIn(row.thread, t0, t1),
      vp, layout.plotX, box, nowT, x, y);
  },
  describe: (model, hit, nowT) => describeFutureHit(model, hit, nowT),
};

/**
 * @param {TimelineModel} model
 * @param {import("../core/pick.js").Hit} hit
 * @param {number} nowT
 */
function describeFutureHit(model, hit, nowT) {
  switch (hit.type) {
    case "future-wait":
      return describeWait(model, hit.wait, nowT);
    case "future-callback":
      return describeCallback(model, hit.callback);
    case "deadlock":
      return describeDeadlock(model, hit.deadlock);
    case "future":
      return describeFuture(model, hit.task, nowT);
    default:
      return null;
  }
}

/**
 * A row's label: "#2 · future" over its state and who waits on it, or a thread's name.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {FutureRow} row
 * @param {number} y
 * @param {Layout} layout
 */
function drawRowLabel(ctx, model, row, y, layout) {
  let first;
  let second;
  if (row.kind === "thread") {
    first = row.thread;
    second = "no lane: waits and callbacks";
  } else {
    const task = model.tasks.get(row.task);
    first = `#${row.task} · future`;
    second = futureState(task);
    const waits = openWaitersOf(model, row.task);
    if (waits.length > 0) second += ` · awaited by ${waits.join(", ")}`;
  }
  const w = layout.gutter - 16;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(14, "bold");
  ctx.fillStyle = THEME.text;
  ctx.fillText(fitText(ctx, first, w), 10, y + ROW_H * 0.3);
  ctx.font = font(12);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(fitText(ctx, second, w), 10, y + ROW_H * 0.74);
}

/**
 * Who waits on a task's future now (in replay: at the cursor, where the model is): "#1",
 * "MainThread".
 * @param {TimelineModel} model
 * @param {number} task
 */
function openWaitersOf(model, task) {
  return model.futures.openWaitsOn(task).map((w) => (w.task !== null ? `#${w.task}` : w.thread));
}

/**
 * A future's states along its row: pending (hatched, the queue's colour) from its submission,
 * running (blue) once a worker started it, then finished (a thin band in the colour of its
 * result or exception) or cancelled (grey, with a ✕ where it was).
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {number} id
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {{y: number, h: number}} box
 * @param {number} nowT
 * @param {boolean} hovered
 */
function drawFutureStates(ctx, model, id, vp, layout, box, nowT, hovered) {
  const task = model.tasks.get(id);
  if (!task || task.submittedT === null && task.startedT === null) return;
  const end = Math.max(nowT, task.finishedT ?? task.cancelledT ?? 0);
  const x = (/** @type {number} */ t) => layout.plotX + Math.max(-2, Math.min(vp.width + 2, vp.toX(t)));
  const pendingEnd = task.startedT ?? task.cancelledT ?? end;
  if (task.submittedT !== null && pendingEnd >= task.submittedT) {
    const x0 = x(task.submittedT);
    const w = Math.max(2, x(pendingEnd) - x0);
    ctx.fillStyle = "rgba(204,121,167,0.30)";
    ctx.fillRect(x0, box.y, w, box.h);
    hatch(ctx, x0, box.y, w, box.h, FUTURE_COLORS.pending, 6);
    spanText(ctx, "pending", x0, w, box, THEME.text);
  }
  if (task.startedT !== null) {
    const x0 = x(task.startedT);
    const w = Math.max(2, x(task.finishedT ?? end) - x0);
    ctx.fillStyle = STATE_COLORS.running;
    ctx.fillRect(x0, box.y, w, box.h);
    spanText(ctx, task.worker !== null ? `running on W${task.worker}` : "running", x0, w, box, "#ffffff");
  }
  if (task.finishedT !== null) {
    const x0 = x(task.finishedT);
    const w = Math.max(2, x(end) - x0);
    const color = task.ok ? STATE_COLORS.ok : STATE_COLORS.error;
    ctx.fillStyle = color;
    ctx.fillRect(x0, box.y + box.h / 3, w, box.h / 3);
    ctx.fillRect(x0, box.y, 3, box.h);
    if (!task.ok) hatch(ctx, x0, box.y, 3, box.h, "rgba(0,0,0,0.45)", 4);
    spanText(ctx, task.ok ? "result" : "exception", x0 + 3, w, box, color, true);
  } else if (task.cancelledT !== null) {
    const x0 = x(task.cancelledT);
    const w = Math.max(2, x(end) - x0);
    ctx.fillStyle = STATE_COLORS.cancelled;
    ctx.fillRect(x0, box.y + box.h / 2 - 1, w, 3);
    ctx.strokeStyle = STATE_COLORS.cancelled;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(x0 - 6, box.y);
    ctx.lineTo(x0 + 6, box.y + box.h);
    ctx.moveTo(x0 + 6, box.y);
    ctx.lineTo(x0 - 6, box.y + box.h);
    ctx.stroke();
    spanText(ctx, "cancelled", x0 + 8, w, box, STATE_COLORS.cancelled, true);
  }
  if (hovered) {
    const x0 = x(task.submittedT ?? /** @type {number} */ (task.startedT));
    ctx.strokeStyle = THEME.highlight;
    ctx.lineWidth = 2;
    ctx.strokeRect(x0 - 1, box.y - 1, x(end) - x0 + 2, box.h + 2);
  }
}

/**
 * A state's name inside its span when it fits (over a thin band: on a white ground above it).
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} x0
 * @param {number} w
 * @param {{y: number, h: number}} box
 * @param {string} color
 * @param {boolean} [boxed]
 */
function spanText(ctx, text, x0, w, box, color, boxed = false) {
  ctx.font = font(13, "bold");
  const tw = ctx.measureText(text).width;
  if (w < tw + 12) return;
  if (boxed) {
    boxedText(ctx, text, x0 + 4, box.y + 1, { px: 13, bold: true, fg: color, bg: "#ffffff", border: color, h: box.h - 2, padX: 4 });
    return;
  }
  ctx.fillStyle = color;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(text, x0 + 5, box.y + box.h / 2 + 1);
}
