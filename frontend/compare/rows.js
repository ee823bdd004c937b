// @ts-check
/**
 * The comparison's timelines, stacked: one real TimelineView per run (its own store and model,
 * as a replay at its end), all on one time axis.
 *
 * Rules it keeps:
 * - Every row shows the same span of run time (ns since its run started), so a bar at the same
 *   x is at the same moment of each run; zooming or panning one row moves them all.
 * - A row's model is built from the run's recorded events only; nothing is drawn that the
 *   events do not say.
 */
import { EventStore } from "../model/core/store.js";
import { TimelineView } from "../controls/timelineview.js";

/** @typedef {import("./api.js").SummaryRow} SummaryRow */
/** @typedef {import("../transport/embedded.js").EmbeddedRun} EmbeddedRun */

/** Room after the slowest run's end, so its last bar does not touch the edge. */
const END_MARGIN = 1.03;

/** The four (or three) timelines of one comparison. */
export class ComparisonRows {
  /** @param {HTMLElement} box  where the rows go */
  constructor(box) {
    this.box = box;
    /** @type {TimelineView[]} */
    this.views = [];
    /** @type {HTMLElement[]} each view's row, which says its span (data-view, for tests) */
    this.sections = [];
    this._syncing = false;
  }

  /**
   * Show these runs, each with its summary row, on one axis from 0 to the latest end.
   * @param {EmbeddedRun[]} runs
   * @param {SummaryRow[]} rows  in the runs' order
   */
  show(runs, rows) {
    this.box.replaceChildren();
    this.views = [];
    this.sections = [];
    const end = Math.max(...rows.map((r) => r.end_t)) * END_MARGIN;
    runs.forEach((run, i) => {
      const row = rows[i];
      const section = document.createElement("section");
      section.className = "compare-row";
      section.dataset.executor = row.executor;
      const title = document.createElement("h3");
      title.className = "compare-row-title";
      title.textContent = `${row.executor}: wall ${ms(row.wall_ns)}, CPU ${ms(row.cpu_ns)}, ` +
        `speedup ${row.speedup === null ? "–" : `${row.speedup.toFixed(2)}×`}`;
      const holder = document.createElement("div");
      holder.className = "timeline compare-timeline";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-label", `timeline of the ${row.executor} run`);
      const tip = document.createElement("div");
      tip.className = "tooltip";
      tip.hidden = true;
      holder.append(canvas, tip);
      section.append(title, holder);
      this.box.append(section);
      this.sections.push(section);

      const store = new EventStore();
      store.append(run.recording.id, run.events);
      const lastT = run.events.reduce((m, e) => Math.max(m, e.t), 0);
      const clock = { now: () => lastT, ticking: false };
      const view = new TimelineView(holder, canvas, tip, store, clock, {
        onViewChange: () => this._follow(view),
        onFrame: () => {},
      });
      view.replay = false;
      this.views.push(view);
    });
    for (const view of this.views) {
      view.viewport.show(0, end);
      view.invalidate();
    }
    this._mark();
    this.box.dataset.rows = String(this.views.length);
    this.box.dataset.endNs = String(Math.round(end));
  }

  /**
   * One row's view moved: put the others on its span.
   * @param {TimelineView} source
   */
  _follow(source) {
    if (this._syncing) return;
    this._syncing = true;
    for (const view of this.views) {
      if (view === source) continue;
      view.viewport.show(source.viewport.t0, source.viewport.t1);
      view.invalidate();
    }
    this._syncing = false;
    this._mark();
  }

  /** Write each row's span on it (data-view="t0:t1", ns). */
  _mark() {
    this.views.forEach((view, i) => {
      this.sections[i].dataset.view = `${Math.round(view.viewport.t0)}:${Math.round(view.viewport.t1)}`;
    });
  }
}

/**
 * Nanoseconds as milliseconds for the table and titles.
 * @param {number} ns
 */
export function ms(ns) {
  return `${Math.round(ns / 1e6)} ms`;
}
