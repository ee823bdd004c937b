// @ts-check
/**
 * Vertical markers: live config changes (e.g. "max_workers 3 → 6", "chunksize 4 → 16"), broken
 * process pools (red, solid: "pool 0 broken · exit 1") and the run's end. Their
 * label boxes are placed by `placeMarkers`, shared with hit-testing so hovering a label finds it.
 */
import { exitLabel } from "../../model/pools/processes.js";
import { describePlacedMarker } from "./describemarkers.js";
import { TOLERANCE_PX } from "./pick.js";
import { THEME, font } from "./theme.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/core/timeline.js").Marker} Marker */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */
/**
 * @typedef {object} PlacedMarker
 * @property {"config" | "broken" | "end" | "python"} type
 * @property {number} t
 * @property {Marker | null} marker   the config change, for type "config"
 * @property {import("../../model/pools/processes.js").PoolBreak | null} [brk]  the break, for type "broken"
 * @property {import("../../model/core/timeline.js").PythonWarning | null} [warning]  v5: for type "python"
 * @property {number} x               canvas x of the line
 * @property {string} text
 * @property {{x: number, y: number, w: number, h: number} | null} box  null when it would overlap
 */

export const LABEL_PX = 14;

/**
 * The text of a config-change marker.
 * @param {Marker} marker
 */
export function markerText(marker) {
  // v3: the lab's switch interval reads as a sentence, in ms.
  if (marker.field === "switch_interval_ms") {
    return `switch interval ${formatValue(marker.old)} → ${formatValue(marker.new)} ms`;
  }
  // v4: an asyncio run's slow-step threshold, in ms.
  if (marker.field === "slow_step_ms") {
    return `slow step ${formatValue(marker.old)} → ${formatValue(marker.new)} ms`;
  }
  return `${marker.field} ${formatValue(marker.old)} → ${formatValue(marker.new)}`;
}

