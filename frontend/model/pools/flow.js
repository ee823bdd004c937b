// @ts-check
/**
 * The queues themselves, at a moment t: which tasks sit in each stage of a pool's data flow, and
 * which asyncio tasks the loop found ready at its iteration. Derived from the task events the
 * model already holds; no DOM.
 *
 * A process pool follows CPython's own diagram (top of concurrent/futures/process.py):
 *   pending work items ("Work Ids")  submitted, not yet put on the call queue
 *   call queue                       max_workers + EXTRA_QUEUED_CALLS calls at most: from the
 *                                    lab's pickling of the call (its feeder thread pickles what
 *                                    the pool put) until a worker takes it
 *   workers                          unpickling the call, running it, pickling its result
 *   result queue                     the result pickled by the worker, until the lab has
 *                                    unpickled it (CPython reads and unpickles it in one recv)
 *   futures                          done: result set, raised, or cancelled
 * When a worker *takes* a call is not stamped (it happens inside multiprocessing's get), only
 * when it begins unpickling it, which can be a preempted moment later. The call queue is one
 * pipe, first in first out, and bounded, so the events tell more: a call was taken no later
 * than a call pickled after it began to be unpickled, and no later than the pickling of the
 * call that its free slot let in (the (capacity)-th call pickled after it). Such a call is
 * shown as taken by a worker, not yet known which.
 *
 * A thread pool has one work queue (FIFO): submitted (or moved in by a resize), not yet started;
 * then its workers; then done.
 *
 * asyncio: the tasks whose steps one loop iteration ran are the tasks that were ready when it
 * began (aio_ready counts them per iteration, sent when the count changes; a select marks an
 * iteration's start too). At t the ready queue is the current iteration's: the steps it already
 * ran, the one running, and the ones still waiting their turn.
 *
 * Guarantees:
 * - Stage counts are exact for what the events say; lists are capped (`cap`), counts never.
 * - One pass over the run's tasks per call, a binary search for asyncio: cheap per frame with
 *   thousands of tasks.
 * - Only events at or before t matter, so a replay's model at its cursor and a live model at
 *   "now" give the same answer for the same t.
 */
import { byTime, lowerBound, upperBound } from "../core/sorted.js";

/** CPython's concurrent.futures.process.EXTRA_QUEUED_CALLS: calls queued beyond max_workers. */
export const EXTRA_QUEUED_CALLS = 1;
/** How many task numbers a stage lists (the count is always whole). */
export const LIST_CAP = 12;

/** @typedef {import("../core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../core/lanes.js").Task} Task */
/**
 * A stage of a flow: how many tasks sit in it, and the first `cap` of them in queue order.
 * @typedef {{count: number, tasks: number[]}} Stage
 */
/**
 * One worker at t: the task it holds (null: idle) and what it does with it.
 * @typedef {{worker: number, name: string | null, task: number | null,
 *   phase: "unpickling" | "running" | "pickling" | null}} WorkerSlot
 */
/**
 * Done at t: counts by outcome, and the latest done first.
 * @typedef {{count: number, ok: number, error: number, cancelled: number, tasks: number[]}} DoneStage
 */
/**
 * @typedef {object} PoolFlow
 * @property {number} pool
 * @property {"processes" | "threads"} executor
 * @property {number | null} maxWorkers
 * @property {number | null} capacity   the call queue's size (processes), else null
 * @property {Stage} pending            processes: pending work items; threads: the work queue
 * @property {Stage} callQueue          processes only (empty for threads)
 * @property {Stage} taken              processes: taken off the call queue by a worker not yet known
 * @property {WorkerSlot[]} workers     the pool's workers alive at t, by worker id
 * @property {Stage} resultQueue        processes only
 * @property {DoneStage} done
 * @property {boolean} retired          the pool takes no new work at t
 */

/**
 * The pool a task belonged to at t (a resize moves waiting tasks to the new pool).
 * @param {Task} task
 * @param {number} t
 * @returns {{pool: number | null, since: number | null}}
 */
export function poolAt(task, t) {
  const moves = task.moves;
  for (let i = moves.length - 1; i >= 0; i--) {
    if (moves[i].t <= t) return { pool: moves[i].to, since: moves[i].t };
  }
  return { pool: moves.length > 0 ? moves[0].from : task.pool, since: task.submittedT };
}

/**
 * The four pickling steps of a process task that began at or before t.
 * @param {Task} task
 * @param {number} t
 */
