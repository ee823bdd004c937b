"""The schedviz wire format: every event kind, run config, control and server message, versioned.

This module is the only vocabulary shared by the lab, the web process, the CLI and the browser:
`frontend/protocol.js` is generated from `json_schema()` by `scripts/gen_protocol.py` (`make
protocol`), and a test fails when the checked-in file is stale.

Rules this module keeps:
- An event on the wire is a flat JSON object: `seq` (gap-free per run), `t` (ns since the run's
  start, from `time.monotonic_ns()`), `kind`, then the kind's own fields in declared order.
- On the hot path an event is a plain tuple `(kind, t_abs_ns, *fields)`; it becomes a dict only
  when a batch is flushed (`encode`), so recording costs a tuple and a deque append.
- Each field's description, and each event's and message's docstring, says since which schema
  version it exists; the schema carries them, so protocol.js's comments come from here.
- Server messages are built through their models (`wire()`), so their fields cannot drift;
  an events batch is the exception that keeps the fan-out cheap (`EventsMessage.batch`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

SCHEMA_VERSION = 6

# ---------------------------------------------------------------------------------------------
# Run configuration (the body of POST /api/runs and of the websocket "start" message)
# ---------------------------------------------------------------------------------------------

Workload = Literal[
    "cpu", "sleep", "hash", "mixed", "convoy", "echo", "blocking", "gather", "offload", "queue",
    "cpu_work",
]
#: workloads each executor can run (asyncio runs coroutines, the pools run functions)
POOL_WORKLOADS = ("cpu", "sleep", "hash", "mixed", "convoy", "cpu_work")
ASYNCIO_WORKLOADS = ("sleep", "echo", "blocking", "cpu", "gather", "offload", "queue", "cpu_work")
Arrival = Literal["batch", "rate"]
Executor = Literal["threads", "processes", "asyncio"]
StartMethod = Literal["spawn", "fork", "forkserver"]
SubmitMode = Literal["submit", "map"]
OnBroken = Literal["restart", "end"]


class RunConfig(BaseModel):
    """What to run: executor, workload, arrival and pool size; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    # In the schema, a float field's "step" is the step its input offers (an int's is 1), and
    # the workload's "workloads_by_executor" says which workloads each executor runs.

    executor: Executor = Field(
        "threads", description="v1: executor kind; v4: asyncio = one event loop, coroutines"
    )
    workload: Workload = Field(
        "sleep",
        json_schema_extra={"workloads_by_executor": {
            "threads": list(POOL_WORKLOADS),
            "processes": list(POOL_WORKLOADS),
            "asyncio": list(ASYNCIO_WORKLOADS),
        }},
        description="v1: cpu = pure-Python loop, sleep = time.sleep, "
        "hash = hashlib (releases the GIL), mixed = the three in turn; "
        "v3: convoy = cpu beside short I/O waits that each need the GIL after; "
        "v4 (asyncio): sleep = coroutines sleeping, echo = a TCP echo server and clients, "
        "blocking = one coroutine calls time.sleep, cpu = a coroutine that never yields, "
        "gather = sequential awaits vs gather, offload = CPU work via run_in_executor, "
        "queue = producers and consumers on an asyncio.Queue with a Lock and a Semaphore; "
        "v6: cpu_work = the cpu loop until the task used task_ms of CPU time (a fixed amount "
        "of work, on every executor; asyncio: one coroutine per task that never yields)",
    )
    n_tasks: int = Field(12, ge=1, le=10_000, description="v1: tasks to submit (1–10000)")
    task_ms: float = Field(
        100.0, ge=0.0, le=10_000.0, json_schema_extra={"step": 1},
        description="v1: task length in ms",
    )
    hash_mb: float = Field(
        8.0, ge=0.1, le=256.0, json_schema_extra={"step": 0.1},
        description="v1: MB hashed per task by the hash workload",
    )
    arrival: Arrival = Field("batch", description="v1: batch = all at once, rate = steady stream")
    rate: float = Field(
        10.0, ge=0.1, le=1_000.0, json_schema_extra={"step": 0.1},
        description="v1: tasks per second for arrival=rate",
    )
    duration_s: float = Field(
        30.0, ge=0.1, le=3_600.0, json_schema_extra={"step": 0.1},
        description="v1: a rate run stops submitting after this",
    )
    max_workers: int = Field(3, ge=1, le=64, description="v1: pool size (1–64), live")
    fail_every: int = Field(
        0, ge=0, le=10_000, description="v1: every n-th task raises ValueError (0 = never)"
    )
    start_method: StartMethod = Field(
        "spawn", description="v2: how a process pool starts its workers"
    )
    submit_mode: SubmitMode = Field(
        "submit", description="v2: one submit() per task, or map() calls with chunksize"
    )
    chunksize: int = Field(
        1, ge=1, le=10_000, description="v2: items per chunk for map() (1–10000), live"
    )
    map_batch: int = Field(
        16, ge=1, le=10_000,
        description="v2: with arrival=rate and submit_mode=map, items per map() call",
    )
    payload_numbers: int = Field(
        0, ge=0, le=5_000_000,
        description="v2: a list of this many floats sent with each task (pickling cost)",
    )
    kill_every: int = Field(
        0, ge=0, le=10_000,
        description="v2: every n-th task kills its worker process with os._exit (0 = never)",
    )
    on_broken: OnBroken = Field(
        "restart", description="v2: when a worker process dies: a fresh pool, or end the run"
    )
    gil_period_us: int = Field(
        250, ge=50, le=1_000, description="v3: how often the GIL sampler looks (50–1000 µs)"
    )
    switch_interval_ms: float = Field(
        5.0, ge=0.1, le=50.0, json_schema_extra={"step": 0.1},
        description="v3: sys.setswitchinterval in the lab, in ms (0.1–50), live",
    )

    slow_step_ms: float = Field(
        50.0, ge=1.0, le=10_000.0, json_schema_extra={"step": 1},
        description="v4: asyncio: a step longer than this blocked the loop (1–10000 ms), live",
    )

    @model_validator(mode="after")
    def _kill_needs_processes(self) -> RunConfig:
        if self.kill_every and self.executor != "processes":
            raise ValueError(
                "kill_every needs executor 'processes': in a thread pool it would kill the lab"
            )
        allowed = ASYNCIO_WORKLOADS if self.executor == "asyncio" else POOL_WORKLOADS
        if self.workload not in allowed:
            raise ValueError(
                f"workload {self.workload!r} does not run on executor {self.executor!r}; "
                f"choose one of: {', '.join(allowed)}"
            )
        return self