/** @param {any} v */
function formatValue(v) {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Markers in view with their label boxes; a label that would overlap the previous one is dropped
 * (its line stays, and hovering the line still explains it).
 * @param {TimelineModel} model
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {(text: string) => number} measure text width at LABEL_PX
 * @returns {PlacedMarker[]}
 */
export function placeMarkers(model, vp, layout, measure) {
  /** @type {Omit<PlacedMarker, "x" | "box">[]} */
  const items = model.markers.map((m) => ({
    type: /** @type {const} */ ("config"),
    t: m.t,
    marker: m,
    text: markerText(m),
  }));
  for (const b of model.proc.breaks) {
    const cause = b.exitcode !== null ? ` · ${exitLabel(b.exitcode)}` : "";
    items.push({ type: "broken", t: b.t, marker: null, brk: b, text: `pool ${b.pool} broken${cause}` });
  }
  // v5: Python's own warnings, named by their line ("RuntimeWarning · demo.py:22").
  for (const w of model.pythonWarnings) {
    const where = w.file !== null && w.line !== null ? ` · ${baseName(w.file)}:${w.line}` : "";
    items.push({ type: "python", t: w.t, marker: null, warning: w, text: `${w.category}${where}` });
  }
  if (model.proc.breaks.length > 0 || model.pythonWarnings.length > 0) items.sort((a, b) => a.t - b.t);
  if (model.endedT !== null) {
    items.push({ type: "end", t: model.endedT, marker: null, text: `run ${model.endReason}` });
  }
  /** @type {PlacedMarker[]} */
  const placed = [];
  let lastRight = -Infinity;
  const h = layout.markerH - 6;
  const y = layout.markerY + 3;
  for (const item of items) {
    const px = vp.toX(item.t);
    if (px < -1 || px > vp.width + 1) continue;
    const x = layout.plotX + px;
    const w = measure(item.text) + 12;
    // Labels sit right of their line, or left of it near the plot's right edge.
    let bx = x + 3;
    if (bx + w > layout.plotX + layout.plotW) bx = x - 3 - w;
    const box = bx >= lastRight + 4 && bx >= layout.plotX ? { x: bx, y, w, h } : null;
    if (box) lastRight = bx + w;
    placed.push({ ...item, x, box });
  }
  return placed;
}

/**
 * Draw marker lines across lanes and queue track, and their labels.
 * @param {CanvasRenderingContext2D} ctx
 * @param {PlacedMarker[]} placed
 * @param {Layout} layout
 * @param {PlacedMarker | null} hover
 */
export function drawMarkers(ctx, placed, layout, hover) {
  const bottom = layout.bottom;
  for (const p of placed) {
    const isHover = hover !== null && hover.t === p.t && hover.type === p.type;
    const broken = p.type === "broken";
    const python = p.type === "python";
    ctx.strokeStyle = p.type === "end" ? THEME.endMarker : broken ? THEME.fault : python ? THEME.pythonWarning : THEME.marker;
    ctx.lineWidth = isHover || broken ? 3 : 2;
    ctx.setLineDash(p.type === "end" ? [3, 4] : broken ? [] : [8, 4]);
    ctx.beginPath();
    ctx.moveTo(Math.round(p.x) + 0.5, layout.markerY + 2);
    ctx.lineTo(Math.round(p.x) + 0.5, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    if (!p.box) continue;
    ctx.fillStyle = p.type === "end" ? "#eeeeee" : broken ? THEME.fault : python ? THEME.pythonWarningBg : THEME.markerLabelBg;
    ctx.fillRect(p.box.x, p.box.y, p.box.w, p.box.h);
    ctx.strokeStyle = broken ? THEME.fault : python ? THEME.pythonWarning : THEME.marker;
    ctx.lineWidth = isHover ? 2 : 1;
    ctx.strokeRect(p.box.x + 0.5, p.box.y + 0.5, p.box.w - 1, p.box.h - 1);
    ctx.font = font(LABEL_PX, "bold");
    ctx.fillStyle = broken ? "#ffffff" : THEME.text;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(p.text, p.box.x + 6, p.box.y + p.box.h / 2 + 1);
  }
}

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

/** The row of marker labels. */
export const MARKER_H = 28;

/**
 * The markers: config changes, broken pools and the run's end. Their labels have a row of their
 * own; their lines cross every track below and draw over them all. A label is hit in its row; a
 * line is hit only where no other track's thing is (except the queue graph: see pools/queue.js).
 * @type {import("./track.js").Track}
 */
export const markersTrack = {
  id: "markers",
  layer: 3,
  hitOrder: 1,
  hitsBelow: true,
  getHeight: () => MARKER_H,
  layoutFields: (box) => ({ markerY: box.y, markerH: box.h }),
  render: (ctx, { model, vp, layout, hover }) =>
    drawMarkers(ctx, placeMarkers(model, vp, layout, markerMeasure(ctx)), layout, hover?.type === "marker" ? hover.placed : null),
  onMouseMove: ({ model, vp, layout, measure }, _box, x, y) => {
    const placed = placeMarkers(model, vp, layout, measure);
    if (y >= layout.markerY && y < layout.markerY + layout.markerH) {
      for (const p of placed) {
        if (p.box && x >= p.box.x && x <= p.box.x + p.box.w) return { type: "marker", placed: p };
      }
    }
    if (x < layout.plotX || x > layout.plotX + layout.plotW || y > layout.bottom) return null;
    let best = null;
    let bestD = TOLERANCE_PX + 1;
    for (const p of placed) {
      const d = Math.abs(p.x - x);
      if (d < bestD) {
        best = p;
        bestD = d;
      }
    }
    return best ? { type: "marker", placed: best } : null;
  },
  describe: (model, hit) => (hit.type === "marker" ? describePlacedMarker(model, hit.placed) : null),
};

/**
 * A path's last part.
 * @param {string} path
 */
function baseName(path) {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}
