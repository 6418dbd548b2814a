"""The "Data & provenance" page's library layer: coverage grid, gaps, integrity and uploads.

Real data: the bundled Iran dataset (through the app's default scenario). Synthetic data: the
seeded, labelled datasets of ``tests/conftest.py``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from citykit.data import load_dataset, save_dataset
from citykit.exceptions import CityKitError, DataValidationError, FrameworkError, Problem
from citykit.frameworks import coverage, frameworks_root
from citykit.integrity import read_manifest
from citykit.scenario import Scenario, dataset_fingerprint, run
from citykit.text import to_persian_digits
from citykit.ui import data as view
from citykit.ui import session
from citykit.ui.urlstate import decode_scenario, encode_scenario

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(scope="module")
def result():
    """The app's default scenario on the Iran data (the 8 metropolises other than the capital,
    national framework, median imputation)."""
    return run(Scenario())


@pytest.fixture(scope="module")
def iran_files(tmp_path_factory) -> dict[str, bytes]:
    """Three provinces of the Iran dataset, as the files a user would upload (no manifest)."""
    folder = save_dataset(load_dataset("iran"), tmp_path_factory.mktemp("up") / "three",
                          provinces=["IR-07", "IR-10", "IR-21"], checksums=False)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _best_from_matrix(provenance: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Independent count: the best provenance of each leaf, straight from the CityMatrix."""
    order = {"own": 0, "urban-centre": 1, "proxy-county": 2, "proxy-province": 3, "missing": 5}
    codes = provenance.apply(lambda col: col.map(order))
    best = codes.T.groupby(criteria["component"]).min()
    inverse = {v: k for k, v in order.items()}
    return best.apply(lambda row: row.map(inverse))


# --------------------------------------------------------------------------- coverage

def test_grid_counts_match_the_matrix_provenance_and_coverage(result):
    order, ranks = view.candidate_order(result.dataset, result)
    grid = view.coverage_grid(result.dataset, result.framework, order,
                              provenance=result.ranking.matrix.provenance)
    assert list(grid.flags.columns) == order and len(order) == len(result.ranking.scores) == 8
    assert list(grid.flags.index) == [leaf.code for leaf in result.framework.leaves]
    expected = _best_from_matrix(result.matrix.provenance.loc[order], result.matrix.criteria)
    counts = grid.counts()
    for flag in ("own", "urban-centre", "proxy-county", "proxy-province"):
        independent = (expected == flag).sum(axis=1)
        assert counts.loc[independent.index, flag].tolist() == independent.tolist()
        assert counts[flag].sum() == (expected == flag).to_numpy().sum() > 0, flag
    # ... and with the library's own coverage report, leaf by leaf (including unscored leaves).
    cov = coverage(result.framework, result.dataset, candidates=order).leaves.set_index("code")
    assert counts["own"].tolist() == cov.loc[counts.index, "cities_own"].tolist()
    assert counts["urban-centre"].tolist() == cov.loc[counts.index, "cities_centre"].tolist()
    assert counts["proxy-county"].tolist() == cov.loc[counts.index, "cities_county_proxy"].tolist()
    # The default policy (median) fills what the data lacks: those cells show as imputed.
    assert (counts["missing"] + counts["imputed"]).tolist() == \
        cov.loc[counts.index, "cities_missing"].tolist()
    # Only Karaj (no urban centre of its own) is imputed: the components of its imputed criteria.
    ranked = result.ranking.matrix
    filled = ranked.provenance.astype(str).apply(lambda col: col.str.startswith("imputed"))
    assert set(filled.index[filled.any(axis=1)]) == {"128747"}
    imputed_components = set(ranked.criteria.loc[filled.loc["128747"], "component"])
    assert set(grid.flags.index[grid.flags["128747"] == "imputed"]) == imputed_components
    assert counts["imputed"].sum() == len(imputed_components) > 0
    assert (grid.flags.drop(columns="128747") != "imputed").all().all()
    shares = view.coverage_shares(grid)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["missing"] == pytest.approx(9 / 38)  # 9 of 38 leaves have no data


