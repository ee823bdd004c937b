// @ts-check
/**
 * Tooltip text for the asyncio section (v4): yield points, steps, waits, idle time, tasks and
 * the small tracks, in the user's words ("client-2 yielded at aio_workloads.py:62 awaiting a
 * socket read").
 */
import { basename, sampleValueAt, taskLabel } from "../../model/aio/loop.js";
import { waiterSamples } from "../../model/aio/waiters.js";
import { blockedText, loopShares, waitText } from "./section.js";
import { formatDuration, formatTime } from "../core/format.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioTask} AioTask */
/** @typedef {import("../../model/aio/loop.js").AioStep} AioStep */
/** @typedef {import("./pick.js").AioHit} AioHit */
/** @typedef {import("../core/describe.js").Description} Description */
/** @typedef {[string, string][]} Rows */

/**
 * "aio_workloads.py:38", or "" when the step has no site.
 * @param {{file: string | null, line: number | null}} s
 */
export function siteText(s) {
  return s.file !== null && s.line !== null ? `${basename(s.file)}:${s.line}` : "";
}

/**
 * @param {TimelineModel} model
 * @param {number} id
 */
function nameOf(model, id) {
  const task = model.aio.tasks.get(id);
  return task ? task.name : `task ${id}`;
}

/**
 * Describe a hit in the asyncio section.
 * @param {TimelineModel} model
 * @param {AioHit} hit
 * @param {number} nowT
 * @returns {Description}
 */
export function describeAio(model, hit, nowT) {
  const aio = model.aio;
  switch (hit.type) {
    case "aio-yield":
      return describeYield(model, hit.step, nowT);
    case "aio-step":
      return describeStep(model, hit.step);
    case "aio-wait":
      return describeWait(model, hit.step, nowT);
    case "aio-idle":
      return {
        title: "The loop is idle, waiting in select",
        rows: [
          ["from", formatTime(hit.idle.t)],
          ["for", formatDuration(hit.idle.dur)],
          ["I/O events then", String(hit.idle.ioEvents)],
        ],
        note: "Nothing was ready to run: every task was waiting (for a timer, a socket, a " +
          "lock…). The loop sleeps in select until the next timer or I/O event.",
      };
    case "aio-ongoing":
      return {
        title: `${nameOf(model, hit.report.task)} is blocking the loop`,
        rows: [
          ["since", formatTime(hit.report.t)],
          ["so far", formatDuration((model.endedT ?? nowT) - hit.report.t)],
          ["at", `${siteText(hit.report)} ${hit.report.source}`.trim()],
        ],
        note: "This step has not given the loop back: no other task can run until it does.",
      };
    case "aio-loop": {
      /** @type {Rows} */
      const rows = [
        ["tasks", String(aio.tasks.size)],
        ["steps", String(aio.steps.length)],
        ["longest step", formatDuration(aio.longestStep)],
        ["slow-step threshold", formatDuration(aio.thresholdAt(nowT))],
        ["blocked the loop", `${aio.blocked.length} time${aio.blocked.length === 1 ? "" : "s"}`],
      ];
      const sh = loopShares(aio, 0, model.endedT ?? nowT);
      if (sh.span > 0) {
        rows.push(["busy / idle", `${pct(sh.busy / sh.span)} running steps · ${pct(sh.idle / sh.span)} idle in select (whole run)`]);
      }
      return {
        title: "Event loop (one thread)",
        rows,
        note: "Each coloured sliver is one step of a task: it runs until its next await, and " +
          "nothing else runs meanwhile. Hatched grey: the loop waits in select.",
      };
    }
    case "aio-task":
      return describeTask(model, hit.task, hit.t, nowT);
    case "aio-more":
      return {
        title: `${hit.hidden} more tasks`,
        rows: [["tasks in all", String(aio.tasks.size)]],
        note: "Only the first tasks get a row; every task's steps are on the event loop's lane.",
      };
    case "aio-track":
      return describeTrack(model, hit.track, hit.t, nowT);
    default:
      return { title: "", rows: [] };
  }
}

