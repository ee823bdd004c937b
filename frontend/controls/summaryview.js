// @ts-check
/**
 * Keeps the summary line, its data attributes, the legend and the panels that follow the run
 * up to date: at once when events arrived or the run's status changed, else at most 10×/s (only
 * the elapsed time moves between batches).
 */
import { summarizeGil } from "../model/gil/holders.js";
import { summarizeThreadStates } from "../model/gil/threadstates.js";
import { deriveRunState } from "../model/core/live.js";
import { computeStats } from "../model/core/stats.js";
import { aioSummaryHtml } from "./aiosummary.js";
import { updateLegend } from "./legend.js";
import { processCounts, updateSummary } from "./summary.js";

/** @typedef {import("../model/core/store.js").EventStore} EventStore */
/** @typedef {import("../protocol.js").RunStatus} RunStatus */

/** How often the summary refreshes while nothing but the clock changes. */
const IDLE_REFRESH_MS = 100;

/** The summary line and legend of one page. */
export class SummaryView {
  /**
   * @param {{summary: HTMLElement, timeline: HTMLElement, legend: HTMLElement}} els
   * @param {EventStore} store
   * @param {{update: (model: import("../model/core/timeline.js").TimelineModel) => unknown}[]} panels
   *   panels that follow the run at the same pace (the asyncio source panel), updated first
   */
  constructor(els, store, panels) {
    this.els = els;
    this.store = store;
    this.panels = panels;
    this._at = 0;
    this._storeVersion = -1;
    this._statusVersion = -1;
  }

  /**
   * Refresh if something changed or the idle interval passed.
   * @param {RunStatus | null} status  what the server last said about the current run
   * @param {number} statusVersion     grows when that status changes
   * @param {number} nowT
   * @param {boolean} force
   */
  refresh(status, statusVersion, nowT, force) {
    const t = performance.now();
    const store = this.store;
    const changed = store.version !== this._storeVersion || statusVersion !== this._statusVersion;
    if (!force && !changed && t - this._at < IDLE_REFRESH_MS) return;
    this._at = t;
    this._storeVersion = store.version;
    this._statusVersion = statusVersion;
    const model = store.model;
    for (const panel of this.panels) panel.update(model);
    updateLegend(this.els.legend, model, nowT);
    const { state, runId } = deriveRunState(model, status);
    const gil = summarizeGil(model.gil, model.endedT ?? nowT);
    const threads = summarizeThreadStates(
      model.threads,
      (w) => model.lanes.byWorker.get(w)?.exitedT ?? model.endedT ?? nowT,
    );
    const stats = computeStats(model, nowT);
    updateSummary(this.els.summary, this.els.timeline, {
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
}
