// @ts-check
/**
 * The queues view: a small live diagram of where the run's tasks sit at the moment on screen
 * (live: now; replay: the cursor). A process pool is drawn as CPython's data flow, pending work
 * items → call queue → workers → result queue → futures; a thread pool as its work queue in
 * order → workers → done; an asyncio loop as the ready queue of its current iteration. Each
 * stage lists its tasks as numbered chips (the first few, in queue order) and their count.
 *
 * Rules it keeps: the numbers come from model/pools/flow.js, never from here; every stage
 * carries them as data attributes too (data-stage, data-count, data-tasks), so people and tests
 * read the same thing. The DOM is rewritten only when what it shows changed, at most ~10×/s.
 */
import { taskLabel } from "../model/aio/loop.js";
import { isAsyncioRun } from "../model/core/selectors.js";
import { busyFlows, isBusy, poolFlowsAt, readyQueueAt, readySourceOf } from "../model/pools/flow.js";
import { formatTime } from "../render/core/format.js";
import { taskColor, workerColor } from "../render/core/theme.js";

/** @typedef {import("../model/core/store.js").EventStore} EventStore */
/** @typedef {import("../model/pools/flow.js").PoolFlow} PoolFlow */
/** @typedef {import("../model/pools/flow.js").Stage} Stage */
/** @typedef {import("../model/pools/flow.js").ReadySource} ReadySource */

/** The shortest interval between two refreshes (ms). */
const IDLE_REFRESH_MS = 100;

/** @param {string} s */
function esc(s) {
  return s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}

/**
 * Chips for a stage's listed tasks, and "+n" for the rest.
 * @param {Stage} stage
 * @param {string} [cls]
 */
function chips(stage, cls = "") {
  const shown = stage.tasks.map((id) => `<span class="qchip ${cls}">#${id}</span>`).join("");
  const more = stage.count - stage.tasks.length;
  return `<div class="qchips">${shown}${more > 0 ? `<span class="qmore">+${more}</span>` : ""}${
    stage.count === 0 ? '<span class="qempty">empty</span>' : ""}</div>`;
}

/**
 * One stage box.
 * @param {string} stage  its data-stage
 * @param {string} title
 * @param {Stage} s
 * @param {string} count  the count as shown ("3 / 3" for the call queue)
 * @param {string} [extra]  attributes
 * @param {string} [body]  instead of the chips
 */
function box(stage, title, s, count, extra = "", body) {
  return `<div class="qstage" data-stage="${stage}" data-count="${s.count}" data-tasks="${s.tasks.join(",")}"${extra}>` +
    `<div class="qtitle">${title}</div><div class="qcount">${count}</div>${body ?? chips(s)}</div>`;
}

const ARROW = '<div class="qarrow" aria-hidden="true">→</div>';

/** @param {PoolFlow} f */
function workersBox(f) {
  const rows = f.workers.map((w) => {
    const task = w.task === null ? '<span class="qidle">idle</span>'
      : `<span class="qchip">#${w.task}</span><span class="qphase">${w.phase === "running" ? "" : w.phase}</span>`;
    return `<div class="qworker" data-worker="${w.worker}" data-task="${w.task ?? ""}" data-phase="${w.phase ?? "idle"}">` +
      `<span class="qwname" style="border-color:${workerColor(w.worker)}">W${w.worker}</span>${task}</div>`;
  }).join("");
  const busy = f.workers.filter((w) => w.task !== null);
  const taken = f.taken.count > 0
    ? `<div class="qtaken" data-count="${f.taken.count}" title="taken off the call queue by a worker, not yet known which">taken: ${
      chips(f.taken, "taken")}</div>` : "";
  const s = { count: busy.length + f.taken.count, tasks: [...busy.map((w) => /** @type {number} */ (w.task)), ...f.taken.tasks] };
  const title = f.executor === "processes" ? "worker processes" : "worker threads";
  return box("workers", title, s, `${busy.length} busy of ${f.workers.length}`, ` data-busy="${busy.length}"`,
    `<div class="qworkers">${rows || '<span class="qempty">no worker alive</span>'}</div>${taken}`);
}

/** @param {PoolFlow} f */
function doneBox(f) {
  const d = f.done;
  const parts = [`${d.ok} ok`];
  if (d.error) parts.push(`${d.error} raised`);
  if (d.cancelled) parts.push(`${d.cancelled} cancelled`);
  const title = f.executor === "processes" ? "futures done" : "done";
  return box("done", title, d, String(d.count),
    ` data-ok="${d.ok}" data-error="${d.error}" data-cancelled="${d.cancelled}"`,
    `<div class="qsplit">${parts.join(" · ")}</div>${chips(d, "done")}`);
}

/** @param {PoolFlow} f */
function flowHtml(f) {
  const head = `<div class="qpool">pool ${f.pool} · ${f.executor === "processes" ? "ProcessPoolExecutor" : "ThreadPoolExecutor"}` +
    `${f.maxWorkers !== null ? ` · max_workers ${f.maxWorkers}` : ""}${f.retired ? " · retired" : ""}</div>`;
  let stages;
  if (f.executor === "processes") {
    const cap = f.capacity !== null ? ` / ${f.capacity}` : "";
    stages = [
      box("pending", "pending work items", f.pending, String(f.pending.count)),
      box("call", "call queue", f.callQueue, `${f.callQueue.count}${cap}`, f.capacity !== null ? ` data-capacity="${f.capacity}"` : ""),
      workersBox(f),
      box("result", "result queue", f.resultQueue, String(f.resultQueue.count)),
      doneBox(f),
    ];
  } else {
    stages = [box("pending", "work queue (in order)", f.pending, String(f.pending.count)), workersBox(f), doneBox(f)];
  }
  return `<div class="qflow" data-pool="${f.pool}" data-executor="${f.executor}">${head}<div class="qstages">${stages.join(ARROW)}</div></div>`;
}

