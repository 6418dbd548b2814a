"""Offline maps and the tables shown beside them, in English or Persian.

Every figure is a MapLibre map (``go.Choroplethmap`` / ``go.Scattermap``) with the ``white-bg``
style: no tile server, no style JSON, no web fonts and no CDN are needed, so the maps draw on a
machine with no network. The geometry comes from the dataset itself (``dataset.provinces``), and
the view (centre and zoom) is computed from its bounds, because a MapLibre map given neither
can end up looking at nothing.

Two traps shape the figures: glyphs and sprites need a server, so cities are told apart by colour
and size only (never by text labels or icon symbols); and plotly drops a location whose value is
missing, so provinces without a value are drawn by a separate grey trace labelled "no data".

The module also holds the user-facing strings (:data:`TEXT`, :func:`tr`) and the small tables
the app shows next to a map (:func:`city_table`, :func:`sources_table`), so that ``app.py`` only
wires widgets to these functions.
"""

from __future__ import annotations

import base64
import html
import json
import math
import weakref
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from .i18n import LANGS, TEXT, format_number, format_percent, register, tr
from .text import to_persian_digits

if TYPE_CHECKING:
    from .data import Dataset

__all__ = [
    "CITY_FILTERS", "LANGS", "LEGEND_ROW", "MAP_CONFIG", "TEXT", "axis_ticks", "city_map", "escape_hover", "city_table", "display_names", "filter_cities",
    "font_css", "format_number", "indicator_choropleth", "indicator_label", "indicator_options",
    "map_layout", "map_view", "marker_sizes", "province_choropleth", "province_map",
    "sources_table", "tr",
]

Lang = Literal["en", "fa"]
#: Which cities :func:`filter_cities` keeps.
CITY_FILTERS: tuple[str, ...] = ("all", "provincial_capitals", "metropolises")

