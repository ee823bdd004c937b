// @ts-check
/**
 * The comparison's table (executor, wall time, CPU time, speedup) and a lesson's observed
 * summary, as the server computed them from the runs' events.
 */
import { ms } from "./rows.js";

/** @typedef {import("./api.js").SummaryRow} SummaryRow */
/** @typedef {import("./api.js").Observation} Observation */

/** What each column means, shown under the table. */
export const COLUMN_NOTES =
  "wall: first task submitted → last task finished (asyncio: first step → end of the last); " +
  "CPU: the tasks' own CPU time (asyncio: the loop thread's); speedup: sequential wall ÷ this wall.";

/**
 * Fill `table` with the summary rows.
 * @param {HTMLTableElement} table
 * @param {SummaryRow[]} rows
 */
export function showSummary(table, rows) {
  const head = document.createElement("thead");
  head.append(tr("th", ["executor", "wall", "CPU", "speedup", "tasks"]));
  const body = document.createElement("tbody");
  for (const r of rows) {
    const row = tr("td", [r.executor, ms(r.wall_ns), ms(r.cpu_ns),
      r.speedup === null ? "–" : `${r.speedup.toFixed(2)}×`, String(r.tasks)]);
    row.dataset.executor = r.executor;
    row.dataset.wallNs = String(r.wall_ns);
    row.dataset.cpuNs = String(r.cpu_ns);
    row.dataset.speedup = r.speedup === null ? "" : String(r.speedup);
    body.append(row);
  }
  table.replaceChildren(head, body);
  table.hidden = false;
}

/**
 * Fill `list` with a lesson's observations: label, value with unit, and what it shows.
 * @param {HTMLElement} list
 * @param {Observation[]} observations
 */
export function showObservations(list, observations) {
  list.replaceChildren(...observations.map((o) => {
    const item = document.createElement("li");
    item.dataset.key = o.key;
    const label = document.createElement("span");
    label.className = "obs-label";
    label.textContent = `${o.label}: `;
    const value = document.createElement("strong");
    value.textContent = `${o.value}${o.unit ? ` ${o.unit}` : ""}`;
    const detail = document.createElement("span");
    detail.className = "obs-detail";
    detail.textContent = o.detail ? ` (${o.detail})` : "";
    item.append(label, value, detail);
    return item;
  }));
}

/**
 * @param {"th" | "td"} cell
 * @param {string[]} texts
 */
function tr(cell, texts) {
  const row = document.createElement("tr");
  row.append(...texts.map((text) => {
    const el = document.createElement(cell);
    el.textContent = text;
    return el;
  }));
  return row;
}
