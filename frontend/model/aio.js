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
 * Waiters are derived, not reported: a task whose step yielded with waits_on X waits on X from
 * that step's end until its next step starts (or the run's end, or now).
 *
 * Rules it keeps: every list is sorted by time whatever order events arrive in (sorted.js);
 * waiter counts are kept incrementally while each task's steps arrive in order (the lab records
 * them in order) and rebuilt once, lazily, after one lands out of order.
 */
import { insertSorted, lowerBound, upperBound } from "./sorted.js";

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
/**
 * @typedef {object} AioBlocked
 * @property {number} t          when the step began
 * @property {number} task
 * @property {number} dur        ns blocked (so far, while ongoing)
 * @property {string | null} file
 * @property {number | null} line
 * @property {string} source     the text of that line
 * @property {boolean} ongoing
 */
/** @typedef {{t: number, dur: number, ioEvents: number}} AioIdle */
/** @typedef {{t: number, value: number}} Sample */
/** @typedef {{name: string, maxsize: number, samples: Sample[], max: number}} AioQueue */
/**
 * @typedef {object} SyncObject
 * @property {string} name          e.g. "queue jobs", "lock log lock"
 * @property {{t: number, d: number}[]} deltas  +1 where a wait begins, -1 where it ends, by time
 * @property {number} max           most waiters at once (valid once counts() ran)
 */

/** @param {{t: number}} x */
const byTime = (x) => x.t;

