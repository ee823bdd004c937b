// @ts-check
/**
 * Draws the GIL rows above the worker lanes (v3): one per sampled interpreter, a band coloured
 * by the holding thread (the worker's own colour, matching the swatch on its lane label), white
 * where nobody holds it, hatched grey where a hand-off happened but the sampler cannot say
 * exactly when (hatched red when the sampler was late). When a sampler could not run, a
 * lane-shaped notice row says why instead.
 */
import { gilEndT, gilLaneTracks, processLabel } from "../../model/gil/shares.js";
import { describeGil, describeGilOff } from "./describe.js";
import { gilColumns, WEAVE_PX } from "./lod.js";
import { font, GIL_COLORS, holderColor, THEME } from "../core/theme.js";
import { clipTo, fitText, hatch } from "../core/paint.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/gil/holders.js").GilTrack} GilTrack */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */
/** @typedef {import("./lod.js").GilKind} GilKind */

/**
 * Draw the GIL rows and, if some sampler could not run, the notice row after them.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} nowT
 * @param {{pid: number, t: number} | null} hover
 */
export function drawGilLanes(ctx, model, vp, layout, nowT, hover) {
  if (layout.gilCount <= 0) return;
  const tracks = gilLaneTracks(model);
  const endT = gilEndT(model, nowT);
  for (let i = 0; i < tracks.length && i < layout.gilCount; i++) {
    const y = layout.gilY + i * layout.gilH;
    drawRow(ctx, model, tracks[i], vp, layout, y, endT, hover?.pid === tracks[i].pid ? hover.t : null);
  }
  const off = model.gil.unavailable();
  if (off.length > 0 && tracks.length < layout.gilCount) {
    drawNotice(ctx, off, layout, layout.gilY + tracks.length * layout.gilH);
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {GilTrack} track
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} y
 * @param {number} endT
 * @param {number | null} hoverT
 */
function drawRow(ctx, model, track, vp, layout, y, endT, hoverT) {
  const { plotX, plotW, gilH } = layout;
  ctx.fillStyle = GIL_COLORS.lane;
  ctx.fillRect(0, y, layout.width, gilH);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, y + gilH - 1, layout.width, 1);

  // Label: which interpreter, how often it is sampled, how many switches in view.
  const stats = track.statsBetween(vp.t0, Math.min(vp.t1, endT), endT);
  const maxW = layout.gutter - 16;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(15, "bold");
  ctx.fillStyle = THEME.text;
  ctx.fillText(fitText(ctx, `GIL · ${processLabel(model, track)}`, maxW), 10, y + gilH * 0.3);
  ctx.font = font(13);
  ctx.fillStyle = track.sampler && !track.sampler.realtime ? "#8a5a00" : THEME.mutedText;
  const realtime = track.sampler && !track.sampler.realtime ? " · ⚠ not real-time" : "";
  ctx.fillText(fitText(ctx, `${stats.switches} switches in view${realtime}`, maxW), 10, y + gilH * 0.72);

  const band = { y: y + 5, h: gilH - 11 };
  clipTo(ctx, plotX, y, plotW, gilH);
  const { runs, mixed } = gilColumns(track, vp, endT);
  for (const r of runs) fillKind(ctx, plotX + r.x0, band.y, r.x1 - r.x0, band.h, r.kind, r.key);
  // Mixed columns: one path per colour (a zoomed-out lane has a few slices in every column, and
  // a fill per slice costs more than the slices themselves).
  /** @type {Map<string, number[]>} colour -> [x, y, h, ...] */
  const slices = new Map();
  for (const m of mixed) {
    // Slices in proportion to time; the order flips every WEAVE_PX columns (the weave).
    const parts = Math.floor(m.x / WEAVE_PX) % 2 ? [...m.parts].reverse() : m.parts;
    let top = band.y;
    for (const p of parts) {
      const h = p.frac * band.h;
      const colour = p.kind === "held" ? holderColor(p.key) : p.kind === "free" ? GIL_COLORS.free : GIL_COLORS.unknown;
      let list = slices.get(colour);
      if (!list) slices.set(colour, (list = []));
      list.push(plotX + m.x, top, h);
      top += h;
    }
  }
  for (const [colour, list] of slices) {
    ctx.beginPath();
    for (let i = 0; i < list.length; i += 3) ctx.rect(list[i], list[i + 1], 1, list[i + 2]);
    ctx.fillStyle = colour;
    ctx.fill();
  }
  // Free time is white: a thin frame keeps the band's extent visible on it.
  ctx.strokeStyle = GIL_COLORS.freeEdge;
  ctx.lineWidth = 1;
  ctx.strokeRect(plotX + 0.5, band.y - 0.5, plotW - 1, band.h + 1);
  if (hoverT !== null) {
    const x = Math.round(plotX + vp.toX(hoverT)) + 0.5;
    ctx.strokeStyle = THEME.highlight;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, y + 1);
    ctx.lineTo(x, y + gilH - 2);
    ctx.stroke();
  }
  ctx.restore();
}

