"""Robustness: rank acceptability, weight stability, choice and framework sensitivity.

Correctness is checked against independent computations: an exact integral over the weight
simplex (3 cities x 2 criteria), a per-draw loop over pymcdm's TOPSIS, explicit per-draw loops
for quantiles and central weights, and the exact ANOVA decomposition of deterministic rankings.
"""

import json
import math
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from citykit import aggregate
from citykit.cli import main
from citykit.exceptions import AggregationError, RobustnessError, WeightError
from citykit.matrix import CityMatrix
from citykit.normalise import normalise
from citykit.ranking import rank
from citykit.robustness import (
    DEFAULTS,
    choice_sensitivity,
    framework_sensitivity,
    rank_acceptability,
    robustness,
    weight_draws,
    weight_stability,
)
from citykit.scenario import Scenario, run

# SYNTHETIC test data: 3 cities x 2 criteria, already normalised; scores cross inside (0, 1).
TINY = pd.DataFrame({"jobs": [1.0, 0.6, 0.0], "air": [0.0, 0.5, 0.9]}, index=["A", "B", "C"])


def _random_matrix(seed=0, n=8, m=4):
    rng = np.random.default_rng(seed)  # SYNTHETIC test data
    return pd.DataFrame(rng.uniform(0, 1, (n, m)), index=[f"S{i}" for i in range(n)],
                        columns=[f"c{j}" for j in range(m)])


@pytest.fixture(scope="module")
def iran_result(iran):
    return run(Scenario(), dataset=iran)


# --------------------------------------------------------------------------- weight draws

def test_dirichlet_draws_are_centred_with_the_stated_spread():
    base = np.array([0.5, 0.3, 0.2])
    W = weight_draws(base, draws=40_000, concentration=50, seed=1)
    assert np.allclose(W.sum(axis=1), 1) and (W >= 0).all()
    assert np.allclose(W.mean(axis=0), base, atol=0.003)
    assert np.allclose(W.var(axis=0), base * (1 - base) / 51, rtol=0.05)


def test_uniform_draws_cover_the_simplex_uniformly():
    W = weight_draws([0.2, 0.3, 0.5], draws=40_000, concentration=None, seed=2)
    # uniform on the 2-simplex: each weight ~ Beta(1, 2), mean 1/3, variance 1/18
    assert np.allclose(W.mean(axis=0), 1 / 3, atol=0.005)
    assert np.allclose(W.var(axis=0), 1 / 18, rtol=0.05)


@pytest.mark.parametrize("concentration", [None, 20.0])
def test_bounded_draws_equal_rejection_from_the_unbounded_ones(concentration):
    bounds = [(0.1, 0.5), (0.2, 0.6), (0.0, 0.4)]
    W = weight_draws([0.3, 0.4, 0.3], draws=20_000, concentration=concentration, bounds=bounds,
                     seed=3)
    low, high = np.array(bounds).T
    assert ((W >= low - 1e-12) & (W <= high + 1e-12)).all()
    ref = weight_draws([0.3, 0.4, 0.3], draws=200_000, concentration=concentration, seed=4)
    ref = ref[((ref >= low) & (ref <= high)).all(axis=1)]
    se = ref.std(axis=0) / math.sqrt(len(W))
    assert (np.abs(W.mean(axis=0) - ref.mean(axis=0)) < 4 * se + 1e-3).all()


def test_bounds_as_a_mapping_leave_other_criteria_free():
    W = weight_draws(pd.Series([0.5, 0.5], index=["jobs", "air"]), draws=500,
                     bounds={"jobs": (0.4, 0.6)}, seed=0)
    assert W[:, 0].min() >= 0.4 and W[:, 0].max() <= 0.6


# --------------------------------------------------------------------------- correctness

def _exact_tiny(method: str, a: float, b: float) -> np.ndarray:
    """Rank acceptability of TINY with w_jobs ~ Beta(a, b), by integration over w_jobs.

    Weighted sum: scores are linear in t = w_jobs, so ranks change only where two lines cross;
    the probability of each rank order is a Beta CDF difference. Other methods: midpoint rule
    on 200,000 cells (each cell weighted by its exact Beta probability).
    """
    N = TINY.to_numpy()
    if method == "wsum":
        slope = N[:, 0] - N[:, 1]
        cuts = {0.0, 1.0}
        for i in range(3):
            for j in range(i + 1, 3):
                if slope[i] != slope[j]:
                    t = (N[j, 1] - N[i, 1]) / (slope[i] - slope[j])
                    if 0 < t < 1:
                        cuts.add(t)
        edges = np.array(sorted(cuts))
    else:
        edges = np.linspace(0, 1, 200_001)
    mids = (edges[1:] + edges[:-1]) / 2
    mass = np.diff(stats.beta.cdf(edges, a, b))
    info = aggregate.get_method(method)
    scores, _ = info.score(N, np.column_stack([mids, 1 - mids]))
    ranks = aggregate.rank_scores(scores, higher_is_better=info.higher_is_better)
    exact = np.zeros((3, 3))
    for city in range(3):
        np.add.at(exact[city], ranks[:, city] - 1, mass)
    return exact


