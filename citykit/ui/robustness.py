"""The robustness page's view models: how sure can a working group be of its shortlist?

Every function here takes a ranking (a scenario :class:`~citykit.scenario.Result` or a
:class:`~citykit.ranking.Ranking`) and the robustness results of :mod:`citykit.robustness`, and
returns a table or a plotly figure in English or Persian; ``app_pages/robustness.py`` only
wires widgets to them.

- :func:`settings_from` checks the page's settings (draws, concentration, top k, seed) before
  they reach the scenario, so a bad value is reported in the page and the last good settings
  stay in force.
- :func:`p_top_k_figure`, :func:`rank_interval_figure` and :func:`acceptability_figure` show the
  SMAA rank acceptability (:class:`~citykit.robustness.Acceptability`).
- :func:`weight_stability_tables` show :func:`citykit.robustness.weight_stability`.
- :func:`rankings_by_method`, :func:`method_agreement` and :func:`method_agreement_table` rank
  the same candidates under every aggregation method and compare each with the chosen one.
- :func:`choice_sensitivity_for` and :func:`choice_table` say which choice (method,
  normalisation, weights) moves the ranks most.
- :func:`framework_scenario`, :func:`framework_agreement_table` and
  :func:`framework_tau_figure` compare the rankings of every bundled framework.

The ``cached_*`` functions memoise the expensive analyses by the scenario's JSON (shared
read-only between sessions, like :func:`citykit.ui.session.result`); a failure is cached too,
so a scenario that cannot be analysed is not recomputed on every rerun.
"""

from __future__ import annotations

import contextvars
import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..aggregate import METHODS
from ..agreement import candidate_labels, method_agreement, rankings_by_method
from ..conclusions import conclusions
from ..conclusions import render as render_conclusions
from ..exceptions import CityKitError, RobustnessError
from ..i18n import TEXT, format_number, format_percent, register, tr
from ..maps import FONT_FAMILY
from ..robustness import (
    DEFAULTS,
    Acceptability,
    ChoiceSensitivity,
    FrameworkSensitivity,
    WeightStability,
    choice_sensitivity,
    framework_sensitivity,
    weight_stability,
)
from ..scenario import BOUNDS, Scenario
from ..text import to_persian_digits
from .safe import md

if TYPE_CHECKING:
    from ..ranking import Ranking
    from ..scenario import Result

__all__ = [
    "CHOICE_DRAWS", "CHOICE_NORMALISATIONS", "MAX_DRAWS", "SHOWN", "acceptability_figure",
    "cached_choice_sensitivity", "conclusion_lines", "show_conclusions", "cached_framework_sensitivity", "cached_method_rankings",
    "cached_weight_stability", "candidate_labels", "choice_sensitivity_for", "choice_table",
    "criterion_labels", "framework_agreement_table", "framework_scenario", "framework_top_k",
    "framework_tau_figure", "framework_titles", "method_agreement", "method_agreement_table",
    "p_top_k_figure", "progress_reporter", "rank_interval_figure", "rankings_by_method", "settings_caption",
    "settings_from", "weight_stability_tables",
]

Lang = Literal["en", "fa"]
#: Most weight draws the page accepts (100,000 draws take about 3 s for 400 candidates).
MAX_DRAWS = int(BOUNDS["robustness.draws"][1])
#: Candidates shown in the charts by default.
SHOWN = 20
#: Weight draws of the choice analysis (each is ranked under every method × normalisation).
CHOICE_DRAWS = 200
#: Normalisations the choice analysis varies: both keep values positive, so every method
#: (the geometric mean too) accepts them.
CHOICE_NORMALISATIONS: tuple[str, ...] = ("vector", "sum")
#: Colours: cities in the top k under the chosen weights, the others, the deterministic rank.
TOP_COLOUR, OTHER_COLOUR, BASE_COLOUR = "#1f5fa8", "#9bb7d4", "#d62728"

