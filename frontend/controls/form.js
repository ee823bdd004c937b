// @ts-check
/**
 * The run form: scenario presets, RunConfig inputs, the live max_workers slider and switch
 * interval (v3), Run and Stop.
 *
 * Rules it keeps:
 * - Inputs carry the schema's limits, but values go to the server as typed: the server is the
 *   authority and its refusals are shown, not second-guessed here.
 * - While a run is going, the slider sends a resize at most every DEBOUNCE_MS (dragging a slider
 *   fires dozens of input events; one resize per pause is what the user means).
 * - Choosing executor "processes" (or map()) opens the "Processes and map()" section, so its
 *   settings are seen when they matter; kill_every is only enabled for a process pool (the server
 *   refuses it otherwise: it would kill the lab) and is sent as 0 while disabled.
 * - v4: the workload choices follow the executor (asyncio has its own workloads); the slow-step
 *   threshold is shown for asyncio only and is live there.
 */
import { ASYNCIO_WORKLOADS, CONFIG_CHOICES, CONFIG_LIMITS, LIVE_FIELDS } from "../protocol.js";

export const DEBOUNCE_MS = 150;

/** Fields read from the form into a RunConfig: the schema's numbers and choices. */
const NUMBER_FIELDS = Object.keys(CONFIG_LIMITS);
const CHOICE_FIELDS = Object.keys(CONFIG_CHOICES);
/** @type {Record<string, {min: number, max: number, step: number, default: number}>} by any name */
const LIMITS = CONFIG_LIMITS;

/** v4: each executor's workloads, as the workload select offers them. */
export const WORKLOAD_LABELS = Object.freeze({
  pool: {
    sleep: "sleep (I/O-like)", cpu: "cpu (pure Python)", hash: "hash (hashlib)", mixed: "mixed",
    convoy: "convoy (cpu + I/O)", cpu_work: "cpu_work (fixed CPU time per task)",
  },
  asyncio: {
    sleep: "sleep (coroutines sleeping)", echo: "echo (TCP server + clients)",
    blocking: "blocking (time.sleep in a coroutine)", cpu: "cpu (a coroutine that never yields)",
    gather: "gather (sequential vs gather)", offload: "offload (run_in_executor)",
    queue: "queue (Queue, Lock, Semaphore, Event)",
    cpu_work: "cpu_work (coroutines that never yield)",
  },
});

/**
 * @typedef {object} FormHandlers
 * @property {(config: Record<string, any>) => void} onRun
 * @property {() => void} onStop
 * @property {(changes: Record<string, number>) => void} onLive  a live change, e.g. {max_workers: 6}
 */

/**
 * Whether a run of `config` has anything to change for the live field `name`.
 * @param {string} name  one of LIVE_FIELDS
 * @param {{submit_mode?: string, executor?: string}} config
 */
