"""The track interface: a view that is not shipped (a fixture defined here) registers itself and
is laid out, drawn, hit-tested, described and given a legend entry by the same loops as the
shipped views, without any other module knowing of it. Also: the registry refuses malformed
tracks with a message, and the shipped tracks stack in the order the README draws."""

from __future__ import annotations

from typing import Any

from canvas_scene import evaluate as scene
from playwright.sync_api import Page
from synthetic_runs import batch

# A "probe" track: a 40 px band above the queue track whose height depends on the model (none
# before the run has tasks), filled with one colour, that answers hovers with the time under
# the pointer and describes them. `arg.register` says whether to register it. Each test has a
# page of its own, so a registration does not outlive its test.
PRELUDE = """
const { registerTrack, tracks } = await import('/render/tracks.js');
const layoutModule = await import('/render/core/layout.js');
const { EventStore: Store } = await import('/model/core/store.js');
const unregistered = new Store();
unregistered.append('r', JSON.parse(arg.events));
const m0 = unregistered.model;
const before = layoutModule.computeLayout(arg.width, m0.lanes.list.length,
                                          layoutModule.layoutOptions(m0));
const PROBE_COLOUR = '#13579b';
if (arg.register) registerTrack({
  id: 'probe',
  layoutOptions: (m) => ({ probe: m.submitted > 0 }),
  getHeight: (o) => (o.probe ? 40 : 0),
  layoutFields: (box) => ({ probeY: box.y }),
  render: (ctx, { layout }, box) => {
    ctx.fillStyle = PROBE_COLOUR;
    ctx.fillRect(layout.plotX, box.y, layout.plotW, box.h);
  },
  onMouseMove: ({ vp, layout }, box, x, y) =>
    x >= layout.plotX && y < box.y + box.h ? { type: 'probe', t: vp.toT(x - layout.plotX) } : null,
  describe: (m, hit) => (hit.type === 'probe' ? { title: `Probe at ${Math.round(hit.t)} ns`,
    rows: [['tasks', String(m.submitted)]] } : null),
  legend: (m) => ({ probe: m.submitted > 0 }),
}, { before: 'queue' });
"""

SETUP = """
const { markerMeasure } = await import('/render/core/timeline.js');
const { pick } = await import('/render/core/pick.js');
const { describe } = await import('/render/core/describe.js');
const { updateLegend } = await import('/controls/legend.js');
"""

BODY = """
draw();
const box = layout.boxes.probe ?? null;
const x = layout.plotX + layout.plotW / 2;
const y = box ? box.y + box.h / 2 : layout.queueY - 6;
const px = Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
const hit = pick(model, vp, layout, x, y, nowT, markerMeasure(ctx));
const legend = document.createElement('ul');
updateLegend(legend, model, nowT);
return {
  ids: tracks().map((t) => t.id),
  box, probeY: layout.probeY ?? null,
  queueShift: layout.queueY - before.queueY, heightShift: layout.height - before.height,
  lanesY: [before.lanesY, layout.lanesY],
  px, hit: hit && { type: hit.type, t: hit.t ?? null },
  desc: hit ? describe(model, hit, nowT) : null,
  legend: [...legend.classList],
  expectedT: vp.toT(x - layout.plotX),
};
"""


def probe(js: Page, events: list[dict[str, Any]], register: bool) -> Any:
    return scene(js, SETUP, BODY, {"events": events, "width": 1200, "register": register},
                 prelude=PRELUDE)


def test_a_registered_track_is_laid_out_drawn_picked_described_and_in_the_legend(js: Page) -> None:
    run = batch(12, 3)
    got = probe(js, run.events, register=True)
    assert got["ids"] == [
        "axis", "markers", "bookmarks", "gil", "aio", "future-marks", "lanes", "lab", "futures",
        "probe", "queue", "cursor"]
    # Laid out: its own 40 px box right above the queue track, which moves down by as much; the
    # tracks above it do not move.
    assert got["box"] is not None and got["box"]["h"] == 40
    assert got["probeY"] == got["box"]["y"]
    assert got["queueShift"] == 40 and got["heightShift"] == 40
    assert got["lanesY"][0] == got["lanesY"][1]
    # Drawn: the canvas shows its colour in its box.
    assert got["px"] == [0x13, 0x57, 0x9B]
    # Hit-tested and described by the shared picker and tooltip.
    assert got["hit"]["type"] == "probe"
    assert abs(got["hit"]["t"] - got["expectedT"]) < 1
    assert got["desc"]["title"] == f"Probe at {round(got['expectedT'])} ns"
    assert got["desc"]["rows"] == [["tasks", "12"]]
    # Its legend entry is switched on by the shared legend loop.
    assert "probe" in got["legend"]


def test_without_the_track_nothing_of_it_appears(js: Page) -> None:
    run = batch(12, 3)
    got = probe(js, run.events, register=False)
    assert "probe" not in got["ids"]
    assert got["box"] is None and got["queueShift"] == 0
    assert got["hit"] is None or got["hit"]["type"] != "probe"
    assert "probe" not in got["legend"]
    assert got["px"] != [0x13, 0x57, 0x9B]


def test_a_track_sizes_itself_from_the_model(js: Page) -> None:
    # Before any task is submitted the probe asks for no height: its box is empty.
    run = batch(12, 3)
    started = [e for e in run.events if e["kind"] in ("run_started",)]
    got = probe(js, started, register=True)
    assert got["box"] == {"y": got["box"]["y"], "h": 0}
    assert got["queueShift"] == 0


def test_the_registry_refuses_malformed_tracks_with_a_message(js: Page) -> None:
    errors = js.evaluate("""async () => {
        const { registerTrack, tracks } = await import('/render/tracks.js');
        const attempt = (track, where) => {
            try { registerTrack(track, where); return null; } catch (e) { return e.message; }
        };
        const out = [
            attempt({ getHeight: () => 1 }),
            attempt({ id: 'x' }),
            attempt({ id: 'x', getHeight: () => 1, onMouseOver: () => null }),
            attempt({ id: 'lanes', getHeight: () => 1 }),
            attempt({ id: 'x', getHeight: () => 1 }, { before: 'nowhere' }),
        ];
        return { out, ids: tracks().map((t) => t.id) };
    }""")
    out = errors["out"]
    assert out[0] == "a track needs a non-empty string id"
    assert out[1] == 'track "x" needs a getHeight function'
    assert out[2].startswith('track "x" has unknown properties: onMouseOver (allowed: id, ')
    assert out[3] == 'a track "lanes" is already registered'
    assert out[4] == 'no track "nowhere" to put "x" above'
    # Nothing was registered by the refused attempts.
    assert errors["ids"] == ["axis", "markers", "bookmarks", "gil", "aio", "future-marks", "lanes",
                             "lab", "futures", "queue", "cursor"]
