"""The home page's view models: the map of provinces and candidates, the ranking table, the
readiness-versus-need chart, and what a click on the map does.

Everything here takes a scenario :class:`~citykit.scenario.Result` (and, where rank uncertainty
is shown, its :class:`~citykit.robustness.Acceptability`) and returns a table or a plotly figure
in English or Persian; ``app_pages/home.py`` only wires widgets to these functions.

Every city of the dataset is on the map: the ranked candidates coloured by score or rank, and
each city that is not a candidate grey, with the reason (the eligibility rule, the missing-data
policy or the scenario's candidate list) in its hover. The maps are MapLibre traces with the
``white-bg`` style and the dataset's own geometry (:mod:`citykit.maps`), so they draw offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import maps
from ..exceptions import CityKitError
from ..i18n import TEXT, format_number, format_percent, register, tr
from . import robustness as _norm_names  # noqa: F401  (registers the normalisations' names)
from .safe import md

if TYPE_CHECKING:
    from ..robustness import Acceptability
    from ..scenario import Result

__all__ = [
    "AGGREGATES", "COLOUR_BY", "MAP_KEY", "NOTE_KEY", "candidates", "click_outcome",
    "clicked_city", "excluded_cities", "excluded_table", "home_map", "layer_label", "layer_labels",
    "layer_options",
    "on_map_select", "province_scores", "ranking_table", "readiness_need_axes",
    "readiness_need_figure", "readiness_need_note", "table_caption",
]

Lang = Literal["en", "fa"]
#: How a province's value of a score is taken from its candidates' scores.
AGGREGATES: tuple[str, ...] = ("best", "median")
#: What the colour of a candidate's marker shows.
COLOUR_BY: tuple[str, ...] = ("score", "rank")
#: Session keys of the map widget and of the note a click on the map leaves.
MAP_KEY, NOTE_KEY = "home_map", "home_click_note"
#: Colours: marker scale (dark = better), province scale, excluded cities, compared-city ring.
MARKER_SCALE, PROVINCE_SCALE = "Plasma", "Blues"
EXCLUDED_COLOUR, COMPARED_COLOUR = "#9a9a9a", "#111111"
_PROXY = ("proxy-county", "proxy-province")

register({
    "en": {
        "home_title": "Candidate cities: map and ranking",
        "home_layer": "Provinces coloured by",
        "home_layer_none": "Nothing (outlines only)",
        "home_layer_score": "Overall score",
        "home_layer_dimension": "Dimension: {name}",
        "home_layer_subindex": "Sub-index: {name}",
        "home_layer_indicator": "Indicator: {name}",
        "home_how": "A province's score is",
        "home_how_best": "its best candidate's",
        "home_how_median": "the median of its candidates'",
        "home_how_help": "Scores belong to candidate cities; a province is coloured by one of "
                         "its candidates' scores. Provinces without a candidate are grey "
                         "(no data).",
        "home_colour_by": "Colour cities by",
        "home_colour_score": "Score",
        "home_colour_rank": "Rank",
        "home_map_title": "{n} ranked candidates · provinces: {layer}",
        "home_province_value_best": "{layer}, best candidate",
        "home_province_value_median": "{layer}, median of the candidates",
        "home_legend_candidates": "Ranked candidate",
        "home_legend_excluded": "Not a candidate",
        "home_legend_capital": "National capital (not a candidate)",
        "home_legend_compared": "In the comparison",
        "home_rank_of": "Rank {rank} of {n}",
        "home_score_is": "Score: {score}",
        "home_interval_is": "Rank interval (5–95 %): {interval} · P(top {k}): {p}",
        "home_proxy_is": "Proxy values: {share} of indicators",
        "home_excluded_is": "Not a candidate: {reason}",
        "home_best_in": "Best candidate: {city} ({score})",
        "home_median_of": "Median of {n} candidates",
        "home_n_candidates": "{n} candidates",
        "home_no_candidates": "no candidate",
        "home_reason_capital": "national capital",
        "home_reason_floor": "population {population} below the floor of {minimum}",
        "home_reason_population_unknown": "population unknown",
        "home_reason_not_metropolis": "not a metropolis",
        "home_reason_not_provincial_capital": "not a provincial capital",
        "home_reason_capital_area": "in the capital's county or urban centre (a suburb of the "
                                    "capital)",
        "home_reason_not_centre_core": "not the core city of an urban centre",
        "home_reason_missing": "dropped by the missing-data policy",
        "home_reason_not_chosen": "not in the scenario's list of candidates",
        "home_col_rank": "Rank",
        "home_col_score": "Score",
        "home_col_interval": "Rank interval (5–95 %)",
        "home_col_p_top": "P(top {k})",
        "home_col_proxy": "Proxy share",
        "home_col_city_level": "City-level weight",
        "home_col_reason": "Why not a candidate",
        "home_excluded_list": "Cities that are not candidates, and why ({n})",
        "home_excluded_hover": "Hover and click on the grey cities",
        "home_excluded_hover_help": "Grey cities are not candidates; with this on, their hover "
                                    "says why. Off, a click near a candidate always reaches "
                                    "the candidate.",
        "home_colorbar_score": "Score",
        "home_colorbar_rank": "Rank",
        "home_higher_better": "higher scores are better",
        "home_lower_better": "lower scores are better",
        "home_table_caption": "{method} on {normalisation}-normalised data; {direction}. Rank "
                              "interval and P(top {k}): {draws} weight draws around the chosen "
                              "weights (seed {seed}). City-level weight: the share of the "
                              "ranking weight on values measured for the city or its urban "
                              "centre. Proxy share: the share of indicators whose value is the "
                              "county's or province's, not the city's.",
        "home_no_robustness": "Rank intervals are not available: {error}",
        "home_method_wsum": "Weighted sum",
        "home_method_geometric": "Weighted geometric mean",
        "home_method_topsis": "TOPSIS",
        "home_method_vikor": "VIKOR (Q)",
        "home_method_promethee2": "PROMETHEE II (net flow)",
        "home_rn_title": "{y} versus {x} of the candidates",
        "home_rn_axis": "{name} score",
        "home_rn_median": "median",
        "home_rn_caption": "Each point is a ranked candidate; the dashed lines are the "
                           "candidates' medians. Marker colour: overall rank.",
        "home_rn_no_framework": "No readiness-versus-need chart: this scenario ranks indicators "
                                "without a framework, so there are no sub-indices.",
        "home_rn_no_subindex": "No readiness-versus-need chart: the framework {framework} "
                               "defines {n} sub-index(es); the chart needs two (e.g. the "
                               "iran_national framework's readiness and need).",
        "home_compare": "Cities to compare",
        "home_compare_placeholder": "Click cities on the map, or choose them here",
        "home_compare_help": "Click a candidate on the map to add it or take it out, or choose "
                             "here (at most {n}).",
        "home_compare_link": "Compare these cities",
        "home_not_candidate": "{name} is not a ranked candidate ({reason}); only ranked "
                              "candidates can be compared.",
        "home_compare_full": "The comparison already holds {n} cities; take one out before "
                             "adding {name}.",
        "home_not_ranked_option": "{name} (not a candidate)",
        "home_proxy_note": "Values come from the city itself (UN WUP population and growth) or "
                           "its urban centre (GHSL: economy, air, transport, land use, "
                           "streets); the rest are county or province figures standing in for "
                           "the city (see the city-level weight and the proxy share). Sources, "
                           "licences and the city register's audit are on the Data page.",
    },
    "fa": {
        "home_title": "شهرهای نامزد: نقشه و رتبه‌بندی",
        "home_layer": "رنگ استان‌ها بر پایهٔ",
        "home_layer_none": "هیچ (فقط مرزها)",
        "home_layer_score": "امتیاز کل",
        "home_layer_dimension": "بُعد: {name}",
        "home_layer_subindex": "زیرشاخص: {name}",
        "home_layer_indicator": "شاخص: {name}",
        "home_how": "امتیاز هر استان",
        "home_how_best": "امتیاز بهترین نامزد آن",
        "home_how_median": "میانهٔ امتیاز نامزدهای آن",
        "home_how_help": "امتیاز از آنِ شهرهای نامزد است؛ هر استان با یکی از امتیازهای "
                         "نامزدهایش رنگ می‌شود. استان‌های بی‌نامزد خاکستری‌اند (بدون داده).",
        "home_colour_by": "رنگ شهرها بر پایهٔ",
        "home_colour_score": "امتیاز",
        "home_colour_rank": "رتبه",
        "home_map_title": "{n} نامزد رتبه‌بندی‌شده · استان‌ها: {layer}",
        "home_province_value_best": "{layer}، بهترین نامزد",
        "home_province_value_median": "{layer}، میانهٔ نامزدها",
        "home_legend_candidates": "نامزد رتبه‌بندی‌شده",
        "home_legend_excluded": "نامزد نیست",
        "home_legend_capital": "پایتخت (نامزد نیست)",
        "home_legend_compared": "در مقایسه",
        "home_rank_of": "رتبهٔ {rank} از {n}",
        "home_score_is": "امتیاز: {score}",
        "home_interval_is": "بازهٔ رتبه (۵ تا ۹۵ درصد): {interval} · احتمال {k} رتبهٔ نخست: {p}",
        "home_proxy_is": "مقادیر جانشین: {share} شاخص‌ها",
        "home_excluded_is": "نامزد نیست: {reason}",
        "home_best_in": "بهترین نامزد: {city} ({score})",
        "home_median_of": "میانهٔ {n} نامزد",
        "home_n_candidates": "{n} نامزد",
        "home_no_candidates": "بدون نامزد",
        "home_reason_capital": "پایتخت",
        "home_reason_floor": "جمعیت {population} کمتر از حداقل {minimum}",
        "home_reason_population_unknown": "جمعیت نامعلوم",
        "home_reason_not_metropolis": "کلان‌شهر نیست",
        "home_reason_not_provincial_capital": "مرکز استان نیست",
        "home_reason_capital_area": "در شهرستان یا مرکز شهری پایتخت (حومهٔ پایتخت)",
        "home_reason_not_centre_core": "شهر هستهٔ یک مرکز شهری نیست",
        "home_reason_missing": "با سیاست دادهٔ گمشده کنار گذاشته شد",
        "home_reason_not_chosen": "در فهرست نامزدهای سناریو نیست",
        "home_col_rank": "رتبه",
        "home_col_score": "امتیاز",
        "home_col_interval": "بازهٔ رتبه (۵ تا ۹۵ درصد)",
        "home_col_p_top": "احتمال {k} رتبهٔ نخست",
        "home_col_proxy": "سهم جانشین",
        "home_col_city_level": "وزن سطح شهر",
        "home_col_reason": "چرا نامزد نیست",
        "home_excluded_list": "شهرهایی که نامزد نیستند و دلیل آن ({n})",
        "home_excluded_hover": "نمایش و انتخاب شهرهای خاکستری",
        "home_excluded_hover_help": "شهرهای خاکستری نامزد نیستند؛ با روشن‌کردن این گزینه، "
                                    "دلیل آن با نگه‌داشتن نشانگر روی آن‌ها نمایش داده می‌شود. "
                                    "در حالت خاموش، کلیک نزدیک یک نامزد همیشه به همان نامزد "
                                    "می‌رسد.",
        "home_colorbar_score": "امتیاز",
        "home_colorbar_rank": "رتبه",
        "home_higher_better": "امتیاز بیشتر بهتر است",
        "home_lower_better": "امتیاز کمتر بهتر است",
        "home_table_caption": "{method} روی داده‌های نرمال‌شده با {normalisation}؛ {direction}. "
                              "بازهٔ رتبه و احتمال {k} رتبهٔ نخست: {draws} وزن تصادفی پیرامون "
                              "وزن‌های انتخاب‌شده (بذر {seed}). وزن سطح شهر: سهمی از وزن "
                              "رتبه‌بندی که بر مقادیر خود شهر یا مرکز شهری آن تکیه دارد. سهم "
                              "جانشین: سهم شاخص‌هایی که مقدارشان از شهرستان یا استان است، نه از "
                              "خود شهر.",
        "home_no_robustness": "بازهٔ رتبه در دسترس نیست: {error}",
        "home_method_wsum": "مجموع وزنی",
        "home_method_geometric": "میانگین هندسی وزنی",
        "home_method_topsis": "تاپسیس (TOPSIS)",
        "home_method_vikor": "ویکور (Q در VIKOR)",
        "home_method_promethee2": "پرومته ۲ (جریان خالص)",
        "home_rn_title": "{y} در برابر {x} نامزدها",
        "home_rn_axis": "امتیاز {name}",
        "home_rn_median": "میانه",
        "home_rn_caption": "هر نقطه یک نامزد رتبه‌بندی‌شده است؛ خط‌چین‌ها میانهٔ نامزدها هستند. "
                           "رنگ نشانه: رتبهٔ کل.",
        "home_rn_no_framework": "نمودار آمادگی در برابر نیاز نمایش داده نمی‌شود: این سناریو "
                                "شاخص‌ها را بدون چارچوب رتبه‌بندی می‌کند و زیرشاخصی ندارد.",
        "home_rn_no_subindex": "نمودار آمادگی در برابر نیاز نمایش داده نمی‌شود: چارچوب "
                               "{framework} {n} زیرشاخص دارد؛ نمودار به دو زیرشاخص نیاز دارد "
                               "(مانند آمادگی و نیاز در چارچوب iran_national).",
        "home_compare": "شهرهای مقایسه",
        "home_compare_placeholder": "روی شهرها در نقشه کلیک کنید یا از اینجا انتخاب کنید",
        "home_compare_help": "روی یک نامزد در نقشه بزنید تا به مقایسه افزوده یا از آن برداشته "
                             "شود، یا از اینجا برگزینید (حداکثر {n}).",
        "home_compare_link": "مقایسهٔ این شهرها",
        "home_not_candidate": "{name} نامزد رتبه‌بندی‌شده نیست ({reason})؛ فقط نامزدهای "
                              "رتبه‌بندی‌شده را می‌توان مقایسه کرد.",
        "home_compare_full": "مقایسه هم‌اکنون {n} شهر دارد؛ پیش از افزودن {name} یکی را بردارید.",
        "home_not_ranked_option": "{name} (نامزد نیست)",
        "home_proxy_note": "مقادیر از خود شهر (جمعیت و رشد، سازمان ملل) یا مرکز شهری آن "
                           "(GHSL: اقتصاد، هوا، حمل‌ونقل، کاربری زمین، معابر) می‌آیند؛ باقی آمار "
                           "شهرستان یا استان است که جانشین شهر شده است (سهم وزن سطح شهر و سهم "
                           "جانشین را ببینید). منابع، مجوزها و ممیزی فهرست شهرها در صفحهٔ داده "
                           "آمده است.",
    },
})


# --------------------------------------------------------------------------- small helpers

def _numbers(values, lang: Lang, *, decimals: int | None = None) -> list[str]:
    return [format_number(v, lang, decimals=decimals) for v in values]


def _percents(values, lang: Lang) -> list[str]:
    return [format_percent(v, lang) for v in values]


def _bidi(text: pd.Series, lang: Lang) -> pd.Series:
    """Persian hover lines start with a right-to-left mark (see :func:`citykit.maps._bidi`)."""
    if lang != "fa":
        return text
    return maps.RLM + text.str.replace("<br>", "<br>" + maps.RLM, regex=False)


def _join(parts: Sequence[pd.Series]) -> pd.Series:
    """Hover lines joined with ``<br>``, skipping empty ones."""
    index = parts[0].index
    columns = [p.astype(object).where(p.notna(), "").tolist() for p in parts]
    return pd.Series(["<br>".join(x for x in row if x) for row in zip(*columns, strict=True)],
                     index=index, dtype=object)


def _interval_text(low, high, lang: Lang) -> list[str]:
    out = []
    for a, b in zip(low, high, strict=True):
        if pd.isna(a) or pd.isna(b):
            out.append("—")
        else:
            a_text, b_text = format_number(a, lang), format_number(b, lang)
            out.append(a_text if a == b else f"{a_text}–{b_text}")
    return out


def _population_top(result: Result) -> float:
    return float(pd.to_numeric(result.dataset.cities["population"], errors="coerce").max())


# --------------------------------------------------------------------------- layers

def layer_options(result: Result) -> list[str]:
    """What the provinces can be coloured by, as layer codes.

    ``"none"``, ``"score"`` (the overall score), ``"subindex:<code>"`` and
    ``"dimension:<code>"`` for each sub-index and dimension of the ranking, and
    ``"indicator:<code>"`` for each indicator with province-level values.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> options = layer_options(run(Scenario()))
    >>> options[:4]
    ['none', 'score', 'subindex:readiness', 'subindex:need']
    >>> any(o.startswith("indicator:") for o in options)
    True
    """
    ranking = result.ranking
    return (["none", "score"]
            + [f"subindex:{c}" for c in ranking.subindex_scores.columns]
            + [f"dimension:{c}" for c in ranking.dimension_scores.columns]
            + [f"indicator:{c}" for c in _indicator_codes(result.dataset)])


def _component_name(fw, kind: str, code: str, lang: Lang) -> str:
    if fw is not None and kind == "subindex" and code in fw.subindices:
        meta = fw.subindices[code]
        return str(meta.get(f"name_{lang}") or meta.get("name_en") or code)
    if fw is not None and code in fw.by_code:
        component = fw.by_code[code]
        return str(getattr(component, f"name_{lang}", None) or component.name_en)
    return code


def layer_labels(result: Result, lang: Lang = "en") -> dict[str, str]:
    """Every layer code of :func:`layer_options` with its words (for a select box).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> layer_labels(run(Scenario()), "fa")["score"]
    'امتیاز کل'
    """
    ranking = result.ranking
    return dict(_labels(result.dataset, result.framework, tuple(ranking.subindex_scores),
                        tuple(ranking.dimension_scores), lang))


@lru_cache(maxsize=32)
def _labels(dataset, framework, subindices: tuple, dimensions: tuple, lang: Lang) -> dict:
    labels = {kind: tr(f"home_layer_{kind}", lang) for kind in ("none", "score")}
    for kind, codes in (("subindex", subindices), ("dimension", dimensions)):
        for code in codes:
            labels[f"{kind}:{code}"] = tr(f"home_layer_{kind}", lang,
                                          name=_component_name(framework, kind, code, lang))
    codes = list(_indicator_codes(dataset))
    names = maps.display_names(dataset.indicators.loc[codes], lang)
    units = dataset.indicators.loc[codes, "unit"].astype("string").fillna("").str.strip()
    for code, name, unit in zip(codes, names, units, strict=True):
        unit = maps._digits(unit, lang)
        full = f"{name} ({unit})" if unit else str(name)
        labels[f"indicator:{code}"] = tr("home_layer_indicator", lang, name=full)
    return labels


@lru_cache(maxsize=8)
def _indicator_codes(dataset) -> tuple[str, ...]:
    return tuple(maps.indicator_options(dataset))


def layer_label(result: Result, layer: str, lang: Lang = "en") -> str:
    """A layer code of :func:`layer_options` in words.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario())
    >>> layer_label(result, "subindex:need"), layer_label(result, "subindex:need", "fa")
    ('Sub-index: Need', 'زیرشاخص: نیاز')
    """
    kind, _, code = layer.partition(":")
    if kind in ("none", "score"):
        return tr(f"home_layer_{kind}", lang)
    if kind == "indicator":
        return tr("home_layer_indicator", lang,
                  name=maps.indicator_label(result.dataset, code, lang=lang))
    return tr(f"home_layer_{kind}", lang,
              name=_component_name(result.framework, kind, code, lang))


def _layer_scores(result: Result, layer: str) -> pd.Series:
    """The candidates' scores behind a score layer (overall, sub-index or dimension)."""
    ranking = result.ranking
    kind, _, code = layer.partition(":")
    tables = {"subindex": ranking.subindex_scores, "dimension": ranking.dimension_scores}
    if kind == "score":
        return ranking.scores
    if kind in tables and code in tables[kind].columns:
        return tables[kind][code]
    raise CityKitError(f"unknown score layer {layer!r} for the province map; expected one of "
                       f"{[o for o in layer_options(result) if not o.startswith(('none', 'indicator'))]}")


