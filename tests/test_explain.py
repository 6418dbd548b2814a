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
from hypothesis import given, settings
from hypothesis import strategies as st

from citykit import aggregate, explain, normalise
from citykit.exceptions import CityKitError
from citykit.explain import ExplainError, close_gap, next_better, proposable
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
    assert (r.matrix.criteria.loc[gap.index, "subindex"] == "readiness").all()


# --------------------------------------------------------------------------- only improvements


def improves(row) -> bool:
    """The change is an improvement in the real world: up for max, down for min."""
    return (row["change"] >= 0) if row["direction"] == "max" else (row["change"] <= 0)


def national(seed: int = 2, n: int = 9) -> CityMatrix:
    """SYNTHETIC readiness (tertiary share, income) and need (hospital beds '-', piped water
    coverage '-', unemployment '+') criteria, as a national framework orients them."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "tertiary": rng.uniform(10, 30, n), "income": rng.uniform(1, 3, n),
        "beds": rng.uniform(10, 25, n), "water": rng.uniform(95, 100, n),
        "unemployment": rng.uniform(5, 20, n),
    }, index=[f"synthetic-{i}" for i in range(n)]).round(3)
    crit = pd.DataFrame({"subindex": ["readiness"] * 2 + ["need"] * 3}, index=frame.columns)
    return CityMatrix.from_frame(frame, ["max", "max", "min", "min", "max"], criteria=crit)


@pytest.mark.parametrize(("method", "norm", "params"), CASES[:-1],
                         ids=[f"{m}-{n}-{i}" for i, (m, n, _) in enumerate(CASES[:-1])])
def test_need_criteria_are_never_proposed(method, norm, params):
    r = rank(national(), method=method, normalisation=norm, method_params=params)
    for city in r.ranks.sort_values().index[1:]:
        gap = close_gap(r, city)
        assert set(gap.index) <= {"tertiary", "income"}
        assert gap.attrs["excluded"] == ("beds", "water", "unemployment")
        assert gap.attrs["n_excluded"] == 3
        assert all(improves(row) for _, row in gap[gap["reachable"]].iterrows())
        for criterion, row in gap[gap["reachable"] & ~gap["tie_only"]].iterrows():
            after = rescore(r, city, criterion, row["needed"])   # still exact and verified
            assert reaches(r, after, city, gap.attrs["target"])


def test_lowering_water_coverage_is_not_proposed_even_when_it_is_the_easiest():
    """The reported case: piped water (need, '-') at 100 % scores lowest on need; dropping it to
    99.95 % would close a tiny gap. That is never proposed; the readiness route is."""
    frame = pd.DataFrame({"tertiary": [20.0, 20.1, 25.0], "water": [100.0, 99.9, 96.0]},
                         index=["A", "B", "C"])      # SYNTHETIC
    crit = pd.DataFrame({"subindex": ["readiness", "need"]}, index=frame.columns)
    m = CityMatrix.from_frame(frame, ["max", "min"], criteria=crit)
    r = rank(m)
    assert next_better(r, "A") == "B"
    gap = close_gap(r, "A")
    assert list(gap.index) == ["tertiary"] and gap.attrs["excluded"] == ("water",)
    assert gap.loc["tertiary", "change"] > 0
    # without sub-indices the same matrix proposes lowering the coverage: the old behaviour
    plain = close_gap(rank(CityMatrix.from_frame(frame, ["max", "min"])), "A")
    assert plain.loc["water", "change"] < 0 and plain.attrs["n_excluded"] == 0


def test_a_goalposts_target_behind_the_value_is_not_a_proposal():
    """Goalposts with a target below the current value of a 'max' criterion: moving towards the
    target would raise the score but lower the value; that is reported as not reachable."""
    frame = pd.DataFrame({"a": [9.0, 7.0, 5.0], "b": [5.0, 5.0, 8.0]},
                         index=["A", "B", "C"])      # SYNTHETIC
    m = CityMatrix.from_frame(frame, ["max", "max"])
    r = rank(m, normalisation="goalposts",
             normalisation_params={"bounds": [(0, 10), (0, 10)], "target": [6.0, None]})
    assert next_better(r, "A") == "B"
    # lowering a from 9 to just under 7 (towards the target 6) would reach B: not proposed
    assert reaches(r, rescore(r, "A", "a", 6.9), "A", "B")
    gap = close_gap(r, "A")
    assert not gap.loc["a", "reachable"] and gap.loc["b", "reachable"]
    assert all(improves(row) for _, row in gap[gap["reachable"]].iterrows())


def test_proposable():
    crit = pd.DataFrame({"subindex": ["readiness", "need", "readiness"]}, index=list("abc"))
    assert proposable(crit).tolist() == [True, False, True]
    assert proposable(pd.DataFrame({"subindex": [None, None]}, index=["x", "y"])).all()


def test_on_the_default_iran_scenario_every_proposal_is_a_readiness_improvement(iran):
    """Whatever the default candidates and indicators are: for every ranked city, no row
    proposes a need criterion or a change against the criterion's improving direction."""
    from citykit.scenario import Scenario, run

    r = run(Scenario(), dataset=iran).ranking
    subindex = r.matrix.criteria["subindex"]
    need = set(subindex[subindex == "need"].index)
    assert need, "the national framework has need criteria"
    cities = list(r.ranks.sort_values(kind="stable").index[1:])
    step = max(1, len(cities) // 25)                  # at most ~25 cities: keep it quick
    for city in cities[::step]:
        if next_better(r, city) is None:             # tied with the first
            continue
        gap = close_gap(r, str(city))
        assert not set(gap.index) & need
        assert set(gap.attrs["excluded"]) == need
        assert all(improves(row) for _, row in gap[gap["reachable"]].iterrows())


@st.composite
def random_case(draw):
    n = draw(st.integers(3, 7))
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)           # SYNTHETIC, from the drawn seed
    values = rng.uniform(0.5, 10.0, (n, m)).round(draw(st.sampled_from([0, 1, 3])))
    frame = pd.DataFrame(values, index=[f"synthetic-{i}" for i in range(n)],
                         columns=[f"x{j}" for j in range(m)])
    directions = draw(st.lists(st.sampled_from(["max", "min"]), min_size=m, max_size=m))
    grouped = draw(st.booleans())
    subindex = draw(st.lists(st.sampled_from(["readiness", "need"]), min_size=m, max_size=m)) \
        if grouped else [None] * m
    crit = pd.DataFrame({"subindex": subindex}, index=frame.columns)
    method, norm, params = draw(st.sampled_from(CASES[:-1]))
    return CityMatrix.from_frame(frame, directions, criteria=crit), method, norm, params


@settings(max_examples=60, deadline=None)
@given(random_case())
def test_property_close_gap_never_proposes_a_worsening_change(case):
    m, method, norm, params = case
    r = rank(m, method=method, normalisation=norm, method_params=params)
    subindex = m.criteria["subindex"]
    for city in r.ranks.sort_values(kind="stable").index:
        if next_better(r, city) is None:
            continue
        gap = close_gap(r, city)
        assert len(gap) + gap.attrs["n_excluded"] == m.shape[1]
        assert not (subindex.reindex(gap.index) == "need").any()
        for _, row in gap[gap["reachable"]].iterrows():
            assert improves(row), row.to_dict()
            assert np.isfinite(row["needed"])
