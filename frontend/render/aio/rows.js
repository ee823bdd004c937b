// @ts-check
/**
 * The task rows of an asyncio run (v4): per task a life line from its creation to its end, its
 * steps solid in its colour, its waits between them lighter with what it awaits (hatched when
 * it waits for offloaded work), a tick at each yield point, a mark where it ended and a
 * call-out when it never yielded (ran to its end in one step that blocked the loop); and the
 * link from each offloading task to its pool task's bar on the worker lanes.
 *
 * Level of detail: steps and ticks narrower than a pixel are drawn one per pixel column; a wait
 * is drawn only where it is at least a pixel wide.
 */
import { byTime, upperBound } from "../../model/core/sorted.js";
import { drawBlocked, outlineStep } from "./loop.js";
import { aioGeometry, rowBarBox } from "./layout.js";
import { AIO_COLORS, font, taskColor, THEME } from "../core/theme.js";
import { formatDuration } from "../core/format.js";
import { barBox } from "../pools/lanebox.js";
import { clipTo, fitText, hatch } from "../core/paint.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioTask} AioTask */
/** @typedef {import("../../model/aio/loop.js").AioStep} AioStep */
/** @typedef {import("../../model/aio/loop.js").AioFacts} AioFacts */
/** @typedef {import("./layout.js").AioGeometry} AioGeometry */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {import("./section.js").AioHover} AioHover */

/**
 * One task's row: life line, waits, steps, yield ticks, end mark and call-outs.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {AioTask} task
 * @param {number} y
 * @param {number} rowH
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} endT
 * @param {AioHover | null} hover
 */
export function drawTaskRow(ctx, model, task, y, rowH, vp, layout, endT, hover) {
  const aio = model.aio;
  const box = rowBarBox(y, rowH);
  const px = layout.plotX;
  const color = taskColor(task.id);
  const steps = task.steps;
  const stop = task.done ? Math.min(task.done.t, endT) : endT;
  // Life line: the task exists from its creation to its end.
  const born = task.createdT ?? steps[0]?.t ?? null;
  if (born !== null) {
    const x0 = Math.max(-2, vp.toX(born));
    const x1 = Math.min(vp.width + 2, vp.toX(stop));
    if (x1 > x0) {
      ctx.fillStyle = AIO_COLORS.lifeline;
      ctx.fillRect(px + x0, Math.round(box.y + box.h / 2), x1 - x0, 1);
    }
  }
  const first = Math.max(0, upperBound(steps, vp.t0, byTime) - 1);
  // A step still blocking the loop (its own event comes when it ends): the wait before it
  // ends where it began.
  const open = aio.ongoing.get(task.id) ?? null;
  // Waits first, steps over them.
  ctx.font = font(13);
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  for (let i = first; i < steps.length && steps[i].t <= vp.t1; i++) {
    const s = steps[i];
    if (s.outcome !== "yield") continue;
    const w1t = steps[i + 1]?.t ?? (open && open.t >= s.end ? open.t : stop);
    const x0 = Math.max(-2, vp.toX(s.end));
    const x1 = Math.min(vp.width + 2, vp.toX(w1t));
    if (x1 - x0 < 1) continue;
    const hh = Math.max(6, Math.round(box.h * 0.5));
    const wy = box.y + (box.h - hh) / 2;
    const pool = aio.poolTaskOf(s);
    ctx.globalAlpha = 0.3;
    ctx.fillStyle = color;
    ctx.fillRect(px + x0, wy, x1 - x0, hh);
    ctx.globalAlpha = 1;
    if (pool !== null) hatch(ctx, px + x0, wy, x1 - x0, hh, color, 6);
    if (hover && hover.what === "wait" && hover.step === s) {
      ctx.strokeStyle = THEME.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(px + x0, wy - 1, x1 - x0, hh + 2);
    }
    const text = waitText(s, pool, model);
    if (x1 - x0 >= 50 && text) {
      const fitted = fitText(ctx, text, x1 - x0 - 10);
      if (fitted) {
        const tw = ctx.measureText(fitted).width;
        const tx = px + Math.max(x0, 0) + 5;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(tx - 2, box.y + box.h / 2 - 8, tw + 4, 16);
        ctx.fillStyle = THEME.text;
        ctx.fillText(fitted, tx, box.y + box.h / 2 + 1);
      }
    }
  }
  let lastCol = -1;
  let lastTick = -1;
  /** @type {number[]} canvas x of each plain tick: drawn as one path after the steps */
  const ticks = [];
  let hoveredTick = null;
  // Steps that touch or overlap (a busy row: one per pixel column) fill as one rectangle.
  /** @type {number | null} */
  let runA = null;
  let runB = 0;
  const flushRun = () => {
    if (runA === null) return;
    ctx.fillStyle = color;
    ctx.fillRect(px + runA, box.y, runB - runA, box.h);
    runA = null;
  };
  for (let i = first; i < steps.length && steps[i].t <= vp.t1; i++) {
    const s = steps[i];
    const x0 = vp.toX(s.t);
    const x1 = vp.toX(s.end);
    if (x1 >= -2) {
      const col = Math.floor(x0);
      if (x1 - x0 >= 1 || col !== lastCol) {
        lastCol = Math.floor(x1);
        const b = x0 + Math.max(2, x1 - x0);
        if (runA !== null && x0 <= runB + 0.5) runB = Math.max(runB, b);
        else {
          flushRun();
          runA = x0;
          runB = b;
        }
      }
      // The loop lane names the line; here a short label, inside the step only.
      if (aio.isSlow(s)) {
        flushRun();
        drawBlocked(ctx, vp, layout, s.t, s.end, box, `blocked the loop ${formatDuration(s.dur)}`, true);
      }
    }
    if (s.outcome === "yield") {
      const tc = Math.floor(x1);
      if (tc !== lastTick && x1 >= -4) {
        lastTick = tc;
        if (hover !== null && hover.what === "yield" && hover.step === s) hoveredTick = px + x1;
        else ticks.push(px + x1);
      }
    }
    if (hover && hover.what === "step" && hover.step === s) {
      flushRun();
      outlineStep(ctx, vp, layout, s, box, THEME.highlight);
    }
  }
  flushRun();
  drawTicks(ctx, ticks, y, box);
  if (hoveredTick !== null) drawTick(ctx, hoveredTick, y, box, true);
  if (open) {
    const end = Math.max(open.t + open.dur, endT);
    const x0 = vp.toX(open.t);
    const x1 = vp.toX(end);
    ctx.fillStyle = color;
    if (x1 > x0) ctx.fillRect(px + x0, box.y, Math.max(2, x1 - x0), box.h);
    drawBlocked(ctx, vp, layout, open.t, end, box, "blocking the loop", true);
  }
  if (task.done && task.done.t <= endT) drawEnd(ctx, vp, layout, task, box);
  drawNeverYielded(ctx, model, task, vp, layout, box);
}

