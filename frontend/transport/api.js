// @ts-check
/**
 * The HTTP API: scenarios, the current run, and the REST forms of start / stop / resize, used
 * when the websocket is down. Errors become exceptions carrying the server's own message.
 */

/** An HTTP error with the server's explanation. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {string | null} field
   */
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/**
 * Fetch JSON, turning FastAPI error bodies ({detail}) into ApiError.
 * @param {string} path
 * @param {RequestInit} [init]
 */
async function request(path, init) {
  const res = await fetch(path, {
    ...init,
    headers: { "content-type": "application/json", ...(init?.headers ?? {}) },
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const { message, field } = explainDetail(body?.detail, res.statusText);
    throw new ApiError(res.status, message, field);
  }
  return body;
}

/**
 * One of pydantic's validation problems in a FastAPI 422 `detail`: `loc` is where (led by
 * "body" for a request body), `msg` what is wrong.
 * @typedef {{loc?: (string | number)[], msg: string}} ValidationProblem
 */

/**
 * A readable message from a FastAPI `detail` (a string, or pydantic's list of problems).
 * @param {string | ValidationProblem[] | null | undefined} detail
 * @param {string} fallback
 * @returns {{message: string, field: string | null}}
 */
export function explainDetail(detail, fallback) {
  if (typeof detail === "string") return { message: detail, field: null };
  if (Array.isArray(detail) && detail.length > 0) {
    const first = detail[0];
    const loc = Array.isArray(first.loc) ? first.loc.filter((p) => p !== "body") : [];
    const field = loc.length ? String(loc[loc.length - 1]) : null;
    const message = detail
      .map((d) => {
        const where = Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "";
        return where ? `${where}: ${d.msg}` : d.msg;
      })
      .join("; ");
    return { message, field };
  }
  return { message: fallback || "request failed", field: null };
}

/** The scenario presets. */
export function getScenarios() {
  return request("/api/scenarios");
}

/** The current run's status ({run: RunStatus | null}). */
export function getCurrentRun() {
  return request("/api/runs/current");
}

/** v4: the asyncio workloads' source ({file, lines}), shown beside an asyncio run. */
export function getAsyncioSource() {
  return request("/api/source/asyncio");
}

/** The protocol schema. */
export function getSchema() {
  return request("/api/schema");
}

/**
 * Start a run.
 * @param {object} config RunConfig
 */
export function startRun(config) {
  return request("/api/runs", { method: "POST", body: JSON.stringify(config) });
}

/** Stop the current run. */
export function stopRun() {
  return request("/api/runs/current/stop", { method: "POST" });
}

/**
 * Change live settings of the running run, e.g. {max_workers: 6}.
 * @param {Record<string, number>} changes
 */
export function liveChange(changes) {
  return request("/api/runs/current", { method: "PATCH", body: JSON.stringify(changes) });
}

/**
 * A recording in the library, as GET /api/recordings lists it (newest first).
 * @typedef {{id: string, name: string, kept: boolean, created_ns: number,
 *   ended_ns: number | null, config: Record<string, any>, schema_version: number,
 *   session: number | null, events: number, first_t: number | null, last_t: number | null,
 *   bytes: number, ended_reason: string | null, has_source: boolean, live: boolean}} RecordingInfo
 */

/** @returns {Promise<RecordingInfo[]>} the library's recordings, newest first */
export function listRecordings() {
  return request("/api/recordings");
}

/**
 * Rename a recording and/or keep it (or not).
 * @param {string} id
 * @param {{name?: string, kept?: boolean}} change
 * @returns {Promise<{recording: RecordingInfo}>}
 */
export function changeRecording(id, change) {
  return request(`/api/recordings/${encodeURIComponent(id)}`, {
    method: "PATCH",
    body: JSON.stringify(change),
  });
}

/**
 * Delete a recording.
 * @param {string} id
 */
export function deleteRecording(id) {
  return request(`/api/recordings/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/**
 * Import a recording file (or JSON Lines of events); the server checks it and refuses a corrupt,
 * truncated or foreign file with a message.
 * @param {Blob} file
 * @returns {Promise<{recording: RecordingInfo}>}
 */
export function importRecording(file) {
  return request("/api/recordings/import", {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream" },
  });
}

/**
 * Where a recording downloads as a file.
 * @param {string} id
 * @param {"recording" | "perfetto" | "jsonl" | "html"} format
 */
export function exportUrl(id, format) {
  return `/api/recordings/${encodeURIComponent(id)}/export?format=${format}`;
}

/**
 * A bookmark: a note at one event (seq) of a recording; the server looks up its time t.
 * @typedef {import("../model/core/bookmarks.js").Bookmark} Bookmark
 */

/**
 * The bookmarks of a recording (the current run's id is its recording id).
 * @param {string} id
 * @returns {Promise<Bookmark[]>}
 */
export function listBookmarks(id) {
  return request(`/api/recordings/${encodeURIComponent(id)}/bookmarks`);
}

/**
 * Bookmark one event of a recording.
 * @param {string} id
 * @param {number} seq
 * @param {string} note
 * @returns {Promise<{bookmark: Bookmark}>}
 */
export function addBookmark(id, seq, note) {
  return request(`/api/recordings/${encodeURIComponent(id)}/bookmarks`, {
    method: "POST",
    body: JSON.stringify({ seq, note }),
  });
}

/**
 * A bookmark's new note.
 * @param {number} bookmarkId
 * @param {string} note
 * @returns {Promise<{bookmark: Bookmark}>}
 */
export function editBookmark(bookmarkId, note) {
  return request(`/api/bookmarks/${bookmarkId}`, { method: "PATCH", body: JSON.stringify({ note }) });
}

/**
 * Delete a bookmark.
 * @param {number} bookmarkId
 */
export function deleteBookmark(bookmarkId) {
  return request(`/api/bookmarks/${bookmarkId}`, { method: "DELETE" });
}

/**
 * One recording's details, as the library lists it.
 * @param {string} id
 * @returns {Promise<RecordingInfo>}
 */
export async function getRecording(id) {
  const answer = await request(`/api/recordings/${encodeURIComponent(id)}`);
  return answer.recording;
}

/**
 * Every event of a recording, read as the server streams them (JSON Lines), with progress.
 * @param {string} id
 * @param {(events: number, bytes: number) => void} [onProgress]  after each chunk read
 * @returns {Promise<import("../protocol.js").WireEvent[]>}
 */
export async function readRecordingEvents(id, onProgress) {
  const res = await fetch(`/api/recordings/${encodeURIComponent(id)}/events`);
  if (!res.ok || !res.body) {
    const body = await res.json().catch(() => null);
    throw new ApiError(res.status, explainDetail(body?.detail, res.statusText).message, null);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  /** @type {import("../protocol.js").WireEvent[]} */
  const events = [];
  let rest = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    const text = rest + decoder.decode(value, { stream: true });
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line) events.push(JSON.parse(line));
    onProgress?.(events.length, bytes);
  }
  rest += decoder.decode();
  if (rest.trim()) events.push(JSON.parse(rest));
  return events;
}

/**
 * The source a recording's asyncio run ran (the file its events' lines refer to).
 * @param {string} id
 * @returns {Promise<{file: string, lines: string[]}>}
 */
export function getRecordingSource(id) {
  return request(`/api/recordings/${encodeURIComponent(id)}/source`);
}

/**
 * Start a new session now: the next runs belong to it.
 * @returns {Promise<{session: {id: number, started_ns: number, name: string | null, recordings: number}}>}
 */
export function newSession() {
  return request("/api/sessions", { method: "POST", body: JSON.stringify({}) });
}

/**
 * Where a whole session downloads as one file.
 * @param {number} id
 * @param {"html"} format
 */
export function sessionExportUrl(id, format) {
  return `/api/sessions/${id}/export?format=${format}`;
}

/**
 * The shipped examples (examples/*.py): name, file, title.
 * @returns {Promise<{name: string, file: string, title: string}[]>}
 */
export function listExamples() {
  return request("/api/examples");
}

/**
 * Run a shipped example by name under `schedviz trace --live`; the trace arrives as a run.
 * @param {string} name
 */
export function runExample(name) {
  return request(`/api/examples/${encodeURIComponent(name)}/run`, { method: "POST", body: "{}" });
}