register({
    "en": {
        "rob_title": "Robustness: how sure is the shortlist?",
        "rob_intro": "The weights are drawn many times around the chosen ones (or uniformly "
                     "from every possible weighting) and the candidates are re-ranked each "
                     "time. A city that stays in the top k under most draws is a safe choice; "
                     "one that needs exactly these weights is not.",
        "rob_settings": "Settings",
        "rob_draws": "Weight draws",
        "rob_draws_help": "More draws give more precise probabilities (±1 % at 10,000 draws) "
                          "and take longer.",
        "rob_top_k": "Shortlist size (k)",
        "rob_top_k_help": "P(top k) is the share of draws in which a city ranks k or better.",
        "rob_concentration": "Concentration",
        "rob_concentration_help": "How close the drawn weights stay to the chosen ones: "
                                  "larger means closer (100: each weight varies by about a "
                                  "tenth of its square root).",
        "rob_uniform": "Uniform weights",
        "rob_uniform_help": "Draw every possible weighting with equal chance, ignoring the "
                            "chosen weights: how the ranking looks when nobody agrees.",
        "rob_seed": "Random seed",
        "rob_seed_help": "The same seed gives the same draws, so results can be reproduced.",
        "rob_err_draws": "Weight draws must be a whole number from 1 to {most}; got {value}. "
                         "Enter a number in that range (2,000 is the default).",
        "rob_err_top_k": "The shortlist size must be a whole number from 1 to {n}, the number "
                         "of candidates; got {value}. Choose at most {n}, or admit more "
                         "candidates in the sidebar.",
        "rob_err_concentration": "The concentration must be a number above 0; got {value}. "
                                 "Enter a positive number (100 is the default) or tick "
                                 "‘Uniform weights’.",
        "rob_err_seed": "The random seed must be a whole number from 0 to {most}; got {value}.",
        "rob_settings_caption": "{draws} draws, {spread}, seed {seed}. A probability near "
                                "50 % is accurate to about ±{se}.",
        "rob_spread_uniform": "weights uniform over every weighting",
        "rob_spread_dirichlet": "weights drawn around the chosen ones (concentration {c})",
        "rob_spread_fixed": "weights fixed at the chosen ones",
        "rob_progress": "Ranking under {done} of {total} weight draws…",
        "rob_shown": "Cities shown in the charts",
        "rob_ptop_header": "How often does each city make the top {k}?",
        "rob_ptop_title": "P(top {k}) over {draws} weight draws",
        "rob_ptop_axis": "P(top {k})",
        "rob_ptop_in": "in the top {k} with the chosen weights",
        "rob_ptop_out": "outside it",
        "rob_ptop_hover": "{name}<br>P(top {k}): {p}<br>rank with the chosen weights: {rank}",
        "rob_interval_header": "Rank intervals",
        "rob_interval_title": "Rank over the weight draws: median and 5–95 % interval",
        "rob_interval_axis": "Rank (1 = best)",
        "rob_interval_median": "median rank (5–95 % interval)",
        "rob_interval_base": "rank with the chosen weights",
        "rob_interval_hover": "{name}<br>median rank {median}; 5–95 %: {low}–{high}<br>rank "
                              "with the chosen weights: {rank}",
        "rob_interval_cut": "top {k}",
        "rob_heatmap_header": "Rank acceptability",
        "rob_heatmap_title": "Probability of each rank (first {m} ranks)",
        "rob_heatmap_hover": "{name}<br>rank {rank}: {p}",
        "rob_heatmap_caption": "Each row is a city (by rank with the chosen weights), each "
                               "column a rank; darker cells are ranks the city takes more often.",
        "rob_stability_header": "Weight stability (one weight at a time)",
        "rob_stability_caption": "How far each weight can move, the others rescaled in "
                                 "proportion, before the top {k} changes. Criteria with the "
                                 "narrowest room come first.",
        "rob_col_criterion": "Criterion",
        "rob_col_weight": "Weight",
        "rob_col_low": "Top {k} unchanged from",
        "rob_col_high": "up to",
        "rob_col_room": "Smallest move that changes it",
        "rob_drops_caption": "For each city of the top {k}: the smallest change of one weight "
                             "that drops it.",
        "rob_col_city": "City",
        "rob_col_rank": "Rank",
        "rob_col_drop_criterion": "Weight that drops it",
        "rob_col_new_weight": "when it reaches",
        "rob_col_change": "Change",
        "rob_no_drop": "no single weight drops it",
        "rob_methods_header": "Agreement between methods",
        "rob_methods_caption": "The same candidates and weights ranked by every method (each "
                               "with its usual normalisation), compared with the chosen "
                               "method: rank correlation (1 = same order) and how many of the "
                               "chosen top {k} each method also puts in its top {k}.",
        "rob_col_method": "Method",
        "rob_col_tau": "Kendall τ",
        "rob_col_rho": "Spearman ρ",
        "rob_col_overlap": "Top {k} shared",
        "rob_col_leader": "First place",
        "rob_col_note": "Note",
        "rob_chosen": "{name} (chosen)",
        "rob_overlap_of": "{shared} of {k}",
        "rob_method_wsum": "Weighted sum",
        "rob_method_geometric": "Weighted geometric mean",
        "rob_method_topsis": "TOPSIS",
        "rob_method_vikor": "VIKOR",
        "rob_method_promethee2": "PROMETHEE II",
        "rob_norm_minmax": "min–max",
        "rob_norm_zscore": "z-score",
        "rob_norm_vector": "vector",
        "rob_norm_sum": "sum",
        "rob_norm_rank": "rank",
        "rob_norm_goalposts": "goalposts",
        "rob_policy_none": "no imputation",
        "rob_policy_province-mean": "province-mean imputation",
        "rob_policy_drop-candidates": "drop incomplete candidates",
        "rob_policy_median": "median imputation",
        "rob_policy_knn": "nearest-neighbour imputation",
        "rob_policy_drop-criteria": "drop sparse criteria",
        "rob_choice_header": "Which choice moves the ranks most?",
        "rob_choice_caption": "{draws} weight draws, each ranked under every method and "
                              "normalisation listed: the share of the rank variance each choice "
                              "explains on its own (first-order share); the rest comes from "
                              "choices acting together.",
        "rob_choice_no_data": "Data uncertainty is not included: no indicator has a known "
                              "error margin.",
        "rob_col_factor": "Choice",
        "rob_col_levels": "Varied over",
        "rob_col_share": "Share of the rank variance",
        "rob_factor_missing": "Missing-data policy",
        "rob_factor_normalisation": "Normalisation",
        "rob_factor_method": "Aggregation method",
        "rob_factor_weights": "Weights",
        "rob_factor_data": "Data (error margins)",
        "rob_factor_interactions": "Choices acting together",
        "rob_levels_weights": "draws around the chosen weights",
        "rob_levels_weights_uniform": "uniform draws",
        "rob_levels_data": "values within their error margins",
        "rob_levels_one": "{level} (not varied)",
        "rob_frameworks_header": "Agreement between frameworks",
        "rob_frameworks_caption": "The same candidates, method and normalisation ranked under "
                                  "each bundled framework (framework weights), compared with "
                                  "{reference}: Kendall τ of the ranks and the share of the "
                                  "top {k} both put first.",
        "rob_frameworks_no_reference": "the other frameworks",
        "rob_col_framework": "Framework",
        "rob_col_status": "Status",
        "rob_fw_ranked": "ranked",
        "rob_fw_reference": "the scenario's framework",
        "rob_fw_skipped": "not ranked: {reason}",
        "rob_fw_no_data": "not ranked: none of its indicators has data in this dataset yet",
        "rob_fw_tau_title": "Kendall τ between the frameworks' rankings",
        "rob_computing_frameworks": "Ranking the candidates under every framework…",
    },
    "fa": {
        "rob_title": "پایداری: فهرست کوتاه چقدر مطمئن است؟",
        "rob_intro": "وزن‌ها بارها در اطراف وزن‌های انتخاب‌شده (یا به‌طور یکنواخت از میان همهٔ "
                     "وزن‌دهی‌های ممکن) نمونه‌گیری می‌شوند و نامزدها هر بار دوباره رتبه‌بندی "
                     "می‌شوند. شهری که در بیشتر نمونه‌ها در k نفر نخست می‌ماند انتخابی مطمئن است؛ "
                     "شهری که دقیقاً به همین وزن‌ها نیاز دارد، نه.",
        "rob_settings": "تنظیمات",
        "rob_draws": "تعداد نمونه‌های وزن",
        "rob_draws_help": "نمونه‌های بیشتر احتمال‌ها را دقیق‌تر می‌کند (±۱٪ با ۱۰٬۰۰۰ نمونه) و "
                          "زمان بیشتری می‌برد.",
        "rob_top_k": "اندازهٔ فهرست کوتاه (k)",
        "rob_top_k_help": "احتمال k نفر نخست سهمی از نمونه‌هاست که در آن رتبهٔ شهر k یا بهتر است.",
        "rob_concentration": "تمرکز",
        "rob_concentration_help": "وزن‌های نمونه‌گیری‌شده چقدر به وزن‌های انتخاب‌شده نزدیک "
                                  "بمانند: عدد بزرگ‌تر یعنی نزدیک‌تر.",
        "rob_uniform": "وزن‌های یکنواخت",
        "rob_uniform_help": "همهٔ وزن‌دهی‌های ممکن با شانس برابر، بدون توجه به وزن‌های "
                            "انتخاب‌شده: رتبه‌بندی وقتی هیچ توافقی نیست.",
        "rob_seed": "بذر تصادفی",
        "rob_seed_help": "بذر یکسان نمونه‌های یکسان می‌دهد تا نتایج تکرارپذیر باشند.",
        "rob_err_draws": "تعداد نمونه‌های وزن باید عددی صحیح از ۱ تا {most} باشد؛ مقدار "
                         "واردشده: {value}. عددی در این بازه وارد کنید (پیش‌فرض ۲٬۰۰۰ است).",
        "rob_err_top_k": "اندازهٔ فهرست کوتاه باید عددی صحیح از ۱ تا {n} (تعداد نامزدها) باشد؛ "
                         "مقدار واردشده: {value}. حداکثر {n} را انتخاب کنید یا در نوار کناری "
                         "نامزدهای بیشتری بپذیرید.",
        "rob_err_concentration": "تمرکز باید عددی بزرگ‌تر از صفر باشد؛ مقدار واردشده: {value}. "
                                 "عددی مثبت وارد کنید (پیش‌فرض ۱۰۰) یا «وزن‌های یکنواخت» را "
                                 "برگزینید.",
        "rob_err_seed": "بذر تصادفی باید عددی صحیح از ۰ تا {most} باشد؛ مقدار واردشده: {value}.",
        "rob_settings_caption": "{draws} نمونه، {spread}، بذر {seed}. احتمالی نزدیک ۵۰٪ با "
                                "دقت حدود ±{se} برآورد می‌شود.",
        "rob_spread_uniform": "وزن‌های یکنواخت از میان همهٔ وزن‌دهی‌ها",
        "rob_spread_dirichlet": "وزن‌ها در اطراف وزن‌های انتخاب‌شده (تمرکز {c})",
        "rob_spread_fixed": "وزن‌ها ثابت و برابر وزن‌های انتخاب‌شده",
        "rob_progress": "رتبه‌بندی با {done} از {total} نمونهٔ وزن…",
        "rob_shown": "تعداد شهرهای نمایش‌داده‌شده در نمودارها",
        "rob_ptop_header": "هر شهر چند بار در {k} نفر نخست است؟",
        "rob_ptop_title": "احتمال {k} نفر نخست در {draws} نمونهٔ وزن",
        "rob_ptop_axis": "احتمال {k} نفر نخست",
        "rob_ptop_in": "در {k} نفر نخست با وزن‌های انتخاب‌شده",
        "rob_ptop_out": "بیرون از آن",
        "rob_ptop_hover": "{name}<br>احتمال {k} نفر نخست: {p}<br>رتبه با وزن‌های انتخاب‌شده: "
                          "{rank}",
        "rob_interval_header": "بازه‌های رتبه",
        "rob_interval_title": "رتبه در نمونه‌های وزن: میانه و بازهٔ ۵ تا ۹۵ درصد",
        "rob_interval_axis": "رتبه (۱ = بهترین)",
        "rob_interval_median": "رتبهٔ میانه (بازهٔ ۵ تا ۹۵ درصد)",
        "rob_interval_base": "رتبه با وزن‌های انتخاب‌شده",
        "rob_interval_hover": "{name}<br>رتبهٔ میانه {median}؛ ۵ تا ۹۵ درصد: {low} تا {high}<br>"
                              "رتبه با وزن‌های انتخاب‌شده: {rank}",
        "rob_interval_cut": "{k} نفر نخست",
        "rob_heatmap_header": "پذیرش رتبه",
        "rob_heatmap_title": "احتمال هر رتبه ({m} رتبهٔ نخست)",
        "rob_heatmap_hover": "{name}<br>رتبهٔ {rank}: {p}",
        "rob_heatmap_caption": "هر سطر یک شهر (به ترتیب رتبه با وزن‌های انتخاب‌شده) و هر ستون یک "
                               "رتبه است؛ خانه‌های تیره‌تر رتبه‌هایی‌اند که شهر بیشتر می‌گیرد.",
        "rob_stability_header": "پایداری وزن‌ها (هر بار یک وزن)",
        "rob_stability_caption": "هر وزن، با تغییر متناسب بقیه، تا کجا می‌تواند جابه‌جا شود پیش از "
                                 "آنکه {k} نفر نخست تغییر کنند. معیارهایی با کمترین جا نخست "
                                 "آمده‌اند.",
        "rob_col_criterion": "معیار",
        "rob_col_weight": "وزن",
        "rob_col_low": "{k} نفر نخست بدون تغییر از",
        "rob_col_high": "تا",
        "rob_col_room": "کوچک‌ترین جابه‌جایی که آن را تغییر می‌دهد",
        "rob_drops_caption": "برای هر شهر از {k} نفر نخست: کوچک‌ترین تغییر یک وزن که آن را بیرون "
                             "می‌برد.",
        "rob_col_city": "شهر",
        "rob_col_rank": "رتبه",
        "rob_col_drop_criterion": "وزنی که آن را بیرون می‌برد",
        "rob_col_new_weight": "وقتی به این مقدار برسد",
        "rob_col_change": "تغییر",
        "rob_no_drop": "هیچ وزن تنهایی آن را بیرون نمی‌برد",
        "rob_methods_header": "هم‌خوانی روش‌ها",
        "rob_methods_caption": "همان نامزدها و وزن‌ها با هر روش (با نرمال‌سازی معمول آن) "
                               "رتبه‌بندی و با روش انتخاب‌شده مقایسه شده‌اند: همبستگی رتبه‌ای "
                               "(۱ = ترتیب یکسان) و اینکه هر روش چند شهر از {k} نفر نخست روش "
                               "انتخاب‌شده را در {k} نفر نخست خود دارد.",
        "rob_col_method": "روش",
        "rob_col_tau": "τ کندال",
        "rob_col_rho": "ρ اسپیرمن",
        "rob_col_overlap": "مشترک در {k} نفر نخست",
        "rob_col_leader": "رتبهٔ نخست",
        "rob_col_note": "یادداشت",
        "rob_chosen": "{name} (انتخاب‌شده)",
        "rob_overlap_of": "{shared} از {k}",
        "rob_method_wsum": "جمع وزنی",
        "rob_method_geometric": "میانگین هندسی وزنی",
        "rob_method_topsis": "تاپسیس",
        "rob_method_vikor": "ویکور",
        "rob_method_promethee2": "پرومته ۲",
        "rob_norm_minmax": "کمینه–بیشینه",
        "rob_norm_zscore": "نمرهٔ استاندارد",
        "rob_norm_vector": "برداری",
        "rob_norm_sum": "مجموع",
        "rob_norm_rank": "رتبه‌ای",
        "rob_norm_goalposts": "دروازه‌ها",
        "rob_policy_none": "بدون جایگزینی",
        "rob_policy_province-mean": "جایگزینی با میانگین استان",
        "rob_policy_drop-candidates": "حذف نامزدهای ناقص",
        "rob_policy_median": "جایگزینی با میانه",
        "rob_policy_knn": "جایگزینی با نزدیک‌ترین همسایه‌ها",
        "rob_policy_drop-criteria": "حذف معیارهای کم‌داده",
        "rob_choice_header": "کدام انتخاب رتبه‌ها را بیشتر جابه‌جا می‌کند؟",
        "rob_choice_caption": "{draws} نمونهٔ وزن، هر یک با همهٔ روش‌ها و نرمال‌سازی‌های "
                              "فهرست‌شده رتبه‌بندی شده است: سهمی از واریانس رتبه که هر انتخاب "
                              "به‌تنهایی توضیح می‌دهد (سهم مرتبهٔ اول)؛ باقی از اثر هم‌زمان "
                              "انتخاب‌هاست.",
        "rob_choice_no_data": "عدم قطعیت داده در نظر گرفته نشده است: هیچ شاخصی حاشیهٔ خطای "
                              "شناخته‌شده ندارد.",
        "rob_col_factor": "انتخاب",
        "rob_col_levels": "گزینه‌های آزموده",
        "rob_col_share": "سهم از واریانس رتبه",
        "rob_factor_missing": "سیاست دادهٔ گمشده",
        "rob_factor_normalisation": "نرمال‌سازی",
        "rob_factor_method": "روش تجمیع",
        "rob_factor_weights": "وزن‌ها",
        "rob_factor_data": "داده (حاشیهٔ خطا)",
        "rob_factor_interactions": "اثر هم‌زمان انتخاب‌ها",
        "rob_levels_weights": "نمونه‌ها در اطراف وزن‌های انتخاب‌شده",
        "rob_levels_weights_uniform": "نمونه‌های یکنواخت",
        "rob_levels_data": "مقادیر در حاشیهٔ خطایشان",
        "rob_levels_one": "{level} (ثابت)",
        "rob_frameworks_header": "هم‌خوانی چارچوب‌ها",
        "rob_frameworks_caption": "همان نامزدها، روش و نرمال‌سازی با هر چارچوب موجود (با وزن‌های "
                                  "چارچوب) رتبه‌بندی و با {reference} مقایسه شده‌اند: τ کندال "
                                  "رتبه‌ها و سهم {k} نفر نخست مشترک.",
        "rob_frameworks_no_reference": "دیگر چارچوب‌ها",
        "rob_col_framework": "چارچوب",
        "rob_col_status": "وضعیت",
        "rob_fw_ranked": "رتبه‌بندی شد",
        "rob_fw_reference": "چارچوب سناریو",
        "rob_fw_skipped": "رتبه‌بندی نشد: {reason}",
        "rob_fw_no_data": "رتبه‌بندی نشد: هنوز هیچ‌یک از شاخص‌هایش در این مجموعه داده داده‌ای ندارد",
        "rob_fw_tau_title": "τ کندال میان رتبه‌بندی‌های چارچوب‌ها",
        "rob_computing_frameworks": "رتبه‌بندی نامزدها با همهٔ چارچوب‌ها…",
    },
})


