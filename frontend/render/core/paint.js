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
  clipTo(ctx, x, y, w, h);
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

/**
 * Save the context and clip drawing to a rectangle (restore the context to end it).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 */
export function clipTo(ctx, x, y, w, h) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
}

/**
 * Trace a step graph of one value per pixel column (NaN: no value) as a closed area down to
 * `base`, ready to fill and stroke; false when no column has a value (nothing was traced).
 * @param {CanvasRenderingContext2D} ctx
 * @param {ArrayLike<number>} cols
 * @param {number} x0 canvas x of column 0
 * @param {number} base canvas y of the value 0
 * @param {(v: number) => number} yOf canvas y of a value
 */
export function stepArea(ctx, cols, x0, base, yOf) {
  ctx.beginPath();
  let open = false;
  let lastX = 0;
  for (let c = 0; c < cols.length; c++) {
    const v = cols[c];
    if (Number.isNaN(v)) continue;
    const y = yOf(v);
    if (!open) {
      ctx.moveTo(x0 + c, base);
      open = true;
    }
    ctx.lineTo(x0 + c, y);
    ctx.lineTo(x0 + c + 1, y);
    lastX = x0 + c + 1;
  }
  if (open) {
    ctx.lineTo(lastX, base);
    ctx.closePath();
  }
  return open;
}
