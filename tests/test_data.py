"""Loading datasets in every supported format, and the county/province proxy rule."""

import warnings

import geopandas as gpd
import pandas as pd
import pytest

from citykit.data import PROVENANCE, bundled_datasets, load_dataset
from citykit.exceptions import CityKitWarning, DataValidationError


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        return load_dataset(path)


def test_city_values_prefer_own_then_county_then_province(synthetic):
    ds = _load(synthetic())
    v = ds.city_values().set_index(["city_id", "indicator"])
    assert v.loc[("S1", "x_county"), "provenance"] == "own"
    assert v.loc[("S1", "x_county"), "value"] == 7.0
    assert v.loc[("S0", "x_county"), "provenance"] == "proxy-county"
    assert v.loc[("S0", "x_county"), "from_entity"] == "C1"
    assert v.loc[("S3", "x_prov"), "provenance"] == "proxy-province"
    assert v.loc[("S3", "x_prov"), "from_entity"] == "P2"
    assert set(v["provenance"]) <= set(PROVENANCE)
    # Every city gets each indicator once: nothing dropped, nothing doubled.
    assert len(v) == len(ds.cities) * 2


def test_unknown_indicator_in_query(synthetic):
    ds = _load(synthetic())
    with pytest.raises(DataValidationError, match=r"unknown indicator code 'x_prv'; closest "
                                                  r"known: \['x_prov'\]"):
        ds.city_values(["x_prv"])


def test_latest_year_does_not_backfill(synthetic):
    folder = synthetic()
    values = pd.read_csv(folder / "values.csv", dtype=str)
    extra = values.iloc[[0]].assign(year="2021", value="99")   # only P1 has 2021
    pd.concat([values, extra]).to_csv(folder / "values.csv", index=False)
    ds = _load(folder)
    latest = ds.level_values("province", indicators=["x_prov"])
    assert latest[["entity_id", "year", "value"]].values.tolist() == [["P1", 2021, 99.0]]
    assert ds.latest_year("x_prov") == 2021


def test_xlsx_workbook_loads_like_a_folder(synthetic):
    book = synthetic(fmt="xlsx")
    a, b = _load(book), _load(synthetic())
    assert a.summary() == b.summary()
    pd.testing.assert_frame_equal(a.city_values(), b.city_values())


def test_geopackage_and_geojson_cities_load(synthetic):
    folder = synthetic()
    cities = pd.read_csv(folder / "cities.csv", dtype=str)
    gdf = gpd.GeoDataFrame(cities.drop(columns=["latitude", "longitude"]),
                           geometry=gpd.points_from_xy(cities.longitude.astype(float),
                                                       cities.latitude.astype(float)),
                           crs="EPSG:4326")
    (folder / "cities.csv").unlink()
    gdf.to_file(folder / "cities.gpkg", driver="GPKG")
    ds = _load(folder)
    assert ds.cities["latitude"].tolist() == pytest.approx(cities.latitude.astype(float).tolist())
    assert ds.cities["is_national_capital"].dtype == bool


def test_bundled_list():
    assert bundled_datasets() == ["iran"]


# --------------------------------------------------------------------------- the bundled data

KARAJ, MASHHAD = "128747", "124665"


def test_karaj_takes_no_value_of_the_capitals_urban_centre(iran):
    capital = iran.cities.loc[iran.national_capital[0]]
    karaj = iran.cities.loc[KARAJ]
    assert karaj["name_en"] == "Karaj" and karaj["centre_role"] == "member"
    assert karaj["urban_centre_id"] == capital["urban_centre_id"]     # Tehran's centre
    centre_codes = iran.indicators.index[iran.indicators["level"] == "urban_centre"].tolist()
    assert centre_codes and all(code.startswith("uc_") for code in centre_codes)
    values = iran.city_values().set_index(["city_id", "indicator"])
    karajs = values.loc[KARAJ]
    assert not set(centre_codes) & set(karajs.index)                   # absent, not copied
    assert "urban-centre" not in set(karajs["provenance"])
    assert karajs.loc["wup_population", ["provenance", "from_entity"]].tolist() == ["own", KARAJ]
    # ... while the capital, the core of that centre, does take them
    assert values.loc[(capital.name, "uc_gdp_ppp_per_capita"), "from_entity"] == \
        capital["urban_centre_id"]


def test_mashhad_takes_its_own_urban_centres_values(iran):
    assert iran.cities.loc[MASHHAD, ["name_en", "urban_centre_id", "centre_role"]].tolist() == \
        ["Mashhad", "5918", "core"]
    row = iran.city_values(["uc_gdp_ppp_per_capita"]).set_index("city_id").loc[MASHHAD]
    assert row["provenance"] == "urban-centre" and row["from_entity"] == "5918"
    centre = iran.values.query("entity_id == '5918' and level == 'urban_centre' and "
                               "indicator == 'uc_gdp_ppp_per_capita'")
    assert row["value"] == centre["value"].iloc[0]
