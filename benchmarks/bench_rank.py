"""Time citykit's aggregation kernels side by side with pymcdm and scikit-criteria.

Run: ``.venv/bin/python benchmarks/bench_rank.py [--big-peers] [--repeat 3]``. Not a test: it
prints one table (median of `--repeat` runs) and the targets of the ranking-engine issue:

* N = 100,000 × 20: TOPSIS, VIKOR and weighted sum within 1.5× of the fastest peer, with
  citykit's peak memory under 500 MB;
* PROMETHEE II: at least 100× faster than pymcdm at 10,000 × 20, and 100,000 × 20 in under 5 s.
  pymcdm builds an N × N table per criterion (about 44 s and 17 GB at 10,000 × 20), so by
  default peers run PROMETHEE only at 2,000 × 20 and the larger sizes are citykit only;
  ``--big-peers`` runs them too (needs that memory).

Same work for every library: the timed call starts from the raw benefit matrix and includes
min-max normalisation where the method uses one (citykit: normalise + validate + score; pymcdm:
its call with ``validation=False``, as its dominance check alone costs ~0.5 s at 100,000 rows, so
the peer is timed at its fastest; scikit-criteria: ``MinMaxScaler`` + method pipeline on a prebuilt
DecisionMatrix, which also ranks). The normalisation column names what each library applies.
Peak memory is measured with tracemalloc in a separate, untimed call (numpy reports its buffers
to tracemalloc), beyond the input matrix.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _timing import median_seconds, peak_mib

from citykit import aggregate as ag

warnings.filterwarnings("ignore")  # peers' deprecation and dominance warnings


def _citykit_minmax():
    """citykit's min-max normaliser once citykit.normalise provides it, else the formula."""
    try:
        from citykit import normalise

        normaliser = normalise.make_normaliser("minmax")
    except (ImportError, AttributeError):
        return "inline numpy min-max", _inline_minmax
    return "citykit.normalise minmax", lambda X: normaliser.fit(
        X, np.array(["max"] * X.shape[1])).transform(X)


def _inline_minmax(X: np.ndarray) -> np.ndarray:
    lo = X.min(axis=0)
    return (X - lo) / (X.max(axis=0) - lo)


MINMAX_NAME, minmax = _citykit_minmax()


# ---------------------------------------------------------------------------------------------
# The three libraries, one callable per (method, library); None = the library lacks the method.
# ---------------------------------------------------------------------------------------------

def citykit_calls(X, w):
    return {
        "wsum": lambda: ag.weighted_sum(minmax(X), w),
        "topsis": lambda: ag.topsis(minmax(X), w),
        "vikor": lambda: ag.vikor(minmax(X), w).Q,
        "promethee2 usual": lambda: ag.promethee2(minmax(X), w),
        "promethee2 linear": lambda: ag.promethee2(minmax(X), w, preference="linear",
                                                   q=0.05, p=0.3),
    }


def pymcdm_calls(X, w):
    from pymcdm.methods import PROMETHEE_II, TOPSIS, VIKOR, WSM
    from pymcdm.normalizations import minmax_normalization

    types = np.ones(X.shape[1])

    def linear():  # a fresh object per call: pymcdm's p/q functions are a one-shot generator
        # thresholds as fractions of the range, as ours on the min-max matrix
        span = X.max(axis=0) - X.min(axis=0)
        method = PROMETHEE_II("vshape_2", p=list(0.3 * span), q=list(0.05 * span))
        return method(X, w, types, validation=False)

    return {
        "wsum": lambda: WSM(minmax_normalization)(X, w, types, validation=False),
        "topsis": lambda: TOPSIS()(X, w, types, validation=False),
        "vikor": lambda: VIKOR()(X, w, types, validation=False),
        "promethee2 usual": lambda: PROMETHEE_II("usual")(X, w, types, validation=False),
        "promethee2 linear": linear,
    }


def skcriteria_calls(X, w):
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import MinMaxScaler

    dm = skc.mkdm(X, objectives=[max] * X.shape[1], weights=w)
    wsum = mkpipe(MinMaxScaler(target="matrix"), WeightedSumModel())
    topsis = mkpipe(MinMaxScaler(target="matrix"), TOPSIS())
    return {
        "wsum": lambda: wsum.evaluate(dm),
        "topsis": lambda: topsis.evaluate(dm),
        "vikor": lambda: VIKOR(use_compromise_set=False).evaluate(dm),
        "promethee2 usual": None,
        "promethee2 linear": None,
    }


NORMALISATION = {  # what each library applies in the timed call: citykit; pymcdm; skcriteria
    "wsum": "minmax; minmax; MinMaxScaler",
    "topsis": "minmax; minmax (default); MinMaxScaler",
    "vikor": "minmax; none (VIKOR's own range scaling); none (same)",
    "promethee2 usual": "minmax; none (usual is order-only); n/a",
    "promethee2 linear": "minmax; none, thresholds x range; n/a",
}


# ---------------------------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------------------------

def fmt(seconds) -> str:
    return f"{seconds:9.3f}" if isinstance(seconds, float) else f"{seconds:>9}"


