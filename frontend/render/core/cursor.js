// @ts-check
/**
 * The replay cursor: a vertical line across every track at the cursor's time, with its time in
 * a tag at the top, so a class sees where in the recording it is; what lies right of it is
 * veiled, since it has not happened yet at the cursor (an asyncio step or a pickling span is
 * recorded with its whole duration at its start, so it would otherwise show its own future).
 * Nothing in a live run (its "now" is the right edge already). Takes no height: it draws over
 * the other tracks.
 */
import { formatTime } from "./format.js";
import { THEME, font } from "./theme.js";

/** @typedef {import("./track.js").Track} Track */

const TAG_PX = 12;

/** @type {Track} */
export const cursorTrack = {
  id: "cursor",
  getHeight: () => 0,
  layer: 10,
  render(ctx, scene) {
    if (!scene.replay) return;
    const { layout, vp, nowT } = scene;
    const x = layout.plotX + vp.toX(nowT);
    if (x < layout.plotX - 1 || x > layout.plotX + layout.plotW + 1) return;
    const px = Math.round(x) + 0.5;
    ctx.save();
    const right = layout.plotX + layout.plotW;
    if (px < right) {
      ctx.fillStyle = THEME.cursorVeil;
      ctx.fillRect(px, 0, right - px, layout.height);
    }
    ctx.strokeStyle = THEME.cursor;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(px, 0);
    ctx.lineTo(px, layout.height);
    ctx.stroke();
    const text = formatTime(nowT);
    ctx.font = font(TAG_PX, "bold");
    const w = ctx.measureText(text).width + 8;
    const left = Math.min(px + 2, layout.plotX + layout.plotW - w);
    ctx.fillStyle = THEME.cursor;
    ctx.fillRect(left, 0, w, TAG_PX + 6);
    ctx.fillStyle = "#ffffff";
    ctx.textBaseline = "top";
    ctx.fillText(text, left + 4, 3);
    ctx.restore();
  },
};
