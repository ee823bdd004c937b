// @ts-check
/**
 * The whole timeline in one pure, synchronous call: render(ctx, model, viewport, frame) draws
 * axis, grid, lanes, queue track and markers from the model and viewport alone. Loading data
 * happens elsewhere; this only draws.
 */
import { drawAio, drawAioBackground } from "../aio/section.js";
import { aioHover } from "../aio/pick.js";
import { drawAxis, drawGrid } from "./axis.js";
import { drawExitCaps } from "../pools/faults.js";
import { drawGilLanes, visibleWorkerShares } from "../gil/lane.js";
import { drawLabLane } from "../pools/lablane.js";
import { drawLaneBackgrounds, drawLaneBars } from "../pools/lanes.js";
import { LABEL_PX, drawMarkers, placeMarkers } from "./markers.js";
import { drawQueueTrack } from "../pools/queue.js";
import { drawStateStrips } from "../gil/statestrip.js";
import { THEME, font } from "./theme.js";

/** @typedef {import("../../model/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./pick.js").Hit} Hit */
/**
 * @typedef {object} Frame
 * @property {Layout} layout
 * @property {number} nowT     the run's current time (ns)
 * @property {number} dpr      device pixels per CSS pixel
 * @property {Hit | null} hover
 */

/**
 * A text-width function at the marker label font, for layout code that must not draw.
 * @param {CanvasRenderingContext2D} ctx
 */
export function markerMeasure(ctx) {
  return (/** @type {string} */ text) => {
    ctx.font = font(LABEL_PX, "bold");
    return ctx.measureText(text).width;
  };
}

/**
 * Draw the timeline. The canvas must already be layout.width × layout.height CSS pixels at dpr.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} viewport
 * @param {Frame} frame
 */
export function render(ctx, model, viewport, frame) {
  const { layout, nowT, dpr, hover } = frame;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = THEME.background;
  ctx.fillRect(0, 0, layout.width, layout.height);
  // v3: with a GIL lane, worker labels carry their GIL colour and share of the visible range.
  const gilShares = model.gil.laneTracks().length > 0 ? visibleWorkerShares(model, viewport, nowT) : null;
  drawLaneBackgrounds(ctx, model, viewport, layout, nowT, gilShares);
  drawAioBackground(ctx, model, viewport, layout, nowT);
  drawGrid(ctx, viewport, layout);
  drawLaneBars(ctx, model, viewport, layout, nowT, hover?.type === "task" ? hover.task.id : null);
  drawStateStrips(ctx, model, viewport, layout, nowT, hover?.type === "thread-state"
    ? { worker: hover.lane.worker, from: hover.span.from, to: hover.span.to } : null);
  drawGilLanes(ctx, model, viewport, layout, nowT, hover?.type === "gil" ? hover : null);
  drawExitCaps(ctx, model.lanes.list, viewport, layout);
  drawLabLane(ctx, model, viewport, layout, nowT, hover?.type === "pickle" ? hover.span : null);
  drawQueueTrack(ctx, model, viewport, layout, nowT);
  drawAio(ctx, model, viewport, layout, nowT, aioHover(hover));
  drawAxis(ctx, viewport, layout);
  const placed = placeMarkers(model, viewport, layout, markerMeasure(ctx));
  drawMarkers(ctx, placed, layout, hover?.type === "marker" ? hover.placed : null);
  if (model.lanes.list.length === 0 && layout.aioH === 0) {
    ctx.font = font(16);
    ctx.fillStyle = THEME.mutedText;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(
      model.runId ? "waiting for the first worker…" : "no run yet: pick a scenario and press Run",
      layout.plotX + 16,
      layout.lanesY + layout.laneH / 2,
    );
  }
}
