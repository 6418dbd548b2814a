"""The "Compare cities" page's view models: 2 to 5 ranked cities side by side.

Everything here takes a scenario :class:`~citykit.scenario.Result` and returns plain data, a
table or a plotly figure in English or Persian; ``app_pages/compare.py`` only wires widgets to
these functions. The page shows

* a radar of the cities' scores by framework dimension (one trace per city),
* the indicator table: one row per criterion, one column per city with the raw value, its
  provenance marked (``°`` urban-centre value, ``†`` county value, ``‡`` province value, ``*`` imputed; see
  :func:`provenance_legend`) and, beside it, the value's source, year and flag,
* each city against the median of all ranked candidates, by sub-index: its readiness
  strengths and weaknesses, and where it has more (or less) need than most candidates,
* what improvement in one readiness indicator would close the gap to the next city, from
  :func:`citykit.explain.close_gap` (need indicators are never proposed).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import maps
from ..explain import close_gap, next_better
from ..i18n import format_number, format_percent, register, tr
from ..ranking import SW_GROUPS, SW_KINDS, criterion_groups
from ..text import to_persian_digits
from .safe import md

if TYPE_CHECKING:
    from ..scenario import Result

__all__ = [
    "MAX_CITIES", "MIN_CITIES", "PRESELECT", "SW_SECTIONS", "Selection", "city_names",
    "dimension_names", "gap_caption", "gap_table", "gap_targets", "indicator_table",
    "provenance_legend", "provenance_marker", "radar_figure", "select", "sources_table",
    "strengths_weaknesses", "summary", "sw_caption", "sw_sections", "value_details",
]

Lang = Literal["en", "fa"]
#: Fewest and most cities side by side; cities preselected when fewer than two are chosen.
MIN_CITIES, MAX_CITIES, PRESELECT = 2, 5, 3
#: Marker after a value, by provenance (``imputed-*`` takes ``*``).
MARKERS = {"own": "", "urban-centre": "°", "proxy-county": "†", "proxy-province": "‡",
           "imputed": "*"}
RLM = "\u200f"
_RELATIVE = ("topsis", "vikor", "promethee2")

# Persian renderings of the Iran dataset's units (others are shown as given).
_UNITS_FA = {
    "%": "٪", "years": "سال", "persons": "نفر", "thousand people": "هزار نفر",
    "index 0-1": "شاخص ۰ تا ۱", "pupils per class": "دانش‌آموز در هر کلاس",
    "pupils per teacher": "دانش‌آموز به ازای هر معلم",
    "per 100,000 people": "در هر ۱۰۰٬۰۰۰ نفر", "per 10,000 people": "در هر ۱۰٬۰۰۰ نفر",
    "% of household expenditure": "٪ از هزینه خانوار",
    "thousand rials per household per year": "هزار ریال برای هر خانوار در سال",
    "children per woman": "فرزند به ازای هر زن",
    "litres per person per day": "لیتر برای هر نفر در روز",
    "ln(PPP US$ per person)": "لگاریتم طبیعی (دلار PPP سرانه)",
    "m² per person": "مترمربع برای هر نفر", "ratio": "نسبت",
    "2011 PPP US$ per person": "دلار PPP ۲۰۱۱ برای هر نفر",
    "per km² built up": "در هر کیلومترمربع ساخته‌شده",
    "nW/sr/cm² × km² per 1,000 people": "nW/sr/cm² × km² در هر ۱٬۰۰۰ نفر",
    "% of centre area": "٪ از مساحت مرکز شهری", "µg/m³": "میکروگرم بر مترمکعب",
    "% of street nodes": "٪ از گره‌های شبکهٔ معابر",
    "t CO₂ per person per year": "تن CO₂ برای هر نفر در سال",
    "kg per person per year": "کیلوگرم برای هر نفر در سال", "% change": "٪ تغییر",
}

register({
    "en": {
        "cmp_title": "Compare cities",
        "cmp_intro": "Choose {lo} to {hi} ranked cities to see side by side. Cities clicked on "
                     "the map of the first page are added here.",
        "cmp_choose": "Cities to compare",
        "cmp_choose_placeholder": "Choose 2 to 5 cities",
        "cmp_choose_help": "From {lo} to {hi} of the ranked candidates, in the order chosen.",
        "cmp_preselected": "Fewer than two cities were chosen, so the top {n} of the ranking "
                           "are shown; change the selection above.",
        "cmp_too_few": "Choose at least two cities to compare (one is chosen now).",
        "cmp_too_few_none": "Choose at least two cities to compare.",
        "cmp_too_many": "At most {hi} cities fit side by side; you chose {n}. The selection was "
                        "not changed: remove one before adding another.",
        "cmp_not_ranked": "Not ranked under the current settings, so not compared: {names}. "
                          "They stay in your list.",
        "cmp_not_ranked_option": "{name} (not ranked)",
        "cmp_rank_metric": "Rank {rank} of {n}",
        "cmp_score_metric": "Score {score}",
        "cmp_radar_heading": "Scores by dimension",
        "cmp_radar_title": "Scores by dimension · {method}",
        "cmp_radar_vikor": "1 − Q by dimension (VIKOR; higher is better)",
        "cmp_radar_caption": "Each dimension is scored with the same method on its own "
                             "indicators, with the overall weights rescaled within it.",
        "cmp_table_heading": "Indicators",
        "cmp_col_indicator": "Indicator",
        "cmp_col_unit": "Unit",
        "cmp_col_better": "Better when",
        "cmp_higher": "higher",
        "cmp_lower": "lower",
        "cmp_col_detail": "{name}: source · year · flag",
        "cmp_legend": "° the urban centre's value (the city is its core) · † the county's "
                      "value (proxy) · ‡ the province's value (proxy) · * imputed (no "
                      "published value) · no mark: the city's own value.",
        "cmp_prov_own": "own value",
        "cmp_prov_urban-centre": "urban-centre value",
        "cmp_prov_proxy-county": "proxy (county)",
        "cmp_prov_proxy-province": "proxy (province)",
        "cmp_prov_imputed": "imputed ({how})",
        "cmp_imputed_no_source": "no source: filled in by the missing-data policy",
        "cmp_sources_heading": "Sources of these values",
        "cmp_col_source": "Source",
        "cmp_col_publisher": "Publisher",
        "cmp_col_licence": "Licence",
        "cmp_sw_heading": "Strengths and weaknesses",
        "cmp_sw_caption": "Against the median of all {n} ranked candidates, on the normalised "
                          "scale, weighted by how much each indicator counts.",
        "cmp_sw_caption_need": "Readiness indicators say whether a pilot is likely to succeed "
                               "in the city: its strengths and weaknesses. Need indicators say "
                               "whether the city would benefit: more need than most "
                               "candidates means a pilot would serve more need there; it is "
                               "neither a strength nor a weakness.",
        "cmp_strengths": "Strengths",
        "cmp_weaknesses": "Weaknesses",
        "cmp_readiness_strengths": "Readiness: strengths",
        "cmp_readiness_weaknesses": "Readiness: weaknesses",
        "cmp_need_more": "Need: more than most candidates",
        "cmp_need_less": "Need: less than most candidates",
        "cmp_sw_line": "**{name}**: {value} (median {median}): {relation}",
        "cmp_sw_higher": "higher than most candidates",
        "cmp_sw_lower": "lower than most candidates",
        "cmp_sw_more_need": "{relation} — more need: a pilot would serve more need here",
        "cmp_sw_less_need": "{relation} — less need than most",
        "cmp_sw_none": "none against the median",
        "cmp_gap_heading": "What would close the gap",
        "cmp_gap_city": "City",
        "cmp_gap_target": "Catch up with",
        "cmp_gap_target_next": "the next city in the ranking",
        "cmp_gap_first": "{name} ranks first: there is no better city to catch up with.",
        "cmp_gap_caption": "The improvement in one indicator alone (all others as they are, "
                           "the normalisation as fitted on the candidates) that would bring "
                           "{city} (rank {rank}) level with {target} (rank {target_rank}). The "
                           "{k} easiest, smallest change first.",
        "cmp_gap_excluded": "Only readiness indicators are proposed, and only in the direction "
                            "that improves them. The {n} need indicators are not proposed: "
                            "improving them lowers the score by design, and making a city worse "
                            "off is no way to close a gap.",
        "cmp_gap_relative": "{method} is a relative method: the changed value also moves the "
                            "other cities' scores, {target}'s included; that is accounted for.",
        "cmp_gap_unreachable": "{n} of {m} indicators cannot close the gap alone within the "
                               "searched range (one observed range beyond the best candidate).",
        "cmp_gap_none": "No single indicator can close this gap alone.",
        "cmp_col_now": "Now",
        "cmp_col_needed": "Needed",
        "cmp_col_change": "Change",
        "cmp_col_change_pct": "Change (%)",
        "cmp_col_in_range": "Within the observed range",
        "cmp_yes": "yes",
        "cmp_no": "no (beyond every candidate)",
        "cmp_tie_only": "only a tie",
    },
    "fa": {
        "cmp_title": "مقایسه شهرها",
        "cmp_intro": "{lo} تا {hi} شهر رتبه‌بندی‌شده را برای مقایسه کنار هم انتخاب کنید. شهرهایی "
                     "که روی نقشه صفحه اول کلیک شوند به اینجا افزوده می‌شوند.",
        "cmp_choose": "شهرهای مورد مقایسه",
        "cmp_choose_placeholder": "۲ تا ۵ شهر انتخاب کنید",
        "cmp_choose_help": "از {lo} تا {hi} نامزد رتبه‌بندی‌شده، به ترتیب انتخاب.",
        "cmp_preselected": "کمتر از دو شهر انتخاب شده بود، پس {n} شهر نخست رتبه‌بندی نشان داده "
                           "شده‌اند؛ انتخاب را در بالا تغییر دهید.",
        "cmp_too_few": "دست‌کم دو شهر برای مقایسه انتخاب کنید (اکنون یک شهر انتخاب شده است).",
        "cmp_too_few_none": "دست‌کم دو شهر برای مقایسه انتخاب کنید.",
        "cmp_too_many": "حداکثر {hi} شهر کنار هم جا می‌شوند؛ شما {n} شهر انتخاب کردید. انتخاب "
                        "تغییر نکرد: پیش از افزودن شهری دیگر، یکی را بردارید.",
        "cmp_not_ranked": "این شهرها با تنظیمات کنونی رتبه‌بندی نشده‌اند و مقایسه نمی‌شوند: "
                          "{names}. در فهرست شما می‌مانند.",
        "cmp_not_ranked_option": "{name} (بدون رتبه)",
        "cmp_rank_metric": "رتبه {rank} از {n}",
        "cmp_score_metric": "امتیاز {score}",
        "cmp_radar_heading": "امتیاز به تفکیک بُعد",
        "cmp_radar_title": "امتیاز به تفکیک بُعد · {method}",
        "cmp_radar_vikor": "۱ − Q به تفکیک بُعد (ویکور؛ بیشتر بهتر است)",
        "cmp_radar_caption": "هر بُعد با همان روش و تنها با شاخص‌های خودش امتیاز می‌گیرد و "
                             "وزن‌های کلی درون آن بازمقیاس می‌شوند.",
        "cmp_table_heading": "شاخص‌ها",
        "cmp_col_indicator": "شاخص",
        "cmp_col_unit": "واحد",
        "cmp_col_better": "بهتر وقتی",
        "cmp_higher": "بیشتر",
        "cmp_lower": "کمتر",
        "cmp_col_detail": "{name}: منبع · سال · نشان",
        "cmp_legend": "° مقدار مرکز شهری (شهر هستهٔ آن است) · † مقدار شهرستان (جانشین) · "
                      "‡ مقدار استان (جانشین) · * برآوردی (بدون مقدار منتشرشده) · بدون نشانه: "
                      "مقدار خود شهر.",
        "cmp_prov_own": "مقدار خود شهر",
        "cmp_prov_urban-centre": "مقدار مرکز شهری",
        "cmp_prov_proxy-county": "جانشین (شهرستان)",
        "cmp_prov_proxy-province": "جانشین (استان)",
        "cmp_prov_imputed": "برآوردی ({how})",
        "cmp_imputed_no_source": "بدون منبع: با سیاست داده‌های گمشده پر شده است",
        "cmp_sources_heading": "منابع این مقادیر",
        "cmp_col_source": "منبع",
        "cmp_col_publisher": "ناشر",
        "cmp_col_licence": "مجوز",
        "cmp_sw_heading": "نقاط قوت و ضعف",
        "cmp_sw_caption": "در برابر میانه همه {n} نامزد رتبه‌بندی‌شده، در مقیاس نرمال‌شده و "
                          "با وزن هر شاخص.",
        "cmp_sw_caption_need": "شاخص‌های آمادگی نشان می‌دهند که آیا طرح آزمایشی در شهر به "
                               "احتمال زیاد موفق می‌شود: نقاط قوت و ضعف آن. شاخص‌های نیاز "
                               "نشان می‌دهند که آیا شهر از آن سود می‌برد: نیاز بیشتر از بیشتر "
                               "نامزدها یعنی طرح آزمایشی در آنجا به نیاز بیشتری پاسخ می‌دهد؛ "
                               "این نه نقطه قوت است و نه نقطه ضعف.",
        "cmp_strengths": "نقاط قوت",
        "cmp_weaknesses": "نقاط ضعف",
        "cmp_readiness_strengths": "آمادگی: نقاط قوت",
        "cmp_readiness_weaknesses": "آمادگی: نقاط ضعف",
        "cmp_need_more": "نیاز: بیشتر از بیشتر نامزدها",
        "cmp_need_less": "نیاز: کمتر از بیشتر نامزدها",
        "cmp_sw_line": "**{name}**: {value} (میانه {median}): {relation}",
        "cmp_sw_higher": "بالاتر از بیشتر نامزدها",
        "cmp_sw_lower": "پایین‌تر از بیشتر نامزدها",
        "cmp_sw_more_need": "{relation} — نیاز بیشتر: طرح آزمایشی در اینجا به نیاز بیشتری "
                            "پاسخ می‌دهد",
        "cmp_sw_less_need": "{relation} — نیاز کمتر از بیشتر نامزدها",
        "cmp_sw_none": "هیچ‌کدام نسبت به میانه",
        "cmp_gap_heading": "چه چیزی فاصله را پر می‌کند",
        "cmp_gap_city": "شهر",
        "cmp_gap_target": "رسیدن به",
        "cmp_gap_target_next": "شهر بعدی در رتبه‌بندی",
        "cmp_gap_first": "{name} رتبه نخست را دارد: شهر بهتری برای رسیدن به آن نیست.",
        "cmp_gap_caption": "بهبود در تنها یک شاخص (بقیه بدون تغییر و نرمال‌سازی همان‌گونه که "
                           "روی نامزدها برازش شده) که {city} (رتبه {rank}) را هم‌تراز {target} "
                           "(رتبه {target_rank}) می‌کند. {k} تغییر آسان‌تر، کوچک‌ترین نخست.",
        "cmp_gap_excluded": "تنها شاخص‌های آمادگی پیشنهاد می‌شوند، و تنها در جهتی که آنها را "
                            "بهتر می‌کند. {n} شاخص نیاز پیشنهاد نمی‌شود: بهبود آنها بنا بر "
                            "طراحی امتیاز را کم می‌کند، و بدتر کردن وضع شهر راه پر کردن فاصله "
                            "نیست.",
        "cmp_gap_relative": "{method} روشی نسبی است: مقدار تغییرکرده امتیاز شهرهای دیگر، از "
                            "جمله {target}، را هم جابه‌جا می‌کند؛ این در محاسبه لحاظ شده است.",
        "cmp_gap_unreachable": "{n} از {m} شاخص به‌تنهایی در بازه جست‌وجوشده (یک برابر دامنه "
                               "مشاهده‌شده فراتر از بهترین نامزد) فاصله را پر نمی‌کنند.",
        "cmp_gap_none": "هیچ شاخصی به‌تنهایی این فاصله را پر نمی‌کند.",
        "cmp_col_now": "اکنون",
        "cmp_col_needed": "لازم",
        "cmp_col_change": "تغییر",
        "cmp_col_change_pct": "تغییر (٪)",
        "cmp_col_in_range": "درون دامنه نامزدها",
        "cmp_yes": "بله",
        "cmp_no": "خیر (فراتر از همه نامزدها)",
        "cmp_tie_only": "فقط هم‌تراز",
    },
})
_METHOD_NAMES = {
    "en": {"wsum": "weighted sum", "geometric": "geometric mean", "topsis": "TOPSIS",
           "vikor": "VIKOR", "promethee2": "PROMETHEE II"},
    "fa": {"wsum": "مجموع وزنی", "geometric": "میانگین هندسی", "topsis": "تاپسیس",
           "vikor": "ویکور", "promethee2": "پرامتی ۲"},
}
#: The dataset's value records of each (cached, shared read-only) ranking, for the table.
_RECORDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_IMPUTE_FA = {"median": "میانه", "knn": "نزدیک‌ترین همسایه‌ها", "province-mean": "میانگین استان"}


# --------------------------------------------------------------------------- selection

@dataclass(frozen=True)
class Selection:
    """The cities the page shows, and why.

    Attributes
    ----------
    ids : tuple of str
        Ranked cities to compare, in the order chosen (at most :data:`MAX_CITIES`).
    not_ranked : tuple of str
        Chosen cities the current scenario does not rank (kept in the list, not compared).
    preselected : bool
        True when fewer than two were chosen and the top of the ranking was filled in.
    """

    ids: tuple[str, ...]
    not_ranked: tuple[str, ...]
    preselected: bool


def select(result: Result, chosen: Sequence[str], *, fill: bool = True) -> Selection:
    """The cities to compare: the ranked ones of `chosen`, topped up when fewer than two.

    With ``fill=True`` (the page's first view, or a link with one city) fewer than two ranked
    cities are completed with the best-ranked candidates up to :data:`PRESELECT`; with
    ``fill=False`` (the user has just chosen) nothing is added. More than :data:`MAX_CITIES`
    are never returned: the page refuses such a choice before calling this.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},
    ...                                    {"rule": "population-floor", "minimum": 200_000})))
    >>> s = select(result, ["112931"])            # Tehran: excluded as the capital
    >>> s.not_ranked, len(s.ids), s.preselected
    (('112931',), 3, True)
    >>> select(result, ["112931"], fill=False).ids
    ()
    """
    ranked = set(result.ranking.scores.index.astype(str))
    chosen = [str(c) for c in dict.fromkeys(chosen)]
    ids = [c for c in chosen if c in ranked][:MAX_CITIES]
    outside = tuple(c for c in chosen if c not in ranked)
    preselected = False
    if fill and len(ids) < MIN_CITIES:
        order = result.ranking.ranks.sort_values(kind="stable").index.astype(str)
        ids += [c for c in order if c not in ids][:PRESELECT - len(ids)]
        preselected = True
    return Selection(tuple(ids), outside, preselected)


def city_names(result: Result, lang: Lang = "en") -> pd.Series:
    """Every city of the dataset's display name in `lang`, by id (as strings)."""
    names = maps.display_names(result.dataset.cities, lang).astype(str)
    names.index = names.index.astype(str)
    return names


