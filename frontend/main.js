// @ts-check
/**
 * Wires the page together: the websocket feeds the event store, the store feeds the timeline
 * view and the summary, and the form's buttons become control messages (over the websocket, or
 * HTTP while it is down). Holds no logic of its own beyond routing messages.
 */
import { LIVE_FIELDS, SCHEMA_VERSION, ServerMessage } from "./protocol.js";
import { LiveClock, deriveRunState } from "./model/core/live.js";
import { currentValue } from "./model/core/selectors.js";
import { EventStore } from "./model/core/store.js";
import { RunForm } from "./controls/form.js";
import { BookmarkList } from "./controls/bookmarklist.js";
import { Library } from "./controls/library.js";
import { SourcePanel } from "./controls/sourcepanel.js";
import { Notices } from "./controls/notices.js";
import { RunBanners } from "./controls/runbanners.js";
import { SummaryView } from "./controls/summaryview.js";
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
const banners = new RunBanners(notices);
/** Grows when the run's status changes without new events, so the summary refreshes. */
let statusVersion = 0;
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
      summary.refresh(status, statusVersion, nowT, false);
      followHover();
    },
  },
);
/** v4: the asyncio workloads' source beside an asyncio run, following the hovered yield tick. */
const sourcePanel = new SourcePanel($("source"), $("timeline"), () => api.getAsyncioSource());
const summary = new SummaryView({ summary: $("summary"), timeline: $("timeline"), legend: $("legend") }, store, [sourcePanel]);
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
const library = new Library($("library"), $("library-button"), api);
const bookmarks = new BookmarkList(
  { list: $("bookmarks"), button: $("bookmark-button"), prompt: $("bookmark-prompt"), message: $("bookmark-message") },
  api,
  {
    runId: () => store.runId,
    lastSeq: () => store.lastSeq,
    onChange: (runId, list) => {
      if (store.setBookmarks(runId, list)) view.invalidate();
    },
    onPick: (t) => view.centreOn(t),
  },
);

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
  .then((scenarios) => {
    form.setScenarios(scenarios);
    library.setScenarios(scenarios);
  })
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
      banners.dropped(store.dropped);
      view.invalidate();
      break;
    case ServerMessage.STATUS:
      setStatus(msg.run ?? null);
      if (msg.run?.state === "ended") library.runEnded();
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
  for (const name of LIVE_FIELDS) {
    const value = currentValue(m, name);
    if (value !== null && value !== known[name]) {
      known[name] = value;
      form.setConfirmed(name, value);
    }
  }
  banners.update(m);
  syncRunState();
  view.invalidate();
}

/**
 * Show a new run from scratch: empty store, fresh clock and notices, the whole run in view.
 * @param {string} runId
 */
function switchRun(runId) {
  store.reset(runId);
  clock.reset();
  banners.reset();
  known = {};
  view.fit();
  bookmarks.load(runId);
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

/** @param {any} err */
function showApiError(err) {
  notices.banner("control", "error", `Server refused: ${err.message}`);
  form.markInvalid(err.field ?? null);
}

// A handle for debugging from the browser console (read-only use: the page owns these objects).
Object.assign(window, { schedviz: { store, view, status: () => status } });
