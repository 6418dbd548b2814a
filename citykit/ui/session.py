"""One user's state in the app, kept in Streamlit's session and mirrored in the URL.

The truth is a :class:`~citykit.scenario.Scenario` in the session (never in a widget): widgets
are seeded from it (:func:`bind`) and write back through :func:`update`, so leaving a page (which
makes Streamlit forget that page's widgets) loses nothing, and a link with the scenario token
(``?s=…``, see :mod:`citykit.ui.urlstate`) restores the whole view. Each browser session has its
own state; what is shared between sessions is read-only: the loaded datasets and frameworks and
the results of scenarios, cached by their exact JSON.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import streamlit as st

from ..data import Dataset, load_dataset
from ..exceptions import CityKitError
from ..frameworks import Framework, load_framework
from ..i18n import LANGS, register, tr
from ..messages import localise
from ..robustness import Acceptability, robustness
from ..scenario import Result, Scenario, run
from ..storage import uploads_folder
from .safe import md
from .urlstate import decode_scenario, encode_scenario

__all__ = [
    "WIDGET_PREFIX", "acceptability", "bind", "choice", "compare_ids", "dataset", "framework",
    "init", "lang", "replace_scenario", "result", "result_or_stop", "scenario", "set_compare", "show_error",
    "sync_url", "toggle_compare", "update",
]

#: Prefix of the keys of widgets bound to the scenario (forgotten when a scenario is loaded).
WIDGET_PREFIX = "w."
_SCENARIO, _COMPARE, _PROBLEMS, _LANG = "_scenario", "_compare", "_url_problems", "lang"
#: At most this many cities side by side.
MAX_COMPARE = 5
#: Query parameters a page owns (the workshop's code and the facilitator's key): the URL sync
#: keeps them as they are, so a workshop link survives the session's first run.
PAGE_PARAMS = ("ws", "key")

register({
    "en": {
        "error_prefix": "Could not complete this step",
        "url_problem": "The link could not be fully restored: {problem}. The app opened with the "
                       "default settings instead.",
    },
    "fa": {
        "error_prefix": "این مرحله انجام نشد",
        "url_problem": "پیوند به‌طور کامل بازیابی نشد: {problem}. برنامه با تنظیمات پیش‌فرض "
                       "باز شد.",
    },
})


def init() -> None:
    """Start the session from the URL on its first run (later runs keep the session's state)."""
    state = st.session_state
    if _SCENARIO in state:
        return
    params = st.query_params
    problems = []
    lang_param = params.get("lang", "en")
    state[_LANG] = lang_param if lang_param in LANGS else "en"
    try:
        state[_SCENARIO] = decode_scenario(params.get("s", ""), base=Scenario(),
                                           workspace=uploads_root())
    except CityKitError as err:
        problems.append(str(err))
        state[_SCENARIO] = Scenario()
    state[_COMPARE] = [c for c in params.get("cmp", "").split(",") if c][:MAX_COMPARE]
    state[_PROBLEMS] = problems
    sync_url()


def uploads_root() -> Path:
    """The only folder besides the bundled data that a link or scenario file may point into:
    where the Data page stores uploads, ``<data folder>/uploads``, private to the server's user
    (:func:`citykit.storage.uploads_folder`; its real path, checked on every call)."""
    return uploads_folder()


def url_problems() -> list[str]:
    """What could not be restored from the link the session started with."""
    return list(st.session_state.get(_PROBLEMS, []))


def lang() -> str:
    """The interface language, ``"en"`` or ``"fa"``."""
    return st.session_state.get(_LANG, "en")


def scenario() -> Scenario:
    """The session's current scenario."""
    return st.session_state.get(_SCENARIO, Scenario())


def update(**changes) -> Scenario:
    """Change some choices of the scenario (the widgets keep their own state)."""
    new = replace(scenario(), **changes)
    if new != scenario():
        st.session_state[_SCENARIO] = new
        sync_url()
    return new


def replace_scenario(new: Scenario) -> None:
    """Switch to another scenario (a loaded file, a preset) and reseed every bound widget."""
    st.session_state[_SCENARIO] = new
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIX)]:
        del st.session_state[key]
    sync_url()