/** The key of a step (or of the slow-step report about it). */
const stepKey = (/** @type {number} */ task, /** @type {number} */ t) => `${task}:${t}`;

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
    /** @type {AioBlocked[]} final slow-step reports (ongoing false), by time */
    this.blocked = [];
    /** @type {Map<number, AioBlocked>} per task, the report of a step still blocking the loop */
    this.ongoing = new Map();
    /** @type {Map<number, {task: number | null, t: number}>} pool task id -> who offloaded it */
    this.offloads = new Map();
    /** @type {Map<string, AioQueue>} watched asyncio.Queues, in order of first report */
    this.queues = new Map();
    /** @type {Map<string, SyncObject>} sync objects waited on, in order of first wait */
    this.sync = new Map();
    /** @type {Map<string, {file: string, line: number, count: number}>} "file:line" -> yields */
    this.yieldSites = new Map();
    /** @type {Sample[]} the slow-step threshold in ns from each time on */
    this.thresholds = [];
    /** Longest step seen (ns). */
    this.longestStep = 0;
    /** @type {Map<string, AioStep>} */
    this._stepsByKey = new Map();
    /** @type {Map<string, AioBlocked>} final reports whose step has not arrived yet */
    this._unmatched = new Map();
    this._syncDirty = false;
    /** @type {{n: number, m: number, series: Sample[]} | null} */
    this._readyMemo = null;
  }

  /** Whether any asyncio event was seen. */
  get seen() {
    return this.tasks.size > 0 || this.steps.length > 0 || this.idle.length > 0;
  }

  /**
   * The threshold the run started with.
   * @param {Record<string, any> | null} config
   */
  configure(config) {
    const ms = config?.slow_step_ms;
    if (typeof ms === "number") insertSorted(this.thresholds, { t: 0, value: ms * 1e6 }, byTime);
  }

  /**
   * A live change of the slow-step threshold.
   * @param {number} t
   * @param {number} ms
   */
  thresholdChanged(t, ms) {
    insertSorted(this.thresholds, { t, value: Number(ms) * 1e6 }, byTime);
  }

  /**
   * The slow-step threshold (ns) in force at t (50 ms when the run never said).
   * @param {number} t
   */
  thresholdAt(t) {
    const i = upperBound(this.thresholds, t, byTime) - 1;
    return i >= 0 ? this.thresholds[i].value : this.thresholds.length ? this.thresholds[0].value : 50e6;
  }

  /**
   * Whether a step blocked the loop: the lab reported it, or it ran longer than the slow-step
   * threshold in force when it ended (the lab checks each step as it ends, with the threshold
   * it has then).
   * @param {AioStep} step
   */
  isSlow(step) {
    return step.blocked !== null || step.dur > this.thresholdAt(step.end);
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
    const key = stepKey(ev.task, ev.t);
    /** @type {AioStep} */
    const step = {
      t: ev.t, dur: ev.dur_ns, end: ev.t + ev.dur_ns, task: ev.task, file: ev.file ?? null,
      line: ev.line ?? null, awaiting: ev.awaiting ?? "", waitsOn: ev.waits_on ?? null,
      outcome: ev.outcome, blocked: this._unmatched.get(key) ?? null,
    };
    this._unmatched.delete(key);
    this._stepsByKey.set(key, step);
    insertSorted(this.steps, step, byTime);
    if (step.dur > this.longestStep) this.longestStep = step.dur;
    const task = this.task(ev.task);
    const at = insertSorted(task.steps, step, byTime);
    // A step that ended also ends the blocking it was reported for.
    const open = this.ongoing.get(ev.task);
    if (open && open.t === ev.t) this.ongoing.delete(ev.task);
    if (step.outcome === "yield" && step.file !== null && step.line !== null) {
      const site = `${step.file}:${step.line}`;
      const known = this.yieldSites.get(site);
      if (known) known.count++;
      else this.yieldSites.set(site, { file: step.file, line: step.line, count: 1 });
    }
    if (step.waitsOn !== null) this._syncObject(step.waitsOn);
    if (this._syncDirty || at !== task.steps.length - 1) {
      this._syncDirty = true;
      return;
    }
    // In order: this step ends the previous step's wait, and may begin one of its own.
    const prev = at > 0 ? task.steps[at - 1] : null;
    if (prev && prev.outcome === "yield" && prev.waitsOn !== null) {
      insertSorted(this._syncObject(prev.waitsOn).deltas, { t: step.t, d: -1 }, byTime);
    }
    if (step.outcome === "yield" && step.waitsOn !== null) {
      insertSorted(this._syncObject(step.waitsOn).deltas, { t: step.end, d: 1 }, byTime);
    }
  }

  /** @param {{t: number, task: number, outcome: string, error: string | null, steps: number}} ev */
  taskDone(ev) {
    this.task(ev.task).done = { t: ev.t, outcome: ev.outcome, error: ev.error ?? null, steps: ev.steps };
    this.ongoing.delete(ev.task);
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

  /** @param {{t: number, task: number, dur_ns: number, file: string | null, line: number | null, source: string, ongoing: boolean}} ev */
  blockedReport(ev) {
    /** @type {AioBlocked} */
    const r = {
      t: ev.t, task: ev.task, dur: ev.dur_ns, file: ev.file ?? null, line: ev.line ?? null,
      source: ev.source ?? "", ongoing: Boolean(ev.ongoing),
    };
    const key = stepKey(r.task, r.t);
    if (r.ongoing) {
      // Only while its step has not been reported: a late "still blocking" changes nothing.
      const prev = this.ongoing.get(r.task);
      if (!this._stepsByKey.has(key) && !(prev && prev.t === r.t && prev.dur >= r.dur)) {
        this.ongoing.set(r.task, r);
      }
      return;
    }
    insertSorted(this.blocked, r, byTime);
    const open = this.ongoing.get(r.task);
    if (open && open.t === r.t) this.ongoing.delete(r.task);
    const step = this._stepsByKey.get(key);
    if (step) step.blocked = r;
    else this._unmatched.set(key, r);
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
   * Waiter count over time for each sync object: rebuilds the counts once after an
   * out-of-order step, else returns what was kept as steps arrived.
   * @returns {Map<string, SyncObject>}
   */
  syncObjects() {
    if (this._syncDirty) {
      for (const obj of this.sync.values()) obj.deltas = [];
      for (const task of this.taskList) {
        const steps = task.steps;
        for (let i = 0; i < steps.length; i++) {
          const s = steps[i];
          if (s.outcome !== "yield" || s.waitsOn === null) continue;
          const obj = this._syncObject(s.waitsOn);
          obj.deltas.push({ t: s.end, d: 1 });
          if (i + 1 < steps.length) obj.deltas.push({ t: steps[i + 1].t, d: -1 });
        }
      }
      for (const obj of this.sync.values()) obj.deltas.sort((a, b) => a.t - b.t || a.d - b.d);
      this._syncDirty = false;
    }
    for (const obj of this.sync.values()) obj.max = maxOf(waiterSamples(obj));
    return this.sync;
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

  /** @param {string} name */
  _syncObject(name) {
    let obj = this.sync.get(name);
    if (!obj) {
      obj = { name, deltas: [], max: 0 };
      this.sync.set(name, obj);
    }
    return obj;
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
 * A sync object's waiter deltas as a step function: [{t, value}] with the count after each.
 * @param {SyncObject} obj
 * @returns {Sample[]}
 */
export function waiterSamples(obj) {
  // Asked every frame for every track: worked out again only when the deltas changed.
  const memo = SERIES.get(obj);
  if (memo && memo.deltas === obj.deltas && memo.n === obj.deltas.length) return memo.series;
  const out = [];
  let n = 0;
  for (const d of obj.deltas) {
    n += d.d;
    if (out.length && out[out.length - 1].t === d.t) out[out.length - 1].value = n;
    else out.push({ t: d.t, value: n });
  }
  SERIES.set(obj, { deltas: obj.deltas, n: obj.deltas.length, series: out });
  return out;
}

/** @type {WeakMap<SyncObject, {deltas: {t: number, d: number}[], n: number, series: Sample[]}>} */
const SERIES = new WeakMap();

/** @param {Sample[]} samples */
function maxOf(samples) {
  let max = 0;
  for (const s of samples) if (s.value > max) max = s.value;
  return max;
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
