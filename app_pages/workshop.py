"""Weighting workshop: open a workshop, join it, weigh, and follow the group's result live.

Only widgets here; the store is :mod:`citykit.workshop`, the tables and figures
:mod:`citykit.ui.workshop`. Who sees what: with ``?ws=CODE`` (or a code typed in the join box) a
participant's view; with the facilitator's key as well (``&key=…``, or the key this session got
when it opened the workshop) the facilitator's live view.
"""

import json
from itertools import combinations

import streamlit as st

from citykit.exceptions import CityKitError
from citykit.i18n import format_number, format_percent, tr
from citykit.scenario import Scenario
from citykit.ui import session, shell
from citykit.ui import workshop as wv
from citykit.ui.safe import md, md_frame
from citykit.ui.weights import SAATY_OPTIONS, preview_table, saaty_label

lang = session.lang()
state = st.session_state
store = wv.store()
MODES = ("weights", "budget", "pairwise")


# --- callbacks (they run before the page is drawn; messages go to a slot of the page) --------

def _flash(slot: str, kind: str, text: str) -> None:
    state[f"ws_flash.{slot}"] = (kind, text)


def _show(slot: str) -> None:
    message = state.pop(f"ws_flash.{slot}", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])


def _open_workshop(dims: list, labels: dict) -> None:
    s = session.scenario()
    try:
        ws, key = store.create_workshop(state.get("ws_open_title", ""), dims, labels=labels,
                                        framework=s.framework, dataset=s.dataset,
                                        scenario=s.to_json())
    except CityKitError as err:
        _flash("open", "error", md(err))
        return
    state["ws_code"], state[wv.KEY_STATE], state["ws_key_code"] = ws.code, key, ws.code
    st.query_params["ws"] = ws.code
    _flash("fac", "success", tr("ws_opened", lang, code=md(ws.code)))


def _go_to_code() -> None:
    code = " ".join(str(state.get("ws_go_code", "")).split()).upper()
    try:
        ws = store.workshop(code)
    except CityKitError as err:
        _flash("go", "error", md(err))
        return
    state["ws_code"] = ws.code
    st.query_params["ws"] = ws.code


def _leave() -> None:
    for name in ("ws_code", "ws_key_code"):
        state.pop(name, None)
    for name in ("ws", "key"):
        if name in st.query_params:
            del st.query_params[name]


def _join(code: str) -> None:
    try:
        me = store.join(code, state.get("ws_join_name") or None)
    except CityKitError as err:
        _flash("join", "error", md(err))
        return
    state[wv.token_key(code)] = me.token


def _entry_key(kind: str, code: str, criterion: str) -> str:
    return f"ws_{kind}.{code}.{criterion}"


def _judgements(code: str, criteria) -> dict:
    return {(a, b): state.get(_entry_key("j", code, f"{a}|{b}"), 1)
            for a, b in combinations(criteria, 2)}


def _submit(code: str, criteria: tuple) -> None:
    mode, token = state.get("ws_mode", "weights"), state.get(wv.token_key(code), "")
    try:
        if mode == "weights":
            values = {c: state[_entry_key("w", code, c)] for c in criteria}
            sub = store.submit_weights(code, token, wv.shares_from(values, lang))
        elif mode == "budget":
            values = {c: state[_entry_key("p", code, c)] for c in criteria}
            wv.shares_from(values, lang, what="points")  # the same check, in the user's words
            sub = store.submit_budget(code, token, values)
        else:
            A, _, _, _ = wv.live_consistency(_judgements(code, criteria), list(criteria))
            sub = store.submit_pairwise(code, token, A)
    except CityKitError as err:
        _flash("submit", "error", md(err))
        return
    _flash("submit", "success", tr("ws_submitted", lang, time=wv.format_time(sub.submitted_at,
                                                                             lang)))


