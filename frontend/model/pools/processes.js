// @ts-check
/**
 * What a process pool adds to a run (schema v2): memory samples per process, the parent's
 * pickling spans, broken pools, and the chunk counts of map() calls. Plus the small derivations
 * drawing and tooltips share: where a chunk's items end, a task's IPC cost, exit codes in words.
 *
 * Rules it keeps:
 * - Every list is sorted by time as it grows (events may arrive slightly out of order), so a view
 *   binary-searches it instead of scanning.
 * - A chunk is counted once per task id, however often its task_submitted is repeated (a task
 *   moved by a resize keeps its id).
 */
import { byTime, insertSorted, maxOf, upperBound } from "../core/sorted.js";

/** @typedef {import("../core/lanes.js").Task} Task */
/** @typedef {{t: number, rss: number, uss: number | null}} MemorySample */
/** @typedef {{pid: number, worker: number | null, samples: MemorySample[], maxRss: number}} MemorySeries */
/**
 * @typedef {{t: number, end: number, task: number, side: string, what: string, op: string,
 *   durationNs: number, nbytes: number}} PickleSpan
 */
/**
 * @typedef {{t: number, seq: number, pool: number, message: string, worker: number | null,
 *   pid: number | null, exitcode: number | null}} PoolBreak
 */

/** Signal numbers a worker is commonly killed by, as Linux names them. */
const SIGNALS = /** @type {Record<number, string>} */ ({
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
  9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
});

/** Process-pool facts of one run, fed by the timeline model's dispatcher. */
export class ProcessFacts {
  constructor() {
    /** @type {Map<string, MemorySeries>} "lab" or "w<worker id>" -> samples */
    this.memory = new Map();
    /** Memory samples received. */
    this.memorySamples = 0;
    /** Highest RSS of any process: one scale for every memory strip, so lanes compare. */
    this.maxRss = 0;
    /** @type {number | null} the lab (parent) process's pid */
    this.labPid = null;
    /** @type {PickleSpan[]} pickling done by the parent (args dumps, result loads), by start */
    this.parentSpans = [];
    /** Longest parent span, so a view knows how far back a span may reach into it. */
    this.longestParentSpan = 0;
    /** @type {PoolBreak[]} */
    this.breaks = [];
    /** Tasks that are map() chunks, and their items. */
    this.chunks = 0;
    this.items = 0;
    /** @type {Set<number>} distinct map() calls */
    this.maps = new Set();
    /** @type {Map<number, number>} chunks counted per map() call, so a step back can drop one */
    this._mapChunks = new Map();
  }

  /** @param {{t: number, pid: number, worker: number | null, rss: number, uss: number | null}} ev */
  memorySample(ev) {
    const worker = ev.worker ?? null;
    const key = memoryKey(worker);
    let series = this.memory.get(key);
    if (!series) {
      series = { pid: ev.pid, worker, samples: [], maxRss: 0 };
      this.memory.set(key, series);
    }
    if (worker === null) this.labPid = ev.pid;
    insertSorted(series.samples, { t: ev.t, rss: ev.rss, uss: ev.uss ?? null }, byTime);
    if (ev.rss > series.maxRss) series.maxRss = ev.rss;
    if (ev.rss > this.maxRss) this.maxRss = ev.rss;
    this.memorySamples++;
  }

  /**
   * Memory samples of a worker's process, or of the lab with null.
   * @param {number | null} worker
   */
  series(worker) {
    return this.memory.get(memoryKey(worker)) ?? null;
  }

  /** @param {{t: number, task: number, side: string, what: string, op: string, duration_ns: number, nbytes: number}} ev */
  serialized(ev) {
    if (ev.side !== "parent") return;
    const span = {
      t: ev.t, end: ev.t + ev.duration_ns, task: ev.task, side: ev.side, what: ev.what, op: ev.op,
      durationNs: ev.duration_ns, nbytes: ev.nbytes,
    };
    insertSorted(this.parentSpans, span, byTime);
    if (ev.duration_ns > this.longestParentSpan) this.longestParentSpan = ev.duration_ns;
  }

  /** @param {{t: number, seq: number, pool: number, message: string, worker: number | null, pid: number | null, exitcode: number | null}} ev */
  poolBroken(ev) {
    insertSorted(this.breaks, {
      t: ev.t, seq: ev.seq, pool: ev.pool, message: ev.message, worker: ev.worker ?? null,
      pid: ev.pid ?? null, exitcode: ev.exitcode ?? null,
    }, byTime);
  }

  /**
   * Count a task's chunk (sign 1) or take it back (sign -1, before the task changes or when a
   * replay steps back).
   * @param {{mapId: number | null, items: number}} chunk
   * @param {1 | -1} sign
   */
  chunkCounted(chunk, sign) {
    this.chunks += sign;
    this.items += sign * chunk.items;
    if (chunk.mapId === null) return;
    const n = (this._mapChunks.get(chunk.mapId) ?? 0) + sign;
    if (n > 0) {
      this._mapChunks.set(chunk.mapId, n);
      this.maps.add(chunk.mapId);
    } else {
      this._mapChunks.delete(chunk.mapId);
      this.maps.delete(chunk.mapId);
    }
  }

