// @ts-check
/**
 * Thread states (schema v3): what each pool worker thread was doing, as /proc told the GIL
 * sampler's own thread (every ~5 ms), combined with the GIL lane into the state a worker lane
 * shows.
 *
 * A `thread_state` event says: from `t` on (when the change was seen; it happened in the ~5 ms
 * before) the worker's thread is running, gil_wait, lock_wait, sleeping, io, disk or other.
 * The state shown ("displayed state") adds what the GIL lane knows, which it samples 20× finer:
 *   - the GIL lane says this worker holds its process's GIL   -> holding the GIL
 *     (whatever the last /proc look said: a thread that holds the GIL is running Python, and
 *     a look up to 5 ms old that says otherwise is simply stale)
 *   - running, and the GIL is certainly held by another thread or free -> on CPU without the
 *     GIL (C code that released it: hashlib, zlib)
 *   - running, and no GIL data for that time (no sampler in that process, before its first
 *     change, or inside a hand-off window that involves this worker) -> on CPU: never guessed
 *   - gil_wait -> waiting for the GIL; lock_wait -> waiting on a lock (an idle pool worker
 *     waits on its queue's lock); sleeping; io -> in I/O; disk and other -> other.
 * When a change from running to a wait was seen, the look before it (at least STATE_LOOK_NS
 * earlier) still saw the thread running. If the GIL lane shows the worker letting go of the GIL
 * between the two looks, the change is placed there: a Python thread runs until it lets go of
 * the GIL, and it lets go of it exactly when it blocks (or, forced to switch, it waits for it
 * at once). Without that, a pure-Python thread would seem to run "without the GIL" for up to
 * 5 ms after every switch, which it never does.
 * Likewise a thread seen waiting for the GIL and next seen running has not left that wait until
 * it was given the GIL: until the GIL lane shows it taking the GIL, or shows a take it could not
 * see (switches counted beyond the visible changes; after the wait began any take by this
 * thread is counted), a running thread still waits for the GIL (it woke inside CPython's
 * take_gil, which it does every switch interval to ask the holder to let go, or it waits for a
 * CPU to do so).
 * A worker is observed from its first state change to its exit (or the run's end, or now).
 *
 * Rules it keeps: changes are kept sorted by time per worker. The displayed time line is worked
 * out once, incrementally, up to where both streams have settled ("settled": what no event
 * arriving in time order can change any more), and kept as merged pieces with their totals, so
 * a frame or a summary only reads them (plus the short unsettled tail). An event landing before
 * that point cuts the pieces back to it and they are redone from there. Never touches the DOM.
 */
import { EditLog } from "../core/editlog.js";
import { forEachSegment } from "./holders.js";
import { byTime, insertSorted, lowerBound, upperBound } from "../core/sorted.js";

/** @typedef {import("./holders.js").GilFacts} GilFacts */
/** @typedef {import("./holders.js").GilTrack} GilTrack */
/**
 * @typedef {"holding_gil" | "cpu_without_gil" | "on_cpu" | "gil_wait" | "lock_wait"
 *   | "sleeping" | "io" | "other"} DisplayedState
 */
/**
 * @typedef {object} StateChange
 * @property {number} t       when the change was seen
 * @property {number} seq
 * @property {string} state   as /proc said it: running, gil_wait, lock_wait, sleeping, io, disk, other
 * @property {number | null} syscall  the system call it waits in, if any
 */

/** Displayed states in legend order; a state's code is its index here. */
export const DISPLAYED_STATES = /** @type {readonly DisplayedState[]} */ (Object.freeze([
  "holding_gil", "cpu_without_gil", "on_cpu", "gil_wait", "lock_wait", "sleeping", "io", "other",
]));

