// @ts-check
/**
 * Bookmarks of the current run: the toolbar's ⚑ Bookmark button and the key `b` (outside text
 * fields) open a small prompt for a note (Enter saves, Escape cancels; an empty note is fine)
 * and POST a bookmark at the run's newest event. The list beside the timeline shows each
 * bookmark's time and note in large text: click the time to centre the view on it, Edit the
 * note inline (Enter saves, Escape cancels), Delete after a second click that confirms. The
 * list is fetched when a run is shown and after each change; each answer goes to `onChange`
 * (the store's model, which the bookmarks track draws). The server's refusals are shown.
 *
 * For tests: `#bookmarks[data-count]` the number listed, each item `li[data-id]`,
 * `#bookmark-message` the last refusal.
 */
import { formatTime } from "../render/core/format.js";
import { typingIn } from "./keys.js";
import { button, make } from "./library.js";

/** @typedef {import("../model/core/bookmarks.js").Bookmark} Bookmark */
/**
 * @typedef {Pick<typeof import("../transport/api.js"),
 *   "listBookmarks" | "addBookmark" | "editBookmark" | "deleteBookmark">} BookmarkCalls
 */
/**
 * @typedef {object} BookmarkHooks
 * @property {() => string | null} runId     the current run's (recording's) id
 * @property {() => number} lastSeq          the newest event's seq, -1 before any
 * @property {(runId: string, list: Bookmark[]) => void} onChange  the server's list for a run
 * @property {(t: number) => void} onPick    centre the view on time t
 */

/** The bookmarks' keys, for the `?` list. */
export const BOOKMARK_KEYS = [{ keys: ["b"], does: "bookmark the newest event (in replay: the cursor) with a note" }];

/** The bookmark button, its note prompt and the list beside the timeline. */
export class BookmarkList {
  /**
   * @param {{list: HTMLElement, button: HTMLElement, prompt: HTMLElement, message: HTMLElement}} els
   * @param {BookmarkCalls} calls
   * @param {BookmarkHooks} hooks
   */
  constructor(els, calls, hooks) {
    this.el = els.list;
    this.prompt = els.prompt;
    this.message = els.message;
    this.calls = calls;
    this.hooks = hooks;
    /** @type {Bookmark[]} */
    this.items = [];
    /** Grows with each fetch, so an older answer never overwrites a newer one. */
    this._fetches = 0;

    this.note = /** @type {HTMLInputElement} */ (make("input"));
    this.note.id = "bookmark-note";
    this.note.type = "text";
    this.note.maxLength = 2000;
    this.note.placeholder = "note (Enter saves, Esc cancels)";
    this.note.setAttribute("aria-label", "bookmark note");
    this.prompt.replaceChildren(this.note);
    this.prompt.hidden = true;
    this.note.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this._save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.closePrompt();
      }
    });
    els.button.addEventListener("click", () => this.openPrompt());
    document.addEventListener("keydown", (e) => {
      if (e.key !== "b" || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      e.preventDefault();
      this.openPrompt();
    });

    this.title = make("h2", undefined, "Bookmarks");
    this.ul = make("ul", "bookmarks-list");
    this.el.replaceChildren(this.title, this.ul);
    this._render();
  }

  /** Open the note prompt for a bookmark at the newest event. */
  openPrompt() {
    this._say("");
    if (this.hooks.runId() === null || this.hooks.lastSeq() < 0) {
      this._say("No events yet to bookmark: start a run first.");
      return;
    }
    this.prompt.hidden = false;
    this.note.value = "";
    this.note.focus();
  }

  closePrompt() {
    this.prompt.hidden = true;
    this.note.blur();
  }

  async _save() {
    const runId = this.hooks.runId();
    const seq = this.hooks.lastSeq();
    const note = this.note.value;
    this.closePrompt();
    if (runId === null || seq < 0) return;
    try {
      await this.calls.addBookmark(runId, seq, note);
    } catch (err) {
      this._say(`Could not add the bookmark: ${/** @type {Error} */ (err).message}`);
    }
    await this.load(runId);
  }

  /**
   * Fetch the bookmarks of `runId` (on a run's switch and after each change).
   * @param {string | null} runId
   */
  async load(runId) {
    const fetch = ++this._fetches;
    if (runId === null) {
      this._show([]);
      return;
    }
    try {
      const answer = await this.calls.listBookmarks(runId);
      const list = Array.isArray(answer) ? answer : [];
      if (fetch !== this._fetches || runId !== this.hooks.runId()) return;
      this.hooks.onChange(runId, list);
      this._show(list);
    } catch {
      // A run the library does not hold (yet): no bookmarks to show.
      if (fetch === this._fetches) this._show([]);
    }
  }

  /** @param {Bookmark[]} list */
  _show(list) {
    this.items = [...list].sort((a, b) => a.t - b.t || a.seq - b.seq);
    this._render();
  }

  /** @param {string} text */
  _say(text) {
    this.message.textContent = text;
    this.message.hidden = text === "";
  }

  _render() {
    this.el.hidden = this.items.length === 0;
    this.el.dataset.count = String(this.items.length);
    this.ul.replaceChildren(...this.items.map((b) => this._item(b)));
  }

  /** @param {Bookmark} b */
  _item(b) {
    const li = make("li", "bookmark");
    li.dataset.id = String(b.id);
    const time = button(`⚑ ${formatTime(b.t)}`, "bookmark-time");
    time.title = "centre the timeline on this bookmark";
    time.addEventListener("click", () => this.hooks.onPick(b.t));
    const note = make("span", "bookmark-note", b.note || "(no note)");
    const edit = button("Edit", "bookmark-edit");
    edit.addEventListener("click", () => this._edit(li, note, b));
    const del = button("Delete", "bookmark-delete");
    del.addEventListener("click", () => {
      if (del.dataset.confirm !== "1") {
        del.dataset.confirm = "1";
        del.textContent = "Really delete?";
        return;
      }
      this._change(() => this.calls.deleteBookmark(b.id), "delete");
    });
    li.append(time, note, edit, del);
    return li;
  }

  /**
   * @param {HTMLElement} li
   * @param {HTMLElement} note
   * @param {Bookmark} b
   */
  _edit(li, note, b) {
    const input = /** @type {HTMLInputElement} */ (make("input", "bookmark-note-edit"));
    input.type = "text";
    input.maxLength = 2000;
    input.value = b.note;
    input.setAttribute("aria-label", "bookmark note");
    note.replaceWith(input);
    input.focus();
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this._change(() => this.calls.editBookmark(b.id, input.value), "change");
      } else if (e.key === "Escape") {
        e.preventDefault();
        input.replaceWith(note);
      }
    });
    li.dataset.editing = "1";
  }

  /**
   * Do one change, then fetch the list again.
   * @param {() => Promise<any>} call
   * @param {string} what
   */
  async _change(call, what) {
    this._say("");
    try {
      await call();
    } catch (err) {
      this._say(`Could not ${what} the bookmark: ${/** @type {Error} */ (err).message}`);
    }
    await this.load(this.hooks.runId());
  }
}