# --------------------------------------------------------------------------- helpers

def _ranking(source) -> Ranking:
    """The Ranking of a scenario Result, or `source` itself."""
    return getattr(source, "ranking", source)


def _digits(value, lang: Lang) -> str:
    """An id or integer as text, with Persian digits in Persian (no grouping)."""
    return to_persian_digits(str(value), grouping=False) if lang == "fa" else str(value)


def _numbers(values, lang: Lang, *, decimals: int | None = None) -> list[str]:
    return [format_number(v, lang, decimals=decimals) for v in values]


def _percents(values, lang: Lang, *, decimals: int = 0) -> list[str]:
    return [format_percent(v, lang, decimals=decimals) for v in values]


def _method_name(method: str, lang: Lang) -> str:
    key = f"rob_method_{method}"
    return tr(key, lang) if method in METHODS else method


def _level_name(factor: str, level: str, lang: Lang) -> str:
    """A method, normalisation or missing-data policy by its translated name (else as is)."""
    if factor == "method":
        return _method_name(level, lang)
    key = f"rob_{'norm' if factor == 'normalisation' else 'policy'}_{level}"
    return tr(key, lang) if key in TEXT["en"] else level


def _layout(fig: go.Figure, *, title: str, lang: Lang, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01}, height=height, template="plotly_white",
                      font={"family": FONT_FAMILY[lang]},
                      hoverlabel={"font": {"family": FONT_FAMILY[lang]}},
                      margin={"l": 10, "r": 10, "t": 90, "b": 40},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0,
                              "xanchor": "left", "x": 0.0})
    return fig


