// @ts-check
/**
 * The comparisons over HTTP: start one, read its state while it runs, its summary and a compare
 * lesson's observed summary once it ended. A refusal becomes ApiError with the server's message.
 */
import { ApiError, explainDetail } from "../transport/api.js";

/**
 * What the comparison form may offer (GET /api/comparisons/limits).
 * @typedef {{workloads: string[], n_tasks: [number, number], task_ms: [number, number],
 *   max_workers: [number, number], start_methods: string[]}} Limits
 */
/**
 * One run of a comparison as recorded so far.
 * @typedef {{executor: string, recording: string, state: "running" | "ended",
 *   ended_reason: string | null, events: number, config: Record<string, any>}} ComparisonRun
 */
/**
 * A comparison's state: its plan (`runs`), the recordings made so far, and why it stopped.
 * @typedef {{id: number, name: string, state: "running" | "ended" | "error", message: string | null,
 *   config: Record<string, any>, notes: string[], runs: {executor: string, config: Record<string, any>}[],
 *   recordings: ComparisonRun[]}} Comparison
 */
/**
 * One row of the summary, from the run's events (ns; t are the run's own times).
 * @typedef {{executor: string, run_id: string, tasks: number, start_t: number, end_t: number,
 *   wall_ns: number, cpu_ns: number, speedup: number | null}} SummaryRow
 */
/** @typedef {{key: string, label: string, value: number | string, unit: string, detail: string}} Observation */
/**
 * A lesson as GET /api/lessons lists it (the fields this page reads).
 * @typedef {{id: string, number: number, title: string, explanation: string, prediction: string,
 *   kind: string, config?: Record<string, any> | null, code?: LessonCode | null}} Lesson
 */
/**
 * The code a lesson runs: `lines` from line `first_line` of `file`; `focus` is [first, last],
 * 1-based in `lines`, of the lines doing the work.
 * @typedef {{file: string, lines: string[], focus: [number, number] | null, first_line?: number}} LessonCode
 */

/**
 * @param {string} path
 * @param {RequestInit} [init]
 */
async function request(path, init) {
  const res = await fetch(path, { ...init, headers: { "content-type": "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, explainDetail(body?.detail, res.statusText).message, null);
  return body;
}

/** @returns {Promise<Limits>} */
export function getLimits() {
  return request("/api/comparisons/limits");
}

/**
 * @param {Record<string, any>} fields  RunConfig fields
 * @returns {Promise<Comparison>}
 */
export function startComparison(fields) {
  return request("/api/comparisons", { method: "POST", body: JSON.stringify(fields) });
}

/**
 * @param {number} id
 * @returns {Promise<Comparison>}
 */
export function getComparison(id) {
  return request(`/api/comparisons/${id}`);
}

/** @returns {Promise<{comparison: Comparison | null}>} the comparison this server ran last */
export function getCurrent() {
  return request("/api/comparisons/current");
}

/**
 * @param {number} id
 * @returns {Promise<{id: number, summary: SummaryRow[]}>}
 */
export function getSummary(id) {
  return request(`/api/comparisons/${id}/summary`);
}

/**
 * @param {number} id
 * @param {string} lesson
 * @returns {Promise<{lesson: string, comparison: number, observations: Observation[]}>}
 */
export function getObserved(id, lesson) {
  return request(`/api/comparisons/${id}/observed?lesson=${encodeURIComponent(lesson)}`);
}

/** @returns {Promise<Lesson[]>} */
export function listLessons() {
  return request("/api/lessons");
}
