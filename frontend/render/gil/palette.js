// @ts-check
/**
 * Colours of GIL holders. Each pool worker has one colour, used both for its band on the GIL
 * lane and for the swatch on its own worker lane label, so "W2 holds the GIL now" reads at a
 * glance. Workers cycle through ten saturated hues that stay apart on a projector; non-pool
 * threads (the lab's main thread, helpers) get dark neutral tones, so they never pass for a
 * worker. Nobody holding it is drawn light.
 */

/** Worker colours, by worker id modulo their count. */
export const WORKER_COLORS = Object.freeze([
  "#4E79A7", // blue
  "#F28E2B", // orange
  "#59A14F", // green
  "#E15759", // red
  "#B07AA1", // purple
  "#76B7B2", // teal
  "#EDC948", // yellow
  "#9C755F", // brown
  "#FF9DA7", // pink
  "#2E8B8B", // dark cyan
  "#1D3F6E", // navy
  "#8A8A1E", // olive
]);

/** Non-pool threads: dark neutrals, by a hash of the thread name. */
export const THREAD_COLORS = Object.freeze(["#3d3d3d", "#7a7a7a", "#5b5343", "#3f4e5c"]);

export const GIL_COLORS = Object.freeze({
  free: "#ffffff", // nobody holds it
  freeEdge: "#c9ced6",
  unknown: "#ececec", // a hand-off happened somewhere in here (+ hatching)
  unknownHatch: "#8a8a8a",
  gapHatch: "#b42318", // the sampler was late: a long window
  lane: "#fbfbfd",
});

/**
 * The colour of a worker.
 * @param {number} worker
 */
export function workerColor(worker) {
  const n = WORKER_COLORS.length;
  return WORKER_COLORS[((worker % n) + n) % n];
}

/**
 * The colour of a holder key ("w<id>", "t:<name>") or of nobody (null).
 * @param {string | null} key
 */
export function holderColor(key) {
  if (key === null) return GIL_COLORS.free;
  if (key.startsWith("w")) return workerColor(Number(key.slice(1)));
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return THREAD_COLORS[h % THREAD_COLORS.length];
}
