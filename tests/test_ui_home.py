"""The home page's view models (citykit.ui.home) on the bundled Iran dataset.

The page itself is tested with AppTest in test_app.py; here the map, the tables, the chart and
the click handling are checked as plain functions, so each property is pinned down exactly.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import streamlit as st

from citykit.eligibility import preset_rules
from citykit.exceptions import CityKitError
from citykit.i18n import format_number
from citykit.robustness import robustness
from citykit.scenario import Scenario, run
from citykit.ui import home, session

TEHRAN = "112931"
PERSIAN_DIGIT = re.compile("[۰-۹]")
LATIN_DIGIT = re.compile("[0-9]")


@pytest.fixture(scope="module")
def result():
    """The app's default scenario: the 8 metropolises other than the capital."""
    return run(Scenario())


@pytest.fixture(scope="module")
def floored():
    """Every city but the capital with at least 200,000 people (reasons with numbers)."""
    return run(Scenario().with_(eligibility=preset_rules("all-cities", min_population=200_000)))


@pytest.fixture(scope="module")
def acc(result):
    return robustness(result, draws=300)


@pytest.fixture(scope="module")
def with_capital():
    return run(Scenario().with_(eligibility=({"rule": "population-floor",
                                                "minimum": 200_000},)))


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def _ids(fig, *names) -> list[str]:
    return [c for t in fig.data if t.name in names and t.type == "scattermap"
            for c in t.customdata]


# --------------------------------------------------------------------------- layers

def test_layer_options_cover_scores_dimensions_subindices_and_indicators(result, iran):
    options = home.layer_options(result)
    assert options[:2] == ["none", "score"]
    assert {f"subindex:{c}" for c in result.ranking.subindex_scores} <= set(options)
    assert {f"dimension:{c}" for c in result.ranking.dimension_scores} <= set(options)
    indicators = [o.split(":", 1)[1] for o in options if o.startswith("indicator:")]
    assert indicators and set(indicators) <= set(iran.indicators.index)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_layer_labels_match_one_by_one_labels(result, lang):
    labels = home.layer_labels(result, lang)
    assert list(labels) == home.layer_options(result)
    for code in list(labels)[:12] + list(labels)[-3:]:
        assert labels[code] == home.layer_label(result, code, lang)
    assert labels["dimension:economy"].startswith("Dimension" if lang == "en" else "بُعد")


# --------------------------------------------------------------------------- province scores

def test_province_best_and_median_scores(result):
    ranking = result.ranking
    province = ranking.matrix.candidates["province_code"]
    best = home.province_scores(result, "score", how="best")
    median = home.province_scores(result, "score", how="median")
    expected_best = ranking.scores.groupby(province).max()
    pd.testing.assert_series_equal(best["value"], expected_best, check_names=False)
    pd.testing.assert_series_equal(median["value"], ranking.scores.groupby(province).median(),
                                   check_names=False)
    assert (best["n"] == province.value_counts().reindex(best.index)).all()
    for code, row in best.iterrows():
        assert ranking.scores[row["best"]] == expected_best[code]


def test_province_scores_of_a_dimension_and_of_vikor():
    vikor = run(Scenario().with_(method="vikor"))
    assert not vikor.ranking.higher_is_better
    table = home.province_scores(vikor, "dimension:economy", how="best")
    scores = vikor.ranking.dimension_scores["economy"]
    province = vikor.ranking.matrix.candidates["province_code"]
    # For VIKOR's Q lower is better: a province's best candidate has the lowest score.
    pd.testing.assert_series_equal(table["value"], scores.groupby(province).min(),
                                   check_names=False)


def test_unknown_layer_or_aggregate_is_a_citykit_error(result):
    with pytest.raises(CityKitError, match=r"unknown score layer 'dimension:nope'.*'score'"):
        home.province_scores(result, "dimension:nope")
    with pytest.raises(CityKitError, match=r"unknown province aggregate 'mean'"):
        home.province_scores(result, how="mean")
    with pytest.raises(CityKitError, match=r"unknown marker colour 'size'"):
        home.home_map(result, colour_by="size")
    with pytest.raises(CityKitError, match=r"unknown map layer 'provinces'"):
        home.home_map(result, layer="provinces")


