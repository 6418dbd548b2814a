"""Crafted names in a real browser (issue 14, item 2): no outside image, link, KaTeX or request.

A workshop is opened through the library with a hostile title, hostile dimension labels (they
become slider labels), a participant with a hostile name and a saved scenario with a hostile
name; then the participant's page, the facilitator's page and a reflected ``?ws=`` attack are
opened in Chromium. No ``img`` may point outside, no ``a[href^=http]`` may leave localhost, no
``.katex`` node may appear, and no request may leave 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from citykit.scenario import Scenario
from citykit.workshop import WorkshopStore

from .test_e2e import CHROMIUM, LOCAL_HOSTS

TIMEOUT_MS = 30_000
IMAGE = "![x](http://203.0.113.9/r.png)"
LINK = "[Re-login here](http://203.0.113.9/login)"
KATEX = "$x^2$"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


def _outside(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname not in LOCAL_HOSTS


def _check(browser, url: str, wait_for: str) -> None:
    """Open `url`, wait for `wait_for`, and find nothing live from the crafted names."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url) if _outside(r.url) else None)
        page.goto(url)
        page.get_by_text(wait_for).first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)  # let late elements (tables, fragments) render
        images = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
        links = page.eval_on_selector_all("a[href^=http]", "els => els.map(e => e.href)")
        assert not [s for s in images if _outside(s)], f"outside images on {url}: {images}"
        assert not [h for h in links if _outside(h)], f"outside links on {url}: {links}"
        assert page.locator(".katex").count() == 0, f"KaTeX rendered on {url}"
        assert not requests, f"requests leaving 127.0.0.1 from {url}: {requests}"
        body = page.locator("[data-testid='stMain']").inner_text()
        return body
    finally:
        context.close()


def test_crafted_names_stay_inert_in_the_browser(server, browser, data_folder):
    store = WorkshopStore(data_folder)
    ws, key = store.create_workshop(f"Pilot {IMAGE} {LINK}", ["a", "b"], labels={
        "a": {"en": f"Economy {IMAGE}", "fa": f"اقتصاد {IMAGE}"},
        "b": {"en": f"Health {KATEX}", "fa": KATEX}})
    bob = store.join(ws.code, f"Bob {LINK} {IMAGE}")
    store.submit_weights(ws.code, bob.token, {"a": 0.5, "b": 0.5})
    store.save_scenario(f"Saved {IMAGE} {KATEX}", Scenario().to_json())

    body = _check(browser, f"{server}/workshop?ws={ws.code}", "Join")
    assert "203.0.113.9/r.png" in body  # shown as text, not loaded
    body = _check(browser, f"{server}/workshop?ws={ws.code}&key={quote(key)}",
                  "Live view")
    assert "Re-login here" in body and "Bob" in body
    _check(browser, f"{server}/workshop?ws={quote(IMAGE)}", "Weighting workshop")
    _check(browser, f"{server}/workshop?ws={quote(LINK)}&lang=fa", "کارگاه")
