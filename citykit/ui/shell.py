"""The frame around every page: the page list, the language switch, the sidebar and the header.

``app.py`` calls :func:`start`, then runs the page Streamlit's navigation picked. The sidebar
holds the choices every page shares (language, dataset, who may be a candidate) and the
scenario file (save and load); each of them writes to the session's Scenario.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from ..data import bundled_datasets
from ..eligibility import PRESETS, preset_of, preset_rules, rule_from_dict
from ..exceptions import CityKitError
from ..i18n import LANGS, format_number, register, tr
from ..maps import FONT_FAMILY
from ..scenario import Scenario, ScenarioError
from . import session
from .safe import md

__all__ = ["PAGES", "pages", "read_scenario_file", "start"]

ROOT = Path(__file__).resolve().parents[2]
#: The app's pages: file (relative to the project root), URL path, title key, icon. The first
#: is the default page, served at the root (Streamlit ignores its URL path).
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("app_pages/home.py", "", "page_home", ":material/map:"),
    ("app_pages/weights.py", "weights", "page_weights", ":material/tune:"),
    ("app_pages/compare.py", "compare", "page_compare", ":material/compare_arrows:"),
    ("app_pages/robustness.py", "robustness", "page_robustness", ":material/insights:"),
    ("app_pages/shortlist.py", "shortlist", "page_shortlist", ":material/checklist:"),
    ("app_pages/data.py", "data", "page_data", ":material/database:"),
    ("app_pages/workshop.py", "workshop", "page_workshop", ":material/groups:"),
)
#: Largest scenario file accepted (a scenario is a few kilobytes).
MAX_SCENARIO_BYTES = 1_000_000

register({
    "en": {
        "page_home": "Map & ranking",
        "page_weights": "Weights & method",
        "page_compare": "Compare cities",
        "page_robustness": "Robustness",
        "page_shortlist": "Shortlist & export",
        "page_data": "Data & provenance",
        "page_workshop": "Weighting workshop",
        "sidebar_candidates": "Candidates",
        "candidate_preset": "Candidate cities",
        "candidate_preset_help": "Which cities compete. Metropolises: population of 1 million "
                                 "or more (UN World Urbanization Prospects, 2020). Urban "
                                 "centres: one city per GHSL urban centre (its core city), with "
                                 "a population floor. Towns in the capital's county or urban "
                                 "centre are left out, except provincial capitals.",
        "preset_metropolises": "Metropolises (1 million +)",
        "preset_provincial-capitals": "Provincial capitals",
        "preset_urban-centres": "Urban centres (one city each)",
        "preset_all-cities": "All cities",
        "preset_custom": "Custom rules (from a scenario file)",
        "population_floor": "Minimum population",
        "population_floor_help": "Cities below this population are not candidates (0: no "
                                 "floor). Population: UN WUP 2020 for the 28 agglomerations of "
                                 "300,000+, else the GHSL urban centre (2015), else GeoNames.",
        "sidebar_scenario": "Scenario",
        "save_scenario": "Save scenario (JSON)",
        "load_scenario": "Load a scenario file",
        "load_scenario_help": "A scenario saved by citykit (JSON).",
        "uploader_words": "The uploader's own words ('Upload', '50MB per file') are "
                          "Streamlit's.",
        "scenario_loaded": "Scenario loaded from {name}.",
        "scenario_file_too_big": "{name} is {size} bytes; a scenario file is at most {limit} "
                                 "bytes. Choose the JSON file citykit saved.",
        "reset_scenario": "Reset to the defaults",
        "link_note": "The address bar holds this scenario: copy the link to share the view.",
        "uploaded_dataset": "uploaded: {name}",
    },
    "fa": {
        "page_home": "نقشه و رتبه‌بندی",
        "page_weights": "وزن‌ها و روش",
        "page_compare": "مقایسهٔ شهرها",
        "page_robustness": "پایداری",
        "page_shortlist": "فهرست کوتاه و خروجی",
        "page_data": "داده و خاستگاه",
        "page_workshop": "کارگاه وزن‌دهی",
        "sidebar_candidates": "نامزدها",
        "candidate_preset": "شهرهای نامزد",
        "candidate_preset_help": "کدام شهرها رقابت می‌کنند. کلان‌شهرها: جمعیت یک میلیون نفر و "
                                 "بیشتر (چشم‌انداز شهرنشینی جهان سازمان ملل، ۲۰۲۰). مراکز شهری: "
                                 "یک شهر برای هر مرکز شهری GHSL (شهر هستهٔ آن)، با حداقل جمعیت. "
                                 "شهرهای شهرستان یا مرکز شهری پایتخت کنار گذاشته می‌شوند، مگر "
                                 "مراکز استان.",
        "preset_metropolises": "کلان‌شهرها (یک میلیون +)",
        "preset_provincial-capitals": "مراکز استان",
        "preset_urban-centres": "مراکز شهری (هر کدام یک شهر)",
        "preset_all-cities": "همهٔ شهرها",
        "preset_custom": "قواعد سفارشی (از پروندهٔ سناریو)",
        "population_floor": "حداقل جمعیت",
        "population_floor_help": "شهرهای کم‌جمعیت‌تر از این عدد نامزد نیستند (۰: بدون حداقل). "
                                 "جمعیت: برآورد ۲۰۲۰ سازمان ملل برای ۲۸ تجمع شهری بالای ۳۰۰ هزار "
                                 "نفر، وگرنه مرکز شهری GHSL (۲۰۱۵)، وگرنه GeoNames.",
        "sidebar_scenario": "سناریو",
        "save_scenario": "ذخیرهٔ سناریو (JSON)",
        "load_scenario": "بارگذاری پروندهٔ سناریو",
        "load_scenario_help": "سناریویی که citykit ذخیره کرده است (JSON).",
        # Streamlit draws the uploader's button and size line itself, in English only.
        "uploader_words": "واژه‌های «Upload» (بارگذاری)، «Drag and drop file here» (پرونده را "
                          "اینجا بکشید) و «50MB per file» (۵۰ مگابایت برای هر پرونده) را خود "
                          "Streamlit می‌نویسد و از citykit ترجمه‌پذیر نیستند.",
        "scenario_loaded": "سناریو از {name} بارگذاری شد.",
        "scenario_file_too_big": "حجم {name} {size} بایت است؛ پروندهٔ سناریو حداکثر {limit} بایت "
                                 "است. پروندهٔ JSON ذخیره‌شده با citykit را انتخاب کنید.",
        "reset_scenario": "بازگشت به پیش‌فرض‌ها",
        "link_note": "نشانی صفحه همین سناریو را در خود دارد: برای هم‌رسانی، پیوند را رونوشت کنید.",
        "uploaded_dataset": "بارگذاری‌شده: {name}",
    },
})


def pages() -> list:
    """The Streamlit pages, titled in the session's language."""
    lang = session.lang()
    return [st.Page(str(ROOT / path), title=tr(key, lang), icon=icon, url_path=url or None,
                    default=(i == 0))
            for i, (path, url, key, icon) in enumerate(PAGES)]


