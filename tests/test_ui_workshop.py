"""View models of the weighting-workshop page (citykit.ui.workshop), without Streamlit's runtime.

Workshops here are written to a temporary store by the library; the participants' weights are
SYNTHETIC (chosen by hand), the ranking data is the bundled Iran dataset.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from citykit.exceptions import WeightError
from citykit.scenario import Scenario, run
from citykit.ui import workshop as wv
from citykit.ui.weights import saaty_label, suggest_judgement
from citykit.workshop import WorkshopError, WorkshopStore

PERSIAN_DIGIT = re.compile("[۰-۹]")


@pytest.fixture(scope="module")
def iran_result():
    return run(Scenario())


@pytest.fixture
def group(tmp_path):
    """A closed-form workshop: three criteria, a weights submission and an inconsistent AHP one."""
    store = WorkshopStore(tmp_path)
    labels = {"a": {"en": "Alpha", "fa": "آلفا"}, "b": {"en": "Beta", "fa": "بتا"},
              "c": {"en": "Gamma", "fa": "گاما"}}
    ws, _ = store.create_workshop("Synthetic", ["a", "b", "c"], labels=labels)
    ana, anon = store.join(ws.code, "Ana"), store.join(ws.code)
    store.submit_weights(ws.code, ana.token, {"a": 0.5, "b": 0.3, "c": 0.2})
    store.submit_pairwise(ws.code, anon.token, [[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]])
    store.join(ws.code, "Late")  # joined, never submitted
    return store.group(ws.code)


def test_criterion_weights_sum_to_one_and_keep_the_frameworks_shares(iran_result):
    matrix, fw = iran_result.ranking.matrix, iran_result.framework
    dim_of = matrix.criteria["dimension"]
    dims = wv.dimensions(matrix.criteria)
    rng = np.random.default_rng(8)
    group = pd.Series(rng.dirichlet(np.ones(len(dims))), index=dims)
    w = wv.criterion_weights(group, fw, matrix)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    pd.testing.assert_series_equal(w.groupby(dim_of).sum().reindex(dims), group,
                                   check_names=False, atol=1e-12)
    base = iran_result.ranking.weights  # the framework's own weights
    for dim in dims:
        members = dim_of.index[dim_of == dim]
        np.testing.assert_allclose((w[members] / w[members].sum()).to_numpy(),
                                   (base[members] / base[members].sum()).to_numpy(), atol=1e-12)


def test_criterion_weights_refuse_a_missing_dimension(iran_result):
    matrix = iran_result.ranking.matrix
    dims = wv.dimensions(matrix.criteria)[1:]
    with pytest.raises(WeightError, match="no weight|sum"):
        wv.criterion_weights(pd.Series(1 / len(dims), index=dims), iran_result.framework, matrix)


def test_group_scenario_ranks_with_the_group_weights(group, iran_result, tmp_path):
    store = WorkshopStore(tmp_path / "iran")
    dims = wv.dimensions(iran_result.matrix.criteria)
    ws, _ = store.create_workshop("Iran", dims, scenario=Scenario().to_json())
    p = store.join(ws.code)
    weights = dict(zip(dims, [0.4] + [0.6 / (len(dims) - 1)] * (len(dims) - 1), strict=True))
    store.submit_weights(ws.code, p.token, weights)
    g = store.group(ws.code)
    s = wv.group_scenario(g, Scenario())
    assert s.eligibility == Scenario().eligibility  # the workshop's own scenario
    dim_of = iran_result.matrix.criteria["dimension"]
    assert pd.Series(s.weights).groupby(dim_of).sum().to_dict() == pytest.approx(weights)
    with pytest.raises(WorkshopError, match="No submission"):
        wv.group_scenario(replace(group, weights=pd.Series(dtype=float)), Scenario())


def test_shares_need_exactly_100_and_say_by_how_much():
    assert wv.shares_from({"a": 70, "b": 30}) == {"a": 0.7, "b": 0.3}
    with pytest.raises(WorkshopError, match=r"add up to 105.*exactly 100.*by −5"):
        wv.shares_from({"a": 70, "b": 35})
    with pytest.raises(WorkshopError, match="۱۰۵"):
        wv.shares_from({"a": 70, "b": 35}, "fa", what="points")
    assert sum(wv.even_percents(7)) == 100 and max(wv.even_percents(7)) == 15


def test_revisit_hints_name_the_judgement_that_disagrees():
    # Consistent with weights 8 : 4 : 2 : 1 except "a against d", which is turned round.
    options = {("a", "b"): 2, ("a", "c"): 4, ("a", "d"): -8, ("b", "c"): 2, ("b", "d"): 4,
               ("c", "d"): 2}
    _, w, cr, todo = wv.live_consistency(options, ["a", "b", "c", "d"])
    assert cr > 0.1
    i, j = 0, 3
    A = np.array([[1, 2, 4, 1 / 8], [1 / 2, 1, 2, 4], [1 / 4, 1 / 2, 1, 2], [8, 1 / 4, 1 / 2, 1]])
    e = A[i, j] * w.iloc[j] / w.iloc[i]
    assert todo.loc[0, "deviation"] == pytest.approx(max(e, 1 / e))
    labels = {"a": "Economy", "b": "Health", "c": "Skills", "d": "Water"}
    hints = wv.revisit_table(todo, labels)
    assert len(hints) == 3 and list(hints.columns) == ["Your judgement", "Your weights imply",
                                                       "Off by (×)"]
    assert hints.iloc[0, 0] == "Water ×8: between very strong and extreme"
    # what the weights imply for a against d, on Saaty's scale (independently computed)
    implied = suggest_judgement(w.iloc[i] / w.iloc[j])
    assert hints.iloc[0, 1] == saaty_label(implied, "Economy", "Water")
    assert hints.iloc[0, 2] == pytest.approx(max(e, 1 / e), abs=0.005)
    fa = wv.revisit_table(todo, {"a": "اقتصاد", "b": "سلامت", "c": "مهارت", "d": "آب"}, "fa")
    assert list(fa.columns)[0] == "داوری شما" and PERSIAN_DIGIT.search(fa.iloc[0, 2])
    # A consistent set of judgements has nothing to revisit.
    _, _, cr, todo = wv.live_consistency({("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2},
                                         ["a", "b", "c"])
    assert cr == pytest.approx(0, abs=1e-9) and wv.revisit_table(todo, {}).empty


def test_participants_table_in_english_and_persian(group):
    en = wv.participants_table(group)
    assert en["Participant"].tolist() == ["Participant 1", "Participant 2", "Participant 3"]
    assert en["Name"].tolist() == ["Ana", "anonymous", "Late"]
    assert en["Entry"].tolist() == ["sliders", "pairwise", "—"]
    assert en["Status"].tolist() == ["submitted", "submitted, inconsistent (CR > 0.1)",
                                     "not submitted yet"]
    assert en["CR"].iloc[1] == pytest.approx(group.participants["cr"].iloc[1], abs=1e-3)
    assert en["CR"].iloc[1] > 0.1
    fa = wv.participants_table(group, "fa")
    assert list(fa.columns) == ["شرکت‌کننده", "نام", "شیوهٔ ورود", "زمان پیوستن", "زمان ارسال",
                                "شمار ارسال‌ها", "CR", "وضعیت"]
    assert fa.iloc[0, 0] == "شرکت‌کنندهٔ ۱" and fa.iloc[1, 1] == "بی‌نام"
    assert PERSIAN_DIGIT.search(fa.iloc[0, 4]) and not re.search("[0-9]", fa.iloc[0, 4])


def test_spread_table_and_figures_follow_the_group(group):
    en = wv.spread_table(group)
    assert en["Dimension"].tolist() == ["Alpha", "Beta", "Gamma"]
    np.testing.assert_allclose(en["Group %"], (100 * group.weights).round(1))
    np.testing.assert_allclose(en["Median %"], (100 * group.spread["median"]).round(1))
    fa = wv.spread_table(group, "fa")
    assert fa.iloc[0, 0] == "آلفا" and all(PERSIAN_DIGIT.search(v) for v in fa["گروه ٪"])
    bars = wv.group_figure(group, "fa").to_dict()
    np.testing.assert_allclose(bars["data"][0]["x"], 100 * group.weights.to_numpy())
    assert list(bars["data"][0]["y"]) == ["آلفا", "بتا", "گاما"]
    assert PERSIAN_DIGIT.search(bars["layout"]["title"]["text"])
    assert "Vazirmatn" in bars["layout"]["font"]["family"]
    box = wv.spread_figure(group).to_dict()["data"][0]
    np.testing.assert_allclose(box["lowerfence"], 100 * group.spread["min"].to_numpy())
    np.testing.assert_allclose(box["upperfence"], 100 * group.spread["max"].to_numpy())


def test_shortlist_table_uses_the_scenarios_k(iran_result):
    assert len(wv.shortlist_table(iran_result)) == 5
    three = run(Scenario().with_(shortlist={"k": 3}))
    fa = wv.shortlist_table(three, "fa")
    assert len(fa) == 3 and list(fa.columns) == ["شهر", "استان", "رتبه", "امتیاز"]
    assert PERSIAN_DIGIT.search(fa.iloc[0, 2])


def test_links_carry_the_code_and_the_key():
    base = wv.workshop_url("http://127.0.0.1:8501/workshop", ["map", "workshop"])
    assert base == "http://127.0.0.1:8501/workshop"
    assert wv.participant_link("ABC234", base) == "http://127.0.0.1:8501/workshop?ws=ABC234"
    assert wv.facilitator_link("ABC234", "k_y-1", base).endswith("?ws=ABC234&key=k_y-1")


def test_participants_table_pages_and_refuses_a_page_out_of_range(tmp_path):
    """Issue 14, item 6: only one page of participants is formatted at a time."""
    store = WorkshopStore(tmp_path)
    ws, key = store.create_workshop("Pages", ["a", "b"])
    store.set_max_participants(ws.code, key, 5)
    for _ in range(5):
        store.join(ws.code)
    group = store.group(ws.code)
    first, last = (wv.participants_table(group, page=p, size=2) for p in (1, 3))
    assert first["Participant"].tolist() == ["Participant 1", "Participant 2"]
    assert last["Participant"].tolist() == ["Participant 5"]
    with pytest.raises(ValueError, match="page must be an integer from 1 to 3; got 4"):
        wv.participants_table(group, page=4, size=2)
    summary = wv.status_summary(group, "fa")
    assert summary["سهم"].tolist()[-1] == "۱۰۰٪"