/** @param {number} x */
function pct(x) {
  return `${Math.round(x * 100)} %`;
}

/**
 * @param {TimelineModel} model
 * @param {AioStep} step
 * @param {number} nowT
 * @returns {Description}
 */
function describeYield(model, step, nowT) {
  const aio = model.aio;
  const next = aio.nextStep(step);
  const site = siteText(step);
  const where = site ? ` at ${site}` : "";
  /** @type {Rows} */
  const rows = [
    ["awaiting", step.awaiting || "–"],
    ["yielded at", formatTime(step.end)],
    ["after a step of", formatDuration(step.dur)],
  ];
  if (step.waitsOn) rows.push(["waits on", step.waitsOn]);
  const pool = aio.poolTaskOf(step);
  if (pool !== null) rows.push(["offloaded", waitText(step, pool, model)]);
  rows.push(["resumed", next ? `${formatTime(next.t)} (waited ${formatDuration(next.t - step.end)})` : `not yet (${formatDuration((model.endedT ?? nowT) - step.end)} so far)`]);
  return {
    title: `${nameOf(model, step.task)} yielded${where} awaiting ${step.awaiting || "something"}`,
    rows,
    note: "A yield point: the task suspended here (an await, or a generator's yield) and gave " +
      "the loop back; the loop then ran whatever was ready. The source panel shows the line.",
  };
}

/**
 * @param {TimelineModel} model
 * @param {AioStep} step
 * @returns {Description}
 */
function describeStep(model, step) {
  const aio = model.aio;
  const task = aio.tasks.get(step.task);
  const index = task ? task.steps.indexOf(step) : -1;
  /** @type {Rows} */
  const rows = [
    ["task", task ? `${taskLabel(task)} (#${task.id})` : `#${step.task}`],
    ["ran", `${formatTime(step.t)} → ${formatTime(step.end)}`],
    ["took", formatDuration(step.dur)],
  ];
  if (task && index >= 0) rows.push(["step", `${index + 1} of ${task.steps.length}${task.done ? "" : " so far"}`]);
  if (step.outcome === "yield") {
    rows.push(["then", `yielded at ${siteText(step) || "?"} awaiting ${step.awaiting || "–"}`]);
  } else {
    rows.push(["then", step.outcome === "done" ? "returned: the task is done" : step.outcome === "error" ? "raised: the task ended with an exception" : "was cancelled"]);
  }
  const slow = aio.isSlow(step);
  if (slow) rows.push(["blocked the loop", blockedText(step).replace(/^blocked the loop /, "")]);
  return {
    title: `${slow ? "Slow step" : "Step"} of ${task ? task.name : `task ${step.task}`}`,
    rows,
    note: slow
      ? `Longer than the slow-step threshold (${formatDuration(aio.thresholdAt(step.end))}): for ` +
        "all that time the loop ran nothing else. Blocking calls belong in run_in_executor."
      : "One step: the task ran from where it last resumed to its next await.",
  };
}

/**
 * @param {TimelineModel} model
 * @param {AioStep} step the step that yielded
 * @param {number} nowT
 * @returns {Description}
 */
function describeWait(model, step, nowT) {
  const aio = model.aio;
  const next = aio.nextStep(step);
  const until = next ? next.t : model.endedT ?? nowT;
  /** @type {Rows} */
  const rows = [
    ["awaiting", step.awaiting || "–"],
    ["since", formatTime(step.end)],
    ["waited", `${formatDuration(until - step.end)}${next ? "" : " so far"}`],
    ["yielded at", siteText(step) || "–"],
  ];
  if (step.waitsOn) rows.push(["waits on", step.waitsOn]);
  const pool = aio.poolTaskOf(step);
  let note = "Suspended at its await: the loop runs other tasks meanwhile.";
  if (pool !== null) {
    const pt = model.tasks.get(pool);
    rows.push(["pool task", `#${pool}${pt && pt.worker !== null ? ` on worker W${pt.worker}` : " (not started yet)"}`]);
    if (pt && pt.startedT !== null) {
      rows.push(["it ran", `${formatTime(pt.startedT)} → ${pt.finishedT !== null ? formatTime(pt.finishedT) : "still running"}`]);
    }
    note = "Waiting for work handed to the thread pool (run_in_executor / to_thread): it runs " +
      "on a worker thread, linked below, while the loop stays free.";
  }
  return { title: `${nameOf(model, step.task)} waits: ${waitText(step, pool, model)}`, rows, note };
}

