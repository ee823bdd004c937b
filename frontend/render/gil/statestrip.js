// @ts-check
/**
 * Draws each worker's thread-state strip (v3): a thin band along the bottom of its lane,
 * coloured by what the thread was doing (holding the GIL, on CPU without it, waiting for it,
 * waiting on a lock, sleeping, in I/O), under the task bars so both read at once.
 *
 * Level of detail: the visible time line is cut into pixel columns and each column is drawn in
 * its dominant state (the one covering most of it), equal neighbours merged into one run; a
 * whole-column stretch of one state is one run without per-column work. So a strip costs at
 * most one rectangle per column, however many changes hide in a pixel. The tooltip names the
 * mix of a crowded column.
 */
import { DISPLAYED_STATES, STATE_LOOK_NS } from "../../model/gil/threadstates.js";
import { stateBox } from "../pools/lanebox.js";
import { THEME, THREAD_STATE_COLORS } from "../core/theme.js";
import { clipTo } from "../core/paint.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/gil/threadstates.js").ThreadStateFacts} ThreadStateFacts */
/** @typedef {import("../../model/gil/threadstates.js").WorkerStates} WorkerStates */
/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {{x0: number, x1: number, code: number}} StateRun  whole plot columns */

/** Colour of each displayed state code. */
export const CODE_COLORS = DISPLAYED_STATES.map((s) => THREAD_STATE_COLORS[s]);

/**
 * Where a worker's observation ends: its exit, else the run's end, else now.
 * @param {TimelineModel} model
 * @param {Lane | undefined} lane
 * @param {number} nowT
 */
export function stateEndT(model, lane, nowT) {
  return lane?.exitedT ?? model.endedT ?? nowT;
}

/**
 * A worker's strip columns, kept between frames (as the GIL lane's, see gil/lod.js): columns
 * left of where its states or its process's GIL last changed are as they were.
 * @typedef {{key: string, seenStates: number, seenGil: number, gil: object | null, endT: number,
 *   best: Int32Array}} StripMemo
 */

/** @type {WeakMap<WorkerStates, StripMemo>} */
const MEMO = new WeakMap();

/**
 * Runs of whole columns of one worker's strip in view, each in its column's dominant state.
 * @param {ThreadStateFacts} facts
 * @param {WorkerStates} ws
 * @param {Viewport} vp
 * @param {number} endT
 * @returns {StateRun[]}
 */
export function stateColumns(facts, ws, vp, endT) {
  const width = Math.max(1, Math.ceil(vp.width));
  const best = stripMemo(facts, ws, vp, width, endT).best;
  /** @type {StateRun[]} */
  const runs = [];
  for (let col = 0; col < width; col++) if (best[col] >= 0) pushRun(runs, col, col + 1, best[col]);
  return runs;
}

/**
 * The worker's columns for this view, redone from the first one that may have changed.
 * @param {ThreadStateFacts} facts
 * @param {WorkerStates} ws
 * @param {Viewport} vp
 * @param {number} width
 * @param {number} endT
 */
function stripMemo(facts, ws, vp, width, endT) {
  const key = `${vp.t0}|${vp.t1}|${width}`;
  const track = facts.trackOf(ws);
  let memo = MEMO.get(ws);
  let stable = -Infinity;
  if (memo && memo.key === key && memo.gil === track) {
    stable = ws.edits.changedSince(memo.seenStates);
    // A GIL change moves what is shown from a look before it (where a state change is placed).
    if (track) stable = Math.min(stable, track.edits.changedSince(memo.seenGil) - STATE_LOOK_NS);
    const last = ws.changes[ws.changes.length - 1];
    const lastGil = track?.changes[track.changes.length - 1];
    if (endT !== memo.endT) {
      // The newest pieces reach to endT.
      stable = Math.min(stable, (last?.t ?? -Infinity) - STATE_LOOK_NS, lastGil?.t ?? Infinity);
    }
  } else {
    memo = { key, seenStates: 0, seenGil: 0, gil: track, endT, best: new Int32Array(width).fill(-1) };
    MEMO.set(ws, memo);
  }
  memo.seenStates = ws.edits.count;
  memo.seenGil = track ? track.edits.count : 0;
  memo.gil = track;
  memo.endT = endT;
  const from = stable === Infinity ? width : Math.max(0, Math.min(width, Math.floor(vp.toX(stable))));
  if (from < width) redoColumns(facts, ws, vp, width, endT, memo.best, from);
  return memo;
}