# ---------------------------------------------------------------------------------------------
# Events (lab → web → browser, and the JSON Lines of `schedviz run`)
# ---------------------------------------------------------------------------------------------


class _Event(BaseModel):
    seq: int = Field(description="v1: position in the run, gap-free from 0")
    t: int = Field(description="v1: ns since the run started (monotonic clock)")


class RunStarted(_Event):
    """v1: a run began; t = 0 is pinned to wall-clock time here."""

    kind: Literal["run_started"] = "run_started"
    run_id: str = Field(description="v1: unique id of the run")
    wall_time_ns: int = Field(description="v1: wall-clock time (Unix ns) of t = 0")
    schema_version: int = Field(description="v1: SCHEMA_VERSION of the producer")
    config: dict[str, Any] = Field(description="v1: the RunConfig as given")


class RunEnded(_Event):
    """v1: the run ended; always its last event."""

    kind: Literal["run_ended"] = "run_ended"
    reason: Literal["completed", "stopped", "error"] = Field(description="v1: why it ended")
    message: str | None = Field(description="v1: what went wrong, for reason=error")


class PoolCreated(_Event):
    """v1: a pool was created (at the start, on a resize, after a break)."""

    kind: Literal["pool_created"] = "pool_created"
    pool: int = Field(description="v1: pool id, from 0 in creation order")
    max_workers: int = Field(description="v1: the pool's size")
    executor: Executor = Field(description="v1: executor kind")


class PoolRetired(_Event):
    """v1: a pool takes no new work (a resize replaced it)."""

    kind: Literal["pool_retired"] = "pool_retired"
    pool: int = Field(description="v1: this pool takes no new work; its workers exit when idle")