def _int_ticks(top: int, lang: Lang) -> dict:
    """Axis ticks at whole ranks 1..top: 1, then multiples of a round step (about 10 ticks),
    written in the language's digits."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, top)
                if top / s <= 10)
    values = list(range(1, top + 1, step)) if step <= 2 else \
        [1, *range(step, top + 1, step)]
    return {"tickmode": "array", "tickvals": values,
            "ticktext": [format_number(v, lang) for v in values]}


def _share_ticks(lang: Lang) -> dict:
    values = [0.0, 0.25, 0.5, 0.75, 1.0]
    return {"tickmode": "array", "tickvals": values, "ticktext": _percents(values, lang)}



def criterion_labels(source, lang: Lang = "en") -> pd.Series:
    """Display name of each criterion of the ranking in `lang` (falling back to English, the code).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> criterion_labels(run(Scenario()))["census_unemployment_rate"]
    'Unemployment rate'
    """
    ranking = _ranking(source)
    columns = list(ranking.normalised.columns)
    criteria = ranking.matrix.criteria.reindex(columns)
    names = pd.Series(columns, index=columns, dtype="string")
    for column in ("name_en", "name_fa") if lang == "fa" else ("name_fa", "name_en"):
        if column in criteria.columns:
            names = criteria[column].astype("string").where(criteria[column].notna(), names)
    return names.rename("criterion")


# --------------------------------------------------------------------------- settings

def _whole(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, float) and value.is_integer()


def settings_from(current: Mapping, *, draws, top_k, concentration, uniform: bool, seed,
                  n_candidates: int, lang: Lang = "en") -> dict:
    """The scenario's robustness settings with the page's values, checked first.

    Keys of `current` the page does not set (``bounds``, ``chunk_size``) are kept.

    Parameters
    ----------
    current : mapping
        The scenario's ``robustness`` settings.
    draws, top_k, seed : int
    concentration : float
        Ignored (stored as None) when `uniform` is true.
    uniform : bool
        Draw weights uniformly from every weighting.
    n_candidates : int
        Number of ranked candidates (the largest possible shortlist).
    lang : {"en", "fa"}
        Language of the error message.

    Returns
    -------
    dict

    Raises
    ------
    RobustnessError
        Draws outside 1..:data:`MAX_DRAWS`, a shortlist size outside 1..n_candidates, a
        concentration that is not above 0, or a negative seed; the message (in `lang`) says
        what to enter instead.

    Examples
    --------
    >>> settings_from({"draws": 2000, "chunk_size": 500}, draws=5000, top_k=3,
    ...               concentration=50.0, uniform=False, seed=1, n_candidates=10)
    {'draws': 5000, 'chunk_size': 500, 'top_k': 3, 'concentration': 50.0, 'seed': 1}
    >>> settings_from({}, draws=5000, top_k=12, concentration=50.0, uniform=True, seed=1,
    ...               n_candidates=10)
    Traceback (most recent call last):
    ...
    citykit.exceptions.RobustnessError: The shortlist size must be a whole number from 1 to 10, the number of candidates; got 12. Choose at most 10, or admit more candidates in the sidebar.
    """
    def fail(key: str, value, **fields):
        shown = format_number(value, lang) if isinstance(value, numbers.Real) else repr(value)
        raise RobustnessError(tr(key, lang, value=shown, **fields))

    if not _whole(draws) or not 1 <= draws <= MAX_DRAWS:
        fail("rob_err_draws", draws, most=format_number(MAX_DRAWS, lang))
    if not _whole(top_k) or not 1 <= top_k <= n_candidates:
        fail("rob_err_top_k", top_k, n=format_number(n_candidates, lang))
    if not uniform and (isinstance(concentration, bool)
                        or not isinstance(concentration, numbers.Real)
                        or math.isnan(concentration) or concentration <= 0):
        fail("rob_err_concentration", concentration)
    if not _whole(seed) or not 0 <= seed <= BOUNDS["robustness.seed"][1]:
        fail("rob_err_seed", seed, most=format_number(BOUNDS["robustness.seed"][1], lang))
    return {**dict(current), "draws": int(draws), "top_k": int(top_k),
            "concentration": None if uniform else float(concentration), "seed": int(seed)}


def settings_caption(acceptability: Acceptability, *, lang: Lang = "en") -> str:
    """What the draws were and how precise their probabilities are.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> from citykit.robustness import robustness
    >>> settings_caption(robustness(run(Scenario()), draws=400))
    '400 draws, weights drawn around the chosen ones (concentration 100), seed 0. A probability near 50 % is accurate to about ±2.5%.'
    """
    c = acceptability.concentration
    if c is None:
        spread = tr("rob_spread_uniform", lang)
    elif math.isinf(c):
        spread = tr("rob_spread_fixed", lang)
    else:
        spread = tr("rob_spread_dirichlet", lang, c=format_number(c, lang))
    se = math.sqrt(0.25 / acceptability.draws)
    return tr("rob_settings_caption", lang, draws=format_number(acceptability.draws, lang),
              spread=spread, seed=_digits(acceptability.seed, lang),
              se=format_percent(se, lang, decimals=1))


# --------------------------------------------------------------------------- acceptability

def _headline(acceptability: Acceptability, labels: pd.Series) -> pd.DataFrame:
    frame = acceptability.to_frame()
    frame["label"] = labels.reindex(frame.index).fillna(frame["name"]).astype(str)
    frame["p_top"] = acceptability.p_top_k.reindex(frame.index)
    return frame


def p_top_k_figure(acceptability: Acceptability, *, labels: pd.Series | None = None,
                   lang: Lang = "en", limit: int | None = SHOWN) -> go.Figure:
    """Horizontal bars of P(top k), best first; the cities in the top k today stand out.

    Parameters
    ----------
    acceptability : citykit.robustness.Acceptability
    labels : pandas.Series, optional
        City labels by id (:func:`candidate_labels`); default the acceptability's names.
    lang : {"en", "fa"}
    limit : int or None, default :data:`SHOWN`
        Cities shown (the most likely to make the top k); None shows every candidate.

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces (in the top k with the chosen weights, outside it); the y axis lists
        the cities from the most to the least likely.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> from citykit.robustness import robustness
    >>> rng = np.random.default_rng(0)  # a synthetic matrix of 8 cities, 3 criteria
    >>> frame = pd.DataFrame(rng.uniform(0, 1, (8, 3)), columns=["a", "b", "c"],
    ...                      index=[f"city{i}" for i in range(8)])
    >>> ranking = rank(CityMatrix.from_frame(frame, ["max", "max", "min"]))
    >>> fig = p_top_k_figure(robustness(ranking, draws=300, top_k=3), limit=5)
    >>> len(fig.layout.yaxis.categoryarray), fig.layout.title.text
    (5, 'P(top 3) over 300 weight draws')
    """
    k = acceptability.top_k
    frame = _headline(acceptability, labels if labels is not None else acceptability.names)
    frame = frame.sort_values(["p_top", "rank", "label"], ascending=[False, True, True],
                              kind="stable")
    if limit is not None:
        frame = frame.head(limit)
    fig = go.Figure()
    for inside, colour, name in ((True, TOP_COLOUR, "rob_ptop_in"),
                                 (False, OTHER_COLOUR, "rob_ptop_out")):
        part = frame[(frame["rank"] <= k) == inside]
        hover = [tr("rob_ptop_hover", lang, name=label, k=format_number(k, lang), p=p,
                    rank=format_number(r, lang))
                 for label, p, r in zip(part["label"], _percents(part["p_top"], lang, decimals=1),
                                        part["rank"], strict=True)]
        fig.add_trace(go.Bar(x=part["p_top"], y=part["label"], orientation="h",
                             name=tr(name, lang, k=format_number(k, lang)),
                             marker_color=colour, text=_percents(part["p_top"], lang),
                             textposition="auto", hovertext=hover, hoverinfo="text"))
    _layout(fig, title=tr("rob_ptop_title", lang, k=format_number(k, lang),
                          draws=format_number(acceptability.draws, lang)),
            lang=lang, height=140 + 24 * len(frame))
    fig.update_layout(barmode="overlay", bargap=0.25)
    fig.update_xaxes(range=[0, 1.02], title=tr("rob_ptop_axis", lang, k=format_number(k, lang)),
                     **_share_ticks(lang))
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame["label"]),
                     autorange="reversed")
    return fig


def rank_interval_figure(acceptability: Acceptability, *, labels: pd.Series | None = None,
                         lang: Lang = "en", limit: int | None = SHOWN) -> go.Figure:
    """Each city's median rank over the draws with its 5–95 % interval, and its rank today.

    Cities are ordered by their rank with the chosen weights; a dashed line marks the top-k
    cut.

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0: median ranks with asymmetric error bars (the 5 % and 95 % ranks); trace 1: the
        deterministic ranks (diamonds).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> from citykit.robustness import robustness
    >>> acc = robustness(run(Scenario()), draws=300)
    >>> fig = rank_interval_figure(acc, limit=5)  # 5 of the 8 candidates
    >>> len(fig.data[0].x), fig.data[1].x[0]
    (5, np.int64(1))
    >>> bool((np.asarray(fig.data[0].error_x.arrayminus) >= 0).all())
    True
    """
    k = acceptability.top_k
    frame = _headline(acceptability, labels if labels is not None else acceptability.names)
    if limit is not None:
        frame = frame.head(limit)
    hover = [tr("rob_interval_hover", lang, name=label, median=format_number(m, lang),
                low=format_number(lo, lang), high=format_number(hi, lang),
                rank=format_number(r, lang))
             for label, m, lo, hi, r in zip(frame["label"], frame["rank_median"],
                                            frame["rank_p5"], frame["rank_p95"], frame["rank"],
                                            strict=True)]
    fig = go.Figure([
        go.Scatter(x=frame["rank_median"], y=frame["label"], mode="markers",
                   name=tr("rob_interval_median", lang),
                   marker={"color": TOP_COLOUR, "size": 9},
                   error_x={"type": "data", "symmetric": False, "thickness": 2, "width": 4,
                            "array": (frame["rank_p95"] - frame["rank_median"]).to_numpy(),
                            "arrayminus": (frame["rank_median"] - frame["rank_p5"]).to_numpy(),
                            "color": OTHER_COLOUR},
                   hovertext=hover, hoverinfo="text"),
        go.Scatter(x=frame["rank"], y=frame["label"], mode="markers",
                   name=tr("rob_interval_base", lang),
                   marker={"color": BASE_COLOUR, "symbol": "diamond-open", "size": 11,
                           "line": {"width": 2}},
                   hovertext=hover, hoverinfo="text"),
    ])
    _layout(fig, title=tr("rob_interval_title", lang), lang=lang,
            height=140 + 24 * len(frame))
    top = int(max(frame["rank_p95"].max(), frame["rank"].max(), k + 1))
    fig.add_vline(x=k + 0.5, line_dash="dash", line_color="#666666",
                  annotation_text=tr("rob_interval_cut", lang, k=format_number(k, lang)),
                  annotation_position="top right")
    fig.update_xaxes(title=tr("rob_interval_axis", lang), range=[0.5, top + 0.5],
                     **_int_ticks(top, lang))
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame["label"]),
                     autorange="reversed")
    return fig


def acceptability_figure(acceptability: Acceptability, *, labels: pd.Series | None = None,
                         lang: Lang = "en", limit: int | None = SHOWN) -> go.Figure:
    """Heatmap of the rank-acceptability indices: cities (by rank today) × ranks 1..limit.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> from citykit.robustness import robustness
    >>> fig = acceptability_figure(robustness(run(Scenario()), draws=300), limit=8)
    >>> np.asarray(fig.data[0].z).shape
    (8, 8)
    >>> acceptability_figure(robustness(run(Scenario()), draws=300), lang="fa",
    ...                      limit=3).layout.xaxis.ticktext
    ('۱', '۲', '۳')
    """
    frame = _headline(acceptability, labels if labels is not None else acceptability.names)
    if limit is not None:
        frame = frame.head(limit)
    m = len(acceptability.counts.columns) if limit is None else \
        min(limit, len(acceptability.counts.columns))
    z = acceptability.acceptability.reindex(frame.index).iloc[:, :m]
    ranks = list(z.columns)
    text = [[tr("rob_heatmap_hover", lang, name=label, rank=format_number(r, lang),
                p=format_percent(p, lang, decimals=1)) for r, p in zip(ranks, row, strict=True)]
            for label, row in zip(frame["label"], z.to_numpy(), strict=True)]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=ranks, y=list(frame["label"]),
                               colorscale="Blues", zmin=0, zmax=1, hovertext=text,
                               hoverinfo="text",
                               colorbar={"tickmode": "array", **{
                                   k: v for k, v in _share_ticks(lang).items()
                                   if k != "tickmode"}}))
    _layout(fig, title=tr("rob_heatmap_title", lang, m=format_number(m, lang)), lang=lang,
            height=140 + 24 * len(frame))
    fig.update_xaxes(title=tr("rob_interval_axis", lang), **_int_ticks(m, lang))
    fig.update_yaxes(autorange="reversed")
    return fig


# --------------------------------------------------------------------------- weight stability

def weight_stability_tables(source, stability: WeightStability, *,
                            lang: Lang = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two tables: each weight's stable interval, and the change that drops each shortlisted city.

    Parameters
    ----------
    source : citykit.scenario.Result or citykit.ranking.Ranking
        The ranking `stability` was computed on (for the criterion and city names).
    stability : citykit.robustness.WeightStability
    lang : {"en", "fa"}

    Returns
    -------
    intervals : pandas.DataFrame
        One row per criterion (index = criterion code), the narrowest room first: its name,
        weight, the interval in which the top k stays the same, and the smallest move that
        changes it. In English the weights are shares (numbers in [0, 1]); in Persian text.
    drops : pandas.DataFrame
        One row per city of the top k (index = city id): name, rank, the criterion whose
        weight drops it, its weight now, the weight that drops it, and the change.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> from citykit.robustness import weight_stability
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},
    ...                                   {"rule": "population-floor", "minimum": 200_000})))
    >>> intervals, drops = weight_stability_tables(result, weight_stability(result))
    >>> list(intervals.columns)
    ['Criterion', 'Weight', 'Top 5 unchanged from', 'up to', 'Smallest move that changes it']
    >>> len(drops), list(drops.columns)[:2]
    (5, ['City', 'Rank'])
    >>> weight_stability_tables(result, weight_stability(result), lang="fa")[1].iloc[0, :2].tolist()
    ['اهواز', '۱']
    """
    k = format_number(stability.top_k, lang)
    names = criterion_labels(source, lang)
    iv = stability.intervals
    room = pd.concat([iv["weight"] - iv["low"], iv["high"] - iv["weight"]], axis=1).min(axis=1)
    order = room.sort_values(kind="stable", na_position="last").index
    iv, room = iv.reindex(order), room.reindex(order)
    heads = [tr("rob_col_criterion", lang), tr("rob_col_weight", lang),
             tr("rob_col_low", lang, k=k), tr("rob_col_high", lang), tr("rob_col_room", lang)]
    if lang == "fa":
        values = [_percents(iv[c], lang, decimals=1) for c in ("weight", "low", "high")] + \
            [_percents(room, lang, decimals=1)]
    else:
        values = [iv["weight"], iv["low"], iv["high"], room]
    intervals = pd.DataFrame(dict(zip(heads, [names.reindex(order).astype(str), *values],
                                      strict=True)), index=order)
    intervals.index.name = "criterion"

    sl = stability.shortlist
    cities = candidate_labels(source, lang).reindex(sl.index)
    dropped = sl["criterion"].notna()
    criterion = sl["criterion"].map(lambda c: names.get(c, c) if isinstance(c, str) else None)
    drop_heads = [tr("rob_col_city", lang), tr("rob_col_rank", lang),
                  tr("rob_col_drop_criterion", lang), tr("rob_col_weight", lang),
                  tr("rob_col_new_weight", lang), tr("rob_col_change", lang)]
    if lang == "fa":
        numbers_ = [_numbers(sl["rank"], lang)] + [
            _percents(sl[c], lang, decimals=1) for c in ("weight", "new_weight", "change")]
    else:
        numbers_ = [sl["rank"].astype(int), sl["weight"], sl["new_weight"], sl["change"]]
    drops = pd.DataFrame({drop_heads[0]: cities.astype(str), drop_heads[1]: numbers_[0],
                          drop_heads[2]: criterion.where(dropped, tr("rob_no_drop", lang)),
                          drop_heads[3]: numbers_[1], drop_heads[4]: numbers_[2],
                          drop_heads[5]: numbers_[3]}, index=sl.index)
    drops.index.name = "city_id"
    return intervals, drops


