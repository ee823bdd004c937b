// @ts-check
/**
 * The GIL (schema v3): per interpreter (process id), who held its GIL when, as the sampler saw
 * it, and each holder's share of the time.
 *
 * What a `gil` event says: from `t` on the holder is nobody (held=false), pool worker `worker`,
 * or the non-pool thread `thread`; the change itself happened somewhere in (t - window_ns, t].
 * So the time line of one process splits into:
 *   [t_i, t_{i+1} - w_{i+1})   certainly held by change i's holder ("held" or "free")
 *   [t_{i+1} - w_{i+1}, t_{i+1})  "unknown": the hand-off happened in there; never guessed
 * Before the first change (minus its window) nothing is known and nothing is drawn or counted.
 *
 * Shares: a holder's share is its certain time divided by the *known* time (held by anyone or
 * free), so uncertainty windows are left out of the denominator and reported on their own
 * ("unknown" time). Free time stays in: a hashlib run whose workers release the GIL shows small
 * shares and a large free part, which is the lesson.
 *
 * Rules it keeps: changes are kept sorted by time; whole-run totals are kept incrementally
 * while events arrive in order (the common case) and recomputed once after an out-of-order one.
 */
import { EditLog } from "../core/editlog.js";
import { byTime, insertSorted, upperBound } from "../core/sorted.js";

/**
 * @typedef {object} GilChange
 * @property {number} t
 * @property {number} seq
 * @property {boolean} held
 * @property {number | null} worker   a pool worker with a lane
 * @property {string | null} thread   a non-pool thread's name (or the worker's, when known)
 * @property {number} windowNs
 * @property {number} switches        GIL switches since the previous change (>1: some unseen)
 * @property {boolean} gap            the sampler was late: a long window
 * @property {string | null} key      holder key (see holderKey); null when nobody holds it
 * @property {number} code            small integer for the holder: 2 nobody, 3 + index in
 *   the track's `holders` (0 and 1 are left for unknown windows), so views can count in arrays
 */
/**
 * @typedef {object} GilSamplerInfo
 * @property {number} t
 * @property {number} pid
 * @property {boolean} available
 * @property {number} periodNs
 * @property {string | null} reason
 * @property {boolean} realtime
 */
/**
 * @typedef {object} GilStats
 * @property {Map<string, number>} held  ns of certain holding per holder key
 * @property {number} free     ns certainly held by nobody
 * @property {number} unknown  ns inside uncertainty windows (not in the denominator)
 * @property {number} known    held + free: the denominator of every share
 * @property {number} switches GIL switches counted by changes in the range
 * @property {number} changes  changes seen in the range
 */

/**
 * The key of a holder: "w<id>" for a pool worker, "t:<name>" for another thread, null for none.
 * @param {{held: boolean, worker: number | null, thread: string | null}} c
 * @returns {string | null}
 */
export function holderKey(c) {
  if (!c.held) return null;
  if (c.worker !== null && c.worker !== undefined) return `w${c.worker}`;
  return `t:${c.thread ?? "another thread"}`;
}

/**
 * A holder key in the user's words: "W2", "MainThread", "nobody".
 * @param {string | null} key
 */
export function holderName(key) {
  if (key === null) return "nobody";
  return key.startsWith("w") ? `W${key.slice(1)}` : key.slice(2);
}

/**
 * The worker id in a holder key, or null for a non-pool thread or nobody.
 * @param {string | null} key
 */
export function holderWorker(key) {
  return key !== null && key.startsWith("w") ? Number(key.slice(1)) : null;
}

/** One interpreter's GIL: its sampler and the holder changes it saw. */
export class GilTrack {
  /** @param {number} pid */
  constructor(pid) {
    this.pid = pid;
    /** @type {GilSamplerInfo | null} */
    this.sampler = null;
    /** @type {GilChange[]} by time */
    this.changes = [];
    /** Sum of `switches` over all changes. */
    this.switches = 0;
    /** Changes whose sampler was late. */
    this.gaps = 0;
    /** Longest uncertainty window, so a view knows how far back one may reach. */
    this.longestWindow = 0;
    /** @type {string[]} holder keys in order of first appearance (see GilChange.code) */
    this.holders = [];
    /** @type {Map<string, number>} */
    this._codes = new Map();
    /** @type {number[]} per holder (as `holders`), the index of the change it first held at */
    this._holderFirst = [];
    /** @type {number[]} per change, the longest window up to it: what a step back restores */
    this._longest = [];
    /** Where the time line last changed, for views that keep columns between frames. */
    this.edits = new EditLog();
    /** @type {Checkpoint[]} totals up to every CHECKPOINT_EVERY-th change (see statsBetween) */
    this._ck = [];
    /** @type {GilStats} totals of the intervals closed by a later change */
    this._closed = emptyStats();
    this._dirty = false;
    /** @type {{a: number, b: number, endT: number, n: number, stats: GilStats} | null} */
    this._memo = null;
  }

