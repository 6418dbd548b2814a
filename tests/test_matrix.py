"""CityMatrix: construction, labels, provenance and immutability."""

import numpy as np
import pandas as pd
import pytest

from citykit.exceptions import DataValidationError
from citykit.frameworks import load_framework
from citykit.matrix import CityMatrix


def test_from_frame_keeps_labels_and_directions():
    frame = pd.DataFrame({"jobs": [3, 5, 4], "cost": [2.0, 1.0, np.nan]}, index=["A", "B", "C"])
    m = CityMatrix.from_frame(frame, {"jobs": "max", "cost": "min"})
    assert list(m.values.index) == ["A", "B", "C"]
    assert m.directions.to_dict() == {"jobs": "max", "cost": "min"}
    assert m.provenance.loc["C", "cost"] == "missing"
    assert m.provenance.loc["A", "jobs"] == "own"


@pytest.mark.parametrize(("directions", "message"), [
    (["max"], r"got 1 directions for 2 criteria \['a', 'b'\]"),
    (["max", "up"], r"unknown direction \['up'\]; expected 'max' \(more is better\) or 'min'"),
])
def test_from_frame_rejects_bad_directions(directions, message):
    with pytest.raises(DataValidationError, match=message):
        CityMatrix.from_frame(pd.DataFrame({"a": [1.0], "b": [2.0]}), directions)


def test_from_frame_rejects_text_and_duplicate_rows():
    with pytest.raises(DataValidationError, match=r"non-numeric criteria \['b'\]"):
        CityMatrix.from_frame(pd.DataFrame({"a": [1.0], "b": ["x"]}), ["max", "max"])
    with pytest.raises(DataValidationError, match=r"duplicate candidate ids \['A'\]"):
        CityMatrix.from_frame(pd.DataFrame({"a": [1.0, 2.0]}, index=["A", "A"]), ["max"])


def test_transformations_return_new_objects(iran):
    m = CityMatrix.from_dataset(iran, indicators=["census_urban_share", "gdl_shdi"])
    smaller = m.take(m.values.index[:3], note="first three")
    assert m.shape == (len(iran.cities), 2) == (414, 2) and smaller.shape == (3, 2)
    assert smaller.history[-1] == "first three"
    fewer = m.drop_criteria(["gdl_shdi"], note="drop hdi")
    assert list(fewer.values.columns) == ["census_urban_share"]
    assert list(m.values.columns) == ["census_urban_share", "gdl_shdi"]


def test_from_dataset_flags_every_cell_with_its_provenance(iran):
    m = CityMatrix.from_dataset(iran, load_framework("iran_national"))
    # a city missing a centre or WUP value (most towns) is flagged missing, never filled in
    assert set(np.unique(m.provenance.to_numpy())) == {"own", "urban-centre", "proxy-county",
                                                       "proxy-province", "missing"}
    assert (m.values.isna() == (m.provenance == "missing")).all().all()
    core = (iran.cities["centre_role"] == "core").reindex(m.values.index)
    centre = m.provenance["uc_gdp_ppp_per_capita"]
    assert ((centre == "urban-centre") == core).all()         # core cities only
    assert centre.loc["128747"] == "missing"                  # Karaj, a member of Tehran's
    assert m.provenance.loc["128747", "wup_population"] == "own"
    assert (m.provenance["census_unemployment_rate"] == "proxy-county").all()
    assert (m.provenance["gdl_shdi" if "gdl_shdi" in m.values else "gdl_life_expectancy"]
            == "proxy-province").all()
    tehran = m.values.loc["112931", "census_unemployment_rate"]
    county = iran.values.query("indicator == 'census_unemployment_rate' and entity_id == '2301'")
    assert tehran == county["value"].iloc[0]


def test_framework_polarity_sets_direction(iran):
    m = CityMatrix.from_dataset(iran, load_framework("iran_national"))
    # need sub-index: more unemployment is more need, fewer hospital beds is more need
    assert m.criteria.loc["census_unemployment_rate", "direction"] == "max"
    assert m.criteria.loc["atlas_hospital_beds_per_10k", "direction"] == "min"
    assert m.criteria.loc["census_tertiary_share_15plus", "subindex"] == "readiness"


def test_unknown_take_is_an_error(iran):
    m = CityMatrix.from_dataset(iran, indicators=["census_urban_share"])
    with pytest.raises(DataValidationError, match=r"unknown candidate ids \['nowhere'\]"):
        m.take(["nowhere"], note="x")


def test_coverage_counts(iran):
    m = CityMatrix.from_dataset(iran, indicators=["census_urban_share", "gdl_shdi"])
    cov = m.coverage()["by_criterion"]
    n = len(iran.cities)
    assert cov.loc["census_urban_share", "proxy-county"] == n == 414
    assert cov.loc["gdl_shdi", "proxy-province"] == n
    m = CityMatrix.from_dataset(iran, indicators=["uc_gdp_ppp_per_capita", "wup_population"])
    both = m.coverage()["by_criterion"]
    cores = int((iran.cities["centre_role"] == "core").sum())
    assert both.loc["uc_gdp_ppp_per_capita", "urban-centre"] == cores
    assert both.loc["uc_gdp_ppp_per_capita", "missing"] == n - cores
    assert both.loc["wup_population", "own"] == both.loc["wup_population", "n"]