# --------------------------------------------------------------------------- map

def test_map_is_offline_and_draws_every_city_once(result, iran):
    fig = home.home_map(result)
    types = [t.type for t in fig.data]
    assert types[0] == "choroplethmap" and "scattermap" in types
    assert fig.layout.map.style == "white-bg" and fig.layout.map.layers == ()
    for trace in fig.data:
        if trace.type == "scattermap":
            assert trace.mode == "markers" and trace.marker.symbol in (None, "circle")
    assert "http" not in fig.to_json()
    ranked = _ids(fig, "Ranked candidate")
    excluded = _ids(fig, "Not a candidate")
    capital = list(_trace(fig, "National capital (not a candidate)").customdata)
    assert sorted(ranked) == sorted(result.ranking.scores.index)
    assert capital == [TEHRAN]
    assert sorted(ranked + excluded + capital) == sorted(iran.cities.index)
    provinces = [loc for t in fig.data if t.type == "choroplethmap" for loc in t.locations]
    assert sorted(provinces) == sorted(iran.provinces.index)


def test_excluded_cities_say_why_in_hover_when_asked(result):
    fig = home.home_map(result)
    capital = _trace(fig, "National capital (not a candidate)")
    assert "Tehran" in capital.text[0] and "Not a candidate: national capital" in capital.text[0]
    # By default the small grey towns take no hover or click (they would catch the clicks
    # meant for the candidates next to them); the capital keeps its hover.
    rest = _trace(fig, "Not a candidate")
    assert rest.hoverinfo == "skip" and rest.text is None
    rest = _trace(home.home_map(result, excluded_hover=True), "Not a candidate")
    assert rest.hoverinfo is None
    reasons = home.excluded_cities(result)["reason"]
    for city, text in zip(rest.customdata, rest.text, strict=True):
        assert f"Not a candidate: {reasons[city]}" in text, city
    assert {"not a metropolis", "in the capital's county or urban centre (a suburb of the "
            "capital)"} == set(reasons[list(rest.customdata)])


def test_excluded_table_lists_every_city_that_is_not_ranked(result, floored, iran):
    table = home.excluded_table(result)
    assert list(table.columns) == ["City", "Province", "Population", "Why not a candidate"]
    assert len(table) == len(iran.cities) - len(result.ranking.scores) == 414 - 8
    assert table.index[0] == TEHRAN and table.iloc[0, -1] == "national capital"
    assert table["Population"].is_monotonic_decreasing
    why = table.iloc[1:, -1]
    suburb = why == "in the capital's county or urban centre (a suburb of the capital)"
    assert set(why[~suburb]) == {"not a metropolis"}
    assert not iran.cities.loc[why.index[~suburb], "is_metropolis"].any()
    assert iran.capital_area()[why.index[suburb]].all() and suburb.sum() > 0
    # With a population floor, the reason gives the population and the floor.
    table = home.excluded_table(floored)
    assert len(table) == len(iran.cities) - len(floored.ranking.scores)
    assert table.index[0] == TEHRAN and table.iloc[0, -1] == "national capital"
    assert (table.iloc[1:, -1].str.contains("below the floor of 200,000")).all()
    fa = home.excluded_table(floored, lang="fa")
    assert fa.iloc[1, 2] == format_number(table.iloc[1, 2], "fa")
    assert PERSIAN_DIGIT.search(fa.iloc[1, 3]) and not LATIN_DIGIT.search(fa.iloc[1, 3])


def test_capital_is_a_ranked_candidate_when_not_excluded(with_capital):
    fig = home.home_map(with_capital)
    assert TEHRAN in _ids(fig, "Ranked candidate")
    assert "National capital (not a candidate)" not in {t.name for t in fig.data}
    ranked = _trace(fig, "Ranked candidate")
    hover = ranked.text[list(ranked.customdata).index(TEHRAN)]
    assert "Rank 1 of" in hover and "national capital" in hover