# --------------------------------------------------------------------------- methods



def method_agreement_table(agreement: pd.DataFrame, *, chosen: str, top_k: int,
                           labels: pd.Series, lang: Lang = "en") -> pd.DataFrame:
    """:func:`method_agreement` for display: translated names and headers, the chosen one marked.

    In English the correlations stay numbers; in Persian every column is text.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(eligibility=({"rule": "exclude-capital"},
    ...                                   {"rule": "population-floor", "minimum": 200_000})))
    >>> agreement = method_agreement(rankings_by_method(result), "wsum", top_k=5)
    >>> table = method_agreement_table(agreement, chosen="wsum", top_k=5,
    ...                                labels=candidate_labels(result))
    >>> table.loc["wsum"].astype(str).tolist()
    ['Weighted sum (chosen)', '1.0', '1.0', '5 of 5', 'Ahvaz', '']
    >>> method_agreement_table(agreement, chosen="wsum", top_k=5, lang="fa",
    ...                        labels=candidate_labels(result, "fa")).iloc[0, 1:5].tolist()
    ['۱٫۰۰', '۱٫۰۰', '۵ از ۵', 'اهواز']
    """
    k = format_number(top_k, lang)
    names = [tr("rob_chosen", lang, name=_method_name(m, lang)) if m == chosen
             else _method_name(m, lang) for m in agreement.index]
    overlap = [tr("rob_overlap_of", lang, shared=format_number(s, lang),
                  k=format_number(size, lang)) if not pd.isna(s) else "—"
               for s, size in zip(agreement["top_k_shared"], agreement["top_k_size"],
                                  strict=True)]
    leader = [str(labels.get(c, c)) if c is not None else "—" for c in agreement["leader"]]
    if lang == "fa":
        tau = _numbers(agreement["kendall_tau"], lang, decimals=2)
        rho = _numbers(agreement["spearman_rho"], lang, decimals=2)
    else:
        tau, rho = agreement["kendall_tau"].round(2), agreement["spearman_rho"].round(2)
    table = pd.DataFrame({
        tr("rob_col_method", lang): names, tr("rob_col_tau", lang): list(tau),
        tr("rob_col_rho", lang): list(rho), tr("rob_col_overlap", lang, k=k): overlap,
        tr("rob_col_leader", lang): leader,
        tr("rob_col_note", lang): [e or "" for e in agreement["error"]],
    }, index=agreement.index)
    return table