def _close(code: str, key: str) -> None:
    try:
        store.close(code, key)
    except CityKitError as err:
        _flash("fac", "error", md(err))
        return
    _flash("fac", "success", tr("ws_closed_now", lang, code=md(code)))


def _remove(code: str, key: str) -> None:
    number = state.get("ws_remove_number")
    try:
        store.remove_participant(code, key, int(number) if number is not None else number,
                                 reason=state.get("ws_remove_reason") or None)
    except CityKitError as err:
        _flash("manage", "error", md(err))
        return
    state["ws_remove_confirm"] = False
    _flash("manage", "success", tr("ws_removed_now", lang, who=wv.pseudonym(int(number), lang)))


def _set_limit(code: str, key: str) -> None:
    limit = state.get("ws_limit")
    try:
        ws = store.set_max_participants(code, key, int(limit) if limit is not None else limit)
    except CityKitError as err:
        _flash("manage", "error", md(err))
        return
    _flash("manage", "success", tr("ws_limit_now", lang,
                                   limit=format_number(ws.max_participants, lang)))


def _save(code: str, key: str) -> None:
    try:
        group = store.group(code)
        scenario = wv.group_scenario(group, session.scenario(), lang)
        name = store.save_scenario(state.get("ws_save_name", ""), scenario.to_json(), code=code,
                                   key=key, record=group.to_record())
    except CityKitError as err:
        _flash("fac", "error", md(err))
        return
    _flash("fac", "success", tr("ws_saved", lang, name=md(name)))


def _use(code: str) -> None:
    try:
        group = store.group(code)
        scenario = wv.group_scenario(group, session.scenario(), lang)
    except CityKitError as err:
        _flash("fac", "error", md(err))
        return
    session.replace_scenario(scenario)
    # For the dossier: the record of the workshop whose weights this session now ranks with.
    state[wv.RECORD_STATE] = group.to_record()
    state["ws_record_weights"] = dict(scenario.weights)
    _flash("fac", "success", tr("ws_used", lang, code=md(code)))


def _load() -> None:
    name = state.get("ws_load_choice")
    try:
        scenario = Scenario.from_json(store.scenario(name))
        session.result(scenario)
    except CityKitError as err:
        _flash("load", "error", md(err))
        return
    session.replace_scenario(scenario)
    saved = store.scenarios().set_index("name")
    record = saved.at[name, "record"] if name in saved.index else None
    if isinstance(record, str):
        state[wv.RECORD_STATE] = json.loads(record)
        state["ws_record_weights"] = dict(scenario.weights) if isinstance(
            scenario.weights, dict) else scenario.weights
    else:
        state.pop(wv.RECORD_STATE, None)
        state.pop("ws_record_weights", None)
    _flash("load", "success", tr("ws_loaded", lang, name=md(name)))


# --- which workshop, and who is this session ---------------------------------------------------

if "ws" in st.query_params:
    state["ws_code"] = " ".join(st.query_params["ws"].split()).upper()
    if st.query_params.get("key"):
        state[wv.KEY_STATE], state["ws_key_code"] = st.query_params["key"], state["ws_code"]

st.title(tr("ws_title", lang))
st.caption(tr("ws_intro", lang))
code = state.get("ws_code")
ws = None
if code:
    try:
        ws = store.workshop(code)
    except CityKitError as err:
        session.show_error(err)
        state.pop("ws_code", None)

facilitator_key = None
if ws is not None and state.get("ws_key_code") == ws.code and state.get(wv.KEY_STATE):
    try:
        store.check_key(ws.code, state[wv.KEY_STATE])
    except CityKitError as err:
        st.error(tr("ws_wrong_key", lang, code=md(ws.code), error=md(err)))
        state.pop("ws_key_code", None)
    else:
        facilitator_key = state[wv.KEY_STATE]


# --- no workshop yet: open one, or join one --------------------------------------------------

