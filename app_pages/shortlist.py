"""Shortlist & export: pilots under constraints, their price of diversity, and the dossier.

The constraints live in the scenario (``scenario.shortlist``); the widgets are seeded from it
and write back through :func:`_on_constraints`. Input the library rejects leaves the scenario
as it was and says why; constraints that cannot all hold are kept (so the link reproduces
them) and the library's diagnosis is shown instead of pilots. Every table and figure comes from
:mod:`citykit.ui.shortlist`.
"""

from dataclasses import replace

import streamlit as st

from citykit import maps
from citykit.exceptions import CityKitError
from citykit.i18n import format_number, tr
from citykit.shortlist import Constraints
from citykit.ui import robustness as rob
from citykit.ui import session
from citykit.ui import shortlist as view
from citykit.ui.safe import md

INPUT_ERROR, DOSSIER = "sl_input_error", "sl_dossier"
#: Widget key of each constraint field (scenario-bound keys start with "w.").
KEYS = {field: f"w.sl_{field}" for field in view.WIDGET_FIELDS}


def _on_constraints() -> None:
    """Write the widgets' constraints into the scenario, or keep it and remember why not."""
    state = st.session_state
    values = {f: state[key] for f, key in KEYS.items() if key in state}
    try:
        base = view.current_constraints(session.scenario())
    except CityKitError:
        base = None  # a malformed scenario value: the widgets replace it
    try:
        constraints = view.constraints_from_widgets(values, base)
    except CityKitError as err:
        state[INPUT_ERROR] = err
        return
    state.pop(INPUT_ERROR, None)
    session.update(shortlist=constraints.to_dict())


def constraint_widgets(result, constraints: Constraints, lang: str) -> None:
    values = view.widget_values(constraints)
    options = view.candidate_options(result, constraints)
    labels = view.candidate_labels(result, lang)
    none = tr("sl_no_limit", lang)

    def bound(field: str) -> dict:  # the widget's key, seeded from the scenario, and callback
        return {"key": session.bind(KEYS[field], values[field]), "on_change": _on_constraints}

    st.subheader(tr("sl_constraints", lang))
    st.number_input(tr("sl_k", lang), min_value=1, step=1, **bound("k"))
    per_province, distance = st.columns(2)
    per_province.number_input(tr("sl_max_per_province", lang), min_value=1, step=1,
                              placeholder=none, help=tr("sl_max_per_province_help", lang),
                              **bound("max_per_province"))
    distance.number_input(tr("sl_min_distance", lang), min_value=0.0, step=25.0, format="%.0f",
                          placeholder=none, help=tr("sl_min_distance_help", lang),
                          **bound("min_distance_km"))
    for field in ("must_include", "must_exclude"):
        session.choice(st.multiselect, tr(f"sl_{field}", lang), options,
                       placeholder=tr("sl_choose", lang), format_func=lambda c: labels.get(c, c),
                       **bound(field))
    st.checkbox(tr("sl_peer", lang), help=tr("sl_peer_help", lang),
                **bound("one_per_peer_group"))
    bounds, minimum = st.columns([2, 1])
    bounds.text_input(tr("sl_tiers", lang), help=tr("sl_tiers_help", lang),
                      **bound("tier_bounds"))
    minimum.number_input(tr("sl_tier_min", lang), min_value=0, step=1, **bound("tier_min"))
    if not view.tiers_fit_widgets(constraints):
        st.caption(tr("sl_tier_custom", lang))
    readiness = result.ranking.subindex_scores.get("readiness")
    if readiness is not None and result.ranking.higher_is_better:
        st.number_input(tr("sl_min_readiness", lang), step=0.05, format="%.3f",
                        placeholder=none, help=tr(
                            "sl_min_readiness_help", lang,
                            low=format_number(readiness.min(), lang, decimals=3),
                            high=format_number(readiness.max(), lang, decimals=3)),
                        **bound("min_readiness"))
    kept = view.kept_families(constraints, lang)
    if kept:
        st.caption(tr("sl_kept", lang, text=", ".join(kept)))
    if INPUT_ERROR in st.session_state:
        session.show_error(st.session_state[INPUT_ERROR])


