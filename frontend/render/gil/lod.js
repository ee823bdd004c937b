// @ts-check
/**
 * Level of detail for a GIL lane: thousands of hand-offs per second must not mean thousands of
 * rectangles per frame. The visible time line is cut into pixel columns:
 * - a column with at most one change is drawn in its dominant state (the holder, nobody, or
 *   unknown that covers most of it), and equal neighbours merge into one run, so a lane costs
 *   one rectangle per visible holder span, never more than one per column;
 * - a column with two or more changes is "mixed": every holder seen in it gets a slice of the
 *   column's height in proportion to its time there, so a pixel that hides fifty hand-offs
 *   still shows who shared the GIL and how evenly. The slice order flips every few columns,
 *   which makes a woven texture that reads as "many switches" rather than as two solid lanes.
 * Cost: O(changes in view + columns) for a new view; then, frame to frame, O(changes in the
 * columns that changed + columns) (see ColumnMemo).
 */
import { forEachSegment } from "../../model/gil/holders.js";
import { lowerBound, upperBound } from "../../model/core/sorted.js";

/** @typedef {import("../../model/gil/holders.js").GilTrack} GilTrack */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/**
 * @typedef {"held" | "free" | "unknown" | "gap"} GilKind  gap: an unknown window of a late sample
 * @typedef {{x0: number, x1: number, kind: GilKind, key: string | null}} GilRun  whole columns
 * @typedef {{kind: GilKind, key: string | null, frac: number}} GilPart
 * @typedef {{x: number, changes: number, parts: GilPart[]}} GilMixed  one column
 * @typedef {{runs: GilRun[], mixed: GilMixed[]}} GilColumns
 */

/** A column with this many changes in it is drawn mixed. */
export const MIXED_CHANGES = 2;
/** Mixed columns flip their slice order every this many columns (the weave). */
export const WEAVE_PX = 3;

/** Codes of the states that are no holder (holders are 3 + their index, see GilChange.code). */
const UNKNOWN = 0;
const GAP = 1;
const FREE = 2;

/**
 * What one GIL track's columns hold, kept between frames: a column left of where the track last
 * changed (its EditLog) is as it was, so a frame redoes only the columns from there on (a
 * replay's scrub, a live run's newest events) instead of every change in view.
 * @typedef {object} ColumnMemo
 * @property {string} key        the view it was made for (t0, t1, width)
 * @property {number} seen       the track's edit count when it was made
 * @property {number} endT
 * @property {Int32Array} counts changes per column
 * @property {Int32Array} best   per column: its state code, -1 none (mixed columns: see parts)
 * @property {(GilPart[] | null)[]} parts  per mixed column, its slices
 */

/** @type {WeakMap<GilTrack, ColumnMemo>} */
const MEMO = new WeakMap();

/**
 * Columns of one GIL track in view, ready to draw.
 * @param {GilTrack} track
 * @param {Viewport} vp
 * @param {number} endT  where the newest holder's span ends
 * @returns {GilColumns}
 */
export function gilColumns(track, vp, endT) {
  const width = Math.max(1, Math.ceil(vp.width));
  const memo = columnMemo(track, vp, width, endT);
  /** @type {GilRun[]} */
  const runs = [];
  /** @type {GilMixed[]} */
  const mixed = [];
  const holders = track.holders;
  for (let col = 0; col < width; col++) {
    const parts = memo.parts[col];
    if (parts) mixed.push({ x: col, changes: memo.counts[col], parts });
    else if (memo.best[col] >= 0) pushRun(runs, col, col + 1, kindOf(memo.best[col]), keyOf(memo.best[col], holders));
  }
  return { runs, mixed };
}

/** @param {number} code @returns {GilKind} */
function kindOf(code) {
  return code === UNKNOWN ? "unknown" : code === GAP ? "gap" : code === FREE ? "free" : "held";
}

/**
 * @param {number} code
 * @param {string[]} holders
 */
function keyOf(code, holders) {
  return code >= 3 ? holders[code - 3] : null;
}

/**
 * The track's columns for this view, redone from the first column that may have changed.
 * @param {GilTrack} track
 * @param {Viewport} vp
 * @param {number} width
 * @param {number} endT
 * @returns {ColumnMemo}
 */
function columnMemo(track, vp, width, endT) {
  const key = `${vp.t0}|${vp.t1}|${width}`;
  let memo = MEMO.get(track);
  let stable = memo && memo.key === key ? track.edits.changedSince(memo.seen) : -Infinity;
  if (!memo || memo.key !== key) {
    memo = {
      key, seen: 0, endT, counts: new Int32Array(width + 2), best: new Int32Array(width).fill(-1),
      parts: new Array(width).fill(null),
    };
    MEMO.set(track, memo);
    track.edits.changedSince(0);
  }
  // The newest holder's span reaches to endT: it moved if endT did.
  const last = track.changes[track.changes.length - 1];
  if (endT !== memo.endT && last) stable = Math.min(stable, last.t);
  memo.seen = track.edits.count;
  memo.endT = endT;
  const from = stable === Infinity ? width : Math.max(0, Math.min(width, Math.floor(vp.toX(stable))));
  if (from < width) redoColumns(track, vp, width, endT, memo, from);
  return memo;
}

