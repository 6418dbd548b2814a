"""The offline map figures and the tables beside them, on the bundled Iran dataset."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from citykit import maps
from citykit.exceptions import DataValidationError

PERSIAN_DIGIT = re.compile("[۰-۹]")
LATIN_DIGIT = re.compile("[0-9]")


def _locations(fig) -> list[str]:
    return [loc for t in fig.data if t.type == "choroplethmap" for loc in t.locations]


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


@pytest.fixture(scope="module")
def indicator(iran) -> str:
    """A province-level indicator of the bundled dataset."""
    return maps.indicator_options(iran)[0]


def test_province_map_outlines_every_province(iran):
    fig = maps.province_map(iran)
    assert [t.type for t in fig.data] == ["choroplethmap"]
    assert fig.layout.map.style == "white-bg"
    assert sorted(_locations(fig)) == sorted(iran.provinces.index)
    assert len(_locations(fig)) == 31
    assert fig.data[0].featureidkey == "properties.province_code"
    assert {f["properties"]["province_code"] for f in fig.data[0].geojson["features"]} \
        == set(iran.provinces.index)


def test_map_view_is_fitted_to_the_provinces(iran):
    fig = maps.province_map(iran)
    lon0, lat0, lon1, lat1 = iran.provinces.total_bounds
    assert lon0 < fig.layout.map.center.lon < lon1
    assert lat0 < fig.layout.map.center.lat < lat1
    assert 3 < fig.layout.map.zoom < 6  # a country-sized view, not the world and not a city


def test_maps_need_no_tiles_or_outside_resources(iran, indicator):
    for fig in (maps.province_map(iran), maps.province_map(iran, indicator),
                maps.city_map(iran)):
        assert fig.layout.map.style == "white-bg"
        assert fig.layout.map.layers == ()
        for trace in fig.data:
            if trace.type == "scattermap":  # icons and text labels would need a sprite/glyph URL
                assert trace.mode == "markers"
                assert trace.marker.symbol in (None, "circle")
    assert "http" not in maps.city_map(iran).to_json()


@pytest.mark.parametrize("which", [0, -1])
def test_indicator_map_keeps_every_province(iran, which):
    code = maps.indicator_options(iran)[which]
    fig = maps.province_map(iran, code)
    assert all(t.type == "choroplethmap" for t in fig.data)
    assert sorted(_locations(fig)) == sorted(iran.provinces.index)
    coloured = fig.data[0]
    assert len(coloured.z) == len(coloured.locations)
    unit = iran.indicators.loc[code, "unit"]
    assert all(unit in text for text in coloured.text)
    assert "Year: " in coloured.text[0] and "Source: " in coloured.text[0]


def test_missing_province_is_grey_no_data_not_dropped(iran, indicator):
    values = iran.values
    dropped = iran.provinces.index[0]
    gone = (values["level"] == "province") & (values["entity_id"] == dropped) \
        & (values["indicator"] == indicator)
    assert gone.any()
    fig = maps.province_map(replace(iran, values=values.loc[~gone]), indicator)
    assert len(_locations(fig)) == 31
    no_data = _trace(fig, "no data")
    assert list(no_data.locations) == [dropped]
    assert "no data" in no_data.text[0]
    assert iran.provinces.loc[dropped, "name_en"] in no_data.text[0]
    assert dropped not in fig.data[0].locations


def test_proxy_value_says_proxy_in_hover(iran, indicator):
    values = iran.values.copy()
    latest = iran.latest_year(indicator, "province")
    row = values.index[(values["level"] == "province") & (values["indicator"] == indicator)
                       & (values["year"] == latest)][0]
    values.loc[row, "flag"] = "proxy"
    values.loc[row, "note"] = "value of the neighbouring province"
    code = values.loc[row, "entity_id"]
    fig = maps.province_map(replace(iran, values=values), indicator)
    coloured = fig.data[0]
    hover = coloured.text[list(coloured.locations).index(code)]
    assert "proxy" in hover and "neighbouring province" in hover


def test_proxy_values_of_the_bundled_data_are_flagged(iran):
    proxies = iran.values.loc[(iran.values["level"] == "province")
                              & (iran.values["flag"] == "proxy")]
    if proxies.empty:
        pytest.skip("the bundled dataset has no province-level proxy values")
    first = proxies.iloc[0]
    fig = maps.province_map(iran, first["indicator"], year=int(first["year"]))
    coloured = fig.data[0]
    assert "proxy" in coloured.text[list(coloured.locations).index(first["entity_id"])]


def test_unknown_indicator_is_a_citykit_error(iran):
    with pytest.raises(DataValidationError, match="unknown indicator"):
        maps.province_map(iran, "no_such_indicator")


def test_persian_map_uses_persian_names_and_digits(iran, indicator):
    fig = maps.province_map(iran, indicator, lang="fa")
    coloured = fig.data[0]
    code = coloured.locations[0]
    assert iran.provinces.loc[code, "name_fa"] in coloured.text[0]
    assert PERSIAN_DIGIT.search(coloured.text[0])
    value_line = coloured.text[0].split("<br>")[1]
    assert not LATIN_DIGIT.search(value_line)
    title = fig.layout.title.text
    assert PERSIAN_DIGIT.search(title) and not LATIN_DIGIT.search(title)


def test_city_map_draws_every_city_over_province_outlines(iran):
    fig = maps.city_map(iran)
    types = [t.type for t in fig.data]
    assert types[0] == "choroplethmap" and set(types[1:]) == {"scattermap"}
    assert fig.layout.map.style == "white-bg"
    assert len(fig.data[0].locations) == 31
    points = [t for t in fig.data if t.type == "scattermap"]
    assert sum(len(t.lat) for t in points) == len(iran.cities)
    assert all(t.marker.size is not None and len(t.marker.size) == len(t.lat) for t in points)


def test_city_markers_tell_capitals_and_metropolises_apart(iran):
    fig = maps.city_map(iran)
    capital = _trace(fig, "National capital")
    assert list(capital.customdata) == iran.national_capital
    assert capital.marker.color == maps.CATEGORY_COLOURS["national_capital"]
    metros = _trace(fig, "Metropolis")
    assert all(iran.cities.loc[c, "is_metropolis"] for c in metros.customdata)
    provincial = _trace(fig, "Provincial capital")
    assert all(iran.cities.loc[c, "is_provincial_capital"] for c in provincial.customdata)
    assert len({capital.marker.color, metros.marker.color, provincial.marker.color}) == 3
    # Tehran is the most populous city: the largest marker.
    sizes = [s for t in fig.data if t.type == "scattermap" for s in t.marker.size]
    assert max(capital.marker.size) == max(sizes) == maps.MARKER_RANGE[1]


def test_city_map_highlight_greys_out_the_rest(iran):
    shown = maps.filter_cities(iran, show="metropolises")
    fig = maps.city_map(iran, highlight=shown)
    rest = _trace(fig, "Not selected")
    assert set(rest.customdata) == set(iran.cities.index) - set(shown)
    assert iran.national_capital[0] in rest.customdata


def test_city_map_in_persian(iran):
    fig = maps.city_map(iran, lang="fa")
    capital = _trace(fig, "پایتخت")
    assert iran.cities.loc[iran.national_capital[0], "name_fa"] in capital.text[0]
    assert PERSIAN_DIGIT.search(capital.text[0])
    assert PERSIAN_DIGIT.search(fig.layout.title.text)
    assert not LATIN_DIGIT.search(fig.layout.title.text)


def test_filter_cities(iran):
    capital = iran.national_capital[0]
    everything = maps.filter_cities(iran, exclude_national_capital=False)
    assert len(everything) == len(iran.cities) and everything[0] == capital
    assert capital not in maps.filter_cities(iran)
    metros = maps.filter_cities(iran, show="metropolises")
    assert metros and all(iran.cities.loc[metros, "is_metropolis"])
    capitals = maps.filter_cities(iran, show="provincial_capitals")
    assert all(iran.cities.loc[capitals, "is_provincial_capital"])
    with pytest.raises(ValueError, match="show must be one of"):
        maps.filter_cities(iran, show="villages")


def test_city_table_reports_unknown_vintage(iran):
    cities = iran.cities.copy()
    first = cities.index[0]
    cities.loc[first, "population_year"] = None
    table = maps.city_table(replace(iran, cities=cities), [first])
    assert table.loc[0, "Population year"] == "vintage unknown"
    assert table.loc[0, "City"] == iran.cities.loc[first, "name_en"]
    fa = maps.city_table(replace(iran, cities=cities), [first], lang="fa")
    assert "vintage unknown" in fa.loc[0, "سال جمعیت"]
    assert fa.loc[0, "شهر"] == iran.cities.loc[first, "name_fa"]


def test_sources_table_lists_every_licence(iran):
    table = maps.sources_table(iran)
    assert len(table) == len(iran.sources)
    assert table["Licence"].notna().all()


def test_font_css_embeds_the_bundled_font():
    css = maps.font_css("fa")
    assert "direction: rtl" in css
    assert "data:font/woff2;base64," in css and "http" not in css
    assert maps.FONT_FILE.exists() and (maps.FONT_FILE.parent / "OFL.txt").exists()
