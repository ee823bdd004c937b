// @ts-check
/**
 * The one colour table of the timeline, and its fonts. Task states use the Okabe–Ito palette,
 * chosen to stay distinct under the common colour-vision deficiencies; exceptions are also
 * hatched so they do not rely on colour alone. Dark text on a light ground reads best on a
 * projector.
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
  /** v5: Python's own warnings (a coroutine never awaited …): their marker lines and labels. */
  pythonWarning: "#b45309",
  pythonWarningBg: "#fef3c7",
  /** The replay cursor: where "now" is in a recording. */
  cursor: "#2563eb",
  /** Over what lies after the replay cursor: not happened yet. */
  cursorVeil: "rgba(255, 255, 255, 0.78)",
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

/** How much larger the timeline's type is drawn: 1, or more in presenter mode. */
let fontScale = 1;

/**
 * Draw the timeline's type `scale` times its size (presenter mode: read from the back of a
 * hall). Every label goes through `font`, so this is the one switch; lanes and label columns
 * keep their sizes, so keep the scale modest.
 * @param {number} scale  from 1 to 1.5
 */
export function setFontScale(scale) {
  fontScale = Math.min(1.5, Math.max(1, scale));
}

/**
 * A CSS font string in the theme's family, at the current scale.
 * @param {number} px  the size at scale 1
 * @param {"normal" | "bold"} [weight]
 */
export function font(px, weight = "normal") {
  return `${weight} ${Math.round(px * fontScale)}px ${THEME.font}`;
}

/* GIL holders (v3). Each pool worker has one colour, used both for its band on the GIL lane and
 * for the swatch on its own worker lane label, so "W2 holds the GIL now" reads at a glance.
 * Workers cycle through saturated hues that stay apart on a projector; non-pool threads (the
 * lab's main thread, helpers) get dark neutral tones, so they never pass for a worker. Nobody
 * holding it is drawn light. */

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

/* asyncio (v4). */

/**
 * Task colours: ten hues that stay apart on a projector, none of them the red that marks a
 * step that blocked the loop or the grey of idle time.
 */
export const TASK_COLORS = Object.freeze([
  "#1f77b4", // blue
  "#ff7f0e", // orange
  "#2ca02c", // green
  "#9467bd", // purple
  "#8c564b", // brown
  "#e377c2", // pink
  "#17becf", // cyan
  "#bcbd22", // olive
  "#393b79", // navy
  "#7b4173", // plum
]);

export const AIO_COLORS = Object.freeze({
  loopLane: "#f4f6fa",
  idle: "#e9ecf1",
  idleHatch: "#b9c0ca",
  blocked: "#c8102e", // a step that blocked the loop: outline and label
  tick: "#111111",
  lifeline: "#9aa1ab",
  done: "#009E73",
  error: "#D55E00",
  cancelled: "#6b6b6b",
  track: "#f7f8fb",
  ready: "#0072B2",
  queue: "#CC79A7",
  waiters: "#E69F00",
});

/**
 * The colour of an asyncio task.
 * @param {number} id
 */
export function taskColor(id) {
  const n = TASK_COLORS.length;
  return TASK_COLORS[(((id - 1) % n) + n) % n];
}

/**
 * v6: a Future's waits, done-callbacks and deadlocks. A wait is the purple of Paul Tol's
 * "bright" scheme (hatched over the waiting task's bar), its end the colour of its outcome; a
 * callback is magenta; a deadlock red, as a worker that died is.
 */
export const FUTURE_COLORS = Object.freeze({
  wait: "#AA4499", // purple: a thread waits in result() / exception() / wait() / as_completed()
  done: "#009E73", // what it waited for is done (as a task that finished ok)
  timeout: "#CC3311", // TimeoutError: its timeout fired (a dashed line until it does)
  cancelled: "#6b6b6b",
  error: "#882255", // the wait itself failed, or was interrupted
  callback: "#EE3377", // magenta: a done-callback ran on this lane's thread
  callbackEdge: "#5c0f2e",
  pending: "#CC79A7", // a future submitted and not yet started (the queue's colour)
  deadlock: "#b42318",
});