/** Each displayed state in the user's words. */
export const STATE_LABELS = Object.freeze({
  holding_gil: "holding the GIL",
  cpu_without_gil: "on CPU without the GIL",
  on_cpu: "on CPU",
  gil_wait: "waiting for the GIL",
  lock_wait: "waiting on a lock",
  sleeping: "sleeping",
  io: "in I/O",
  other: "other",
});

/** What /proc said, in the user's words (tooltips). */
export const RAW_LABELS = Object.freeze({
  running: "running (on a CPU or ready for one)",
  gil_wait: "waiting on the GIL's futex",
  lock_wait: "waiting on another futex (a lock)",
  sleeping: "sleeping",
  io: "in I/O",
  disk: "in uninterruptible disk wait",
  other: "other, or unreadable",
});

/**
 * The least time between two /proc looks (the extension's STATES_EVERY_NS): a change seen at
 * t happened after t - STATE_LOOK_NS.
 */
export const STATE_LOOK_NS = 5e6;

/** Settled pieces between two checkpoints of a worker's totals (see settle). */
const PIECE_CHECKPOINT = 256;

export const HOLDING = 0;
export const CPU_WITHOUT_GIL = 1;
export const ON_CPU = 2;
const GIL_WAIT = 3;
const LOCK_WAIT = 4;
const SLEEPING = 5;
const IO = 6;
const OTHER = 7;
/** Code of the raw "running" state before the GIL is taken into account. */
const RUNNING = -1;

/** @type {Record<string, number>} raw /proc state -> displayed code (RUNNING: ask the GIL) */
const BASE = {
  running: RUNNING, gil_wait: GIL_WAIT, lock_wait: LOCK_WAIT, sleeping: SLEEPING, io: IO,
  disk: OTHER, other: OTHER,
};

/**
 * The displayed code of a raw state, when the GIL lane says nothing about this worker.
 * @param {string} state
 */
export function baseCode(state) {
  const code = BASE[state] ?? OTHER;
  return code === RUNNING ? ON_CPU : code;
}

/** One worker thread's state changes. */
export class WorkerStates {
  /**
   * @param {number} worker
   * @param {number} pid  the process it runs in: whose GIL it can hold
   */
  constructor(worker, pid) {
    this.worker = worker;
    this.pid = pid;
    /** @type {string | null} */
    this.thread = null;
    /** @type {StateChange[]} by time */
    this.changes = [];
    /** The GIL lane's key for this worker. */
    this.key = `w${worker}`;
    /** ns per displayed code over [first change, _accTo): the settled part of the totals */
    this._acc = new Float64Array(DISPLAYED_STATES.length);
    this._accTo = -Infinity;
    /** Settled displayed time line: piece k is code _codes[k] over [_starts[k], next start or _accTo). */
    /** @type {number[]} */
    this._starts = [];
    /** @type {number[]} */
    this._codes = [];
    /** Earliest time an event changed since the totals were last brought up to date. */
    this._dirtyFrom = Infinity;
    /** @type {Float64Array[]} entry j: the totals of settled pieces [0, j * PIECE_CHECKPOINT) */
    this._accCk = [new Float64Array(DISPLAYED_STATES.length)];
    /** @type {(string | null)[]} the thread's name as of each change, for a step back */
    this._threads = [];
    /** Where its own changes last changed the time line (the GIL's are its track's). */
    this.edits = new EditLog();
  }

  /** @param {StateChange} c */
  add(c) {
    const at = insertSorted(this.changes, c, byTime);
    // A change is placed at most a look before it was seen; nothing earlier moves.
    this.edits.edit((at > 0 ? Math.min(c.t, this.changes[at - 1].t) : c.t) - STATE_LOOK_NS);
    // An append only ends the open last span; one landing earlier rewrites what follows it
    // (and may move where its own change is placed, up to a look earlier).
    if (at !== this.changes.length - 1) this._dirtyFrom = Math.min(this._dirtyFrom, c.t - STATE_LOOK_NS);
  }

