// @ts-check
/**
 * Draws the time axis along the top and its grid lines down through lanes and queue track.
 */
import { computeTicks, formatTick } from "./ticks.js";
import { THEME, font } from "./theme.js";

/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */

/**
 * Grid lines under everything else.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 */
export function drawGrid(ctx, vp, layout) {
  const { values } = computeTicks(vp.t0, vp.t1, vp.width);
  ctx.fillStyle = THEME.grid;
  for (const t of values) {
    const x = Math.round(layout.plotX + vp.toX(t));
    ctx.fillRect(x, layout.markerY, 1, layout.height - layout.markerY);
  }
}

/**
 * Tick labels along the top, and the mode (live or paused) in the label column.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 */
export function drawAxis(ctx, vp, layout) {
  const { step, values } = computeTicks(vp.t0, vp.t1, vp.width);
  ctx.fillStyle = THEME.background;
  ctx.fillRect(0, layout.axisY, layout.width, layout.axisH);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(layout.plotX, layout.axisY + layout.axisH - 1, layout.plotW, 1);
  ctx.font = font(14);
  ctx.textBaseline = "middle";
  ctx.fillStyle = THEME.text;
  for (const t of values) {
    const x = layout.plotX + vp.toX(t);
    ctx.fillRect(Math.round(x), layout.axisY + layout.axisH - 7, 1, 6);
    const label = formatTick(t, step);
    // Keep the outermost labels inside the plot instead of cutting them in half.
    const w = ctx.measureText(label).width;
    const left = Math.min(Math.max(x - w / 2, layout.plotX), layout.plotX + layout.plotW - w);
    ctx.textAlign = "left";
    ctx.fillText(label, left, layout.axisY + layout.axisH / 2 - 2);
  }
  ctx.textAlign = "left";
  ctx.font = font(14, "bold");
  ctx.fillStyle = vp.follow ? "#0a7a3d" : THEME.mutedText;
  ctx.fillText(vp.follow ? "● LIVE" : "❚❚ paused view", 10, layout.axisY + layout.axisH / 2);
}
