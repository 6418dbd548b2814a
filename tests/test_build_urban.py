"""Tests of citykit.build.urban: GHSL urban centres, the centre join and the WUP values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from citykit.build import urban
from citykit.build._names import latin_key, name_key, skeleton_key
from citykit.build._tables import CENTRE_JOIN_COLUMNS, URBAN_CENTRE_COLUMNS

from .conftest import IRAN

RAW = IRAN / "raw"
TEHRAN, MASHHAD = "112931", "124665"
UC_CODES = {"uc_population", "uc_gdp_ppp_per_capita", "uc_night_light_per_capita",
            "uc_built_up_per_capita", "uc_pm25_concentration", "uc_transport_co2_per_capita",
            "uc_transport_pm25_per_capita", "uc_open_space_share", "uc_intersection_density",
            "uc_prop_4way", "uc_prop_deadend", "uc_circuity"}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(IRAN / name, dtype={"city_id": str, "centre_id": str,
                                           "urban_centre_id": str, "core_city_id": str,
                                           "entity_id": str, "member_city_ids": str},
                       keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def centres():
    return _read("urban_centres.csv")


@pytest.fixture(scope="module")
def join():
    return _read("centre_join.csv")


@pytest.fixture(scope="module")
def cities():
    return _read("cities.csv")


@pytest.fixture(scope="module")
def values():
    return _read("values.csv")


def test_173_iranian_centres(centres):
    assert list(centres.columns) == URBAN_CENTRE_COLUMNS
    assert len(centres) == 173 and centres["centre_id"].is_unique
    assert centres["centre_id"].str.fullmatch(r"\d+").all()
    assert centres["province_code"].str.fullmatch(r"IR-\d\d").all()
    assert centres.set_index("centre_id").loc["5712", "name_en"] == "Ahwaz"
    assert centres.set_index("centre_id").loc["5851", "name_en"] == "Gonbad-e Qabus"


def test_join_columns_and_one_row_per_city(join, cities):
    assert list(join.columns) == CENTRE_JOIN_COLUMNS
    assert join["city_id"].tolist() == cities["city_id"].tolist()
    assert set(join["method"]) == {"name", "alternate-name", "distance", "none"}
    assert ((join["method"] == "none") == join["centre_id"].isna()).all()
    assert set(join["role"].dropna()) == {"core", "member"}
    # cities.csv carries the same centre and role.
    assert (join["centre_id"].fillna("") == cities["urban_centre_id"].fillna("")).all()
    assert (join["role"].fillna("") == cities["centre_role"].fillna("")).all()


def test_at_most_one_core_per_centre_and_tables_agree(join, centres):
    cores = join[join["role"] == "core"]
    assert cores["centre_id"].is_unique
    by_centre = centres.set_index("centre_id")
    assert (by_centre.loc[cores["centre_id"], "core_city_id"].to_numpy()
            == cores["city_id"].to_numpy()).all()
    assert by_centre["core_city_id"].notna().sum() == len(cores)
    members = join.dropna(subset=["centre_id"]).groupby("centre_id")["city_id"].agg(set)
    listed = by_centre["member_city_ids"].dropna().str.split("|").map(set)
    assert listed.to_dict() == members.to_dict()


def test_known_joins(join):
    j = join.set_index("city_id")
    tehran_centre = j[j["centre_id"] == "5737"]
    assert j.loc[TEHRAN, "role"] == "core" and j.loc[TEHRAN, "centre_id"] == "5737"
    named = tehran_centre.set_index("name_en")
    for town in ("Karaj", "Eslamshahr", "Qods", "Shahrīār"):
        assert named.loc[town, "role"] == "member", town
    assert j.loc[MASHHAD, "centre_id"] == "5918" and j.loc[MASHHAD, "role"] == "core"
    for city, centre in (("144448", "5712"), ("121801", "5243"), ("132144", "5605")):
        # Ahvaz/ahwaz, Orumiyeh/Urmia and Hamadan/Hamedan match through alternate names.
        assert (j.loc[city, "centre_id"], j.loc[city, "role"]) == (centre, "core"), city
        assert j.loc[city, "method"] == "alternate-name"


def test_spelling_variant_core(join):
    takab = join[join["name_en"] == "Takāb"].iloc[0]
    assert (takab["centre_id"], takab["method"], takab["role"]) == ("5474", "distance", "core")
    assert skeleton_key("Songhor") == skeleton_key("Sonqor")
    assert skeleton_key("Tehran") != skeleton_key("Tabriz")


def test_name_keys():
    assert latin_key("Nasīm Shahr") == latin_key("Nasimshahr") == "nasimshahr"
    assert latin_key("gonbad_e_qabus") == latin_key("Gonbad-e Qabus")
    assert name_key("خرم‌آباد") == name_key("خرم آباد")


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def test_join_rules_on_synthetic_centres():
    centres = _frame([[1, "alpha", "Alpha; Beta", 0.0, 0.0, 100.0]],
                     ["uc_id", "core_city", "uc_names", "centroid_lat", "centroid_lng", "area"])
    centres["centre_id"] = "1"
    cities = _frame([["a", "Alpha", 0.05, 0.0], ["b", "Beta", 0.3, 0.0],
                     ["c", "Alpha", 1.0, 0.0], ["d", "Gamma", 0.07, 0.0],
                     ["e", "Delta", 0.2, 0.0]],
                    ["city_id", "name_en", "latitude", "longitude"])
    names = pd.DataFrame({"city_id": cities["city_id"],
                          "key": cities["name_en"].map(latin_key), "method": "name"})
    out = urban.join_centres(centres, cities, names).set_index("city_id")
    assert (out.loc["a", "role"], out.loc["a", "method"]) == ("core", "name")
    assert (out.loc["b", "role"], out.loc["b", "method"]) == ("member", "name")
    # A homonym 111 km away is beyond NAME_MATCH_KM, and beyond sqrt(100/pi) + 3 km.
    assert out.loc["c", "method"] == "none" and pd.isna(out.loc["c", "distance_km"])
    assert (out.loc["d", "role"], out.loc["d", "method"]) == ("member", "distance")  # 7.8 km
    assert out.loc["e", "method"] == "none"  # 22 km > 8.6 km radius


def test_urban_centre_values(values, centres):
    uc = values[values["level"] == "urban_centre"]
    assert set(uc["indicator"]) == UC_CODES
    assert set(uc["entity_id"]) == set(centres["centre_id"])
    assert (uc["source"] == "ghsl-ucdb-2019").all()
    assert np.isfinite(uc["value"]).all() and (uc["value"] != 0).all()
    assert not uc.duplicated(["entity_id", "indicator", "year"]).any()
    years = uc.groupby("indicator")["year"].unique().map(list).to_dict()
    assert years["uc_pm25_concentration"] == [2014] and years["uc_circuity"] == [2020]


def test_mashhad_per_capita_formulas_from_the_raw_file(values):
    raw = pd.read_csv(RAW / urban.GHSL_FILE)
    row = raw[raw["uc_id"] == 5918].iloc[0]
    assert row["core_city"] == "mashhad"
    pop = row["resident_pop"]
    expected = {
        "uc_population": pop,
        "uc_gdp_ppp_per_capita": row["gdp_ppp"] / pop,
        "uc_night_light_per_capita": row["night_light_em"] * row["area"] / pop * 1000,
        "uc_built_up_per_capita": row["built_up_area"] * 1e6 / pop,
        "uc_pm25_concentration": row["pm25_concentration"],
        "uc_transport_co2_per_capita": row["transport_co2_em_fossil"] / pop,
        "uc_transport_pm25_per_capita": row["transport_pm25_em"] * 1000 / pop,
        "uc_open_space_share": row["pct_open_space"],
        "uc_intersection_density": row["intersect_count_clean"] / row["built_up_area"],
        "uc_prop_4way": row["prop_4way"] * 100,
        "uc_prop_deadend": row["prop_deadend"] * 100,
        "uc_circuity": row["circuity"],
    }
    got = values[(values["entity_id"] == "5918") & (values["level"] == "urban_centre")]
    got = got.set_index("indicator")["value"]
    assert got.to_dict() == pytest.approx(expected, rel=1e-12)
    assert 40 < got["uc_built_up_per_capita"] < 42  # 116.3 km2 for 2.84 million people


def test_wup_city_values(values, cities):
    wup = values[values["source"] == "un-wup-2018"]
    assert (wup["level"] == "city").all()
    pop = wup[wup["indicator"] == "wup_population"]
    assert sorted(pop["year"].unique()) == [2015, 2020] and len(pop) == 56
    growth = wup[wup["indicator"] == "wup_growth_2015_2025"]
    assert len(growth) == 28 and (growth["year"] == 2025).all()
    c = cities.set_index("city_id")
    in_2020 = pop[pop["year"] == 2020].set_index("entity_id")["value"]
    assert (c.loc[in_2020.index, "population"] == in_2020).all()
    mashhad = pop[(pop["entity_id"] == MASHHAD)].set_index("year")["value"]
    assert mashhad[2015] == 2_935_940  # WUP 2018 file 12: 2935.940 thousand


def test_indicator_levels(tmp_path):
    ind = _read("indicators.csv").set_index("code")
    assert (ind.loc[sorted(UC_CODES), "level"] == "urban_centre").all()
    assert (ind.loc[["wup_population", "wup_growth_2015_2025"], "level"] == "city").all()
    assert set(ind.loc[sorted(UC_CODES), "source"]) == {"ghsl-ucdb-2019"}


def test_wup_reader():
    wup = urban.read_wup(RAW)
    assert len(wup) == 28
    assert wup.set_index("wup_name").loc["Tehran", 2020] == 9_134_708