  /**
   * Index of the change in force at t (the newest at or before t), or -1 before the first.
   * @param {number} t
   */
  indexAt(t) {
    return upperBound(this.changes, t, byTime) - 1;
  }

  /** When this worker was first observed, or null before any change. */
  get firstT() {
    return this.changes.length > 0 ? this.changes[0].t : null;
  }
}

/** Every worker's thread states in a run, fed by the timeline model's dispatcher. */
export class ThreadStateFacts {
  /** @param {GilFacts} gil  the run's GIL tracks, which decide holding or not */
  constructor(gil) {
    this.gil = gil;
    /** @type {Map<number, WorkerStates>} by worker id */
    this.workers = new Map();
    /** thread_state events received (also those of threads that are no pool worker). */
    this.events = 0;
    /** @type {{t: number, message: string} | null} the backend said it cannot read them */
    this.unavailable = null;
  }

  /** @param {{t: number, seq: number, pid: number, worker: number | null, thread: string | null, state: string, syscall: number | null}} ev */
  change(ev) {
    this.events++;
    if (ev.worker === null || ev.worker === undefined) return; // no lane to draw it on
    let ws = this.workers.get(ev.worker);
    if (!ws) {
      ws = new WorkerStates(ev.worker, ev.pid);
      this.workers.set(ev.worker, ws);
    }
    if (ev.thread) ws.thread = ev.thread;
    ws.add({ t: ev.t, seq: ev.seq, state: ev.state, syscall: ev.syscall ?? null });
    ws._threads.push(ws.thread);
  }

  /**
   * Take back the newest thread_state event (a replay stepping back; applied in time order).
   * @param {{worker: number | null}} ev
   */
  undoChange(ev) {
    this.events--;
    if (ev.worker === null || ev.worker === undefined) return;
    const ws = this.workers.get(ev.worker);
    const c = ws?.changes.pop();
    if (!ws || !c) return;
    ws._threads.pop();
    ws.thread = ws._threads.at(-1) ?? null;
    // The change before it now reaches to the end instead: its piece is redone too.
    const last = ws.changes.at(-1);
    ws.edits.edit(last ? last.t - STATE_LOOK_NS : -Infinity);
    if (!last) this.workers.delete(ev.worker);
    else ws._dirtyFrom = Math.min(ws._dirtyFrom, last.t - STATE_LOOK_NS);
  }

  /**
   * Take back a warning: the "cannot read thread states" one is forgotten if it was this one.
   * @param {{t: number, message: string}} ev
   */
  undoWarning(ev) {
    if (this.unavailable && this.unavailable.t === ev.t && this.unavailable.message === ev.message) {
      this.unavailable = null;
    }
  }

  /**
   * A GIL change of process `pid` was just added to its track: the totals of its workers are
   * stale from where that change reaches back (its window, or the change before it).
   * @param {number} pid
   * @param {number} t
   * @param {number} windowNs
   */
  gilChanged(pid, t, windowNs) {
    const track = this.gil.tracks.get(pid);
    if (!track) return;
    const changes = track.changes;
    const n = changes.length;
    // Just appended (the common case): the change before it is the one before the last.
    const appended = n > 0 && changes[n - 1].t === t && (n < 2 || changes[n - 2].t < t);
    const at = appended ? n - 1 : lowerBound(changes, t, byTime);
    const prev = changes[at - 1];
    // ... and a state change seen up to a look later may be placed differently.
    const from = (prev ? Math.max(prev.t, t - windowNs) : t - windowNs) - STATE_LOOK_NS;
    for (const ws of this.workers.values()) {
      if (ws.pid === pid && from < ws._accTo) ws._dirtyFrom = Math.min(ws._dirtyFrom, from);
    }
  }

