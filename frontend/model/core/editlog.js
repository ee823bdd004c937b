// @ts-check
/**
 * Where a time line last changed, for views that keep work from frame to frame: a GIL track or
 * a worker's thread states notes every change to its data as "from time t on, it may differ",
 * and a view that drew it before asks what changed since then. What lies before that time is as
 * it was, so the view redoes only the columns from there (a replay's scrub, a live run's newest
 * events), not the whole plot.
 *
 * Rules it keeps: edits with no reader between them are merged into one entry (a thousand
 * events applied between two frames cost one entry); a reader that asks about a stretch the log
 * no longer holds is told "everything" (-Infinity), never less than what changed.
 */

/** Entries kept: readers further behind than this redo everything. */
const KEEP = 32;

/** Edits of one time line, as a short log readers consult. */
export class EditLog {
  constructor() {
    /** Edits so far: what a reader remembers as where it read. */
    this.count = 0;
    /** @type {{last: number, t: number}[]} merged edits: the newest count in each, the earliest t */
    this._entries = [];
    /** The newest count in entries dropped for room. */
    this._dropped = 0;
    /** The count when a reader last asked. */
    this._read = 0;
  }

  /**
   * The data may differ from time t on.
   * @param {number} t
   */
  edit(t) {
    this.count++;
    const last = this._entries[this._entries.length - 1];
    if (last && last.last > this._read) {
      last.last = this.count;
      if (t < last.t) last.t = t;
      return;
    }
    this._entries.push({ last: this.count, t });
    if (this._entries.length > KEEP) this._dropped = /** @type {{last: number}} */ (this._entries.shift()).last;
  }

  /**
   * The earliest time that may differ since a reader saw `count` edits (Infinity: nothing
   * changed; -Infinity: it cannot be told). Marks a read.
   * @param {number} since
   */
  changedSince(since) {
    this._read = this.count;
    if (since >= this.count) return Infinity;
    if (since < this._dropped) return -Infinity;
    let t = Infinity;
    for (let i = this._entries.length - 1; i >= 0 && this._entries[i].last > since; i--) {
      if (this._entries[i].t < t) t = this._entries[i].t;
    }
    return t;
  }
}