def _rules_with(s: Scenario, *, capital: bool, floor: float,
                preset: str | None = None) -> tuple[dict, ...]:
    """The scenario's eligibility rules (or a preset's) with the capital and floor rules set."""
    base = preset_rules(preset) if preset else s.eligibility
    others = [r for r in base if r.get("rule") not in ("exclude-capital", "population-floor")]
    rules = ([{"rule": "exclude-capital"}] if capital else []) + others
    if floor > 0:
        rules.append({"rule": "population-floor",
                      "minimum": int(floor) if float(floor).is_integer() else float(floor)})
    return tuple(rules)


def _floor_of(s: Scenario) -> float:
    return next((float(r.get("minimum", 0)) for r in s.eligibility
                 if r.get("rule") == "population-floor"), 0.0)


def _on_candidates_change() -> None:
    state = st.session_state
    s = session.scenario()
    session.update(eligibility=_rules_with(s, capital=bool(state["w.exclude_capital"]),
                                           floor=float(state["w.population_floor"] or 0)))


def _on_preset_change() -> None:
    """A new preset brings its own rules and floor; the capital switch keeps its setting."""
    state = st.session_state
    s = session.scenario()
    preset = state["w.candidate_preset"]
    if preset not in PRESETS:
        return
    floor = preset_of(preset_rules(preset))[1] or 0
    state["w.population_floor"] = int(floor)
    session.update(eligibility=_rules_with(s, capital=bool(state["w.exclude_capital"]),
                                           floor=float(floor), preset=preset))