  /**
   * A GIL change of process `pid` was taken back (a replay stepping back): its workers' totals
   * are stale from where that change reached back.
   * @param {number} pid
   * @param {{t: number, windowNs: number}} c
   */
  gilUndone(pid, c) {
    // The change before it (the newest left) now holds to the end: redo from there.
    const prev = this.gil.tracks.get(pid)?.changes.at(-1);
    const from = Math.min(prev ? prev.t : Infinity, c.t - c.windowNs) - STATE_LOOK_NS;
    for (const ws of this.workers.values()) {
      if (ws.pid === pid && from < ws._accTo) ws._dirtyFrom = Math.min(ws._dirtyFrom, from);
    }
  }

  /**
   * A warning event: remember it when it says the states cannot be read.
   * @param {{t: number, message: string}} ev
   */
  warning(ev) {
    if (/thread states are not shown/i.test(ev.message) && !this.unavailable) {
      this.unavailable = { t: ev.t, message: ev.message };
    }
  }

  /**
   * The GIL track of the worker's process, or null when there is no GIL data for it.
   * @param {WorkerStates} ws
   * @returns {GilTrack | null}
   */
  trackOf(ws) {
    const track = this.gil.tracks.get(ws.pid);
    return track && track.changes.length > 0 ? track : null;
  }

  /**
   * Bring a worker's settled pieces and totals up to date (see the rules at the top).
   * @param {WorkerStates} ws
   * @param {number} endT  where its observation ends
   * @returns {GilTrack | null} its GIL track, for the caller's unsettled tail
   */
  settle(ws, endT) {
    const track = this.trackOf(ws);
    const n = ws.changes.length;
    if (n === 0) return track;
    const first = ws.changes[0].t;
    if (ws._accTo === -Infinity || ws._dirtyFrom <= Math.max(first, ws._starts[0] ?? first)) {
      ws._starts.length = 0;
      ws._codes.length = 0;
      ws._acc.fill(0);
      ws._accCk.length = 1;
      ws._accTo = first;
    } else if (ws._dirtyFrom < ws._accTo) {
      // Cut back to where the late event reaches, keep what lies before: the totals from the
      // checkpoint before the cut plus the pieces after it (a step back or a newest GIL change
      // costs those few, not every piece since the start).
      const cut = ws._dirtyFrom;
      const k = lowerBound(ws._starts, cut, (x) => x);
      const j = k > 0 ? Math.floor((k - 1) / PIECE_CHECKPOINT) : 0;
      ws._accCk.length = j + 1;
      ws._acc.set(ws._accCk[j]);
      for (let i = j * PIECE_CHECKPOINT; i < k; i++) {
        ws._acc[ws._codes[i]] += (i + 1 < k ? ws._starts[i + 1] : cut) - ws._starts[i];
      }
      ws._starts.length = k;
      ws._codes.length = k;
      ws._accTo = cut;
    }
    ws._dirtyFrom = Infinity;
    // Settled: nothing that arrives in time order can change what lies a look before the
    // newest change of either stream (a GIL change only reaches back to the change before it,
    // and a state change is placed at most a look before it was seen).
    let newest = ws.changes[n - 1].t;
    if (track) newest = Math.min(newest, /** @type {any} */ (track.changes.at(-1)).t);
    const settled = Math.min(newest - STATE_LOOK_NS, endT);
    if (settled > ws._accTo) {
      const { _acc: acc, _starts: starts, _codes: codes, _accCk: ck } = ws;
      forEachDisplayed(ws, track, ws._accTo, settled, endT, (x0, x1, code) => {
        if (codes.length === 0 || codes[codes.length - 1] !== code) {
          // Every PIECE_CHECKPOINT pieces, the totals of the (closed) pieces before.
          if (codes.length > 0 && codes.length % PIECE_CHECKPOINT === 0) ck.push(acc.slice());
          starts.push(x0);
          codes.push(code);
        }
        acc[code] += x1 - x0;
      });
      ws._accTo = settled;
    }
    return track;
  }

