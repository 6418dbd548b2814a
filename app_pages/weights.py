"""Weights & method: framework, method and normalisation; weight sliders with locks; AHP.

Only widgets here; the rebalancing, AHP, tables and callbacks live in :mod:`citykit.ui.weights`.
The scenario is the truth: the sliders are redrawn from it on every run (``sync_widgets``), so
a change the library refuses puts them back and shows the error inline.
"""

from functools import partial

import streamlit as st

from citykit.aggregate import METHODS, PREFERENCE_FUNCTIONS, get_method
from citykit.ahp import RANDOM_INDEX
from citykit.exceptions import CityKitError
from citykit.frameworks import bundled_frameworks
from citykit.i18n import format_number, format_percent, tr
from citykit.impute import MissingDataError
from citykit.ui import session
from citykit.ui import weights as wt
from citykit.ui.safe import md

lang = session.lang()
s = session.scenario()
st.title(tr("wt_title", lang))
st.caption(tr("wt_intro", lang))

try:
    result = session.result()
except CityKitError as err:  # e.g. a link whose scenario no longer ranks: the choices stay
    result, failure = None, err
else:
    failure = None
    dims, shares = wt.split_weights(result.ranking.weights, result.matrix.criteria["dimension"])
    wt.sync_widgets(dims, shares)

# --- framework, method, normalisation ---------------------------------------------------------
frameworks = bundled_frameworks()
if s.framework not in frameworks:
    frameworks = [*frameworks, s.framework]
framework_labels = {f: wt.framework_label(f, lang) for f in frameworks}
top = st.columns(3)
with top[0]:
    session.choice(st.selectbox, tr("wt_framework", lang), frameworks,
                   key=session.bind("w.framework", s.framework), on_change=wt.on_framework,
                   format_func=framework_labels.get, help=tr("wt_framework_help", lang))
with top[1]:
    session.choice(st.selectbox, tr("wt_method", lang), list(METHODS),
                   key=session.bind("w.method", s.method), on_change=wt.on_method,
                   format_func=lambda m: tr(f"wt_m_{m}", lang))
default_norm = get_method(s.method).default_normalisation
with top[2]:
    session.choice(
        st.selectbox, tr("wt_normalisation", lang), wt.normalisation_options(),
        key=session.bind("w.normalisation", s.normalisation or wt.DEFAULT_NORMALISATION),
        on_change=wt.on_normalisation,
        format_func=lambda n: tr("wt_norm_default", lang, name=tr(f"wt_n_{default_norm}", lang))
        if n == wt.DEFAULT_NORMALISATION else tr(f"wt_n_{n}", lang))
top[1].caption(tr(f"wt_mx_{s.method}", lang))

if s.method == "vikor":
    st.slider(tr("wt_vikor_v", lang), 0.0, 1.0, step=0.05,
              key=session.bind("w.vikor_v", float(s.method_params.get("v", 0.5))),
              on_change=wt.on_method_params)
elif s.method == "promethee2":
    cols = st.columns(3)
    with cols[0]:
        preference = session.choice(
            st.selectbox, tr("wt_pref", lang), list(PREFERENCE_FUNCTIONS),
            key=session.bind("w.promethee_pref", s.method_params.get("preference", "usual")),
            on_change=wt.on_method_params, format_func=lambda f: tr(f"wt_f_{f}", lang))
    for col, name in zip(cols[1:], ("q", "p"), strict=True):
        if name in PREFERENCE_FUNCTIONS[preference]:
            col.number_input(tr(f"wt_pref_{name}", lang), 0.0, 1.0, step=0.05,
                             key=session.bind(f"w.promethee_{name}",
                                              float(s.method_params.get(
                                                  name, wt.PROMETHEE_DEFAULTS[name]))),
                             on_change=wt.on_method_params)

gaps = result is not None and result.missing.missing_before > 0
if isinstance(s.missing, str) and (gaps or s.missing != "none"
                                   or isinstance(failure, MissingDataError)):
    session.choice(st.selectbox, tr("wt_missing", lang), wt.missing_options(),
                   key=session.bind("w.missing", s.missing), on_change=wt.on_missing,
                   format_func=lambda p: tr(f"wt_p_{p}", lang), help=tr("wt_missing_help", lang))



def presets() -> None:
    """One button per preset; a preset fills every slider (and repairs weights that no longer
    fit the indicators, so it is offered even when the scenario does not rank)."""
    st.subheader(tr("wt_presets", lang), help=tr("wt_preset_help", lang))
    for col, name in zip(st.columns(len(wt.PRESETS)), wt.PRESETS, strict=True):
        col.button(tr(f"wt_preset_{name}", lang), key=f"wt_preset_{name}",
                   on_click=wt.apply_preset, args=(name,), width="stretch",
                   disabled=name == "framework" and s.framework is None)


if message := st.session_state.get(wt.ERROR_KEY):
    session.show_error(CityKitError(message))
if result is None:
    session.show_error(failure)
    presets()
    st.stop()

