// @ts-check
/**
 * Recordings read from the library for a replay: each one's details, its events (streamed, with
 * progress), its bookmarks and the source its run ran, in the shape an offline page embeds
 * (transport/embedded.js), so a served replay and an offline one are shown alike.
 */
import * as api from "./api.js";

/** @typedef {import("./embedded.js").EmbeddedRun} EmbeddedRun */

/**
 * Read recordings `ids` in order. Progress: (index of the recording, its details, events read).
 * A recording that cannot be read rejects with the server's reason, naming it.
 * @param {string[]} ids
 * @param {(index: number, recording: api.RecordingInfo, events: number) => void} onProgress
 * @returns {Promise<EmbeddedRun[]>}
 */
export async function readRuns(ids, onProgress) {
  /** @type {EmbeddedRun[]} */
  const runs = [];
  for (const [i, id] of ids.entries()) {
    try {
      const recording = await api.getRecording(id);
      onProgress(i, recording, 0);
      const events = await api.readRecordingEvents(id, (n) => onProgress(i, recording, n));
      const source = recording.has_source ? await api.getRecordingSource(id).catch(() => null) : null;
      const marks = await api.listBookmarks(id).catch(() => []);
      runs.push({ recording, events, bookmarks: Array.isArray(marks) ? marks : [], source });
    } catch (err) {
      throw new Error(`Could not open recording ${id}: ${/** @type {Error} */ (err).message}`);
    }
  }
  return runs;
}
