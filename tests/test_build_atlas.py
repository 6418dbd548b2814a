"""Tests of the SCI-atlas build step (citykit.build.atlas) on the real raw workbook."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from citykit.build import atlas
from citykit.build._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "datasets" / "iran" / "raw"
CURATED = ROOT / "datasets" / "iran" / "curated"
WORKBOOK = RAW / atlas.RAW_FILE
SHARED = Path("/work/shared")
SHARED_LONG = SHARED / "data" / "indicators" / "sci_atlas" / "sci_provincial_indicators_long.csv"
CROSSWALK = SHARED / "data" / "reference" / "iran_provinces_crosswalk.csv"
FRAMEWORKS = SHARED / "reference" / "frameworks.md"
PROVINCES = {f"IR-{i:02d}" for i in range(31)}
ENROLMENT = ["ind15", "ind16", "ind17", "ind18", "ind19", "ind20"]


@pytest.fixture(scope="module")
def tables():
    return atlas.build(RAW)


@pytest.fixture(scope="module")
def sheets():
    """Raw sheets read with the module's own reader (layout checks included)."""
    wb = load_workbook(WORKBOOK, read_only=True, data_only=True)
    try:
        names = list(atlas.SELECTED) + ["Index04-1", "Index04-3", "Index09-9", "Index16-6",
                                        "Index21-3", "Index22-1"]
        return {s: atlas.read_sheet(wb, s, WORKBOOK)[0] for s in names}
    finally:
        wb.close()


def test_table_contracts(tables):
    v, i, s = tables.values, tables.indicators, tables.sources
    assert list(v.columns) == VALUE_COLUMNS
    assert list(i.columns) == INDICATOR_COLUMNS
    assert list(s.columns) == SOURCE_COLUMNS
    assert v["year"].dtype == np.int64 and v["value"].dtype == np.float64
    assert v["value"].notna().all() and np.isfinite(v["value"]).all()
    assert set(v["level"]) == {"province"} and set(v["source"]) == {"sci-atlas"}
    assert set(v["flag"]) <= {"official", "derived", "proxy"}
    assert set(v["entity_id"]) == PROVINCES
    assert not v.duplicated(["entity_id", "indicator", "year"]).any()


def test_enough_indicators_with_all_provinces(tables):
    v = tables.values
    assert v["indicator"].nunique() >= 25
    assert v["indicator"].str.startswith("atlas_").all()
    provinces = v.groupby("indicator")["entity_id"].nunique()
    assert (provinces == 31).mean() >= 0.9
    # nearly every indicator-year is complete
    per_year = v.groupby(["indicator", "year"])["entity_id"].nunique()
    assert (per_year == 31).mean() >= 0.95


def test_metadata_matches_values(tables):
    meta = tables.indicators
    assert set(meta["code"]) == set(tables.values["indicator"])
    assert meta["code"].is_unique
    assert set(meta["direction"]) <= {"max", "min"}
    assert set(meta["level"]) == {"province"} and set(meta["source"]) == {"sci-atlas"}
    for col in ["name_en", "name_fa", "unit", "topic", "definition", "notes"]:
        assert (meta[col].str.strip() != "").all(), col
    assert meta["name_fa"].map(lambda t: bool(re.search("[\u0600-\u06ff]", t))).all()
    # every indicator names its atlas sheet and explains the years
    assert meta["notes"].str.contains("SCI atlas id ").all()
    assert meta["notes"].str.contains(re.escape(atlas.YEAR_NOTE)).all()
    assert set(tables.sources["id"]) == {"sci-atlas"}
    assert "No licence file" in tables.sources.at[0, "licence"]


def test_directions_of_key_indicators(tables):
    d = tables.indicators.set_index("code")["direction"]
    for code in ["atlas_unemployment_rate_15plus", "atlas_dropout_rate_primary", "atlas_gini_urban",
                 "atlas_student_teacher_ratio_primary"]:
        assert d[code] == "min"
    for code in ["atlas_hospital_beds_per_10k", "atlas_net_enrolment_primary",
                 "atlas_sewage_coverage_urban"]:
        assert d[code] == "max"


def test_exact_zero_placeholders_removed_and_documented(tables, sheets):
    v, notes = tables.values, tables.indicators.set_index("code")["notes"]
    assert not (v["value"] == 0).any()
    for sheet, code in atlas.SELECTED.items():
        raw = sheets[sheet]
        raw = raw[~raw["year"].isin([y for (s, y) in atlas.CORRUPT_COLUMNS if s == sheet])]
        n = int((raw["value"] == 0).sum())
        if n:
            assert f"{n} exact-zero placeholder" in notes[code], code
        else:
            assert "exact-zero placeholder" not in notes[code], code
    beds = v[v["indicator"] == "atlas_hospital_beds_per_10k"]
    assert beds[(beds["entity_id"] == "IR-27") & (beds["year"] == 2022)].empty