function picklingSteps(task, t) {
  /** @type {{t: number, durationNs: number} | null} */
  let argsDumps = null;
  /** @type {{t: number, durationNs: number} | null} */
  let argsLoads = null;
  /** @type {{t: number, durationNs: number} | null} */
  let resultDumps = null;
  /** @type {{t: number, durationNs: number} | null} */
  let resultLoads = null;
  for (const s of task.serialized) {
    if (s.t > t) break; // sorted by start time
    if (s.what === "args") {
      if (s.side === "parent") argsDumps ??= s;
      else argsLoads = s;
    } else if (s.side === "worker") resultDumps = s;
    else resultLoads = s;
  }
  return { argsDumps, argsLoads, resultDumps, resultLoads };
}

/**
 * Where a task of a process pool is at t.
 * @param {Task} task
 * @param {number} t
 * @returns {{stage: "pending" | "call" | "worker" | "result" | "done", at: number,
 *   phase?: "unpickling" | "running" | "pickling", how?: "ok" | "error" | "cancelled",
 *   dumpsT?: number | null}}  dumpsT: when the lab began pickling its call (null: not yet)
 */
export function processStageAt(task, t) {
  const started = task.startedT !== null && task.startedT <= t;
  if (task.cancelledT !== null && task.cancelledT <= t && !started) {
    return { stage: "done", at: task.cancelledT, how: "cancelled" };
  }
  const { argsDumps, argsLoads, resultDumps, resultLoads } = picklingSteps(task, t);
  const finished = task.finishedT !== null && task.finishedT <= t;
  const how = task.ok === false ? "error" : "ok";
  const dumpsT = argsDumps?.t ?? null;
  if (resultLoads && resultLoads.t + resultLoads.durationNs <= t) {
    return { stage: "done", at: resultLoads.t + resultLoads.durationNs, how, dumpsT };
  }
  // No result pickled: it raised (the exception travels back unmeasured) or was lost when the
  // pool broke; its future is done from its end on.
  if (finished && !resultDumps) return { stage: "done", at: /** @type {number} */ (task.finishedT), how, dumpsT };
  if (resultDumps && resultDumps.t + resultDumps.durationNs <= t) {
    return { stage: "result", at: resultDumps.t + resultDumps.durationNs, dumpsT };
  }
  if (started || (argsLoads && argsLoads.t <= t)) {
    const phase = !started ? "unpickling" : finished ? "pickling" : "running";
    return { stage: "worker", at: argsLoads?.t ?? /** @type {number} */ (task.startedT), phase, dumpsT };
  }
  if (argsDumps) return { stage: "call", at: argsDumps.t, dumpsT: argsDumps.t };
  const { since } = poolAt(task, t);
  return { stage: "pending", at: since ?? /** @type {number} */ (task.submittedT) };
}

/**
 * Where a task of a thread pool is at t.
 * @param {Task} task
 * @param {number} t
 * @returns {{stage: "pending" | "worker" | "done", at: number, how?: "ok" | "error" | "cancelled"}}
 */
export function threadStageAt(task, t) {
  if (task.finishedT !== null && task.finishedT <= t) {
    return { stage: "done", at: task.finishedT, how: task.ok === false ? "error" : "ok" };
  }
  const started = task.startedT !== null && task.startedT <= t;
  if (task.cancelledT !== null && task.cancelledT <= t && !started) {
    return { stage: "done", at: task.cancelledT, how: "cancelled" };
  }
  if (started) return { stage: "worker", at: /** @type {number} */ (task.startedT) };
  const { since } = poolAt(task, t);
  return { stage: "pending", at: since ?? /** @type {number} */ (task.submittedT) };
}

/** A stage being filled: (time, task) pairs, ordered at the end. */
class Gather {
  constructor() {
    /** @type {number[]} */
    this.at = [];
    /** @type {number[]} */
    this.ids = [];
  }

  /** @param {number} at @param {number} id */
  add(at, id) {
    this.at.push(at);
    this.ids.push(id);
  }

