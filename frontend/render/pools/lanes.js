// @ts-check
/**
 * Draws the worker lanes: label column, lifetime (greyed before spawn and after exit) and task
 * bars coloured by state, at the level of detail `laneSegments` chooses. For a process pool
 * (v2) also each chunk's item dividers, the worker's pickling blocks beside each bar, and the
 * process's memory strip along the lane's bottom.
 */
import { visibleWorkerShares } from "../../model/gil/shares.js";
import { exitLabel, itemAt, itemEndTimes, sampleAt } from "../../model/pools/processes.js";
import { isAsyncioRun, isProcessRun } from "../../model/core/selectors.js";
import { barEnd, laneSegments } from "./bars.js";
import { describeLane, describeMemory, describeTask } from "./describe.js";
import { capBox, capKind, drawExitCaps } from "./faults.js";
import { drawWorkerPickles } from "./lablane.js";
import { LANES_TARGET_H, MAX_LANE_H, MEM_H, MIN_LANE_H, STATE_H, STATE_H_SMALL, barBox, laneIndexAt, stateBox } from "./lanebox.js";
import { drawMemoryStrip } from "./memory.js";
import { describeThreadState } from "../gil/describestates.js";
import { font, STATE_COLORS, THEME, workerColor } from "../core/theme.js";
import { drawStateStrips, stateEndT } from "../gil/statestrip.js";
import { percent } from "../core/format.js";
import { clipTo, fitText, hatch } from "../core/paint.js";
import { TOLERANCE_PX } from "../core/pick.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
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
  clipTo(ctx, layout.plotX, layout.lanesY, layout.plotW, lanes.length * layout.laneH);
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
 * @param {import("../../model/core/lanes.js").Task} task
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
 * @param {import("../../model/core/lanes.js").Task} task
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

/**
 * The task whose bar covers plot pixel px of `lane`, else the nearest within the tolerance.
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} nowT
 * @returns {Task | null}
 */
export function taskAt(lane, vp, px, nowT) {
  const t = vp.toT(px);
  const tol = TOLERANCE_PX * vp.nsPerPx;
  const tasks = lane.tasks;
  /** @type {Task | null} */
  let best = null;
  let bestD = Infinity;
  // Bars do not overlap: only the few around t can be within the tolerance.
  const from = lane.firstEndingAfter(t - tol);
  for (let i = from; i < tasks.length; i++) {
    const task = tasks[i];
    const start = /** @type {number} */ (task.startedT);
    if (start > t + tol) break;
    const end = barEnd(task, nowT);
    const d = t < start ? start - t : t > end ? t - end : 0;
    if (d <= tol && d < bestD) {
      best = task;
      bestD = d;
    }
  }
  return best;
}

/**
 * The thread state shown at plot pixel px of a lane's strip, or null where none is known.
 * @param {TimelineModel} model
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} nowT
 * @returns {Hit | null}
 */
function stateHit(model, lane, vp, px, nowT) {
  const ws = model.threads.workers.get(lane.worker);
  if (!ws) return null;
  const t = vp.toT(px);
  const span = model.threads.spanAt(ws, t, stateEndT(model, lane, nowT));
  if (!span) return null;
  const c = Math.floor(px);
  return { type: "thread-state", lane, t, col: [vp.toT(c), vp.toT(c + 1)], span };
}

/**
 * The memory sample in force at plot pixel px of a process's strip (the lab's for lane null).
 * @param {TimelineModel} model
 * @param {Lane | null} lane
 * @param {Viewport} vp
 * @param {number} px
 * @param {number} endT
 * @returns {Hit | null}
 */
export function memoryHit(model, lane, vp, px, endT) {
  const t = vp.toT(px);
  const series = model.proc.series(lane ? lane.worker : null);
  if (!series || series.samples.length === 0 || t < series.samples[0].t || t > endT) return null;
  const sample = sampleAt(series, t);
  return sample ? { type: "memory", lane, t, sample } : null;
}

/** @typedef {import("../core/pick.js").Hit} Hit */
/** @typedef {import("../../model/core/lanes.js").Task} Task */

/**
 * The worker lanes: one per worker thread or process, with its task bars, its thread-state
 * strip (v3), its memory strip (v2) and its exit cap.
 * @type {import("../core/track.js").Track}
 */