def _labels(result: Result, ids: Sequence[str], lang: Lang) -> list[str]:
    """Unique display names for `ids` (a repeated name gets its province added)."""
    names = city_names(result, lang).reindex(list(ids)).fillna(pd.Series(ids, index=ids))
    labels = names.tolist()
    if len(set(labels)) < len(labels):
        provinces = maps.display_names(result.dataset.provinces.set_index("province_code"), lang) \
            if "province_code" in result.dataset.provinces.columns else None
        codes = result.dataset.cities["province_code"].astype(str)
        codes.index = codes.index.astype(str)
        labels = [f"{n} ({provinces.get(codes.get(i), i) if provinces is not None else i})"
                  if labels.count(n) > 1 else n for n, i in zip(labels, ids, strict=True)]
    return labels


def _num(value, lang: Lang, decimals: int | None = None) -> str:
    return format_number(value, lang, decimals=decimals)


def _method(result: Result, lang: Lang) -> str:
    return _METHOD_NAMES[lang].get(result.ranking.method, result.ranking.method)


def summary(result: Result, ids: Sequence[str], lang: Lang = "en") -> pd.DataFrame:
    """Name, rank and score text per compared city (for the metrics at the top of the page)."""
    r = result.ranking
    n = len(r.scores)
    return pd.DataFrame({
        "name": _labels(result, ids, lang),
        "rank": [tr("cmp_rank_metric", lang, rank=_num(r.ranks[c], lang), n=_num(n, lang))
                 for c in ids],
        "score": [tr("cmp_score_metric", lang, score=_num(r.scores[c], lang, 3)) for c in ids],
    }, index=list(ids))


