// @ts-check
/**
 * Wires the page together: the websocket feeds the event store, the store feeds the timeline
 * view and the summary, and the form's buttons become control messages (over the websocket, or
 * HTTP while it is down). Holds no logic of its own beyond routing messages.
 */
import { SCHEMA_VERSION, ServerMessage } from "./protocol.js";
import { summarizeGil } from "./model/gil.js";
import { summarizeThreadStates } from "./model/threadstates.js";
import { LiveClock, deriveRunState } from "./model/live.js";
import { computeStats } from "./model/stats.js";
import { EventStore } from "./model/store.js";
import { RunForm } from "./controls/form.js";
import { aioSummaryHtml } from "./controls/aiosummary.js";
import { SourcePanel } from "./controls/sourcepanel.js";
import { Notices } from "./controls/notices.js";
import { processCounts, updateSummary } from "./controls/summary.js";
import { TimelineView } from "./controls/timelineview.js";
import * as api from "./transport/api.js";
import { Connection, socketUrl } from "./transport/socket.js";

/** @typedef {import("./protocol.js").RunStatus} RunStatus */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const store = new EventStore();
const clock = new LiveClock();
const notices = new Notices($("banners"), $("toasts"));
/** @type {RunStatus | null} what the server last said about the current run */
let status = null;
/** Notices of the run already turned into banners. */
let shownNotices = 0;
let lastSummaryAt = 0;
let lastSummaryVersion = -1;
/** Grows when the run's status changes without new events, so the summary refreshes. */
let statusVersion = 0;
let lastStatusVersion = -1;
/** @type {Record<string, number>} live settings as the events last reported them (any viewer's changes) */
let known = {};

const liveButton = $("live");
const view = new TimelineView(
  $("timeline"),
  /** @type {HTMLCanvasElement} */ ($("timeline-canvas")),
  $("tooltip"),
  store,
  clock,
  {
    onViewChange: (follow) => liveButton.classList.toggle("active", follow),
    onFrame: (nowT) => {
      refreshSummary(nowT, false);
      followHover();
    },
  },
);
/** v4: the asyncio workloads' source beside an asyncio run, following the hovered yield tick. */
const sourcePanel = new SourcePanel($("source"), $("timeline"), () => api.getAsyncioSource());
/** @type {import("./render/core/pick.js").Hit | null} */
let followed = null;
function followHover() {
  if (view.hover === followed) return;
  followed = view.hover;
  sourcePanel.follow(followed, store.model);
}
liveButton.classList.add("active");
liveButton.addEventListener("click", () => view.goLive());
$("fit").addEventListener("click", () => view.fit());

const form = new RunForm(/** @type {HTMLFormElement} */ ($("run-form")), {
  onRun: (config) => {
    notices.clear("control");
    if (!connection.send({ type: "start", config })) {
      api.startRun(config).catch(showApiError);
    }
  },
  onStop: () => {
    if (!connection.send({ type: "stop" })) api.stopRun().catch(showApiError);
  },
  onLive: (changes) => {
    if (!connection.send({ type: "set", ...changes })) {
      api.liveChange(changes).catch(showApiError);
    }
  },
});

const connection = new Connection(socketUrl(), {
  onMessage: handleMessage,
  onState: (state, retryInMs) => {
    const el = $("connection");
    el.dataset.state = state;
    el.textContent =
      state === "open"
        ? "● connected"
        : state === "connecting"
          ? "connecting…"
          : `disconnected · retrying in ${Math.ceil((retryInMs ?? 0) / 1000)} s`;
  },
});
connection.start();

api
  .getScenarios()
  .then((scenarios) => form.setScenarios(scenarios))
  .catch((err) => notices.banner("scenarios", "warning", `Could not load scenarios: ${err.message}`));

/**
 * Route one server message.
 * @param {any} msg
 */
function handleMessage(msg) {
  switch (msg.type) {
    case ServerMessage.HELLO:
      if (msg.schema_version !== SCHEMA_VERSION) {
        notices.banner(
          "schema",
          "warning",
          `The server speaks event schema v${msg.schema_version}; this page understands ` +
            `v${SCHEMA_VERSION}. Reload the page; some events may be ignored.`,
        );
      }
      setStatus(msg.run ?? null);
      if (msg.run && msg.run.state === "running") form.applyConfig(msg.run.config);
      break;
    case ServerMessage.EVENTS:
      onEvents(msg.run_id, msg.events);
      break;
    case ServerMessage.DROPPED:
      store.noteDropped(msg.run_id, msg.count);
      notices.banner(
        "run:dropped",
        "warning",
        `This viewer fell behind: ${store.dropped} events were not received, so the timeline ` +
          "is incomplete (the recording is not affected).",
      );
      view.invalidate();
      break;
    case ServerMessage.STATUS:
      setStatus(msg.run ?? null);
      break;
    case ServerMessage.ERROR:
      notices.banner("control", "error", `Server refused: ${msg.message}`);
      form.markInvalid(msg.field ?? null);
      break;
    default:
      break;
  }
}

/**
 * @param {string} runId
 * @param {any[]} events
 */
