"""citykit.explain.close_gap: the one-criterion change that lifts a city to the next one.

Every check rescores independently of the module under test: the normaliser is refitted from
the ranking's record on the ranking's raw matrix, one cell is changed, and the method's kernel
scores the whole matrix again (so relative methods move the target too). Data are SYNTHETIC,
drawn from a seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from citykit import aggregate, explain, normalise
from citykit.exceptions import CityKitError
from citykit.explain import ExplainError, close_gap, next_better
from citykit.matrix import CityMatrix
from citykit.ranking import rank

CASES = [
    ("wsum", "minmax", {}), ("wsum", "zscore", {}), ("wsum", "vector", {}),
    ("wsum", "rank", {}), ("geometric", "vector", {}), ("topsis", "vector", {}),
    ("topsis", "minmax", {}), ("vikor", "minmax", {"v": 0.5}), ("promethee2", "minmax", {}),
    ("promethee2", "minmax", {"preference": "linear", "p": [0.4, 0.3, 0.5, 0.2, 0.6],
                              "q": 0.05}),
]


def synthetic(seed: int = 7, n: int = 8, m: int = 5) -> CityMatrix:
    """SYNTHETIC candidates × criteria (positive values, mixed directions)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.uniform(1.0, 10.0, (n, m)).round(3),
                         index=[f"synthetic-{i}" for i in range(n)],
                         columns=[f"x{j}" for j in range(m)])
    return CityMatrix.from_frame(frame, ["max", "min", "max", "max", "min"][:m] + ["max"] * (m - 5))


def rescore(r, city: str, criterion: str, value: float) -> pd.Series:
    """Scores of every candidate with one raw cell changed, the normaliser as fitted."""
    raw = r.matrix.values.copy()
    norm = normalise.make_normaliser(r.normaliser["name"], **r.normaliser["params"])
    norm.fit(raw.to_numpy(), r.matrix.directions.to_numpy())
    raw.loc[city, criterion] = value
    scores, _ = aggregate.get_method(r.method).score(norm.transform(raw.to_numpy()),
                                                     r.weights.to_numpy(), **r.method_params)
    return pd.Series(scores, index=raw.index)


def reaches(r, scores: pd.Series, city: str, target: str) -> bool:
    ranks = pd.Series(aggregate.rank_scores(scores.to_numpy(),
                                            higher_is_better=r.higher_is_better),
                      index=scores.index)
    return bool(ranks[city] <= ranks[target])


@pytest.mark.parametrize(("method", "norm", "params"), CASES,
                         ids=[f"{m}-{n}-{i}" for i, (m, n, _) in enumerate(CASES)])
def test_applying_the_change_reaches_the_target(method, norm, params):
    r = rank(synthetic(), method=method, normalisation=norm, method_params=params)
    checked = unreachable = 0
    for city in r.ranks.sort_values().index[1:]:   # every city but the best
        gap = close_gap(r, city)
        target = gap.attrs["target"]
        assert target == next_better(r, city)
        for criterion, row in gap.iterrows():
            if row["reachable"] and row["tie_only"]:   # a plateau: level with the target
                after = rescore(r, city, criterion, row["needed"])
                assert after[city] == pytest.approx(after[target], abs=1e-9)
                checked += 1
            elif row["reachable"]:
                after = rescore(r, city, criterion, row["needed"])
                assert reaches(r, after, city, target), (city, criterion, row.to_dict())
                checked += 1
            else:   # the far end of the search does not reach either
                span = row["observed_max"] - row["observed_min"]
                end = row["observed_max"] + span if row["direction"] == "max" \
                    else row["observed_min"] - span
                if norm in ("vector", "sum"):
                    end = max(end, 0.0)
                after = rescore(r, city, criterion, end)
                sign = 1 if r.higher_is_better else -1
                assert sign * (after[city] - after[target]) < -1e-9
                unreachable += 1
    assert checked > 0


@pytest.mark.parametrize("method", ["wsum", "geometric"])
def test_needed_value_is_the_smallest_change(method):
    """Scores of these methods are monotone in one value: 99.9 % of the change falls short."""
    r = rank(synthetic(seed=3), method=method, normalisation="vector")
    checked = 0
    for city in r.ranks.sort_values().index[1:]:
        gap = close_gap(r, city)
        for criterion, row in gap[gap["reachable"]].iterrows():
            short = rescore(r, city, criterion, row["current"] + 0.999 * row["change"])
            assert not reaches(r, short, city, gap.attrs["target"])
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("norm", ["minmax", "zscore", "vector"])
def test_weighted_sum_analytic_equals_bisection(norm):
    r = rank(synthetic(seed=11, n=10), method="wsum", normalisation=norm)
    for city in r.ranks.sort_values().index[1:]:
        analytic = close_gap(r, city)
        bisection = close_gap(r, city, solver="bisection").reindex(analytic.index)
        assert set(analytic.loc[analytic["weight"] > 0, "solver"]) == {"analytic"}
        assert set(bisection.loc[bisection["weight"] > 0, "solver"]) == {"bisection"}
        assert analytic["reachable"].equals(bisection["reachable"])
        span = analytic["observed_max"] - analytic["observed_min"]
        np.testing.assert_allclose(analytic["needed"], bisection["needed"], rtol=0,
                                   atol=1e-9 * span.max())


