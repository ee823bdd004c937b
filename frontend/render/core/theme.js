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
  broken: "#7a2a00", // dark vermillion (+ cross-hatching): lost when its worker process died
  cancelled: "#6b6b6b", // grey
  moved: "#E69F00", // orange
  queue: "#CC79A7", // reddish purple
});

/**
 * v3: a worker thread's state, on the thin strip along the bottom of its lane. Paul Tol's
 * "muted" scheme, made to stay apart under the common colour-vision deficiencies and kept clear
 * of the task-state colours above: dark indigo where the worker holds the GIL, teal where it
 * runs without it, rose where it waits for it, pale grey where it waits on a lock (an idle
 * pool worker), sand where it sleeps.
 */
export const THREAD_STATE_COLORS = Object.freeze({
  holding_gil: "#332288", // indigo
  cpu_without_gil: "#44AA99", // teal
  on_cpu: "#88CCEE", // light cyan: on a CPU, the GIL not known
  gil_wait: "#CC6677", // rose
  lock_wait: "#CCCCCC", // pale grey
  sleeping: "#DDCC77", // sand
  io: "#999933", // olive
  other: "#882255", // wine
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
  pickle: "#E69F00", // v2: pickling / unpickling a task's data (orange, drawn as short blocks)
  pickleEdge: "#6b4a00",
  memRss: "#b9b3d6", // v2: resident memory (RSS), light
  memUss: "#5b4f96", // v2: unique memory (USS), the part only this process holds
  labLane: "#fff8e8",
  fault: "#b42318", // v2: a worker process that died on its own (non-zero exit, a signal)
  terminated: "#555555", // v2: a worker the pool stopped (SIGTERM)
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