/**
 * What a wait's bar says: what the task awaits, and the object or pool task it waits on.
 * @param {AioStep} s
 * @param {number | null} pool
 * @param {TimelineModel} model
 */
export function waitText(s, pool, model) {
  if (pool !== null) {
    const pt = model.tasks.get(pool);
    const on = pt && pt.worker !== null ? ` on W${pt.worker}` : "";
    return `${s.awaiting || `pool task #${pool}`}${on}`;
  }
  if (s.waitsOn && !s.awaiting.toLowerCase().includes(s.waitsOn.split(" ")[0].toLowerCase())) {
    return `${s.awaiting} · ${s.waitsOn}`;
  }
  return s.waitsOn ? `${s.awaiting} (${s.waitsOn})` : s.awaiting;
}

/**
 * Plain yield ticks. Ticks closer than a triangle's width merge into one band (a busy row has a
 * tick in every pixel column, and a path per tick cost more than the rest of the frame); each
 * keeps its stem.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number[]} xs canvas x of each tick, ascending
 * @param {number} y top of the row
 * @param {{y: number, h: number}} box
 */
function drawTicks(ctx, xs, y, box) {
  ctx.fillStyle = AIO_COLORS.tick;
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] - xs[j] < 8) j++;
    const a = xs[i];
    const b = xs[j];
    ctx.beginPath();
    ctx.moveTo(a - 4, y + 1);
    ctx.lineTo(b + 4, y + 1);
    ctx.lineTo(b, box.y + 1);
    if (b > a) ctx.lineTo(a, box.y + 1);
    ctx.closePath();
    ctx.fill();
    // Stems: 1.5 px wide, so ticks under 2 px apart make one solid block.
    for (let k = i; k <= j; ) {
      let m = k;
      while (m + 1 <= j && xs[m + 1] - xs[m] < 2) m++;
      const s0 = Math.round(xs[k]) - 0.5;
      ctx.fillRect(s0, box.y, Math.round(xs[m]) + 1 - s0, box.h);
      k = m + 1;
    }
    i = j + 1;
  }
}

/**
 * A yield tick: a small down-pointing triangle above the row's bar and a line down through it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x canvas x
 * @param {number} y top of the row
 * @param {{y: number, h: number}} box
 * @param {boolean} on hovered
 */
function drawTick(ctx, x, y, box, on) {
  const half = on ? 6 : 4;
  ctx.fillStyle = on ? AIO_COLORS.blocked : AIO_COLORS.tick;
  ctx.beginPath();
  ctx.moveTo(x - half, y + 1);
  ctx.lineTo(x + half, y + 1);
  ctx.lineTo(x, box.y + 1);
  ctx.closePath();
  ctx.fill();
  ctx.fillRect(Math.round(x) - (on ? 1 : 0.5), box.y, on ? 2.5 : 1.5, box.h);
}

/**
 * The end of a task: a bar in its outcome's colour and a symbol (✓ done, ✕ error, ⊘ cancelled).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {AioTask} task
 * @param {{y: number, h: number}} box
 */
