"""Compare cities: 2 to 5 ranked cities side by side.

Only widgets here; the figures and tables come from :mod:`citykit.ui.compare` and the gap
analysis from :mod:`citykit.explain`. The chosen cities are the session's comparison list
(``session.compare_ids()``, also in the URL as ``?cmp=``), shared with the map of the first
page; the gap analysis's city and target are view settings with plain ``cmp_`` keys.
"""

import streamlit as st

from citykit.exceptions import CityKitError
from citykit.i18n import format_number, tr
from citykit.ui import compare, session
from citykit.ui.safe import md

CITIES, CHOSE, REFUSED, NOTE = "cmp_cities", "cmp_user_chose", "cmp_refused", "cmp_preselect_note"
lang = session.lang()
st.title(tr("cmp_title", lang))
result = session.result_or_stop()  # e.g. rules that leave < 2 candidates: shown, stopped

lo, hi = format_number(compare.MIN_CITIES, lang), format_number(compare.MAX_CITIES, lang)
st.caption(tr("cmp_intro", lang, lo=lo, hi=hi))

selection = compare.select(result, session.compare_ids(),
                           fill=not st.session_state.get(CHOSE, False))
if selection.preselected:  # a first visit or a link with one city: say what was filled in
    session.set_compare([*selection.ids, *selection.not_ranked])
    st.session_state[NOTE] = True


def _on_choose():
    picked = list(st.session_state[CITIES])
    if len(picked) > compare.MAX_CITIES:  # refuse, keep the previous choice
        st.session_state[REFUSED] = len(picked)
        return
    session.set_compare(picked)
    st.session_state[CHOSE] = True
    st.session_state.pop(NOTE, None)


names = compare.city_names(result, lang)
order = [str(c) for c in result.ranking.ranks.sort_values(kind="stable").index]
outside = list(selection.not_ranked)  # kept and labelled, never dropped
st.session_state[CITIES] = [*selection.ids, *outside] if selection.preselected \
    else session.compare_ids()
session.choice(
    st.multiselect, tr("cmp_choose", lang), [*order, *outside], key=CITIES, on_change=_on_choose,
    placeholder=tr("cmp_choose_placeholder", lang),
    help=tr("cmp_choose_help", lang, lo=lo, hi=hi),
    format_func=lambda c: names.get(c, c) if c not in outside
    else tr("cmp_not_ranked_option", lang, name=names.get(c, c)))
if refused := st.session_state.pop(REFUSED, None):
    st.warning(tr("cmp_too_many", lang, hi=hi, n=format_number(refused, lang)))
if st.session_state.get(NOTE):
    st.info(tr("cmp_preselected", lang, n=format_number(compare.PRESELECT, lang)))
if outside:
    sep = "، " if lang == "fa" else ", "
    st.info(tr("cmp_not_ranked", lang, names=sep.join(md(names.get(c, c)) for c in outside)))
ids = list(selection.ids)
if len(ids) < compare.MIN_CITIES:
    st.info(tr("cmp_too_few" if ids else "cmp_too_few_none", lang))
    st.stop()

head = compare.summary(result, ids, lang)
for column, (_, row) in zip(st.columns(len(ids)), head.iterrows(), strict=True):
    column.metric(md(row["name"]), row["rank"])  # a label reads markdown
    column.caption(row["score"])

st.subheader(tr("cmp_radar_heading", lang))
st.plotly_chart(compare.radar_figure(result, ids, lang), key="cmp_radar", theme=None,
                config={"displaylogo": False})
st.caption(tr("cmp_radar_caption", lang))

st.subheader(tr("cmp_table_heading", lang))
st.dataframe(compare.indicator_table(result, ids, lang), key="cmp_table", hide_index=True)
st.caption(compare.provenance_legend(lang))
with st.expander(tr("cmp_sources_heading", lang)):
    st.dataframe(compare.sources_table(result, ids, lang), key="cmp_sources", hide_index=True)

st.subheader(tr("cmp_sw_heading", lang))
for line in compare.sw_caption(result, lang):
    st.caption(line)
for column, city, label in zip(st.columns(len(ids)), ids, head["name"], strict=True):
    column.markdown(f"#### {md(label)}")
    for heading, lines in compare.sw_sections(result, city, lang):
        column.markdown(f"**{heading}**")
        column.markdown("\n".join(f"- {line}" for line in lines)
                        or f"- {tr('cmp_sw_none', lang)}")

st.subheader(tr("cmp_gap_heading", lang))
if st.session_state.get("cmp_gap_city") not in ids:
    st.session_state["cmp_gap_city"] = max(ids, key=lambda c: result.ranking.ranks[c])
left, right = st.columns(2)
with left:
    city = session.choice(st.selectbox, tr("cmp_gap_city", lang), ids, key="cmp_gap_city",
                          format_func=lambda c: names.get(c, c))
targets = compare.gap_targets(result, city, ids)
if st.session_state.get("cmp_gap_target") not in targets:
    st.session_state["cmp_gap_target"] = None
with right:
    target = session.choice(st.selectbox, tr("cmp_gap_target", lang), targets,
                            key="cmp_gap_target",
                            format_func=lambda c: tr("cmp_gap_target_next", lang) if c is None
                            else names.get(c, c))
if target is None and result.ranking.ranks[city] == 1:
    st.info(tr("cmp_gap_first", lang, name=md(names.get(city, city))))
else:
    try:
        table, full = compare.gap_table(result, city, lang, target=target)
    except CityKitError as err:
        session.show_error(err)
    else:
        if len(table):
            st.dataframe(table, key="cmp_gap", hide_index=True)
        for line in compare.gap_caption(result, full, lang):
            st.caption(line)
