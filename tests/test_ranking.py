"""The labelled ranking: weights from the framework, per-dimension scores, explanations."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citykit.frameworks import load_framework
from citykit.matrix import CityMatrix
from citykit.ranking import (
    SW_KINDS,
    RankingError,
    criterion_groups,
    framework_weights,
    rank,
    resolve_weights,
)

METHODS = ["wsum", "geometric", "topsis", "vikor", "promethee2"]


def _synthetic(seed=0, n=8, m=4):
    rng = np.random.default_rng(seed)        # SYNTHETIC test data
    frame = pd.DataFrame(rng.uniform(1, 100, (n, m)), index=[f"S{i}" for i in range(n)],
                         columns=[f"c{j}" for j in range(m)])
    return CityMatrix.from_frame(frame, ["max", "min"] * (m // 2))


@pytest.fixture(scope="module")
def national_matrix(iran):
    """What the default Scenario ranks: the 8 metropolises other than the capital, with the
    gaps (Karaj has no urban centre of its own, so no centre values) imputed by the median."""
    from citykit.eligibility import apply_rules
    from citykit.impute import handle_missing

    fw = load_framework("iran_national")
    eligible, _ = apply_rules(CityMatrix.from_dataset(iran, fw))
    complete, _ = handle_missing(eligible, "median")
    return fw, complete


def test_weighted_sum_by_hand():
    m = CityMatrix.from_frame(pd.DataFrame({"a": [0.0, 5.0, 10.0], "b": [1.0, 3.0, 2.0]},
                                           index=["X", "Y", "Z"]), ["max", "min"])
    r = rank(m, method="wsum", weights={"a": 0.75, "b": 0.25})
    # min-max: a -> 0, .5, 1; b (cost) -> 1, 0, .5
    assert r.scores.to_dict() == pytest.approx({"X": 0.25, "Y": 0.375, "Z": 0.875})
    assert r.ranks.to_dict() == {"X": 3, "Y": 2, "Z": 1}
    assert (r.contributions.sum(axis=1) - r.scores).abs().max() < 1e-12


def test_ties_share_the_lowest_rank():
    m = CityMatrix.from_frame(pd.DataFrame({"a": [1.0, 2.0, 2.0, 3.0]}, index=list("ABCD")),
                              ["max"])
    r = rank(m)
    assert r.ranks.to_dict() == {"A": 4, "B": 2, "C": 2, "D": 1}
    assert r.has_ties


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_labelled_ranks_named_with_normalisation(method):
    m = _synthetic()
    params = {"normalisation": "minmax", "normalisation_params": {}} if method != "geometric" \
        else {"normalisation": "vector"}
    r = rank(m, method=method, **params)
    assert list(r.scores.index) == list(m.values.index)
    expected = r.scores.rank(method="min", ascending=not r.higher_is_better).astype(int)
    assert r.ranks.tolist() == expected.tolist()       # explicit ties (PROMETHEE usual has some)
    assert r.method == method and r.normalisation == params["normalisation"]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["wsum", "topsis", "vikor", "promethee2"]))
def test_results_do_not_depend_on_row_order(seed, method):
    m = _synthetic(seed)
    order = np.random.default_rng(seed).permutation(m.shape[0])
    shuffled = m.take(m.values.index[order], note="shuffled")
    a, b = rank(m, method=method), rank(shuffled, method=method)
    pd.testing.assert_series_equal(a.scores, b.scores.loc[a.scores.index], atol=1e-12)
    pd.testing.assert_series_equal(a.ranks, b.ranks.loc[a.ranks.index])


def test_missing_values_are_refused():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0]}, index=list("XYZ"))
    with pytest.raises(RankingError, match=r"1 values are missing \(\{'a': 1\}\); handle them "
                                           r"first with citykit\.impute\.handle_missing"):
        rank(CityMatrix.from_frame(frame, ["max"]))


def test_weights_must_name_every_criterion_and_sum_to_one():
    m = _synthetic()
    with pytest.raises(RankingError, match=r"unknown \['c9'\], missing \['c3'\]"):
        rank(m, weights={"c0": .25, "c1": .25, "c2": .25, "c9": .25})
    from citykit.exceptions import WeightError

    with pytest.raises(WeightError, match=r"sum to 0\.9000, not 1"):
        rank(m, weights={"c0": .3, "c1": .3, "c2": .2, "c3": .1})
    r = rank(m, weights={"c0": 3, "c1": 3, "c2": 2, "c3": 1}, normalise_weights=True)
    assert r.weights.sum() == pytest.approx(1.0)
    with pytest.raises(RankingError, match=r"unknown weighting 'entropi'.*closest: \['entropy'\]"):
        rank(m, weights="entropi")


def test_framework_weights_follow_the_hierarchy(national_matrix):
    fw, m = national_matrix
    w = framework_weights(fw, m)
    assert w.sum() == pytest.approx(1.0)
    # need 0.4 x labour market 0.25 x unemployment (1 of 2 components) x 1 of 2 indicators
    assert w["census_unemployment_rate"] == pytest.approx(0.4 * 0.25 / 2 / 2)
    # readiness 0.6 x human capital 0.2 x 1 of 4 components x 1 indicator
    assert w["census_tertiary_share_15plus"] == pytest.approx(0.6 * 0.2 / 4)
    # explicit component weights: readiness 0.6 x economy 0.35 x city product 0.35 x 1 indicator
    assert w["uc_gdp_ppp_per_capita"] == pytest.approx(0.6 * 0.35 * 0.35)
    # need 0.4 x growth and street network 0.2 x indirect streets 0.4 x 1 of 2 indicators
    assert w["uc_circuity"] == pytest.approx(0.4 * 0.2 * 0.4 / 2)


def test_dropping_a_weighted_dimension_needs_explicit_rescaling(national_matrix):
    from citykit.exceptions import WeightError

    fw, m = national_matrix
    gone = m.criteria.index[m.criteria["dimension"] == "urban_scale"]
    smaller = m.drop_criteria(gone, note="drop urban scale")
    # urban scale carries readiness 0.6 x 0.45 = 0.27 of the weight
    with pytest.raises(WeightError, match=r"sum to 0\.7300, not 1"):
        framework_weights(fw, smaller)
    assert framework_weights(fw, smaller, normalise_weights=True).sum() == pytest.approx(1.0)


def test_national_ranking_has_dimension_and_subindex_scores(national_matrix):
    fw, m = national_matrix
    r = rank(m, method="wsum", weights="framework", framework=fw)
    assert list(r.subindex_scores.columns) == ["readiness", "need"]
    assert {"human_capital", "labour_market", "environment_utilities"} <= set(
        r.dimension_scores.columns)
    # additive: the overall score is the weighted sum of the sub-index scores
    overall = 0.6 * r.subindex_scores["readiness"] + 0.4 * r.subindex_scores["need"]
    assert (overall - r.scores).abs().max() < 1e-12
    by_dimension = r.contributions_by_dimension()
    assert (by_dimension.sum(axis=1) - r.scores).abs().max() < 1e-12
    assert r.normaliser["name"] == "minmax"


def test_strengths_and_weaknesses_against_peer_median(national_matrix):
    fw, m = national_matrix
    r = rank(m, weights="framework", framework=fw)
    best = r.ranks.idxmin()
    sw = r.strengths_weaknesses(best, n=3)
    assert set(sw["kind"]) <= {"strength", "weakness", "need", "less-need"}
    assert set(sw["group"]) <= {"readiness", "need"}
    strengths = sw[sw["kind"] == "strength"]
    assert (strengths["group"] == "readiness").all()
    assert (strengths["normalised"] > strengths["peer_median"]).all()
    assert strengths["impact"].is_monotonic_decreasing
    # each row says where the city's value came from: its own, its urban centre's or a proxy
    assert set(sw["provenance"]) <= {"own", "urban-centre", "proxy-county", "proxy-province"}
    for row in sw.itertuples():
        assert row.provenance == m.provenance.loc[best, row.criterion]
    with pytest.raises(RankingError, match=r"unknown candidate 'nowhere'"):
        r.strengths_weaknesses("nowhere")


def test_data_driven_weights_are_learned_on_the_eligible_set(national_matrix):
    _, m = national_matrix
    w = resolve_weights("entropy", m)
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    smaller = m.take(m.values.index[:4], note="first 4")
    assert not np.allclose(resolve_weights("entropy", smaller), w)


def test_table_is_sorted_and_flags_proxies(national_matrix):
    fw, m = national_matrix
    table = rank(m, weights="framework", framework=fw, method="topsis").table()
    assert table["rank"].is_monotonic_increasing
    prov = m.provenance.loc[table.index]
    proxy = prov.isin(["proxy-county", "proxy-province"])
    assert 0 < table["proxy_share"].min() < 1
    assert table["proxy_share"].to_numpy() == pytest.approx(proxy.mean(axis=1).to_numpy())
    # Karaj (128747) lies in the capital's urban centre: its centre criteria are imputed, so
    # less of its weight rests on city-level values than for a core city such as Mashhad
    assert table.loc["128747", "imputed_share"] > 0
    assert table.loc["124665", "imputed_share"] == 0
    assert table.loc["128747", "city_level_weight"] < table.loc["124665", "city_level_weight"]
    assert {"subindex:readiness", "subindex:need"} <= set(table.columns)


# --------------------------------------------------------------------------- readiness and need


def _readiness_and_need(seed=0, n=9):
    """SYNTHETIC: tertiary share and income (readiness, more is more ready), hospital beds
    (need, polarity '-': fewer beds, more need) and unemployment (need, '+')."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "tertiary": rng.uniform(10, 30, n), "income": rng.uniform(1, 3, n),
        "beds": rng.uniform(10, 25, n), "unemployment": rng.uniform(5, 20, n),
    }, index=[f"S{i}" for i in range(n)])
    crit = pd.DataFrame({"subindex": ["readiness", "readiness", "need", "need"],
                         "unit": ["%", "index", "per 10,000 people", "%"]}, index=frame.columns)
    return CityMatrix.from_frame(frame, ["max", "max", "min", "max"], criteria=crit)