def test_candidates_are_ordered_by_rank_with_ties_by_name(result):
    order, ranks = view.candidate_order(result.dataset, result)
    assert ranks.loc[order].is_monotonic_increasing
    assert ranks.loc[order[0]] == 1
    everyone, none = view.candidate_order(result.dataset)
    assert none is None and len(everyone) == len(result.dataset.cities)
    population = pd.to_numeric(result.dataset.cities.loc[everyone, "population"])
    assert population.dropna().is_monotonic_decreasing


def test_imputed_cells_are_shown_as_imputed(synthetic):
    folder = synthetic(seed=3, n_cities=6)
    values = pd.read_csv(folder / "values.csv", dtype=str)
    # County C2 loses its value, so the P2 cities without an own value have none.
    values = values[~((values["entity_id"] == "C2") & (values["indicator"] == "x_county"))]
    values.to_csv(folder / "values.csv", index=False)
    ds = load_dataset(folder, verify=False)
    s = Scenario(dataset=str(folder), framework=None, weights="equal", eligibility=(),
                 missing="median")
    res = run(s, dataset=ds)
    order, ranks = view.candidate_order(ds, res)
    grid = view.coverage_grid(ds, None, order, provenance=res.ranking.matrix.provenance)
    assert grid.flags.loc["x_county", "S3"] == "imputed"   # P2, no own value: imputed
    assert grid.flags.loc["x_county", "S1"] == "own"       # S1 has its own value
    assert grid.flags.loc["x_county", "S2"] == "proxy-county"
    assert grid.flags.loc["x_prov"].eq("proxy-province").all()
    before = view.coverage_grid(ds, None, order)            # without the ranked matrix
    assert before.flags.loc["x_county", "S3"] == "missing"
    gaps = view.data_gaps(ds, None, order)
    assert gaps.iloc[0].tolist() == ["indicator missing for some candidates", "x_county",
                                     "Synthetic B", "", 2, "33%",
                                     "values missing for these candidates"]


def test_heatmap_has_one_colour_per_flag_and_persian_labels(result):
    order, ranks = view.candidate_order(result.dataset, result)
    grid = view.coverage_grid(result.dataset, result.framework, order[:5])
    fig = view.coverage_figure(grid, view.city_names(result.dataset, "fa"), ranks=ranks,
                               total=len(order), lang="fa")
    heat = fig.data[0]
    assert heat.type == "heatmap" and (heat.zmin, heat.zmax) == (-0.5, 5.5)
    assert list(heat.colorbar.ticktext) == [view.tr(f"data_flag_{f}", "fa") for f in view.FLAGS]
    colours = {c for _, c in heat.colorscale}
    assert colours == set(view.FLAG_COLOURS.values())
    codes = pd.DataFrame(heat.z, index=grid.flags.index, columns=grid.flags.columns)
    assert (codes == 5).equals(grid.flags == "missing")
    assert (codes == 1).equals(grid.flags == "urban-centre") and (codes == 1).any().any()
    assert fig.layout.xaxis.ticktext[0] == "۱. " + result.dataset.cities.loc[order[0], "name_fa"]
    assert PERSIAN_DIGITS & set(fig.layout.title.text)
    assert "Vazirmatn" in fig.layout.font.family
    assert "رتبهٔ ۱)" in heat.text[0][0]
    english = view.coverage_figure(grid, view.city_names(result.dataset, "en"), ranks=ranks)
    assert english.layout.xaxis.ticktext[0].startswith("1. ")
    assert list(english.data[0].colorbar.ticktext)[-1] == "missing"


def test_gaps_are_the_components_marked_missing(result):
    order, _ = view.candidate_order(result.dataset, result)
    gaps = view.data_gaps(result.dataset, result.framework, order)
    marked = [leaf.code for leaf in result.framework.leaves if leaf.data == "missing"]
    components = gaps[gaps["Gap"] == "component without data"]
    assert components["Code"].tolist() == marked and len(marked) == 9
    assert gaps["Code"].tolist()[:len(marked)] == marked  # components first
    assert (components["Candidates without a value"] == len(order)).all()
    assert set(components["Why"]) == {"marked 'data: missing' in the framework"}
    # The indicators only Karaj lacks (no urban centre of its own): one candidate each, and
    # exactly the criteria the median policy imputed for it.
    partial = gaps[gaps["Gap"] == "indicator missing for some candidates"]
    assert len(partial) + len(components) == len(gaps)
    provenance = result.ranking.matrix.provenance.astype(str)
    imputed = set(provenance.columns[provenance.loc["128747"].str.startswith("imputed")])
    assert set(partial["Code"]) == imputed and len(imputed) == 11
    assert (partial["Candidates without a value"] == 1).all()
    assert set(partial["Why"]) == {"values missing for these candidates"}
    persian = view.data_gaps(result.dataset, result.framework, order, lang="fa")
    assert persian.iloc[0, 4] == to_persian_digits(len(order))