# --------------------------------------------------------------------------- radar

def dimension_names(result: Result, lang: Lang = "en") -> pd.Series:
    """The dimensions of the ranking, by code, named in `lang` from the framework."""
    codes = list(result.ranking.dimension_scores.columns)
    fw = result.framework
    names = []
    for code in codes:
        node = fw.by_code.get(code) if fw is not None else None
        name = getattr(node, f"name_{lang}", None) or getattr(node, "name_en", None) \
            if node is not None else None
        names.append(str(name) if name else str(code))
    return pd.Series(names, index=codes, dtype=object)


def radar_figure(result: Result, ids: Sequence[str], lang: Lang = "en") -> go.Figure:
    """One Scatterpolar trace per city: its score on each dimension.

    VIKOR's Q is lower-is-better; the radar shows ``1 - Q`` (labelled) so that, as for every
    other method, further out is better.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> ids = list(result.ranking.ranks.sort_values().index[:3])
    >>> fig = radar_figure(result, ids, "fa")
    >>> len(fig.data), fig.data[0].type, fig.data[0].theta[0]
    (3, 'scatterpolar', 'سرمایه انسانی')
    """
    r = result.ranking
    dims = dimension_names(result, lang)
    values = r.dimension_scores.loc[list(ids), dims.index]
    vikor = not r.higher_is_better
    if vikor:
        values = 1.0 - values
    dims = dims.map(maps.escape_hover)  # plotly reads tags in axis, legend and hover text
    theta = [*dims.tolist(), dims.iloc[0]]          # close the polygon
    traces = []
    for label, (_, row) in zip(_labels(result, ids, lang), values.iterrows(), strict=True):
        shown = [_num(v, lang, 3) for v in row.tolist()]
        traces.append({
            "type": "scatterpolar", "r": [*row.tolist(), row.iloc[0]], "theta": theta,
            "name": maps.escape_hover(label), "fill": "toself", "opacity": 0.6, "customdata": [*shown, shown[0]],
            "hovertemplate": f"<b>{maps.escape_hover(label)}</b><br>%{{theta}}: %{{customdata}}"
                             "<extra></extra>"})
    title = tr("cmp_radar_vikor", lang) if vikor else \
        tr("cmp_radar_title", lang, method=_method(result, lang))
    ticks = np.linspace(float(np.nanmin(values.to_numpy())), float(np.nanmax(values.to_numpy())),
                        5)
    rtl = lang == "fa"
    fig = go.Figure(data=traces, layout={
        "title": {"text": (RLM + title) if rtl else title, "x": 0.98 if rtl else 0.02,
                  "xanchor": "right" if rtl else "left"},
        "font": {"family": maps.FONT_FAMILY[lang]}, "height": 460,
        "margin": {"l": 60, "r": 60, "t": 60, "b": 40},
        "polar": {"radialaxis": {"tickvals": ticks.tolist(),
                                 "ticktext": [_num(t, lang, 2) for t in ticks]},
                  "angularaxis": {"direction": "clockwise" if rtl else "counterclockwise"}},
        "legend": {"orientation": "h", "y": -0.08, **({"x": 1, "xanchor": "right"} if rtl
                                                       else {})},
        "hoverlabel": {"font": {"family": maps.FONT_FAMILY[lang]}},
    })
    return fig


