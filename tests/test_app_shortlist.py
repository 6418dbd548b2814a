"""The "Shortlist & export" page in AppTest: constraints, pilots, errors and the dossier.

Runs the real app (Iran data, the app's default scenario: the 8 metropolises other than the
capital, each in a province of its own) headless; where constraints need more candidates to
bind, the session opens on a wider candidate preset from its link. The dossier's bytes are
tested in tests/test_ui_shortlist.py (AppTest cannot fetch a download).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit.eligibility import preset_rules
from citykit.i18n import tr
from citykit.scenario import Scenario
from citykit.ui.safe import unescape_md
from citykit.ui.urlstate import encode_scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/shortlist.py"
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
#: Two Alborz cities, both candidates among all cities (Karaj is also a metropolis).
KARAJ, NAZARABAD = "128747", "122438"
#: One city per urban centre (90 candidates); Khuzestan's towns fill most of its top 8.
URBAN_CENTRES = Scenario(eligibility=preset_rules("urban-centres"))
#: Every city but the capital (413 candidates).
ALL_CITIES = Scenario(eligibility=preset_rules("all-cities"))


def _open(scenario: Scenario | None = None) -> AppTest:
    """A fresh app session (its own state) on the shortlist page, in English."""
    app = AppTest.from_file(APP, default_timeout=120)
    if scenario is not None:
        app.query_params["s"] = encode_scenario(scenario, base=Scenario())
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.session_state["_scenario"] == (scenario or Scenario())
    return app


@pytest.fixture
def at():
    return _open()


def _table(at: AppTest, name: str, lang: str = "en"):
    """The page's table `name` ("pilots", "binding", "left_out"), found by its headers."""
    for frame in (d.value for d in at.dataframe):
        columns = set(frame.columns)
        if {"pilots": tr("sl_col_population", lang) in columns,
                "binding": tr("sl_col_constraint", lang) in columns,
                "left_out": tr("sl_col_why", lang) in columns
                and tr("sl_col_population", lang) not in columns}[name]:
            return frame
    raise KeyError(f"no {name} table on the page")


def _pilots(at: AppTest, lang: str = "en"):
    return _table(at, "pilots", lang)


def _constraints(at: AppTest) -> dict:
    return at.session_state["_scenario"].shortlist


def test_renders_in_english_with_map_pilots_and_price(at):
    assert not at.error
    assert at.title[0].value == tr("sl_title", "en")
    pilots = _pilots(at)
    assert len(pilots) == 5 and pilots["Rank"].tolist() == [1, 2, 3, 4, 5]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert {t["type"] for t in fig["data"]} <= {"choroplethmap", "scattermap"}
    assert [m.label for m in at.metric][2] == "Price of diversity"
    assert at.metric[2].value == "0.0000" and at.metric[2].proto.delta == "0.0%"
    assert at.success[0].value == tr("sl_none_left_out", "en", k="5")


def test_renders_in_persian_with_persian_digits():
    at = _open(URBAN_CENTRES)
    at.number_input(key="w.sl_max_per_province").set_value(1).run()
    at.number_input(key="w.sl_k").set_value(8).run()
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception and not at.error
    assert at.title[0].value == tr("sl_title", "fa")
    pilots = _pilots(at, "fa")
    assert list(pilots.columns[:3]) == ["رتبه", "شهر", "استان"]
    assert set("".join(pilots["رتبه"])) <= PERSIAN_DIGITS
    assert any(ch in PERSIAN_DIGITS for ch in at.metric[2].value)
    assert "خوزستان" in "".join(_table(at, "binding", "fa").iloc[:, 1])
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "Vazirmatn" in fig["layout"]["font"]["family"]
    assert at.number_input(key="w.sl_k").label == tr("sl_k", "fa")


def test_changing_k_changes_the_pilots(at):
    before = _pilots(at)["City"].tolist()
    at.number_input(key="w.sl_k").set_value(3).run()
    after = _pilots(at)["City"].tolist()
    assert not at.exception and len(after) == 3 and after == before[:3]
    assert _constraints(at)["k"] == 3
    at.number_input(key="w.sl_k").set_value(7).run()
    assert len(_pilots(at)) == 7


def test_one_per_province_gives_distinct_provinces():
    at = _open(URBAN_CENTRES)
    at.number_input(key="w.sl_k").set_value(10).run()
    free = _pilots(at)["Province"]
    assert not free.is_unique  # the unconstrained top 10 repeats provinces
    at.number_input(key="w.sl_max_per_province").set_value(1).run()
    pilots = _pilots(at)
    assert not at.exception and len(pilots) == 10 and pilots["Province"].is_unique
    assert _constraints(at)["max_per_province"] == 1
    assert float(at.metric[2].value.split()[0]) > 0  # a price of diversity
    binding = _table(at, "binding")
    assert "pilots per province" in binding["Constraint"].tolist()
    left = _table(at, "left_out")
    assert len(left) > 0 and not set(left["City"]) & set(pilots["City"])


def test_the_default_candidates_are_in_eight_provinces(at):
    at.number_input(key="w.sl_k").set_value(8).run()
    at.number_input(key="w.sl_max_per_province").set_value(1).run()
    pilots = _pilots(at)
    assert not at.exception and not at.error
    assert len(pilots) == 8 and pilots["Province"].is_unique   # the cap does not bind
    assert at.metric[2].value == "0.0000"
    at.number_input(key="w.sl_k").set_value(9).run()
    errors = unescape_md(" ".join(e.value for e in at.error))
    assert not at.exception and "needs 9 candidates, but only 8 are eligible" in errors


