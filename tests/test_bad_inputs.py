"""The corpus of bad inputs in tests/data/bad/ (SYNTHETIC; written by tests/data/make_bad_corpus.py).

One test per corpus entry, parametrised by the folder listing: every bad entry raises a typed
CityKitError whose message says what and where; every good entry loads, with exactly the
documented warning where it is a repair. Then: the committed corpus equals a fresh generation,
``citykit validate`` exits 2 with a one-line reason for each bad entry and 0 for each good one,
and the limits that are not in the corpus (a 50 MB GeoJSON, a YAML tag that would run code, an
XML bomb behind the pre-scan, scenario paths) hold.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import re
import shutil
import sys
import time
import warnings
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest

import citykit.data
from citykit.cli import main
from citykit.data import MAX_FILE_BYTES, DataValidationError, load_dataset, validate_dataset
from citykit.exceptions import CityKitWarning, FrameworkError
from citykit.frameworks import load_framework, read_framework_file
from citykit.scenario import Scenario, ScenarioError, check_scenario_targets

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "bad"
GOOD = CORPUS / "good"


@functools.cache
def _generator():
    """tests/data/make_bad_corpus.py, imported as a module (tests/data is not a package)."""
    spec = importlib.util.spec_from_file_location("make_bad_corpus",
                                                  HERE / "data" / "make_bad_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("README.md", "good"))


BAD_ENTRIES, GOOD_ENTRIES = _entries(CORPUS), _entries(GOOD)

# Every bad entry: the typed error and a pattern of what its message must say.
BAD = {
    "csv_utf16_without_bom": (DataValidationError,
                              r"cities\.csv: contains NUL bytes: it looks like UTF-16 saved "
                              r"without a byte-order mark.*iconv -f UTF-16LE"),
    "csv_windows1256_encoding": (DataValidationError,
                                 r"cities\.csv, line 2: is not UTF-8 text: byte 0x[0-9A-F]{2} on "
                                 r"line 2 .*Windows-1256.*Fix: re-save it as UTF-8"),
    "number_decimal_comma_1.234,5": (DataValidationError,
                                     r"values\.csv, row 3, column 'value': expected a number, "
                                     r"got '1\.234,5' \(.*decimal-comma notation"),
    "number_inf": (DataValidationError, r"values\.csv, column 'value': infinite values in rows 5"),
    "number_huge": (DataValidationError,
                    r"values\.csv, row 6, column 'value': numbers too large .*got 1e\+300"),
    "number_mixed_types_in_column": (DataValidationError,
                                     r"column 'value': expected a number, got 'high', 'n/a' in "
                                     r"rows 5, 6"),
    "number_negative_rate": (DataValidationError,
                             r"values\.csv, row 3, column 'value': negative values for a rate .*"
                             r"'per 10,000 people'\): expected >= 0, got -4\.5"),
    "number_percentage_over_100": (DataValidationError,
                                   r"values\.csv, row 1, column 'value': percentages over 100 for "
                                   r"a share .*'% of households'\): expected 0-100, got 142"),
    "table_empty_file": (DataValidationError, r"values\.csv: is empty \(0 bytes\)"),
    "table_header_only": (DataValidationError,
                          r"values\.csv: has a header \(8 columns\) but no data rows"),
    "table_duplicate_columns": (DataValidationError,
                                r"cities\.csv, row 0: duplicate column names 'population' "
                                r"\(columns \[8, 14\]\)"),
    "table_duplicate_entities": (DataValidationError,
                                 r"cities\.csv, column 'city_id': duplicate city_id \['S1'\] in "
                                 r"rows 2, 3"),
    "table_semicolon_delimiter": (DataValidationError,
                                  r"values\.csv, row 0: separates columns with semicolons.*"
                                  r"expected commas"),
    "table_ragged_row": (DataValidationError,
                         r"values\.csv, line 4: is not a well-formed CSV table.*Expected 8 "
                         r"fields in line 4, saw 10"),
    "table_missing_required_column": (DataValidationError,
                                      r"indicators\.csv: missing required column 'direction'"),
    "xlsx_table_file_with_several_sheets": (DataValidationError,
                                            r"values\.xlsx: has 2 sheets \['2016', '2020'\] and "
                                            r"none is named 'values'"),
    "xlsx_merged_header_cells.xlsx": (DataValidationError,
                                      r"\[cities\], row 0: merged cells B1:C1 in the header row"),
    "xlsx_formula_cells.xlsx": (DataValidationError,
                                r"\[values\], row 2, column 'value': 1 cell holds a formula, e\.g\."
                                r" E3 \(=E2\*2\); citykit reads stored values only"),
    "xlsx_xml_bomb_billion_laughs.xlsx": (DataValidationError,
                                          r"part 'xl/worksheets/sheet3\.xml' declares a DTD or XML "
                                          r"entities.*billion laughs.*refused unread"),
    "xlsx_sparse_a1_and_xfd1048576.xlsx": (DataValidationError,
                                           r"\[values\]: the sheet 'values' has an area of "
                                           r"1,048,576 rows × 16,384 columns = 17,179,869,184 "
                                           r"cells \(A1:XFD1048576\), over the limit of "
                                           r"1,000,000 cells per sheet; refused before reading"),
    "xlsx_not_a_workbook.xlsx": (DataValidationError,
                                 r"cannot be read as an XLSX workbook: it is not a zip archive"),
    "xlsx_unreadable_wkt_geometry.xlsx": (DataValidationError,
                                          r"\[provinces\], column 'geometry': geometry is not "
                                          r"readable WKT in rows \[1\], e\.g\. 'POLYGON \(\(0 0, "
                                          r"1 0'"),
    "geojson_self_intersecting_polygon": (DataValidationError,
                                          r"provinces\.geojson, column 'geometry': invalid "
                                          r"geometry in rows \[1\]: \['Self-intersection"),
    "geojson_invalid_polygon_unclosed_ring": (DataValidationError,
                                              r"provinces\.geojson: cannot be read as GeoJSON: "
                                              r".*closed"),
    "geojson_empty_polygon": (DataValidationError,
                              r"provinces\.geojson, column 'geometry': 1 province without a "
                              r"polygon \(null or empty geometry\) in rows \[2\]"),
    "geojson_null_geometry": (DataValidationError,
                              r"1 province without a polygon \(null or empty geometry\) in rows "
                              r"\[1\]"),
    "geojson_wrong_crs_projected_coordinates": (DataValidationError,
                                                r"coordinates outside the WGS 84 range \(x 0 to "
                                                r"222639.*looks projected"),
    "geojson_truncated": (DataValidationError, r"provinces\.geojson: cannot be read as GeoJSON"),
    "framework_cycle.yaml": (FrameworkError, r"line 13: cycle in parents: A -> A\.1 -> A"),
    "framework_unknown_parent_code.yaml": (FrameworkError,
                                           r"component 'B\.1': unknown parent 'BB'; closest: "
                                           r"\['B'\]"),
    "framework_unknown_indicator_code.yaml": (FrameworkError,
                                              r"unknown indicator code "
                                              r"'census_literacy_rate_15plux'.*closest known: "
                                              r"\['census_literacy_rate_15plus'"),
    "framework_duplicate_code.yaml": (FrameworkError, r"duplicate code 'A\.1'"),
    "framework_weights_do_not_sum_to_1.yaml": (FrameworkError,
                                               r"weights of top-level components sum to 1\.2000, "
                                               r"not 1"),
    "framework_python_object_tag.yaml": (FrameworkError,
                                         r"line 6: YAML tag '!!python/object/apply:os\.system' is "
                                         r"not allowed.*never run"),
    "framework_billion_laughs_aliases.yaml": (FrameworkError,
                                              r"line 1: YAML anchors and aliases are not allowed "
                                              r"\(found &lol0\)"),
    "framework_not_yaml.yaml": (FrameworkError, r"line 28: not valid YAML"),
    "framework_top_level_list.yaml": (FrameworkError,
                                      r"expected a mapping of keys at the top level, got list"),
    "scenario_unknown_key.json": (ScenarioError,
                                  r"unknown scenario keys \['wieghts'\].*'wieghts' -> 'weights'"),
    "scenario_wrong_types.json": (ScenarioError,
                                  r"'year' must be int or str, got bool True; 'normalise_weights' "
                                  r"must be bool, got str 'yes'; 'candidates' must be"),
    "scenario_dataset_path_escapes_workspace.json": (ScenarioError,
                                                     r"'dataset' path '(\.\./)+etc' resolves to "
                                                     r"'/etc', outside the workspace"),
    "scenario_framework_absolute_path_outside.json": (ScenarioError,
                                                      r"'framework' path '/etc/passwd' resolves "
                                                      r"to '/etc/passwd', outside the workspace"),
    "scenario_unknown_dataset.json": (ScenarioError,
                                      r"'dataset' 'synthetic_atlantis' is neither a bundled "
                                      r"dataset"),
    "scenario_not_an_object.json": (ScenarioError,
                                    r"a scenario must be a JSON object of settings, got list"),
    "scenario_not_json.json": (ScenarioError, r"scenario is not valid JSON: Expecting property "
                                              r"name.*line 7"),
    "scenario_deeply_nested.json": (ScenarioError, r"nested too deeply"),
}


def _load(path: Path, workspace: Path):
    """Load a corpus entry with the library call a user's code would make."""
    if path.suffix in (".yaml", ".yml"):
        return load_framework(path)
    if path.suffix == ".json":
        scenario = Scenario.from_json(path, workspace=workspace)
        for problem in check_scenario_targets(scenario):
            raise ScenarioError(problem)
        return scenario
    return load_dataset(path, verify=False)


