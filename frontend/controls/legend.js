// @ts-check
/**
 * The legend under the timeline shows the entries of the views the run has: each track says
 * which of its entries apply (render/tracks.js), and this only toggles them on #legend.
 */
import { tracks } from "../render/tracks.js";

/**
 * Show the legend entries the tracks ask for. An entry given as text is shown with that text as
 * the title of its element #legend-<entry> (e.g. why thread states are unavailable).
 * @param {HTMLElement} legend #legend
 * @param {import("../model/core/timeline.js").TimelineModel} model
 * @param {number} nowT
 */
export function updateLegend(legend, model, nowT) {
  for (const track of tracks()) {
    if (!track.legend) continue;
    for (const [entry, value] of Object.entries(track.legend(model, nowT))) {
      legend.classList.toggle(entry, value !== false);
      const el = legend.querySelector(`#legend-${entry}`);
      const title = typeof value === "string" ? value : "";
      if (el instanceof HTMLElement && el.title !== title) el.title = title;
    }
  }
}