def pilots(s, result, lang: str) -> None:
    k = s.constraints.k
    st.plotly_chart(view.shortlist_map(result, s, lang), key="sl_map",
                    config=maps.MAP_CONFIG)
    if not s.optimal:
        st.warning(tr("sl_suboptimal", lang))
    price = view.price_summary(s, lang)
    total, top, cost = st.columns(3)
    total.metric(tr("sl_total", lang), price["total"])
    top.metric(tr("sl_top_total", lang, k=format_number(k, lang)), price["top_total"])
    cost.metric(tr("sl_price", lang), price["price"], delta=price["price_pct"],
                delta_color="off", delta_arrow="off", help=tr("sl_price_help", lang))
    try:
        acc = session.acceptability(view.ranking_scenario(session.scenario()))
        p_top = view.p_top_k_at(acc, k)
    except CityKitError as err:
        session.show_error(err)
        acc, p_top = None, None
    if acc is not None:
        # said for the shortlist's size, from the same draws
        rob.show_conclusions(rob.conclusion_lines(
            result, replace(acc, top_k=min(k, len(acc.counts))), lang), lang)
    peers = view.peer_groups(session.scenario()) if s.constraints.one_per_peer_group else None
    names = None if peers is None else view.peer_group_names(peers, result.matrix.criteria,
                                                             lang)
    st.subheader(tr("sl_pilots", lang))
    st.dataframe(view.pilots_table(s, lang, peer_names=names, p_top_k=p_top), hide_index=True,
                 key="sl_pilots_table")
    st.subheader(tr("sl_binding", lang))
    if s.binding:
        st.dataframe(view.binding_table(s, lang, peers=peers), hide_index=True,
                     key="sl_binding_table")
        st.markdown(f"**{tr('sl_left_out', lang, k=format_number(k, lang))}**")
        st.dataframe(view.left_out_table(s, lang), hide_index=True, key="sl_left_out_table")
    else:
        st.success(tr("sl_none_left_out", lang, k=format_number(k, lang)))
    if peers is not None:
        with st.expander(tr("sl_peer_groups", lang, n=format_number(peers.k, lang))):
            st.dataframe(view.peer_groups_table(peers, result.matrix.criteria, lang),
                         hide_index=True)
    if lang == "en":  # the library's summary is in English only
        with st.expander(tr("sl_explain", lang)):
            st.text(s.explain())


def _deferred(data: bytes):
    """Hand the bytes over only when the button is clicked (the brief alone is ~5 MB, so
    sending every file to the browser on each rerun would slow every widget change)."""
    return lambda: data


def dossier(s, lang: str) -> None:
    st.subheader(tr("sl_dossier", lang))
    st.caption(tr("sl_dossier_intro", lang))
    if s is None:
        st.info(tr("sl_no_dossier", lang))
        return
    # The dossier's scenario records the constraints even while they are still the defaults.
    full = session.scenario().with_(shortlist=s.constraints.to_dict())
    workshop = view.applied_workshop(full, st.session_state)
    key = view.dossier_key(full, lang) + ("" if workshop is None else f"\n{workshop['code']}")
    if workshop is not None:
        st.caption(tr("sl_workshop_included", lang, code=md(workshop["code"])))
    state = st.session_state
    if state.get(DOSSIER, {}).get("key") != key:
        state.pop(DOSSIER, None)  # built for other settings: never offer stale files
    if st.button(tr("sl_prepare", lang), key="sl_prepare", type="primary"):
        try:
            with st.spinner(tr("sl_preparing", lang)):
                built = view.build_dossier(session.result(full), s, lang=lang,
                                           workshop=workshop)
            state[DOSSIER] = {"key": key, "files": built}
        except CityKitError as err:
            session.show_error(err)
    if DOSSIER not in state:
        return
    built = state[DOSSIER]["files"]
    st.success(tr("sl_prepared", lang, n=format_number(len(built.files), lang),
                  seconds=format_number(built.seconds, lang, decimals=1)))
    st.download_button(tr("sl_download_zip", lang), _deferred(built.zip),
                       file_name="citykit-dossier.zip", mime=view.MIME_TYPES[".zip"],
                       key="sl_dl_zip", on_click="ignore", type="primary")
    columns = st.columns(4)
    for i, (name, data) in enumerate(built.files.items()):
        columns[i % 4].download_button(tr("sl_download", lang, name=name), _deferred(data),
                                       file_name=name, mime=built.mime(name),
                                       key=f"sl_dl_{name}", on_click="ignore")


lang = session.lang()
if KEYS["k"] not in st.session_state:
    # The widgets are being seeded afresh (a loaded or reset scenario, or a return to this
    # page): a refused input they held is gone, and so is its message.
    st.session_state.pop(INPUT_ERROR, None)
st.title(tr("sl_title", lang))
st.caption(tr("sl_intro", lang))
scenario = session.scenario()
try:
    result = session.result(view.ranking_scenario(scenario))
except CityKitError as err:
    session.show_error(err)
    st.stop()
try:
    constraints = view.current_constraints(scenario)
except CityKitError as err:  # a malformed shortlist in a loaded scenario or link
    session.show_error(err)
    constraints = Constraints(k=int(scenario.robustness.get("top_k", 5)))
left, right = st.columns([2, 3], gap="large")
with left:
    constraint_widgets(result, constraints, lang)
with right:
    try:
        chosen = view.select_pilots(scenario, constraints)
    except CityKitError as err:
        chosen = None
        st.error(tr("sl_infeasible", lang))
        session.show_error(err)
    if chosen is not None:
        pilots(chosen, result, lang)
dossier(chosen, lang)
