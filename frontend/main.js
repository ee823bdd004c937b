// @ts-check
/**
 * Wires the page together: the websocket feeds the event store, the store feeds the timeline
 * view and the summary, and the form's buttons become control messages (over the websocket, or
 * HTTP while it is down). A recording opened from the library (or `?recording=<id>`) replaces
 * the live run with a replay at a cursor until "Back to live"; a page exported for offline use
 * (transport/embedded.js) replays its embedded runs and never talks to a server. Holds no logic
 * of its own beyond routing.
 */
import { LIVE_FIELDS, SCHEMA_VERSION, ServerMessage } from "./protocol.js";
import { LiveClock, deriveRunState } from "./model/core/live.js";
import { Replay, ReplayClock } from "./model/core/replay.js";
import { currentValue } from "./model/core/selectors.js";
import { EventStore } from "./model/core/store.js";
import { RunForm, defaultConfig, takesLive } from "./controls/form.js";
import { BOOKMARK_KEYS, BookmarkList } from "./controls/bookmarklist.js";
import { ShortcutHelp } from "./controls/keys.js";
import { REPLAY_KEYS, ReplayBar } from "./controls/replaybar.js";
import { Library } from "./controls/library.js";
import { SourcePanel } from "./controls/sourcepanel.js";
import { Notices } from "./controls/notices.js";
import { RunBanners } from "./controls/runbanners.js";
import { SummaryView } from "./controls/summaryview.js";
import { TimelineView } from "./controls/timelineview.js";
import { QueueView } from "./controls/queueview.js";
import { LessonPanel } from "./controls/lessonpanel.js";
import { LessonRuns } from "./controls/lessonruns.js";
import { PAGE_KEYS, bindPageKeys } from "./controls/pagekeys.js";
import { pngName, savePng } from "./controls/pngexport.js";
import { Presenter, toggleFullscreen } from "./controls/presenter.js";
import { setFontScale } from "./render/core/theme.js";
import { RunSettings } from "./controls/runsettings.js";
import { readUrl, writeUrl } from "./controls/urlstate.js";
import { listLessons } from "./transport/lessons.js";
import * as api from "./transport/api.js";
import { loadEmbedded } from "./transport/embedded.js";
import { readRuns } from "./transport/recordings.js";
import { Connection, socketUrl } from "./transport/socket.js";

/** @typedef {import("./protocol.js").RunStatus} RunStatus */
/** @typedef {import("./transport/embedded.js").EmbeddedRun} EmbeddedRun */

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
      summary.refresh(store.replay ? null : status, statusVersion, nowT, false);
      queues.refresh(nowT);
      // v6: a replayed deadlock's banner follows the cursor (live, each batch updates it).
      if (store.replay) banners.deadlocks(store.model);
      followHover();
    },
  },
);
/** @type {EmbeddedRun[]} the runs replayed (one, or a session's), empty when live */
let replayRuns = [];
/** Whether this is an exported page, with no server behind it. */
let offline = false;
/** @type {{file: string, lines: string[]} | null} the replayed recording's source, when it has one */
let replaySource = null;
/** v4: the asyncio workloads' source beside an asyncio run, following the hovered yield tick. */
const sourcePanel = new SourcePanel($("source"), $("timeline"), () =>
  replaySource ? Promise.resolve(replaySource) : api.getAsyncioSource());
