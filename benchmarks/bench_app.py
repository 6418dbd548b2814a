"""How fast the app answers: a weight change server-side, and the first page in a real browser.

Two figures, printed side by side with their targets:

1. **Rerun after a weight change** (server-side, AppTest): the home page is run once, then the
   scenario's weights are changed (a fresh weight vector each time, so the ranking and its
   robustness draws are computed, never served from the cache) and the page is rerun. This is
   the work Streamlit's server does between a slider release and the new page being sent.
2. **First page interactive** (Debian's Chromium through Playwright, as in the browser tests):
   ``streamlit run app.py`` is started as a user would; the time runs from ``page.goto`` until
   the ranking table is shown and the map's canvas has drawn its polygons and markers.
3. **Robustness page** (Chromium, warm server, a new scenario each visit): the time to its
   first chart, and to the whole page (every study computed and drawn).

Run from the repository root: ``.venv/bin/python benchmarks/bench_app.py`` (add ``--no-browser``
to skip the second figure).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

RERUN_TARGET_S = 0.300
FIRST_PAGE_TARGET_S = 3.0
#: Robustness page on a warm server (issue 15): the first result, and the whole page.
ROBUSTNESS_FIRST_TARGET_S, ROBUSTNESS_PAGE_TARGET_S = 1.0, 3.0


def rerun_after_weight_change(page: str = "app_pages/home.py", repeat: int = 15) -> list[float]:
    """Server-side seconds of each rerun after a new weight vector."""
    from streamlit.testing.v1 import AppTest

    from citykit.ui import session

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if page != "app_pages/home.py":
        at.switch_page(page).run()
    criteria = list(session._run(at.session_state["_scenario"].to_json())
                    .ranking.weights.index)
    rng = np.random.default_rng(20261129)
    times = []
    for _ in range(repeat):
        w = rng.dirichlet(np.ones(len(criteria)))
        weights = dict(zip(criteria, (w / w.sum()).tolist(), strict=True))
        at.session_state["_scenario"] = at.session_state["_scenario"].with_(weights=weights)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return times


def first_page_interactive(repeat: int = 3) -> tuple[float, list[float]]:
    """Seconds from navigation to a drawn map and a visible ranking table, fresh browser each:
    the first visit to a just-started server (loads the data), then `repeat` warm visits."""
    import tempfile

    from playwright.sync_api import sync_playwright
    from test_e2e import (
        CHROME_ARGS,
        CHROMIUM,
        MIN_COLOURED_PIXELS,
        MIN_DRAWN_SHARE,
        _pixel_counts,
        start_app,
        stop_app,
    )

    url, proc = start_app(Path(tempfile.mkdtemp(prefix="citykit-bench-")))
    times, cold = [], float("nan")
    try:
        with sync_playwright() as p:
            for i in range(repeat + 1):  # the first visit warms the server's caches
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                start = time.perf_counter()
                page.goto(url)
                page.locator("[data-testid='stDataFrame']:visible").first.wait_for(
                    timeout=60_000)
                canvas = page.locator("[data-testid='stPlotlyChart'] canvas").first
                while True:
                    canvas.wait_for(timeout=60_000)
                    share, coloured = _pixel_counts(canvas.screenshot())
                    if share > MIN_DRAWN_SHARE and coloured > MIN_COLOURED_PIXELS:
                        break
                elapsed = time.perf_counter() - start
                browser.close()
                if i:
                    times.append(elapsed)
                else:
                    cold = elapsed
    finally:
        stop_app(proc)
    return cold, times


def robustness_page(repeat: int = 3) -> tuple[list[float], list[float]]:
    """Seconds to the Robustness page's first result (its first chart) and to the whole page
    (the last chart drawn, the script finished), in Chromium on a warm server.

    Each visit opens a link with a new seed, so the weight draws, the method comparison and
    the choice study are computed for it (nothing served from a cache of an earlier visit).
    """
    import tempfile

    from playwright.sync_api import sync_playwright
    from test_e2e import CHROME_ARGS, CHROMIUM, start_app, stop_app

    from citykit.scenario import Scenario
    from citykit.ui.urlstate import encode_scenario

    url, proc = start_app(Path(tempfile.mkdtemp(prefix="citykit-bench-")))
    first, complete = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url)  # warm the server: imports, data, the default ranking
            page.locator("[data-testid='stDataFrame']:visible").first.wait_for(timeout=60_000)
            for seed in range(1, repeat + 2):  # the first robustness visit warms its imports
                token = encode_scenario(Scenario().with_(robustness={"seed": seed}),
                                        base=Scenario())
                start = time.perf_counter()
                page.goto(f"{url}/robustness?s={token}")
                page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=60_000)
                shown = time.perf_counter() - start
                page.locator("[data-testid='stPlotlyChart']").nth(3).wait_for(timeout=60_000)
                page.get_by_text("Kendall τ between the frameworks").first.wait_for(
                    timeout=60_000)
                while page.locator("[data-testid='stStatusWidget']").count():
                    time.sleep(0.05)
                if seed > 1:
                    first.append(shown)
                    complete.append(time.perf_counter() - start)
            browser.close()
    finally:
        stop_app(proc)
    return first, complete


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the browser figure")
    args = parser.parse_args()
    rows = []
    for page in ("app_pages/home.py", "app_pages/weights.py"):
        t = rerun_after_weight_change(page)
        rows.append((f"rerun after a weight change, {Path(page).stem} page (AppTest)",
                     statistics.median(t), max(t), RERUN_TARGET_S))
    if not args.no_browser:
        cold, t = first_page_interactive()
        rows.append(("first page interactive in Chromium, server just started",
                     cold, cold, FIRST_PAGE_TARGET_S))
        rows.append(("first page interactive in Chromium (fresh browser, warm server)",
                     statistics.median(t), max(t), FIRST_PAGE_TARGET_S))
        shown, complete = robustness_page()
        rows.append(("robustness page: first result (warm server, new scenario)",
                     statistics.median(shown), max(shown), ROBUSTNESS_FIRST_TARGET_S))
        rows.append(("robustness page: complete (warm server, new scenario)",
                     statistics.median(complete), max(complete), ROBUSTNESS_PAGE_TARGET_S))
    print(f"{'measure':<68} {'median s':>9} {'max s':>7} {'target s':>9}  ok")
    for name, median, worst, target in rows:
        print(f"{name:<68} {median:>9.3f} {worst:>7.3f} {target:>9.3f}  "
              f"{'yes' if median < target else 'NO'}")


if __name__ == "__main__":
    main()