def province_scores(result: Result, layer: str = "score", *, how: str = "best") -> pd.DataFrame:
    """One value per province of a score, taken from the province's ranked candidates.

    Parameters
    ----------
    result : citykit.scenario.Result
    layer : str
        ``"score"``, ``"subindex:<code>"`` or ``"dimension:<code>"``.
    how : {"best", "median"}
        ``"best"``: the score of the province's best candidate (the highest, or the lowest
        where lower is better, as with VIKOR); ``"median"``: the median of its candidates'.

    Returns
    -------
    pandas.DataFrame
        Index ``province_code`` (only provinces with a candidate): ``value``, ``n`` (number of
        candidates), ``best`` (id of the best candidate) and ``best_score``.

    Raises
    ------
    citykit.exceptions.CityKitError
        If `layer` is not a score of the ranking or `how` is unknown.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario())
    >>> best = province_scores(result)
    >>> karaj = result.ranking.ranks.idxmin()     # the best candidate overall
    >>> province = result.ranking.matrix.candidates.loc[karaj, "province_code"]
    >>> best.loc[province, "best"] == karaj
    True
    >>> province_scores(result, how="mean")
    Traceback (most recent call last):
    ...
    citykit.exceptions.CityKitError: unknown province aggregate 'mean'; expected one of ('best', 'median')
    """
    if how not in AGGREGATES:
        raise CityKitError(f"unknown province aggregate {how!r}; expected one of {AGGREGATES}")
    scores = _layer_scores(result, layer).astype(float)
    province = result.ranking.matrix.candidates["province_code"].reindex(scores.index)
    grouped = scores.groupby(province, sort=True)
    higher = result.ranking.higher_is_better
    best = grouped.idxmax() if higher else grouped.idxmin()
    out = pd.DataFrame({"n": grouped.size(), "best": best,
                        "best_score": scores[best.to_numpy()].to_numpy()})
    out["value"] = out["best_score"] if how == "best" else grouped.median()
    out.index.name = "province_code"
    return out[["value", "n", "best", "best_score"]]