def test_gaps_of_another_year_list_whole_indicators_and_empty_components(result):
    order, _ = view.candidate_order(result.dataset, result)
    gaps = view.data_gaps(result.dataset, result.framework, order, year=2016).set_index("Code")
    # labour_participation keeps its census value of 2016; its Atlas indicator has none then.
    row = gaps.loc["atlas_participation_rate_women_15plus"]
    assert row["Gap"] == "indicator missing for some candidates"
    assert row["Candidates without a value"] == len(order) and row["Group"] == \
        "Labour-force participation"
    assert "labour_participation" not in gaps.index
    assert "census_participation_rate_15plus" not in gaps.index
    # water_network's only indicator has no 2016 value: the whole component has no data.
    assert gaps.loc["water_network", "Why"] == "the dataset has no value for it"
    assert "atlas_water_network_coverage_urban" not in gaps.index   # listed once, as component


# --------------------------------------------------------------------------- integrity

def test_integrity_lists_the_manifest_and_the_fingerprint(iran):
    status = view.integrity_status(iran)
    assert status == {"verified": True, "has_manifest": True,
                      "fingerprint": dataset_fingerprint("iran")}
    table = view.integrity_table(iran)
    manifest = read_manifest(iran.path)
    assert dict(zip(table["File"], table["SHA-256"], strict=True)) == manifest
    assert table["Size (bytes)"].gt(0).all()
    assert PERSIAN_DIGITS & set(view.integrity_table(iran, "fa").iloc[0, 2])


# --------------------------------------------------------------------------- uploads

def test_a_valid_upload_is_stored_by_content_and_validates(iran_files, tmp_path):
    files = [("../../" + name.upper() if name == "cities.csv" else name, data)
             for name, data in iran_files.items()]
    source, _ = view.accept_dataset_upload(files, root=tmp_path)
    assert source.parent == tmp_path and source.name.startswith("dataset-")
    assert sorted(p.name for p in source.iterdir()) == sorted(iran_files)
    ds = load_dataset(source, verify=False)
    assert ds.summary()["provinces"] == 3 and not ds.verified
    assert view.integrity_status(ds) == {"verified": False, "has_manifest": False,
                                         "fingerprint": None}
    assert view.integrity_table(ds).empty
    again, _ = view.accept_dataset_upload(files, root=tmp_path)
    assert again == source                                     # same bytes, same folder
    changed = [(n, d + b"\n") if n == "sources.csv" else (n, d) for n, d in files]
    assert view.store_upload(changed, root=tmp_path) != source


def test_an_upload_with_its_manifest_is_verified(tmp_path):
    folder = save_dataset(load_dataset("iran"), tmp_path / "sealed", provinces=["IR-21"])
    files = [(p.name, p.read_bytes()) for p in folder.iterdir()]
    source, _ = view.accept_dataset_upload(files, root=tmp_path / "up")
    assert view.integrity_status(load_dataset(source))["verified"]
    tampered = [(n, d.replace(b"Yazd", b"Yezd", 1) if n == "cities.csv" else d)
                for n, d in files]
    with pytest.raises(DataValidationError, match=r"cities.csv: file was modified"):
        view.accept_dataset_upload(tampered, root=tmp_path / "up")


def test_a_workbook_upload_is_a_dataset_on_its_own(synthetic, tmp_path):
    book = synthetic(fmt="xlsx")
    source, _ = view.accept_dataset_upload([("My data.XLSX", book.read_bytes())], root=tmp_path)
    assert source.name == "My_data.xlsx" and source.is_file()
    assert load_dataset(source, verify=False).summary()["cities"] == 4


