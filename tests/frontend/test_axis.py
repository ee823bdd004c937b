"""The view's mode in the time axis's label column (render/core/axis.js): a replay, a run that
ended, the live edge, a paused view."""

from __future__ import annotations

from playwright.sync_api import Page


def test_the_label_says_what_the_view_shows(js: Page) -> None:
    got = js.evaluate("""async () => {
        const m = await import("/render/core/axis.js");
        const follow = {follow: true}, paused = {follow: false};
        return [
            m.viewMode(follow, {replay: false, ended: false}).text,
            m.viewMode(follow, {replay: false, ended: true}).text,
            m.viewMode(paused, {replay: false, ended: true}).text,
            m.viewMode(follow, {replay: true, ended: true}).text,
        ];
    }""")
    assert got == ["● LIVE", "■ run ended", "❚❚ paused view", "◆ REPLAY"]
