// @ts-check
/**
 * A recording embedded in the page itself, for the offline export (one .html file opened from
 * file://, no server): `loadEmbedded` reads it back.
 *
 * The page holds it in `<script type="application/json" id="schedviz-recording"
 * data-encoding="gzip+base64">`, whose text is base64 of gzip of the UTF-8 JSON payload
 * (storage/offline_html.py writes it). A page without that element is served live and gets
 * null; a payload of another format or version is refused with an Error saying what to do,
 * never half read.
 */

/** What the offline export's element is called. */
export const ELEMENT_ID = "schedviz-recording";
/** The only encoding of its text this page reads. */
export const ENCODING = "gzip+base64";
/** The payload's format name and the version this page reads. */
export const FORMAT = "schedviz-embedded";
export const VERSION = 1;

/**
 * One recorded run as the server would serve it: its metadata (GET /api/recordings/{id}'s
 * `recording`), its wire events in seq order (as the websocket sends them), its bookmarks (GET
 * /api/recordings/{id}/bookmarks) and, for an asyncio run, the workloads' source (GET
 * /api/source/asyncio; null otherwise).
 * @typedef {{
 *   recording: import("./api.js").RecordingInfo,
 *   events: import("../protocol.js").WireEvent[],
 *   bookmarks: import("./api.js").Bookmark[],
 *   source: {file: string, lines: string[]} | null,
 * }} EmbeddedRun
 */

/**
 * The whole payload: the runs in the order they were exported (one, or a session's).
 * @typedef {{format: "schedviz-embedded", version: 1, runs: EmbeddedRun[]}} EmbeddedPayload
 */

const AGAIN = "export the recording again with `schedviz export ID --format html`";

/**
 * The recording embedded in `doc`, or null when the page has none (it is served live).
 * @param {Document} [doc]
 * @returns {Promise<EmbeddedPayload | null>}
 */
export async function loadEmbedded(doc = document) {
  const el = doc.getElementById(ELEMENT_ID);
  if (!el) return null;
  const encoding = el.getAttribute("data-encoding");
  if (encoding !== ENCODING) {
    throw new Error(
      `The embedded recording is encoded as ${JSON.stringify(encoding)}; this page reads ` +
        `only "${ENCODING}": ${AGAIN}.`,
    );
  }
  const text = await gunzipText(base64Bytes((el.textContent ?? "").trim()));
  /** @type {unknown} */
  let payload;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new Error(`The embedded recording is damaged (not JSON: ${describe(err)}): ${AGAIN}.`);
  }
  return checkPayload(payload);
}

/**
 * The payload if it is one this page reads; else an Error naming what it is instead.
 * @param {unknown} payload
 * @returns {EmbeddedPayload}
 */
export function checkPayload(payload) {
  const p = /** @type {Record<string, unknown> | null} */ (
    payload && typeof payload === "object" && !Array.isArray(payload) ? payload : null
  );
  if (!p || p.format !== FORMAT) {
    const found = p ? JSON.stringify(p.format) : `a JSON ${Array.isArray(payload) ? "array" : typeof payload}`;
    throw new Error(
      `The embedded data is not a schedviz recording (format ${found}, expected "${FORMAT}"): ` +
        `${AGAIN}.`,
    );
  }
  if (p.version !== VERSION) {
    const newer = typeof p.version === "number" && p.version > VERSION;
    throw new Error(
      `The embedded recording is in version ${JSON.stringify(p.version)} of its format; this ` +
        `page reads version ${VERSION}` +
        (newer ? ": it was made by a newer schedviz, whose export replays it." : `: ${AGAIN}.`),
    );
  }
  if (!Array.isArray(p.runs) || !p.runs.every(isRun)) {
    throw new Error(
      `The embedded recording is damaged (runs must be a list of {recording, events, ` +
        `bookmarks, source}): ${AGAIN}.`,
    );
  }
  return /** @type {EmbeddedPayload} */ (p);
}

/** @param {unknown} run */
function isRun(run) {
  if (!run || typeof run !== "object") return false;
  const r = /** @type {Record<string, unknown>} */ (run);
  return (
    !!r.recording &&
    typeof r.recording === "object" &&
    Array.isArray(r.events) &&
    Array.isArray(r.bookmarks) &&
    (r.source === null || typeof r.source === "object")
  );
}

/**
 * @param {string} text base64
 * @returns {Uint8Array<ArrayBuffer>}
 */
function base64Bytes(text) {
  let binary;
  try {
    binary = atob(text);
  } catch (err) {
    throw new Error(`The embedded recording is damaged (not base64: ${describe(err)}): ${AGAIN}.`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The UTF-8 text that gzip `bytes` inflate to, with the browser's own DecompressionStream.
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @returns {Promise<string>}
 */
async function gunzipText(bytes) {
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return await new Response(stream).text();
  } catch (err) {
    throw new Error(`The embedded recording is damaged (not gzip: ${describe(err)}): ${AGAIN}.`);
  }
}

/** @param {unknown} err */
function describe(err) {
  return err instanceof Error ? err.message : String(err);
}