def open_form() -> None:
    st.subheader(tr("ws_open_header", lang))
    fw = session.framework()
    if fw is None:
        st.info(tr("ws_no_framework", lang))
        return
    try:
        criteria = session.result().matrix.criteria
    except CityKitError as err:
        session.show_error(err)
        return
    dims = wv.dimensions(criteria)
    labels = wv.dimension_labels(dims, fw)
    st.text_input(tr("ws_open_title", lang), key="ws_open_title", max_chars=200)
    st.caption(tr("ws_open_weighed", lang, n=format_number(len(dims), lang),
                  framework=md(getattr(fw, f"name_{lang}"))) + ": "
               + ("، " if lang == "fa" else ", ").join(md(labels[d][lang]) for d in dims))
    st.button(tr("ws_open_button", lang), key="ws_open", type="primary",
              on_click=_open_workshop, args=(dims, labels))
    _show("open")


def join_box() -> None:
    st.subheader(tr("ws_join_header", lang))
    st.text_input(tr("ws_join_code", lang), key="ws_go_code", max_chars=12)
    st.button(tr("ws_join_go", lang), key="ws_go", on_click=_go_to_code)
    _show("go")


# --- a participant ------------------------------------------------------------------------------

def participant_view() -> None:
    token = state.get(wv.token_key(ws.code))
    me = None
    if token:
        try:
            me = store.participant(ws.code, token)
        except CityKitError:
            state.pop(wv.token_key(ws.code), None)
    if not ws.is_open:
        st.info(tr("ws_closed", lang, time=wv.format_time(ws.closed_at, lang)))
    if me is None:
        if ws.is_open:
            st.text_input(tr("ws_join_name", lang), key="ws_join_name", max_chars=80)
            st.button(tr("ws_join_button", lang), key="ws_join", type="primary",
                      on_click=_join, args=(ws.code,))
            _show("join")
        return
    name = f" \\({md(me.name)}\\)" if me.name else ""
    st.markdown(tr("ws_joined_as", lang, pseudonym=wv.pseudonym(me.number, lang), name=name))
    if not ws.is_open:
        return
    criteria = ws.criteria
    labels = {c: ws.label(c, lang) for c in criteria}
    safe = {c: md(label) for c, label in labels.items()}  # labels and options read markdown
    mode = st.radio(tr("ws_mode", lang), MODES, key="ws_mode", horizontal=True,
                    format_func=lambda m: tr(f"ws_mode_{m}", lang))
    start = dict(zip(criteria, wv.even_percents(len(criteria)), strict=True))
    if mode in ("weights", "budget"):
        kind = "w" if mode == "weights" else "p"
        cols = st.columns(2)
        for k, c in enumerate(criteria):
            key = _entry_key(kind, ws.code, c)
            if mode == "weights":
                now = state.get(key, start[c])  # in Persian also in the label, Persian digits
                label = safe[c] if lang != "fa" else \
                    f"{safe[c]}: {format_percent(float(now) / 100, lang, decimals=0)}"
                cols[k % 2].slider(label, 0, 100, value=start[c], step=1, key=key,
                                   format="%d%%")
            else:
                cols[k % 2].number_input(safe[c], 0, 100, value=start[c], step=1, key=key)
        total = sum(float(state[_entry_key(kind, ws.code, c)]) for c in criteria)
        text = (tr("ws_sum", lang, total=format_percent(total / 100, lang, decimals=0))
                if mode == "weights" else
                tr("ws_points_left", lang, left=format_number(100 - total, lang)))
        (st.success if abs(total - 100) < 1e-9 else st.warning)(text)
    else:
        st.caption(tr("ws_pairwise_help", lang))
        cols = st.columns(2)
        for k, (a, b) in enumerate(combinations(criteria, 2)):
            cols[k % 2].select_slider(
                f"{safe[a]} ↔ {safe[b]}", SAATY_OPTIONS, value=1,
                key=_entry_key("j", ws.code, f"{a}|{b}"),
                format_func=lambda o, a=a, b=b: saaty_label(o, safe[a], safe[b], lang))
        _, w, cr, todo = wv.live_consistency(_judgements(ws.code, criteria), list(criteria))
        left, right = st.columns(2)
        left.markdown(tr("ws_cr", lang, cr=format_number(cr, lang, decimals=3)))
        limit = format_number(0.1, lang)
        if cr > 0.1:
            left.warning(tr("ws_cr_bad", lang, limit=limit))
        else:
            left.success(tr("ws_cr_ok", lang, limit=limit))
        left.caption(tr("ws_your_weights", lang) + ": " + " · ".join(
            f"{safe[c]} {format_percent(v, lang, decimals=1)}" for c, v in w.items()))
        hints = wv.revisit_table(todo, labels, lang)
        if len(hints):
            right.markdown(tr("ws_revisit", lang))
            right.dataframe(hints, hide_index=True, key="ws_revisit")
    st.button(tr("ws_submit", lang), key="ws_submit", type="primary", on_click=_submit,
              args=(ws.code, criteria))
    _show("submit")


