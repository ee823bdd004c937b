// @ts-check
/**
 * The time axis: a 1-2-5 tick step giving roughly one label per `pxPerTick` pixels, labels whose
 * unit and decimals follow the step (so neighbours never print the same text), and the drawing
 * of the axis along the top with its grid lines down through lanes and queue track.
 */
import { THEME, font } from "./theme.js";

// Seconds once a step reaches 100 ms ("0.1 s", "1.5 s"), milliseconds below ("250 ms",
// "1230.05 ms"): one unit per axis keeps neighbouring labels comparable.
const SECOND = { ns: 1e9, suffix: "s" };
const MILLI = { ns: 1e6, suffix: "ms" };

/**
 * The 1-2-5 step nearest above span / count.
 * @param {number} span ns
 * @param {number} count wanted number of ticks
 */
export function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Tick times in [t0, t1] for a plot `width` pixels wide.
 * @param {number} t0
 * @param {number} t1
 * @param {number} width
 * @param {number} [pxPerTick]
 * @returns {{step: number, values: number[]}}
 */
export function computeTicks(t0, t1, width, pxPerTick = 110) {
  const span = t1 - t0;
  if (!(span > 0) || !(width > 0)) return { step: 1, values: [] };
  const step = niceStep(span, width / pxPerTick);
  const values = [];
  // Integer multiples of the step avoid float drift piling up along the axis.
  for (let i = Math.ceil(t0 / step); i * step <= t1; i++) values.push(i * step);
  return { step, values };
}

/**
 * Label of tick t, with just enough decimals to tell it from its neighbours.
 * @param {number} t
 * @param {number} step
 */
export function formatTick(t, step) {
  const unit = step >= SECOND.ns / 10 ? SECOND : MILLI;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / unit.ns) - 1e-9));
  if (t === 0) return `0 ${unit.suffix}`;
  const value = t / unit.ns;
  const text = value.toFixed(Math.min(decimals, 6));
  return `${text === "-0" ? "0" : text} ${unit.suffix}`;
}


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
 * What the view shows, as the label column says it: a replay at its cursor, a run that has
 * ended, the live edge of a running run, or a view the user moved away from it.
 * @param {Viewport} vp
 * @param {{replay: boolean, ended: boolean}} state
 * @returns {{text: string, color: string}}
 */
export function viewMode(vp, { replay, ended }) {
  if (replay) return { text: "◆ REPLAY", color: THEME.cursor };
  if (!vp.follow) return { text: "❚❚ paused view", color: THEME.mutedText };
  if (ended) return { text: "■ run ended", color: THEME.text };
  return { text: "● LIVE", color: "#0a7a3d" };
}

/**
 * Tick labels along the top, and the view's mode in the label column.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {{replay: boolean, ended: boolean}} state
 */
export function drawAxis(ctx, vp, layout, state) {
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
  const mode = viewMode(vp, state);
  ctx.fillStyle = mode.color;
  ctx.fillText(mode.text, 10, layout.axisY + layout.axisH / 2);
}

/** The time axis's height. */
export const AXIS_H = 30;

/**
 * The time axis along the top, and the grid under every track (drawn after every other
 * background, before any track's content).
 * @type {import("./track.js").Track}
 */
export const axisTrack = {
  id: "axis",
  layer: 2,
  getHeight: () => AXIS_H,
  layoutFields: (box) => ({ axisY: box.y, axisH: box.h }),
  renderBackground: (ctx, { vp, layout }) => drawGrid(ctx, vp, layout),
  render: (ctx, { vp, layout, model, replay }) =>
    drawAxis(ctx, vp, layout, { replay, ended: model.ended }),
};
