"""The home page (Map & ranking), run headless with AppTest on the bundled Iran dataset.

Widgets are found by key. Plotly charts have no typed accessor: their figure is the JSON in
``proto.spec``. The ranking table is the page's first dataframe; its index is the city id.
The figures and tables themselves are tested in test_ui_home.py; here the page's wiring is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit.scenario import Scenario, run

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 90
TEHRAN = "112931"
KARAJ = "128747"
#: The default candidates: the metropolises other than the capital.
METROPOLISES = {"Mashhad", "Isfahan", "Shiraz", "Tabriz", "Karaj", "Qom", "Ahvaz", "Kermanshah"}
PERSIAN_DIGIT = re.compile("[۰-۹]")
LATIN_DIGIT = re.compile("[0-9]")


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not app.exception, app.exception
    return app


def _figures(app: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in app.get("plotly_chart")]


def _map(app: AppTest) -> dict:
    return next(f for f in _figures(app) if f["layout"].get("map"))


def _trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


def _table(app: AppTest):
    """The ranking table (the other dataframe lists the cities that are not candidates)."""
    return next(df.value for df in app.dataframe if df.value.columns[0] in ("Rank", "رتبه"))


def _rerun_with(app: AppTest, **changes) -> AppTest:
    app.session_state["_scenario"] = app.session_state["_scenario"].with_(**changes)
    app.run()
    assert not app.exception, app.exception
    return app


def test_home_page_shows_map_table_chart_and_counts(at, iran):
    assert at.title[0].value == "Candidate cities: map and ranking"
    fig = _map(at)
    types = [t["type"] for t in fig["data"]]
    assert types[0] == "choroplethmap" and "scattermap" in types
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert {"center", "zoom"} <= set(fig["layout"]["map"])
    capital = _trace(fig, "National capital (not a candidate)")
    assert capital["customdata"] == [TEHRAN]
    table = _table(at)
    assert list(table.columns) == ["Rank", "City", "Province", "Score",
                                   "Rank interval (5–95 %)", "P(top 5)", "City-level weight",
                                   "Proxy share"]
    assert len(table) == 8 and TEHRAN not in table.index
    assert set(table["City"]) == METROPOLISES
    assert list(table["Rank"]) == sorted(table["Rank"])
    assert table["Rank interval (5–95 %)"].str.fullmatch(r"\d+(–\d+)?").all()
    assert table["P(top 5)"].between(0, 1).all() and table["P(top 5)"].iloc[0] > 0.5
    scatter = [f for f in _figures(at) if f["data"][0]["type"] == "scatter"]
    assert scatter and scatter[0]["layout"]["xaxis"]["title"]["text"] == "Need score"
    assert {m.label for m in at.metric} >= {"Provinces", "Cities", "Sources"}
    assert any("county or province figures" in i.value for i in at.info)
    excluded = next(df.value for df in at.dataframe if "Why not a candidate" in df.value.columns)
    assert len(excluded) == len(iran.cities) - 8
    assert not at.error


def test_home_table_has_the_city_level_weight(at):
    table = _table(at)
    expected = run(Scenario()).weight_by_provenance()["city-level"]
    assert table["City-level weight"].tolist() == pytest.approx(
        expected[table.index].tolist())
    assert table["City-level weight"].between(0, 1).all()
    # Karaj has no urban centre of its own: the least of its weight is on city-level values.
    assert table["City-level weight"].idxmin() == KARAJ
    assert any("City-level weight: the share of the ranking weight" in c.value
               for c in at.caption)
    at.radio(key="lang").set_value("fa").run()
    persian = _table(at)
    assert "وزن سطح شهر" in persian.columns
    text = "".join(persian["وزن سطح شهر"])
    assert PERSIAN_DIGIT.search(text) and not LATIN_DIGIT.search(text) and "٪" in text


def test_persian_page_has_persian_names_and_digits(at, iran):
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert at.title[0].value == "شهرهای نامزد: نقشه و رتبه‌بندی"
    table = _table(at)
    assert list(table.columns)[:3] == ["رتبه", "شهر", "استان"]
    assert table["رتبه"].iloc[0] == "۱"
    for column in ("رتبه", "امتیاز", "بازهٔ رتبه (۵ تا ۹۵ درصد)"):
        text = "".join(table[column])
        assert PERSIAN_DIGIT.search(text) and not LATIN_DIGIT.search(text)
    names = iran.cities["name_fa"].fillna(iran.cities["name_en"])
    assert set(table["شهر"]) <= set(names) and "مشهد" in set(table["شهر"])
    title = _map(at)["layout"]["title"]["text"]
    assert PERSIAN_DIGIT.search(title) and not LATIN_DIGIT.search(title)
    assert any("direction: rtl" in h.proto.body for h in at.get("html"))
    assert at.metric[0].value == "۳۱"


def test_capital_toggle_ranks_or_excludes_tehran(at):
    assert TEHRAN not in _table(at).index
    at.checkbox(key="w.exclude_capital").uncheck().run()
    assert not at.exception
    table = _table(at)
    assert TEHRAN in table.index and table.loc[TEHRAN, "City"] == "Tehran"
    fig = _map(at)
    assert TEHRAN in _trace(fig, "Ranked candidate")["customdata"]
    assert "National capital (not a candidate)" not in {t.get("name") for t in fig["data"]}
    at.checkbox(key="w.exclude_capital").check().run()
    assert TEHRAN not in _table(at).index
    assert _trace(_map(at), "National capital (not a candidate)")["customdata"] == [TEHRAN]


def test_switching_the_method_changes_the_table(at):
    before = _table(at)
    _rerun_with(at, method="topsis")
    after = _table(at)
    assert list(after["City"]) != list(before["City"])
    assert not after["Score"].equals(before["Score"])
    assert any(c.value.startswith("TOPSIS on vector-normalised data") for c in at.caption)


def test_moving_a_weight_changes_the_table(at):
    before = _table(at)
    base = run(Scenario()).ranking.weights
    heaviest = base.idxmax()
    moved = (base * 0.5).to_dict()
    moved[heaviest] += 0.5  # half of every weight moves to the heaviest criterion; sum stays 1
    _rerun_with(at, weights=moved)
    after = _table(at)
    assert not after["Score"].equals(before["Score"])
    assert list(after.index) != list(before.index)


def test_colour_cities_by_rank_or_score(at):
    at.radio(key="home_colour_by").set_value("rank").run()
    assert not at.exception
    table = _table(at)
    ranked = _trace(_map(at), "Ranked candidate")
    ranks = [int(table.loc[c, "Rank"]) for c in ranked["customdata"]]
    assert ranked["marker"]["color"] == ranks
    assert ranked["marker"]["colorbar"]["title"]["text"] == "Rank"
    at.radio(key="home_colour_by").set_value("score").run()
    ranked = _trace(_map(at), "Ranked candidate")
    scores = [round(c, 3) for c in ranked["marker"]["color"]]
    assert scores == [table.loc[c, "Score"] for c in ranked["customdata"]]


def test_provinces_coloured_by_a_dimension_score(at):
    assert at.selectbox(key="home_layer@en").value == "score"
    at.selectbox(key="home_layer@en").set_value("dimension:economy").run()
    at.radio(key="home_how").set_value("median").run()
    assert not at.exception
    fig = _map(at)
    assert "Dimension: Economy, median of the candidates" in fig["layout"]["title"]["text"]
    coloured = fig["data"][0]
    assert coloured["type"] == "choroplethmap" and len(coloured["z"]) == len(
        coloured["locations"])
    no_data = _trace(fig, "no candidate")  # issue 15, item 6: not "no data"
    assert len(coloured["locations"]) + len(no_data["locations"]) == 31
    at.selectbox(key="home_layer@en").set_value("indicator:census_urban_share").run()
    assert not at.exception and at.radio(key="home_how").disabled


def test_comparison_list_and_link(at):
    table = _table(at)
    chosen = list(table.index[:2])
    at.multiselect(key="home_compare@en").set_value(chosen).run()
    assert not at.exception
    assert at.session_state["_compare"] == chosen
    assert sorted(_trace(_map(at), "In the comparison")["customdata"]) == sorted(chosen)
    (link,) = at.get("page_link")
    assert link.proto.label == "Compare these cities" and not link.proto.disabled
    assert link.proto.page.endswith("compare")


def test_a_city_from_the_link_outside_the_candidates_is_kept_and_labelled():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["cmp"] = f"{TEHRAN},128747"
    app.run()
    assert not app.exception
    box = app.multiselect(key="home_compare@en")
    assert box.value == [TEHRAN, "128747"]
    assert "Tehran (not a candidate)" in box.options


def test_rules_that_leave_no_candidate_show_an_error_inline(at):
    at.radio(key="lang").set_value("fa").run()
    at.number_input(key="w.population_floor").set_value(50_000_000).run()
    assert not at.exception
    assert at.error and "population" in at.error[0].value
    assert at.radio(key="lang").value == "fa"  # the other settings stay
    at.number_input(key="w.population_floor").set_value(0).run()
    assert not at.exception and len(_table(at)) == 8


def test_a_framework_without_subindices_explains_the_missing_chart(at):
    at.selectbox(key="home_layer@en").set_value("subindex:need").run()
    _rerun_with(at, framework="u4ssc")
    assert at.selectbox(key="home_layer@en").value == "score"  # its layers are gone
    assert any("framework u4ssc defines 0 sub-index" in i.value for i in at.info)
    assert not [f for f in _figures(at) if f["data"][0]["type"] == "scatter"]


def test_scenario_default_is_what_the_app_starts_with(at):
    from citykit.ui import session

    # One default: the app starts from the library's Scenario(), with no scenario of its own.
    assert at.session_state["_scenario"] == Scenario()
    assert not hasattr(session, "APP_SCENARIO")
    assert "s" not in at.query_params  # nothing differs from the default
    assert at.selectbox(key="w.candidate_preset@en").value == "metropolises"
    assert at.checkbox(key="w.exclude_capital").value is True
    assert at.number_input(key="w.population_floor").value == 0
    assert set(_table(at)["City"]) == METROPOLISES


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_home_page_says_what_can_be_said_with_confidence(at, lang):
    """Issue 15, item 3: the Map page has the conclusions in words, in both languages."""
    from citykit.ui.safe import unescape_md

    if lang == "fa":
        at.radio(key="lang").set_value("fa").run()
    text = unescape_md(" ".join(m.value for m in at.markdown))
    expected = ("What can be said with confidence", "Tabriz is in the top 5 under fewer than") \
        if lang == "en" else ("آنچه با اطمینان می‌توان گفت", "تبریز تنها در کمتر از ۱۰٪")
    assert all(e in text for e in expected), text[:500]
