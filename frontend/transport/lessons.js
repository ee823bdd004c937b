// @ts-check
/**
 * The course over HTTP: the lessons the server lists, and a finished run's observed summary.
 *
 * Rule it keeps: the observed summary is asked for only once a run has ended, yet the server may
 * not have stored its last events yet (409): that answer is retried with a growing pause until a
 * deadline; any other refusal (404 unknown lesson or recording, 422 not this lesson's run) is
 * passed on at once with the server's own message.
 */
import { ApiError, explainDetail } from "./api.js";

/**
 * A lesson as GET /api/lessons lists it.
 * @typedef {object} LessonInfo
 * @property {string} id
 * @property {number} number
 * @property {string} concept
 * @property {string} title
 * @property {string} explanation
 * @property {string} prediction
 * @property {"preset" | "example" | "compare"} kind
 * @property {Record<string, any> | null} [config]  the RunConfig of a preset or a comparison
 * @property {string | null} [example]  the example's stem
 * @property {string[]} knobs  RunConfig fields the lecturer may move
 * @property {LessonCode | null} [code]
 */

/**
 * The code shown beside the timeline: `lines` from the file's line `first_line`; `focus` is
 * [first, last], 1-based positions in `lines` of the lines doing the lesson's work.
 * @typedef {{file: string, lines: string[], focus: [number, number] | null, first_line?: number}} LessonCode
 */

/**
 * One number (or word) of an observed summary.
 * @typedef {{key: string, label: string, value: number | string, unit: string, detail: string}} Observation
 */

/** The pauses between tries while a recording has not ended yet (the last one repeats). */
export const OBSERVE_BACKOFF_MS = Object.freeze([100, 200, 400, 800]);
/** How long to keep asking before saying the recording did not end. */
export const OBSERVE_DEADLINE_MS = 20000;

/**
 * GET a JSON answer, turning a refusal into ApiError with the server's message.
 * @param {string} path
 */
async function getJson(path) {
  const res = await fetch(path);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, explainDetail(body?.detail, res.statusText).message, null);
  return body;
}

/** @returns {Promise<LessonInfo[]>} every lesson, by number */
export function listLessons() {
  return getJson("/api/lessons");
}

/**
 * The observed summary of recording `recording` as lesson `lessonId` reads it, retried while the
 * server answers 409 (not ended yet).
 * @param {string} lessonId
 * @param {string} recording  the run's id
 * @param {{wait?: (ms: number) => Promise<void>, now?: () => number}} [clock]  for tests
 * @returns {Promise<{lesson: string, recording: string, observations: Observation[]}>}
 */
export async function getObserved(lessonId, recording, clock = {}) {
  const wait = clock.wait ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = clock.now ?? (() => performance.now());
  const path = `/api/lessons/${encodeURIComponent(lessonId)}/observed?recording=${encodeURIComponent(recording)}`;
  const deadline = now() + OBSERVE_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await getJson(path);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409 || now() >= deadline) throw err;
    }
    await wait(OBSERVE_BACKOFF_MS[Math.min(attempt, OBSERVE_BACKOFF_MS.length - 1)]);
  }
}