def test_markers_coloured_by_score_or_by_rank(result, acc):
    by_score = _trace(home.home_map(result, acc, colour_by="score"), "Ranked candidate")
    by_rank = _trace(home.home_map(result, acc, colour_by="rank"), "Ranked candidate")
    ids = list(by_score.customdata)
    np.testing.assert_allclose(by_score.marker.color, result.ranking.scores[ids])
    np.testing.assert_array_equal(by_rank.marker.color,
                                  result.ranking.ranks[list(by_rank.customdata)])
    assert by_rank.marker.cmin == 1 and by_rank.marker.colorbar.title.text == "Rank"
    assert by_score.marker.colorbar.title.text == "Score"
    assert by_score.marker.reversescale is True  # higher is better: dark = best
    hover = by_score.text[ids.index(result.ranking.ranks.idxmin())]
    assert "Rank 1 of 8" in hover and "Rank interval (5–95 %): " in hover
    assert "P(top 5)" in hover and "Population: " in hover and "Proxy values: " in hover
    vikor = run(Scenario().with_(method="vikor"))
    assert _trace(home.home_map(vikor), "Ranked candidate").marker.reversescale is False


def test_markers_sized_by_population_against_the_whole_dataset(result, iran):
    ranked = _trace(home.home_map(result), "Ranked candidate")
    sizes = pd.Series(list(ranked.marker.size), index=list(ranked.customdata))
    population = iran.cities.loc[sizes.index, "population"]
    assert sizes[population.idxmax()] == sizes.max()
    assert sizes.max() < 30.0  # the largest size belongs to Tehran, which is not a candidate


def test_choropleth_of_a_dimension_score(result):
    fig = home.home_map(result, layer="dimension:economy", how="median")
    coloured = fig.data[0]
    expected = home.province_scores(result, "dimension:economy", how="median")["value"]
    got = pd.Series(list(coloured.z), index=list(coloured.locations))
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)
    assert set(coloured.locations) == set(expected.index)
    no_data = _trace(fig, "no candidate")  # issue 15, item 6: not "no data"
    assert not set(no_data.locations) & set(expected.index)
    assert all("no candidate" in text for text in no_data.text)
    assert "Dimension: Economy, median of the candidates" in fig.layout.title.text
    assert "median of the candidates" in coloured.text[0]
    assert {f["properties"]["province_code"] for f in coloured.geojson["features"]} \
        == set(coloured.locations)  # each trace carries only the shapes it draws


def test_indicator_layer_and_plain_outlines(result, iran):
    code = home.layer_options(result)[-1].split(":", 1)[1]
    fig = home.home_map(result, layer=f"indicator:{code}")
    assert iran.indicators.loc[code, "name_en"] in fig.layout.title.text
    assert sum(len(t.locations) for t in fig.data if t.type == "choroplethmap") == 31
    plain = home.home_map(result, layer="none")
    assert [t.type for t in plain.data].count("choroplethmap") == 1
    assert len(plain.data[0].locations) == 31


def test_compared_cities_get_a_ring(result):
    chosen = list(result.ranking.scores.index[:2])
    fig = home.home_map(result, compare=[*chosen, TEHRAN])
    ring = _trace(fig, "In the comparison")
    assert sorted(ring.customdata) == sorted(chosen)  # Tehran is not ranked: no ring
    assert "In the comparison" not in {t.name for t in home.home_map(result).data}


def test_persian_map(result, acc, iran):
    fig = home.home_map(result, acc, lang="fa")
    ranked = _trace(fig, "نامزد رتبه‌بندی‌شده")
    first = ranked.text[list(ranked.customdata).index("124665")]
    assert iran.cities.loc["124665", "name_fa"] in first
    assert PERSIAN_DIGIT.search(first) and first.startswith("\u200f")
    capital = _trace(fig, "پایتخت (نامزد نیست)")
    assert "تهران" in capital.text[0] and "پایتخت" in capital.text[0]
    assert PERSIAN_DIGIT.search(fig.layout.title.text)
    assert not LATIN_DIGIT.search(fig.layout.title.text)


# --------------------------------------------------------------------------- tables