def bench_row(method: str, n: int, m: int, repeat: int, peers: bool) -> dict:
    rng = np.random.default_rng(0)
    X, w = rng.random((n, m)), rng.dirichlet(np.ones(m))
    ours = citykit_calls(X, w)[method]
    row = {"method": method, "size": f"{n:,} x {m}", "citykit": median_seconds(ours, repeat),
           "peak": peak_mib(ours)}
    for lib, calls in (("pymcdm", pymcdm_calls), ("skcriteria", skcriteria_calls)):
        call = calls(X, w)[method] if peers else None
        if call is None:
            row[lib] = "n/a" if peers else "skipped"
        else:
            row[lib] = median_seconds(call, 1 if method.startswith("promethee") else repeat)
    times = [row[lib] for lib in ("pymcdm", "skcriteria") if isinstance(row[lib], float)]
    row["ratio"] = row["citykit"] / min(times) if times else None
    return row


def print_table(rows: list[dict]) -> None:
    head = (f"{'method':<18} {'N x M':<13} {'citykit s':>9} {'pymcdm s':>9} {'skcrit. s':>9} "
            f"{'ck/fastest':>10} {'ck peak MiB':>11}  normalisation (citykit; pymcdm; skcriteria)")
    print(head)
    print("-" * len(head))
    for r in rows:
        ratio = f"{r['ratio']:10.3f}" if r["ratio"] is not None else f"{'-':>10}"
        print(f"{r['method']:<18} {r['size']:<13} {fmt(r['citykit'])} {fmt(r['pymcdm'])} "
              f"{fmt(r['skcriteria'])} {ratio} {r['peak']:11.1f}  {NORMALISATION[r['method']]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-peers", action="store_true",
                        help="also run pymcdm PROMETHEE II at 10,000 and 100,000 (O(N^2) memory: "
                             "~17 GB at 10,000; 100,000 will not fit)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args(argv)

    cases = [(m, 100_000, 20, True) for m in ("wsum", "topsis", "vikor")]
    cases += [(m, 2_000, 20, True) for m in ("promethee2 usual", "promethee2 linear")]
    cases += [(m, n, 20, args.big_peers) for n in (10_000, 100_000)
              for m in ("promethee2 usual", "promethee2 linear")]
    rows = [bench_row(method, n, m, args.repeat, peers) for method, n, m, peers in cases]
    print(f"citykit normalisation: {MINMAX_NAME}")
    print(f"median of {args.repeat} runs (pymcdm PROMETHEE: 1 run); 'skipped' = O(N^2) peer "
          "not run (use --big-peers); n/a = the library has no such method")
    print_table(rows)
    summarise(rows)
    batched_preview(args.repeat)


def summarise(rows: list[dict]) -> None:
    print()
    for r in rows:
        if r["method"] in ("wsum", "topsis", "vikor"):
            ok = r["ratio"] <= 1.5 and r["peak"] < 500
            print(f"target {r['method']} {r['size']}: <= 1.5x fastest peer and < 500 MB: "
                  f"{r['ratio']:.2f}x, {r['peak']:.0f} MiB -> {'met' if ok else 'MISSED'}")
    ours_at = {(r["method"], r["size"]): r["citykit"] for r in rows}
    for r in rows:
        n = int(r["size"].split(" ")[0].replace(",", ""))
        if r["method"].startswith("promethee2") and isinstance(r["pymcdm"], float):
            speedup = r["pymcdm"] / r["citykit"]
            line = f"{r['method']} {r['size']}: citykit {speedup:,.0f}x faster than pymcdm"
            ours_10k = ours_at.get((r["method"], "10,000 x 20"))
            if n < 10_000 and ours_10k:
                # only pymcdm is extrapolated (its N x N tables: time ~ N^2); ours is measured
                peer_10k = r["pymcdm"] * (10_000 / n) ** 2
                line += (f"; at 10,000 x 20 pymcdm ~{peer_10k:.0f} s (N^2 from {n:,}) vs citykit "
                         f"{ours_10k:.3f} s measured: ~{peer_10k / ours_10k:,.0f}x")
            print(line + " (target >= 100x at 10,000)")
        elif r["method"].startswith("promethee2") and n == 100_000:
            print(f"{r['method']} {r['size']}: citykit {r['citykit']:.2f} s (target < 5 s): "
                  f"{'met' if r['citykit'] < 5 else 'MISSED'}")


def batched_preview(repeat: int) -> None:
    """The robustness workload: many weight vectors at once (no peer has a batched API)."""
    rng = np.random.default_rng(1)
    N, W = rng.random((300, 20)), rng.dirichlet(np.ones(20), size=10_000)

    def acceptability():
        ranks = ag.rank_scores(ag.topsis(N, W))  # (draws, cities)
        counts = np.zeros((300, 300), dtype=np.int64)  # city x rank
        np.add.at(counts, (np.broadcast_to(np.arange(300), ranks.shape), ranks - 1), 1)
        return counts / len(W)

    print(f"batched TOPSIS, 10,000 weight draws x 300 x 20 -> rank-acceptability matrix: "
          f"{median_seconds(acceptability, repeat):.3f} s, peak {peak_mib(acceptability):.0f} MiB "
          "(robustness target < 0.5 s)")


if __name__ == "__main__":
    main()
