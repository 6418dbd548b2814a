"""Weighting workshop: view models of the workshop page (facilitator and participants).

The work is done by :mod:`citykit.workshop` (the SQLite store, the group's geometric mean of
judgements); this module turns its results into what the page shows, in English or Persian:
the participants' table, the group weights and the spread of opinion, and the ranking and
shortlist under the group weights. A workshop weighs the framework's **dimensions**; the group's
dimension weights become criterion weights by the framework's own shares within each dimension
(:func:`criterion_weights`), so a workshop never changes how a dimension's indicators are
balanced against each other.

One :class:`~citykit.workshop.WorkshopStore` serves the whole server process (:func:`store`,
on :func:`citykit.workshop.default_data_folder`, i.e. ``$CITYKIT_DATA``); each browser session
is one participant, its secret token kept in ``st.session_state["ws_token.<CODE>"]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..ahp import CR_THRESHOLD
from ..exceptions import CityKitError
from ..i18n import format_number, format_percent, register, tr
from ..maps import FONT_FAMILY, axis_ticks
from ..ranking import framework_weights
from ..scenario import Scenario
from ..shortlist import Constraints, shortlist
from ..text import to_persian_digits
from ..workshop import (
    MAX_PARTICIPANTS_LIMIT,
    GroupResult,
    Workshop,
    WorkshopError,
    WorkshopStore,
    default_data_folder,
)
from . import session
from .safe import escape_hover
from .weights import ahp_weights, combine, pairwise_matrix, saaty_label, split_weights

__all__ = [
    "DEFAULT_SHORTLIST_K", "KEY_STATE", "MAX_PARTICIPANTS_LIMIT", "RECORD_STATE", "REFRESH_SECONDS", "base_scenario",
    "criterion_weights", "dimension_labels", "dimensions", "even_percents", "facilitator_link",
    "events_table", "format_time", "given_option", "group_figure", "group_scenario", "live_consistency", "participant_link",
    "PAGE_SIZE", "page_count", "participants_table", "pseudonym", "removed_table", "revisit_table", "scenarios_table", "shares_from", "shortlist_k",
    "shortlist_table", "spread_figure", "status_summary", "spread_table", "store", "token_key", "workshop_url",
]

#: Session-state keys: the facilitator's key (this session only) and the record of the workshop
#: whose weights were applied (read by the shortlist page for the dossier's methodology).
KEY_STATE, RECORD_STATE = "ws_key", "ws_record"
#: Seconds between two refreshes of the facilitator's live view.
REFRESH_SECONDS = 5
#: Pilots in the shortlist when the scenario has no shortlist constraints.
DEFAULT_SHORTLIST_K = 5
#: Participants per page of the facilitator's table (beyond it: a summary and pages).
PAGE_SIZE = 200
#: Points (percent) every participant spreads over the criteria.
BUDGET = 100

register({
    "en": {
        "ws_title": "Weighting workshop",
        "ws_intro": "Weigh the framework's dimensions together: a facilitator opens a workshop "
                    "and shares its link; everyone weighs from their own browser; the group's "
                    "weights are the geometric mean of everyone's judgements.",
        "ws_open_header": "Open a workshop (facilitator)",
        "ws_open_title": "Workshop title",
        "ws_open_weighed": "What is weighed: the {n} dimensions of {framework}",
        "ws_open_button": "Open the workshop",
        "ws_no_framework": "A workshop weighs a framework's dimensions: choose a framework on "
                           "the Weights & method page first.",
        "ws_opened": "Workshop {code} is open.",
        "ws_code": "Workshop code: **{code}**",
        "ws_participant_link": "Participants' link (share it, or the code)",
        "ws_facilitator_link": "Your facilitator link (keep it private)",
        "ws_key_warning": "The facilitator key is in this link and nowhere else: it is the only "
                          "way back into the live view (it is never stored in clear). Copy it "
                          "now.",
        "ws_join_header": "Join a workshop",
        "ws_join_code": "Workshop code",
        "ws_join_go": "Go to the workshop",
        "ws_join_name": "Your name (leave empty to take part anonymously)",
        "ws_join_button": "Join",
        "ws_joined_as": "You take part as **{pseudonym}**{name}.",
        "ws_workshop": "Workshop {code}: {title}",
        "ws_closed": "This workshop was closed at {time}; it takes no more submissions.",
        "ws_mode": "How do you want to weigh?",
        "ws_mode_weights": "Sliders (percent)",
        "ws_mode_budget": "Budget: spread 100 points",
        "ws_mode_pairwise": "Pairwise judgements (AHP)",
        "ws_sum": "Sum: {total}",
        "ws_sum_error": "Your {what} add up to {total}; they must add up to exactly 100 "
                        "(nothing is rescaled for you). Adjust them by {gap}.",
        "ws_what_weights": "weights",
        "ws_what_points": "points",
        "ws_points_left": "Points left: {left}",
        "ws_pairwise_help": "For each pair, say which dimension matters more, and how much "
                            "(Saaty's scale 1–9).",
        "ws_your_weights": "Your weights from these judgements",
        "ws_cr": "Your consistency ratio: {cr}",
        "ws_cr_ok": "Consistent enough (CR ≤ {limit}).",
        "ws_cr_bad": "Inconsistent (CR > {limit}): revisit the judgements below before you "
                     "submit (you may submit anyway; the facilitator sees the flag).",
        "ws_revisit": "Judgements to revisit (furthest from your own weights)",
        "ws_submit": "Submit",
        "ws_submitted": "Submitted at {time}. You may change your judgements and submit again: "
                        "your latest submission counts.",
        "ws_live": "Live view",
        "ws_refresh": "Refresh",
        "ws_auto": "Refresh automatically every {n} s",
        "ws_no_submission": "No submission yet. The group weights appear with the first one.",
        "ws_group_weights": "Group weights (combined CR {cr})",
        "ws_spread": "Spread of opinion",
        "ws_ranking": "Top 10 under the group weights",
        "ws_shortlist": "Shortlist ({k} pilots) under the group weights",
        "ws_cannot_rank": "The group weights cannot rank the workshop's scenario: {error}",
        "ws_close_confirm": "Yes, close it: no more submissions",
        "ws_close_button": "Close the workshop",
        "ws_closed_now": "Workshop {code} is closed.",
        "ws_save_name": "Scenario name",
        "ws_save_button": "Save the result as a named scenario",
        "ws_saved": "Saved as scenario “{name}”.",
        "ws_use_button": "Use these weights in my session",
        "ws_used": "Your session now ranks with the group weights of workshop {code}; its record "
                   "goes into the dossier's methodology.",
        "ws_scenarios": "Saved scenarios",
        "ws_no_scenarios": "No named scenario is saved yet.",
        "ws_load_choice": "Scenario",
        "ws_load_button": "Load",
        "ws_loaded": "Scenario “{name}” loaded.",
        "ws_col_participant": "Participant",
        "ws_col_name": "Name",
        "ws_col_kind": "Entry",
        "ws_col_joined": "Joined",
        "ws_col_submitted": "Submitted at",
        "ws_col_submissions": "Submissions",
        "ws_col_cr": "CR",
        "ws_col_status": "Status",
        "ws_col_dimension": "Dimension",
        "ws_col_min": "Min %",
        "ws_col_q1": "Q1 %",
        "ws_col_median": "Median %",
        "ws_col_q3": "Q3 %",
        "ws_col_max": "Max %",
        "ws_col_cv": "CV",
        "ws_col_group": "Group %",
        "ws_col_judgement": "Your judgement",
        "ws_col_implied": "Your weights imply",
        "ws_col_off": "Off by (×)",
        "ws_col_scenario": "Scenario",
        "ws_col_workshop": "Workshop",
        "ws_col_created": "Saved at",
        "ws_col_rank": "Rank",
        "ws_col_city": "City",
        "ws_col_province": "Province",
        "ws_col_score": "Score",
        "ws_kind_weights": "sliders",
        "ws_kind_budget": "budget",
        "ws_kind_pairwise": "pairwise",
        "ws_status_waiting": "not submitted yet",
        "ws_status_ok": "submitted",
        "ws_status_inconsistent": "submitted, inconsistent (CR > {limit})",
        "ws_pseudonym": "Participant {n}",
        "ws_anonymous": "anonymous",
        "ws_weight_axis": "Weight (%)",
        "ws_group_marker": "group",
        "ws_leave": "Open or join another workshop",
        "ws_col_count": "Participants",
        "ws_col_share": "Share",
        "ws_col_removed": "Removed",
        "ws_col_at": "When (UTC)",
        "ws_col_event": "What",
        "ws_col_detail": "Detail",
        "ws_event_removed": "{who} removed",
        "ws_event_limit": "Participant limit changed",
        "ws_counts_limit": "{joined} joined of at most {limit}, {submitted} submitted",
        "ws_page": "Page (of {pages}, {size} participants each)",
        "ws_manage": "Manage participants",
        "ws_remove_number": "Participant number to remove (Participant 3 is 3)",
        "ws_remove_reason": "Reason (kept in the workshop's history)",
        "ws_remove_confirm": "Yes, remove this participant: their submissions stop counting",
        "ws_remove_button": "Remove participant",
        "ws_removed_now": "{who} was removed; their submissions no longer count.",
        "ws_limit": "Participant limit (at most {most})",
        "ws_limit_button": "Set the limit",
        "ws_limit_now": "The workshop now takes at most {limit} participants.",
        "ws_removed_header": "Removed participants",
        "ws_history_header": "Facilitator's actions",
        "ws_notes": "Left out of the group weights: {notes}",
        "ws_wrong_key": "This link's facilitator key does not open workshop {code}: {error}",
    },
    "fa": {
        "ws_title": "کارگاه وزن‌دهی",
        "ws_intro": "ابعاد چارچوب را با هم وزن دهید: تسهیل‌گر کارگاهی باز می‌کند و پیوند آن را "
                    "هم‌رسانی می‌کند؛ هر کس از مرورگر خود وزن می‌دهد؛ وزن‌های گروه میانگین هندسی "
                    "داوری‌های همه است.",
        "ws_open_header": "باز کردن کارگاه (تسهیل‌گر)",
        "ws_open_title": "عنوان کارگاه",
        "ws_open_weighed": "آنچه وزن داده می‌شود: {n} بعد چارچوب {framework}",
        "ws_open_button": "باز کردن کارگاه",
        "ws_no_framework": "کارگاه ابعاد یک چارچوب را وزن می‌دهد: نخست در صفحهٔ «وزن‌ها و روش» "
                           "چارچوبی انتخاب کنید.",
        "ws_opened": "کارگاه {code} باز شد.",
        "ws_code": "کد کارگاه: **{code}**",
        "ws_participant_link": "پیوند شرکت‌کنندگان (آن را یا کد را هم‌رسانی کنید)",
        "ws_facilitator_link": "پیوند تسهیل‌گر شما (آن را نزد خود نگه دارید)",
        "ws_key_warning": "کلید تسهیل‌گر فقط در همین پیوند است: تنها راه بازگشت به نمای زنده "
                          "همین است (هرگز به‌صورت خوانا ذخیره نمی‌شود). همین حالا رونوشتش را "
                          "بردارید.",
        "ws_join_header": "پیوستن به کارگاه",
        "ws_join_code": "کد کارگاه",
        "ws_join_go": "رفتن به کارگاه",
        "ws_join_name": "نام شما (برای شرکت بی‌نام خالی بگذارید)",
        "ws_join_button": "پیوستن",
        "ws_joined_as": "شما با عنوان **{pseudonym}**{name} شرکت می‌کنید.",
        "ws_workshop": "کارگاه {code}: {title}",
        "ws_closed": "این کارگاه در {time} بسته شد؛ دیگر ارسالی نمی‌پذیرد.",
        "ws_mode": "چگونه می‌خواهید وزن دهید؟",
        "ws_mode_weights": "لغزنده‌ها (درصد)",
        "ws_mode_budget": "بودجه: ۱۰۰ امتیاز را پخش کنید",
        "ws_mode_pairwise": "مقایسهٔ زوجی (AHP)",
        "ws_sum": "جمع: {total}",
        "ws_sum_error": "جمع {what} شما {total} است؛ باید دقیقاً ۱۰۰ باشد (هیچ مقیاس‌بندی "
                        "خودکاری انجام نمی‌شود). آن‌ها را {gap} جابه‌جا کنید.",
        "ws_what_weights": "وزن‌های",
        "ws_what_points": "امتیازهای",
        "ws_points_left": "امتیاز باقی‌مانده: {left}",
        "ws_pairwise_help": "برای هر زوج بگویید کدام بعد مهم‌تر است و چقدر (مقیاس ساعتی ۱ تا ۹).",
        "ws_your_weights": "وزن‌های شما از این داوری‌ها",
        "ws_cr": "نسبت سازگاری شما: {cr}",
        "ws_cr_ok": "به اندازهٔ کافی سازگار (CR ≤ {limit}).",
        "ws_cr_bad": "ناسازگار (CR > {limit}): پیش از ارسال، داوری‌های زیر را بازبینی کنید (ارسال "
                     "همچنان ممکن است؛ تسهیل‌گر این نشانه را می‌بیند).",
        "ws_revisit": "داوری‌هایی که باید بازبینی شوند (دورترین از وزن‌های خود شما)",
        "ws_submit": "ارسال",
        "ws_submitted": "در {time} ارسال شد. می‌توانید داوری‌ها را تغییر دهید و دوباره بفرستید: "
                        "آخرین ارسال شما حساب می‌شود.",
        "ws_live": "نمای زنده",
        "ws_refresh": "تازه‌سازی",
        "ws_auto": "تازه‌سازی خودکار هر {n} ثانیه",
        "ws_no_submission": "هنوز ارسالی نیست. وزن‌های گروه با نخستین ارسال پیدا می‌شوند.",
        "ws_group_weights": "وزن‌های گروه (CR ترکیبی {cr})",
        "ws_spread": "پراکندگی دیدگاه‌ها",
        "ws_ranking": "۱۰ شهر نخست با وزن‌های گروه",
        "ws_shortlist": "فهرست کوتاه ({k} شهر آزمایشی) با وزن‌های گروه",
        "ws_cannot_rank": "با وزن‌های گروه نمی‌توان سناریوی کارگاه را رتبه‌بندی کرد: {error}",
        "ws_close_confirm": "بله، ببند: دیگر ارسالی پذیرفته نشود",
        "ws_close_button": "بستن کارگاه",
        "ws_closed_now": "کارگاه {code} بسته شد.",
        "ws_save_name": "نام سناریو",
        "ws_save_button": "ذخیرهٔ نتیجه به‌عنوان سناریوی نام‌دار",
        "ws_saved": "با نام سناریوی «{name}» ذخیره شد.",
        "ws_use_button": "این وزن‌ها را در نشست من به کار ببر",
        "ws_used": "نشست شما اکنون با وزن‌های گروهی کارگاه {code} رتبه‌بندی می‌کند؛ سابقهٔ آن در "
                   "روش‌شناسی پرونده می‌آید.",
        "ws_scenarios": "سناریوهای ذخیره‌شده",
        "ws_no_scenarios": "هنوز سناریوی نام‌داری ذخیره نشده است.",
        "ws_load_choice": "سناریو",
        "ws_load_button": "بارگذاری",
        "ws_loaded": "سناریوی «{name}» بارگذاری شد.",
        "ws_col_participant": "شرکت‌کننده",
        "ws_col_name": "نام",
        "ws_col_kind": "شیوهٔ ورود",
        "ws_col_joined": "زمان پیوستن",
        "ws_col_submitted": "زمان ارسال",
        "ws_col_submissions": "شمار ارسال‌ها",
        "ws_col_cr": "CR",
        "ws_col_status": "وضعیت",
        "ws_col_dimension": "بعد",
        "ws_col_min": "کمینه ٪",
        "ws_col_q1": "چارک اول ٪",
        "ws_col_median": "میانه ٪",
        "ws_col_q3": "چارک سوم ٪",
        "ws_col_max": "بیشینه ٪",
        "ws_col_cv": "ضریب تغییرات",
        "ws_col_group": "گروه ٪",
        "ws_col_judgement": "داوری شما",
        "ws_col_implied": "آنچه وزن‌های شما می‌گویند",
        "ws_col_off": "فاصله (برابر)",
        "ws_col_scenario": "سناریو",
        "ws_col_workshop": "کارگاه",
        "ws_col_created": "زمان ذخیره",
        "ws_col_rank": "رتبه",
        "ws_col_city": "شهر",
        "ws_col_province": "استان",
        "ws_col_score": "امتیاز",
        "ws_kind_weights": "لغزنده",
        "ws_kind_budget": "بودجه",
        "ws_kind_pairwise": "زوجی",
        "ws_status_waiting": "هنوز نفرستاده",
        "ws_status_ok": "فرستاده",
        "ws_status_inconsistent": "فرستاده، ناسازگار (CR > {limit})",
        "ws_pseudonym": "شرکت‌کنندهٔ {n}",
        "ws_anonymous": "بی‌نام",
        "ws_weight_axis": "وزن (٪)",
        "ws_group_marker": "گروه",
        "ws_leave": "باز کردن یا پیوستن به کارگاهی دیگر",
        "ws_col_count": "شرکت‌کنندگان",
        "ws_col_share": "سهم",
        "ws_col_removed": "زمان حذف",
        "ws_col_at": "زمان (UTC)",
        "ws_col_event": "رویداد",
        "ws_col_detail": "توضیح",
        "ws_event_removed": "{who} حذف شد",
        "ws_event_limit": "سقف شرکت‌کنندگان تغییر کرد",
        "ws_counts_limit": "{joined} نفر از حداکثر {limit} نفر پیوسته‌اند، {submitted} نفر فرستاده‌اند",
        "ws_page": "صفحه (از {pages}، هر صفحه {size} شرکت‌کننده)",
        "ws_manage": "مدیریت شرکت‌کنندگان",
        "ws_remove_number": "شمارهٔ شرکت‌کننده‌ای که حذف می‌شود (شرکت‌کنندهٔ ۳ یعنی ۳)",
        "ws_remove_reason": "دلیل (در تاریخچهٔ کارگاه می‌ماند)",
        "ws_remove_confirm": "بله، این شرکت‌کننده حذف شود: ارسالی‌هایش دیگر شمرده نمی‌شود",
        "ws_remove_button": "حذف شرکت‌کننده",
        "ws_removed_now": "{who} حذف شد؛ ارسالی‌هایش دیگر شمرده نمی‌شود.",
        "ws_limit": "سقف شرکت‌کنندگان (حداکثر {most})",
        "ws_limit_button": "تنظیم سقف",
        "ws_limit_now": "کارگاه اکنون حداکثر {limit} شرکت‌کننده می‌پذیرد.",
        "ws_removed_header": "شرکت‌کنندگان حذف‌شده",
        "ws_history_header": "کارهای تسهیل‌گر",
        "ws_notes": "کنار گذاشته‌شده از وزن‌های گروه: {notes}",
        "ws_wrong_key": "کلید تسهیل‌گر این پیوند کارگاه {code} را باز نمی‌کند: {error}",
    },
})


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=4)
def _store(folder: str) -> WorkshopStore:
    return WorkshopStore(folder)


def store() -> WorkshopStore:
    """The server's workshop store, on ``$CITYKIT_DATA`` (one per process and data folder)."""
    return _store(str(default_data_folder()))