@pytest.mark.parametrize(("method", "concentration"), [
    ("wsum", None), ("wsum", 8.0), ("topsis", 8.0), ("vikor", None)])
def test_monte_carlo_agrees_with_exact_integration(method, concentration):
    draws = 60_000
    acc = rank_acceptability(TINY, [0.5, 0.5], method=method, draws=draws,
                             concentration=concentration, top_k=1, seed=11)
    a = b = 1.0 if concentration is None else concentration * 0.5
    exact = _exact_tiny(method, a, b)
    se = np.sqrt(exact * (1 - exact) / draws)
    assert (np.abs(acc.acceptability.to_numpy() - exact) <= 3 * se + 1e-4).all()


def test_same_draws_as_a_pymcdm_topsis_loop_give_identical_counts():
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(5)  # SYNTHETIC raw data: one cost criterion
    X = rng.uniform(1, 100, (9, 4))
    directions = ["max", "min", "max", "max"]
    N = normalise(X, directions, "minmax")
    base = np.array([0.4, 0.3, 0.2, 0.1])
    draws = 3000
    acc = rank_acceptability(N, base, method="topsis", draws=draws, concentration=30, seed=9,
                             chunk_size=700)
    W = weight_draws(base, draws=draws, concentration=30, seed=9, chunk_size=700)
    topsis, types = TOPSIS(), np.array([1, -1, 1, 1])
    counts = np.zeros((9, 9), dtype=int)
    for w in W:
        ranks = stats.rankdata(-topsis(X, w, types), method="min").astype(int)
        counts[np.arange(9), ranks - 1] += 1
    np.testing.assert_array_equal(acc.counts.to_numpy(), counts)


def test_quantiles_and_central_weights_equal_an_explicit_loop():
    N = _random_matrix(seed=6, n=7, m=3)
    base = np.array([0.5, 0.3, 0.2])
    acc = rank_acceptability(N, base, draws=2500, concentration=15, seed=4, chunk_size=600)
    W = weight_draws(base, draws=2500, concentration=15, seed=4, chunk_size=600)
    R = np.array([aggregate.rank_scores(aggregate.weighted_sum(N.to_numpy(), w)) for w in W])
    for q, column in ((0.05, "p5"), (0.5, "median"), (0.95, "p95")):
        expected = np.quantile(R, q, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(acc.rank_interval[column].to_numpy(), expected)
    for city in range(7):
        first = R[:, city] == 1
        expected = W[first].mean(axis=0) if first.any() else np.full(3, np.nan)
        np.testing.assert_allclose(acc.central_weights.iloc[city], expected, rtol=1e-12)
    np.testing.assert_allclose(acc.p_top_k, (R <= 5).mean(axis=0))


def test_probabilities_sum_to_one_per_city_and_per_rank():
    acc = rank_acceptability(_random_matrix(seed=7, n=12, m=5), np.full(5, 0.2), method="topsis",
                             draws=3000, concentration=None, seed=1)
    P = acc.acceptability.to_numpy()
    np.testing.assert_allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(P.sum(axis=0), 1)  # no ties in continuous data
    assert (acc.counts.to_numpy().sum(axis=0) == 3000).all()


@pytest.mark.parametrize("method", ["wsum", "topsis", "vikor", "promethee2"])
def test_no_weight_spread_gives_the_deterministic_ranking(iran, method):
    result = run(Scenario(method=method), dataset=iran)
    acc = robustness(result, concentration=math.inf, draws=300)
    ranks = result.ranking.ranks
    counts = acc.counts.to_numpy()
    assert (counts[np.arange(len(ranks)), ranks.to_numpy() - 1] == 300).all()
    pd.testing.assert_series_equal(acc.base_ranks, ranks, check_names=False)
    assert (acc.p_top_k == (ranks <= 5).astype(float)).all()
    assert (acc.rank_interval["p5"] == ranks).all() and (acc.rank_interval["p95"] == ranks).all()


# --------------------------------------------------------------------------- the scenario way

def test_robustness_is_labelled_and_reads_the_scenario_settings(iran):
    scenario = Scenario(method="topsis", robustness={**DEFAULTS, "draws": 150, "top_k": 3})
    acc = robustness(run(scenario, dataset=iran))
    assert (acc.draws, acc.top_k, acc.method, acc.normalisation) == (150, 3, "topsis", "vector")
    frame = acc.to_frame()
    assert list(frame.columns) == ["name", "rank", "p_top_3", "p_first", "rank_p5",
                                   "rank_median", "rank_p95"]
    assert frame.loc["124665", "name"] == "Mashhad" and "112931" not in frame.index
    assert frame["rank"].is_monotonic_increasing


def test_scenario_robustness_survives_the_json_round_trip():
    scenario = Scenario(robustness={"draws": 10, "concentration": None, "top_k": 2, "seed": 4,
                                    "bounds": {"census_urban_share": [0.0, 0.2]}})
    assert Scenario.from_json(scenario.to_json()) == scenario
    assert Scenario().robustness == DEFAULTS


def test_unknown_scenario_setting_is_named():
    # the Scenario's schema refuses it (issue 14): a link or file cannot carry it to robustness()
    from citykit.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"unknown robustness settings \['concentraton'\].*did you mean 'concentration'"):
        Scenario(robustness={"draws": 10, "concentraton": 5})