def test_known_values_by_hand():
    # minmax: jobs (3,5,4) -> (0,1,.5); cost (2,1,2.5) -> (1/3,1,0); equal weights:
    # A 1/6, B 1, C 1/4. C needs +1.5 normalised on one criterion to reach B's 1.
    m = CityMatrix.from_frame(pd.DataFrame({"jobs": [3.0, 5.0, 4.0], "cost": [2.0, 1.0, 2.5]},
                                           index=["A", "B", "C"]), ["max", "min"])
    gap = close_gap(rank(m), "C", widen=2.5)
    assert gap.loc["cost", "needed"] == pytest.approx(2.5 - 1.5 * 1.5)
    assert gap.loc["jobs", "needed"] == pytest.approx(3.0 + 2.0 * 2.0)
    assert gap.loc["jobs", "change"] == pytest.approx(3.0)
    assert gap.loc["jobs", "relative_change"] == pytest.approx(0.75)
    assert not gap["within_range"].any()
    # A to C (next better): +1/12 normalised -> jobs 3 + 2/12·2 = 3.333, within the range.
    gap = close_gap(rank(m), "A")
    assert gap.attrs["target"] == "C"
    assert gap.loc["jobs", "needed"] == pytest.approx(3.0 + 1 / 3)
    assert bool(gap.loc["jobs", "within_range"])
    assert list(gap.index) == ["jobs", "cost"]         # 11 % is easier than -12.5 %


def test_unreachable_and_zero_weight_are_reported_not_dropped():
    m = synthetic(seed=5)
    weights = dict.fromkeys(m.values.columns, 0.25) | {"x4": 0.0}
    r = rank(m, method="wsum", weights=weights)
    city = r.ranks.sort_values().index[-1]
    gap = close_gap(r, city, widen=0.0)
    assert len(gap) == m.shape[1]
    assert gap.loc["x4", "solver"] == "none" and not gap.loc["x4", "reachable"]
    assert np.isnan(gap.loc["x4", "needed"])
    assert gap["reachable"].is_monotonic_decreasing     # reachable rows first
    easy = gap.loc[gap["reachable"], "relative_change"].abs()
    assert easy.is_monotonic_increasing


def test_explicit_target_and_relative_method_moves_the_target():
    r = rank(synthetic(), method="topsis", normalisation="vector")
    best, *others = list(r.ranks.sort_values().index)
    moved = 0
    for city in others:
        gap = close_gap(r, city, target=best)
        assert gap.attrs["target"] == best
        for criterion, row in gap[gap["reachable"]].iterrows():
            after = rescore(r, city, criterion, row["needed"])
            assert after[city] >= after[best]
            moved += after[best] != pytest.approx(r.scores[best], abs=1e-9)  # the target moved
    assert moved >= 1


def test_vectorised_over_criteria(monkeypatch):
    """The kernel is called a fixed number of times, whatever the number of criteria."""
    calls = []
    real = aggregate.get_method

    def counting(name):
        spec = real(name)

        class Counted:
            def __getattr__(self, attr):
                return getattr(spec, attr)

            def score(self, *args, **kwargs):
                calls.append(1)
                return spec.score(*args, **kwargs)
        return Counted()

    monkeypatch.setattr(explain.aggregate, "get_method", counting)
    counts = []
    for m in (5, 12):
        r = rank(synthetic(m=m, n=9), method="vikor")
        calls.clear()
        close_gap(r, r.ranks.sort_values().index[-1])
        counts.append(len(calls))
    assert counts[0] == counts[1] <= explain._STEPS + 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"city": "synthetic-99"}, r"unknown city 'synthetic-99'.*closest ids"),
    ({"city": "WORST", "target": "nowhere"}, r"unknown target 'nowhere'"),
    ({"city": "WORST", "target": "WORST"}, r"same candidate"),
    ({"city": "WORST", "solver": "newton"}, r"solver must be 'auto' or 'bisection'"),
    ({"city": "WORST", "widen": -1}, r"widen must be a finite number >= 0"),
])
def test_errors(kwargs, match):
    r = rank(synthetic())
    worst = str(r.ranks.idxmax())
    kwargs = {k: worst if v == "WORST" else v for k, v in kwargs.items()}
    with pytest.raises(ExplainError, match=match):
        close_gap(r, **kwargs)


def test_first_city_and_worse_target_raise():
    r = rank(synthetic())
    order = list(r.ranks.sort_values().index)
    with pytest.raises(ExplainError, match=r"already ranks first.*pass target="):
        close_gap(r, order[0])
    with pytest.raises(CityKitError, match=r"does not score better"):
        close_gap(r, order[0], target=order[-1])
    assert next_better(r, order[0]) is None


def test_on_the_iran_data(iran):
    from citykit.scenario import Scenario, run
    result = run(Scenario(eligibility=({"rule": "exclude-capital"},
                                       {"rule": "population-floor", "minimum": 200_000})),
                 dataset=iran)
    r = result.ranking
    city = r.ranks.sort_values().index[10]
    gap = close_gap(r, city)
    check = close_gap(r, city, solver="bisection").reindex(gap.index)
    span = gap["observed_max"] - gap["observed_min"]
    assert ((gap["needed"] - check["needed"]).abs() <= 1e-9 * span).where(
        gap["reachable"], True).all()
    best = gap[gap["reachable"]].iloc[0]
    assert reaches(r, rescore(r, city, best.name, best["needed"]), city, gap.attrs["target"])
