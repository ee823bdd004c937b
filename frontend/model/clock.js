// @ts-check
/**
 * The live clock: estimates the run's current time between batches so running tasks grow
 * smoothly instead of jumping every 30 ms, without trusting the server's wall clock (the viewer
 * may run on another machine whose clock is off).
 */

/** Maps the browser's monotonic clock onto run time. */
export class LiveClock {
  constructor() {
    /** Smallest (browser ns - run ns) seen: events are at least this old when they arrive. */
    this._offset = Infinity;
  }

  /** Forget the offset (a new run starts its own t = 0). */
  reset() {
    this._offset = Infinity;
  }

  /**
   * Note that events up to run time `maxT` had arrived by browser time `wallMs`.
   * @param {number} maxT ns since the run started
   * @param {number} wallMs browser monotonic time, e.g. performance.now()
   */
  observe(maxT, wallMs) {
    const offset = wallMs * 1e6 - maxT;
    if (offset < this._offset) this._offset = offset;
  }

  /**
   * The run's current time: the newest event while nothing is known, the end once it ended.
   * @param {number} wallMs
   * @param {{maxT: number, endedT: number | null}} model
   */
  now(wallMs, model) {
    if (model.endedT !== null) return Math.max(model.endedT, model.maxT);
    if (!Number.isFinite(this._offset)) return model.maxT;
    return Math.max(model.maxT, wallMs * 1e6 - this._offset);
  }
}