def test_infeasible_constraints_show_the_diagnosis_and_keep_the_settings():
    at = _open(ALL_CITIES)
    at.number_input(key="w.sl_max_per_province").set_value(1).run()
    at.multiselect(key="w.sl_must_include@en").select(KARAJ).select(NAZARABAD).run()
    assert not at.exception
    errors = unescape_md(" ".join(e.value for e in at.error))
    assert tr("sl_infeasible", "en") in errors
    assert "IR-30" in errors and "more than the 1 allowed per province" in errors
    with pytest.raises(KeyError):
        _pilots(at)
    # the settings stay in the widgets and in the scenario (a link reproduces them)
    assert at.number_input(key="w.sl_max_per_province").value == 1
    assert at.multiselect(key="w.sl_must_include@en").value == [KARAJ, NAZARABAD]
    assert _constraints(at)["must_include"] == [KARAJ, NAZARABAD]
    assert tr("sl_no_dossier", "en") in [i.value for i in at.info]
    # more pilots than candidates: the library says so; the other settings remain
    at.multiselect(key="w.sl_must_include@en").unselect(NAZARABAD).run()
    assert len(_pilots(at)) == 5
    at.number_input(key="w.sl_k").set_value(500).run()
    errors = unescape_md(" ".join(e.value for e in at.error))
    assert not at.exception and "needs 500 candidates, but only 413 are eligible" in errors
    assert at.number_input(key="w.sl_k").value == 500
    assert at.multiselect(key="w.sl_must_include@en").value == [KARAJ]
    at.number_input(key="w.sl_k").set_value(4).run()
    assert not at.error and KARAJ in _constraints(at)["must_include"] and len(_pilots(at)) == 4


def test_bad_input_is_refused_inline_and_the_scenario_kept(at):
    at.number_input(key="w.sl_k").set_value(6).run()
    at.text_input(key="w.sl_tier_bounds").input("500000; lots").run()
    assert not at.exception
    assert "boundary 'lots' is not a number" in unescape_md(" ".join(e.value for e in at.error))
    assert _constraints(at)["population_tiers"] is None and _constraints(at)["k"] == 6
    assert len(_pilots(at)) == 6  # the last valid constraints still give pilots
    # Three of the metropolises have fewer than 1,500,000 people: both tiers can be filled.
    at.text_input(key="w.sl_tier_bounds").input("1500000").run()
    assert not at.error
    assert _constraints(at)["population_tiers"]["tiers"] == [[0.0, 1500000.0],
                                                             [1500000.0, None]]
    at.text_input(key="w.sl_tier_bounds").input("0").run()
    assert "must be positive" in " ".join(e.value for e in at.error)
    at.button(key="reset_scenario").click().run()  # a reset reseeds the widgets: no stale error
    assert not at.exception and not at.error
    assert at.text_input(key="w.sl_tier_bounds").value == "" and len(_pilots(at)) == 5


def test_download_buttons_after_prepare_and_invalidated_by_a_change(at):
    def downloads():
        return [b.label for b in at.get("download_button") if b.label.startswith("Download")]

    assert downloads() == []
    at.button(key="sl_prepare").click().run()
    assert not at.exception and not at.error
    labels = downloads()
    assert labels[0] == "Download everything (ZIP)"
    for name in ("ranking.csv", "shortlist.csv", "dossier.xlsx", "candidates.geojson",
                 "candidates.gpkg", "brief.html", "scenario.json", "manifest.json"):
        assert f"Download {name}" in labels
    built = at.session_state["sl_dossier"]["files"]
    at.run()  # a rerun keeps the built dossier (no rebuild)
    assert at.session_state["sl_dossier"]["files"] is built and downloads() == labels
    at.number_input(key="w.sl_k").set_value(4).run()
    assert downloads() == [] and "sl_dossier" not in at.session_state


def test_the_conclusions_in_words_follow_the_shortlist_size(at):
    """Issue 15, item 3: the summary speaks of the shortlist's k, from the same draws."""
    from citykit.ui.safe import unescape_md

    text = unescape_md(" ".join(m.value for m in at.markdown))
    assert "What can be said with confidence" in text and "in the top 5 under at least 90%" \
        in text
    at.number_input(key="w.sl_k").set_value(3).run()
    text = unescape_md(" ".join(m.value for m in at.markdown))
    assert "in the top 3 under" in text and "in the top 5 under" not in text


def test_an_impossible_shortlist_is_explained_in_persian():
    """Issue 15, item 5: the library's infeasibility diagnosis, said in Persian (its code)."""
    from citykit.ui.safe import unescape_md

    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["s"] = encode_scenario(
        Scenario(shortlist={"k": 5, "min_distance_km": 600}), base=Scenario())
    app.query_params["lang"] = "fa"
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception
    errors = " ".join(unescape_md(e.value) for e in app.error)
    assert "هیچ فهرست کوتاهی همهٔ این محدودیت‌ها را با هم برآورده نمی‌کند" in errors
    assert "کمترین فاصله" in errors
