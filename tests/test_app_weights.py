"""The Weights & method page, driven headless with Streamlit's AppTest (offline, Iran data)."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from citykit.scenario import run
from citykit.ui.safe import md, unescape_md
from citykit.weights import check_weights

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/weights.py"
PERSIAN_DIGIT = re.compile("[۰-۹]")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def scenario(at):
    return at.session_state["_scenario"]


def preview(at):
    """The live top-10 table (the first dataframe on the page; all 8 default candidates)."""
    return at.dataframe[0].value


def dimension_sliders(at) -> dict[str, float]:
    return {s.key.removeprefix("w.dim."): s.value for s in at.slider
            if s.key.startswith("w.dim.")}


def dimension_weights(at) -> dict[str, float]:
    """The scenario's weights summed per dimension of the Iran national framework."""
    weights = scenario(at).weights
    assert isinstance(weights, dict)
    dimension = run(scenario(at)).ranking.matrix.criteria["dimension"]
    return pd.Series(weights).groupby(dimension).sum().to_dict()


def test_renders_in_english_and_persian():
    at = open_page()
    assert at.title[0].value == "Weights & method"
    assert sum(dimension_sliders(at).values()) == pytest.approx(100)
    assert list(preview(at).columns) == ["Rank", "City", "Score"]
    assert len(preview(at)) == len(run(scenario(at)).ranking.scores) == 8  # fewer than 10
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert at.title[0].value == "وزن‌ها و روش"
    table = preview(at)
    assert list(table.columns) == ["رتبه", "شهر", "امتیاز"]
    assert all(PERSIAN_DIGIT.search(v) for v in table["رتبه"])
    assert all(PERSIAN_DIGIT.search(v) for v in at.dataframe[1].value["وزن (٪)"])
    assert at.slider(key="w.dim.human_capital").label.startswith("سرمایه انسانی: ")
    assert any(PERSIAN_DIGIT.search(c.value) for c in at.caption if c.value.startswith("جمع"))


def test_moving_a_dimension_slider_rebalances_and_reranks():
    at = open_page()
    before_table, before = preview(at), dimension_sliders(at)
    start = time.perf_counter()
    at.slider(key="w.dim.labour_market").set_value(80.0).run()
    rerun = time.perf_counter() - start
    assert not at.exception and not at.error
    weights = scenario(at).weights
    assert isinstance(weights, dict) and len(weights) == 39
    assert list(weights) == list(run(scenario(at)).ranking.matrix.values.columns)
    check_weights(list(weights.values()))  # sums to 1 within 1e-9, all >= 0
    assert math.fsum(weights.values()) == pytest.approx(1, abs=1e-9)
    dims = dimension_weights(at)
    assert dims["labour_market"] == pytest.approx(0.8)
    # the others moved in proportion: their ratios are kept
    after = dimension_sliders(at)
    assert after["labour_market"] == pytest.approx(80)
    assert after["human_capital"] / after["economy"] == pytest.approx(
        before["human_capital"] / before["economy"])
    assert sum(after.values()) == pytest.approx(100)
    assert "moved in proportion" in at.info[0].value
    table = preview(at)
    assert table["City"].tolist() != before_table["City"].tolist()
    print(f"rerun after a slider move: {rerun * 1000:.0f} ms")


def test_an_indicator_slider_moves_only_its_dimension():
    at = open_page()
    before = dimension_sliders(at)
    key = "w.ind.census_tertiary_share_15plus"
    at.slider(key=key).set_value(70.0).run()
    assert not at.exception
    assert dimension_sliders(at) == pytest.approx(before)
    members = [s.value for s in at.slider if s.key.startswith("w.ind.") and s.label in {
        md("Share with higher education (age 15+)"), md("Literacy rate (age 15+)")}]
    assert 70.0 in members
    weights = scenario(at).weights
    assert weights["census_tertiary_share_15plus"] == pytest.approx(0.7 * before[
        "human_capital"] / 100)


