// @ts-check
/**
 * The summary line of an asyncio run (v4): its tasks, steps, yield points, how often a step
 * blocked the loop and how busy the loop was, instead of a thread pool's done/queued counts
 * (the pool only serves the run's offloaded work, counted last).
 */
import { aioEndT, loopShares } from "../render/aio/loop.js";
import { isAsyncioRun } from "../model/core/selectors.js";
import { formatDuration } from "../render/core/format.js";

/** @typedef {import("../model/core/timeline.js").TimelineModel} TimelineModel */

/**
 * The summary's HTML for an asyncio run, or null for a pool run.
 * @param {TimelineModel} model
 * @param {number} nowT
 * @param {number} elapsedNs
 * @returns {string | null}
 */
export function aioSummaryHtml(model, nowT, elapsedNs) {
  if (!isAsyncioRun(model)) return null;
  const aio = model.aio;
  let done = 0;
  for (const t of aio.taskList) if (t.done) done++;
  const endT = aioEndT(model, nowT);
  const sh = loopShares(aio, 0, endT);
  const pct = (/** @type {number} */ ns) => `${sh.span > 0 ? Math.round((100 * ns) / sh.span) : 0} %`;
  const parts = [
    `tasks <b>${aio.tasks.size}</b> (<b>${done}</b> ended)`,
    `steps <b>${aio.steps.length}</b>`,
    `yield points <b>${aio.yieldSites.size}</b> lines`,
    `loop busy <b>${pct(sh.busy)}</b> · idle <b>${pct(sh.idle)}</b>`,
    `elapsed <b>${formatDuration(elapsedNs)}</b>`,
  ];
  if (aio.blocked.length > 0 || aio.ongoing.size > 0) {
    parts.push(`<b class="err">blocked the loop ×${aio.blocked.length + aio.ongoing.size}</b>`);
  }
  if (model.submitted > 0) parts.push(`offloaded <b>${model.finished}</b>/<b>${model.submitted}</b> done`);
  return parts.join(" · ");
}
