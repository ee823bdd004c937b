// @ts-check
/**
 * The page's own shortcuts for teaching: run and stop, zoom, live, fullscreen, presenter mode,
 * the next lesson, a PNG of the timeline. One table says which key does what; the handler reads
 * the same table, so the `?` list (controls/keys.js) is exactly what is handled.
 */
import { typingIn } from "./keys.js";

/**
 * @typedef {"run" | "stop" | "zoomIn" | "zoomOut" | "fit" | "live" | "fullscreen" | "presenter"
 *   | "nextLesson" | "previousLesson" | "png"} PageAction
 */
/** @typedef {{keys: string[], does: string, action: PageAction}} PageShortcut */

/** @type {readonly PageShortcut[]} each key as KeyboardEvent.key names it */
export const PAGE_KEYS = Object.freeze([
  { keys: ["r"], does: "run: the lesson shown, else the form's settings", action: "run" },
  { keys: ["x"], does: "stop the run (waiting tasks are cancelled)", action: "stop" },
  { keys: ["w"], does: "zoom in around the middle", action: "zoomIn" },
  { keys: ["s"], does: "zoom out", action: "zoomOut" },
  { keys: ["0"], does: "fit: the whole run", action: "fit" },
  { keys: ["l"], does: "live: follow the newest events", action: "live" },
  { keys: ["f"], does: "fullscreen on / off", action: "fullscreen" },
  { keys: ["p"], does: "presenter mode on / off (large type, timeline at the top)", action: "presenter" },
  { keys: ["n"], does: "next lesson", action: "nextLesson" },
  { keys: ["N"], does: "previous lesson (Shift+n)", action: "previousLesson" },
  { keys: ["e"], does: "save the visible timeline as a PNG (for slides)", action: "png" },
]);

/**
 * Call `actions[action]` for each key press of the table (not while typing, not with Ctrl, Alt or
 * Meta, which belong to the browser).
 * @param {readonly PageShortcut[]} table
 * @param {Record<PageAction, () => void>} actions
 */
export function bindPageKeys(table, actions) {
  /** @type {Map<string, PageAction>} */
  const byKey = new Map();
  for (const entry of table) for (const key of entry.keys) byKey.set(key, entry.action);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    const action = byKey.get(e.key);
    if (!action) return;
    e.preventDefault();
    actions[action]();
  });
}
