"""The Weighting workshop page, driven headless with Streamlit's AppTest (offline, Iran data).

Every test keeps its workshops in a temporary data folder (CITYKIT_DATA), so nothing touches the
user's ~/.local/share/citykit. Each AppTest is one browser session, i.e. one participant.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from citykit.scenario import Scenario, run
from citykit.ui import workshop as wv
from citykit.workshop import WorkshopStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/workshop.py"
PERSIAN_DIGIT = re.compile("[۰-۹]")
#: The national framework's dimensions with data (digital e-government has none yet).
DIMENSIONS = ("human_capital", "economy", "urban_scale", "labour_market", "health_living",
              "environment_utilities", "urban_growth_form", "governance_equity")


@pytest.fixture
def data(workshop_data) -> WorkshopStore:
    return workshop_data


def open_page(**params) -> AppTest:
    """A new browser session opened on the workshop page (with `params` in its address)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "header", "subheader", "title", "info",
                                  "success", "warning", "error") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def figures(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def frame(at, first_column: str):
    """The table whose first column is `first_column` (AppTest shows no keys of dataframes)."""
    tables = [*at.dataframe, *at.table]
    found = [d.value for d in tables if d.value.columns[0] == first_column]
    assert len(found) == 1, [list(d.value.columns) for d in tables]
    return found[0]


def create_workshop(at, title="Pilot weights") -> tuple[str, str]:
    at.text_input(key="ws_open_title").set_value(title).run()
    at.button(key="ws_open").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at.session_state["ws_code"], at.session_state["ws_key"]


def test_renders_in_english_and_persian(data):
    at = open_page()
    assert at.title[0].value == "Weighting workshop"
    assert tuple(wv.dimensions(run(Scenario()).matrix.criteria)) == DIMENSIONS
    assert "8 dimensions" in texts(at)
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert at.title[0].value == "کارگاه وزن‌دهی"
    assert "۸ بعد" in texts(at)
    assert "سرمایه انسانی" in texts(at)  # the dimensions by their Persian names

    # The facilitator's view in Persian: tables with Persian digits and names.
    dims = ["human_capital", "economy"]
    ws, key = data.create_workshop("آزمون", dims, labels={"human_capital": {"fa": "سرمایه انسانی"},
                                                        "economy": {"fa": "اقتصاد"}})
    p = data.join(ws.code, "سارا")
    data.submit_weights(ws.code, p.token, {"human_capital": 0.6, "economy": 0.4})
    view = open_page(ws=ws.code, key=key, lang="fa")
    people = frame(view, "شرکت‌کننده")
    assert people.iloc[0].tolist()[:3] == ["شرکت‌کنندهٔ ۱", "سارا", "لغزنده"]
    assert PERSIAN_DIGIT.search(people.iloc[0, 4]) and not re.search("[0-9]", people.iloc[0, 4])
    spread = frame(view, "بعد")
    assert spread.iloc[0, 0] == "سرمایه انسانی" and spread.iloc[0, -1] == "۶۰٫۰"
    assert "۱ نفر از حداکثر ۲۰۰ نفر پیوسته‌اند، ۱ نفر فرستاده‌اند" in texts(view)


def test_facilitator_creates_and_two_participants_submit(data):
    fac = open_page()
    code, key = create_workshop(fac)
    ws = data.workshop(code)
    assert ws.title == "Pilot weights" and ws.criteria == DIMENSIONS
    assert ws.framework == "iran_national" and json.loads(ws.scenario)["framework"]
    assert [c.value for c in fac.code] == [f"/workshop?ws={code}",
                                           f"/workshop?ws={code}&key={key}"]
    assert "only way back" in texts(fac)

    # Participant 1 (named): sliders that add up to 100.
    ana = open_page(ws=code)
    assert f"Workshop {code}" in ana.header[0].value
    ana.text_input(key="ws_join_name").set_value("Ana").run()
    ana.button(key="ws_join").click().run()
    assert "Participant 1" in texts(ana) and "Ana" in texts(ana)
    sliders = [s for s in ana.slider if s.key.startswith(f"ws_w.{code}.")]
    assert len(sliders) == len(DIMENSIONS) and sum(s.value for s in sliders) == 100
    sliders[0].set_value(44)
    for s in sliders[1:]:
        s.set_value(8)   # 44 + 7 × 8 = 100
    ana.run()
    ana.button(key="ws_submit").click().run()
    assert not ana.exception and not ana.error
    assert "Submitted at" in ana.success[-1].value

    # Participant 2 (anonymous): pairwise judgements, an inconsistent set.
    bob = open_page(ws=code)
    bob.button(key="ws_join").click().run()
    assert "Participant 2" in texts(bob)
    bob.radio(key="ws_mode").set_value("pairwise").run()
    judge = [s for s in bob.select_slider if s.key.startswith(f"ws_j.{code}.")]
    assert len(judge) == len(DIMENSIONS) * (len(DIMENSIONS) - 1) // 2 == 28
    first, second, third = DIMENSIONS[:3]
    bob.select_slider(key=f"ws_j.{code}.{first}|{second}").set_value(5)    # 1st ≫ 2nd
    bob.select_slider(key=f"ws_j.{code}.{first}|{third}").set_value(-5)    # 3rd ≫ 1st
    bob.select_slider(key=f"ws_j.{code}.{second}|{third}").set_value(5)    # 2nd ≫ 3rd: a cycle
    bob.run()
    assert "Inconsistent" in texts(bob) and len(frame(bob, "Your judgement")) == 3
    bob.button(key="ws_submit").click().run()
    assert not bob.exception and not bob.error and "Submitted at" in bob.success[-1].value

    group = data.group(code)
    assert group.n_submitted == 2
    assert group.participants["kind"].tolist() == ["weights", "pairwise"]
    assert group.individual.loc["Participant 1"].iloc[0] == pytest.approx(0.44)

    # The facilitator's view, from a new session with the facilitator's link.
    view = open_page(ws=code, key=key)
    people = frame(view, "Participant")
    assert people["Participant"].tolist() == ["Participant 1", "Participant 2"]
    assert people["Name"].tolist() == ["Ana", "anonymous"]
    assert people["Status"].iloc[1].startswith("submitted, inconsistent")
    bars = figures(view)[0]
    labels = [ws.label(c) for c in group.weights.index]
    assert bars["data"][0]["y"] == labels
    np.testing.assert_allclose(bars["data"][0]["x"], 100 * group.weights.to_numpy(), atol=1e-9)
    # the group's top 10: all 8 default candidates
    assert len(frame(view, "Rank")) == len(run(Scenario()).ranking.scores) == 8
    assert len(frame(view, "City")) == 5

    # The first session is the facilitator too: its refresh shows the same.
    fac.button(key="ws_refresh").click().run()
    assert frame(fac, "Participant")["Participant"].tolist() == ["Participant 1", "Participant 2"]

    # Use the weights; save them; close the workshop.
    fac.button(key="ws_use").click().run()
    assert not fac.exception
    weights = fac.session_state["_scenario"].weights
    assert isinstance(weights, dict) and sum(weights.values()) == pytest.approx(1)
    record = fac.session_state["ws_record"]
    assert record["code"] == code and record["group_weights"] == pytest.approx(
        group.weights.to_dict(), abs=1e-8)
    fac.text_input(key="ws_save_name").set_value("Group weights").run()
    fac.button(key="ws_save").click().run()
    assert "Group weights" in data.scenarios()["name"].tolist()
    fac.checkbox(key="ws_close_confirm").check().run()
    fac.button(key="ws_close").click().run()
    assert not data.workshop(code).is_open
    bob.run()
    assert "closed" in texts(bob) and not any(b.key == "ws_submit" for b in bob.button)


def test_weights_not_summing_to_100_are_refused_and_nothing_is_recorded(data):
    ws, _ = data.create_workshop("Sum check", ["a", "b", "c"])
    at = open_page(ws=ws.code)
    at.button(key="ws_join").click().run()
    at.slider(key=f"ws_w.{ws.code}.a").set_value(50).run()   # 50 + 33 + 33 = 116
    assert "Sum: 116%" in texts(at)
    at.button(key="ws_submit").click().run()
    assert not at.exception
    assert "add up to 116" in at.error[0].value and "nothing is rescaled" in at.error[0].value
    assert data.group(ws.code).n_submitted == 0
    at.radio(key="ws_mode").set_value("budget").run()
    at.number_input(key=f"ws_p.{ws.code}.b").set_value(20).run()  # 34 + 20 + 33 = 87
    at.button(key="ws_submit").click().run()
    assert "points add up to 87" in at.error[0].value
    assert data.group(ws.code).n_submitted == 0


def test_wrong_key_and_unknown_code_show_errors(data):
    ws, _ = data.create_workshop("Key check", ["a", "b"])
    at = open_page(ws=ws.code, key="not-the-key")
    assert "facilitator key does not open" in at.error[0].value
    assert not any(b.key == "ws_close" for b in at.button)  # no facilitator controls
    assert any(b.key == "ws_join" for b in at.button)       # but the participant's view
    gone = open_page(ws="ZZZZZZ")
    assert "ZZZZZZ" in gone.error[0].value and any(t.key == "ws_go_code" for t in gone.text_input)


def test_facilitator_removes_a_participant_and_changes_the_limit(data):
    """Issue 14, item 6: the facilitator can remove a sock puppet and set the participant cap."""
    ws, key = data.create_workshop("Cap check", ["a", "b", "c"])
    data.set_max_participants(ws.code, key, 2)
    tokens = [data.join(ws.code, name).token for name in ("Ana", "[Re-login](http://x.test)")]
    for token, first in zip(tokens, (0.5, 0.2), strict=True):
        data.submit_weights(ws.code, token, {"a": first, "b": 0.3, "c": 0.7 - first})
    view = open_page(ws=ws.code, key=key)
    assert "2 joined of at most 2" in texts(view)
    ghost = open_page(ws=ws.code)
    ghost.button(key="ws_join").click().run()
    assert "at most 2 participants" in ghost.error[0].value

    view.number_input(key="ws_remove_number").set_value(2).run()
    assert view.button(key="ws_remove").disabled          # not without the confirmation
    view.text_input(key="ws_remove_reason").set_value("a second browser of Ana").run()
    view.checkbox(key="ws_remove_confirm").check().run()
    view.button(key="ws_remove").click().run()
    assert not view.exception and "Participant 2 was removed" in view.success[0].value
    group = data.group(ws.code)
    assert group.participants["number"].tolist() == [1]
    assert group.individual.index.tolist() == ["Participant 1"]
    assert group.removed["number"].tolist() == [2]
    assert data.participant(ws.code, tokens[0]).number == 1
    with pytest.raises(Exception, match="Participant 2 was removed"):
        data.participant(ws.code, tokens[1])
    tables = {d.value.columns[0]: d.value for d in [*view.dataframe, *view.table]}
    assert tables["When (UTC)"]["What"].tolist() == ["Participant limit changed",
                                                      "Participant 2 removed"]
    assert tables["When (UTC)"]["Detail"].tolist() == ["200 -> 2", "a second browser of Ana"]

    view.number_input(key="ws_limit").set_value(3).run()
    view.button(key="ws_limit_set").click().run()
    assert not view.exception and "at most 3 participants" in view.success[0].value
    assert data.workshop(ws.code).max_participants == 3
    view.number_input(key="ws_remove_number").set_value(9).run()
    view.checkbox(key="ws_remove_confirm").check().run()
    view.button(key="ws_remove").click().run()
    assert "has no Participant 9" in view.error[0].value

    view.radio(key="lang").set_value("fa").run()
    assert not view.exception and "حداکثر ۳" in texts(view)
    history = {d.value.columns[0]: d.value for d in view.dataframe}["زمان (UTC)"]
    assert history["توضیح"].tolist()[:2] == ["۲۰۰ ← ۲", "a second browser of Ana"]


def test_facilitator_view_pages_beyond_200_participants(data):
    """Issue 14, item 6: 450 participants show as a summary and pages of 200, not one table."""
    ws, key = data.create_workshop("Flood check", ["a", "b"])
    data.set_max_participants(ws.code, key, 450)
    tokens = [data.join(ws.code).token for _ in range(450)]
    for token in tokens[:10]:
        data.submit_weights(ws.code, token, {"a": 0.6, "b": 0.4})
    view = open_page(ws=ws.code, key=key)
    summary = frame(view, "Status")
    assert summary["Participants"].tolist() == ["10", "0", "440"]
    people = frame(view, "Participant")
    assert len(people) == 200 and people["Participant"].iloc[0] == "Participant 1"
    view.number_input(key="ws_page").set_value(3).run()
    people = frame(view, "Participant")
    assert len(people) == 50 and people["Participant"].iloc[-1] == "Participant 450"
    assert view.number_input(key="ws_page").max == 3