class WorkerSpawned(_Event):
    """v1: a worker thread (v2: or process; v5: or a traced program's thread) started: a lane."""

    kind: Literal["worker_spawned"] = "worker_spawned"
    worker: int = Field(description="v1: worker id, unique in the run (one lane each)")
    pool: int | None = Field(
        description="v1: the pool it belongs to; v5: null for a thread of a traced program "
        "that no pool started (its main thread, a threading.Thread of its own)"
    )
    name: str = Field(description="v1: thread name")
    native_id: int = Field(description="v1: OS thread id; v2: the pid of a worker process")


class WorkerReady(_Event):
    """v2: a worker process finished starting."""

    kind: Literal["worker_ready"] = "worker_ready"
    worker: int = Field(description="v2: a worker process finished starting (t is its own stamp)")
    pid: int = Field(description="v2: its process id")


class WorkerExited(_Event):
    """v1: a worker ended."""

    kind: Literal["worker_exited"] = "worker_exited"
    worker: int = Field(description="v1: worker id")
    pool: int | None = Field(description="v1: the pool it belonged to; v5: null, as spawned")
    exitcode: int | None = Field(
        description="v2: a process's exit code (negative: killed by that signal); null for threads"
    )


class TaskSubmitted(_Event):
    """v1: a task (v2: or a map() chunk) was submitted."""

    kind: Literal["task_submitted"] = "task_submitted"
    task: int = Field(description="v1: task id, unique in the run")
    pool: int = Field(description="v1: the pool it was submitted to")
    args: str = Field(description="v2: short repr of the arguments (a chunk: its items)")
    map_id: int | None = Field(description="v2: the map() call a chunk belongs to")
    first_item: int | None = Field(description="v2: index of a chunk's first item in its map()")
    items: int | None = Field(description="v2: number of items in a chunk; null for submit()")


class TaskStarted(_Event):
    """v1: a worker began a task."""

    kind: Literal["task_started"] = "task_started"
    task: int = Field(description="v1: task id")
    worker: int = Field(description="v1: the worker running it")


class TaskFinished(_Event):
    """v1: a task ended, with its result or exception."""

    kind: Literal["task_finished"] = "task_finished"
    task: int = Field(description="v1: task id")
    worker: int = Field(description="v1: the worker that ran it")
    ok: bool = Field(description="v1: false when it raised")
    result: str | None = Field(description="v1: repr of the result (truncated), when ok")
    error: str | None = Field(description="v1: repr of the exception (truncated), when not ok")
    item_ends: list[int] | None = Field(
        description="v2: for a chunk, ns from its start to the end of each item that finished"
    )
    cpu_ns: int | None = Field(
        None, description="v6: CPU time the worker's thread spent in the task (null: not "
        "measured, as in recordings before v6)"
    )


class TaskCancelled(_Event):
    """v1: a task was cancelled before it started."""

    kind: Literal["task_cancelled"] = "task_cancelled"
    task: int = Field(description="v1: task id; it never started")
    reason: str = Field(description="v1: 'stopped' (run stopped) or 'cancelled' (by its caller)")


class TaskMoved(_Event):
    """v1: a waiting task moved to the new pool of a resize."""

    kind: Literal["task_moved"] = "task_moved"
    task: int = Field(description="v1: a task that had not started, moved by a resize")
    from_pool: int = Field(description="v1: the retiring pool")
    to_pool: int = Field(description="v1: the new pool")


class Serialized(_Event):
    """v2: pickling / unpickling of a task's data."""

    kind: Literal["serialized"] = "serialized"
    task: int = Field(description="v2: the task whose data was pickled or unpickled (t = start)")
    side: Literal["parent", "worker"] = Field(description="v2: which process did it")
    what: Literal["args", "result"] = Field(description="v2: the call or its result")
    op: Literal["dumps", "loads"] = Field(description="v2: pickling or unpickling")
    duration_ns: int = Field(description="v2: how long it took")
    nbytes: int = Field(description="v2: size of the pickle")


class Memory(_Event):
    """v2: a process's memory sample."""

    kind: Literal["memory"] = "memory"
    pid: int = Field(description="v2: the process sampled")
    worker: int | None = Field(description="v2: its worker id; null for the lab itself")
    rss: int = Field(description="v2: resident set size, bytes")
    uss: int | None = Field(description="v2: unique set size (private pages), bytes, if readable")