def test_need_criteria_are_need_signals_never_strengths():
    m = _readiness_and_need()
    r = rank(m)
    for city in r.scores.index:
        sw = r.strengths_weaknesses(city, n=4)
        need = sw[sw["group"] == "need"]
        assert set(need["kind"]) <= {"need", "less-need"}
        assert set(sw.loc[sw["group"] == "readiness", "kind"]) <= {"strength", "weakness"}
        # more need = a favourable gap on the need scale; never called a strength
        assert (need.loc[need["kind"] == "need", "gap"] > 0).all()
        assert (need.loc[need["kind"] == "less-need", "gap"] < 0).all()
        for _, row in sw.iterrows():     # the relation is the raw value's, in plain words
            higher = row["relation"] == "higher"
            assert higher == ((row["gap"] > 0) == (row["direction"] == "max"))


def test_fewer_beds_than_most_is_more_need_by_hand():
    # beds: A has the fewest (more need), C the most (less need); tertiary: A the highest.
    frame = pd.DataFrame({"tertiary": [25.1, 19.2, 18.0], "beds": [14.1, 17.9, 20.0]},
                         index=["A", "B", "C"])          # SYNTHETIC
    crit = pd.DataFrame({"subindex": ["readiness", "need"]}, index=frame.columns)
    r = rank(CityMatrix.from_frame(frame, ["max", "min"], criteria=crit))
    a = r.strengths_weaknesses("A").set_index("criterion")
    assert a.loc["tertiary", ["group", "kind", "relation"]].tolist() == \
        ["readiness", "strength", "higher"]
    assert a.loc["beds", ["group", "kind", "relation", "direction"]].tolist() == \
        ["need", "need", "lower", "min"]
    assert a.loc["beds", "raw_median"] == pytest.approx(17.9)
    c = r.strengths_weaknesses("C").set_index("criterion")
    assert c.loc["beds", ["kind", "relation"]].tolist() == ["less-need", "higher"]
    assert c.loc["tertiary", ["kind", "relation"]].tolist() == ["weakness", "lower"]