/** The queues diagram: where each task sits at the moment on screen (now, or the cursor). */
const queues = new QueueView($("queues"), store);
const summary = new SummaryView({ summary: $("summary"), timeline: $("timeline"), legend: $("legend") }, store, [sourcePanel]);
/** @type {import("./render/core/pick.js").Hit | null} */
let followed = null;
/** @type {number} the replay version the source panel last followed */
let followedCursor = -1;
function followHover() {
  const replay = store.replay;
  // In replay, with nothing hovered, the panel shows the line of the step at the cursor.
  if (replay && view.hover === null) {
    if (followedCursor === replay.version && followed === null) return;
    followed = null;
    followedCursor = replay.version;
    sourcePanel.followCursor(store.model, replay.cursorT);
    return;
  }
  if (view.hover === followed) return;
  followed = view.hover;
  sourcePanel.follow(followed, store.model);
}
liveButton.classList.add("active");
liveButton.addEventListener("click", () => view.goLive());
$("fit").addEventListener("click", () => {
  if (store.replay) view.show(store.replay.startT, store.replay.endT);
  else view.fit();
});
$("compare-link").addEventListener("click", () => { location.href = "compare.html"; });
const library = new Library($("library"), $("library-button"), api, (rec) => {
  library.close();
  void openRecording(rec.id);
}, (session, recs) => {
  library.close();
  void openSession(session, recs);
});
const help = new ShortcutHelp($("shortcuts"), $("shortcuts-button"));
const replayBar = new ReplayBar($("replay"), {
  onMove: () => {
    store.syncReplay();
    view.invalidate();
  },
  bookmarkTimes: () => store.model.bookmarks.list.map((b) => b.t),
  onClose: () => closeReplay(),
});
help.register("Replay", REPLAY_KEYS, () => replayBar.active);
help.register("Bookmarks", BOOKMARK_KEYS);
help.register("This list", [{ keys: ["?"], does: "show or hide the keyboard shortcuts" }, { keys: ["Esc"], does: "close it" }]);
/** An offline page keeps its bookmarks as exported: it has no server to change them on. */
const READ_ONLY = "this is an offline copy: its bookmarks cannot change here; add them in schedviz and export it again";
/** @type {import("./controls/bookmarklist.js").BookmarkCalls} */
const bookmarkCalls = {
  listBookmarks: (id) => offline
    ? Promise.resolve(replayRuns.find((r) => r.recording.id === id)?.bookmarks ?? [])
    : api.listBookmarks(id),
  addBookmark: (id, seq, note) => offline ? Promise.reject(new Error(READ_ONLY)) : api.addBookmark(id, seq, note),
  editBookmark: (id, note) => offline ? Promise.reject(new Error(READ_ONLY)) : api.editBookmark(id, note),
  deleteBookmark: (id) => offline ? Promise.reject(new Error(READ_ONLY)) : api.deleteBookmark(id),
};
const bookmarks = new BookmarkList(
  { list: $("bookmarks"), button: $("bookmark-button"), prompt: $("bookmark-prompt"), message: $("bookmark-message") },
  bookmarkCalls,
  {
    runId: () => store.runId,
    lastSeq: () => store.lastSeq,
    onChange: (runId, list) => {
      if (store.setBookmarks(runId, list)) view.invalidate();
    },
    onPick: (t) => {
      // In replay a bookmark is a moment to go to: the cursor moves there, the view with it.
      if (store.replay) replayBar.seekTime(t);
      view.centreOn(t);
    },
  },
);

