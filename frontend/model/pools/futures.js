// @ts-check
/**
 * What a run's Futures did (schema v6): the waits on them (`result()`, `exception()`, `wait()`,
 * `as_completed()`) with their timeouts and outcomes, the done-callbacks with the thread that
 * really ran them, and the deadlocks a thread pool fell into with their wait-for chains.
 *
 * Rules it keeps:
 * - A wait or a callback belongs to the lane of the thread it happened on (`worker`); one of a
 *   thread without a lane (the lab's or a program's main thread) belongs to that thread's row,
 *   keyed by its name. Nothing is ever placed on a lane it did not happen on.
 * - Every list is sorted by time as it grows, so views binary-search it; a wait still open is
 *   also kept aside, so a view finds it however long ago it began.
 * - Every fact has its undo (a replay stepping back takes back the newest event first), and
 *   after an undo the facts are exactly those the kept events give applied from scratch.
 *
 * Guarantees: O(log n) per event (plus a short shift for one landing out of order); a
 * future_wait_ended that arrives before its wait is held until the wait comes.
 */
import { byTime, insertSorted, lowerBound, maxOf } from "../core/sorted.js";

/** @typedef {"result" | "exception" | "wait" | "as_completed"} WaitCall */
/** @typedef {"done" | "timeout" | "cancelled" | "error" | "interrupted"} WaitOutcome */
/**
 * A thread waiting on the futures of tasks, from the call to its return (or now).
 * @typedef {object} FutureWait
 * @property {number} wait          its id in the run
 * @property {number} t             when the call began
 * @property {number} seq
 * @property {WaitCall} call
 * @property {number[]} tasks       the tasks whose futures it waits on
 * @property {number | null} timeoutS  the call's timeout in seconds (null: none)
 * @property {number | null} task   the pool task that waits (null: not a pool worker)
 * @property {number | null} worker the waiting thread's lane (null: it has none)
 * @property {string} thread        the waiting thread's name
 * @property {number | null} endT   when the call returned or raised (null: still waiting)
 * @property {WaitOutcome | null} outcome
 */
/**
 * A done-callback that ran, on the thread that ran it.
 * @typedef {{t: number, seq: number, task: number, name: string, durNs: number,
 *   worker: number | null, thread: string, threadIdent: number, ok: boolean}} FutureCallback
 */
/**
 * A thread pool whose every worker waits on a future only this pool can finish.
 * @typedef {{t: number, seq: number, pool: number, chain: [number, number][], message: string}}
 *   Deadlock
 */
/**
 * A thread without a lane that waited or ran callbacks: its own row.
 * @typedef {{thread: string, waits: FutureWait[], callbacks: FutureCallback[]}} ThreadRow
 */

/** Future facts of one run, fed by the timeline model's dispatcher. */
export class FutureFacts {
  constructor() {
    /** @type {FutureWait[]} every wait, by start */
    this.waits = [];
    /** @type {Map<number, FutureWait>} wait id -> wait */
    this.byId = new Map();
    /** @type {Map<number, FutureWait[]>} lane (worker id) -> its waits, by start */
    this.lanes = new Map();
    /** @type {Map<string, ThreadRow>} thread name -> its row, for threads without a lane */
    this.threads = new Map();
    /** @type {FutureCallback[]} every done-callback, by start */
    this.callbacks = [];
    /** @type {Map<number, FutureCallback[]>} lane (worker id) -> callbacks it ran, by start */
    this.laneCallbacks = new Map();
    /** @type {Deadlock[]} by time */
    this.deadlocks = [];
    /**
     * Tasks whose futures were waited on or had callbacks, with how many facts name them: the
     * futures the run's code looked at, shown on rows of their own.
     * @type {Map<number, number>}
     */
    this.watched = new Map();
    /** Waits not yet ended. */
    this.openWaits = 0;
    /** Longest ended wait (ns): how far back a wait may reach into a view. */
    this.longestWait = 0;
    /** Longest callback (ns). */
    this.longestCallback = 0;
    /** @type {Set<FutureWait>} the open waits (views draw them whenever they began) */
    this._open = new Set();
    /** @type {Map<number, {t: number, outcome: WaitOutcome}>} ends whose wait has not come yet */
    this._early = new Map();
  }

  /** Whether the run has any future facts at all. */
  get seen() {
    return this.waits.length > 0 || this.callbacks.length > 0 || this.deadlocks.length > 0;
  }

  /**
   * v6: a thread began to wait.
   * @param {{t: number, seq: number, wait: number, call: WaitCall, tasks: number[],
   *   timeout_s: number | null, task: number | null, worker: number | null, thread: string}} ev
   */
  waitBegan(ev) {
    /** @type {FutureWait} */
    const w = {
      wait: ev.wait, t: ev.t, seq: ev.seq, call: ev.call, tasks: [...(ev.tasks ?? [])],
      timeoutS: ev.timeout_s ?? null, task: ev.task ?? null, worker: ev.worker ?? null,
      thread: ev.thread, endT: null, outcome: null,
    };
    insertSorted(this.waits, w, byTime);
    this.byId.set(w.wait, w);
    if (w.worker !== null) insertSorted(listOf(this.lanes, w.worker), w, byTime);
    else insertSorted(this._row(w.thread).waits, w, byTime);
    for (const task of w.tasks) this._watch(task, 1);
    const early = this._early.get(w.wait);
    if (early) {
      this._early.delete(w.wait);
      this._end(w, early.t, early.outcome);
    } else {
      this.openWaits++;
      this._open.add(w);
    }
  }

