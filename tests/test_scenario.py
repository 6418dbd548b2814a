"""Scenario: one value for every choice; JSON round trip; exact re-runs."""

import pytest

from citykit.scenario import Scenario, ScenarioError, run


def test_json_round_trip_and_rerun_is_exact(tmp_path):
    # drop-criteria drops the WUP criteria (only 59 % of these cities are in WUP), so the
    # framework weights left must be rescaled, explicitly
    s = Scenario(method="topsis", eligibility=({"rule": "exclude-capital"},
                                               {"rule": "population-floor", "minimum": 200000}),
                 missing=("drop-criteria", "median"), normalise_weights=True)
    path = tmp_path / "scenario.json"
    s.to_json(path)
    again = Scenario.from_json(path)
    assert again == s
    a, b = run(s), run(again)
    assert a.ranking.scores.equals(b.ranking.scores)
    assert (a.ranking.matrix.candidates["population"] >= 200000).all()
    assert "wup_population" in a.missing.dropped_criteria
    assert a.ranking.weights.sum() == pytest.approx(1)


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


@pytest.mark.parametrize(("data", "message"), [
    ({"method": 3}, r"'method' must be str, got int 3"),
    ({"normalise_weights": "yes"}, r"'normalise_weights' must be bool"),
    ({"year": "last"}, r"'year' must be a year or 'latest', got 'last'"),
    ({"eligibility": "exclude-capital"}, r"'eligibility' must be list or tuple"),
])
def test_wrong_types_are_refused(data, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict(data)


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "s.json"
    Scenario(method="vikor").to_json(path)
    Scenario(method="topsis").to_json(path)          # overwrite
    assert Scenario.from_json(path).method == "topsis"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_pinned_dataset_refuses_changed_data(tmp_path):
    import shutil

    from .conftest import IRAN

    copy = shutil.copytree(IRAN, tmp_path / "iran")
    pinned = Scenario(dataset=str(copy)).pin_dataset()
    assert run(Scenario.from_json(pinned.to_json())).ranking.scores.size > 0
    (copy / "checksums.sha256").write_text((copy / "checksums.sha256").read_text() + "\n")
    with pytest.raises(ScenarioError, match=r"has changed since the scenario was saved"):
        run(pinned)


def test_shortlist_constraints_travel_with_the_scenario():
    s = Scenario(shortlist={"k": 5, "max_per_province": 1})
    assert Scenario.from_json(s.to_json()).shortlist == {"k": 5, "max_per_province": 1}
