// @ts-check
/**
 * The timeline model: the one dispatcher that turns a run's events into tasks, lanes, the queue
 * track, pools, config-change markers and notices. It never touches the DOM.
 *
 * Rules it keeps:
 * - Every derived fact is keyed by id (task, worker, pool), never by arrival order, so events
 *   that arrive slightly out of time order across batches give the same result.
 * - Each event costs O(1) amortised (plus a short shift when it lands out of order); nothing is
 *   recomputed over the whole run per batch.
 */
import { EventKind } from "../../protocol.js";
import { AioFacts } from "../aio/loop.js";
import { GilFacts } from "../gil/holders.js";
import { BookmarkList } from "./bookmarks.js";
import { LaneSet } from "./lanes.js";
import { ProcessFacts } from "../pools/processes.js";
import { QueueTrack } from "./queue.js";
import { byTime, insertSorted } from "./sorted.js";
import { ThreadStateFacts } from "../gil/threadstates.js";

/** @typedef {import("./lanes.js").Task} Task */
/** @typedef {import("./lanes.js").TaskState} TaskState */
/** @typedef {import("../../protocol.js").WireEvent} WireEvent */
/** @typedef {{t: number, seq: number, field: string, old: any, new: any}} Marker */
/** @typedef {{t: number, seq: number, level: "error" | "warning", message: string}} Notice */
/**
 * @typedef {{pool: number, maxWorkers: number | null, executor: string | null,
 *   createdT: number | null, retiredT: number | null,
 *   broken: {t: number, message: string} | null}} Pool
 */

/** Everything derived from one run's events. */
export class TimelineModel {
  constructor() {
    /** @type {string | null} */
    this.runId = null;
    /** @type {Record<string, any> | null} the RunConfig the run started with */
    this.config = null;
    /** @type {number | null} */
    this.wallTimeNs = null;
    /** @type {number | null} */
    this.schemaVersion = null;
    this.startedSeen = false;
    /** @type {number | null} */
    this.endedT = null;
    /** @type {string | null} */
    this.endReason = null;
    /** @type {string | null} */
    this.endMessage = null;
    /** Newest event time seen (ns since run start). */
    this.maxT = 0;
    /** @type {Map<number, Task>} */
    this.tasks = new Map();
    this.lanes = new LaneSet();
    this.queue = new QueueTrack();
    /** @type {Map<number, Pool>} */
    this.pools = new Map();
    /** @type {Marker[]} config changes, by time */
    this.markers = [];
    /** Notes at moments of the run, from the server's REST answers (not from events). */
    this.bookmarks = new BookmarkList();
    /** @type {Notice[]} errors and warnings, by time */
    this.notices = [];
    /** @type {{t: number, task: number, from: number, to: number}[]} */
    this.moves = [];
    /** @type {{t: number, task: number, reason: string}[]} */
    this.cancels = [];
    /** @type {{t: number}[]} finish times, for recent throughput */
    this.finishes = [];
    /** @type {{t: number, depth: number}[]} queue depth as the producer sampled it */
    this.reportedDepth = [];
    /** Tasks per state, kept as tasks change state. */
    this.counts = { unknown: 0, queued: 0, running: 0, ok: 0, error: 0, cancelled: 0 };
    /** Tasks that have been submitted at least once. */
    this.submitted = 0;
    /** Distinct tasks moved by a resize. */
    this.movedTasks = 0;
    /** Error notices (error events and a run that ended in error). */
    this.errorEvents = 0;
    /** v2: memory, parent pickling, broken pools and chunk counts of a process pool. */
    this.proc = new ProcessFacts();
    /** v3: GIL samplers and holder changes, per process. */
    this.gil = new GilFacts();
    /** v3: what each worker thread was doing (from /proc), read with the GIL tracks. */
    this.threads = new ThreadStateFacts(this.gil);
    /** v4: an asyncio run's tasks, steps, idle time, slow steps, queues and waiters. */
    this.aio = new AioFacts();
  }