# --- weights -------------------------------------------------------------------------------
ranking, framework = result.ranking, result.framework
criteria = ranking.matrix.criteria
dim_names = wt.dimension_names(dims.index, framework, lang)
# Labels, options, expanders and alerts read markdown; framework and indicator names are data.
dim_md = {c: md(n) for c, n in dim_names.items()}
left, right = st.columns([3, 2], gap="large")
with left:
    presets()
    st.caption(tr("wt_mode_preset", lang, preset=tr(f"wt_preset_{s.weights}", lang))
               if isinstance(s.weights, str) else tr("wt_mode_custom", lang))
    if note := st.session_state.get(wt.NOTE_KEY):
        st.info(note)

    st.subheader(tr("wt_dimensions", lang), help=tr("wt_rebalance_help", lang))
    locks = wt.locks()

    def level(kind: str, codes, names: dict) -> None:
        """One slider and one lock per code; the sum of the level below them."""
        for code in codes:
            slider_col, lock_col = st.columns([4, 1], vertical_alignment="bottom")
            value = st.session_state.get(wt.slider_key(kind, code))
            # Streamlit writes a slider's value with Latin digits: in Persian it is also said
            # in the label, in Persian digits.
            label = names[code] if lang != "fa" or value is None else \
                f"{names[code]}: {format_percent(float(value) / 100, lang, decimals=1)}"
            slider_col.slider(label, 0.0, 100.0, step=0.5, format="%.1f%%",
                              key=wt.slider_key(kind, code),
                              disabled=(kind, code) in locks or len(codes) == 1,
                              on_change=wt.on_dimension if kind == "dim" else wt.on_indicator,
                              args=(code,))
            lock_col.checkbox(tr("wt_lock", lang), key=wt.lock_key(kind, code),
                              on_change=wt.on_lock, args=(kind, code),
                              help=tr("wt_lock_help", lang), disabled=len(codes) == 1)
        total = sum(st.session_state[wt.slider_key(kind, c)] for c in codes) / 100
        st.caption(tr("wt_sum", lang, total=format_percent(total, lang, decimals=1)))

    level("dim", list(dims.index), dim_md)
    if caption := wt.subindex_caption(ranking.weights, criteria, framework, lang):
        st.caption(caption)
    dim_of = criteria["dimension"].reindex(shares.index)
    for code in dims.index:
        members = list(shares.index[dim_of == code])
        label = tr("wt_indicators_in", lang, dimension=dim_md[code])
        with st.expander(f"{label} ({format_percent(dims[code], lang, decimals=1)})"):
            level("ind", members, {c: md(n) for c, n in criteria[f"name_{lang}"].items()})

with right:
    st.subheader(tr("wt_preview", lang))
    if not ranking.higher_is_better:
        st.caption(tr("wt_preview_lower", lang, method=tr(f"wt_m_{s.method}", lang)))
    st.dataframe(wt.preview_table(ranking, lang), hide_index=True, key="wt_preview_table")
    st.subheader(tr("wt_effective", lang))
    # a narrower indicator column keeps the dimension and the weight in view
    st.dataframe(wt.weights_table(ranking.weights, criteria, framework, lang), hide_index=True,
                 height=420, key="wt_weights_table", column_config={
                     tr("wt_col_indicator", lang): st.column_config.TextColumn(width="medium"),
                     **({tr("wt_col_weight", lang): st.column_config.NumberColumn(format="%.1f")}
                        if lang == "en" else {})})

# --- AHP -------------------------------------------------------------------------------------
codes = list(dims.index)
with st.expander(tr("wt_ahp", lang), expanded=False):
    st.caption(tr("wt_ahp_intro", lang))
    if len(codes) < 2:
        st.info(tr("wt_ahp_one", lang))
    elif len(codes) > max(RANDOM_INDEX):
        st.info(tr("wt_ahp_too_many", lang, n=format_number(max(RANDOM_INDEX), lang),
                   m=format_number(len(codes), lang)))
    else:
        stored = wt.judgements(codes)
        for (a, b), value in stored.items():
            key = wt.judgement_key(a, b)
            if key not in st.session_state:
                st.session_state[key] = value
            st.select_slider(tr("wt_ahp_pair", lang, a=dim_md[a], b=dim_md[b]),
                             wt.SAATY_OPTIONS, key=key, on_change=wt.on_judgement, args=(a, b),
                             format_func=partial(wt.saaty_label, a=dim_md[a], b=dim_md[b],
                                                 lang=lang))
        ahp_w, res, todo = wt.ahp_weights(wt.judgements(codes), codes)
        cr = format_number(res.cr, lang, decimals=3)
        cols = st.columns([1, 2])
        cols[0].metric(tr("wt_ahp_cr", lang), cr)
        cols[1].dataframe(
            {tr("wt_col_dimension", lang): [dim_names[c] for c in codes],
             tr("wt_ahp_weight", lang): [format_percent(v, lang, decimals=1) for v in ahp_w]},
            hide_index=True, key="wt_ahp_table")
        if res.consistent:
            st.success(tr("wt_ahp_ok", lang))
        else:
            lines = [tr("wt_ahp_revisit", lang, a=dim_md[row.a], b=dim_md[row.b],
                        given=wt.saaty_label(wt.suggest_judgement(row.given), dim_md[row.a],
                                             dim_md[row.b], lang),
                        implied=format_number(row.implied, lang, decimals=2),
                        suggested=wt.saaty_label(row.suggested, dim_md[row.a],
                                                 dim_md[row.b], lang))
                     for row in todo.head(3).itertuples()]
            st.warning(tr("wt_ahp_bad", lang, cr=cr) + "\n\n" + "\n".join(f"- {x}" for x in lines))
        st.button(tr("wt_ahp_apply", lang), key="wt_ahp_apply", on_click=wt.apply_ahp,
                  args=(codes,), type="primary")