class PoolBroken(_Event):
    """v2: a process pool lost a worker and takes no more work."""

    kind: Literal["pool_broken"] = "pool_broken"
    pool: int = Field(description="v2: a process pool that can take no more work")
    message: str = Field(description="v2: what happened, in words")
    worker: int | None = Field(description="v2: the worker whose process died, if known")
    pid: int | None = Field(description="v2: its pid")
    exitcode: int | None = Field(description="v2: its exit code (negative: signal)")


class GilSampler(_Event):
    """v3: an interpreter's GIL sampler started, or could not."""

    kind: Literal["gil_sampler"] = "gil_sampler"
    pid: int = Field(description="v3: the interpreter (process) whose GIL is watched")
    available: bool = Field(description="v3: false: no GIL lane for it, `reason` says why")
    period_ns: int = Field(description="v3: how often the sampler looks")
    reason: str | None = Field(description="v3: why there is no GIL lane, or a caveat")
    realtime: bool = Field(
        description="v3: the sampler runs SCHED_FIFO; without it wake-ups can be ms late"
    )


class Gil(_Event):
    """v3: a change of GIL holder in one process, with its uncertainty window."""

    kind: Literal["gil"] = "gil"
    pid: int = Field(description="v3: whose GIL; t = the sample that saw this holder first")
    held: bool = Field(description="v3: false: nobody holds it from here on")
    worker: int | None = Field(description="v3: the holder, if it is a pool worker")
    thread: str | None = Field(description="v3: the holder's thread name, if known")
    window_ns: int = Field(
        description="v3: the change happened in (t - window_ns, t]: draw that span as unknown"
    )
    switches: int = Field(
        description="v3: GIL switches since the previous gil event (>1: some were too quick "
        "to see)"
    )
    gap: bool = Field(description="v3: the sampler was late: the window is longer than usual")


class ThreadState(_Event):
    """v3: a pool worker thread's state changed, as /proc shows it."""

    kind: Literal["thread_state"] = "thread_state"
    pid: int = Field(description="v3: the process of the thread; t = when the change was seen")
    worker: int | None = Field(description="v3: the thread, if it is a pool worker")
    thread: str | None = Field(description="v3: its name")
    state: Literal["running", "gil_wait", "lock_wait", "sleeping", "io", "disk", "other"] = Field(
        description="v3: from /proc: on a CPU (holding the GIL if the GIL lane says so, else "
        "running C code without it), waiting for the GIL, for another lock, sleeping, in I/O"
    )
    syscall: int | None = Field(description="v3: the system call it waits in, if any")


class AioTask(_Event):
    """v4: an asyncio task was created."""

    kind: Literal["aio_task"] = "aio_task"
    task: int = Field(description="v4: the asyncio task's id in this run (from 1)")
    name: str = Field(description="v4: Task.get_name()")
    coro: str = Field(description="v4: the coroutine's qualified name")
    parent: int | None = Field(description="v4: the task whose step created it, if any")


class AioStep(_Event):
    """v4: one step of a task ran; it yielded at file:line or ended."""

    kind: Literal["aio_step"] = "aio_step"
    task: int = Field(description="v4: the task; t = when the step began")
    dur_ns: int = Field(description="v4: how long the step ran; the loop ran nothing else")
    file: str | None = Field(description="v4: yield site: the innermost user code's file")
    line: int | None = Field(description="v4: yield site: its line (the await)")
    awaiting: str = Field(description="v4: what it waits for: sleep(0.1), a socket read, …")
    waits_on: str | None = Field(description="v4: the queue, lock, … it waits on, by name")
    outcome: Literal["yield", "done", "error", "cancelled"] = Field(
        description="v4: yield = suspended at the yield site; otherwise the task ended"
    )


class AioTaskDone(_Event):
    """v4: a task ended (done, error, cancelled)."""

    kind: Literal["aio_task_done"] = "aio_task_done"
    task: int = Field(description="v4: the task")
    outcome: Literal["done", "error", "cancelled"] = Field(description="v4: how it ended")
    error: str | None = Field(description="v4: the exception's repr, if it raised")
    steps: int = Field(description="v4: steps it ran; 1 = it never yielded")


