// @ts-check
/**
 * The page's address as a lecturer bookmarks or shares it: `?lesson=<id>&n_tasks=…&presenter=1`
 * (and `recording=<id>` while a recording is replayed). Reads it into settings, writes them back.
 *
 * Rules it keeps:
 * - A value outside what the protocol allows (frontend/protocol.js: CONFIG_LIMITS,
 *   CONFIG_CHOICES) is refused, never clamped, with a message naming the allowed range; the
 *   rest of the address still applies.
 * - Writing keeps only what differs from the base (the lesson's settings, or the defaults), so a
 *   shared address says what the lecturer changed and nothing else.
 * - No DOM here: it takes and returns strings and plain objects.
 */
import { ASYNCIO_WORKLOADS, CONFIG_CHOICES, CONFIG_LIMITS } from "../protocol.js";

/** @type {Record<string, {min: number, max: number, step: number, default: number}>} */
const LIMITS = CONFIG_LIMITS;
/** @type {Record<string, readonly string[]>} */
const CHOICES = { ...CONFIG_CHOICES, workload: [...CONFIG_CHOICES.workload, ...ASYNCIO_WORKLOADS.filter((w) => !CONFIG_CHOICES.workload.includes(w))] };
/** Parameters of the page itself, besides the run settings. */
const PAGE_PARAMS = ["lesson", "presenter", "recording"];

/**
 * @typedef {object} UrlState
 * @property {string | null} lesson     the lesson's id, as given (checked against the list later)
 * @property {boolean} presenter
 * @property {string | null} recording  a recording to replay
 * @property {Record<string, number | string>} settings  RunConfig fields, each within its limits
 * @property {string[]} problems  one sentence per refused value, saying what is allowed
 */

/**
 * Read an address' query string.
 * @param {string} search  e.g. location.search
 * @returns {UrlState}
 */
export function readUrl(search) {
  const params = new URLSearchParams(search);
  /** @type {UrlState} */
  const state = { lesson: null, presenter: false, recording: null, settings: {}, problems: [] };
  for (const [name, raw] of params) {
    const value = raw.trim();
    if (name === "lesson") state.lesson = value || null;
    else if (name === "recording") state.recording = value || null;
    else if (name === "presenter") {
      if (value === "1" || value === "0") state.presenter = value === "1";
      else state.problems.push(`presenter=${raw} is not allowed: use presenter=1 (on) or presenter=0 (off).`);
    } else if (name in LIMITS) {
      const lim = LIMITS[name];
      const n = Number(value);
      if (value === "" || !Number.isFinite(n)) {
        state.problems.push(`${name}=${raw} is not a number: ${name} takes ${lim.min}–${lim.max}.`);
      } else if (n < lim.min || n > lim.max) {
        state.problems.push(`${name}=${raw} is out of range: ${name} takes ${lim.min}–${lim.max}.`);
      } else {
        state.settings[name] = n;
      }
    } else if (name in CHOICES) {
      if (CHOICES[name].includes(value)) state.settings[name] = value;
      else state.problems.push(`${name}=${raw} is not allowed: ${name} is one of ${CHOICES[name].join(", ")}.`);
    } else {
      state.problems.push(`${name} is not a setting of this page (ignored); it takes ` +
        `${PAGE_PARAMS.join(", ")} and the run settings ${[...Object.keys(LIMITS), ...Object.keys(CHOICES)].join(", ")}.`);
    }
  }
  return state;
}

/**
 * The query string for a page state: the lesson, the settings that differ from `base`, presenter
 * mode and the recording replayed.
 * @param {{lesson: string | null, presenter: boolean, recording: string | null,
 *   settings: Record<string, any>, base: Record<string, any>}} state
 * @returns {string}  "" or "?…"
 */
export function writeUrl(state) {
  const params = new URLSearchParams();
  if (state.recording) params.set("recording", state.recording);
  if (state.lesson) params.set("lesson", state.lesson);
  for (const [name, value] of Object.entries(state.settings)) {
    if (!(name in LIMITS) && !(name in CHOICES)) continue;
    if (value === null || value === undefined || value === "") continue;
    if (String(value) === String(state.base[name])) continue;
    params.set(name, String(value));
  }
  if (state.presenter) params.set("presenter", "1");
  const text = params.toString();
  return text ? `?${text}` : "";
}
