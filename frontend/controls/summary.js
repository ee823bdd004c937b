// @ts-check
/**
 * The summary line (done/total, running, queued, throughput, elapsed, state) and the counts
 * mirrored as data attributes on #timeline, so people and tests read the same numbers.
 */
import { formatDuration, formatRate } from "../render/core/format.js";

/** @typedef {import("../model/core/stats.js").RunStats} RunStats */

/**
 * @typedef {object} SummaryInput
 * @property {RunStats} stats
 * @property {"idle" | "running" | "ended"} state
 * @property {string | null} runId
 * @property {string | null} endReason
 * @property {number} markers
 * @property {number} errorEvents
 * @property {number} dropped
 * @property {number} events
 * @property {ProcessCounts} [process]  v2: what a process pool adds
 * @property {import("../model/gil/holders.js").GilSummary} [gil]  v3: the GIL over the whole run
 * @property {import("../model/gil/threadstates.js").ThreadStateSummary} [threads]  v3: worker
 *   thread states over the whole run
 * @property {string | null} [aio]  v4: an asyncio run's own summary line (aiosummary.js)
 */

/**
 * @typedef {object} ProcessCounts
 * @property {number} chunks          tasks that are map() chunks
 * @property {number} items           items in those chunks
 * @property {number} maps            distinct map() calls
 * @property {number} memorySamples
 * @property {number} breaks          pool_broken events
 * @property {number} failedExits     worker processes that exited with a non-zero code
 */

/**
 * The process-pool counts of a model.
 * @param {import("../model/core/timeline.js").TimelineModel} model
 * @returns {ProcessCounts}
 */
export function processCounts(model) {
  const p = model.proc;
  let failedExits = 0;
  for (const lane of model.lanes.list) if (lane.exitcode !== null && lane.exitcode !== 0) failedExits++;
  return {
    chunks: p.chunks,
    items: p.items,
    maps: p.maps.size,
    memorySamples: p.memorySamples,
    breaks: p.breaks.length,
    failedExits,
  };
}

/**
 * The data attributes for #timeline (all strings, as the DOM stores them).
 * @param {SummaryInput} s
 * @returns {Record<string, string>}
 */
export function dataAttributes(s) {
  return {
    lanes: String(s.stats.lanes),
    activeLanes: String(s.stats.activeLanes),
    finished: String(s.stats.done),
    errors: String(s.stats.errors),
    cancelled: String(s.stats.cancelled),
    moved: String(s.stats.moved),
    total: String(s.stats.total),
    running: String(s.stats.running),
    queued: String(s.stats.queued),
    markers: String(s.markers),
    errorEvents: String(s.errorEvents),
    dropped: String(s.dropped),
    events: String(s.events),
    runState: s.state,
    runId: s.runId ?? "",
    chunks: String(s.process?.chunks ?? 0),
    items: String(s.process?.items ?? 0),
    maps: String(s.process?.maps ?? 0),
    memorySamples: String(s.process?.memorySamples ?? 0),
    poolsBroken: String(s.process?.breaks ?? 0),
    failedExits: String(s.process?.failedExits ?? 0),
    gilLanes: String(s.gil?.lanes ?? 0),
    gilSwitches: String(s.gil?.switches ?? 0),
    gilShares: JSON.stringify(s.gil?.shares ?? {}),
    gilFree: String(s.gil?.free ?? 0),
    gilUnknown: String(s.gil?.unknown ?? 0),
    gilUnavailable: (s.gil?.unavailable ?? []).join("; "),
    threadStates: JSON.stringify(s.threads?.states ?? {}),
    threadStateChanges: String(s.threads?.changes ?? 0),
    threadStatesUnavailable: s.threads?.unavailable ?? "",
  };
}

/**
 * Write the summary line and the data attributes, touching only what changed.
 * @param {HTMLElement} summaryEl
 * @param {HTMLElement} timelineEl
 * @param {SummaryInput} s
 */
export function updateSummary(summaryEl, timelineEl, s) {
  const attrs = dataAttributes(s);
  for (const [key, value] of Object.entries(attrs)) {
    if (timelineEl.dataset[key] !== value) timelineEl.dataset[key] = value;
  }
  const badge = /** @type {HTMLElement} */ (summaryEl.querySelector(".run-state"));
  const label = s.state === "ended" && s.endReason ? `ended · ${s.endReason}` : s.state;
  if (badge.dataset.state !== s.state) badge.dataset.state = s.state;
  if (badge.textContent !== label) badge.textContent = label;
  const text = /** @type {HTMLElement} */ (summaryEl.querySelector("#summary-text"));
  const html = s.runId === null ? "no run yet" : s.aio ?? summaryHtml(s.stats, s.process, s.gil);
  if (text.innerHTML !== html) text.innerHTML = html;
}

/**
 * @param {RunStats} st
 * @param {ProcessCounts} [pc]
 * @param {import("../model/gil/holders.js").GilSummary} [gil]
 */
function summaryHtml(st, pc, gil) {
  const planned = st.planned !== null && st.planned > st.total ? ` (of ${st.planned})` : "";
  const parts = [
    `done <b>${st.done}</b>/<b>${st.total}</b>${planned}`,
    `running <b>${st.running}</b>`,
    `queued <b>${st.queued}</b>`,
    `<b>${formatRate(st.throughput)}</b> tasks/s`,
    `elapsed <b>${formatDuration(st.elapsedNs)}</b>`,
    `workers <b>${st.activeLanes}</b> live / ${st.lanes} lanes`,
  ];
  if (st.errors) parts.push(`<b class="err">${st.errors}</b> raised`);
  if (st.cancelled) parts.push(`${st.cancelled} cancelled`);
  if (st.moved) parts.push(`${st.moved} moved`);
  if (pc && pc.chunks) parts.push(`<b>${pc.chunks}</b> chunks of <b>${pc.items}</b> items`);
  if (pc && pc.breaks) parts.push(`<b class="err">pool broke ×${pc.breaks}</b>`);
  if (gil && gil.lanes > 0) parts.push(`GIL switches <b>${gil.switches}</b>`);
  return parts.join(" · ");
}