# --------------------------------------------------------------------------- indicator table

def provenance_marker(provenance: str) -> str:
    """The mark after a value: ``°`` urban centre, ``†`` county proxy, ``‡`` province proxy,
    ``*`` imputed.

    Examples
    --------
    >>> [provenance_marker(p) for p in ("own", "proxy-county", "proxy-province", "imputed-knn")]
    ['', '†', '‡', '*']
    """
    key = "imputed" if str(provenance).startswith("imputed") else str(provenance)
    return MARKERS.get(key, "?")


def _provenance_text(provenance: str, lang: Lang) -> str:
    provenance = str(provenance)
    if provenance.startswith("imputed"):
        how = provenance.removeprefix("imputed-")
        return tr("cmp_prov_imputed", lang, how=_IMPUTE_FA.get(how, how) if lang == "fa" else how)
    key = f"cmp_prov_{provenance}"
    try:
        return tr(key, lang)
    except KeyError:
        return provenance


def provenance_legend(lang: Lang = "en") -> str:
    """What the marks after the values mean."""
    return tr("cmp_legend", lang)


def _unit(unit, lang: Lang) -> str:
    if unit is None or (isinstance(unit, float) and np.isnan(unit)):
        return ""
    return _UNITS_FA.get(str(unit), str(unit)) if lang == "fa" else str(unit)


