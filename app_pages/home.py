"""Map & ranking: the candidates on the map, the ranking beside it, readiness versus need.

Only widgets here; the tables and figures come from :mod:`citykit.ui.home`. The map's choices
(layer, province aggregate, marker colour) are view settings, not part of the scenario, so
they use plain ``home_`` keys; a click on the map changes the comparison list of the session.
"""

import streamlit as st

from citykit import maps
from citykit.exceptions import CityKitError
from citykit.i18n import format_number, tr
from citykit.ui import home, session
from citykit.ui import robustness as rob
from citykit.ui.safe import md

lang = session.lang()
st.title(tr("home_title", lang))
result = session.result_or_stop()  # e.g. rules that leave < 2 candidates: shown, stopped
try:
    acceptability = session.acceptability()
except CityKitError as err:
    acceptability = None
    st.warning(tr("home_no_robustness", lang, error=md(err)))

labels = home.layer_labels(result, lang)
layers = list(labels)
if st.session_state.get("home_layer") not in layers:  # e.g. after a change of framework
    st.session_state["home_layer"] = "score"
controls = st.columns([3, 2, 2])
with controls[0]:
    layer = session.choice(st.selectbox, tr("home_layer", lang), layers, key="home_layer",
                           format_func=labels.get)
how = controls[1].radio(tr("home_how", lang), home.AGGREGATES, key="home_how",
                        format_func=lambda v: tr(f"home_how_{v}", lang),
                        help=tr("home_how_help", lang),
                        disabled=layer == "none" or layer.startswith("indicator:"))
colour_by = controls[2].radio(tr("home_colour_by", lang), home.COLOUR_BY, key="home_colour_by",
                              format_func=lambda v: tr(f"home_colour_{v}", lang),
                              horizontal=True)
excluded_hover = controls[2].toggle(tr("home_excluded_hover", lang), key="home_excluded_hover",
                                    help=tr("home_excluded_hover_help", lang))

compare = session.compare_ids()
left, right = st.columns([11, 9])
with left:
    try:
        figure = home.home_map(result, acceptability, layer=layer, how=how,
                               colour_by=colour_by, compare=compare,
                               excluded_hover=excluded_hover, lang=lang)
    except CityKitError as err:
        session.show_error(err)
        figure = home.home_map(result, acceptability, layer="score", colour_by=colour_by,
                               compare=compare, lang=lang)
    st.plotly_chart(figure, key=home.MAP_KEY, on_select=home.on_map_select,
                    selection_mode="points", theme=None,
                    config=maps.MAP_CONFIG)
    if note := st.session_state.pop(home.NOTE_KEY, None):  # shown once, after the click
        st.info(note)
    excluded = home.excluded_table(result, lang=lang)
    with st.expander(tr("home_excluded_list", lang, n=format_number(len(excluded), lang))):
        st.dataframe(excluded, key="home_excluded", hide_index=True)
with right:  # what a reader should take away, beside the map
    if acceptability is not None:
        rob.show_conclusions(rob.conclusion_lines(result, acceptability, lang), lang)

# The ranking over the page's full width: every column readable at 1500 px, in both languages.
table = home.ranking_table(result, acceptability, lang=lang)
narrow = {label: st.column_config.Column(width="small")
          for label in table.columns[[0, 3]]}
column_config = narrow if lang == "fa" else {**narrow, **{
    label: st.column_config.NumberColumn(format="percent", width="small")
    for label in table.columns[-3:]}}
st.dataframe(table, key="home_table", hide_index=True,
             height=min(maps.MAP_HEIGHT - 40, 38 + 35 * len(table)), column_config=column_config)
st.caption(home.table_caption(result, acceptability, lang=lang))


def _on_compare_change():
    session.set_compare(st.session_state["home_compare"])


ranked = table.index.tolist()
names = maps.display_names(result.dataset.cities, lang).astype(str).to_dict()
outside = [c for c in compare if c not in set(ranked)]  # kept and labelled, never dropped
st.session_state["home_compare"] = compare
session.choice(
    st.multiselect, tr("home_compare", lang), [*ranked, *outside], key="home_compare",
    placeholder=tr("home_compare_placeholder", lang),
    max_selections=session.MAX_COMPARE, on_change=_on_compare_change,
    help=tr("home_compare_help", lang, n=format_number(session.MAX_COMPARE, lang)),
    format_func=lambda c: names.get(c, c) if c not in outside
    else tr("home_not_ranked_option", lang, name=names.get(c, c)))
st.page_link("app_pages/compare.py", label=tr("home_compare_link", lang),
             icon=":material/compare_arrows:", disabled=len(compare) < 2)

figure = home.readiness_need_figure(result, compare=compare, lang=lang)
if figure is None:
    st.info(home.readiness_need_note(result, lang=lang))
else:
    st.plotly_chart(figure, key="home_readiness_need", theme=None,
                    config={"displaylogo": False})
    st.caption(tr("home_rn_caption", lang))

st.info(tr("home_proxy_note", lang))
st.subheader(tr("counts", lang))
counts = result.dataset.summary()
for column, (key, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(tr(key, lang), format_number(count, lang))