  /** @param {GilChange} c */
  add(c) {
    if (c.key === null) c.code = 2;
    else {
      let code = this._codes.get(c.key);
      if (code === undefined) {
        code = 3 + this.holders.length;
        this.holders.push(c.key);
        this._holderFirst.push(this.changes.length);
        this._codes.set(c.key, code);
      }
      c.code = code;
    }
    const at = insertSorted(this.changes, c, byTime);
    // The span before it now ends here (its own window reaches back no further than that).
    this.edits.edit(at > 0 ? this.changes[at - 1].t : c.t - c.windowNs);
    this.switches += c.switches;
    if (c.gap) this.gaps++;
    if (c.windowNs > this.longestWindow) this.longestWindow = c.windowNs;
    this._longest.push(this.longestWindow);
    if (this._dirty || at !== this.changes.length - 1) {
      this._dirty = true;
      return;
    }
    // In order: the new change closes the previous interval (or opens the first window).
    const prev = at > 0 ? this.changes[at - 1] : null;
    addInterval(this._closed, prev, c);
    this._closed.switches += c.switches;
    this._closed.changes++;
    if (at % CHECKPOINT_EVERY === 0) this._ck.push(this._checkpoint());
  }

  /** The closed totals as a checkpoint (holders by code). @returns {Checkpoint} */
  _checkpoint() {
    const held = new Float64Array(this.holders.length);
    for (let k = 0; k < held.length; k++) held[k] = this._closed.held.get(this.holders[k]) ?? 0;
    return { held, free: this._closed.free, unknown: this._closed.unknown, switches: this._closed.switches };
  }

  /** Work out the closed totals and the checkpoints again from every change (after an out-of-order one). */
  _rebuild() {
    this._closed = emptyStats();
    this._ck = [];
    for (let i = 0; i < this.changes.length; i++) {
      addInterval(this._closed, i > 0 ? this.changes[i - 1] : null, this.changes[i]);
      this._closed.switches += this.changes[i].switches;
      this._closed.changes++;
      if (i % CHECKPOINT_EVERY === 0) this._ck.push(this._checkpoint());
    }
    this._dirty = false;
  }

  /**
   * Take back the newest change (a replay stepping back; changes were added in time order).
   * @returns {GilChange | null} the change taken back
   */
  undo() {
    const c = this.changes.pop();
    if (!c) return null;
    this._longest.pop();
    this.longestWindow = this._longest.at(-1) ?? 0;
    this.edits.edit(this.changes.length > 0 ? this.changes[this.changes.length - 1].t : -Infinity);
    this.switches -= c.switches;
    if (c.gap) this.gaps--;
    const n = this.changes.length;
    if (this._holderFirst.at(-1) === n) {
      this._holderFirst.pop();
      this._codes.delete(/** @type {string} */ (this.holders.pop()));
    }
    this._memo = null;
    if (!this._dirty) {
      addInterval(this._closed, n > 0 ? this.changes[n - 1] : null, c, -1);
      this._closed.switches -= c.switches;
      this._closed.changes--;
      this._ck.length = Math.ceil(n / CHECKPOINT_EVERY);
    }
    return c;
  }

  /**
   * Time per holder over the whole run up to `endT` (the open last interval reaches endT).
   * @param {number} endT
   * @returns {GilStats}
   */
  totals(endT) {
    if (this._dirty) this._rebuild();
    const out = copyStats(this._closed);
    const last = this.changes.at(-1);
    if (last && endT > last.t) addSpan(out, last.key, endT - last.t);
    return out;
  }

