// @ts-check
/**
 * The Library panel: the recordings library as a table, newest first (name with ★ when kept
 * and ● while still recording, date, what ran, duration, events, size), and per recording
 * Rename (inline: Enter saves, Escape cancels), Keep / Unkeep, Delete (after a second click
 * that confirms) and downloads (the recording file, the Perfetto trace). An Upload control
 * imports a file. The server's refusals are shown where the action was taken: next to the row,
 * or under the Upload control. The list is fetched again when the panel opens, after each
 * action, and when a run ends while it is open.
 *
 * For tests: `#library[data-state]` is loading | ready | error, `#library[data-rows]` the
 * number of rows shown, each row is `tr[data-id]`.
 */
import { formatBytes, formatDuration } from "../render/core/format.js";

/** @typedef {import("../transport/api.js").RecordingInfo} RecordingInfo */
/** @typedef {{id: string, title: string, config: Record<string, any>}} Scenario */
/**
 * The REST calls the panel makes (transport/api.js).
 * @typedef {Pick<typeof import("../transport/api.js"),
 *   "listRecordings" | "changeRecording" | "deleteRecording" | "importRecording" | "exportUrl" |
 *   "sessionExportUrl" | "newSession">} LibraryCalls
 */

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
export function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * @param {string} text
 * @param {string} [className]
 */
export function button(text, className) {
  const b = /** @type {HTMLButtonElement} */ (make("button", className, text));
  b.type = "button";
  return b;
}

/**
 * A JSON text of a value with its object keys sorted, so equal configs compare equal.
 * @param {any} value
 * @returns {string}
 */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * What ran: the preset's title when the config is a preset's, unchanged; else a short summary.
 * @param {Record<string, any>} config
 * @param {Map<string, string>} presets canonical config → title
 */
export function describeConfig(config, presets) {
  const title = presets.get(canonical(config));
  if (title) return title;
  const parts = [config.executor, config.workload].filter((p) => p !== undefined).map(String);
  if (config.n_tasks !== undefined) parts.push(`${config.n_tasks} tasks`);
  if (config.max_workers !== undefined && config.executor !== "asyncio") {
    parts.push(`max_workers ${config.max_workers}`);
  }
  return parts.join(" · ") || "a run";
}

/**
 * A recording's date in the viewer's local time.
 * @param {number} ns Unix ns
 */
