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
 * - A replay can step back: `rewind(undone)` takes back the newest events, newest first, at the
 *   cost of those events (plus the tasks, lanes and pools they touched, each refolded from its
 *   own few events), so stepping back costs what stepping forwards does. It needs the events to
 *   have been applied in time order, as a replay applies them (see replay.js).
 */
import { EventKind } from "../../protocol.js";
import { AioFacts } from "../aio/loop.js";
import { GilFacts } from "../gil/holders.js";
import { BookmarkList } from "./bookmarks.js";
import { LaneSet } from "./lanes.js";
import { FutureFacts } from "../pools/futures.js";
import { ProcessFacts } from "../pools/processes.js";
import { QueueTrack } from "./queue.js";
import { byTime, insertSorted, removeSorted } from "./sorted.js";
import { ThreadStateFacts } from "../gil/threadstates.js";

/** @typedef {import("./lanes.js").Task} Task */
/** @typedef {import("./lanes.js").TaskState} TaskState */
/** @typedef {import("../../protocol.js").WireEvent} WireEvent */
/** @typedef {{t: number, seq: number, field: string, old: any, new: any}} Marker */
/** @typedef {{t: number, seq: number, level: "error" | "warning", message: string}} Notice */
/**
 * v5: what Python itself reported while a traced program ran (a coroutine never awaited, a task
 * exception never retrieved, …), at its file and line when known.
 * @typedef {{t: number, seq: number, category: string, message: string, file: string | null,
 *   line: number | null}} PythonWarning
 */
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
    /** @type {PythonWarning[]} v5: Python's own warnings, by time */
    this.pythonWarnings = [];
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
    /** v6: waits on futures, done-callbacks and deadlocks. */
    this.futures = new FutureFacts();
    /**
     * Each task's, worker's and pool's own events, in the order applied: what `rewind` refolds
     * one of them from (a task has a handful, so refolding it costs next to nothing).
     * @type {{task: Map<number, WireEvent[]>, lane: Map<number, WireEvent[]>, pool: Map<number, WireEvent[]>}}
     */
    this._own = { task: new Map(), lane: new Map(), pool: new Map() };
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
      case EventKind.POOL_CREATED:
      case EventKind.POOL_RETIRED:
        this._foldPool(this._pool(ev.pool), this._remember("pool", ev.pool, ev));
        break;
      case EventKind.WORKER_SPAWNED:
      case EventKind.WORKER_READY:
        this._foldLane(this.lanes.ensure(ev.worker), this._remember("lane", ev.worker, ev));
        break;
      case EventKind.MEMORY:
        this.proc.memorySample(/** @type {any} */ (ev));
        if (ev.worker !== null && ev.worker !== undefined) {
          this._foldLane(this.lanes.ensure(ev.worker), this._remember("lane", ev.worker, ev));
        }
        break;
      case EventKind.SERIALIZED:
        this._updateTask(ev);
        this.proc.serialized(/** @type {any} */ (ev));
        break;
      case EventKind.POOL_BROKEN: {
        this._foldPool(this._pool(ev.pool), this._remember("pool", ev.pool, ev));
        this.proc.poolBroken(/** @type {any} */ (ev));
        if (ev.worker !== null && ev.worker !== undefined) {
          this._foldLane(this.lanes.ensure(ev.worker), this._remember("lane", ev.worker, ev));
        }
        this._notice(ev, "error", `pool ${ev.pool} broke: ${ev.message}`);
        break;
      }
      case EventKind.WORKER_EXITED:
        this._foldLane(this.lanes.ensure(ev.worker), this._remember("lane", ev.worker, ev));
        break;
      case EventKind.TASK_SUBMITTED:
      case EventKind.TASK_STARTED:
        this._updateTask(ev);
        break;
      case EventKind.TASK_FINISHED:
        this._updateTask(ev);
        insertSorted(this.finishes, { t: ev.t }, byTime);
        break;
      case EventKind.TASK_CANCELLED:
        this._updateTask(ev);
        insertSorted(this.cancels, { t: ev.t, task: ev.task, reason: ev.reason }, byTime);
        break;
      case EventKind.TASK_MOVED:
        this._updateTask(ev);
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
      case EventKind.PYTHON_WARNING:
        insertSorted(this.pythonWarnings, {
          t: ev.t, seq: ev.seq, category: ev.category, message: ev.message, file: ev.file ?? null,
          line: ev.line ?? null,
        }, byTime);
        break;
      case EventKind.FUTURE_WAIT:
        this.futures.waitBegan(/** @type {any} */ (ev));
        break;
      case EventKind.FUTURE_WAIT_ENDED:
        this.futures.waitEnded(/** @type {any} */ (ev));
        break;
      case EventKind.FUTURE_CALLBACK:
        this.futures.callbackRan(/** @type {any} */ (ev));
        break;
      case EventKind.DEADLOCK:
        this.futures.deadlock(/** @type {any} */ (ev));
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
      task = blankTask(id);
      this.tasks.set(id, task);
      this._count(task, 1);
    }
    return task;
  }

  /**
   * Fold one of a task's events into it, then re-derive its state, counts, lane and queue span.
   * @param {WireEvent} ev  one with a `task` field
   */
  _updateTask(ev) {
    const id = /** @type {any} */ (ev).task;
    const task = this.task(id);
    this._count(task, -1);
    foldTask(task, this._remember("task", id, ev));
    task.state = taskState(task);
    this._count(task, 1);
    this._settleTask(task);
  }

  /**
   * Put a task where its state says: on its worker's lane once started, in the queue between
   * submission and start (or cancellation).
   * @param {Task} task
   */
  _settleTask(task) {
    this.lanes.place(task);
    this.queue.setSpan(task.id, task.submittedT, task.startedT ?? task.cancelledT);
  }

  /**
   * Add (sign 1) or take back (sign -1) what a task contributes to the run's counters.
   * @param {Task} task
   * @param {1 | -1} sign
   */
  _count(task, sign) {
    this.counts[task.state] += sign;
    if (task.submittedT !== null) this.submitted += sign;
    if (task.moves.length > 0) this.movedTasks += sign;
    if (task.chunk !== null) this.proc.chunkCounted(task.chunk, sign);
  }

  /**
   * Note `ev` among the own events of a task, lane or pool; returns it.
   * @param {"task" | "lane" | "pool"} kind
   * @param {number} id
   * @param {WireEvent} ev
   */
  _remember(kind, id, ev) {
    const own = this._own[kind];
    const list = own.get(id);
    if (list) list.push(ev);
    else own.set(id, [ev]);
    return ev;
  }

  /** @param {number} id */
  _pool(id) {
    let pool = this.pools.get(id);
    if (!pool) {
      pool = blankPool(id);
      this.pools.set(id, pool);
    }
    return pool;
  }

  /**
   * Fold one of a pool's events into it.
   * @param {Pool} pool
   * @param {WireEvent} ev
   */
  _foldPool(pool, ev) {
    if (ev.kind === EventKind.POOL_CREATED) {
      pool.maxWorkers = ev.max_workers;
      pool.executor = ev.executor;
      pool.createdT = ev.t;
    } else if (ev.kind === EventKind.POOL_RETIRED) {
      pool.retiredT = ev.t;
    } else if (ev.kind === EventKind.POOL_BROKEN) {
      pool.broken = { t: ev.t, message: ev.message };
    }
  }

  /**
   * Fold one of a worker's own events into its lane.
   * @param {import("./lanes.js").Lane} lane
   * @param {WireEvent} ev
   */
  _foldLane(lane, ev) {
    switch (ev.kind) {
      case EventKind.WORKER_SPAWNED:
        this.lanes.spawned(/** @type {any} */ (ev));
        lane.executor = this.pools.get(ev.pool)?.executor ?? this.config?.executor ?? null;
        break;
      case EventKind.WORKER_READY:
        lane.readyT = ev.t;
        lane.pid = ev.pid;
        lane.executor = "processes";
        break;
      case EventKind.MEMORY: {
        // The newest sample by time (a late one may land before others).
        const newest = this.proc.series(lane.worker)?.samples.at(-1);
        if (newest) lane.memory = { rss: newest.rss, uss: newest.uss };
        break;
      }
      case EventKind.POOL_BROKEN:
        lane.brokePool = true;
        break;
      case EventKind.WORKER_EXITED:
        this.lanes.exited(/** @type {any} */ (ev));
        break;
      default:
        break;
    }
  }

  /**
   * Take back the newest events (`undone`, oldest first, each newer than every event kept):
   * afterwards the model is what applying only the kept events gives. `maxT` is the newest
   * kept event's time. Events must have been applied in time order (a replay's order).
   * @param {WireEvent[]} undone
   * @param {number} maxT
   */
  rewind(undone, maxT) {
    /** @type {{task: Set<number>, lane: Set<number>, pool: Set<number>}} */
    const touched = { task: new Set(), lane: new Set(), pool: new Set() };
    for (let i = undone.length - 1; i >= 0; i--) this._undo(undone[i], touched);
    // Tasks first: a task taken off its lane may leave that lane with nothing to show.
    for (const id of touched.task) this._refoldTask(id, touched.lane);
    for (const id of touched.pool) this._refoldPool(id);
    for (const id of touched.lane) this._refoldLane(id);
    this.maxT = maxT;
  }

  /**
   * Take back one event, the newest applied; tasks, lanes and pools it touched are noted and
   * refolded once at the end.
   * @param {WireEvent} ev
   * @param {{task: Set<number>, lane: Set<number>, pool: Set<number>}} touched
   */
  _undo(ev, touched) {
    /** @param {"task" | "lane" | "pool"} kind @param {number} id */
    const forget = (kind, id) => {
      this._own[kind].get(id)?.pop();
      touched[kind].add(id);
    };
    switch (ev.kind) {
      case EventKind.RUN_STARTED:
        this.runId = null;
        this.config = null;
        this.wallTimeNs = null;
        this.schemaVersion = null;
        this.startedSeen = false;
        this.aio.slow.unconfigure();
        break;
      case EventKind.RUN_ENDED:
        this.endedT = null;
        this.endReason = null;
        this.endMessage = null;
        if (ev.reason === "error") this._unnotice();
        break;
      case EventKind.POOL_CREATED:
      case EventKind.POOL_RETIRED:
        forget("pool", ev.pool);
        break;
      case EventKind.WORKER_SPAWNED:
      case EventKind.WORKER_READY:
      case EventKind.WORKER_EXITED:
        forget("lane", ev.worker);
        break;
      case EventKind.MEMORY:
        this.proc.undoMemorySample(/** @type {any} */ (ev));
        if (ev.worker !== null && ev.worker !== undefined) forget("lane", ev.worker);
        break;
      case EventKind.SERIALIZED:
        this.proc.undoSerialized(/** @type {any} */ (ev));
        forget("task", ev.task);
        break;
      case EventKind.POOL_BROKEN:
        this._unnotice();
        this.proc.undoPoolBroken();
        forget("pool", ev.pool);
        if (ev.worker !== null && ev.worker !== undefined) forget("lane", ev.worker);
        break;
      case EventKind.TASK_SUBMITTED:
      case EventKind.TASK_STARTED:
        forget("task", ev.task);
        break;
      case EventKind.TASK_FINISHED:
        this.finishes.pop();
        forget("task", ev.task);
        break;
      case EventKind.TASK_CANCELLED:
        this.cancels.pop();
        forget("task", ev.task);
        break;
      case EventKind.TASK_MOVED:
        this.moves.pop();
        forget("task", ev.task);
        break;
      case EventKind.GIL_SAMPLER:
        this.gil.undoSamplerStarted(/** @type {any} */ (ev));
        break;
      case EventKind.GIL: {
        const c = this.gil.undoChange(/** @type {any} */ (ev));
        if (c) this.threads.gilUndone(ev.pid, c);
        break;
      }
      case EventKind.THREAD_STATE:
        this.threads.undoChange(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_TASK:
        this.aio.undoTaskCreated(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_STEP:
        this.aio.undoStep(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_TASK_DONE:
        this.aio.undoTaskDone(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_IDLE:
        this.aio.undoIdleSpan();
        break;
      case EventKind.AIO_READY:
        this.aio.undoReadySample();
        break;
      case EventKind.AIO_BLOCKED:
        this.aio.slow.undoReport(/** @type {any} */ (ev), this.aio.tasks.get(ev.task)?.done != null);
        break;
      case EventKind.AIO_OFFLOAD:
        this.aio.undoOffload(/** @type {any} */ (ev));
        break;
      case EventKind.AIO_QUEUE:
        this.aio.undoQueueSize(/** @type {any} */ (ev));
        break;
      case EventKind.QUEUE_DEPTH:
        this.reportedDepth.pop();
        break;
      case EventKind.CONFIG_CHANGED:
        this.markers.pop();
        if (ev.field === "slow_step_ms") this.aio.slow.undoThresholdChanged();
        break;
      case EventKind.ERROR:
        this._unnotice();
        break;
      case EventKind.WARNING:
        this._unnotice();
        this.threads.undoWarning(/** @type {any} */ (ev));
        break;
      case EventKind.PYTHON_WARNING:
        this.pythonWarnings.pop();
        break;
      case EventKind.FUTURE_WAIT:
        this.futures.undoWaitBegan(/** @type {any} */ (ev));
        break;
      case EventKind.FUTURE_WAIT_ENDED:
        this.futures.undoWaitEnded(/** @type {any} */ (ev));
        break;
      case EventKind.FUTURE_CALLBACK:
        this.futures.undoCallbackRan();
        break;
      case EventKind.DEADLOCK:
        this.futures.undoDeadlock();
        break;
      default:
        break;
    }
  }

  /**
   * Rebuild a task from the own events it still has (or forget it when none is left).
   * @param {number} id
   * @param {Set<number>} lanes  lanes to refold afterwards (the one it leaves, when it does)
   */
  _refoldTask(id, lanes) {
    const task = this.tasks.get(id);
    if (!task) return;
    this._count(task, -1);
    if (task.placed && task.worker !== null) {
      const lane = this.lanes.byWorker.get(task.worker);
      if (!lane || !removeSorted(lane.tasks, task, (x) => /** @type {number} */ (x.startedT))) {
        // Its worker changed after it started: find the lane it was placed on.
        for (const l of this.lanes.list) if (removeSorted(l.tasks, task, (x) => /** @type {number} */ (x.startedT))) break;
      }
      lanes.add(task.worker);
    }
    Object.assign(task, blankTask(id));
    const own = this._own.task.get(id) ?? [];
    if (own.length === 0) {
      this.tasks.delete(id);
      this._own.task.delete(id);
      this.queue.forget(id);
      return;
    }
    for (const ev of own) foldTask(task, ev);
    task.state = taskState(task);
    this._count(task, 1);
    this._settleTask(task);
  }

  /** @param {number} id */
  _refoldPool(id) {
    const pool = this.pools.get(id);
    if (!pool) return;
    const own = this._own.pool.get(id) ?? [];
    if (own.length === 0) {
      this.pools.delete(id);
      this._own.pool.delete(id);
      return;
    }
    Object.assign(pool, blankPool(id));
    for (const ev of own) this._foldPool(pool, ev);
  }

  /** @param {number} worker */
  _refoldLane(worker) {
    const lane = this.lanes.byWorker.get(worker);
    if (!lane) return;
    const own = this._own.lane.get(worker) ?? [];
    if (own.length === 0 && lane.tasks.length === 0) {
      this.lanes.remove(worker);
      this._own.lane.delete(worker);
      return;
    }
    lane.reset();
    for (const ev of own) this._foldLane(lane, ev);
  }

  /** Take back the newest notice. */
  _unnotice() {
    const n = this.notices.pop();
    if (n && n.level === "error") this.errorEvents--;
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

/**
 * A task nothing is known of yet.
 * @param {number} id
 * @returns {Task}
 */
function blankTask(id) {
  return {
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
}

/**
 * A pool nothing is known of yet.
 * @param {number} id
 * @returns {Pool}
 */
function blankPool(id) {
  return { pool: id, maxWorkers: null, executor: null, createdT: null, retiredT: null, broken: null };
}

/**
 * Fold one of a task's own events into its fields (not its state or its lane: the caller).
 * @param {Task} task
 * @param {WireEvent} ev
 */
function foldTask(task, ev) {
  switch (ev.kind) {
    case EventKind.TASK_SUBMITTED:
      // A task resubmitted under the same id stays queued from its first submission.
      if (task.submittedT === null || ev.t < task.submittedT) task.submittedT = ev.t;
      if (task.pool === null || task.moves.length === 0) task.pool = ev.pool;
      if (ev.args !== undefined) task.args = ev.args;
      if (ev.items !== null && ev.items !== undefined) {
        task.chunk = { mapId: ev.map_id ?? null, first: ev.first_item ?? null, items: ev.items };
      }
      break;
    case EventKind.TASK_STARTED:
      task.startedT = ev.t;
      task.worker = ev.worker;
      break;
    case EventKind.TASK_FINISHED:
      task.finishedT = ev.t;
      task.worker = ev.worker;
      task.ok = Boolean(ev.ok);
      task.result = ev.result ?? null;
      task.error = ev.error ?? null;
      task.itemEnds = ev.item_ends ?? null;
      break;
    case EventKind.TASK_CANCELLED:
      task.cancelledT = ev.t;
      task.cancelReason = ev.reason;
      break;
    case EventKind.TASK_MOVED:
      insertSorted(task.moves, { t: ev.t, from: ev.from_pool, to: ev.to_pool }, byTime);
      task.pool = task.moves[task.moves.length - 1].to;
      break;
    case EventKind.SERIALIZED:
      insertSorted(task.serialized, {
        t: ev.t,
        side: ev.side,
        what: ev.what,
        op: ev.op,
        durationNs: ev.duration_ns,
        nbytes: ev.nbytes,
      }, byTime);
      break;
    default:
      break;
  }
}
