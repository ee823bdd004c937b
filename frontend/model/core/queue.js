// @ts-check
/**
 * Queue depth as an exact step function of task events: each task adds +1 when submitted and
 * -1 when it starts or is cancelled. Moving a task between pools leaves it queued, so a move does
 * not change the depth. Deriving the steps from task events (rather than trusting sampled
 * queue_depth events) keeps the track exact and independent of batch arrival order.
 */
import { insertSorted, lowerBound, removeSorted, upperBound } from "./sorted.js";

/** @typedef {{t: number, d: number}} QueueStep */

/** @param {QueueStep} p */
const stepTime = (p) => p.t;

/** Exact queue depth over time, updated one task span at a time. */
export class QueueTrack {
  constructor() {
    /** @type {QueueStep[]} steps sorted by time; equal times keep arrival order */
    this.steps = [];
    /** @type {Map<number, {enter: QueueStep | null, leave: QueueStep | null}>} */
    this._spans = new Map();
    /** @type {number[]} depth after steps[i] and every step before it */
    this._depths = [];
    /** First index of `_depths` that is stale. */
    this._dirtyFrom = 0;
    this._max = 0;
  }

  /**
   * Set the time a task entered the queue and the time it left (null while still queued).
   * @param {number} task
   * @param {number | null} enterT
   * @param {number | null} leaveT
   */
  setSpan(task, enterT, leaveT) {
    let span = this._spans.get(task);
    if (!span) {
      span = { enter: null, leave: null };
      this._spans.set(task, span);
    }
    // A task that left before it (apparently) entered is a clock-order glitch: clamp, never
    // let the depth go negative.
    if (enterT !== null && leaveT !== null && leaveT < enterT) leaveT = enterT;
    span.enter = this._replace(span.enter, enterT, +1);
    // A task only leaves the queue if it entered it.
    span.leave = this._replace(span.leave, enterT === null ? null : leaveT, -1);
  }

  /**
   * Forget a task altogether (a replay stepped back to before it was submitted).
   * @param {number} task
   */
  forget(task) {
    this.setSpan(task, null, null);
    this._spans.delete(task);
  }

  /**
   * Swap one step for another at a new time (or none); unchanged times cost nothing.
   * @param {QueueStep | null} old
   * @param {number | null} t
   * @param {number} d
   * @returns {QueueStep | null}
   */
  _replace(old, t, d) {
    if (old && old.t === t) return old;
    if (old) {
      this._markDirty(lowerBound(this.steps, old.t, stepTime));
      removeSorted(this.steps, old, stepTime);
    }
    if (t === null) return null;
    const step = { t, d };
    this._markDirty(insertSorted(this.steps, step, stepTime));
    return step;
  }

  /** @param {number} index */
  _markDirty(index) {
    this._dirtyFrom = Math.max(0, Math.min(this._dirtyFrom, index));
  }

  /** Bring the cumulative depths up to date (only from the first changed step onwards). */
  _refresh() {
    const n = this.steps.length;
    if (this._dirtyFrom >= n && this._depths.length === n) return;
    const depths = this._depths;
    depths.length = n;
    let depth = this._dirtyFrom > 0 ? depths[this._dirtyFrom - 1] : 0;
    for (let i = this._dirtyFrom; i < n; i++) {
      depth += this.steps[i].d;
      depths[i] = depth;
    }
    // The maximum can shrink when a step moves, so it is recomputed over all depths; this is a
    // single pass over numbers, cheap next to drawing.
    let max = 0;
    for (let i = 0; i < n; i++) if (depths[i] > max) max = depths[i];
    this._max = max;
    this._dirtyFrom = n;
  }

  /** Depths after each step, aligned with `steps` (read-only). */
  depths() {
    this._refresh();
    return this._depths;
  }

  /** The highest depth ever reached. */
  max() {
    this._refresh();
    return this._max;
  }

  /**
   * Depth at time t, counting every step at or before t.
   * @param {number} t
   */
  depthAt(t) {
    this._refresh();
    const i = upperBound(this.steps, t, stepTime);
    return i === 0 ? 0 : this._depths[i - 1];
  }

  /** Depth after the newest step. */
  current() {
    this._refresh();
    const n = this._depths.length;
    return n === 0 ? 0 : this._depths[n - 1];
  }
}
