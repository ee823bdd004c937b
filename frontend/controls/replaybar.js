// @ts-check
/**
 * The replay bar: play/pause, speed (0.1×–10× run time), a scrub bar over the whole run, steps
 * to the next / previous event and task change, jumps between bookmarks, and where the cursor
 * is ("event 1,204 of 9,913 · 2.41 s of 6.00 s"). Keys (outside text fields) do the same; they
 * are listed under `?` (controls/shortcuts.js) from the table below, the one place they are
 * defined.
 *
 * For tests: `#replay[data-pos]` events applied, `[data-events]`, `[data-seq]` the seq of the
 * newest applied event (-1 before any), `[data-cursor-t]` the cursor (ns), `[data-playing]`.
 */
import { SPEEDS } from "../model/core/replay.js";
import { formatTime } from "../render/core/format.js";
import { button, make } from "./library.js";
import { typingIn } from "./keys.js";

/** @typedef {import("../model/core/replay.js").Replay} Replay */
/** @typedef {import("../model/core/replay.js").ReplayClock} ReplayClock */
/**
 * @typedef {object} ReplayHooks
 * @property {() => void} onMove          the cursor moved: redraw
 * @property {() => number[]} bookmarkTimes  the recording's bookmarks' times, in order
 * @property {(() => void) | null} onClose   back to live (null: nothing to go back to, offline)
 */

/**
 * The replay's keys: what they do, in the words the `?` list shows.
 * @type {{keys: string[], does: string}[]}
 */
export const REPLAY_KEYS = [
  { keys: ["Space", "k"], does: "play / pause" },
  { keys: ["→"], does: "next event" },
  { keys: ["←"], does: "previous event (a step back)" },
  { keys: ["Shift+→"], does: "next task change" },
  { keys: ["Shift+←"], does: "previous task change" },
  { keys: ["]"], does: "next bookmark" },
  { keys: ["["], does: "previous bookmark" },
  { keys: ["Home"], does: "start of the recording" },
  { keys: ["End"], does: "end of the recording" },
  { keys: ["+"], does: "faster" },
  { keys: ["-"], does: "slower" },
];

/** Scrub bar resolution: positions across the whole run. */
const SCRUB_STEPS = 10000;

/** Controls for one replay at a time. */
export class ReplayBar {
  /**
   * @param {HTMLElement} el  #replay
   * @param {ReplayHooks} hooks
   */
  constructor(el, hooks) {
    this.el = el;
    this.hooks = hooks;
    /** @type {Replay | null} */
    this.replay = null;
    /** @type {ReplayClock | null} */
    this.clock = null;
    this.speed = 1;
    this._raf = 0;
    this._last = 0;

    this.title = make("span", "replay-title", "REPLAY");
    this.play = button("▶ Play", "replay-play primary");
    this.play.title = "play / pause (Space)";
    this.prevTask = this._stepButton("|◀ Task", "previous task change (Shift+←)", () => this.step("task", -1));
    this.prevEvent = this._stepButton("◀ Event", "previous event: a step back (←)", () => this.step("event", -1));
    this.nextEvent = this._stepButton("Event ▶", "next event (→)", () => this.step("event", 1));
    this.nextTask = this._stepButton("Task ▶|", "next task change (Shift+→)", () => this.step("task", 1));
    this.prevMark = this._stepButton("⚑ ◀", "previous bookmark ([)", () => this.jumpBookmark(-1));
    this.nextMark = this._stepButton("▶ ⚑", "next bookmark (])", () => this.jumpBookmark(1));
    this.speedSelect = /** @type {HTMLSelectElement} */ (make("select", "replay-speed"));
    this.speedSelect.setAttribute("aria-label", "replay speed");
    this.speedSelect.title = "replay speed (+ / -)";
    for (const s of SPEEDS) {
      const opt = /** @type {HTMLOptionElement} */ (make("option", undefined, `${s}×`));
      opt.value = String(s);
      this.speedSelect.append(opt);
    }
    this.speedSelect.value = "1";
    this.scrub = /** @type {HTMLInputElement} */ (make("input", "replay-scrub"));
    this.scrub.type = "range";
    this.scrub.min = "0";
    this.scrub.max = String(SCRUB_STEPS);
    this.scrub.step = "1";
    this.scrub.setAttribute("aria-label", "position in the recording");
    this.where = make("span", "replay-where");
    this.where.setAttribute("role", "status");
    this.runSelect = /** @type {HTMLSelectElement} */ (make("select", "replay-run"));
    this.runSelect.setAttribute("aria-label", "run of the session");
    this.runSelect.title = "the session's runs, in the order they ran";
    this.runSelect.hidden = true;
    /** @type {((index: number) => void) | null} */
    this._onRun = null;
    this.runSelect.addEventListener("change", () => this._onRun?.(Number(this.runSelect.value)));
    this.close = button("✕ Back to live", "replay-close");
    this.close.title = "leave the replay and show the live run";
    const row1 = make("div", "replay-row");
    row1.append(this.title, this.runSelect, this.play, this.prevTask, this.prevEvent, this.nextEvent, this.nextTask,
      this.prevMark, this.nextMark, this.speedSelect, this.where);
    if (hooks.onClose) row1.append(this.close);
    el.replaceChildren(row1, this.scrub);
    el.hidden = true;

    this.play.addEventListener("click", () => this.toggle());
    this.speedSelect.addEventListener("change", () => this.setSpeed(Number(this.speedSelect.value)));
    this.scrub.addEventListener("input", () => {
      const r = this.replay;
      if (!r) return;
      this.pause();
      r.seekTime(r.startT + (Number(this.scrub.value) / SCRUB_STEPS) * (r.endT - r.startT));
      this._moved(false);
    });
    this.close.addEventListener("click", () => hooks.onClose?.());
    document.addEventListener("keydown", (e) => this._key(e));
  }