  /**
   * Call fn for each piece of a worker's displayed time line in [a, b], merged where the
   * state does not change (settled pieces, then the unsettled tail).
   * @param {WorkerStates} ws
   * @param {number} a
   * @param {number} b
   * @param {number} endT
   * @param {(x0: number, x1: number, code: number) => void} fn
   */
  forEachPiece(ws, a, b, endT, fn) {
    const track = this.settle(ws, endT);
    const starts = ws._starts;
    const stop = Math.min(b, ws._accTo);
    for (let k = Math.max(0, upperBound(starts, a, (x) => x) - 1); k < starts.length && starts[k] < stop; k++) {
      const x0 = Math.max(a, starts[k]);
      const x1 = Math.min(stop, k + 1 < starts.length ? starts[k + 1] : ws._accTo);
      if (x1 > x0) fn(x0, x1, ws._codes[k]);
    }
    forEachDisplayed(ws, track, Math.max(a, ws._accTo), b, endT, fn);
  }

  /**
   * ns per displayed state of one worker from its first change up to `endT` (its exit, or the
   * run's end or current time), indexed by code (see DISPLAYED_STATES).
   * @param {WorkerStates} ws
   * @param {number} endT
   * @returns {Float64Array}
   */
  totals(ws, endT) {
    const out = new Float64Array(DISPLAYED_STATES.length);
    if (ws.changes.length === 0) return out;
    const track = this.settle(ws, endT);
    out.set(ws._acc);
    forEachDisplayed(ws, track, ws._accTo, endT, endT, (x0, x1, code) => { out[code] += x1 - x0; });
    return out;
  }

  /**
   * A worker's displayed state per time in [a, b], summed (codes as DISPLAYED_STATES).
   * @param {WorkerStates} ws
   * @param {number} a
   * @param {number} b
   * @param {number} endT
   */
  statsBetween(ws, a, b, endT) {
    const out = new Float64Array(DISPLAYED_STATES.length);
    this.forEachPiece(ws, a, b, endT, (x0, x1, code) => { out[code] += x1 - x0; });
    return out;
  }

  /**
   * The displayed state at t and the whole stretch of it around t (merged across /proc looks
   * and GIL changes that do not change what is shown), or null where nothing is known.
   * @param {WorkerStates} ws
   * @param {number} t
   * @param {number} endT
   * @returns {{code: number, from: number, to: number, change: StateChange, index: number} | null}
   */
  spanAt(ws, t, endT) {
    const track = this.trackOf(ws);
    let i = ws.indexAt(t);
    // The next change may be placed before it was seen (see STATE_LOOK_NS).
    if (i + 1 < ws.changes.length && changeStart(ws, track, i + 1) <= t) i++;
    if (i < 0 || t >= endT) return null;
    /** @type {[number, number, number][]} */
    let pieces = [];
    forEachDisplayed(ws, track, changeStart(ws, track, i), rawEnd(ws, track, i, endT), endT, (x0, x1, code) => { pieces.push([x0, x1, code]); });
    const at = pieces.findIndex((p) => t >= p[0] && t < p[1]);
    if (at < 0) return null;
    const code = pieces[at][2];
    let from = pieces[at][0];
    let to = pieces[at][1];
    for (let k = at - 1; k >= 0 && pieces[k][2] === code; k--) from = pieces[k][0];
    for (let k = at + 1; k < pieces.length && pieces[k][2] === code; k++) to = pieces[k][1];
    // The same state may go on in the neighbouring /proc looks (a bounded walk each way).
    for (let j = i - 1, steps = 0; j >= 0 && from === changeStart(ws, track, j + 1) && steps < 200; j--, steps++) {
      pieces = [];
      forEachDisplayed(ws, track, changeStart(ws, track, j), rawEnd(ws, track, j, endT), endT, (x0, x1, c) => { pieces.push([x0, x1, c]); });
      for (let k = pieces.length - 1; k >= 0 && pieces[k][2] === code && pieces[k][1] === from; k--) from = pieces[k][0];
    }
    for (let j = i + 1, steps = 0; j < ws.changes.length && to === changeStart(ws, track, j) && steps < 200; j++, steps++) {
      pieces = [];
      forEachDisplayed(ws, track, changeStart(ws, track, j), rawEnd(ws, track, j, endT), endT, (x0, x1, c) => { pieces.push([x0, x1, c]); });
      for (let k = 0; k < pieces.length && pieces[k][2] === code && pieces[k][0] === to; k++) to = pieces[k][1];
    }
    return { code, from, to, change: ws.changes[i], index: i };
  }
}

