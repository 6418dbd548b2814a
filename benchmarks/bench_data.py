"""Time loading the bundled dataset and resolving every city's values (with proxies).

Run: ``.venv/bin/python benchmarks/bench_data.py``. Prints the median of several runs. No peer
library loads provenance-flagged, checksum-verified datasets, so this one has no side-by-side
column; ranking benchmarks compare with pymcdm and scikit-criteria.
"""

from __future__ import annotations

from _timing import median_seconds, peak_mib

from citykit.data import load_dataset


def main() -> None:
    ds = load_dataset("iran")
    n = ds.summary()
    print(f"dataset: {n}")
    rows = [
        ("load_dataset('iran') verify=True", lambda: load_dataset("iran")),
        ("load_dataset('iran') verify=False", lambda: load_dataset("iran", verify=False)),
        ("city_values() all indicators, latest", lambda: ds.city_values()),
        ("level_values('province') latest", lambda: ds.level_values("province")),
    ]
    print(f"{'operation':<42} {'median s':>9}")
    for label, func in rows:
        print(f"{label:<42} {median_seconds(func):>9.3f}")
    print(f"peak memory of city_values(): {peak_mib(ds.city_values):.1f} MiB for "
          f"{len(ds.cities)} cities x {len(ds.indicators)} indicators")


if __name__ == "__main__":
    main()