# --------------------------------------------------------------------------- choices

def choice_sensitivity_for(result: Result, *, draws: int = CHOICE_DRAWS) -> ChoiceSensitivity:
    """Which choice moves the ranks most: every method × :data:`CHOICE_NORMALISATIONS`.

    Weights are drawn as the scenario's robustness settings say (concentration, seed); the
    missing-data policy stays the scenario's.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> cs = choice_sensitivity_for(run(Scenario()), draws=50)
    >>> cs.levels["method"]
    ('wsum', 'geometric', 'topsis', 'vikor', 'promethee2')
    >>> round(float(cs.shares.sum()), 9)
    1.0
    """
    settings = {**DEFAULTS, **dict(result.scenario.robustness)}
    return choice_sensitivity(result, normalisations=list(CHOICE_NORMALISATIONS),
                              methods=list(METHODS), draws=draws,
                              concentration=settings["concentration"],
                              bounds=settings.get("bounds"), seed=settings["seed"],
                              top_k=settings["top_k"])


def choice_table(sensitivity: ChoiceSensitivity, *, uniform: bool = False,
                 lang: Lang = "en") -> pd.DataFrame:
    """The first-order share of each choice, largest first (interactions last).

    Parameters
    ----------
    sensitivity : citykit.robustness.ChoiceSensitivity
    uniform : bool, default False
        Whether the weights were drawn uniformly (for the description of what varied).
    lang : {"en", "fa"}

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> table = choice_table(choice_sensitivity_for(run(Scenario()), draws=50))
    >>> list(table.columns)
    ['Choice', 'Varied over', 'Share of the rank variance']
    >>> table.iloc[-1, 0]
    'Choices acting together'
    """
    shares = sensitivity.shares
    factors = shares.drop("interactions").sort_values(ascending=False, kind="stable")
    order = [*factors.index, "interactions"]

    def levels(factor: str) -> str:
        if factor == "weights":
            return tr("rob_levels_weights_uniform" if uniform else "rob_levels_weights", lang)
        if factor == "data":
            return tr("rob_levels_data", lang)
        if factor == "interactions":
            return "—"
        found = sensitivity.levels.get(factor, ())
        words = [_level_name(factor, v, lang) for v in found]
        if len(words) == 1:
            return tr("rob_levels_one", lang, level=words[0])
        return "، ".join(words) if lang == "fa" else ", ".join(words)

    values = shares.reindex(order)
    return pd.DataFrame({
        tr("rob_col_factor", lang): [tr(f"rob_factor_{f}", lang) for f in order],
        tr("rob_col_levels", lang): [levels(f) for f in order],
        tr("rob_col_share", lang): _percents(values, lang) if lang == "fa"
        else values.to_numpy(),
    }, index=pd.Index(order, name="factor"))