def test_a_csv_missing_a_required_column_is_refused_with_its_problem(iran_files, tmp_path):
    files = dict(iran_files)
    files["cities.csv"] = files["cities.csv"].replace(b"city_id", b"town_id", 1)
    with pytest.raises(DataValidationError, match=r"cities.csv: missing required column "
                                                  r"'city_id'") as caught:
        view.accept_dataset_upload(list(files.items()), root=tmp_path)
    assert not any(tmp_path.iterdir())                      # the rejected upload is removed
    table = view.problems_frame(caught.value)
    assert list(table.columns) == ["File", "Line", "Row", "Column", "Problem", "How to fix"]
    assert table.loc[0, "File"] == "cities.csv"
    assert "datasets/README.md" in table.loc[0, "How to fix"]


def test_bad_values_are_located_by_row_and_column(iran_files, tmp_path):
    files = dict(iran_files)
    lines = files["values.csv"].decode().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("value")] = "abc"
    lines[3] = ",".join(cells)
    files["values.csv"] = ("\n".join(lines) + "\n").encode()
    with pytest.raises(DataValidationError, match=r"values.csv, row 3, column 'value'") as caught:
        view.accept_dataset_upload(list(files.items()), root=tmp_path)
    table = view.problems_frame(caught.value, "fa")
    assert table.iloc[0, 2] == "۳" and table.iloc[0, 3] == "value"


@pytest.mark.parametrize(("files", "message"), [
    ({"values.txt": b"x"}, r"values.txt: files of type '.txt' are not accepted; expected .csv"),
    ({"layer.json": b"{}"}, r"only the manifest may be JSON"),
    ({"my_values.csv": b"x"}, r"'my_values.csv' is not a table of the dataset format"),
    ({"values.csv": b"x", "values.xlsx": b"y"}, r"table 'values' is given twice"),
    ({"book.xlsx": b"x", "cities.csv": b"y"}, r"must be uploaded on its own"),
    ({"...": b"x"}, r"the file name '...' has no usable letters or digits"),
    ({}, r"No files chosen"),
])
def test_bad_file_names_and_types_are_refused_before_anything_is_written(files, message,
                                                                         tmp_path):
    with pytest.raises(view.UploadError, match=message):
        view.store_upload(list(files.items()), root=tmp_path)
    assert not any(tmp_path.iterdir())


def test_size_limits_per_file_and_in_all(tmp_path):
    with pytest.raises(view.UploadError, match=r"values.csv: the file is 200 bytes; at most 100 "
                                               r"bytes are accepted per file"):
        view.store_upload([("values.csv", b"x" * 200)], root=tmp_path, max_file_bytes=100)
    with pytest.raises(view.UploadError, match=r"the files add up to 180 bytes; at most 150 "
                                               r"bytes are accepted in all"):
        view.store_upload([("values.csv", b"x" * 90), ("cities.csv", b"y" * 90)],
                          root=tmp_path, max_file_bytes=100, max_total_bytes=150)
    with pytest.raises(view.UploadError, match=r"a dataset upload holds at most 12 files"):
        view.store_upload([(f"f{i}.csv", b"x") for i in range(13)], root=tmp_path)
    with pytest.raises(view.UploadError, match=r"۲۰۰ بایت"):
        view.store_upload([("values.csv", b"x" * 200)], root=tmp_path, max_file_bytes=100,
                          lang="fa")
    assert not any(tmp_path.iterdir())


def test_unreadable_files_become_problems_not_tracebacks(iran_files, tmp_path):
    with pytest.raises(DataValidationError, match=r"book.xlsx: cannot be read"):
        view.accept_dataset_upload([("book.xlsx", b"not a workbook")], root=tmp_path)
    files = dict(iran_files, **{"sources.csv": "é".encode("latin-1")})
    with pytest.raises(DataValidationError, match=r"sources.csv, line 1: is not UTF-8 text: byte 0xE9"):
        view.accept_dataset_upload(list(files.items()), root=tmp_path)
    with pytest.raises(DataValidationError, match=r"upload: missing table 'provinces'"):
        view.accept_dataset_upload([("values.csv", iran_files["values.csv"])], root=tmp_path)


