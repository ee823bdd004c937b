// @ts-check
/**
 * The source panel beside an asyncio run's timeline (v4): the workloads' code with line
 * numbers, fetched once; yield sites marked, lines that blocked the loop in red, and the line
 * a hovered yield tick or step is about highlighted and scrolled into view (within the panel,
 * never the page). Above the code, one notice per step that blocked the loop and per task
 * that never yielded (its one step blocked the loop), naming the line. Also mirrors the
 * asyncio counts as data attributes on #timeline (data-aio-tasks, -steps, -blocked,
 * -yield-sites).
 *
 * For tests: the highlighted line is `#source .highlight[data-line]`.
 */
import { basename, summarizeAio } from "../model/aio/loop.js";
import { isAsyncioRun } from "../model/core/selectors.js";
import { hitSourceLine } from "../render/aio/pick.js";
import { formatDuration } from "../render/core/format.js";

/** @typedef {import("../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {{file: string, lines: string[]}} Source */

/** The panel and the asyncio data attributes. */
export class SourcePanel {
  /**
   * @param {HTMLElement} el      #source
   * @param {HTMLElement} timeline #timeline, for the data attributes
   * @param {() => Promise<Source>} load  fetches the source (called once, again after a failure)
   */
  constructor(el, timeline, load) {
    this.el = el;
    this.timeline = timeline;
    this.load = load;
    /** @type {Source | null} */
    this.source = null;
    /** @type {Promise<void> | null} */
    this._loading = null;
    /** Grows with each `reload`: an answer for an older source is dropped. */
    this._generation = 0;
    this.title = document.createElement("h2");
    this.title.textContent = "asyncio workloads";
    this.where = document.createElement("p");
    this.where.className = "source-where";
    this.where.textContent = "Hover a yield tick ▾ or a step to see its line.";
    this.notices = document.createElement("ul");
    this.notices.className = "aio-notices";
    this.notices.id = "aio-notices";
    this.body = document.createElement("div");
    this.body.className = "source-lines";
    this.body.setAttribute("role", "list");
    el.replaceChildren(this.title, this.where, this.notices, this.body);
    /** @type {HTMLElement[]} line elements, index = line - 1 */
    this.lineEls = [];
    /** @type {HTMLElement | null} */
    this.current = null;
    this._marks = "";
    this._notices = "";
    /** @type {TimelineModel | null} the model last shown */
    this._model = null;
    /** @type {string | null} the run whose workload the panel was scrolled to */
    this._shownRun = null;
    this.notices.addEventListener("click", (e) => {
      const li = /** @type {HTMLElement | null} */ ((/** @type {HTMLElement} */ (e.target)).closest("li[data-line]"));
      if (li) this.highlight(Number(li.dataset.line), "blocked", null);
    });
  }

  /**
   * Show the panel for an asyncio run (loading the source the first time), hide it otherwise;
   * refresh marks, notices and data attributes. Returns whether it is an asyncio run.
   * @param {TimelineModel} model
   */
  update(model) {
    this._model = model;
    const active = isAsyncioRun(model);
    if (this.el.hidden === active) this.el.hidden = !active;
    this._attributes(model);
    if (!active) return false;
    if (!this.source && !this._loading) {
      const generation = this._generation;
      this._loading = this.load()
        .then((src) => {
          if (generation !== this._generation) return;
          this.source = src;
          this._build();
          this._marks = "";
          if (this._model) this.update(this._model);
        })
        .catch((err) => {
          this.where.textContent = `Could not load the source: ${err.message}`;
        })
        .finally(() => {
          this._loading = null;
        });
    }
    if (this.source) {
      this._startRun(model);
      this._mark(model);
      // Until the user hovers something, point at the first line that blocked the loop.
      const r = model.aio.blocked[0];
      if (!this.current && r && r.file === this.source.file && r.line !== null) {
        this.highlight(r.line, "blocked", model.aio.tasks.get(r.task)?.name ?? null);
      }
    }
    this._showNotices(model);
    return true;
  }

  /**
   * Show another source from the next update on (a replayed recording keeps its own: a traced
   * program's files, not the shipped workloads).
   */
  reload() {
    this._generation++;
    this.source = null;
    this._loading = null;
    this._marks = "";
    this._shownRun = null;
    this.current = null;
    this.lineEls = [];
    this.body.replaceChildren();
  }

