// @ts-check
/**
 * The hover tooltip: lays out a Description (title, rows, note) next to the pointer, flipped to
 * stay inside the timeline.
 */

/** @typedef {import("../render/core/describe.js").Description} Description */

/** A positioned tooltip element. */
export class Tooltip {
  /**
   * @param {HTMLElement} el the tooltip element, inside the positioned container
   * @param {HTMLElement} container
   */
  constructor(el, container) {
    this.el = el;
    this.container = container;
    this._key = "";
  }

  /**
   * Show `desc` near container point (x, y).
   * @param {Description} desc
   * @param {number} x
   * @param {number} y
   */
  show(desc, x, y) {
    const key = JSON.stringify(desc);
    if (key !== this._key) {
      this._key = key;
      this.el.replaceChildren(...build(desc));
    }
    this.el.hidden = false;
    const cw = this.container.clientWidth;
    const w = this.el.offsetWidth;
    const h = this.el.offsetHeight;
    // Vertically the tooltip may leave the timeline (a short one, two lanes, is shorter than a
    // chunk's tooltip) but not the window: the room is what the window shows of the page.
    const rect = this.container.getBoundingClientRect();
    const minTop = 4 - rect.top;
    const maxBottom = Math.max(this.container.clientHeight, window.innerHeight - rect.top) - 4;
    let left = x + 16;
    let top = y + 16;
    if (left + w > cw - 4) left = Math.max(4, x - 16 - w);
    if (top + h > maxBottom) top = Math.max(minTop, Math.min(y - 16 - h, maxBottom - h));
    this.el.style.left = `${left}px`;
    this.el.style.top = `${top}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}

/**
 * DOM nodes for a description (text only: values such as exception reprs are never HTML).
 * @param {Description} desc
 */
function build(desc) {
  const title = document.createElement("h3");
  title.textContent = desc.title;
  const table = document.createElement("table");
  for (const [k, v] of desc.rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  const nodes = [title, table];
  if (desc.note) {
    const p = document.createElement("p");
    p.textContent = desc.note;
    nodes.push(p);
  }
  return nodes;
}
