"""Tests of citykit.build.register: the cleaned city register and its audit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from citykit.build import geography, register, urban
from citykit.build._names import latin_key
from citykit.build._tables import AUDIT_COLUMNS, CITY_COLUMNS

from .conftest import IRAN

RAW = IRAN / "raw"
#: Known GeoNames duplicates (name -> the id that must survive).
DUPLICATES = {"Kashan": "6861211", "Nasim Shahr": "6672634", "Abadeh": "145449",
              "Galugah": "134255", "Kahrizak": "11980175", "Maku": "125205",
              "Vahidiyeh": "8420881"}
METROPOLISES = {"Tehran", "Mashhad", "Isfahan", "Karaj", "Shiraz", "Tabriz", "Qom", "Ahvaz",
                "Kermanshah"}


@pytest.fixture(scope="module")
def inputs():
    provinces = geography.build_provinces(RAW)
    counties = geography.build_counties(RAW, provinces)
    return provinces, geography.build_cities(RAW, provinces, counties)


@pytest.fixture(scope="module")
def reg(inputs):
    provinces, base = inputs
    return register.build_register(RAW, base, provinces)


def _key(frame: pd.DataFrame) -> pd.Series:
    return frame["name_en"].map(latin_key)


def test_register_columns_and_ids(reg, inputs):
    _, base = inputs
    assert list(reg.cities.columns) == CITY_COLUMNS
    assert list(reg.audit.columns) == AUDIT_COLUMNS
    assert reg.cities["city_id"].is_unique
    gone = reg.audit.loc[reg.audit["action"].isin(["merge", "drop"]), "city_id"]
    assert gone.is_unique
    # Every GeoNames record is either in the register or audited as merged/dropped.
    assert set(reg.cities["city_id"]) | set(gone) == set(base["city_id"])
    assert not set(reg.cities["city_id"]) & set(gone)


@pytest.mark.parametrize(("name", "kept"), DUPLICATES.items())
def test_known_duplicates_are_merged_once(reg, name, kept):
    merges = reg.audit[(reg.audit["action"] == "merge") & (_key(reg.audit) == latin_key(name))]
    assert len(merges) == 1, merges
    row = merges.iloc[0]
    assert row["other_id"] == kept and row["reason"].startswith("same name as " + kept)
    assert row["rule"] in {"same-name-same-population", "same-name-within-10-km"}
    left = reg.cities[_key(reg.cities) == latin_key(name)]
    assert left["city_id"].tolist() == [kept]


def test_nurabad_homonyms_stay_separate(reg):
    nurabad = reg.cities[_key(reg.cities) == "nurabad"]
    assert sorted(nurabad["province_code"]) == ["IR-07", "IR-15"]
    kept = reg.audit[(reg.audit["action"] == "keep_separate")
                     & (reg.audit["rule"] == "homonym")]
    pair = {frozenset(p) for p in zip(kept["city_id"], kept["other_id"], strict=True)}
    assert frozenset(nurabad["city_id"]) in pair


def test_maragheh_near_mashhad_is_a_misplaced_copy(reg):
    maragheh = reg.cities[_key(reg.cities) == "maragheh"]
    assert maragheh["city_id"].tolist() == ["124877"]
    assert maragheh["province_code"].tolist() == ["IR-03"]  # East Azerbaijan, not Razavi
    row = reg.audit[reg.audit["city_id"] == "124878"].iloc[0]
    assert row["action"] == "merge" and "misplaced" in row["reason"]


def test_khorramshahr_population_is_not_the_stale_geonames_figure(reg):
    city = reg.cities[reg.cities["name_en"] == "Khorramshahr"].iloc[0]
    assert city["population"] != 330_606
    assert city["population_source"] == urban.GHSL_SOURCE and city["population_year"] == 2015
    assert "330,606" in city["population_check"]  # the disagreement is flagged


def test_population_sources(reg):
    c = reg.cities
    assert set(c["population_source"]) == {"un-wup-2018", "ghsl-ucdb-2019", "geonames"}
    wup = c[c["population_source"] == "un-wup-2018"]
    assert len(wup) == 28 and (wup["population_year"] == 2020).all()
    assert (c.loc[c["population_source"] == "ghsl-ucdb-2019", "population_year"] == 2015).all()
    assert c.loc[c["population_source"] == "geonames", "population_year"].isna().all()
    # GHSL population only for the core of a centre that holds no other register city.
    ghsl = c[c["population_source"] == "ghsl-ucdb-2019"]
    assert (ghsl["centre_role"] == "core").all()
    sizes = reg.join[reg.join["centre_id"] != ""].groupby("centre_id").size()
    assert (ghsl["urban_centre_id"].map(sizes) == 1).all()
    # Every population change is audited with its old and new value.
    changed = reg.audit[reg.audit["field"] == "population"]
    assert set(changed["city_id"]) == set(c.loc[c["population_source"] != "geonames", "city_id"])


def test_metropolises_are_exactly_the_nine_wup_millionaires(reg):
    metro = reg.cities[reg.cities["is_metropolis"]]
    assert set(metro["name_en"]) == METROPOLISES
    assert (metro["population_source"] == "un-wup-2018").all()
    assert (metro["population"] >= register.METROPOLIS_POPULATION).all()


def test_no_duplicate_name_in_a_province_unless_an_audited_homonym(reg):
    c = reg.cities.assign(key=_key(reg.cities))
    twice = c[c.duplicated(["key", "province_code"], keep=False)]
    homonyms = set(reg.audit.loc[reg.audit["action"] == "keep_separate", "city_id"]) | set(
        reg.audit.loc[reg.audit["action"] == "keep_separate", "other_id"])
    assert set(twice["city_id"]) <= homonyms


def test_border_disagreements_are_kept_and_far_ones_dropped(inputs, reg):
    provinces, base = inputs
    # Tabas: GeoNames says Yazd, the point lies in South Khorasan, its neighbour: kept.
    assert "113659" in set(reg.cities["city_id"])
    cities = reg.cities.set_index("city_id", drop=False)
    far = cities.loc[["113659", "112931"]].copy()
    far.loc["112931", "geonames_admin1"] = "IR.04"  # Tehran put in Sistan and Baluchestan
    flagged = register._admin1_not_adjacent(far, base, provinces)
    assert flagged.tolist() == [False, True]


def test_overrides_are_applied_and_audited(reg):
    overrides = register.read_overrides(IRAN / register.OVERRIDES_FILE,
                                        set(reg.audit["city_id"]) | set(reg.cities["city_id"]))
    assert len(overrides) >= 1
    for row in overrides.itertuples():
        applied = reg.audit[reg.audit["rule"] == f"override: {register.OVERRIDES_FILE} line "
                                                 f"{row.line}"]
        assert len(applied) == 1, row
        assert applied.iloc[0]["city_id"] == row.city_id
        assert applied.iloc[0]["reason"] == row.reason
        if row.action == "merge_into":
            assert row.city_id not in set(reg.cities["city_id"])
        if row.action == "set" and row.field == "centre_role":
            assert reg.cities.set_index("city_id").loc[row.city_id, "centre_role"] == "core"


@pytest.mark.parametrize(("line", "message"), [
    ("112931,rename,,,because", "unknown action 'rename'"),
    ("999,drop,,,because", "unknown city_id '999'"),
    ("112931,drop,,,", "a reason is required"),
    ("112931,merge_into,,112931,because", "merge_into needs another known city_id"),
    ("112931,set,population,9000000,because", "set may change only"),
])
def test_a_bad_override_is_refused(tmp_path: Path, line, message):
    path = tmp_path / "city_overrides.csv"
    path.write_text("city_id,action,field,value,reason\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path.name} line 2: {message}"):
        register.read_overrides(path, {"112931", "124665"})


def test_override_with_wrong_columns_is_refused(tmp_path: Path):
    path = tmp_path / "city_overrides.csv"
    path.write_text("id,action\n1,drop\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected columns"):
        register.read_overrides(path, {"1"})


def test_evidence_order(inputs):
    _, base = inputs
    records = geography._geonames(RAW)
    features = pd.Series({"1": "PPLA2", "2": "PPL"})
    two = base.head(2).assign(city_id=["1", "2"], is_provincial_capital=False,
                              name_fa_source="missing", population=[10, 20])
    records = records.head(2).assign(city_id=["1", "2"])
    ev = register.evidence(two, records, features)
    assert ev.loc["1", "rank"] == 1  # the PPLA2 record beats a larger PPL one
    two = two.assign(is_provincial_capital=[False, True])
    assert register.evidence(two, records, features).loc["2", "rank"] == 1
