// @ts-check
/**
 * asyncio (schema v4): one event loop's tasks, their steps and yield points, the loop's idle
 * time in select, the ready queue, slow steps that blocked the loop, work offloaded to the
 * thread pool, watched asyncio.Queues and who waits on which lock, queue, semaphore or event.
 *
 * What the events say:
 *   aio_step     task ran from t to t + dur_ns and nothing else did; outcome "yield": it then
 *                waited at file:line for `awaiting`, on the sync object `waits_on` (or none)
 *   aio_idle     the loop sat in select from t for dur_ns
 *   aio_blocked  a step that began at t blocked the loop; ongoing: it still does
 * Which steps blocked the loop is kept in slow.js, who waits on which sync object in
 * waiters.js.
 *
 * Rules it keeps: every list is sorted by time whatever order events arrive in (sorted.js).
 */
import { SlowSteps } from "./slow.js";
import { SyncWaiters } from "./waiters.js";
import { byTime, insertSorted, lowerBound, maxOf, upperBound } from "../core/sorted.js";

/**
 * @typedef {object} AioStep
 * @property {number} t
 * @property {number} dur
 * @property {number} end        t + dur
 * @property {number} task
 * @property {string | null} file
 * @property {number | null} line
 * @property {string} awaiting
 * @property {string | null} waitsOn
 * @property {"yield" | "done" | "error" | "cancelled"} outcome
 * @property {AioBlocked | null} blocked  the final slow-step report for this step, if any
 */
/**
 * @typedef {object} AioTask
 * @property {number} id
 * @property {string} name
 * @property {string} coro
 * @property {number | null} parent
 * @property {number | null} createdT
 * @property {AioStep[]} steps   by start time
 * @property {{t: number, outcome: string, error: string | null, steps: number} | null} done
 * @property {{t: number, poolTask: number}[]} offloads  by time
 */
/** @typedef {import("./slow.js").AioBlocked} AioBlocked */
/** @typedef {{t: number, dur: number, ioEvents: number}} AioIdle */
/** @typedef {{t: number, value: number}} Sample */
/** @typedef {{name: string, maxsize: number, samples: Sample[], max: number}} AioQueue */
/** @typedef {import("./waiters.js").SyncObject} SyncObject */

/** @param {Sample} s */
const sampleValue = (s) => s.value;

/** Everything an asyncio run's events say, fed by the timeline model's dispatcher. */
export class AioFacts {
  constructor() {
    /** @type {Map<number, AioTask>} */
    this.tasks = new Map();
    /** @type {AioTask[]} by id: the order tasks were created in */
    this.taskList = [];
    /** @type {AioStep[]} every step by start time: the loop lane */
    this.steps = [];
    /** @type {AioIdle[]} */
    this.idle = [];
    /** @type {Sample[]} ready callbacks per loop iteration, as sent (when it changes) */
    this.ready = [];
    this.maxReady = 0;
    /** @type {Map<number, {task: number | null, t: number}>} pool task id -> who offloaded it */
    this.offloads = new Map();
    /** @type {Map<string, AioQueue>} watched asyncio.Queues, in order of first report */
    this.queues = new Map();
    /** Waiter counts per sync object. */
    this.waiters = new SyncWaiters();
    /** @type {Map<string, {file: string, line: number, count: number}>} "file:line" -> yields */
    this.yieldSites = new Map();
    /** The slow-step threshold and the reports of steps that blocked the loop. */
    this.slow = new SlowSteps();
    /** Longest step seen (ns). */
    this.longestStep = 0;
    /** @type {{n: number, m: number, series: Sample[]} | null} */
    this._readyMemo = null;
    /** @type {number[]} per step (as `steps`), the longest step up to it: what a step back restores */
    this._longest = [];
  }

  /**
   * The sync objects waited on, in order of first wait.
   * @returns {Map<string, SyncObject>}
   */
  get sync() {
    return this.waiters.objects;
  }

  /** Final slow-step reports (ongoing false), by time. */
  get blocked() {
    return this.slow.blocked;
  }

  /** Per task, the report of a step still blocking the loop. */
  get ongoing() {
    return this.slow.ongoing;
  }

  /** Whether any asyncio event was seen. */
  get seen() {
    return this.tasks.size > 0 || this.steps.length > 0 || this.idle.length > 0;
  }

