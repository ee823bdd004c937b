"""One drawing scene for the canvas tests and the render benchmark, in JavaScript.

`SCENE` runs inside an async function whose `arg` holds `events` (a JSON string: far faster
through Playwright than objects) and `width` (CSS px). It leaves in scope: `store`, `model`,
`layout`, `canvas` (in the page), `ctx`, `vp` (showing the whole run up to `nowT`) and
`draw(hover = null)`, which renders one frame. `PIXELS` adds `rgb(x, y)` and `hex(colour)`.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page

SCENE = """
const { EventStore } = await import('/model/core/store.js');
const { computeLayout, layoutOptions } = await import('/render/core/layout.js');
const { Viewport } = await import('/render/core/viewport.js');
const { render } = await import('/render/core/timeline.js');
const store = new EventStore();
store.append('r', JSON.parse(arg.events));
const model = store.model;
const layout = computeLayout(arg.width, model.lanes.list.length, layoutOptions(model));
const canvas = document.createElement('canvas');
canvas.width = layout.width; canvas.height = layout.height;
document.body.append(canvas);
const ctx = canvas.getContext('2d');
const vp = new Viewport(layout.plotW);
const nowT = model.endedT ?? model.maxT;
vp.update(nowT);
const draw = (hover = null) => render(ctx, model, vp, {layout, nowT, dpr: 1, hover});
"""

PIXELS = """
const rgb = (x, y) =>
  Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3));
const hex = (c) => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
"""


def evaluate(js: Page, setup: str, body: str, arg: dict[str, Any], prelude: str = "") -> Any:
    """Run `body` in the scene plus `setup` (more imports and helpers); `arg["events"]` is a
    list of events, sent as JSON. `prelude` runs before the scene is laid out (to register a
    track, say)."""
    return js.evaluate(
        "async (arg) => { const AsyncFn = Object.getPrototypeOf(async () => {}).constructor;"
        " return await new AsyncFn('arg', arg.code)(arg); }",
        {**arg, "events": json.dumps(arg["events"]), "code": prelude + SCENE + setup + body},
    )