def test_corrupt_fertility_column_dropped(tables):
    tfr = tables.values[tables.values["indicator"] == "atlas_total_fertility_rate"]
    assert 2017 not in set(tfr["year"])
    assert tfr["value"].between(0.5, 10).all()
    assert "The 2017 column of sheet Index18-14 was dropped" in \
        tables.indicators.set_index("code").at["atlas_total_fertility_rate", "notes"]


def test_tehran_rows_of_enrolment_sheets(tables, sheets):
    v = tables.values
    for sheet in ENROLMENT:
        code = atlas.SELECTED[sheet]
        tehran = v[(v["indicator"] == code) & (v["entity_id"] == "IR-23")]
        raw = sheets[sheet][sheets[sheet]["atlas_id"] == 28]
        assert sorted(tehran["year"]) == sorted(raw["year"]), sheet
        is_city = "شهر" in raw["label_fa"].iloc[0]
        assert set(tehran["flag"]) == ({"proxy"} if is_city else {"official"}), sheet
        if is_city:
            assert tehran["note"].str.contains("Tehran city").all()
    assert (v["flag"] == "proxy").sum() == 45  # five sheets x nine years, per the workbook


def test_blank_labels_matched_by_atlas_id(tables):
    labs = tables.values[tables.values["indicator"] == "atlas_diagnostic_labs_per_100k"]
    assert {"IR-13", "IR-16"} <= set(labs["entity_id"])
    assert "Persian label blank in sheet Index18-6 for IR-13, IR-16" in \
        tables.indicators.set_index("code").at["atlas_diagnostic_labs_per_100k", "notes"]


def test_derived_food_share(tables, sheets):
    v = tables.values
    share = v[v["indicator"] == "atlas_household_food_share_urban"]
    assert set(share["flag"]) == {"derived"} and share["value"].between(0, 100).all()
    food = sheets["Index21-3"].set_index(["atlas_id", "year"])["value"]
    rest = sheets["Index21-1"].set_index(["atlas_id", "year"])["value"]
    expected = food[(28, 2020)] / (food[(28, 2020)] + rest[(28, 2020)]) * 100
    got = share[(share["entity_id"] == "IR-23") & (share["year"] == 2020)]["value"].item()
    assert got == pytest.approx(expected)


def test_zero_placeholder_rule_on_participation_sheet(sheets):
    labels = atlas._read_labels(CURATED / atlas.LABELS_FILE)
    kept, zeros = atlas._clean(atlas.match_provinces(sheets["Index04-1"], labels, WORKBOOK))
    assert len(zeros) == 124 and set(zeros["year"]) == {2020, 2021, 2022, 2023}
    assert set(kept["year"]) == {2019}
    assert atlas._zero_note(zeros, 31) == \
        "124 exact-zero placeholders removed: all 31 provinces, years 2020-2023."


def test_reasons_for_rejected_sheets(sheets):
    """The evidence behind NOT_SELECTED."""
    assert "Index04-1" not in atlas.SELECTED and "Index04-1" in atlas.NOT_SELECTED
    # an overall participation rate must lie between its urban and rural rates; 2019 does not
    wide = {s: sheets[s][sheets[s]["year"] == 2019].set_index("atlas_id")["value"]
            for s in ["Index04-1", "Index04-2", "Index04-3"]}
    low = np.minimum(wide["Index04-2"], wide["Index04-3"])
    high = np.maximum(wide["Index04-2"], wide["Index04-3"])
    tol = 0.05  # Index04-1 is rounded to one decimal
    assert ((wide["Index04-1"] < low - tol) | (wide["Index04-1"] > high + tol)).sum() >= 28
    # Index09-9 holds Index02-9's values labelled one year later
    a = sheets["Index02-9"].set_index(["atlas_id", "year"])["value"]
    b = sheets["Index09-9"].assign(year=lambda d: d["year"] - 1).set_index(
        ["atlas_id", "year"])["value"]
    assert np.allclose(a[b.index], b)
    # Index16-6: the 2017 column is the sum of 2015 and 2016
    w = sheets["Index16-6"].pivot(index="atlas_id", columns="year", values="value")
    assert np.allclose(w[2017], w[2015] + w[2016])