def token_key(code: str) -> str:
    """Session-state key of this browser session's participant token in workshop `code`.

    Examples
    --------
    >>> token_key("ABC234")
    'ws_token.ABC234'
    """
    return f"ws_token.{code}"


# ---------------------------------------------------------------------------------------------
# What is weighed, and how the group's weights reach the ranking
# ---------------------------------------------------------------------------------------------

def dimensions(criteria: pd.DataFrame) -> list[str]:
    """The dimensions that have criteria, in the criteria's order.

    Examples
    --------
    >>> dimensions(pd.DataFrame({"dimension": ["b", "a", "b", None]}))
    ['b', 'a']
    """
    return [str(d) for d in dict.fromkeys(criteria["dimension"].dropna())]


def dimension_labels(codes: Sequence[str], framework) -> dict[str, dict[str, str]]:
    """``{code: {"en": name, "fa": name}}`` from the framework (the code when it has no name)."""
    by_code = framework.by_code if framework is not None else {}
    out = {}
    for code in codes:
        node = by_code.get(code)
        out[code] = {lang: (getattr(node, f"name_{lang}", None) if node is not None else None)
                     or code for lang in ("en", "fa")}
    return out


def criterion_weights(group_weights: pd.Series, framework, matrix) -> pd.Series:
    """Criterion weights from group dimension weights and the framework's shares.

    Each criterion gets its dimension's group weight times its share of the dimension under the
    framework's own hierarchical weights (:func:`citykit.ranking.framework_weights`).

    Raises
    ------
    WeightError
        If the group weights do not cover every dimension of `matrix`, or do not sum to 1
        (nothing is rescaled).

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> from citykit.frameworks import load_framework
    >>> from citykit.matrix import CityMatrix
    >>> fw = load_framework("iran_national")
    >>> m = CityMatrix.from_dataset(load_dataset("iran"), fw)
    >>> dims = dimensions(m.criteria)
    >>> w = criterion_weights(pd.Series(1 / len(dims), index=dims), fw, m)
    >>> len(dims), round(float(w.sum()), 12), round(float(w.groupby(m.criteria["dimension"]).sum().max()), 6)
    (8, 1.0, 0.125)
    """
    dim_of = matrix.criteria["dimension"]
    _, shares = split_weights(framework_weights(framework, matrix), dim_of)
    return combine(group_weights.astype(float), shares, dim_of)


