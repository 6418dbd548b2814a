"""Facts about the bundled Iran dataset, checked against published figures."""

import pandas as pd
import pytest

from citykit.validation import DIRECTIONS, FLAGS, LEVELS

CENSUS_NATIONAL_POPULATION_2016 = 79_926_270     # SCI, 2016 census (jalilian/iran2016census README)
TEHRAN_COUNTY_URBAN_POPULATION_2016 = 8_693_706   # SCI, 2016 census, county 2301


def test_31_provinces_with_current_iso_codes(iran):
    assert sorted(iran.provinces.index) == [f"IR-{i:02d}" for i in range(31)]
    assert iran.provinces.loc["IR-23", "name_fa"] == "تهران"
    assert iran.provinces.loc["IR-30", "name_en"].startswith("Alborz")
    assert iran.provinces.geometry.is_valid.all()
    assert set(iran.provinces.geom_type) <= {"Polygon", "MultiPolygon"}


def test_429_counties_each_in_a_province(iran):
    assert len(iran.counties) == 429
    assert iran.counties["province_code"].isin(iran.provinces.index).all()
    assert (iran.counties["county_code"].str[:2] == iran.counties["province_code"].str[3:]).all()


def test_tehran_is_the_only_national_capital(iran):
    capital = iran.cities.loc[iran.national_capital]
    assert capital["name_en"].tolist() == ["Tehran"]
    assert capital["province_code"].tolist() == ["IR-23"]


def test_one_provincial_capital_per_province(iran):
    capitals = iran.cities[iran.cities["is_provincial_capital"]]
    assert sorted(capitals["province_code"]) == sorted(iran.provinces.index)


def test_metropolis_flag_follows_the_stated_rule(iran):
    # UN WUP 2018 population for 2020 >= 1,000,000 (dataset.json metropolis_rule).
    wup = iran.cities["population_source"] == "un-wup-2018"
    big = wup & (iran.cities["population"] >= 1_000_000)
    assert (iran.cities["is_metropolis"] == big).all()
    assert set(iran.cities.loc[big, "name_en"]) == {
        "Tehran", "Mashhad", "Isfahan", "Karaj", "Shiraz", "Tabriz", "Qom", "Ahvaz", "Kermanshah"}


def test_city_register_is_clean(iran):
    cities = iran.cities
    assert len(cities) == 414  # 425 GeoNames records less 11 audited merges
    audit = iran.side_table("register_audit")
    merged = audit.loc[audit["action"] == "merge", "city_id"].astype(str)
    assert len(merged) == 11 and not set(merged) & set(cities.index.astype(str))
    khorramshahr = cities[cities["name_en"] == "Khorramshahr"].iloc[0]
    assert khorramshahr["population"] != 330_606


def test_urban_centres(iran):
    centres = iran.urban_centres
    assert len(centres) == 173
    tehran = iran.cities[iran.cities["name_en"] == "Tehran"].iloc[0]
    assert str(tehran["urban_centre_id"]) == "5737" and tehran["centre_role"] == "core"
    karaj = iran.cities[iran.cities["name_en"] == "Karaj"].iloc[0]
    assert str(karaj["urban_centre_id"]) == "5737" and karaj["centre_role"] == "member"
    uc = iran.values[iran.values["level"] == "urban_centre"]
    assert set(uc["entity_id"].astype(str)) == set(centres.index.astype(str))


def _value(iran, indicator, entity, year=2016):
    v = iran.values
    row = v[(v.indicator == indicator) & (v.entity_id == entity) & (v.year == year)]
    assert len(row) == 1, (indicator, entity, year)
    return row.iloc[0]


def test_census_population_figures(iran):
    counties = iran.values[(iran.values.indicator == "census_pop_total")
                           & (iran.values.level == "county")]
    assert counties["value"].sum() == CENSUS_NATIONAL_POPULATION_2016
    assert _value(iran, "census_pop_urban", "2301")["value"] == TEHRAN_COUNTY_URBAN_POPULATION_2016
    assert _value(iran, "census_pop_urban", "2301")["flag"] == "official"


def test_every_value_has_a_known_source_and_every_source_a_licence(iran):
    assert iran.values["source"].isin(iran.sources.index).all()
    assert iran.indicators["source"].isin(iran.sources.index).all()
    assert (iran.sources["licence"].str.strip().str.len() > 0).all()
    assert set(iran.values["flag"]) <= set(FLAGS)
    assert set(iran.values["level"]) <= set(LEVELS)
    assert set(iran.indicators["direction"]) <= set(DIRECTIONS)
    assert iran.values["value"].notna().all()


def test_indicator_coverage_of_the_issue(iran):
    codes = pd.Index(iran.indicators.index)
    census = codes[codes.str.startswith("census_")]
    atlas = codes[codes.str.startswith("atlas_")]
    gdl = codes[codes.str.startswith("gdl_")]
    assert len(census) >= 6 and len(atlas) >= 25 and len(gdl) >= 4
    assert "gdl_shdi" in codes
    # atlas indicators keep their time series
    years = iran.values[iran.values.indicator.isin(atlas)].groupby("indicator")["year"].nunique()
    assert (years > 1).mean() > 0.8


def test_tehran_and_alborz_share_the_gdl_region_and_are_flagged_proxy(iran):
    v = iran.values[iran.values.indicator == "gdl_shdi"].set_index(["entity_id", "year"])
    assert v.loc[("IR-23", 2016), "value"] == v.loc[("IR-30", 2016), "value"]
    assert v.loc[("IR-23", 2016), "flag"] == v.loc[("IR-30", 2016), "flag"] == "proxy"
    assert v.loc[("IR-10", 2016), "flag"] == "official"


def test_no_exact_zero_placeholders_in_atlas_rates(iran):
    v = iran.values[iran.values.source == "sci-atlas"]
    zero = v[v.value == 0]
    assert zero.empty, zero.head()


@pytest.mark.parametrize("indicator", ["census_urban_share", "gdl_shdi"])
def test_city_values_flag_proxies(iran, indicator):
    v = iran.city_values([indicator])
    expected = "proxy-county" if indicator.startswith("census") else "proxy-province"
    assert (v["provenance"] == expected).all()
    assert v["city_id"].nunique() == len(iran.cities)
