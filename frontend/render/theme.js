// @ts-check
/**
 * Colours and fonts of the timeline. Task states use the Okabe–Ito palette, chosen to stay
 * distinct under the common colour-vision deficiencies; exceptions are also hatched so they do
 * not rely on colour alone. Dark text on a light ground reads best on a projector.
 */

export const STATE_COLORS = Object.freeze({
  running: "#0072B2", // blue
  ok: "#009E73", // bluish green
  error: "#D55E00", // vermillion (+ hatching)
  cancelled: "#6b6b6b", // grey
  moved: "#E69F00", // orange
  queue: "#CC79A7", // reddish purple
});

export const THEME = Object.freeze({
  background: "#ffffff",
  text: "#111111",
  mutedText: "#6a6a6a",
  grid: "#d9dde3",
  laneEven: "#f6f7f9",
  laneOdd: "#ffffff",
  deadLane: "#e4e4e4",
  deadHatch: "#cfcfcf",
  startingLane: "#dcecf8",
  startingHatch: "#56B4E9",
  separator: "#c4c9d0",
  marker: "#1b1b1b",
  markerLabelBg: "#fff7cc",
  endMarker: "#555555",
  highlight: "#000000",
  font: "system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
});

/**
 * A CSS font string in the theme's family.
 * @param {number} px
 * @param {"normal" | "bold"} [weight]
 */
export function font(px, weight = "normal") {
  return `${weight} ${px}px ${THEME.font}`;
}
