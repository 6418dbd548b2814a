"""The Streamlit app, run headless with AppTest on the bundled Iran dataset.

Widgets are found by key. Plotly charts have no typed accessor: their figure is the JSON in
``proto.spec``. The dataframes have keys too, but AppTest does not expose keys of elements that
are not widgets, so the cities table is found by its columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit import maps

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not app.exception, app.exception
    return app


def _figures(app: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in app.get("plotly_chart")]


def _table(app: AppTest, city_column: str = "City"):
    return next(df.value for df in app.dataframe if city_column in df.value.columns)


def test_app_runs_and_shows_the_offline_city_map(at, iran):
    assert at.title[0].value.startswith("citykit")
    (fig,) = _figures(at)
    assert [t["type"] for t in fig["data"]][:2] == ["choroplethmap", "scattermap"]
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert {"center", "zoom"} <= set(fig["layout"]["map"])
    assert len(fig["data"][0]["locations"]) == 31
    table = _table(at)
    assert len(table) == len(iran.cities) - 1  # all cities but the national capital
    assert {m.label for m in at.metric} >= {"Provinces", "Cities", "Sources"}
    assert not at.error


def test_exclude_capital_toggles_tehran(at):
    assert "Tehran" not in set(_table(at)["City"])
    at.checkbox(key="exclude_capital").uncheck().run()
    assert not at.exception
    assert "Tehran" in set(_table(at)["City"])
    fig = _figures(at)[0]
    capital = next(t for t in fig["data"] if t["name"] == "National capital")
    assert "Tehran" in capital["text"][0]


def test_persian_shows_persian_names_and_digits(at, iran):
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert "شهر" in at.title[0].value
    table = _table(at, "شهر")
    names = iran.cities["name_fa"].fillna(iran.cities["name_en"])  # a few lack a Persian name
    assert set(table["شهر"]) <= set(names)
    assert "مشهد" in set(table["شهر"])
    fig = _figures(at)[0]
    assert any("۰" <= ch <= "۹" for ch in fig["layout"]["title"]["text"])
    assert any("direction: rtl" in h.proto.body for h in at.get("html"))


def test_indicator_layer_is_a_province_choropleth(at, iran):
    at.radio(key="layer").set_value("indicator").run()
    assert not at.exception
    code = at.selectbox(key="indicator").value
    assert code in iran.indicators.index
    (fig,) = _figures(at)
    assert {t["type"] for t in fig["data"]} == {"choroplethmap"}
    assert sum(len(t["locations"]) for t in fig["data"]) == 31
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert iran.indicators.loc[code, "name_en"] in fig["layout"]["title"]["text"]


def test_metropolises_filter(at, iran):
    at.radio(key="show").set_value("metropolises").run()
    assert not at.exception
    table = _table(at)
    assert len(table) > 0
    assert iran.cities.loc[table["ID"], "is_metropolis"].all()
    assert table["Flags"].str.contains("metropolis").all()
    assert len(table) == iran.cities["is_metropolis"].sum() - 1  # Tehran is excluded


def test_dataset_error_is_shown_inline(synthetic, monkeypatch):
    folder = synthetic(with_checksums=True)
    with (folder / "values.csv").open("a") as handle:  # changed after its checksum was taken
        handle.write("P1,province,x_prov,2021,1.0,synthetic,official\n")
    monkeypatch.setenv("CITYKIT_DATASETS", str(folder.parent))
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not app.exception
    assert "values.csv" in app.error[0].value
    assert app.radio(key="lang").value == "en"


def test_switching_language_keeps_the_settings(at, iran):
    at.radio(key="layer").set_value("indicator").run()
    chosen = maps.indicator_options(iran)[3]
    at.selectbox(key="indicator").set_value(chosen).run()
    at.checkbox(key="exclude_capital").uncheck().run()
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert at.selectbox(key="indicator").value == chosen
    assert at.checkbox(key="exclude_capital").value is False
    assert at.radio(key="layer").value == "indicator"
