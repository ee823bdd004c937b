// @ts-check
/**
 * Tooltip text for the GIL rows (v3): who holds the GIL at the pointer and since when, how
 * uncertain that change is, how many switches the sampler counted, and each holder's share.
 * Shares are of the *known* time: uncertainty windows are left out and reported on their own.
 */
import { holderName, sharesOf } from "../../model/gil/holders.js";
import { gilEndT, processLabel } from "../../model/gil/shares.js";
import { formatDuration, formatTime, percent } from "../core/format.js";

/** @typedef {import("../../model/core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("../../model/gil/holders.js").GilTrack} GilTrack */
/** @typedef {import("../core/describe.js").Description} Description */
/** @typedef {{pid: number, t: number, label: boolean, col: [number, number], view: [number, number]}} GilHit */

const SHARE_NOTE =
  "Shares are of the time the holder is known: the hatched windows, where a hand-off happened " +
  "between two samples, are not counted (shown as \"unknown\").";

/**
 * @param {TimelineModel} model
 * @param {GilHit} hit
 * @param {number} nowT
 * @returns {Description}
 */
export function describeGil(model, hit, nowT) {
  const track = model.gil.tracks.get(hit.pid);
  if (!track) return { title: "GIL", rows: [] };
  return hit.label ? describeTrack(model, track, hit, nowT) : describeAt(model, track, hit, nowT);
}

/**
 * The row's label: the sampler and the shares over the visible range and the whole run.
 * @param {TimelineModel} model
 * @param {GilTrack} track
 * @param {GilHit} hit
 * @param {number} nowT
 * @returns {Description}
 */
function describeTrack(model, track, hit, nowT) {
  const endT = gilEndT(model, nowT);
  const view = track.statsBetween(hit.view[0], Math.min(hit.view[1], endT), endT);
  const all = track.totals(endT);
  /** @type {[string, string][]} */
  const rows = [
    ["process", `${processLabel(model, track)} · pid ${track.pid}`],
    ["sampled", samplerText(track)],
    ["shares in view", sharesLine(view, 6)],
    ["whole run", sharesLine(all, 6)],
    ["unknown", unknownText(all)],
    ["switches", `${all.switches} in all, ${track.gaps} late samples`],
  ];
  return { title: `GIL of the ${processLabel(model, track)}`, rows, note: SHARE_NOTE };
}

/**
 * The holder at one point of the row, or the hand-off window it falls in.
 * @param {TimelineModel} model
 * @param {GilTrack} track
 * @param {GilHit} hit
 * @param {number} nowT
 * @returns {Description}
 */
function describeAt(model, track, hit, nowT) {
  const endT = gilEndT(model, nowT);
  const t = hit.t;
  const changes = track.changes;
  const i = track.indexAt(t);
  const next = changes[i + 1] ?? null;
  /** @type {[string, string][]} */
  const rows = [["at", formatTime(t)]];
  let title;
  /** @type {string | undefined} */
  let note;
  if (next && t > next.t - next.windowNs) {
    // Inside a window: the holder changed somewhere in here; say so, do not guess.
    const from = i >= 0 ? holderName(changes[i].key) : "not sampled yet";
    title = `GIL hand-off: ${from} → ${holderName(next.key)}`;
    rows.push(["somewhere in", `${formatTime(next.t - next.windowNs)} – ${formatTime(next.t)} (${formatDuration(next.windowNs)})`]);
    rows.push(["switches", switchesText(next.switches)]);
    note = next.gap
      ? "The sampler woke up late here (a busy machine), so this window is longer than usual."
      : "The sampler looks every period; a hand-off between two looks is only known to lie between them.";
  } else if (i < 0) {
    title = "GIL: not sampled yet";
  } else {
    const c = changes[i];
    title = c.key === null ? "GIL free: nobody holds it" : `GIL held by ${holderName(c.key)}`;
    const until = next ? next.t - next.windowNs : endT;
    rows.push(["since", `${formatTime(c.t)} (changed in the ${formatDuration(c.windowNs)} before)`]);
    rows.push([next ? "held for" : "so far", formatDuration(Math.max(0, until - c.t))]);
    rows.push(["switches", switchesText(c.switches)]);
    if (c.gap) rows.push(["sample", "late: the window before this change is long"]);
    if (c.thread && c.worker !== null) rows.push(["thread", c.thread]);
    const sofar = track.statsBetween(-Infinity, t, endT);
    const own = sharesOf(sofar).find((s) => s.key === c.key);
    const share = c.key === null ? (sofar.known > 0 ? sofar.free / sofar.known : 0) : own?.share ?? 0;
    rows.push(["share so far", `${percent(share)} of the known time up to here`]);
    note = SHARE_NOTE;
  }
  const col = track.statsBetween(hit.col[0], hit.col[1], endT);
  if (col.changes >= 2) {
    rows.push(["this pixel", `${formatDuration(hit.col[1] - hit.col[0])}: ${col.changes} changes seen, ${col.switches} switches · ${sharesLine(col)}`]);
  }
  rows.push(["process", `${processLabel(model, track)} · pid ${track.pid}`]);
  if (track.sampler && !track.sampler.realtime) rows.push(["caveat", realtimeCaveat(track)]);
  return note === undefined ? { title, rows } : { title, rows, note };
}

/**
 * The notice row: why some interpreters have no GIL lane.
 * @param {TimelineModel} model
 * @returns {Description}
 */
export function describeGilOff(model) {
  const rows = model.gil.unavailable().map((s) => /** @type {[string, string]} */ ([`pid ${s.pid}`, s.reason ?? "no reason given"]));
  return {
    title: "No GIL lane",
    rows,
    note: "The GIL sampler could not watch these interpreters, so nothing is shown rather than a guess.",
  };
}

/** @param {number} n */
function switchesText(n) {
  if (n <= 1) return `${n} counted at this change`;
  return `${n} counted at this change: ${n - 1} hand-off${n > 2 ? "s" : ""} too quick to see`;
}

/** @param {import("../../model/gil/holders.js").GilStats} s */
function unknownText(s) {
  const all = s.known + s.unknown;
  return all > 0 ? `${formatDuration(s.unknown)} (${percent(s.unknown / all)} of the sampled time, not counted)` : "–";
}

/** @param {GilTrack} track */
function samplerText(track) {
  const s = track.sampler;
  if (!s) return "–";
  return `every ${formatDuration(s.periodNs)}${s.realtime ? " (real-time priority)" : ` · ${realtimeCaveat(track)}`}`;
}

/**
 * Why the windows may be long: the sampler's own words when it gave them.
 * @param {GilTrack} track
 */
function realtimeCaveat(track) {
  return track.sampler?.reason ?? "not real-time: on a busy machine a look can come a few ms late";
}

/**
 * Shares of a stats block as one line: "W0 48 % · W1 47 % · nobody 5 %".
 * @param {import("../../model/gil/holders.js").GilStats} stats
 * @param {number} [max]
 */
export function sharesLine(stats, max = 4) {
  const parts = sharesOf(stats).slice(0, max).map((s) => `${holderName(s.key)} ${percent(s.share)}`);
  if (stats.known > 0 && stats.free > 0) parts.push(`nobody ${percent(stats.free / stats.known)}`);
  return parts.join(" · ") || "–";
}
