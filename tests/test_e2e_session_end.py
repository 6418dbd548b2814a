"""Robustness work stops when its browser session ends (issue 14, item 3).

A link can ask for the heaviest draws the Scenario's bounds allow (100,000 draws over all 413
cities with TOPSIS: several CPU-seconds). The server must not go on paying for them once the
visitor has left: Streamlit asks the session's script to stop when its websocket closes, and the
draws run in chunks with a progress callback that draws into the page, which is where the stop
takes effect. This test opens such a link in Chromium, closes the page while the progress bar
is showing, and reads the server's CPU time from ``/proc`` while the draws would still run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from citykit.eligibility import PRESETS
from citykit.scenario import Scenario
from citykit.ui.urlstate import encode_scenario

from .test_e2e import CHROMIUM, start_app, stop_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc"),
]

#: CPU-seconds the server may spend in the window after the page closed (the stop lands within
#: one chunk of 1,000 draws, tens of milliseconds; the full run left would take seconds).
IDLE_CPU_S = 0.5


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_heavy_draws_stop_when_the_browser_leaves(browser, tmp_path):
    heavy = Scenario(eligibility=PRESETS["all-cities"], method="topsis",
                     robustness={"draws": 100_000, "chunk_size": 1_000})
    url, proc = start_app(tmp_path, CITYKIT_DATA=str(tmp_path / "data"))
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/robustness?s={encode_scenario(heavy, base=Scenario())}")
        # waited for: the progress bar of the draws (they run only on this cache miss)
        page.get_by_text("weight draws…").first.wait_for(timeout=120_000)
        busy = _cpu_seconds(proc.pid)
        context.close()  # the visitor leaves: the websocket closes
        time.sleep(1.0)  # the stop request reaches the script at its next chunk
        before = _cpu_seconds(proc.pid)
        time.sleep(3.0)
        spent = _cpu_seconds(proc.pid) - before
        assert spent < IDLE_CPU_S, (
            f"the server spent {spent:.2f} CPU-s in the 3 s after the page closed; the draws "
            f"should have stopped (it had spent {busy:.1f} CPU-s when the progress bar showed)")
        assert proc.poll() is None  # the server itself carries on
    finally:
        stop_app(proc)
