"""A weighting workshop in real browsers: two participants join from their own browser
contexts, both submit, and the facilitator's page shows both.

Starts ``streamlit run app.py`` as tests/test_e2e.py does, with ``CITYKIT_DATA`` pointing at a
temporary folder; the workshop is opened beforehand through the library in that same folder, so
the test knows its code and the facilitator's key.
"""

from __future__ import annotations

import pytest

from citykit.scenario import Scenario, run
from citykit.ui.workshop import dimension_labels, dimensions
from citykit.workshop import WorkshopStore

from .test_e2e import CHROME_ARGS, CHROMIUM

TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


def _join_and_submit(browser, url: str, code: str, *, name: str | None, pairwise: bool) -> None:
    """One participant in a browser context of their own (own cookies, own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{url}/workshop?ws={code}")
        page.get_by_role("button", name="Join", exact=True).wait_for(timeout=TIMEOUT_MS)
        if name:
            page.get_by_label("Your name").fill(name)
            page.get_by_label("Your name").press("Enter")  # commit the text before the click
        page.get_by_role("button", name="Join", exact=True).click()
        page.get_by_text("You take part as").wait_for(timeout=TIMEOUT_MS)
        if pairwise:
            page.get_by_text("Pairwise judgements (AHP)").click()
            page.get_by_text("Your consistency ratio").wait_for(timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Submit", exact=True).click()
        page.get_by_text("Submitted at").wait_for(timeout=TIMEOUT_MS)
    finally:
        context.close()


def test_two_participants_submit_and_the_facilitator_sees_both(server, data_folder):
    from playwright.sync_api import sync_playwright

    result = run(Scenario())
    dims = dimensions(result.matrix.criteria)
    ws, key = WorkshopStore(data_folder).create_workshop(
        "E2E workshop", dims, labels=dimension_labels(dims, result.framework),
        framework=Scenario().framework, dataset=Scenario().dataset,
        scenario=Scenario().to_json())
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
        try:
            _join_and_submit(browser, server, ws.code, name="Ana", pairwise=False)
            _join_and_submit(browser, server, ws.code, name=None, pairwise=True)

            page = browser.new_page(viewport={"width": 1300, "height": 1200})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/workshop?ws={ws.code}&key={key}")
            table = page.get_by_test_id("stTable").first
            table.wait_for(timeout=TIMEOUT_MS)
            page.get_by_text("2 joined of at most 200, 2 submitted").wait_for(timeout=TIMEOUT_MS)
            rows = [r.inner_text() for r in table.locator("tbody tr").all()]
            page.screenshot(path=str(data_folder / "facilitator.png"), full_page=True)

            # Live: a third participant (through the library) appears without a reload.
            store = WorkshopStore(data_folder)
            late = store.join(ws.code, "Late")
            store.submit_weights(ws.code, late.token, dict.fromkeys(dims, 1 / len(dims)))
            page.get_by_text("3 joined of at most 200, 3 submitted").wait_for(timeout=TIMEOUT_MS)
        finally:
            browser.close()
    assert len(rows) == 2, rows
    assert "Participant 1" in rows[0] and "Ana" in rows[0] and "submitted" in rows[0]
    assert "Participant 2" in rows[1] and "anonymous" in rows[1] and "pairwise" in rows[1]
    assert "not submitted yet" not in " ".join(rows)
    group = WorkshopStore(data_folder).group(ws.code)
    assert group.participants["name"].tolist() == ["Ana", None, "Late"]
    assert group.participants["kind"].tolist() == ["weights", "pairwise", "weights"]
    assert errors == [], f"page errors: {errors}"