function onEvents(runId, events) {
  if (runId !== store.runId) switchRun(runId);
  store.append(runId, events);
  const m = store.model;
  clock.observe(m.maxT, performance.now());
  for (const name of ["max_workers", "chunksize", "switch_interval_ms", "slow_step_ms"]) {
    const value = currentValue(m, name);
    if (value !== null && value !== known[name]) {
      known[name] = value;
      form.setConfirmed(name, value);
    }
  }
  showRunNotices();
  showGilNotices();
  syncRunState();
  view.invalidate();
}

/**
 * v3: say so, in a banner as well as in the notice row on the timeline, when an interpreter
 * has no GIL lane, and why (a sampler that is merely not real-time is noted on its row).
 */
function showGilNotices() {
  const off = store.model.gil.unavailable();
  if (off.length > 0) {
    const reasons = [...new Set(off.map((s) => s.reason ?? "no reason given"))].join("; ");
    const pids = off.map((s) => s.pid).join(", ");
    notices.banner("run:gil", "warning", `No GIL lane for pid ${pids}: ${reasons}.`);
  }
}

/**
 * A live setting's current value: its newest change, else the value the run started with.
 * @param {import("./model/timeline.js").TimelineModel} m
 * @param {string} name
 * @returns {number | null}
 */
function currentValue(m, name) {
  for (let i = m.markers.length - 1; i >= 0; i--) {
    if (m.markers[i].field === name) return Number(m.markers[i].new);
  }
  return m.config && m.config[name] !== undefined ? Number(m.config[name]) : null;
}

/** Turn the run's error and warning events into one banner per level. */
function showRunNotices() {
  const list = store.model.notices;
  if (list.length === shownNotices) return;
  shownNotices = list.length;
  for (const level of /** @type {const} */ (["error", "warning"])) {
    const of = list.filter((n) => n.level === level);
    if (of.length === 0) continue;
    const last = of[of.length - 1];
    const more = of.length > 1 ? ` (and ${of.length - 1} more)` : "";
    notices.banner(`run:${level}`, level, `${level === "error" ? "Error" : "Warning"}: ${last.message}${more}`);
  }
}

/**
 * Show a new run from scratch: empty store, fresh clock and notices, the whole run in view.
 * @param {string} runId
 */
function switchRun(runId) {
  store.reset(runId);
  clock.reset();
  notices.clearPrefix("run:");
  shownNotices = 0;
  known = {};
  view.fit();
}

/** @param {RunStatus | null} run */
function setStatus(run) {
  status = run;
  statusVersion++;
  // The server announces a new run before its first events: clear the old one off the screen
  // at once rather than showing its counts under the new run's id.
  if (run && run.run_id !== store.runId) switchRun(run.run_id);
  syncRunState();
  view.invalidate();
}

/** Enable Run or Stop to match the run's state. */
function syncRunState() {
  const { state } = deriveRunState(store.model, status);
  form.setRunning(state === "running");
}

/**
 * Refresh the summary and data attributes: at once when events arrived, else at most 10×/s
 * (only the elapsed time moves between batches).
 * @param {number} nowT
 * @param {boolean} force
 */
function refreshSummary(nowT, force) {
  const t = performance.now();
  const changed = store.version !== lastSummaryVersion || statusVersion !== lastStatusVersion;
  if (!force && !changed && t - lastSummaryAt < 100) return;
  lastSummaryAt = t;
  lastSummaryVersion = store.version;
  lastStatusVersion = statusVersion;
  const model = store.model;
  $("legend").classList.toggle("aio", sourcePanel.update(model));
  const { state, runId } = deriveRunState(model, status);
  // The process-pool legend entries only where they can appear.
  const processes = model.config?.executor === "processes" || model.proc.parentSpans.length > 0;
  $("legend").classList.toggle("processes", processes);
  const gil = summarizeGil(model.gil, model.endedT ?? nowT);
  $("legend").classList.toggle("gil", gil.lanes > 0);
  const threads = summarizeThreadStates(
    model.threads,
    (w) => model.lanes.byWorker.get(w)?.exitedT ?? model.endedT ?? nowT,
  );
  // The strip's legend once a run has thread states; its stand-in when /proc could not be read.
  $("legend").classList.toggle("threads", threads.changes > 0 && threads.unavailable === null);
  $("legend").classList.toggle("threads-off", threads.unavailable !== null);
  const off = $("legend-threads-off");
  if (off.title !== (threads.unavailable ?? "")) off.title = threads.unavailable ?? "";
  const stats = computeStats(model, nowT);
  updateSummary($("summary"), $("timeline"), {
    stats,
    state,
    runId,
    endReason: model.endReason,
    markers: model.markers.length,
    errorEvents: model.errorEvents,
    dropped: store.dropped,
    events: store.events.length,
    process: processCounts(model),
    gil,
    threads,
    aio: aioSummaryHtml(model, nowT, stats.elapsedNs),
  });
}

/** @param {any} err */
function showApiError(err) {
  notices.banner("control", "error", `Server refused: ${err.message}`);
  form.markInvalid(err.field ?? null);
}

// A handle for debugging from the browser console (read-only use: the page owns these objects).
Object.assign(window, { schedviz: { store, view, status: () => status } });
