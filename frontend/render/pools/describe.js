// @ts-check
/**
 * Tooltip text for the pool views: a task or chunk, a worker lane, the lab lane and its
 * pickling marks, a memory sample and the queue, in the user's words (task, worker, queue wait).
 */
import { exitDescription, ipcCost, lostToBrokenPool, sampleAt } from "../../model/pools/processes.js";
import { runWorkerShare } from "../../model/gil/shares.js";
import { stateRows } from "../gil/describestates.js";
import { formatBytes, formatDuration, formatMB, formatTime, percent } from "../core/format.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/lanes.js").Task} Task */
/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../core/describe.js").Description} Description */

/**
 * The queue at the hovered time.
 * @param {{t: number, depth: number, moved: number, cancelled: number}} hit
 * @returns {Description}
 */
export function describeQueue(hit) {
  return {
    title: `Queue at ${formatTime(hit.t)}`,
    rows: [
      ["waiting tasks", String(hit.depth)],
      ...(hit.moved ? [["moved here", `${hit.moved} to a new pool`]] : []),
      ...(hit.cancelled ? [["cancelled here", String(hit.cancelled)]] : []),
    ].map((r) => /** @type {[string, string]} */ (r)),
    note: "Tasks submitted and not yet started by a worker.",
  };
}

/**
 * @param {TimelineModel} model
 * @param {Task} task
 * @param {number} nowT
 * @param {{index: number, t0: number, t1: number} | null} [item] the chunk's item under the pointer
 * @returns {Description}
 */
