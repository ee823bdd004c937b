// @ts-check
/**
 * Lanes: one per worker thread, holding the tasks it ran sorted by start time. A worker runs one
 * task at a time, so a lane's intervals never overlap and are sorted by end time as well; that is
 * what lets drawing and hit-testing binary-search a lane instead of scanning it.
 */
import { insertSorted, lowerBound } from "./sorted.js";

/**
 * @typedef {object} Task
 * @property {number} id
 * @property {number | null} pool           pool it was last submitted or moved to
 * @property {number | null} submittedT
 * @property {number | null} startedT
 * @property {number | null} finishedT
 * @property {number | null} cancelledT
 * @property {string | null} cancelReason
 * @property {number | null} worker
 * @property {boolean | null} ok            null until finished
 * @property {string | null} result
 * @property {string | null} error
 * @property {{t: number, from: number, to: number}[]} moves
 * @property {string | null} args         v2: short repr of the arguments
 * @property {{mapId: number | null, first: number | null, items: number} | null} chunk  v2
 * @property {number[] | null} itemEnds   v2: ns from start to each item's end, for a chunk
 * @property {{t: number, side: string, what: string, op: string, durationNs: number, nbytes: number}[]} serialized
 *   v2: pickling steps of its data, by start time
 * @property {TaskState} state
 * @property {boolean} placed               already inserted into its worker's lane
 */

/** @typedef {"unknown" | "queued" | "running" | "ok" | "error" | "cancelled"} TaskState */

/** @param {Task} task */
const startTime = (task) => /** @type {number} */ (task.startedT);

/** One worker's lane: identity, lifetime and the tasks it ran. */
export class Lane {
  /** @param {number} worker */
  constructor(worker) {
    this.worker = worker;
    /** @type {number | null} */
    this.pool = null;
    /** @type {string | null} */
    this.name = null;
    /** @type {number | null} */
    this.nativeId = null;
    /** @type {number | null} */
    this.spawnedT = null;
    /** @type {number | null} */
    this.exitedT = null;
    /** @type {string | null} "threads" or "processes" (v2), from the worker's pool */
    this.executor = null;
    /** @type {number | null} v2: when a worker process finished starting */
    this.readyT = null;
    /** @type {number | null} v2: the worker's process id */
    this.pid = null;
    /** @type {number | null} v2: a process's exit code (negative: killed by that signal) */
    this.exitcode = null;
    /** @type {{rss: number, uss: number | null} | null} v2: the newest memory sample */
    this.memory = null;
    /** v2: this worker's process died and broke its pool (pool_broken named it) */
    this.brokePool = false;
    /** @type {Task[]} sorted by startedT */
    this.tasks = [];
  }

  /** Forget everything but the worker id and the tasks (a replay refolds it from its events). */
  reset() {
    const tasks = this.tasks;
    Object.assign(this, new Lane(this.worker));
    this.tasks = tasks;
  }

  /** Whether the worker has not exited (a lane known only from its tasks counts as live). */
  get active() {
    return this.exitedT === null;
  }

  /**
   * Index of the first task that may still be running at or after time t.
   * @param {number} t
   */
  firstEndingAfter(t) {
    // Intervals do not overlap, so the only task starting before t that can reach past t is the
    // one just before the first task starting at or after t.
    const i = lowerBound(this.tasks, t, startTime);
    return i > 0 ? i - 1 : 0;
  }
}

/** All lanes of a run, kept in worker-id order (the order workers were spawned). */
export class LaneSet {
  constructor() {
    /** @type {Map<number, Lane>} */
    this.byWorker = new Map();
    /** @type {Lane[]} sorted by worker id */
    this.list = [];
  }

  /**
   * The lane of `worker`, created on first mention (a task may start before its worker's
   * spawn event arrives).
   * @param {number} worker
   */
  ensure(worker) {
    let lane = this.byWorker.get(worker);
    if (!lane) {
      lane = new Lane(worker);
      this.byWorker.set(worker, lane);
      insertSorted(this.list, lane, (l) => l.worker);
    }
    return lane;
  }

  /**
   * Drop a lane (a replay stepped back to before anything was known of its worker).
   * @param {number} worker
   */
  remove(worker) {
    const lane = this.byWorker.get(worker);
    if (!lane) return;
    this.byWorker.delete(worker);
    this.list.splice(this.list.indexOf(lane), 1);
  }

  /** @param {{t: number, worker: number, pool: number, name: string, native_id: number}} ev */
  spawned(ev) {
    const lane = this.ensure(ev.worker);
    lane.pool = ev.pool;
    lane.name = ev.name;
    lane.nativeId = ev.native_id;
    lane.spawnedT = ev.t;
  }

  /** @param {{t: number, worker: number, pool: number, exitcode?: number | null}} ev */
  exited(ev) {
    const lane = this.ensure(ev.worker);
    if (lane.pool === null) lane.pool = ev.pool;
    lane.exitedT = ev.t;
    lane.exitcode = ev.exitcode ?? null;
  }

  /**
   * Put a started task on its worker's lane, once.
   * @param {Task} task
   */
  place(task) {
    if (task.placed || task.startedT === null || task.worker === null) return;
    insertSorted(this.ensure(task.worker).tasks, task, startTime);
    task.placed = true;
  }

  /** Number of lanes whose worker has not exited. */
  activeCount() {
    let n = 0;
    for (const lane of this.list) if (lane.active) n++;
    return n;
  }
}