def base_scenario(workshop: Workshop, fallback: Scenario) -> Scenario:
    """The scenario the workshop was opened on (recorded at creation), else `fallback`."""
    if workshop.scenario:
        try:
            return Scenario.from_json(workshop.scenario)
        except CityKitError:
            return fallback
    return fallback


def group_scenario(group: GroupResult, fallback: Scenario, lang: str = "en") -> Scenario:
    """The workshop's scenario with the group's weights as criterion weights.

    Raises
    ------
    WorkshopError
        Before the first submission, or when the scenario has no framework.
    CityKitError
        When the scenario does not rank (its error, unchanged).
    """
    if group.weights.empty:
        raise WorkshopError(tr("ws_no_submission", lang))
    base = base_scenario(group.workshop, fallback)
    result = session.result(base)
    if result.framework is None:
        raise WorkshopError(tr("ws_no_framework", lang))
    weights = criterion_weights(group.weights, result.framework, result.ranking.matrix)
    return base.with_(weights=weights.to_dict())


def shortlist_k(scenario: Scenario) -> int:
    """Pilots in the shortlist: the scenario's ``shortlist["k"]``, else 5.

    Examples
    --------
    >>> shortlist_k(Scenario()), shortlist_k(Scenario(shortlist={"k": 3}))
    (5, 3)
    """
    return int((scenario.shortlist or {}).get("k", DEFAULT_SHORTLIST_K))


