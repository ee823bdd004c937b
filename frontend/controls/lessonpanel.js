// @ts-check
/**
 * The lesson picker and the lesson panel beside the timeline: the explanation, the question the
 * class answers before the run, the lesson's knobs and its Run, then what the run showed (the
 * observed summary, computed by the server from the run's own events), and the code it runs.
 *
 * Rules it keeps:
 * - The class predicts first: the observed box stays empty ("run it to see") until a run of this
 *   lesson has ended; it never shows the numbers of another lesson's run.
 * - An answer that arrives for a lesson or run no longer on screen is dropped.
 * - A refusal (404, 422) is shown in the panel with the server's message, in words.
 * - Knob values start from the lesson's settings, overlaid with the address' (URL) values; the
 *   inputs carry the protocol's limits and the server remains the authority on them.
 */
import { ASYNCIO_WORKLOADS, CONFIG_CHOICES, CONFIG_LIMITS } from "../protocol.js";
import { getObserved } from "../transport/lessons.js";
import { button, make } from "./library.js";

/** @typedef {import("../transport/lessons.js").LessonInfo} LessonInfo */
/** @typedef {import("../transport/lessons.js").Observation} Observation */

/** @type {Record<string, {min: number, max: number, step: number, default: number}>} */
const LIMITS = CONFIG_LIMITS;
/** @type {Record<string, readonly string[]>} */
const CHOICES = CONFIG_CHOICES;

/**
 * @typedef {object} LessonHooks
 * @property {(lesson: LessonInfo | null) => void} onSelect  a lesson was picked (or none)
 * @property {(lesson: LessonInfo, settings: Record<string, any>) => void} onRun  its Run was pressed
 * @property {(lesson: LessonInfo, settings: Record<string, any>) => void} onKnobs  a knob moved
 */

/**
 * A number or word as the class reads it: a few significant digits, thousands separated.
 * @param {number | string} value
 * @param {string} unit
 */
export function formatObserved(value, unit) {
  let text;
  if (typeof value === "number") {
    const abs = Math.abs(value);
    const digits = Number.isInteger(value) ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
    text = value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  } else {
    text = String(value);
  }
  if (!unit) return text;
  return unit === "×" || unit === "%" ? `${text}${unit}` : `${text} ${unit}`;
}

/** The picker in the top bar and the panel beside the timeline. */
export class LessonPanel {
  /**
   * @param {{select: HTMLSelectElement, previous: HTMLElement, next: HTMLElement, panel: HTMLElement}} els
   * @param {LessonHooks} hooks
   */
  constructor(els, hooks) {
    this.els = els;
    this.hooks = hooks;
    /** @type {LessonInfo[]} */
    this.lessons = [];
    /** @type {LessonInfo | null} */
    this.current = null;
    /** @type {Record<string, any>} the knobs' values for the current lesson */
    this.values = {};
    /** @type {string | null} the run whose observed summary is shown or awaited */
    this.observedRun = null;
    /** Grows with each new observation asked for, so a late answer is recognised and dropped. */
    this._ask = 0;
    /** @type {HTMLAnchorElement | null} a compare lesson's link, which follows its knobs */
    this._compareLink = null;
    els.panel.hidden = true;
    els.select.addEventListener("change", () => this.select(els.select.value || null));
    els.previous.addEventListener("click", () => this.step(-1));
    els.next.addEventListener("click", () => this.step(1));
  }

  /**
   * Offer the server's lessons in the picker.
   * @param {LessonInfo[]} lessons
   */
  setLessons(lessons) {
    this.lessons = [...lessons].sort((a, b) => a.number - b.number);
    const none = /** @type {HTMLOptionElement} */ (make("option", undefined, "— no lesson —"));
    none.value = "";
    this.els.select.replaceChildren(none, ...this.lessons.map((l) => {
      const opt = /** @type {HTMLOptionElement} */ (make("option", undefined, `${l.number}. ${l.title}`));
      opt.value = l.id;
      opt.title = l.concept;
      return opt;
    }));
    this.els.select.value = this.current?.id ?? "";
    this.els.select.closest(".lesson-picker")?.removeAttribute("hidden");
  }

  /**
   * Show lesson `id` (null: none), its knobs from its settings overlaid with `settings`.
   * @param {string | null} id
   * @param {Record<string, any>} [settings]
   * @returns {LessonInfo | null}
   */
  select(id, settings = {}) {
    const lesson = id === null ? null : this.lessons.find((l) => l.id === id) ?? null;
    this.current = lesson;
    this.els.select.value = lesson?.id ?? "";
    this.values = {};
    if (lesson) {
      for (const name of lesson.knobs) {
        this.values[name] = settings[name] ?? lesson.config?.[name] ?? LIMITS[name]?.default ?? CHOICES[name]?.[0];
      }
    }
    this.observedRun = null;
    this._ask++;
    this._render();
    this.hooks.onSelect(lesson);
    return lesson;
  }

