"""The robustness page's view models (citykit.ui.robustness), without Streamlit running.

Two inputs: a small SYNTHETIC matrix (seeded random values, cities named ``synthetic-…``)
ranked with :func:`citykit.ranking.rank`, and the bundled Iran data under the app's scenario.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau, spearmanr

from citykit.aggregate import METHODS
from citykit.eligibility import preset_rules
from citykit.exceptions import CityKitError, RobustnessError
from citykit.matrix import CityMatrix
from citykit.ranking import rank
from citykit.robustness import framework_sensitivity, robustness, weight_stability
from citykit.scenario import Scenario, run
from citykit.ui import robustness as rob


@pytest.fixture(scope="module")
def synthetic():
    """SYNTHETIC: 12 cities × 4 criteria of seeded uniform values (one cost criterion)."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.uniform(1.0, 10.0, (12, 4)), columns=["jobs", "air", "rent", "parks"],
                         index=[f"synthetic-{i:02d}" for i in range(12)])
    return rank(CityMatrix.from_frame(frame, ["max", "max", "min", "max"]), method="wsum")


@pytest.fixture(scope="module")
def iran():
    return run(Scenario())


PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


def _persian(text: str) -> bool:
    return any(d in str(text) for d in PERSIAN_DIGITS)


# --------------------------------------------------------------------------- settings

def test_settings_from_keeps_other_keys_and_stores_uniform_as_none():
    new = rob.settings_from({"draws": 2000, "bounds": {"jobs": [0.1, 0.5]}}, draws=300,
                            top_k=4, concentration=50, uniform=True, seed=3, n_candidates=12)
    assert new == {"draws": 300, "bounds": {"jobs": [0.1, 0.5]}, "top_k": 4,
                   "concentration": None, "seed": 3}
    assert rob.settings_from({}, draws=300.0, top_k=4, concentration=50, uniform=False, seed=0,
                             n_candidates=12)["concentration"] == 50.0


@pytest.mark.parametrize(("change", "match"), [
    ({"draws": 0}, r"Weight draws must be a whole number from 1 to 100,000; got 0"),
    ({"draws": rob.MAX_DRAWS + 1}, r"from 1 to 100,000; got 100,001"),
    ({"draws": 2.5}, r"Weight draws must be a whole number"),
    ({"top_k": 13}, r"shortlist size must be a whole number from 1 to 12.*got 13"),
    ({"top_k": 0}, r"from 1 to 12, the number of candidates; got 0"),
    ({"concentration": 0.0}, r"concentration must be a number above 0; got 0"),
    ({"concentration": float("nan")}, r"concentration must be a number above 0"),
    ({"seed": -1}, r"random seed must be a whole number from 0 to 9,007,199,254,740,991; got -1"),
    ({"seed": 2**53}, r"from 0 to 9,007,199,254,740,991; got 9,007,199,254,740,992"),
])
def test_settings_from_rejects_bad_values_with_a_fix(change, match):
    values = {"draws": 500, "top_k": 5, "concentration": 100.0, "uniform": False, "seed": 0,
              **change}
    with pytest.raises(RobustnessError, match=match):
        rob.settings_from({}, **values, n_candidates=12)


def test_settings_from_ignores_the_concentration_of_uniform_draws_and_speaks_persian():
    assert rob.settings_from({}, draws=10, top_k=1, concentration=-5, uniform=True, seed=0,
                             n_candidates=2)["concentration"] is None
    with pytest.raises(RobustnessError, match="۱۲") as info:
        rob.settings_from({}, draws=10, top_k=99, concentration=1, uniform=False, seed=0,
                          n_candidates=12, lang="fa")
    assert "اندازهٔ فهرست کوتاه" in str(info.value) and "۹۹" in str(info.value)


def test_settings_caption_states_draws_spread_and_precision(synthetic):
    acc = robustness(synthetic, draws=400, top_k=3, concentration=None)
    assert rob.settings_caption(acc) == (
        "400 draws, weights uniform over every weighting, seed 0. A probability near 50 % is "
        "accurate to about ±2.5%.")
    fixed = robustness(synthetic, draws=100, top_k=3, concentration=math.inf)
    assert "fixed" in rob.settings_caption(fixed)
    assert _persian(rob.settings_caption(acc, lang="fa"))


# --------------------------------------------------------------------------- labels