  /**
   * The stage: its count and its first `cap` tasks, oldest first (newest first if `newest`).
   * Only the `cap` listed are ordered (a bounded buffer, one pass): the count is all of them.
   * @param {number} cap
   * @param {boolean} [newest]
   * @returns {Stage}
   */
  stage(cap, newest = false) {
    const sign = newest ? -1 : 1;
    /** @param {number} a @param {number} b */
    const before = (a, b) => sign * (this.at[a] - this.at[b] || this.ids[a] - this.ids[b]) < 0;
    if (cap >= this.ids.length) {
      const all = this.ids.map((_, i) => i).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      return { count: this.ids.length, tasks: all.map((i) => this.ids[i]) };
    }
    /** @type {number[]} indexes of the best `cap` so far, in order */
    const best = [];
    for (let i = 0; i < this.ids.length; i++) {
      if (best.length === cap && !before(i, best[cap - 1])) continue;
      let j = best.length < cap ? best.length : cap - 1;
      best[j] = i;
      while (j > 0 && before(best[j], best[j - 1])) {
        [best[j], best[j - 1]] = [best[j - 1], best[j]];
        j--;
      }
    }
    return { count: this.ids.length, tasks: best.map((i) => this.ids[i]) };
  }
}

/**
 * Every pool's flow at t (pools known at t, by id).
 * @param {TimelineModel} model
 * @param {number} t
 * @param {number} [cap]
 * @returns {PoolFlow[]}
 */
export function poolFlowsAt(model, t, cap = LIST_CAP) {
  /** @type {Map<number, ReturnType<typeof builder>>} */
  const builders = new Map();
  const fallback = model.config?.executor === "processes" ? "processes" : "threads";
  for (const pool of model.pools.values()) {
    if (pool.createdT === null || pool.createdT <= t) builderOf(builders, pool.pool, pool.executor ?? fallback);
  }
  for (const task of model.tasks.values()) {
    if (task.submittedT === null || task.submittedT > t) continue;
    const { pool: poolId } = poolAt(task, t);
    if (poolId === null) continue;
    const b = builderOf(builders, poolId, model.pools.get(poolId)?.executor ?? fallback);
    if (b.executor === "processes") {
      const s = processStageAt(task, t);
      if (s.stage === "call") b.calls.push({ id: task.id, dumpsT: /** @type {number} */ (s.dumpsT) });
      else if (s.stage === "worker") placeOnWorker(b, task, s.at, s.phase ?? "running");
      else if (s.stage === "pending") b.pending.add(s.at, task.id);
      else if (s.stage === "result") b.result.add(s.at, task.id);
      else countDone(b, s.at, task.id, s.how ?? "ok");
      // The newest-pickled call some worker has begun to unpickle: every call pickled before it
      // has left the call queue (first in, first out).
      if (s.stage !== "call" && s.dumpsT != null && s.dumpsT > b.newestTakenDumpsT) b.newestTakenDumpsT = s.dumpsT;
    } else {
      const s = threadStageAt(task, t);
      if (s.stage === "worker") placeOnWorker(b, task, s.at, "running");
      else if (s.stage === "pending") b.pending.add(s.at, task.id);
      else countDone(b, s.at, task.id, s.how ?? "ok");
    }
  }
  const out = [];
  for (const b of [...builders.values()].sort((x, y) => x.pool - y.pool)) {
    out.push(finish(b, model, t, cap));
  }
  return out;
}

/**
 * The flows worth showing at t: every pool with tasks not done yet, else the newest pool.
 * @param {PoolFlow[]} flows
 */
export function busyFlows(flows) {
  const busy = flows.filter(isBusy);
  return busy.length > 0 ? busy : flows.slice(-1);
}

/**
 * Whether a pool has tasks not done at the flow's moment.
 * @param {PoolFlow} f
 */
export function isBusy(f) {
  return f.pending.count + f.callQueue.count + f.taken.count + f.resultQueue.count > 0 ||
    f.workers.some((w) => w.task !== null);
}

/**
 * @param {number} pool
 * @param {string} executor
 */
function builder(pool, executor) {
  return {
    pool,
    executor: /** @type {"processes" | "threads"} */ (executor === "processes" ? "processes" : "threads"),
    pending: new Gather(),
    /** @type {{id: number, dumpsT: number}[]} */
    calls: [],
    newestTakenDumpsT: -Infinity,
    /** @type {Map<number, {task: number, phase: "unpickling" | "running" | "pickling", at: number}>} */
    working: new Map(),
    taken: new Gather(),
    result: new Gather(),
    done: new Gather(),
    ok: 0,
    error: 0,
    cancelled: 0,
  };
}

/**
 * @param {Map<number, ReturnType<typeof builder>>} builders
 * @param {number} pool
 * @param {string} executor
 */
