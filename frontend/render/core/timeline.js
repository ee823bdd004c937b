// @ts-check
/**
 * The whole timeline in one pure, synchronous call: render(ctx, model, viewport, frame) asks every
 * track to draw itself from the model and viewport alone, backgrounds first, then content, each
 * pass in drawing order (render/tracks.js). Loading data happens elsewhere; this only draws.
 */
import { drawOrder } from "../tracks.js";
import { markerMeasure } from "./markers.js";
import { THEME } from "./theme.js";

export { markerMeasure } from "./markers.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./pick.js").Hit} Hit */
/**
 * @typedef {object} Frame
 * @property {Layout} layout
 * @property {number} nowT     the run's current time (ns); in replay, the cursor
 * @property {boolean} [replay] a recording at a cursor (the cursor line is drawn)
 * @property {number} dpr      device pixels per CSS pixel
 * @property {Hit | null} hover
 */

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
  const measure = markerMeasure(ctx);
  /** @type {import("./track.js").Scene} */
  const scene = {
    model, vp: viewport, layout, nowT, replay: Boolean(frame.replay), hover, measure, capMeasure: measure,
  };
  const order = drawOrder();
  for (const track of order) {
    const box = layout.boxes[track.id];
    if (box && track.renderBackground) track.renderBackground(ctx, scene, box);
  }
  for (const track of order) {
    const box = layout.boxes[track.id];
    if (box && track.render) track.render(ctx, scene, box);
  }
}
