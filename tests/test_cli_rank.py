"""`citykit rank`: plain decision-matrix mode and dataset mode; errors exit 2 without traceback."""

import io
import json
import re

import pandas as pd
import pytest

from citykit.cli import main
from citykit.scenario import Scenario, run

#: The metropolises of the bundled Iran register (cities.is_metropolis): Tehran, Mashhad,
#: Isfahan, Shiraz, Tabriz, Karaj, Qom, Ahvaz, Kermanshah.
METROPOLISES = {"112931", "124665", "418863", "115019", "113646", "128747", "119208",
                "144448", "128226"}
TEHRAN = "112931"


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
    ids = {r["city_id"] for r in out["results"]}
    # the default candidates (metropolises) with only the capital rule dropped: the 9
    # metropolises, Tehran (112931) included
    assert "112931" in ids and len(ids) == 9
    assert out["scenario"]["eligibility"] == [{"rule": "exclude-capital-area"},
                                              {"rule": "metropolis-only"}]


def test_scenario_file(tmp_path, capsys):
    from citykit.scenario import Scenario

    path = tmp_path / "s.json"
    Scenario(method="vikor", eligibility=({"rule": "metropolis-only"},)).to_json(path)
    assert main(["rank", "--scenario", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "vikor"
    # metropolis-only keeps all 9 metropolises of the register, including the capital
    assert {r["city_id"] for r in out["results"]} == METROPOLISES


# --------------------------------------------------------------------------- candidate presets

def _rank_csv(capsys, *flags: str) -> tuple[pd.DataFrame, str]:
    assert main(["rank", "--dataset", "iran", *flags]) == 0
    captured = capsys.readouterr()
    return pd.read_csv(pd.io.common.StringIO(captured.out), dtype={"city_id": str}), \
        captured.err


def test_default_rank_is_the_default_scenario_without_capital_area_or_doubles(iran, capsys):
    table, err = _rank_csv(capsys)
    default = run(Scenario())
    expected = default.ranking
    assert sorted(table["city_id"]) == sorted(expected.scores.index)
    assert table.set_index("city_id")["rank"].to_dict() == expected.ranks.to_dict()
    # the 8 metropolises other than the capital
    assert set(table["city_id"]) == METROPOLISES - {TEHRAN}
    cities = iran.cities.loc[table["city_id"]]
    area = iran.capital_area()
    assert not area[table["city_id"]].any() and TEHRAN not in set(table["city_id"])
    # Tehran's urban centre holds one candidate only: Karaj, the capital of Alborz (a city in
    # its own right, which capital_area() does not count as a suburb)
    in_centre = cities["urban_centre_id"].eq(iran.cities.at[TEHRAN, "urban_centre_id"])
    assert cities.index[in_centre].tolist() == ["128747"]
    assert cities.loc[in_centre, "is_provincial_capital"].astype(bool).all()
    assert not cities["county_code"].eq(iran.cities.at[TEHRAN, "county_code"]).any()
    # no place twice
    assert table["city_id"].is_unique
    assert not cities.duplicated(["name_en", "province_code"]).any()
    assert not cities.duplicated(["name_fa", "province_code"]).any()
    # no exact tie among the best 10
    top = table[table["rank"] <= 10]
    assert top["score"].is_unique and top["rank"].is_unique
    assert "candidates: metropolises (414 cities -> 8)" in err
    share = 100 * default.weight_by_provenance()["city-level"].mean()
    assert f"; {share:.0f} % of the ranking weight on city-level values" in err


def test_urban_centres_with_a_population_floor(iran, capsys):
    table, err = _rank_csv(capsys, "--candidates", "urban-centres", "--min-population",
                           "300000")
    cities = iran.cities.loc[table["city_id"]]
    assert len(table) == 29 and table["city_id"].is_unique
    assert (cities["population"] >= 300_000).all()
    core = cities["centre_role"].eq("core") | cities["is_provincial_capital"].astype(bool)
    assert core.all()
    assert TEHRAN not in set(table["city_id"]) and not iran.capital_area()[cities.index].any()
    assert "candidates: urban-centres (414 cities -> 29)" in err
    # the floor bites: the preset's own floor (100,000) admits more
    wider, _ = _rank_csv(capsys, "--candidates", "urban-centres")
    assert len(wider) > len(table) and set(table["city_id"]) < set(wider["city_id"])
    assert (iran.cities.loc[wider["city_id"], "population"] < 300_000).any()


def test_provincial_capitals_are_30_without_tehran(iran, capsys):
    table, err = _rank_csv(capsys, "--candidates", "provincial-capitals")
    capitals = iran.cities.index[iran.cities["is_provincial_capital"].astype(bool)]
    assert len(capitals) == 31
    assert len(table) == 30 and set(table["city_id"]) == set(capitals) - {TEHRAN}
    assert iran.cities.loc[table["city_id"], "province_code"].is_unique   # one per province
    assert "candidates: provincial-capitals (414 cities -> 30)" in err


def test_frameworks_prints_the_city_level_weight_share(capsys):
    assert main(["frameworks", "--dataset", "iran"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"ranking weight on city-level values in the default scenario "
                      r"\(metropolises candidates: (\d+), framework iran_national\): "
                      r"([\d.]+) % on average", out)
    assert found, out
    assert int(found[1]) == 8
    assert 40 <= float(found[2]) <= 100


# --- issue 14, item 10: the CLI's own CSV and --matrix reading ------------------------------

def test_csv_output_escapes_formula_prefixes(tmp_path, capsys):
    """Names that a spreadsheet would run as formulas are quoted in the CLI's CSV, as in the
    dossier (SYNTHETIC alternatives)."""
    path = tmp_path / "m.csv"
    path.write_text('city,a,b\n"=HYPERLINK(""http://x"")",1,2\n@SUM(1+1),2,1\n-2+3,3,3\n',
                    encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max,max"]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert sorted(rows["alternative"]) == ["'-2+3", "'=HYPERLINK(\"http://x\")", "'@SUM(1+1)"]


def test_matrix_with_duplicate_columns_is_refused(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("city,a,a\nX,1,2\nY,2,1\n", encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max,max"]) == 2
    assert "duplicate column names 'a' (columns [2, 3])" in capsys.readouterr().err


def test_matrix_whose_first_column_is_called_name(tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_text("name,a,b\nX,1,2\nY,2,1\n", encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max,min"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert out["alternative"].tolist() == ["Y", "X"]   # Y is better on both criteria
    assert set(out.columns) == {"alternative", "score", "rank"}


# --------------------------------------------------------------------------- for people (issue 15)

def test_top_n_prints_n_rows_and_says_who_shares_the_nth_rank(tmp_path, capsys):
    """Issue 15, item 7: --top N is N rows; ties at the cut are counted, not silently shown."""
    path = tmp_path / "tied.csv"  # synthetic: B, C and D tie for rank 2
    path.write_text("city,jobs\nA,9\nB,5\nC,5\nD,5\nE,1\n", encoding="utf-8")
    assert main(["rank", "--matrix", str(path), "--directions", "max", "--top", "2"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(pd.io.common.StringIO(captured.out))
    assert table["alternative"].tolist() == ["A", "B"] and table["rank"].tolist() == [1, 2]
    assert "2 more share rank 2 with the last row shown; --top 4 shows them" in captured.err
    with pytest.raises(SystemExit) as refused:
        main(["rank", "--matrix", str(path), "--directions", "max", "--top", "0"])
    assert refused.value.code == 2
    assert "expected a whole number of rows >= 1, got '0'" in capsys.readouterr().err


def test_terminal_table_is_aligned_rounded_and_summarised(capsys):
    """Issue 15, item 7: --format table (the default at a terminal) is for people: rounded
    numbers, aligned columns, names, a one-line summary; CSV keeps full precision."""
    assert main(["rank", "--format", "table"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].strip() == "Ranking"
    header = next(line for line in lines if "Rank" in line and "City" in line)
    assert header.index("Rank") < header.index("City") < header.index("Score")
    ahvaz = next(line for line in lines if "Ahvaz" in line)
    assert re.search(r"\b0\.578\b", ahvaz) and "Khuzestan" in ahvaz and "0.5782329" not in out
    assert "eligible candidates shown" in out
    assert main(["rank", "--format", "csv"]) == 0
    assert "0.578232931621354" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["robustness"], ["shortlist", "-k", "3"]])
def test_robustness_and_shortlist_tables_for_people(capsys, command):
    assert main([*command, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "Ahvaz" in out and "100 %" in out and "," not in out.splitlines()[2]
