"""Time citykit.shortlist on the issue's case: 10 pilots from 1,000 candidates, at most 1 per
province, 100 km apart.

Run: ``.venv/bin/python benchmarks/bench_shortlist.py [--n 1000] [--k 10] [--km 100]
[--repeat 3] [--seed 0]``. Not a test: it prints the model size and the median of `--repeat`
timed calls of :func:`citykit.shortlist.select` (whole call: input checks, pairwise distances,
building the sparse model, the HiGHS solve, the unconstrained top k, and one re-solve per
binding constraint family for its "relief"), against the issue's target of 2 s.

The candidates are SYNTHETIC (seeded): uniform coordinates over Iran's bounding box
(25-39.8 N, 44-63.3 E), 31 made-up provinces ``SYN-00``..``SYN-30`` assigned at random, uniform
scores. Real province shapes cluster cities more, which adds distance pairs; ``--km`` and
``--n`` scale the test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from citykit.shortlist import Constraints, select

#: Iran's bounding box (degrees), for placing the synthetic candidates.
LAT, LON = (25.0, 39.8), (44.0, 63.3)


def synthetic_candidates(n: int, seed: int) -> tuple[pd.Series, pd.DataFrame]:
    """SYNTHETIC scores and candidates (labelled ``synthetic-NNNN``)."""
    rng = np.random.default_rng(seed)
    ids = [f"synthetic-{i:04d}" for i in range(n)]
    candidates = pd.DataFrame({
        "name_en": [f"Synthetic city {i}" for i in range(n)],
        "province_code": [f"SYN-{p:02d}" for p in rng.integers(0, 31, n)],
        "latitude": rng.uniform(*LAT, n), "longitude": rng.uniform(*LON, n),
    }, index=ids)
    return pd.Series(rng.uniform(0, 1, n), index=ids, name="score"), candidates


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--km", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scores, candidates = synthetic_candidates(args.n, args.seed)
    constraints = Constraints(k=args.k, max_per_province=1, min_distance_km=args.km)
    times, result = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = select(scores, candidates, constraints)
        times.append(time.perf_counter() - start)
    model = result.model
    median = statistics.median(times)
    print(f"shortlist of {args.k} from {args.n} SYNTHETIC candidates, at most 1 per province "
          f"(31 provinces), {args.km:g} km apart")
    print(f"model: {model['variables']} binary variables, {model['rows']} rows "
          f"({model['distance_pairs']} distance pairs), {model['nonzeros']} non-zeros; "
          f"{model['solves']} solves per call")
    print(f"price of diversity {result.price_of_diversity:.4f} "
          f"({result.price_of_diversity_pct:.2f}%); binding: "
          + ", ".join(b.family for b in result.binding))
    print(f"select(): median {median:.3f} s of {args.repeat} "
          f"({', '.join(f'{t:.3f}' for t in times)}); target < 2 s: "
          f"{'met' if median < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