def test_year_headers_are_solar_plus_621(tables, sheets):
    """Evidence for the year convention: CPI base 1400 = 100 sits in the 2021 column."""
    cpi = sheets["Index22-1"]
    assert np.allclose(cpi.loc[cpi["year"] == 2021, "value"], 100)
    if not CROSSWALK.exists():
        pytest.skip("shared crosswalk not available")
    census = pd.read_csv(CROSSWALK, dtype=str).set_index("iso_3166_2")["pop_2016_census"]
    v = tables.values
    pop = v[(v["indicator"] == "atlas_population_estimate") & (v["year"] == 2016)]
    diff = pop.set_index("entity_id")["value"] - census.astype(float) / 1000
    assert diff.abs().max() < 0.5  # thousands: the 2016 estimates are the 1395 census counts


def test_header_guard_rejects_solar_years(tmp_path):
    with pytest.raises(ValueError, match="Gregorian year"):
        atlas._year_columns(("ID_1", "NAME_1", "Prov", "1398"), "X", tmp_path / "x.xlsx")


def test_unknown_label_or_id_fails_loudly(tmp_path):
    labels = atlas._read_labels(CURATED / atlas.LABELS_FILE)
    row = {"sheet": "X", "row": 2, "atlas_id": 28, "atlas_name": "Tehran", "year": 2020,
           "value": 1.0}
    with pytest.raises(ValueError, match="not in sci_atlas_province_labels"):
        atlas.match_provinces(pd.DataFrame([{**row, "label_fa": "ناکجاآباد"}]), labels, tmp_path)
    with pytest.raises(ValueError, match="belongs to IR-30"):
        atlas.match_provinces(pd.DataFrame([{**row, "label_fa": "البرز"}]), labels, tmp_path)
    with pytest.raises(ValueError, match="ID_1 99"):
        atlas.match_provinces(pd.DataFrame([{**row, "atlas_id": 99, "label_fa": "تهران"}]),
                              labels, tmp_path)


def test_curated_codes_must_equal_built_codes(tmp_path):
    for name in [atlas.INDICATORS_FILE, atlas.LABELS_FILE]:
        shutil.copy(CURATED / name, tmp_path / name)
    meta = pd.read_csv(tmp_path / atlas.INDICATORS_FILE, dtype=str, keep_default_na=False)
    meta.iloc[1:].to_csv(tmp_path / atlas.INDICATORS_FILE, index=False)
    with pytest.raises(ValueError, match="codes differ"):
        atlas.build(RAW, curated=tmp_path)


def test_deterministic(tables):
    again = atlas.build(RAW)
    pd.testing.assert_frame_equal(tables.values, again.values)
    pd.testing.assert_frame_equal(tables.indicators, again.indicators)


def test_province_labels_agree_with_shared_crosswalk():
    if not CROSSWALK.exists():
        pytest.skip("shared crosswalk not available")
    cw = pd.read_csv(CROSSWALK, dtype=str).set_index("iso_3166_2")
    labels = pd.read_csv(CURATED / atlas.LABELS_FILE, dtype=str, keep_default_na=False)
    prov = labels[labels["label_kind"] == "province"].set_index("province_code")
    assert set(prov.index) == PROVINCES
    assert (prov["atlas_id_1"] == cw.loc[prov.index, "sci_atlas_id_1"]).all()
    assert (prov["label_fa"] == cw.loc[prov.index, "name_fa_sci"]).all()


def test_values_agree_with_shared_long_file(tables):
    """Cross-check against the independently derived long CSV (a check, never an input)."""
    if not SHARED_LONG.exists():
        pytest.skip("shared derived CSV not available")
    ref = pd.read_csv(SHARED_LONG, dtype={"iso_3166_2": str, "indicator_code": str})
    ref = ref[ref["value"].notna() & (ref["value"] != 0)]
    code_of = pd.Series(atlas.SELECTED)
    ref = ref[ref["indicator_code"].isin(code_of.index)].assign(
        indicator=lambda d: d["indicator_code"].map(code_of))
    mine = tables.values[tables.values["flag"] != "derived"]
    both = mine.merge(ref, left_on=["indicator", "entity_id", "year"],
                      right_on=["indicator", "iso_3166_2", "year"], how="outer", indicator=True)
    only_ref = both[both["_merge"] == "right_only"]
    # the reference keeps the corrupt fertility column; nothing else may be missing on our side
    assert set(only_ref["indicator_code"]) <= {"Index18-14"}
    assert set(only_ref["year"]) <= {2017}
    assert (both["_merge"] != "left_only").all()
    matched = both[both["_merge"] == "both"]
    assert np.allclose(matched["value_x"], matched["value_y"], rtol=1e-9)


def test_crosswalk_codes_exist_in_frameworks(tables):
    if not FRAMEWORKS.exists():
        pytest.skip("frameworks reference not available")
    text = FRAMEWORKS.read_text(encoding="utf-8")
    for col in ["u4ssc", "iso37120", "iso37122"]:
        for cell in tables.indicators[col]:
            for code in filter(None, cell.split("|")):
                assert f"| {code} |" in text, (col, code)