def _short_titles(result: Result) -> pd.Series:
    """Source id → its title up to the first parenthesis (the full title is in the sources
    table)."""
    titles = result.dataset.sources["title"].astype(str)
    return titles.str.split(" (", n=1, regex=False).str[0].str.strip()


def _flag_text(flag, lang: Lang) -> str:
    if flag is None or (isinstance(flag, float) and np.isnan(flag)):
        return ""
    try:
        return tr(f"flag_{flag}", lang)
    except KeyError:
        return str(flag)


def value_details(result: Result, ids: Sequence[str]) -> pd.DataFrame:
    """Per compared city and criterion: raw value, provenance, source, year and flag.

    The value and provenance are the ranked matrix's (so imputed cells appear as such); the
    source, year and flag come from the dataset's value records (absent for imputed cells).
    """
    matrix = result.ranking.matrix
    codes = list(matrix.values.columns)
    ids = list(ids)
    values = matrix.values.loc[ids].stack().rename("value")
    provenance = matrix.provenance.loc[ids].stack().rename("provenance")
    out = pd.concat([values, provenance], axis=1)
    out.index.names = ["city_id", "indicator"]
    records = _RECORDS.get(result.ranking)
    if records is None:  # once per ranking: the page reruns on every widget change
        records = result.dataset.city_values(codes, year=result.scenario.year)
        records = records.assign(city_id=records["city_id"].astype(str)) \
            .set_index(["city_id", "indicator"])[["year", "source", "flag"]]
        _RECORDS[result.ranking] = records
    records = records[records.index.get_level_values("city_id").isin(ids)]
    out = out.join(records, how="left")
    imputed = out["provenance"].astype(str).str.startswith("imputed")
    out.loc[imputed, ["year", "source", "flag"]] = None   # an imputed value has no record
    return out