@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 40_000_000}, r"'robustness.draws' must be a whole number from 1 to 100,000; got 40,000,000"),
    ({"chunk_size": 10**12}, r"'robustness.chunk_size' must be a whole number from 1 to 10,000"),
    ({"chunk_size": 10_000, "draws": 10_000},
     r"'robustness.chunk_size' x candidates must be from 1 to 16,777,216 .* got 10,000 x 2,000"),
])
def test_robustness_refuses_settings_outside_the_scenario_bounds(options, message):
    """Issue 14, item 3: the library entry point applies the Scenario's BOUNDS to its arguments
    too, and bounds a batch's memory by chunk size x candidates (a 196 TiB MemoryError)."""
    n = 2_000
    frame = pd.DataFrame({"a": np.arange(n, dtype=float), "b": np.arange(n, 0, -1.0)},
                         index=[f"c{i}" for i in range(n)])
    ranking = rank(CityMatrix.from_frame(frame, ["max", "max"]), weights="equal")
    with pytest.raises(RobustnessError, match=message):
        robustness(ranking, **options)


# --------------------------------------------------------------------------- reproducibility

def test_a_seed_gives_identical_results_and_none_records_its_entropy():
    N, w = _random_matrix(seed=8), np.full(4, 0.25)
    one = rank_acceptability(N, w, draws=1500, seed=21)
    pd.testing.assert_frame_equal(one.counts, rank_acceptability(N, w, draws=1500, seed=21).counts)
    assert not one.counts.equals(rank_acceptability(N, w, draws=1500, seed=22).counts)
    fresh = rank_acceptability(N, w, draws=1500, seed=None)
    again = rank_acceptability(N, w, draws=1500, seed=fresh.seed)
    pd.testing.assert_frame_equal(fresh.counts, again.counts)


def _same(a, b):
    pd.testing.assert_frame_equal(a.counts, b.counts)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights)  # bit for bit


def test_serial_equals_a_thread_pool():
    N, w = _random_matrix(seed=9, n=30, m=6), np.full(6, 1 / 6)
    serial = rank_acceptability(N, w, method="topsis", draws=5000, chunk_size=300, seed=5)
    with ThreadPoolExecutor(2) as pool:
        pooled = rank_acceptability(N, w, method="topsis", draws=5000, chunk_size=300, seed=5,
                                    executor=pool)
    _same(serial, pooled)


def test_serial_equals_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    N, w = _random_matrix(seed=10, n=20, m=5), np.full(5, 0.2)
    serial = rank_acceptability(N, w, method="vikor", draws=3000, chunk_size=500, seed=6)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_dask = rank_acceptability(N, w, method="vikor", draws=3000, chunk_size=500, seed=6,
                                     executor=client)
    _same(serial, on_dask)


