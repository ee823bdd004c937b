"""The timeline's type scale (render/core/theme.js): presenter mode draws every label larger
through the one `font` helper, within bounds."""

from __future__ import annotations

from playwright.sync_api import Page


def test_font_sizes_follow_the_scale_within_its_bounds(js: Page) -> None:
    got = js.evaluate("""async () => {
        const m = await import("/render/core/theme.js");
        const sizes = [m.font(15)];
        m.setFontScale(1.2); sizes.push(m.font(15, "bold"));
        m.setFontScale(9); sizes.push(m.font(15));
        m.setFontScale(0.5); sizes.push(m.font(15));
        m.setFontScale(1);
        return sizes.map((f) => f.split(" ").slice(0, 2).join(" "));
    }""")
    assert got == ["normal 15px", "bold 18px", "normal 23px", "normal 15px"]
