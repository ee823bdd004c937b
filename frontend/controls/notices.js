// @ts-check
/**
 * Visible notices: banners that stay until dismissed or until the next run (run errors,
 * warnings, dropped events, a refused control message), and short-lived toasts.
 */

/** Banners and toasts for one page. */
export class Notices {
  /**
   * @param {HTMLElement} bannerBox
   * @param {HTMLElement} toastBox
   */
  constructor(bannerBox, toastBox) {
    this.bannerBox = bannerBox;
    this.toastBox = toastBox;
    /** @type {Map<string, HTMLElement>} */
    this._banners = new Map();
  }

  /**
   * Show (or update) the banner with this key.
   * @param {string} key
   * @param {"error" | "warning" | "info"} level  info: progress and hints, not a problem
   * @param {string} text
   */
  banner(key, level, text) {
    let el = this._banners.get(key);
    if (!el) {
      el = document.createElement("div");
      el.className = `banner ${level}`;
      el.dataset.key = key;
      el.setAttribute("role", level === "error" ? "alert" : "status");
      const span = document.createElement("span");
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "dismiss";
      close.addEventListener("click", () => this.clear(key));
      el.append(span, close);
      this.bannerBox.append(el);
      this._banners.set(key, el);
    }
    // The same key may change level (a load that fails after its progress was shown).
    if (el.className !== `banner ${level}`) {
      el.className = `banner ${level}`;
      el.setAttribute("role", level === "error" ? "alert" : "status");
    }
    const span = /** @type {HTMLElement} */ (el.firstChild);
    if (span.textContent !== text) span.textContent = text;
  }

  /**
   * Remove the banner with this key.
   * @param {string} key
   */
  clear(key) {
    this._banners.get(key)?.remove();
    this._banners.delete(key);
  }

  /**
   * Remove every banner whose key starts with `prefix` (e.g. all of the previous run's).
   * @param {string} prefix
   */
  clearPrefix(prefix) {
    for (const key of [...this._banners.keys()]) if (key.startsWith(prefix)) this.clear(key);
  }

  /**
   * A message that disappears after `ms`.
   * @param {string} text
   * @param {number} [ms]
   */
  toast(text, ms = 8000) {
    const el = document.createElement("div");
    el.className = "toast";
    el.setAttribute("role", "alert");
    el.textContent = text;
    this.toastBox.append(el);
    setTimeout(() => el.remove(), ms);
  }
}