/**
 * Work out columns [from, width) of a track's view into `memo`.
 * @param {GilTrack} track
 * @param {Viewport} vp
 * @param {number} width
 * @param {number} endT
 * @param {ColumnMemo} memo
 * @param {number} from
 */
function redoColumns(track, vp, width, endT, memo, from) {
  const { counts, best, parts } = memo;
  counts.fill(0, from);
  best.fill(-1, from);
  parts.fill(null, from);
  const t0 = from === 0 ? vp.t0 : vp.toT(from);
  countChanges(track, vp, width, from, counts);
  // Pixels of each state in the current column, indexed by state code; `touched` lists the
  // codes in use so a flush costs the handful of states seen, not every holder of the run.
  const acc = new Float64Array(track.holders.length + 3);
  /** @type {number[]} */
  const touched = [];
  let col = -1;
  const changes = track.changes;
  const holders = track.holders;

  const flush = () => {
    if (col >= from && col < width && touched.length > 0) {
      if (counts[col] >= MIXED_CHANGES) {
        let total = 0;
        for (const code of touched) total += acc[code];
        const list = touched.map((code) => ({ kind: kindOf(code), key: keyOf(code, holders), frac: acc[code] / total }));
        list.sort(partOrder);
        parts[col] = list;
      } else {
        let top = touched[0];
        for (const code of touched) if (acc[code] > acc[top]) top = code;
        best[col] = top;
      }
    }
    for (const code of touched) acc[code] = 0;
    touched.length = 0;
  };

  forEachSegment(track, t0, vp.t1, endT, (s0, s1, kind, _key, i) => {
    const code = kind === "unknown" ? (changes[i].gap ? GAP : UNKNOWN) : changes[i].code;
    // Never before `from`: toX(toT(from)) may round to a hair below it.
    let p0 = Math.max(from, vp.toX(s0));
    const p1 = Math.min(width, vp.toX(s1));
    while (p0 < p1) {
      const c = Math.floor(p0);
      if (c !== col) {
        flush();
        col = c;
      }
      const end = Math.min(p1, c + 1);
      if (acc[code] === 0) touched.push(code);
      acc[code] += end - p0;
      p0 = end;
      // Whole columns in the middle of a long span: one state, no per-column work.
      const full = Math.floor(p1);
      if (p0 === c + 1 && full > p0 && counts[c + 1] < MIXED_CHANGES) {
        flush();
        col = -1;
        let stop = c + 1;
        while (stop < full && counts[stop] < MIXED_CHANGES) stop++;
        if (stop > c + 1) {
          best.fill(code, c + 1, stop);
          p0 = stop;
        }
      }
    }
  });
  flush();
}

/**
 * How many changes land in each pixel column from column `fromCol` on.
 * @param {GilTrack} track
 * @param {Viewport} vp
 * @param {number} width
 * @param {number} fromCol
 * @param {Int32Array} counts
 */
function countChanges(track, vp, width, fromCol, counts) {
  const changes = track.changes;
  const key = (/** @type {{t: number}} */ c) => c.t;
  // A column early, then only columns from fromCol on: time and pixel round differently.
  const from = lowerBound(changes, fromCol > 0 ? vp.toT(fromCol - 1) : vp.t0, key);
  const to = upperBound(changes, vp.t1, key);
  for (let i = from; i < to; i++) {
    const c = Math.floor(vp.toX(changes[i].t));
    if (c >= fromCol && c < width) counts[c]++;
  }
}

/**
 * Append a run of whole columns, merging with the previous one when it continues it.
 * @param {GilRun[]} runs
 * @param {number} x0
 * @param {number} x1
 * @param {GilKind} kind
 * @param {string | null} key
 */
function pushRun(runs, x0, x1, kind, key) {
  const last = runs[runs.length - 1];
  if (last && last.x1 === x0 && last.kind === kind && last.key === key) last.x1 = x1;
  else runs.push({ x0, x1, kind, key });
}

/**
 * Slices of a mixed column in a fixed order (workers by id, other threads, nobody, unknown),
 * so neighbouring columns line up into bands.
 * @param {GilPart} a
 * @param {GilPart} b
 */
function partOrder(a, b) {
  const rank = (/** @type {GilPart} */ p) =>
    p.kind === "held" ? (p.key?.startsWith("w") ? 0 : 1) : p.kind === "free" ? 2 : 3;
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  if (a.key && b.key && a.key.startsWith("w") && b.key.startsWith("w")) {
    return Number(a.key.slice(1)) - Number(b.key.slice(1));
  }
  return (a.key ?? "").localeCompare(b.key ?? "");
}