def test_progress_is_reported_after_every_chunk():
    calls = []
    rank_acceptability(TINY, [0.5, 0.5], draws=2500, chunk_size=1000,
                       progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_memory_stays_bounded_whatever_the_number_of_draws():
    N, w = _random_matrix(seed=11, n=300, m=20), np.full(20, 0.05)
    rank_acceptability(N, w, draws=1000, method="topsis")  # warm-up

    def peak(draws):
        tracemalloc.start()
        rank_acceptability(N, w, draws=draws, method="topsis", chunk_size=1000)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak / 2**20

    small, large = peak(2000), peak(20_000)
    assert large < 1.3 * small + 2 and large < 100  # MB: chunks, not draws, set the peak


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("options", "message"), [
    ({"draws": 0}, r"draws must be a positive integer; got 0"),
    ({"draws": -5}, r"draws must be a positive integer; got -5"),
    ({"draws": 2.5}, r"draws must be a positive integer; got 2\.5"),
    ({"top_k": 4}, r"top_k must be an integer between 1 and the number of candidates \(3\); got 4"),
    ({"top_k": 0}, r"top_k must be .* got 0"),
    ({"concentration": 0}, r"concentration must be a number > 0 .* got 0"),
    ({"concentration": -2.0}, r"concentration must be a number > 0 .* got -2\.0"),
    ({"concentration": float("nan")}, r"concentration must be a number > 0 .* got nan"),
    ({"chunk_size": 0}, r"chunk_size must be a positive integer; got 0"),
    ({"seed": -1}, r"seed must be a non-negative integer or None; got -1"),
    ({"bounds": [(0.6, 1.0), (0.5, 1.0)]},
     r"bounds exclude every weight vector: .* lows sum to 1\.1 .* Need sum\(low\) <= 1 <= sum\(high\)"),
    ({"bounds": [(0.0, 0.3), (0.0, 0.6)]},
     r"bounds exclude every weight vector: .* highs to 0\.9"),
    ({"bounds": [(0.5, 0.2), (0.0, 1.0)]}, r"0 <= low <= high <= 1; not for criteria \['jobs'\]"),
    ({"bounds": [(0.0, 1.0)]}, r"bounds must give \(low, high\) for each of the 2 criteria"),
    ({"bounds": {"pm25": (0, 1)}}, r"bounds name unknown criteria \['pm25'\]"),
    ({"bounds": [(0.98, 1.0), (0.0, 0.02)], "concentration": 1000.0},
     r"bounds accept none of 20,000 trial weight vectors"),
])
def test_bad_settings_are_clear_errors(options, message):
    with pytest.raises(RobustnessError, match=message):
        rank_acceptability(TINY, pd.Series([0.5, 0.5], index=["jobs", "air"]),
                           **{"draws": 100, **options})


def test_errors_of_other_layers_pass_through_with_their_message():
    with pytest.raises(AggregationError, match="Unknown aggregation method 'topsys'"):
        rank_acceptability(TINY, [0.5, 0.5], method="topsys", draws=10)
    with pytest.raises(RobustnessError, match=r"Method 'vikor' has no option \['w'\]"):
        rank_acceptability(TINY, [0.5, 0.5], method="vikor", method_params={"w": 1}, draws=10)
    with pytest.raises(WeightError, match="Weights sum to 0.9000, not 1"):
        rank_acceptability(TINY, [0.5, 0.4], draws=10)
    with pytest.raises(RobustnessError, match=r"Missing values \(NaN\) in criteria 1 \('air'\)"):
        rank_acceptability(TINY.assign(air=[0.0, np.nan, 1.0]), [0.5, 0.5], draws=10)


# --------------------------------------------------------------------------- weight stability

def test_weight_intervals_and_drops_match_the_analytic_switches():
    # A = t, B = 0.5 + 0.1 t, C = 0.9 (1 - t): B is first for t = w_jobs in [0.4, 5/9]
    ws = weight_stability(TINY, [0.5, 0.5], top_k=1, tolerance=1e-6)
    assert ws.intervals.loc["jobs", "low"] == pytest.approx(0.4, abs=1e-6)
    assert ws.intervals.loc["jobs", "high"] == pytest.approx(5 / 9, abs=1e-6)
    assert ws.intervals.loc["air", "low"] == pytest.approx(4 / 9, abs=1e-6)
    drop = ws.shortlist.loc["B"]  # jobs up to 5/9 or air down to 4/9: both a change of 1/18
    assert drop["criterion"] in {"jobs", "air"}
    assert abs(drop["change"]) == pytest.approx(1 / 18, abs=1e-6)


