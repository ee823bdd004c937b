// @ts-check
/**
 * The current run's bookmarks: notes at moments of the run, as the server keeps them (REST
 * /api/recordings/{id}/bookmarks). A sorted list by time (then seq); an answer from the server
 * replaces it whole, one added or edited bookmark is set in its place. Pure: no DOM, no fetch.
 */

/**
 * A bookmark as the server sends it.
 * @typedef {{id: number, recording: string, seq: number, t: number, note: string}} Bookmark
 */

/** @param {Bookmark} a @param {Bookmark} b */
function byTime(a, b) {
  return a.t - b.t || a.seq - b.seq || a.id - b.id;
}

/** The bookmarks of one run, by time. */
export class BookmarkList {
  constructor() {
    /** @type {Bookmark[]} by time, then seq */
    this.list = [];
  }

  get length() {
    return this.list.length;
  }

  /**
   * Replace every bookmark (the server's list).
   * @param {Bookmark[]} bookmarks
   */
  replace(bookmarks) {
    this.list = bookmarks.map((b) => ({ ...b })).sort(byTime);
  }

  /**
   * Add a bookmark, or replace the one with its id, keeping the order.
   * @param {Bookmark} bookmark
   */
  set(bookmark) {
    this.list = this.list.filter((b) => b.id !== bookmark.id);
    this.list.push({ ...bookmark });
    this.list.sort(byTime);
  }

  /**
   * Remove the bookmark with this id.
   * @param {number} id
   */
  remove(id) {
    this.list = this.list.filter((b) => b.id !== id);
  }

  /**
   * The bookmarks with t0 <= t <= t1.
   * @param {number} t0
   * @param {number} t1
   */
  between(t0, t1) {
    return this.list.filter((b) => b.t >= t0 && b.t <= t1);
  }
}
