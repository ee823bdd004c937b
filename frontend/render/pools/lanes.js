// @ts-check
/**
 * Draws the worker lanes: label column, lifetime (greyed before spawn and after exit) and task
 * bars coloured by state, at the level of detail `laneSegments` chooses. For a process pool
 * (v2) also each chunk's item dividers, the worker's pickling blocks beside each bar, and the
 * process's memory strip along the lane's bottom.
 */
import { exitLabel, itemEndTimes } from "../../model/processes.js";
import { laneSegments } from "./bars.js";
import { drawWorkerPickles } from "./lablane.js";
import { barBox } from "../core/layout.js";
import { drawMemoryStrip } from "./memory.js";
import { workerColor } from "../gil/palette.js";
import { percent } from "../gil/lane.js";
import { fitText, hatch } from "../core/paint.js";
import { STATE_COLORS, THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/lanes.js").Lane} Lane */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {import("./bars.js").Segment} Segment */

/** Item dividers are drawn only while items are at least this wide (CSS px) on average. */
export const ITEM_MIN_PX = 3;

/**
 * The lane's label: identity on the first line, thread name on the second.
 * @param {Lane} lane
 * @returns {[string, string]}
 */
export function laneLabel(lane) {
  const parts = [`W${lane.worker}`];
  if (lane.pool !== null) parts.push(`pool ${lane.pool}`);
  // A process worker's native id is its pid (v2); a thread's is its OS thread id.
  const isProcess = lane.executor === "processes";
  const osId = lane.pid ?? lane.nativeId;
  if (osId !== null) parts.push(`${isProcess ? "pid" : "tid"} ${osId}`);
  const second = [lane.name ?? "(not yet announced)"];
  if (lane.exitedT !== null) {
    second.push(lane.exitcode !== null && lane.exitcode !== 0 ? exitLabel(lane.exitcode) : "exited");
  } else if (isProcess && lane.readyT === null && lane.spawnedT !== null) {
    second.push("starting…");
  }
  return [parts.join(" · "), second.join(" · ")];
}

/**
 * Draw every lane's stripe, lifetime and label (under the grid).
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {Map<number, number> | null} [gilShares] v3: each worker's GIL share in view; when
 *   given (the run has a GIL lane), labels carry the worker's GIL colour swatch and its share
 */
export function drawLaneBackgrounds(ctx, model, vp, layout, nowT, gilShares = null) {
  const lanes = model.lanes.list;
  for (let i = 0; i < lanes.length; i++) {
    const y = layout.lanesY + i * layout.laneH;
    drawLaneBackground(ctx, lanes[i], i, y, vp, layout, nowT);
    drawLaneLabel(ctx, lanes[i], y, layout, gilShares);
  }
}

/**
 * Draw every lane's task bars (over the grid).
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {number | null} hoverTask id of the hovered task, outlined
 */
export function drawLaneBars(ctx, model, vp, layout, nowT, hoverTask) {
  const lanes = model.lanes.list;
  ctx.save();
  ctx.beginPath();
  ctx.rect(layout.plotX, layout.lanesY, layout.plotW, lanes.length * layout.laneH);
  ctx.clip();
  for (let i = 0; i < lanes.length; i++) {
    const y = layout.lanesY + i * layout.laneH;
    drawBars(ctx, laneSegments(lanes[i], vp, nowT), y, vp, layout, hoverTask);
    if (layout.memH > 0) {
      const series = model.proc.series(lanes[i].worker);
      const box = { x: layout.plotX, y: y + layout.laneH - layout.memH - 1, h: layout.memH };
      drawMemoryStrip(ctx, series, vp, box, model.proc.maxRss, lanes[i].exitedT ?? nowT);
    }
  }
  ctx.restore();
}

/**
 * Stripe, lifetime and separator of one lane.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Lane} lane
 * @param {number} index
 * @param {number} y
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 */
function drawLaneBackground(ctx, lane, index, y, vp, layout, nowT) {
  const { plotX, plotW, laneH } = layout;
  ctx.fillStyle = index % 2 ? THEME.laneOdd : THEME.laneEven;
  ctx.fillRect(0, y, layout.width, laneH);
  // Grey out where the worker did not exist: before its spawn and after its exit.
  const deadSpans = [];
  if (lane.spawnedT !== null && lane.spawnedT > vp.t0) deadSpans.push([vp.t0, lane.spawnedT]);
  if (lane.exitedT !== null) deadSpans.push([lane.exitedT, Math.max(vp.t1, nowT)]);
  for (const [a, b] of deadSpans) {
    const x0 = Math.max(0, vp.toX(a));
    const x1 = Math.min(plotW, vp.toX(b));
    if (x1 <= x0) continue;
    ctx.fillStyle = THEME.deadLane;
    ctx.fillRect(plotX + x0, y, x1 - x0, laneH);
    hatch(ctx, plotX + x0, y, x1 - x0, laneH, THEME.deadHatch, 10);
  }
  // A worker process starts before it can run anything (v2): show that start-up cost.
  if (lane.spawnedT !== null && lane.readyT !== null && lane.readyT > lane.spawnedT) {
    const x0 = Math.max(0, vp.toX(lane.spawnedT));
    const x1 = Math.min(plotW, vp.toX(lane.readyT));
    if (x1 > x0) {
      ctx.fillStyle = THEME.startingLane;
      ctx.fillRect(plotX + x0, y + 2, x1 - x0, laneH - 4);
      hatch(ctx, plotX + x0, y + 2, x1 - x0, laneH - 4, THEME.startingHatch, 6);
    }
  }
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, y + laneH - 1, layout.width, 1);
}

