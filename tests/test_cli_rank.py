"""`citykit rank`: plain decision-matrix mode and dataset mode; errors exit 2 without traceback."""

import json

import pandas as pd
import pytest

from citykit.cli import main


@pytest.fixture
def matrix_csv(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("city,jobs,cost\nA,3,2\nB,5,1\nC,4,2.5\n", encoding="utf-8")
    return path


def test_matrix_mode_csv(matrix_csv, capsys):
    assert main(["rank", "--matrix", str(matrix_csv), "--directions", "max,min",
                 "--method", "wsum"]) == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(table.columns) == ["alternative", "score", "rank"]
    assert table.set_index("alternative")["rank"].to_dict() == {"B": 1, "C": 2, "A": 3}


@pytest.mark.parametrize("method", ["wsum", "geometric", "topsis", "vikor", "promethee2"])
def test_matrix_mode_json_every_method(matrix_csv, capsys, method):
    assert main(["rank", "--matrix", str(matrix_csv), "--directions", "max,min",
                 "--weights", "0.5,0.5", "--method", method, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == method and out["normalisation"]
    assert sorted(r["alternative"] for r in out["results"]) == ["A", "B", "C"]


def test_persian_digits_in_a_matrix_are_numbers(tmp_path, capsys):
    path = tmp_path / "fa.csv"
    path.write_text("شهر,الف,ب\nیک,۱۲٫۵,۳\nدو,۱۰,۴\n", encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max,min"]) == 0
    assert "یک" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--directions", "max"], "got 1 directions for 2 criteria"),
    (["--directions", "max,up"], "unknown direction ['up']"),
    (["--directions", "max,min", "--weights", "0.5,0.4"], "sum to 0.9000, not 1"),
    (["--directions", "max,min", "--weights", "0.5"], "got 1 weights for 2 criteria"),
    (["--directions", "max,min", "--normalisation", "minmaxx"], "minmaxx"),
])
def test_matrix_mode_errors_exit_2(matrix_csv, capsys, args, message):
    assert main(["rank", "--matrix", str(matrix_csv), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_non_numeric_cell_is_located(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("city,jobs\nA,3\nB,many\n", encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max"]) == 2
    assert "row 2, column 'jobs': expected a number, got 'many'" in capsys.readouterr().err


def test_dataset_mode_top_n_excludes_capital(capsys):
    assert main(["rank", "--dataset", "iran", "--framework", "iran_national",
                 "--method", "topsis", "--top", "5"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(pd.io.common.StringIO(captured.out), dtype={"city_id": str})
    assert len(table) == 5 and table["rank"].tolist() == sorted(table["rank"])
    assert "112931" not in set(table["city_id"])
    assert "topsis on vector" in captured.err


def test_dataset_mode_include_capital_json(capsys):
    assert main(["rank", "--method", "wsum", "--include-capital", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "112931" in {r["city_id"] for r in out["results"]}
    assert out["scenario"]["eligibility"] == []


def test_scenario_file(tmp_path, capsys):
    from citykit.scenario import Scenario

    path = tmp_path / "s.json"
    Scenario(method="vikor", eligibility=({"rule": "metropolis-only"},)).to_json(path)
    assert main(["rank", "--scenario", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "vikor"
    assert len(out["results"]) == 6     # metropolis-only keeps all 6, including the capital
