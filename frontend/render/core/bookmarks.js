// @ts-check
/**
 * The bookmarks track: a thin row under the marker labels, only when the run has bookmarks
 * (so a run without any lays out exactly as before). Each bookmark is a flag at its time with
 * its note beside it, elided to the room before the next flag, and a thin line down across the
 * tracks below. Hovering a flag or its note describes it.
 */
import { formatTime } from "./format.js";
import { THEME, font } from "./theme.js";

/** @typedef {import("../../model/core/bookmarks.js").Bookmark} Bookmark */
/** @typedef {import("./viewport.js").Viewport} Viewport */
/** @typedef {import("./layout.js").Layout} Layout */

/** The row's height when the run has bookmarks. */
export const BOOKMARKS_H = 22;
/** The flag's colour (tests read it off the canvas). */
export const FLAG_COLOR = "#c2410c";
const LABEL_PX = 13;
const FLAG_W = 12;

/**
 * A bookmark in view: the flag's x and the room its label gets.
 * @typedef {{bookmark: Bookmark, x: number, text: string, labelX: number, left: number, right: number}} PlacedBookmark
 */

/**
 * `text` cut with an ellipsis to at most `room` px as `measure` says.
 * @param {string} text
 * @param {number} room
 * @param {(text: string) => number} measure
 */
export function elide(text, room, measure) {
  if (room <= 0) return "";
  if (measure(text) <= room) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid)}…`) <= room) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? "" : `${text.slice(0, lo)}…`;
}

/**
 * The bookmarks in view with their flags' x and their labels fitted before the next flag.
 * @param {Bookmark[]} list by time
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {(text: string) => number} measure at the label font
 * @returns {PlacedBookmark[]}
 */
export function placeBookmarks(list, vp, layout, measure) {
  const inView = list
    .map((bookmark) => ({ bookmark, x: layout.plotX + vp.toX(bookmark.t) }))
    .filter((p) => p.x >= layout.plotX - 1 && p.x <= layout.plotX + layout.plotW + 1);
  const end = layout.plotX + layout.plotW;
  return inView.map((p, i) => {
    const next = i + 1 < inView.length ? inView[i + 1].x - 4 : end;
    const left = p.x + FLAG_W + 3;
    const rightRoom = Math.min(next, end) - left;
    // The newest bookmark sits at the plot's right edge while live: its note goes left of it.
    const prev = i > 0 ? inView[i - 1].x + FLAG_W + 4 : layout.plotX;
    const leftRoom = p.x - 3 - prev;
    if (i === inView.length - 1 && measure(p.bookmark.note) > rightRoom && leftRoom > rightRoom) {
      const text = elide(p.bookmark.note, leftRoom, measure);
      const labelX = p.x - 3 - measure(text);
      return { ...p, text, labelX, left: labelX, right: p.x + FLAG_W };
    }
    const text = elide(p.bookmark.note, rightRoom, measure);
    return { ...p, text, labelX: left, left: p.x, right: text ? left + measure(text) : p.x + FLAG_W };
  });
}

/** @param {CanvasRenderingContext2D} ctx */
function labelMeasure(ctx) {
  return (/** @type {string} */ text) => {
    ctx.font = font(LABEL_PX, "bold");
    return ctx.measureText(text).width;
  };
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {PlacedBookmark[]} placed
 * @param {{y: number, h: number}} box
 * @param {Layout} layout
 * @param {Bookmark | null} hover
 */
function drawBookmarks(ctx, placed, box, layout, hover) {
  for (const p of placed) {
    const x = Math.round(p.x);
    const isHover = hover !== null && hover.id === p.bookmark.id;
    // The line down, thin, across every track below.
    ctx.strokeStyle = FLAG_COLOR;
    ctx.globalAlpha = isHover ? 0.9 : 0.55;
    ctx.lineWidth = isHover ? 2 : 1;
    ctx.beginPath();
    ctx.moveTo(x + 0.5, box.y + box.h);
    ctx.lineTo(x + 0.5, layout.bottom);
    ctx.stroke();
    ctx.globalAlpha = 1;
    // The flag: a pole and a pennant.
    ctx.fillStyle = FLAG_COLOR;
    ctx.fillRect(x - 1, box.y + 3, 2, box.h - 4);
    ctx.beginPath();
    ctx.moveTo(x + 1, box.y + 3);
    ctx.lineTo(x + FLAG_W, box.y + 7.5);
    ctx.lineTo(x + 1, box.y + 12);
    ctx.closePath();
    ctx.fill();
    if (!p.text) continue;
    ctx.font = font(LABEL_PX, "bold");
    ctx.fillStyle = THEME.text;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(p.text, p.labelX, box.y + box.h / 2 + 1);
  }
}

/**
 * The bookmarks: a flag and its note per bookmark, a thin line down from each.
 * @type {import("./track.js").Track}
 */
export const bookmarksTrack = {
  id: "bookmarks",
  layer: 3,
  layoutOptions: (model) => ({ bookmarks: model.bookmarks.length > 0 }),
  getHeight: (options) => (options.bookmarks ? BOOKMARKS_H : 0),
  render: (ctx, { model, vp, layout, hover }, box) => {
    if (box.h === 0 || model.bookmarks.length === 0) return;
    ctx.save();
    drawBookmarks(ctx, placeBookmarks(model.bookmarks.list, vp, layout, labelMeasure(ctx)), box, layout,
      hover?.type === "bookmark" ? hover.bookmark : null);
    ctx.restore();
  },
  onMouseMove: ({ model, vp, layout, measure }, box, x, y) => {
    if (box.h === 0 || y < box.y || y >= box.y + box.h) return null;
    const placed = placeBookmarks(model.bookmarks.list, vp, layout, measure);
    // The last one first: a later flag's pole sits over an earlier one's elided label.
    for (let i = placed.length - 1; i >= 0; i--) {
      const p = placed[i];
      if (x >= Math.min(p.left, p.x) - 4 && x <= Math.max(p.right, p.x + FLAG_W) + 2) return { type: "bookmark", bookmark: p.bookmark };
    }
    return null;
  },
  describe: (_model, hit) =>
    hit.type === "bookmark"
      ? {
          title: "Bookmark",
          rows: [
            ["note", hit.bookmark.note || "(no note)"],
            ["at", formatTime(hit.bookmark.t)],
            ["event", `seq ${hit.bookmark.seq}`],
          ],
        }
      : null,
};