def test_ranking_table_in_english(result, acc):
    table = home.ranking_table(result, acc)
    assert list(table.columns) == ["Rank", "City", "Province", "Score",
                                   "Rank interval (5–95 %)", "P(top 5)", "City-level weight",
                                   "Proxy share"]
    assert table["Rank"].is_monotonic_increasing and len(table) == 8
    assert TEHRAN not in table.index
    interval = acc.rank_interval
    for cid in table.index[:5]:
        low, high = interval.loc[cid, "p5"], interval.loc[cid, "p95"]
        assert table.loc[cid, "Rank interval (5–95 %)"] == (str(low) if low == high
                                                             else f"{low}–{high}")
    np.testing.assert_allclose(table["P(top 5)"], acc.p_top_k[table.index])
    assert table["Proxy share"].between(0, 1).all()
    np.testing.assert_allclose(table["Score"], result.ranking.scores[table.index].round(3))
    # City-level weight, counted independently: the weight on own and urban-centre values.
    ranked = result.ranking.matrix
    weights = result.ranking.weights[ranked.values.columns]
    city_level = ranked.provenance.isin(["own", "urban-centre"]).astype(float) @ weights
    np.testing.assert_allclose(table["City-level weight"], city_level[table.index] / weights.sum())
    assert table["City-level weight"].between(0, 1).all()
    # Karaj has no urban centre of its own: only its population values are city-level.
    assert table["City-level weight"].idxmin() == "128747"
    assert table.loc["128747", "City-level weight"] < table["City-level weight"].drop(
        "128747").min()


def test_ranking_table_in_persian(result, acc, iran):
    table = home.ranking_table(result, acc, lang="fa")
    assert list(table.columns)[:3] == ["رتبه", "شهر", "استان"]
    assert table.iloc[0, 0] == "۱"
    for column in table.columns.drop(["شهر", "استان"]):
        text = "".join(table[column])
        assert PERSIAN_DIGIT.search(text) and not LATIN_DIGIT.search(text), column
    names = iran.cities["name_fa"].fillna(iran.cities["name_en"])
    assert set(table["شهر"]) <= set(names) and "مشهد" in set(table["شهر"])


def test_ranking_table_without_robustness_says_unknown(result):
    table = home.ranking_table(result)
    assert (table["Rank interval (5–95 %)"] == "—").all() and table["P(top 5)"].isna().all()


def test_table_caption_names_method_direction_and_draws(result, acc):
    caption = home.table_caption(result, acc)
    assert caption.startswith("Weighted sum on min–max-normalised data; higher scores are "
                              "better")
    assert "minmax" not in home.table_caption(result, acc, lang="fa")  # issue 15, item 5
    assert "300 weight draws" in caption
    assert "lower scores are better" in home.table_caption(run(Scenario().with_(
        method="vikor")))


def test_excluded_cities_account_for_every_city(iran):
    chosen = tuple(iran.cities.index[:60])
    result = run(Scenario().with_(candidates=chosen))
    out = home.excluded_cities(result)
    assert not out.index.duplicated().any()
    assert set(out.index) | set(result.ranking.scores.index) == set(iran.cities.index)
    assert not set(out.index) & set(result.ranking.scores.index)
    assert set(out.loc[~out.index.isin(chosen), "rule"]) == {"not-chosen"}
    dropped = out.index[out["rule"] == "not-chosen"][0]
    faked = replace(result, missing=replace(result.missing, dropped_candidates=(dropped,)))
    again = home.excluded_cities(faked, lang="fa")
    assert again.loc[dropped, "rule"] == "missing-data"
    assert again.loc[dropped, "reason"] == "با سیاست دادهٔ گمشده کنار گذاشته شد"


# --------------------------------------------------------------------------- readiness vs need

