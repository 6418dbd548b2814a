"""The robustness page in the app (AppTest, offline, the bundled Iran data).

The robustness settings are part of the scenario: a valid change re-ranks the draws, an invalid
one is reported in the page and leaves the scenario (and every other setting) as it was.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from citykit.aggregate import METHODS
from citykit.scenario import Scenario
from citykit.ui.safe import unescape_md

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/robustness.py"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    return at.switch_page(PAGE).run()


def _array(values) -> list:
    """A plotly JSON array: a list, or numbers packed as base64 (``{"dtype", "bdata"}``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def _p_top(at: AppTest) -> dict:
    figure = next(json.loads(e.proto.spec) for e in at.get("plotly_chart")
                  if "P(top" in json.loads(e.proto.spec)["layout"]["title"]["text"])
    bars = {}
    for trace in figure["data"]:
        bars.update(zip(_array(trace["y"]), _array(trace["x"]), strict=True))
    return {"title": figure["layout"]["title"]["text"], "bars": bars}


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(d.value.to_numpy().tolist()) for d in at.dataframe]
    return " ".join(parts)


def test_renders_in_english_with_every_section():
    at = _page()
    assert not at.exception and not at.error
    assert at.title[0].value == "Robustness: how sure is the shortlist?"
    titles = [json.loads(e.proto.spec)["layout"]["title"]["text"] for e in at.get("plotly_chart")]
    assert titles[0] == "P(top 5) over 2,000 weight draws"
    assert len(titles) == 4 and any("Kendall" in t for t in titles)
    assert [s.value for s in at.subheader][:2] == ["Settings",
                                                    "How often does each city make the top 5?"]
    assert len(at.dataframe) == 5  # two stability tables, methods, choices, frameworks
    assert at.get("progress") == []  # the bar is gone once the draws are done


def test_renders_in_persian_with_persian_digits_and_names():
    at = _page("fa")
    assert not at.exception and not at.error
    assert at.title[0].value == "پایداری: فهرست کوتاه چقدر مطمئن است؟"
    p_top = _p_top_fa(at)
    assert "کرج" in p_top and any(d in _texts(at) for d in PERSIAN_DIGITS)
    methods = at.dataframe[2].value
    assert methods.columns[0] == "روش" and all(
        any(d in v for d in PERSIAN_DIGITS) for v in methods["τ کندال"])


def _p_top_fa(at: AppTest) -> list:
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "احتمال ۵ نفر نخست در ۲٬۰۰۰ نمونهٔ وزن"
    return [y for trace in figure["data"] for y in trace["y"]]


def test_changing_the_draws_and_the_shortlist_size_changes_the_p_top_k_chart():
    at = _page()
    before = _p_top(at)
    at.number_input(key="w.rob.draws").set_value(500).run()
    assert not at.exception and not at.error
    assert at.session_state["_scenario"].robustness["draws"] == 500
    after_draws = _p_top(at)
    assert after_draws["title"] == "P(top 5) over 500 weight draws"
    assert after_draws["bars"] != before["bars"]
    at.number_input(key="w.rob.top_k").set_value(3).run()
    assert not at.exception and not at.error
    after_k = _p_top(at)
    assert after_k["title"] == "P(top 3) over 500 weight draws"
    shared = set(after_k["bars"]) & set(after_draws["bars"])
    assert all(after_k["bars"][c] <= after_draws["bars"][c] for c in shared)
    assert any(after_k["bars"][c] < after_draws["bars"][c] for c in shared)
    assert at.session_state["_scenario"].robustness == {
        "draws": 500, "concentration": 100.0, "top_k": 3, "seed": 0}
    at.run()  # a rerun hits the cache (no progress bar is replayed)
    assert not at.exception and _p_top(at) == after_k


@pytest.mark.parametrize(("key", "value", "message"), [
    # the default candidates are the 8 metropolises other than the capital
    ("w.rob.top_k", 999, "The shortlist size must be a whole number from 1 to 8, the number "
                         "of candidates; got 999"),
    ("w.rob.top_k", 9, "from 1 to 8, the number of candidates; got 9"),
    ("w.rob.draws", 0, "Weight draws must be a whole number from 1 to 100,000; got 0"),
])
def test_an_invalid_setting_is_reported_inline_and_keeps_the_rest(key, value, message):
    at = _page()
    at.number_input(key="w.rob.seed").set_value(4).run()
    before = _p_top(at)
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert any(message in unescape_md(e.value) for e in at.error)
    scenario = at.session_state["_scenario"]
    assert scenario.robustness == {**Scenario().robustness, "seed": 4}
    assert scenario.eligibility == Scenario().eligibility
    assert _p_top(at) == before and len(at.get("plotly_chart")) == 4
    at.number_input(key=key).set_value(Scenario().robustness[key[6:]]).run()
    assert not at.error and not at.exception


def test_uniform_weights_store_no_concentration_and_disable_its_input():
    at = _page()
    at.checkbox(key="w.rob.uniform").check().run()
    assert not at.exception and not at.error
    assert at.session_state["_scenario"].robustness["concentration"] is None
    assert at.number_input(key="w.rob.concentration").disabled
    assert any("uniform over every weighting" in c.value for c in at.caption)


def test_method_agreement_has_one_row_per_method():
    at = _page()
    table = next(d.value for d in at.dataframe if "Kendall τ" in d.value.columns
                 and "Method" in d.value.columns)
    assert len(table) == len(METHODS)
    assert table["Method"].tolist()[0] == "Weighted sum (chosen)"
    assert table["Kendall τ"].tolist()[0] == 1.0


def _progress_script(draws: int):
    import streamlit as st

    from citykit.ui import robustness as rob
    from citykit.ui import session

    session.init()
    slot = st.empty()
    acc = session.acceptability(session.scenario().with_(robustness={"draws": draws}),
                                progress=rob.progress_reporter(slot))
    st.write(f"done {acc.draws}")


def test_the_progress_bar_shows_while_drawing_and_is_not_replayed_from_the_cache():
    # a draw count no other test uses: the first run is a cache miss
    at = AppTest.from_function(_progress_script, default_timeout=60, args=(3001,)).run()
    assert not at.exception
    bars = at.get("progress")
    assert len(bars) == 1 and bars[0].proto.value == 100
    assert bars[0].proto.text == "Ranking under 3,001 of 3,001 weight draws…"
    at.run()  # cache hit: the function does not run, and nothing is replayed into the slot
    assert not at.exception and at.get("progress") == []
    assert at.markdown[-1].value == "done 3001"


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_conclusions_in_words_lead_the_page(lang):
    """Issue 15, item 3: the page says what can be said with confidence, the method's share of
    the rank variance and the frameworks' agreement included (checked against the numbers in
    tests/test_conclusions.py)."""
    at = _page(lang)
    assert not at.exception
    text = unescape_md(" ".join(m.value for m in at.markdown))
    if lang == "en":
        assert "What can be said with confidence" in text
        assert "Ahvaz and Isfahan are in the top 5 under at least 90% of 2,000 weight" in text
        assert "the method explains" in text and "disagrees with every other standard" in text
    else:
        assert "آنچه با اطمینان می‌توان گفت" in text and "اهواز و اصفهان" in text
        assert "از روش" in text and "τ کندال" in text