# --- the facilitator ----------------------------------------------------------------------------

def facilitator_view(key: str) -> None:
    _show("fac")
    st.markdown(tr("ws_code", lang, code=md(ws.code)))
    base = wv.workshop_url(st.context.url, [p[1] for p in shell.PAGES])
    st.caption(tr("ws_participant_link", lang))
    st.code(wv.participant_link(ws.code, base), language=None)
    st.caption(tr("ws_facilitator_link", lang))
    st.code(wv.facilitator_link(ws.code, key, base), language=None)
    st.warning(tr("ws_key_warning", lang))
    if not ws.is_open:
        st.info(tr("ws_closed", lang, time=wv.format_time(ws.closed_at, lang)))

    st.subheader(tr("ws_live", lang))
    auto = st.toggle(tr("ws_auto", lang, n=format_number(wv.REFRESH_SECONDS, lang)),
                     value=True, key="ws_auto")

    @st.fragment(run_every=wv.REFRESH_SECONDS if auto else None)
    def live() -> None:
        st.button(tr("ws_refresh", lang), key="ws_refresh")  # a click reruns this part
        group = store.group(ws.code)
        n = len(group.participants)
        st.caption(tr("ws_counts_limit", lang, joined=format_number(n, lang),
                      limit=format_number(store.workshop(ws.code).max_participants, lang),
                      submitted=format_number(group.n_submitted, lang)))
        page = 1
        if n > wv.PAGE_SIZE:  # a summary first, then one page at a time (the browser stays light)
            st.table(wv.status_summary(group, lang), hide_index=True)
            pages = wv.page_count(n)
            page = int(st.number_input(tr("ws_page", lang, pages=format_number(pages, lang),
                                          size=format_number(wv.PAGE_SIZE, lang)),
                                       min_value=1, max_value=pages, value=1, step=1,
                                       key="ws_page"))
        # a plain table: readable (and copyable) text of at most one page
        st.table(md_frame(wv.participants_table(group, lang, page=page),
                          [tr("ws_col_name", lang)]),
                 hide_index=True)  # names are data; st.table reads markdown
        if group.notes:
            st.warning(tr("ws_notes", lang, notes=md("; ".join(group.notes))))
        # what the facilitator did, from the same group result (one read of the store)
        if len(group.removed):
            st.markdown(f"**{tr('ws_removed_header', lang)}**")
            st.dataframe(wv.removed_table(group, lang), hide_index=True, key="ws_removed")
        if len(group.events):
            st.markdown(f"**{tr('ws_history_header', lang)}**")
            st.dataframe(wv.events_table(group, lang), hide_index=True, key="ws_events")
        if group.weights.empty:
            st.info(tr("ws_no_submission", lang))
            return
        left, right = st.columns(2)
        left.plotly_chart(wv.group_figure(group, lang), key="ws_group_chart")
        right.plotly_chart(wv.spread_figure(group, lang), key="ws_spread_chart")
        st.dataframe(wv.spread_table(group, lang), hide_index=True, key="ws_spread")
        try:
            scenario = wv.group_scenario(group, session.scenario(), lang)
            result = session.result(scenario)
            top, chosen = preview_table(result.ranking, lang), wv.shortlist_table(result, lang)
        except CityKitError as err:
            st.warning(tr("ws_cannot_rank", lang, error=md(err)))
            return
        left, right = st.columns(2)
        left.markdown(f"**{tr('ws_ranking', lang)}**")
        left.dataframe(top, hide_index=True, key="ws_ranking")
        right.markdown(f"**{tr('ws_shortlist', lang, k=format_number(len(chosen), lang))}**")
        right.dataframe(chosen, hide_index=True, key="ws_shortlist")

    live()
    manage(key)

    cols = st.columns(3)
    with cols[0]:
        confirm = st.checkbox(tr("ws_close_confirm", lang), key="ws_close_confirm",
                              disabled=not ws.is_open)
        st.button(tr("ws_close_button", lang), key="ws_close", disabled=not (confirm
                                                                          and ws.is_open),
                  on_click=_close, args=(ws.code, key))
    with cols[1]:
        st.text_input(tr("ws_save_name", lang), key="ws_save_name", max_chars=200)
        st.button(tr("ws_save_button", lang), key="ws_save", on_click=_save,
                  args=(ws.code, key))
    with cols[2]:
        st.button(tr("ws_use_button", lang), key="ws_use", type="primary", on_click=_use,
                  args=(ws.code,))