const form = new RunForm(/** @type {HTMLFormElement} */ ($("run-form")), {
  onRun: (config) => startRun(config),
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

/** The settings line: what the run on screen runs, from the run itself. */
const settingsLine = new RunSettings($("run-settings"));
/** @type {string | null} the run whose settings the form took (a live run seen running) */
let formShows = null;
/** Which run is which lesson's (a lesson's Run, the address, this browser's memory). */
const lessonRuns = new LessonRuns(safeStorage());
/** @type {string | null} the run whose observed summary was asked for */
let observedRun = null;
/** The address as the page was opened: the lesson, its settings, presenter mode. */
const opened = readUrl(location.search);
const lessons = new LessonPanel(
  {
    select: /** @type {HTMLSelectElement} */ ($("lesson-select")),
    previous: $("lesson-previous"),
    next: $("lesson-next"),
    panel: $("lesson"),
  },
  {
    onSelect: (lesson) => {
      if (lesson) document.body.dataset.lesson = lesson.id;
      else delete document.body.dataset.lesson;
      if (lesson?.kind === "preset") form.applyConfig(lessonConfig());
      observedRun = null;
      updateUrl();
      followLessonRun();
    },
    onRun: (lesson) => {
      lessonRuns.expect(lesson.id);
      if (lesson.kind === "example" && lesson.example) {
        if (store.replay) closeReplay();
        notices.clear("control");
        api.runExample(lesson.example).catch(showApiError);
      } else {
        const config = lessonConfig();
        form.applyConfig(config);
        startRun(config);
      }
    },
    onKnobs: (lesson) => {
      if (lesson.kind === "preset") form.applyConfig(lessonConfig());
      updateUrl();
      liveKnobs(lesson);
    },
  },
);
/** The timeline's type in presenter mode: larger, within the lanes' heights. */
const PRESENTER_FONT_SCALE = 1.2;
const presenter = new Presenter(
  { button: $("presenter-button"), legend: $("legend"), legendHome: /** @type {HTMLElement} */ ($("legend").parentElement), legendAway: $("legend-away"),
    panel: $("lesson"), above: [$("banners"), $("summary"), $("replay"), /** @type {HTMLElement} */ (document.querySelector(".topbar"))] },
  (on) => {
    setFontScale(on ? PRESENTER_FONT_SCALE : 1);
    updateUrl();
    view.invalidate();
  },
);
$("png-button").addEventListener("click", () => exportPng());
form.form.addEventListener("change", () => updateUrl());
// The settings line appears as soon as the form no longer says what the run on screen runs.
form.form.addEventListener("input", () => showSettings());
bindPageKeys(PAGE_KEYS, {
  run: () => {
    if (lessons.current) lessons.run();
    else if (!form.runButton.disabled) form.form.requestSubmit();
  },
  stop: () => {
    if (!form.stopButton.disabled) form.stopButton.click();
  },
  zoomIn: () => zoomView(0.5),
  zoomOut: () => zoomView(2),
  fit: () => $("fit").click(),
  live: () => view.goLive(),
  fullscreen: () => {
    toggleFullscreen().catch((err) => notices.toast(`Fullscreen was refused: ${err.message}`));
  },
  presenter: () => presenter.set(!presenter.on),
  nextLesson: () => lessons.step(1),
  previousLesson: () => lessons.step(-1),
  png: () => exportPng(),
});
help.register("Page", [...PAGE_KEYS]);

void startPage();

/** The whole RunConfig of the lesson's run: the defaults, then the lesson's settings. */
function lessonConfig() {
  return { ...defaultConfig(), ...lessons.runConfig() };
}

/**
 * Start a run with this config (the form's or a lesson's): over the websocket, or HTTP while it
 * is down.
 * @param {Record<string, any>} config
 */
function startRun(config) {
  notices.clear("control");
  // A new run is for watching live: leave a replay first.
  if (store.replay) closeReplay();
  if (!connection.send({ type: "start", config })) {
    api.startRun(config).catch(showApiError);
  }
}

/**
 * A live knob (max_workers, the switch interval, …) moved while the lesson's own run goes on: the
 * run takes the change at once, as the form's live inputs do.
 * @param {import("./transport/lessons.js").LessonInfo} lesson
 */
function liveKnobs(lesson) {
  const runId = store.runId;
  if (lesson.kind !== "preset" || !runId || lessonRuns.lessonOf(runId) !== lesson.id) return;
  if (deriveRunState(store.model, status).state !== "running") return;
  const config = store.model.config ?? {};
  /** @type {Record<string, number>} */
  const changes = {};
  for (const name of LIVE_FIELDS) {
    const value = lessons.values[name];
    if (typeof value !== "number" || value === known[name] || !takesLive(name, config)) continue;
    changes[name] = value;
  }
  if (Object.keys(changes).length === 0) return;
  if (!connection.send({ type: "set", ...changes })) api.liveChange(changes).catch(showApiError);
}

/** @returns {Storage | null} the browser's storage, when the page may use it */
function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Zoom around the middle of the plot (a key; the wheel zooms around the cursor).
 * @param {number} factor  below 1 zooms in
 */
function zoomView(factor) {
  view.viewport.zoomAt(view.layout.plotW / 2, factor);
  liveButton.classList.remove("active");
  view.invalidate();
}

/** Save the timeline as drawn now, named after the lesson and the run. */
function exportPng() {
  const canvas = /** @type {HTMLCanvasElement} */ ($("timeline-canvas"));
  view.drawNow();
  savePng(canvas, pngName({ lesson: lessons.current, runId: store.runId }))
    .catch((err) => notices.toast(`No PNG: ${err.message}`));
}

/** Write the lesson, its settings, presenter mode and the recording replayed into the address. */
function updateUrl() {
  const lesson = lessons.current;
  const base = lesson ? { ...defaultConfig(), ...(lesson.config ?? {}) } : defaultConfig();
  const settings = lesson ? (lesson.kind === "example" ? {} : lessons.values) : form.readConfig();
  const recording = store.replay ? store.runId : null;
  const search = writeUrl({ lesson: lesson?.id ?? null, presenter: presenter.on, recording, settings, base });
  if (search !== location.search) history.replaceState(null, "", `${location.pathname}${search}`);
}

/**
 * The address' lesson and settings, once the lessons are known; bad values are named with what is
 * allowed.
 */
function applyOpenedUrl() {
  if (opened.problems.length > 0) {
    notices.banner("url", "error", `The address has values this page cannot use: ${opened.problems.join(" ")}`);
  }
  if (!opened.lesson) {
    if (Object.keys(opened.settings).length > 0) form.applyConfig({ ...defaultConfig(), ...opened.settings });
    return;
  }
  const lesson = lessons.select(opened.lesson, opened.settings);
  if (!lesson) {
    const known = lessons.lessons.map((l) => l.id).join(", ");
    notices.banner("url-lesson", "error", `lesson=${opened.lesson} is not a lesson here: ` +
      (known ? `the lessons are ${known}.` : "this server lists no lessons."));
  }
}

/** Show the lessons in the picker, then the address' lesson. */
async function showLessons() {
  try {
    lessons.setLessons(await listLessons());
  } catch (err) {
    notices.banner("lessons", "warning", `Could not load the lessons: ${/** @type {Error} */ (err).message}. Reload the page to try again.`);
  }
  applyOpenedUrl();
}

/**
 * The lesson panel follows the run on screen: a run of the lesson shown is "running" until it
 * ends, then its observed summary is read once.
 */
function followLessonRun() {
  const lesson = lessons.current;
  const runId = store.runId;
  if (!lesson) return;
  if (!runId || lessonRuns.lessonOf(runId) !== lesson.id) {
    lessons.clearObserved();
    return;
  }
  const { state } = deriveRunState(store.model, status);
  if (state === "ended" || store.replay) {
    if (observedRun === runId) return;
    observedRun = runId;
    void lessons.observe(runId);
  } else if (lessons.observedRun !== runId) {
    lessons.running(runId);
  }
}

/** The settings line (and, for a run seen running live, the form) show the run on screen. */
function showSettings() {
  const runId = store.runId;
  const config = store.model.config ?? (status && status.run_id === runId ? status.config : null);
  if (runId && config && !store.replay && formShows !== runId) {
    const running = status?.run_id === runId && status.state === "running" && !store.model.ended;
    // A RunConfig (not a traced program's) of a run going now, or of the run the page opened on
    // when the address asks for nothing else: the form says what it runs.
    const asked = lessons.current !== null || Object.keys(opened.settings).length > 0;
    if ((running || !asked) && "executor" in config) {
      formShows = runId;
      form.applyConfig(config);
    }
  }
  settingsLine.show(runId, config, config ? sameAsForm(config) : false);
}

/**
 * Whether the form holds exactly this RunConfig (then the form itself says what runs).
 * @param {Record<string, any>} config
 */
function sameAsForm(config) {
  if (!("executor" in config)) return false;
  const shown = form.readConfig();
  return Object.entries(config).every(([name, value]) => !(name in shown) || String(shown[name]) === String(value));
}

/**
 * Offline (an exported page): replay what it embeds, nothing else. Served: connect, load the
 * scenarios, and open `?recording=<id>` if the address names one.
 */
async function startPage() {
  /** @type {import("./transport/embedded.js").EmbeddedPayload | null} */
  let embedded = null;
  try {
    embedded = await loadEmbedded();
  } catch (err) {
    document.body.dataset.offline = "1";
    notices.banner("embedded", "error", /** @type {Error} */ (err).message);
    return;
  }
  if (opened.presenter) presenter.set(true);
  if (embedded) {
    startOffline(embedded.runs);
    return;
  }
  connection.start();
  const lessonsShown = showLessons();
  api
    .getScenarios()
    .then((scenarios) => {
      form.setScenarios(scenarios);
      library.setScenarios(scenarios);
    })
    .catch((err) => notices.banner("scenarios", "warning", `Could not load scenarios: ${err.message}`));
  showExamples();
  await lessonsShown;
  const wanted = opened.recording;
  if (wanted) {
    // The address names the recording's lesson: it is that lesson's run.
    if (opened.lesson && lessons.current?.id === opened.lesson) lessonRuns.remember(wanted, opened.lesson);
    await openRecording(wanted);
  }
}

/**
 * Route one server message.
 * @param {any} msg
 */
function handleMessage(msg) {
  if (store.replay && msg.type !== ServerMessage.ERROR) {
    // A replay is on screen: the live run waits; "Back to live" shows it.
    if (msg.type === ServerMessage.STATUS || msg.type === ServerMessage.HELLO) {
      status = msg.run ?? null;
      statusVersion++;
      if (msg.run?.state === "running") {
        notices.banner("replay-live", "info", "A live run is going. ✕ Back to live (in the replay bar) shows it.");
      }
    }
    return;
  }
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
      lessonRuns.withdraw();
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
      // The lesson's knob follows its own run's live value (a change by any viewer).
      if (lessonRuns.lessonOf(runId) === lessons.current?.id) lessons.setKnob(name, value);
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
  lessonRuns.seen(runId);
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
  showSettings();
  followLessonRun();
}

/** @param {any} err */
function showApiError(err) {
  lessonRuns.withdraw();
  notices.banner("control", "error", `Server refused: ${err.message}`);
  form.markInvalid(err.field ?? null);
}

/** The shipped examples in the toolbar: pick one and trace it (shown live as it runs). */
function showExamples() {
  const box = $("examples");
  const select = /** @type {HTMLSelectElement} */ ($("example-select"));
  api.listExamples().then((list) => {
    select.replaceChildren(...list.map((ex) => {
      const opt = document.createElement("option");
      opt.value = ex.name;
      opt.textContent = ex.file;
      opt.title = ex.title;
      return opt;
    }));
    box.hidden = list.length === 0;
  }).catch(() => { box.hidden = true; });
  $("example-run").addEventListener("click", () => {
    if (store.replay) closeReplay();
    notices.clear("control");
    api.runExample(select.value).catch(showApiError);
  });
}

/**
 * Open recording `id` of the library in replay.
 * @param {string} id
 */
async function openRecording(id) {
  const runs = await loadRuns([id]);
  if (!runs) return;
  showRuns(runs);
  // A recording known to be a lesson's shows that lesson, and what its run showed.
  const lessonId = lessonRuns.lessonOf(id);
  if (lessonId && lessons.current?.id !== lessonId) lessons.select(lessonId);
  followLessonRun();
  updateUrl();
}

/**
 * Replay a session: its recordings one after another, as they ran.
 * @param {number} session
 * @param {{id: string}[]} recordings  in the order they ran
 */
async function openSession(session, recordings) {
  const runs = await loadRuns(recordings.map((r) => r.id));
  if (!runs) return;
  showRuns(runs);
  notices.banner("replay", "info", `Session ${session}: ${runs.length} runs, one after another (the list in the replay bar).`);
}

/**
 * Read recordings from the library, showing the progress; null after showing why when one
 * cannot be read.
 * @param {string[]} ids
 * @returns {Promise<EmbeddedRun[] | null>}
 */
async function loadRuns(ids) {
  document.body.dataset.replay = "loading";
  notices.clear("replay");
  try {
    const runs = await readRuns(ids, (i, rec, n) => {
      const of = ids.length > 1 ? ` (run ${i + 1} of ${ids.length})` : "";
      const read = n > 0 ? `${n.toLocaleString("en-US")} of ` : "";
      notices.banner("replay", "info", `Loading “${rec.name}”${of}: ${read}${rec.events.toLocaleString("en-US")} events…`);
    });
    notices.clear("replay");
    return runs;
  } catch (err) {
    delete document.body.dataset.replay;
    notices.banner("replay", "error", /** @type {Error} */ (err).message);
    return null;
  }
}

/**
 * Replay runs (one, or a session's in order: the replay bar lists them and plays on).
 * @param {EmbeddedRun[]} runs
 */
function showRuns(runs) {
  replayRuns = runs;
  replayBar.setRuns(runs.map((r) => r.recording.name), (i) => showRun(i));
  showRun(0);
}

/** @param {number} i */
function showRun(i) {
  const run = replayRuns[i];
  if (!run) return;
  replaySource = run.source;
  sourcePanel.reload();
  showRecording(run.recording, run.events);
  replayBar.setRun(i);
  bookmarks.load(run.recording.id);
}

/**
 * Put a recording on screen at its end, paused, the whole run in view.
 * @param {{id: string, name: string}} rec
 * @param {import("./protocol.js").WireEvent[]} events
 */
function showRecording(rec, events) {
  const replay = new Replay(events);
  replay.seekIndex(replay.length);
  const clock = new ReplayClock(replay);
  store.showReplay(rec.id, replay);
  banners.reset();
  // The form shows the settings of the run on screen: the recording's.
  if (store.model.config) form.applyConfig(store.model.config);
  view.setClock(clock, true);
  view.show(replay.startT, Math.max(replay.endT, replay.startT + 1));
  form.setRunning(false);
  replayBar.show(replay, clock, rec.name);
  sourcePanel.update(store.model);
  showSettings();
  document.body.dataset.replay = "ready";
  view.invalidate();
}

/** Leave the replay: back to the live run, which the server sends again on reconnecting. */
function closeReplay() {
  replayBar.hide();
  replaySource = null;
  sourcePanel.reload();
  replayRuns = [];
  store.reset(null);
  view.setClock(clock, false);
  view.fit();
  delete document.body.dataset.replay;
  notices.clear("replay-live");
  observedRun = null;
  updateUrl();
  bookmarks.load(null);
  connection.close();
  connection.start();
}

/**
 * An exported page: replay its runs (a session's in order), with its bookmarks read-only, and
 * no server at all.
 * @param {EmbeddedRun[]} runs
 */
function startOffline(runs) {
  offline = true;
  document.body.dataset.offline = "1";
  const el = $("connection");
  el.dataset.state = "offline";
  el.textContent = "offline copy";
  showRuns(runs);
}

// A handle for debugging and benchmarks from the browser console (the page owns these objects).
Object.assign(window, {
  schedviz: { store, view, status: () => status, replay: () => store.replay, player: replayBar, lessons },
});
