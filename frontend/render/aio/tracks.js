// @ts-check
/**
 * The asyncio section's small tracks (v4): callbacks ready per loop iteration, each watched
 * asyncio.Queue's size (its maxsize dashed), and how many tasks wait on each lock, queue,
 * semaphore or event. Each is a step function reduced to one value per pixel column, the
 * column's maximum, so a brief spike is never hidden.
 */
import { sampleValueAt } from "../../model/aio/loop.js";
import { waiterSamples } from "../../model/aio/waiters.js";
import { upperBound } from "../../model/core/sorted.js";
import { AIO_COLORS, font, THEME } from "../core/theme.js";
import { fitText, stepArea } from "../core/paint.js";
import { niceMax } from "../pools/queue.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/aio/loop.js").Sample} Sample */
/** @typedef {import("./layout.js").AioTrack} AioTrack */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */

/**
 * The samples behind a track, its colour, its scale's top and what its labels say.
 * @param {TimelineModel} model
 * @param {AioTrack} track
 * @param {number} endT
 * @returns {{samples: Sample[], color: string, top: number, cap: number, title: string, sub: string}}
 */
export function trackSeries(model, track, endT) {
  const aio = model.aio;
  if (track.kind === "ready") {
    const samples = aio.readySeries();
    const now = sampleValueAt(samples, endT);
    return {
      samples, color: AIO_COLORS.ready, top: niceMax(aio.maxReady), cap: 0,
      title: "ready queue", sub: `now ${now} · max ${aio.maxReady}`,
    };
  }
  if (track.kind === "queue") {
    const q = /** @type {import("../../model/aio/loop.js").AioQueue} */ (aio.queues.get(track.name));
    const now = sampleValueAt(q.samples, endT);
    return {
      samples: q.samples, color: AIO_COLORS.queue, top: niceMax(Math.max(q.max, q.maxsize)),
      cap: q.maxsize, title: `queue ${track.name}`,
      sub: `size now ${now}${q.maxsize > 0 ? ` of ${q.maxsize}` : ""}`,
    };
  }
  const obj = /** @type {import("../../model/aio/waiters.js").SyncObject} */ (aio.syncObjects().get(track.name));
  const samples = waiterSamples(obj);
  const now = sampleValueAt(samples, endT);
  return {
    samples, color: AIO_COLORS.waiters, top: niceMax(obj.max), cap: 0,
    title: track.name, sub: `waiting now ${now} · max ${obj.max}`,
  };
}

/**
 * Highest value within each pixel column of the plot; NaN outside [0, endT].
 * @param {Sample[]} samples
 * @param {Viewport} vp
 * @param {number} endT
 */
export function seriesColumns(samples, vp, endT) {
  const n = Math.max(1, Math.ceil(vp.width));
  const cols = new Float32Array(n).fill(NaN);
  const firstCol = Math.max(0, Math.floor(vp.toX(0)));
  const lastCol = Math.min(n - 1, Math.floor(vp.toX(endT)));
  if (lastCol < firstCol) return cols;
  let i = upperBound(samples, vp.t0, (s) => s.t);
  let value = i > 0 ? samples[i - 1].value : 0;
  for (let c = firstCol; c <= lastCol; c++) {
    const colEnd = vp.toT(c + 1);
    let max = value;
    while (i < samples.length && samples[i].t < colEnd) {
      value = samples[i].value;
      if (value > max) max = value;
      i++;
    }
    cols[c] = max;
  }
  return cols;
}

/**
 * Draw the section's tracks: label column and plot.
 * @param {CanvasRenderingContext2D} ctx
 * @param {TimelineModel} model
 * @param {AioTrack[]} tracks
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} endT
 */
export function drawAioTracks(ctx, model, tracks, vp, layout, endT) {
  for (const track of tracks) {
    const s = trackSeries(model, track, endT);
    const innerTop = track.y + 5;
    const innerH = track.h - 8;
    const base = innerTop + innerH;
    const yOf = (/** @type {number} */ v) => base - (v / s.top) * innerH;
    ctx.fillStyle = AIO_COLORS.track;
    ctx.fillRect(layout.plotX, track.y, layout.plotW, track.h);
    ctx.fillStyle = THEME.separator;
    ctx.fillRect(layout.plotX, base, layout.plotW, 1);
    const cols = seriesColumns(s.samples, vp, endT);
    if (stepArea(ctx, cols, layout.plotX, base, yOf)) {
      ctx.globalAlpha = 0.4;
      ctx.fillStyle = s.color;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    if (s.cap > 0) {
      // The queue's maxsize: a put() waits while the size is up here.
      ctx.strokeStyle = THEME.text;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(layout.plotX, Math.round(yOf(s.cap)) + 0.5);
      ctx.lineTo(layout.plotX + layout.plotW, Math.round(yOf(s.cap)) + 0.5);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    drawTrackLabel(ctx, track, s, layout);
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {AioTrack} track
 * @param {{title: string, sub: string, top: number}} s
 * @param {Layout} layout
 */
function drawTrackLabel(ctx, track, s, layout) {
  ctx.fillStyle = THEME.background;
  ctx.fillRect(0, track.y, layout.plotX, track.h);
  ctx.textBaseline = "middle";
  ctx.textAlign = "right";
  ctx.font = font(13);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(String(s.top), layout.plotX - 5, track.y + 10);
  ctx.fillText("0", layout.plotX - 5, track.y + track.h - 8);
  const w = layout.plotX - 14 - Math.max(ctx.measureText(String(s.top)).width, 8) - 10;
  ctx.textAlign = "left";
  ctx.font = font(14, "bold");
  ctx.fillStyle = THEME.text;
  ctx.fillText(fitText(ctx, s.title, w), 10, track.y + 13);
  ctx.font = font(13);
  ctx.fillStyle = THEME.mutedText;
  ctx.fillText(fitText(ctx, s.sub, w), 10, track.y + 30);
}
