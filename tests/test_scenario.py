"""Scenario: one value for every choice; JSON round trip; exact re-runs."""

import pytest

from citykit.scenario import Scenario, ScenarioError, run


def test_json_round_trip_and_rerun_is_exact(tmp_path):
    s = Scenario(method="topsis", eligibility=({"rule": "exclude-capital"},
                                               {"rule": "population-floor", "minimum": 200000}),
                 missing=("drop-criteria", "median"))
    path = tmp_path / "scenario.json"
    s.to_json(path)
    again = Scenario.from_json(path)
    assert again == s
    a, b = run(s), run(again)
    assert a.ranking.scores.equals(b.ranking.scores)
    assert (a.ranking.matrix.candidates["population"] >= 200000).all()


def test_default_scenario_excludes_the_capital_and_audits_it():
    result = run(Scenario())
    assert "112931" not in result.ranking.scores.index
    assert "Tehran (national capital)" in str(result.audit)
    assert result.ranking.method == "wsum" and result.ranking.normalisation == "minmax"


@pytest.mark.parametrize(("data", "message"), [
    ({"method": "topsis", "methd": "x"}, r"unknown scenario keys \['methd'\]"),
    ({"schema": "other/9"}, r"unknown scenario schema 'other/9'"),
])
def test_bad_scenarios(data, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict(data)


def test_invalid_json():
    with pytest.raises(ScenarioError, match=r"scenario is not valid JSON"):
        Scenario.from_json("{not json")


def test_scenario_without_framework_uses_indicators():
    s = Scenario(framework=None, indicators=("census_unemployment_rate", "gdl_shdi"),
                 weights="equal")
    r = run(s).ranking
    assert list(r.weights.index) == ["census_unemployment_rate", "gdl_shdi"]