export function takesLive(name, config) {
  // chunksize only matters to map() runs; a submit() run has nothing to change.
  if (name === "chunksize") return config.submit_mode === "map";
  // The slow-step threshold belongs to an asyncio run's loop; a pool has none.
  if (name === "slow_step_ms") return config.executor === "asyncio";
  return true;
}

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
    this.advanced = /** @type {HTMLDetailsElement | null} */ (form.querySelector("details.advanced"));
    this.killEvery = /** @type {HTMLInputElement | null} */ (form.querySelector("#kill_every"));
    /** Last executor / submit mode seen, so the section opens on a change, not on every input. */
    this._shown = { executor: "", submit_mode: "" };
    /** @type {{id: string, title: string, description?: string, config: Record<string, any>}[]} */
    this.scenarios = [];
    this.running = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._resizeTimer = null;
    /** @type {Record<string, number>} live values the server last confirmed; equal ones are not resent */
    this.confirmed = Object.fromEntries(LIVE_FIELDS.map((name) => [name, LIMITS[name].default]));
    // Until a run says otherwise: the server's defaults, and the slider's pool size.
    this.confirmed.max_workers = Number(this.slider.value);
    /** Which workloads the workload select offers now: "pool" or "asyncio". */
    this._workloadKind = "pool";
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
      if (!el || LIVE_FIELDS.includes(name)) continue;
      el.addEventListener("input", () => {
        el.closest(".field")?.classList.remove("invalid");
        this._updateRelevance();
      });
      el.addEventListener("change", () => this._updateRelevance());
    }
    for (const name of LIVE_FIELDS) {
      const el = /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name));
      if (!el) continue;
      const onChange = () => {
        this.sliderValue.textContent = this.slider.value;
        el.closest(".field")?.classList.remove("invalid");
        if (this.running) this._scheduleLive();
      };
      el.addEventListener("input", onChange);
      el.addEventListener("change", onChange);
    }
  }

  /** Send the live fields that differ from what the server confirmed, once input pauses. */
  _scheduleLive() {
    if (this._resizeTimer) clearTimeout(this._resizeTimer);
    this._resizeTimer = setTimeout(() => {
      this._resizeTimer = null;
      if (!this.running) return;
      /** @type {Record<string, number>} */
      const changes = {};
      for (const name of LIVE_FIELDS) {
        const raw = this._value(name).trim();
        const n = Number(raw);
        if (raw === "" || !Number.isFinite(n) || n === this.confirmed[name]) continue;
        const run = { submit_mode: this._value("submit_mode"), executor: this._value("executor") };
        if (!takesLive(name, run)) continue;
        changes[name] = n;
        this.confirmed[name] = n;
      }
      if (Object.keys(changes).length > 0) this.handlers.onLive(changes);
    }, DEBOUNCE_MS);
  }

  /** Grey out inputs the chosen workload or arrival ignores (they are still sent). */
  _updateRelevance() {
    this._syncWorkloads();
    const workload = this._value("workload");
    const rate = this._value("arrival") === "rate";
    const map = this._value("submit_mode") === "map";
    /** @type {Record<string, [boolean, string]>} */
    const rules = {
      hash: [workload === "hash" || workload === "mixed", "workload is hash or mixed"],
      rate: [rate, "arrival is a steady rate"],
      processes: [this._value("executor") === "processes", "executor is processes"],
      map: [map, "submitting with map()"],
      "map-rate": [map && rate, "map() with a steady rate"],
      pool: [this._value("executor") !== "asyncio", "executor is threads or processes"],
    };
    for (const field of this.form.querySelectorAll("[data-relevant]")) {
      const [relevant, when] = rules[field.getAttribute("data-relevant") ?? ""] ?? [true, ""];
      field.classList.toggle("irrelevant", !relevant);
      field.setAttribute("title", relevant ? "" : `only used when ${when}`);
    }
    // Settings of one executor only (v4: the slow-step threshold) are shown for it alone.
    for (const field of /** @type {NodeListOf<HTMLElement>} */ (this.form.querySelectorAll("[data-only]"))) {
      const show = field.dataset.only === this._value("executor");
      if (field.hidden === show) field.hidden = !show;
    }
    const processes = this._value("executor") === "processes";
    if (this.killEvery) {
      this.killEvery.disabled = !processes;
      this.killEvery.title = processes
        ? "every n-th task kills its worker process (0 = never)"
        : "needs executor processes: in a thread pool it would kill the lab itself";
    }
    // Reveal the process settings when the user (or a preset) switches to them.
    const now = { executor: this._value("executor"), submit_mode: this._value("submit_mode") };
    const switchedOn =
      (processes && this._shown.executor !== "processes") ||
      (map && this._shown.submit_mode !== "map");
    if (switchedOn && this.advanced) this.advanced.open = true;
    this._shown = now;
  }

  /** v4: offer the chosen executor's workloads, keeping the current one when it runs there. */
  _syncWorkloads() {
    const kind = this._value("executor") === "asyncio" ? "asyncio" : "pool";
    const select = /** @type {HTMLSelectElement | null} */ (this.form.elements.namedItem("workload"));
    if (!select || kind === this._workloadKind) return;
    this._workloadKind = kind;
    const labels = /** @type {Record<string, string>} */ (WORKLOAD_LABELS[kind]);
    const names = kind === "asyncio" ? ASYNCIO_WORKLOADS : CONFIG_CHOICES.workload;
    const keep = select.value;
    select.replaceChildren(...names.map((name) => {
      const opt = document.createElement("option");
      opt.value = name;
      opt.textContent = labels[name] ?? name;
      return opt;
    }));
    select.value = names.includes(keep) ? keep : names[0];
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
    const config = {};
    for (const name of CHOICE_FIELDS) config[name] = this._value(name);
    for (const name of NUMBER_FIELDS) {
      const raw = this._value(name).trim();
      const n = Number(raw);
      config[name] = raw !== "" && Number.isFinite(n) ? n : raw;
    }
    // A disabled input is not part of the request: kill_every means nothing to a thread pool.
    if (this.killEvery?.disabled) config.kill_every = 0;
    return config;
  }

  /**
   * Fill the inputs from a RunConfig (a preset, or the running run's config).
   * @param {Record<string, any>} config
   */
  applyConfig(config) {
    // The executor first: it decides which workloads the workload select offers.
    const executor = /** @type {HTMLSelectElement | null} */ (this.form.elements.namedItem("executor"));
    if (executor && config.executor) executor.value = String(config.executor);
    this._syncWorkloads();
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
    // A preset names what it changes; everything else starts from the defaults, not from
    // whatever the previous preset left in the form.
    this.applyConfig({ ...defaultConfig(), ...s.config });
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
   * A live value the server now runs with (its start value, or a change by any viewer).
   * @param {string} name
   * @param {number} value
   */
  setConfirmed(name, value) {
    this.confirmed[name] = value;
    const el = /** @type {HTMLInputElement | null} */ (this.form.elements.namedItem(name));
    // Do not yank an input from under a user who is changing it.
    if (!el || this._resizeTimer !== null || document.activeElement === el) return;
    el.value = String(value);
    this.sliderValue.textContent = this.slider.value;
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

/**
 * The RunConfig defaults as the protocol mirror knows them.
 * @returns {Record<string, any>}
 */
export function defaultConfig() {
  /** @type {Record<string, any>} */
  const config = {};
  for (const [name, lim] of Object.entries(CONFIG_LIMITS)) config[name] = lim.default;
  for (const [name, choices] of Object.entries(CONFIG_CHOICES)) config[name] = choices[0];
  return config;
}