  /**
   * Time per holder in [a, b], the last interval reaching `endT` at most.
   * @param {number} a
   * @param {number} b
   * @param {number} endT
   * @returns {GilStats}
   */
  statsBetween(a, b, endT) {
    // One frame asks the same question for the row's label and the worker labels: answer once.
    const memo = this._memo;
    if (memo && memo.a === a && memo.b === b && memo.endT === endT && memo.n === this.changes.length && !this._dirty) {
      return memo.stats;
    }
    if (this._dirty) this._rebuild();
    // Totals up to b less totals up to a: a checkpoint and at most CHECKPOINT_EVERY changes
    // each, however many changes lie between (a whole run in view).
    const hi = this._upTo(b, endT);
    const lo = this._upTo(Math.min(a, b), endT);
    const out = emptyStats();
    for (let k = 0; k < hi.held.length; k++) addSpan(out, this.holders[k], hi.held[k] - (lo.held[k] ?? 0));
    addSpan(out, null, hi.free - lo.free);
    out.unknown = hi.unknown - lo.unknown;
    out.switches = hi.switches - lo.switches;
    out.changes = hi.changes - lo.changes;
    this._memo = { a, b, endT, n: this.changes.length, stats: out };
    return out;
  }

  /**
   * Totals of the time line up to x (every piece forEachSegment gives before x), holders by
   * code, with the switches and changes at or before x.
   * @param {number} x
   * @param {number} endT
   * @returns {Checkpoint & {changes: number}}
   */
  _upTo(x, endT) {
    const changes = this.changes;
    const acc = { held: new Float64Array(this.holders.length), free: 0, unknown: 0, switches: 0, changes: 0 };
    if (changes.length === 0) return acc;
    const j = upperBound(changes, x, byTime) - 1;
    if (j < 0) {
      // Before the first change: only its window, which is unknown.
      acc.unknown = Math.max(0, x - (changes[0].t - changes[0].windowNs));
      return acc;
    }
    const k = Math.floor(j / CHECKPOINT_EVERY);
    const ck = this._ck[k];
    acc.held.set(ck.held);
    acc.free = ck.free;
    acc.unknown = ck.unknown;
    acc.switches = ck.switches;
    for (let i = k * CHECKPOINT_EVERY + 1; i <= j; i++) {
      const prev = changes[i - 1];
      const next = changes[i];
      const u = Math.max(prev.t, next.t - next.windowNs);
      addCoded(acc, prev, u - prev.t);
      acc.unknown += next.t - u;
      acc.switches += next.switches;
    }
    acc.changes = j + 1;
    // The piece after change j, up to x.
    const c = changes[j];
    const next = changes[j + 1];
    if (next) {
      const u = Math.max(c.t, next.t - next.windowNs);
      addCoded(acc, c, Math.min(x, u) - c.t);
      if (x > u) acc.unknown += x - u;
    } else {
      addCoded(acc, c, Math.min(x, Math.max(c.t, endT)) - c.t);
    }
    return acc;
  }

  /**
   * Time per holder in [a, b] by walking every piece: what statsBetween answers, the slow way
   * (tests compare the two).
   * @param {number} a
   * @param {number} b
   * @param {number} endT
   * @returns {GilStats}
   */
  scanStats(a, b, endT) {
    const out = emptyStats();
    forEachSegment(this, a, b, endT, (x0, x1, kind, key) => {
      if (kind === "unknown") out.unknown += x1 - x0;
      else addSpan(out, key, x1 - x0);
    });
    const changes = this.changes;
    for (let i = upperBound(changes, a, byTime); i < changes.length && changes[i].t <= b; i++) {
      out.switches += changes[i].switches;
      out.changes++;
    }
    return out;
  }

  /**
   * Index of the change in force at t (the newest at or before t), or -1 before the first.
   * @param {number} t
   */
  indexAt(t) {
    return upperBound(this.changes, t, byTime) - 1;
  }
}

/** All GIL tracks of a run, fed by the timeline model's dispatcher. */
export class GilFacts {
  constructor() {
    /** @type {Map<number, GilTrack>} by pid */
    this.tracks = new Map();
    /** Sum of switches over every process. */
    this.switches = 0;
    /** gil events received. */
    this.events = 0;
  }

  /** @param {number} pid */
  track(pid) {
    let track = this.tracks.get(pid);
    if (!track) {
      track = new GilTrack(pid);
      this.tracks.set(pid, track);
    }
    return track;
  }

