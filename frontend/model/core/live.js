// @ts-check
/**
 * The live run as the page shows it: its current time between batches, and its state.
 *
 * - The clock estimates run time between batches so running tasks grow smoothly instead of
 *   jumping every 30 ms, without trusting the server's wall clock (the viewer may run on
 *   another machine whose clock is off).
 * - The state is reconciled from two sources: the server's status messages (which run ahead: a
 *   new run is "running" before its first event arrives) and the events themselves (run_ended
 *   is final for the run it belongs to).
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

/** @typedef {import("../../protocol.js").RunStatus} RunStatus */
/** @typedef {"idle" | "running" | "ended"} RunState */

/**
 * State and id of the run on screen.
 * @param {{runId: string | null, ended: boolean}} model what the events say
 * @param {RunStatus | null} status what the server last said
 * @returns {{state: RunState, runId: string | null}}
 */
export function deriveRunState(model, status) {
  if (status && status.run_id !== model.runId) {
    // The server has moved on to a run whose events have not arrived yet.
    return { state: status.state === "ended" ? "ended" : "running", runId: status.run_id };
  }
  if (model.runId === null) return { state: "idle", runId: null };
  if (model.ended) return { state: "ended", runId: model.runId };
  if (status && status.state === "ended") return { state: "ended", runId: model.runId };
  return { state: "running", runId: model.runId };
}