  /**
   * Fold one event into the model.
   * @param {WireEvent} ev
   */
  apply(ev) {
    if (ev.t > this.maxT) this.maxT = ev.t;
    switch (ev.kind) {
      case EventKind.RUN_STARTED:
        this.runId = ev.run_id;
        this.config = ev.config;
        this.wallTimeNs = ev.wall_time_ns;
        this.schemaVersion = ev.schema_version;
        this.startedSeen = true;
        this.aio.slow.configure(ev.config);
        break;
      case EventKind.RUN_ENDED:
        this.endedT = ev.t;
        this.endReason = ev.reason;
        this.endMessage = ev.message ?? null;
        if (ev.reason === "error") {
          this._notice(ev, "error", ev.message || "the run ended with an error");
        }
        break;
      case EventKind.POOL_CREATED: {
        const pool = this._pool(ev.pool);
        pool.maxWorkers = ev.max_workers;
        pool.executor = ev.executor;
        pool.createdT = ev.t;
        break;
      }
      case EventKind.POOL_RETIRED:
        this._pool(ev.pool).retiredT = ev.t;
        break;
      case EventKind.WORKER_SPAWNED: {
        this.lanes.spawned(/** @type {any} */ (ev));
        const lane = this.lanes.ensure(ev.worker);
        lane.executor = this.pools.get(ev.pool)?.executor ?? this.config?.executor ?? null;
        break;
      }
      case EventKind.WORKER_READY: {
        const lane = this.lanes.ensure(ev.worker);
        lane.readyT = ev.t;
        lane.pid = ev.pid;
        lane.executor = "processes";
        break;
      }
      case EventKind.MEMORY:
        this.proc.memorySample(/** @type {any} */ (ev));
        if (ev.worker !== null && ev.worker !== undefined) {
          const lane = this.lanes.ensure(ev.worker);
          const newest = this.proc.series(ev.worker)?.samples.at(-1);
          if (newest) lane.memory = { rss: newest.rss, uss: newest.uss };
        }
        break;
      case EventKind.SERIALIZED:
        insertSorted(this.task(ev.task).serialized, {
          t: ev.t,
          side: ev.side,
          what: ev.what,
          op: ev.op,
          durationNs: ev.duration_ns,
          nbytes: ev.nbytes,
        }, byTime);
        this.proc.serialized(/** @type {any} */ (ev));
        break;
      case EventKind.POOL_BROKEN: {
        this._pool(ev.pool).broken = { t: ev.t, message: ev.message };
        this.proc.poolBroken(/** @type {any} */ (ev));
        if (ev.worker !== null && ev.worker !== undefined) this.lanes.ensure(ev.worker).brokePool = true;
        this._notice(ev, "error", `pool ${ev.pool} broke: ${ev.message}`);
        break;
      }
      case EventKind.WORKER_EXITED:
        this.lanes.exited(/** @type {any} */ (ev));
        break;
      case EventKind.TASK_SUBMITTED:
        this._updateTask(ev.task, (task) => {
          if (task.submittedT === null) this.submitted++;
          // A task resubmitted under the same id stays queued from its first submission.
          if (task.submittedT === null || ev.t < task.submittedT) task.submittedT = ev.t;
          if (task.pool === null || task.moves.length === 0) task.pool = ev.pool;
          if (ev.args !== undefined) task.args = ev.args;
          if (ev.items !== null && ev.items !== undefined) {
            const known = task.chunk !== null;
            task.chunk = { mapId: ev.map_id ?? null, first: ev.first_item ?? null, items: ev.items };
            if (!known) this.proc.chunkSeen(task.chunk);
          }
        });
        break;
      case EventKind.TASK_STARTED:
        this._updateTask(ev.task, (task) => {
          task.startedT = ev.t;
          task.worker = ev.worker;
        });
        break;
      case EventKind.TASK_FINISHED:
        this._updateTask(ev.task, (task) => {
          task.finishedT = ev.t;
          task.worker = ev.worker;
          task.ok = Boolean(ev.ok);
          task.result = ev.result ?? null;
          task.error = ev.error ?? null;
          task.itemEnds = ev.item_ends ?? null;
        });
        insertSorted(this.finishes, { t: ev.t }, byTime);
        break;
      case EventKind.TASK_CANCELLED:
        this._updateTask(ev.task, (task) => {
          task.cancelledT = ev.t;
          task.cancelReason = ev.reason;
        });
        insertSorted(this.cancels, { t: ev.t, task: ev.task, reason: ev.reason }, byTime);
        break;
      case EventKind.TASK_MOVED:
        this._updateTask(ev.task, (task) => {
          if (task.moves.length === 0) this.movedTasks++;
          insertSorted(task.moves, { t: ev.t, from: ev.from_pool, to: ev.to_pool }, byTime);
          task.pool = task.moves[task.moves.length - 1].to;
        });
        insertSorted(
          this.moves,
          { t: ev.t, task: ev.task, from: ev.from_pool, to: ev.to_pool },
          byTime,
        );
        break;
      case EventKind.GIL_SAMPLER:
        this.gil.samplerStarted(/** @type {any} */ (ev));
        break;
      case EventKind.GIL:
        this.gil.change(/** @type {any} */ (ev));
        this.threads.gilChanged(ev.pid, ev.t, Math.max(0, ev.window_ns ?? 0));
        break;
      case EventKind.THREAD_STATE:
        this.threads.change(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_TASK:
        this.aio.taskCreated(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_STEP:
        this.aio.step(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_TASK_DONE:
        this.aio.taskDone(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_IDLE:
        this.aio.idleSpan(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_READY:
        this.aio.readySample(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_BLOCKED:
        this.aio.slow.report(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_OFFLOAD:
        this.aio.offload(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_QUEUE:
        this.aio.queueSize(/** @type {any} */ (ev));
        break;
      case EventKind.QUEUE_DEPTH:
        insertSorted(this.reportedDepth, { t: ev.t, depth: ev.depth }, byTime);
        break;
      case EventKind.CONFIG_CHANGED:
        insertSorted(
          this.markers,
          { t: ev.t, seq: ev.seq, field: ev.field, old: ev.old, new: ev.new },
          byTime,
        );
        if (ev.field === "slow_step_ms") this.aio.slow.thresholdChanged(ev.t, ev.new);
        break;
      case EventKind.ERROR:
        this._notice(ev, "error", ev.message);
        break;
      case EventKind.WARNING:
        this._notice(ev, "warning", ev.message);
        this.threads.warning(/** @type {any} */ (ev));
        break;
      default:
        // Unknown kinds come from a newer producer; ignoring them keeps old viewers working.
        break;
    }
  }

  /**
   * The task with this id, created on first mention.
   * @param {number} id
   * @returns {Task}
   */
  task(id) {
    let task = this.tasks.get(id);
    if (!task) {
      task = {
        id,
        pool: null,
        submittedT: null,
        startedT: null,
        finishedT: null,
        cancelledT: null,
        cancelReason: null,
        worker: null,
        ok: null,
        result: null,
        error: null,
        moves: [],
        args: null,
        chunk: null,
        itemEnds: null,
        serialized: [],
        state: "unknown",
        placed: false,
      };
      this.tasks.set(id, task);
      this.counts.unknown++;
    }
    return task;
  }

  /**
   * Apply `change` to a task, then re-derive its state, lane and queue span.
   * @param {number} id
   * @param {(task: Task) => void} change
   */
  _updateTask(id, change) {
    const task = this.task(id);
    change(task);
    const state = taskState(task);
    if (state !== task.state) {
      this.counts[task.state]--;
      this.counts[state]++;
      task.state = state;
    }
    this.lanes.place(task);
    this.queue.setSpan(task.id, task.submittedT, task.startedT ?? task.cancelledT);
  }

  /** @param {number} id */
  _pool(id) {
    let pool = this.pools.get(id);
    if (!pool) {
      pool = {
        pool: id,
        maxWorkers: null,
        executor: null,
        createdT: null,
        retiredT: null,
        broken: null,
      };
      this.pools.set(id, pool);
    }
    return pool;
  }

  /**
   * @param {WireEvent} ev
   * @param {"error" | "warning"} level
   * @param {string} message
   */
  _notice(ev, level, message) {
    insertSorted(this.notices, { t: ev.t, seq: ev.seq, level, message }, byTime);
    if (level === "error") this.errorEvents++;
  }

  /** Tasks that finished, ok or with an exception. */
  get finished() {
    return this.counts.ok + this.counts.error;
  }

  /** Whether the run has ended. */
  get ended() {
    return this.endedT !== null;
  }
}

/**
 * A task's state follows the Future's: finished beats cancelled beats running beats queued.
 * @param {Task} task
 * @returns {TaskState}
 */
export function taskState(task) {
  if (task.finishedT !== null) return task.ok ? "ok" : "error";
  if (task.cancelledT !== null) return "cancelled";
  if (task.startedT !== null) return "running";
  if (task.submittedT !== null) return "queued";
  return "unknown";
}