  /**
   * The next (1) or previous (-1) lesson, by number; from none, the first.
   * @param {number} delta
   */
  step(delta) {
    if (this.lessons.length === 0) return;
    const at = this.current ? this.lessons.indexOf(this.current) : -1;
    const i = at < 0 ? 0 : Math.min(this.lessons.length - 1, Math.max(0, at + delta));
    if (this.lessons[i] !== this.current) this.select(this.lessons[i].id);
  }

  /**
   * The RunConfig a preset lesson runs now: its settings with the knobs' values.
   * @returns {Record<string, any>}
   */
  runConfig() {
    return { ...(this.current?.config ?? {}), ...this.values };
  }

  /** Press the lesson's Run (a key does this too). */
  run() {
    const lesson = this.current;
    if (!lesson) return;
    if (lesson.kind === "compare") {
      location.assign(compareUrl(lesson, this.values));
      return;
    }
    this.hooks.onRun(lesson, { ...this.values });
  }

  /**
   * Ask for the observed summary of run `runId` of the lesson shown, and show it.
   * @param {string} runId
   * @returns {Promise<void>}
   */
  async observe(runId) {
    const lesson = this.current;
    if (!lesson || lesson.kind === "compare") return;
    const ask = ++this._ask;
    this.observedRun = runId;
    this._observedState("waiting", "The run has ended: reading what it showed…");
    try {
      const answer = await getObserved(lesson.id, runId);
      if (ask !== this._ask) return;
      this._showObservations(answer.observations);
    } catch (err) {
      if (ask !== this._ask) return;
      this._observedState("error", /** @type {Error} */ (err).message);
    }
  }

  /**
   * Say that run `runId` of this lesson is going (its summary comes when it ends).
   * @param {string} runId
   */
  running(runId) {
    this._ask++;
    this.observedRun = runId;
    this._observedState("running", "Running… the summary of what happened comes when the run ends.");
  }

  /**
   * A knob's value as the lesson's run now has it (a live change, by this page or another);
   * an input being edited is left alone.
   * @param {string} name
   * @param {number} value
   */
  setKnob(name, value) {
    if (!this.current || !(name in this.values)) return;
    this.values[name] = value;
    const input = /** @type {HTMLInputElement | null} */ (this.els.panel.querySelector(`.lesson-knob [name="${name}"]`));
    if (input && document.activeElement !== input) input.value = String(value);
  }

  /** The run on screen is not this lesson's: show no numbers. */
  clearObserved() {
    if (this.observedRun === null) return;
    this._ask++;
    this.observedRun = null;
    if (this.current) this._render();
  }

  _render() {
    const panel = this.els.panel;
    const lesson = this.current;
    if (!lesson) {
      panel.hidden = true;
      panel.replaceChildren();
      delete panel.dataset.lesson;
      return;
    }
    panel.dataset.lesson = lesson.id;
    panel.dataset.kind = lesson.kind;
    const head = make("header", "lesson-head");
    head.append(make("span", "lesson-number", `Lesson ${lesson.number} of ${this.lessons.length}`),
      make("h2", "lesson-title", lesson.title), make("p", "lesson-concept", lesson.concept));
    const predict = make("section", "lesson-prediction");
    predict.append(make("h3", undefined, "Predict first"), make("p", "lesson-prediction-text", lesson.prediction));
    const observed = make("section", "lesson-observed");
    observed.append(make("h3", undefined, "What happened"), make("p", "lesson-observed-status"),
      make("dl", "lesson-observations"));
    panel.replaceChildren(head, make("p", "lesson-explanation", lesson.explanation), predict,
      this._actions(lesson), observed);
    if (lesson.code && lesson.code.lines.length > 0) panel.append(codeBlock(lesson.code));
    panel.hidden = false;
    // The lines doing the lesson's work in view, a few lines below the top of the code box.
    const focus = /** @type {HTMLElement | null} */ (panel.querySelector(".lesson-lines .focus"));
    const pre = focus?.parentElement;
    if (focus && pre) pre.scrollTop = Math.max(0, focus.offsetTop - pre.offsetTop - 40);
    if (lesson.kind === "compare") {
      this._observedState("elsewhere", "This lesson runs on the comparison page, which shows what happened.");
    } else {
      this._observedState("none", "Run it to see; the class predicts first.");
    }
  }

  /** @param {LessonInfo} lesson */
  _actions(lesson) {
    const box = make("div", "lesson-actions");
    const knobs = make("div", "lesson-knobs");
    for (const name of lesson.knobs) knobs.append(this._knob(name));
    if (lesson.knobs.length > 0) box.append(knobs);
    if (lesson.kind === "compare") {
      const a = /** @type {HTMLAnchorElement} */ (make("a", "lesson-run lesson-compare", "▶ Open the comparison"));
      a.href = compareUrl(lesson, this.values);
      box.append(a);
      this._compareLink = a;
    } else {
      this._compareLink = null;
      const label = lesson.kind === "example" ? `▶ Run ${lesson.example}.py (traced)` : "▶ Run the lesson";
      const run = button(label, "primary lesson-run");
      run.title = "key: r";
      run.addEventListener("click", () => this.run());
      box.append(run);
    }
    return box;
  }

