// @ts-check
/**
 * Memory strips: each process's RSS (light) with its USS (dark) in front, as a thin filled
 * track along the bottom of its lane. Every strip uses the same scale (the highest RSS of any
 * process in the run), so a worker that grows stands out against its neighbours.
 *
 * A sample holds until the next one (the sampler reads every ~250 ms); the last one holds until
 * the process exited, or until now while it lives. Samples narrower than a pixel are reduced to
 * the column's maximum, so a long run costs one rectangle per pixel column at most.
 */
import { lowerBound } from "../../model/core/sorted.js";
import { THEME } from "../core/theme.js";

/** @typedef {import("../../model/pools/processes.js").MemorySeries} MemorySeries */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */

/**
 * Per pixel column of the plot: the highest RSS and USS of the samples covering it (NaN: none).
 * @param {MemorySeries} series
 * @param {Viewport} vp
 * @param {number} endT when the last sample stops holding
 */
export function memoryColumns(series, vp, endT) {
  const n = Math.max(1, Math.ceil(vp.width));
  const rss = new Float64Array(n).fill(NaN);
  const uss = new Float64Array(n).fill(NaN);
  const samples = series.samples;
  // Start at the sample in force at the left edge.
  let i = Math.max(0, lowerBound(samples, vp.t0, (s) => s.t) - 1);
  for (; i < samples.length; i++) {
    const s = samples[i];
    if (s.t > vp.t1) break;
    const until = i + 1 < samples.length ? samples[i + 1].t : Math.max(endT, s.t);
    if (until < vp.t0) continue;
    const c0 = Math.max(0, Math.floor(vp.toX(s.t)));
    const c1 = Math.min(n - 1, Math.max(c0, Math.ceil(vp.toX(until)) - 1));
    for (let c = c0; c <= c1; c++) {
      if (!(rss[c] >= s.rss)) rss[c] = s.rss;
      if (s.uss !== null && !(uss[c] >= s.uss)) uss[c] = s.uss;
    }
  }
  return { rss, uss };
}

/**
 * Draw one process's memory strip into the box (x, y, w, h) of the canvas.
 * @param {CanvasRenderingContext2D} ctx
 * @param {MemorySeries | null} series
 * @param {Viewport} vp
 * @param {{x: number, y: number, h: number}} box  x = the plot's left edge
 * @param {number} maxRss the shared scale
 * @param {number} endT
 */
export function drawMemoryStrip(ctx, series, vp, box, maxRss, endT) {
  if (!series || series.samples.length === 0 || maxRss <= 0 || box.h <= 0) return;
  const { rss, uss } = memoryColumns(series, vp, endT);
  const bottom = box.y + box.h;
  const height = (/** @type {number} */ v) => Math.max(1, (v / maxRss) * box.h);
  ctx.fillStyle = THEME.memRss;
  fillColumns(ctx, rss, box.x, bottom, height);
  ctx.fillStyle = THEME.memUss;
  fillColumns(ctx, uss, box.x, bottom, height);
}

/**
 * One rectangle per run of equal columns.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Float64Array} cols
 * @param {number} x0
 * @param {number} bottom
 * @param {(v: number) => number} height
 */
function fillColumns(ctx, cols, x0, bottom, height) {
  let c = 0;
  while (c < cols.length) {
    const v = cols[c];
    if (Number.isNaN(v)) {
      c++;
      continue;
    }
    let e = c + 1;
    while (e < cols.length && cols[e] === v) e++;
    const h = height(v);
    ctx.fillRect(x0 + c, bottom - h, e - c, h);
    c = e;
  }
}
