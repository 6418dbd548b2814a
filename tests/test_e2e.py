"""The app in a real browser: the offline map draws, and the page asks nothing of the internet.

Starts ``streamlit run app.py`` exactly as the README does (only the address, port and file
watcher are set on the command line; usage statistics must be turned off by the project's
``.streamlit/config.toml``), drives Debian's Chromium with Playwright, and checks pixels of the
map rather than the mere presence of a canvas.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: Share of the map's pixels that must differ from the white background (polygons drawn).
MIN_DRAWN_SHARE = 0.15
#: Pixels of a saturated colour (city markers, choropleth colours) that must be present.
MIN_COLOURED_PIXELS = 1500

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on a free loopback port; killed in teardown."""
    port = _free_port()
    home = tmp_path_factory.mktemp("home")  # no user-level ~/.streamlit config can help out
    log = (home / "streamlit.log").open("w")
    env = {**os.environ, "HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _pixel_counts(png: bytes) -> tuple[float, int]:
    """Share of non-white pixels, and the number of saturated (clearly coloured) pixels."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())
    drawn = sum(1 for r, g, b in pixels if min(r, g, b) < 250)
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 50)
    return drawn / len(pixels), coloured


def _wait_for_drawn_map(page, timeout: float = 25.0) -> tuple[float, int, bytes]:
    """Screenshot the map until its pixels show polygons and coloured markers (or time runs out)."""
    from playwright.sync_api import Error as PlaywrightError

    canvas = page.locator("[data-testid='stPlotlyChart'] canvas").first
    deadline = time.monotonic() + timeout
    share, coloured, png = 0.0, 0, b""
    while time.monotonic() < deadline:
        try:  # a rerun may replace the canvas between two calls: then look again
            canvas.wait_for(timeout=timeout * 1000)
            png = canvas.screenshot(timeout=5000)
        except PlaywrightError:
            time.sleep(0.5)
            continue
        share, coloured = _pixel_counts(png)
        if share > MIN_DRAWN_SHARE and coloured > MIN_COLOURED_PIXELS:
            break
        time.sleep(0.5)
    return share, coloured, png


def _map_title(page) -> str:
    return page.locator("[data-testid='stPlotlyChart'] .gtitle").first.text_content() or ""


def test_offline_map_draws_and_no_outside_request(server, tmp_path):
    from playwright.sync_api import sync_playwright

    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: outside.append(r.url)
                    if urlsplit(r.url).hostname not in LOCAL_HOSTS
                    and urlsplit(r.url).scheme not in ("data", "blob") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server)

            # The default view: the candidate cities over the province outlines.
            share, coloured, png = _wait_for_drawn_map(page)
            (tmp_path / "cities.png").write_bytes(png)
            assert share > MIN_DRAWN_SHARE, f"only {share:.1%} of the map is drawn"
            assert coloured > MIN_COLOURED_PIXELS, f"only {coloured} coloured pixels (markers)"
            assert page.get_by_test_id("stDataFrame").first.is_visible()

            # The indicator layer: provinces coloured by value.
            page.get_by_text("Indicator by province").click()
            page.wait_for_function(
                "() => !document.querySelector(\"[data-testid='stPlotlyChart'] .gtitle\")"
                "?.textContent.includes('candidate cities')", timeout=20000)
            share, coloured, png = _wait_for_drawn_map(page)
            (tmp_path / "indicator.png").write_bytes(png)
            assert coloured > MIN_COLOURED_PIXELS * 10, "the choropleth has too few coloured pixels"

            # Persian: the title and the page direction switch.
            page.get_by_text("فارسی").click()
            page.get_by_role("heading", name="شهرهای نامزد", exact=False).wait_for(timeout=20000)
            page.wait_for_function(
                "() => getComputedStyle(document.querySelector(\"[data-testid='stMain']\"))"
                ".direction === 'rtl'", timeout=20000)
            _wait_for_drawn_map(page)
            assert any("۰" <= ch <= "۹" for ch in _map_title(page)), _map_title(page)
        finally:
            browser.close()
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], f"page errors: {errors}"