# --------------------------------------------------------------------------- frameworks

def framework_scenario(scenario: Scenario) -> Scenario:
    """The parts of `scenario` that the rankings of :func:`~citykit.robustness.framework_sensitivity`
    depend on.

    It re-ranks under every framework with framework weights (explicit weights belong to one
    framework), so the scenario's framework, indicators, explicit weights, shortlist and
    robustness settings do not change those rankings: dropping them lets a weight slider or the
    shortlist size move without re-ranking every framework (:func:`framework_top_k` then
    recomputes the top-k overlap). ``top_k`` is set to 1, valid for any candidate set.

    Examples
    --------
    >>> a = Scenario(weights={"x": 1.0}, robustness={"draws": 10, "top_k": 3})
    >>> b = Scenario(framework="u4ssc", robustness={"draws": 99, "top_k": 7})
    >>> framework_scenario(a) == framework_scenario(b)
    True
    >>> framework_scenario(Scenario(weights="entropy")).weights
    'entropy'
    """
    weights = "framework" if isinstance(scenario.weights, Mapping) else scenario.weights
    return scenario.with_(framework=None, indicators=None, weights=weights, shortlist=None,
                          robustness={"top_k": 1})


def framework_top_k(sensitivity: FrameworkSensitivity, top_k: int, *,
                    lang: Lang = "en") -> FrameworkSensitivity:
    """The same framework comparison for another shortlist size, reusing its rankings.

    The overlap is computed as :func:`~citykit.robustness.framework_sensitivity` does:
    ``|A ∩ B| / max(|A|, |B|)`` of the sets ranked `top_k` or better.

    Raises
    ------
    RobustnessError
        If `top_k` is not between 1 and the number of candidates every framework ranked.

    Examples
    --------
    >>> from citykit.robustness import framework_sensitivity
    >>> fs = framework_sensitivity(Scenario(), ["iran_national", "u4ssc"], top_k=1)
    >>> framework_top_k(fs, 5).top_k_overlap.equals(
    ...     framework_sensitivity(Scenario(), ["iran_national", "u4ssc"], top_k=5).top_k_overlap)
    True
    """
    table = sensitivity.ranks
    n = int(table.notna().sum().min())
    if not _whole(top_k) or not 1 <= top_k <= n:
        shown = format_number(top_k, lang) if isinstance(top_k, numbers.Real) else repr(top_k)
        raise RobustnessError(tr("rob_err_top_k", lang, value=shown, n=format_number(n, lang)))
    tops = {f: set(table.index[table[f] <= top_k]) for f in table.columns}
    overlap = pd.DataFrame([[len(tops[a] & tops[b]) / max(len(tops[a]), len(tops[b]))
                             for b in table.columns] for a in table.columns],
                           index=table.columns, columns=table.columns)
    return replace(sensitivity, top_k_overlap=overlap, top_k=int(top_k))


@functools.lru_cache(maxsize=64)
def _framework_names(source: str) -> tuple[str, str]:
    from ..frameworks import load_framework

    try:
        fw = load_framework(source)
    except CityKitError:
        return source, source
    return fw.name_en or source, fw.name_fa or fw.name_en or source


def framework_titles(ids: Sequence[str], lang: Lang = "en") -> dict[str, str]:
    """Display names of frameworks by id (the id itself when one cannot be read).

    Examples
    --------
    >>> framework_titles(["u4ssc"])["u4ssc"].startswith("U4SSC")
    True
    """
    return {i: _framework_names(i)[1 if lang == "fa" else 0] for i in ids}