def test_a_lock_keeps_a_slider_fixed_and_clamping_is_said():
    at = open_page()
    economy = at.slider(key="w.dim.economy").value
    at.checkbox(key="w.lock.dim.economy").check().run()
    assert at.slider(key="w.dim.economy").disabled
    at.slider(key="w.dim.human_capital").set_value(50.0).run()
    assert not at.exception
    after = dimension_sliders(at)
    assert after["economy"] == pytest.approx(economy) and after["human_capital"] == 50.0
    assert sum(after.values()) == pytest.approx(100)
    # lock all but two; ask one of them for more than is left: it is clamped, and told so
    others = [c for c in after if c not in ("human_capital", "urban_scale")]
    for code in others:
        at.checkbox(key=f"w.lock.dim.{code}").check()
    at.run()
    held = sum(after[c] for c in others)
    at.slider(key="w.dim.human_capital").set_value(99.0).run()
    clamped = dimension_sliders(at)
    assert clamped["human_capital"] == pytest.approx(100 - held)
    assert clamped["urban_scale"] == pytest.approx(0, abs=1e-9)
    assert all(clamped[c] == pytest.approx(after[c]) for c in others)
    assert "the most it can take" in at.info[0].value
    # the locks survive a visit to another page
    at.switch_page("app_pages/data.py").run()
    at.switch_page(PAGE).run()
    assert at.checkbox(key="w.lock.dim.economy").value


def test_switching_the_method_changes_the_preview():
    at = open_page()
    before = preview(at)
    at.selectbox(key="w.method@en").set_value("topsis").run()
    assert not at.exception and scenario(at).method == "topsis"
    assert not preview(at).equals(before)
    at.selectbox(key="w.method@en").set_value("vikor").run()
    assert any("lower score is better" in c.value for c in at.caption)
    at.slider(key="w.vikor_v").set_value(0.2).run()
    assert scenario(at).method_params == {"v": 0.2}
    at.selectbox(key="w.method@en").set_value("promethee2").run()
    at.selectbox(key="w.promethee_pref@en").set_value("linear").run()
    assert not at.exception
    assert scenario(at).method_params == {"preference": "linear", "q": 0.05, "p": 0.3}
    at.selectbox(key="w.normalisation@en").set_value("rank").run()
    assert not at.exception and scenario(at).normalisation == "rank"


def test_inconsistent_ahp_warns_and_applies():
    at = open_page()
    at.select_slider(key="wt_ahp.human_capital|economy").set_value(9)
    at.select_slider(key="wt_ahp.economy|urban_scale").set_value(9)
    at.select_slider(key="wt_ahp.human_capital|urban_scale").set_value(-9).run()
    assert not at.exception
    cr = float(at.metric[0].value)
    assert cr > 0.1
    warning = at.warning[0].value
    assert f"CR = {cr:.3f} > 0.1" in warning and "Revisit" in warning
    assert "Human capital vs Urban scale" in warning
    at.button(key="wt_ahp_apply").click().run()
    assert not at.exception
    dims = dimension_sliders(at)
    assert dims["human_capital"] == pytest.approx(dims["economy"])  # the cycle is symmetric
    assert dims["human_capital"] > dims["labour_market"]
    assert sum(dims.values()) == pytest.approx(100)
    assert "AHP weights applied" in at.info[0].value


def test_a_framework_without_data_shows_an_error_and_keeps_the_settings():
    at = open_page()
    at.slider(key="w.dim.economy").set_value(60.0).run()
    at.selectbox(key="w.method@en").set_value("topsis").run()
    kept = scenario(at)
    at.selectbox(key="w.framework@en").set_value("imd_sci").run()
    assert not at.exception
    message = unescape_md(at.error[0].value)
    assert "imd_sci" in message and "cannot rank dataset iran" in message
    assert "has no scored component with data" in message
    assert scenario(at) == kept
    assert at.selectbox(key="w.framework@en").value == "iran_national"
    assert at.slider(key="w.dim.economy").value == pytest.approx(60)
    # a framework that works switches, with its own weights
    at.selectbox(key="w.framework@en").set_value("u4ssc").run()
    assert not at.exception and not at.error
    assert scenario(at).framework == "u4ssc" and scenario(at).weights == "framework"
    assert sum(dimension_sliders(at).values()) == pytest.approx(100)