/**
 * The asyncio ready queue's box.
 * @param {import("../model/core/timeline.js").TimelineModel} model
 * @param {ReadySource} src
 * @param {number} t
 */
function readyHtml(model, src, t) {
  const q = readyQueueAt(src, t);
  const waiting = q.tasks.filter((x) => x.status === "ready").length;
  /** @param {{task: number, status: "ran" | "running" | "ready"}} x */
  const chip = (x) => {
    const task = model.aio.tasks.get(x.task);
    const name = task ? taskLabel(task) : `Task-${x.task}`;
    return `<span class="qchip aio ${x.status}" data-task="${x.task}" data-status="${x.status}" style="border-left-color:${taskColor(x.task)}"` +
      ` title="${esc(name)}: ${x.status === "ran" ? "its step ran" : x.status === "running" ? "its step runs now" : "waits its turn"}">${esc(name)}</span>`;
  };
  const more = q.count - q.tasks.length;
  const what = q.state === "idle" ? "loop idle in select: nothing ready"
    : q.state === "none" ? "no loop iteration yet" : `${q.count} ready at this iteration${q.iterationT !== null ? ` (began ${formatTime(q.iterationT)})` : ""}`;
  const prev = q.previous;
  const before = prev ? `<div class="qprevious" data-count="${prev.count}" data-tasks="${prev.tasks.map((x) => x.task).join(",")}">` +
    `<div class="qsplit">the last iteration with tasks ready had ${prev.count}:</div><div class="qchips">${prev.tasks.map(chip).join("")}${
      prev.count > prev.tasks.length ? `<span class="qmore">+${prev.count - prev.tasks.length}</span>` : ""}</div></div>` : "";
  const body = `<div class="qsplit">${what}</div><div class="qchips">${q.tasks.map(chip).join("")}${more > 0 ? `<span class="qmore">+${more}</span>` : ""}</div>${before}`;
  return `<div class="qflow" data-executor="asyncio"><div class="qpool">event loop · ready queue</div><div class="qstages">` +
    `<div class="qstage wide" data-stage="ready" data-state="${q.state}" data-count="${q.count}" data-waiting="${waiting}"` +
    ` data-tasks="${q.tasks.map((x) => x.task).join(",")}"><div class="qtitle">ready queue</div>` +
    `<div class="qcount">${q.count}</div>${body}</div></div></div>`;
}

/** The queues diagram of the run on screen. */
export class QueueView {
  /**
   * @param {HTMLElement} el  the section it owns (its content is rewritten)
   * @param {EventStore} store
   */
  constructor(el, store) {
    this.el = el;
    this.store = store;
    this._version = -1;
    this._at = 0;
    this._t = NaN;
    this._html = "";
    /** @type {number | null} a moment still to show once the interval is over */
    this._pendingT = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._timer = null;
    /** @type {{replay: object | null, src: ReadySource} | null} a whole recording's ready source */
    this._replaySrc = null;
  }

  /**
   * Show the queues at t (the timeline's "now": live time, or the replay cursor).
   * @param {number} t
   */
  refresh(t) {
    const store = this.store;
    const now = performance.now();
    const changed = store.version !== this._version || t !== this._t;
    if (!changed) return;
    // At most ~10×/s (a pass over every task each time); a change inside that interval is
    // shown at its end, so the last state always reaches the screen.
    if (now - this._at < IDLE_REFRESH_MS) {
      this._pendingT = t;
      this._timer ??= setTimeout(() => {
        this._timer = null;
        if (this._pendingT !== null) this.refresh(this._pendingT);
      }, IDLE_REFRESH_MS - (now - this._at));
      return;
    }
    this._pendingT = null;
    this._version = store.version;
    this._at = now;
    this._t = t;
    const model = store.model;
    const flows = poolFlowsAt(model, t);
    const aio = isAsyncioRun(model);
    // An asyncio run's thread pool (run_in_executor) shows only while it has work.
    const shown = aio ? flows.filter(isBusy) : busyFlows(flows);
    const parts = [];
    if (aio) parts.push(readyHtml(model, this._readySource(), t));
    for (const f of shown) parts.push(flowHtml(f));
    const when = store.replay ? `at the cursor · ${formatTime(t)}` : `now · ${formatTime(t)}`;
    const html = parts.length === 0 ? "" :
      `<div class="qhead"><span class="qheading">Queues</span><span class="qwhen">${when}</span>` +
      `<span class="qhint">${aio ? "asyncio runs the tasks ready at each loop iteration, in turn" : flows.some((f) => f.executor === "processes")
        ? "CPython's data flow: at most max_workers + 1 calls wait on the call queue" : "idle workers take tasks from the queue in order"}</span></div>` +
      parts.join("");
    this.el.hidden = html === "";
    if (html !== this._html) {
      this._html = html;
      this.el.innerHTML = html;
    }
  }

  /** Where the ready queue is read from: live, the model; in replay, the whole recording. */
  _readySource() {
    const replay = this.store.replay;
    if (!replay) return this.store.model.aio;
    if (this._replaySrc?.replay !== replay) this._replaySrc = { replay, src: readySourceOf(replay.events) };
    return this._replaySrc.src;
  }
}
