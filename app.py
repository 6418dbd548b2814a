"""citykit in the browser: the candidate cities and provinces on an offline map, with a table.

Run with ``streamlit run app.py``. Everything is drawn from the bundled data: the maps use
MapLibre's ``white-bg`` style (no tiles), and ``.streamlit/config.toml`` turns off usage
statistics, so the page makes no request outside this machine.
"""

from __future__ import annotations

import streamlit as st

from citykit import maps
from citykit.data import Dataset, bundled_datasets, load_dataset
from citykit.exceptions import CityKitError, DatasetNotFoundError

st.set_page_config(page_title="citykit", layout="wide")


@st.cache_resource(show_spinner=False)
def load(name: str) -> Dataset:
    """Load a bundled dataset once per server process (shared; never mutated)."""
    return load_dataset(name)


lang = st.sidebar.radio(maps.tr("language"), maps.LANGS, key="lang", horizontal=True,
                        format_func={"en": "English", "fa": "فارسی"}.get)
if css := maps.font_css(lang):
    st.html(css)
st.title(maps.tr("app_title", lang))

names = bundled_datasets()
name = st.sidebar.selectbox(maps.tr("dataset", lang), names, key="dataset",
                            index=names.index("iran") if "iran" in names else 0)
try:
    if name is None:
        raise DatasetNotFoundError(maps.tr("no_dataset", lang))
    dataset = load(name)
except CityKitError as err:
    st.error(str(err))
    st.stop()

layer = st.sidebar.radio(maps.tr("layer", lang), ("cities", "indicator"), key="layer",
                         format_func=lambda v: maps.tr(f"layer_{v}", lang))
codes = maps.indicator_options(dataset, lang=lang)
indicator = st.sidebar.selectbox(
    maps.tr("indicator", lang), codes, key="indicator", disabled=layer != "indicator",
    format_func=lambda code: maps.indicator_label(dataset, code, lang=lang))
show = st.sidebar.radio(maps.tr("show", lang), maps.CITY_FILTERS, key="show",
                        format_func=lambda v: maps.tr(f"show_{v}", lang))
exclude_capital = st.sidebar.checkbox(maps.tr("exclude_capital", lang), value=True,
                                      key="exclude_capital",
                                      help=maps.tr("exclude_capital_help", lang))

shown = maps.filter_cities(dataset, show=show, exclude_national_capital=exclude_capital)
left, right = st.columns([3, 2])
with left:
    try:
        if layer == "indicator" and indicator is not None:
            figure = maps.province_map(dataset, indicator, lang=lang)
        else:
            if layer == "indicator":
                st.info(maps.tr("no_indicator", lang))
            figure = maps.city_map(dataset, lang=lang, highlight=shown)
    except CityKitError as err:
        st.error(str(err))
        figure = maps.province_map(dataset, lang=lang)
    st.plotly_chart(figure, key="map", theme=None,
                    config={"displaylogo": False, "scrollZoom": True})
with right:
    st.caption(maps.tr("shown_cities", lang, n=len(shown)))
    st.dataframe(maps.city_table(dataset, shown, lang=lang), key="cities_table",
                 hide_index=True, height=520)

st.subheader(maps.tr("counts", lang))
for column, (key, count) in zip(st.columns(6), dataset.summary().items(), strict=True):
    column.metric(maps.tr(key, lang), maps.format_number(count, lang))

st.info(maps.tr("proxy_note", lang))
with st.expander(maps.tr("provenance", lang)):
    st.caption(maps.tr("verified" if dataset.verified else "not_verified", lang))
    st.dataframe(maps.sources_table(dataset, lang=lang), key="sources_table", hide_index=True)