def manage(key: str) -> None:
    """Remove a participant and change the participant limit (the live view lists both)."""
    _show("manage")
    with st.expander(tr("ws_manage", lang)):
        left, right = st.columns(2)
        with left:
            st.number_input(tr("ws_remove_number", lang), min_value=1, step=1, value=None,
                            key="ws_remove_number")
            st.text_input(tr("ws_remove_reason", lang), key="ws_remove_reason", max_chars=200)
            confirm = st.checkbox(tr("ws_remove_confirm", lang), key="ws_remove_confirm")
            st.button(tr("ws_remove_button", lang), key="ws_remove",
                      disabled=not (confirm and state.get("ws_remove_number")),
                      on_click=_remove, args=(ws.code, key))
        with right:
            st.number_input(tr("ws_limit", lang,
                               most=format_number(wv.MAX_PARTICIPANTS_LIMIT, lang)),
                            min_value=1, max_value=wv.MAX_PARTICIPANTS_LIMIT, step=1,
                            value=store.workshop(ws.code).max_participants, key="ws_limit")
            st.button(tr("ws_limit_button", lang), key="ws_limit_set", on_click=_set_limit,
                      args=(ws.code, key))


def saved_scenarios() -> None:
    st.subheader(tr("ws_scenarios", lang))
    saved = store.scenarios()
    if saved.empty:
        st.caption(tr("ws_no_scenarios", lang))
    else:
        st.dataframe(wv.scenarios_table(saved, lang), hide_index=True, key="ws_saved")
        cols = st.columns([3, 1])
        cols[0].selectbox(tr("ws_load_choice", lang), saved["name"].tolist(),
                          key="ws_load_choice")
        cols[1].button(tr("ws_load_button", lang), key="ws_load", on_click=_load)
    _show("load")


if ws is None:
    left, right = st.columns(2)
    with left:
        open_form()
    with right:
        join_box()
else:
    st.header(tr("ws_workshop", lang, code=md(ws.code), title=md(ws.title)))
    if facilitator_key is not None:
        facilitator_view(facilitator_key)
    else:
        participant_view()
    st.button(tr("ws_leave", lang), key="ws_leave", on_click=_leave)
st.divider()
saved_scenarios()