/**
 * Label column of one lane; exited workers are greyed.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Lane} lane
 * @param {number} y
 * @param {Layout} layout
 * @param {Map<number, number> | null} gilShares
 */
function drawLaneLabel(ctx, lane, y, layout, gilShares) {
  const [first, second] = laneLabel(lane);
  let x = 10;
  let firstW = layout.gutter - 16;
  let secondW = firstW;
  const share = gilShares?.get(lane.worker);
  if (share !== undefined) {
    // The worker's GIL colour, as its band on the GIL lane is drawn.
    const h = Math.min(layout.laneH - 8, 26);
    ctx.fillStyle = workerColor(lane.worker);
    ctx.fillRect(6, y + (layout.laneH - h) / 2, 10, h);
    x = 22;
    firstW -= 12;
    // "GIL 48 %" at the right of the gutter: the second line's end, or the only line's.
    const text = `GIL ${percent(share)}`;
    ctx.font = font(14, "bold");
    const w = ctx.measureText(text).width + 6;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillStyle = THEME.text;
    const shareY = layout.twoLineLabels ? y + layout.laneH * 0.72 : y + layout.laneH / 2 + 1;
    ctx.fillText(text, layout.gutter - 8, shareY);
    if (layout.twoLineLabels) secondW = firstW - w;
    else firstW -= w;
  }
  const color = lane.exitedT !== null ? THEME.mutedText : THEME.text;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillStyle = color;
  if (layout.twoLineLabels) {
    ctx.font = font(15, "bold");
    ctx.fillText(fitText(ctx, first, firstW), x, y + layout.laneH * 0.3);
    ctx.font = font(14);
    ctx.fillStyle = THEME.mutedText;
    ctx.fillText(fitText(ctx, second, secondW), x, y + layout.laneH * 0.72);
  } else {
    ctx.font = font(14, "bold");
    const text = lane.exitedT !== null ? `${first} · exited` : first;
    ctx.fillText(fitText(ctx, text, firstW), x, y + layout.laneH / 2 + 1);
  }
}

/**
 * Task bars of one lane.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Segment[]} segments
 * @param {number} y
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number | null} hoverTask
 */
function drawBars(ctx, segments, y, vp, layout, hoverTask) {
  const bar = barBox(layout, y);
  const barY = bar.y;
  const barH = bar.h;
  for (const seg of segments) {
    const x = layout.plotX + seg.x0;
    // One-task bars leave a 1 px gap at their end so back-to-back tasks stay countable.
    const w = seg.task ? Math.max(1, seg.x1 - seg.x0 - (seg.x1 - seg.x0 >= 4 ? 1 : 0)) : seg.x1 - seg.x0;
    ctx.fillStyle = STATE_COLORS[seg.state];
    ctx.fillRect(x, barY, Math.max(1, w), barH);
    if (seg.state === "error" && w >= 6) hatch(ctx, x, barY, w, barH, "rgba(0,0,0,0.45)", 6);
    if (seg.state === "broken" && w >= 4) {
      // Cross-hatched: lost with its worker process, not an exception of its own.
      hatch(ctx, x, barY, w, barH, "rgba(255,255,255,0.5)", 6);
      ctx.save();
      ctx.translate(2 * x + w, 0);
      ctx.scale(-1, 1);
      hatch(ctx, x, barY, w, barH, "rgba(255,255,255,0.5)", 6);
      ctx.restore();
    }
    if (seg.task && seg.task.chunk) drawItemDividers(ctx, seg.task, vp, layout, barY, barH, w);
    if (seg.task && seg.task.serialized.length > 0) {
      drawWorkerPickles(ctx, seg.task, vp, layout, { y: barY, h: barH });
    }
    if (seg.state === "running" && w >= 4) {
      // A bright leading edge marks the task as still going.
      ctx.fillStyle = "#56B4E9";
      ctx.fillRect(x + w - 3, barY, 3, barH);
    }
    if (seg.task && w >= 46 && barH >= 16) {
      ctx.font = font(14, "bold");
      ctx.fillStyle = "#ffffff";
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      const text = barText(seg.task, ctx, w - 8);
      ctx.fillText(fitText(ctx, text, w - 8), x + 5, barY + barH / 2 + 1);
    }
    if (seg.task && hoverTask !== null && seg.task.id === hoverTask) {
      ctx.strokeStyle = THEME.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, barY - 1, Math.max(2, w) + 2, barH + 2);
    }
  }
}

/**
 * A bar's label: "#3", or for a chunk "#3 · items 8–11" when that fits.
 * @param {import("../../model/lanes.js").Task} task
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} maxW
 */
function barText(task, ctx, maxW) {
  const id = `#${task.id}`;
  const c = task.chunk;
  if (!c || c.first === null || c.items < 2) return id;
  const long = `${id} · items ${c.first}–${c.first + c.items - 1}`;
  return ctx.measureText(long).width <= maxW ? long : id;
}

/**
 * Thin white lines where each item of a chunk ended (the last item's end is the bar's end);
 * skipped while the items would be narrower than ITEM_MIN_PX, where they would only blur.
 * @param {CanvasRenderingContext2D} ctx
 * @param {import("../../model/lanes.js").Task} task
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} barY
 * @param {number} barH
 * @param {number} w the bar's width
 */
function drawItemDividers(ctx, task, vp, layout, barY, barH, w) {
  const ends = itemEndTimes(task);
  if (ends.length < 2 || w / ends.length < ITEM_MIN_PX) return;
  ctx.fillStyle = "rgba(255,255,255,0.9)";
  for (let k = 0; k < ends.length - 1; k++) {
    const px = vp.toX(ends[k]);
    if (px < 0 || px > vp.width) continue;
    ctx.fillRect(Math.round(layout.plotX + px), barY + 2, 1, barH - 4);
  }
}