# --------------------------------------------------------------------------- city tables

def candidates(result: Result, acceptability: Acceptability | None = None, *,
               lang: Lang = "en") -> pd.DataFrame:
    """The ranked candidates with what the map and the table show, best first.

    Returns
    -------
    pandas.DataFrame
        Index city id: ``name``, ``province`` (names in `lang`), ``province_code``,
        ``latitude``, ``longitude``, ``population``, ``score``, ``rank``, ``rank_p5``,
        ``rank_p95``, ``p_top`` (NaN without `acceptability`), ``proxy_share``, ``city_level``
        (share of the ranking weight on the city's or its urban centre's values) and ``flags``
        (national capital, provincial capital, metropolis, in words).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> table = candidates(run(Scenario()))
    >>> table["rank"].is_monotonic_increasing, "112931" in table.index
    (True, False)
    """
    ranking = result.ranking
    ids = ranking.scores.index
    cities = result.dataset.cities.reindex(ids)
    provinces = maps.display_names(result.dataset.provinces, lang)
    out = pd.DataFrame({
        "name": maps.display_names(cities, lang),
        "province": cities["province_code"].map(provinces),
        "province_code": cities["province_code"],
        "latitude": pd.to_numeric(cities["latitude"], errors="coerce"),
        "longitude": pd.to_numeric(cities["longitude"], errors="coerce"),
        "population": pd.to_numeric(cities["population"], errors="coerce"),
        "score": ranking.scores, "rank": ranking.ranks,
    }, index=ids)
    if acceptability is not None:
        interval = acceptability.rank_interval.reindex(ids)
        out["rank_p5"], out["rank_p95"] = interval["p5"], interval["p95"]
        out["p_top"] = acceptability.p_top_k.reindex(ids)
    else:
        out["rank_p5"] = out["rank_p95"] = out["p_top"] = np.nan
    out["proxy_share"] = ranking.matrix.provenance.isin(_PROXY).mean(axis=1).reindex(ids)
    out["city_level"] = ranking.matrix.weight_by_provenance(ranking.weights)["city-level"] \
        .reindex(ids)
    out["flags"] = _flags(cities, lang)
    return out.sort_values(["rank", "name"], kind="stable")