/**
 * One run of columns in a single state.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {GilKind} kind
 * @param {string | null} key
 */
function fillKind(ctx, x, y, w, h, kind, key) {
  if (kind === "held") {
    ctx.fillStyle = holderColor(key);
    ctx.fillRect(x, y, w, h);
  } else if (kind === "free") {
    ctx.fillStyle = GIL_COLORS.free;
    ctx.fillRect(x, y, w, h);
  } else {
    ctx.fillStyle = GIL_COLORS.unknown;
    ctx.fillRect(x, y, w, h);
    hatch(ctx, x, y, w, h, kind === "gap" ? GIL_COLORS.gapHatch : GIL_COLORS.unknownHatch, 5);
  }
}

/**
 * The row that stands in for GIL lanes that could not be drawn, with the reason.
 * @param {CanvasRenderingContext2D} ctx
 * @param {import("../../model/gil/holders.js").GilSamplerInfo[]} off
 * @param {Layout} layout
 * @param {number} y
 */
function drawNotice(ctx, off, layout, y) {
  const { plotX, plotW, gilH } = layout;
  ctx.fillStyle = "#fff5d6";
  ctx.fillRect(0, y, layout.width, gilH);
  hatch(ctx, plotX, y + 4, plotW, gilH - 8, "#ead9a6", 10);
  ctx.fillStyle = THEME.separator;
  ctx.fillRect(0, y + gilH - 1, layout.width, 1);
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = font(15, "bold");
  ctx.fillStyle = "#4d3700";
  ctx.fillText(fitText(ctx, "GIL · no lane", layout.gutter - 16), 10, y + gilH * 0.3);
  ctx.font = font(13);
  const pids = off.map((s) => s.pid).join(", ");
  ctx.fillText(fitText(ctx, `pid ${pids}`, layout.gutter - 16), 10, y + gilH * 0.72);
  const reasons = [...new Set(off.map((s) => s.reason ?? "no reason given"))].join("; ");
  ctx.font = font(15, "bold");
  const text = fitText(ctx, `GIL sampler unavailable: ${reasons}`, plotW - 36);
  // On a plain box, so the hatching behind never crosses the words.
  ctx.fillStyle = "#fff5d6";
  ctx.fillRect(plotX + 6, y + 9, ctx.measureText(text).width + 14, gilH - 18);
  ctx.fillStyle = "#4d3700";
  ctx.fillText(text, plotX + 13, y + gilH / 2 + 1);
}

/** A GIL row: tall enough for a two-line label that reads on a projector. */
export const GIL_H = 44;
/** Gap between the GIL rows and the worker lanes. */
export const GIL_GAP = 6;

/**
 * The GIL rows (v3): one per sampled interpreter, plus a notice row when a sampler could not run.
 * @type {import("../core/track.js").Track}
 */
export const gilTrack = {
  id: "gil",
  layoutOptions: (model) => ({ gil: model.gil.laneTracks().length + (model.gil.unavailable().length > 0 ? 1 : 0) }),
  getHeight: (options) => {
    const rows = Math.max(0, options.gil ?? 0);
    return rows > 0 ? rows * GIL_H + GIL_GAP : 0;
  },
  layoutFields: (box, options) => ({ gilY: box.y, gilH: GIL_H, gilCount: Math.max(0, options.gil ?? 0) }),
  render: (ctx, { model, vp, layout, nowT, hover }) =>
    drawGilLanes(ctx, model, vp, layout, nowT, hover?.type === "gil" ? hover : null),
  onMouseMove: ({ model, vp, layout }, _box, x, y) => {
    if (layout.gilCount <= 0 || y < layout.gilY || y >= layout.gilY + layout.gilCount * layout.gilH) return null;
    const row = Math.floor((y - layout.gilY) / layout.gilH);
    const tracks = gilLaneTracks(model);
    if (row >= tracks.length) return { type: "gil-off" };
    const px = x - layout.plotX;
    const c = Math.floor(px);
    return {
      type: "gil", pid: tracks[row].pid, t: vp.toT(px), label: x < layout.plotX,
      col: [vp.toT(c), vp.toT(c + 1)], view: [vp.t0, vp.t1],
    };
  },
  legend: (model) => ({ gil: model.gil.laneTracks().length > 0 }),
  describe: (model, hit, nowT) =>
    hit.type === "gil" ? describeGil(model, hit, nowT) : hit.type === "gil-off" ? describeGilOff(model) : null,
};