/**
 * Where change i is placed: when it was seen, or, for a change from running to a wait, where
 * the GIL lane shows the worker letting go of the GIL after the look before it (see the top).
 * @param {WorkerStates} ws
 * @param {GilTrack | null} track
 * @param {number} i
 */
export function changeStart(ws, track, i) {
  const c = ws.changes[i];
  if (!track || i === 0 || c.state === "running" || ws.changes[i - 1].state !== "running") return c.t;
  const lo = Math.max(ws.changes[i - 1].t, c.t - STATE_LOOK_NS);
  let end = -Infinity;
  forEachSegment(track, lo, c.t, c.t, (_x0, x1, kind, key) => {
    if (kind === "held" && key === ws.key) end = x1;
  });
  return end > lo && end < c.t ? end : c.t;
}

/**
 * GIL takes at change c that the sampler did not see: switches counted beyond the one its own
 * new holder made (some other thread may have held the GIL in c's window).
 * @param {import("./holders.js").GilChange | undefined} prev
 * @param {import("./holders.js").GilChange} c
 */
export function unseenTakes(prev, c) {
  return c.switches - (c.key !== null && c.key !== (prev?.key ?? null) ? 1 : 0);
}

/**
 * For a running span i seen after a wait for the GIL: the earliest time from the wait's start
 * at which the worker may have been given the GIL (a take of its own, or one nobody saw), or
 * `b` when it certainly was not before b.
 * @param {WorkerStates} ws
 * @param {GilTrack} track
 * @param {number} i
 * @param {number} b
 */
function grantAfterWait(ws, track, i, b) {
  const lo = ws.changes[i - 1].t;
  const ch = track.changes;
  const j = track.indexAt(lo);
  if (j < 0 || ch[j].key === ws.key) return lo; // not known yet, or it holds it already
  for (let k = j + 1; k < ch.length; k++) {
    const from = Math.max(ch[k - 1].t, ch[k].t - ch[k].windowNs);
    if (from >= b) break;
    if (ch[k].key === ws.key || unseenTakes(ch[k - 1], ch[k]) > 0) return Math.max(lo, from);
  }
  return b;
}

/**
 * Where change i's span ends: where the next change is placed, or endT after the last.
 * @param {WorkerStates} ws
 * @param {GilTrack | null} track
 * @param {number} i
 * @param {number} endT
 */
function rawEnd(ws, track, i, endT) {
  return i + 1 < ws.changes.length ? changeStart(ws, track, i + 1) : Math.max(ws.changes[i].t, endT);
}

/**
 * Call fn for each piece of a worker's displayed-state time line inside [a, b], in time order.
 * The last /proc state holds until `endT`; nothing is reported before the first change.
 * @param {WorkerStates} ws
 * @param {GilTrack | null} track  its process's GIL, or null without GIL data
 * @param {number} a
 * @param {number} b
 * @param {number} endT
 * @param {(x0: number, x1: number, code: number, i: number) => void} fn  i: the /proc change
 */
