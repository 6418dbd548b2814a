"""Eligibility rules and their audit lines."""

import pandas as pd
import pytest

from citykit.eligibility import (
    CoverageFloor,
    EligibilityError,
    ExcludeCapital,
    MetropolisOnly,
    PopulationFloor,
    ProvincialCapitalsOnly,
    Veto,
    apply_rules,
    rule_from_dict,
    rule_to_dict,
)
from citykit.matrix import CityMatrix


@pytest.fixture(scope="module")
def matrix(iran):
    return CityMatrix.from_dataset(iran, indicators=["census_unemployment_rate",
                                                     "census_urban_share"])


def test_capital_is_excluded_by_default_with_an_audit_line(matrix):
    eligible, audit = apply_rules(matrix)
    assert "112931" not in eligible.values.index
    assert eligible.shape[0] == matrix.shape[0] - 1
    assert audit.excluded().values.tolist() == [["112931", "Tehran", "exclude-capital",
                                                 "national capital"]]


def test_rules_compose_and_every_exclusion_is_named(matrix):
    rules = [ExcludeCapital(), PopulationFloor(1_000_000)]
    eligible, audit = apply_rules(matrix, rules)
    assert sorted(eligible.names()) == ["Isfahan", "Karaj", "Mashhad", "Shiraz", "Tabriz"]
    excluded = audit.excluded()
    assert len(excluded) + eligible.shape[0] == matrix.shape[0]
    assert excluded["id"].is_unique
    qom = excluded.set_index("name").loc["Qom"]
    assert qom["rule"] == "population-floor" and qom["reason"] == "population 900,000 < 1,000,000"


def test_provincial_capitals_and_metropolis(matrix):
    eligible, _ = apply_rules(matrix, [ProvincialCapitalsOnly()])
    assert eligible.shape[0] == 31
    eligible, _ = apply_rules(matrix, [MetropolisOnly()])
    assert eligible.shape[0] == 6


def test_veto_and_coverage_floor(matrix):
    rate = matrix.values["census_unemployment_rate"]
    threshold = float(rate.quantile(0.9))
    eligible, audit = apply_rules(matrix, [Veto("census_unemployment_rate", above=threshold)])
    assert (eligible.values["census_unemployment_rate"] <= threshold).all()
    assert audit.lines[0].excluded[0][2].startswith("census_unemployment_rate = ")
    with_gap = CityMatrix.from_frame(pd.DataFrame({"a": [1.0, None], "b": [1.0, 2.0]},
                                                  index=["X", "Y"]), ["max", "max"])
    kept, audit = apply_rules(with_gap, [CoverageFloor(0.75)])
    assert list(kept.values.index) == ["X"]
    assert audit.lines[0].excluded == (("Y", "Y", "data for 50% of criteria < 75%"),)


def test_rules_round_trip_through_dicts():
    for rule in (ExcludeCapital(), PopulationFloor(5e5), Veto("x", below=3.0), CoverageFloor(0.5)):
        assert rule_from_dict(rule_to_dict(rule)) == rule


@pytest.mark.parametrize(("spec", "message"), [
    ({"rule": "exclude-capitol"}, r"unknown eligibility rule 'exclude-capitol'.*closest: "
                                  r"\['exclude-capital'\]"),
    ({"rule": "population-floor", "minimum": -1}, r"population floor must be a number >= 0"),
    ({"rule": "coverage-floor", "minimum": 80}, r"coverage floor must be a share between 0 and 1"),
    ({"rule": "veto", "criterion": "x"}, r"veto on 'x' needs exactly one of above= or below="),
    ({"rule": "population-floor", "floor": 5}, r"rule 'population-floor': .*unexpected keyword"),
])
def test_bad_rules(spec, message):
    with pytest.raises(EligibilityError, match=message):
        rule_from_dict(spec)


def test_rules_that_leave_nobody_say_which_rule(matrix):
    with pytest.raises(EligibilityError, match=r"after rule 'population-floor' \(population of at "
                                               r"least 100,000,000\) only 0 candidates remain"):
        apply_rules(matrix, [ExcludeCapital(), PopulationFloor(1e8)])


def test_veto_on_unknown_criterion(matrix):
    with pytest.raises(EligibilityError, match=r"veto on unknown criterion 'census_unemployment'; "
                                               r"closest: \['census_unemployment_rate'\]"):
        apply_rules(matrix, [Veto("census_unemployment", above=1)])