export const workerLanesTrack = {
  id: "lanes",
  layoutOptions: (model) => ({
    // Threads share the lab's memory: strips only make sense once lanes are processes.
    memory: isProcessRun(model) && model.proc.memorySamples > 0,
    // Thread states the backend said it cannot read are not drawn at all (not guessed at).
    states: model.threads.workers.size > 0 && model.threads.unavailable === null,
  }),
  getHeight: (options, layout) => laneRows(options, layout.laneCount) * laneHeight(options, layout.laneCount),
  layoutFields: (box, options, layout) => {
    const laneH = laneHeight(options, layout.laneCount);
    return {
      lanesY: box.y,
      laneH,
      twoLineLabels: laneH >= 40,
      memH: options.memory && laneH >= 30 ? MEM_H : 0,
      stateH: options.states ? (laneH >= 36 ? STATE_H : laneH >= 28 ? STATE_H - 2 : STATE_H_SMALL) : 0,
    };
  },
  renderBackground: (ctx, { model, vp, layout, nowT }) => {
    // v3: with a GIL lane, worker labels carry their GIL colour and share of the visible range.
    const gilShares = model.gil.laneTracks().length > 0 ? visibleWorkerShares(model, vp, nowT) : null;
    drawLaneBackgrounds(ctx, model, vp, layout, nowT, gilShares);
  },
  render: (ctx, { model, vp, layout, nowT, hover }) => {
    drawLaneBars(ctx, model, vp, layout, nowT, hover?.type === "task" ? hover.task.id : null);
    drawStateStrips(ctx, model, vp, layout, nowT, hover?.type === "thread-state"
      ? { worker: hover.lane.worker, from: hover.span.from, to: hover.span.to } : null);
    drawExitCaps(ctx, model.lanes.list, vp, layout);
    if (model.lanes.list.length === 0 && !isAsyncioRun(model)) drawEmptyNote(ctx, model, layout);
  },
  onMouseMove: ({ model, vp, layout, nowT, capMeasure }, _box, x, y) => {
    const laneIndex = laneIndexAt(layout, y);
    if (laneIndex < 0 || laneIndex >= model.lanes.list.length) return null;
    const lane = model.lanes.list[laneIndex];
    if (x < layout.plotX) return { type: "lane", lane };
    if (x > layout.plotX + layout.plotW) return null;
    const laneY = layout.lanesY + laneIndex * layout.laneH;
    if (layout.stateH > 0) {
      const strip = stateBox(layout, laneY);
      if (y >= strip.y - 2 && y < strip.y + strip.h + 1) {
        const hit = stateHit(model, lane, vp, x - layout.plotX, nowT);
        if (hit) return hit;
      }
    }
    if (layout.memH > 0 && y >= laneY + layout.laneH - layout.memH - 2) {
      const hit = memoryHit(model, lane, vp, x - layout.plotX, lane.exitedT ?? nowT);
      if (hit) return hit;
    }
    const task = taskAt(lane, vp, x - layout.plotX, nowT);
    if (task) return { type: "task", task, lane, item: itemAt(task, vp.toT(x - layout.plotX)) };
    if (capKind(lane)) {
      const cap = capBox(lane, vp, layout, laneY, capMeasure);
      if (x >= Math.min(cap.x - TOLERANCE_PX, cap.box.x) && x <= Math.max(cap.x + TOLERANCE_PX, cap.box.x + cap.box.w)) {
        return { type: "lane", lane };
      }
    }
    return null;
  },
  // The strip's legend once a run has thread states; its stand-in, titled with the reason, when
  // /proc could not be read.
  legend: (model) => {
    const off = model.threads.unavailable?.message ?? null;
    return { threads: model.threads.events > 0 && off === null, "threads-off": off ?? false };
  },
  describe: (model, hit, nowT) => {
    switch (hit.type) {
      case "task":
        return describeTask(model, hit.task, nowT, hit.item ?? null);
      case "lane":
        return describeLane(hit.lane, model, nowT);
      case "thread-state":
        return describeThreadState(model, hit, nowT);
      case "memory":
        return describeMemory(model, hit.lane, hit.t, hit.sample);
      default:
        return null;
    }
  },
};

/**
 * How many lane rows are drawn. v4: an asyncio run has worker lanes only once it offloads work;
 * no empty lane before.
 * @param {import("../core/layout.js").LayoutOptions} options
 * @param {number} laneCount
 */
function laneRows(options, laneCount) {
  return Math.max(0, options.aio ?? 0) > 0 ? laneCount : Math.max(1, laneCount);
}

/**
 * @param {import("../core/layout.js").LayoutOptions} options
 * @param {number} laneCount
 */
function laneHeight(options, laneCount) {
  return Math.max(MIN_LANE_H, Math.min(MAX_LANE_H, Math.floor(LANES_TARGET_H / Math.max(1, laneRows(options, laneCount)))));
}

/**
 * The note in the first lane's place before any worker exists.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Layout} layout
 */
function drawEmptyNote(ctx, model, layout) {
  ctx.font = font(16);
  ctx.fillStyle = THEME.mutedText;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(
    model.runId ? "waiting for the first worker…" : "no run yet: pick a scenario and press Run",
    layout.plotX + 16,
    layout.lanesY + layout.laneH / 2,
  );
}