  /**
   * Follow the timeline's hover: highlight the line a yield tick, wait or step is about.
   * @param {{type: string} | null} hit
   * @param {TimelineModel} model
   */
  follow(hit, model) {
    if (!hit || this.el.hidden) return;
    const at = hitSourceLine(hit);
    if (!at) return;
    const name = "task" in hit && hit.task && typeof hit.task === "object" && "name" in hit.task ? String(hit.task.name) : null;
    if (this.source && at.file === this.source.file) {
      this.highlight(at.line, at.kind, name);
    } else {
      void model;
      this.where.textContent = `${name ? `${name}: ` : ""}${basename(at.file)}:${at.line} is asyncio's own code (not shown).`;
    }
  }

  /**
   * In replay, with nothing hovered: the line the loop is at, at the cursor. A step still
   * running then is shown by the line that blocks the loop, if one does (its report); else the
   * newest step that had ended shows where it last yielded (a running step's own yield lies
   * in the future of the cursor).
   * @param {TimelineModel} model
   * @param {number} nowT  the cursor
   */
  followCursor(model, nowT) {
    if (this.el.hidden) return;
    const steps = model.aio.steps;
    let i = steps.length - 1;
    const running = steps[i];
    if (running && running.end > nowT) {
      const report = running.blocked ?? model.aio.ongoing.get(running.task) ?? null;
      if (report && report.t === running.t && report.file !== null && report.line !== null) {
        /** @type {{type: string}} */
        const blocked = /** @type {any} */ ({ type: "aio-ongoing", report, task: model.aio.tasks.get(running.task) ?? null });
        this.follow(blocked, model);
        return;
      }
    }
    while (i >= 0 && steps[i].end > nowT) i--;
    const step = steps[i];
    if (!step) return;
    /** @type {{type: string}} */
    const hit = /** @type {any} */ ({ type: "aio-yield", step, task: model.aio.tasks.get(step.task) ?? null });
    this.follow(hit, model);
  }

  /**
   * Highlight one line and scroll the panel (only the panel) so it is in view.
   * @param {number} line
   * @param {"yield" | "blocked"} kind
   * @param {string | null} who
   */
  highlight(line, kind, who) {
    const el = this.lineEls[line - 1];
    if (!el) return;
    if (this.current !== el) {
      this.current?.classList.remove("highlight", "highlight-blocked");
      el.classList.add("highlight");
      this.current = el;
    }
    el.classList.toggle("highlight-blocked", kind === "blocked");
    const text = (this.source?.lines[line - 1] ?? "").trim();
    const verb = kind === "blocked" ? "blocked the loop at" : "yielded at";
    this.where.textContent = `${who ? `${who} ${verb}` : "line"} ${line}: ${text}`;
    // Centre it in the part of the panel the window shows (the panel may reach below the
    // fold); scroll the panel only, never the page under the user's pointer.
    const box = this.body;
    const rect = box.getBoundingClientRect();
    const seenTop = Math.max(rect.top, 0) - rect.top;
    const seenBottom = Math.min(rect.bottom, window.innerHeight) - rect.top;
    if (seenBottom - seenTop < el.offsetHeight) return;
    const top = el.offsetTop - box.offsetTop - box.scrollTop;
    if (top < seenTop + 20 || top + el.offsetHeight > seenBottom - 20) {
      const want = (seenTop + seenBottom) / 2 - el.offsetHeight / 2;
      box.scrollTop = Math.max(0, box.scrollTop + top - want);
    }
  }

  /**
   * A new run: forget the old highlight and show the run's workload from its `async def`.
   * @param {TimelineModel} model
   */
  _startRun(model) {
    const run = model.runId ?? "";
    if (run === this._shownRun || !this.source) return;
    this._shownRun = run;
    this.current?.classList.remove("highlight", "highlight-blocked");
    this.current = null;
    this.where.textContent = "Hover a yield tick ▾ or a step to see its line.";
    const line = workloadLine(this.source.lines, model.config?.workload ?? null);
    const el = line !== null ? this.lineEls[line - 1] : null;
    if (el) this.body.scrollTop = Math.max(0, el.offsetTop - this.body.offsetTop - 8);
  }