  /**
   * The slow-step threshold (ns) in force at t.
   * @param {number} t
   */
  thresholdAt(t) {
    return this.slow.thresholdAt(t);
  }

  /**
   * Whether a step blocked the loop (see SlowSteps.isSlow).
   * @param {AioStep} step
   */
  isSlow(step) {
    return this.slow.isSlow(step);
  }

  /**
   * Whether a task never yielded: it ran to its end in one step, and that step blocked the
   * loop (the lab warns of the same). A quick one-step task, such as asyncio's own
   * `_accept_connection2`, held up nobody and is not one.
   * @param {AioTask} task
   */
  neverYielded(task) {
    if (task.done === null || task.done.steps !== 1) return false;
    const step = task.steps[0];
    return step !== undefined && this.isSlow(step);
  }

  /**
   * @param {number} id
   * @returns {AioTask}
   */
  task(id) {
    let task = this.tasks.get(id);
    if (!task) {
      task = { id, name: `Task-${id}`, coro: "", parent: null, createdT: null, steps: [], done: null, offloads: [] };
      this.tasks.set(id, task);
      insertSorted(this.taskList, task, (x) => x.id);
    }
    return task;
  }

  /** @param {{t: number, task: number, name: string, coro: string, parent: number | null}} ev */
  taskCreated(ev) {
    const task = this.task(ev.task);
    task.name = ev.name;
    task.coro = ev.coro;
    task.parent = ev.parent ?? null;
    task.createdT = ev.t;
  }

  /** @param {{t: number, task: number, dur_ns: number, file: string | null, line: number | null, awaiting: string, waits_on: string | null, outcome: any}} ev */
  step(ev) {
    /** @type {AioStep} */
    const step = {
      t: ev.t, dur: ev.dur_ns, end: ev.t + ev.dur_ns, task: ev.task, file: ev.file ?? null,
      line: ev.line ?? null, awaiting: ev.awaiting ?? "", waitsOn: ev.waits_on ?? null,
      outcome: ev.outcome, blocked: null,
    };
    this.slow.stepArrived(step);
    insertSorted(this.steps, step, byTime);
    if (step.dur > this.longestStep) this.longestStep = step.dur;
    this._longest.push(this.longestStep);
    const task = this.task(ev.task);
    const at = insertSorted(task.steps, step, byTime);
    if (step.outcome === "yield" && step.file !== null && step.line !== null) {
      const site = `${step.file}:${step.line}`;
      const known = this.yieldSites.get(site);
      if (known) known.count++;
      else this.yieldSites.set(site, { file: step.file, line: step.line, count: 1 });
    }
    this.waiters.stepAdded(task.steps, at);
  }

  /** @param {{t: number, task: number, outcome: string, error: string | null, steps: number}} ev */
  taskDone(ev) {
    this.task(ev.task).done = { t: ev.t, outcome: ev.outcome, error: ev.error ?? null, steps: ev.steps };
    this.slow.taskDone(ev.task);
  }

  /** @param {{t: number, dur_ns: number, io_events: number}} ev */
  idleSpan(ev) {
    insertSorted(this.idle, { t: ev.t, dur: ev.dur_ns, ioEvents: ev.io_events }, byTime);
  }

  /** @param {{t: number, ready: number}} ev */
  readySample(ev) {
    insertSorted(this.ready, { t: ev.t, value: ev.ready }, byTime);
    if (ev.ready > this.maxReady) this.maxReady = ev.ready;
  }

  /** @param {{t: number, task: number | null, pool_task: number}} ev */
  offload(ev) {
    this.offloads.set(ev.pool_task, { task: ev.task ?? null, t: ev.t });
    if (ev.task !== null && ev.task !== undefined) {
      insertSorted(this.task(ev.task).offloads, { t: ev.t, poolTask: ev.pool_task }, byTime);
    }
  }

  /** @param {{t: number, name: string, size: number, maxsize: number}} ev */
  queueSize(ev) {
    let q = this.queues.get(ev.name);
    if (!q) {
      q = { name: ev.name, maxsize: ev.maxsize, samples: [], max: 0 };
      this.queues.set(ev.name, q);
    }
    q.maxsize = ev.maxsize;
    insertSorted(q.samples, { t: ev.t, value: ev.size }, byTime);
    if (ev.size > q.max) q.max = ev.size;
  }

