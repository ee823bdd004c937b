// @ts-check
/**
 * The event store: receives batches for one run at a time and feeds them to a TimelineModel.
 *
 * Rules it keeps:
 * - A batch for another run_id starts over with an empty model (a new run replaces the old).
 * - Each seq is applied once: after a reconnect the server replays the whole run, and those
 *   repeats must not double-count.
 * - `version` grows whenever something visible changed, so views redraw only when needed.
 * - In replay (`showReplay`) the model is the replay's, at its cursor: live batches are not
 *   taken (`append` refuses them) until `reset` goes back to live.
 */
import { TimelineModel } from "./timeline.js";

/** @typedef {import("../../protocol.js").WireEvent} WireEvent */

/** Holds the current run's events and the model derived from them. */
export class EventStore {
  constructor() {
    this.model = new TimelineModel();
    /** @type {string | null} */
    this.runId = null;
    /** @type {WireEvent[]} in arrival order */
    this.events = [];
    /** @type {Set<number>} */
    this._seen = new Set();
    /** Events the server reported it did not send to this viewer. */
    this.dropped = 0;
    /** Repeated events ignored (replays after a reconnect). */
    this.duplicates = 0;
    /** The newest event's seq (-1 before any): where a bookmark added now points. */
    this.lastSeq = -1;
    this.version = 0;
    /** @type {import("./replay.js").Replay | null} the recording shown, or null when live */
    this.replay = null;
  }

  /**
   * Show a recording at its replay's cursor instead of a live run.
   * @param {string} runId  the recording's id
   * @param {import("./replay.js").Replay} replay
   */
  showReplay(runId, replay) {
    this.reset(runId);
    this.replay = replay;
    this.events = replay.events;
    this.syncReplay();
  }

  /** The replay's cursor moved: show its model as it is now. */
  syncReplay() {
    const replay = this.replay;
    if (!replay) return;
    replay.model.bookmarks = this.model.bookmarks;
    this.model = replay.model;
    this.lastSeq = replay.current?.seq ?? -1;
    this.version++;
  }

  /**
   * Forget everything and start a model for `runId`.
   * @param {string | null} runId
   */
  reset(runId) {
    this.replay = null;
    this.model = new TimelineModel();
    this.runId = runId;
    this.events = [];
    this._seen = new Set();
    this.dropped = 0;
    this.duplicates = 0;
    this.lastSeq = -1;
    this.version++;
  }

  /**
   * Append one batch of a run's events; returns how many were new.
   * @param {string} runId
   * @param {WireEvent[]} events
   */
  append(runId, events) {
    if (this.replay) return 0;
    if (runId !== this.runId) this.reset(runId);
    let added = 0;
    for (const ev of events) {
      if (this._seen.has(ev.seq)) {
        this.duplicates++;
        continue;
      }
      this._seen.add(ev.seq);
      this.events.push(ev);
      if (ev.seq > this.lastSeq) this.lastSeq = ev.seq;
      this.model.apply(ev);
      added++;
    }
    if (added > 0) this.version++;
    return added;
  }

  /**
   * Replace the bookmarks of `runId` with the server's list; an answer for another run (one
   * that was switched away from meanwhile) is ignored. Returns whether it was taken.
   * @param {string} runId
   * @param {import("./bookmarks.js").Bookmark[]} bookmarks
   */
  setBookmarks(runId, bookmarks) {
    if (runId !== this.runId) return false;
    this.model.bookmarks.replace(bookmarks);
    this.version++;
    return true;
  }

  /**
   * Record that the server skipped `count` events of `runId` for this viewer.
   * @param {string} runId
   * @param {number} count
   */
  noteDropped(runId, count) {
    if (this.replay) return;
    if (runId !== this.runId) this.reset(runId);
    this.dropped += count;
    this.version++;
  }
}