@pytest.mark.parametrize(("name", "clean"), [
    ("../../etc/Cities.CSV", "cities.csv"), ("C:\\data\\VALUES.xlsx", "values.xlsx"),
    ("Dataset.JSON", "dataset.json"), ("شهرها data.csv", "شهرها_data.csv"), ("a b/../c d.gpkg", "c_d.gpkg"),
    ("x" * 300 + ".csv", "x" * 96 + ".csv"), ("", ""),
])
def test_file_names_are_sanitised(name, clean):
    assert view.sanitise_name(name) == clean


def test_framework_uploads(iran, tmp_path):
    text = (frameworks_root() / "iran_national.yaml").read_bytes()
    path, fw = view.accept_framework_upload("My framework.yaml", text, dataset=iran,
                                            root=tmp_path)
    assert fw.id == "iran_national" and path.name == "My_framework.yaml"
    bad = text.replace(b"census_literacy_rate_15plus", b"census_literacy_rat")
    with pytest.raises(FrameworkError, match=r"unknown indicator code 'census_literacy_rat'") \
            as caught:
        view.accept_framework_upload("fw.yaml", bad, dataset=iran, root=tmp_path)
    table = view.problems_frame(caught.value)
    assert table.loc[0, "Line"].isdigit() and table.loc[0, "File"] == "fw.yaml"
    # issue 14, item 10: the rejected file is not kept (only the accepted one's folder is)
    assert [p.name for p in tmp_path.iterdir()] == [path.parent.name]
    assert [p.name for p in path.parent.iterdir()] == ["My_framework.yaml"]
    with pytest.raises(view.UploadError, match=r"a framework is a YAML file .*got '.txt'"):
        view.accept_framework_upload("fw.txt", text, dataset=iran, root=tmp_path / "no")
    with pytest.raises(view.UploadError, match=r"not UTF-8 text"):
        view.accept_framework_upload("fw.yaml", b"\xff\xfe", root=tmp_path)
    with pytest.raises(view.UploadError, match=r"at most 10 bytes"):
        view.accept_framework_upload("fw.yaml", text, root=tmp_path, max_bytes=10)
    assert not (tmp_path / "no").exists()


def test_problems_frame_accepts_plain_errors_and_lists():
    assert view.problems_frame(ValueError("boom")).loc[0, "Problem"] == "boom"
    table = view.problems_frame([Problem("a.yaml", "bad", line=12)], "fa")
    assert table.iloc[0, :3].tolist() == ["a.yaml", "۱۲", ""]
    assert json.dumps(table.to_dict())  # plain strings, ready for st.dataframe


def test_uploads_go_to_a_private_folder_in_the_data_folder(monkeypatch, tmp_path):
    """Issue 14, item 7: not the shared temp folder, but ``$CITYKIT_DATA/uploads``, mode 0700."""
    monkeypatch.setenv("CITYKIT_DATA", str(tmp_path / "data"))
    root = view.upload_root()
    assert root == (tmp_path / "data" / "uploads").resolve()
    assert root.stat().st_mode & 0o777 == 0o700
    folder = view.store_upload([("values.csv", b"a,b\n1,2\n")])
    assert folder.parent == root


def test_a_symlinked_or_shared_upload_folder_is_refused(monkeypatch, tmp_path):
    """Issue 14, item 7: another local user's link to / no longer widens what links may load."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("CITYKIT_DATA", str(data))
    (data / "uploads").symlink_to("/")
    with pytest.raises(CityKitError, match=r"uploads' is a symbolic link; expected a real folder"):
        view.upload_root()
    with pytest.raises(CityKitError, match="symbolic link"):
        view.store_upload([("values.csv", b"a,b\n1,2\n")])
    # a link whose dataset path goes through the planted link is refused, not loaded
    token = encode_scenario(Scenario(dataset=str(data / "uploads" / "etc")), base=Scenario())
    with pytest.raises(CityKitError, match="symbolic link"):
        decode_scenario(token, base=Scenario(), workspace=session.uploads_root())
    (data / "uploads").unlink()
    (data / "uploads").mkdir(mode=0o755)
    (data / "uploads").chmod(0o755)
    with pytest.raises(CityKitError, match=r"mode 0o755\); expected 0o700. Fix: run chmod 700"):
        view.upload_root()
    (data / "uploads").chmod(0o700)
    assert view.upload_root() == (data / "uploads").resolve()


