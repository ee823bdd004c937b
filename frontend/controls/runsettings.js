// @ts-check
/**
 * The settings line: what the run on screen runs, in a few words, taken from the run itself (its
 * run_started config, or the server's status of it) and never from this tab's form, so a run
 * started from another tab, the API or `schedviz trace --live` reads as what it is. While the
 * form shows exactly those settings the line stays folded (the form says it), except in presenter
 * mode, where the form is hidden.
 */

/**
 * The words for a run's config: a RunConfig, or a traced program's {program, argv}.
 * @param {Record<string, any> | null | undefined} config
 * @returns {string}  "" when there is no run
 */
export function describeConfig(config) {
  if (!config) return "";
  if (typeof config.program === "string") {
    const base = (/** @type {string} */ path) => path.split("/").pop() || path;
    const name = base(config.program);
    const argv = Array.isArray(config.argv) ? config.argv.map(String) : [];
    // argv[0] is the program itself, as sys.argv has it.
    if (argv.length > 0 && base(argv[0]) === name) argv.shift();
    return ["schedviz trace", name, ...argv].join(" ");
  }
  const parts = [];
  const executor = String(config.executor ?? "threads");
  parts.push(executor === "processes" && config.start_method ? `processes (${config.start_method})` : executor);
  if (config.workload) parts.push(String(config.workload));
  const n = Number(config.n_tasks);
  if (Number.isFinite(n)) {
    const ms = Number(config.task_ms);
    const size = config.workload === "hash" ? ` × ${config.hash_mb} MB` : Number.isFinite(ms) ? ` × ${ms} ms` : "";
    parts.push(`${n.toLocaleString("en-US")} ${n === 1 ? "task" : "tasks"}${size}`);
  }
  if (config.arrival === "rate") parts.push(`${config.rate}/s for ${config.duration_s} s`);
  if (executor !== "asyncio" && config.max_workers !== undefined) parts.push(`max_workers ${config.max_workers}`);
  if (config.submit_mode === "map") parts.push(`map() chunksize ${config.chunksize}`);
  if (Number(config.payload_numbers) > 0) parts.push(`${Number(config.payload_numbers).toLocaleString("en-US")} floats per call`);
  if (Number(config.fail_every) > 0) parts.push(`1 task in ${config.fail_every} raises`);
  if (Number(config.kill_every) > 0) parts.push(`1 task in ${config.kill_every} kills its worker`);
  if (config.switch_interval_ms !== undefined && Number(config.switch_interval_ms) !== 5) {
    parts.push(`switch interval ${config.switch_interval_ms} ms`);
  }
  if (executor === "asyncio" && config.slow_step_ms !== undefined) parts.push(`slow step ${config.slow_step_ms} ms`);
  return parts.join(" · ");
}

/** The settings line under the summary. */
export class RunSettings {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    /** @type {string} */
    this.runId = "";
  }

  /**
   * Show the settings of run `runId` (null: no run on screen).
   * @param {string | null} runId
   * @param {Record<string, any> | null | undefined} config
   * @param {boolean} [inForm]  the form above holds exactly these settings: the line may stay
   *   folded (style.css shows it anyway where the form is hidden, in presenter mode)
   */
  show(runId, config, inForm = false) {
    const text = describeConfig(config);
    this.runId = runId ?? "";
    this.el.hidden = !text;
    this.el.dataset.runId = this.runId;
    if (inForm) this.el.dataset.inForm = "1";
    else delete this.el.dataset.inForm;
    // A traced program has no RunConfig: the form then describes the next Run, not this one.
    const traced = !!config && typeof config.program === "string";
    if (traced) document.body.dataset.runTraced = "1";
    else delete document.body.dataset.runTraced;
    const body = /** @type {HTMLElement} */ (this.el.querySelector(".run-settings-text") ?? this.el);
    if (body.textContent !== text) body.textContent = text;
  }
}