def test_a_preset_fills_the_sliders():
    at = open_page()
    at.button(key="wt_preset_entropy").click().run()
    assert not at.exception and scenario(at).weights == "entropy"
    entropy = dimension_sliders(at)
    assert sum(entropy.values()) == pytest.approx(100)
    at.button(key="wt_preset_framework").click().run()
    assert dimension_sliders(at) != pytest.approx(entropy)
    # readiness 0.6 × human capital 0.2 (digital e-government has no data, so no weight)
    assert dimension_sliders(at)["human_capital"] == pytest.approx(12)


def test_missing_data_choice_appears_when_the_data_has_gaps(synthetic):
    """SYNTHETIC data: county C2 has no value for x_county, so its cities have a gap."""
    from citykit.integrity import write_manifest
    from citykit.scenario import Scenario

    folder = synthetic(n_cities=6, seed=3)
    values = pd.read_csv(folder / "values.csv")
    values = values[~((values["entity_id"] == "C2") & (values["indicator"] == "x_county"))]
    values.to_csv(folder / "values.csv", index=False)
    write_manifest(folder)
    # No imputation (the default median would fill the gap), so the gap is an error.
    s = Scenario(dataset=str(folder), framework=None, weights="equal", eligibility=(),
                 missing="none")
    at = AppTest.from_file(APP, default_timeout=60)
    # A link may only point into the bundled data or the upload folder, so the session is
    # given the scenario directly (as the Data page's upload does).
    at.session_state["_scenario"] = s
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "2 missing cells in 1 criteria: x_county (2)" in unescape_md(at.error[0].value)
    assert at.selectbox(key="w.missing@en").value == "none"
    at.selectbox(key="w.missing@en").set_value("median").run()
    assert not at.exception and not at.error
    assert scenario(at).missing == "median"
    assert len(preview(at)) == 6  # every synthetic city ranked (no eligibility rule)
    assert "Synthetic city 1" in preview(at)["City"].tolist()


def _transitions(methods) -> list[str]:
    """A walk over every ordered pair of methods (an Eulerian circuit of the complete digraph)."""
    todo = {m: [n for n in methods if n != m] for m in methods}
    stack, walk = [methods[0]], []
    while stack:  # Hierholzer
        if todo[stack[-1]]:
            stack.append(todo[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def test_every_method_transition_applies_without_a_false_error():
    """Issue 15, item 1: a method change never shows an error, and the normalisation box names
    the normalisation the ranking actually used."""
    from citykit.aggregate import METHODS, get_method

    walk = _transitions(list(METHODS))
    assert len(walk) == len(METHODS) * (len(METHODS) - 1) + 1
    at = open_page()
    seen = set()
    for before, after in zip(walk, walk[1:], strict=False):
        at.selectbox(key="w.method@en").set_value(after).run()
        seen.add((before, after))
        assert not at.exception and not at.error, (before, after, [e.value for e in at.error])
        assert scenario(at).method == after and scenario(at).normalisation is None
        used = run(scenario(at)).ranking.normalisation
        assert used == get_method(after).default_normalisation
        box = at.selectbox(key="w.normalisation@en")
        assert box.value == "default", (before, after, box.value)
        label = box.options[box.index]
        assert label == f"Method default ({wt_label(used)})", (before, after, label)
    assert len(seen) == len(METHODS) * (len(METHODS) - 1)


def wt_label(normalisation: str) -> str:
    from citykit.i18n import tr

    return tr(f"wt_n_{normalisation}", "en")


def test_persian_sliders_say_their_value_in_persian_digits():
    """Issue 15, item 5: Streamlit shows a slider's value in Latin digits; in Persian the label
    says it too, in Persian digits, and follows a move."""
    at = open_page()
    at.radio(key="lang").set_value("fa").run()
    sliders = [s for s in at.slider if s.key.startswith("w.dim.")]
    assert sliders and all(PERSIAN_DIGIT.search(s.label) and "٪" in s.label for s in sliders)
    first = sliders[0]
    first.set_value(40.0).run()
    moved = next(s for s in at.slider if s.key == first.key)
    assert moved.label.endswith("۴۰٫۰٪") or moved.label.endswith("۴۰٪"), moved.label