@pytest.mark.parametrize("method", ["wsum", "topsis"])
def test_weight_intervals_keep_the_set_inside_and_change_it_just_outside(method):
    N, base = _random_matrix(seed=12, n=10, m=4), np.array([0.4, 0.3, 0.2, 0.1])
    ws = weight_stability(N, base, method=method, top_k=3, grid=101, tolerance=1e-5)
    score = aggregate.get_method(method).score

    def top(j, t):
        w = base * (1 - t) / (1 - base[j])
        w[j] = t
        return frozenset(np.flatnonzero(aggregate.rank_scores(score(N.to_numpy(), w)[0]) <= 3))

    base_set = top(0, base[0])
    for j, row in enumerate(ws.intervals.itertuples()):
        assert top(j, row.low) == base_set and top(j, row.high) == base_set
        for t in np.linspace(row.low, row.high, 15):
            assert top(j, t) == base_set
        if row.low > 0:
            assert top(j, row.low - 2e-5) != base_set
        if row.high < 1:
            assert top(j, row.high + 2e-5) != base_set
    for city, row in ws.shortlist.dropna().iterrows():
        j = list(N.columns).index(row["criterion"])
        assert N.index.get_loc(city) not in top(j, row["new_weight"])


def test_weight_stability_from_a_result(iran):
    from citykit.eligibility import preset_rules

    # a top 5 out of more than a handful: the provincial capitals other than Tehran (30)
    result = run(Scenario(eligibility=preset_rules("provincial-capitals")), dataset=iran)
    assert len(result.ranking.scores) == 30
    ws = weight_stability(result, top_k=5)
    assert list(ws.intervals.index) == list(result.ranking.weights.index)
    assert ((ws.intervals["low"] <= ws.intervals["weight"])
            & (ws.intervals["weight"] <= ws.intervals["high"])).all()
    assert set(ws.shortlist.index) == set(result.ranking.ranks.index[result.ranking.ranks <= 5])
    with pytest.raises(RobustnessError, match="leave `weights` out"):
        weight_stability(result, result.ranking.weights)
    with pytest.raises(RobustnessError, match="grid must be >= 3 and tolerance > 0"):
        weight_stability(TINY, [0.5, 0.5], top_k=1, tolerance=0)


# --------------------------------------------------------------------------- frameworks

def test_framework_sensitivity_compares_every_rankable_framework(iran):
    fs = framework_sensitivity(Scenario(), dataset=iran)
    assert {"iso37122", "imd_sci"} <= set(fs.skipped)
    assert {"iran_national", "u4ssc", "iso37120"} <= set(fs.kendall_tau.columns)
    tau = fs.kendall_tau.to_numpy()
    np.testing.assert_allclose(tau, tau.T)
    assert (np.diag(tau) == 1).all() and (np.abs(tau) <= 1).all()
    assert ((fs.top_k_overlap >= 0) & (fs.top_k_overlap <= 1)).all().all()
    a, b = "iran_national", "u4ssc"
    both = fs.ranks[[a, b]].dropna()
    assert fs.kendall_tau.loc[a, b] == pytest.approx(stats.kendalltau(both[a], both[b]).statistic)


def test_framework_sensitivity_needs_two_frameworks(iran):
    with pytest.raises(RobustnessError, match="fewer than two frameworks"):
        framework_sensitivity(Scenario(), ["iran_national", "iso37122"], dataset=iran)


# --------------------------------------------------------------------------- choices

def _gappy():
    frame = _random_matrix(seed=13, n=9, m=4) * 100  # SYNTHETIC, with two gaps
    frame.iloc[2, 1] = frame.iloc[5, 3] = np.nan
    return CityMatrix.from_frame(frame, ["max", "min", "max", "max"])


def test_choice_shares_equal_the_exact_anova_without_weight_spread():
    matrix = _gappy()
    norms, methods, policies = ["minmax", "zscore"], ["wsum", "topsis"], ["median", "knn"]
    cs = choice_sensitivity(matrix, normalisations=norms, methods=methods,
                            missing_policies=policies, concentration=math.inf, draws=20)
    Y = {}
    for p in policies:
        from citykit.impute import handle_missing

        complete, _ = handle_missing(matrix, p)
        for q in norms:
            for r in methods:
                Y[p, q, r] = rank(complete, method=r, normalisation=q).ranks.to_numpy()
    cube = np.array([[[Y[p, q, r] for r in methods] for q in norms] for p in policies])
    total = cube.reshape(8, -1).var(axis=0)
    for axis, factor in enumerate(["missing", "normalisation", "method"]):
        others = tuple(a for a in range(3) if a != axis)
        part = cube.mean(axis=others).var(axis=0)
        assert cs.shares[factor] == pytest.approx(part.sum() / total.sum(), abs=1e-12)
    assert cs.shares["weights"] == 0
    assert cs.shares.sum() == pytest.approx(1)