def framework_agreement_table(sensitivity: FrameworkSensitivity, *, reference: str | None,
                              lang: Lang = "en",
                              titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every framework: agreement with `reference`, or why it could not rank the candidates.

    Parameters
    ----------
    sensitivity : citykit.robustness.FrameworkSensitivity
    reference : str or None
        The scenario's framework; when it is not among the ranked ones (None, or a framework
        file of the user's), the τ and overlap columns are empty and
        :func:`framework_tau_figure` shows every pair.
    lang : {"en", "fa"}
    titles : mapping, optional
        Display names by framework id (:func:`framework_titles`).

    Returns
    -------
    pandas.DataFrame
        Index = framework id: name, Kendall τ and top-k overlap with the reference, status.

    Examples
    --------
    >>> from citykit.robustness import framework_sensitivity
    >>> fs = framework_sensitivity(Scenario(), ["iran_national", "u4ssc", "iso37122"])
    >>> table = framework_agreement_table(fs, reference="iran_national")
    >>> table["Status"].tolist()[0], table["Status"].tolist()[-1][:10]
    ("the scenario's framework", 'not ranked')
    >>> float(table.loc["iran_national", "Kendall τ"])
    1.0
    """
    titles = dict(titles or {})
    ranked = list(sensitivity.ranks.columns)
    has_reference = reference in ranked
    k = format_number(sensitivity.top_k, lang)
    ids = ranked + [f for f in sensitivity.skipped if f not in ranked]
    tau = [sensitivity.kendall_tau.loc[reference, f] if has_reference and f in ranked
           else np.nan for f in ids]
    overlap = [sensitivity.top_k_overlap.loc[reference, f] if has_reference and f in ranked
               else np.nan for f in ids]
    status = [tr("rob_fw_reference", lang) if f == reference else
              tr("rob_fw_ranked", lang) if f in ranked else
              tr("rob_fw_no_data", lang)
              if sensitivity.skipped_codes.get(f) == "framework_no_data"
              else tr("rob_fw_skipped", lang, reason=sensitivity.skipped[f]) for f in ids]
    # text in both languages: a framework that did not rank shows a dash, not "None"
    tau_col = ["—" if pd.isna(t) else format_number(t, lang, decimals=2) for t in tau]
    overlap_col = ["—" if pd.isna(o) else format_percent(o, lang, decimals=0) for o in overlap]
    table = pd.DataFrame({
        tr("rob_col_framework", lang): [titles.get(f, f) for f in ids],
        tr("rob_col_tau", lang): tau_col,
        tr("rob_col_overlap", lang, k=k): overlap_col,
        tr("rob_col_status", lang): status,
    }, index=pd.Index(ids, name="framework"))
    return table


def framework_tau_figure(sensitivity: FrameworkSensitivity, *, lang: Lang = "en",
                         titles: Mapping[str, str] | None = None) -> go.Figure:
    """Heatmap of Kendall τ between every pair of frameworks that ranked the candidates.

    Examples
    --------
    >>> from citykit.robustness import framework_sensitivity
    >>> fs = framework_sensitivity(Scenario(), ["iran_national", "u4ssc"])
    >>> np.asarray(framework_tau_figure(fs).data[0].z).shape
    (2, 2)
    """
    titles = dict(titles or {})
    tau = sensitivity.kendall_tau
    names = [titles.get(f, f) for f in tau.columns]
    numbers = [_digits(i, lang) for i in range(1, len(names) + 1)]
    text = [[format_number(v, lang, decimals=2) for v in row] for row in tau.to_numpy()]
    hover = [[f"{a} × {b}: {t}" for b, t in zip(names, row, strict=True)]
             for a, row in zip(names, text, strict=True)]
    # numbered names down the side, their numbers across the top (no raw ids)
    fig = go.Figure(go.Heatmap(z=tau.to_numpy(), x=numbers,
                               y=[f"{n}. {name}" for n, name in zip(numbers, names, strict=True)],
                               zmin=-1,
                               zmax=1, colorscale="RdBu", text=text, texttemplate="%{text}",
                               hoverinfo="text", hovertext=hover, showscale=False))
    _layout(fig, title=tr("rob_fw_tau_title", lang), lang=lang, height=160 + 40 * len(names))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=0, type="category")
    return fig


# --------------------------------------------------------------------------- caches

def conclusion_lines(result, acceptability, lang: Lang = "en", *, choices=None,
                     frameworks=None) -> list[str]:
    """What can be said with confidence (:mod:`citykit.conclusions`), as plain sentences.

    The method comparison is the memoised one of the Robustness page; `choices` and
    `frameworks` add their findings when the page has them.
    """
    found = conclusions(result, acceptability, methods=cached_method_rankings(result.scenario),
                        choices=choices, frameworks=frameworks)
    titles = None if frameworks is None else framework_titles(list(frameworks.ranks.columns),
                                                              lang)
    return render_conclusions(found, result, lang,
                              names=candidate_labels(result, lang).to_dict(),
                              framework_titles=titles)


def show_conclusions(lines: Sequence[str], lang: Lang = "en", where=None) -> None:
    """The conclusions in a bordered box: a heading and one paragraph per sentence (escaped).

    Paragraphs, not a markdown list: they follow the page's direction, so in Persian the
    bullets and the text sit on the right together.
    """
    box = (where or st).container(border=True)
    box.markdown(f"**{tr('cc_heading', lang)}**")
    box.markdown("\n\n".join(f"• {md(line)}" for line in lines))


def progress_reporter(slot, lang: Lang = "en"):
    """A ``progress(done, total)`` callback that draws a progress bar in `slot` (an ``st.empty``).

    Make it just before the cached call. The SMAA draws run inside a cached function
    (:func:`citykit.ui.session.acceptability`); Streamlit records every element drawn there
    and replays it on a cache hit, which fails for a slot made outside the function. So the
    bar is drawn in a copy of the context taken here, outside the cached call, where
    Streamlit records nothing.

    Each update is also where the draws stop when the session ends: Streamlit asks a closed
    session's script to stop, and raises at its next element, so the draws end within one
    chunk (tested in ``tests/test_e2e_session_end.py``).

    Examples
    --------
    >>> class Slot:  # stands in for st.empty()
    ...     def progress(self, value, text): print(value, text)
    >>> progress_reporter(Slot())(500, 2000)
    0.25 Ranking under 500 of 2,000 weight draws…
    """
    outside = contextvars.copy_context()

    def report(done: int, total: int) -> None:
        text = tr("rob_progress", lang, done=format_number(done, lang),
                  total=format_number(total, lang))
        outside.run(slot.progress, min(1.0, done / total), text=text)
    return report


def _outcome(compute, *args):
    try:
        return True, compute(*args)
    except CityKitError as err:  # cached too: a failing analysis is not re-run on every rerun
        return False, err


def _unwrap(outcome):
    ok, value = outcome
    if not ok:
        raise value
    return value


def _result_of(scenario_json: str) -> Result:
    from . import session

    return session.result(Scenario.from_json(scenario_json))


@st.cache_resource(show_spinner=False, max_entries=32)
def _method_rankings(scenario_json: str):
    return _outcome(lambda: rankings_by_method(_result_of(scenario_json)))


@st.cache_resource(show_spinner=False, max_entries=32)
def _weight_stability(scenario_json: str):
    return _outcome(lambda: weight_stability(_result_of(scenario_json)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _choice_sensitivity(scenario_json: str):
    return _outcome(lambda: choice_sensitivity_for(_result_of(scenario_json)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _framework_sensitivity(scenario_json: str):
    from . import session

    def compute():
        s = Scenario.from_json(scenario_json)
        return framework_sensitivity(s, dataset=session.dataset(s.dataset))
    return _outcome(compute)


def cached_method_rankings(scenario: Scenario) -> dict:
    """:func:`rankings_by_method` of the scenario's result, memoised by the scenario's JSON."""
    return _unwrap(_method_rankings(scenario.to_json()))


def cached_weight_stability(scenario: Scenario) -> WeightStability:
    """:func:`citykit.robustness.weight_stability` of the scenario's result, memoised."""
    return _unwrap(_weight_stability(scenario.to_json()))


def cached_choice_sensitivity(scenario: Scenario) -> ChoiceSensitivity:
    """:func:`choice_sensitivity_for` of the scenario's result, memoised."""
    return _unwrap(_choice_sensitivity(scenario.to_json()))


def cached_framework_sensitivity(scenario: Scenario, *, lang: Lang = "en"
                                 ) -> FrameworkSensitivity:
    """Every bundled framework's ranking of the scenario, compared for its shortlist size.

    The rankings are memoised by :func:`framework_scenario`; the overlap is recomputed for
    the scenario's ``top_k`` (:func:`framework_top_k`).
    """
    fs = _unwrap(_framework_sensitivity(framework_scenario(scenario).to_json()))
    return framework_top_k(fs, int({**DEFAULTS, **dict(scenario.robustness)}["top_k"]),
                           lang=lang)
