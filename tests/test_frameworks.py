"""Framework catalogue: loading, validation errors, crosswalk and coverage."""

import copy
import textwrap

import pytest
import yaml

from citykit.exceptions import FrameworkError
from citykit.frameworks import (
    POLARITIES,
    bundled_frameworks,
    component_indicators,
    coverage,
    crosswalk,
    load_framework,
)

STANDARD = ["u4ssc", "iso37120", "iso37122", "six_characteristic", "imd_sci", "iese_cim"]


@pytest.fixture(scope="module")
def national():
    return load_framework("iran_national")


@pytest.fixture(scope="module")
def raw_national():
    from citykit.frameworks import frameworks_root

    return yaml.safe_load((frameworks_root() / "iran_national.yaml").read_text(encoding="utf-8"))


def _write(tmp_path, raw, name="edited.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _component(raw, code):
    return next(c for c in raw["components"] if c["code"] == code)


# ----------------------------------------------------------------- the bundled catalogue

def test_every_bundled_framework_loads():
    assert set(STANDARD) | {"iran_national"} <= set(bundled_frameworks())
    for name in bundled_frameworks():
        fw = load_framework(name)
        assert fw.id == name
        assert all(c.name_fa and c.definition for c in fw.components)
        assert all(c.polarity in POLARITIES and c.unit for c in fw.leaves)
        assert {c.verification for c in fw.components} <= {"checked", "partly checked",
                                                           "unverified"}


def test_u4ssc_has_91_kpis_in_3_dimensions():
    fw = load_framework("u4ssc")
    assert [c.code for c in fw.roots] == ["EC", "EN", "SC"]
    assert len(fw.leaves) == 91
    assert len([c for c in fw.components if c.level == fw.levels[1]]) == 7
    categories = [c for c in fw.components if c.level == fw.levels[2]]
    # 22 category names; four recur under several sub-dimensions, so the tree has 27 nodes.
    assert len({c.name_en for c in categories}) == 22
    assert len(categories) == 27
    assert {c.type for c in fw.leaves} == {"core", "advanced"}


def test_iso37120_2014_has_17_themes_and_100_indicators():
    fw = load_framework("iso37120")
    leaves = [c for c in fw.leaves if c.type in ("core", "supporting")]
    assert len(leaves) == 100
    assert sum(c.type == "core" for c in leaves) == 46
    assert len([r for r in fw.roots if r.code.isdigit()]) == 17


def test_six_characteristic_model_has_its_six_characteristics():
    fw = load_framework("six_characteristic")
    assert [c.code for c in fw.roots] == ["economy", "people", "governance", "mobility",
                                          "environment", "living"]


def test_national_framework_separates_readiness_and_need(national):
    assert [c.code for c in national.roots] == ["readiness", "need"]
    assert {c.subindex for c in national.roots} == {"readiness", "need"}
    weights = national.leaf_weights()
    assert weights.sum() == pytest.approx(1.0)
    assert weights["gov_abroad_services"] == 0.0


#: Components measured only by GHSL urban-centre or UN WUP indicators that no bundled standard
#: defines (open space is not green space, see uc_open_space_share's note; night lights, land
#: per person, growth and street circuity have no KPI of their own). Pinned: a new component
#: without a standard code must be added here knowingly.
WITHOUT_STANDARD_CODE = {"night_lights", "compactness", "population_growth", "street_circuity",
                         "open_space"}


def test_every_national_component_maps_to_a_standard_code(national, iran):
    unmapped = set()
    for leaf in national.leaves:
        codes = [code for codes in leaf.crosswalk.values() for code in codes]
        if not codes:
            unmapped.add(leaf.code)
    assert unmapped == WITHOUT_STANDARD_CODE
    for code in unmapped:       # only city-level measures; every administrative one is mapped
        levels = set(iran.indicators.loc[list(national.by_code[code].indicators), "level"])
        assert levels <= {"city", "urban_centre"}, code


def test_every_mapped_indicator_exists_in_the_dataset(national, iran):
    mapped = {i for leaf in national.leaves for i in leaf.indicators}
    assert mapped and mapped <= set(iran.indicators.index)


def test_crosswalk_codes_point_to_real_components():
    frameworks = {name: load_framework(name) for name in STANDARD + ["iran_national"]}
    table = crosswalk(frameworks.values())
    standard = table[table["to_framework"].isin(STANDARD)]
    missing = [(r.to_framework, r.to_code) for r in standard.itertuples()
               if r.to_code not in frameworks[r.to_framework].by_code]
    assert not missing, missing[:10]


def test_crosswalk_reaches_dataset_indicators(iran):
    table = crosswalk([load_framework("u4ssc")], iran)
    links = table[table["to_framework"] == "dataset:iran"]
    assert ("EC:P:EM:1C", "census_unemployment_rate") in set(zip(links.from_code, links.to_code,
                                                                 strict=True))


# ----------------------------------------------------------------- coverage

def _independent_cell_count(fw, ds):
    """Count city x leaf cells with a value the slow, obvious way (no citykit merges)."""
    values = ds.values
    latest = {}
    for (indicator, level), group in values.groupby(["indicator", "level"]):
        top = group["year"].max()
        latest[(indicator, level)] = set(group.loc[group["year"] == top, "entity_id"])
    counts = {}
    for leaf in fw.leaves:
        n = {"own": 0, "centre": 0, "county": 0, "province": 0}
        for city in ds.cities.itertuples():
            # only a centre's core city takes its values; a member town does not
            centre = city.urban_centre_id if str(city.centre_role) == "core" else None
            for level, key, entity in (("own", "city", city.city_id),
                                       ("centre", "urban_centre", centre),
                                       ("county", "county", city.county_code),
                                       ("province", "province", city.province_code)):
                if entity is not None and any(entity in latest.get((i, key), ())
                                              for i in leaf.indicators):
                    n[level] += 1
                    break
        counts[leaf.code] = n
    return counts


def test_coverage_agrees_with_an_independent_count(national, iran):
    cov = coverage(national, iran).leaves.set_index("code")
    for code, n in _independent_cell_count(national, iran).items():
        assert cov.loc[code, "cities_own"] == n["own"], code
        assert cov.loc[code, "cities_centre"] == n["centre"], code
        assert cov.loc[code, "cities_county_proxy"] == n["county"], code
        assert cov.loc[code, "cities_province_proxy"] == n["province"], code
        total = n["own"] + n["centre"] + n["county"] + n["province"]
        assert cov.loc[code, "cities_missing"] == len(iran.cities) - total


def test_coverage_summary_and_gaps(national, iran):
    cov = coverage(national, iran)
    with_data = sum(bool(leaf.indicators) for leaf in national.leaves)
    assert cov.summary["leaves"] == len(national.leaves)
    assert cov.summary["leaves_with_data"] == with_data
    assert cov.summary["leaf_coverage_pct"] == round(100 * with_data / len(national.leaves), 1)
    assert set(cov.gaps["code"]) == {c.code for c in national.leaves if not c.indicators}
    # Iran: city values (UN WUP, 28 cities) and urban-centre values (GHSL, core cities) now
    # exist next to the county and province proxies
    shares = [cov.summary[f"{kind}_pct_of_filled"] for kind in ("own", "centre", "county_proxy",
                                                                  "province_proxy")]
    assert all(share > 0 for share in shares)
    assert sum(shares) == pytest.approx(100, abs=0.2)


def test_coverage_of_a_candidate_subset(national, iran):
    metros = iran.cities.index[iran.cities["is_metropolis"]].tolist()
    cov = coverage(national, iran, candidates=metros)
    assert cov.candidates == len(metros) == 9
    leaves = cov.leaves.set_index("code")
    assert leaves.loc["unemployment", "cities_county_proxy"] == 9
    assert leaves.loc["urban_population", "cities_own"] == 9           # every one in WUP
    # every metropolis but Karaj is the core of its urban centre
    assert leaves.loc["city_product", ["cities_centre", "cities_missing"]].tolist() == [8, 1]


def test_standard_framework_coverage_goes_through_the_crosswalk(iran):
    fw = load_framework("u4ssc")
    mapping = component_indicators(fw, iran)
    assert "census_unemployment_rate" in mapping["EC:P:EM:1C"]
    assert coverage(fw, iran).summary["leaves_with_data"] >= 5


# ----------------------------------------------------------------- the revised national framework

CITY_LEVEL_PREFIXES = ("uc_", "wup_")


def test_revised_national_framework_validates_against_its_dataset(iran):
    from citykit.frameworks import check_framework, read_framework_file

    path = _resolve_bundled("iran_national")
    raw, _ = read_framework_file(path)
    assert raw["dataset"] == "iran"
    assert check_framework(raw, file=path.name, dataset=iran) == []
    assert load_framework("iran_national", dataset=iran).leaf_weights().sum() == pytest.approx(1)


def test_every_indicator_of_the_national_framework_exists(national, iran):
    named = [i for leaf in national.leaves for i in leaf.indicators]
    assert named and set(named) <= set(iran.indicators.index)
    city_level = {i for i in named if i.startswith(CITY_LEVEL_PREFIXES)}
    levels = iran.indicators.loc[sorted(city_level), "level"]
    assert set(levels[levels.index.str.startswith("uc_")]) == {"urban_centre"}
    assert set(levels[levels.index.str.startswith("wup_")]) == {"city"}
    assert len(city_level) >= 10


def test_default_ranking_rests_at_least_40_percent_on_city_level_values(national, iran):
    from citykit.scenario import Scenario, run

    result = run(Scenario(), dataset=iran)
    assert result.scenario.framework == "iran_national"
    share = result.city_level_share()
    assert 0.4 <= share <= 1
    by_city = result.weight_by_provenance()
    assert by_city.sum(axis=1).to_numpy() == pytest.approx(1)
    assert share == pytest.approx(by_city["city-level"].mean())
    # a core city (Mashhad) has city-level values for every leaf measured by uc_*/wup_* only
    city_leaves = [leaf.code for leaf in national.leaves
                   if leaf.indicators and all(i.startswith(CITY_LEVEL_PREFIXES)
                                              for i in leaf.indicators)]
    expected = national.leaf_weights()[city_leaves].sum()
    assert by_city.loc["124665", "city-level"] == pytest.approx(expected)
    # Karaj has no centre of its own: only its WUP values count, the rest is imputed
    assert by_city.loc["128747", "city-level"] < expected
    assert by_city.loc["128747", "imputed"] > 0


def test_coverage_reports_urban_centre_leaves(national, iran):
    leaves = coverage(national, iran).leaves.set_index("code")
    centre = set(leaves.index[leaves["status"] == "urban centre"])
    expected = {leaf.code for leaf in national.leaves
                if leaf.indicators and all(i.startswith("uc_") for i in leaf.indicators)}
    assert centre == expected and "city_product" in centre
    assert (leaves.loc[sorted(centre), "cities_centre"] > 0).all()
    assert (leaves.loc[sorted(centre), "cities_own"] == 0).all()
    assert set(leaves["status"]) == {"city", "urban centre", "county", "province", "no data"}


def _resolve_bundled(name):
    from citykit.frameworks import frameworks_root

    return frameworks_root() / f"{name}.yaml"


# ----------------------------------------------------------------- user frameworks and errors

def test_edited_copy_loads(tmp_path, raw_national, iran):
    raw = copy.deepcopy(raw_national)
    raw["id"] = "my_framework"
    raw["components"] = [c for c in raw["components"] if c["code"] != "school_dropout"]
    for code in ("income_inequality", "women_unemployment"):
        _component(raw, code)["weight"] = 0.5
    fw = load_framework(_write(tmp_path, raw), dataset=iran)
    assert "school_dropout" not in fw.by_code


def test_unknown_indicator_code_lists_closest(tmp_path, raw_national, iran):
    raw = copy.deepcopy(raw_national)
    _component(raw, "adult_literacy")["indicators"] = ["census_literacy_rate_15pls"]
    with pytest.raises(FrameworkError, match=r"edited\.yaml, line \d+: component 'adult_literacy': unknown "
                       r"indicator code 'census_literacy_rate_15pls' \(not in dataset 'iran'\); "
                       r"closest known: \['census_literacy_rate_15plus'"):
        load_framework(_write(tmp_path, raw), dataset=iran)


def test_component_without_indicators(tmp_path, raw_national, iran):
    raw = copy.deepcopy(raw_national)
    del _component(raw, "sewage")["indicators"]
    with pytest.raises(FrameworkError, match=r"component 'sewage' has no indicators\. Fix: map "
                                             r"it to dataset indicators"):
        load_framework(_write(tmp_path, raw), dataset=iran)


def test_duplicate_code(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    raw["components"].append(copy.deepcopy(_component(raw, "sewage")))
    with pytest.raises(FrameworkError, match=r"line \d+: duplicate code 'sewage' \(first at "
                                             r"component #\d+\)"):
        load_framework(_write(tmp_path, raw))


def test_unknown_polarity(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    _component(raw, "sewage")["polarity"] = "higher"
    with pytest.raises(FrameworkError, match=r"component 'sewage': unknown polarity 'higher'; "
                                             r"expected one of \['\+', '-', 'target', 'context'\]"):
        load_framework(_write(tmp_path, raw))


def test_weights_that_do_not_sum_to_one_are_refused(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    _component(raw, "human_capital")["weight"] = 0.5
    with pytest.raises(FrameworkError, match=r"weights of children of 'readiness' sum to 1\.3000, "
                                             r"not 1 \(human_capital=0\.5, economy=0\.35, "
                                             r"urban_scale=0\.45\)\. Fix: .*does not re-normalise"):
        load_framework(_write(tmp_path, raw))


def test_cycle(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    _component(raw, "readiness")["parent"] = "human_capital"
    with pytest.raises(FrameworkError, match=r"cycle in parents: readiness -> human_capital -> "
                                             r"readiness"):
        load_framework(_write(tmp_path, raw))


def test_unknown_parent_and_level(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    _component(raw, "sewage")["parent"] = "environment_utility"
    with pytest.raises(FrameworkError, match=r"component 'sewage': unknown parent "
                                             r"'environment_utility'; closest: "
                                             r"\['environment_utilities'\]"):
        load_framework(_write(tmp_path, raw))
    raw = copy.deepcopy(raw_national)
    _component(raw, "sewage")["level"] = "dimension"
    with pytest.raises(FrameworkError, match=r"component 'sewage': level 'dimension' does not fit "
                                             r"under 'environment_utilities'; expected level "
                                             r"'component'"):
        load_framework(_write(tmp_path, raw))


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent("""\
        id: broken
        components:
          - code: a
            name_en: [unclosed
        """), encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"broken\.yaml, line \d+: not valid YAML"):
        load_framework(path)


def test_missing_top_level_keys_and_unknown_framework(tmp_path):
    with pytest.raises(FrameworkError, match=r"missing top-level keys \['name_en'"):
        load_framework(_write(tmp_path, {"id": "x", "components": [{"code": "a"}]}))
    with pytest.raises(FrameworkError, match=r"no framework 'u4sc'.*closest: \['u4ssc'\]"):
        load_framework("u4sc")


def test_missing_data_component_with_weight_is_refused(tmp_path, raw_national):
    raw = copy.deepcopy(raw_national)
    _component(raw, "digital_egov")["weight"] = 0.1
    with pytest.raises(FrameworkError, match=r"component 'digital_egov' has weight 0\.1 but no "
                                             r"data"):
        load_framework(_write(tmp_path, raw))


def test_frameworks_cli(capsys):
    from citykit.cli import main

    assert main(["frameworks"]) == 0
    out = capsys.readouterr().out
    for name in STANDARD + ["iran_national"]:
        assert f"\n{name} " in out
    assert main(["frameworks", "--framework", "iran_national", "--gaps"]) == 0
    out = capsys.readouterr().out
    assert "gov_abroad_services: Access to government services from abroad" in out


def test_crosswalk_cli(tmp_path, capsys):
    from citykit.cli import main

    out = tmp_path / "crosswalk.csv"
    assert main(["frameworks", "--crosswalk", str(out)]) == 0
    import pandas as pd

    table = pd.read_csv(out, dtype=str)
    assert {"from_framework", "from_code", "to_framework", "to_code"} <= set(table.columns)
    assert len(table) > 50


def test_component_mixing_directions_is_refused(tmp_path, raw_national, iran):
    raw = copy.deepcopy(raw_national)
    _component(raw, "unemployment")["indicators"] = ["census_unemployment_rate",
                                                     "census_literacy_rate_15plus"]
    with pytest.raises(FrameworkError, match=r"component 'unemployment' mixes indicators where "
                                             r"more is better with indicators where less is "
                                             r"better"):
        load_framework(_write(tmp_path, raw), dataset=iran)


def test_polarity_against_the_subindex_warns(tmp_path, raw_national, iran):
    from citykit.exceptions import CityKitWarning

    raw = copy.deepcopy(raw_national)
    _component(raw, "hospital_beds")["polarity"] = "+"
    with pytest.warns(CityKitWarning, match=r"component 'hospital_beds' has polarity '\+' in "
                                            r"sub-index 'need', but its indicators are 'max'.*"
                                            r"expected '-'"):
        load_framework(_write(tmp_path, raw), dataset=iran)


def test_shipped_crosswalk_file_is_current(iran):
    """datasets/frameworks/crosswalk.csv is `citykit frameworks --crosswalk` output, kept fresh."""
    import pandas as pd

    from citykit.frameworks import frameworks_root

    fresh = crosswalk([load_framework(n) for n in bundled_frameworks()], iran)
    shipped = pd.read_csv(frameworks_root() / "crosswalk.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, fresh.astype(str).fillna(""), check_dtype=False)