/**
 * @param {TimelineModel} model
 * @param {AioTask} task
 * @param {number | null} t
 * @param {number} nowT
 * @returns {Description}
 */
function describeTask(model, task, t, nowT) {
  const aio = model.aio;
  /** @type {Rows} */
  const rows = [
    ["coroutine", task.coro || "–"],
    ["created", formatTime(task.createdT)],
  ];
  if (task.parent !== null) rows.push(["created by", nameOf(model, task.parent)]);
  let busy = 0;
  for (const s of task.steps) busy += s.dur;
  rows.push(["steps", `${task.steps.length} (${formatDuration(busy)} running in all)`]);
  if (task.done) {
    rows.push(["ended", `${formatTime(task.done.t)} · ${task.done.outcome}`]);
    if (task.done.error) rows.push(["exception", task.done.error]);
  }
  if (t !== null) {
    const s = aio.taskStateAt(task, t);
    if (s && s.state === "created") rows.push(["at this time", "created, not yet run"]);
  }
  const never = aio.neverYielded(task);
  const title = `Task ${taskLabel(task)}${never ? " · never yielded" : ""}`;
  const note = never
    ? "It ran to its end in one step: it never gave the loop back, so every other task waited " +
      "for it. asyncio is cooperative: only an await that suspends lets others run."
    : "Solid: its steps (it runs). Light: waiting at an await. ▾: a yield point.";
  void nowT;
  return { title, rows, note };
}

/**
 * @param {TimelineModel} model
 * @param {import("./layout.js").AioTrack} track
 * @param {number} t
 * @param {number} nowT
 * @returns {Description}
 */
function describeTrack(model, track, t, nowT) {
  const aio = model.aio;
  const at = Number.isNaN(t) ? model.endedT ?? nowT : t;
  if (track.kind === "ready") {
    return {
      title: `Ready queue at ${formatTime(at)}`,
      rows: [["ready", String(sampleValueAt(aio.readySeries(), at))], ["most at once", String(aio.maxReady)]],
      note: "What the loop had ready to run at each iteration: task steps that can go on (and " +
        "the callbacks behind them). 0 while it waits in select: nothing is ready then.",
    };
  }
  if (track.kind === "queue") {
    const q = aio.queues.get(track.name);
    return {
      title: `Queue ${track.name} at ${formatTime(at)}`,
      rows: [
        ["size", String(q ? sampleValueAt(q.samples, at) : 0)],
        ["maxsize", q && q.maxsize > 0 ? String(q.maxsize) : "unbounded"],
        ["largest", String(q?.max ?? 0)],
      ],
      note: "An asyncio.Queue: put() waits while it is full (dashed line), get() while it is empty.",
    };
  }
  const obj = aio.syncObjects().get(track.name);
  const waiters = aio.waitersAt(track.name, at);
  return {
    title: `Waiting on ${track.name} at ${formatTime(at)}`,
    rows: [
      ["waiting", String(obj ? sampleValueAt(waiterSamples(obj), at) : waiters.length)],
      ["tasks", waiters.length ? waiters.map((w) => w.name).join(", ") : "none"],
      ["most at once", String(obj?.max ?? 0)],
    ],
    note: "Tasks suspended on this object: from the step that yielded on it to the step that " +
      "resumed them.",
  };
}