def test_candidate_labels_are_unique_even_when_two_cities_share_a_name():
    # Every city, no population floor: several towns share a name.
    result = run(Scenario(eligibility=preset_rules("all-cities")))
    names = result.matrix.names("en").reindex(result.ranking.ranks.index)
    assert names.duplicated().any()
    labels = rob.candidate_labels(result)
    assert labels.is_unique and list(labels.index) == list(result.ranking.ranks.index)
    twin = names[names.duplicated(keep=False)].index[0]
    assert labels[twin] == f"{names[twin]} ({twin})"
    fa = rob.candidate_labels(result, "fa")
    assert fa.is_unique and _persian(fa[twin])


def test_labels_fall_back_to_ids_and_english_names(synthetic, iran):
    assert rob.candidate_labels(synthetic, "fa").tolist() == list(synthetic.scores.index)
    assert rob.criterion_labels(synthetic, "fa").tolist() == ["jobs", "air", "rent", "parks"]
    fa = rob.criterion_labels(iran, "fa")
    assert list(fa.index) == list(iran.ranking.normalised.columns)
    assert fa["census_unemployment_rate"] == \
        iran.matrix.criteria.loc["census_unemployment_rate", "name_fa"]


# --------------------------------------------------------------------------- figures

def test_p_top_k_bars_are_best_first_and_match_the_acceptability(synthetic):
    acc = robustness(synthetic, draws=500, top_k=3, seed=1)
    fig = rob.p_top_k_figure(acc, limit=8)
    order = list(fig.layout.yaxis.categoryarray)
    p = acc.p_top_k.rename(index=dict(acc.names))
    assert len(order) == 8 and list(p.reindex(order)) == sorted(p.reindex(order), reverse=True)
    assert p.sort_values(ascending=False).iloc[:8].min() == p.reindex(order).min()
    inside, outside = fig.data
    bars = dict(zip(inside.y, inside.x, strict=True)) | dict(zip(outside.y, outside.x,
                                                                  strict=True))
    assert bars == pytest.approx(p.reindex(order).to_dict())
    top_today = set(acc.names[acc.base_ranks <= 3])
    assert set(inside.y) == top_today & set(order) and not set(outside.y) & top_today
    assert fig.layout.title.text == "P(top 3) over 500 weight draws"
    assert len(rob.p_top_k_figure(acc, limit=None).layout.yaxis.categoryarray) == 12


def test_p_top_k_figure_follows_the_shortlist_size(synthetic):
    small = rob.p_top_k_figure(robustness(synthetic, draws=300, top_k=2), limit=None)
    large = rob.p_top_k_figure(robustness(synthetic, draws=300, top_k=6), limit=None)
    assert sum(small.data[0].x) < sum(large.data[0].x)
    assert len(small.data[0].y) == 2 and len(large.data[0].y) == 6


def test_rank_interval_figure_draws_the_5_50_95_ranks_and_todays_rank(synthetic):
    acc = robustness(synthetic, draws=500, top_k=3)
    fig = rob.rank_interval_figure(acc, limit=None)
    interval = acc.rank_interval.rename(index=dict(acc.names))
    median, today = fig.data
    y = list(median.y)
    assert y == list(acc.names[acc.base_ranks.sort_values(kind="stable").index])
    assert list(median.x) == list(interval.loc[y, "median"])
    assert list(median.x + median.error_x.array) == list(interval.loc[y, "p95"])
    assert list(median.x - median.error_x.arrayminus) == list(interval.loc[y, "p5"])
    assert list(today.x) == list(acc.base_ranks.rename(index=dict(acc.names)).loc[y])
    assert fig.layout.shapes[0].x0 == 3.5  # the top-k cut


def test_acceptability_heatmap_rows_are_the_rank_probabilities(synthetic):
    acc = robustness(synthetic, draws=500, top_k=3)
    fig = rob.acceptability_figure(acc, limit=None)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (12, 12)
    np.testing.assert_allclose(z.sum(axis=1), 1.0)
    first = acc.base_ranks.sort_values(kind="stable").index[0]
    np.testing.assert_allclose(z[0], acc.acceptability.loc[first].to_numpy())
    assert np.asarray(rob.acceptability_figure(acc, limit=5).data[0].z).shape == (5, 5)


def test_figures_speak_persian(iran):
    acc = robustness(iran, draws=200)
    labels = rob.candidate_labels(iran, "fa")
    for make in (rob.p_top_k_figure, rob.rank_interval_figure, rob.acceptability_figure):
        fig = make(acc, labels=labels, lang="fa", limit=10)
        assert _persian(fig.layout.title.text) or "احتمال" in fig.layout.title.text
        assert "Vazirmatn" in fig.layout.font.family
        assert "کرج" in list(fig.data[0].y) + list(fig.data[-1].y)
        assert all(_persian(t) for t in fig.layout.xaxis.ticktext)