class AioIdle(_Event):
    """v4: the loop waited in select (nothing was ready)."""

    kind: Literal["aio_idle"] = "aio_idle"
    dur_ns: int = Field(description="v4: the loop waited in select this long (nothing ready)")
    io_events: int = Field(description="v4: I/O events the select returned")


class AioReady(_Event):
    """v4: tasks ready per loop iteration, when it changes."""

    kind: Literal["aio_ready"] = "aio_ready"
    ready: int = Field(
        description="v4: tasks that were ready at the loop iteration that began at t (the "
        "steps it ran); sent when it changes"
    )


class AioBlocked(_Event):
    """v4: a step blocked the loop longer than slow_step_ms."""

    kind: Literal["aio_blocked"] = "aio_blocked"
    task: int = Field(description="v4: the task whose step blocked the loop; t = step began")
    dur_ns: int = Field(description="v4: how long it has blocked it (so far, if ongoing)")
    file: str | None = Field(description="v4: where it was blocked (innermost user code)")
    line: int | None = Field(description="v4: the line")
    source: str = Field(description="v4: the text of that line")
    ongoing: bool = Field(
        description="v4: true: seen while still blocking; false: the step has ended"
    )


class AioOffload(_Event):
    """v4: an asyncio task handed work to the thread pool."""

    kind: Literal["aio_offload"] = "aio_offload"
    task: int | None = Field(description="v4: the asyncio task that called run_in_executor")
    pool_task: int = Field(description="v4: the thread-pool task that does the work")


class AioQueue(_Event):
    """v4: a watched asyncio.Queue's size."""

    kind: Literal["aio_queue"] = "aio_queue"
    name: str = Field(description="v4: the asyncio.Queue's name in the scenario")
    size: int = Field(description="v4: qsize() after a step changed it")
    maxsize: int = Field(description="v4: its maxsize (0 = unbounded)")


class QueueDepth(_Event):
    """v1: how many submitted tasks wait."""

    kind: Literal["queue_depth"] = "queue_depth"
    depth: int = Field(description="v1: submitted tasks not yet started or cancelled")


class ConfigChanged(_Event):
    """v1: a live change took effect."""

    kind: Literal["config_changed"] = "config_changed"
    field: str = Field(description="v1: the RunConfig field changed live")
    old: Any = Field(description="v1: value before")
    new: Any = Field(description="v1: value after")


class ErrorEvent(_Event):
    """v1: something went wrong in the run."""

    kind: Literal["error"] = "error"
    message: str = Field(description="v1: what went wrong and what to do")


class WarningEvent(_Event):
    """v1: something the user should know."""

    kind: Literal["warning"] = "warning"
    message: str = Field(description="v1: something the user should know")


class PythonWarning(_Event):
    """v5: Python itself reported something while a traced program ran: a warning it showed
    (a coroutine never awaited, an unclosed resource) or an asyncio report (a task exception
    never retrieved, a task destroyed while pending, a slow callback in debug mode)."""

    kind: Literal["python_warning"] = "python_warning"
    category: str = Field(max_length=100, description=(
        "v5: the warning's class (RuntimeWarning, ResourceWarning, …) or asyncio's report kind"))
    message: str = Field(max_length=500, description="v5: what Python said")
    file: str | None = Field(description="v5: the file it is about (null: not known)")
    line: int | None = Field(ge=1, description="v5: the line in that file (null: not known)")


class FutureWait(_Event):
    """v6: a thread began to wait on futures of tasks: `Future.result()`, `.exception()`,
    `concurrent.futures.wait()` or `as_completed()`; t = when the wait began."""

    kind: Literal["future_wait"] = "future_wait"
    wait: int = Field(description="v6: the wait's id, unique in the run (future_wait_ended)")
    call: Literal["result", "exception", "wait", "as_completed"] = Field(
        description="v6: which call waits")
    tasks: list[int] = Field(description="v6: the tasks whose futures it waits on")
    timeout_s: float | None = Field(description="v6: the call's timeout (null: none)")
    task: int | None = Field(description="v6: the pool task doing the waiting, if a pool "
                             "worker waits (null: a thread of the program or the lab)")
    worker: int | None = Field(description="v6: the waiting thread's lane, if it has one")
    thread: str = Field(description="v6: the waiting thread's name")


