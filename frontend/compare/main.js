// @ts-check
/**
 * The comparison page: pick a workload, tasks, task length and workers; start the comparison
 * (its runs go one after another, each recorded); follow its progress; then see the runs'
 * timelines stacked on one time axis and the table of wall time, CPU time and speedup.
 *
 * The address holds what is shown: `?comparison=<id>` opens a comparison (running or done),
 * `?lesson=<id>` shows a compare lesson's explanation, prediction and, at the end, its
 * observed summary. Opened without an id while a comparison runs, it follows that one.
 */
import { Notices } from "../controls/notices.js";
import { readRuns } from "../transport/recordings.js";
import * as api from "./api.js";
import { ComparisonRows } from "./rows.js";
import { COLUMN_NOTES, showObservations, showSummary } from "./table.js";

/** How often the page asks how a running comparison is getting on. */
const POLL_MS = 300;
/** The form's number fields: name -> the limits' key. */
const NUMBER_FIELDS = ["n_tasks", "task_ms", "max_workers"];

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const form = /** @type {HTMLFormElement} */ ($("compare-form"));
const startButton = /** @type {HTMLButtonElement} */ ($("compare-start"));
const progress = $("progress");
const notices = new Notices($("banners"), $("toasts"));
const rows = new ComparisonRows($("rows"));
const params = new URLSearchParams(location.search);
/** @type {api.Lesson | null} */
let lesson = null;
/** RunConfig fields the lesson sets that the form does not show (kept when starting). */
/** @type {Record<string, any>} */
let extraFields = {};

/**
 * @param {string} name
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
function field(name) {
  return /** @type {HTMLInputElement | HTMLSelectElement} */ (form.elements.namedItem(name));
}

/** @param {api.Limits} limits */
function fillForm(limits) {
  const options = (/** @type {string} */ name, /** @type {string[]} */ values) => {
    const select = /** @type {HTMLSelectElement} */ (field(name));
    select.replaceChildren(...values.map((v) => new Option(v, v)));
  };
  options("workload", limits.workloads);
  options("start_method", limits.start_methods);
  for (const name of NUMBER_FIELDS) {
    const input = /** @type {HTMLInputElement} */ (field(name));
    const [lo, hi] = /** @type {[number, number]} */ (limits[/** @type {"n_tasks"} */ (name)]);
    input.min = String(lo);
    input.max = String(hi);
    const hint = document.getElementById(`${name}-range`);
    if (hint) hint.textContent = `${lo}–${hi}`;
  }
}

/** @param {Record<string, any>} config */
function applyConfig(config) {
  for (const [name, value] of Object.entries(config)) {
    const el = form.elements.namedItem(name);
    if (el) /** @type {HTMLInputElement} */ (el).value = String(value);
  }
}

/** @returns {Record<string, any>} */
function readForm() {
  /** @type {Record<string, any>} */
  const fields = { ...extraFields };
  fields.workload = field("workload").value;
  fields.start_method = field("start_method").value;
  for (const name of NUMBER_FIELDS) fields[name] = Number(field(name).value);
  return fields;
}

/** @param {string} id */
async function showLesson(id) {
  const lessons = await api.listLessons();
  lesson = lessons.find((l) => l.id === id) ?? null;
  if (!lesson) {
    const known = lessons.filter((l) => l.kind === "compare").map((l) => l.id).join(", ") || "none";
    notices.banner("lesson", "error", `There is no lesson "${id}". Comparison lessons: ${known}.`);
    return;
  }
  $("lesson").hidden = false;
  $("lesson-title").textContent = `Lesson ${lesson.number}: ${lesson.title}`;
  $("lesson-explanation").textContent = lesson.explanation;
  $("lesson-prediction").textContent = lesson.prediction;
  if (lesson.code) showCode(lesson.code);
  if (lesson.config) {
    const shown = new Set(["workload", "start_method", ...NUMBER_FIELDS]);
    extraFields = Object.fromEntries(Object.entries(lesson.config)
      .filter(([k]) => !shown.has(k) && k !== "executor"));
    applyConfig(lesson.config);
  }
}

/**
 * The code every run of the comparison runs, its working lines marked.
 * @param {api.LessonCode} code
 */
