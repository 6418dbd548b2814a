"""The offline map figures and the tables beside them, on the bundled Iran dataset."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pandas as pd
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


def test_province_choropleth_greys_out_provinces_without_a_value(iran):
    codes = list(iran.provinces.index)
    values = pd.Series(range(len(codes)), index=codes, dtype=float)
    values.iloc[:3] = float("nan")
    hover = pd.Series([f"hover {c}" for c in codes], index=codes)
    coloured, no_data = maps.province_choropleth(iran, values, hover, name="demo",
                                                 colorbar_title="units", colorscale="Blues",
                                                 reversescale=True)
    assert coloured.name == "demo" and list(coloured.locations) == codes[3:]
    assert list(coloured.z) == list(values.iloc[3:])
    assert coloured.reversescale is True and coloured.colorbar.title.text == "units"
    assert list(coloured.text) == [f"hover {c}" for c in codes[3:]]
    assert no_data.name == "no data" and list(no_data.locations) == codes[:3]
    assert "no data" in no_data.text[0]
    # Each trace carries only the shapes it draws, so the geometry is sent once.
    for trace in (coloured, no_data):
        assert [f["properties"]["province_code"] for f in trace.geojson["features"]] \
            == list(trace.locations)
    only = maps.province_choropleth(iran, pd.Series(1.0, index=codes), hover, name="all")
    assert len(only) == 1 and len(only[0].geojson["features"]) == 31


def test_indicator_choropleth_is_what_province_map_draws(iran, indicator):
    traces, title = maps.indicator_choropleth(iran, indicator, lang="fa")
    fig = maps.province_map(iran, indicator, lang="fa")
    assert [t.to_plotly_json() for t in traces] == [t.to_plotly_json() for t in fig.data]
    assert fig.layout.title.text.endswith(title)


def test_marker_sizes_against_a_fixed_top():
    population = pd.Series([4_000_000.0, 1_000_000.0, None, 9_000_000.0])
    sizes = maps.marker_sizes(population, top=4_000_000.0)
    low, high = maps.MARKER_RANGE
    assert sizes.tolist() == [high, round(low + (high - low) * 0.5, 2), low, high]
    assert maps.marker_sizes(population).max() == high  # default top: the largest given


def test_province_geometry_is_cached_per_tolerance_and_rounded(iran):
    fine = maps._provinces_geojson(iran)
    assert maps._provinces_geojson(iran) is fine
    coarse = maps._provinces_geojson(iran, tolerance=0.05)
    assert coarse is not fine and len(json.dumps(coarse)) < len(json.dumps(fine))
    ring = fine["features"][0]["geometry"]["coordinates"][0]
    point = ring[0] if isinstance(ring[0][0], float) else ring[0][0]
    assert all(round(x, 4) == x for x in point)
    some = maps._provinces_geojson(iran, codes=["IR-23", "IR-09"])
    assert [f["properties"]["province_code"] for f in some["features"]] == \
        [c for c in iran.provinces.index if c in ("IR-23", "IR-09")]


def test_hover_text_shows_markup_in_names_as_text(iran):
    from citykit.ui.home import _candidate_hover

    frame = pd.DataFrame({
        "name": ["<b>x</b>"], "province": ["<i>p</i>"], "rank": [1], "score": [0.5],
        "rank_p5": [1], "rank_p95": [2], "p_top": [0.9], "population": [1000],
        "flags": [""], "proxy_share": [1.0]}, index=["c1"])
    text = _candidate_hover(frame, 1, 5, "en").iloc[0]
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "&lt;i&gt;p&lt;/i&gt;" in text
    assert "<b>&lt;b&gt;" in text  # the page's own bold stays markup


def test_axis_ticks_are_round_localised_and_never_minus_zero():
    """Issue 15, items 5 and 6: chart ticks in the page's digits, no ".8" and no "-0"."""
    from citykit.maps import axis_ticks

    assert axis_ticks([0, 60])["ticktext"] == ["0", "20", "40", "60"]
    assert axis_ticks([0, 60], "fa")["ticktext"] == ["۰", "۲۰", "۴۰", "۶۰"]
    assert axis_ticks([0.31, 0.62])["ticktext"] == ["0.4", "0.5", "0.6"]
    assert axis_ticks([float("nan")]) == {} and axis_ticks([2, 2])["tickvals"] == [2.0]