def _flags(cities: pd.DataFrame, lang: Lang) -> pd.Series:
    sep = "، " if lang == "fa" else ", "
    columns = [(cities[f"is_{key}"].fillna(False).astype(bool).to_numpy(), tr(key, lang))
               for key in ("national_capital", "provincial_capital", "metropolis")]
    return pd.Series([sep.join(word for flags, word in columns if flags[i])
                      for i in range(len(cities))], index=cities.index, dtype=object)


def excluded_cities(result: Result, *, lang: Lang = "en") -> pd.DataFrame:
    """Every city of the dataset that is not ranked, with the reason in `lang`.

    The reasons come from the eligibility audit (:attr:`Result.audit`), the missing-data
    report (:attr:`Result.missing`) and the scenario's candidate list; nothing is left out.

    Returns
    -------
    pandas.DataFrame
        Index city id: ``name``, ``province``, ``latitude``, ``longitude``, ``population``,
        ``rule`` (``exclude-capital``, ``population-floor``, ..., ``missing-data`` or
        ``not-chosen``), ``reason`` and ``is_national_capital``.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> out = excluded_cities(run(Scenario()))
    >>> out.loc["112931", ["name", "rule", "reason"]].tolist()
    ['Tehran', 'exclude-capital', 'national capital']
    """
    floors = tuple(r.get("minimum") for r in result.scenario.eligibility
                   if r.get("rule") == "population-floor")
    # Cached: a change of weights or method leaves who is a candidate unchanged.
    return _excluded(result.dataset, result.audit, tuple(result.missing.dropped_candidates),
                     tuple(result.ranking.scores.index), floors, lang).copy(deep=False)


@lru_cache(maxsize=16)
def _excluded(dataset, audit, dropped: tuple, ranked: tuple, floors: tuple,
              lang: Lang) -> pd.DataFrame:
    table = audit.excluded()
    rules = pd.Series(table["rule"].to_numpy(), index=table["id"].astype(str).to_numpy())
    english = pd.Series(table["reason"].to_numpy(), index=rules.index)
    dropped = [c for c in dropped if c not in rules.index]
    rules = pd.concat([rules, pd.Series("missing-data", index=dropped, dtype=object)])
    cities = dataset.cities
    others = cities.index[~cities.index.isin(ranked) & ~cities.index.isin(rules.index)]
    rules = pd.concat([rules, pd.Series("not-chosen", index=others, dtype=object)])
    rules = rules[~rules.index.duplicated()]
    rows = cities.reindex(rules.index)
    population = pd.to_numeric(rows["population"], errors="coerce")
    out = pd.DataFrame({
        "name": maps.display_names(rows, lang),
        "province": rows["province_code"].map(maps.display_names(dataset.provinces, lang)),
        "latitude": pd.to_numeric(rows["latitude"], errors="coerce"),
        "longitude": pd.to_numeric(rows["longitude"], errors="coerce"),
        "population": population, "rule": rules.astype(object),
        "reason": _reasons(floors, rules, english.reindex(rules.index), population, lang),
        "is_national_capital": rows["is_national_capital"].fillna(False).astype(bool),
    }, index=rules.index)
    out.index.name = "city_id"
    return out