  /**
   * Take back the newest memory sample (a replay stepping back; samples were applied in order).
   * @param {{pid: number, worker: number | null, rss: number}} ev
   */
  undoMemorySample(ev) {
    const key = memoryKey(ev.worker ?? null);
    const series = this.memory.get(key);
    if (!series) return;
    series.samples.pop();
    this.memorySamples--;
    if (series.samples.length === 0) {
      this.memory.delete(key);
      if (key === "lab") this.labPid = null;
    }
    if (ev.rss >= series.maxRss) series.maxRss = maxOf(series.samples, (s) => s.rss);
    if (ev.rss >= this.maxRss) this.maxRss = maxOf(this.memory.values(), (s) => s.maxRss);
  }

  /**
   * Take back the newest serialization step.
   * @param {{t: number, task: number, side: string, duration_ns: number}} ev
   */
  undoSerialized(ev) {
    if (ev.side !== "parent") return;
    const spans = this.parentSpans;
    for (let i = spans.length - 1; i >= 0 && spans[i].t >= ev.t; i--) {
      if (spans[i].t === ev.t && spans[i].task === ev.task) {
        spans.splice(i, 1);
        break;
      }
    }
    if (ev.duration_ns >= this.longestParentSpan) {
      this.longestParentSpan = maxOf(spans, (s) => s.durationNs);
    }
  }

  /** Take back the newest pool break. */
  undoPoolBroken() {
    this.breaks.pop();
  }
}

/** @param {number | null} worker */
function memoryKey(worker) {
  return worker === null ? "lab" : `w${worker}`;
}

/**
 * The newest sample at or before t (null before the first).
 * @param {MemorySeries | null} series
 * @param {number} t
 * @returns {MemorySample | null}
 */
export function sampleAt(series, t) {
  if (!series) return null;
  const i = upperBound(series.samples, t, byTime);
  return i > 0 ? series.samples[i - 1] : null;
}

/**
 * Absolute end time of each item of a chunk that reported them (empty otherwise).
 * @param {Task} task
 * @returns {number[]}
 */
export function itemEndTimes(task) {
  if (!task.itemEnds || task.startedT === null) return [];
  const start = task.startedT;
  return task.itemEnds.map((d) => start + d);
}

/**
 * Which item of a chunk ran at time t: its index in the map() call and its span, or null when
 * the task is no chunk or its item ends are not known (yet).
 * @param {Task} task
 * @param {number} t
 * @returns {{index: number, t0: number, t1: number} | null}
 */
export function itemAt(task, t) {
  if (!task.chunk || task.startedT === null) return null;
  const ends = itemEndTimes(task);
  if (ends.length === 0) return null;
  let k = 0;
  while (k < ends.length - 1 && ends[k] < t) k++;
  const first = task.chunk.first ?? 0;
  return { index: first + k, t0: k === 0 ? task.startedT : ends[k - 1], t1: ends[k] };
}

/**
 * A task's inter-process cost: time spent pickling and unpickling (all four steps it has so far)
 * and the bytes sent each way.
 * @param {Task} task
 * @returns {{durationNs: number, argsBytes: number | null, resultBytes: number | null, steps: number}}
 */
export function ipcCost(task) {
  let durationNs = 0;
  /** @type {number | null} */
  let argsBytes = null;
  /** @type {number | null} */
  let resultBytes = null;
  for (const s of task.serialized) {
    durationNs += s.durationNs;
    // Both sides see the same pickle; take the size from whichever reported first.
    if (s.what === "args" && argsBytes === null) argsBytes = s.nbytes;
    if (s.what === "result" && resultBytes === null) resultBytes = s.nbytes;
  }
  return { durationNs, argsBytes, resultBytes, steps: task.serialized.length };
}

/**
 * The worker-side spans of a task: unpickling its arguments (ends where the task starts) and
 * pickling its result (starts where it ends).
 * @param {Task} task
 */
export function workerSpans(task) {
  /** @type {{t: number, end: number, nbytes: number} | null} */
  let loads = null;
  /** @type {{t: number, end: number, nbytes: number} | null} */
  let dumps = null;
  for (const s of task.serialized) {
    if (s.side !== "worker") continue;
    const span = { t: s.t, end: s.t + s.durationNs, nbytes: s.nbytes };
    if (s.what === "args") loads = span;
    else dumps = span;
  }
  return { loads, dumps };
}

/**
 * Whether a task was lost because its pool broke (a worker process died under it).
 * @param {Task} task
 */
export function lostToBrokenPool(task) {
  return task.ok === false && typeof task.error === "string" && task.error.startsWith("BrokenProcessPool");
}

/**
 * A process exit code in a few words: "exit 1", "SIGKILL", "exit 0".
 * @param {number | null} code
 */
export function exitLabel(code) {
  if (code === null) return "exited";
  if (code < 0) return SIGNALS[-code] ?? `signal ${-code}`;
  return `exit ${code}`;
}

/**
 * The exit code explained for a tooltip.
 * @param {number | null} code
 */
export function exitDescription(code) {
  if (code === null) return "unknown";
  if (code === 0) return "0 (normal exit)";
  if (code < 0) {
    const name = SIGNALS[-code] ?? `signal ${-code}`;
    return `${code}: killed by ${name}` + (-code === 15 ? " (a broken or shut-down pool stops its workers this way)" : "");
  }
  return `${code}: the process ended itself with an error`;
}
