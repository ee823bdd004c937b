// @ts-check
/**
 * The schedviz wire format as the browser sees it: mirrors backend/schedviz/protocol.py.
 *
 * Rules kept here:
 * - An event is a flat object `{seq, t, kind, ...fields}`; `t` is ns since the run started.
 * - EVENT_FIELDS lists each kind's own fields in declared order; the block between the BEGIN and
 *   END lines is pure JSON so a test can read it without a JavaScript engine and compare it with
 *   `/api/schema`.
 * - Each kind's comment in EventKind says since which schema version it exists.
 */

/** Version of the event schema this frontend understands. */
export const SCHEMA_VERSION = 4;

/** kind -> the kind's own field names (after seq, t, kind), in declared order. */
// BEGIN EVENT_FIELDS
export const EVENT_FIELDS = {
  "run_started": ["run_id", "wall_time_ns", "schema_version", "config"],
  "run_ended": ["reason", "message"],
  "pool_created": ["pool", "max_workers", "executor"],
  "pool_retired": ["pool"],
  "worker_spawned": ["worker", "pool", "name", "native_id"],
  "worker_ready": ["worker", "pid"],
  "worker_exited": ["worker", "pool", "exitcode"],
  "task_submitted": ["task", "pool", "args", "map_id", "first_item", "items"],
  "task_started": ["task", "worker"],
  "task_finished": ["task", "worker", "ok", "result", "error", "item_ends"],
  "task_cancelled": ["task", "reason"],
  "task_moved": ["task", "from_pool", "to_pool"],
  "serialized": ["task", "side", "what", "op", "duration_ns", "nbytes"],
  "memory": ["pid", "worker", "rss", "uss"],
  "pool_broken": ["pool", "message", "worker", "pid", "exitcode"],
  "gil_sampler": ["pid", "available", "period_ns", "reason", "realtime"],
  "gil": ["pid", "held", "worker", "thread", "window_ns", "switches", "gap"],
  "thread_state": ["pid", "worker", "thread", "state", "syscall"],
  "aio_task": ["task", "name", "coro", "parent"],
  "aio_step": ["task", "dur_ns", "file", "line", "awaiting", "waits_on", "outcome"],
  "aio_task_done": ["task", "outcome", "error", "steps"],
  "aio_idle": ["dur_ns", "io_events"],
  "aio_ready": ["ready"],
  "aio_blocked": ["task", "dur_ns", "file", "line", "source", "ongoing"],
  "aio_offload": ["task", "pool_task"],
  "aio_queue": ["name", "size", "maxsize"],
  "queue_depth": ["depth"],
  "config_changed": ["field", "old", "new"],
  "error": ["message"],
  "warning": ["message"]
};
// END EVENT_FIELDS

/** Event kinds by name, so a typo is a missing property rather than a silent string mismatch. */
export const EventKind = Object.freeze({
  RUN_STARTED: "run_started", // v1
  RUN_ENDED: "run_ended", // v1
  POOL_CREATED: "pool_created", // v1
  POOL_RETIRED: "pool_retired", // v1
  WORKER_SPAWNED: "worker_spawned", // v1
  WORKER_READY: "worker_ready", // v2: a worker process finished starting
  WORKER_EXITED: "worker_exited", // v1
  TASK_SUBMITTED: "task_submitted", // v1
  TASK_STARTED: "task_started", // v1
  TASK_FINISHED: "task_finished", // v1
  TASK_CANCELLED: "task_cancelled", // v1
  TASK_MOVED: "task_moved", // v1
  SERIALIZED: "serialized", // v2: pickling / unpickling of a task's data
  MEMORY: "memory", // v2: a process's memory sample
  POOL_BROKEN: "pool_broken", // v2: a process pool lost a worker and takes no more work
  GIL_SAMPLER: "gil_sampler", // v3: an interpreter's GIL sampler started, or could not
  GIL: "gil", // v3: a change of GIL holder in one process, with its uncertainty window
  THREAD_STATE: "thread_state", // v3: a pool worker thread's state changed, as /proc shows it
  AIO_TASK: "aio_task", // v4: an asyncio task was created
  AIO_STEP: "aio_step", // v4: one step of a task ran; it yielded at file:line or ended
  AIO_TASK_DONE: "aio_task_done", // v4: a task ended (done, error, cancelled)
  AIO_IDLE: "aio_idle", // v4: the loop waited in select (nothing was ready)
  AIO_READY: "aio_ready", // v4: callbacks ready per loop iteration, when it changes
  AIO_BLOCKED: "aio_blocked", // v4: a step blocked the loop longer than slow_step_ms
  AIO_OFFLOAD: "aio_offload", // v4: an asyncio task handed work to the thread pool
  AIO_QUEUE: "aio_queue", // v4: a watched asyncio.Queue's size
  QUEUE_DEPTH: "queue_depth", // v1
  CONFIG_CHANGED: "config_changed", // v1
  ERROR: "error", // v1
  WARNING: "warning", // v1
});