  /** @param {{t: number, pid: number, available: boolean, period_ns: number, reason: string | null, realtime: boolean}} ev */
  samplerStarted(ev) {
    this.track(ev.pid).sampler = {
      t: ev.t, pid: ev.pid, available: Boolean(ev.available), periodNs: ev.period_ns,
      reason: ev.reason ?? null, realtime: Boolean(ev.realtime),
    };
  }

  /**
   * Take back a sampler's announcement (a replay stepping back to before it).
   * @param {{pid: number}} ev
   */
  undoSamplerStarted(ev) {
    const track = this.tracks.get(ev.pid);
    if (!track) return;
    track.sampler = null;
    if (track.changes.length === 0) this.tracks.delete(ev.pid);
  }

  /**
   * Take back the newest change of a process (a replay stepping back).
   * @param {{pid: number}} ev
   * @returns {GilChange | null}
   */
  undoChange(ev) {
    const track = this.tracks.get(ev.pid);
    const c = track ? track.undo() : null;
    if (!track || !c) return null;
    this.switches -= c.switches;
    this.events--;
    if (track.changes.length === 0 && track.sampler === null) this.tracks.delete(ev.pid);
    return c;
  }

  /** @param {{t: number, seq: number, pid: number, held: boolean, worker: number | null, thread: string | null, window_ns: number, switches: number, gap: boolean}} ev */
  change(ev) {
    const c = {
      t: ev.t, seq: ev.seq, held: Boolean(ev.held), worker: ev.worker ?? null,
      thread: ev.thread ?? null, windowNs: Math.max(0, ev.window_ns ?? 0),
      switches: ev.switches ?? 0, gap: Boolean(ev.gap), key: /** @type {string | null} */ (null),
      code: 2,
    };
    c.key = holderKey(c);
    this.track(ev.pid).add(c);
    this.switches += c.switches;
    this.events++;
  }

  /**
   * Tracks that get a GIL lane: a sampler that is available, or changes seen before its
   * announcement arrived (an unavailable sampler sends none).
   * @returns {GilTrack[]}
   */
  laneTracks() {
    return [...this.tracks.values()].filter((t) => t.sampler ? t.sampler.available : t.changes.length > 0);
  }

  /** Samplers that could not run, with their reasons. @returns {GilSamplerInfo[]} */
  unavailable() {
    const out = [];
    for (const t of this.tracks.values()) if (t.sampler && !t.sampler.available) out.push(t.sampler);
    return out;
  }
}

/** Changes between two checkpoints of a track's totals. */
const CHECKPOINT_EVERY = 256;

/**
 * A track's closed totals up to one change: held time by holder code (index code - 3), free,
 * unknown, switches.
 * @typedef {{held: Float64Array, free: number, unknown: number, switches: number}} Checkpoint
 */

/**
 * Add `ns` of a change's holder (by code) or of nobody.
 * @param {{held: Float64Array, free: number}} acc
 * @param {GilChange} c
 * @param {number} ns
 */
function addCoded(acc, c, ns) {
  if (ns <= 0) return;
  if (c.key === null) acc.free += ns;
  else acc.held[c.code - 3] += ns;
}

/** @returns {GilStats} */
function emptyStats() {
  return { held: new Map(), free: 0, unknown: 0, known: 0, switches: 0, changes: 0 };
}

/** @param {GilStats} s */
function copyStats(s) {
  return { ...s, held: new Map(s.held) };
}

/**
 * Add `ns` of holding by `key` (sign -1: take it back; a holder left with none is dropped, as
 * if it had never been counted).
 * @param {GilStats} s
 * @param {string | null} key
 * @param {number} ns
 * @param {1 | -1} [sign]
 */
function addSpan(s, key, ns, sign = 1) {
  if (ns <= 0) return;
  const d = sign * ns;
  if (key === null) s.free += d;
  else {
    const held = (s.held.get(key) ?? 0) + d;
    if (held > 0) s.held.set(key, held);
    else s.held.delete(key);
  }
  s.known += d;
}

/**
 * Add the interval a change closes: prev's certain span and the new change's window (sign -1:
 * take it back).
 * @param {GilStats} s
 * @param {GilChange | null} prev
 * @param {GilChange} next
 * @param {1 | -1} [sign]
 */