def indicator_table(result: Result, ids: Sequence[str], lang: Lang = "en") -> pd.DataFrame:
    """One row per criterion, one value column and one detail column per compared city.

    A value is text: the number in `lang` followed by its provenance mark (see
    :func:`provenance_legend`); the detail column beside it gives the source (short title),
    the year and the data flag, and the provenance in words. The criterion's name (in `lang`),
    unit and direction come first. Index: criterion id.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> ids = list(result.ranking.ranks.sort_values().index[:2])
    >>> table = indicator_table(result, ids, "en")
    >>> list(table.columns[:3]), table.shape[1]
    (['Indicator', 'Unit', 'Better when'], 7)
    >>> table.iloc[:, 3].str.contains("°").any()        # urban-centre values are marked
    np.True_
    """
    criteria = result.ranking.matrix.criteria
    details = value_details(result, ids)
    titles = _short_titles(result)
    table = pd.DataFrame({
        tr("cmp_col_indicator", lang): criteria[f"name_{lang}"].fillna(criteria["name_en"])
        .astype(str),
        tr("cmp_col_unit", lang): [_unit(u, lang) for u in criteria["unit"]],
        tr("cmp_col_better", lang): [tr("cmp_higher" if d == "max" else "cmp_lower", lang)
                                     for d in criteria["direction"]],
    }, index=criteria.index)
    for city, label in zip(ids, _labels(result, ids, lang), strict=True):
        rows = details.loc[str(city)].reindex(criteria.index)
        table[label] = [
            f"{_num(v, lang)} {provenance_marker(p)}".rstrip()
            for v, p in zip(rows["value"], rows["provenance"], strict=True)]
        notes = []
        for _, row in rows.iterrows():
            if str(row["provenance"]).startswith("imputed"):
                notes.append(f"{_provenance_text(row['provenance'], lang)} · "
                             f"{tr('cmp_imputed_no_source', lang)}")
                continue
            year = row["year"]
            year = "" if pd.isna(year) else (to_persian_digits(str(int(year))) if lang == "fa"
                                             else str(int(year)))
            title = titles.get(row["source"], str(row["source"]))
            parts = [to_persian_digits(title) if lang == "fa" else title, year,
                     _flag_text(row["flag"], lang), _provenance_text(row["provenance"], lang)]
            notes.append(" · ".join(p for p in parts if p))
        table[tr("cmp_col_detail", lang, name=label)] = notes
    table.index.name = "criterion"
    return table