def _reasons(floors: tuple, rules: pd.Series, english: pd.Series, population: pd.Series,
             lang: Lang) -> pd.Series:
    """The audit's reasons in `lang` (rules without a translation keep the audit's words)."""
    minimum = format_number(floors[0], lang) if floors else "—"
    fixed = {"exclude-capital": tr("home_reason_capital", lang),
             "metropolis-only": tr("home_reason_not_metropolis", lang),
             "provincial-capitals-only": tr("home_reason_not_provincial_capital", lang),
             "exclude-capital-area": tr("home_reason_capital_area", lang),
             "centre-cores": tr("home_reason_not_centre_core", lang),
             "missing-data": tr("home_reason_missing", lang),
             "not-chosen": tr("home_reason_not_chosen", lang)}
    reason = rules.map(fixed).astype(object)
    floor = (rules == "population-floor").to_numpy()
    known = floor & population.notna().to_numpy()
    reason[known] = [tr("home_reason_floor", lang, population=p, minimum=minimum)
                     for p in _numbers(population[known], lang)]
    reason[floor & ~known] = tr("home_reason_population_unknown", lang)
    return reason.fillna(english).fillna("—")


def excluded_table(result: Result, *, lang: Lang = "en") -> pd.DataFrame:
    """The cities that are not ranked candidates, and why, for display (largest first).

    Columns (translated): city, province, population, reason; the index is the city id. In
    Persian the population is text with Persian digits.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> table = excluded_table(run(Scenario()))
    >>> table.loc["112931"].tolist()[::3]
    ['Tehran', 'national capital']
    >>> list(excluded_table(run(Scenario()), lang="fa").iloc[0])
    ['تهران', 'تهران', '۹٬۱۳۴٬۷۰۸', 'پایتخت']
    """
    out = excluded_cities(result, lang=lang).sort_values("population", ascending=False,
                                                         kind="stable", na_position="last")
    population = (_numbers(out["population"], lang) if lang == "fa"
                  else out["population"].astype("Int64"))
    table = pd.DataFrame({tr("col_city", lang): out["name"].astype(str),
                          tr("col_province", lang): out["province"].astype("string"),
                          tr("col_population", lang): population,
                          tr("home_col_reason", lang): out["reason"].astype(str)},
                         index=out.index)
    return table


# --------------------------------------------------------------------------- map

def _candidate_hover(frame: pd.DataFrame, n: int, k: int, lang: Lang) -> pd.Series:
    index = frame.index
    interval = _interval_text(frame["rank_p5"], frame["rank_p95"], lang)
    parts = [
        "<b>" + frame["name"].map(maps.escape_hover) + "</b>",
        frame["province"].astype("string").map(maps.escape_hover, na_action="ignore"),
        pd.Series([tr("home_rank_of", lang, rank=r, n=format_number(n, lang))
                   for r in _numbers(frame["rank"], lang)], index=index),
        pd.Series([tr("home_score_is", lang, score=s)
                   for s in _numbers(frame["score"], lang, decimals=3)], index=index),
        pd.Series([tr("home_interval_is", lang, interval=i, k=format_number(k, lang), p=p)
                   if not pd.isna(q) else "" for i, p, q in
                   zip(interval, _percents(frame["p_top"], lang), frame["p_top"], strict=True)],
                  index=index),
        pd.Series([f"{tr('population', lang)}: {p}"
                   for p in _numbers(frame["population"], lang)], index=index),
        frame["flags"],
        pd.Series([tr("home_proxy_is", lang, share=s)
                   for s in _percents(frame["proxy_share"], lang)], index=index),
    ]
    return _bidi(_join(parts), lang)


def _excluded_hover(frame: pd.DataFrame, lang: Lang) -> pd.Series:
    index = frame.index
    parts = [
        "<b>" + frame["name"].map(maps.escape_hover) + "</b>",
        frame["province"].astype("string").map(maps.escape_hover, na_action="ignore"),
        pd.Series([tr("home_excluded_is", lang, reason=r) for r in frame["reason"]],
                  index=index),
        pd.Series([f"{tr('population', lang)}: {p}"
                   for p in _numbers(frame["population"], lang)], index=index),
    ]
    return _bidi(_join(parts), lang)


def _province_layer(result: Result, layer: str, how: str, lang: Lang
                    ) -> tuple[list[go.BaseTraceType], str]:
    """The province traces of a layer, and the layer's words for the map title."""
    dataset = result.dataset
    label = layer_label(result, layer, lang)
    kind, _, code = layer.partition(":")
    if kind == "none":
        return [maps._outline_trace(dataset, dataset.provinces.index, fill=maps.NEUTRAL_FILL,
                                    line=maps.OUTLINE_COLOUR, hovertext=None,
                                    name=tr("province_map_title", lang))], label
    if kind == "indicator":
        traces, title = maps.indicator_choropleth(dataset, code, lang=lang,
                                                  colorscale=PROVINCE_SCALE)
        return traces, title
    table = province_scores(result, layer, how=how)
    names = maps.display_names(dataset.provinces, lang)
    city_names = maps.display_names(dataset.cities.reindex(table["best"]), lang)
    value_label = tr(f"home_province_value_{how}", lang, layer=maps.escape_hover(label))
    lines = [
        "<b>" + table.index.map(names).astype(str) + "</b>",
        [f"{value_label}: {v}" for v in _numbers(table["value"], lang, decimals=3)],
        [tr("home_best_in", lang, city=maps.escape_hover(c), score=s) for c, s in
         zip(city_names, _numbers(table["best_score"], lang, decimals=3), strict=True)],
        [tr("home_n_candidates", lang, n=n) for n in _numbers(table["n"], lang)],
    ]
    hover = _bidi(pd.Series(["<br>".join(parts) for parts in zip(*lines, strict=True)],
                            index=table.index, dtype=object), lang)
    no_data = _bidi(pd.Series([f"<b>{maps.escape_hover(n)}</b><br>"
                               f"{tr('home_no_candidates', lang)}"
                               for n in names], index=names.index, dtype=object), lang)
    traces = maps.province_choropleth(
        dataset, table["value"], hover, name=value_label, lang=lang,
        colorbar_title=tr(f"home_how_{how}", lang), colorscale=PROVINCE_SCALE,
        reversescale=not result.ranking.higher_is_better, no_data_hover=no_data,
        no_data_name=tr("home_no_candidates", lang))
    return traces, value_label