  // Stepping back (a replay): each undo takes back the newest event of its kind, which was
  // applied in time order, so it sits at the end of its list.

  /** @param {{task: number}} ev */
  undoTaskCreated(ev) {
    const task = this.tasks.get(ev.task);
    if (!task) return;
    Object.assign(task, { name: `Task-${task.id}`, coro: "", parent: null, createdT: null });
    this._dropIfEmpty(task);
  }

  /** @param {{t: number, task: number}} ev */
  undoStep(ev) {
    const task = this.tasks.get(ev.task);
    if (!task) return;
    const step = popMatching(task.steps, ev.t);
    if (!step) return;
    removeFromEnd(this.steps, step);
    this._longest.pop();
    this.longestStep = this._longest.at(-1) ?? 0;
    if (step.outcome === "yield" && step.file !== null && step.line !== null) {
      const site = `${step.file}:${step.line}`;
      const known = this.yieldSites.get(site);
      if (known && --known.count === 0) this.yieldSites.delete(site);
    }
    this.waiters.stepRemoved(this.steps);
    this.slow.stepRemoved(step, task.done !== null);
    this._dropIfEmpty(task);
  }

  /** @param {{task: number}} ev */
  undoTaskDone(ev) {
    const task = this.tasks.get(ev.task);
    if (!task) return;
    task.done = null;
    this.slow.refoldOngoing(task.id, false);
    this._dropIfEmpty(task);
  }

  undoIdleSpan() {
    this.idle.pop();
    this._readyMemo = null;
  }

  undoReadySample() {
    const s = this.ready.pop();
    this._readyMemo = null;
    if (s && s.value >= this.maxReady) this.maxReady = maxOf(this.ready, sampleValue);
  }

  /** @param {{t: number, task: number | null, pool_task: number}} ev */
  undoOffload(ev) {
    this.offloads.delete(ev.pool_task);
    if (ev.task === null || ev.task === undefined) return;
    const task = this.tasks.get(ev.task);
    if (!task) return;
    popMatching(task.offloads, ev.t);
    this._dropIfEmpty(task);
  }

  /** @param {{name: string}} ev */
  undoQueueSize(ev) {
    const q = this.queues.get(ev.name);
    if (!q) return;
    const s = q.samples.pop();
    if (q.samples.length === 0) this.queues.delete(ev.name);
    else if (s && s.value >= q.max) q.max = maxOf(q.samples, sampleValue);
  }

  /**
   * Forget a task nothing is known of any more (a step back to before its first mention).
   * @param {AioTask} task
   */
  _dropIfEmpty(task) {
    if (task.createdT !== null || task.steps.length > 0 || task.done !== null || task.offloads.length > 0) return;
    this.tasks.delete(task.id);
    this.taskList.splice(this.taskList.indexOf(task), 1);
  }

  /**
   * The ready queue over time: the samples as sent, and 0 while the loop waits in select
   * (nothing is ready then: that is why it waits). Samples inside an idle span are left out.
   * @returns {Sample[]}
   */
  readySeries() {
    const memo = this._readyMemo;
    if (memo && memo.n === this.ready.length && memo.m === this.idle.length) return memo.series;
    /** @type {Sample[]} */
    const out = [];
    let j = 0;
    const idle = this.idle;
    for (const s of this.ready) {
      while (j < idle.length && idle[j].t + idle[j].dur <= s.t) {
        out.push({ t: idle[j].t, value: 0 });
        j++;
      }
      if (j < idle.length && s.t > idle[j].t) continue;
      out.push(s);
    }
    for (; j < idle.length; j++) out.push({ t: idle[j].t, value: 0 });
    out.sort((a, b) => a.t - b.t);
    this._readyMemo = { n: this.ready.length, m: idle.length, series: out };
    return out;
  }

  /**
   * The step with index i of a task's steps that follows `step`, or null.
   * @param {AioStep} step
   */
  nextStep(step) {
    const steps = this.tasks.get(step.task)?.steps ?? [];
    const i = lowerBound(steps, step.t, byTime);
    for (let k = i; k < steps.length; k++) if (steps[k] === step) return steps[k + 1] ?? null;
    return null;
  }