def test_readiness_need_chart(result):
    chosen = [result.ranking.ranks.idxmax()]
    fig = home.readiness_need_figure(result, compare=chosen)
    (points,) = fig.data
    sub = result.ranking.subindex_scores
    ids = list(points.customdata)
    np.testing.assert_allclose(points.x, sub.loc[ids, "need"])
    np.testing.assert_allclose(points.y, sub.loc[ids, "readiness"])
    assert fig.layout.xaxis.title.text == "Need score"
    widths = dict(zip(ids, points.marker.line.width, strict=True))
    assert widths[chosen[0]] == 3 and sorted(widths.values())[0] < 3
    named = [t for t in points.text if t]
    assert "Karaj" in named and len(named) == 6  # the top five and the compared city
    assert len(fig.layout.shapes) == 2
    assert home.readiness_need_note(result) is None
    fa = home.readiness_need_figure(result, lang="fa")
    assert fa.layout.yaxis.title.text == "امتیاز آمادگی"


def test_no_readiness_need_chart_says_why():
    u4ssc = run(Scenario().with_(framework="u4ssc"))
    assert home.readiness_need_figure(u4ssc) is None
    assert "framework u4ssc defines 0 sub-index" in home.readiness_need_note(u4ssc)
    bare = run(Scenario().with_(framework=None, weights="equal",
                                  indicators=("census_urban_share",
                                              "census_literacy_rate_15plus")))
    assert "without a framework" in home.readiness_need_note(bare)
    assert "بدون چارچوب" in home.readiness_need_note(bare, lang="fa")


# --------------------------------------------------------------------------- clicks

@pytest.mark.parametrize(("event", "city"), [
    ({"selection": {"points": [{"curve_number": 5, "point_index": 3, "customdata": "124665",
                                "lat": 36.3, "lon": 59.6}], "point_indices": [3], "box": [],
                    "lasso": []}}, "124665"),
    ({"selection": {"points": [{"customdata": ["418863"]}]}}, "418863"),
    ({"points": [{"location": "IR-09", "z": 0.5}, {"customdata": 128747}]}, "128747"),
    ({"selection": {"points": [{"location": "IR-09"}]}}, None),
    ({"selection": {"points": [], "point_indices": [], "box": [], "lasso": []}}, None),
    (None, None),
])
def test_clicked_city_reads_the_customdata(event, city):
    assert home.clicked_city(event) == city


def test_clicked_city_matches_the_map_customdata(result):
    fig = home.home_map(result)
    ranked = _trace(fig, "Ranked candidate")
    curve = list(fig.data).index(ranked)
    point = {"curve_number": curve, "point_index": 0, "customdata": ranked.customdata[0]}
    assert home.clicked_city({"selection": {"points": [point]}}) == ranked.customdata[0]
    assert ranked.customdata[0] in result.ranking.scores.index


def test_click_outcome(result):
    a, b = result.ranking.scores.index[:2]
    assert home.click_outcome(result, a, [], limit=5) == ([a], None)
    assert home.click_outcome(result, a, [b, a], limit=5) == ([b], None)
    assert home.click_outcome(result, None, [b], limit=5) == ([b], None)
    kept, note = home.click_outcome(result, TEHRAN, [b], limit=5)
    assert kept == [b] and "Tehran is not a ranked candidate (national capital)" in note
    full = list(result.ranking.scores.index[2:7])
    kept, note = home.click_outcome(result, a, full, limit=5, lang="fa")
    assert kept == full and "۵" in note


@pytest.fixture
def bare_state():
    """Streamlit's session state outside a script run (bare mode), emptied around the test."""
    st.session_state.clear()
    yield st.session_state
    st.session_state.clear()


def test_map_callback_toggles_the_comparison(bare_state, result):
    city = result.ranking.scores.index[3]
    click = {"selection": {"points": [{"customdata": city}], "point_indices": [0],
                           "box": [], "lasso": []}}
    bare_state[home.MAP_KEY] = click
    home.on_map_select()
    assert session.compare_ids() == [city] and bare_state[home.NOTE_KEY] is None
    home.on_map_select()  # a second click on the same city takes it out again
    assert session.compare_ids() == []
    bare_state[home.MAP_KEY] = {"selection": {"points": [{"customdata": TEHRAN}]}}
    home.on_map_select()
    assert session.compare_ids() == []
    assert "Tehran is not a ranked candidate" in bare_state[home.NOTE_KEY]
