"""Robustness: P(top k), rank intervals, weight stability, method and framework agreement.

Only widgets here; the tables and figures come from :mod:`citykit.ui.robustness`. The draw
settings belong to the scenario (``scenario.robustness``, keys ``w.rob.*``): a change is checked
first and written only when valid, so a bad value is reported in the page and the analysis
keeps the last good settings. How many cities the charts show is a view setting (``rob_shown``).
"""

import math

import streamlit as st

from citykit.exceptions import CityKitError
from citykit.i18n import format_number, tr
from citykit.robustness import DEFAULTS
from citykit.ui import robustness as rob
from citykit.ui import session
from citykit.ui.safe import escape_hover, md

lang = session.lang()
s = session.scenario()
st.title(tr("rob_title", lang))
st.caption(tr("rob_intro", lang))
result = session.result_or_stop()  # e.g. rules that leave < 2 candidates: shown, stopped
n = len(result.ranking.ranks)
settings = {**DEFAULTS, **s.robustness}
concentration = settings["concentration"]
# the input shows a finite concentration (None = uniform draws, inf = fixed weights)
shown_concentration = concentration if concentration is not None and \
    math.isfinite(concentration) else DEFAULTS["concentration"]


def _values() -> dict:
    state = st.session_state
    return {"draws": state["w.rob.draws"], "top_k": state["w.rob.top_k"],
            "concentration": state["w.rob.concentration"], "uniform": state["w.rob.uniform"],
            "seed": state["w.rob.seed"]}


def _on_settings() -> None:
    try:
        new = rob.settings_from(session.scenario().robustness, **_values(),
                                n_candidates=len(session.result().ranking.ranks),
                                lang=session.lang())
    except CityKitError:
        return  # reported under the widgets; the scenario keeps its last good settings
    session.update(robustness=new)


st.subheader(tr("rob_settings", lang))
cols = st.columns(5)
cols[0].number_input(tr("rob_draws", lang), step=500, help=tr("rob_draws_help", lang),
                     key=session.bind("w.rob.draws", int(settings["draws"])),
                     on_change=_on_settings)
cols[1].number_input(tr("rob_top_k", lang), min_value=1, step=1,
                     help=tr("rob_top_k_help", lang),
                     key=session.bind("w.rob.top_k", int(settings["top_k"])),
                     on_change=_on_settings)
uniform = cols[3].checkbox(tr("rob_uniform", lang), help=tr("rob_uniform_help", lang),
                           key=session.bind("w.rob.uniform", concentration is None),
                           on_change=_on_settings)
cols[2].number_input(tr("rob_concentration", lang), step=10.0, disabled=uniform,
                     help=tr("rob_concentration_help", lang),
                     key=session.bind("w.rob.concentration", float(shown_concentration)),
                     on_change=_on_settings)
cols[4].number_input(tr("rob_seed", lang), min_value=0, step=1, help=tr("rob_seed_help", lang),
                     key=session.bind("w.rob.seed", int(settings["seed"] or 0)),
                     on_change=_on_settings)
settings_error = None
try:
    rob.settings_from(s.robustness, **_values(), n_candidates=n, lang=lang)
except CityKitError as err:
    settings_error = err
    session.show_error(err)

slot = st.empty()  # a progress bar while the draws run (only when they are not cached)
try:
    acceptability = session.acceptability(progress=rob.progress_reporter(slot, lang))
except CityKitError as err:  # e.g. a shortlist larger than the candidates left
    slot.empty()
    if settings_error is None:
        session.show_error(err)
    st.stop()
slot.empty()
st.caption(rob.settings_caption(acceptability, lang=lang))
k = acceptability.top_k
labels = rob.candidate_labels(result, lang)  # plain text for tables
plot_labels = labels.map(escape_hover)  # plotly reads tags; names are data
config = {"displaylogo": False}
summary = st.empty()  # the conclusions in words: said now, completed when every study is in
rob.show_conclusions(rob.conclusion_lines(result, acceptability, lang), lang, where=summary)

if n > 5:
    st.session_state.setdefault("rob_shown", min(rob.SHOWN, n))
    st.session_state["rob_shown"] = min(st.session_state["rob_shown"], n)  # fewer candidates now
    label = tr("rob_shown", lang) + (f": {format_number(st.session_state['rob_shown'], lang)}"
                                     if lang == "fa" else "")  # Persian digits in Persian
    shown = st.slider(label, min_value=5, max_value=n, key="rob_shown")