  /**
   * The pool task a step's wait is for: offloaded by its task while the step ran.
   * @param {AioStep} step
   * @returns {number | null}
   */
  poolTaskOf(step) {
    const offloads = this.tasks.get(step.task)?.offloads ?? [];
    const i = lowerBound(offloads, step.t, byTime);
    return i < offloads.length && offloads[i].t <= step.end ? offloads[i].poolTask : null;
  }

  /**
   * What a task was doing at t: running a step, waiting after one, created but not yet run,
   * or ended; null outside its life.
   * @param {AioTask} task
   * @param {number} t
   * @returns {{state: "running" | "waiting" | "created" | "ended", step: AioStep | null, next: AioStep | null} | null}
   */
  taskStateAt(task, t) {
    if (task.done && t >= task.done.t) return { state: "ended", step: task.steps.at(-1) ?? null, next: null };
    const i = upperBound(task.steps, t, byTime) - 1;
    if (i < 0) {
      return task.createdT !== null && t >= task.createdT ? { state: "created", step: null, next: task.steps[0] ?? null } : null;
    }
    const step = task.steps[i];
    const next = task.steps[i + 1] ?? null;
    if (t < step.end) return { state: "running", step, next };
    return step.outcome === "yield" ? { state: "waiting", step, next } : { state: "ended", step, next: null };
  }

  /**
   * Waiter count over time for each sync object (deltas and most at once).
   * @returns {Map<string, SyncObject>}
   */
  syncObjects() {
    return this.waiters.settled(this.taskList);
  }

  /**
   * How many tasks wait on `name` at t, and which.
   * @param {string} name
   * @param {number} t
   * @returns {AioTask[]}
   */
  waitersAt(name, t) {
    const out = [];
    for (const task of this.taskList) {
      const s = this.taskStateAt(task, t);
      if (s && s.state === "waiting" && s.step && s.step.waitsOn === name) out.push(task);
    }
    return out;
  }
}

/**
 * The value of a step function of samples at t (0 before the first sample).
 * @param {Sample[]} samples
 * @param {number} t
 */
export function sampleValueAt(samples, t) {
  const i = upperBound(samples, t, byTime) - 1;
  return i >= 0 ? samples[i].value : 0;
}

/**
 * A file path's last component.
 * @param {string | null} file
 */
export function basename(file) {
  if (!file) return "";
  const i = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return file.slice(i + 1);
}

/**
 * A task's name in the user's words: its own name, or for an unnamed "Task-9" its coroutine.
 * @param {AioTask} task
 */
export function taskLabel(task) {
  if (!/^Task-\d+$/.test(task.name) || !task.coro) return task.name;
  const coro = task.coro.split(".").filter((p) => p !== "<locals>");
  return `${task.name} · ${coro.at(-1)}`;
}

/**
 * Whole-run asyncio figures for the page's data attributes.
 * @param {AioFacts} aio
 */
export function summarizeAio(aio) {
  const sites = [...new Set([...aio.yieldSites.values()].map((s) => `${basename(s.file)}:${s.line}`))];
  sites.sort((a, b) => {
    const [fa, la] = splitSite(a);
    const [fb, lb] = splitSite(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb;
  });
  return {
    tasks: aio.tasks.size,
    steps: aio.steps.length,
    blocked: aio.blocked.length,
    yieldSites: sites,
  };
}

/** @param {string} site */
function splitSite(site) {
  const i = site.lastIndexOf(":");
  return /** @type {[string, number]} */ ([site.slice(0, i), Number(site.slice(i + 1))]);
}

/**
 * Remove and return the newest item at time t (searching back from the end).
 * @template {{t: number}} T
 * @param {T[]} items
 * @param {number} t
 * @returns {T | null}
 */
function popMatching(items, t) {
  for (let i = items.length - 1; i >= 0 && items[i].t >= t; i--) {
    if (items[i].t === t) return items.splice(i, 1)[0];
  }
  return null;
}

/**
 * Remove `item` (by identity), searching back from the end where it almost always is.
 * @template T
 * @param {T[]} items
 * @param {T} item
 */
function removeFromEnd(items, item) {
  const i = items.lastIndexOf(item);
  if (i >= 0) items.splice(i, 1);
}