def sources_table(result: Result, ids: Sequence[str], lang: Lang = "en") -> pd.DataFrame:
    """The sources of the compared values: id, title, publisher, year and licence."""
    used = value_details(result, ids)["source"].dropna().unique().tolist()
    sources = result.dataset.sources.reindex(used)
    out = pd.DataFrame({
        tr("cmp_col_source", lang): sources["title"].astype(str),
        tr("cmp_col_publisher", lang): sources["publisher"].astype(str),
        tr("cmp_col_licence", lang): sources["licence"].astype(str),
    }, index=pd.Index(used, name="source_id"))
    return out


# --------------------------------------------------------------------------- explanations

#: The kinds of :meth:`citykit.ranking.Ranking.strengths_weaknesses`, in display order.
SW_SECTIONS = ("strength", "weakness", "need", "less-need")
_SW_HEADINGS = {  # (group, kind) -> heading key
    ("overall", "strength"): "cmp_strengths", ("overall", "weakness"): "cmp_weaknesses",
    ("readiness", "strength"): "cmp_readiness_strengths",
    ("readiness", "weakness"): "cmp_readiness_weaknesses",
    ("need", "need"): "cmp_need_more", ("need", "less-need"): "cmp_need_less",
}


def _groups(result: Result) -> list[str]:
    """The strengths/weaknesses groups of the ranking's criteria, in display order."""
    present = set(criterion_groups(result.ranking.matrix.criteria))
    return [g for g in SW_GROUPS if g in present]


def strengths_weaknesses(result: Result, city: str, lang: Lang = "en", *, n: int = 3
                         ) -> dict[str, list[str]]:
    """Readable lines for where the city stands out (see
    :meth:`citykit.ranking.Ranking.strengths_weaknesses`): the indicator, the city's value with
    its unit and provenance mark, the median of all ranked candidates, and what that means.

    Readiness indicators (or every indicator, without sub-indices) give strengths and
    weaknesses ("higher than most candidates"); need indicators give need signals, never
    strengths: fewer hospital beds than most reads "lower than most candidates — more need: a
    pilot would serve more need here".

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> lines = strengths_weaknesses(result, result.ranking.ranks.idxmin(), "fa")
    >>> list(lines), len(lines["strength"]) <= 3
    (['strength', 'weakness', 'need', 'less-need'], True)
    >>> lines["strength"][0].startswith("**")
    True

    Returns
    -------
    dict
        ``{kind: [...]}`` for each kind of :data:`SW_SECTIONS` that the framework has
        (``strength`` and ``weakness`` always; ``need`` and ``less-need`` with a need
        sub-index), each at most `n` Markdown lines.
    """
    r = result.ranking
    sw = r.strengths_weaknesses(city, n=n)
    criteria = r.matrix.criteria
    kinds = {k for g in _groups(result) for k in SW_KINDS[g]} | {"strength", "weakness"}
    out: dict[str, list[str]] = {k: [] for k in SW_SECTIONS if k in kinds}
    for _, row in sw.iterrows():
        code = row["criterion"]
        unit = _unit(criteria.at[code, "unit"], lang)
        unit = md(f" {unit}" if unit and unit not in ("%", "٪") else unit)  # lines are markdown
        name = criteria.at[code, f"name_{lang}"] or criteria.at[code, "name_en"]
        if pd.isna(name):
            name = criteria.at[code, "name_en"]
        name = md(name)
        mark = provenance_marker(row["provenance"])
        relation = tr(f"cmp_sw_{row['relation']}", lang)
        if row["kind"] == "need":
            relation = tr("cmp_sw_more_need", lang, relation=relation)
        elif row["kind"] == "less-need":
            relation = tr("cmp_sw_less_need", lang, relation=relation)
        out[row["kind"]].append(tr(
            "cmp_sw_line", lang, name=name,
            value=f"{_num(row['raw'], lang)}{unit} {mark}".rstrip(),
            median=f"{_num(row['raw_median'], lang)}{unit}", relation=relation))
    return out


def sw_sections(result: Result, city: str, lang: Lang = "en", *, n: int = 3
                ) -> list[tuple[str, list[str]]]:
    """The panel of one city: ``(heading, lines)`` per kind, readiness first, then need.

    Without sub-indices the headings are "Strengths" and "Weaknesses"; with them, "Readiness:
    strengths", "Readiness: weaknesses", "Need: more than most candidates" and "Need: less than
    most candidates".

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> sections = sw_sections(result, result.ranking.ranks.idxmin())
    >>> [heading for heading, _ in sections]  # doctest: +NORMALIZE_WHITESPACE
    ['Readiness: strengths', 'Readiness: weaknesses', 'Need: more than most candidates',
     'Need: less than most candidates']
    """
    lines = strengths_weaknesses(result, city, lang, n=n)
    out = []
    for group in _groups(result) or ["overall"]:
        for kind in SW_KINDS[group]:
            if kind in lines:
                out.append((tr(_SW_HEADINGS[group, kind], lang), lines.pop(kind)))
    return out