function builderOf(builders, pool, executor) {
  let b = builders.get(pool);
  if (!b) {
    b = builder(pool, executor);
    builders.set(pool, b);
  }
  return b;
}

/**
 * A task a worker holds at t; one not yet known on which worker goes among the taken.
 * @param {ReturnType<typeof builder>} b
 * @param {Task} task
 * @param {number} at
 * @param {"unpickling" | "running" | "pickling"} phase
 */
function placeOnWorker(b, task, at, phase) {
  const worker = phase === "unpickling" ? null : task.worker;
  if (worker === null) {
    b.taken.add(at, task.id);
    return;
  }
  const held = b.working.get(worker);
  // A worker holds one task at a time; should two overlap (clock glitches), the later one.
  if (!held || held.at <= at) b.working.set(worker, { task: task.id, phase, at });
}

/**
 * @param {ReturnType<typeof builder>} b
 * @param {number} at
 * @param {number} id
 * @param {"ok" | "error" | "cancelled"} how
 */
function countDone(b, at, id, how) {
  b.done.add(at, id);
  b[how]++;
}

/**
 * Settle a pool's stages: infer the calls already taken off the call queue, lay out workers.
 * @param {ReturnType<typeof builder>} b
 * @param {TimelineModel} model
 * @param {number} t
 * @param {number} cap
 * @returns {PoolFlow}
 */
function finish(b, model, t, cap) {
  const pool = model.pools.get(b.pool);
  const maxWorkers = pool?.maxWorkers ?? null;
  const capacity = b.executor === "processes" && maxWorkers !== null ? maxWorkers + EXTRA_QUEUED_CALLS : null;
  const calls = b.calls.sort((x, y) => x.dumpsT - y.dumpsT || x.id - y.id);
  const queued = new Gather();
  calls.forEach((c, i) => {
    // Taken: a call pickled later is already being unpickled, or `capacity` calls were put
    // on the queue after it (each put needs a free slot, and the queue is FIFO).
    const later = calls.length - 1 - i;
    if (c.dumpsT < b.newestTakenDumpsT || (capacity !== null && later >= capacity)) b.taken.add(c.dumpsT, c.id);
    else queued.add(c.dumpsT, c.id);
  });
  /** @type {WorkerSlot[]} */
  const workers = [];
  for (const lane of model.lanes.list) {
    const held = b.working.get(lane.worker);
    const mine = lane.pool === b.pool || (lane.pool === null && held !== undefined);
    if (!mine) continue;
    const alive = (lane.spawnedT === null || lane.spawnedT <= t) && (lane.exitedT === null || lane.exitedT > t);
    if (!alive && !held) continue;
    workers.push({ worker: lane.worker, name: lane.name, task: held?.task ?? null, phase: held?.phase ?? null });
  }
  for (const [worker, held] of b.working) {
    if (!workers.some((w) => w.worker === worker)) workers.push({ worker, name: null, task: held.task, phase: held.phase });
  }
  workers.sort((x, y) => x.worker - y.worker);
  const done = b.done.stage(cap, true);
  return {
    pool: b.pool,
    executor: b.executor,
    maxWorkers,
    capacity,
    pending: b.pending.stage(cap),
    callQueue: queued.stage(cap),
    taken: b.taken.stage(cap),
    workers,
    resultQueue: b.result.stage(cap),
    done: { ...done, ok: b.ok, error: b.error, cancelled: b.cancelled },
    retired: pool?.retiredT !== null && pool?.retiredT !== undefined && pool.retiredT <= t,
  };
}

// ------------------------------------------------------------------------------------------
// asyncio: the ready queue at the loop iteration of t
// ------------------------------------------------------------------------------------------

/**
 * What the ready queue is read from: the loop's steps, ready counts and idle spans, each sorted
 * by time (AioFacts has them; `readySourceOf` builds them from a whole recording's events).
 * @typedef {{steps: {t: number, dur: number, task: number}[], ready: {t: number, value: number}[],
 *   idle: {t: number, dur: number}[]}} ReadySource
 */
/**
 * @typedef {object} ReadyQueue
 * @property {"idle" | "iteration" | "none"} state  idle: the loop waits in select, nothing ready
 * @property {number | null} iterationT  when the iteration began (its select returned), if known
 * @property {number} count     tasks ready at that iteration
 * @property {{task: number, status: "ran" | "running" | "ready"}[]} tasks  in the order they ran
 *   (capped); ran: its step is over, running: at t, ready: still waiting its turn
 * @property {{iterationT: number | null, count: number, tasks: {task: number, status: "ran" | "running" | "ready"}[]} | null} previous
 *   when no task is ready at t (idle, or an iteration that ran only callbacks): the newest
 *   iteration before t that had ready tasks, all of them run by then
 */

