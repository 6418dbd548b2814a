"""Time citykit's rank acceptability side by side with a pymcdm loop and plain numpy.

Run: ``.venv/bin/python benchmarks/bench_robustness.py [--repeat 3] [--pymcdm-draws 500]``.
Not a test: it prints one table and the targets of the robustness issue:

* 10,000 weight draws for 300 cities × 20 criteria with TOPSIS, producing the full
  rank-acceptability matrix, in under 0.5 s, and at least 100× faster than a loop calling
  pymcdm's TOPSIS once per draw;
* peak memory under 400 MB for 100,000 draws (chunking);
* the app's default interaction (the Iran candidates, 2,000 draws) under 0.5 s.

Same work for every row: the raw matrix is benefit-oriented; citykit and plain numpy get it
min-max normalised once (pymcdm's TOPSIS applies the same min-max itself, every call), score
every draw with TOPSIS, rank (ties share the lowest rank) and count (candidate, rank) pairs.
The pymcdm loop runs on ``--pymcdm-draws`` draws (default 500) and is **extrapolated**
linearly to 10,000; its counts are checked against citykit's for the same draws. Peak memory is
measured with tracemalloc in a separate, untimed call (numpy reports its buffers to it).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _timing import median_seconds, peak_mib

from citykit.normalise import normalise
from citykit.robustness import rank_acceptability, robustness, weight_draws

warnings.filterwarnings("ignore")

N_CITIES, N_CRITERIA, DRAWS, BIG_DRAWS = 300, 20, 10_000, 100_000
CONCENTRATION, TOP_K, SEED = 100.0, 10, 0


def citykit_counts(N, w, draws, **kw):
    return rank_acceptability(N, w, method="topsis", draws=draws, concentration=CONCENTRATION,
                              top_k=TOP_K, seed=SEED, **kw).counts.to_numpy()


def pymcdm_counts(X, W):
    """One pymcdm TOPSIS call per draw (its default min-max normalisation), then rank."""
    from pymcdm.methods import TOPSIS
    from scipy.stats import rankdata

    topsis = TOPSIS()
    types = np.ones(X.shape[1])
    n = X.shape[0]
    counts = np.zeros((n, n), dtype=np.int64)
    for w in W:
        ranks = rankdata(-topsis(X, w, types, validation=False), method="min").astype(int)
        counts[np.arange(n), ranks - 1] += 1
    return counts


def numpy_counts(N, W, chunk=1000):
    """Plain numpy: broadcast (chunk, n, m) TOPSIS, argsort-of-argsort ranks (no tie rule)."""
    n = N.shape[0]
    counts = np.zeros(n * n, dtype=np.int64)
    for i in range(0, len(W), chunk):
        V = N[None, :, :] * W[i:i + chunk, None, :]
        best, worst = V.max(axis=1, keepdims=True), V.min(axis=1, keepdims=True)
        d_plus = np.sqrt(((V - best) ** 2).sum(axis=2))
        d_minus = np.sqrt(((V - worst) ** 2).sum(axis=2))
        ranks = np.argsort(np.argsort(-(d_minus / (d_plus + d_minus)), axis=1), axis=1)
        counts += np.bincount((np.arange(n) * n + ranks).ravel(), minlength=n * n)
    return counts.reshape(n, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pymcdm-draws", type=int, default=500)
    args = parser.parse_args()

    rng = np.random.default_rng(42)
    X = rng.uniform(1.0, 100.0, (N_CITIES, N_CRITERIA))
    N = normalise(X, ["max"] * N_CRITERIA, "minmax")
    w = rng.dirichlet(np.full(N_CRITERIA, 5.0))
    W = weight_draws(w, draws=DRAWS, concentration=CONCENTRATION, seed=SEED)

    citykit_counts(N, w, 500)  # warm-up
    t_city = median_seconds(lambda: citykit_counts(N, w, DRAWS), args.repeat)
    t_numpy = median_seconds(lambda: numpy_counts(N, W), args.repeat)
    k = args.pymcdm_draws
    start = time.perf_counter()
    ref = pymcdm_counts(X, W[:k])
    t_pymcdm = (time.perf_counter() - start) * DRAWS / k
    same = np.array_equal(ref, citykit_counts(N, w, k))

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        t_threads = median_seconds(lambda: citykit_counts(N, w, DRAWS, chunk_size=1000,
                                                          executor=pool), args.repeat)
    t_big = median_seconds(lambda: citykit_counts(N, w, BIG_DRAWS), 1)
    mb_big = peak_mib(lambda: citykit_counts(N, w, BIG_DRAWS))
    mb_10k = peak_mib(lambda: citykit_counts(N, w, DRAWS))

    from citykit.scenario import Scenario, run

    result = run(Scenario())
    robustness(result, draws=200)
    t_app = median_seconds(lambda: robustness(result), 5)
    n_app, m_app = result.ranking.normalised.shape

    print(f"Rank acceptability, TOPSIS, {N_CITIES} cities x {N_CRITERIA} criteria, "
          f"{DRAWS:,} Dirichlet weight draws (concentration {CONCENTRATION:g}); full "
          f"{N_CITIES} x {N_CITIES} acceptability matrix; median of {args.repeat}")
    print(f"{'implementation':<60} {'seconds':>9} {'vs citykit':>11}")
    rows = [("citykit.robustness (batched, chunks of 1,000)", t_city),
            ("citykit.robustness, ThreadPoolExecutor(2), chunks of 1,000", t_threads),
            ("plain numpy batched (broadcast, no tie rule)", t_numpy),
            (f"pymcdm TOPSIS loop, {k} draws x {DRAWS // k} (EXTRAPOLATED)", t_pymcdm)]
    for name, seconds in rows:
        print(f"{name:<60} {seconds:>9.3f} {seconds / t_city:>10.1f}x")
    print(f"pymcdm loop counts == citykit counts on the same {k} draws: {same}")
    print(f"peak memory (tracemalloc): {DRAWS:,} draws {mb_10k:.0f} MB; {BIG_DRAWS:,} draws "
          f"{mb_big:.0f} MB in {t_big:.2f} s")
    print(f"app default: Iran, {n_app} candidates x {m_app} criteria, "
          f"{result.ranking.method} on {result.ranking.normalisation}, 2,000 draws: "
          f"{t_app:.3f} s (median of 5)")
    print("targets: citykit < 0.5 s and >= 100x the pymcdm loop; 100,000 draws < 400 MB; "
          "app default < 0.5 s ->",
          "MET" if t_city < 0.5 and t_pymcdm / t_city >= 100 and mb_big < 400 and t_app < 0.5
          else "NOT MET")


if __name__ == "__main__":
    main()