  _build() {
    const src = /** @type {Source} */ (this.source);
    this.title.textContent = basename(src.file);
    this.title.title = src.file;
    this.lineEls = src.lines.map((text, i) => {
      const row = document.createElement("div");
      row.className = "line";
      row.dataset.line = String(i + 1);
      row.setAttribute("role", "listitem");
      const ln = document.createElement("span");
      ln.className = "ln";
      ln.textContent = String(i + 1);
      const code = document.createElement("code");
      code.textContent = text || " ";
      if (/^\s*#/.test(text)) code.className = "comment";
      row.append(ln, code);
      return row;
    });
    this.body.replaceChildren(...this.lineEls);
  }

  /**
   * Mark the lines tasks yielded at (with how often) and the lines that blocked the loop.
   * @param {TimelineModel} model
   */
  _mark(model) {
    const src = /** @type {Source} */ (this.source);
    const aio = model.aio;
    /** @type {Map<number, number>} */
    const yields = new Map();
    for (const s of aio.yieldSites.values()) if (s.file === src.file) yields.set(s.line, s.count);
    const blocked = new Set(aio.blocked.filter((r) => r.file === src.file).map((r) => r.line));
    for (const r of aio.ongoing.values()) if (r.file === src.file) blocked.add(r.line);
    const key = JSON.stringify([[...yields], [...blocked]]);
    if (key === this._marks) return;
    this._marks = key;
    this.lineEls.forEach((el, i) => {
      const n = yields.get(i + 1);
      el.classList.toggle("yield-site", n !== undefined);
      el.title = n !== undefined ? `yield point: tasks suspended here ${n} time${n === 1 ? "" : "s"}` : "";
      el.classList.toggle("blocked", blocked.has(i + 1));
    });
  }

  /**
   * One notice per step that blocked the loop (and one per task that never yielded).
   * @param {TimelineModel} model
   */
  _showNotices(model) {
    const aio = model.aio;
    /** @type {{text: string, line: number | null}[]} */
    const items = [];
    for (const r of aio.ongoing.values()) {
      const name = aio.tasks.get(r.task)?.name ?? `task ${r.task}`;
      items.push({ text: `${name} is blocking the loop at ${basename(r.file)}:${r.line}: ${r.source}`, line: r.line });
    }
    for (const r of aio.blocked) {
      const name = aio.tasks.get(r.task)?.name ?? `task ${r.task}`;
      const where = r.line !== null ? ` at ${basename(r.file)}:${r.line}: ${r.source}` : "";
      items.push({ text: `${name} blocked the loop for ${formatDuration(r.dur)}${where}`, line: r.line });
    }
    for (const task of aio.taskList) {
      if (!aio.neverYielded(task)) continue;
      const line = task.steps[0].blocked?.line ?? task.steps[0].line;
      items.push({ text: `${task.name} never yielded: it ran to its end in one step`, line });
    }
    const key = JSON.stringify(items);
    if (key === this._notices) return;
    this._notices = key;
    this.notices.replaceChildren(...items.slice(0, 20).map((it) => {
      const li = document.createElement("li");
      li.textContent = `⚠ ${it.text}`;
      if (it.line !== null) {
        li.dataset.line = String(it.line);
        li.title = "click: show the line";
      }
      return li;
    }));
    this.notices.hidden = items.length === 0;
  }

  /** @param {TimelineModel} model */
  _attributes(model) {
    const s = summarizeAio(model.aio);
    const attrs = {
      aioTasks: String(s.tasks),
      aioSteps: String(s.steps),
      aioBlocked: String(s.blocked),
      aioYieldSites: JSON.stringify(s.yieldSites),
    };
    for (const [k, v] of Object.entries(attrs)) {
      if (this.timeline.dataset[k] !== v) this.timeline.dataset[k] = v;
    }
  }
}

/**
 * The line of a workload's `async def`, found through the module's own WORKLOADS table
 * ("sleep": sleepers, …); null when it is not there.
 * @param {string[]} lines
 * @param {string | null} workload
 * @returns {number | null}
 */
export function workloadLine(lines, workload) {
  if (!workload) return null;
  const start = lines.findIndex((l) => /^WORKLOADS\b/.test(l));
  if (start < 0) return null;
  const table = lines.slice(start).join(" ");
  const m = new RegExp(`["']${workload}["']\\s*:\\s*(\\w+)`).exec(table);
  if (!m) return null;
  const at = lines.findIndex((l) => new RegExp(`^\\s*(async\\s+)?def\\s+${m[1]}\\s*\\(`).test(l));
  return at >= 0 ? at + 1 : null;
}
