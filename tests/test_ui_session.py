"""The app's frame: session state from and to the URL, the shared sidebar, scenario files.

Runs the whole app with AppTest; the page shown is the home page, but these tests only look at
what every page shares (the scenario, the language, the query string, the sidebar).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from citykit.eligibility import PRESETS, preset_rules
from citykit.exceptions import CityKitError
from citykit.i18n import LANGS, TEXT
from citykit.scenario import Scenario, ScenarioError, run
from citykit.ui import shell
from citykit.ui.safe import unescape_md
from citykit.ui.urlstate import decode_scenario, encode_scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _scenario(at: AppTest) -> Scenario:
    return at.session_state["_scenario"]


def test_a_fresh_session_starts_from_the_app_defaults():
    at = _app()
    assert not at.exception
    assert _scenario(at) == Scenario()
    assert at.query_params["lang"] == "en" and "s" not in at.query_params


def test_a_link_restores_the_scenario_the_language_and_the_comparison():
    s = Scenario().with_(method="topsis", robustness={"draws": 300, "top_k": 3, "seed": 7,
                                                        "concentration": 50.0})
    at = _app(s=encode_scenario(s, base=Scenario()), lang="fa", cmp="128747,418863")
    assert not at.exception
    assert _scenario(at) == s
    assert at.session_state["lang"] == "fa"
    assert at.session_state["_compare"] == ["128747", "418863"]


def test_a_broken_link_warns_and_opens_with_the_defaults():
    at = _app(s="%%%not-a-token", lang="xx")
    assert not at.exception
    assert _scenario(at) == Scenario() and at.session_state["lang"] == "en"
    assert any("could not be fully restored" in w.value and "not a citykit scenario token"
               in w.value for w in at.warning)


def test_population_floor_and_capital_toggle_write_the_scenario_and_the_url():
    at = _app()
    assert at.number_input(key="w.population_floor").value == 0  # the default has no floor
    at.number_input(key="w.population_floor").set_value(1_500_000).run()
    assert _scenario(at).eligibility == preset_rules("metropolises", min_population=1_500_000)
    assert _scenario(at).candidate_preset == "metropolises"   # the floor keeps the preset
    at.checkbox(key="w.exclude_capital").uncheck().run()
    rules = _scenario(at).eligibility
    assert [r["rule"] for r in rules] == ["exclude-capital-area", "metropolis-only",
                                          "population-floor"]
    assert not at.exception
    assert decode_scenario(at.query_params["s"], base=Scenario()).eligibility == rules
    restored = _app(s=at.query_params["s"])
    assert _scenario(restored).eligibility == rules
    assert restored.checkbox(key="w.exclude_capital").value is False
    assert restored.number_input(key="w.population_floor").value == 1_500_000
    assert restored.selectbox(key="w.candidate_preset@en").value == "metropolises"
    at.number_input(key="w.population_floor").set_value(0).run()
    assert _scenario(at).eligibility == ({"rule": "exclude-capital-area"},
                                         {"rule": "metropolis-only"})
    # The capital, a metropolis, is now a candidate beside the other eight.
    ranked = run(_scenario(at)).ranking.scores.index
    assert "112931" in ranked and len(ranked) == 9
    assert not at.exception


def test_the_candidate_preset_box_sets_the_rules_the_floor_and_the_url():
    at = _app()
    box = at.selectbox(key="w.candidate_preset@en")
    assert box.value == "metropolises" and box.options == [
        "Metropolises (1 million +)", "Provincial capitals", "Urban centres (one city each)",
        "All cities"]
    box.set_value("urban-centres").run()
    assert not at.exception and not at.error
    assert _scenario(at).eligibility == preset_rules("urban-centres")
    assert at.number_input(key="w.population_floor").value == 100_000  # the preset's floor
    assert decode_scenario(at.query_params["s"], base=Scenario()) == _scenario(at)
    at.number_input(key="w.population_floor").set_value(250_000).run()
    assert _scenario(at).eligibility == preset_rules("urban-centres", min_population=250_000)
    assert at.selectbox(key="w.candidate_preset@en").value == "urban-centres"
    restored = _app(s=at.query_params["s"])
    assert _scenario(restored) == _scenario(at)
    assert restored.selectbox(key="w.candidate_preset@en").value == "urban-centres"
    assert restored.number_input(key="w.population_floor").value == 250_000
    # A preset without a floor clears the box; the capital switch keeps its setting.
    at.checkbox(key="w.exclude_capital").uncheck().run()
    at.selectbox(key="w.candidate_preset@en").set_value("provincial-capitals").run()
    assert _scenario(at).eligibility == ({"rule": "provincial-capitals-only"},)
    assert at.number_input(key="w.population_floor").value == 0
    assert at.checkbox(key="w.exclude_capital").value is False
    at.selectbox(key="w.candidate_preset@en").set_value("metropolises").run()
    at.checkbox(key="w.exclude_capital").check().run()
    assert _scenario(at) == Scenario() and "s" not in at.query_params
    assert not at.exception


def test_the_preset_labels_follow_the_language():
    at = _app(lang="fa")
    box = at.selectbox(key="w.candidate_preset@fa")
    assert box.label == TEXT["fa"]["candidate_preset"]
    assert box.options == [TEXT["fa"][f"preset_{name}"] for name in PRESETS]
    assert box.value == "metropolises"
    box.set_value("all-cities").run()
    assert _scenario(at).eligibility == preset_rules("all-cities")
    at.radio(key="lang").set_value("en").run()
    english = at.selectbox(key="w.candidate_preset@en")
    assert english.value == "all-cities" and english.options[-1] == "All cities"
    assert not at.exception


def test_rules_that_are_no_preset_show_as_custom():
    custom = Scenario().with_(eligibility=({"rule": "exclude-capital"},
                                           {"rule": "provincial-capitals-only"},
                                           {"rule": "metropolis-only"}))
    assert custom.candidate_preset is None
    at = _app(s=encode_scenario(custom, base=Scenario()))
    box = at.selectbox(key="w.candidate_preset@en")
    assert box.value == "custom" and box.options[-1] == "Custom rules (from a scenario file)"
    assert _scenario(at) == custom and not at.exception
    box.set_value("metropolises").run()
    assert _scenario(at) == Scenario()
    assert "Custom rules (from a scenario file)" not in \
        at.selectbox(key="w.candidate_preset@en").options


def test_sessions_do_not_share_state():
    one, two = _app(), _app()
    one.number_input(key="w.population_floor").set_value(1_000_000).run()
    one.radio(key="lang").set_value("fa").run()
    two.run()
    assert _scenario(two) == Scenario() and two.session_state["lang"] == "en"
    assert _scenario(one) != Scenario()


def test_reset_restores_the_defaults_and_reseeds_the_widgets():
    at = _app()
    at.selectbox(key="w.candidate_preset@en").set_value("urban-centres").run()
    at.number_input(key="w.population_floor").set_value(300_000).run()
    at.button(key="reset_scenario").click().run()
    assert _scenario(at) == Scenario()
    assert at.number_input(key="w.population_floor").value == 0
    assert at.selectbox(key="w.candidate_preset@en").value == "metropolises"
    assert at.checkbox(key="w.exclude_capital").value is True


def test_the_save_button_offers_the_scenario_as_json():
    at = _app()
    (button,) = [b for b in at.get("download_button") if b.proto.label == "Save scenario (JSON)"]
    assert button.proto.url


def test_scenario_files_round_trip_and_bad_files_are_clear_errors():
    s = Scenario().with_(method="promethee2")
    assert shell.read_scenario_file("a.json", s.to_json().encode("utf-8-sig")) == s
    cases = [
        (b"\xff\xfe{", "not UTF-8 text"),
        (b"{", r"not valid JSON \(line 1, column 2"),
        (b'"text"', "holds str, expected a JSON object"),
        (b'{"method": "wsum", "colour": 1}', r"a.json: unknown scenario keys \['colour'\]"),
        (b'{"eligibility": [{"rule": "tallest-tower"}]}', "unknown eligibility rule"),
        (b" " * (shell.MAX_SCENARIO_BYTES + 1), "a scenario file is at most 1,000,000 bytes"),
    ]
    for data, match in cases:
        with pytest.raises(CityKitError, match=match):
            shell.read_scenario_file("a.json", data)
    with pytest.raises(ScenarioError, match="a.json: unknown scenario keys"):
        shell.read_scenario_file("a.json", b'{"colour": 1}')


def test_every_string_has_both_languages():
    import importlib
    import pkgutil

    import citykit.ui
    for info in pkgutil.iter_modules(citykit.ui.__path__):
        importlib.import_module(f"citykit.ui.{info.name}")
    missing = {lang: sorted(set(TEXT["en"]) - set(TEXT[lang])) for lang in LANGS}
    assert missing == {lang: [] for lang in LANGS}
    extra = sorted(set(TEXT["fa"]) - set(TEXT["en"]))
    assert extra == []
    empty = [k for lang in LANGS for k, v in TEXT[lang].items() if not v.strip()
             and k != "font_note"]
    assert empty == []


def test_the_served_font_is_the_bundled_font():
    root = Path(__file__).resolve().parents[1]
    served = root / "static" / "fonts" / "Vazirmatn-Variable.woff2"
    bundled = root / "citykit" / "assets" / "fonts" / "Vazirmatn-Variable.woff2"
    assert served.read_bytes() == bundled.read_bytes()
    assert (root / "static" / "fonts" / "OFL.txt").read_bytes() == \
        (bundled.parent / "OFL.txt").read_bytes()
    assert shell.FONT_URL.startswith("app/static/fonts/")
    config = (root / ".streamlit" / "config.toml").read_text()
    assert "enableStaticServing = true" in config and "gatherUsageStats = false" in config


def test_a_link_cannot_point_the_server_at_another_folder():
    token = encode_scenario(Scenario().with_(dataset="/etc"), base=Scenario())
    at = _app(s=token)
    assert not at.exception and _scenario(at) == Scenario()
    assert any("resolves to '/etc', outside the workspace" in unescape_md(w.value)
               for w in at.warning)
    with pytest.raises(ScenarioError, match="outside the workspace"):
        shell.read_scenario_file("a.json", b'{"dataset": "../../../etc"}')


def test_the_link_keeps_the_scenario_after_a_page_switch():
    at = _app()
    at.number_input(key="w.population_floor").set_value(300_000).run()
    token = at.query_params["s"]
    at.switch_page("app_pages/compare.py").run()
    assert at.query_params["s"] == token