function showCode(code) {
  const pre = $("lesson-code");
  const first = code.first_line ?? 1;
  const [lo, hi] = code.focus ?? [0, -1];
  pre.replaceChildren(...code.lines.map((text, i) => {
    const line = document.createElement("span");
    line.className = i + 1 >= lo && i + 1 <= hi ? "code-line focus" : "code-line";
    line.textContent = `${String(first + i).padStart(4)}  ${text}\n`;
    return line;
  }));
  pre.title = code.file;
  pre.hidden = false;
}

/** @param {api.Comparison} c */
function showProgress(c) {
  const total = c.runs.length;
  const done = c.recordings.filter((r) => r.state === "ended").length;
  const running = c.recordings.find((r) => r.state === "running");
  progress.dataset.state = c.state;
  if (c.state === "running") {
    progress.textContent = running
      ? `Run ${c.recordings.length} of ${total}: ${running.executor} (${running.events} events)…`
      : `Starting run ${done + 1} of ${total}: ${c.runs[done]?.executor ?? ""}…`;
  } else if (c.state === "ended") {
    progress.textContent = `Done: ${total} runs (${c.name}). Loading their timelines…`;
  } else {
    progress.textContent = "The comparison stopped.";
  }
  $("notes").replaceChildren(...c.notes.map((n) => {
    const li = document.createElement("li");
    li.textContent = n;
    return li;
  }));
}

/** @param {number} ms */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follow comparison `id` to its end, then show its timelines, table and observed summary.
 * @param {number} id
 */
async function follow(id) {
  startButton.disabled = true;
  try {
    let c = await api.getComparison(id);
    for (; c.state === "running"; c = await api.getComparison(id)) {
      showProgress(c);
      await pause(POLL_MS);
    }
    showProgress(c);
    if (c.state === "error") {
      notices.banner("comparison", "error", `${c.message ?? "The comparison did not finish."} ` +
        "Press Compare to run it again.");
      return;
    }
    const { summary } = await api.getSummary(id);
    showSummary(/** @type {HTMLTableElement} */ ($("summary")), summary);
    $("column-notes").textContent = COLUMN_NOTES;
    const runs = await readRuns(c.recordings.map((r) => r.recording), (i, _rec, n) => {
      progress.textContent = `Loading the timelines: ${c.recordings[i].executor}, ${n} events…`;
    });
    rows.show(runs, summary);
    progress.textContent = `${c.name}: ${runs.length} runs on one time axis (wheel zooms, drag pans all of them).`;
    if (lesson) {
      const observed = await api.getObserved(id, lesson.id);
      showObservations($("observed"), observed.observations);
      $("observed-box").hidden = false;
    }
    // The timelines and numbers take the room now; the explanation stays one click away.
    /** @type {HTMLDetailsElement} */ ($("lesson-details")).open = false;
    document.body.dataset.comparison = "shown";
  } catch (err) {
    notices.banner("comparison", "error", /** @type {Error} */ (err).message);
  } finally {
    startButton.disabled = false;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  notices.clear("comparison");
  try {
    const c = await api.startComparison(readForm());
    const next = new URLSearchParams(location.search);
    next.set("comparison", String(c.id));
    history.replaceState(null, "", `?${next}`);
    await follow(c.id);
  } catch (err) {
    notices.banner("comparison", "error", `${/** @type {Error} */ (err).message}`);
  }
});

async function init() {
  try {
    fillForm(await api.getLimits());
    const lessonId = params.get("lesson");
    if (lessonId) await showLesson(lessonId);
    const id = params.get("comparison");
    if (id !== null) {
      if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not a comparison id (a whole number)`);
      await follow(Number(id));
    } else {
      // A comparison started elsewhere (another tab, the API) is followed here too.
      const { comparison } = await api.getCurrent();
      if (comparison?.state === "running") {
        document.body.dataset.ready = "true";
        await follow(comparison.id);
      }
    }
    document.body.dataset.ready = "true";
  } catch (err) {
    notices.banner("comparison", "error", /** @type {Error} */ (err).message);
    document.body.dataset.ready = "true";
  }
}

init();