def _on_dataset_change() -> None:
    session.update(dataset=st.session_state["w.dataset"], candidates=None, dataset_sha256=None)


def read_scenario_file(name: str, data: bytes, lang: str = "en") -> Scenario:
    """The Scenario in an uploaded file's bytes, checked as :func:`~citykit.scenario.run` would.

    Raises
    ------
    CityKitError
        If the file is too big, not UTF-8, not JSON, or not a valid scenario; the message names
        the file.

    Examples
    --------
    >>> read_scenario_file("s.json", Scenario(method="vikor").to_json().encode()).method
    'vikor'
    >>> read_scenario_file("s.json", b"[]")
    Traceback (most recent call last):
    ...
    citykit.exceptions.CityKitError: s.json: not a scenario: the file holds list, expected a JSON object
    """
    if len(data) > MAX_SCENARIO_BYTES:
        raise CityKitError(tr("scenario_file_too_big", lang, name=name,
                              size=format_number(len(data), lang),
                              limit=format_number(MAX_SCENARIO_BYTES, lang)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CityKitError(f"{name}: not UTF-8 text ({err.reason} at byte {err.start}); choose "
                           "the JSON file citykit saved") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise CityKitError(f"{name}: not valid JSON (line {err.lineno}, column {err.colno}: "
                           f"{err.msg}); choose the JSON file citykit saved") from None
    except RecursionError:
        raise CityKitError(f"{name}: nested too deeply to be a scenario; choose the JSON file "
                           "citykit saved") from None
    if not isinstance(raw, dict):
        raise CityKitError(f"{name}: not a scenario: the file holds {type(raw).__name__}, "
                           "expected a JSON object")
    try:
        scenario = Scenario.from_dict(raw, workspace=session.uploads_root())
        for rule in scenario.eligibility:
            rule_from_dict(rule)
    except CityKitError as err:
        raise ScenarioError(f"{name}: {err}") from None
    return scenario


def uploader_help(text: str, lang: str) -> str:
    """An uploader's help, with (in Persian) what Streamlit's own English words on it mean."""
    return text if lang == "en" else f"{text} {tr('uploader_words', lang)}"


def _load_scenario_file() -> None:
    upload = st.session_state.get("scenario_upload")
    st.session_state.pop("_scenario_message", None)
    if upload is None:
        return
    lang = session.lang()
    try:
        new = read_scenario_file(upload.name, upload.getvalue(), lang)
    except CityKitError as err:
        st.session_state["_scenario_message"] = ("error", md(err))
        return
    session.replace_scenario(new)
    st.session_state["_scenario_message"] = ("success",
                                             tr("scenario_loaded", lang, name=md(upload.name)))


def _reset() -> None:
    session.replace_scenario(Scenario())


def sidebar() -> None:
    """The shared choices: language, dataset, candidates, and the scenario file."""
    lang = session.lang()
    bar = st.sidebar
    bar.radio("Language / زبان", LANGS, key="lang", horizontal=True,
              format_func={"en": "English", "fa": "فارسی"}.get, on_change=session.sync_url)
    lang = session.lang()
    s = session.scenario()
    bar.subheader(tr("sidebar_candidates", lang))
    options = bundled_datasets()
    if s.dataset not in options:
        options = [*options, s.dataset]
    bar.selectbox(tr("dataset", lang), options, key=session.bind("w.dataset", s.dataset),
                  on_change=_on_dataset_change,
                  format_func=lambda v: v if v in bundled_datasets()
                  else tr("uploaded_dataset", lang, name=Path(v).name))
    preset = preset_of(s.eligibility)[0] or "custom"
    session.choice(bar.selectbox, tr("candidate_preset", lang),
                   [*PRESETS] + (["custom"] if preset == "custom" else []),
                   key=session.bind("w.candidate_preset", preset),
                   format_func=lambda v: tr(f"preset_{v}", lang),
                   help=tr("candidate_preset_help", lang), on_change=_on_preset_change)
    capital = any(r.get("rule") == "exclude-capital" for r in s.eligibility)
    bar.checkbox(tr("exclude_capital", lang), key=session.bind("w.exclude_capital", capital),
                 help=tr("exclude_capital_help", lang), on_change=_on_candidates_change)
    bar.number_input(tr("population_floor", lang), min_value=0, step=50_000,
                     key=session.bind("w.population_floor", int(_floor_of(s))),
                     help=tr("population_floor_help", lang), on_change=_on_candidates_change)
    bar.subheader(tr("sidebar_scenario", lang))
    bar.download_button(tr("save_scenario", lang), data=s.to_json() + "\n",
                        file_name="citykit-scenario.json", mime="application/json",
                        key="save_scenario", on_click="ignore")
    bar.file_uploader(tr("load_scenario", lang), type=["json"], key="scenario_upload",
                      on_change=_load_scenario_file,
                      help=uploader_help(tr("load_scenario_help", lang), lang))
    message = st.session_state.get("_scenario_message")
    if message:
        (bar.error if message[0] == "error" else bar.success)(message[1])
    bar.button(tr("reset_scenario", lang), key="reset_scenario", on_click=_reset)
    bar.caption(tr("link_note", lang))


#: Where Streamlit's static serving publishes ``static/fonts/`` (see ``.streamlit/config.toml``).
FONT_URL = "app/static/fonts/Vazirmatn-Variable.woff2"


def app_css(lang: str) -> str:
    """The page's ``<style>``: in Persian, a right-to-left layout and the bundled Vazirmatn font.

    The font is served by the app's own server (Streamlit static serving of ``static/``); maps
    and data grids keep a left-to-right box (their text is laid out by the browser either way).

    Examples
    --------
    >>> app_css("en")
    ''
    >>> "direction: rtl" in app_css("fa") and FONT_URL in app_css("fa")
    True
    """
    if lang != "fa":
        return ""
    text = ("[data-testid='stMain'] :is(h1, h2, h3, h4, p, label, li, td, th, span), "
            "[data-testid='stSidebar'] :is(h1, h2, h3, p, label, li, span), "
            "[data-testid='stMetricValue'], [data-testid='stMetricLabel'], "
            "[data-testid='stSidebarNav'] span")
    return (
        "<style>\n"
        "@font-face {font-family: 'Vazirmatn'; font-weight: 100 900; font-display: swap; "
        f"src: url('{FONT_URL}') format('woff2');}}\n"
        "[data-testid='stMain'], [data-testid='stSidebar'] {direction: rtl; text-align: right;}\n"
        # Streamlit sets text-align: left on every element's container; Persian text starts
        # on the right (start = right in a right-to-left block, left in the charts' blocks).
        "[data-testid='stMain'] [data-testid='stElementContainer'] {text-align: start;}\n"
        f"{text} {{font-family: {FONT_FAMILY['fa']};}}\n"
        # Icons are ligatures of their own font: keep it, or they show as words ("map").
        "[data-testid='stIconMaterial'] {font-family: 'Material Symbols Rounded' !important;}\n"
        # Charts, grids and slider tracks are drawn left to right; keep their captions in line.
        "[data-testid='stPlotlyChart'], [data-testid='stDataFrame'], [data-testid='stSlider'] "
        "{direction: ltr;}\n"
        "[data-testid='stSlider'] [data-testid='stWidgetLabel'] {direction: rtl;}\n"
        "</style>"
    )


def start() -> None:
    """Set up a run: session state from the URL, the sidebar, the language's styles."""
    session.init()
    session.sync_url()  # also after a page switch, which clears the query string
    sidebar()
    lang = session.lang()
    if css := app_css(lang):
        st.html(css)
    st.html(f'<div dir="{"rtl" if lang == "fa" else "ltr"}" lang="{lang}" '
            'data-testid="citykit-lang"></div>')
    for problem in session.url_problems():
        st.warning(tr("url_problem", lang, problem=md(problem)))
