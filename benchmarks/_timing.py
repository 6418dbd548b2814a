"""Timing and memory helpers shared by the benchmark scripts (imported as ``_timing``)."""

from __future__ import annotations

import statistics
import time
import tracemalloc


def median_seconds(func, repeat: int = 5) -> float:
    """Median wall time of `repeat` calls of `func`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(func) -> float:
    """Peak memory traced by ``tracemalloc`` during one call of `func`, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20
