// @ts-check
/**
 * Tooltip text for a Future's facts (v6): a wait (the call as written, what it waited on and
 * how it ended), a done-callback (its name and the thread that really ran it), a deadlock (its
 * wait-for chain, task → future → task) and a future's own states.
 */
import { callText, chainText, timeoutAt } from "../../model/pools/futures.js";
import { formatDuration, formatTime } from "../core/format.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Task} Task */
/** @typedef {import("../../model/pools/futures.js").FutureWait} FutureWait */
/** @typedef {import("../../model/pools/futures.js").FutureCallback} FutureCallback */
/** @typedef {import("../../model/pools/futures.js").Deadlock} Deadlock */
/** @typedef {import("../core/describe.js").Description} Description */

/** How each wait ended, in words. */
const OUTCOMES = Object.freeze({
  done: "returned: what it waited for is done",
  timeout: "TimeoutError: the timeout passed first",
  cancelled: "CancelledError: the future was cancelled",
  error: "raised: the wait itself failed",
  interrupted: "interrupted (KeyboardInterrupt or the like)",
});

/**
 * A future's state, as the Future API names it: pending (submitted, not started), running,
 * finished (with a result or an exception), cancelled.
 * @param {Task | undefined} task
 */
export function futureState(task) {
  if (!task || task.submittedT === null && task.startedT === null) return "not submitted (yet)";
  if (task.finishedT !== null) return task.ok ? "finished with a result" : "finished with an exception";
  if (task.cancelledT !== null) return "cancelled";
  if (task.startedT !== null) return "running";
  return "pending";
}

/**
 * "W1 (ThreadPoolExecutor-0_0)" or the thread's name alone when it has no lane.
 * @param {TimelineModel} model
 * @param {number | null} worker
 * @param {string} thread
 */
function threadText(model, worker, thread) {
  if (worker === null) return `${thread} (no lane)`;
  const lane = model.lanes.byWorker.get(worker);
  return `W${worker} (${lane?.name ?? thread})`;
}

/**
 * @param {TimelineModel} model
 * @param {FutureWait} w
 * @param {number} nowT
 * @returns {Description}
 */
export function describeWait(model, w, nowT) {
  const on = w.tasks.slice(0, 6).map((id) => `#${id} (${futureState(model.tasks.get(id))})`);
  if (w.tasks.length > 6) on.push(`… ${w.tasks.length - 6} more`);
  const at = timeoutAt(w);
  const end = w.endT ?? nowT;
  /** @type {[string, string][]} */
  const rows = [
    ["call", callText(w)],
    ["waits on", on.join(", ") || "nothing"],
    ["waiting", w.task !== null ? `task #${w.task} on ${threadText(model, w.worker, w.thread)}` : threadText(model, w.worker, w.thread)],
    ["began", formatTime(w.t)],
    ["waited", formatDuration(end - w.t) + (w.endT === null ? " so far" : "")],
    ["timeout", at === null ? "none: waits as long as it takes" : `${w.timeoutS} s, ${w.outcome === "timeout" ? "fired" : "fires"} at ${formatTime(at)}`],
    ["outcome", w.outcome === null ? "still waiting" : OUTCOMES[w.outcome]],
  ];
  return {
    title: `${w.thread} waits in ${callText(w)}`,
    rows,
    note: "The waiting thread is blocked: it runs nothing else until the call returns or raises.",
  };
}

/**
 * @param {TimelineModel} model
 * @param {FutureCallback} c
 * @returns {Description}
 */
export function describeCallback(model, c) {
  /** @type {[string, string][]} */
  const rows = [
    ["future of", `task #${c.task} (${futureState(model.tasks.get(c.task))})`],
    ["ran on", threadText(model, c.worker, c.thread)],
    ["thread ident", String(c.threadIdent)],
    ["began", formatTime(c.t)],
    ["took", formatDuration(c.durNs)],
  ];
  if (!c.ok) rows.push(["raised", "yes: the future logged it and went on"]);
  return {
    title: `Done-callback ${c.name}`,
    rows,
    note: "A done-callback runs on the thread that finished the future (a pool worker), or at " +
      "once on the thread that adds it to a future already done.",
  };
}

/**
 * @param {TimelineModel} model
 * @param {Deadlock} d
 * @returns {Description}
 */
export function describeDeadlock(model, d) {
  /** @type {[string, string][]} */
  const rows = [["at", formatTime(d.t)], ["chain", chainText(d)]];
  for (const [waiting, awaited] of d.chain) {
    // Its state at the deadlock, not now (a timeout may have let it start since).
    const started = model.tasks.get(awaited)?.startedT ?? null;
    const why = started === null || started > d.t ? "pending: no worker is free to start it" : "running, and waiting itself";
    rows.push([`#${waiting} waits on`, `the future of #${awaited}, ${why}`]);
  }
  return { title: `Deadlock in pool ${d.pool}`, rows, note: d.message };
}

/**
 * A future's states and who looked at it.
 * @param {TimelineModel} model
 * @param {number} id
 * @param {number} nowT
 * @returns {Description}
 */
export function describeFuture(model, id, nowT) {
  const task = model.tasks.get(id);
  /** @type {[string, string][]} */
  const rows = [["state", futureState(task)]];
  if (task) {
    rows.push(["submitted", formatTime(task.submittedT)]);
    if (task.startedT !== null) {
      rows.push(["pending for", formatDuration(task.startedT - (task.submittedT ?? task.startedT))]);
      rows.push(["started", `${formatTime(task.startedT)}${task.worker !== null ? ` on W${task.worker}` : ""}`]);
    } else if (task.submittedT !== null && task.cancelledT === null) {
      rows.push(["pending for", `${formatDuration(nowT - task.submittedT)} so far`]);
    }
    if (task.finishedT !== null) {
      rows.push(["finished", formatTime(task.finishedT)]);
      rows.push(task.ok ? ["result", task.result ?? "–"] : ["exception", task.error ?? "–"]);
    }
    if (task.cancelledT !== null) rows.push(["cancelled", `${formatTime(task.cancelledT)} (${task.cancelReason ?? "cancel()"})`]);
  }
  const waits = model.futures.waitsOn(id);
  for (const w of waits.slice(0, 4)) {
    const who = w.task !== null ? `#${w.task}` : w.thread;
    rows.push(["awaited by", `${who} in ${callText(w)} at ${formatTime(w.t)}`]);
  }
  for (const c of model.futures.callbacksOf(id).slice(0, 4)) {
    rows.push(["callback", `${c.name} on ${threadText(model, c.worker, c.thread)}`]);
  }
  return {
    title: `Future of task #${id}`,
    rows,
    note: "A future is pending until a worker starts it, running, then finished with a result " +
      "or an exception; cancel() succeeds only while it is pending.",
  };
}
