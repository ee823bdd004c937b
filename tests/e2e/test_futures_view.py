"""The Future lifecycle and the deadlock warning on a real run: the page traces the deadlock
lesson's example (`schedviz trace --live` of examples/lesson_deadlock.py, a real server, real
thread pools). The banner names each deadlock's wait-for chain as the recording has it, within
2 s of the deadlock event reaching the page; the canvas draws the warning and the waits; hovering
the warning explains it; the page looks right (screenshot); and replayed, the banner follows the
cursor."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.timeout(120)

# Before the page's own code: note when a websocket message carrying a deadlock first arrives,
# and when the deadlock banner first appears (both as Date.now(), ms).
WATCH = """
(() => {
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (window.__deadlockArrived === undefined && typeof e.data === 'string'
            && e.data.includes('"kind":"deadlock"')) window.__deadlockArrived = Date.now();
      });
    }
  };
  new MutationObserver(() => {
    if (window.__bannerShown === undefined
        && document.querySelector('.banner[data-key="run:deadlock"]')) {
      window.__bannerShown = Date.now();
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""

# Pixels of the timeline canvas in a colour: how many, and the box of the widest row run of
# them (a label's box rather than a 3 px line).
COLOUR_BOX = """
([hex]) => {
  const canvas = document.getElementById('timeline-canvas');
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  const data = ctx.getImageData(0, 0, width, height).data;
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  let best = null;
  for (let y = 0; y < height; y++) {
    let run = 0;
    for (let x = 0; x <= width; x++) {
      const i = (y * width + x) * 4;
      const hit = x < width && data[i] === want[0] && data[i + 1] === want[1]
        && data[i + 2] === want[2];
      if (hit) { count++; run++; continue; }
      if (run > 0 && (!best || run > best.w)) best = { x: x - run, y, w: run };
      run = 0;
    }
  }
  const scale = canvas.getBoundingClientRect().width / width;
  return { count, best: best && { x: best.x * scale, y: best.y * scale, w: best.w * scale } };
}
"""


def recording_events(server: str, run_id: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server}/api/recordings/{run_id}/events") as res:
        return [json.loads(line) for line in res.read().decode().splitlines() if line]


def chain_text(chain: list[list[int]]) -> str:
    """A wait-for chain as the page writes it: "#0 → #1", "#2 → #3 → #2"."""
    return " → ".join(f"#{t}" for t in [chain[0][0], *(pair[1] for pair in chain)])


def test_the_deadlock_lesson_shows_its_chains_waits_and_warning(  # type: ignore[no-untyped-def]
        page: Page, server: str, screenshot) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH)
    page.goto(server)
    page.wait_for_function("document.getElementById('connection').dataset.state === 'open'")
    expect(page.locator("#examples")).to_be_visible()
    page.select_option("#example-select", "lesson_deadlock")
    page.click("#example-run")
    # The first deadlock comes at once; its banner must be up long before the run ends.
    page.wait_for_function("window.__bannerShown !== undefined", timeout=30_000)
    page.wait_for_function("document.getElementById('timeline').dataset.runState === 'ended'",
                           timeout=60_000)
    arrived, shown = page.evaluate("[window.__deadlockArrived, window.__bannerShown]")
    assert arrived is not None
    assert 0 <= shown - arrived < 2000, f"banner {shown - arrived} ms after the event arrived"

    run_id = page.locator("#timeline").get_attribute("data-run-id")
    assert run_id
    events = recording_events(server, run_id)
    deadlocks = [e for e in events if e["kind"] == "deadlock"]
    assert len(deadlocks) == 2, [e["kind"] for e in events]
    last = deadlocks[-1]
    chain = chain_text(last["chain"])
    banner = page.locator('.banner[data-key="run:deadlock"]')
    expect(banner).to_contain_text(f"Deadlock in pool {last['pool']}: {chain}.")
    expect(banner).to_contain_text("(and 1 more)")

    # On the canvas: the warnings' labels in red, the waits in purple.
    page.wait_for_timeout(0)  # let the frame that follows the run's end be drawn
    colours = page.evaluate("async () => (await import('/render/core/theme.js')).FUTURE_COLORS")
    red = page.evaluate(COLOUR_BOX, [colours["deadlock"]])
    purple = page.evaluate(COLOUR_BOX, [colours["wait"]])
    assert red["best"] is not None and red["best"]["w"] > 150, red
    waits = [e for e in events if e["kind"] == "future_wait"]
    assert purple["count"] > 200 * len(waits), purple

    # Hovering a warning explains it with its chain, as the recording has it.
    label = red["best"]
    canvas = page.locator("#timeline-canvas")
    box = canvas.bounding_box()
    assert box is not None
    # Scroll the label to the middle of the window: the pointer only hovers what is in view.
    page.evaluate("(dy) => window.scrollBy(0, dy)", box["y"] + label["y"] - 400)
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + label["x"] + 30, box["y"] + label["y"] + 4)
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Deadlock in pool")
    text = tooltip.inner_text()
    hovered = next(d for d in deadlocks if f"Deadlock in pool {d['pool']}" in text)
    expect(tooltip).to_contain_text(chain_text(hovered["chain"]))
    screenshot("futures-deadlock-lesson")

    # Replayed from the library, the banner follows the cursor: none before the first deadlock,
    # the first's chain between the two, both again at the end.
    page.click("#library-button")
    page.locator(f"#library tr[data-id='{run_id}'] .library-replay").click()
    page.wait_for_function("document.body.dataset.replay === 'ready'")
    expect(banner).to_contain_text(f"{chain}.")
    first = deadlocks[0]
    page.evaluate(f"schedviz.player.seekTime({first['t'] - 1_000_000})")
    expect(banner).to_have_count(0)
    page.evaluate(f"schedviz.player.seekTime({(first['t'] + last['t']) // 2})")
    first_text = f"Deadlock in pool {first['pool']}: {chain_text(first['chain'])}."
    expect(banner).to_contain_text(first_text)
    expect(banner).not_to_contain_text("more)")
    page.keyboard.press("End")
    expect(banner).to_contain_text("(and 1 more)")
    assert not errors, f"uncaught errors in the page: {errors}"