  /** @param {string} name */
  _knob(name) {
    const field = make("label", "lesson-knob");
    field.append(make("span", undefined, name));
    /** @type {HTMLInputElement | HTMLSelectElement} */
    let input;
    if (name in CHOICES) {
      const select = document.createElement("select");
      const names = name === "workload" && this.current?.config?.executor === "asyncio" ? ASYNCIO_WORKLOADS : CHOICES[name];
      select.replaceChildren(...names.map((c) => {
        const opt = /** @type {HTMLOptionElement} */ (make("option", undefined, c));
        opt.value = c;
        return opt;
      }));
      input = select;
    } else {
      const number = document.createElement("input");
      number.type = "number";
      const lim = LIMITS[name];
      if (lim) {
        number.min = String(lim.min);
        number.max = String(lim.max);
        number.step = "any";
        number.title = `${name}: ${lim.min}–${lim.max}`;
      }
      input = number;
    }
    input.name = name;
    input.value = String(this.values[name] ?? "");
    input.addEventListener("change", () => {
      const raw = input.value.trim();
      const n = Number(raw);
      this.values[name] = input instanceof HTMLSelectElement || raw === "" || !Number.isFinite(n) ? raw : n;
      if (this._compareLink && this.current) this._compareLink.href = compareUrl(this.current, this.values);
      if (this.current) this.hooks.onKnobs(this.current, { ...this.values });
    });
    field.append(input);
    return field;
  }

  /**
   * @param {"none" | "running" | "waiting" | "ready" | "error" | "elsewhere"} state
   * @param {string} text
   */
  _observedState(state, text) {
    const panel = this.els.panel;
    panel.dataset.observed = state;
    panel.dataset.recording = this.observedRun ?? "";
    const box = panel.querySelector(".lesson-observed");
    if (!box) return;
    box.setAttribute("data-state", state);
    const status = /** @type {HTMLElement} */ (box.querySelector(".lesson-observed-status"));
    status.textContent = text;
    status.hidden = text === "";
    status.setAttribute("role", state === "error" ? "alert" : "status");
    if (state !== "ready") box.querySelector(".lesson-observations")?.replaceChildren();
  }

  /** @param {Observation[]} observations */
  _showObservations(observations) {
    this._observedState("ready", observations.length === 0 ? "The run gave nothing to show." : "");
    const panel = this.els.panel;
    const dl = panel.querySelector(".lesson-observations");
    if (!dl) return;
    dl.replaceChildren(...observations.map((o) => {
      const row = make("div", "lesson-observation");
      row.dataset.key = o.key;
      // A number stands beside its label; words (an order, a chain) get a line of their own.
      const kind = typeof o.value === "number" ? "lesson-value" : "lesson-value lesson-words";
      row.append(make("dt", undefined, o.label), make("dd", kind, formatObserved(o.value, o.unit)));
      if (o.detail) row.append(make("dd", "lesson-detail", o.detail));
      return row;
    }));
    // Prediction and outcome together in view: the class compares them.
    const predict = /** @type {HTMLElement | null} */ (panel.querySelector(".lesson-prediction"));
    if (predict && panel.scrollHeight > panel.clientHeight) panel.scrollTop = predict.offsetTop - 6;
  }
}

/**
 * The comparison page for a compare lesson, with the knobs' values.
 * @param {LessonInfo} lesson
 * @param {Record<string, any>} values
 */
export function compareUrl(lesson, values) {
  const params = new URLSearchParams({ lesson: lesson.id });
  for (const [name, value] of Object.entries(values)) {
    if (String(value) !== String(lesson.config?.[name])) params.set(name, String(value));
  }
  return `compare.html?${params}`;
}

/**
 * The lesson's code, numbered, its focus lines marked.
 * @param {import("../transport/lessons.js").LessonCode} code
 */
function codeBlock(code) {
  const box = /** @type {HTMLDetailsElement} */ (make("details", "lesson-code"));
  box.open = true;
  box.append(make("summary", undefined, `The code it runs: ${code.file}`));
  const pre = make("pre", "lesson-lines");
  const [first, last] = code.focus ?? [0, -1];
  const start = code.first_line ?? 1;
  code.lines.forEach((text, i) => {
    const at = i + 1;
    const line = make("span", at >= first && at <= last ? "line focus" : "line");
    line.append(make("span", "ln", String(start + i)), make("code", undefined, text));
    pre.append(line);
  });
  box.append(pre);
  return box;
}