/**
 * The steps, ready counts and idle spans of a recording's events (for a replay: what the whole
 * iteration at the cursor ran, including the steps after the cursor).
 * @param {{kind: string, t: number, [k: string]: any}[]} events  sorted by time
 * @returns {ReadySource}
 */
export function readySourceOf(events) {
  /** @type {ReadySource} */
  const src = { steps: [], ready: [], idle: [] };
  for (const e of events) {
    if (e.kind === "aio_step") src.steps.push({ t: e.t, dur: e.dur_ns, task: e.task });
    else if (e.kind === "aio_ready") src.ready.push({ t: e.t, value: e.ready });
    else if (e.kind === "aio_idle") src.idle.push({ t: e.t, dur: e.dur_ns });
  }
  for (const list of [src.steps, src.ready, src.idle]) list.sort((a, b) => a.t - b.t);
  return src;
}

/**
 * The ready queue at the loop iteration running at t.
 * @param {ReadySource} src
 * @param {number} t
 * @param {number} [cap]
 * @returns {ReadyQueue}
 */
export function readyQueueAt(src, t, cap = LIST_CAP) {
  const q = iterationAt(src, t, cap);
  if (q.tasks.length > 0) return q;
  const k = upperBound(src.steps, t, byTime) - 1;
  if (k < 0) return q;
  const before = iterationAt(src, src.steps[k].t, cap);
  const tasks = before.tasks.map((x) => ({ task: x.task, status: /** @type {"ran"} */ ("ran") }));
  return { ...q, previous: { iterationT: before.iterationT, count: before.count, tasks } };
}

/**
 * The iteration at t alone (no look back).
 * @param {ReadySource} src
 * @param {number} t
 * @param {number} cap
 * @returns {ReadyQueue}
 */
function iterationAt(src, t, cap) {
  const { steps, ready, idle } = src;
  const ii = upperBound(idle, t, byTime) - 1;
  const lastIdle = ii >= 0 ? idle[ii] : null;
  if (lastIdle && t < lastIdle.t + lastIdle.dur) {
    return { state: "idle", iterationT: null, count: 0, tasks: [], previous: null };
  }
  // The iteration's segment: from the newest iteration start known at or before t (a ready
  // count, the end of a select that waited) to the next one; within it every iteration ran
  // the same number of steps (a count is sent only when it changes).
  const ri = upperBound(ready, t, byTime) - 1;
  const readyT = ri >= 0 ? ready[ri].t : -Infinity;
  const idleEnd = lastIdle ? lastIdle.t + lastIdle.dur : -Infinity;
  const from = Math.max(readyT, idleEnd);
  const n = ri >= 0 ? ready[ri].value : 0;
  const nextReady = ri + 1 < ready.length ? ready[ri + 1].t : Infinity;
  const nextIdle = ii + 1 < idle.length ? idle[ii + 1].t : Infinity;
  const until = Math.min(nextReady, nextIdle);
  const i0 = from === -Infinity ? 0 : lowerBound(steps, from, byTime);
  const i1 = until === Infinity ? steps.length : lowerBound(steps, until, byTime);
  if (i0 >= i1) {
    return {
      state: from === -Infinity ? "none" : "iteration", iterationT: from === -Infinity ? null : from, count: n,
      tasks: [], previous: null,
    };
  }
  const k = upperBound(steps, t, byTime) - 1; // the newest step begun by t
  let g0 = i0;
  let g1 = i1;
  if (n > 0) {
    const g = k < i0 ? 0 : Math.floor((k - i0) / n);
    g0 = i0 + g * n;
    g1 = Math.min(i1, g0 + n);
  }
  const tasks = [];
  for (let i = g0; i < g1 && tasks.length < cap; i++) {
    const s = steps[i];
    const status = s.t > t ? "ready" : t < s.t + s.dur ? "running" : "ran";
    tasks.push({ task: s.task, status: /** @type {"ran" | "running" | "ready"} */ (status) });
  }
  return {
    state: "iteration",
    iterationT: g0 === i0 && from !== -Infinity ? from : null,
    count: n > 0 ? n : g1 - g0,
    tasks,
    previous: null,
  };
}