#: The strings of the maps and the first page (registered in :mod:`citykit.i18n`).
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "citykit: candidate cities for a smart-city pilot",
        "language": "Language / زبان",
        "dataset": "Dataset",
        "no_dataset": "No dataset found: the folder of bundled datasets (datasets/, or "
                      "$CITYKIT_DATASETS) holds none.",
        "layer": "Map layer",
        "layer_cities": "Cities",
        "layer_indicator": "Indicator by province",
        "indicator": "Indicator",
        "no_indicator": "This dataset has no province-level indicator to map.",
        "show": "Show",
        "show_all": "All cities",
        "show_provincial_capitals": "Provincial capitals",
        "show_metropolises": "Metropolises",
        "exclude_capital": "Exclude the national capital",
        "exclude_capital_help": "A pilot outside the capital is the purpose of this tool.",
        "shown_cities": "Cities shown: {n}",
        "counts": "Dataset contents",
        "provinces": "Provinces",
        "counties": "Counties",
        "cities": "Cities",
        "indicators": "Indicators",
        "values": "Values",
        "sources": "Sources",
        "urban_centres": "Urban centres",
        "provenance": "Data sources, licences and attribution",
        "proxy_note": "Indicators published only for provinces are shown for a city as its "
                      "province's value and flagged *proxy*: they describe the province, not the "
                      "city.",
        "verified": "All files match the dataset's checksums.",
        "not_verified": "The dataset's files were not verified against checksums.",
        "col_id": "ID",
        "col_city": "City",
        "col_province": "Province",
        "col_population": "Population",
        "col_population_year": "Population year",
        "col_population_source": "Population source",
        "col_flags": "Flags",
        "col_source_id": "ID",
        "col_title": "Title",
        "col_publisher": "Publisher",
        "col_year": "Year",
        "col_licence": "Licence",
        "col_attribution": "Attribution",
        "col_origin": "Origin",
        "vintage_unknown": "vintage unknown",
        "national_capital": "national capital",
        "provincial_capital": "provincial capital",
        "metropolis": "metropolis",
        "other": "other city",
        "not_selected": "not selected",
        "legend_national_capital": "National capital",
        "legend_metropolis": "Metropolis",
        "legend_provincial_capital": "Provincial capital",
        "legend_other": "Other city",
        "legend_not_selected": "Not selected",
        "no_data": "no data",
        "population": "Population",
        "population_unknown": "population unknown",
        "province": "Province",
        "year": "Year",
        "source": "Source",
        "flag": "flag",
        "flag_official": "official",
        "flag_derived": "derived",
        "flag_proxy": "proxy",
        "flag_imputed": "imputed",
        "city_map_title": "{n} candidate cities (marker area ~ population)",
        "province_map_title": "Provinces",
        "indicator_map_title": "{name} ({unit}), {year}",
        "indicator_map_title_no_unit": "{name}, {year}",
    },
    "fa": {
        "app_title": "citykit: شهرهای نامزد برای طرح آزمایشی شهر هوشمند",
        "language": "Language / زبان",
        "dataset": "مجموعه داده",
        "no_dataset": "هیچ مجموعه داده‌ای یافت نشد: پوشهٔ مجموعه داده‌ها (datasets/ یا "
                      "$CITYKIT_DATASETS) خالی است.",
        "layer": "لایهٔ نقشه",
        "layer_cities": "شهرها",
        "layer_indicator": "شاخص به تفکیک استان",
        "indicator": "شاخص",
        "no_indicator": "این مجموعه داده شاخصی در سطح استان برای نمایش ندارد.",
        "show": "نمایش",
        "show_all": "همهٔ شهرها",
        "show_provincial_capitals": "مراکز استان",
        "show_metropolises": "کلان‌شهرها",
        "exclude_capital": "بدون پایتخت",
        "exclude_capital_help": "هدف این ابزار، طرح آزمایشی در شهری غیر از پایتخت است.",
        "shown_cities": "شهرهای نمایش‌داده‌شده: {n}",
        "counts": "محتوای مجموعه داده",
        "provinces": "استان‌ها",
        "counties": "شهرستان‌ها",
        "cities": "شهرها",
        "indicators": "شاخص‌ها",
        "values": "مقادیر",
        "sources": "منابع",
        "urban_centres": "مراکز شهری",
        "provenance": "منابع داده، مجوزها و انتساب",
        "proxy_note": "شاخص‌هایی که فقط در سطح استان منتشر شده‌اند برای هر شهر با مقدار استان آن "
                      "نشان داده می‌شوند و با برچسب «جانشین» (proxy) مشخص شده‌اند: این مقادیر "
                      "وصف استان‌اند، نه شهر.",
        "verified": "همهٔ پرونده‌ها با چکیده‌های (checksum) مجموعه داده مطابقت دارند.",
        "not_verified": "پرونده‌های مجموعه داده با چکیده‌ها بررسی نشده‌اند.",
        "col_id": "شناسه",
        "col_city": "شهر",
        "col_province": "استان",
        "col_population": "جمعیت",
        "col_population_year": "سال جمعیت",
        "col_population_source": "منبع جمعیت",
        "col_flags": "ویژگی‌ها",
        "col_source_id": "شناسه",
        "col_title": "عنوان",
        "col_publisher": "ناشر",
        "col_year": "سال",
        "col_licence": "مجوز",
        "col_attribution": "انتساب",
        "col_origin": "خاستگاه",
        "vintage_unknown": "سال نامعلوم (vintage unknown)",
        "national_capital": "پایتخت",
        "provincial_capital": "مرکز استان",
        "metropolis": "کلان‌شهر",
        "other": "شهر دیگر",
        "not_selected": "انتخاب‌نشده",
        "legend_national_capital": "پایتخت",
        "legend_metropolis": "کلان‌شهر",
        "legend_provincial_capital": "مرکز استان",
        "legend_other": "شهر دیگر",
        "legend_not_selected": "انتخاب‌نشده",
        "no_data": "بدون داده",
        "population": "جمعیت",
        "population_unknown": "جمعیت نامعلوم",
        "province": "استان",
        "year": "سال",
        "source": "منبع",
        "flag": "نوع",
        "flag_official": "رسمی",
        "flag_derived": "محاسبه‌شده",
        "flag_proxy": "جانشین (proxy)",
        "flag_imputed": "برآوردی",
        "city_map_title": "{n} شهر نامزد (مساحت نشانه متناسب با جمعیت)",
        "province_map_title": "استان‌ها",
        "indicator_map_title": "{name} ({unit})، {year}",
        "indicator_map_title_no_unit": "{name}، {year}",
    },
}

register(_TEXT)

#: Marker colours of the city categories (drawn in this order, so capitals end on top).
CATEGORY_COLOURS = {
    "other": "#5b7fa6",
    "provincial_capital": "#2ca02c",
    "metropolis": "#9467bd",
    "national_capital": "#d62728",
}
NOT_SELECTED_COLOUR = "#b8b8b8"
NO_DATA_COLOUR = "#d0d0d0"
OUTLINE_COLOUR = "#7a8896"
NEUTRAL_FILL = "#eef2f6"
#: Marker diameters in pixels: the smallest city and the most populous one.
MARKER_RANGE = (4.0, 30.0)
#: Figure height in pixels; the zoom of :func:`map_view` is fitted to it.
MAP_HEIGHT = 560
#: ``st.plotly_chart`` config of every map: the mouse wheel scrolls the page (plotly would zoom
#: the map by default); the mode bar keeps its zoom-in, zoom-out and reset buttons.
MAP_CONFIG = {"displaylogo": False, "scrollZoom": False}
#: Height of the legend's row below a map (pixels).
LEGEND_ROW = 34
FONT_FAMILY = {"en": "'Source Sans Pro', Arial, sans-serif",
               "fa": "Vazirmatn, Tahoma, 'DejaVu Sans', sans-serif"}
FONT_FILE = Path(__file__).parent / "assets" / "fonts" / "Vazirmatn-Variable.woff2"

_GEOJSON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


RLM = "\u200f"