class FutureWaitEnded(_Event):
    """v6: a wait of future_wait returned or raised."""

    kind: Literal["future_wait_ended"] = "future_wait_ended"
    wait: int = Field(description="v6: the future_wait this ends")
    outcome: Literal["done", "timeout", "cancelled", "error", "interrupted"] = Field(
        description="v6: done = what it waited for is done (result() returned or re-raised "
        "the task's exception), timeout = TimeoutError, cancelled = CancelledError, "
        "error = the wait itself failed, interrupted = KeyboardInterrupt or the like")


class FutureCallback(_Event):
    """v6: a done-callback of a task's future ran; t = when it began."""

    kind: Literal["future_callback"] = "future_callback"
    task: int = Field(description="v6: the task whose future it was added to")
    name: str = Field(description="v6: the callback's qualified name")
    dur_ns: int = Field(description="v6: how long it ran")
    worker: int | None = Field(description="v6: the lane of the thread that ran it, if any")
    thread: str = Field(description="v6: the name of the thread that ran it")
    thread_ident: int = Field(description="v6: threading.get_ident() of that thread")
    ok: bool = Field(description="v6: false when it raised (the future logs and goes on)")


class Deadlock(_Event):
    """v6: every worker of a thread pool waits on a future that only this pool can finish:
    nothing can go on unless a wait times out."""

    kind: Literal["deadlock"] = "deadlock"
    pool: int = Field(description="v6: the deadlocked pool")
    chain: list[list[int]] = Field(
        description="v6: the wait-for chain as [waiting task, awaited task] pairs, in order "
        "from a running task; an awaited task is pending (no worker is free to start it) or "
        "running and waiting itself (a cycle)")
    message: str = Field(description="v6: the chain in words, and how it can end")


class AioLoopCpu(_Event):
    """v6: the CPU time the event loop's thread used in the run (at its end)."""

    kind: Literal["aio_loop_cpu"] = "aio_loop_cpu"
    cpu_ns: int = Field(description="v6: CPU ns of the loop's thread from its start to its end")


EVENT_MODELS: tuple[type[_Event], ...] = (
    RunStarted,
    RunEnded,
    PoolCreated,
    PoolRetired,
    WorkerSpawned,
    WorkerReady,
    WorkerExited,
    TaskSubmitted,
    TaskStarted,
    TaskFinished,
    TaskCancelled,
    TaskMoved,
    Serialized,
    Memory,
    PoolBroken,
    GilSampler,
    Gil,
    ThreadState,
    AioTask,
    AioStep,
    AioTaskDone,
    AioIdle,
    AioReady,
    AioBlocked,
    AioOffload,
    AioQueue,
    QueueDepth,
    ConfigChanged,
    ErrorEvent,
    WarningEvent,
    PythonWarning,
    FutureWait,
    FutureWaitEnded,
    FutureCallback,
    Deadlock,
    AioLoopCpu,
)

_COMMON = ("seq", "t", "kind")



def event_fields(models: Iterable[type[_Event]]) -> dict[str, tuple[str, ...]]:
    """kind -> the kind's own field names, in the order they follow `(kind, t)` in a tuple."""
    return {
        m.model_fields["kind"].default: tuple(f for f in m.model_fields if f not in _COMMON)
        for m in models
    }


#: kind -> the kind's own field names, in the order they follow `(kind, t)` in a hot-path tuple.
FIELDS: dict[str, tuple[str, ...]] = event_fields(EVENT_MODELS)

