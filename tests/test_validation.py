"""Every validation error names the file, row or column, expected vs got, and a fix."""

import warnings

import geopandas as gpd
import pandas as pd
import pytest

from citykit.data import load_dataset, validate_dataset
from citykit.exceptions import CityKitWarning, DatasetNotFoundError, DataValidationError


def _edit(folder, table, change):
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)
    return folder


def _load(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)  # no checksum file in these tests
        return load_dataset(folder)


def test_synthetic_dataset_is_valid(synthetic):
    problems, notes = validate_dataset(synthetic())
    assert problems == []
    assert notes == ["no checksums.sha256: integrity cannot be checked"]


def test_missing_required_column(synthetic):
    folder = _edit(synthetic(), "cities", lambda f: f.pop("city_id"))
    with pytest.raises(DataValidationError,
                       match=r"cities\.csv: missing required column 'city_id'; found columns"):
        _load(folder)


def test_missing_table(synthetic):
    folder = synthetic()
    (folder / "sources.csv").unlink()
    with pytest.raises(DataValidationError, match=r"missing table 'sources': expected one of "
                                                  r"\['sources\.csv', 'sources\.xlsx'\]"):
        _load(folder)


def test_unknown_indicator_code_with_closest_match(synthetic):
    def change(f):
        f.loc[0, "indicator"] = "x_provv"
    folder = _edit(synthetic(), "values", change)
    with pytest.raises(DataValidationError,
                       match=r"values\.csv, column 'indicator': unknown indicator \['x_provv'\] "
                             r"\(rows 1\).*Closest known: 'x_prov'"):
        _load(folder)


def test_duplicate_entities(synthetic):
    def change(f):
        f.loc[1, "city_id"] = "S0"
    folder = _edit(synthetic(), "cities", change)
    with pytest.raises(DataValidationError,
                       match=r"cities\.csv, column 'city_id': duplicate city_id \['S0'\] in rows 1, 2"):
        _load(folder)


def test_non_numeric_value(synthetic):
    def change(f):
        f.loc[2, "value"] = "n/a"
    folder = _edit(synthetic(), "values", change)
    with pytest.raises(DataValidationError,
                       match=r"values\.csv, row 3, column 'value': expected a number, got 'n/a'"):
        _load(folder)


def test_persian_digits_are_numbers_not_errors(synthetic):
    def change(f):
        f.loc[0, "value"] = "۱۲٫۵"
    ds = _load(_edit(synthetic(), "values", change))
    assert ds.values.loc[0, "value"] == 12.5


def test_unknown_direction_word(synthetic):
    def change(f):
        f.loc[0, "direction"] = "maximise"
    folder = _edit(synthetic(), "indicators", change)
    with pytest.raises(DataValidationError,
                       match=r"indicators\.csv, column 'direction': unknown direction "
                             r"\['maximise'\] in rows 1; expected one of \['max', 'min'\]"):
        _load(folder)


def test_unknown_level_and_flag(synthetic):
    def change(f):
        f.loc[0, "level"] = "district"
        f.loc[1, "flag"] = "guess"
    folder = _edit(synthetic(), "values", change)
    with pytest.raises(DataValidationError, match=r"unknown level \['district'\]") as info:
        _load(folder)
    assert any("unknown flag ['guess']" in str(p) for p in info.value.problems)


def test_unknown_entity_reference(synthetic):
    def change(f):
        f.loc[0, "province_code"] = "P9"
    folder = _edit(synthetic(), "cities", change)
    with pytest.raises(DataValidationError,
                       match=r"cities\.csv, column 'province_code': unknown province_code \['P9'\]"):
        _load(folder)


def test_source_without_licence(synthetic):
    def change(f):
        f.loc[0, "licence"] = ""
    folder = _edit(synthetic(), "sources", change)
    with pytest.raises(DataValidationError, match=r"sources \['synthetic'\] have no licence"):
        _load(folder)


def test_duplicate_value_rows(synthetic):
    folder = _edit(synthetic(), "values",
                   lambda f: f.loc.__setitem__(len(f), f.loc[0].tolist()))
    with pytest.raises(DataValidationError, match=r"2 rows repeat the same entity_id, level, "
                                                  r"indicator and year \(rows 1, 6\)"):
        _load(folder)


def test_invalid_geometry(synthetic):
    from shapely import wkt

    folder = synthetic()
    gdf = gpd.read_file(folder / "provinces.geojson")
    gdf.loc[0, "geometry"] = wkt.loads("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")  # a bow-tie
    gdf.to_file(folder / "provinces.geojson", driver="GeoJSON")
    with pytest.raises(DataValidationError,
                       match=r"provinces\.geojson, column 'geometry': invalid geometry in rows "
                             r"\[1\]: \['Self-intersection"):
        _load(folder)


def test_other_crs_is_reprojected_with_a_warning(synthetic):
    folder = synthetic()
    gdf = gpd.read_file(folder / "provinces.geojson").to_crs("EPSG:3857")
    (folder / "provinces.geojson").unlink()
    gdf.to_file(folder / "provinces.gpkg", driver="GPKG")
    with pytest.warns(CityKitWarning, match=r"provinces\.gpkg is in EPSG:3857, not EPSG:4326; "
                                            r"reprojected"):
        ds = load_dataset(folder, verify=False)
    assert ds.provinces.crs.to_epsg() == 4326
    assert ds.provinces.total_bounds == pytest.approx([0, 0, 2, 1], abs=1e-6)


def test_every_problem_is_listed_not_only_the_first(synthetic):
    def change(f):
        f.loc[0, "value"] = "x"
        f.loc[1, "indicator"] = "nope"
        f.loc[2, "source"] = "nowhere"
    problems, _ = validate_dataset(_edit(synthetic(), "values", change))
    text = "\n".join(map(str, problems))
    assert "got 'x'" in text and "['nope']" in text and "['nowhere']" in text


def test_unknown_dataset_name():
    with pytest.raises(DatasetNotFoundError, match=r"No dataset 'atlantis': not a bundled "
                                                   r"dataset \(\['iran'\]\)"):
        load_dataset("atlantis")


def test_single_table_file_is_checked_alone(synthetic):
    folder = synthetic()
    problems, _ = validate_dataset(folder / "values.csv")
    assert problems == []
    _edit(folder, "values", lambda f: f.loc.__setitem__((0, "year"), "2016.5"))
    problems, _ = validate_dataset(folder / "values.csv")
    assert [str(p) for p in problems] == [
        "values.csv, column 'year': year is not a whole number in rows 1. "
        "Fix: write the reference year, e.g. 2016."]
