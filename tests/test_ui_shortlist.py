"""View models of the "Shortlist & export" page (citykit.ui.shortlist), without a browser.

Runs on the bundled Iran dataset under the app's default scenario (49 candidates).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from string import Formatter

import numpy as np
import openpyxl
import pandas as pd
import pytest

from citykit.eligibility import preset_rules
from citykit.exceptions import ShortlistError
from citykit.export import MANIFEST, OUTPUTS, SHEETS
from citykit.i18n import TEXT, tr
from citykit.robustness import robustness
from citykit.scenario import Scenario, run
from citykit.shortlist import Constraints, shortlist
from citykit.ui import shortlist as view

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(scope="module")
def result():
    return run(Scenario())


@pytest.fixture(scope="module")
def wide():
    """One city per urban centre (90 candidates): the 8 default candidates lie in 8 provinces,
    so a province cap never binds among them."""
    return run(Scenario(eligibility=preset_rules("urban-centres")))


@pytest.fixture(scope="module")
def spread(wide):
    """k = 8 with at most one pilot per province: binds among the urban centres (Khuzestan has
    6 of the unconstrained top 8)."""
    return shortlist(wide, Constraints(k=8, max_per_province=1))


# --------------------------------------------------------------------------- constraints

@pytest.mark.parametrize("constraints", [
    Constraints(k=5),
    Constraints(k=3, max_per_province=2, min_distance_km=150.0, one_per_peer_group=True),
    Constraints(k=4, must_include=["128747"], must_exclude=["418863", "144448"],
                min_readiness=0.4),
    Constraints(k=6, population_tiers={"tiers": [[0, 5e5], [5e5, 1e6], [1e6, None]],
                                       "min_per_tier": 2}),
])
def test_widget_values_round_trip_without_a_base(constraints):
    values = view.widget_values(constraints)
    assert set(values) == set(view.WIDGET_FIELDS)
    assert view.constraints_from_widgets(values) == constraints
    assert json.loads(json.dumps(values)) == values  # plain values, fit for widgets


@pytest.mark.parametrize("constraints", [
    Constraints(k=3, budget=10.0, cost={"a": 4.0, "b": 7.0}, max_per_region=1,
                regions={"IR-23": "north"}),
    Constraints(k=2, population_tiers={"tiers": [[1e5, 5e5], [5e5, None]], "min_per_tier": 1,
                                       "max_per_tier": [1, 2]}),
])
def test_fields_without_widgets_are_kept_from_the_base(constraints):
    values = view.widget_values(constraints)
    assert view.constraints_from_widgets(values, constraints) == constraints
    changed = view.constraints_from_widgets({**values, "k": 7}, constraints)
    assert changed.k == 7 and changed.budget == constraints.budget
    assert changed.population_tiers == constraints.population_tiers
    assert changed.regions == constraints.regions


def test_widget_values_become_constraints():
    c = view.constraints_from_widgets(
        {"k": 4.0, "max_per_province": None, "min_distance_km": 0.0, "must_include": ["x"],
         "must_exclude": [], "one_per_peer_group": False, "tier_bounds": "۵۰۰٬۰۰۰؛ 1,000,000",
         "tier_min": 1, "min_readiness": None})
    assert c.k == 4 and isinstance(c.k, int)
    assert c.max_per_province is None and c.min_distance_km is None  # 0 km: no minimum
    assert c.must_include == ("x",)
    assert c.population_tiers["tiers"] == [[0.0, 5e5], [5e5, 1e6], [1e6, None]]
    assert c.population_tiers["min_per_tier"] == [1, 1, 1]
    cleared = view.constraints_from_widgets({**view.widget_values(c), "tier_bounds": " "}, c)
    assert cleared.population_tiers is None


def test_bad_widget_values_raise_a_typed_error():
    with pytest.raises(ShortlistError, match="both must-include and must-exclude"):
        view.constraints_from_widgets({"k": 2, "must_include": ["a"], "must_exclude": ["a"]})
    with pytest.raises(ShortlistError, match="boundary 'many' is not a number"):
        view.constraints_from_widgets({"k": 2, "tier_bounds": "500000; many"})
    with pytest.raises(ShortlistError, match="must be positive"):
        view.parse_tier_bounds("-5")
    with pytest.raises(ShortlistError, match="max_per_province must be an integer >= 1"):
        view.constraints_from_widgets({"k": 2, "max_per_province": 0})


def test_current_constraints_follow_the_scenario():
    assert view.current_constraints(Scenario()) == Constraints(k=5)
    s = Scenario().with_(shortlist=Constraints(k=3, max_per_province=1).to_dict())
    assert view.current_constraints(s) == Constraints(k=3, max_per_province=1)
    with pytest.raises(ShortlistError, match="unknown constraint keys"):
        view.current_constraints(Scenario().with_(shortlist={"k": 3, "per_province": 1}))
    assert view.ranking_scenario(s) == Scenario()


def test_candidate_options_rank_order_and_stale_ids(result):
    options = view.candidate_options(result, Constraints(k=2, must_include=["gone"]))
    ranks = result.ranking.ranks
    assert np.all(np.diff(ranks[options[:-1]].to_numpy()) >= 0)  # best first
    assert options[-1] == "gone" and len(options) == len(ranks) + 1
    labels = view.candidate_labels(result, "fa")
    assert labels["128747"].startswith("کرج")


# --------------------------------------------------------------------------- tables

def test_pilots_table_english_keeps_numbers(wide, spread):
    acc = robustness(wide)
    p = view.p_top_k_at(acc, 8)
    table = view.pilots_table(spread, "en", p_top_k=p)
    assert list(table["City"]) == list(spread.pilots["name_en"])
    assert pd.api.types.is_numeric_dtype(table["Score"])
    assert table["Score"].tolist() == pytest.approx(spread.pilots["score"].tolist())
    assert table["P(top 8)"].tolist() == pytest.approx(p[spread.ids].tolist())
    pd.testing.assert_series_equal(view.p_top_k_at(acc, acc.top_k), acc.p_top_k)
    in_top = set(spread.top_k.index)
    why = dict(zip(spread.ids, table["Why"], strict=True))
    assert all((why[c] == "in the unconstrained top 8") == (c in in_top) for c in spread.ids)


def test_persian_tables_use_persian_digits_and_names(spread):
    table = view.pilots_table(spread, "fa")
    assert list(table.columns[:3]) == ["رتبه", "شهر", "استان"]
    assert set("".join(table["رتبه"])) <= PERSIAN_DIGITS
    assert list(table["شهر"]) == list(spread.pilots["name_fa"])
    binding = view.binding_table(spread, "fa")
    row = binding[binding["محدودیت"] == "شهر آزمایشی در هر استان"]
    assert len(row) == 1 and "خوزستان" in row.iloc[0, 1] and "۶ از ۸" in row.iloc[0, 1]
    assert not any(ch.isascii() and ch.isdigit() for ch in "".join(binding.iloc[:, 2]))


def test_left_out_cities_name_the_constraint(spread):
    table = view.left_out_table(spread)
    left = [c for c in spread.top_k.index if c not in spread.ids]
    assert len(table) == len(left) == 5
    assert (table["Why"] == "Khuzestan already has 1 pilot(s)").all()
    assert list(table["City"]) == spread.top_k.loc[left, "name_en"].tolist()


def test_binding_table_and_price(spread):
    table = view.binding_table(spread)
    assert table["Constraint"].tolist() == [tr(f"sl_family_{b.family}") for b in spread.binding]
    # issue 15, item 6: short, by city names, never the library's ids ("Karaj (128747)")
    assert table.iloc[0, 1] != spread.binding[0].text
    assert not any(re.search(r"\(\d{4,}", text) for text in table.iloc[:, 1])
    price = view.price_summary(spread)
    assert float(price["price"]) == pytest.approx(spread.price_of_diversity, abs=1e-4)
    assert price["price_pct"].endswith("%")
    assert float(price["price_pct"][:-1]) == pytest.approx(spread.price_of_diversity_pct,
                                                           abs=0.05)


def test_shortlist_map_marks_pilots_and_left_out(wide, spread):
    fig = view.shortlist_map(wide, spread, "fa")
    assert fig.layout.map.style == "white-bg"
    assert not [t for t in fig.data if t.type not in ("choroplethmap", "scattermap")]
    pilots, left, others = fig.data[-1], fig.data[-2], fig.data[-3]
    assert list(pilots.customdata) == spread.ids
    assert set(left.customdata) == set(spread.top_k.index) - set(spread.ids)
    assert len(others.customdata) + len(left.customdata) + len(pilots.customdata) == \
        len(wide.ranking.scores)
    assert pilots.name == "شهر آزمایشی" and pilots.text[0].startswith("\u200f")


def test_peer_groups_table_is_translated(result):
    from citykit.peers import peer_groups_of

    groups = peer_groups_of(result.ranking, k=3)
    en = view.peer_groups_table(groups, result.matrix.criteria, "en")
    fa = view.peer_groups_table(groups, result.matrix.criteria, "fa")
    assert en.iloc[:, 1].sum() == len(result.ranking.scores)
    assert set("".join(fa.iloc[:, 1])) <= PERSIAN_DIGITS
    first = groups.terms[1][0][0]
    assert result.matrix.criteria.loc[first, "name_fa"] in fa.iloc[0, 2]


# --------------------------------------------------------------------------- dossier

@pytest.fixture(scope="module")
def dossier(wide, spread):
    return view.build_dossier(wide, spread, lang="fa")


def test_dossier_holds_every_file(dossier, spread):
    expected = {*OUTPUTS.values(), MANIFEST}
    assert set(dossier.files) == expected
    assert all(len(data) > 0 for data in dossier.files.values())
    manifest = json.loads(dossier.files[MANIFEST])
    assert manifest["lang"] == "fa" and manifest["shortlist"]["pilots"] == spread.ids
    assert manifest["robustness"]["available"]
    for name, data in dossier.files.items():  # the bytes are the files the manifest hashed
        if name != MANIFEST:
            assert manifest["outputs"][name]["bytes"] == len(data)
    assert 'dir="rtl"' in dossier.files["brief.html"].decode("utf-8")
    assert dossier.mime("dossier.xlsx").endswith("spreadsheetml.sheet")
    assert dossier.mime("candidates.gpkg") == "application/geopackage+sqlite3"


def test_dossier_workbook_opens(dossier, spread):
    book = openpyxl.load_workbook(io.BytesIO(dossier.files["dossier.xlsx"]), read_only=True)
    assert list(SHEETS) == book.sheetnames[:len(SHEETS)]
    rows = list(book["shortlist"].iter_rows(values_only=True))
    header = list(rows[0])
    ids = [str(r[header.index("city_id")]) for r in rows[1:]]
    assert ids == spread.ids


def test_dossier_zip_lists_every_file(dossier):
    archive = zipfile.ZipFile(io.BytesIO(dossier.zip))
    assert archive.testzip() is None
    names = {n.split("/", 1)[1]: n for n in archive.namelist()}
    assert set(names) == set(dossier.files)
    for name, full in names.items():
        assert archive.read(full) == dossier.files[name]


def test_dossier_bytes_verify_as_a_dossier(dossier, tmp_path):
    """Written back to disk, the bytes pass the library's check, re-run of the scenario
    included: the page's shortlist (score objective, default peer groups) is reproducible."""
    from citykit.export import verify_dossier

    for name, data in dossier.files.items():
        (tmp_path / name).write_bytes(data)
    assert verify_dossier(tmp_path) == []
    (tmp_path / "shortlist.csv").write_bytes(dossier.files["shortlist.csv"] + b"\n")
    assert [p.file for p in verify_dossier(tmp_path, rerun=False)] == ["shortlist.csv"]


def test_dossier_key_changes_with_scenario_and_language():
    a = view.dossier_key(Scenario(), "en")
    assert a == view.dossier_key(Scenario().with_(), "en")
    assert a != view.dossier_key(Scenario(), "fa")
    assert a != view.dossier_key(Scenario().with_(shortlist={"k": 2}), "en")


def test_every_string_has_both_languages_with_the_same_fields():
    fields = lambda text: {f for _, f, _, _ in Formatter().parse(text) if f}  # noqa: E731
    keys = [k for k in TEXT["en"] if k.startswith("sl_")]
    assert len(keys) > 50
    for key in keys:
        assert TEXT["fa"].get(key) not in (None, TEXT["en"][key]), key
        assert fields(TEXT["fa"][key]) == fields(TEXT["en"][key]), key
