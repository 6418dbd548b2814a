"""Data & provenance: coverage of the framework, data gaps, sources, integrity, and uploads.

Every table and figure comes from :mod:`citykit.ui.data`; this page only wires widgets to it.
An upload is checked completely before it is used: a rejected one leaves the scenario as it was
and lists its problems in the page.
"""

import streamlit as st

from citykit.exceptions import CityKitError, Problem
from citykit.i18n import format_number, format_percent, tr
from citykit.maps import sources_table
from citykit.ui import data as view
from citykit.ui import session, shell
from citykit.ui.safe import md

DATASET_OUTCOME, FRAMEWORK_OUTCOME = "data_dataset_outcome", "data_framework_outcome"


def _on_dataset_upload() -> None:
    """Check the chosen files; use them only when the whole dataset is valid."""
    state, lang = st.session_state, session.lang()
    files = state.get("data_upload_files") or []
    try:
        source, _ = view.accept_dataset_upload([(f.name, f.getvalue()) for f in files],
                                               lang=lang)
        loaded = session.dataset(str(source))
    except CityKitError as err:
        state[DATASET_OUTCOME] = {"ok": False, "problems": view.problems_of(err)}
        return
    # replace_scenario reseeds every bound widget (the sidebar's dataset choice included).
    session.replace_scenario(session.scenario().with_(dataset=str(source), candidates=None,
                                                      dataset_sha256=None))
    try:
        session.result()
        rank_error = None
    except CityKitError as err:
        rank_error = str(err)
    state[DATASET_OUTCOME] = {"ok": True, "title": loaded.title_in(lang), "verified": loaded.verified,
                              "cities": len(loaded.cities), "indicators": len(loaded.indicators),
                              "rank_error": rank_error}


def _on_framework_upload() -> None:
    """Check the chosen YAML against the current dataset; use it only when it is valid."""
    state, lang = st.session_state, session.lang()
    upload = state.get("data_framework_file")
    try:
        if upload is None:
            raise view.UploadError([Problem("upload", tr("data_up_empty_framework", lang))])
        path, framework = view.accept_framework_upload(upload.name, upload.getvalue(),
                                                       dataset=session.dataset(), lang=lang)
    except CityKitError as err:
        state[FRAMEWORK_OUTCOME] = {"ok": False, "problems": view.problems_of(err)}
        return
    session.replace_scenario(session.scenario().with_(framework=str(path), weights="framework"))
    try:
        session.result()
        rank_error = None
    except CityKitError as err:
        rank_error = str(err)
    state[FRAMEWORK_OUTCOME] = {"ok": True, "name": framework.name_fa if lang == "fa"
                                else framework.name_en, "leaves": len(framework.leaves),
                                "rank_error": rank_error}


def _show_outcome(key: str, failed: str, lang: str) -> None:
    outcome = st.session_state.get(key)
    if not outcome:
        return
    if not outcome["ok"]:
        problems = outcome["problems"]
        st.error(tr(failed, lang, n=format_number(len(problems), lang)))
        st.dataframe(view.problems_frame(problems, lang), hide_index=True)
        return
    if key == DATASET_OUTCOME:
        st.success(tr("data_upload_ok", lang, title=md(outcome["title"]),
                      cities=format_number(outcome["cities"], lang),
                      indicators=format_number(outcome["indicators"], lang)) + " "
                   + tr("data_upload_verified" if outcome["verified"]
                        else "data_upload_unverified", lang))
        if outcome["rank_error"]:
            st.warning(tr("data_upload_cannot_rank", lang, error=md(outcome["rank_error"])))
    else:
        st.success(tr("data_framework_ok", lang, name=md(outcome["name"]),
                      leaves=format_number(outcome["leaves"], lang)))
        if outcome["rank_error"]:
            st.warning(tr("data_framework_cannot_rank", lang, error=md(outcome["rank_error"])))


def _forget(key: str) -> None:
    st.session_state.pop(key, None)