export function describeTask(model, task, nowT, item = null) {
  const lane = task.worker !== null ? model.lanes.byWorker.get(task.worker) : undefined;
  /** @type {[string, string][]} */
  const rows = [
    ["worker", lane ? `W${lane.worker}${lane.name ? ` (${lane.name})` : ""}` : "–"],
    ["submitted", formatTime(task.submittedT)],
    ["started", formatTime(task.startedT)],
    ["finished", task.finishedT !== null ? formatTime(task.finishedT) : "still running"],
  ];
  if (task.submittedT !== null && task.startedT !== null) {
    rows.push(["queue wait", formatDuration(task.startedT - task.submittedT)]);
  }
  if (task.startedT !== null) {
    const end = task.finishedT ?? nowT;
    rows.push(["run time", formatDuration(end - task.startedT) + (task.finishedT === null ? " so far" : "")]);
  }
  for (const m of task.moves) rows.push(["moved", `pool ${m.from} → pool ${m.to} at ${formatTime(m.t)}`]);
  if (task.chunk) {
    const { first, items, mapId } = task.chunk;
    const range = first !== null ? `items ${first}–${first + items - 1}` : `${items} items`;
    rows.push(["chunk", `${range} (${items} item${items === 1 ? "" : "s"})${mapId !== null ? ` of map() #${mapId}` : ""}`]);
    if (item) rows.push(["item here", `#${item.index}: ${formatDuration(item.t1 - item.t0)}, ended at ${formatTime(item.t1)}`]);
  }
  if (task.args) rows.push([task.chunk ? "items" : "args", task.args]);
  if (task.serialized.length > 0) {
    const cost = ipcCost(task);
    const sizes = `${formatBytes(cost.argsBytes)} to the worker, ${formatBytes(cost.resultBytes)} back`;
    rows.push(["IPC cost", `${formatDuration(cost.durationNs)} pickling (${cost.steps} of 4 steps) · ${sizes}`]);
  }
  if (task.serialized.length > 0) {
    // In the order they happen: lab pickles args → worker unpickles → worker pickles result → lab.
    const steps = task.serialized.map((s) => `${s.side === "parent" ? "lab" : "worker"} ${s.op} ${s.what} ${formatDuration(s.durationNs)}`);
    rows.push(["pickling", steps.join(" → ")]);
  }
  if (task.ok === true) rows.push(["result", task.result ?? "None"]);
  if (task.ok === false) rows.push(["exception", task.error ?? "(unknown)"]);
  const lost = lostToBrokenPool(task);
  const outcome =
    task.state === "ok" ? "ok" : lost ? "lost (pool broke)" : task.state === "error" ? "raised" : task.state;
  const kind = task.chunk ? "Chunk" : "Task";
  /** @type {Description} */
  const desc = { title: `${kind} #${task.id} · ${outcome}`, rows };
  if (lost) {
    desc.note = "Its worker process died, so the pool broke: every task it had not finished " +
      "fails with BrokenProcessPool and the tasks it had not started are cancelled.";
  } else if (task.chunk) {
    desc.note = "One chunk of map(): its items travel to the worker in one message and run " +
      "one after another there; the white lines are where each item ended.";
  }
  return desc;
}

/**
 * @param {Lane} lane
 * @param {TimelineModel} [model]
 * @param {number} [nowT]
 * @returns {Description}
 */
export function describeLane(lane, model, nowT) {
  return {
    title: `Worker W${lane.worker}`,
    rows: [
      ["pool", lane.pool === null ? "–" : String(lane.pool)],
      [lane.executor === "processes" ? "process" : "thread", lane.name ?? "–"],
      [lane.executor === "processes" ? "pid" : "OS thread id", String(lane.pid ?? lane.nativeId ?? "–")],
      ["spawned", formatTime(lane.spawnedT)],
      ["exited", lane.exitedT === null ? "still alive" : formatTime(lane.exitedT)],
      ["tasks run", String(lane.tasks.length)],
      ...laneExtras(lane, model, nowT ?? 0),
      ...gilRow(lane, model, nowT ?? 0),
      ...(model ? stateRows(model, lane, nowT ?? 0) : []),
    ],
  };
}

/**
 * v3: the worker's share of its interpreter's GIL over the whole run, when it has a GIL lane.
 * @param {Lane} lane
 * @param {TimelineModel | undefined} model
 * @param {number} nowT
 * @returns {[string, string][]}
 */
function gilRow(lane, model, nowT) {
  const share = model ? runWorkerShare(model, lane, nowT) : null;
  return share === null ? [] : [["GIL held", `${percent(share)} of the known time (whole run)`]];
}

/**
 * Process-only facts (v2): start-up time, busy and idle time, exit code, memory.
 * @param {Lane} lane
 * @param {TimelineModel | undefined} model
 * @param {number} nowT
 * @returns {[string, string][]}
 */
function laneExtras(lane, model, nowT) {
  /** @type {[string, string][]} */
  const rows = [];
  if (lane.readyT !== null && lane.spawnedT !== null) {
    rows.push(["start-up", `${formatDuration(lane.readyT - lane.spawnedT)} (spawn → ready)`]);
  }
  if (lane.readyT !== null) {
    const end = lane.exitedT ?? nowT;
    let busy = 0;
    for (const t of lane.tasks) busy += Math.min(t.finishedT ?? end, end) - /** @type {number} */ (t.startedT);
    const alive = Math.max(0, end - lane.readyT);
    rows.push(["busy / idle", `${formatDuration(busy)} / ${formatDuration(Math.max(0, alive - busy))} since ready`]);
  }
  if (lane.exitcode !== null) rows.push(["exit code", exitDescription(lane.exitcode)]);
  if (lane.brokePool) rows.push(["pool", "its death broke the pool"]);
  if (lane.memory) {
    const uss = lane.memory.uss !== null ? ` · USS ${formatMB(lane.memory.uss)}` : "";
    rows.push(["memory (newest)", `RSS ${formatMB(lane.memory.rss)}${uss}`]);
  }
  if (model && lane.executor === "processes") {
    const series = model.proc.series(lane.worker);
    if (series) rows.push(["peak RSS", formatMB(series.maxRss)]);
  }
  return rows;
}

/**
 * The lab lane: the parent process that submits, pickles and collects.
 * @param {TimelineModel} model
 * @param {number} nowT
 * @returns {Description}
 */
export function describeLab(model, nowT) {
  const spans = model.proc.parentSpans;
  let ns = 0;
  for (const s of spans) ns += s.durationNs;
  const newest = sampleAt(model.proc.series(null), nowT);
  /** @type {[string, string][]} */
  const rows = [
    ["pid", String(model.proc.labPid ?? "–")],
    ["pickling", `${spans.length} spans, ${formatDuration(ns)} in all`],
  ];
  if (newest) rows.push(["memory", memoryText(newest)]);
  return {
    title: "Lab process (the pool's parent)",
    rows,
    note: "Upper row: pickling each call's arguments on submit. Lower row: unpickling each " +
      "result when it comes back. The strip at the bottom is the lab's own memory.",
  };
}

/**
 * @param {import("../../model/pools/processes.js").PickleSpan} span
 * @param {Task | null} task
 * @returns {Description}
 */
export function describePickle(span, task) {
  const what = span.what === "args" ? "arguments" : "result";
  const verb = span.op === "dumps" ? "pickles" : "unpickles";
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(span.t)],
    ["took", formatDuration(span.durationNs)],
    ["size", formatBytes(span.nbytes)],
  ];
  if (task?.chunk) {
    const { first, items } = task.chunk;
    rows.push(["chunk", first !== null ? `items ${first}–${first + items - 1}` : `${items} items`]);
  }
  if (task && task.serialized.length > 0) {
    const cost = ipcCost(task);
    rows.push(["IPC cost", `${formatDuration(cost.durationNs)} in all · ${formatBytes(cost.argsBytes)} out, ${formatBytes(cost.resultBytes)} back`]);
  }
  return { title: `Lab ${verb} the ${what} of task #${span.task}`, rows };
}

/** @param {{rss: number, uss: number | null}} s */
function memoryText(s) {
  return `RSS ${formatMB(s.rss)}${s.uss !== null ? ` · USS ${formatMB(s.uss)}` : ""}`;
}

/**
 * @param {TimelineModel} model
 * @param {Lane | null} lane
 * @param {number} t
 * @param {import("../../model/pools/processes.js").MemorySample} sample
 * @returns {Description}
 */
export function describeMemory(model, lane, t, sample) {
  const series = model.proc.series(lane ? lane.worker : null);
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(t)],
    ["RSS", formatMB(sample.rss)],
    ["USS", formatMB(sample.uss)],
    ["sampled at", formatTime(sample.t)],
  ];
  if (series) rows.push(["peak RSS", formatMB(series.maxRss)], ["pid", String(series.pid)]);
  return {
    title: `Memory of ${lane ? `worker W${lane.worker}` : "the lab process"}`,
    rows,
    note: "RSS (light): all pages in RAM, shared ones included. USS (dark): pages only this " +
      "process holds, what it would free on exit.",
  };
}
