"""The app in a real browser: every page loads, the maps draw, and nothing leaves the machine.

Starts ``streamlit run app.py`` exactly as the README does (only the address, port and file
watcher are set on the command line; usage statistics must be turned off by the project's
``.streamlit/config.toml``), drives Debian's Chromium with Playwright, and checks pixels of the
maps rather than the mere presence of a canvas. The main journeys: every page, a weight moved
and the ranking redone, the Persian interface, and the dossier's workbook downloaded and opened.

With ``CITYKIT_SCREENSHOTS=docs`` the page tour also saves the screenshots shown in the README.
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


def start_app(home: Path, **env: str) -> tuple[str, subprocess.Popen]:
    """``streamlit run app.py`` on a free loopback port, with HOME=`home` (so no user-level
    ``~/.streamlit`` config can help out) and the extra environment `env`; its log goes to
    ``home/streamlit.log``. Returns the URL once the server answers, and the process."""
    port = _free_port()
    with (home / "streamlit.log").open("a") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address",
             "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "HOME": str(home), **env}, stdout=log,
            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
    except BaseException:
        stop_app(proc)
        raise
    return url, proc


def stop_app(proc: subprocess.Popen) -> None:
    """Terminate the server (kill it if it does not stop within 10 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free loopback port; stopped in teardown."""
    url, proc = start_app(tmp_path_factory.mktemp("home"))
    try:
        yield url
    finally:
        stop_app(proc)


def _pixel_counts(png: bytes) -> tuple[float, int]:
    """Share of non-white pixels, and the number of saturated (clearly coloured) pixels."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = list(image.getdata())
    drawn = sum(1 for r, g, b in pixels if min(r, g, b) < 250)
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 50)
    return drawn / len(pixels), coloured


def _wait_for_drawn_map(page, timeout: float = 25.0, coloured_min: int = MIN_COLOURED_PIXELS
                        ) -> tuple[float, int, bytes]:
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
        if share > MIN_DRAWN_SHARE and coloured > coloured_min:
            break
        time.sleep(0.5)
    return share, coloured, png


#: URL paths of the pages (the home page, "Map & ranking", is the root) and screenshot names.
PAGES = {"": "map", "weights": "weights", "compare": "compare", "robustness": "robustness",
         "shortlist": "shortlist", "data": "data", "workshop": "workshop"}
#: Pages with an offline map, and the coloured pixels its markers must at least make (the
#: shortlist map colours only its five pilots).
MAP_PAGES = {"": MIN_COLOURED_PIXELS, "shortlist": 400}


def _watch(page, outside: list, errors: list) -> None:
    page.on("request", lambda r: outside.append(r.url)
            if urlsplit(r.url).hostname not in LOCAL_HOSTS
            and urlsplit(r.url).scheme not in ("data", "blob") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))


def _settle(page, timeout: float = 60.0) -> None:
    """Wait until the script run is over: a title is shown and the running indicator is gone."""
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=timeout * 1000)
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 3:
        running = page.locator("[data-testid='stStatusWidget']").count()
        quiet = 0 if running else quiet + 1
        time.sleep(0.3)


def _cells(page, index: int = 0) -> list[str]:
    """The cells of the `index`-th visible data grid (glide renders an accessible table beside
    its canvas)."""
    grid = page.locator("[data-testid='stDataFrame']:visible").nth(index)
    grid.locator("td").first.wait_for(state="attached", timeout=30000)
    return grid.locator("td").all_text_contents()


def test_every_page_loads_offline_and_the_maps_draw(server, browser, tmp_path):
    shots = Path(os.environ["CITYKIT_SCREENSHOTS"]) if os.environ.get("CITYKIT_SCREENSHOTS") \
        else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    outside, errors = [], []
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    _watch(page, outside, errors)
    for path, name in PAGES.items():
        page.goto(f"{server}/{path}")
        _settle(page)
        assert page.get_by_test_id("stException").count() == 0, f"/{path}: exception shown"
        assert page.get_by_text("Page not found").count() == 0, f"/{path}: no such page"
        if path in MAP_PAGES:
            share, coloured, png = _wait_for_drawn_map(page, coloured_min=MAP_PAGES[path])
            (tmp_path / f"{name}-map.png").write_bytes(png)
            assert share > MIN_DRAWN_SHARE, f"/{path}: only {share:.1%} of the map is drawn"
            assert coloured > MAP_PAGES[path], f"/{path}: only {coloured} coloured pixels"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
    page.close()
    assert outside == [], f"requests left this machine: {outside}"
    assert errors == [], f"page errors: {errors}"


def test_persian_is_right_to_left_with_persian_digits_and_the_served_font(server, browser):
    outside, errors, fonts = [], [], []
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    _watch(page, outside, errors)
    page.on("response", lambda r: fonts.append((r.url, r.status)) if "Vazirmatn" in r.url
            else None)
    page.goto(server)
    _settle(page)
    page.get_by_text("فارسی").click()
    page.locator("[dir='rtl'][lang='fa']").first.wait_for(state="attached", timeout=30000)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector(\"[data-testid='stMain']\"))"
        ".direction === 'rtl'", timeout=30000)
    _settle(page)
    page.wait_for_function("() => document.fonts.check('16px Vazirmatn', 'سلام')",
                           timeout=30000)
    text = page.get_by_test_id("stMain").inner_text()
    assert any("۰" <= ch <= "۹" for ch in text), "no Persian digit on the page"
    # Select boxes show their chosen option in Persian too (not the label drawn before the switch).
    chosen = page.locator("[data-testid='stMain'] [data-testid='stSelectbox'] input").first
    assert chosen.get_attribute("value") == "امتیاز کل", chosen.get_attribute("value")
    cells = " ".join(_cells(page))
    assert any("۰" <= ch <= "۹" for ch in cells) and not any("0" <= ch <= "9" for ch in cells)
    _wait_for_drawn_map(page)
    assert any("۰" <= ch <= "۹" for ch in _map_title(page)), _map_title(page)
    if os.environ.get("CITYKIT_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["CITYKIT_SCREENSHOTS"]) / "map-fa.png"))
    assert fonts and all(urlsplit(u).hostname in LOCAL_HOSTS and status == 200
                         for u, status in fonts), fonts
    page.close()
    assert outside == [] and errors == [], (outside, errors)


def test_moving_a_weight_reranks_at_once(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/weights")
    _settle(page)
    before, link = _cells(page), page.url  # the live top-10 preview: rank, city, score
    thumb = page.get_by_role("slider").first
    thumb.focus()
    thumb.press("End")  # the first dimension takes all the weight; the others rebalance to 0
    deadline = time.monotonic() + 30
    while (_cells(page) == before or page.url == link) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _cells(page) != before, "the ranking preview did not change after the weight moved"
    assert page.url != link and "s=" in page.url  # the new weights are in the link
    page.close()


def test_the_dossier_workbook_downloads_and_opens(server, browser, tmp_path):
    import openpyxl

    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page.goto(f"{server}/shortlist")
    _settle(page)
    page.get_by_role("button", name="Prepare the dossier").click()
    button = page.get_by_role("button", name="Download dossier.xlsx")
    button.wait_for(timeout=60000)
    with page.expect_download(timeout=60000) as download:
        button.click()
    path = tmp_path / "dossier.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert {"shortlist", "ranking", "weights", "methodology"} <= set(book.sheetnames)
    rows = list(book["shortlist"].values)
    assert len(rows) == 1 + 5  # header and the default five pilots
    page.close()


def _map_title(page) -> str:
    return page.locator("[data-testid='stPlotlyChart'] .gtitle").first.text_content() or ""
