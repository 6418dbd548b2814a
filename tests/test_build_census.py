"""Tests of citykit.build.census against the bundled SCI workbooks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citykit.build import census
from citykit.build._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS

RAW = Path(__file__).resolve().parents[1] / "datasets" / "iran" / "raw"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def counts():
    return census.county_counts(RAW)


@pytest.fixture(scope="module")
def tables(counts):
    with pytest.MonkeyPatch.context() as mp:  # reuse the parsed workbooks
        mp.setattr(census, "county_counts", lambda raw: counts)
        return census.build(RAW)


def _value(values: pd.DataFrame, indicator: str, entity: str) -> float:
    row = values[(values["indicator"] == indicator) & (values["entity_id"] == entity)]
    return row["value"].item()


def test_official_totals(counts, tables):
    assert len(counts) == 429 and counts["county_code"].is_unique
    assert counts["total"].sum() == 79_926_270
    assert counts["urban"].sum() == 59_146_847
    tehran = counts.set_index("county_code").loc["2301"]
    assert tehran["urban"] == 8_693_706
    assert _value(tables.values, "census_pop_urban", "2301") == 8_693_706
    assert _value(tables.values, "census_pop_total", "IR-23") == counts.loc[
        counts["county_code"].str.startswith("23"), "total"].sum()


def test_table1_equals_jalilian_age_sums(counts):
    ages = pd.read_csv(RAW / census.AGE_CSV, dtype={"county_code": str})
    sums = ages.groupby("county_code")[["male", "female"]].sum()
    ours = counts.set_index("county_code")
    assert sorted(sums.index) == sorted(ours.index)
    assert (sums["male"] == ours.loc[sums.index, "total_male"]).all()
    assert (sums["female"] == ours.loc[sums.index, "total_female"]).all()


def test_table5_is_internally_consistent(counts):
    assert (counts["literate"] <= counts["pop15plus"]).all()
    assert (counts["pop15plus"] <= counts["total"]).all()
    assert (counts["employed"] + counts["unemployed"] == counts["active"]).all()
    # Tertiary is SCI's "higher" column, not "diploma and pre-university".
    assert (counts["higher"] != counts["diploma_preuniversity"]).any()


def test_values_shape(tables):
    values = tables.values
    assert list(values.columns) == VALUE_COLUMNS
    assert len(values) == 7 * (429 + 31)
    assert values.groupby("level")["entity_id"].nunique().to_dict() == {"county": 429,
                                                                        "province": 31}
    assert np.isfinite(values["value"]).all()
    assert (values["year"] == 2016).all() and (values["source"] == census.SOURCE_ID).all()
    assert set(values["flag"]) == {"official", "derived"}
    official = values[values["flag"] == "official"]
    assert set(official["indicator"]) == {"census_pop_total", "census_pop_urban"}
    assert (official["level"] == "county").all()
    assert values["entity_id"][values["level"] == "province"].str.fullmatch(r"IR-\d{2}").all()
    assert values["entity_id"][values["level"] == "county"].str.fullmatch(r"\d{4}").all()


def test_rates_are_percentages_rounded_to_4_decimals(tables):
    rates = tables.values[tables.values["indicator"].str.contains("share|rate")]
    assert rates["value"].between(0, 100).all()
    assert (rates["value"].round(4) == rates["value"]).all()
    assert (rates["value"].round(2) != rates["value"]).any()  # not rounded coarser


def test_national_rates(counts):
    total = counts.drop(columns="county_code").sum()
    assert 85.9 < 100 * total["literate"] / total["pop15plus"] < 86.0
    assert 12.5 < 100 * total["unemployed"] / total["active"] < 12.6


def test_indicator_metadata(tables):
    meta = tables.indicators
    assert list(meta.columns) == INDICATOR_COLUMNS
    assert set(meta["code"]) == set(tables.values["indicator"])
    direction = meta.set_index("code")["direction"]
    assert direction["census_unemployment_rate"] == "min"
    assert (direction.drop("census_unemployment_rate") == "max").all()
    assert list(tables.sources.columns) == SOURCE_COLUMNS
    assert tables.sources["id"].tolist() == [census.SOURCE_ID]
    for name in tables.sources["files"].item().split("|"):
        assert (RAW / name).exists(), name


def test_curated_metadata_must_match_values(tmp_path, counts, monkeypatch):
    (tmp_path / "curated").mkdir()
    (tmp_path / "raw").symlink_to(RAW)
    curated = RAW.parent / census.CURATED_INDICATORS
    meta = pd.read_csv(curated, dtype=str, keep_default_na=False)
    extra = pd.concat([meta, meta.iloc[[0]].assign(code="census_made_up")])
    extra.to_csv(tmp_path / census.CURATED_INDICATORS, index=False)
    monkeypatch.setattr(census, "county_counts", lambda raw: counts)
    with pytest.raises(ValueError, match="census_made_up"):
        census.build(tmp_path / "raw")


def test_build_is_deterministic(tables, counts, monkeypatch):
    monkeypatch.setattr(census, "county_counts", lambda raw: counts.sample(frac=1, random_state=1))
    again = census.build(RAW)
    assert again.values.to_csv(index=False) == tables.values.to_csv(index=False)


class _FakeSheet:
    """A minimal stand-in for an xlrd sheet (synthetic test data)."""

    def __init__(self, name, rows):
        self.name, self._rows = name, rows
        self.nrows, self.ncols = len(rows), max(len(r) for r in rows)

    def cell_value(self, r, c):
        return self._rows[r][c] if c < len(self._rows[r]) else ""


def _table1_rows(header_shift: int = 0):
    groups = ["", "سن", "جمع", "", "", "نقاط شهري", "", "", "", "نقاط روستايي", "", "",
              "غير ساکن", "", ""]
    subs = ["", "", "مردوزن", "مرد", "زن", "مردوزن", "مرد", "", "زن", "مردوزن", "مرد", "زن",
            "مردوزن", "مرد", "زن"]
    data = ["", " تمامي سنين", 10.0, 6.0, 4.0, 7.0, 4.0, "", 3.0, 3.0, 2.0, 1.0, "", "", ""]
    if header_shift:
        groups = groups[:5] + groups[5 + header_shift:] + [""] * header_shift
    return [[""] * 15, ["", "جدول 1- جمعيت (9999:آزمون)"], [""] * 15, groups, subs, data]


def test_table1_sheet_reads_labels_not_positions():
    got = census._table1_sheet(_FakeSheet("آزمون9999", _table1_rows()), "x.zip:a.xls:s")
    assert got["county_code"] == "9999" and got["urban_female"] == 3 and got["nonresident"] == 0


def test_table1_sheet_with_moved_header_names_the_sheet():
    with pytest.raises(ValueError, match="x.zip:a.xls:s"):
        census._table1_sheet(_FakeSheet("آزمون9999", _table1_rows(header_shift=1)),
                             "x.zip:a.xls:s")


def test_wrong_table_is_reported_with_its_sheet():
    # A Table 1 sheet where Table 5 is expected: the title check catches it.
    where, sheet = next(census._sheets(RAW, census.TABLE1_ZIP))
    with pytest.raises(ValueError, match=r"jamiat00\.xls:.*'جدول 5'"):
        census._table5_sheet(sheet, where)


@pytest.mark.skipif(not (SHARED / "data/census/iran2016_county_summary.csv").exists(),
                    reason="shared data folder not available")
def test_rates_match_the_shared_summary(tables):
    summary = pd.read_csv(SHARED / "data/census/iran2016_county_summary.csv",
                          dtype={"county_code": str}).set_index("county_code")
    wide = tables.values[tables.values["level"] == "county"].pivot(
        index="entity_id", columns="indicator", values="value")
    pairs = {"census_urban_share": "urban_share_pct",
             "census_literacy_rate_15plus": "literacy_rate_15plus_pct",
             "census_tertiary_share_15plus": "higher_edu_share_15plus_pct",
             "census_participation_rate_15plus": "participation_rate_15plus_pct",
             "census_unemployment_rate": "unemployment_rate_pct"}
    for ours, theirs in pairs.items():
        diff = (wide[ours] - summary.loc[wide.index, theirs]).abs()
        assert diff.max() <= 0.0051, ours  # the shared file keeps 2 decimals


@pytest.mark.skipif(not (SHARED / "data/census/raw/iran2016unemployment.csv").exists(),
                    reason="shared data folder not available")
def test_activity_matches_jalilian_unemployment_csv(counts):
    jal = pd.read_csv(SHARED / "data/census/raw/iran2016unemployment.csv",
                      dtype={"county_code": str})
    levels = ["Elementary school", "Middle school", "High school", "College",
              "Higher education", "Other education", "Illitrate", "Unknown"]
    jal["n"] = jal[levels].sum(axis=1)
    wide = jal.pivot_table(index="county_code", columns="status", values="n", aggfunc="sum")
    ours = counts.set_index("county_code")
    assert (wide["Active"] == ours.loc[wide.index, "active"]).all()
    assert (wide["Unemployed"] == ours.loc[wide.index, "unemployed"]).all()


@pytest.mark.skipif(not (SHARED / "reference/frameworks.md").exists(),
                    reason="shared reference folder not available")
def test_crosswalk_codes_exist_in_the_framework_reference(tables):
    text = (SHARED / "reference/frameworks.md").read_text(encoding="utf-8")
    for column in ("u4ssc", "iso37120", "iso37122"):
        for codes in tables.indicators[column]:
            for code in filter(None, str(codes).split("|")):
                assert f"| {code} |" in text, (column, code)
