"""The weights page's logic: rebalancing, split/combine, presets, AHP judgements, tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from citykit.ahp import _worst_judgement, ahp
from citykit.exceptions import WeightError
from citykit.i18n import TEXT
from citykit.scenario import Scenario, run
from citykit.ui import weights as wt
from citykit.weights import check_weights

PERSIAN_DIGIT = re.compile("[۰-۹]")


@st.composite
def levels(draw):
    """A level of 1-8 weights summing to 1, a slider to move, a new value and locks (synthetic)."""
    n = draw(st.integers(1, 8))
    raw = np.array(draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
    assume(raw.sum() > 1e-6)
    weights = pd.Series(raw / raw.sum(), index=[f"d{i}" for i in range(n)])
    changed = draw(st.sampled_from(list(weights.index)))
    others = [k for k in weights.index if k != changed]
    locked = set(draw(st.lists(st.sampled_from(others), unique=True))) if others else set()
    value = draw(st.floats(0, 1))
    return weights, changed, value, locked


@settings(max_examples=300, deadline=None)
@given(levels())
def test_rebalance_properties(case):
    weights, changed, value, locked = case
    new, note = wt.rebalance(weights, changed, value, locked)
    assert list(new.index) == list(weights.index)
    assert abs(new.sum() - 1.0) < 1e-9
    assert (new >= 0).all()
    check_weights(new.to_numpy())
    for k in locked:
        assert new[k] == weights[k]  # locked sliders never change, not even by rounding
    room = 1.0 - weights[list(locked)].sum()
    if note is None:
        assert new[changed] == pytest.approx(value, abs=1e-9)  # the sum's tolerance
    else:
        assert new[changed] == pytest.approx(max(room, 0.0), abs=1e-12)
        assert note["value"] == pytest.approx(new[changed])
        assert note["reason"] in ("clamped", "all_locked")
    others = [k for k in weights.index if k != changed and k not in locked]
    if others and note is None and weights[others].sum() > 1e-9:
        # proportional: the unlocked others keep their ratios
        ratio = new[others] / weights[others].sum()
        expected = weights[others] / weights[others].sum() * new[others].sum()
        assert np.allclose(new[others], expected, atol=1e-12), ratio


def test_rebalance_examples():
    w = pd.Series({"a": 0.4, "b": 0.4, "c": 0.2})
    new, note = wt.rebalance(w, "a", 0.6, {"c"})
    assert new.round(12).to_dict() == {"a": 0.6, "b": 0.2, "c": 0.2} and note is None
    new, note = wt.rebalance(w, "a", 0.9, {"c"})  # only 0.8 is left
    assert new.round(12).to_dict() == {"a": 0.8, "b": 0.0, "c": 0.2}
    assert note["reason"] == "clamped" and note["locked"] == pytest.approx(0.2)
    new, note = wt.rebalance(w, "a", 0.1, {"b", "c"})  # others all locked: a keeps what is left
    assert new.round(12).to_dict() == {"a": 0.4, "b": 0.4, "c": 0.2}
    assert note["reason"] == "all_locked"
    zero = pd.Series({"a": 1.0, "b": 0.0, "c": 0.0})  # others at 0 share what is freed equally
    assert wt.rebalance(zero, "a", 0.5)[0].round(12).to_dict() == {"a": 0.5, "b": 0.25,
                                                                     "c": 0.25}


def test_rebalance_rejects_bad_input():
    w = pd.Series({"a": 0.5, "b": 0.5})
    with pytest.raises(WeightError, match="'a' is locked; unlock it"):
        wt.rebalance(w, "a", 0.3, {"a"})
    with pytest.raises(WeightError, match="not one of this level's weights"):
        wt.rebalance(w, "z", 0.3)
    with pytest.raises(WeightError, match=r"between 0 and 1 .* got 1.5 for 'a'"):
        wt.rebalance(w, "a", 1.5)
    with pytest.raises(WeightError, match="sum to 0.9000, not 1"):
        wt.rebalance(pd.Series({"a": 0.5, "b": 0.4}), "a", 0.3)


@st.composite
def hierarchies(draw):
    """Criterion weights (summing to 1) over 1-4 synthetic dimensions."""
    m = draw(st.integers(1, 10))
    dims = draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=m, max_size=m))
    raw = np.array(draw(st.lists(st.floats(0, 5), min_size=m, max_size=m)))
    assume(raw.sum() > 1e-6)
    index = [f"c{i}" for i in range(m)]
    return pd.Series(raw / raw.sum(), index=index), pd.Series(dims, index=index)


@settings(max_examples=200, deadline=None)
@given(hierarchies())
def test_split_combine_round_trip(case):
    weights, dim_of = case
    dims, shares = wt.split_weights(weights, dim_of)
    assert abs(dims.sum() - 1) < 1e-9
    for _, members in shares.groupby(dim_of):
        assert abs(members.sum() - 1) < 1e-9
    back = wt.combine(dims, shares, dim_of)
    assert np.allclose(back.reindex(weights.index), weights, atol=1e-12)
    assert abs(back.sum() - 1) < 1e-9


def test_combine_refuses_shares_that_do_not_sum_to_one():
    dim_of = pd.Series({"x": "A", "y": "A", "z": "B"})
    with pytest.raises(WeightError, match="within dimension 'A'.*sum to 0.9000"):
        wt.combine(pd.Series({"A": 0.5, "B": 0.5}), pd.Series({"x": 0.5, "y": 0.4, "z": 1.0}),
                   dim_of)
    with pytest.raises(WeightError, match=r"dimensions \['B'\] have criteria but no weight"):
        wt.combine(pd.Series({"A": 1.0}), pd.Series({"x": 0.5, "y": 0.5, "z": 1.0}), dim_of)


@pytest.fixture(scope="module")
def result():
    return run(Scenario(eligibility=({"rule": "exclude-capital"},
                                     {"rule": "population-floor", "minimum": 200_000})))


@pytest.mark.parametrize("name", wt.PRESETS)
def test_presets_sum_to_one_and_split(result, name):
    w = wt.preset_weights(name, result.ranking, result.framework)
    assert abs(w.sum() - 1) < 1e-9 and (w >= 0).all()
    assert list(w.index) == list(result.ranking.matrix.values.columns)
    dims, _ = wt.split_weights(w, result.ranking.matrix.criteria["dimension"])
    assert abs(dims.sum() - 1) < 1e-9


def test_framework_preset_matches_the_ranking(result):
    w = wt.preset_weights("framework", result.ranking, result.framework)
    assert np.allclose(w, result.ranking.weights)
    dims, _ = wt.split_weights(w, result.ranking.matrix.criteria["dimension"])
    # readiness 0.6 × its dimensions' weights (digital e-government has no data, no weight)
    assert dims["human_capital"] == pytest.approx(0.6 * 0.2)
    assert dims["economy"] == pytest.approx(0.6 * 0.35)
    assert dims["urban_scale"] == pytest.approx(0.6 * 0.45)
    assert "digital_egov" not in dims.index or dims["digital_egov"] == 0
    with pytest.raises(WeightError, match="unknown weight preset 'ahp'"):
        wt.preset_weights("ahp", result.ranking)


SAATY_HOUSES = np.array([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]])


def test_revisit_on_saatys_example_agrees_with_ahp():
    with pytest.warns(Warning, match="CR = 0.117"):
        res = ahp(SAATY_HOUSES, names=["A", "B", "C"])
    todo = wt.revisit(SAATY_HOUSES, res.weights, ["A", "B", "C"])
    assert list(todo.columns) == ["a", "b", "given", "implied", "error", "deviation",
                                  "suggested"]
    assert np.allclose(todo["error"], todo["given"] / todo["implied"])
    # With three elements every judgement is off by the same factor, the cube root of the
    # cycle's inconsistency a_AB a_BC / a_AC = 6 · 4 / 8 = 3.
    assert np.allclose(todo["deviation"], 3 ** (1 / 3))
    # the first listed is the judgement ahp's own warning names
    worst = todo.iloc[0]
    assert f"({worst['a']!r} vs {worst['b']!r})" in _worst_judgement(
        SAATY_HOUSES, res.weights, ["A", "B", "C"])
    # the weights would have A vs C at 11.5: off Saaty's scale, so 9 is suggested
    assert todo.set_index(["a", "b"]).loc[("A", "C"), "suggested"] == 9


def test_revisit_finds_a_flipped_judgement():
    w = np.array([8, 4, 2, 1]) / 15
    A = w[:, None] / w[None, :]  # perfectly consistent, every ratio on Saaty's scale
    A[0, 3], A[3, 0] = 1 / A[0, 3], A[0, 3]  # one judgement turned around: a vs d = 1/8
    judgements = {(a, b): wt.suggest_judgement(A[i, j]) for i, a in enumerate("abcd")
                  for j, b in enumerate("abcd") if i < j}
    assert judgements[("a", "d")] == -8 and judgements[("a", "b")] == 2
    weights, res, todo = wt.ahp_weights(judgements, list("abcd"))
    assert res.cr > 0.1 and abs(weights.sum() - 1) < 1e-12
    assert (todo.iloc[0]["a"], todo.iloc[0]["b"]) == ("a", "d")
    assert todo["deviation"].is_monotonic_decreasing
    assert todo.iloc[0]["deviation"] > 1.1 * todo.iloc[1]["deviation"]


def test_consistent_judgements_have_cr_zero_and_the_implied_weights():
    weights, res, todo = wt.ahp_weights({("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2},
                                        ["a", "b", "c"])
    assert res.cr == pytest.approx(0, abs=1e-9) and res.consistent
    assert weights.round(9).to_dict() == {"a": round(4 / 7, 9), "b": round(2 / 7, 9),
                                          "c": round(1 / 7, 9)}
    assert np.allclose(todo["deviation"], 1)


def test_judgement_scale():
    assert [wt.judgement_value(o) for o in (9, 1, -9)] == [9.0, 1.0, 1 / 9]
    with pytest.raises(WeightError, match=r"a judgement is one of .* got 10"):
        wt.judgement_value(10)
    A = wt.pairwise_matrix({("a", "b"): -5}, ["a", "b", "c"])
    assert np.allclose(A * A.T, 1) and A[0, 1] == pytest.approx(0.2) and A[0, 2] == 1
    assert len(wt.SAATY_OPTIONS) == 17 and wt.SAATY_OPTIONS[8] == 1
    assert [wt.suggest_judgement(r) for r in (100, 1 / 100, 2.9)] == [9, -9, 3]
    assert wt.saaty_label(-9, "A", "B") == "B ×9: extremely more important"
    assert PERSIAN_DIGIT.search(wt.saaty_label(7, "الف", "ب", "fa"))


def test_tables_in_both_languages(result):
    ranking = result.ranking
    en = wt.preview_table(ranking, "en")
    fa = wt.preview_table(ranking, "fa")
    assert list(en.columns) == ["Rank", "City", "Score"] and len(en) == 10
    assert en["Rank"].tolist() == sorted(en["Rank"])
    assert all(PERSIAN_DIGIT.search(v) for v in fa["رتبه"])
    assert fa["شهر"].iloc[0] == ranking.matrix.names("fa")[ranking.ranks.idxmin()]
    table = wt.weights_table(ranking.weights, ranking.matrix.criteria, result.framework, "en")
    assert table["Weight (%)"].sum() == pytest.approx(100, abs=0.1 * len(table))
    assert table["Dimension"].iloc[0] == "Human capital"
    fa_table = wt.weights_table(ranking.weights, ranking.matrix.criteria, result.framework, "fa")
    assert all(PERSIAN_DIGIT.search(v) for v in fa_table["وزن (٪)"])
    caption = wt.subindex_caption(ranking.weights, ranking.matrix.criteria, result.framework)
    assert caption == "Sub-indices: Readiness 60.0% · Need 40.0%"


def test_every_page_text_has_persian():
    keys = [k for k in TEXT["en"] if k.startswith("wt_")]
    assert len(keys) > 50
    assert not [k for k in keys if k not in TEXT["fa"]]


def test_rebalance_with_an_all_but_zero_other_weight_stays_finite():
    # Found by hypothesis: 1 / 2.2e-313 overflowed to inf before the shares were taken first.
    new, note = wt.rebalance(pd.Series([1.0, 2.225074e-313], index=["d0", "d1"]), "d0", 0.0,
                             set())
    assert note is None and new.tolist() == [0.0, 1.0]
