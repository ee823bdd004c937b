// @ts-check
/**
 * Who waits on which asyncio sync object (lock, queue, semaphore, event) over time (v4).
 * Waiters are derived, not reported: a task whose step yielded with waits_on X waits on X from
 * that step's end until its next step starts (or the run's end, or now).
 *
 * Rules it keeps: counts are kept incrementally while each task's steps arrive in order (the
 * lab records them in order) and rebuilt once, lazily, after one lands out of order; a count's
 * step function is worked out once per change, not once per frame.
 */
import { byTime, insertSorted, maxOf } from "../core/sorted.js";

/** @typedef {import("./loop.js").AioStep} AioStep */
/** @typedef {import("./loop.js").Sample} Sample */
/**
 * @typedef {object} SyncObject
 * @property {string} name          e.g. "queue jobs", "lock log lock"
 * @property {{t: number, d: number}[]} deltas  +1 where a wait begins, -1 where it ends, by time
 * @property {number} max           most waiters at once (valid once settled() ran)
 */

/** The waiter counts of every sync object a run's tasks waited on. */
export class SyncWaiters {
  constructor() {
    /** @type {Map<string, SyncObject>} in order of first wait */
    this.objects = new Map();
    this._dirty = false;
  }

  /**
   * A step was inserted at index `at` of its task's steps (sorted by time).
   * @param {AioStep[]} steps
   * @param {number} at
   */
  stepAdded(steps, at) {
    const step = steps[at];
    if (step.waitsOn !== null) this.object(step.waitsOn);
    if (this._dirty || at !== steps.length - 1) {
      this._dirty = true;
      return;
    }
    // In order: this step ends the previous step's wait, and may begin one of its own.
    const prev = at > 0 ? steps[at - 1] : null;
    if (prev && prev.outcome === "yield" && prev.waitsOn !== null) {
      insertSorted(this.object(prev.waitsOn).deltas, { t: step.t, d: -1 }, byTime);
    }
    if (step.outcome === "yield" && step.waitsOn !== null) {
      insertSorted(this.object(step.waitsOn).deltas, { t: step.end, d: 1 }, byTime);
    }
  }

  /**
   * A step was taken back (a replay stepping back): the objects are those waited on by the
   * steps left, in order of first wait, and their counts are rebuilt when next asked for.
   * @param {AioStep[]} steps  every step left, by time
   */
  stepRemoved(steps) {
    const names = new Set();
    for (const s of steps) if (s.waitsOn !== null) names.add(s.waitsOn);
    for (const name of this.objects.keys()) if (!names.has(name)) this.objects.delete(name);
    this._dirty = true;
  }

  /**
   * Every object with its deltas and most waiters at once: rebuilt from the tasks' steps once
   * after an out-of-order step, else what was kept as steps arrived.
   * @param {Iterable<{steps: AioStep[]}>} tasks
   * @returns {Map<string, SyncObject>}
   */
  settled(tasks) {
    if (this._dirty) {
      for (const obj of this.objects.values()) obj.deltas = [];
      for (const task of tasks) {
        const steps = task.steps;
        for (let i = 0; i < steps.length; i++) {
          const s = steps[i];
          if (s.outcome !== "yield" || s.waitsOn === null) continue;
          const obj = this.object(s.waitsOn);
          obj.deltas.push({ t: s.end, d: 1 });
          if (i + 1 < steps.length) obj.deltas.push({ t: steps[i + 1].t, d: -1 });
        }
      }
      for (const obj of this.objects.values()) obj.deltas.sort((a, b) => a.t - b.t || a.d - b.d);
      this._dirty = false;
    }
    for (const obj of this.objects.values()) obj.max = maxOf(waiterSamples(obj), (s) => s.value);
    return this.objects;
  }

  /**
   * The object called `name`, made on its first wait.
   * @param {string} name
   */
  object(name) {
    let obj = this.objects.get(name);
    if (!obj) {
      obj = { name, deltas: [], max: 0 };
      this.objects.set(name, obj);
    }
    return obj;
  }
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
