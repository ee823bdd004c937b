// @ts-check
/**
 * Keyboard shortcuts of the page: whether a key press belongs to a text field (then no shortcut
 * fires), and the `?` overlay listing every shortcut. Each control defines its own keys in one
 * table and registers it here, so the list shown is the list handled.
 */
import { button, make } from "./library.js";

/**
 * Whether a key press goes to a text field (a shortcut must not fire then).
 * @param {EventTarget | null} target
 */
export function typingIn(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** @typedef {{keys: string[], does: string}} Shortcut */

/** The `?` overlay: every registered group of shortcuts, opened and closed by `?` and Esc. */
export class ShortcutHelp {
  /**
   * @param {HTMLElement} el  the overlay (a dialog-like section, hidden at first)
   * @param {HTMLElement | null} toggle  a button that opens it too
   */
  constructor(el, toggle) {
    this.el = el;
    /** @type {{title: string, keys: Shortcut[], when: () => boolean}[]} */
    this.groups = [];
    el.hidden = true;
    el.setAttribute("role", "dialog");
    el.setAttribute("aria-label", "keyboard shortcuts");
    toggle?.addEventListener("click", () => this.toggle());
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      if (e.key === "?") {
        e.preventDefault();
        this.toggle();
      } else if (e.key === "Escape" && !this.el.hidden) {
        e.preventDefault();
        this.el.hidden = true;
      }
    });
  }

  /**
   * Add a group of shortcuts to the list.
   * @param {string} title
   * @param {Shortcut[]} keys
   * @param {() => boolean} [when]  whether they apply now (shown dimmed otherwise)
   */
  register(title, keys, when = () => true) {
    this.groups.push({ title, keys, when });
  }

  toggle() {
    if (this.el.hidden) this._render();
    this.el.hidden = !this.el.hidden;
  }

  _render() {
    const close = button("✕ Close", "shortcuts-close");
    close.addEventListener("click", () => (this.el.hidden = true));
    const parts = [make("h2", undefined, "Keyboard shortcuts"), close];
    for (const g of this.groups) {
      const section = make("section", g.when() ? "shortcuts-group" : "shortcuts-group inactive");
      section.append(make("h3", undefined, g.when() ? g.title : `${g.title} (not now)`));
      const dl = make("dl");
      for (const k of g.keys) {
        const dt = make("dt");
        k.keys.forEach((key, i) => {
          if (i > 0) dt.append(" or ");
          dt.append(make("kbd", undefined, key));
        });
        dl.append(dt, make("dd", undefined, k.does));
      }
      section.append(dl);
      parts.push(section);
    }
    this.el.replaceChildren(...parts);
    this.el.dataset.groups = String(this.groups.length);
  }
}
