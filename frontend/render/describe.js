// @ts-check
/**
 * Tooltip text for whatever is hovered: plain title + rows, in the user's words (task, worker,
 * queue wait), so the DOM layer only lays them out.
 */
import { formatBytes, formatDuration, formatTime } from "./format.js";

/** @typedef {import("../model/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../model/lanes.js").Task} Task */
/** @typedef {import("../model/lanes.js").Lane} Lane */
/** @typedef {import("./pick.js").Hit} Hit */
/** @typedef {{title: string, rows: [string, string][], note?: string}} Description */

/**
 * Describe a hit for the tooltip.
 * @param {TimelineModel} model
 * @param {Hit} hit
 * @param {number} nowT
 * @returns {Description}
 */
export function describe(model, hit, nowT) {
  switch (hit.type) {
    case "task":
      return describeTask(model, hit.task, nowT);
    case "lane":
      return describeLane(hit.lane);
    case "marker":
      return hit.placed.type === "end" || !hit.placed.marker
        ? describeEnd(model)
        : describeMarker(model, hit.placed.marker);
    case "queue":
      return {
        title: `Queue at ${formatTime(hit.t)}`,
        rows: [
          ["waiting tasks", String(hit.depth)],
          ...(hit.moved ? [["moved here", `${hit.moved} to a new pool`]] : []),
          ...(hit.cancelled ? [["cancelled here", String(hit.cancelled)]] : []),
        ].map((r) => /** @type {[string, string]} */ (r)),
        note: "Tasks submitted and not yet started by a worker.",
      };
    default:
      return { title: "", rows: [] };
  }
}

/**
 * @param {TimelineModel} model
 * @param {Task} task
 * @param {number} nowT
 * @returns {Description}
 */
export function describeTask(model, task, nowT) {
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
    rows.push(["chunk", `${range}${mapId !== null ? ` of map() #${mapId}` : ""}`]);
  }
  if (task.args) rows.push(["args", task.args]);
  for (const s of task.serialized) {
    const verb = s.op === "dumps" ? "pickle" : "unpickle";
    rows.push([`${verb} ${s.what}`, `${formatDuration(s.durationNs)} · ${formatBytes(s.nbytes)} (${s.side})`]);
  }
  if (task.ok === true) rows.push(["result", task.result ?? "None"]);
  if (task.ok === false) rows.push(["exception", task.error ?? "(unknown)"]);
  const outcome =
    task.state === "ok" ? "ok" : task.state === "error" ? "raised" : task.state;
  return { title: `Task #${task.id} · ${outcome}`, rows };
}

/**
 * @param {Lane} lane
 * @returns {Description}
 */
export function describeLane(lane) {
  return {
    title: `Worker W${lane.worker}`,
    rows: [
      ["pool", lane.pool === null ? "–" : String(lane.pool)],
      [lane.executor === "processes" ? "process" : "thread", lane.name ?? "–"],
      [lane.executor === "processes" ? "pid" : "OS thread id", String(lane.pid ?? lane.nativeId ?? "–")],
      ["spawned", formatTime(lane.spawnedT)],
      ["exited", lane.exitedT === null ? "still alive" : formatTime(lane.exitedT)],
      ["tasks run", String(lane.tasks.length)],
      ...laneExtras(lane),
    ],
  };
}

/**
 * Process-only facts (v2): start-up time, exit code, memory.
 * @param {Lane} lane
 * @returns {[string, string][]}
 */
function laneExtras(lane) {
  /** @type {[string, string][]} */
  const rows = [];
  if (lane.readyT !== null && lane.spawnedT !== null) {
    rows.push(["start-up", formatDuration(lane.readyT - lane.spawnedT)]);
  }
  if (lane.exitcode !== null) {
    rows.push(["exit code", lane.exitcode < 0 ? `${lane.exitcode} (killed by signal ${-lane.exitcode})` : String(lane.exitcode)]);
  }
  if (lane.memory) rows.push(["memory (RSS)", formatBytes(lane.memory.rss)]);
  return rows;
}

/**
 * Explain a config change, with what the resize did when it is max_workers.
 * @param {TimelineModel} model
 * @param {import("../model/timeline.js").Marker} marker
 * @returns {Description}
 */
export function describeMarker(model, marker) {
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(marker.t)],
    ["changed", `${marker.field}: ${JSON.stringify(marker.old)} → ${JSON.stringify(marker.new)}`],
  ];
  let note = "A setting was changed while the run was going.";
  if (marker.field === "max_workers") {
    // The resize's new pool is the first pool created at or after the change.
    const pools = [...model.pools.values()]
      .filter((p) => p.createdT !== null && p.createdT >= marker.t)
      .sort((a, b) => /** @type {number} */ (a.createdT) - /** @type {number} */ (b.createdT));
    const pool = pools[0];
    if (pool) {
      const moved = model.moves.filter((m) => m.to === pool.pool).length;
      rows.push(["new pool", `pool ${pool.pool} with ${pool.maxWorkers ?? "?"} workers`]);
      rows.push(["tasks moved", String(moved)]);
    }
    note =
      "A thread pool cannot shrink, so a resize starts a new pool of the new size and moves the " +
      "tasks that have not started to it. The old pool's workers finish the task they are " +
      "running, then exit (their lanes turn grey).";
  }
  return { title: `Config change: ${marker.field}`, rows, note };
}

/**
 * @param {TimelineModel} model
 * @returns {Description}
 */
export function describeEnd(model) {
  /** @type {[string, string][]} */
  const rows = [
    ["at", formatTime(model.endedT)],
    ["reason", model.endReason ?? "–"],
  ];
  if (model.endMessage) rows.push(["message", model.endMessage]);
  return { title: "Run ended", rows };
}
