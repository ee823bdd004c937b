// @ts-check
/**
 * Tooltip text for a worker's thread-state strip (v3): what the thread was doing at the pointer
 * in words ("W3 waiting for the GIL"), since when and for how long, what /proc itself said and
 * what the GIL lane added, the mix inside a crowded pixel, and the worker's whole-run split.
 */
import { holderName } from "../../model/gil/holders.js";
import { DISPLAYED_STATES, RAW_LABELS, STATE_LABELS } from "../../model/gil/threadstates.js";
import { formatDuration, formatTime } from "../core/format.js";
import { percent } from "../core/format.js";
import { stateEndT } from "./statestrip.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../core/describe.js").Description} Description */
/**
 * @typedef {{lane: Lane, t: number, col: [number, number],
 *   span: {code: number, from: number, to: number, index: number}}} StateHit
 */

const NOTE =
  "Read from /proc every ~5 ms, so a change shows up to 5 ms late; holding the GIL or not " +
  "comes from the GIL lane, which looks far more often.";

/** Why a worker is in each displayed state, in a few words. */
const MEANING = Object.freeze({
  holding_gil: "it runs Python code; no other thread of its process can",
  cpu_without_gil: "C code that released the GIL runs in parallel",
  on_cpu: "on a CPU or ready for one; whether it holds the GIL is not known here",
  gil_wait: "ready to run Python code, blocked until it gets the GIL",
  lock_wait: "blocked on a lock other than the GIL (an idle pool worker waits on its queue)",
  sleeping: "time.sleep, a timer or another wait",
  io: "waiting for a socket, a pipe or a file",
  other: "disk wait, or a state /proc could not tell",
});

/**
 * @param {TimelineModel} model
 * @param {StateHit} hit
 * @param {number} nowT
 * @returns {Description}
 */
export function describeThreadState(model, hit, nowT) {
  const { lane, t, span } = hit;
  const facts = model.threads;
  const ws = facts.workers.get(lane.worker);
  const state = DISPLAYED_STATES[span.code];
  const who = `W${lane.worker}`;
  if (!ws) return { title: who, rows: [] };
  const endT = stateEndT(model, lane, nowT);
  const open = span.to >= endT && lane.exitedT === null && model.endedT === null;
  const length = `${formatDuration(span.to - span.from)}${open ? " so far" : ""}`;
  /** @type {[string, string][]} */
  const rows = [["since", `${formatTime(span.from)}, for ${length}`]];
  rows.push(["why", state === "cpu_without_gil" ? MEANING[state] + releaserHint(model) : MEANING[state]]);
  const c = ws.changes[span.index];
  if (c) {
    const call = c.syscall !== null ? `, in system call ${c.syscall}` : "";
    rows.push(["/proc said", `${RAW_LABELS[/** @type {keyof RAW_LABELS} */ (c.state)] ?? c.state}${call}, seen at ${formatTime(c.t)}`]);
  }
  const track = facts.trackOf(ws);
  const g = track ? track.indexAt(t) : -1;
  rows.push(["GIL held by", !track ? "– (no GIL lane for its process)" : g >= 0 ? holderName(track.changes[g].key) : "not sampled yet"]);
  const task = taskAt(lane, t, nowT);
  if (task) rows.push(["task", `#${task.id}`]);
  const col = facts.statsBetween(ws, hit.col[0], hit.col[1], endT);
  if (col.filter((v) => v > 0).length > 1) {
    rows.push(["this pixel", `${formatDuration(hit.col[1] - hit.col[0])}: ${mixLine(col, 3)}`]);
  }
  rows.push(["whole run", mixLine(facts.totals(ws, endT), 3)]);
  return { title: `${who} ${STATE_LABELS[state]}`, rows, note: NOTE };
}

/**
 * The worker's whole-run split, for its lane's tooltip ([] when it has no states).
 * @param {TimelineModel} model
 * @param {Lane} lane
 * @param {number} nowT
 * @returns {[string, string][]}
 */
export function stateRows(model, lane, nowT) {
  const facts = model.threads;
  const ws = facts.workers.get(lane.worker);
  if (facts.unavailable) return [["thread states", "not shown: /proc could not be read"]];
  if (!ws) return [];
  return [["thread states", mixLine(facts.totals(ws, stateEndT(model, lane, nowT)), 4)]];
}

/**
 * Time per displayed state as one line, largest first: "waiting for the GIL 52 % · …".
 * @param {Float64Array} ns  by code
 * @param {number} [max]
 */
export function mixLine(ns, max = 8) {
  const total = ns.reduce((s, v) => s + v, 0);
  if (total <= 0) return "–";
  return [...ns.keys()]
    .filter((c) => ns[c] > 0)
    .sort((a, b) => ns[b] - ns[a])
    .slice(0, max)
    .map((c) => `${STATE_LABELS[DISPLAYED_STATES[c]]} ${percent(ns[c] / total)}`)
    .join(" · ");
}

/**
 * The task the worker was running at t, if any.
 * @param {Lane} lane
 * @param {number} t
 * @param {number} nowT
 */
function taskAt(lane, t, nowT) {
  for (let i = lane.firstEndingAfter(t); i < lane.tasks.length; i++) {
    const task = lane.tasks[i];
    if (/** @type {number} */ (task.startedT) > t) break;
    if (t <= (task.finishedT ?? task.cancelledT ?? nowT)) return task;
  }
  return null;
}

/**
 * Which C code released the GIL: hashlib, when the run's workload hashes.
 * @param {TimelineModel} model
 */
function releaserHint(model) {
  const workload = model.config?.workload;
  if (workload === "hash" || workload === "mixed") return " (hashlib releases it while it hashes)";
  return " (such as hashlib or zlib)";
}