/** Server -> browser message types over /ws. */
export const ServerMessage = Object.freeze({
  HELLO: "hello", // {schema_version, run: RunStatus | null}
  EVENTS: "events", // {run_id, events: Event[]}
  DROPPED: "dropped", // {run_id, count}
  STATUS: "status", // {run: RunStatus | null}
  ERROR: "error", // {message, field: string | null}
});

/**
 * @typedef {{seq: number, t: number, kind: string, [field: string]: any}} WireEvent
 * @typedef {{run_id: string, state: "running" | "ended", config: RunConfig}} RunStatus
 * @typedef {{
 *   executor: "threads" | "processes" | "asyncio",
 *   workload: "cpu" | "sleep" | "hash" | "mixed" | "convoy" | "echo" | "blocking" | "gather"
 *     | "offload" | "queue",
 *   n_tasks: number, task_ms: number, hash_mb: number, arrival: "batch" | "rate",
 *   rate: number, duration_s: number, max_workers: number, fail_every: number,
 *   start_method?: string, submit_mode?: string, chunksize?: number, map_batch?: number,
 *   payload_numbers?: number, kill_every?: number, on_broken?: string,
 *   gil_period_us?: number, switch_interval_ms?: number, slow_step_ms?: number
 * }} RunConfig
 */

/** RunConfig limits and defaults (the server re-checks every value and is the authority). */
export const CONFIG_LIMITS = Object.freeze({
  n_tasks: { min: 1, max: 10000, step: 1, default: 12 },
  task_ms: { min: 0, max: 10000, step: 1, default: 100 },
  hash_mb: { min: 0.1, max: 256, step: 0.1, default: 8 },
  rate: { min: 0.1, max: 1000, step: 0.1, default: 10 },
  duration_s: { min: 0.1, max: 3600, step: 0.1, default: 30 },
  max_workers: { min: 1, max: 64, step: 1, default: 3 },
  fail_every: { min: 0, max: 10000, step: 1, default: 0 },
  chunksize: { min: 1, max: 10000, step: 1, default: 1 }, // v2
  map_batch: { min: 1, max: 10000, step: 1, default: 16 }, // v2
  payload_numbers: { min: 0, max: 5000000, step: 1, default: 0 }, // v2
  kill_every: { min: 0, max: 10000, step: 1, default: 0 }, // v2
  gil_period_us: { min: 50, max: 1000, step: 1, default: 250 }, // v3
  switch_interval_ms: { min: 0.1, max: 50, step: 0.1, default: 5 }, // v3
  slow_step_ms: { min: 1, max: 10000, step: 1, default: 50 }, // v4: asyncio, live
});

/** Choices for the enumerated RunConfig fields, first one the default where the server agrees. */
export const CONFIG_CHOICES = Object.freeze({
  executor: ["threads", "processes", "asyncio"], // asyncio: v4
  workload: ["sleep", "cpu", "hash", "mixed", "convoy"], // convoy: v3; for a pool
  arrival: ["batch", "rate"],
  start_method: ["spawn", "fork", "forkserver"], // v2
  submit_mode: ["submit", "map"], // v2
  on_broken: ["restart", "end"], // v2
});

/** v4: the workloads executor "asyncio" runs (the server refuses the pool workloads there). */
export const ASYNCIO_WORKLOADS = Object.freeze(["sleep", "echo", "blocking", "cpu", "gather", "offload", "queue"]);

/** Whether `kind` is an event kind this schema version knows. */
export function isKnownKind(kind) {
  return Object.prototype.hasOwnProperty.call(EVENT_FIELDS, kind);
}
