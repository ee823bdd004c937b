// @ts-check
/**
 * The run's own banners: its error and warning events (one banner per level, the newest with a
 * count of the others), an interpreter without a GIL lane (v3), a pool that deadlocked (v6), and
 * a viewer that fell behind.
 * Banners of a run are keyed "run:…", so the next run clears them all.
 */

import { chainText } from "../model/pools/futures.js";

/** @typedef {import("./notices.js").Notices} Notices */
/** @typedef {import("../model/core/timeline.js").TimelineModel} TimelineModel */

/** Turns what a run's events say into banners, once per change. */
export class RunBanners {
  /** @param {Notices} notices */
  constructor(notices) {
    this.notices = notices;
    /** Notices of the run already turned into banners. */
    this._shown = 0;
  }

  /** A new run: its banners start from nothing. */
  reset() {
    this.notices.clearPrefix("run:");
    this._shown = 0;
  }

  /**
   * Show the banners the model's events call for.
   * @param {TimelineModel} model
   */
  update(model) {
    this._runNotices(model);
    this._gilNotices(model);
    this.deadlocks(model);
  }

  /**
   * Say that this viewer missed events (the recording is not affected).
   * @param {number} dropped events missed so far
   */
  dropped(dropped) {
    this.notices.banner(
      "run:dropped",
      "warning",
      `This viewer fell behind: ${dropped} events were not received, so the timeline ` +
        "is incomplete (the recording is not affected).",
    );
  }

  /** @param {TimelineModel} model */
  _runNotices(model) {
    const list = model.notices;
    if (list.length === this._shown) return;
    this._shown = list.length;
    for (const level of /** @type {const} */ (["error", "warning"])) {
      const of = list.filter((n) => n.level === level);
      if (of.length === 0) continue;
      const last = of[of.length - 1];
      const more = of.length > 1 ? ` (and ${of.length - 1} more)` : "";
      this.notices.banner(`run:${level}`, level, `${level === "error" ? "Error" : "Warning"}: ${last.message}${more}`);
    }
  }

  /**
   * v6: a deadlock in a banner as well as on the timeline, with its wait-for chain, as soon as
   * its event arrives; in replay (called each frame) shown from the cursor that reaches it and
   * gone again when the cursor steps back before it.
   * @param {TimelineModel} model
   */
  deadlocks(model) {
    const list = model.futures.deadlocks;
    if (list.length === 0) {
      this.notices.clear("run:deadlock");
      return;
    }
    const d = list[list.length - 1];
    const more = list.length > 1 ? ` (and ${list.length - 1} more)` : "";
    this.notices.banner("run:deadlock", "warning",
      `Deadlock in pool ${d.pool}: ${chainText(d)}. ${d.message}${more}`);
  }

  /**
   * v3: say so, in a banner as well as in the notice row on the timeline, when an interpreter
   * has no GIL lane, and why (a sampler that is merely not real-time is noted on its row).
   * @param {TimelineModel} model
   */
  _gilNotices(model) {
    const off = model.gil.unavailable();
    if (off.length > 0) {
      const reasons = [...new Set(off.map((s) => s.reason ?? "no reason given"))].join("; ");
      const pids = off.map((s) => s.pid).join(", ");
      this.notices.banner("run:gil", "warning", `No GIL lane for pid ${pids}: ${reasons}.`);
    }
  }
}