else:
    shown = n

st.subheader(tr("rob_ptop_header", lang, k=format_number(k, lang)))
st.plotly_chart(rob.p_top_k_figure(acceptability, labels=plot_labels, lang=lang, limit=shown),
                key="rob_ptop", theme=None, config=config)
left, right = st.columns(2)
with left:
    st.subheader(tr("rob_interval_header", lang))
    st.plotly_chart(rob.rank_interval_figure(acceptability, labels=plot_labels, lang=lang,
                                             limit=shown),
                    key="rob_interval", theme=None, config=config)
with right:
    st.subheader(tr("rob_heatmap_header", lang))
    st.plotly_chart(rob.acceptability_figure(acceptability, labels=plot_labels, lang=lang,
                                             limit=shown),
                    key="rob_heatmap", theme=None, config=config)
    st.caption(tr("rob_heatmap_caption", lang))


def _shares(columns) -> dict | None:
    """English tables keep shares as numbers, shown as percentages; Persian ones are text."""
    return None if lang == "fa" else {
        c: st.column_config.NumberColumn(format="percent") for c in columns}


st.subheader(tr("rob_stability_header", lang))
try:
    intervals, drops = rob.weight_stability_tables(result, rob.cached_weight_stability(s),
                                                   lang=lang)
except CityKitError as err:
    session.show_error(err)
else:
    st.caption(tr("rob_stability_caption", lang, k=format_number(k, lang)))
    st.dataframe(intervals, key="rob_intervals", hide_index=True,
                 column_config=_shares(intervals.columns[1:]))
    st.caption(tr("rob_drops_caption", lang, k=format_number(k, lang)))
    st.dataframe(drops, key="rob_drops", hide_index=True,
                 column_config=_shares(drops.columns[3:]))

st.subheader(tr("rob_methods_header", lang))
try:
    agreement = rob.method_agreement(rob.cached_method_rankings(s), result.ranking.method,
                                     top_k=k)
except CityKitError as err:
    session.show_error(err)
else:
    st.caption(tr("rob_methods_caption", lang, k=format_number(k, lang)))
    st.dataframe(rob.method_agreement_table(agreement, chosen=result.ranking.method, top_k=k,
                                            labels=labels, lang=lang),
                 key="rob_methods", hide_index=True)

st.subheader(tr("rob_choice_header", lang))
choices = frameworks = None
try:
    choices = rob.cached_choice_sensitivity(s)
except CityKitError as err:
    session.show_error(err)
else:
    table = rob.choice_table(choices, uniform=concentration is None, lang=lang)
    st.caption(tr("rob_choice_caption", lang, draws=format_number(choices.draws, lang)))
    st.dataframe(table, key="rob_choices", hide_index=True,
                 column_config=_shares(table.columns[-1:]))
    if "data" not in choices.shares.index:
        st.caption(tr("rob_choice_no_data", lang))

st.subheader(tr("rob_frameworks_header", lang))
try:
    with st.spinner(tr("rob_computing_frameworks", lang)):
        frameworks = rob.cached_framework_sensitivity(s, lang=lang)
except CityKitError as err:  # fewer than two frameworks can rank these candidates
    session.show_error(err)
else:
    titles = rob.framework_titles([*frameworks.ranks.columns, *frameworks.skipped], lang)
    reference = s.framework if s.framework in frameworks.ranks.columns else None
    st.caption(tr("rob_frameworks_caption", lang, k=format_number(frameworks.top_k, lang),
                  reference=md(titles[reference]) if reference
                  else tr("rob_frameworks_no_reference", lang)))
    table = rob.framework_agreement_table(frameworks, reference=reference, lang=lang,
                                          titles=titles)
    st.dataframe(table, key="rob_frameworks", hide_index=True,
                 column_config={**(_shares(table.columns[2:3]) or {}),  # reasons are long
                                table.columns[-1]: st.column_config.TextColumn(width="large")})
    st.plotly_chart(rob.framework_tau_figure(frameworks, lang=lang,
                                             titles={f: escape_hover(t) for f, t in titles.items()}),
                    key="rob_framework_tau", theme=None, config=config)
rob.show_conclusions(rob.conclusion_lines(result, acceptability, lang, choices=choices,
                                          frameworks=frameworks), lang, where=summary)