function addInterval(s, prev, next, sign = 1) {
  const u = prev ? Math.max(prev.t, next.t - next.windowNs) : next.t - next.windowNs;
  if (prev) addSpan(s, prev.key, u - prev.t, sign);
  s.unknown += sign * (next.t - u);
}

/**
 * Call fn for each piece of the track's time line inside [a, b], in time order: "held" or
 * "free" spans of a holder and "unknown" windows (key: the holder before the change).
 * @param {GilTrack} track
 * @param {number} a
 * @param {number} b
 * @param {number} endT  the last holder's span ends here (the run's current time or its end)
 * @param {(x0: number, x1: number, kind: "held" | "free" | "unknown", key: string | null, i: number) => void} fn
 *   i: index of the change the span belongs to (for "unknown": the change it leads to)
 */
export function forEachSegment(track, a, b, endT, fn) {
  const changes = track.changes;
  const n = changes.length;
  if (n === 0 || b <= a) return;
  // The first change at or after a may have a window reaching back before a.
  let i = Math.max(0, upperBound(changes, a, byTime) - 1);
  if (i === 0) {
    const w0 = changes[0].t - changes[0].windowNs;
    emit(w0, changes[0].t, "unknown", null, 0);
  }
  for (; i < n; i++) {
    const c = changes[i];
    if (c.t > b) break;
    const next = i + 1 < n ? changes[i + 1] : null;
    const u = next ? Math.max(c.t, next.t - next.windowNs) : Math.max(c.t, endT);
    emit(c.t, u, c.key === null ? "free" : "held", c.key, i);
    if (next) emit(u, next.t, "unknown", c.key, i + 1);
  }

  /**
   * @param {number} x0
   * @param {number} x1
   * @param {"held" | "free" | "unknown"} kind
   * @param {string | null} key
   * @param {number} idx
   */
  function emit(x0, x1, kind, key, idx) {
    const lo = Math.max(a, x0);
    const hi = Math.min(b, x1);
    if (hi > lo) fn(lo, hi, kind, key, idx);
  }
}

/**
 * Shares of the known time per holder key, largest first.
 * @param {GilStats} s
 * @returns {{key: string, share: number, ns: number}[]}
 */
export function sharesOf(s) {
  const out = [];
  for (const [key, ns] of s.held) out.push({ key, ns, share: s.known > 0 ? ns / s.known : 0 });
  out.sort((x, y) => y.ns - x.ns);
  return out;
}

/**
 * @typedef {object} GilSummary
 * @property {number} lanes       interpreters with a GIL lane
 * @property {number} switches    GIL switches counted in all of them
 * @property {Record<string, number>} shares  worker id or thread name -> share of the known time
 * @property {number} free        share of the known time nobody held it (lanes pooled)
 * @property {number} unknown     share of the sampled time inside uncertainty windows
 * @property {string[]} unavailable  "pid N: reason" of each sampler that could not run
 */

/**
 * Whole-run GIL figures for the summary and the page's data attributes. Keys are a worker's id
 * ("0") or a thread's name ("MainThread"); with several interpreters a thread name gets its
 * pid ("MainThread (pid 41)"), since every process has a MainThread of its own.
 * @param {GilFacts} gil
 * @param {number} endT
 * @returns {GilSummary}
 */
export function summarizeGil(gil, endT) {
  const tracks = gil.laneTracks();
  /** @type {Record<string, number>} */
  const shares = {};
  let free = 0;
  let known = 0;
  let unknown = 0;
  for (const track of tracks) {
    const s = track.totals(endT);
    for (const { key, share } of sharesOf(s)) {
      const name = key.startsWith("w")
        ? key.slice(1)
        : tracks.length > 1 ? `${key.slice(2)} (pid ${track.pid})` : key.slice(2);
      shares[name] = Math.round(share * 1e4) / 1e4;
    }
    free += s.free;
    known += s.known;
    unknown += s.unknown;
  }
  return {
    lanes: tracks.length,
    switches: gil.switches,
    shares,
    free: known > 0 ? Math.round((free / known) * 1e4) / 1e4 : 0,
    unknown: known + unknown > 0 ? Math.round((unknown / (known + unknown)) * 1e4) / 1e4 : 0,
    unavailable: gil.unavailable().map((s) => `pid ${s.pid}: ${s.reason ?? "no reason given"}`),
  };
}
