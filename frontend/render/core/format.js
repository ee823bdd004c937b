// @ts-check
/**
 * Human-readable times for axis labels, tooltips and the summary line: short, with units a
 * class reads at a glance (µs, ms, s, min).
 */

/**
 * A duration in the unit that keeps it between 1 and 1000, with three significant digits.
 * @param {number | null | undefined} ns
 */
export function formatDuration(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return "–";
  const sign = ns < 0 ? "-" : "";
  const a = Math.abs(ns);
  if (a < 1e3) return `${sign}${Math.round(a)} ns`;
  if (a < 1e6) return `${sign}${sig(a / 1e3)} µs`;
  if (a < 1e9) return `${sign}${sig(a / 1e6)} ms`;
  if (a < 120e9) return `${sign}${sig(a / 1e9)} s`;
  const minutes = Math.floor(a / 60e9);
  const seconds = Math.round((a - minutes * 60e9) / 1e9);
  return `${sign}${minutes} min ${seconds} s`;
}

/**
 * Three significant digits without trailing zeros (12.3, 1.05, 250).
 * @param {number} v
 */
function sig(v) {
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

/**
 * A time since the run started, as "at 1.23 s" reads in tooltips.
 * @param {number | null | undefined} t
 */
export function formatTime(t) {
  if (t === null || t === undefined || !Number.isFinite(t)) return "–";
  if (t === 0) return "0 s";
  return formatDuration(t);
}

/**
 * A rate such as throughput, with a sensible number of decimals.
 * @param {number} perSecond
 */
export function formatRate(perSecond) {
  if (!Number.isFinite(perSecond)) return "–";
  if (perSecond >= 100) return perSecond.toFixed(0);
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/**
 * A size in bytes with a binary unit (B, KiB, MiB, GiB).
 * @param {number | null | undefined} n
 */
export function formatBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : sig(v)} ${units[i]}`;
}

/**
 * A holder's share as the labels print it: "48 %".
 * @param {number} share 0..1
 */
export function percent(share) {
  const p = share * 100;
  if (p === 0) return "0 %";
  // A thread that held the GIL for a moment is not "0.0 %": it did hold it.
  if (p < 0.1) return "<0.1 %";
  return `${p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}

/**
 * Bytes as MB (10^6), as memory tools print them.
 * @param {number | null} n
 */
export function formatMB(n) {
  if (n === null || !Number.isFinite(n)) return "–";
  const mb = n / 1e6;
  return `${mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}
