// @ts-check
/**
 * Questions the views ask of a run, answered once here so no two places answer them
 * differently: what kind of run it is and the current value of a live setting.
 */

/** @typedef {import("./timeline.js").TimelineModel} TimelineModel */

/**
 * Whether the run has process workers: by its config, or by what its events show (a process
 * pool, pickling in the lab), so a run is recognised before or without its config.
 * @param {TimelineModel} model
 */
export function isProcessRun(model) {
  return (
    model.config?.executor === "processes" ||
    model.proc.parentSpans.length > 0 ||
    [...model.pools.values()].some((p) => p.executor === "processes")
  );
}

/**
 * Whether the model is an asyncio run (by its config, or by its events).
 * @param {TimelineModel} model
 */
export function isAsyncioRun(model) {
  return model.config?.executor === "asyncio" || model.aio.seen;
}

/**
 * A live setting's current value: its newest change, else the value the run started with.
 * @param {TimelineModel} model
 * @param {string} name
 * @returns {number | null}
 */
export function currentValue(model, name) {
  for (let i = model.markers.length - 1; i >= 0; i--) {
    if (model.markers[i].field === name) return Number(model.markers[i].new);
  }
  return model.config && model.config[name] !== undefined ? Number(model.config[name]) : null;
}
