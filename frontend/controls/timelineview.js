// @ts-check
/**
 * The timeline's DOM host: sizes the canvas for the device pixel ratio, turns wheel and drag
 * into viewport changes, hover into tooltips, and redraws on animation frames only when
 * something changed (new events, a live run's advancing clock, the view, the hover).
 */
import { describe } from "../render/core/describe.js";
import { capMeasure } from "../render/pools/faults.js";
import { computeLayout, layoutOptions } from "../render/core/layout.js";
import { pick } from "../render/core/pick.js";
import { markerMeasure, render } from "../render/core/timeline.js";
import { Viewport } from "../render/core/viewport.js";
import { Tooltip } from "./tooltip.js";

/** @typedef {import("../model/core/store.js").EventStore} EventStore */
/**
 * Where "now" is: a live run's clock (model/core/live.js), or a replay's cursor
 * (model/core/replay.js), which only moves, and keeps the view drawing, while it plays.
 * @typedef {{now: (wallMs: number, model: import("../model/core/timeline.js").TimelineModel) => number,
 *   ticking?: boolean}} Clock
 */
/** @typedef {import("../render/core/pick.js").Hit} Hit */

/** Wheel zoom per pixel of wheel delta; 100 px (one notch) zooms by about 16 %. */
const ZOOM_PER_PX = 0.0015;

/** Draws the store's model into a canvas and handles pointer input on it. */
export class TimelineView {
  /**
   * @param {HTMLElement} container #timeline
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} tooltipEl
   * @param {EventStore} store
   * @param {Clock} clock
   * @param {{onViewChange: (follow: boolean) => void, onFrame: (nowT: number) => void}} hooks
   */
  constructor(container, canvas, tooltipEl, store, clock, hooks) {
    this.container = container;
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    this.store = store;
    this.clock = clock;
    /** Whether the clock is a replay's cursor (the cursor line is drawn). */
    this.replay = false;
    this.hooks = hooks;
    this.tooltip = new Tooltip(tooltipEl, container);
    this.viewport = new Viewport(800);
    /** @type {Hit | null} */
    this.hover = null;
    /** @type {{x: number, y: number} | null} last pointer position over the canvas */
    this.pointer = null;
    this._frame = 0;
    this._size = { w: 0, h: 0, dpr: 0 };
    this.layout = computeLayout(800, 0);
    this._bindPointer();
    new ResizeObserver(() => this.invalidate()).observe(container);
    this.invalidate();
  }

  /** Ask for a redraw on the next animation frame. */
  invalidate() {
    if (!this._frame) this._frame = requestAnimationFrame(() => this._draw());
  }

  /**
   * Read "now" from another clock: a replay's cursor, or the live clock again.
   * @param {Clock} clock
   * @param {boolean} replay
   */
  setClock(clock, replay) {
    this.clock = clock;
    this.replay = replay;
    this.invalidate();
  }

  /**
   * Show exactly [t0, t1], not following (a replay's whole run).
   * @param {number} t0
   * @param {number} t1
   */
  show(t0, t1) {
    this.viewport.show(t0, t1);
    this.hooks.onViewChange(false);
    this.invalidate();
  }

  /** Draw now, not on the next animation frame (benchmarks time one frame). */
  drawNow() {
    if (this._frame) cancelAnimationFrame(this._frame);
    this._draw();
  }

  /** Follow the newest events again. */
  goLive() {
    this.viewport.goLive();
    this.hooks.onViewChange(true);
    this.invalidate();
  }

  /** Show the whole run and follow it. */
  fit() {
    this.viewport.fit();
    this.hooks.onViewChange(true);
    this.invalidate();
  }

  /**
   * Centre the view on time t (a bookmark), keeping the zoom.
   * @param {number} t
   */
  centreOn(t) {
    this.viewport.centreOn(t);
    this.hooks.onViewChange(false);
    this.invalidate();
  }

  _draw() {
    this._frame = 0;
    const model = this.store.model;
    const nowT = this.clock.now(performance.now(), model);
    const width = this.container.clientWidth;
    const layout = computeLayout(width, model.lanes.list.length, layoutOptions(model));
    this.layout = layout;
    this._resizeCanvas(layout);
    this.viewport.setWidth(layout.plotW);
    this.viewport.update(nowT);
    if (this.pointer) this._repick(nowT);
    render(this.ctx, model, this.viewport, {
      layout,
      nowT,
      replay: this.replay,
      dpr: this._size.dpr,
      hover: this.hover,
    });
    this.hooks.onFrame(nowT);
    // A live run's clock moves on its own: keep drawing while it runs (a replay's while it plays).
    if (this.clock.ticking ?? (model.runId !== null && !model.ended)) this.invalidate();
  }

  /** @param {import("../render/core/layout.js").Layout} layout */
  _resizeCanvas(layout) {
    const dpr = window.devicePixelRatio || 1;
    if (this._size.w === layout.width && this._size.h === layout.height && this._size.dpr === dpr) {
      return;
    }
    this._size = { w: layout.width, h: layout.height, dpr };
    this.canvas.width = Math.round(layout.width * dpr);
    this.canvas.height = Math.round(layout.height * dpr);
    this.canvas.style.height = `${layout.height}px`;
  }

  /** @param {number} nowT */
  _repick(nowT) {
    if (!this.pointer) return;
    const { x, y } = this.pointer;
    const model = this.store.model;
    this.hover = pick(model, this.viewport, this.layout, x, y, nowT, markerMeasure(this.ctx), capMeasure(this.ctx));
    if (this.hover) this.tooltip.show(describe(model, this.hover, nowT), x, y);
    else this.tooltip.hide();
  }

  _bindPointer() {
    const canvas = this.canvas;
    /** @type {{x: number, id: number} | null} */
    let drag = null;
    const local = (/** @type {MouseEvent} */ e) => {
      const r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    canvas.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const { x } = local(e);
        const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
        this.viewport.zoomAt(x - this.layout.plotX, Math.exp(delta * ZOOM_PER_PX));
        this.hooks.onViewChange(false);
        this.invalidate();
      },
      { passive: false },
    );
    canvas.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { x: local(e).x, id: e.pointerId };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      const p = local(e);
      this.pointer = p;
      if (drag && drag.id === e.pointerId) {
        const dx = p.x - drag.x;
        if (dx !== 0) {
          canvas.classList.add("dragging");
          this.viewport.panBy(dx);
          drag.x = p.x;
          this.hooks.onViewChange(false);
        }
      }
      this.invalidate();
    });
    const endDrag = (/** @type {PointerEvent} */ e) => {
      if (drag && drag.id === e.pointerId) drag = null;
      canvas.classList.remove("dragging");
    };
    canvas.addEventListener("pointerup", endDrag);
    canvas.addEventListener("pointercancel", endDrag);
    canvas.addEventListener("pointerleave", () => {
      this.pointer = null;
      this.hover = null;
      this.tooltip.hide();
      this.invalidate();
    });
  }
}
