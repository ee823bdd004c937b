// @ts-check
/**
 * Worker processes that died: an end cap where the process exited, labelled with its exit code
 * ("exit 1", "SIGKILL"). Red when the process died on its own (the cause of a broken pool);
 * grey when the pool stopped it (SIGTERM after another worker died). A clean exit (code 0)
 * needs no cap: the lane's grey hatching already says the worker is gone.
 */
import { exitLabel } from "../../model/pools/processes.js";
import { boxedText } from "../core/paint.js";
import { THEME, font } from "../core/theme.js";

/** @typedef {import("../../model/core/lanes.js").Lane} Lane */
/** @typedef {import("../core/viewport.js").Viewport} Viewport */
/** @typedef {import("../core/layout.js").Layout} Layout */

/** Width of the cap's bar at the exit, CSS px. */
export const CAP_PX = 4;
/** The cap's label box height. */
const LABEL_H = 20;

/**
 * Whether a lane gets an end cap, and of which kind.
 * @param {Lane} lane
 * @returns {"fault" | "terminated" | null}
 */
export function capKind(lane) {
  if (lane.exitedT === null || lane.exitcode === null || lane.exitcode === 0) return null;
  if (lane.brokePool) return "fault";
  return lane.exitcode === -15 ? "terminated" : "fault";
}

/**
 * The cap's label box in canvas pixels, for drawing and hit-testing alike.
 * @param {Lane} lane
 * @param {Viewport} vp
 * @param {Layout} layout
 * @param {number} y top of the lane
 * @param {(text: string) => number} measure text width at the cap's font
 */
export function capBox(lane, vp, layout, y, measure) {
  const x = layout.plotX + vp.toX(/** @type {number} */ (lane.exitedT));
  const text = exitLabel(lane.exitcode);
  const w = measure(text) + 12;
  // Right of the exit line, or left of it near the plot's right edge.
  let bx = x + CAP_PX + 2;
  if (bx + w > layout.plotX + layout.plotW) bx = x - 2 - w;
  return { x, text, box: { x: bx, y: y + (layout.laneH - LABEL_H) / 2, w, h: LABEL_H } };
}

/**
 * A text-width function at the cap's font.
 * @param {CanvasRenderingContext2D} ctx
 */
export function capMeasure(ctx) {
  return (/** @type {string} */ text) => {
    ctx.font = font(13, "bold");
    return ctx.measureText(text).width;
  };
}

/**
 * Draw every exited-with-a-code lane's cap (over bars, under markers).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Lane[]} lanes
 * @param {Viewport} vp
 * @param {Layout} layout
 */
export function drawExitCaps(ctx, lanes, vp, layout) {
  const measure = capMeasure(ctx);
  for (let i = 0; i < lanes.length; i++) {
    const lane = lanes[i];
    const kind = capKind(lane);
    if (!kind) continue;
    const px = vp.toX(/** @type {number} */ (lane.exitedT));
    if (px < -CAP_PX || px > vp.width + 1) continue;
    const y = layout.lanesY + i * layout.laneH;
    const { x, text, box } = capBox(lane, vp, layout, y, measure);
    const color = kind === "fault" ? THEME.fault : THEME.terminated;
    ctx.fillStyle = color;
    ctx.fillRect(Math.round(x), y + 1, CAP_PX, layout.laneH - 2);
    boxedText(ctx, text, box.x, box.y, {
      px: 13, bold: true, fg: "#ffffff", bg: color, border: color, h: box.h,
    });
  }
}
