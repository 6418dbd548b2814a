"""City-level values: the urban-centre provenance level, candidate presets, the capital's area,
the weight resting on city-level values, and one default for the library, the CLI and the app.

Synthetic datasets come from ``tests/conftest.py`` (seeded, labelled SYNTHETIC).
"""

from __future__ import annotations

import pandas as pd
import pytest

from citykit.cli import main
from citykit.data import PROVENANCE, load_dataset
from citykit.eligibility import (
    PRESETS,
    CentreCores,
    EligibilityError,
    ExcludeCapitalArea,
    apply_rules,
    preset_of,
    preset_rules,
    rule_from_dict,
)
from citykit.matrix import CityMatrix
from citykit.scenario import Scenario


@pytest.fixture
def centred(synthetic):
    return load_dataset(synthetic(with_centres=True))


def test_urban_centre_is_a_provenance_level_between_own_and_county():
    assert PROVENANCE == ("own", "urban-centre", "proxy-county", "proxy-province")


def test_only_the_core_city_takes_its_centres_values(centred):
    values = centred.city_values(["x_centre"]).set_index("city_id")
    # S0 is the core of U1 and S2 of U2; S1 is a member of U1 and must not copy its numbers.
    assert sorted(values.index) == ["S0", "S2"]
    assert set(values["provenance"]) == {"urban-centre"}
    assert values.loc["S0", "from_entity"] == "U1" and values.loc["S2", "from_entity"] == "U2"


def test_own_value_beats_the_centre_and_county_proxies_follow(centred):
    values = centred.city_values(["x_county"]).set_index("city_id")
    assert values.loc["S1", "provenance"] == "own"
    assert values.loc["S0", "provenance"] == "proxy-county"


def test_capital_area_spares_provincial_capitals(centred):
    area = centred.capital_area()
    # S1 shares the capital's centre but is a provincial capital; S2 shares its county (C1).
    assert area.to_dict() == {"S0": False, "S1": False, "S2": True, "S3": False}
    matrix = CityMatrix.from_dataset(centred, indicators=["x_prov"])
    eligible, audit = apply_rules(matrix, [ExcludeCapitalArea()])
    assert "S2" not in eligible.values.index
    assert audit.excluded()["reason"].tolist() == ["in the capital's county or urban centre"]


def test_centre_cores_keeps_cores_and_provincial_capitals(centred):
    matrix = CityMatrix.from_dataset(centred, indicators=["x_prov"])
    eligible, audit = apply_rules(matrix, [CentreCores()])
    assert sorted(eligible.values.index) == ["S0", "S1", "S2"]
    assert audit.excluded()["reason"].tolist() == ["outside every urban centre"]
    assert matrix.candidates.loc["S0", "centre_members"] == "Synthetic city 1"


def test_centre_cores_without_centres_says_what_to_do(synthetic):
    matrix = CityMatrix.from_dataset(load_dataset(synthetic()), indicators=["x_prov"])
    with pytest.raises(EligibilityError, match="lacks .*use another candidate preset"):
        apply_rules(matrix, [CentreCores()])


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips(name):
    rules = preset_rules(name)
    assert all(rule_from_dict(r) for r in rules)
    assert preset_of(rules)[0] == name
    assert preset_of(preset_rules(name, min_population=123_456)) == (name, 123_456)


def test_preset_floor_zero_removes_the_floor_and_bad_names_are_refused():
    assert all(r["rule"] != "population-floor"
               for r in preset_rules("urban-centres", min_population=0))
    with pytest.raises(EligibilityError, match="did you mean 'urban-centres'"):
        preset_rules("urban-centre")
    with pytest.raises(EligibilityError, match="population floor must be a number >= 0"):
        preset_rules("metropolises", min_population=-1)


def test_weight_by_provenance_sums_to_one_per_candidate(centred):
    matrix = CityMatrix.from_dataset(centred, indicators=["x_prov", "x_county", "x_centre"])
    shares = matrix.weight_by_provenance(pd.Series({"x_prov": 0.2, "x_county": 0.3,
                                                    "x_centre": 0.5}))
    assert shares.sum(axis=1).round(12).eq(1).all()
    assert shares.loc["S0", "city-level"] == pytest.approx(0.5)   # its centre's value
    assert shares.loc["S1", "city-level"] == pytest.approx(0.3)   # its own county-B value
    assert shares.loc["S1", "missing"] == pytest.approx(0.5)      # a member: no centre value


def test_scenario_default_is_the_metropolises_preset():
    assert Scenario().candidate_preset == "metropolises"
    assert Scenario().missing == "median"
    # A default built twice does not share its rule dicts (nothing can mutate the default).
    assert Scenario().eligibility is not Scenario().eligibility


def test_scenario_new_writes_the_library_default(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["scenario", "new", "--out", str(out)]) == 0
    assert Scenario.from_json(out) == Scenario()
    out2 = tmp_path / "s2.json"
    assert main(["scenario", "new", "--out", str(out2), "--candidates", "urban-centres",
                 "--min-population", "250000"]) == 0
    assert preset_of(Scenario.from_json(out2).eligibility) == ("urban-centres", 250_000)


def test_cli_refuses_unknown_presets_and_bad_floors(capsys):
    with pytest.raises(SystemExit):
        main(["rank", "--candidates", "capitals"])
    assert "invalid choice: 'capitals'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["rank", "--min-population", "lots"])
    assert "expected a number of people" in capsys.readouterr().err
