// @ts-check
/**
 * Draws an asyncio run's section (v4): the event loop's lane (loop.js), a row per task
 * (rows.js), the small tracks (tracks.js) and the links from offloading tasks to their
 * pool tasks on the worker lanes. Backgrounds and labels go under the grid, the rest over it.
 */
import { taskLabel } from "../../model/aio/loop.js";
import { aioEndT, drawLoopLane, loopShares } from "./loop.js";
import { aioGeometry } from "./layout.js";
import { AIO_COLORS, font, taskColor, THEME } from "../core/theme.js";
import { drawOffloadLinks, drawTaskRow } from "./rows.js";
import { drawAioTracks } from "./tracks.js";
import { describeAio } from "./describe.js";
import { isAsyncioRun } from "../../model/core/selectors.js";
import { aioHover, isAioHit, pickAio } from "./pick.js";
import { clipTo, fitText } from "../core/paint.js";

export { aioEndT, blockedText, loopShares } from "./loop.js";
export { waitText, yieldTickPoint } from "./rows.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").AioStep} AioStep */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/**
 * @typedef {object} AioHover   what to emphasise: a step, a yield tick or a wait
 * @property {"step" | "yield" | "wait"} what
 * @property {AioStep} step
 */

/**
 * The section's backgrounds and label column, drawn under the grid.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 */
export function drawAioBackground(ctx, model, vp, layout, nowT) {
  const g = aioGeometry(model, layout.aioY);
  if (g.h === 0) return;
  const endT = aioEndT(model, nowT);
  ctx.fillStyle = AIO_COLORS.loopLane;
  ctx.fillRect(0, g.loopY, layout.width, g.loopH);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, g.loopY + g.loopH - 1, layout.width, 1);
  const sh = loopShares(model.aio, Math.max(0, vp.t0), Math.min(vp.t1, endT));
  const pct = (/** @type {number} */ ns) => `${sh.span > 0 ? Math.round((100 * ns) / sh.span) : 0} %`;
  labelLines(ctx, layout, g.loopY, g.loopH, "event loop", `busy ${pct(sh.busy)} · idle ${pct(sh.idle)}`, null);
  for (let r = 0; r < g.tasks.length; r++) {
    const y = g.rowsY + r * g.rowH;
    ctx.fillStyle = r % 2 ? THEME.laneOdd : THEME.laneEven;
    ctx.fillRect(0, y, layout.width, g.rowH);
    const task = g.tasks[r];
    const ended = task.done !== null && task.done.t <= endT;
    const label = taskLabel(task);
    ctx.fillStyle = taskColor(task.id);
    ctx.fillRect(6, y + 3, 8, g.rowH - 6);
    ctx.font = font(g.rowH >= 22 ? 14 : 13, "bold");
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillStyle = ended ? THEME.mutedText : THEME.text;
    ctx.fillText(fitText(ctx, label, layout.gutter - 28), 20, y + g.rowH / 2 + 1);
  }
  if (g.hidden > 0) {
    const y = g.rowsY + g.tasks.length * g.rowH;
    ctx.fillStyle = THEME.laneEven;
    ctx.fillRect(0, y, layout.width, g.rowH);
    ctx.font = font(14);
    ctx.fillStyle = THEME.mutedText;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(`+ ${g.hidden} more tasks (their steps are on the loop lane)`, 20, y + g.rowH / 2 + 1);
  }
  const rowsEnd = g.rowsY + (g.tasks.length + (g.hidden > 0 ? 1 : 0)) * g.rowH;
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, rowsEnd, layout.width, 1);
}

/**
 * Two label lines in the gutter (bold, then muted), or one when the row is short.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Layout} layout
 * @param {number} y
 * @param {number} h
 * @param {string} first
 * @param {string} second
 * @param {string | null} swatch
 */
function labelLines(ctx, layout, y, h, first, second, swatch) {
  const x = swatch ? 20 : 10;
  if (swatch) {
    ctx.fillStyle = swatch;
    ctx.fillRect(6, y + 4, 8, h - 8);
  }
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(15, "bold");
  ctx.fillStyle = THEME.text;
  ctx.fillText(fitText(ctx, first, layout.gutter - x - 6), x, y + h * 0.32);
  ctx.font = font(13);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(fitText(ctx, second, layout.gutter - x - 6), x, y + h * 0.7);
}

/**
 * The section's content, over the grid and the worker lanes.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {AioHover | null} hover
 */
export function drawAio(ctx, model, vp, layout, nowT, hover) {
  const g = aioGeometry(model, layout.aioY);
  if (g.h === 0) return;
  const endT = aioEndT(model, nowT);
  clipTo(ctx, layout.plotX, g.y, layout.plotW, g.h);
  drawLoopLane(ctx, model, vp, layout, g, endT, hover);
  if (model.aio.steps.length === 0) {
    ctx.font = font(16);
    ctx.fillStyle = THEME.mutedText;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(model.ended ? "no task ran on the loop" : "waiting for the event loop's first step…", layout.plotX + 16, g.loopY + g.loopH / 2);
  }
  for (let r = 0; r < g.tasks.length; r++) {
    drawTaskRow(ctx, model, g.tasks[r], g.rowsY + r * g.rowH, g.rowH, vp, layout, endT, hover);
  }
  ctx.restore();
  drawAioTracks(ctx, model, g.tracks, vp, layout, endT);
  drawOffloadLinks(ctx, model, g, vp, layout, nowT);
}

/**
 * An asyncio run's section (v4): the loop lane, a row per task and the small tracks. It draws
 * after the other tracks: its links to offloaded pool tasks cross the worker lanes.
 * @type {import("../core/track.js").Track}
 */
export const aioTrack = {
  id: "aio",
  layer: 1,
  layoutOptions: (model) => ({ aio: aioGeometry(model, 0).h }),
  getHeight: (options) => Math.max(0, options.aio ?? 0),
  layoutFields: (box) => ({ aioY: box.y, aioH: box.h }),
  renderBackground: (ctx, { model, vp, layout, nowT }) => drawAioBackground(ctx, model, vp, layout, nowT),
  render: (ctx, { model, vp, layout, nowT, hover }) => drawAio(ctx, model, vp, layout, nowT, aioHover(hover)),
  onMouseMove: ({ model, vp, layout, nowT }, _box, x, y) =>
    layout.aioH > 0 && y >= layout.aioY && y < layout.aioY + layout.aioH ? pickAio(model, vp, layout, x, y, nowT) : null,
  legend: (model) => ({ aio: isAsyncioRun(model) }),
  describe: (model, hit, nowT) => (isAioHit(hit) ? describeAio(model, hit, nowT) : null),
};