def _points(frame: pd.DataFrame, sizes: pd.Series, **trace) -> go.Scattermap:
    order = sizes.sort_values(ascending=False, kind="stable").index  # small markers on top
    marker = dict(trace.pop("marker", {}))
    if isinstance(marker.get("color"), pd.Series):  # one colour per city: follow the order
        marker["color"] = marker["color"][order].tolist()
    text = trace.pop("text", None)
    hover = ({"hoverinfo": "skip"} if text is None else
             {"text": text[order].tolist(), "hovertemplate": "%{text}<extra></extra>"})
    return go.Scattermap(
        lat=frame.loc[order, "latitude"].tolist(), lon=frame.loc[order, "longitude"].tolist(),
        mode="markers", marker={**marker, "size": sizes[order].tolist()},
        customdata=[str(i) for i in order], **hover, **trace)


def home_map(result: Result, acceptability: Acceptability | None = None, *,
             layer: str = "score", how: str = "best", colour_by: str = "score",
             compare: Sequence[str] = (), excluded_hover: bool = False,
             lang: Lang = "en") -> go.Figure:
    """The home page's map: provinces coloured by `layer`, every city as a marker.

    Ranked candidates are sized by population (marker area) and coloured by score or rank
    (dark = better); the other cities are grey, the national capital with a red ring, each with
    the reason it is not a candidate in its hover; the cities in the comparison get a black
    ring. Every city marker carries its city id as ``customdata`` (what a click returns, see
    :func:`clicked_city`). No text labels or icons (they would need a glyph server).

    Parameters
    ----------
    result : citykit.scenario.Result
    acceptability : citykit.robustness.Acceptability, optional
        Adds each candidate's rank interval and P(top k) to its hover.
    layer : str
        One of :func:`layer_options`.
    how : {"best", "median"}
        A province's value of a score layer (see :func:`province_scores`).
    colour_by : {"score", "rank"}
    compare : sequence of str
        City ids in the comparison.
    excluded_hover : bool, default False
        Give the small grey cities that are not candidates a hover (with the reason) and let
        a click pick them. Off by default: plotly gives a click to the nearest marker *edge*,
        so a 4-pixel suburb next to a candidate would catch most clicks meant for the
        candidate at country zoom. The reasons are always in :func:`excluded_table`, and the
        national capital always has its hover.
    lang : {"en", "fa"}

    Raises
    ------
    citykit.exceptions.CityKitError
        If `layer`, `how` or `colour_by` is unknown.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario())
    >>> fig = home_map(result, layer="dimension:economy", colour_by="rank")
    >>> fig.data[0].type, sorted({t.type for t in fig.data}), fig.layout.map.style
    ('choroplethmap', ['choroplethmap', 'scattermap'], 'white-bg')
    >>> ranked = next(t for t in fig.data if t.name == "Ranked candidate")
    >>> sorted(ranked.customdata) == sorted(result.ranking.scores.index)
    True
    """
    if colour_by not in COLOUR_BY:
        raise CityKitError(f"unknown marker colour {colour_by!r}; expected one of {COLOUR_BY}")
    if layer not in ("none", "score") and not layer.startswith(
            ("subindex:", "dimension:", "indicator:")):
        raise CityKitError(f"unknown map layer {layer!r}; expected one of "
                           f"{layer_options(result)}")
    traces, layer_words = _province_layer(result, layer, how, lang)
    top = _population_top(result)
    out = excluded_cities(result, lang=lang)
    out_sizes = maps.marker_sizes(out["population"], top=top).clip(upper=7.0)
    capital = out["is_national_capital"]
    if (~capital).any():
        rest = out[~capital]
        traces.append(_points(rest, out_sizes[rest.index],
                              text=_excluded_hover(rest, lang) if excluded_hover else None,
                              marker={"color": EXCLUDED_COLOUR, "opacity": 0.55},
                              name=tr("home_legend_excluded", lang)))
    if capital.any():
        cap = out[capital]
        sizes = maps.marker_sizes(cap["population"], top=top)
        hover = _excluded_hover(cap, lang)
        traces.append(_points(cap, sizes + 6, text=hover, name=tr("home_legend_capital", lang),
                              marker={"color": maps.CATEGORY_COLOURS["national_capital"]}))
        traces.append(_points(cap, sizes, text=hover, name=tr("home_legend_capital", lang),
                              marker={"color": EXCLUDED_COLOUR}, showlegend=False))
    frame = candidates(result, acceptability, lang=lang)
    sizes = maps.marker_sizes(frame["population"], top=top)
    chosen = frame.index[frame.index.isin(list(compare))]
    if len(chosen):
        traces.append(_points(frame.loc[chosen], sizes[chosen] + 7,
                              text=_candidate_hover(frame.loc[chosen], len(frame),
                                                    _top_k(acceptability), lang),
                              marker={"color": COMPARED_COLOUR},
                              name=tr("home_legend_compared", lang)))
    traces.append(_points(
        frame, sizes, text=_candidate_hover(frame, len(frame), _top_k(acceptability), lang),
        marker={"color": frame[colour_by].astype(float), **_marker_scale(result, frame,
                                                                        colour_by, lang)},
        name=tr("home_legend_candidates", lang)))
    title = tr("home_map_title", lang, n=format_number(len(frame), lang),
               layer=maps.escape_hover(layer_words))  # plotly reads tags in titles
    fig = maps.map_layout(go.Figure(traces), result.dataset, title, lang=lang)
    fig.update_layout(clickmode="event+select")
    # A click selects one point; plotly would then fade everything else. The click's effect
    # is shown by the comparison ring instead, so the map keeps its colours.
    for trace in fig.data:
        opacity = trace.marker.opacity if trace.type == "scattermap" else None
        trace.unselected = {"marker": {"opacity": 1.0 if opacity is None else opacity}}
    return fig


def _top_k(acceptability: Acceptability | None) -> int:
    return 0 if acceptability is None else int(acceptability.top_k)


def _marker_scale(result: Result, frame: pd.DataFrame, colour_by: str, lang: Lang) -> dict:
    """Colour scale of the candidate markers: dark is better, for scores and ranks alike."""
    bar = {"title": {"text": tr(f"home_colorbar_{colour_by}", lang), "side": "top"},
           "x": 0.99, "xanchor": "right", "y": 0.5, "yanchor": "middle", "len": 0.5,
           "thickness": 12, "bgcolor": "rgba(255,255,255,0.85)"}
    if colour_by == "rank":
        top = max(int(frame["rank"].max()), 2)
        return {"colorscale": MARKER_SCALE, "reversescale": False, "cmin": 1, "cmax": top,
                "colorbar": {**bar, **maps.axis_ticks([1, top], lang, decimals=0)},
                "showscale": True, "opacity": 0.9}
    return {"colorscale": MARKER_SCALE, "reversescale": bool(result.ranking.higher_is_better),
            "colorbar": {**bar, **maps.axis_ticks(frame[colour_by], lang)}, "showscale": True,
            "opacity": 0.9}


# --------------------------------------------------------------------------- ranking table