# ---------------------------------------------------------------------------------------------
# A participant's entry
# ---------------------------------------------------------------------------------------------

def even_percents(n: int) -> list[int]:
    """Whole percentages as equal as possible that add up to exactly 100.

    Examples
    --------
    >>> even_percents(7), sum(even_percents(7))
    ([15, 15, 14, 14, 14, 14, 14], 100)
    """
    base, extra = divmod(BUDGET, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def shares_from(values: Mapping[str, float], lang: str = "en", *, what: str = "weights"
                ) -> dict[str, float]:
    """Shares (summing to 1) from percentages or points that must add up to exactly 100.

    Raises
    ------
    WorkshopError
        If they do not add up to 100: the message says by how much (nothing is rescaled).

    Examples
    --------
    >>> shares_from({"a": 60, "b": 40})
    {'a': 0.6, 'b': 0.4}
    >>> shares_from({"a": 60, "b": 30})
    Traceback (most recent call last):
    ...
    citykit.workshop.WorkshopError: Your weights add up to 90; they must add up to exactly 100 (nothing is rescaled for you). Adjust them by +10.
    """
    total = float(sum(float(v) for v in values.values()))
    if abs(total - BUDGET) > 1e-9:
        gap = BUDGET - total
        sign = "+" if gap > 0 else "−"
        raise WorkshopError(tr("ws_sum_error", lang, what=tr(f"ws_what_{what}", lang),
                               total=format_number(total, lang),
                               gap=sign + format_number(abs(gap), lang)))
    return {str(c): float(v) / BUDGET for c, v in values.items()}


def live_consistency(options: Mapping[tuple[str, str], int], codes: Sequence[str]
                     ) -> tuple[np.ndarray, pd.Series, float, pd.DataFrame]:
    """The pairwise matrix of select-slider `options`, its AHP weights, CR and revisit list.

    The revisit list ranks the judgements by Saaty's error ``e_ij = a_ij w_j / w_i``
    (:func:`citykit.ui.weights.revisit`), worst first.

    Examples
    --------
    Judgements consistent with weights 8 : 4 : 2 : 1, except a against d, turned round:

    >>> options = {("a", "b"): 2, ("a", "c"): 4, ("a", "d"): -8, ("b", "c"): 2,
    ...            ("b", "d"): 4, ("c", "d"): 2}
    >>> A, w, cr, todo = live_consistency(options, ["a", "b", "c", "d"])
    >>> round(cr, 2), (todo.loc[0, "a"], todo.loc[0, "b"])
    (1.01, ('a', 'd'))
    """
    A = pairwise_matrix(options, codes)
    w, res, todo = ahp_weights(options, codes)
    return A, w, float(res.cr), todo


def given_option(ratio: float) -> int:
    """The select-slider option of a judgement ratio (``1/3`` → ``-3``).

    Examples
    --------
    >>> given_option(5.0), given_option(1.0), given_option(0.25)
    (5, 1, -4)
    """
    option = int(round(ratio)) if ratio >= 1 else -int(round(1.0 / ratio))
    return 1 if option == -1 else option


def revisit_table(todo: pd.DataFrame, labels: Mapping[str, str], lang: str = "en", n: int = 3
                  ) -> pd.DataFrame:
    """The `n` judgements furthest from the participant's own weights, in words.

    Only judgements that disagree (deviation above 1) are listed; columns: the judgement, what
    the weights imply (the closest option on Saaty's scale), and the factor it is off by.
    """
    rows = todo[todo["deviation"] > 1 + 1e-9].head(n)
    judged = [saaty_label(given_option(g), labels.get(a, a), labels.get(b, b), lang)
              for a, b, g in zip(rows["a"], rows["b"], rows["given"], strict=True)]
    implied = [saaty_label(int(s), labels.get(a, a), labels.get(b, b), lang)
               for a, b, s in zip(rows["a"], rows["b"], rows["suggested"], strict=True)]
    off = rows["deviation"].astype(float)
    return pd.DataFrame({
        tr("ws_col_judgement", lang): judged,
        tr("ws_col_implied", lang): implied,
        tr("ws_col_off", lang): (off.map(lambda v: format_number(v, lang, decimals=2))
                                 if lang == "fa" else off.round(2)).to_numpy(),
    })


# ---------------------------------------------------------------------------------------------
# Display helpers
# ---------------------------------------------------------------------------------------------

def format_time(stamp: str | None, lang: str = "en") -> str:
    """A stored UTC time stamp for display (seconds, "UTC"; Persian digits in Persian).

    Examples
    --------
    >>> format_time("2026-11-29T07:40:12.345Z"), format_time(None)
    ('2026-11-29 07:40:12 UTC', '—')
    >>> format_time("2026-11-29T07:40:12.345Z", "fa")
    '۲۰۲۶-۱۱-۲۹ ۰۷:۴۰:۱۲ UTC'
    """
    if stamp is None or (isinstance(stamp, float) and math.isnan(stamp)) or pd.isna(stamp):
        return "—"
    text = str(stamp).replace("T", " ").rstrip("Z").split(".")[0] + " UTC"
    return to_persian_digits(text) if lang == "fa" else text


def pseudonym(number: int, lang: str = "en") -> str:
    """A participant's pseudonym in `lang`.

    Examples
    --------
    >>> pseudonym(3), pseudonym(3, "fa")
    ('Participant 3', 'شرکت‌کنندهٔ ۳')
    """
    return tr("ws_pseudonym", lang, n=format_number(int(number), lang))


def _pct(values: pd.Series, lang: str, decimals: int = 1) -> pd.Series:
    """Shares as percentages: numbers in English, Persian-digit strings in Persian."""
    values = values.astype(float)
    if lang == "fa":
        return values.map(lambda v: format_number(100 * v, lang, decimals=decimals))
    return (100 * values).round(decimals)


def _num(values: pd.Series, lang: str, decimals: int = 3) -> pd.Series:
    values = values.astype(float)
    if lang == "fa":
        return values.map(lambda v: format_number(v, lang, decimals=decimals))
    return values.round(decimals)


def page_count(n: int, size: int = PAGE_SIZE) -> int:
    """How many pages of `size` rows `n` participants fill (at least one).

    Examples
    --------
    >>> page_count(0), page_count(200), page_count(201), page_count(5000)
    (1, 1, 2, 25)
    """
    return max(1, -(-int(n) // int(size)))


def participants_table(group: GroupResult, lang: str = "en", *, page: int = 1,
                       size: int = PAGE_SIZE) -> pd.DataFrame:
    """Who joined and who submitted, one page of `size` participants (page 1 first).

    Columns: pseudonym, name, entry, times, CR, status. Only the page's rows are formatted, so
    the facilitator's live view costs the same with 20 or 5,000 participants.
    """
    pages = page_count(len(group.participants), size)
    if isinstance(page, bool) or not isinstance(page, int | np.integer) or not 1 <= page <= pages:
        raise ValueError(f"page must be an integer from 1 to {pages}; got {page!r}"[:200])
    people = group.participants.iloc[(page - 1) * size: page * size]
    limit = format_number(CR_THRESHOLD, lang)
    words = {"waiting": tr("ws_status_waiting", lang), "ok": tr("ws_status_ok", lang),
             "inconsistent": tr("ws_status_inconsistent", lang, limit=limit)}
    status = [words[k] for k in _status(people)]
    kind = people["kind"].map(lambda k: tr(f"ws_kind_{k}", lang) if isinstance(k, str) else "—")
    cr = people["cr"].astype(float)
    return pd.DataFrame({
        tr("ws_col_participant", lang): [pseudonym(n, lang) for n in people["number"]],
        tr("ws_col_name", lang): [n if n else tr("ws_anonymous", lang) for n in people["name"]],
        tr("ws_col_kind", lang): kind.to_numpy(),
        tr("ws_col_joined", lang): [format_time(t, lang) for t in people["joined_at"]],
        tr("ws_col_submitted", lang): [format_time(t, lang) for t in people["submitted_at"]],
        tr("ws_col_submissions", lang): (people["submissions"].map(
            lambda v: format_number(v, lang)) if lang == "fa" else people["submissions"]
        ).to_numpy(),
        tr("ws_col_cr", lang): (cr.map(lambda v: format_number(v, lang, decimals=3))
                                if lang == "fa" else cr.round(3)).to_numpy(),
        tr("ws_col_status", lang): status,
    })


def _status(people: pd.DataFrame) -> np.ndarray:
    """Status code of each participant: ``waiting``, ``inconsistent`` or ``ok``."""
    return np.where(~people["submitted"].astype(bool), "waiting",
                    np.where(people["inconsistent"].astype(bool), "inconsistent", "ok"))


def status_summary(group: GroupResult, lang: str = "en") -> pd.DataFrame:
    """Participants counted by status and by entry (what the facilitator reads at a glance).

    One row per status (waiting, submitted, submitted but inconsistent) with its count and
    share; a workshop of any size summarises in three rows.
    """
    people = group.participants
    status = pd.Series(_status(people), dtype=object)
    counts = status.value_counts().reindex(["ok", "inconsistent", "waiting"], fill_value=0)
    total = max(len(people), 1)
    limit = format_number(CR_THRESHOLD, lang)
    labels = {"ok": tr("ws_status_ok", lang),
              "inconsistent": tr("ws_status_inconsistent", lang, limit=limit),
              "waiting": tr("ws_status_waiting", lang)}
    return pd.DataFrame({
        tr("ws_col_status", lang): [labels[k] for k in counts.index],
        tr("ws_col_count", lang): [format_number(int(v), lang) for v in counts],
        tr("ws_col_share", lang): [format_percent(v / total, lang, decimals=0) for v in counts],
    })


def removed_table(group: GroupResult, lang: str = "en") -> pd.DataFrame:
    """The participants the facilitator removed: pseudonym, name, joined, removed."""
    out = group.removed
    return pd.DataFrame({
        tr("ws_col_participant", lang): [pseudonym(n, lang) for n in out["number"]],
        tr("ws_col_name", lang): [n if n else tr("ws_anonymous", lang) for n in out["name"]],
        tr("ws_col_joined", lang): [format_time(t, lang) for t in out["joined_at"]],
        tr("ws_col_removed", lang): [format_time(t, lang) for t in out["removed_at"]],
    })


def events_table(group: GroupResult, lang: str = "en") -> pd.DataFrame:
    """What the facilitator did (removals, limit changes), oldest first, in words."""
    rows = []
    for at, kind, who, detail in group.events[["at", "kind", "participant", "detail"]].itertuples(
            index=False):
        if kind == "removed":
            what = tr("ws_event_removed", lang, who=pseudonym(int(who), lang))
        elif kind == "max_participants":
            what = tr("ws_event_limit", lang)
            detail = to_persian_digits(str(detail)).replace("->", "←") if lang == "fa" \
                else detail
        else:
            what = str(kind)
        rows.append((format_time(at, lang), what, "" if detail is None or pd.isna(detail)
                     else str(detail)))
    return pd.DataFrame(rows, columns=[tr("ws_col_at", lang), tr("ws_col_event", lang),
                                       tr("ws_col_detail", lang)])


def spread_table(group: GroupResult, lang: str = "en") -> pd.DataFrame:
    """Per dimension: min, quartiles, max of the individual weights (percent), CV, group."""
    ws, spread = group.workshop, group.spread
    out = {tr("ws_col_dimension", lang): [ws.label(c, lang) for c in spread.index]}
    for column in ("min", "q1", "median", "q3", "max"):
        out[tr(f"ws_col_{column}", lang)] = _pct(spread[column], lang).to_numpy()
    out[tr("ws_col_cv", lang)] = _num(spread["cv"], lang, 2).to_numpy()
    out[tr("ws_col_group", lang)] = _pct(spread["group"], lang).to_numpy()
    return pd.DataFrame(out)


def _percents(shares: pd.Series) -> list[float]:
    """Shares as a plain list of percentages (a readable figure spec, not base64 arrays)."""
    return (100 * shares.to_numpy(dtype=float)).tolist()


def _layout(fig: go.Figure, title: str, lang: str) -> go.Figure:
    fig.update_layout(title=title, font={"family": FONT_FAMILY[lang]}, height=360,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, showlegend=False)
    return fig


def group_figure(group: GroupResult, lang: str = "en") -> go.Figure:
    """The group weights as horizontal bars (percent), titled with the combined CR."""
    ws, w = group.workshop, group.weights
    labels = [escape_hover(ws.label(c, lang)) for c in w.index]  # plotly reads tags
    text = [format_percent(v, lang, decimals=1) for v in w]
    fig = go.Figure(go.Bar(x=_percents(w), y=labels, orientation="h", text=text,
                           textposition="auto", marker_color="#2c7fb8",
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=tr("ws_weight_axis", lang),
                     **axis_ticks([0, *_percents(w)], lang))  # Persian digits in Persian
    return _layout(fig, tr("ws_group_weights", lang,
                           cr=format_number(group.cr, lang, decimals=3)), lang)


def spread_figure(group: GroupResult, lang: str = "en") -> go.Figure:
    """Each dimension's spread of individual weights as a box (min–q1–median–q3–max), with the
    group weight as a diamond."""
    ws, s = group.workshop, group.spread
    labels = [escape_hover(ws.label(c, lang)) for c in s.index]
    fig = go.Figure()
    fig.add_trace(go.Box(y=labels, orientation="h", q1=_percents(s["q1"]),
                         median=_percents(s["median"]), q3=_percents(s["q3"]),
                         lowerfence=_percents(s["min"]), upperfence=_percents(s["max"]),
                         marker_color="#7f7f7f",
                         name=tr("ws_spread", lang)))
    fig.add_trace(go.Scatter(x=_percents(s["group"]), y=labels, mode="markers",
                             marker={"symbol": "diamond", "size": 11, "color": "#d95f02"},
                             name=tr("ws_group_marker", lang)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=tr("ws_weight_axis", lang), rangemode="tozero",
                     **axis_ticks([0, *_percents(s["max"]), *_percents(s["group"])], lang))
    return _layout(fig, tr("ws_spread", lang), lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def _shortlist(scenario_json: str, _result):
    constraints = Constraints.from_dict(Scenario.from_json(scenario_json).shortlist
                                        or {"k": DEFAULT_SHORTLIST_K})
    return shortlist(_result, constraints)


def shortlist_table(result, lang: str = "en") -> pd.DataFrame:
    """The shortlist of `result` under its scenario's constraints (k = 5 without any).

    Cached by the scenario's JSON, like the ranking itself.
    """
    chosen = _shortlist(result.scenario.to_json(), result).pilots
    province = "province_name_fa" if lang == "fa" else "province_name"
    rank, score = chosen["rank"], chosen["score"].astype(float)
    return pd.DataFrame({
        tr("ws_col_city", lang): chosen[f"name_{lang}"].to_numpy(),
        tr("ws_col_province", lang): (chosen[province] if province in chosen.columns
                                      else chosen["province_code"]).to_numpy(),
        tr("ws_col_rank", lang): (rank.map(lambda v: format_number(v, lang)) if lang == "fa"
                                  else rank).to_numpy(),
        tr("ws_col_score", lang): (score.map(lambda v: format_number(v, lang, decimals=3))
                                   if lang == "fa" else score.round(4)).to_numpy(),
    })


def scenarios_table(saved: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The named scenarios: name, the workshop they came from, when they were saved."""
    return pd.DataFrame({
        tr("ws_col_scenario", lang): saved["name"].to_numpy(),
        tr("ws_col_workshop", lang): saved["workshop"].fillna("—").to_numpy(),
        tr("ws_col_created", lang): [format_time(t, lang) for t in saved["created_at"]],
    })


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------

def workshop_url(context_url: str | None, page_paths: Sequence[str] = ()) -> str:
    """The workshop page's address from the browser's address (``st.context.url``).

    The last path segment is dropped when it is one of the app's pages (`page_paths`); with no
    address known, the path alone.

    Examples
    --------
    >>> workshop_url("http://host:8501/weights", ["weights", "workshop"])
    'http://host:8501/workshop'
    >>> workshop_url("http://host:8501/", ["weights"]), workshop_url(None)
    ('http://host:8501/workshop', '/workshop')
    """
    if not context_url:
        return "/workshop"
    base = context_url.split("?")[0].split("#")[0].rstrip("/")
    head, _, last = base.rpartition("/")
    if last in page_paths and "//" in head + "/":
        base = head
    return f"{base}/workshop"


def participant_link(code: str, base: str = "/workshop") -> str:
    """The link participants open: the workshop page with ``?ws=CODE``.

    Examples
    --------
    >>> participant_link("ABC234")
    '/workshop?ws=ABC234'
    """
    return f"{base}?ws={quote(code)}"


def facilitator_link(code: str, key: str, base: str = "/workshop") -> str:
    """The facilitator's link: the workshop page with the code and the secret key.

    Examples
    --------
    >>> facilitator_link("ABC234", "s3cr-t_")
    '/workshop?ws=ABC234&key=s3cr-t_'
    """
    return f"{participant_link(code, base)}&key={quote(key, safe='-_')}"

