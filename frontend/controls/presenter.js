// @ts-check
/**
 * Presenter mode, for a 1280×720 projector seen from the back of a hall: large type and strong
 * contrast (style.css, under body[data-presenter]), the run form folded away (the lesson's knobs
 * and the settings line say what runs), the timeline right under the summary so it starts in the
 * upper half of the screen with the lesson beside it, and the legend moved below the timeline.
 * Also fullscreen, which a lecturer wants with it.
 */

/** The presenter-mode switch of one page. */
export class Presenter {
  /**
   * @param {{button: HTMLElement, legend: HTMLElement, legendHome: HTMLElement, legendAway: HTMLElement,
   *   panel: HTMLElement, above: HTMLElement[]}} els  the toggle button; the legend, where it lives
   *   normally and where it goes in presenter mode; the lesson panel, and what is above it
   * @param {(on: boolean) => void} onChange
   */
  constructor(els, onChange) {
    this.els = els;
    this.onChange = onChange;
    this.on = false;
    /** The legend's place in its normal home, to put it back exactly there. */
    this._legendNext = els.legend.nextSibling;
    els.button.addEventListener("click", () => this.set(!this.on));
    // The lesson panel ends at the bottom of the screen, whatever the banners above it take.
    const fit = () => this.fitPanel();
    const watch = new ResizeObserver(fit);
    for (const el of els.above) watch.observe(el);
    window.addEventListener("resize", fit);
  }

  /** In presenter mode, the lesson panel's height: from where it starts to the screen's bottom. */
  fitPanel() {
    const panel = this.els.panel;
    if (!this.on) {
      if (panel.style.maxHeight) panel.style.maxHeight = "";
      return;
    }
    const top = panel.getBoundingClientRect().top + window.scrollY;
    const height = `${Math.max(200, Math.floor(window.innerHeight - top - 6))}px`;
    if (panel.style.maxHeight !== height) panel.style.maxHeight = height;
  }

  /**
   * Turn presenter mode on or off.
   * @param {boolean} on
   */
  set(on) {
    if (on === this.on) return;
    this.on = on;
    if (on) document.body.dataset.presenter = "1";
    else delete document.body.dataset.presenter;
    this.els.button.classList.toggle("active", on);
    this.els.button.setAttribute("aria-pressed", String(on));
    if (on) {
      this.els.legendAway.append(this.els.legend);
    } else {
      this.els.legendHome.insertBefore(this.els.legend, this._legendNext);
    }
    // The layout starts at the top of the page: show it from there.
    window.scrollTo(0, 0);
    this.fitPanel();
    this.onChange(on);
  }
}

/**
 * Fullscreen on or off for the whole page.
 * @returns {Promise<void>}  rejects with the browser's reason (no user gesture, not allowed)
 */
export async function toggleFullscreen() {
  if (document.fullscreenElement) await document.exitFullscreen();
  else await document.documentElement.requestFullscreen();
}