  /**
   * Show a replay with the cursor at its end (the whole run drawn), paused.
   * @param {Replay} replay
   * @param {ReplayClock} clock
   * @param {string} name  the recording's name
   */
  show(replay, clock, name) {
    this.pause();
    this.replay = replay;
    this.clock = clock;
    this.title.textContent = `REPLAY · ${name}`;
    this.el.hidden = false;
    this._moved(true);
  }

  /**
   * Several runs replayed as one (a session): a list to pick one, and playing on from the end
   * of one run into the next.
   * @param {string[]} names  in the order they ran
   * @param {(index: number) => void} onRun  show run `index`
   */
  setRuns(names, onRun) {
    this._onRun = onRun;
    this.runSelect.replaceChildren(...names.map((name, i) => {
      const opt = /** @type {HTMLOptionElement} */ (make("option", undefined, `run ${i + 1} of ${names.length}: ${name}`));
      opt.value = String(i);
      return opt;
    }));
    this.runSelect.hidden = names.length < 2;
  }

  /**
   * Mark run `index` as the one shown.
   * @param {number} index
   */
  setRun(index) {
    this.runSelect.value = String(index);
    this.el.dataset.run = String(index);
  }

  /** Leave replay: stop playing and hide. */
  hide() {
    this.pause();
    this.replay = null;
    this.clock = null;
    this.el.hidden = true;
  }

  /** Whether a replay is shown. */
  get active() {
    return this.replay !== null;
  }

  toggle() {
    if (this.clock?.playing) this.pause();
    else this.start();
  }

  /** Play from the cursor (from the start when at the end). */
  start() {
    const r = this.replay;
    const clock = this.clock;
    if (!r || !clock || clock.playing) return;
    if (r.cursorT >= r.endT) r.seekIndex(0);
    clock.playing = true;
    this._last = performance.now();
    this._raf = requestAnimationFrame((now) => this._tick(now));
    this._moved(true);
  }

  pause() {
    if (this._raf) cancelAnimationFrame(this._raf);
    this._raf = 0;
    if (this.clock?.playing) {
      this.clock.playing = false;
      this._moved(true);
    }
  }

  /** @param {number} speed */
  setSpeed(speed) {
    this.speed = SPEEDS.includes(speed) ? speed : 1;
    this.speedSelect.value = String(this.speed);
  }

