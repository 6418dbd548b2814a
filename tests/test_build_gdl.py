"""Tests of the Global Data Lab build step (citykit.build.gdl) on the real raw exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citykit.build import gdl
from citykit.build._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "datasets" / "iran" / "raw"
GDL_RAW = RAW / gdl.RAW_DIR
SHARED = Path("/work/shared")
SHARED_LONG = SHARED / "data" / "indicators" / "gdl" / "gdl_iran_subnational_long.csv"
CROSSWALK = SHARED / "data" / "reference" / "iran_provinces_crosswalk.csv"
FRAMEWORKS = SHARED / "reference" / "frameworks.md"
PROVINCES = {f"IR-{i:02d}" for i in range(31)}
MARTA = "IRN_only__MartaMastropietro__GDL-{}-data.csv"


@pytest.fixture(scope="module")
def tables():
    return gdl.build(RAW)


def _wide(file: str, level: str = "Subnat") -> pd.DataFrame:
    long = gdl.read_wide(GDL_RAW / file)
    return long[long["level"] == level].pivot(index="gdlcode", columns="year", values="value")


def test_table_contracts(tables):
    v = tables.values
    assert list(v.columns) == VALUE_COLUMNS
    assert list(tables.indicators.columns) == INDICATOR_COLUMNS
    assert list(tables.sources.columns) == SOURCE_COLUMNS
    assert v["year"].dtype == np.int64 and v["value"].dtype == np.float64
    assert v["value"].notna().all()
    assert set(v["level"]) == {"province"}
    assert not v.duplicated(["entity_id", "indicator", "year"]).any()


def test_31_provinces_every_year(tables):
    v = tables.values
    assert set(v["entity_id"]) == PROVINCES
    assert (v.groupby(["indicator", "year"])["entity_id"].nunique() == 31).all()
    assert set(v["indicator"]) == set(gdl.SERIES)


def test_tehran_and_alborz_share_the_merged_region(tables):
    v = tables.values
    tehran = v[v["entity_id"] == "IR-23"].set_index(["indicator", "year"])
    alborz = v[v["entity_id"] == "IR-30"].set_index(["indicator", "year"])
    pd.testing.assert_series_equal(tehran["value"], alborz["value"])
    merged = v[v["entity_id"].isin(["IR-23", "IR-30"])]
    assert set(merged["flag"]) == {"proxy"}
    assert merged["note"].str.contains("IRNr124 covers Tehran and Alborz").all()
    others = v[~v["entity_id"].isin(["IR-23", "IR-30"])]
    assert set(others["flag"]) == {"official"} and (others["note"] == "").all()
    assert tables.indicators["notes"].str.contains("IRNr124 covers Tehran and Alborz").all()


def test_national_shdi_equals_undp_hdi():
    national = _wide("IRN_only__JeevaSaravanan__GDL-Subnational-HDI-data.csv", "National")
    hdr = pd.read_csv(GDL_RAW / "IRN_only__JeevaSaravanan__HDR_Data.csv").set_index("year")["hdi"]
    assert national.loc["IRNt", 2016] == hdr[2016] == 0.786
    assert national.loc["IRNt", 2021] == hdr[2021] == 0.774
    common = sorted(set(national.columns) & set(hdr.index))
    assert np.allclose(national.loc["IRNt", common], hdr[common])


def test_national_rows_not_emitted(tables):
    assert not tables.values["entity_id"].str.startswith("IRN").any()


def test_one_release_per_indicator(tables):
    v = tables.values
    assert (v.groupby("indicator")["source"].nunique() == 1).all()
    for code, (source, file) in gdl.SERIES.items():
        assert file in gdl.REPOS[source][2]
        sub = v[v["indicator"] == code]
        assert set(sub["source"]) == {source}
        assert sorted(sub["year"].unique()) == sorted(_wide(file).columns)


def test_components_reproduce_shdi_so_lgnic_is_log_dollars():
    """UNDP's HDI from the components, with goalposts in dollars, gives GDL's SHDI back.

    Life expectancy 20-85 years; schooling 15 and 18 years; income ln(100)-ln(75,000) dollars.
    Were lgnic the log of thousands of dollars, the income index would be negative.
    """
    le, mys, eys, gni = (_wide(MARTA.format(n)) for n in (
        "Life-expectancy", "Mean-years-schooling", "Expected-years-schooling",
        "LGNIPC-in-1000-US-Dollars-(2011-PPP)"))
    shdi = _wide("IRN_only__JeevaSaravanan__GDL-Subnational-HDI-data.csv")
    years = list(range(2016, 2022))
    health = (le[years] - 20) / 65
    education = (mys[years] / 15 + eys[years] / 18) / 2
    income = (gni[years] - np.log(100)) / (np.log(75000) - np.log(100))
    hdi = (health * education * income) ** (1 / 3)
    assert (hdi - shdi[years]).abs().max(axis=None) < 0.005


def test_metadata_and_sources(tables):
    meta, src, v = tables.indicators, tables.sources, tables.values
    assert set(meta["code"]) == set(v["indicator"]) and meta["code"].is_unique
    assert meta["code"].str.startswith("gdl_").all()
    assert set(meta["direction"]) == {"max"}
    assert set(v["source"]) == set(src["id"]) == set(meta["source"])
    assert (src["licence"] == gdl.LICENCE).all()
    assert src["attribution"].str.contains("Global Data Lab").all()
    assert src["attribution"].str.contains("globaldatalab.org").all()
    for path in src["files"].str.split("|").explode():
        assert (RAW.parent / path).is_file(), path
    notes = meta.set_index("code")["notes"]
    assert "Unit uncertain" in notes["gdl_log_gni_per_capita"]
    assert "Release choice" in notes["gdl_shdi"] and "Release choice" in notes[
        "gdl_mean_years_schooling"]


def test_regions_agree_with_shared_crosswalk():
    if not CROSSWALK.exists():
        pytest.skip("shared crosswalk not available")
    cw = pd.read_csv(CROSSWALK, dtype=str).set_index("iso_3166_2")
    regions = gdl._read_regions(RAW.parent / "curated" / gdl.REGIONS_FILE).set_index(
        "province_code")
    assert (regions["gdl_code"] == cw.loc[regions.index, "gdl_code"]).all()
    assert (regions["gdl_region"] == cw.loc[regions.index, "gdl_region"]).all()


def test_values_agree_with_shared_long_file(tables):
    """Cross-check against the independently derived long CSV (a check, never an input)."""
    if not SHARED_LONG.exists():
        pytest.skip("shared derived CSV not available")
    ref = pd.read_csv(SHARED_LONG, dtype={"sci_codes": str})
    ref = ref[ref["level"] == "Subnat"]
    names = {"gdl_shdi": "shdi", "gdl_life_expectancy": "lifexp",
             "gdl_mean_years_schooling": "msch", "gdl_log_gni_per_capita": "lgnic"}
    for code, name in names.items():
        source, file = gdl.SERIES[code]
        repo = gdl.REPOS[source][0]
        r = ref[(ref["indicator"] == name) & (ref["source_repo"] == repo)]
        r = r.assign(sci=r["sci_codes"].str.split("|")).explode("sci")
        r = r.assign(entity_id="IR-" + r["sci"]).set_index(["entity_id", "year"])["value"]
        mine = tables.values[tables.values["indicator"] == code].set_index(
            ["entity_id", "year"])["value"]
        assert len(r) == len(mine), code
        assert np.allclose(mine.sort_index(), r.sort_index()), code


def test_bad_cell_fails_loudly(tmp_path):
    file = "IRN_only__JeevaSaravanan__GDL-Subnational-HDI-data.csv"
    text = (GDL_RAW / file).read_text(encoding="utf-8").replace(",0.786,", ",n/a,", 1)
    (tmp_path / file).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="is not a number"):
        gdl.read_wide(tmp_path / file)


def test_deterministic(tables):
    again = gdl.build(RAW)
    pd.testing.assert_frame_equal(tables.values, again.values)
    pd.testing.assert_frame_equal(tables.indicators, again.indicators)


def test_crosswalk_codes_exist_in_frameworks(tables):
    if not FRAMEWORKS.exists():
        pytest.skip("frameworks reference not available")
    text = FRAMEWORKS.read_text(encoding="utf-8")
    for col in ["u4ssc", "iso37120", "iso37122"]:
        for cell in tables.indicators[col]:
            for code in filter(None, cell.split("|")):
                assert f"| {code} |" in text, (col, code)
