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


# --------------------------------------------------------------------------- bounds (issue 14)

@pytest.mark.parametrize(("data", "message"), [
    # item 3: a 127-character link with draws: 40000000 cost 278 CPU-seconds
    ({"robustness": {"draws": 40_000_000}},
     r"'robustness.draws' must be a whole number from 1 to 100,000; got 40,000,000"),
    ({"robustness": {"draws": 0}}, r"'robustness.draws' .* from 1 to 100,000; got 0"),
    ({"robustness": {"draws": 2.5}}, r"'robustness.draws' must be a whole number"),
    # item 3: a chunk size that ended in a NumPy MemoryError ("196 TiB")
    ({"robustness": {"chunk_size": 10**12}},
     r"'robustness.chunk_size' must be a whole number from 1 to 10,000; got 1,000,000,000,000"),
    ({"robustness": {"top_k": 0}}, r"'robustness.top_k' .* from 1 to 10,000; got 0"),
    ({"robustness": {"seed": -1}}, r"'robustness.seed' must be None or a whole number from 0"),
    ({"robustness": {"seed": 2**64}}, r"'robustness.seed' .* to 9,007,199,254,740,991"),
    ({"robustness": {"concentration": 0}}, r"'robustness.concentration' must be a number above 0"),
    ({"robustness": {"concentration": float("nan")}}, r"'robustness.concentration' .* got nan"),
    ({"robustness": {"draws": 10, "concentraton": 5}},
     r"unknown robustness settings \['concentraton'\].*did you mean 'concentration'"),
    ({"year": 1e6}, r"'year' must be int or str"),
    ({"year": 30000}, r"'year' must be 'latest' or a year from 1900 to 2100; got 30,000"),
    ({"candidates": ["x"] * 10_001}, r"'candidates' must hold a number of ids from 0 to 10,000; got 10,001"),
    ({"indicators": ["x"] * 1_001}, r"'indicators' must hold .* to 1,000; got 1,001"),
    ({"eligibility": [{"rule": "exclude-capital"}] * 51}, r"'eligibility' must hold a number of rules from 0 to 50; got 51"),
    ({"missing": ["median"] * 51}, r"'missing' must hold a number of steps from 1 to 50; got 51"),
    ({"missing": []}, r"'missing' must hold a number of steps from 1 to 50; got 0"),
    ({"weights": {"a": float("inf")}}, r"'weights' holds a number that is not finite: inf at a"),
    ({"weights": {"a": -1.0}}, r"'weights' must map criterion ids to finite numbers >= 0"),
    ({"method_params": {"p": float("nan")}}, r"'method_params' holds a number that is not finite"),
])
def test_out_of_range_settings_are_refused_with_key_range_and_value(data, message):
    """Item 3: the Scenario itself bounds every setting, so link, file, CLI and library agree."""
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict(data)
    with pytest.raises(ScenarioError, match=message):       # direct construction too (the CLI)
        Scenario().with_(**data)


def test_bounds_are_exposed_and_the_defaults_lie_inside_them():
    from citykit.robustness import DEFAULTS
    from citykit.scenario import BOUNDS, check_robustness_settings

    assert BOUNDS["robustness.draws"] == (1, 100_000)
    check_robustness_settings(DEFAULTS)
    for value in (1, 100_000):
        Scenario(robustness={"draws": value, "chunk_size": min(value, 10_000)})
    assert Scenario(robustness={"concentration": float("inf")}).robustness["concentration"] \
        == float("inf")                                       # inf = no spread, as the CLI's
    assert Scenario(robustness={"concentration": None, "seed": None}).robustness["seed"] is None


def test_the_ui_draw_limit_is_the_scenario_bound():
    from citykit.scenario import BOUNDS
    from citykit.ui.robustness import MAX_DRAWS

    assert BOUNDS["robustness.draws"][1] == MAX_DRAWS


@pytest.mark.parametrize(("data", "message"), [
    # item 4: a dataset path with NUL or 100,000 characters ended in a traceback
    ({"dataset": "iran\x00/etc"}, r"'dataset' must not contain a NUL character"),
    ({"dataset": "a" * 100_000}, r"'dataset' must be a name or path of 1 to 4,096 characters; got 100,000"),
    ({"framework": "x\x00"}, r"'framework' must not contain a NUL character"),
    # item 4: bad eligibility rules and missing-data policies ended in tracebacks at run time
    ({"eligibility": [{"rule": ["exclude-capital"]}]}, r"eligibility rule 1: unknown eligibility rule \['exclude-capital'\]"),
    ({"eligibility": [{"rule": "exclude-capitl"}]}, r"did you mean 'exclude-capital'"),
    ({"eligibility": [{"rule": "exclude-capital"}, {"rule": "veto", "criterion": "x", "above": "5"}]},
     r"eligibility rule 2 \(veto\): 'above' must be a number, got '5'"),
    ({"eligibility": [{"rule": "veto", "criterion": "x"}]}, r"eligibility rule 1: veto on 'x' needs exactly one"),
    ({"eligibility": [{"rule": "population-floor", "minimum": 1, "maximum": 2}]}, r"eligibility rule 1: rule 'population-floor'"),
    ({"missing": "mediane"}, r"'missing' names the unknown missing-data policy 'mediane'.*did you mean 'median'"),
    ({"missing": ["drop-criteria", {"policy": "knn", "k": "x"}]}, r"'missing' step 2 \(knn\): 'k' must be a whole number"),
    ({"missing": {"policy": "median", "foo": 1}}, r"'missing' \(median\) has unknown parameters \['foo'\]"),
    ({"missing": [["median"]]}, r"'missing' step 1 names the unknown missing-data policy"),
    ({"missing": {"policy": "drop-criteria", "min_coverage": 2}}, r"'min_coverage' must be a share from 0 to 1"),
])
def test_hostile_paths_rules_and_policies_are_scenario_errors(data, message):
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_dict(data, workspace=".")


@pytest.mark.parametrize("key", ["method_params", "normalisation_params", "weights", "shortlist"])
def test_deeply_nested_objects_are_refused_without_recursion(key):
    """Item 4: deep dicts inside a scenario file are a clear error, not a RecursionError."""
    deep: dict = {"x": 1.0}
    for _ in range(50_000):           # far deeper than the interpreter's recursion limit
        deep = {"x": deep}
    with pytest.raises(ScenarioError, match=rf"'{key}' is nested more than 8 levels deep"):
        Scenario.from_dict({key: deep})
    wide = {str(i): 1.0 for i in range(20_000)}
    with pytest.raises(ScenarioError, match=rf"'{key}' (is holds more than 10,000 items|must hold a number)"):
        Scenario.from_dict({key: wide})


def test_deeply_nested_json_text_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="nested too deeply"):
        Scenario.from_json('{"method_params": ' + "[" * 100_000 + "]" * 100_000 + "}")