def _bidi(text: str, lang: Lang) -> str:
    """Start every line of Persian text with a right-to-left mark, so that a line beginning
    with a number or a Latin word is still laid out right to left (plotly draws SVG text with a
    left-to-right base direction)."""
    if lang != "fa":
        return text
    return "<br>".join(RLM + line for line in text.split("<br>"))


def _digits(value: object, lang: Lang) -> str:
    return to_persian_digits(str(value)) if lang == "fa" else str(value)


def display_names(frame: pd.DataFrame, lang: Lang = "en") -> pd.Series:
    """Names in `lang`, falling back to English (or the other way round), then to the id.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``name_en`` and (optionally) ``name_fa`` columns, e.g. ``dataset.cities`` or
        ``dataset.provinces``.

    Examples
    --------
    >>> frame = pd.DataFrame({"name_en": ["Karaj", "Qom"], "name_fa": ["کرج", None]},
    ...                      index=["a", "b"])
    >>> display_names(frame, "fa").tolist()
    ['کرج', 'Qom']
    """
    return _names(frame, lang)


def _names(frame: pd.DataFrame, lang: Lang) -> pd.Series:
    """Names in `lang`, falling back to English (or the other way round) where one is missing."""
    first, second = ("name_fa", "name_en") if lang == "fa" else ("name_en", "name_fa")
    names = frame[first].astype("string")
    if second in frame.columns:
        names = names.fillna(frame[second].astype("string"))
    return names.fillna(pd.Series(frame.index.astype(str), index=frame.index, dtype="string"))


