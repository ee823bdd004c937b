// @ts-check
/**
 * The viewport: which span of run time the plot shows and how it maps onto pixels.
 *
 * Rules it keeps:
 * - While following live the right edge is the run's newest time; the left edge is the run's
 *   start (span null: the whole run) or a fixed span behind the right edge.
 * - Any zoom or pan stops following, so what the user is looking at does not move under them,
 *   until `goLive()` or `fit()`.
 * - All times are ns since the run started; x is in CSS pixels from the plot's left edge.
 */

/** Narrowest span a zoom may reach (10 µs): below that the clock's resolution shows. */
export const MIN_SPAN_NS = 1e4;
/** Widest span (two hours): beyond the longest run the server accepts. */
export const MAX_SPAN_NS = 7.2e12;
/** While a run is young, show at least this much so the first bars do not fill the screen. */
export const MIN_LIVE_SPAN_NS = 1e8;

/** Time <-> pixel mapping with zoom, pan and follow-live. */
export class Viewport {
  /** @param {number} [width] plot width in CSS pixels */
  constructor(width = 800) {
    this.width = Math.max(1, width);
    this.t0 = 0;
    this.t1 = MIN_LIVE_SPAN_NS;
    /** Whether the right edge tracks the newest time. */
    this.follow = true;
    /** @type {number | null} span kept while following; null shows the whole run */
    this.span = null;
  }

  /**
   * Set the plot width, keeping the visible time span.
   * @param {number} width
   */
  setWidth(width) {
    this.width = Math.max(1, width);
  }

  /**
   * Advance to the run's current time when following; otherwise leave the view alone.
   * @param {number} nowT
   */
  update(nowT) {
    if (!this.follow) return;
    if (this.span === null) {
      this.t0 = 0;
      this.t1 = Math.max(nowT, MIN_LIVE_SPAN_NS);
    } else {
      this.t1 = Math.max(nowT, this.span);
      this.t0 = this.t1 - this.span;
    }
  }

  /** Nanoseconds covered by one pixel. */
  get nsPerPx() {
    return (this.t1 - this.t0) / this.width;
  }

  /**
   * Pixel of time t.
   * @param {number} t
   */
  toX(t) {
    return ((t - this.t0) / (this.t1 - this.t0)) * this.width;
  }

  /**
   * Time at pixel x.
   * @param {number} x
   */
  toT(x) {
    return this.t0 + (x / this.width) * (this.t1 - this.t0);
  }

  /**
   * Zoom by `factor` (< 1 zooms in) keeping the time under pixel x where it is.
   * @param {number} x
   * @param {number} factor
   */
  zoomAt(x, factor) {
    const anchor = this.toT(x);
    const span = clamp((this.t1 - this.t0) * factor, MIN_SPAN_NS, MAX_SPAN_NS);
    const frac = x / this.width;
    this.t0 = anchor - frac * span;
    this.t1 = this.t0 + span;
    this.follow = false;
    this._keepStartInView();
  }

  /**
   * Move the view by dx pixels (positive drags content right, showing earlier times).
   * @param {number} dx
   */
  panBy(dx) {
    const dt = dx * this.nsPerPx;
    this.t0 -= dt;
    this.t1 -= dt;
    this.follow = false;
    this._keepStartInView();
  }

  /** Follow the newest time again, keeping the current zoom as a sliding window. */
  goLive() {
    this.follow = true;
    this.span = this.t1 - this.t0;
  }

  /** Show the whole run and follow it. */
  fit() {
    this.follow = true;
    this.span = null;
  }

  /**
   * Show exactly [t0, t1] and stop following (a replay shows its whole run around the cursor).
   * @param {number} t0
   * @param {number} t1
   */
  show(t0, t1) {
    this.t0 = t0;
    this.t1 = Math.max(t1, t0 + 1);
    this.follow = false;
  }

  /**
   * Put time t in the middle of the plot, keeping the zoom, and stop following.
   * @param {number} t
   */
  centreOn(t) {
    const span = this.t1 - this.t0;
    this.t0 = t - span / 2;
    this.t1 = t + span / 2;
    this.follow = false;
    this._keepStartInView();
  }

  /** Do not let the run's start slide past the middle of the plot: there is nothing before it. */
  _keepStartInView() {
    const span = this.t1 - this.t0;
    const minT0 = -span / 2;
    if (this.t0 < minT0) {
      this.t0 = minT0;
      this.t1 = minT0 + span;
    }
  }
}

/**
 * @param {number} v
 * @param {number} lo
 * @param {number} hi
 */
function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
