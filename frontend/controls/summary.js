// @ts-check
/**
 * The summary line (done/total, running, queued, throughput, elapsed, state) and the counts
 * mirrored as data attributes on #timeline, so people and tests read the same numbers.
 */
import { formatDuration, formatRate } from "../render/format.js";

/** @typedef {import("../model/stats.js").RunStats} RunStats */

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
 */

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
  const html = s.runId === null ? "no run yet" : summaryHtml(s.stats);
  if (text.innerHTML !== html) text.innerHTML = html;
}

/**
 * @param {RunStats} st
 */
function summaryHtml(st) {
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
  return parts.join(" · ");
}