def map_view(bounds: Sequence[float], *, width: int = 520,
             height: int = MAP_HEIGHT - 64) -> dict[str, object]:
    """Centre and zoom that fit a lon/lat bounding box into a map of `width` x `height` pixels.

    Parameters
    ----------
    bounds : sequence of float
        ``(min_lon, min_lat, max_lon, max_lat)``, e.g. ``GeoDataFrame.total_bounds``.
    width, height : int
        The map's size in pixels (the app's map column is 520-700 px wide on a laptop).

    Returns
    -------
    dict
        ``{"center": {"lon": ..., "lat": ...}, "zoom": ...}`` for ``layout.map``.

    Examples
    --------
    >>> view = map_view((44.0, 25.0, 63.4, 39.8))
    >>> view["center"], round(view["zoom"], 2)
    ({'lon': 53.7, 'lat': 32.7059}, 4.1)
    """
    min_lon, min_lat, max_lon, max_lat = (float(b) for b in bounds)

    def mercator_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(max_lon - min_lon, 1e-3)
    y_span = max(mercator_y(max_lat) - mercator_y(min_lat), 1e-5)
    # MapLibre draws the world 512 px wide at zoom 0; keep a 10 % margin.
    zoom_x = math.log2(width * 360.0 / (512.0 * lon_span))
    zoom_y = math.log2(height * 2 * math.pi / (512.0 * y_span))
    centre_y = (mercator_y(max_lat) + mercator_y(min_lat)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return {"center": {"lon": round((min_lon + max_lon) / 2, 4), "lat": round(centre_lat, 4)},
            "zoom": min(zoom_x, zoom_y) - math.log2(1.1)}


def _provinces_geojson(dataset: Dataset, tolerance: float = 0.005,
                       codes: Sequence[str] | None = None) -> dict:
    """The provinces as GeoJSON keyed by ``province_code``, simplified for the browser.

    Coordinates are rounded to 4 decimals (about 10 m, far below a pixel at country zoom) to
    keep the figure's JSON small. The full collection is cached per dataset and tolerance;
    `codes` picks some provinces (a trace needs only the shapes it colours, and every copy of
    the geometry costs time when plotly copies and serialises the figure).
    """
    cached = _GEOJSON.setdefault(dataset, {})
    if tolerance not in cached:
        provinces = dataset.provinces
        shapes = provinces.geometry.simplify(tolerance, preserve_topology=True).to_numpy()
        shapes = shapely.set_precision(shapes, 1e-4)
        frame = provinces[["province_code"]].set_geometry(shapes, crs=provinces.crs)
        cached[tolerance] = json.loads(frame.to_json(drop_id=True))
    geojson = cached[tolerance]
    if codes is None:
        return geojson
    wanted = set(codes)
    return {**geojson, "features": [f for f in geojson["features"]
                                    if f["properties"]["province_code"] in wanted]}


def axis_ticks(values, lang: Lang = "en", *, n: int = 5, decimals: int | None = None,
               percent: bool = False) -> dict:
    """Explicit ticks for a numeric axis or colour bar, labelled in `lang`.

    Plotly writes its own ticks with Latin digits (and ``.8`` for 0.8 with some formats); these
    are round values over the data's range, written by :func:`format_number` (Persian digits
    and separators in Persian; percentages with `percent`).

    Examples
    --------
    >>> axis_ticks([0.12, 0.81])
    {'tickvals': [0.2, 0.4, 0.6, 0.8], 'ticktext': ['0.2', '0.4', '0.6', '0.8'], 'tickmode': 'array'}
    >>> axis_ticks([1, 8], "fa", decimals=0)["ticktext"]
    ['۲', '۴', '۶', '۸']
    >>> axis_ticks([0, 0.5], "fa", percent=True)["ticktext"][-1]
    '۵۰٪'
    """
    data = np.asarray(pd.to_numeric(pd.Series(list(values)), errors="coerce"), dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return {}
    low, high = float(data.min()), float(data.max())
    if high == low:
        ticks = np.array([low])
    else:
        raw = (high - low) / max(int(n), 1)
        power = 10.0 ** np.floor(np.log10(raw))
        step = power * min(m for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
        ticks = np.arange(np.ceil(low / step - 1e-9) * step, high + step * 1e-9, step)
        ticks = np.round(ticks, 12) + 0.0  # no "-0"
    if decimals is None:  # as many as the step needs
        step_text = f"{(ticks[1] - ticks[0]) if ticks.size > 1 else ticks[0]:.10f}".rstrip("0")
        decimals = len(step_text.split(".")[1]) if "." in step_text else 0
        decimals = max(decimals - 2, 0) if percent else decimals
    text = [format_percent(v, lang, decimals=decimals) if percent
            else format_number(v, lang, decimals=decimals) for v in ticks]
    return {"tickvals": [float(v) for v in ticks], "ticktext": text, "tickmode": "array"}


def map_layout(fig: go.Figure, dataset: Dataset, title: str, *, lang: Lang = "en") -> go.Figure:
    """Give `fig` the offline map layout: ``white-bg`` style, the view fitted to the dataset's
    provinces, the title (right-aligned in Persian), the language's font; returns `fig`.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> fig = map_layout(go.Figure(), load_dataset("iran"), "Provinces")
    >>> fig.layout.map.style, fig.layout.height == MAP_HEIGHT
    ('white-bg', True)
    """
    return _layout(fig, dataset, title, lang)


def _layout(fig: go.Figure, dataset: Dataset, title: str, lang: Lang) -> go.Figure:
    view = map_view(dataset.provinces.total_bounds)
    right = lang == "fa"
    fig.update_layout(
        # The title sits below the row where plotly shows its mode bar on hover.
        title={"text": _bidi(title, lang), "x": 0.99 if right else 0.01,
               "xanchor": "right" if right else "left", "font": {"size": 15},
               "yref": "container", "y": 1 - 46 / MAP_HEIGHT, "yanchor": "middle"},
        map={"style": "white-bg", **view},
        margin={"l": 0, "r": 0, "t": 64, "b": LEGEND_ROW},
        height=MAP_HEIGHT,
        font={"family": FONT_FAMILY[lang]},
        hoverlabel={"font": {"family": FONT_FAMILY[lang]}},
        # below the map, in one row: over the map it would hide a corner of the country
        legend={"orientation": "h", "x": 0.99 if right else 0.01,
                "xanchor": "right" if right else "left", "y": 0, "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0.85)"},
        uirevision=dataset.name,
        paper_bgcolor="white",
    )
    return fig


def _flat_colours(colour: str) -> list[list[object]]:
    return [[0.0, colour], [1.0, colour]]


def _outline_trace(dataset: Dataset, codes: Sequence[str], *, fill: str, line: str,
                   hovertext: Sequence[str] | None, name: str,
                   showlegend: bool = False) -> go.Choroplethmap:
    """Provinces `codes` in one flat colour, with outlines."""
    codes = list(codes)
    whole = len(codes) == len(dataset.provinces)
    return go.Choroplethmap(
        geojson=_provinces_geojson(dataset, codes=None if whole else codes),
        featureidkey="properties.province_code",
        locations=codes, z=[0] * len(codes), colorscale=_flat_colours(fill),
        showscale=False, marker={"line": {"color": line, "width": 0.8}},
        text=None if hovertext is None else list(hovertext),
        hovertemplate="%{text}<extra></extra>" if hovertext is not None else None,
        hoverinfo="skip" if hovertext is None else None,
        name=name, showlegend=showlegend,
    )


def _flag_text(flag: object, lang: Lang) -> str:
    if flag is None or pd.isna(flag):
        return ""
    return tr(f"flag_{flag}", lang) if f"flag_{flag}" in TEXT["en"] else str(flag)


def escape_hover(text: object) -> str:
    """Text from the data made safe for plotly's hover and legend markup (``<``, ``>``, ``&``).

    plotly reads a few HTML-like tags in hover text; a place named ``<b>`` must show as text.

    Examples
    --------
    >>> escape_hover("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape_hover("کرج")
    'کرج'
    """
    return html.escape(str(text), quote=False)


def _province_hover(name: str, row: pd.Series | None, unit: str, lang: Lang) -> str:
    name = escape_hover(name)
    if row is None:
        return _bidi(f"<b>{name}</b><br>{tr('no_data', lang)}", lang)
    lines = [f"<b>{name}</b>",
             f"{format_number(row['value'], lang)} {unit}".strip(),
             f"{tr('year', lang)}: {_digits(row['year'], lang)}",
             f"{tr('source', lang)}: {row['source']} · {tr('flag', lang)}: "
             f"{_flag_text(row['flag'], lang)}"]
    note = row.get("note")
    if note is not None and not pd.isna(note) and str(note).strip():
        lines.append(_wrap(str(note)))
    return _bidi("<br>".join(lines), lang)


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def province_map(dataset: Dataset, indicator: str | None = None, *,
                 year: int | Literal["latest"] = "latest", lang: Lang = "en") -> go.Figure:
    """The provinces on an offline map, coloured by one indicator or drawn as plain outlines.

    Parameters
    ----------
    dataset : Dataset
        From :func:`citykit.data.load_dataset`.
    indicator : str, optional
        An indicator code with province-level values. ``None`` draws the provinces in one
        neutral colour.
    year : int or "latest", default "latest"
        The year of the values; ``"latest"`` takes the indicator's most recent year (a province
        without a value in that year shows "no data": an older value is not substituted).
    lang : {"en", "fa"}
        Names, numbers (Persian digits) and labels in English or Persian.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``choroplethmap`` trace of the provinces with values and, when some have none, a
        grey ``choroplethmap`` trace named "no data" holding the rest: every province is drawn.
        Hover: name, value and unit, year, source id and flag (``proxy`` values say so).

    Raises
    ------
    citykit.exceptions.DataValidationError
        If `indicator` is not a code of the dataset.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> fig = province_map(ds)
    >>> fig.data[0].type, fig.layout.map.style, len(fig.data[0].locations)
    ('choroplethmap', 'white-bg', 31)
    >>> code = indicator_options(ds)[0]
    >>> fig = province_map(ds, code, lang="fa")
    >>> sum(len(t.locations) for t in fig.data)
    31
    """
    provinces = dataset.provinces
    names = _names(provinces, lang)
    if indicator is None:
        fig = go.Figure(_outline_trace(
            dataset, provinces.index, fill=NEUTRAL_FILL, line=OUTLINE_COLOUR,
            hovertext=[_bidi(f"<b>{escape_hover(n)}</b>", lang) for n in names],
            name=tr("province_map_title", lang)))
        return _layout(fig, dataset, tr("province_map_title", lang), lang)

    traces, title = indicator_choropleth(dataset, indicator, year=year, lang=lang)
    return _layout(go.Figure(traces), dataset, title, lang)


#: The colour bar of a province choropleth: horizontal, in the map's lower-left corner.
PROVINCE_COLORBAR = {"orientation": "h", "x": 0.02, "xanchor": "left", "y": 0.03,
                     "yanchor": "bottom", "len": 0.45, "thickness": 12,
                     "bgcolor": "rgba(255,255,255,0.85)"}


def province_choropleth(dataset: Dataset, values: pd.Series, hovertext: pd.Series, *,
                        name: str, lang: Lang = "en", colorbar_title: str = "",
                        colorscale: str = "Viridis", reversescale: bool = False,
                        no_data_hover: pd.Series | None = None,
                        no_data_name: str | None = None) -> list[go.Choroplethmap]:
    """Provinces coloured by `values`, with the ones without a value drawn grey as "no data".

    Plotly drops a location whose value is missing, so every province lands in exactly one of
    the (at most) two traces returned: none disappears from the map.

    Parameters
    ----------
    dataset : Dataset
        Its ``provinces`` give the geometry and the province codes.
    values : pandas.Series
        Value per ``province_code``; NaN or absent means no data.
    hovertext : pandas.Series
        Hover text per ``province_code`` of the provinces with a value (plotly HTML).
    name : str
        Name of the coloured trace.
    lang : {"en", "fa"}
    colorbar_title, colorscale, reversescale
        The colour scale and the title of its (horizontal, lower-left) colour bar.
    no_data_hover : pandas.Series, optional
        Hover text of the provinces without a value; default their name and "no data".
    no_data_name : str, optional
        The grey trace's legend entry; default "no data" (e.g. "no candidate" when the value
        is an aggregate of candidates).

    Returns
    -------
    list of plotly.graph_objects.Choroplethmap
        The coloured trace (if any province has a value), then a grey trace named "no data"
        (if any has none).

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> codes = ds.provinces.index
    >>> values = pd.Series(range(len(codes)), index=codes, dtype=float).iloc[:-2]
    >>> traces = province_choropleth(ds, values, values.astype(str), name="demo")
    >>> [t.name for t in traces], [len(t.locations) for t in traces]
    (['demo', 'no data'], [29, 2])
    """
    names = _names(dataset.provinces, lang)
    values = pd.to_numeric(values, errors="coerce").reindex(dataset.provinces.index)
    has = values.index[values.notna()].tolist()
    missing = values.index[values.isna()].tolist()
    traces: list[go.Choroplethmap] = []
    if has:
        traces.append(go.Choroplethmap(
            geojson=_provinces_geojson(dataset, codes=None if not missing else has),
            featureidkey="properties.province_code",
            locations=has, z=values[has].astype(float).tolist(), colorscale=colorscale,
            reversescale=reversescale, marker={"line": {"color": "white", "width": 0.8}},
            colorbar={"title": {"text": colorbar_title, "side": "top"}, **PROVINCE_COLORBAR,
                      **axis_ticks(values[has], lang)},
            text=hovertext.reindex(has).fillna("").tolist(),
            hovertemplate="%{text}<extra></extra>", name=name, showlegend=False,
        ))
    if missing:
        hover = ([_province_hover(names[c], None, "", lang) for c in missing]
                 if no_data_hover is None else no_data_hover.reindex(missing).tolist())
        traces.append(_outline_trace(dataset, missing, fill=NO_DATA_COLOUR, line="white",
                                     hovertext=hover, name=no_data_name or tr("no_data", lang),
                                     showlegend=True))
    return traces


def indicator_choropleth(dataset: Dataset, indicator: str, *,
                         year: int | Literal["latest"] = "latest", lang: Lang = "en",
                         colorscale: str = "Viridis") -> tuple[list[go.Choroplethmap], str]:
    """The province traces of :func:`province_map` for one indicator, and the map's title.

    Use it to draw an indicator under other traces (e.g. city markers) on one map.

    Raises
    ------
    citykit.exceptions.DataValidationError
        If `indicator` is not a code of the dataset.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> traces, title = indicator_choropleth(ds, indicator_options(ds)[0])
    >>> sum(len(t.locations) for t in traces), bool(title)
    (31, True)
    """
    provinces = dataset.provinces
    names = _names(provinces, lang)
    found = dataset.level_values("province", indicators=[indicator], year=year)
    found = found.drop_duplicates("entity_id").set_index("entity_id")
    meta = dataset.indicators.loc[indicator]
    unit = "" if pd.isna(meta.get("unit")) else _digits(meta["unit"], lang)
    name = str(_names(dataset.indicators.loc[[indicator]], lang).iloc[0])
    has = [code for code in provinces.index if code in found.index]
    hover = pd.Series([_province_hover(names[c], found.loc[c], unit, lang) for c in has],
                      index=has, dtype=object)
    values = found["value"].reindex(provinces.index).astype(float)
    traces = province_choropleth(
        dataset, values, hover, name=name, lang=lang, colorbar_title=unit,
        colorscale=colorscale,
        no_data_hover=pd.Series({c: _province_hover(names[c], None, unit, lang)
                                 for c in provinces.index if c not in found.index}, dtype=object))
    years = sorted({int(y) for y in found["year"]}) if has else []
    template = "indicator_map_title" if unit and unit not in name else "indicator_map_title_no_unit"
    title = tr(template, lang, name=name, unit=unit,
               year=_digits("–".join(map(str, years)) if years else tr("no_data", lang), lang))
    return traces, title


def _categories(cities: pd.DataFrame) -> pd.Series:
    """Each city's map category: national capital, metropolis, provincial capital or other."""
    category = pd.Series("other", index=cities.index, dtype="object")
    category[cities["is_provincial_capital"].astype(bool)] = "provincial_capital"
    category[cities["is_metropolis"].astype(bool)] = "metropolis"
    category[cities["is_national_capital"].astype(bool)] = "national_capital"
    return category


def marker_sizes(population: pd.Series, *, top: float | None = None) -> pd.Series:
    """Marker diameters in pixels whose area grows with population; unknown = smallest.

    Parameters
    ----------
    population : pandas.Series
    top : float, optional
        The population drawn at the largest size (default: the largest in `population`). Pass
        the dataset's largest, so that a city keeps its size whichever cities are shown.

    Examples
    --------
    >>> marker_sizes(pd.Series([100.0, 25.0, None]), top=100.0).tolist()
    [30.0, 17.0, 4.0]
    """
    return _marker_sizes(population, top=top)


def _marker_sizes(population: pd.Series, top: float | None = None) -> pd.Series:
    """Marker diameters whose area grows with population (sqrt scale); unknown = smallest."""
    pop = pd.to_numeric(population, errors="coerce").astype(float)
    top = pop.max() if top is None else float(top)
    low, high = MARKER_RANGE
    if not np.isfinite(top) or top <= 0:
        return pd.Series(low, index=population.index)
    share = (pop.clip(lower=0) / top).clip(upper=1.0)  # a city above `top` gets the top size
    return (low + (high - low) * np.sqrt(share)).fillna(low).round(2)


def _flag_list(city: pd.Series, lang: Lang) -> str:
    flags = [tr(key, lang) for key in ("national_capital", "provincial_capital", "metropolis")
             if bool(city[f"is_{key}"])]
    return ("، " if lang == "fa" else ", ").join(flags)


def _population_text(city: pd.Series, lang: Lang) -> str:
    if pd.isna(city["population"]):
        return tr("population_unknown", lang)
    year = city.get("population_year")
    vintage = tr("vintage_unknown", lang) if year is None or pd.isna(year) else _digits(
        int(float(year)), lang)
    source = city.get("population_source")
    source = "" if source is None or pd.isna(source) else f", {source}"
    number = format_number(city["population"], lang)
    return f"{tr('population', lang)}: {number} ({vintage}{source})"


def _city_hover(city: pd.Series, name: str, province: str, lang: Lang) -> str:
    lines = [f"<b>{escape_hover(name)}</b>", escape_hover(province),
             _population_text(city, lang)]
    flags = _flag_list(city, lang)
    if flags:
        lines.append(flags)
    return _bidi("<br>".join(lines), lang)


def city_map(dataset: Dataset, *, lang: Lang = "en",
             highlight: Sequence[str] | None = None) -> go.Figure:
    """The candidate cities as points over the province outlines, on an offline map.

    Marker area grows with population (diameter ~ sqrt); colour tells the national capital,
    metropolises, provincial capitals and other cities apart (no text labels or icons: those
    would need a glyph or sprite server).

    Parameters
    ----------
    dataset : Dataset
        From :func:`citykit.data.load_dataset`.
    lang : {"en", "fa"}
        Names, numbers (Persian digits) and labels in English or Persian.
    highlight : sequence of str, optional
        ``city_id`` of the cities selected (e.g. by :func:`filter_cities`). The others are
        drawn as small grey points named "not selected". ``None`` selects every city.

    Returns
    -------
    plotly.graph_objects.Figure
        A ``choroplethmap`` trace of the province outlines (no hover), then one ``scattermap``
        trace per city category that has cities.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> fig = city_map(ds)
    >>> [t.type for t in fig.data][:2], fig.layout.map.style
    (['choroplethmap', 'scattermap'], 'white-bg')
    >>> sum(len(t.lat) for t in fig.data if t.type == "scattermap") == len(ds.cities)
    True
    """
    cities = dataset.cities
    names = _names(cities, lang)
    province_names = _names(dataset.provinces, lang)
    selected = cities.index if highlight is None else cities.index[cities.index.isin(highlight)]
    category = _categories(cities)
    category[~cities.index.isin(selected)] = "not_selected"
    sizes = _marker_sizes(cities["population"])
    hover = pd.Series([_city_hover(city, names[cid], province_names.get(city["province_code"], ""),
                                   lang) for cid, city in cities.iterrows()], index=cities.index)
    traces: list[go.BaseTraceType] = [_outline_trace(
        dataset, dataset.provinces.index, fill=NEUTRAL_FILL, line=OUTLINE_COLOUR, hovertext=None,
        name=tr("province_map_title", lang))]
    styles = {"not_selected": (NOT_SELECTED_COLOUR, 0.6), **{
        key: (colour, 0.85) for key, colour in CATEGORY_COLOURS.items()}}
    for key, (colour, opacity) in styles.items():
        ids = category.index[category == key]
        if len(ids) == 0:
            continue
        size = sizes[ids].clip(upper=6.0) if key == "not_selected" else sizes[ids]
        order = size.sort_values(ascending=False).index  # small markers on top of large ones
        traces.append(go.Scattermap(
            lat=cities.loc[order, "latitude"].astype(float).tolist(),
            lon=cities.loc[order, "longitude"].astype(float).tolist(),
            mode="markers", marker={"size": size[order].tolist(), "color": colour,
                                    "opacity": opacity},
            customdata=list(order), text=hover[order].tolist(),
            hovertemplate="%{text}<extra></extra>", name=tr(f"legend_{key}", lang),
        ))
    n = _digits(len(selected), lang)
    return _layout(go.Figure(traces), dataset, tr("city_map_title", lang, n=n), lang)


def filter_cities(dataset: Dataset, *, show: str = "all",
                  exclude_national_capital: bool = True) -> list[str]:
    """The ``city_id`` of the cities to show, most populous first.

    Parameters
    ----------
    dataset : Dataset
    show : {"all", "provincial_capitals", "metropolises"}
        Which cities to keep (see :data:`CITY_FILTERS`).
    exclude_national_capital : bool, default True
        Leave out the national capital (pilots are meant for other cities).

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> ds.national_capital[0] in filter_cities(ds)
    False
    >>> ds.national_capital[0] in filter_cities(ds, exclude_national_capital=False)
    True
    """
    if show not in CITY_FILTERS:
        raise ValueError(f"show must be one of {CITY_FILTERS}, got {show!r}")
    cities = dataset.cities
    keep = pd.Series(True, index=cities.index)
    if show == "provincial_capitals":
        keep &= cities["is_provincial_capital"].astype(bool)
    elif show == "metropolises":
        keep &= cities["is_metropolis"].astype(bool)
    if exclude_national_capital:
        keep &= ~cities["is_national_capital"].astype(bool)
    population = pd.to_numeric(cities.loc[keep, "population"], errors="coerce")
    return population.sort_values(ascending=False, na_position="last",
                                  kind="stable").index.tolist()


def city_table(dataset: Dataset, city_ids: Sequence[str] | None = None, *,
               lang: Lang = "en") -> pd.DataFrame:
    """The cities as a table for display: name, province, population with its source, flags.

    Parameters
    ----------
    dataset : Dataset
    city_ids : sequence of str, optional
        The cities, in the order to show them (default: all, as stored).
    lang : {"en", "fa"}
        Column headers, names and notes in English or Persian. Population stays a number (so
        the table sorts correctly).

    Returns
    -------
    pandas.DataFrame
        Columns ``City, Province, Population, Population year, Population source, Flags, ID``
        (translated in ``fa``). A missing population year reads "vintage unknown".

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> ds = load_dataset("iran")
    >>> table = city_table(ds, filter_cities(ds, show="metropolises"))
    >>> list(table.columns)
    ['City', 'Province', 'Population', 'Population year', 'Population source', 'Flags', 'ID']
    >>> bool(table["Flags"].str.contains("metropolis").all())
    True
    """
    cities = dataset.cities if city_ids is None else dataset.cities.loc[list(city_ids)]
    province_names = _names(dataset.provinces, lang)
    year = pd.to_numeric(cities["population_year"], errors="coerce")
    vintage = [tr("vintage_unknown", lang) if pd.isna(y) else _digits(int(y), lang) for y in year]
    source = cities.get("population_source", pd.Series(pd.NA, index=cities.index))
    columns = {
        "col_city": _names(cities, lang).to_numpy(),
        "col_province": cities["province_code"].map(province_names).to_numpy(),
        "col_population": pd.to_numeric(cities["population"], errors="coerce").astype(
            "Int64").to_numpy(),
        "col_population_year": vintage,
        "col_population_source": source.astype("string").to_numpy(),
        "col_flags": [_flag_list(city, lang) for _, city in cities.iterrows()],
        "col_id": cities.index.astype(str),
    }
    return pd.DataFrame({tr(key, lang): values for key, values in columns.items()})


def indicator_options(dataset: Dataset, *, lang: Lang = "en") -> list[str]:
    """Codes of the indicators that have province-level values (mappable by province).

    Ordered by their name in `lang`. Use :func:`indicator_label` to show them.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> len(indicator_options(load_dataset("iran"))) > 0
    True
    """
    values = dataset.values
    codes = values.loc[values["level"] == "province", "indicator"].unique()
    known = dataset.indicators.loc[[c for c in dataset.indicators.index if c in set(codes)]]
    return _names(known, lang).sort_values(kind="stable").index.tolist()


def indicator_label(dataset: Dataset, code: str, *, lang: Lang = "en") -> str:
    """An indicator's name in `lang`, with its unit, e.g. ``"Literacy rate (%)"``."""
    meta = dataset.indicators.loc[[code]]
    unit = meta["unit"].iloc[0]
    name = _names(meta, lang).iloc[0]
    if pd.isna(unit) or not str(unit).strip():
        return str(name)
    return f"{name} ({_digits(unit, lang)})"


def sources_table(dataset: Dataset, *, lang: Lang = "en") -> pd.DataFrame:
    """The dataset's sources with their licences and the attribution they require.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> list(sources_table(load_dataset("iran")).columns)[:4]
    ['ID', 'Title', 'Publisher', 'Year']
    """
    sources = dataset.sources
    columns = {"col_source_id": "id", "col_title": "title", "col_publisher": "publisher",
               "col_year": "year", "col_licence": "licence", "col_attribution": "attribution",
               "col_origin": "origin"}
    return pd.DataFrame({
        tr(key, lang): (sources[col].astype("string").to_numpy() if col in sources.columns
                        else pd.array([pd.NA] * len(sources), dtype="string"))
        for key, col in columns.items()})


@cache
def _font_base64() -> str | None:
    return base64.b64encode(FONT_FILE.read_bytes()).decode("ascii") if FONT_FILE.exists() else None


def font_css(lang: Lang) -> str:
    """A ``<style>`` block: right-to-left layout and the bundled Persian font, in ``fa`` only.

    The font (Vazirmatn, SIL Open Font License 1.1, see ``citykit/assets/fonts/``) is embedded
    as a data URI, so nothing is fetched from outside. Maps and the data grid keep a
    left-to-right layout (their own text is laid out by the browser either way).

    Examples
    --------
    >>> font_css("en")
    ''
    >>> "direction: rtl" in font_css("fa")
    True
    """
    if lang != "fa":
        return ""
    encoded = _font_base64()
    face = ("" if encoded is None else
            "@font-face {font-family: 'Vazirmatn'; font-weight: 100 900; font-display: swap; "
            f"src: url(data:font/woff2;base64,{encoded}) format('woff2');}}\n")
    text = ("[data-testid='stMain'] :is(h1, h2, h3, p, label, li, td, th), "
            "[data-testid='stSidebar'] :is(h1, h2, h3, p, label, li), "
            "[data-testid='stMetricValue'], [data-testid='stMetricLabel']")
    return (
        "<style>\n" + face
        + "[data-testid='stMain'], [data-testid='stSidebar'] {direction: rtl; text-align: right;}\n"
        + f"{text} {{font-family: {FONT_FAMILY['fa']};}}\n"
        + "[data-testid='stPlotlyChart'], [data-testid='stDataFrame'] {direction: ltr;}\n"
        + "</style>"
    )
