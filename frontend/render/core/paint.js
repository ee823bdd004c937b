// @ts-check
/**
 * Small canvas primitives shared by the timeline's layers: hatching, text that fits a width,
 * and labels on a background box.
 */
import { font } from "./theme.js";

/** @typedef {CanvasRenderingContext2D} Ctx */

/**
 * Diagonal hatching inside a rectangle (a second cue besides colour).
 * @param {Ctx} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {string} color
 * @param {number} [spacing]
 */
export function hatch(ctx, x, y, w, h, color, spacing = 7) {
  if (w <= 0 || h <= 0) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  // Lines at 45°: start each one left of the box so the box is covered edge to edge.
  const start = Math.floor((x - h) / spacing) * spacing;
  for (let sx = start; sx < x + w; sx += spacing) {
    ctx.moveTo(sx, y + h);
    ctx.lineTo(sx + h, y);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * `text` cut with an ellipsis so it fits `maxWidth` in the current font.
 * @param {Ctx} ctx
 * @param {string} text
 * @param {number} maxWidth
 */
export function fitText(ctx, text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : "";
}

/**
 * Text in a filled, outlined box with its top-left corner at (x, y).
 * @param {Ctx} ctx
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {{px: number, bold?: boolean, fg: string, bg: string, border: string, padX?: number, h: number}} style
 */
export function boxedText(ctx, text, x, y, style) {
  const padX = style.padX ?? 6;
  ctx.font = font(style.px, style.bold ? "bold" : "normal");
  const w = ctx.measureText(text).width + 2 * padX;
  ctx.fillStyle = style.bg;
  ctx.fillRect(x, y, w, style.h);
  ctx.strokeStyle = style.border;
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, style.h - 1);
  ctx.fillStyle = style.fg;
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.fillText(text, x + padX, y + style.h / 2 + 1);
  return w;
}
