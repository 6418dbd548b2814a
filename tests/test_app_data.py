"""The "Data & provenance" page, run headless with AppTest.

Uploads go through the page's own file uploaders: AppTest 1.67 drives ``st.file_uploader``
(``at.file_uploader(key=...).set_value([(name, bytes, mime), ...])``), and the page's button
callback then checks the files exactly as in the browser. Uploads are written under a temporary
folder (``$CITYKIT_DATA`` points at a fresh one for each test).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit.data import load_dataset, save_dataset
from citykit.frameworks import frameworks_root
from citykit.i18n import format_percent
from citykit.scenario import Scenario, run
from citykit.ui.safe import unescape_md

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "app_pages/data.py"
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
CSV = "text/csv"


@pytest.fixture
def at(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("CITYKIT_DATA", str(tmp_path))  # uploads land in tmp_path/uploads
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(scope="module")
def three_provinces(tmp_path_factory) -> list[tuple[str, bytes, str]]:
    folder = save_dataset(load_dataset("iran"), tmp_path_factory.mktemp("ds") / "three",
                          provinces=["IR-07", "IR-10", "IR-21"], checksums=False)
    return [(p.name, p.read_bytes(), CSV) for p in sorted(folder.iterdir())]


def _heatmap(app: AppTest) -> dict:
    figs = [json.loads(el.proto.spec) for el in app.get("plotly_chart")]
    (fig,) = [f for f in figs if f["data"][0]["type"] == "heatmap"]
    return fig


def _upload(app: AppTest, files) -> None:
    app.file_uploader(key="data_upload_files").set_value(files).run()
    app.button(key="data_upload_button").click().run()


def test_renders_in_english_and_persian(at):
    assert not at.error
    assert {m.label: m.value for m in at.metric}["Provinces"] == "31"
    fig = _heatmap(at)
    heat = fig["data"][0]
    assert len(heat["x"]) == 8 and len(heat["y"]) == 38        # 8 candidates, 38 leaves
    assert heat["colorbar"]["ticktext"][-1] == "missing"
    assert fig["layout"]["xaxis"]["ticktext"][0].startswith("1. ")
    tables = [df.value for df in at.dataframe]
    assert any("Licence" in t.columns for t in tables)            # sources and licences
    gaps = next(t for t in tables if "Candidates without a value" in t.columns)
    # 9 components without data for anyone; 11 urban-centre indicators only Karaj lacks.
    assert len(gaps) == 9 + 11
    assert gaps["Candidates without a value"].value_counts().to_dict() == {8: 9, 1: 11}
    assert any("All files match" in s.value for s in at.success)  # integrity
    assert any(len(c.value) == 64 for c in at.code)               # the fingerprint
    assert any("proxy" in i.value for i in at.info)

    at.radio(key="lang").set_value("fa").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "داده و خاستگاه"
    assert {m.label: m.value for m in at.metric}["استان‌ها"] == "۳۱"
    fig = _heatmap(at)
    assert fig["layout"]["xaxis"]["ticktext"][0].startswith("۱. ")
    assert PERSIAN_DIGITS & set(fig["layout"]["title"]["text"])
    assert fig["data"][0]["colorbar"]["ticktext"][-1] == "ناموجود"
    gaps = next(df.value for df in at.dataframe if "نامزدهای بدون مقدار" in df.value.columns)
    assert set(gaps["نامزدهای بدون مقدار"]) == {"۸", "۱"}
    # issue 15, item 5: the dataset's own Persian title, not the English one
    assert any("ایران: استان‌ها" in unescape_md(h.value) for h in at.subheader)


def test_city_level_weight_and_register_in_english_and_persian(at):
    result = run(Scenario())
    shares = result.weight_by_provenance()["city-level"]
    metrics = {m.label: m.value for m in at.metric}
    label = "Ranking weight on city-level values"
    assert metrics[label] == format_percent(result.city_level_share(), "en") == "43%"
    assert any(c.value == f"Lowest: Karaj, {format_percent(shares['128747'], 'en')} (its other "
               "values are proxies or imputed)." for c in at.caption)
    assert shares.idxmin() == "128747"
    assert "City register and urban centres" in [h.value for h in at.subheader]
    expanders = [e.label for e in at.expander]
    assert "Register audit: every merge, drop and override, with its reason" in expanders
    assert "City ↔ urban-centre join (method per city)" in expanders
    tables = [df.value for df in at.dataframe]
    audit = result.dataset.side_table("register_audit")
    join = result.dataset.side_table("centre_join")
    assert any(t.shape == audit.shape and list(t.columns) == list(audit.columns) for t in tables)
    assert any(t.shape == join.shape and list(t.columns) == list(join.columns) for t in tables)
    assert any("urban-centre values" in c.value for c in at.caption)  # the coverage shares

    at.radio(key="lang").set_value("fa").run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["سهم وزن رتبه‌بندی بر مقادیر سطح شهر"] == format_percent(
        result.city_level_share(), "fa") == "۴۳٪"
    assert any(c.value.startswith("کمترین: کرج، ") for c in at.caption)
    assert "فهرست شهرها و مراکز شهری" in [h.value for h in at.subheader]
    expanders = [e.label for e in at.expander]
    assert "ممیزی فهرست: هر ادغام، حذف و اصلاح، با دلیل آن" in expanders
    assert "پیوند شهر با مرکز شهری (روش برای هر شهر)" in expanders


def test_top_n_limits_the_heatmap(at):
    at.number_input(key="data_top_n").set_value(7).run()
    assert not at.exception
    heat = _heatmap(at)["data"][0]
    assert len(heat["x"]) == 7 and len(heat["z"][0]) == 7


def test_an_invalid_upload_shows_its_problems_and_keeps_the_data(at, three_provinces):
    at.sidebar.checkbox(key="w.exclude_capital").uncheck().run()
    before = at.session_state["_scenario"]
    broken = [(n, b.replace(b"city_id", b"town_id", 1) if n == "cities.csv" else b, m)
              for n, b, m in three_provinces]
    _upload(at, broken)
    assert not at.exception
    assert any("The files were not used" in e.value for e in at.error)
    problems = next(df.value for df in at.dataframe if "Problem" in df.value.columns)
    assert problems.loc[0, "File"] == "cities.csv"
    assert "missing required column 'city_id'" in problems.loc[0, "Problem"]
    assert at.session_state["_scenario"].dataset == "iran"
    assert at.session_state["_scenario"] == before                # nothing else changed
    assert {m.label: m.value for m in at.metric}["Provinces"] == "31"


# An uploaded dataset without checksums.sha256 loads with this warning, by design.
@pytest.mark.filterwarnings("ignore:.*has no checksums.sha256:citykit.exceptions.CityKitWarning")
def test_a_valid_upload_switches_the_dataset(at, three_provinces, tmp_path):
    _upload(at, three_provinces)
    assert not at.exception and not at.error
    scenario = at.session_state["_scenario"]
    assert Path(scenario.dataset).parent == (tmp_path / "uploads").resolve()
    assert scenario.candidates is None and scenario.dataset_sha256 is None
    assert at.sidebar.selectbox(key="w.dataset").value == scenario.dataset
    assert any("is in use: 73 cities" in s.value and "unverified" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["Provinces"] == "3"
    assert any("no checksum manifest" in w.value for w in at.warning)
    ranked = run(scenario).ranking.scores                         # the new dataset's ranking
    names = load_dataset(scenario.dataset, verify=False).cities["name_en"]
    assert set(names[ranked.index]) == {"Isfahan", "Shiraz"}      # its two metropolises
    assert len(_heatmap(at)["data"][0]["x"]) == len(ranked)


def test_framework_upload_errors_inline_then_switches(at):
    at.button(key="data_framework_button").click().run()          # no file chosen yet
    assert not at.exception
    assert any("The framework was not used: 1 problem" in e.value for e in at.error)
    problems = next(df.value for df in at.dataframe if "Problem" in df.value.columns)
    assert problems.loc[0, "Problem"].startswith("No file chosen")
    text = (frameworks_root() / "iran_national.yaml").read_bytes()
    bad = text.replace(b"census_literacy_rate_15plus", b"census_literacy_rat")
    at.file_uploader(key="data_framework_file").set_value(("mine.yaml", bad, "text/yaml")).run()
    at.button(key="data_framework_button").click().run()
    assert not at.exception
    assert any("The framework was not used" in e.value for e in at.error)
    problems = next(df.value for df in at.dataframe if "Problem" in df.value.columns)
    assert "unknown indicator code 'census_literacy_rat'" in problems.loc[0, "Problem"]
    assert at.session_state["_scenario"].framework == "iran_national"

    at.file_uploader(key="data_framework_file").set_value(("mine.yaml", text, "text/yaml")).run()
    at.button(key="data_framework_button").click().run()
    assert not at.exception and not at.error
    scenario = at.session_state["_scenario"]
    assert Path(scenario.framework).name == "mine.yaml" and scenario.weights == "framework"
    assert any("is in use (38 components)" in s.value for s in at.success)


@pytest.mark.filterwarnings("ignore:.*has no checksums.sha256:citykit.exceptions.CityKitWarning")
def test_a_valid_dataset_the_scenario_cannot_rank_is_shown_without_a_traceback(at, synthetic):
    folder = synthetic(seed=5)  # SYNTHETIC data: its indicators are not the framework's
    _upload(at, [(p.name, p.read_bytes(), CSV) for p in sorted(folder.iterdir())])
    assert not at.exception
    assert Path(at.session_state["_scenario"].dataset).name.startswith("dataset-")
    assert any("cannot rank it" in w.value and "unknown indicator code" in w.value
               for w in at.warning)
    assert any("unknown indicator code" in e.value for e in at.error)   # inline, in the page
    heat = _heatmap(at)["data"][0]
    assert len(heat["y"]) == 2 and len(heat["x"]) == 4   # by indicator, every city
    assert {m.label: m.value for m in at.metric}["Cities"] == "4"


def test_uploaders_say_in_persian_what_streamlits_own_words_mean(at):
    """Issue 15, item 5: Streamlit writes "Upload" and "50MB per file" itself, in English; the
    Persian help of every uploader says what they mean."""
    at.radio(key="lang").set_value("fa").run()
    helps = [u.help for u in at.get("file_uploader")]
    assert len(helps) >= 3 and all("«Upload» (بارگذاری)" in h for h in helps), helps
    at.radio(key="lang").set_value("en").run()
    assert not any("Upload»" in (u.help or "") for u in at.get("file_uploader"))
