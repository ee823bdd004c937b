// @ts-check
/**
 * Replay: a recorded run shown at a cursor, not at its end. The model is always exactly what
 * applying the events up to the cursor gives, so every view (bars, summary, GIL shares, thread
 * states, queue depth, asyncio rows, the source line) shows the state at the cursor for free.
 *
 * Rules it keeps:
 * - Events are replayed in time order (then seq): the order things happened, which a live run's
 *   batches only approximate. "Event n" is the n-th in that order.
 * - The cursor sits after a whole time group: events with the same t are applied together
 *   (nothing in the model can tell them apart), so a step moves by one distinct time.
 * - Moving the cursor costs the events crossed, backwards as forwards: a step back takes back
 *   the newest events (TimelineModel.rewind), never rebuilds from event 0; a jump back past
 *   more than half the events kept starts a fresh model instead, whichever is less work.
 * - The cursor time (what views treat as "now") is never before the newest applied event.
 *
 * Guarantees: after any sequence of seeks, `model` equals a model that applied exactly
 * `events.slice(0, pos)` in order (tests/frontend/test_replay_model.py checks it on real runs).
 */
import { EventKind } from "../../protocol.js";
import { upperBound } from "./sorted.js";
import { TimelineModel } from "./timeline.js";

/** @typedef {import("../../protocol.js").WireEvent} WireEvent */

/** Events that change a task's state: what "step by task change" stops at. @type {Set<string>} */
const TASK_CHANGES = new Set([
  EventKind.TASK_SUBMITTED, EventKind.TASK_STARTED, EventKind.TASK_FINISHED,
  EventKind.TASK_CANCELLED, EventKind.TASK_MOVED, EventKind.AIO_TASK, EventKind.AIO_STEP,
  EventKind.AIO_TASK_DONE,
]);

/** Replay speeds offered, slowest first (× run time). */
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];

/** @param {WireEvent} e */
const eventTime = (e) => e.t;

/** One recording at a cursor. */
export class Replay {
  /** @param {WireEvent[]} events  a run's events in any order; repeated seqs count once */
  constructor(events) {
    const seen = new Set();
    /** @type {WireEvent[]} by (t, seq) */
    this.events = [];
    for (const ev of events) {
      if (seen.has(ev.seq)) continue;
      seen.add(ev.seq);
      this.events.push(ev);
    }
    this.events.sort((a, b) => a.t - b.t || a.seq - b.seq);
    this.model = new TimelineModel();
    /** Events applied: the cursor sits after events[pos - 1]. */
    this.pos = 0;
    /** Run time shown as "now" (ns): at or after the newest applied event. */
    this.cursorT = 0;
    /** Grows whenever the model or the cursor moved, so views redraw. */
    this.version = 0;
  }

  get length() {
    return this.events.length;
  }

  /** Time of the first event (ns; 0 when empty). */
  get startT() {
    return this.events.length ? this.events[0].t : 0;
  }

  /** Time of the last event (ns; 0 when empty). */
  get endT() {
    return this.events.length ? this.events[this.events.length - 1].t : 0;
  }

  /** The newest applied event, or null before the first. */
  get current() {
    return this.pos > 0 ? this.events[this.pos - 1] : null;
  }

  /** Whether the cursor is past the last event. */
  get atEnd() {
    return this.pos >= this.events.length;
  }

  /**
   * Apply or take back events so that exactly the first `n` (rounded up to the end of their
   * time group) are applied.
   * @param {number} n
   */
  seekIndex(n) {
    const events = this.events;
    n = Math.max(0, Math.min(events.length, Math.floor(n)));
    while (n > 0 && n < events.length && events[n].t === events[n - 1].t) n++;
    if (n > this.pos) {
      for (let i = this.pos; i < n; i++) this.model.apply(events[i]);
    } else if (n < this.pos) {
      if (this.pos - n > n) this._rebuild(n);
      else this.model.rewind(events.slice(n, this.pos), events[n - 1].t);
    }
    this.pos = n;
    this.cursorT = n > 0 ? events[n - 1].t : this.startT;
    this.version++;
  }

  /**
   * Put the cursor at run time t: every event at or before t applied, "now" at t.
   * @param {number} t
   */
  seekTime(t) {
    const clamped = Math.max(this.startT, Math.min(this.endT, t));
    const n = upperBound(this.events, clamped, eventTime);
    if (n !== this.pos) this.seekIndex(n);
    if (this.cursorT !== clamped) {
      this.cursorT = Math.max(clamped, this.current?.t ?? clamped);
      this.version++;
    }
  }

  /**
   * Step to the next (dir 1) or previous (dir -1) event time.
   * @param {1 | -1} dir
   */
  stepEvent(dir) {
    if (dir > 0) this.seekIndex(this.pos + 1);
    else this.seekIndex(this._groupStart(this.pos - 1));
  }

  /**
   * Step to the next (dir 1) or previous (dir -1) event that changed a task's state.
   * @param {1 | -1} dir
   */
  stepTaskChange(dir) {
    const events = this.events;
    if (dir > 0) {
      for (let i = this.pos; i < events.length; i++) {
        if (TASK_CHANGES.has(events[i].kind)) return this.seekIndex(i + 1);
      }
      return this.seekIndex(events.length);
    }
    for (let i = this._groupStart(this.pos - 1) - 1; i >= 0; i--) {
      if (TASK_CHANGES.has(events[i].kind)) return this.seekIndex(i + 1);
    }
    return this.seekIndex(0);
  }

  /**
   * First index of the time group holding events[i] (0 for i < 0).
   * @param {number} i
   */
  _groupStart(i) {
    if (i <= 0) return 0;
    const t = this.events[i].t;
    while (i > 0 && this.events[i - 1].t === t) i--;
    return i;
  }

  /** @param {number} n */
  _rebuild(n) {
    const bookmarks = this.model.bookmarks;
    this.model = new TimelineModel();
    this.model.bookmarks = bookmarks;
    for (let i = 0; i < n; i++) this.model.apply(this.events[i]);
  }
}

/** The clock views read in replay: "now" is the cursor, and it only moves while playing. */
export class ReplayClock {
  /** @param {Replay} replay */
  constructor(replay) {
    this.replay = replay;
    this.playing = false;
  }

  /** The cursor time, whatever the wall clock says. */
  now() {
    return this.replay.cursorT;
  }

  /** Whether views must keep drawing frames on their own (only while playing). */
  get ticking() {
    return this.playing;
  }
}