/**
 * Work out columns [from, width) of a worker's strip into `best` (dominant code, -1 none).
 * @param {ThreadStateFacts} facts
 * @param {WorkerStates} ws
 * @param {Viewport} vp
 * @param {number} width
 * @param {number} endT
 * @param {Int32Array} best
 * @param {number} from
 */
function redoColumns(facts, ws, vp, width, endT, best, from) {
  best.fill(-1, from);
  const acc = new Float64Array(DISPLAYED_STATES.length);
  let col = -1;
  let any = false;
  const flush = () => {
    if (col >= from && col < width && any) {
      let top = 0;
      for (let c = 1; c < acc.length; c++) if (acc[c] > acc[top]) top = c;
      best[col] = top;
    }
    acc.fill(0);
    any = false;
  };
  facts.forEachPiece(ws, from === 0 ? vp.t0 : vp.toT(from), vp.t1, endT, (t0, t1, code) => {
    // Never before `from`: toX(toT(from)) may round to a hair below it.
    let p0 = Math.max(from, vp.toX(t0));
    const p1 = Math.min(width, vp.toX(t1));
    while (p0 < p1) {
      const c = Math.floor(p0);
      if (c !== col) {
        flush();
        col = c;
      }
      const end = Math.min(p1, c + 1);
      acc[code] += end - p0;
      any = true;
      p0 = end;
      // Whole columns inside one piece: one state, no per-column work.
      const full = Math.floor(p1);
      if (p0 === c + 1 && full > p0) {
        flush();
        col = -1;
        best.fill(code, p0, full);
        p0 = full;
      }
    }
  });
  flush();
}

/**
 * Append a run, merging with the previous one when it continues it in the same state.
 * @param {StateRun[]} runs
 * @param {number} x0
 * @param {number} x1
 * @param {number} code
 */
function pushRun(runs, x0, x1, code) {
  const last = runs[runs.length - 1];
  if (last && last.x1 === x0 && last.code === code) last.x1 = x1;
  else runs.push({ x0, x1, code });
}

/**
 * Draw every lane's thread-state strip; the hovered stretch gets an outline.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {{worker: number, from: number, to: number} | null} hover
 */
export function drawStateStrips(ctx, model, vp, layout, nowT, hover) {
  if (layout.stateH <= 0) return;
  const facts = model.threads;
  const lanes = model.lanes.list;
  clipTo(ctx, layout.plotX, layout.lanesY, layout.plotW, lanes.length * layout.laneH);
  for (let i = 0; i < lanes.length; i++) {
    const ws = facts.workers.get(lanes[i].worker);
    if (!ws) continue;
    const box = stateBox(layout, layout.lanesY + i * layout.laneH);
    const runs = stateColumns(facts, ws, vp, stateEndT(model, lanes[i], nowT));
    // One path per colour: a zoomed-out strip can be a run per column, and changing the fill
    // style for each of them costs more than the rectangles themselves.
    for (let code = 0; code < CODE_COLORS.length; code++) {
      let any = false;
      ctx.beginPath();
      for (const r of runs) {
        if (r.code !== code) continue;
        ctx.rect(layout.plotX + r.x0, box.y, r.x1 - r.x0, box.h);
        any = true;
      }
      if (!any) continue;
      ctx.fillStyle = CODE_COLORS[code];
      ctx.fill();
    }
    if (hover && hover.worker === ws.worker) {
      const x0 = Math.max(-2, vp.toX(hover.from));
      const x1 = Math.min(layout.plotW + 2, vp.toX(hover.to));
      ctx.strokeStyle = THEME.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(layout.plotX + x0 - 1, box.y - 1, Math.max(2, x1 - x0) + 2, box.h + 2);
    }
  }
  ctx.restore();
}