Event = Annotated[
    RunStarted
    | RunEnded
    | PoolCreated
    | PoolRetired
    | WorkerSpawned
    | WorkerReady
    | WorkerExited
    | TaskSubmitted
    | TaskStarted
    | TaskFinished
    | TaskCancelled
    | TaskMoved
    | Serialized
    | Memory
    | PoolBroken
    | GilSampler
    | Gil
    | ThreadState
    | AioTask
    | AioStep
    | AioTaskDone
    | AioIdle
    | AioReady
    | AioBlocked
    | AioOffload
    | AioQueue
    | QueueDepth
    | ConfigChanged
    | ErrorEvent
    | WarningEvent
    | PythonWarning
    | FutureWait
    | FutureWaitEnded
    | FutureCallback
    | Deadlock
    | AioLoopCpu,
    Field(discriminator="kind"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

RawEvent = tuple[Any, ...]


CompactEvent = list[Any]


def compact(raw: RawEvent, seq: int, t0: int) -> CompactEvent:
    """A hot-path tuple `(kind, t_abs_ns, *fields)` as `[seq, t, kind, *fields]`.

    The lab sends events in this form (an array per event encodes several times faster than
    an object); the web process expands them, outside the lab's GIL.
    """
    kind = raw[0]
    names = FIELDS[kind]
    if len(raw) != len(names) + 2:
        raise ValueError(f"{kind} takes {len(names)} fields {names}, got {len(raw) - 2}")
    return [seq, raw[1] - t0, kind, *raw[2:]]


def expand(event: CompactEvent) -> dict[str, Any]:
    """A compact event as its wire object `{seq, t, kind, ...fields}`."""
    seq, t, kind, *fields = event
    out: dict[str, Any] = {"seq": seq, "t": t, "kind": kind}
    out.update(zip(FIELDS[kind], fields, strict=True))
    return out


def encode(raw: RawEvent, seq: int, t0: int) -> dict[str, Any]:
    """A hot-path tuple as its wire object."""
    return expand(compact(raw, seq, t0))


def validate_event(event: dict[str, Any]) -> Event:
    """Check one wire event against the schema (tests and readers; never the hot path)."""
    return EVENT_ADAPTER.validate_python(event)


# ---------------------------------------------------------------------------------------------
# Control messages (browser → server over /ws) and server messages (server → browser)
# ---------------------------------------------------------------------------------------------


class StartMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["start"]
    config: RunConfig


class StopMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["stop"]


class LiveChange(BaseModel):
    """A live change to the running run (PATCH /api/runs/current); only given fields change."""

    model_config = ConfigDict(extra="forbid")
    max_workers: int | None = Field(None, ge=1, le=64, description="v1: new pool size (1–64)")
    chunksize: int | None = Field(
        None, ge=1, le=10_000, description="v2: chunksize of the next map() call (1–10000)"
    )
    switch_interval_ms: float | None = Field(
        None, ge=0.1, le=50.0, description="v3: the lab's switch interval in ms (0.1–50)"
    )
    slow_step_ms: float | None = Field(
        None, ge=1.0, le=10_000.0,
        description="v4: asyncio: steps longer than this blocked the loop (1–10000 ms)",
    )

    @model_validator(mode="after")
    def _something(self) -> LiveChange:
        if not self.changes():
            bounds = field_bounds(LiveChange)
            given = [f"{name} ({plain_number(bounds[name][0])}–{plain_number(bounds[name][1])})"
                     for name in LIVE_FIELDS]
            raise ValueError(f"give {', '.join(given[:-1])} and/or {given[-1]}")
        return self

    def changes(self) -> dict[str, float]:
        """The fields given, by name (the websocket form's `type` is not a change)."""
        return {k: getattr(self, k) for k in LIVE_FIELDS if getattr(self, k) is not None}


#: The RunConfig fields a running run takes changes to, in declared order.
LIVE_FIELDS: tuple[str, ...] = tuple(LiveChange.model_fields)


class SetMessage(LiveChange):
    """The websocket form of a live change."""

    type: Literal["set"]


ControlMessage = Annotated[StartMessage | StopMessage | SetMessage, Field(discriminator="type")]
CONTROL_ADAPTER: TypeAdapter[ControlMessage] = TypeAdapter(ControlMessage)


def field_bounds(*models: type[BaseModel]) -> dict[str, tuple[Any, Any]]:
    """field name -> (lowest, highest) allowed, for each field with both; later models win."""
    out: dict[str, tuple[Any, Any]] = {}
    for model in models:
        for name, info in model.model_fields.items():
            lo = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
            hi = next((m.le for m in info.metadata if isinstance(m, Le)), None)
            if lo is not None and hi is not None:
                out[name] = (lo, hi)
    return out


def plain_number(x: Any) -> str:
    """A bound as people write it: 50, not 50.0 (and 0.1 as 0.1)."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


# ---------------------------------------------------------------------------------------------
# Server messages (server → browser over /ws); RunStatus is also the REST replies' `run`
# ---------------------------------------------------------------------------------------------

#: Models of what the server sends: every field is always sent, so the schema says required.
_AS_SENT = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class RunStatus(BaseModel):
    """v1: the current run as the server sees it."""

    model_config = _AS_SENT
    run_id: str = Field(description="v1: the run's id")
    state: Literal["running", "ended"] = Field(
        description="v1: ended once its run_ended arrived (or the lab died)"
    )
    config: RunConfig = Field(description="v1: what it runs")
    events: int = Field(description="v1: events in its log so far")
    ended_reason: Literal["completed", "stopped", "error"] | None = Field(
        description="v1: the reason of its run_ended, once it ended"
    )
    lab_pid: int | None = Field(description="v1: the pid of its lab process")


class ErrorDetail(BaseModel):
    """v1: one problem of a refused message."""

    model_config = _AS_SENT
    field: str | None = Field(description="v1: the field at fault, if one is")
    message: str = Field(description="v1: the problem in words, with what is allowed")
    loc: list[str] = Field(description="v1: where in the message it is")
    type: str = Field(description="v1: pydantic's error type, e.g. less_than_equal")


class _ServerMessage(BaseModel):
    model_config = _AS_SENT

    def wire(self) -> dict[str, Any]:
        """The message as sent: a JSON object with every field (None as null)."""
        return self.model_dump(mode="json")


class HelloMessage(_ServerMessage):
    """v1: the first message on a connection: the schema the server speaks, the current run."""

    type: Literal["hello"] = "hello"
    schema_version: int = Field(description="v1: SCHEMA_VERSION of the server")
    run: RunStatus | None = Field(description="v1: the current run, if there is one")


class EventsMessage(_ServerMessage):
    """v1: a batch of the run's events in seq order (a late viewer's replay comes as several)."""

    type: Literal["events"] = "events"
    run_id: str = Field(description="v1: the run they belong to")
    events: list[Event] = Field(description="v1: the events")

    @staticmethod
    def batch(run_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """This message as sent, without checking each event (the fan-out's hot path)."""
        return {"type": "events", "run_id": run_id, "events": events}


class DroppedMessage(_ServerMessage):
    """v1: this viewer fell behind: it was not sent `count` events (the run's log has them)."""

    type: Literal["dropped"] = "dropped"
    run_id: str | None = Field(description="v1: the run whose events it missed")
    count: int = Field(description="v1: events missed since its previous dropped message")


class StatusMessage(_ServerMessage):
    """v1: the current run started or ended."""

    type: Literal["status"] = "status"
    run: RunStatus | None = Field(description="v1: the current run, if there is one")


class ErrorMessage(_ServerMessage):
    """v1: a control message or a live change was refused; the connection stays open."""

    type: Literal["error"] = "error"
    message: str = Field(description="v1: what was wrong, in words")
    field: str | None = Field(None, description="v1: the field at fault, if one is")
    errors: list[ErrorDetail] = Field(
        default_factory=list, description="v1: each problem of a message that did not validate"
    )


SERVER_MESSAGE_MODELS: tuple[type[_ServerMessage], ...] = (
    HelloMessage, EventsMessage, DroppedMessage, StatusMessage, ErrorMessage,
)
SERVER_MESSAGE_TYPES: tuple[str, ...] = tuple(
    m.model_fields["type"].default for m in SERVER_MESSAGE_MODELS
)
ServerMessage = Annotated[
    HelloMessage | EventsMessage | DroppedMessage | StatusMessage | ErrorMessage,
    Field(discriminator="type"),
]
SERVER_ADAPTER: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


def json_schema() -> dict[str, Any]:
    """The whole protocol as one JSON Schema document (served at /api/schema).

    Server messages are described as sent (every field present); the rest as accepted.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "schedviz protocol",
        "schema_version": SCHEMA_VERSION,
        "event_fields": {k: list(v) for k, v in FIELDS.items()},
        "server_message_types": list(SERVER_MESSAGE_TYPES),
        "event": EVENT_ADAPTER.json_schema(),
        "control_message": CONTROL_ADAPTER.json_schema(),
        "server_message": SERVER_ADAPTER.json_schema(mode="serialization"),
        "run_config": RunConfig.model_json_schema(),
        "live_change": LiveChange.model_json_schema(),
    }