function drawEnd(ctx, vp, layout, task, box) {
  const done = /** @type {NonNullable<AioTask["done"]>} */ (task.done);
  const x = vp.toX(done.t);
  if (x < -10 || x > vp.width + 2) return;
  const color = done.outcome === "done" ? AIO_COLORS.done : done.outcome === "error" ? AIO_COLORS.error : AIO_COLORS.cancelled;
  const px = layout.plotX + x;
  ctx.fillStyle = color;
  ctx.fillRect(px, box.y - 1, 3, box.h + 2);
  const symbol = done.outcome === "done" ? "✓" : done.outcome === "error" ? "✕" : "⊘";
  ctx.font = font(Math.min(15, box.h), "bold");
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(symbol, px + 5, box.y + box.h / 2 + 1);
  if (done.outcome !== "done") {
    const text = done.outcome === "error" ? `raised ${done.error ?? ""}` : "cancelled";
    ctx.font = font(13, "bold");
    ctx.fillText(fitText(ctx, text, Math.max(0, layout.plotX + layout.plotW - px - 26)), px + 20, box.y + box.h / 2 + 1);
  }
}

/**
 * A task that ran to its end in one step that blocked the loop: say so on its row in red, as
 * the lab's warning does. A quick one-step task gets no call-out: it held up nobody.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {AioTask} task
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {{y: number, h: number}} box
 */
function drawNeverYielded(ctx, model, task, vp, layout, box) {
  if (!model.aio.neverYielded(task)) return;
  const s = task.steps[0];
  const text = `never yielded: held the loop ${formatDuration(s.dur)} in one step`;
  const end = s.end;
  // Beside the step's end, while that is in view (not pinned to the edge, far from it).
  if (vp.toX(end) < 0) return;
  const x = vp.toX(end) + 24;
  if (x > vp.width - 40) return;
  ctx.font = font(13, "bold");
  const label = fitText(ctx, text, layout.plotW - x - 12);
  if (!label) return;
  const w = ctx.measureText(label).width + 10;
  const lx = layout.plotX + x;
  const ly = box.y + box.h / 2 - 9;
  ctx.fillStyle = AIO_COLORS.blocked;
  ctx.fillRect(lx, ly, w, 18);
  ctx.fillStyle = "#ffffff";
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(label, lx + 5, ly + 10);
}

/**
 * Links from each task's wait for offloaded work to the pool task on its worker lane: an arrow
 * down in the task's colour where the pool task started, and its bar outlined in that colour.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {AioGeometry} g
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 */
export function drawOffloadLinks(ctx, model, g, vp, layout, nowT) {
  if (model.aio.offloads.size === 0) return;
  clipTo(ctx, layout.plotX, g.y, layout.plotW, layout.lanesY + layout.laneCount * layout.laneH - g.y);
  const rowOf = new Map(g.tasks.map((t, i) => [t.id, i]));
  for (const [poolTask, o] of model.aio.offloads) {
    const pt = model.tasks.get(poolTask);
    if (!pt || pt.startedT === null || pt.worker === null || o.task === null) continue;
    const laneIndex = model.lanes.list.findIndex((l) => l.worker === pt.worker);
    if (laneIndex < 0) continue;
    const color = taskColor(o.task);
    const bar = barBox(layout, layout.lanesY + laneIndex * layout.laneH);
    const x0 = layout.plotX + vp.toX(pt.startedT);
    const x1 = layout.plotX + vp.toX(pt.finishedT ?? nowT);
    ctx.strokeStyle = color;
    ctx.lineWidth = 3;
    ctx.strokeRect(x0 - 1.5, bar.y - 1.5, Math.max(2, x1 - x0) + 3, bar.h + 3);
    const row = rowOf.get(o.task);
    if (row === undefined) continue;
    const box = rowBarBox(g.rowsY + row * g.rowH, g.rowH);
    const fromY = box.y + box.h / 2;
    const toY = bar.y - 3;
    ctx.setLineDash([5, 3]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x0, fromY);
    ctx.lineTo(x0, toY - 6);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(x0 - 5, toY - 8);
    ctx.lineTo(x0 + 5, toY - 8);
    ctx.lineTo(x0, toY);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/**
 * Where a yield tick is drawn, in canvas CSS pixels (for hit-testing and tests): the end of
 * step `stepIndex` of task `taskId`, halfway down its row's bar; null when it has no row or
 * is not a yield.
 * @param {TimelineModel} model
 * @param {Layout} layout
 * @param {Viewport} vp
 * @param {number} taskId
 * @param {number} stepIndex
 */
export function yieldTickPoint(model, layout, vp, taskId, stepIndex) {
  const g = aioGeometry(model, layout.aioY);
  const row = g.tasks.findIndex((t) => t.id === taskId);
  const step = model.aio.tasks.get(taskId)?.steps[stepIndex];
  if (row < 0 || !step || step.outcome !== "yield") return null;
  const box = rowBarBox(g.rowsY + row * g.rowH, g.rowH);
  return { x: layout.plotX + vp.toX(step.end), y: box.y + box.h / 2 };
}