  /**
   * Step by one event or one task change, forwards (1) or back (-1); pauses.
   * @param {"event" | "task"} what
   * @param {1 | -1} dir
   */
  step(what, dir) {
    const r = this.replay;
    if (!r) return;
    this.pause();
    if (what === "event") r.stepEvent(dir);
    else r.stepTaskChange(dir);
    this._moved(true);
  }

  /**
   * Put the cursor at run time t (ns); pauses.
   * @param {number} t
   */
  seekTime(t) {
    if (!this.replay) return;
    this.pause();
    this.replay.seekTime(t);
    this._moved(true);
  }

  /**
   * Jump to the next (1) or previous (-1) bookmark from the cursor.
   * @param {1 | -1} dir
   */
  jumpBookmark(dir) {
    const r = this.replay;
    if (!r) return;
    const times = this.hooks.bookmarkTimes();
    const at = r.cursorT;
    const t = dir > 0 ? times.find((x) => x > at) : [...times].reverse().find((x) => x < at);
    if (t !== undefined) this.seekTime(t);
  }

  /** @param {number} now */
  _tick(now) {
    const r = this.replay;
    const clock = this.clock;
    if (!r || !clock || !clock.playing) return;
    const dt = Math.min(now - this._last, 250); // a hidden tab does not jump ahead
    this._last = now;
    r.seekTime(r.cursorT + dt * 1e6 * this.speed);
    if (r.cursorT >= r.endT) {
      this.pause();
      this._playNextRun();
      return;
    }
    this._moved(true);
    this._raf = requestAnimationFrame((n) => this._tick(n));
  }

  /** At the end of one run of a session, go on playing the next from its start. */
  _playNextRun() {
    const next = Number(this.runSelect.value) + 1;
    if (this.runSelect.hidden || !this._onRun || next >= this.runSelect.options.length) return;
    this._onRun(next);
    this.replay?.seekIndex(0);
    this.start();
  }

  /** @param {boolean} moveScrub whether the scrub bar follows (not while it is dragged) */
  _moved(moveScrub) {
    const r = this.replay;
    if (!r) return;
    const span = r.endT - r.startT;
    if (moveScrub) {
      this.scrub.value = String(span > 0 ? Math.round(((r.cursorT - r.startT) / span) * SCRUB_STEPS) : SCRUB_STEPS);
    }
    const playing = Boolean(this.clock?.playing);
    this.play.textContent = playing ? "⏸ Pause" : "▶ Play";
    this.where.textContent =
      `event ${r.pos.toLocaleString("en-US")} of ${r.length.toLocaleString("en-US")} · ` +
      `${formatTime(r.cursorT)} of ${formatTime(r.endT)}`;
    const ds = this.el.dataset;
    ds.pos = String(r.pos);
    ds.events = String(r.length);
    ds.seq = String(r.current?.seq ?? -1);
    ds.cursorT = String(r.cursorT);
    ds.playing = playing ? "1" : "0";
    this.hooks.onMove();
  }

  /**
   * @param {string} text
   * @param {string} title
   * @param {() => void} fn
   */
  _stepButton(text, title, fn) {
    const b = button(text, "replay-step");
    b.title = title;
    b.addEventListener("click", fn);
    return b;
  }

  /** @param {KeyboardEvent} e */
  _key(e) {
    if (!this.replay || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    /** @type {(() => void) | null} */
    let act = null;
    switch (e.key) {
      case " ":
      case "k":
        act = () => this.toggle();
        break;
      case "ArrowRight":
        act = () => this.step(e.shiftKey ? "task" : "event", 1);
        break;
      case "ArrowLeft":
        act = () => this.step(e.shiftKey ? "task" : "event", -1);
        break;
      case "]":
        act = () => this.jumpBookmark(1);
        break;
      case "[":
        act = () => this.jumpBookmark(-1);
        break;
      case "Home":
        act = () => this.seekTime(-Infinity);
        break;
      case "End":
        act = () => this.seekTime(Infinity);
        break;
      case "+":
      case "=":
        act = () => this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(this.speed) + 1)]);
        break;
      case "-":
        act = () => this.setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(this.speed) - 1)]);
        break;
      default:
        break;
    }
    if (!act) return;
    e.preventDefault();
    act();
  }
}