def sw_caption(result: Result, lang: Lang = "en") -> list[str]:
    """What the strengths/weaknesses panel compares with, and (with a need sub-index) what a
    need signal means."""
    lines = [tr("cmp_sw_caption", lang, n=_num(len(result.ranking.scores), lang))]
    if "need" in _groups(result):
        lines.append(tr("cmp_sw_caption_need", lang))
    return lines


def gap_table(result: Result, city: str, lang: Lang = "en", *, target: str | None = None,
              top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `top` easiest single-indicator improvements for `city` to reach `target`.

    Only readiness indicators are proposed (all indicators without sub-indices), each only in
    the direction that improves it; see :func:`citykit.explain.close_gap`.

    Returns the translated table (index: criterion id) and the full
    :func:`citykit.explain.close_gap` result (for the caption). Raises
    :class:`citykit.explain.ExplainError` for a city that ranks first with no target.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> city = result.ranking.ranks.sort_values().index[4]
    >>> table, full = gap_table(result, city, "en")
    >>> list(table.columns)
    ['Indicator', 'Now', 'Needed', 'Change', 'Change (%)', 'Within the observed range']
    >>> r = result.ranking
    >>> len(table) <= 5, bool(r.ranks[full.attrs["target"]] < r.ranks[city])
    (True, True)
    """
    full = close_gap(result.ranking, city, target)
    shown = full[full["reachable"]].head(top)
    criteria = result.ranking.matrix.criteria

    def with_unit(values: pd.Series, signed: bool = False) -> list[str]:
        out = []
        for code, v in values.items():
            unit = _unit(criteria.at[code, "unit"], lang)
            text = _num(v, lang)
            if signed and v > 0:
                text = "+" + text
            out.append(f"{text} {unit}".strip() if unit not in ("%", "٪") else text + unit)
        return out

    pct = [("+" if v > 0 else "") + format_percent(v, lang, decimals=1)
           if not pd.isna(v) else "—" for v in shown["relative_change"]]
    in_range = [tr("cmp_tie_only", lang) if tie else tr("cmp_yes" if ok else "cmp_no", lang)
                for ok, tie in zip(shown["within_range"], shown["tie_only"], strict=True)]
    table = pd.DataFrame({
        tr("cmp_col_indicator", lang): shown[f"name_{lang}"].fillna(shown["name_en"]).astype(str),
        tr("cmp_col_now", lang): with_unit(shown["current"]),
        tr("cmp_col_needed", lang): with_unit(shown["needed"]),
        tr("cmp_col_change", lang): with_unit(shown["change"], signed=True),
        tr("cmp_col_change_pct", lang): pct,
        tr("cmp_col_in_range", lang): in_range,
    }, index=shown.index)
    return table, full


def gap_caption(result: Result, full: pd.DataFrame, lang: Lang = "en", *, top: int = 5
                ) -> list[str]:
    """Sentences explaining a :func:`gap_table`: what was asked, the relative-method caveat,
    how many need indicators are not proposed, how many indicators cannot close the gap alone.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},)))
    >>> table, full = gap_table(result, result.ranking.ranks.sort_values().index[4], "en")
    >>> any("need indicators are not proposed" in line for line in gap_caption(result, full))
    True
    """
    r = result.ranking
    city, target = full.attrs["city"], full.attrs["target"]
    names = _labels(result, [city, target], lang)
    names = [md(n) for n in names]  # captions are markdown
    lines = [tr("cmp_gap_caption", lang, city=names[0], rank=_num(r.ranks[city], lang),
                target=names[1], target_rank=_num(r.ranks[target], lang),
                k=_num(min(top, int(full["reachable"].sum())), lang))]
    if r.method in _RELATIVE:
        lines.append(tr("cmp_gap_relative", lang, method=_method(result, lang), target=names[1]))
    excluded = int(full.attrs.get("n_excluded", 0))
    if excluded:
        lines.append(tr("cmp_gap_excluded", lang, n=_num(excluded, lang)))
    unreachable = int((~full["reachable"]).sum())
    if not full["reachable"].any():
        lines.append(tr("cmp_gap_none", lang))
    elif unreachable:
        lines.append(tr("cmp_gap_unreachable", lang, n=_num(unreachable, lang),
                        m=_num(len(full), lang)))
    return lines


def gap_targets(result: Result, city: str, ids: Sequence[str]) -> list[str | None]:
    """Target choices for `city`: None (the next city in the ranking) and every compared city
    that scores better."""
    r = result.ranking
    sign = 1.0 if r.higher_is_better else -1.0
    better = [c for c in ids if c != city and sign * (r.scores[c] - r.scores[city]) > 0]
    return [None, *[c for c in better if c != next_better(r, city)]]