function formatDate(ns) {
  return new Date(ns / 1e6).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The Library panel and its toolbar button. */
export class Library {
  /**
   * @param {HTMLElement} el       #library, the panel
   * @param {HTMLElement} toggle   the toolbar's Library button
   * @param {LibraryCalls} calls
   * @param {(rec: RecordingInfo) => void} [onReplay]  open a recording in replay
   * @param {(session: number, recordings: RecordingInfo[]) => void} [onReplaySession]
   *   replay a session's recordings one after another (in the order they ran)
   */
  constructor(el, toggle, calls, onReplay, onReplaySession) {
    this.el = el;
    this.toggle = toggle;
    this.calls = calls;
    this.onReplay = onReplay ?? null;
    this.onReplaySession = onReplaySession ?? null;
    /** @type {Map<string, string>} */
    this.presets = new Map();
    /** Grows with each fetch, so an older answer never overwrites a newer one. */
    this._fetches = 0;

    const head = make("div", "library-head");
    const title = make("h2", undefined, "Library");
    const upload = make("label", "library-upload");
    upload.append("⇪ Upload a recording");
    this.file = /** @type {HTMLInputElement} */ (make("input"));
    this.file.type = "file";
    this.file.id = "library-file";
    this.file.accept = ".schedviz,.jsonl,.ndjson,application/octet-stream";
    upload.append(this.file);
    const close = button("✕ Close");
    close.addEventListener("click", () => this.close());
    const fresh = button("＋ New session", "library-new-session");
    fresh.title = "the next runs start a session of their own (a new lecture); an idle hour does too";
    fresh.addEventListener("click", () => this._newSession());
    head.append(title, upload, fresh, close);
    this.message = make("p", "library-message");
    this.message.id = "library-message";
    this.message.setAttribute("role", "status");
    this.message.hidden = true;
    this.body = make("div", "library-body");
    el.replaceChildren(head, this.message, this.body);

    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", () => (this.el.hidden ? this.open() : this.close()));
    this.file.addEventListener("change", () => this._upload());
  }

  /**
   * The presets, so a recording of one is named by its title.
   * @param {Scenario[]} scenarios
   */
  setScenarios(scenarios) {
    this.presets = new Map(scenarios.map((s) => [canonical(s.config), s.title]));
  }

  open() {
    this.el.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.refresh();
  }

  close() {
    this.el.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
  }

  /** A run ended: its recording is complete, so show it as it is now (if the panel is open). */
  runEnded() {
    if (!this.el.hidden) this.refresh();
  }

  /** Fetch the list again and show it. */
  async refresh() {
    const fetch = ++this._fetches;
    this.el.dataset.state = "loading";
    try {
      const recordings = await this.calls.listRecordings();
      if (fetch !== this._fetches) return;
      this._render(recordings);
      this.el.dataset.state = "ready";
    } catch (err) {
      if (fetch !== this._fetches) return;
      this.el.dataset.state = "error";
      this._say("error", `Could not list the recordings: ${/** @type {Error} */ (err).message}`);
    }
  }

  /**
   * @param {"error" | "ok"} level
   * @param {string} text
   */
  _say(level, text) {
    this.message.hidden = false;
    this.message.dataset.level = level;
    this.message.textContent = text;
  }

  /** @param {RecordingInfo[]} recordings */
  _render(recordings) {
    this.el.dataset.rows = String(recordings.length);
    if (recordings.length === 0) {
      this.body.replaceChildren(
        make(
          "p",
          "library-empty",
          "No recordings yet. Every run is recorded here as it runs; the newest 20 stay until " +
            "newer runs replace them, and Keep ★ puts one in the library for good.",
        ),
      );
      return;
    }
    const table = make("table", "library-table");
    const head = make("tr");
    for (const name of ["Name", "Date", "What ran", "Duration", "Events", "Size", ""]) {
      head.append(make("th", undefined, name));
    }
    const thead = make("thead");
    thead.append(head);
    table.append(thead);
    // One group per session (newest first), its runs in the order they ran; recordings of no
    // session (imported) in a group of their own, as listed.
    /** @type {Map<number | null, RecordingInfo[]>} */
    const groups = new Map();
    for (const rec of recordings) {
      const list = groups.get(rec.session);
      if (list) list.push(rec);
      else groups.set(rec.session, [rec]);
    }
    const grouped = groups.size > 1 || !groups.has(null);
    for (const [session, list] of groups) {
      const tbody = make("tbody", "library-group");
      if (session !== null) {
        list.sort((a, b) => a.created_ns - b.created_ns);
        tbody.dataset.session = String(session);
      }
      if (grouped) tbody.append(this._sessionRow(session, list));
      for (const rec of list) tbody.append(this._row(rec));
      table.append(tbody);
    }
    this.body.replaceChildren(table);
  }

  /**
   * The heading of a session's group: what it holds, and its replay and export as one thing.
   * @param {number | null} session
   * @param {RecordingInfo[]} list  in the order they ran
   */
  _sessionRow(session, list) {
    const tr = make("tr", "library-session");
    const cell = /** @type {HTMLTableCellElement} */ (make("th"));
    cell.colSpan = 7;
    if (session === null) {
      cell.append(make("span", "session-title", "Imported (no session)"));
      tr.append(cell);
      return tr;
    }
    tr.dataset.session = String(session);
    const runs = `${list.length} run${list.length === 1 ? "" : "s"}`;
    cell.append(make("span", "session-title", `Session ${session} · ${formatDate(list[0].created_ns)} · ${runs}`));
    const done = list.filter((r) => !r.live);
    if (this.onReplaySession && done.length > 0) {
      const replay = button("▶ Replay session", "library-replay-session primary");
      replay.title = "replay its runs one after another, as they ran";
      replay.addEventListener("click", () => this.onReplaySession?.(session, done));
      cell.append(replay);
    }
    const html = /** @type {HTMLAnchorElement} */ (make("a", "library-session-html", "⇩ Session as HTML"));
    html.href = this.calls.sessionExportUrl(session, "html");
    html.download = "";
    html.title = "one HTML file that replays the whole session offline";
    cell.append(html);
    tr.append(cell);
    return tr;
  }

  async _newSession() {
    try {
      const { session } = await this.calls.newSession();
      this._say("ok", `Session ${session.id} started: the next runs belong to it.`);
      this.refresh();
    } catch (err) {
      this._say("error", `Could not start a new session: ${/** @type {Error} */ (err).message}`);
    }
  }

  /** @param {RecordingInfo} rec */
  _row(rec) {
    const tr = make("tr");
    tr.dataset.id = rec.id;
    tr.dataset.kept = String(rec.kept);
    tr.dataset.live = String(rec.live);
    const nameCell = make("td", "library-name");
    const error = make("span", "row-error");
    error.setAttribute("role", "alert");
    const showName = () => {
      const marks = [];
      if (rec.kept) marks.push(make("span", "mark-kept", "★"));
      marks.push(make("span", "name", rec.name));
      if (rec.live) marks.push(make("span", "mark-live", "● recording"));
      nameCell.replaceChildren(...marks, error);
    };
    showName();
    const span = rec.first_t === null || rec.last_t === null ? null : rec.last_t - rec.first_t;
    tr.append(
      nameCell,
      make("td", "library-date", formatDate(rec.created_ns)),
      make("td", "library-what", describeConfig(rec.config, this.presets)),
      make("td", "num", formatDuration(span)),
      make("td", "num library-events", rec.events.toLocaleString("en-US")),
      make("td", "num", formatBytes(rec.bytes)),
    );

    const actionCell = make("td");
    const actions = make("div", "library-actions");
    actionCell.append(actions);
    const rename = button("Rename");
    const keep = button(rec.kept ? "Unkeep" : "Keep ★");
    keep.classList.add("library-keep");
    const del = button("Delete", "danger");
    const download = /** @type {HTMLAnchorElement} */ (make("a", "library-download", "⇩ Download"));
    download.href = this.calls.exportUrl(rec.id, "recording");
    download.download = "";
    download.title = "the recording file, to import elsewhere";
    const perfetto = /** @type {HTMLAnchorElement} */ (make("a", "library-perfetto", "Perfetto"));
    perfetto.href = this.calls.exportUrl(rec.id, "perfetto");
    perfetto.download = "";
    perfetto.title = "a trace for ui.perfetto.dev (Chrome Trace Event JSON)";
    const html = /** @type {HTMLAnchorElement} */ (make("a", "library-html", "HTML"));
    html.href = this.calls.exportUrl(rec.id, "html");
    html.download = "";
    html.title = "one HTML file that replays this recording offline, with no server";
    const normal = [rename, keep, del, download, perfetto, html];
    if (this.onReplay && !rec.live) {
      const replay = button("▶ Replay", "library-replay primary");
      replay.title = "open it in the timeline: play, pause, step back, scrub";
      replay.addEventListener("click", () => this.onReplay?.(rec));
      normal.unshift(replay);
    }
    actions.append(...normal);
    tr.append(actionCell);

    /** @param {unknown} err */
    const refused = (err) => {
      error.textContent = `Refused: ${/** @type {Error} */ (err).message}`;
    };

    rename.addEventListener("click", () => {
      const input = /** @type {HTMLInputElement} */ (make("input", "library-rename"));
      input.type = "text";
      input.value = rec.name;
      input.maxLength = 200;
      input.setAttribute("aria-label", "new name (Enter saves, Escape cancels)");
      error.textContent = "";
      nameCell.replaceChildren(input, error);
      input.focus();
      input.select();
      input.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          showName();
        } else if (e.key === "Enter") {
          e.preventDefault();
          error.textContent = "";
          this.calls.changeRecording(rec.id, { name: input.value }).then(() => this.refresh(), refused);
        }
      });
    });

    keep.addEventListener("click", () => {
      error.textContent = "";
      this.calls.changeRecording(rec.id, { kept: !rec.kept }).then(() => this.refresh(), refused);
    });

    del.addEventListener("click", () => {
      const question = make("span", "library-confirm", "Delete it for good?");
      const yes = button("Yes, delete", "danger library-confirm-delete");
      const no = button("Cancel");
      no.addEventListener("click", () => actions.replaceChildren(...normal));
      yes.addEventListener("click", () => {
        error.textContent = "";
        this.calls.deleteRecording(rec.id).then(
          () => this.refresh(),
          (err) => {
            actions.replaceChildren(...normal);
            refused(err);
          },
        );
      });
      actions.replaceChildren(question, yes, no);
      no.focus();
    });
    return tr;
  }

  async _upload() {
    const file = this.file.files?.[0];
    if (!file) return;
    this.message.hidden = true;
    try {
      const { recording } = await this.calls.importRecording(file);
      this._say("ok", `Imported “${recording.name}” from ${file.name}.`);
    } catch (err) {
      this._say("error", `Refused ${file.name}: ${/** @type {Error} */ (err).message}`);
    } finally {
      this.file.value = "";
    }
    await this.refresh();
  }
}