def bind(key: str, value) -> str:
    """Seed widget `key` (which must start with :data:`WIDGET_PREFIX`) with `value` once.

    Returns the key, to pass to the widget: ``st.radio(..., key=bind("w.method", s.method))``.
    """
    if not key.startswith(WIDGET_PREFIX):
        raise ValueError(f"bound widget keys start with {WIDGET_PREFIX!r}; got {key!r}")
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def choice(widget, label: str, options, *, key: str, on_change: Callable[[], None] | None = None,
           **kwargs):
    """A select box or multiselect whose option labels follow the language.

    Streamlit identifies a keyed select box by its key alone and keeps showing the label it
    first drew, so after a switch of language the chosen option would still read in the old
    language. The widget therefore gets a key per language (``key@fa``), while `key` itself
    stays plain session state holding the value: pages and callbacks read and write `key` as
    usual, and the widget of each language is seeded from it. The widget is seeded again
    whenever its option labels change (e.g. "Method default (Vector)" after a method change).

    Examples
    --------
    ``session.choice(st.selectbox, "Method", METHODS, key=session.bind("w.method", s.method),
    on_change=on_method, format_func=...)``
    """
    state = st.session_state
    widget_key = f"{key}@{lang()}"
    # Streamlit keeps a select box's choice as its label; when the labels change while the
    # options stay (a method's default normalisation named in the label), the old label
    # matches nothing and came back as the value. Reseed the widget whenever its labels change.
    shown = kwargs.get("format_func", str)
    labels = [str(shown(option)) for option in options]
    if key in state and (state.get(widget_key) != state[key]
                         or state.get(f"{widget_key}.labels") != labels):
        state[widget_key] = state[key]
    state[f"{widget_key}.labels"] = labels

    def changed() -> None:
        state[key] = state[widget_key]
        if on_change is not None:
            on_change()

    value = widget(label, options, key=widget_key, on_change=changed, **kwargs)
    state[key] = value
    return value


def compare_ids() -> list[str]:
    """City ids chosen for the comparison page (in the order chosen)."""
    return list(st.session_state.get(_COMPARE, []))


def set_compare(ids) -> None:
    """Choose the cities to compare (at most :data:`MAX_COMPARE`; duplicates dropped)."""
    unique = list(dict.fromkeys(str(i) for i in ids))[:MAX_COMPARE]
    st.session_state[_COMPARE] = unique
    sync_url()


def toggle_compare(city_id: str) -> None:
    """Add a city to the comparison, or remove it when it is there already."""
    ids = compare_ids()
    set_compare([i for i in ids if i != city_id] if city_id in ids else ids + [city_id])


def sync_url() -> None:
    """Write the session's state into the query string (a link reproduces the view)."""
    wanted = {"lang": lang()}
    token = encode_scenario(scenario(), base=Scenario())
    if token:
        wanted["s"] = token
    if compare_ids():
        wanted["cmp"] = ",".join(compare_ids())
    for name in PAGE_PARAMS:
        if name in st.query_params:
            wanted[name] = st.query_params[name]
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


@st.cache_resource(show_spinner=False, max_entries=8)
def _dataset(source: str) -> Dataset:
    # Data with a checksum manifest is verified (tampered files are refused); an upload without
    # one loads as unverified (the Data page says so) instead of warning on every load.
    from ..data import _resolve
    from ..integrity import MANIFEST_NAME

    path = _resolve(source)
    return load_dataset(source, verify=not path.is_dir() or (path / MANIFEST_NAME).exists())


@st.cache_resource(show_spinner=False, max_entries=32)
def _framework(source: str, dataset_source: str) -> Framework:
    return load_framework(source, dataset=_dataset(dataset_source))


def dataset(source: str | None = None) -> Dataset:
    """The scenario's dataset (or `source`), loaded and verified once per server process."""
    return _dataset(source if source is not None else scenario().dataset)


def framework(source: str | None = None) -> Framework | None:
    """The scenario's framework (or `source`) checked against the scenario's dataset."""
    source = source if source is not None else scenario().framework
    return None if source is None else _framework(source, scenario().dataset)


@st.cache_resource(show_spinner=False, max_entries=64)
def _run(scenario_json: str) -> Result:
    s = Scenario.from_json(scenario_json)
    fw = None if s.framework is None else _framework(s.framework, s.dataset)
    return run(s, dataset=_dataset(s.dataset), framework=fw)


def result(of: Scenario | None = None) -> Result:
    """The ranking of the scenario (cached by its exact JSON; shared read-only)."""
    return _run((of or scenario()).to_json())


@st.cache_resource(show_spinner=False, max_entries=16)
def _acceptability(scenario_json: str, _progress=None) -> Acceptability:
    return robustness(_run(scenario_json), progress=_progress)


def acceptability(of: Scenario | None = None, *,
                  progress: Callable[[int, int], None] | None = None) -> Acceptability:
    """SMAA rank acceptability of the scenario under its robustness settings (cached).

    `progress(done, total)` is called while the draws run (only on a cache miss).
    """
    if progress is not None:
        # Run the callback in the page's context, not the cached call's: Streamlit records
        # elements drawn inside a cached function and would replay them on the next hit.
        outside, callback = contextvars.copy_context(), progress

        def progress(done: int, total: int) -> None:
            outside.run(callback, done, total)
    return _acceptability((of or scenario()).to_json(), _progress=progress)


def result_or_stop() -> Result:
    """The scenario's result; if it cannot be ranked, show why in the page and end the run.

    The settings stay as they are (e.g. sidebar rules that leave fewer than two candidates),
    so the user can change them back.
    """
    try:
        return result()
    except CityKitError as err:
        show_error(err)
        st.stop()


def show_error(err: Exception, where=st) -> None:
    """Show a CityKitError inline, in the page, without a traceback."""
    # said in the page's language when the library gave the error a code (citykit.messages)
    where.error(f"**{tr('error_prefix', lang())}:** {md(localise(err, lang()), lines=True)}")