def test_every_corpus_entry_has_an_expectation():
    assert BAD_ENTRIES == sorted(BAD)
    assert GOOD_ENTRIES == sorted(GOOD_CHECKS)


@pytest.mark.parametrize("name", BAD_ENTRIES)
def test_bad_input_is_a_typed_error(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    error, pattern = BAD[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        with pytest.raises(error, match=pattern) as info:
            _load(CORPUS / name, tmp_path)
    text = str(info.value)
    assert "Fix:" in text, text  # every error says how to fix it
    assert "Traceback" not in text


# ---- good entries: each loads; a repair warns exactly what it changed


def _base():
    return _generator().base_tables()


def _check_base_csv(ds, messages):
    assert messages == []
    assert ds.summary() == {"provinces": 2, "counties": 2, "cities": 4, "indicators": 3,
                            "values": 8, "sources": 1, "urban_centres": 0}  # optional, absent
    assert ds.urban_centres is None


def _check_same_as_base(ds, messages):
    assert messages == []
    names = [row[2] for row in _base()["cities"][1:]]
    assert ds.cities["name_fa"].tolist() == names


def _check_digits(ds, messages):
    assert messages == []
    assert ds.values["value"].iloc[0] == 42.5 and ds.values["value"].iloc[2] == 12.25
    assert ds.cities["population"].iloc[:2].tolist() == [1234567.0, 869370.0]


def _check_comma_thousands(ds, messages):
    assert messages == []
    assert ds.cities["population"].iloc[0] == 1234567.0
    assert ds.values["value"].iloc[2] == 1234.5


def _check_arabic_letters(ds, messages):
    assert len(messages) == 1
    assert re.search(r"cities\.csv, column 'name_fa': normalised 1 name \(row 1\), e\.g\. "
                     r"'كرمانشاهي آزمايشي' -> 'کرمانشاهی آزمایشی'", messages[0])
    assert ds.cities.loc["S0", "name_fa"] == "کرمانشاهی آزمایشی"


def _check_spaces(ds, messages):
    assert len(messages) == 2
    assert "column 'name_fa': normalised 1 name (row 2)" in messages[0]
    assert "column 'name_en': normalised 1 name (row 3), e.g. 'Synthetic   city  2 ' -> " \
           "'Synthetic city 2': extra spaces removed" in messages[1]
    assert ds.cities.loc["S1", "name_fa"] == "شهر آزمایشی دو"
    assert ds.cities.loc["S2", "name_en"] == "Synthetic city 2"


def _check_two_cities(ds, messages):
    assert len(messages) == 1
    assert re.search(r"1 name that matches 2 cities once spelling variants are folded: "
                     r".*\(S0 in P1, S2 in P1\)\. Select these cities by city_id", messages[0])
    assert len(ds.cities) == 4  # both kept


def _check_reprojected(ds, messages):
    assert messages == ["provinces.geojson is in EPSG:3857, not EPSG:4326; reprojected to "
                        "EPSG:4326."]
    np.testing.assert_allclose(ds.provinces.total_bounds, [0, 0, 2, 1], atol=1e-4)


def _check_extra_sheet(ds, messages):
    assert messages == ["workbook_extra_sheet_warned.xlsx: sheets ['notes'] are not dataset "
                        "tables and were ignored (tables: ['provinces', 'counties', 'cities', "
                        "'values', 'indicators', 'sources', 'urban_centres'])."]
    assert len(ds.cities) == 4


def _check_header_spaces(ds, messages):
    assert messages == ["values.csv: removed spaces around column names [' value ']."]
    assert "value" in ds.values.columns and len(ds.values) == 8


def _check_framework(fw, messages):
    assert messages == [] and [c.code for c in fw.leaves] == ["A.1", "B.1"]


def _check_scenario(scenario, messages):
    assert messages == [] and scenario.method == "topsis"


GOOD_CHECKS = {
    "dataset_csv": _check_base_csv,
    "dataset.xlsx": _check_same_as_base,
    "csv_utf8_with_bom": _check_same_as_base,
    "csv_utf16_with_bom": _check_same_as_base,
    "numbers_persian_and_arabic_indic_digits": _check_digits,
    "numbers_comma_thousands_point_decimal": _check_comma_thousands,
    "names_arabic_yeh_kaf_warned": _check_arabic_letters,
    "names_zwnj_and_extra_spaces_warned": _check_spaces,
    "names_match_two_cities_warned": _check_two_cities,
    "geojson_declared_epsg3857_reprojected_warned": _check_reprojected,
    "workbook_extra_sheet_warned.xlsx": _check_extra_sheet,
    "csv_header_spaces_warned": _check_header_spaces,
    "framework.yaml": _check_framework,
    "scenario.json": _check_scenario,
}


@pytest.mark.parametrize("name", GOOD_ENTRIES)
def test_good_input_loads_with_only_documented_warnings(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = GOOD / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = _load(path, tmp_path)
    messages = [str(w.message) for w in caught if issubclass(w.category, CityKitWarning)]
    if path.suffix not in (".yaml", ".json"):
        problems, notes = validate_dataset(path)  # validate adds the name lint
        assert problems == []
        lint = [n for n in notes if "matches" in n]
        messages += lint
    GOOD_CHECKS[name](loaded, messages)


# ---- the corpus is generated, reproducibly


def test_committed_corpus_equals_a_fresh_generation(tmp_path):
    fresh = tmp_path / "bad"
    _generator().generate(fresh)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    committed, regenerated = tree(CORPUS), tree(fresh)
    assert sorted(committed) == sorted(regenerated)
    differ = [name for name in committed if committed[name] != regenerated[name]]
    assert differ == [], f"rerun `python tests/data/make_bad_corpus.py`; stale: {differ}"


def test_generator_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="was not written by this script"):
        _generator().generate(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


# ---- citykit validate over the whole corpus


def _validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["validate", str(path)])
    return code, out.getvalue(), err.getvalue()


def test_validate_cli_exits_2_with_a_one_line_reason_for_each_bad_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the workspace of the scenario cases; nothing may be written
    for name in BAD_ENTRIES:
        path = CORPUS / name
        code, out, err = _validate(path)
        first = out.splitlines()[0]
        assert code == 2, (name, out, err)
        assert first.startswith(f"{path}: invalid: "), (name, first)
        assert len(first) < 400 and "Traceback" not in out + err
        reason = first.split(": invalid: ", 1)[1]
        # the one-line reason is the start of the first problem the library reports
        error, pattern = BAD[name]
        assert re.search(pattern, reason) or re.search(pattern, out), (name, first)
    assert list(tmp_path.iterdir()) == []  # in particular, the YAML tag never ran


def test_validate_cli_exits_0_for_each_good_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in GOOD_ENTRIES:
        code, out, err = _validate(GOOD / name)
        assert code == 0, (name, out, err)
        assert out.splitlines()[-1] == f"{GOOD / name}: valid" and err == ""


# ---- limits that are not in the corpus


def test_50_mb_geojson_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """A SYNTHETIC 50 MB provinces.geojson (seeded random points) is over MAX_FILE_BYTES."""
    folder = tmp_path / "big"
    shutil.copytree(GOOD / "dataset_csv", folder)
    rng = np.random.default_rng(50)
    head = '{"type": "FeatureCollection", "name": "SYNTHETIC 50 MB", "features": [\n'
    feature = ('{"type": "Feature", "properties": {"synthetic": %d}, "geometry": '
               '{"type": "Point", "coordinates": [%.9f, %.9f]}},\n')
    with open(folder / "provinces.geojson", "w", encoding="utf-8") as handle:
        handle.write(head)
        written, i = len(head), 0
        while written <= MAX_FILE_BYTES:
            xy = rng.uniform(0, 2, size=(20_000, 2))
            block = "".join(feature % (i + k, x, y) for k, (x, y) in enumerate(xy))
            handle.write(block)
            written, i = written + len(block.encode()), i + len(xy)
        handle.write('{"type": "Feature", "properties": {}, "geometry": null}]}\n')
    size = (folder / "provinces.geojson").stat().st_size
    assert size > MAX_FILE_BYTES >= 50 * 1024 * 1024 - 1
    monkeypatch.setattr("geopandas.read_file", lambda *a, **k: pytest.fail("file was read"))
    pattern = (rf"provinces\.geojson: file is too large: {size} bytes \(5\d\.\d MB\), the "
               rf"limit is {MAX_FILE_BYTES} bytes \(52\.4 MB\)\. Fix: split the data")
    with pytest.raises(DataValidationError, match=pattern):
        load_dataset(folder, verify=False)
    code, out, _ = _validate(folder)
    assert code == 2 and re.search(pattern, out.splitlines()[0])


def test_size_limit_covers_frameworks_scenarios_and_workbooks(tmp_path, monkeypatch):
    monkeypatch.setattr(citykit.data, "MAX_FILE_BYTES", 100)
    with pytest.raises(FrameworkError, match=r"framework\.yaml: file is too large: \d+ bytes"):
        load_framework(GOOD / "framework.yaml")
    with pytest.raises(ScenarioError, match=r"scenario\.json: file is too large: \d+ bytes"):
        Scenario.from_json(GOOD / "scenario.json")
    with pytest.raises(DataValidationError, match=r"dataset\.xlsx: file is too large"):
        load_dataset(GOOD / "dataset.xlsx")


def test_zip_bomb_limit_on_unzipped_size(monkeypatch):
    monkeypatch.setattr(citykit.data, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(DataValidationError,
                       match=r"dataset\.xlsx: unzips to \d+ bytes, over the limit of 1000 \(a "
                             r"possible zip bomb\); refused"):
        load_dataset(GOOD / "dataset.xlsx")


def test_xml_bomb_is_refused_by_defusedxml_even_without_the_prescan(monkeypatch):
    """openpyxl uses defusedxml (a runtime requirement) when it is installed: entity
    declarations are refused at parse time, quickly, even if the pre-scan missed them."""
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(citykit.data, "_XML_BOMB", re.compile(rb"(?!)"))  # pre-scan off
    start = time.perf_counter()
    with pytest.raises(DataValidationError,
                       match=r"cannot be read as an XLSX workbook .*cause: EntitiesForbidden"):
        load_dataset(CORPUS / "xlsx_xml_bomb_billion_laughs.xlsx")
    assert time.perf_counter() - start < 10


def test_yaml_tag_that_would_run_a_command_is_never_run(tmp_path, monkeypatch):
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    monkeypatch.chdir(tmp_path)
    marker = _generator().YAML_TAG_MARKER
    assert marker in (CORPUS / "framework_python_object_tag.yaml").read_text()
    with pytest.raises(FrameworkError, match=r"is not allowed"):
        load_framework(CORPUS / "framework_python_object_tag.yaml")
    assert calls == [] and not (tmp_path / marker).exists()


def test_scenario_paths_inside_the_workspace_are_allowed_and_links_out_are_not(tmp_path):
    (tmp_path / "data").mkdir()
    inside = Scenario.from_json(json.dumps({"dataset": "data", "framework": "iran_national"}),
                                workspace=tmp_path)
    assert inside.dataset == "data"
    (tmp_path / "link").symlink_to("/etc")
    with pytest.raises(ScenarioError, match=r"'dataset' path 'link' resolves to '/etc', outside"):
        Scenario.from_json(json.dumps({"dataset": "link"}), workspace=tmp_path)
    with pytest.raises(ScenarioError, match=r"'dataset' path 'data/\.\./\.\.' resolves to"):
        Scenario.from_json(json.dumps({"dataset": "data/../.."}), workspace=tmp_path)
    # without a workspace (library use on trusted input) paths are not restricted
    assert Scenario.from_json(json.dumps({"dataset": "/etc"})).dataset == "/etc"


def test_bare_percentages_over_100_are_noted_by_validate_not_refused(tmp_path):
    """A bare '%' may exceed 100 (gross enrolment ratios); `% of ...` may not (see corpus)."""
    gen = _generator()
    tables = gen.base_tables()
    tables["indicators"][1][3] = "%"           # x_share: '% of households' -> '%'
    tables["values"][1][4] = "123.4"
    gen._write_folder(tmp_path / "ratio", tables)
    problems, notes = validate_dataset(tmp_path / "ratio")
    assert problems == []
    assert "values.csv: 1 values over 100 for indicators in '%' ['x_share'] (rows 1); fine " \
           "for ratios such as gross enrolment" in notes[-1]
    assert load_dataset(tmp_path / "ratio", verify=False).values["value"].max() == 123.4


def test_validate_dispatches_dataset_json_to_the_dataset_check(capsys):
    assert main(["validate", str(GOOD / "dataset_csv" / "dataset.json")]) == 2
    first = capsys.readouterr().out.splitlines()[0]
    assert "dataset.json: invalid: " in first and "is not a dataset" in first


# ---- resource limits on untrusted reads (issue 14, items 1 and 7): SYNTHETIC hostile files,
# each written into tmp_path by the test. Each refusal is fast: before the old code's loops.


def _sparse_workbook(path: Path, far: str) -> Path:
    """A values table of two stored cells, at A1 and at `far` (its area is what matters)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "values"
    book.active["A1"], book.active[far] = "entity_id", "far"
    book.save(path)
    return path


def _stored_cells_workbook(path: Path, cells: int) -> Path:
    """An XLSX whose one sheet stores `cells` cells (10 per row), written without openpyxl."""

    _sparse_workbook(path, "B1")
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    row = b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>"
    parts["xl/worksheets/sheet1.xml"] = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + row * (cells // 10) + b"</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _laughs_framework(path: Path) -> Path:
    gen = _generator()
    path.write_text(gen.YAML_LAUGHS + gen._framework({"level: indicator\n": "level: *lol9\n"}),
                    encoding="utf-8")
    return path


def _recursive_view_gpkg(path: Path, *, name: str | None = None) -> Path:
    """A GeoPackage with a provinces table and a `values` layer that is an endless SQL view."""
    import sqlite3

    import geopandas as gpd
    from shapely.geometry import box

    gpd.GeoDataFrame({"province_code": ["P1"], "name_en": ["Synthetic"], "name_fa": ["آزمایشی"]},
                     geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(
        path, layer="provinces", driver="GPKG")
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE VIEW "values" AS
              WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
              SELECT x AS entity_id, 'city' AS level, 'i' AS indicator, 2020 AS year,
                     x AS value, 's' AS source, 'official' AS flag FROM r;
            INSERT INTO gpkg_contents (table_name, data_type, identifier)
              VALUES ('values', 'attributes', 'values');""")
    db.close()
    if name is not None:
        path = path.rename(path.with_name(name))
    return path


def _timed(call, *args, **kwargs) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    try:
        call(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the caller checks the type
        return time.perf_counter() - start, err
    return time.perf_counter() - start, None


def test_sparse_xlsx_with_cells_at_a1_and_xfd1048576_is_refused_at_once(tmp_path):
    """Finding 1b: a 1.6 KB workbook (A1 and XFD1048576) reached MemoryError after 79 s."""
    path = _sparse_workbook(tmp_path / "values.xlsx", "XFD1048576")
    assert path.stat().st_size < 10_000
    pattern = (r"values\.xlsx(\[values\])?: the sheet 'values' has an area of 1,048,576 rows × 16,384 columns"
               r" = 17,179,869,184 cells \(A1:XFD1048576\), over the limit of 1,000,000 cells "
               r"per sheet; refused before reading it\. Fix: delete stray cells")
    for call in (load_dataset, validate_dataset):  # one table file, and as a dataset
        seconds, err = _timed(call, path)
        if err is None:
            err = DataValidationError(call(path)[0])
        assert isinstance(err, DataValidationError) and re.search(pattern, str(err)), err
        assert seconds < 5, seconds


def test_a_10_million_cell_sheet_area_is_refused(tmp_path):
    """Finding 1b: a 10-million-cell sheet took 48 s and 2.5 GB."""
    path = _sparse_workbook(tmp_path / "values.xlsx", "J1000000")  # 10 columns × 1,000,000 rows
    seconds, err = _timed(load_dataset, path)
    assert isinstance(err, DataValidationError) and seconds < 5, (seconds, err)
    assert "an area of 1,000,000 rows × 10 columns = 10,000,000 cells (A1:J1000000)" in str(err)
    assert citykit.data.MAX_SHEET_CELLS == 1_000_000


def test_stored_cells_over_the_cap_are_refused_before_openpyxl_parses(tmp_path, monkeypatch):
    """Cells are counted in the sheet's XML: openpyxl never builds a million cell objects."""
    import openpyxl

    path = _stored_cells_workbook(tmp_path / "values.xlsx", citykit.data.MAX_SHEET_CELLS + 10)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    seconds, err = _timed(load_dataset, path)
    assert isinstance(err, DataValidationError) and seconds < 5, (seconds, err)
    assert "part 'xl/worksheets/sheet1.xml' has more than 1,000,000 stored cells, over the " \
           "limit of 1,000,000 cells per sheet" in str(err)


def test_billion_laughs_yaml_is_refused_fast_with_a_short_message(tmp_path):
    """Finding 1c: nested aliases grew an 'unknown level' message to 312 MB (3.8 GB RSS)."""
    path = _laughs_framework(tmp_path / "laughs.yaml")
    seconds, err = _timed(load_framework, path)
    assert isinstance(err, FrameworkError) and seconds < 5, (seconds, err)
    assert len(str(err)) < 1000
    assert "laughs.yaml, line 1: YAML anchors and aliases are not allowed (found &lol0)" \
        in str(err)


def test_values_quoted_from_a_framework_file_are_cut_short(tmp_path):
    """Without aliases too: a 100,000-character level is quoted in at most 200 characters."""
    text = _generator()._framework({"level: indicator\n": f"level: {'x' * 100_000}\n"})
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"unknown level 'x{100,}…; expected one of "
                                             r"\['dimension', 'indicator'\]") as info:
        load_framework(tmp_path / "long.yaml")
    assert len(str(info.value)) < 1000


def test_geopackage_whose_layer_is_a_recursive_view_is_refused_fast(tmp_path):
    """Finding 1a: a GPKG whose `values` layer is an endless SQL view pinned a core."""
    path = _recursive_view_gpkg(tmp_path / "endless.gpkg")
    for call in (load_dataset, validate_dataset):
        seconds, err = _timed(call, path)
        if err is None:
            err = DataValidationError(call(path)[0])
        assert isinstance(err, DataValidationError) and seconds < 5, (seconds, err)
        assert re.search(r"endless\.gpkg: holds SQL views \['values'\]: a view is a query run "
                         r"whenever it is read .*refused the file before reading it", str(err))


def test_an_sqlite_file_named_geojson_and_a_generated_column_are_refused(tmp_path):
    """GDAL picks a driver by content: a GeoPackage renamed provinces.geojson is refused too,
    and so is a table with a generated column (an expression computed as rows are read)."""
    import sqlite3

    folder = tmp_path / "ds"
    shutil.copytree(GOOD / "dataset_csv", folder)
    (folder / "provinces.geojson").unlink()
    _recursive_view_gpkg(tmp_path / "p.gpkg").rename(folder / "provinces.geojson")
    with pytest.raises(DataValidationError, match=r"provinces\.geojson: is an SQLite database"):
        load_dataset(folder, verify=False)
    path = tmp_path / "generated.gpkg"
    _recursive_view_gpkg(path)
    with sqlite3.connect(path) as db:
        db.executescript('DROP VIEW "values"; DELETE FROM gpkg_contents WHERE table_name = '
                         "'values'; CREATE TABLE t (a TEXT, b TEXT AS (upper(a)));")
    db.close()
    with pytest.raises(DataValidationError, match=r"table 't' has generated columns \['b'\]"):
        load_dataset(path)


def test_check_file_size_refuses_dev_zero_and_fifos_without_reading(tmp_path):
    """Finding 7b: check_file_size trusted the reported size; /dev/zero gave MemoryError."""
    import os

    from citykit.data import check_file_size

    seconds, err = _timed(check_file_size, "/dev/zero")
    assert isinstance(err, DataValidationError) and seconds < 1, (seconds, err)
    assert "zero: is a character device, not a regular file" in str(err)
    os.mkfifo(tmp_path / "values.csv")  # opening it for reading would block
    with pytest.raises(DataValidationError, match=r"values\.csv: is a named pipe \(FIFO\)"):
        check_file_size(tmp_path / "values.csv")
    with pytest.raises(DataValidationError, match=r"is a folder, not a regular file"):
        check_file_size(tmp_path)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_check_file_size_counts_bytes_rather_than_trusting_stat():
    """/proc files report a size of 0 and hold more: at most limit + 1 bytes are read."""
    from citykit.data import check_file_size, read_limited

    assert Path("/proc/self/status").stat().st_size == 0
    with pytest.raises(DataValidationError, match=r"status: file is too large: more than 100 "
                                                  r"bytes \(its reported size was smaller\)"):
        check_file_size("/proc/self/status", limit=100)
    assert read_limited("/proc/self/status").startswith(b"Name:")


def test_dev_zero_behind_a_table_or_framework_name_is_refused(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(GOOD / "dataset_csv", folder)
    (folder / "values.csv").unlink()
    (folder / "values.csv").symlink_to("/dev/zero")
    with pytest.raises(DataValidationError, match=r"values\.csv: is a character device"):
        load_dataset(folder, verify=False)
    (tmp_path / "framework.yaml").symlink_to("/dev/zero")
    with pytest.raises(FrameworkError, match=r"framework\.yaml: is a character device"):
        read_framework_file(tmp_path / "framework.yaml")


HOSTILE = {
    "sparse.xlsx": lambda tmp: _sparse_workbook(tmp / "sparse.xlsx", "XFD1048576"),
    "area_10m.xlsx": lambda tmp: _sparse_workbook(tmp / "area_10m.xlsx", "J1000000"),
    "stored_cells.xlsx": lambda tmp: _stored_cells_workbook(tmp / "stored_cells.xlsx",
                                                            citykit.data.MAX_SHEET_CELLS + 10),
    "laughs.yaml": lambda tmp: _laughs_framework(tmp / "laughs.yaml"),
    "endless.gpkg": lambda tmp: _recursive_view_gpkg(tmp / "endless.gpkg"),
    "values.csv -> /dev/zero": lambda tmp: (tmp / "values.csv").symlink_to("/dev/zero")
    or tmp / "values.csv",
    "framework.yaml -> /dev/zero": lambda tmp: (tmp / "framework.yaml").symlink_to("/dev/zero")
    or tmp / "framework.yaml",
    "/dev/zero": lambda tmp: Path("/dev/zero"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_validate_cli_refuses_each_hostile_file_within_20_s(name, tmp_path, monkeypatch):
    path = HOSTILE[name](tmp_path)
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    code, out, err = _validate(path)
    seconds = time.perf_counter() - start
    assert code == 2 and seconds < 20, (name, code, seconds, out, err)
    first = out.splitlines()[0]
    assert first.startswith(f"{path}: invalid: ") and len(out) < 5000, out
    assert "Traceback" not in out + err
