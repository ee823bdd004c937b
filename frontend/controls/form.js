// @ts-check
/**
 * The run form: scenario presets, RunConfig inputs, the live max_workers slider, Run and Stop.
 *
 * Rules it keeps:
 * - Inputs carry the schema's limits, but values go to the server as typed: the server is the
 *   authority and its refusals are shown, not second-guessed here.
 * - While a run is going, the slider sends a resize at most every DEBOUNCE_MS (dragging a slider
 *   fires dozens of input events; one resize per pause is what the user means).
 */
import { CONFIG_LIMITS } from "../protocol.js";

export const DEBOUNCE_MS = 150;

/** Fields read from the form into a RunConfig, with how to parse them. */
const NUMBER_FIELDS = ["n_tasks", "task_ms", "hash_mb", "rate", "duration_s", "fail_every", "max_workers"];
const CHOICE_FIELDS = ["workload", "arrival"];

/**
 * @typedef {object} FormHandlers
 * @property {(config: Record<string, any>) => void} onRun
 * @property {() => void} onStop
 * @property {(maxWorkers: number) => void} onResize
 */

/** Binds the run form's inputs and buttons. */
export class RunForm {
  /**
   * @param {HTMLFormElement} form
   * @param {FormHandlers} handlers
   */
  constructor(form, handlers) {
    this.form = form;
    this.handlers = handlers;
    this.preset = /** @type {HTMLSelectElement} */ (form.querySelector("#preset"));
    this.slider = /** @type {HTMLInputElement} */ (form.querySelector("#max_workers"));
    this.sliderValue = /** @type {HTMLOutputElement} */ (form.querySelector("#max_workers_value"));
    this.runButton = /** @type {HTMLButtonElement} */ (form.querySelector("#run"));
    this.stopButton = /** @type {HTMLButtonElement} */ (form.querySelector("#stop"));
    this.description = /** @type {HTMLElement} */ (document.getElementById("scenario-description"));
    /** @type {{id: string, title: string, description?: string, config: Record<string, any>}[]} */
    this.scenarios = [];
    this.running = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._resizeTimer = null;
    /** The pool size the server last confirmed, so a slider back at it sends nothing. */
    this.confirmedWorkers = Number(this.slider.value);
    this._applyLimits();
    this._bind();
    this._updateRelevance();
  }

  _applyLimits() {
    for (const [name, lim] of Object.entries(CONFIG_LIMITS)) {
      const input = /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name));
      if (!input) continue;
      input.min = String(lim.min);
      input.max = String(lim.max);
    }
  }

  _bind() {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.clearInvalid();
      this.handlers.onRun(this.readConfig());
    });
    this.stopButton.addEventListener("click", () => this.handlers.onStop());
    this.preset.addEventListener("change", () => this.selectPreset(this.preset.value));
    for (const name of [...NUMBER_FIELDS, ...CHOICE_FIELDS]) {
      const el = /** @type {HTMLElement | null} */ (this.form.elements.namedItem(name));
      if (!el || name === "max_workers") continue;
      el.addEventListener("input", () => {
        el.closest(".field")?.classList.remove("invalid");
        this._updateRelevance();
      });
      el.addEventListener("change", () => this._updateRelevance());
    }
    const onSlide = () => {
      this.sliderValue.textContent = this.slider.value;
      this.slider.closest(".field")?.classList.remove("invalid");
      if (this.running) this._scheduleResize();
    };
    this.slider.addEventListener("input", onSlide);
    this.slider.addEventListener("change", onSlide);
  }

  _scheduleResize() {
    if (this._resizeTimer) clearTimeout(this._resizeTimer);
    this._resizeTimer = setTimeout(() => {
      this._resizeTimer = null;
      const n = Number(this.slider.value);
      if (this.running && n !== this.confirmedWorkers) {
        this.confirmedWorkers = n;
        this.handlers.onResize(n);
      }
    }, DEBOUNCE_MS);
  }

  /** Grey out inputs the chosen workload or arrival ignores (they are still sent). */
  _updateRelevance() {
    const workload = this._value("workload");
    const arrival = this._value("arrival");
    for (const field of this.form.querySelectorAll("[data-relevant]")) {
      const want = field.getAttribute("data-relevant");
      const relevant =
        want === "hash" ? workload === "hash" || workload === "mixed" : arrival === "rate";
      field.classList.toggle("irrelevant", !relevant);
      const input = field.querySelector("input");
      if (input) input.title = relevant ? "" : `only used when ${want === "hash" ? "workload is hash or mixed" : "arrival is rate"}`;
    }
  }

  /** @param {string} name */
  _value(name) {
    const el = /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name));
    return el ? el.value : "";
  }

  /**
   * The RunConfig the form describes; unparseable numbers are sent as typed for the server to
   * refuse with its own message.
   * @returns {Record<string, any>}
   */
  readConfig() {
    /** @type {Record<string, any>} */
    const config = { executor: "threads" };
    for (const name of CHOICE_FIELDS) config[name] = this._value(name);
    for (const name of NUMBER_FIELDS) {
      const raw = this._value(name).trim();
      const n = Number(raw);
      config[name] = raw !== "" && Number.isFinite(n) ? n : raw;
    }
    return config;
  }

  /**
   * Fill the inputs from a RunConfig (a preset, or the running run's config).
   * @param {Record<string, any>} config
   */
  applyConfig(config) {
    for (const [name, value] of Object.entries(config)) {
      const el = /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name));
      if (el && value !== null && value !== undefined) el.value = String(value);
    }
    this.sliderValue.textContent = this.slider.value;
    this._updateRelevance();
  }

  /**
   * Offer the server's scenario presets.
   * @param {{id: string, title: string, description?: string, config: Record<string, any>}[]} scenarios
   */
  setScenarios(scenarios) {
    this.scenarios = scenarios;
    for (const s of scenarios) {
      const opt = document.createElement("option");
      opt.value = s.id;
      opt.textContent = s.title;
      this.preset.append(opt);
    }
  }

  /**
   * Load a preset into the form and show its explanation.
   * @param {string} id
   */
  selectPreset(id) {
    this.preset.value = id;
    const s = this.scenarios.find((x) => x.id === id);
    if (!s) {
      this.description.hidden = true;
      return;
    }
    this.applyConfig(s.config);
    this.description.textContent = s.description ?? "";
    this.description.hidden = !s.description;
  }

  /**
   * Switch buttons and slider behaviour between idle and running.
   * @param {boolean} running
   */
  setRunning(running) {
    this.running = running;
    this.runButton.disabled = running;
    this.stopButton.disabled = !running;
    this.slider.title = running
      ? "pool size: moving it resizes the running pool"
      : "pool size for the next run";
  }

  /**
   * The server's current pool size (e.g. after a resize by another viewer).
   * @param {number} n
   */
  setConfirmedWorkers(n) {
    this.confirmedWorkers = n;
    // Do not yank the slider from under a user who is moving it.
    if (this._resizeTimer === null && document.activeElement !== this.slider) {
      this.slider.value = String(n);
      this.sliderValue.textContent = String(n);
    }
  }

  /**
   * Outline the input the server refused.
   * @param {string | null} field
   */
  markInvalid(field) {
    if (!field) return;
    const el = /** @type {HTMLElement | null} */ (this.form.elements.namedItem(field));
    el?.closest(".field")?.classList.add("invalid");
  }

  clearInvalid() {
    for (const f of this.form.querySelectorAll(".field.invalid")) f.classList.remove("invalid");
  }
}