# --------------------------------------------------------------------------- weight stability

def test_weight_stability_tables_match_the_library_narrowest_first(synthetic):
    ws = weight_stability(synthetic, top_k=3)
    intervals, drops = rob.weight_stability_tables(synthetic, ws)
    assert list(intervals.columns) == ["Criterion", "Weight", "Top 3 unchanged from", "up to",
                                       "Smallest move that changes it"]
    expected = ws.intervals.reindex(intervals.index)
    np.testing.assert_allclose(intervals["Weight"], expected["weight"])
    np.testing.assert_allclose(intervals["Top 3 unchanged from"], expected["low"])
    room = np.minimum(expected["weight"] - expected["low"], expected["high"] - expected["weight"])
    np.testing.assert_allclose(intervals["Smallest move that changes it"], room)
    assert list(room) == sorted(room)
    assert list(drops.index) == list(ws.shortlist.index) and len(drops) == 3
    np.testing.assert_allclose(drops["Change"], ws.shortlist["change"])


def test_weight_stability_tables_translate_criteria_and_digits(iran):
    ws = weight_stability(iran)
    intervals, drops = rob.weight_stability_tables(iran, ws, lang="fa")
    assert set(intervals["معیار"]) == set(iran.matrix.criteria.loc[ws.intervals.index,
                                                                   "name_fa"])
    assert all(_persian(v) for v in intervals["وزن"])
    leader = iran.ranking.ranks.idxmin()
    assert drops["شهر"].iloc[0] == iran.dataset.cities.loc[leader, "name_fa"] == "اهواز"
    assert drops["رتبه"].iloc[0] == "۱"


# --------------------------------------------------------------------------- methods

def test_rankings_by_method_equal_rerunning_the_scenario(iran):
    rankings = rob.rankings_by_method(iran)
    assert list(rankings) == list(METHODS)
    assert rankings["wsum"] is iran.ranking
    for method in ("geometric", "topsis", "vikor", "promethee2"):
        again = run(Scenario().with_(method=method)).ranking
        assert rankings[method].ranks.equals(again.ranks.reindex(rankings[method].ranks.index))
        assert rankings[method].normalisation == again.normalisation


def test_method_agreement_correlations_and_overlap(synthetic):
    rankings = rob.rankings_by_method(synthetic)
    table = rob.method_agreement(rankings, "wsum", top_k=4)
    assert list(table.index) == list(METHODS)
    assert table.loc["wsum"].tolist()[:4] == [1.0, 1.0, 4, 4]
    base = synthetic.ranks
    for method in ("topsis", "vikor"):
        other = rankings[method].ranks.reindex(base.index)
        assert table.loc[method, "kendall_tau"] == pytest.approx(kendalltau(base, other)[0])
        assert table.loc[method, "spearman_rho"] == pytest.approx(spearmanr(base, other)[0])
        shared = set(base.index[base <= 4]) & set(other.index[other <= 4])
        assert table.loc[method, "top_k_shared"] == len(shared)
        assert table.loc[method, "leader"] == other.idxmin()


def test_a_method_that_cannot_rank_is_reported_in_its_row():
    result = run(Scenario().with_(normalisation="minmax"))  # zeros: no geometric mean
    rankings = rob.rankings_by_method(result)
    assert isinstance(rankings["geometric"], CityKitError)
    table = rob.method_agreement(rankings, "wsum", top_k=5)
    assert len(table) == len(METHODS) and math.isnan(table.loc["geometric", "kendall_tau"])
    assert "zero" in table.loc["geometric", "error"]
    shown = rob.method_agreement_table(table, chosen="wsum", top_k=5,
                                       labels=rob.candidate_labels(result))
    assert shown.loc["geometric", "Top 5 shared"] == "—"
    assert "zero" in shown.loc["geometric", "Note"]
    with pytest.raises(RobustnessError, match="chosen method 'geometric' has no ranking"):
        rob.method_agreement(rankings, "geometric", top_k=5)


def test_method_agreement_table_in_persian(iran):
    agreement = rob.method_agreement(rob.rankings_by_method(iran), "wsum", top_k=5)
    table = rob.method_agreement_table(agreement, chosen="wsum", top_k=5, lang="fa",
                                       labels=rob.candidate_labels(iran, "fa"))
    assert list(table.columns)[:3] == ["روش", "τ کندال", "ρ اسپیرمن"]
    assert table.loc["wsum", "روش"].startswith("جمع وزنی")
    assert all(_persian(v) for v in table["τ کندال"])