def test_without_subindices_one_overall_group_keeps_strengths_and_weaknesses():
    r = rank(_synthetic(seed=4))
    sw = r.strengths_weaknesses(r.ranks.idxmin(), n=2)
    assert set(sw["group"]) == {"overall"} and set(sw["kind"]) <= {"strength", "weakness"}
    assert (sw.groupby("kind").size() <= 2).all()
    assert {"criterion", "name", "dimension", "raw", "normalised", "peer_median", "gap",
            "impact", "provenance", "kind"} <= set(sw.columns)      # the columns callers use


def test_criterion_groups():
    crit = pd.DataFrame({"subindex": ["readiness", "need", None, np.nan, ""]},
                        index=list("abcde"))
    assert criterion_groups(crit).tolist() == ["readiness", "need", "overall", "overall",
                                               "overall"]
    assert criterion_groups(pd.DataFrame(index=["x"])).tolist() == ["overall"]
    assert set(SW_KINDS["need"]).isdisjoint({"strength", "weakness"})


def test_iran_need_rows_follow_the_data(iran):
    """Whatever the default candidates and indicators: hospital-bed-like need criteria (need,
    polarity '-') below the median read 'lower' and 'need'; need is never a strength."""
    from citykit.scenario import Scenario, run

    r = run(Scenario(), dataset=iran).ranking
    groups = criterion_groups(r.matrix.criteria)
    assert {"readiness", "need"} <= set(groups)
    checked = 0
    for city in r.scores.index[:40]:
        sw = r.strengths_weaknesses(city, n=50)
        need = sw[sw["group"] == "need"]
        assert set(need["kind"]) <= {"need", "less-need"}
        fewer = need[(need["direction"] == "min") & (need["raw"] < need["raw_median"])]
        assert (fewer["kind"] == "need").all() and (fewer["relation"] == "lower").all()
        checked += len(fewer)
    assert checked > 0


def test_immaterial_differences_are_not_called_out():
    """SYNTHETIC: water coverage 99.85 % against a median of 100 % spans the whole normalised
    range, yet it is no real difference; it is left out unless the threshold is lowered."""
    frame = pd.DataFrame({"water": [99.85, 100.0, 100.0, 99.9], "beds": [11.0, 17.0, 18.0, 20.0]},
                         index=["K", "A", "B", "C"])
    crit = pd.DataFrame({"subindex": ["need", "need"]}, index=frame.columns)
    r = rank(CityMatrix.from_frame(frame, ["min", "min"], criteria=crit))
    shown = r.strengths_weaknesses("K")
    assert shown["criterion"].tolist() == ["beds"]
    assert set(r.strengths_weaknesses("K", min_difference=0)["criterion"]) == {"water", "beds"}
