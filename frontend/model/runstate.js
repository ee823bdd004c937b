// @ts-check
/**
 * The run's state as the page shows it, reconciled from two sources: the server's status
 * messages (which can run ahead: a new run is "running" before its first event arrives) and
 * the events themselves (run_ended is final for the run it belongs to).
 */

/** @typedef {import("../protocol.js").RunStatus} RunStatus */
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