def ranking_table(result: Result, acceptability: Acceptability | None = None, *,
                  lang: Lang = "en") -> pd.DataFrame:
    """The ranking table beside the map, best first, with translated column headers.

    Columns: rank, city, province, score, rank interval (the 5 % and 95 % quantiles of the
    rank over the weight draws), P(top k) and the proxy share. The index is the city id. In
    English the numbers stay numbers (the shares are in [0, 1]); in Persian every column is
    text with Persian digits, because the data grid shows Latin digits otherwise.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> from citykit.robustness import robustness
    >>> result = run(Scenario())  # the 8 metropolises other than the capital
    >>> table = ranking_table(result, robustness(result, draws=100))
    >>> list(table.columns)
    ['Rank', 'City', 'Province', 'Score', 'Rank interval (5–95 %)', 'P(top 5)', 'City-level weight', 'Proxy share']
    >>> int(table["Rank"].iloc[0]), table["City"].iloc[0], table["Rank interval (5–95 %)"].iloc[0]
    (1, 'Ahvaz', '1–3')
    >>> table.set_index("City")["City-level weight"].idxmin()  # no urban centre of its own
    'Karaj'
    >>> ranking_table(result, lang="fa").iloc[0, :2].tolist()
    ['۱', 'اهواز']
    """
    frame = candidates(result, acceptability, lang=lang)
    k = _top_k(acceptability) or int(result.scenario.robustness.get("top_k", 5))
    heads = {"rank": tr("home_col_rank", lang), "name": tr("col_city", lang),
             "province": tr("col_province", lang), "score": tr("home_col_score", lang),
             "interval": tr("home_col_interval", lang),
             "p_top": tr("home_col_p_top", lang, k=format_number(k, lang)),
             "city_level": tr("home_col_city_level", lang),
             "proxy_share": tr("home_col_proxy", lang)}
    interval = _interval_text(frame["rank_p5"], frame["rank_p95"], lang)
    if lang == "fa":
        columns = {"rank": _numbers(frame["rank"], lang),
                   "score": _numbers(frame["score"], lang, decimals=3),
                   "p_top": _percents(frame["p_top"], lang),
                   "city_level": _percents(frame["city_level"], lang),
                   "proxy_share": _percents(frame["proxy_share"], lang)}
    else:
        columns = {"rank": frame["rank"].astype(int), "score": frame["score"].round(3),
                   "p_top": frame["p_top"], "city_level": frame["city_level"],
                   "proxy_share": frame["proxy_share"]}
    table = pd.DataFrame({
        heads["rank"]: columns["rank"], heads["name"]: frame["name"].astype(str),
        heads["province"]: frame["province"].astype("string"),
        heads["score"]: columns["score"], heads["interval"]: interval,
        heads["p_top"]: columns["p_top"], heads["city_level"]: columns["city_level"],
        heads["proxy_share"]: columns["proxy_share"],
    }, index=frame.index)
    table.index.name = "city_id"
    return table


def table_caption(result: Result, acceptability: Acceptability | None = None, *,
                  lang: Lang = "en") -> str:
    """What the ranking table shows: method, normalisation, direction and the draws behind
    the rank intervals.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> print(table_caption(run(Scenario(method="vikor"))).split(". ")[0])
    VIKOR (Q) on min–max-normalised data; lower scores are better
    >>> table_caption(run(Scenario()), lang="fa").split("؛")[0]
    'مجموع وزنی روی داده‌های نرمال‌شده با کمینه–بیشینه'
    """
    ranking = result.ranking
    settings = {"top_k": 5, "draws": 2000, "seed": 0, **result.scenario.robustness}
    if acceptability is not None:
        settings.update(top_k=acceptability.top_k, draws=acceptability.draws,
                        seed=acceptability.seed)
    method_key = f"home_method_{ranking.method}"
    method = tr(method_key, lang) if method_key in TEXT["en"] else ranking.method
    norm_key = f"rob_norm_{ranking.normalisation}"  # the normalisation's name in `lang`
    normalisation = tr(norm_key, lang) if norm_key in TEXT["en"] else ranking.normalisation
    return tr("home_table_caption", lang, method=method, normalisation=normalisation,
              direction=tr("home_higher_better" if ranking.higher_is_better
                           else "home_lower_better", lang),
              k=format_number(settings["top_k"], lang),
              draws=format_number(settings["draws"], lang),
              seed=format_number(settings["seed"], lang))


# --------------------------------------------------------------------------- readiness vs need

def readiness_need_axes(result: Result) -> tuple[str, str] | None:
    """The sub-indices on the (x, y) axes of the readiness-versus-need chart, or None.

    Need goes on x and readiness on y when the framework has both; otherwise its first two
    sub-indices. None when the ranking has fewer than two sub-indices.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> readiness_need_axes(run(Scenario()))
    ('need', 'readiness')
    >>> readiness_need_axes(run(Scenario(framework=None, indicators=("census_urban_share",
    ...                                                              "census_literacy_rate_15plus"),
    ...                                  weights="equal"))) is None
    True
    """
    columns = list(result.ranking.subindex_scores.columns)
    if {"need", "readiness"} <= set(columns):
        return "need", "readiness"
    return (columns[0], columns[1]) if len(columns) >= 2 else None


def readiness_need_note(result: Result, *, lang: Lang = "en") -> str | None:
    """Why there is no readiness-versus-need chart, or None when there is one.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> readiness_need_note(run(Scenario())) is None
    True
    """
    if readiness_need_axes(result) is not None:
        return None
    if result.framework is None:
        return tr("home_rn_no_framework", lang)
    return tr("home_rn_no_subindex", lang, framework=md(result.framework.id),
              n=format_number(result.ranking.subindex_scores.shape[1], lang))


