"""Stored and reflected markdown injection (issue 14, item 2), driven headless with AppTest.

A workshop title, a participant's name, a framework label on a slider, a saved scenario's name,
the ``ws`` query parameter and the city names of an uploaded dataset are data: the page's
markdown elements must carry them escaped (citykit.ui.safe.md), never as a live image or link.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from citykit.data import load_dataset, save_dataset
from citykit.scenario import Scenario, run
from citykit.ui.safe import md
from citykit.workshop import WorkshopStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")
IMAGE = "![x](http://203.0.113.9/r.png)"
LINK = "[Re-login here](http://203.0.113.9/login)"
KATEX = "$x^2$"
RAW = ("](http", "![", "$x^2$")


@pytest.fixture
def data(workshop_data) -> WorkshopStore:
    return workshop_data




def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown(at) -> list[str]:
    """Every markdown-read text of the page: elements, widget labels, metric labels, tables."""
    out = [str(e.value) for kind in ("markdown", "caption", "header", "subheader", "title",
                                     "info", "success", "warning", "error") for e in getattr(at, kind)]
    for kind in ("slider", "number_input", "select_slider", "text_input", "checkbox", "radio",
                 "button", "metric"):
        out += [str(w.label) for w in getattr(at, kind)]
    for table in at.table:
        out += [str(v) for v in table.value.to_numpy().ravel()]
    return out


def assert_no_live(at) -> None:
    for text in shown(at):
        for raw in RAW:
            assert raw not in text, text


def test_workshop_title_participant_and_labels_are_escaped(data):
    title = f"Pilot {IMAGE} {LINK}"
    ws, key = data.create_workshop(title, ["a", "b"], labels={
        "a": {"en": f"Economy {IMAGE}", "fa": f"اقتصاد {IMAGE}"},
        "b": {"en": KATEX, "fa": KATEX}})
    bob = open_page("app_pages/workshop.py", ws=ws.code)
    assert md(title) in bob.header[0].value
    bob.text_input(key="ws_join_name").set_value(f"Bob {LINK}").run()
    bob.button(key="ws_join").click().run()
    assert not bob.exception
    assert any(md(f"Bob {LINK}") in m.value for m in bob.markdown)
    labels = [s.label for s in bob.slider]
    assert labels == [md(f"Economy {IMAGE}"), md(KATEX)]
    assert_no_live(bob)
    bob.radio(key="ws_mode").set_value("pairwise").run()
    assert bob.select_slider[0].label == f"{md(f'Economy {IMAGE}')} ↔ {md(KATEX)}"
    assert_no_live(bob)
    bob.radio(key="ws_mode").set_value("weights").run()
    bob.slider(key=f"ws_w.{ws.code}.a").set_value(50).run()
    bob.slider(key=f"ws_w.{ws.code}.b").set_value(50).run()
    bob.button(key="ws_submit").click().run()
    assert not bob.exception and not bob.error

    fac = open_page("app_pages/workshop.py", ws=ws.code, key=key)
    names = fac.table[0].value.iloc[:, 1].tolist()
    assert names == [md(f"Bob {LINK}")]
    assert_no_live(fac)
    fac.radio(key="lang").set_value("fa").run()
    assert not fac.exception
    assert md(title) in fac.header[0].value
    assert_no_live(fac)


def test_saved_scenario_name_and_loaded_message_are_escaped(data):
    ws, key = data.create_workshop("t", ["economy", "health_living"])
    name = f"Group {IMAGE}"
    data.save_scenario(name, Scenario().to_json())
    at = open_page("app_pages/workshop.py")
    at.selectbox(key="ws_load_choice").set_value(name).run()
    at.button(key="ws_load").click().run()
    assert not at.exception
    assert any(md(name) in s.value for s in at.success), [s.value for s in at.success]
    assert_no_live(at)


def test_ws_query_parameter_is_escaped():
    at = open_page("app_pages/workshop.py", ws=IMAGE)
    assert at.error, "an unknown code shows an error"
    assert all("](" not in e.value and "![" not in e.value for e in at.error)
    assert_no_live(at)


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory) -> Path:
    """The Iran data with the default candidates renamed to markdown attacks."""
    folder = save_dataset(load_dataset("iran"), tmp_path_factory.mktemp("ds") / "hostile",
                          checksums=False)
    ids = [str(c) for c in run(Scenario()).ranking.ranks.sort_values().index]
    cities = pd.read_csv(folder / "cities.csv", dtype=str, keep_default_na=False)
    attacks = [IMAGE, LINK, KATEX, "<img src=x>", "**b** #h"]
    for cid, attack in zip(ids, attacks, strict=False):
        cities.loc[cities["city_id"] == cid, ["name_en", "name_fa"]] = f"{cid} {attack}"
    cities.to_csv(folder / "cities.csv", index=False)
    return folder


def test_compare_shows_hostile_city_names_escaped(hostile_dataset):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_scenario"] = Scenario(dataset=str(hostile_dataset))
    at.run()
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = [m.label for m in at.metric]
    assert any(md(IMAGE) in label for label in metrics), metrics
    assert any(md(IMAGE) in m.value for m in at.markdown)
    assert_no_live(at)
    radar = next(e for e in at.get("plotly_chart") if "scatterpolar" in e.proto.spec)
    assert "<img" not in radar.proto.spec
    at.radio(key="lang").set_value("fa").run()
    assert not at.exception
    assert_no_live(at)