  /**
   * v6: a wait returned or raised.
   * @param {{t: number, wait: number, outcome: WaitOutcome}} ev
   */
  waitEnded(ev) {
    const w = this.byId.get(ev.wait);
    if (!w) {
      this._early.set(ev.wait, { t: ev.t, outcome: ev.outcome });
      return;
    }
    if (w.endT !== null) return;
    this.openWaits--;
    this._open.delete(w);
    this._end(w, ev.t, ev.outcome);
  }

  /**
   * v6: a done-callback ran.
   * @param {{t: number, seq: number, task: number, name: string, dur_ns: number,
   *   worker: number | null, thread: string, thread_ident: number, ok: boolean}} ev
   */
  callbackRan(ev) {
    /** @type {FutureCallback} */
    const c = {
      t: ev.t, seq: ev.seq, task: ev.task, name: ev.name, durNs: Math.max(0, ev.dur_ns ?? 0),
      worker: ev.worker ?? null, thread: ev.thread, threadIdent: ev.thread_ident, ok: Boolean(ev.ok),
    };
    insertSorted(this.callbacks, c, byTime);
    if (c.worker !== null) insertSorted(listOf(this.laneCallbacks, c.worker), c, byTime);
    else insertSorted(this._row(c.thread).callbacks, c, byTime);
    if (c.durNs > this.longestCallback) this.longestCallback = c.durNs;
    this._watch(c.task, 1);
  }

  /**
   * v6: a thread pool deadlocked.
   * @param {{t: number, seq: number, pool: number, chain: number[][], message: string}} ev
   */
  deadlock(ev) {
    const chain = (ev.chain ?? []).map((p) => /** @type {[number, number]} */ ([p[0], p[1]]));
    insertSorted(this.deadlocks, { t: ev.t, seq: ev.seq, pool: ev.pool, chain, message: ev.message }, byTime);
  }

  /**
   * Take back the newest wait (a replay stepping back; events were applied in time order).
   * @param {{wait: number}} ev
   */
  undoWaitBegan(ev) {
    const w = this.byId.get(ev.wait);
    if (!w) return;
    dropNewest(this.waits, w);
    this.byId.delete(w.wait);
    if (w.worker !== null) dropFrom(this.lanes, w.worker, w);
    else {
      const row = this._row(w.thread);
      dropNewest(row.waits, w);
      this._dropRowIfEmpty(row);
    }
    for (const task of w.tasks) this._watch(task, -1);
    if (w.endT === null) {
      this.openWaits--;
      this._open.delete(w);
    }
  }

  /**
   * Take back the newest end of a wait.
   * @param {{wait: number}} ev
   */
  undoWaitEnded(ev) {
    const w = this.byId.get(ev.wait);
    if (!w) {
      this._early.delete(ev.wait);
      return;
    }
    if (w.endT === null) return;
    const dur = w.endT - w.t;
    w.endT = null;
    w.outcome = null;
    this.openWaits++;
    this._open.add(w);
    if (dur >= this.longestWait) {
      this.longestWait = maxOf(this.waits, (x) => (x.endT === null ? 0 : x.endT - x.t));
    }
  }

  /** Take back the newest callback. */
  undoCallbackRan() {
    const c = this.callbacks.pop();
    if (!c) return;
    if (c.worker !== null) dropFrom(this.laneCallbacks, c.worker, c);
    else {
      const row = this._row(c.thread);
      dropNewest(row.callbacks, c);
      this._dropRowIfEmpty(row);
    }
    if (c.durNs >= this.longestCallback) this.longestCallback = maxOf(this.callbacks, (x) => x.durNs);
    this._watch(c.task, -1);
  }

  /** Take back the newest deadlock. */
  undoDeadlock() {
    this.deadlocks.pop();
  }

  /**
   * The waits of a lane (worker) or of a thread row (its name) that overlap [t0, t1], with
   * still-open ones reaching to now.
   * @param {number | string} key  a worker id, or the name of a thread without a lane
   * @param {number} t0
   * @param {number} t1
   * @returns {FutureWait[]}
   */
  waitsIn(key, t0, t1) {
    const list = typeof key === "number" ? this.lanes.get(key) : this.threads.get(key)?.waits;
    /** @type {FutureWait[]} */
    const out = [];
    if (!list) return out;
    for (let i = lowerBound(list, t0 - this.longestWait, byTime); i < list.length && list[i].t <= t1; i++) {
      const w = list[i];
      if (w.endT !== null && w.endT >= t0) out.push(w);
    }
    for (const w of this._open) {
      if ((typeof key === "number" ? w.worker === key : w.worker === null && w.thread === key) && w.t <= t1) out.push(w);
    }
    return out;
  }

