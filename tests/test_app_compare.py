"""The "Compare cities" page, run headless with AppTest on the bundled Iran data.

The page is opened directly (``switch_page`` before the first run), as a link to it would be;
the cities come from the URL (``?cmp=``), from the session, or are preselected.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit.eligibility import preset_rules
from citykit.scenario import Scenario, run
from citykit.ui import compare
from citykit.ui.safe import md, unescape_md
from citykit.ui.session import MAX_COMPARE
from citykit.ui.urlstate import encode_scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/compare.py"
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
TEHRAN = "112931"
#: One city per urban centre: far more candidates than the 8 metropolises of the default.
WIDE = Scenario(eligibility=preset_rules("urban-centres"))


@pytest.fixture(scope="module")
def result():
    return run(Scenario())


@pytest.fixture(scope="module")
def order(result) -> list[str]:
    return [str(c) for c in result.ranking.ranks.sort_values(kind="stable").index]


def open_page(cmp: str | None = None, lang: str | None = None,
              scenario: Scenario | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if scenario is not None:
        at.query_params["s"] = encode_scenario(scenario, base=Scenario())
    if cmp is not None:
        at.query_params["cmp"] = cmp
    if lang is not None:
        at.query_params["lang"] = lang
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def radar(at: AppTest) -> dict:
    (fig,) = [f for f in figures(at) if f["data"] and f["data"][0]["type"] == "scatterpolar"]
    return fig


def test_first_visit_preselects_the_top_three_and_says_so(result, order):
    at = open_page()
    assert any("top 3 of the ranking" in i.value for i in at.info)
    assert at.multiselect(key="cmp_cities@en").value == order[:3]
    assert at.session_state["_compare"] == order[:3]
    assert at.query_params["cmp"] == ",".join(order[:3])
    fig = radar(at)
    names = result.matrix.names("en")
    assert [t["name"] for t in fig["data"]] == [names[c] for c in order[:3]]
    dims = result.framework
    assert fig["data"][0]["theta"][0] == dims.by_code[
        result.ranking.dimension_scores.columns[0]].name_en
    assert [m.label for m in at.metric] == [names[c] for c in order[:3]]


def test_renders_in_persian_with_persian_digits_and_names(result, order):
    at = open_page(lang="fa")
    assert at.title[0].value == "مقایسه شهرها"
    names = result.matrix.names("fa")
    fig = radar(at)
    assert [t["name"] for t in fig["data"]] == [names[c] for c in order[:3]]
    assert fig["data"][0]["theta"][0] == "سرمایه انسانی"
    assert "Vazirmatn" in fig["layout"]["font"]["family"]
    table = at.dataframe[0].value
    assert names[order[0]] in table.columns
    assert table.columns[0] == "شاخص"
    values = "".join(table[names[order[0]]])
    assert PERSIAN_DIGITS & set(values) and not set("0123456789") & set(values)
    assert "شاخص" in at.dataframe[2].value.columns        # the gap table
    assert any(PERSIAN_DIGITS & set(m.value) for m in at.metric)
    assert any("۳ شهر نخست" in i.value for i in at.info)
    # and back to English without losing the cities
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.multiselect(key="cmp_cities@en").value == order[:3]


def test_cities_from_the_url_give_one_radar_trace_each():
    wide = run(WIDE)
    order = [str(c) for c in wide.ranking.ranks.sort_values(kind="stable").index]
    assert len(order) > 30
    chosen = [order[0], order[7], order[12], order[30]]
    at = open_page(cmp=",".join(chosen), scenario=WIDE)
    assert at.session_state["_scenario"] == WIDE
    assert not any("top 3" in i.value for i in at.info)
    assert at.multiselect(key="cmp_cities@en").value == chosen
    fig = radar(at)
    names = wide.matrix.names("en")
    assert [t["name"] for t in fig["data"]] == [names[c] for c in chosen]
    dims = wide.ranking.dimension_scores
    assert fig["data"][1]["r"][:-1] == pytest.approx(dims.loc[order[7]].tolist())
    assert fig["data"][3]["r"][:-1] == pytest.approx(dims.loc[order[30]].tolist())
    assert len(fig["data"][0]["r"]) == dims.shape[1] + 1        # a closed polygon


def test_choosing_cities_in_the_session_changes_the_page(result, order):
    at = open_page()
    at.multiselect(key="cmp_cities@en").set_value([order[4], order[2]]).run()
    assert not at.exception
    assert at.session_state["_compare"] == [order[4], order[2]]
    assert at.query_params["cmp"] == f"{order[4]},{order[2]}"
    assert len(radar(at)["data"]) == 2
    assert not any("top 3" in i.value for i in at.info)


def test_indicator_table_marks_proxies_with_source_year_and_flag(result, order):
    at = open_page(cmp=",".join(order[:2]))
    table = at.dataframe[0].value
    names = result.matrix.names("en")
    provenance = result.ranking.matrix.provenance
    assert list(table.columns[:3]) == ["Indicator", "Unit", "Better when"]
    assert len(table) == result.ranking.matrix.shape[1]
    marks = {"own": "", "urban-centre": "°", "proxy-county": "†", "proxy-province": "‡",
             "imputed": "*"}
    words = {"own": "own value", "urban-centre": "urban-centre value",
             "proxy-county": "proxy (county)", "proxy-province": "proxy (province)",
             "imputed": "imputed (median)"}
    seen = set()
    for city in order[:2]:
        kinds = provenance.loc[city].astype(str)
        kinds = kinds.where(~kinds.str.startswith("imputed"), "imputed")
        seen |= set(kinds)
        cells = table[names[city]]
        shown = cells.str.extract(r"([°†‡*])$")[0].fillna("")
        assert shown.tolist() == kinds.map(marks).tolist()
        detail = table[f"{names[city]}: source · year · flag"]
        assert all(text.endswith(words[kind]) or text.startswith(words[kind])
                   for text, kind in zip(detail, kinds, strict=True))
        recorded = (kinds != "imputed").to_numpy()
        assert detail[recorded].str.contains(r"· 20\d\d ·").all()
        assert detail[~recorded].str.contains("no source: filled in by the missing-data "
                                              "policy").all()
    # Ahvaz and Karaj, the top two, show every kind of value: Karaj's centre values are imputed.
    assert seen == set(marks)
    assert any("‡ the province's value (proxy)" in c.value and "° the urban centre's value"
               in c.value for c in at.caption)
    sources = at.dataframe[1].value
    assert set(sources.index) <= set(result.dataset.sources.index)
    assert "Source" in sources.columns


def test_one_city_shows_a_message_not_an_exception(order):
    at = open_page()
    at.multiselect(key="cmp_cities@en").set_value([order[1]]).run()
    assert not at.exception and not at.error
    assert any("Choose at least two cities" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert at.session_state["_compare"] == [order[1]]   # the user's choice is kept


def test_six_cities_are_refused_and_the_choice_kept(order):
    at = open_page()
    assert MAX_COMPARE == compare.MAX_CITIES == 5
    at.multiselect(key="cmp_cities@en").set_value(order[:6]).run()
    assert not at.exception
    assert any("At most 5 cities" in w.value for w in at.warning)
    assert at.session_state["_compare"] == order[:3]
    assert at.multiselect(key="cmp_cities@en").value == order[:3]
    assert len(radar(at)["data"]) == 3


def test_excluded_capital_is_kept_and_labelled(result, order):
    at = open_page(cmp=f"{TEHRAN},{order[3]},{order[6]}")
    assert any("Not ranked under the current settings" in i.value and "Tehran" in i.value
               for i in at.info)
    assert len(radar(at)["data"]) == 2
    assert TEHRAN in at.multiselect(key="cmp_cities@en").value
    assert TEHRAN in at.session_state["_compare"]


def test_gap_to_the_next_city(result, order):
    at = open_page(cmp=",".join([order[0], order[4], order[7]]))
    assert at.selectbox(key="cmp_gap_city@en").value == order[7]    # the lowest ranked
    gap = at.dataframe[2].value
    assert 1 <= len(gap) <= 5
    assert list(gap.columns[:3]) == ["Indicator", "Now", "Needed"]
    names = result.matrix.names("en")
    assert any(f"level with {names[order[6]]} (rank 7)" in c.value for c in at.caption)
    assert any("need indicators are not proposed" in c.value for c in at.caption)
    # a chosen target among the compared cities
    at.selectbox(key="cmp_gap_target@en").set_value(order[0]).run()
    assert not at.exception
    assert any(f"level with {names[order[0]]} (rank 1)" in c.value for c in at.caption)
    # the best city has nothing to catch up with
    at.selectbox(key="cmp_gap_city@en").set_value(order[0]).run()
    assert any("ranks first" in i.value for i in at.info)


def test_vikor_radar_and_gap():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["_scenario"] = replace(Scenario(), method="vikor")
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "1 − Q" in radar(at)["layout"]["title"]["text"]
    assert any("relative method" in c.value for c in at.caption)


def test_a_scenario_without_candidates_shows_the_error_inline():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["_scenario"] = replace(
        Scenario(), eligibility=({"rule": "population-floor", "minimum": 10**9},))
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.error and "Could not complete this step" in at.error[0].value


def test_strengths_and_weaknesses_are_listed_per_city(result, order):
    at = open_page(cmp=",".join(order[:2]))
    texts = [m.value for m in at.markdown]
    names = result.matrix.names("en")
    for city in order[:2]:
        assert f"#### {names[city]}" in texts
    for heading in ("Readiness: strengths", "Readiness: weaknesses",
                    "Need: more than most candidates", "Need: less than most candidates"):
        assert texts.count(f"**{heading}**") == 2
    assert "**Strengths**" not in texts       # need is never a strength or a weakness
    best = result.ranking.strengths_weaknesses(order[0])
    first = result.ranking.matrix.criteria.at[best["criterion"].iloc[0], "name_en"]
    assert any(t.startswith(f"- **{md(first)}**") and "(median " in unescape_md(t) for t in texts)
    assert any("Need indicators say whether the city would benefit" in c.value
               for c in at.caption)


def test_need_lines_speak_of_need_and_readiness_lines_of_candidates(result, order):
    criteria = result.ranking.matrix.criteria
    for city in order[::max(1, len(order) // 12)]:
        for lang in ("en", "fa"):
            lines = compare.strengths_weaknesses(result, city, lang, n=10)
            assert list(lines) == ["strength", "weakness", "need", "less-need"]
            more, less = ("more need", "less need") if lang == "en" else \
                ("نیاز بیشتر", "نیاز کمتر")
            assert all(more in line for line in lines["need"])
            assert all(less in line for line in lines["less-need"])
            assert not any(more in line or less in line
                           for line in lines["strength"] + lines["weakness"])
            if lang == "fa":
                assert all(PERSIAN_DIGITS & set(line) for kind in lines for line in lines[kind])
        # a need criterion where less is more need (hospital beds), below the median: more need
        sw = result.ranking.strengths_weaknesses(city, n=50)
        fewer = sw[(sw["group"] == "need") & (sw["direction"] == "min")
                   & (sw["raw"] < sw["raw_median"])]
        lines = compare.strengths_weaknesses(result, city, "en", n=50)
        for code in fewer["criterion"]:
            name = criteria.at[code, "name_en"]
            (line,) = [x for x in lines["need"] if x.startswith(f"**{md(name)}**")]
            assert "lower than most candidates — more need" in unescape_md(line)


def test_gap_table_never_proposes_need_or_a_worse_value(result, order):
    subindex = result.ranking.matrix.criteria["subindex"]
    for city in order[1::max(1, len(order) // 12)]:
        if compare.next_better(result.ranking, city) is None:
            continue
        table, full = compare.gap_table(result, city, "en")
        assert (subindex.reindex(table.index) == "readiness").all()
        shown = full.loc[table.index]
        assert ((shown["change"] > 0) == (shown["direction"] == "max")).all()
        caption = compare.gap_caption(result, full, "fa")
        assert any("شاخص نیاز پیشنهاد نمی‌شود" in line for line in caption)


def test_every_unit_of_the_default_ranking_reads_in_persian(iran):
    """Units of the criteria the default Scenario ranks are shown in Persian, none in English."""
    from citykit.ui.compare import _UNITS_FA

    criteria = run(Scenario()).ranking.matrix.criteria
    assert sorted(set(criteria["unit"]) - set(_UNITS_FA)) == []
