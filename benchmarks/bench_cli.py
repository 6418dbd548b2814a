"""How long the command line takes for the default scenario, as a person runs it.

Each command is run as a fresh process (``python -m citykit ...``: imports, the bundled data,
the ranking and its output), five times; the median and the slowest are printed beside the
target (issue 15: under 2 s each). Run from the repository root:
``.venv/bin/python benchmarks/bench_cli.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
COMMANDS = (["rank"], ["robustness"], ["shortlist", "-k", "5"], ["rank", "--format", "table"])


def seconds(args: list[str], repeat: int = 5) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "citykit", *args], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    print(f"{'command':<42} {'median s':>9} {'max s':>7} {'target s':>9}  ok")
    for args in COMMANDS:
        t = seconds(args)
        name = "citykit " + " ".join(args)
        print(f"{name:<42} {statistics.median(t):>9.3f} {max(t):>7.3f} {TARGET_S:>9.3f}  "
              f"{'yes' if statistics.median(t) < TARGET_S else 'NO'}")


if __name__ == "__main__":
    main()