export function forEachDisplayed(ws, track, a, b, endT, fn) {
  const changes = ws.changes;
  const n = changes.length;
  if (n === 0 || b <= a) return;
  const gilChanges = track ? track.changes : [];
  const key = ws.key;
  let start = -Infinity;
  for (let i = Math.max(0, upperBound(changes, a, byTime) - 1); i < n; i++) {
    const c = changes[i];
    if (c.t - STATE_LOOK_NS >= b) break;
    // Where this change is placed: known from the previous step, else worked out.
    if (start === -Infinity) start = changeStart(ws, track, i);
    if (start >= b) break;
    const next = i + 1 < n ? changeStart(ws, track, i + 1) : Math.max(c.t, endT);
    const s0 = Math.max(a, start);
    const s1 = Math.min(b, next);
    start = next;
    if (s1 <= s0) continue;
    const raw = BASE[c.state] ?? OTHER;
    const plain = raw === RUNNING ? ON_CPU : raw;
    if (!track) {
      fn(s0, s1, plain, i);
      continue;
    }
    // Running right after a wait for the GIL: still waiting until it may have been given it.
    const grant = raw === RUNNING && i > 0 && changes[i - 1].state === "gil_wait"
      ? grantAfterWait(ws, track, i, s1) : -Infinity;
    let pos = s0;
    forEachSegment(track, s0, s1, Math.max(endT, s1), (g0, g1, kind, holder, j) => {
      if (g0 > pos) fn(pos, g0, plain, i); // before the GIL's first change: not known
      if (g0 < grant) {
        // Before it may have been given the GIL: the wait goes on (see the top).
        const cut = Math.min(g1, grant);
        fn(g0, cut, GIL_WAIT, i);
        pos = g0 = cut;
        if (g0 >= g1) return;
      }
      let code;
      if (kind === "held" && holder === key) code = HOLDING;
      else if (kind !== "unknown") code = raw === RUNNING ? CPU_WITHOUT_GIL : raw;
      else {
        // A hand-off window: this worker certainly did not hold the GIL in it only when it
        // is neither side of a hand-off (the first change has no known side before it) and
        // no unseen switch could have passed through it.
        const after = gilChanges[j];
        const certain = j > 0 && holder !== key && after.key !== key && unseenTakes(gilChanges[j - 1], after) === 0;
        code = raw === RUNNING ? (certain ? CPU_WITHOUT_GIL : ON_CPU) : raw;
      }
      fn(g0, g1, code, i);
      pos = g1;
    });
    if (pos < s1) fn(pos, s1, plain, i);
  }
}

/**
 * @typedef {object} ThreadStateSummary
 * @property {number} changes  thread_state events received
 * @property {Record<string, Record<string, number>>} states  worker id -> displayed state ->
 *   fraction of that worker's observed time (states it never showed are left out)
 * @property {Record<string, number>} observedNs  worker id -> ns observed
 * @property {string | null} unavailable  why they are not shown, when the backend said so
 */

/**
 * Whole-run fractions per worker for the page's data attributes.
 * @param {ThreadStateFacts} facts
 * @param {(worker: number) => number} endOf  where a worker's observation ends (its exit,
 *   the run's end, or now)
 * @returns {ThreadStateSummary}
 */
export function summarizeThreadStates(facts, endOf) {
  /** @type {Record<string, Record<string, number>>} */
  const states = {};
  /** @type {Record<string, number>} */
  const observedNs = {};
  if (!facts.unavailable) {
    for (const ws of [...facts.workers.values()].sort((x, y) => x.worker - y.worker)) {
      const tot = facts.totals(ws, endOf(ws.worker));
      const all = tot.reduce((s, v) => s + v, 0);
      /** @type {Record<string, number>} */
      const fr = {};
      if (all > 0) {
        for (let c = 0; c < tot.length; c++) {
          if (tot[c] > 0) fr[DISPLAYED_STATES[c]] = Math.round((tot[c] / all) * 1e4) / 1e4;
        }
      }
      states[String(ws.worker)] = fr;
      observedNs[String(ws.worker)] = all;
    }
  }
  return { changes: facts.events, states, observedNs, unavailable: facts.unavailable?.message ?? null };
}
