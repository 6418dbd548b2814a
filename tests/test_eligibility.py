"""Eligibility rules and their audit lines."""

import pandas as pd
import pytest

from citykit.eligibility import (
    PRESETS,
    CoverageFloor,
    EligibilityError,
    ExcludeCapital,
    ExcludeCapitalArea,
    MetropolisOnly,
    PopulationFloor,
    ProvincialCapitalsOnly,
    Veto,
    apply_rules,
    preset_rules,
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
    assert [line.rule for line in audit.lines] == ["exclude-capital", "exclude-capital-area",
                                                   "metropolis-only"]
    excluded = audit.excluded()
    assert excluded.iloc[0].tolist() == ["112931", "Tehran", "exclude-capital",
                                         "national capital"]
    assert len(excluded) + eligible.shape[0] == matrix.shape[0]
    # the capital rule alone excludes exactly one city, with that one audit line
    eligible, audit = apply_rules(matrix, [ExcludeCapital()])
    assert eligible.shape[0] == matrix.shape[0] - 1
    assert audit.excluded().values.tolist() == [["112931", "Tehran", "exclude-capital",
                                                 "national capital"]]


def test_rules_compose_and_every_exclusion_is_named(matrix):
    rules = [ExcludeCapital(), PopulationFloor(1_000_000)]
    eligible, audit = apply_rules(matrix, rules)
    # populations are UN WUP 2020 figures: 8 cities besides Tehran have a million or more
    assert sorted(eligible.names()) == ["Ahvaz", "Isfahan", "Karaj", "Kermanshah", "Mashhad",
                                        "Qom", "Shiraz", "Tabriz"]
    excluded = audit.excluded()
    assert len(excluded) + eligible.shape[0] == matrix.shape[0]
    assert excluded["id"].is_unique
    urmia = excluded.set_index("id").loc["121801"]     # Orūmīyeh, WUP 2020: 793,044
    assert urmia["rule"] == "population-floor"
    assert urmia["reason"] == "population 793,044 < 1,000,000"


def test_provincial_capitals_and_metropolis(matrix):
    eligible, _ = apply_rules(matrix, [ProvincialCapitalsOnly()])
    assert eligible.shape[0] == 31
    eligible, _ = apply_rules(matrix, [MetropolisOnly()])
    assert eligible.shape[0] == 9         # UN WUP 2020 >= 1 million, Tehran included


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
                                  r"\['exclude-capital', 'exclude-capital-area'\]"),
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


# --------------------------------------------------------------------------- the real data


METROPOLISES = ["Ahvaz", "Isfahan", "Karaj", "Kermanshah", "Mashhad", "Qom", "Shiraz", "Tabriz"]


def _preset(matrix, name, **kw):
    return apply_rules(matrix, [rule_from_dict(r) for r in preset_rules(name, **kw)])


def test_metropolises_preset_gives_the_eight_metropolises_besides_the_capital(matrix):
    eligible, audit = _preset(matrix, "metropolises")
    assert sorted(eligible.names()) == METROPOLISES
    assert (eligible.candidates["population"] >= 1_000_000).all()
    assert apply_rules(matrix)[0].values.index.equals(eligible.values.index)   # the default


def test_karaj_stays_though_it_lies_in_the_capitals_urban_centre(matrix, iran):
    karaj = iran.cities.loc["128747"]
    assert karaj["name_en"] == "Karaj" and karaj["is_provincial_capital"]
    tehran = iran.cities.loc[iran.national_capital[0]]
    assert karaj["urban_centre_id"] == tehran["urban_centre_id"]
    assert karaj["centre_role"] == "member"
    eligible, audit = apply_rules(matrix, [ExcludeCapital(), ExcludeCapitalArea()])
    assert "128747" in eligible.values.index
    assert "128747" not in set(audit.excluded()["id"])


@pytest.mark.parametrize(("city_id", "name"), [
    ("449504", "Eslamshahr"), ("120292", "Qods"), ("143860", "Shahrīār"),
    ("32909", "Shahre Jadide Andisheh")])
def test_towns_of_the_capital_area_are_excluded_with_the_reason(matrix, city_id, name):
    eligible, audit = _preset(matrix, "metropolises")
    excluded = audit.excluded().set_index("id")
    assert excluded.loc[city_id, "name"] == name
    assert excluded.loc[city_id, "rule"] == "exclude-capital-area"
    assert excluded.loc[city_id, "reason"] == "in the capital's county or urban centre"
    assert city_id not in eligible.values.index


def test_urban_centres_preset_keeps_no_member_town_but_provincial_capitals(matrix):
    eligible, audit = _preset(matrix, "urban-centres")
    c = eligible.candidates
    members = c[c["centre_role"] != "core"]
    assert len(members) and members["is_provincial_capital"].all()
    assert members.index.tolist() == ["128747"]             # Karaj, in Tehran's centre
    excluded = audit.excluded()
    towns = excluded[excluded["reason"] == "member town of another city's urban centre"]
    assert len(towns) and set(towns["rule"]) == {"centre-cores"}
    assert (c["population"] >= 100_000).all()
    assert excluded["reason"].str.fullmatch(r"population [\d,]+ < 100,000").any()


def test_urban_centres_default_floor_is_100000():
    assert {"rule": "population-floor", "minimum": 100_000} in PRESETS["urban-centres"]
    assert preset_rules("urban-centres")[-1] == {"rule": "population-floor", "minimum": 100_000}
    assert preset_rules("urban-centres", min_population=0)[-1]["rule"] != "population-floor"
