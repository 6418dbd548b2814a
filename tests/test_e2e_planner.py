"""What a planner reads in the browser (issue 15): no false errors, the right labels.

Uses the module-scoped ``server`` and ``browser`` fixtures of ``tests/conftest.py``. AppTest does
not reproduce the first defect: Chromium sends a select box's choice back as its label, and when
the label changed with the method ("Method default (Vector …)" for TOPSIS, "Method default
(Min-max …)" for PROMETHEE II) the old label matched nothing and reached the scenario as a
normalisation name.
"""

from __future__ import annotations

import re
import time

import pytest

from citykit.aggregate import METHODS, get_method
from citykit.i18n import tr
from citykit.ui import weights as _labels  # noqa: F401  (registers the page's strings)

from .test_app_weights import _transitions
from .test_e2e import CHROMIUM, _settle

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]

#: How long one method change may take to show its result (a re-rank of 8 cities: well under
#: a second on a quiet machine; generous for a loaded CI runner).
CHANGE_S = 30.0


def _box(page, label: str):
    """A select box's input (Streamlit labels it with the box's label)."""
    return page.locator(f"[data-testid='stSelectbox'] input[aria-label='{label}']").first


def _shown(box) -> str:
    """The text of a select box's current choice."""
    return box.input_value().strip()


def test_every_method_change_applies_without_an_error_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{server}/weights")
        _settle(page)
        method, normalisation = _box(page, "Method"), _box(page, "Normalisation")
        walk = _transitions(list(METHODS))
        for before, after in zip(walk, walk[1:], strict=False):
            name = tr(f"wt_m_{after}", "en")
            method.click()
            page.get_by_role("option", name=name, exact=True).click()
            expected = tr("wt_norm_default", "en",
                          name=tr(f"wt_n_{get_method(after).default_normalisation}", "en"))
            deadline = time.monotonic() + CHANGE_S
            while time.monotonic() < deadline and (_shown(method) != name
                                                   or _shown(normalisation) != expected):
                time.sleep(0.2)
            _settle(page)
            assert (_shown(method), _shown(normalisation)) == (name, expected), (
                f"{before} -> {after}: waited {CHANGE_S} s for the method box to show {name!r} "
                f"and the normalisation box {expected!r}")
            alerts = [a.inner_text() for a in page.locator("[data-testid='stAlert']").all()]
            assert not [a for a in alerts if "not applied" in a or "Unknown" in a], (
                f"{before} -> {after}: {alerts}")
    finally:
        page.close()
    assert errors == [], errors


def test_the_persian_map_page_reads_right(server, browser):
    """Issue 15, items 5 and 6, in Chromium at 1500 x 1100: no "(no data)" in Persian, Persian
    digits on the readiness x need chart's ticks, the mouse wheel over the map scrolls the page
    (the map keeps its zoom), and the ranking table shows every column without scrolling."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    try:
        page.goto(f"{server}/?lang=fa")
        _settle(page)
        charts = page.locator("[data-testid='stPlotlyChart']")
        charts.nth(1).locator(".xtick text").first.wait_for(timeout=CHANGE_S * 1000)
        html = page.content()
        assert "no data" not in html and "(no data)" not in html
        ticks = charts.nth(1).locator(".xtick text, .ytick text").all_text_contents()
        assert ticks and all(re.fullmatch(r"[۰-۹٫٬−\-]+", t) for t in ticks), ticks

        the_map = charts.first.locator(".js-plotly-plot").first
        zoom = lambda: the_map.evaluate("d => d._fullLayout.map.zoom")  # noqa: E731
        scrolled = lambda: page.evaluate(  # noqa: E731
            "() => document.querySelector(\"[data-testid='stMain']\").scrollTop")
        before, top = zoom(), scrolled()
        box = the_map.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 600)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and scrolled() == top:
            time.sleep(0.1)
        assert zoom() == pytest.approx(before), "the wheel zoomed the map"
        assert scrolled() > top, "the wheel over the map did not scroll the page"

        grid = page.locator("[data-testid='stDataFrame']").filter(
            has=page.locator("text=رتبه")).first
        grid.scroll_into_view_if_needed()
        widths = grid.locator(".dvn-scroller").first.evaluate(
            "e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1] + 2, f"the ranking table scrolls sideways: {widths}"
    finally:
        page.close()