def readiness_need_figure(result: Result, *, compare: Sequence[str] = (),
                          lang: Lang = "en") -> go.Figure | None:
    """The candidates on a readiness (y) versus need (x) plane, coloured by overall rank.

    Dashed lines mark the candidates' medians; the top five and the compared cities are named.
    Returns None when the ranking has fewer than two sub-indices (see
    :func:`readiness_need_note` for the reason to show instead).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> fig = readiness_need_figure(run(Scenario()))
    >>> fig.data[0].type, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
    ('scatter', 'Need score', 'Readiness score')
    """
    axes = readiness_need_axes(result)
    if axes is None:
        return None
    x_code, y_code = axes
    frame = candidates(result, lang=lang)
    sub = result.ranking.subindex_scores.reindex(frame.index)
    x, y = sub[x_code].astype(float), sub[y_code].astype(float)
    # framework labels are data: plotly reads tags in titles, hover and point text
    x_name = maps.escape_hover(_component_name(result.framework, "subindex", x_code, lang))
    y_name = maps.escape_hover(_component_name(result.framework, "subindex", y_code, lang))
    named = (frame["rank"] <= 5) | frame.index.isin(list(compare))
    compared = frame.index.isin(list(compare))
    hover = _bidi(pd.Series([
        f"<b>{maps.escape_hover(n)}</b><br>"
        f"{tr('home_rank_of', lang, rank=r, n=format_number(len(frame), lang))}"
        f"<br>{x_name}: {a}<br>{y_name}: {b}" for n, r, a, b in zip(
            frame["name"], _numbers(frame["rank"], lang), _numbers(x, lang, decimals=3),
            _numbers(y, lang, decimals=3), strict=True)], index=frame.index), lang)
    fig = go.Figure(go.Scatter(
        x=x.tolist(), y=y.tolist(), mode="markers+text",
        text=[maps.escape_hover(n) if show else "" for n, show in zip(frame["name"], named,
                                                                      strict=True)],
        textposition="top center", customdata=[str(i) for i in frame.index],
        hovertext=hover.tolist(), hovertemplate="%{hovertext}<extra></extra>",
        marker={"size": 11, "color": frame["rank"].astype(float).tolist(),
                "colorscale": MARKER_SCALE, "cmin": 1, "cmax": max(len(frame), 2),
                "colorbar": {"title": {"text": tr("home_colorbar_rank", lang)},
                             "thickness": 12,
                             **maps.axis_ticks([1, max(len(frame), 2)], lang, decimals=0)},
                "line": {"color": [COMPARED_COLOUR if c else "white" for c in compared],
                         "width": [3 if c else 0.5 for c in compared]}},
        name=tr("home_legend_candidates", lang), showlegend=False))
    median = tr("home_rn_median", lang)
    line = {"dash": "dash", "color": "#888", "width": 1}
    # Plain layout dicts: plotly's add_vline/add_hline validate far more slowly.
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": float(x.median()),
               "x1": float(x.median()), "y0": 0, "y1": 1, "line": line},
              {"type": "line", "xref": "paper", "yref": "y", "y0": float(y.median()),
               "y1": float(y.median()), "x0": 0, "x1": 1, "line": line}]
    notes = [{"xref": "x", "yref": "paper", "x": float(x.median()), "y": 1, "text": median,
              "showarrow": False, "yanchor": "bottom", "font": {"color": "#666"}},
             {"xref": "paper", "yref": "y", "x": 1, "y": float(y.median()), "text": median,
              "showarrow": False, "xanchor": "right", "yanchor": "bottom",
              "font": {"color": "#666"}}]
    right = lang == "fa"
    fig.update_layout(
        shapes=shapes, annotations=notes,
        title={"text": _bidi(pd.Series([tr("home_rn_title", lang, x=x_name, y=y_name)]),
                             lang).iloc[0], "x": 0.99 if right else 0.01,
               "xanchor": "right" if right else "left"},
        # explicit ticks ("0.8", Persian digits in Persian); titles placed clear of them
        xaxis={"title": {"text": tr("home_rn_axis", lang, name=x_name), "standoff": 10},
               "zeroline": False, "automargin": True, **maps.axis_ticks(x, lang)},
        yaxis={"title": {"text": tr("home_rn_axis", lang, name=y_name), "standoff": 10},
               "zeroline": False, "automargin": True, **maps.axis_ticks(y, lang)},
        height=460, margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font={"family": maps.FONT_FAMILY[lang]}, plot_bgcolor="white", paper_bgcolor="white",
        hoverlabel={"font": {"family": maps.FONT_FAMILY[lang]}})
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee")
    return fig


# --------------------------------------------------------------------------- clicks

def clicked_city(event: Mapping | None) -> str | None:
    """The city id of the point a click selected on :func:`home_map`, or None.

    Parameters
    ----------
    event : mapping or None
        The chart's selection state as Streamlit returns it (``{"selection": {"points":
        [...]}}``) or its ``selection`` part. A point's ``customdata`` is the city id (plotly
        sends it as the value, or as a one-element list for 2-D custom data). Points without
        one (a province) are skipped.

    Examples
    --------
    >>> clicked_city({"selection": {"points": [{"curve_number": 3, "customdata": "124665"}],
    ...                             "point_indices": [0], "box": [], "lasso": []}})
    '124665'
    >>> clicked_city({"points": [{"location": "IR-09"}, {"customdata": ["418863"]}]})
    '418863'
    >>> clicked_city({"selection": {"points": []}}) is None, clicked_city(None) is None
    (True, True)
    """
    if not event:
        return None
    selection = event.get("selection", event)
    for point in (selection or {}).get("points", None) or []:
        data = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data is not None and str(data).strip():
            return str(data)
    return None


def click_outcome(result: Result, city: str | None, compare: Sequence[str], *,
                  limit: int, lang: Lang = "en") -> tuple[list[str], str | None]:
    """What a click on `city` does to the comparison: the new list, and a note to show.

    A ranked candidate is added (or taken out when it is there already); a city that is not
    a candidate, or one more than `limit` cities, changes nothing and returns a note saying why.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario())
    >>> click_outcome(result, "124665", [], limit=5)
    (['124665'], None)
    >>> click_outcome(result, "124665", ["418863", "124665"], limit=5)
    (['418863'], None)
    >>> click_outcome(result, "112931", [], limit=5)[1]
    'Tehran is not a ranked candidate (national capital); only ranked candidates can be compared.'
    """
    compare = list(compare)
    if city is None:
        return compare, None
    if city in compare:
        return [c for c in compare if c != city], None
    if city not in result.ranking.scores.index:
        out = excluded_cities(result, lang=lang)
        name = out.loc[city, "name"] if city in out.index else city
        reason = out.loc[city, "reason"] if city in out.index else "—"
        return compare, tr("home_not_candidate", lang, name=md(name), reason=md(reason))
    if len(compare) >= limit:
        name = maps.display_names(result.dataset.cities.loc[[city]], lang).iloc[0]
        return compare, tr("home_compare_full", lang, n=format_number(limit, lang),
                           name=md(name))  # shown with st.info
    return [*compare, city], None


def on_map_select(key: str = MAP_KEY) -> None:
    """Streamlit callback of the map: a click adds a candidate to the comparison or takes it out.

    Reads the selection from ``st.session_state[key]``, applies :func:`click_outcome` through
    :mod:`citykit.ui.session`, and leaves any note in ``st.session_state[NOTE_KEY]``. A callback
    (not the chart's return value) runs once per click, so a rerun for another reason does not
    toggle the same city again.
    """
    import streamlit as st

    from . import session

    st.session_state[NOTE_KEY] = None
    city = clicked_city(st.session_state.get(key))
    if city is None:
        return
    try:
        result = session.result()
    except CityKitError:
        return  # the page shows the scenario's error itself
    new, note = click_outcome(result, city, session.compare_ids(), limit=session.MAX_COMPARE,
                              lang=session.lang())
    st.session_state[NOTE_KEY] = note
    if new != session.compare_ids():
        session.set_compare(new)