def uploads(lang: str) -> None:
    st.subheader(tr("data_upload_heading", lang))
    st.caption(tr("data_upload_intro", lang))
    left, right = st.columns(2)
    with left:
        mb = 2**20
        st.file_uploader(tr("data_upload_label", lang), type=["csv", "xlsx", "geojson", "gpkg",
                                                               "json", "sha256"],
                         accept_multiple_files=True, key="data_upload_files",
                         max_upload_size=view.MAX_FILE_BYTES // mb,
                         on_change=_forget, args=(DATASET_OUTCOME,),
                         help=shell.uploader_help(tr("data_upload_help", lang,
                                                     file_mb=format_number(
                                                         view.MAX_FILE_BYTES // mb, lang),
                                                     total_mb=format_number(
                                                         view.MAX_TOTAL_BYTES // mb, lang)),
                                                  lang))
        st.button(tr("data_upload_button", lang), key="data_upload_button",
                  on_click=_on_dataset_upload)
        _show_outcome(DATASET_OUTCOME, "data_upload_failed", lang)
    with right:
        st.file_uploader(tr("data_framework_label", lang), type=["yaml", "yml"],
                         key="data_framework_file",
                         max_upload_size=max(1, view.MAX_FRAMEWORK_BYTES // 2**20),
                         on_change=_forget, args=(FRAMEWORK_OUTCOME,),
                         help=shell.uploader_help(tr("data_framework_help", lang,
                                                     mb=format_number(
                                                         view.MAX_FRAMEWORK_BYTES // 2**20,
                                                         lang)), lang))
        st.button(tr("data_framework_button", lang), key="data_framework_button",
                  on_click=_on_framework_upload)
        _show_outcome(FRAMEWORK_OUTCOME, "data_framework_failed", lang)


def coverage(dataset, lang: str) -> None:
    s = session.scenario()
    framework = result = None
    try:
        framework = session.framework()
        result = session.result()
    except CityKitError as err:
        # The coverage is still shown: by the framework if it loads, else by indicator.
        session.show_error(err)
        st.info(tr("data_not_rankable", lang))
    order, ranks = view.candidate_order(dataset, result)
    indicators = list(s.indicators) if s.indicators and framework is None else None
    provenance = result.ranking.matrix.provenance if result is not None else None
    grid = view.coverage_grid(dataset, framework, order, indicators=indicators, year=s.year,
                              provenance=provenance)
    st.subheader(tr("data_coverage_heading", lang))
    st.caption(tr("data_coverage_fw", lang, framework=md(framework.name_fa if lang == "fa"
                                                         else framework.name_en))
               if framework is not None
               else tr("data_coverage_ind", lang))
    top = st.columns([1, 2])[0].number_input(tr("data_top_n", lang), min_value=1, step=10,
                                             value=max(1, min(50, len(order))),
                                             key="data_top_n")
    shown = grid.flags.columns[: int(top)]
    sub = view.CoverageGrid(grid.flags[shown], grid.components)
    st.plotly_chart(view.coverage_figure(sub, view.city_names(dataset, lang), ranks=ranks,
                                         total=len(order), lang=lang), key="data_coverage")
    shares = view.coverage_shares(grid)
    st.caption(tr("data_coverage_shares", lang, cells=format_number(grid.flags.size, lang),
                  own=format_percent(shares["own"], lang),
                  centre=format_percent(shares["urban-centre"], lang),
                  county=format_percent(shares["proxy-county"], lang),
                  province=format_percent(shares["proxy-province"], lang),
                  imputed=format_percent(shares["imputed"], lang),
                  missing=format_percent(shares["missing"], lang)))
    if result is not None:
        city_level(result, lang)
    st.info(tr("proxy_note", lang))
    register(dataset, lang)
    st.subheader(tr("data_gaps_heading", lang))
    st.caption(tr("data_gaps_caption", lang, n=format_number(len(order), lang)))
    gaps = view.data_gaps(dataset, framework, order, indicators=indicators, year=s.year,
                          lang=lang)
    if gaps.empty:
        st.success(tr("data_no_gaps", lang))
    else:
        st.dataframe(gaps, hide_index=True)


def city_level(result, lang: str) -> None:
    shares = result.weight_by_provenance()["city-level"]
    names = view.city_names(result.dataset, lang)
    low = shares.idxmin()
    st.metric(tr("data_city_level", lang), format_percent(shares.mean(), lang),
              help=tr("data_city_level_help", lang, n=format_number(len(shares), lang)))
    st.caption(tr("data_city_level_caption", lang, city=md(names.get(low, low)),
                  share=format_percent(shares[low], lang)))


def register(dataset, lang: str) -> None:
    audit, join = dataset.side_table("register_audit"), dataset.side_table("centre_join")
    if audit is None and join is None:
        return
    st.subheader(tr("data_register_heading", lang))
    st.caption(tr("data_register_caption", lang))
    for key, table in (("data_register_audit", audit), ("data_centre_join", join)):
        if table is not None:
            with st.expander(tr(key, lang)):
                st.dataframe(table, hide_index=True)


def integrity(dataset, lang: str) -> None:
    st.subheader(tr("data_integrity_heading", lang))
    status = view.integrity_status(dataset)
    if status["verified"]:
        st.success(tr("verified", lang))
    else:
        st.warning(tr("not_verified", lang) + ("" if status["has_manifest"]
                                               else " " + tr("data_no_manifest", lang)))
    if status["fingerprint"]:
        st.markdown(f"{tr('data_fingerprint', lang)}:")
        st.code(status["fingerprint"], language=None)
    files = view.integrity_table(dataset, lang)
    if not files.empty:
        with st.expander(tr("data_files", lang, n=format_number(len(files), lang))):
            st.dataframe(files, hide_index=True)


lang = session.lang()
st.title(tr("page_data", lang))
try:
    dataset = session.dataset()
except CityKitError as err:
    session.show_error(err)
    dataset = None
if dataset is not None:
    st.subheader(tr("data_dataset", lang, title=md(dataset.title_in(lang))))
    st.caption(tr("data_path", lang, path=md(dataset.path)))
    columns = st.columns(len(dataset.summary()))
    for column, (key, count) in zip(columns, dataset.summary().items(), strict=True):
        column.metric(tr(key, lang), format_number(count, lang))
    coverage(dataset, lang)
    st.subheader(tr("provenance", lang))
    st.dataframe(sources_table(dataset, lang=lang), hide_index=True)
    integrity(dataset, lang)
uploads(lang)
