"""The command line: datasets, validate (exit codes, no tracebacks), templates, checksums."""

import zipfile

import openpyxl
import pandas as pd
import pytest

from citykit.cli import main
from citykit.templates import WORKBOOK_NAME
from citykit.validation import REQUIRED_COLUMNS, TABLE_COLUMNS


def test_datasets_lists_iran_with_counts(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("iran"))
    fields = row.split()
    assert fields[1:4] == ["31", "429", "414"]      # provinces, counties, the city register
    assert int(fields[4]) >= 30 and fields[-1] == "verified"


def test_validate_valid_dataset_exits_0(capsys):
    assert main(["validate", "iran"]) == 0
    assert capsys.readouterr().out.strip().endswith("iran: valid")


def test_validate_invalid_dataset_exits_2_and_lists_problems(synthetic, capsys):
    folder = synthetic()
    values = pd.read_csv(folder / "values.csv", dtype=str)
    values.loc[0, "value"] = "lots"
    values.loc[1, "indicator"] = "missing_code"
    values.to_csv(folder / "values.csv", index=False)
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "2 problems" in out
    assert "expected a number, got 'lots'" in out
    assert "unknown indicator ['missing_code']" in out
    assert "Traceback" not in out


def test_validate_unreadable_file_is_a_message_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "values.xlsx"
    bad.write_bytes(b"this is not a workbook")
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"{bad}: invalid: values.xlsx: cannot be read as an XLSX workbook")
    assert "Traceback" not in out


def test_validate_missing_path_exits_2(capsys):
    assert main(["validate", "/nonexistent/data"]) == 2
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("/nonexistent/data: invalid: No dataset '/nonexistent/data'")


def test_templates_have_every_column(tmp_path, capsys):
    assert main(["templates", str(tmp_path)]) == 0
    for table, columns in TABLE_COLUMNS.items():
        assert list(pd.read_csv(tmp_path / f"{table}.csv").columns) == list(columns)
        sheet = pd.read_excel(tmp_path / "dataset_template.xlsx", sheet_name=table)
        assert list(sheet.columns) == list(columns)


def test_shipped_templates_are_current(tmp_path):
    from .conftest import ROOT

    main(["templates", str(tmp_path)])
    shipped = ROOT / "datasets" / "templates"
    assert sorted(p.name for p in shipped.iterdir()) == \
        sorted([*(f"{table}.csv" for table in TABLE_COLUMNS), WORKBOOK_NAME])
    for table in TABLE_COLUMNS:
        assert (shipped / f"{table}.csv").read_text() == (tmp_path / f"{table}.csv").read_text()
    # the workbook is reproducible (no time stamps): the shipped one holds the same members,
    # byte for byte once unzipped (compressed bytes may differ between zlib builds)
    assert _unzipped(shipped / WORKBOOK_NAME) == _unzipped(tmp_path / WORKBOOK_NAME)


def _unzipped(path):
    with zipfile.ZipFile(path) as book:
        return [(i.filename, i.date_time, book.read(i)) for i in book.infolist()]


def test_templates_workbook_is_byte_reproducible(tmp_path):
    import time

    main(["templates", str(tmp_path / "a")])
    time.sleep(1.1)                                   # the stamps have one-second resolution
    main(["templates", str(tmp_path / "b")])
    first = (tmp_path / "a" / WORKBOOK_NAME).read_bytes()
    assert first == (tmp_path / "b" / WORKBOOK_NAME).read_bytes()
    book = openpyxl.load_workbook(tmp_path / "a" / WORKBOOK_NAME)
    assert book.sheetnames == list(TABLE_COLUMNS)
    bold = {c.value for c in book["urban_centres"][1] if c.font.b}
    assert bold == set(REQUIRED_COLUMNS["urban_centres"]) == {"centre_id", "name_en"}


def test_checksums_then_validate(synthetic, capsys):
    folder = synthetic()
    assert main(["checksums", str(folder)]) == 0
    assert main(["validate", str(folder)]) == 0
    (folder / "cities.csv").write_text((folder / "cities.csv").read_text() + "\n")
    assert main(["validate", str(folder)]) == 2
    assert "cities.csv: file was modified" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("citykit ")


def test_internal_errors_exit_1_without_traceback(monkeypatch, capsys):
    import citykit.cli as cli

    def broken(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli, "_cmd_datasets", broken)
    assert cli.main(["datasets"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("internal error (ZeroDivisionError): boom") and "Traceback" not in err


def test_shortlist_uses_the_scenarios_constraints(tmp_path, capsys):
    import json

    from citykit.scenario import Scenario

    path = tmp_path / "s.json"
    Scenario(shortlist={"k": 3, "max_per_province": 1}).to_json(path)
    assert main(["shortlist", "--scenario", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["pilots"]) == 3
    assert len({p["province_code"] for p in out["pilots"]}) == 3
    assert out["scenario"]["shortlist"]["max_per_province"] == 1