def test_choice_sensitivity_on_a_complete_matrix_says_missing_data_has_no_effect(iran):
    from citykit.eligibility import preset_rules

    # the metropolises with every value (Karaj, without a centre of its own, has gaps)
    complete = Scenario(eligibility=preset_rules("metropolises")
                        + ({"rule": "coverage-floor", "minimum": 1.0},))
    result = run(complete, dataset=iran)
    assert result.missing.missing_before == 0
    assert "128747" not in result.ranking.scores.index and len(result.ranking.scores) == 7
    cs = choice_sensitivity(result, missing_policies=["none", "median"],
                            normalisations=["minmax", "rank"], draws=100)
    assert cs.shares["missing"] == 0 and cs.shares["weights"] > 0
    assert any("no missing value" in note for note in cs.notes)
    assert cs.levels["missing"] == ("none", "median")
    assert cs.counts.to_numpy().sum(axis=1).tolist() == [200] * len(cs.counts)
    assert cs.most_influential in {"weights", "normalisation"}


def test_data_margins_are_found_by_pick_freeze():
    matrix = _gappy()
    margins = dict.fromkeys(matrix.values.columns, 0.3)
    cs = choice_sensitivity(matrix, missing_policies=["median"], concentration=math.inf,
                            margins=margins, draws=400, seed=3)
    assert cs.shares["weights"] < 0.05 and cs.shares["data"] > 0.9
    assert "data" in cs.per_city.columns


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"missing_policies": ["drop-candidates"]}, RobustnessError,
     "policy 'drop-candidates' drops candidates"),
    ({"missing_policies": ["median"], "margins": {"c0": 1.5}}, RobustnessError,
     r"margins are relative errors in \[0, 1\)"),
    ({"missing_policies": ["median"], "margins": {"pm25": 0.1}}, RobustnessError,
     r"margins name unknown criteria \['pm25'\]"),
    ({"missing_policies": ["median"], "methods": ["wsum", "wsum"]}, RobustnessError,
     "methods must be a non-empty list of distinct choices"),
    ({"missing_policies": ["median"], "draws": 1}, RobustnessError, "draws must be at least 2"),
])
def test_choice_sensitivity_errors(options, error, message):
    with pytest.raises(error, match=message):
        choice_sensitivity(_gappy(), **{"draws": 10, **options})


# --------------------------------------------------------------------------- CLI

def test_cli_robustness_csv_with_a_progress_line(capsys):
    assert main(["robustness", "--dataset", "iran", "--framework", "iran_national",
                 "--method", "topsis", "--draws", "300", "--top-k", "3", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(pd.io.common.StringIO(captured.out), dtype={"city_id": str})
    assert list(table.columns) == ["city_id", "name", "rank", "p_top_3", "p_first", "rank_p5",
                                   "rank_median", "rank_p95"]
    assert table["p_top_3"].between(0, 1).all() and "112931" not in set(table["city_id"])
    assert "robustness: 300/300 weight draws" in captured.err
    assert "topsis on vector; 300 weight draws" in captured.err


def test_cli_robustness_json_is_reproducible(capsys):
    args = ["robustness", "--draws", "200", "--top-k", "4", "--format", "json", "--seed", "7",
            "--concentration", "uniform"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert (first["draws"], first["top_k"], first["seed"], first["concentration"]) == \
        (200, 4, 7, None)
    assert first["scenario"]["robustness"]["draws"] == 200
    assert {"city_id", "p_top_4", "rank_p95"} <= set(first["results"][0])


@pytest.mark.parametrize(("args", "message"), [
    (["--draws", "0"], "'robustness.draws' must be a whole number from 1 to 100,000; got 0"),
    (["--top-k", "1000"], "top_k must be an integer between 1 and the number of candidates (8)"),
    (["--concentration", "0"], "'robustness.concentration' must be a number above 0"),
    # issue 14, item 3: the CLI refuses what the Scenario's BOUNDS refuse, before any work
    (["--draws", "40000000"], "'robustness.draws' must be a whole number from 1 to 100,000; "
                              "got 40,000,000"),
])
def test_cli_robustness_errors_exit_2_without_traceback(capsys, args, message):
    assert main(["robustness", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
