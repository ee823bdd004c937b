// @ts-check
/**
 * Which GIL lane a worker belongs to, and its share of that lane: a thread worker runs in the
 * lab's interpreter, a process worker in its own. Rows are ordered the lab's interpreter first
 * (the one no worker lane runs in), then each worker process's by worker id.
 */

/** @typedef {import("../core/timeline.js").TimelineModel} TimelineModel */
/** @typedef {import("./holders.js").GilTrack} GilTrack */
/** @typedef {import("../core/lanes.js").Lane} Lane */

/**
 * The GIL tracks that get a row, in row order.
 * @param {TimelineModel} model
 * @returns {GilTrack[]}
 */
export function gilLaneTracks(model) {
  const workerOf = new Map();
  for (const lane of model.lanes.list) if (lane.pid !== null) workerOf.set(lane.pid, lane.worker);
  const rank = (/** @type {GilTrack} */ t) => (workerOf.has(t.pid) ? workerOf.get(t.pid) : -1);
  return model.gil.laneTracks().sort((a, b) => rank(a) - rank(b) || a.pid - b.pid);
}

/**
 * Where the newest holder's span ends: the run's end, or its current time while it runs.
 * @param {TimelineModel} model
 * @param {number} nowT
 */
export function gilEndT(model, nowT) {
  return model.endedT ?? nowT;
}

/**
 * The GIL track of the interpreter a worker's lane runs in, or null when it is not sampled.
 * @param {GilTrack[]} tracks  gilLaneTracks(model)
 * @param {TimelineModel} model
 * @param {Lane} lane
 * @returns {GilTrack | null}
 */
export function gilTrackOf(tracks, model, lane) {
  if (lane.executor === "processes") return tracks.find((t) => t.pid === lane.pid) ?? null;
  const workerPids = new Set(model.lanes.list.map((l) => l.pid).filter((p) => p !== null));
  return tracks.find((t) => !workerPids.has(t.pid)) ?? null;
}

/**
 * Each worker's share of its interpreter's known GIL time in the range [t0, t1]. Workers whose
 * interpreter has no GIL lane are left out: they get no swatch and no share.
 * @param {TimelineModel} model
 * @param {{t0: number, t1: number}} range  e.g. the viewport
 * @param {number} nowT
 * @returns {Map<number, number>} worker id -> share (0..1)
 */
export function visibleWorkerShares(model, range, nowT) {
  /** @type {Map<number, number>} */
  const out = new Map();
  const endT = gilEndT(model, nowT);
  const tracks = gilLaneTracks(model);
  for (const lane of model.lanes.list) {
    const track = gilTrackOf(tracks, model, lane);
    if (!track) continue;
    const stats = track.statsBetween(range.t0, Math.min(range.t1, endT), endT);
    const ns = stats.held.get(`w${lane.worker}`) ?? 0;
    out.set(lane.worker, stats.known > 0 ? ns / stats.known : 0);
  }
  return out;
}

/**
 * A worker's share of its interpreter's known GIL time over the whole run, or null when that
 * interpreter has no GIL lane.
 * @param {TimelineModel} model
 * @param {Lane} lane
 * @param {number} nowT
 */
export function runWorkerShare(model, lane, nowT) {
  const track = gilTrackOf(gilLaneTracks(model), model, lane);
  if (!track) return null;
  const s = track.totals(gilEndT(model, nowT));
  return s.known > 0 ? (s.held.get(`w${lane.worker}`) ?? 0) / s.known : 0;
}

/**
 * A short label for a track's process: "lab", "lab (parent)" or "W3 process".
 * @param {TimelineModel} model
 * @param {GilTrack} track
 */
export function processLabel(model, track) {
  const lane = model.lanes.list.find((l) => l.pid === track.pid);
  if (lane) return `W${lane.worker} process`;
  // Beside worker processes, name the lab as its own lane does, so the two are read together.
  return model.lanes.list.some((l) => l.executor === "processes") ? "lab (parent)" : "lab";
}