  /**
   * The callbacks of a lane or a thread row that overlap [t0, t1].
   * @param {number | string} key
   * @param {number} t0
   * @param {number} t1
   * @returns {FutureCallback[]}
   */
  callbacksIn(key, t0, t1) {
    const list = typeof key === "number" ? this.laneCallbacks.get(key) : this.threads.get(key)?.callbacks;
    /** @type {FutureCallback[]} */
    const out = [];
    if (!list) return out;
    for (let i = lowerBound(list, t0 - this.longestCallback, byTime); i < list.length && list[i].t <= t1; i++) {
      if (list[i].t + list[i].durNs >= t0) out.push(list[i]);
    }
    return out;
  }

  /**
   * The waits that wait on a task's future, by start.
   * @param {number} task
   */
  waitsOn(task) {
    return this.waits.filter((w) => w.tasks.includes(task));
  }

  /**
   * The waits still open that wait on a task's future (a label's "awaited by #1"): only the
   * open ones are looked at, however many waits the run had.
   * @param {number} task
   */
  openWaitsOn(task) {
    return [...this._open].filter((w) => w.tasks.includes(task)).sort((a, b) => a.t - b.t);
  }

  /**
   * The callbacks added to a task's future that have run.
   * @param {number} task
   */
  callbacksOf(task) {
    return this.callbacks.filter((c) => c.task === task);
  }

  /** @param {number} task @param {1 | -1} sign */
  _watch(task, sign) {
    const n = (this.watched.get(task) ?? 0) + sign;
    if (n > 0) this.watched.set(task, n);
    else this.watched.delete(task);
  }

  /** @param {string} thread */
  _row(thread) {
    let row = this.threads.get(thread);
    if (!row) {
      row = { thread, waits: [], callbacks: [] };
      this.threads.set(thread, row);
    }
    return row;
  }

  /** @param {ThreadRow} row */
  _dropRowIfEmpty(row) {
    if (row.waits.length === 0 && row.callbacks.length === 0) this.threads.delete(row.thread);
  }

  /**
   * @param {FutureWait} w
   * @param {number} t
   * @param {WaitOutcome} outcome
   */
  _end(w, t, outcome) {
    w.endT = Math.max(t, w.t);
    w.outcome = outcome;
    if (w.endT - w.t > this.longestWait) this.longestWait = w.endT - w.t;
  }
}

/**
 * When a wait's timeout fires (or would have): null for a wait without one.
 * @param {FutureWait} w
 */
export function timeoutAt(w) {
  return w.timeoutS === null ? null : w.t + Math.round(w.timeoutS * 1e9);
}

/**
 * The call as the program wrote it: "result(timeout=1.0)", "wait([#2, #3])", "exception()".
 * @param {FutureWait} w
 */
export function callText(w) {
  const timeout = w.timeoutS === null ? "" : `timeout=${seconds(w.timeoutS)}`;
  if (w.call === "result" || w.call === "exception") return `${w.call}(${timeout})`;
  const fs = w.tasks.length <= 3 ? w.tasks.map((t) => `#${t}`).join(", ") : `${w.tasks.length} futures`;
  return `${w.call}([${fs}]${timeout ? `, ${timeout}` : ""})`;
}

/**
 * What a wait waits on, short: "#2", "#2, #3", "#2, #3 … (12)".
 * @param {FutureWait} w
 */
export function awaitedText(w) {
  if (w.tasks.length === 0) return "nothing";
  const head = w.tasks.slice(0, 3).map((t) => `#${t}`).join(", ");
  return w.tasks.length > 3 ? `${head} … (${w.tasks.length})` : head;
}

/**
 * A deadlock's wait-for chain in one line, task → task: "#1 → #2 → #1" for two tasks waiting
 * on each other, "#1 → #2" for a task waiting on one no worker is free to start.
 * @param {Deadlock} d
 */
export function chainText(d) {
  if (d.chain.length === 0) return "";
  const ids = [d.chain[0][0], ...d.chain.map((p) => p[1])];
  return ids.map((t) => `#${t}`).join(" → ");
}

/** @param {number} s */
function seconds(s) {
  return Number.isInteger(s) ? s.toFixed(1) : String(s);
}

/**
 * The list of `key` in `map`, created on first use.
 * @template K, V
 * @param {Map<K, V[]>} map
 * @param {K} key
 * @returns {V[]}
 */
function listOf(map, key) {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/**
 * Remove `item` from its list in `map` (the list goes when empty).
 * @template K, V
 * @param {Map<K, V[]>} map
 * @param {K} key
 * @param {V} item
 */
function dropFrom(map, key, item) {
  const list = map.get(key);
  if (!list) return;
  dropNewest(list, item);
  if (list.length === 0) map.delete(key);
}

/**
 * Remove `item`, searching from the end (the newest is nearly always last).
 * @template T
 * @param {T[]} list
 * @param {T} item
 */
function dropNewest(list, item) {
  const i = list.lastIndexOf(item);
  if (i >= 0) list.splice(i, 1);
}
