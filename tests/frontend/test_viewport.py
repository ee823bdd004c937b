"""Viewport math, axis ticks and level of detail, evaluated in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


def run(js: Page, body: str, arg: object = None) -> object:
    """Evaluate an async function body that has the render modules in scope."""
    return js.evaluate(
        """async ({body, arg}) => {
            const vpm = await import('/render/core/viewport.js');
            const ticks = await import('/render/core/axis.js');
            const fn = new Function('vpm', 'ticks', 'arg', body);
            return fn(vpm, ticks, arg);
        }""",
        {"body": body, "arg": arg},
    )


def test_time_and_pixels_are_inverse(js: Page) -> None:
    got = run(js, """
        const v = new vpm.Viewport(1000);
        v.follow = false; v.t0 = 2e8; v.t1 = 1.2e9;
        return [v.toX(2e8), v.toX(1.2e9), v.toX(7e8), v.toT(250), v.nsPerPx];
    """)
    assert got == [0, 1000, 500, 4.5e8, 1e6]


def test_zoom_keeps_the_time_under_the_cursor_and_stops_following(js: Page) -> None:
    got = run(js, """
        const v = new vpm.Viewport(1000);
        v.update(2e9);                       // following: shows [0, 2 s]
        const anchor = v.toT(300);
        v.zoomAt(300, 0.5);
        return {anchorAfter: v.toT(300), anchor, span: v.t1 - v.t0, follow: v.follow};
    """)
    assert got["anchorAfter"] == pytest.approx(got["anchor"])
    assert got["span"] == pytest.approx(1e9)
    assert got["follow"] is False


def test_pan_moves_by_pixels_and_stops_following(js: Page) -> None:
    got = run(js, """
        const v = new vpm.Viewport(1000);
        v.update(4e9);
        v.zoomAt(1000, 0.25);                // [3 s, 4 s]
        v.panBy(100);                        // drag right: earlier times
        const afterPan = [v.t0, v.t1, v.follow];
        v.update(9e9);                       // new events do not move a paused view
        return {afterPan, afterUpdate: [v.t0, v.t1]};
    """)
    t0, t1, follow = got["afterPan"]
    assert (t0, t1) == (pytest.approx(2.9e9), pytest.approx(3.9e9))
    assert follow is False
    assert got["afterUpdate"] == got["afterPan"][:2]


def test_following_puts_the_newest_time_at_the_right_edge(js: Page) -> None:
    got = run(js, """
        const v = new vpm.Viewport(800);
        const out = {};
        v.update(5e6); out.young = [v.t0, v.t1];       // young run: minimum span
        v.update(3e9); out.whole = [v.t0, v.t1];       // whole run
        v.zoomAt(400, 0.1); v.goLive(); v.update(5e9); // live with the zoomed span
        out.window = [v.t0, v.t1, v.follow];
        v.fit(); v.update(6e9); out.fit = [v.t0, v.t1];
        return out;
    """)
    assert got["young"] == [0, 1e8]
    assert got["whole"] == [0, 3e9]
    t0, t1, follow = got["window"]
    assert t1 == 5e9 and t1 - t0 == pytest.approx(3e8) and follow is True
    assert got["fit"] == [0, 6e9]


def test_zoom_is_bounded(js: Page) -> None:
    got = run(js, """
        const v = new vpm.Viewport(1000);
        v.update(1e9);
        for (let i = 0; i < 100; i++) v.zoomAt(500, 0.1);
        const narrow = v.t1 - v.t0;
        for (let i = 0; i < 100; i++) v.zoomAt(500, 10);
        return [narrow, v.t1 - v.t0, vpm.MIN_SPAN_NS, vpm.MAX_SPAN_NS];
    """)
    narrow, wide, lo, hi = got
    assert narrow == pytest.approx(lo)
    assert wide == pytest.approx(hi)


@pytest.mark.parametrize(
    ("t0", "t1", "width"),
    [(0, 4e8, 1000), (0, 3e10, 1200), (1.2345e9, 1.2346e9, 900), (0, 3.6e12, 1000)],
)
def test_ticks_are_round_spaced_and_labelled_distinctly(
    js: Page, t0: float, t1: float, width: int
) -> None:
    got = run(js, """
        const {step, values} = ticks.computeTicks(arg.t0, arg.t1, arg.width);
        return {step, values, labels: values.map(t => ticks.formatTick(t, step))};
    """, {"t0": t0, "t1": t1, "width": width})
    values, labels = got["values"], got["labels"]
    assert 3 <= len(values) <= width / 110 + 2
    assert all(t0 <= v <= t1 for v in values)
    step = got["step"]
    mantissa = step / 10 ** len(str(int(step))) * 10
    assert round(mantissa, 6) in (1, 2, 5)
    assert len(set(labels)) == len(labels), labels


def test_tick_labels_use_seconds_or_milliseconds(js: Page) -> None:
    got = run(js, """
        return [ticks.formatTick(0, 2e8), ticks.formatTick(1.4e9, 2e8),
                ticks.formatTick(2.5e8, 5e7), ticks.formatTick(1.23005e9, 5e4),
                ticks.formatTick(30e9, 5e9)];
    """)
    assert got == ["0 s", "1.4 s", "250 ms", "1230.05 ms", "30 s"]
