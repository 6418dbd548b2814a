"""Weights & method: sliders that rebalance in the open, AHP judgements, presets, methods.

The scenario holds the truth (``Scenario.weights``: a preset name or ``{criterion: weight}``);
the page's sliders are a view of it, in percent, at two levels: the dimensions (the
``dimension`` column of the framework's criteria), and the indicators within each dimension.
A criterion's effective weight is its dimension's weight times its share within the dimension
(:func:`split_weights`, :func:`combine`).

Moving a slider moves the other *unlocked* sliders of its level proportionally, so the level
still sums to 100 % (:func:`rebalance`); the page says so, and says when a slider could not go
as far as asked because the others are locked. Nothing is re-normalised silently: every vector
written to the scenario is checked by :func:`citykit.weights.check_weights`.

AHP (:func:`ahp_weights`) turns pairwise judgements of the dimensions on Saaty's scale into
dimension weights with the consistency ratio, and :func:`revisit` ranks the judgements by how far
each is from what the others imply (Saaty's error ``e_ij = a_ij w_j / w_i``).

The functions after "Session glue" read and write ``st.session_state``; they are the page's
callbacks, and every other function here is pure.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from ..aggregate import PREFERENCE_FUNCTIONS
from ..ahp import AHPResult, ahp
from ..exceptions import CityKitError, CityKitWarning, WeightError
from ..i18n import format_number, format_percent, register, tr
from ..impute import POLICIES
from ..normalise import NORMALISERS
from ..ranking import Ranking, resolve_weights
from ..weights import check_weights
from . import session
from .safe import md

__all__ = [
    "PRESETS", "SAATY_OPTIONS", "ahp_weights", "apply_ahp", "apply_preset", "combine", "locks",
    "dimension_names", "judgement_value", "on_dimension", "on_framework", "on_indicator",
    "on_judgement", "on_lock", "on_method", "on_method_params", "on_missing",
    "on_normalisation", "pairwise_matrix", "preset_weights", "preview_table", "rebalance",
    "revisit", "saaty_label", "split_weights", "suggest_judgement", "sync_widgets",
    "weights_table",
]

#: Weight presets: the framework's hierarchical weights, equal, and three data-driven ones.
PRESETS: tuple[str, ...] = ("framework", "equal", "entropy", "critic", "pca")
#: Saaty's scale as the select slider shows it: 9 … 2 (A more important), 1 (equal),
#: -2 … -9 (B more important, by the absolute value).
SAATY_OPTIONS: tuple[int, ...] = tuple(range(9, 0, -1)) + tuple(range(-2, -10, -1))
#: The "method default" choice of normalisation (the scenario stores None).
DEFAULT_NORMALISATION = "default"
#: Thresholds offered for the PROMETHEE preference functions, as shares of each criterion's
#: range on the min-max scale (q: indifference, p: strict preference).
PROMETHEE_DEFAULTS = {"q": 0.05, "p": 0.3}
ERROR_KEY, NOTE_KEY, LOCKS_KEY, AHP_KEY = "wt_error", "wt_note", "wt_locks", "wt_ahp"
_EPS = 1e-9

register({
    "en": {
        "wt_title": "Weights & method",
        "wt_intro": "Set how much each dimension and indicator counts, and how cities are "
                    "scored. Every change re-ranks at once: the top 10 on the right follows.",
        "wt_framework": "Framework",
        "wt_no_framework": "No framework (all indicators of the dataset)",
        "wt_framework_help": "Changing the framework resets the weights to its own.",
        "wt_framework_failed": "The framework {framework} cannot rank dataset {dataset}: "
                               "{error} The previous framework and its weights are kept.",
        "wt_change_failed": "This change was not applied, the previous settings are kept: "
                            "{error}",
        "wt_method": "Method",
        "wt_normalisation": "Normalisation",
        "wt_norm_default": "Method default ({name})",
        "wt_missing": "Missing data",
        "wt_missing_help": "The framework has gaps for some eligible cities: choose how to "
                           "handle them. Imputed values are flagged in every table.",
        "wt_missing_reset": "The set of indicators changed, so the custom weights were "
                            "replaced by the preset '{preset}'.",
        "wt_vikor_v": "VIKOR v (weight of the group's total against the worst single gap)",
        "wt_pref": "PROMETHEE preference function",
        "wt_pref_q": "Indifference threshold q (share of each indicator's range)",
        "wt_pref_p": "Preference threshold p (share of each indicator's range)",
        "wt_dimensions": "Dimensions",
        "wt_indicators_in": "Indicators in {dimension}",
        "wt_lock": "Lock",
        "wt_lock_help": "A locked slider keeps its value when other sliders move.",
        "wt_sum": "Sum: {total}",
        "wt_rebalance_help": "Moving a slider moves the unlocked sliders of the same level "
                             "in proportion, so the level keeps summing to 100%.",
        "wt_clamped_locked": "{name} was set to {value}, all that is left: the other sliders "
                             "of this level are locked at {locked}.",
        "wt_clamped": "{name} was set to {value}, the most it can take: the locked sliders "
                      "of this level hold {locked}.",
        "wt_moved": "{name} set to {value}; the unlocked sliders of this level moved in "
                    "proportion to keep the sum at 100%.",
        "wt_presets": "Presets",
        "wt_preset_framework": "Framework",
        "wt_preset_equal": "Equal",
        "wt_preset_entropy": "Entropy",
        "wt_preset_critic": "CRITIC",
        "wt_preset_pca": "PCA",
        "wt_preset_help": "Fill every slider: the framework's weights, equal weights per "
                          "indicator, or weights learned from the eligible cities' data "
                          "(entropy, CRITIC, PCA: they describe the data, not importance).",
        "wt_preset_applied": "Preset '{preset}' applied to every slider; locks released.",
        "wt_mode_preset": "Weights: the preset '{preset}'.",
        "wt_mode_custom": "Weights: custom (set with the sliders or AHP).",
        "wt_subindices": "Sub-indices: {parts}",
        "wt_preview": "Top 10 now",
        "wt_preview_lower": "{method}: a lower score is better.",
        "wt_effective": "Effective indicator weights",
        "wt_col_rank": "Rank",
        "wt_col_city": "City",
        "wt_col_score": "Score",
        "wt_col_indicator": "Indicator",
        "wt_col_dimension": "Dimension",
        "wt_col_weight": "Weight (%)",
        "wt_ahp": "AHP: compare the dimensions in pairs",
        "wt_ahp_intro": "For each pair, say which dimension matters more and by how much "
                        "(Saaty's scale). The consistency ratio (CR) checks that the "
                        "judgements agree with each other.",
        "wt_ahp_pair": "{a} vs {b}",
        "wt_ahp_too_many": "AHP compares at most {n} elements at once; this framework has "
                           "{m} dimensions. Use the sliders.",
        "wt_ahp_one": "AHP needs at least two dimensions.",
        "wt_ahp_cr": "Consistency ratio (CR)",
        "wt_ahp_ok": "The judgements are consistent enough (CR ≤ 0.1).",
        "wt_ahp_bad": "The judgements are inconsistent (CR = {cr} > 0.1). Revisit them, "
                      "starting with those below.",
        "wt_ahp_revisit": "{a} vs {b}: you said {given}; the other judgements imply {implied} "
                          "(closest on the scale: {suggested}).",
        "wt_ahp_apply": "Apply AHP weights",
        "wt_ahp_applied": "AHP weights applied to the dimension sliders (CR = {cr}); locks "
                          "released.",
        "wt_ahp_weight": "AHP weight",
        "wt_equal": "equal",
        "wt_more": "{name} ×{k}",
        "wt_saaty_1": "equal importance",
        "wt_saaty_2": "between equal and moderate",
        "wt_saaty_3": "moderately more important",
        "wt_saaty_4": "between moderate and strong",
        "wt_saaty_5": "strongly more important",
        "wt_saaty_6": "between strong and very strong",
        "wt_saaty_7": "very strongly more important",
        "wt_saaty_8": "between very strong and extreme",
        "wt_saaty_9": "extremely more important",
        "wt_m_wsum": "Weighted sum",
        "wt_m_geometric": "Weighted geometric mean",
        "wt_m_topsis": "TOPSIS",
        "wt_m_vikor": "VIKOR",
        "wt_m_promethee2": "PROMETHEE II",
        "wt_mx_wsum": "Adds up the weighted indicators: a weak indicator can be offset by a "
                      "strong one.",
        "wt_mx_geometric": "Multiplies the weighted indicators: a weak indicator is hard to "
                           "offset.",
        "wt_mx_topsis": "Closeness to an ideal city that is best on every indicator, and "
                        "distance from the worst.",
        "wt_mx_vikor": "A compromise between the group's total and the worst single gap; "
                       "lower Q is better.",
        "wt_mx_promethee2": "Compares every pair of cities on each indicator; the net flow "
                            "says how much a city outranks the others.",
        "wt_n_minmax": "Min-max (0 to 1)",
        "wt_n_zscore": "z-score",
        "wt_n_vector": "Vector (Euclidean norm)",
        "wt_n_sum": "Share of the total",
        "wt_n_rank": "Ranks",
        "wt_n_goalposts": "Goalposts",
        "wt_p_none": "Refuse to rank (list the gaps)",
        "wt_p_drop-criteria": "Drop indicators with gaps",
        "wt_p_drop-candidates": "Drop cities with gaps",
        "wt_p_median": "Fill with the median",
        "wt_p_knn": "Fill from similar cities (k-NN)",
        "wt_p_province-mean": "Fill with the province mean",
        "wt_f_usual": "Usual: any difference counts fully",
        "wt_f_ushape": "U-shape: counts above q",
        "wt_f_vshape": "V-shape: grows linearly up to p",
        "wt_f_level": "Level: half between q and p, full above p",
        "wt_f_linear": "Linear: grows from q to p",
    },
    "fa": {
        "wt_title": "وزن‌ها و روش",
        "wt_intro": "تعیین کنید هر بُعد و هر شاخص چه اندازه اهمیت دارد و شهرها با چه روشی "
                    "امتیاز بگیرند. هر تغییر بی‌درنگ رتبه‌بندی را به‌روز می‌کند: ده شهر برتر "
                    "در سمت دیگر دنبال می‌شود.",
        "wt_framework": "چارچوب",
        "wt_no_framework": "بدون چارچوب (همهٔ شاخص‌های داده)",
        "wt_framework_help": "با تغییر چارچوب، وزن‌ها به وزن‌های خود آن چارچوب برمی‌گردند.",
        "wt_framework_failed": "چارچوب {framework} نمی‌تواند دادهٔ {dataset} را رتبه‌بندی کند: "
                               "{error} چارچوب قبلی و وزن‌هایش حفظ شد.",
        "wt_change_failed": "این تغییر اعمال نشد و تنظیمات قبلی حفظ شد: {error}",
        "wt_method": "روش",
        "wt_normalisation": "نرمال‌سازی",
        "wt_norm_default": "پیش‌فرض روش ({name})",
        "wt_missing": "دادهٔ گمشده",
        "wt_missing_help": "چارچوب برای برخی شهرهای واجد شرایط داده ندارد: روش برخورد با "
                           "کمبودها را انتخاب کنید. مقادیر جایگزین‌شده در همهٔ جدول‌ها "
                           "علامت می‌خورند.",
        "wt_missing_reset": "مجموعهٔ شاخص‌ها تغییر کرد، پس وزن‌های سفارشی با پیش‌تنظیم "
                            "«{preset}» جایگزین شد.",
        "wt_vikor_v": "پارامتر v در ویکور (وزن مجموع گروه در برابر بدترین شکاف)",
        "wt_pref": "تابع ترجیح پرومته",
        "wt_pref_q": "آستانهٔ بی‌تفاوتی q (سهمی از دامنهٔ هر شاخص)",
        "wt_pref_p": "آستانهٔ ترجیح p (سهمی از دامنهٔ هر شاخص)",
        "wt_dimensions": "ابعاد",
        "wt_indicators_in": "شاخص‌های {dimension}",
        "wt_lock": "قفل",
        "wt_lock_help": "لغزندهٔ قفل‌شده با حرکت لغزنده‌های دیگر تغییر نمی‌کند.",
        "wt_sum": "جمع: {total}",
        "wt_rebalance_help": "با حرکت یک لغزنده، لغزنده‌های قفل‌نشدهٔ همان سطح به همان نسبت "
                             "جابه‌جا می‌شوند تا جمع سطح ۱۰۰٪ بماند.",
        "wt_clamped_locked": "{name} روی {value} گذاشته شد، یعنی همهٔ باقی‌مانده: لغزنده‌های "
                             "دیگر این سطح روی {locked} قفل‌اند.",
        "wt_clamped": "{name} روی {value} گذاشته شد، یعنی بیشترین مقدار ممکن: لغزنده‌های "
                      "قفل‌شدهٔ این سطح {locked} را نگه داشته‌اند.",
        "wt_moved": "{name} روی {value} گذاشته شد؛ لغزنده‌های قفل‌نشدهٔ این سطح به همان "
                    "نسبت جابه‌جا شدند تا جمع ۱۰۰٪ بماند.",
        "wt_presets": "پیش‌تنظیم‌ها",
        "wt_preset_framework": "چارچوب",
        "wt_preset_equal": "برابر",
        "wt_preset_entropy": "آنتروپی",
        "wt_preset_critic": "کریتیک",
        "wt_preset_pca": "مؤلفه‌های اصلی (PCA)",
        "wt_preset_help": "همهٔ لغزنده‌ها را پر می‌کند: وزن‌های چارچوب، وزن برابر برای هر "
                          "شاخص، یا وزن‌هایی که از دادهٔ شهرهای واجد شرایط به دست می‌آیند "
                          "(آنتروپی، کریتیک، مؤلفه‌های اصلی: این‌ها داده‌ها را توصیف می‌کنند، "
                          "نه اهمیت را).",
        "wt_preset_applied": "پیش‌تنظیم «{preset}» روی همهٔ لغزنده‌ها اعمال شد؛ قفل‌ها "
                             "برداشته شد.",
        "wt_mode_preset": "وزن‌ها: پیش‌تنظیم «{preset}».",
        "wt_mode_custom": "وزن‌ها: سفارشی (با لغزنده‌ها یا AHP).",
        "wt_subindices": "زیرشاخص‌ها: {parts}",
        "wt_preview": "ده شهر برتر اکنون",
        "wt_preview_lower": "{method}: امتیاز کمتر بهتر است.",
        "wt_effective": "وزن مؤثر شاخص‌ها",
        "wt_col_rank": "رتبه",
        "wt_col_city": "شهر",
        "wt_col_score": "امتیاز",
        "wt_col_indicator": "شاخص",
        "wt_col_dimension": "بُعد",
        "wt_col_weight": "وزن (٪)",
        "wt_ahp": "AHP: مقایسهٔ دوبه‌دوی ابعاد",
        "wt_ahp_intro": "برای هر جفت بگویید کدام بُعد مهم‌تر است و چه اندازه (مقیاس ساعتی). "
                        "نسبت سازگاری (CR) بررسی می‌کند که قضاوت‌ها با هم هم‌خوان باشند.",
        "wt_ahp_pair": "{a} در برابر {b}",
        "wt_ahp_too_many": "AHP حداکثر {n} عنصر را با هم مقایسه می‌کند؛ این چارچوب {m} بُعد "
                           "دارد. از لغزنده‌ها استفاده کنید.",
        "wt_ahp_one": "AHP دست‌کم دو بُعد لازم دارد.",
        "wt_ahp_cr": "نسبت سازگاری (CR)",
        "wt_ahp_ok": "قضاوت‌ها به اندازهٔ کافی سازگارند (CR ≤ ۰٫۱).",
        "wt_ahp_bad": "قضاوت‌ها ناسازگارند (CR = {cr} > ۰٫۱). آن‌ها را بازبینی کنید، از "
                      "موارد زیر شروع کنید.",
        "wt_ahp_revisit": "{a} در برابر {b}: شما گفتید {given}؛ قضاوت‌های دیگر {implied} را "
                          "نشان می‌دهند (نزدیک‌ترین مقدار مقیاس: {suggested}).",
        "wt_ahp_apply": "اعمال وزن‌های AHP",
        "wt_ahp_applied": "وزن‌های AHP روی لغزنده‌های ابعاد اعمال شد (CR = {cr})؛ قفل‌ها "
                          "برداشته شد.",
        "wt_ahp_weight": "وزن AHP",
        "wt_equal": "برابر",
        "wt_more": "{name} ×{k}",
        "wt_saaty_1": "اهمیت برابر",
        "wt_saaty_2": "بین برابر و کمی مهم‌تر",
        "wt_saaty_3": "کمی مهم‌تر",
        "wt_saaty_4": "بین کمی و قویاً مهم‌تر",
        "wt_saaty_5": "قویاً مهم‌تر",
        "wt_saaty_6": "بین قویاً و بسیار قویاً مهم‌تر",
        "wt_saaty_7": "بسیار قویاً مهم‌تر",
        "wt_saaty_8": "بین بسیار قوی و مطلق",
        "wt_saaty_9": "به‌طور مطلق مهم‌تر",
        "wt_m_wsum": "مجموع وزنی",
        "wt_m_geometric": "میانگین هندسی وزنی",
        "wt_m_topsis": "تاپسیس",
        "wt_m_vikor": "ویکور",
        "wt_m_promethee2": "پرومته ۲",
        "wt_mx_wsum": "شاخص‌های وزن‌دار را جمع می‌کند: ضعف در یک شاخص با قوت در شاخص دیگر "
                      "جبران می‌شود.",
        "wt_mx_geometric": "شاخص‌های وزن‌دار را در هم ضرب می‌کند: ضعف در یک شاخص به‌سختی "
                           "جبران می‌شود.",
        "wt_mx_topsis": "نزدیکی به شهر آرمانی که در همهٔ شاخص‌ها بهترین است و دوری از "
                        "بدترین.",
        "wt_mx_vikor": "سازشی میان مجموع گروه و بدترین شکاف منفرد؛ Q کمتر بهتر است.",
        "wt_mx_promethee2": "هر جفت شهر را در هر شاخص مقایسه می‌کند؛ جریان خالص نشان می‌دهد "
                            "یک شهر چه اندازه بر دیگران برتری دارد.",
        "wt_n_minmax": "کمینه-بیشینه (۰ تا ۱)",
        "wt_n_zscore": "نمرهٔ z",
        "wt_n_vector": "برداری (نُرم اقلیدسی)",
        "wt_n_sum": "سهم از مجموع",
        "wt_n_rank": "رتبه‌ها",
        "wt_n_goalposts": "دروازه‌ها (goalposts)",
        "wt_p_none": "رتبه‌بندی نکن (کمبودها را فهرست کن)",
        "wt_p_drop-criteria": "حذف شاخص‌های دارای کمبود",
        "wt_p_drop-candidates": "حذف شهرهای دارای کمبود",
        "wt_p_median": "جایگزینی با میانه",
        "wt_p_knn": "جایگزینی از شهرهای مشابه (k نزدیک‌ترین همسایه)",
        "wt_p_province-mean": "جایگزینی با میانگین استان",
        "wt_f_usual": "معمولی: هر تفاوتی کامل به حساب می‌آید",
        "wt_f_ushape": "U شکل: بالاتر از q به حساب می‌آید",
        "wt_f_vshape": "V شکل: تا p به‌طور خطی زیاد می‌شود",
        "wt_f_level": "پله‌ای: بین q و p نصف، بالاتر از p کامل",
        "wt_f_linear": "خطی: از q تا p زیاد می‌شود",
    },
})


# ---------------------------------------------------------------------------------------------
# Rebalancing, splitting and combining weights
# ---------------------------------------------------------------------------------------------

def rebalance(weights: pd.Series, changed: str, new_value: float,
              locked: Iterable[str] = frozenset()) -> tuple[pd.Series, dict | None]:
    """Set one weight of a level and move the unlocked others in proportion.

    The locked weights never change. What they leave (``1 - sum(locked)``) is shared between
    the moved weight, which gets `new_value` if it fits, and the other unlocked weights, which
    keep their proportions (equal shares when they are all 0). So the level still sums to 1.

    Parameters
    ----------
    weights : pandas.Series
        The level's weights, >= 0, summing to 1 (within 1e-9).
    changed : str
        The label of the weight the user moved (not locked).
    new_value : float
        Its new value, in [0, 1].
    locked : iterable of str
        Labels of the locked weights (labels not in `weights` are ignored).

    Returns
    -------
    weights : pandas.Series
        The new level, same index, summing to 1.
    note : dict or None
        None when `changed` got `new_value`; else ``{"reason": "all_locked" | "clamped",
        "value": v, "locked": share}``: the value it got instead and the share held by the
        locked weights.

    Raises
    ------
    WeightError
        If `weights` is not a valid weight vector, `changed` is unknown or locked, or
        `new_value` is outside [0, 1].

    Examples
    --------
    >>> w = pd.Series({"a": 0.5, "b": 0.3, "c": 0.2})
    >>> new, note = rebalance(w, "a", 0.7)
    >>> new.round(12).to_dict(), note
    ({'a': 0.7, 'b': 0.18, 'c': 0.12}, None)
    >>> new, note = rebalance(w, "a", 0.9, locked={"b", "c"})
    >>> new.round(12).to_dict(), note["reason"], round(note["value"], 12)
    ({'a': 0.5, 'b': 0.3, 'c': 0.2}, 'all_locked', 0.5)
    """
    w = pd.Series(check_weights(weights.to_numpy(dtype=float), names=list(map(str, weights.index))),
                  index=weights.index, name=weights.name)
    if changed not in w.index:
        raise WeightError(f"cannot move {changed!r}: it is not one of this level's weights "
                          f"{list(w.index)}")
    locked = {k for k in locked if k in w.index}
    if changed in locked:
        raise WeightError(f"{changed!r} is locked; unlock it before moving it")
    if not (np.isfinite(new_value) and -_EPS <= new_value <= 1 + _EPS):
        raise WeightError(f"a weight must be between 0 and 1 (0% and 100%); got {new_value!r} "
                          f"for {changed!r}")
    value = min(max(float(new_value), 0.0), 1.0)
    held = float(w[list(locked)].sum())
    room = max(1.0 - held, 0.0)
    others = [k for k in w.index if k != changed and k not in locked]
    note = None
    if not others:
        if abs(value - room) > _EPS:
            note = {"reason": "all_locked", "value": room, "locked": held}
        value = room
    elif value > room:
        note = {"reason": "clamped", "value": room, "locked": held}
        value = room
    out = w.copy()
    out[changed] = value
    if others:
        rest, current = room - value, w[others]
        total = float(current.sum())
        # current / total first: rest / total overflows when the others are all but zero
        out[others] = current / total * rest if total > 0 else rest / len(others)
    return out, note


def split_weights(criterion_weights: pd.Series, dimension_of: pd.Series
                  ) -> tuple[pd.Series, pd.Series]:
    """Split criterion weights into dimension weights and shares within each dimension.

    Parameters
    ----------
    criterion_weights : pandas.Series
        One weight per criterion (summing to 1).
    dimension_of : pandas.Series
        The dimension of each criterion (e.g. ``matrix.criteria["dimension"]``).

    Returns
    -------
    dimensions : pandas.Series
        Sum of the weights in each dimension, in order of first appearance.
    shares : pandas.Series
        Each criterion's share of its dimension (sums to 1 within every dimension; equal
        shares in a dimension whose weight is 0, so the sliders still mean something).

    Examples
    --------
    >>> w = pd.Series({"x": 0.2, "y": 0.6, "z": 0.2})
    >>> dims, shares = split_weights(w, pd.Series({"x": "A", "y": "A", "z": "B"}))
    >>> dims.round(12).to_dict(), shares.round(12).to_dict()
    ({'A': 0.8, 'B': 0.2}, {'x': 0.25, 'y': 0.75, 'z': 1.0})
    """
    dim = _dimension_of(criterion_weights.index, dimension_of)
    w = criterion_weights.astype(float)
    dims = w.groupby(dim, sort=False).sum().rename("weight")
    totals = dim.map(dims)
    counts = dim.map(dim.value_counts())
    shares = pd.Series(np.where(totals.to_numpy() > 0, w.to_numpy() / np.where(
        totals.to_numpy() > 0, totals.to_numpy(), 1.0), 1.0 / counts.to_numpy()),
        index=w.index, name="share")
    return dims, shares


def combine(dimensions: pd.Series, shares: pd.Series, dimension_of: pd.Series) -> pd.Series:
    """Effective criterion weights: each dimension's weight × the criterion's share in it.

    Raises
    ------
    WeightError
        If the dimension weights or the shares within a dimension do not sum to 1 (they are
        never rescaled here), or a criterion's dimension has no weight.

    Examples
    --------
    >>> dim_of = pd.Series({"x": "A", "y": "A", "z": "B"})
    >>> combine(pd.Series({"A": 0.8, "B": 0.2}), pd.Series({"x": 0.25, "y": 0.75, "z": 1.0}),
    ...         dim_of).round(12).to_dict()
    {'x': 0.2, 'y': 0.6, 'z': 0.2}
    """
    dim = _dimension_of(shares.index, dimension_of)
    check_weights(dimensions.to_numpy(dtype=float), names=list(map(str, dimensions.index)))
    unknown = sorted(set(dim) - set(dimensions.index), key=str)
    if unknown:
        raise WeightError(f"dimensions {unknown} have criteria but no weight; give every "
                          f"dimension a weight (known: {list(dimensions.index)})")
    for code, members in shares.groupby(dim, sort=False):
        try:
            check_weights(members.to_numpy(dtype=float), names=list(map(str, members.index)))
        except WeightError as err:
            raise WeightError(f"indicator shares within dimension {code!r}: {err}") from None
    w = dim.map(dimensions).astype(float) * shares.astype(float)
    return pd.Series(check_weights(w.to_numpy(), names=list(map(str, w.index))), index=w.index,
                     name="weight")


def _dimension_of(index: pd.Index, dimension_of: pd.Series) -> pd.Series:
    dim = dimension_of.reindex(index)
    if dim.isna().any():
        missing = list(index[dim.isna().to_numpy()])
        raise WeightError(f"criteria {missing[:5]} have no dimension; pass the matrix's "
                          "criteria['dimension']")
    return dim.astype(object)


def preset_weights(name: str, ranking: Ranking, framework=None) -> pd.Series:
    """The criterion weights of preset `name` on the ranked (eligible, complete) matrix.

    ``"framework"`` uses the framework's hierarchical weights; ``"entropy"``, ``"critic"``
    and ``"pca"`` learn them from the eligible cities' data (:func:`citykit.ranking.resolve_weights`).

    Raises
    ------
    WeightError
        For an unknown preset.
    RankingError, WeightError
        When the preset cannot be computed (no framework; constant data for CRITIC or PCA).
    """
    if name not in PRESETS:
        raise WeightError(f"unknown weight preset {name!r}; expected one of {list(PRESETS)}")
    return resolve_weights(name, ranking.matrix, framework=framework)


# ---------------------------------------------------------------------------------------------
# AHP judgements
# ---------------------------------------------------------------------------------------------

def judgement_value(option: int) -> float:
    """The pairwise ratio a_AB a select-slider position stands for (``-k`` → ``1/k``).

    Examples
    --------
    >>> judgement_value(5), judgement_value(1), judgement_value(-4)
    (5.0, 1.0, 0.25)
    """
    if option not in SAATY_OPTIONS:
        raise WeightError(f"a judgement is one of {list(SAATY_OPTIONS)} (negative: the second "
                          f"element is more important); got {option!r}")
    return float(option) if option >= 1 else 1.0 / -option


def pairwise_matrix(judgements: Mapping[tuple[str, str], int], codes: Sequence[str]
                    ) -> np.ndarray:
    """The reciprocal matrix of judgements ``{(a, b): option}`` (a before b in `codes`).

    Pairs without a judgement count as equal (1).

    Examples
    --------
    >>> pairwise_matrix({("a", "b"): 3, ("b", "c"): -2}, ["a", "b", "c"]).round(3).tolist()
    [[1.0, 3.0, 1.0], [0.333, 1.0, 0.5], [1.0, 2.0, 1.0]]
    """
    n = len(codes)
    A = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a = judgement_value(judgements.get((codes[i], codes[j]), 1))
            A[i, j], A[j, i] = a, 1.0 / a
    return A


def ahp_weights(judgements: Mapping[tuple[str, str], int], codes: Sequence[str]
                ) -> tuple[pd.Series, AHPResult, pd.DataFrame]:
    """AHP weights of the dimensions `codes`, the full result, and the judgements to revisit.

    The consistency warning of :func:`citykit.ahp.ahp` is returned (``result.cr``), not
    raised: the page shows it in its own words.

    Examples
    --------
    >>> w, res, todo = ahp_weights({("a", "b"): 3}, ["a", "b"])
    >>> w.round(12).to_dict(), res.cr
    ({'a': 0.75, 'b': 0.25}, 0.0)
    """
    A = pairwise_matrix(judgements, codes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        res = ahp(A, names=list(codes))
    w = pd.Series(res.weights, index=list(codes), name="weight")
    return w, res, revisit(A, res.weights, codes)


def revisit(pairwise: np.ndarray, weights: Sequence[float], names: Sequence[str]
            ) -> pd.DataFrame:
    """The judgements ranked by inconsistency, worst first (Saaty's revision procedure).

    For each pair i < j the error is ``e_ij = a_ij w_j / w_i``: 1 when the judgement agrees
    with the ratio ``w_i / w_j`` the weights imply, and ``deviation = max(e, 1/e)`` measures
    how far it is in either direction.

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b``, ``given`` (a_ij), ``implied`` (w_i / w_j), ``error``,
        ``deviation`` and ``suggested`` (the closest select-slider option to ``implied``),
        sorted by ``deviation``, largest first.

    Examples
    --------
    Saaty (1990), house sizes A, B, C. With three elements every judgement is off by the same
    factor (the cube root of ``6 · 4 / 8``); the weights would put A vs C at 11.5, beyond the
    scale, so 9 is the closest judgement:

    >>> import warnings
    >>> A = np.array([[1, 6, 8], [1/6, 1, 4], [1/8, 1/4, 1]])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     w = ahp(A).weights
    >>> todo = revisit(A, w, ["A", "B", "C"])
    >>> todo["deviation"].round(4).tolist()
    [1.4422, 1.4422, 1.4422]
    >>> row = todo.set_index(["a", "b"]).loc[("A", "C")]
    >>> round(float(row["implied"]), 1), int(row["suggested"])
    (11.5, 9)
    """
    A = np.asarray(pairwise, dtype=float)
    w = np.asarray(weights, dtype=float)
    i, j = np.triu_indices(len(w), k=1)
    error = A[i, j] * w[j] / w[i]
    implied = w[i] / w[j]
    out = pd.DataFrame({"a": [names[k] for k in i], "b": [names[k] for k in j],
                        "given": A[i, j], "implied": implied, "error": error,
                        "deviation": np.maximum(error, 1.0 / error),
                        "suggested": [suggest_judgement(r) for r in implied]})
    return out.sort_values("deviation", ascending=False, kind="stable").reset_index(drop=True)


def suggest_judgement(ratio: float) -> int:
    """The select-slider option closest to `ratio` on a log scale (within Saaty's 1/9 … 9).

    Examples
    --------
    >>> suggest_judgement(4.2), suggest_judgement(1.1), suggest_judgement(0.3)
    (4, 1, -3)
    """
    logs = np.log([judgement_value(o) for o in SAATY_OPTIONS])
    return int(SAATY_OPTIONS[int(np.argmin(np.abs(logs - np.log(ratio))))])


def saaty_label(option: int, a: str, b: str, lang: str = "en") -> str:
    """The select slider's text for a judgement of `a` against `b`.

    Examples
    --------
    >>> saaty_label(5, "Economy", "Health"), saaty_label(-3, "Economy", "Health")
    ('Economy ×5: strongly more important', 'Health ×3: moderately more important')
    >>> saaty_label(1, "Economy", "Health", "fa")
    'برابر: اهمیت برابر'
    """
    k = abs(option)
    if k == 1:
        return f"{tr('wt_equal', lang)}: {tr('wt_saaty_1', lang)}"
    name = a if option > 0 else b
    return (tr("wt_more", lang, name=name, k=format_number(k, lang)) + ": "
            + tr(f"wt_saaty_{k}", lang))


# ---------------------------------------------------------------------------------------------
# View models
# ---------------------------------------------------------------------------------------------

def dimension_names(codes: Iterable[str], framework, lang: str = "en") -> dict[str, str]:
    """Display names of dimension codes (the framework's names; the code itself otherwise)."""
    by_code = framework.by_code if framework is not None else {}
    return {c: (getattr(by_code[c], f"name_{lang}") or c) if c in by_code else str(c)
            for c in codes}


def _percent_column(values: pd.Series, lang: str, decimals: int = 1) -> pd.Series:
    """Percentages as numbers in English, as Persian-digit strings in Persian."""
    if lang == "fa":
        return values.map(lambda v: format_number(100 * v, lang, decimals=decimals))
    return (100 * values).round(decimals)


def weights_table(weights: pd.Series, criteria: pd.DataFrame, framework=None,
                  lang: str = "en") -> pd.DataFrame:
    """The effective criterion weights: indicator name, weight in percent, dimension name.

    Rows are grouped by dimension (in the criteria's order), heaviest first within each.
    """
    dims = criteria["dimension"].reindex(weights.index)
    names = dimension_names(dict.fromkeys(dims), framework, lang)
    order = {d: k for k, d in enumerate(dict.fromkeys(dims))}
    frame = pd.DataFrame({"dim_order": dims.map(order), "weight": weights.astype(float)})
    frame = frame.sort_values(["dim_order", "weight"], ascending=[True, False], kind="stable")
    label = criteria[f"name_{lang}"].reindex(frame.index).fillna(pd.Series(
        frame.index, index=frame.index))
    return pd.DataFrame({
        tr("wt_col_indicator", lang): label.to_numpy(),
        tr("wt_col_weight", lang): _percent_column(frame["weight"], lang).to_numpy(),
        tr("wt_col_dimension", lang): dims.reindex(frame.index).map(names).to_numpy(),
    })


def preview_table(ranking: Ranking, lang: str = "en", n: int = 10) -> pd.DataFrame:
    """The top `n` of a ranking: rank, city name, score (Persian digits in Persian)."""
    # straight from ranks and scores: Ranking.table also computes data flags, unused here
    top = pd.DataFrame({"rank": ranking.ranks, "name": ranking.matrix.names(lang),
                        "score": ranking.scores})
    top = top.sort_values(["rank", "name"], kind="stable").head(n)
    rank, score = top["rank"], top["score"]
    if lang == "fa":
        rank = rank.map(lambda v: format_number(v, lang))
        score = score.map(lambda v: format_number(v, lang, decimals=3))
    else:
        score = score.round(4)
    return pd.DataFrame({tr("wt_col_rank", lang): rank.to_numpy(),
                         tr("wt_col_city", lang): top["name"].to_numpy(),
                         tr("wt_col_score", lang): score.to_numpy()})


def subindex_caption(weights: pd.Series, criteria: pd.DataFrame, framework,
                     lang: str = "en") -> str | None:
    """'Sub-indices: readiness 60% · need 40%' for a national framework, else None."""
    sub = criteria["subindex"].reindex(weights.index)
    if framework is None or sub.isna().all():
        return None
    totals = weights.groupby(sub, sort=False).sum()
    labels = {k: v.get(f"name_{lang}", k) for k, v in (framework.subindices or {}).items()}
    parts = " · ".join(f"{md(labels.get(k, k))} {format_percent(v, lang, decimals=1)}"
                       for k, v in totals.items())
    return tr("wt_subindices", lang, parts=parts)


def normalisation_options() -> list[str]:
    """The normalisation choices: the method's default first, then every normaliser."""
    return [DEFAULT_NORMALISATION, *NORMALISERS]


def missing_options() -> list[str]:
    """The missing-data policies (:data:`citykit.impute.POLICIES`)."""
    return list(POLICIES)


# ---------------------------------------------------------------------------------------------
# Session glue: the page's callbacks (they read and write st.session_state)
# ---------------------------------------------------------------------------------------------

def _set_error(message: str | None) -> None:
    if message is None:
        st.session_state.pop(ERROR_KEY, None)
    else:
        st.session_state[ERROR_KEY] = message


def _set_note(message: str | None) -> None:
    if message is None:
        st.session_state.pop(NOTE_KEY, None)
    else:
        st.session_state[NOTE_KEY] = message


def _try(**changes) -> bool:
    """Apply `changes` to the scenario if it still ranks; else keep it and record the error."""
    lang = session.lang()
    new = session.scenario().with_(**changes)
    try:
        session.result(new)
    except CityKitError as err:
        _set_error(tr("wt_change_failed", lang, error=err))
        return False
    _set_error(None)
    if "weights" not in changes:
        _set_note(None)  # the last slider note is about weights, not this change
    session.update(**changes)
    return True


def _forget_sliders(*, locks: bool = True) -> None:
    """Drop the weight sliders' state (they reseed from the scenario) and, with it, the locks."""
    prefixes = ("w.dim.", "w.ind.") + (("w.lock.",) if locks else ())
    for key in [k for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[key]
    if locks:
        st.session_state[LOCKS_KEY] = set()


def locks() -> set:
    """The locked sliders, as ``(kind, code)`` pairs (kept outside the widgets)."""
    return st.session_state.setdefault(LOCKS_KEY, set())


def lock_key(kind: str, code: str) -> str:
    """Widget key of the lock of dimension (``kind="dim"``) or indicator (``"ind"``) `code`."""
    return f"w.lock.{kind}.{code}"


def slider_key(kind: str, code: str) -> str:
    """Widget key of the slider of dimension (``kind="dim"``) or indicator (``"ind"``) `code`."""
    return f"w.{kind}.{code}"


def _levels() -> tuple[Ranking, pd.Series, pd.Series, pd.Series]:
    ranking = session.result().ranking
    dim_of = ranking.matrix.criteria["dimension"]
    dims, shares = split_weights(ranking.weights, dim_of)
    return ranking, dim_of, dims, shares


def _names(codes, kind: str) -> dict[str, str]:
    lang = session.lang()
    if kind == "dim":
        return dimension_names(codes, session.framework(), lang)
    criteria = session.result().ranking.matrix.criteria
    return {c: criteria.at[c, f"name_{lang}"] for c in codes}


def _note_text(note: dict | None, name: str, value: float) -> str:
    lang, name = session.lang(), md(name)  # the note is shown with st.info
    if note is None:
        return tr("wt_moved", lang, name=name, value=format_percent(value, lang, decimals=1))
    key = "wt_clamped_locked" if note["reason"] == "all_locked" else "wt_clamped"
    return tr(key, lang, name=name, value=format_percent(note["value"], lang, decimals=1),
              locked=format_percent(note["locked"], lang, decimals=1))


def _move(kind: str, level: pd.Series, code: str) -> pd.Series | None:
    """Rebalance `level` after slider `code` moved; None (and an error) if that is impossible."""
    value = float(st.session_state[slider_key(kind, code)]) / 100.0
    locked = {c for c in level.index if (kind, c) in locks() and c != code}
    try:
        new, note = rebalance(level, code, value, locked)
    except WeightError as err:
        _set_error(tr("wt_change_failed", session.lang(), error=err))
        return None
    _set_note(_note_text(note, _names([code], kind)[code], value))
    return new


def on_dimension(code: str) -> None:
    """A dimension slider moved: rebalance the dimensions, keep the shares within them."""
    _, dim_of, dims, shares = _levels()
    new = _move("dim", dims, code)
    if new is not None:
        _try(weights=combine(new, shares, dim_of).to_dict())


def on_indicator(criterion: str) -> None:
    """An indicator slider moved: rebalance within its dimension, keep the dimension weights."""
    _, dim_of, dims, shares = _levels()
    members = dim_of.index[dim_of == dim_of[criterion]]
    new = _move("ind", shares[members], criterion)
    if new is not None:
        shares = shares.copy()
        shares[new.index] = new
        _try(weights=combine(dims, shares, dim_of).to_dict())


def on_lock(kind: str, code: str) -> None:
    """Remember a lock outside the widget (a page change forgets the widget's own state)."""
    held = locks()
    if st.session_state.get(lock_key(kind, code)):
        held.add((kind, code))
    else:
        held.discard((kind, code))


def apply_preset(name: str) -> None:
    """Fill every slider from a preset (the scenario keeps the preset's name); release locks."""
    lang = session.lang()
    if _try(weights=name):
        _forget_sliders()
        _set_note(tr("wt_preset_applied", lang, preset=tr(f"wt_preset_{name}", lang)))


def apply_ahp(codes: Sequence[str]) -> None:
    """Set the dimension weights to the AHP weights of the current judgements; release locks."""
    lang = session.lang()
    _, dim_of, dims, shares = _levels()
    weights, res, _ = ahp_weights(judgements(codes), codes)
    if _try(weights=combine(weights.reindex(dims.index), shares, dim_of).to_dict()):
        _forget_sliders()
        _set_note(tr("wt_ahp_applied", lang, cr=format_number(res.cr, lang, decimals=3)))


def judgement_key(a: str, b: str) -> str:
    """Widget key of the AHP judgement of dimension `a` against `b`."""
    return f"wt_ahp.{a}|{b}"


def judgements(codes: Sequence[str]) -> dict[tuple[str, str], int]:
    """The stored AHP judgements of the current framework's dimensions (1 where unset)."""
    store = st.session_state.setdefault(AHP_KEY, {})
    fw = session.scenario().framework
    return {(a, b): store.get((fw, a, b), 1)
            for i, a in enumerate(codes) for b in codes[i + 1:]}


def on_judgement(a: str, b: str) -> None:
    """Keep a judgement outside its widget, so it survives a visit to another page."""
    store = st.session_state.setdefault(AHP_KEY, {})
    store[(session.scenario().framework, a, b)] = st.session_state[judgement_key(a, b)]


def on_framework() -> None:
    """Switch framework with its own weights; on failure keep the previous one and say why."""
    lang = session.lang()
    s = session.scenario()
    source = st.session_state["w.framework"]
    changes = {"framework": source, "weights": "framework" if source is not None else "equal"}
    try:
        session.result(s.with_(**changes))
    except CityKitError as err:
        name = framework_label(source, lang)
        _set_error(tr("wt_framework_failed", lang, framework=name, dataset=s.dataset,
                      error=err))
        return
    _set_error(None)
    _set_note(None)
    session.update(**changes)
    _forget_sliders()


def framework_label(source: str | None, lang: str = "en") -> str:
    """A framework's display name: its name in `lang` when it loads, else its id or path."""
    if source is None:
        return tr("wt_no_framework", lang)
    try:
        fw = session.framework(source)
    except CityKitError:
        return str(source)
    return f"{getattr(fw, f'name_{lang}')} ({fw.id})"


def on_method() -> None:
    """Switch method; the previous method's options do not apply to the new one."""
    _try(method=st.session_state["w.method"], method_params={})


def on_normalisation() -> None:
    """Switch normalisation (``"default"`` is the method's own)."""
    value = st.session_state["w.normalisation"]
    _try(normalisation=None if value == DEFAULT_NORMALISATION else value,
         normalisation_params={})


def on_method_params() -> None:
    """VIKOR's v or PROMETHEE's preference function and thresholds changed."""
    state = st.session_state
    method = session.scenario().method
    if method == "vikor":
        _try(method_params={"v": float(state["w.vikor_v"])})
    elif method == "promethee2":
        preference = state["w.promethee_pref"]
        params = {"preference": preference}
        for name in PREFERENCE_FUNCTIONS[preference]:
            params[name] = float(state.get(f"w.promethee_{name}", PROMETHEE_DEFAULTS[name]))
        _try(method_params=params)


def on_missing() -> None:
    """Change the missing-data policy; custom weights that no longer fit give way to a preset."""
    lang = session.lang()
    s = session.scenario()
    policy = st.session_state["w.missing"]
    if _try(missing=policy):
        return
    if isinstance(s.weights, Mapping):  # the policy dropped or restored indicators
        preset = "framework" if s.framework is not None else "equal"
        if _try(missing=policy, weights=preset):
            _forget_sliders()
            _set_note(tr("wt_missing_reset", lang, preset=tr(f"wt_preset_{preset}", lang)))


def sync_widgets(dims: pd.Series, shares: pd.Series) -> None:
    """Make every bound widget show the scenario (after a failed change, a preset, a new city set).

    Writing a widget's state before the widget is drawn is allowed; the scenario stays the
    only truth, so a refused change puts the sliders back where the scenario is.
    """
    state = st.session_state
    s = session.scenario()
    wanted = {"w.framework": s.framework, "w.method": s.method,
              "w.normalisation": s.normalisation or DEFAULT_NORMALISATION}
    if isinstance(s.missing, str):
        wanted["w.missing"] = s.missing
    if s.method == "vikor":
        wanted["w.vikor_v"] = float(s.method_params.get("v", 0.5))
    if s.method == "promethee2":
        wanted["w.promethee_pref"] = s.method_params.get("preference", "usual")
        for name, default in PROMETHEE_DEFAULTS.items():
            if name in s.method_params:
                wanted[f"w.promethee_{name}"] = float(s.method_params[name])
            elif f"w.promethee_{name}" not in state:
                wanted[f"w.promethee_{name}"] = default
    for key, value in wanted.items():
        if key not in state or state[key] != value:
            state[key] = value
    sliders = {slider_key("dim", c): v for c, v in dims.items()}
    sliders |= {slider_key("ind", c): v for c, v in shares.items()}
    for key, share in sliders.items():
        value = min(max(100.0 * float(share), 0.0), 100.0)
        if key not in state or abs(float(state[key]) - value) > 1e-7:
            state[key] = value
    held = locks()
    for kind, codes in (("dim", dims.index), ("ind", shares.index)):
        for code in codes:
            session.bind(lock_key(kind, code), (kind, code) in held)