# --------------------------------------------------------------------------- choices

def test_choice_table_orders_factors_and_sums_to_one(iran):
    cs = rob.choice_sensitivity_for(iran, draws=60)
    assert cs.levels["normalisation"] == rob.CHOICE_NORMALISATIONS
    table = rob.choice_table(cs)
    shares = table["Share of the rank variance"]
    assert shares.sum() == pytest.approx(1.0)
    assert list(table.index)[-1] == "interactions"
    assert list(shares.iloc[:-1]) == sorted(shares.iloc[:-1], reverse=True)
    assert table.loc["method", "Varied over"].startswith("Weighted sum, Weighted geometric")
    assert iran.scenario.missing == "median"  # the default policy, kept fixed here
    assert table.loc["missing", "Varied over"] == "median imputation (not varied)"
    assert table.loc["normalisation", "Varied over"] == "vector, sum"
    fa = rob.choice_table(cs, uniform=True, lang="fa")
    assert fa.loc["weights", "گزینه‌های آزموده"] == "نمونه‌های یکنواخت"
    assert fa.loc["normalisation", "گزینه‌های آزموده"] == "برداری، مجموع"
    assert all(_persian(v) for v in fa["سهم از واریانس رتبه"])


# --------------------------------------------------------------------------- frameworks

def test_framework_scenario_keeps_what_changes_the_rankings():
    a = Scenario().with_(method="topsis", robustness={"draws": 5, "top_k": 2})
    assert rob.framework_scenario(a) != rob.framework_scenario(Scenario())
    assert rob.framework_scenario(a).eligibility == Scenario().eligibility
    assert rob.framework_scenario(Scenario().with_(weights={"x": 1.0})).weights == "framework"


def test_framework_top_k_recomputes_the_overlap_and_checks_k():
    few = ["iran_national", "u4ssc", "iese_cim"]
    fs = framework_sensitivity(Scenario(), few, top_k=1)
    for k in (3, 8):  # 8: every candidate (the metropolises but the capital)
        again = rob.framework_top_k(fs, k)
        assert again.top_k == k
        pd.testing.assert_frame_equal(again.top_k_overlap,
                                      framework_sensitivity(Scenario(), few,
                                                            top_k=k).top_k_overlap)
    with pytest.raises(RobustnessError, match="from 1 to 8.*got 9"):
        rob.framework_top_k(fs, 9)


def test_framework_table_reports_frameworks_that_cannot_rank():
    fs = framework_sensitivity(Scenario(), ["iran_national", "u4ssc", "iso37122"])
    titles = rob.framework_titles(["iran_national", "u4ssc", "iso37122"])
    table = rob.framework_agreement_table(fs, reference="iran_national", titles=titles)
    assert list(table.index) == ["iran_national", "u4ssc", "iso37122"]
    assert table.loc["iran_national", "Kendall τ"] == "1.00"
    assert table.loc["u4ssc", "Kendall τ"] == f"{fs.kendall_tau.loc['iran_national', 'u4ssc']:.2f}"
    # issue 15, item 6: a dash, not "None", and the reason in words
    assert table.loc["iso37122", "Status"] == ("not ranked: none of its indicators has data in "
                                               "this dataset yet")
    assert table.loc["iso37122", "Kendall τ"] == "—"
    assert table.loc["u4ssc", "Framework"] == titles["u4ssc"] != "u4ssc"
    unknown = rob.framework_agreement_table(fs, reference=None, lang="fa")
    assert unknown["τ کندال"].tolist() == ["—"] * 3
    figure = rob.framework_tau_figure(fs, titles=rob.framework_titles(list(titles), "fa"),
                                      lang="fa")
    assert np.asarray(figure.data[0].z).shape == (2, 2)
    assert list(figure.data[0].x) == ["۱", "۲"]  # no raw ids across the top
    assert figure.data[0].y[1] == f"۲. {rob.framework_titles(['u4ssc'], 'fa')['u4ssc']}"


# --------------------------------------------------------------------------- progress

def test_progress_reporter_draws_fractions_in_the_slot():
    calls = []

    class Slot:
        def progress(self, value, text):
            calls.append((value, text))

    report = rob.progress_reporter(Slot(), "fa")
    report(1000, 2000)
    report(2000, 2000)
    assert [c[0] for c in calls] == [0.5, 1.0] and _persian(calls[0][1])
