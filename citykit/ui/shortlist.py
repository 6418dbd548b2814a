"""The "Shortlist & export" page's view models: constraints, pilots, their price, the dossier.

``app_pages/shortlist.py`` only wires widgets to these functions:

* :func:`widget_values` and :func:`constraints_from_widgets` translate between a
  :class:`~citykit.shortlist.Constraints` (kept in the scenario as ``Constraints.to_dict()``)
  and the values of the page's widgets; fields the page has no widget for (regions, budget) are
  kept from the scenario's constraints, never dropped.
* :func:`pilots_table`, :func:`left_out_table`, :func:`binding_table`, :func:`price_summary`
  and :func:`shortlist_map` show a :class:`~citykit.shortlist.Shortlist` in English or
  Persian: the pilots and why each is there, the cities of the unconstrained top k that the
  constraints left out, the constraints that bind and what dropping each would regain.
* :func:`build_dossier` writes the decision dossier (:func:`citykit.export.export_dossier`)
  into a temporary folder and returns its files as bytes, plus one ZIP of them all.

The shortlist itself is :func:`citykit.shortlist.shortlist`: an exact mixed-integer program;
nothing here chooses pilots.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from .. import maps
from ..exceptions import ShortlistError
from ..export import export_dossier
from ..i18n import format_number, format_percent, register, tr
from ..shortlist import Constraints, haversine_km
from ..text import parse_number, to_persian_digits

if TYPE_CHECKING:
    from ..peers import PeerGroups
    from ..scenario import Result, Scenario
    from ..shortlist import Shortlist

__all__ = [
    "MIME_TYPES", "WIDGET_FIELDS", "DossierFiles", "applied_workshop", "build_dossier", "binding_table",
    "candidate_labels", "candidate_options", "constraints_from_widgets", "current_constraints",
    "dossier_key", "left_out_table", "p_top_k_at", "parse_tier_bounds", "peer_group_names",
    "kept_families", "peer_groups", "peer_groups_table", "pilots_table", "price_summary",
    "ranking_scenario", "select_pilots", "shortlist_map", "tier_bounds_text", "tiers_fit_widgets",
    "widget_values",
]

Lang = Literal["en", "fa"]
#: The constraint settings the page has a widget for, in the order of the widgets.
WIDGET_FIELDS: tuple[str, ...] = ("k", "max_per_province", "min_distance_km", "must_include",
                                  "must_exclude", "one_per_peer_group", "tier_bounds",
                                  "tier_min", "min_readiness")
#: Download types of the dossier's files, by extension.
MIME_TYPES = {".csv": "text/csv", ".json": "application/json", ".html": "text/html",
              ".geojson": "application/geo+json", ".gpkg": "application/geopackage+sqlite3",
              ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              ".zip": "application/zip"}
#: Map colours: pilots, top-k cities the constraints left out, the other candidates.
PILOT_COLOUR, LEFT_OUT_COLOUR, OTHER_COLOUR = "#1b5e20", "#e6550d", "#9a9a9a"
_TIER_SPLIT = re.compile(r"[;؛\s]+")

register({
    "en": {
        "sl_title": "Shortlist & export",
        "sl_intro": "Choose k pilot cities that maximise the total score under the constraints "
                    "below (an exact optimisation). The price of diversity is the score given up "
                    "against the unconstrained top k.",
        "sl_constraints": "Constraints",
        "sl_k": "Number of pilots (k)",
        "sl_max_per_province": "At most this many pilots per province",
        "sl_max_per_province_help": "Leave empty for no limit.",
        "sl_min_distance": "Minimum distance between pilots (km)",
        "sl_min_distance_help": "Great-circle distance; leave empty or 0 for no minimum.",
        "sl_must_include": "Must include",
        "sl_must_exclude": "Must exclude",
        "sl_no_limit": "no limit",
        "sl_choose": "Choose cities",
        "sl_peer": "At least one pilot per peer group",
        "sl_peer_help": "Peer groups cluster the candidates on their indicator profiles "
                        "(k-means, number of groups by the silhouette, seed 0).",
        "sl_peer_groups": "Peer groups ({n})",
        "sl_col_group": "Group",
        "sl_col_size": "Candidates",
        "sl_col_group_name": "What sets it apart",
        "sl_peer_high": "high {name}",
        "sl_peer_low": "low {name}",
        "sl_peer_name": "Group {group}: {terms}",
        "sl_tiers": "Population tiers: boundaries",
        "sl_tiers_help": "Populations that split the candidates into tiers, separated by spaces "
                         "or semicolons, e.g. 500000; 1000000 gives the tiers below 500,000, "
                         "500,000 to 1,000,000 and above. Leave empty for no tiers.",
        "sl_tier_min": "Pilots per tier, at least",
        "sl_tier_custom": "The scenario's population tiers are more detailed than these two "
                          "boxes; they are kept as they are until you edit the boxes.",
        "sl_min_readiness": "Minimum readiness score",
        "sl_min_readiness_help": "Readiness sub-index score of every pilot at least this "
                                 "(candidates range from {low} to {high}); empty: no minimum.",
        "sl_kept": "Other constraints of the scenario, kept: {text}",
        "sl_infeasible": "No shortlist satisfies these constraints. Your settings are kept; "
                         "relax one of the constraints named below.",
        "sl_map_title": "The {k} pilots",
        "sl_legend_pilot": "Pilot",
        "sl_legend_left_out": "Top {k}, left out by the constraints",
        "sl_legend_other": "Other candidate",
        "sl_hover_rank": "Rank {rank} of {n}, score {score}",
        "sl_hover_pilot": "Pilot",
        "sl_hover_left_out": "In the unconstrained top {k}, left out",
        "sl_pilots": "The pilots",
        "sl_col_rank": "Rank",
        "sl_col_name": "City",
        "sl_col_province": "Province",
        "sl_col_population": "Population",
        "sl_col_score": "Score",
        "sl_col_p_top": "P(top {k})",
        "sl_col_peer": "Peer group",
        "sl_col_why": "Why",
        "sl_col_constraint": "Constraint",
        "sl_col_binds": "What binds",
        "sl_col_regains": "Dropping it alone regains",
        "sl_why_required": "required (must include)",
        "sl_why_top": "in the unconstrained top {k}",
        "sl_why_peer": "covers peer group {group}, which the top {k} misses",
        "sl_why_tier": "fills a population tier the top {k} leaves short",
        "sl_why_next": "next best score that satisfies the constraints",
        "sl_out_excluded": "excluded (must exclude)",
        "sl_out_province": "{province} already has {n} pilot(s)",
        "sl_out_close": "within {km} km of pilot {city}",
        "sl_out_displaced": "displaced by the constraints",
        "sl_left_out": "Left out of the unconstrained top {k}",
        "sl_none_left_out": "No constraint binds: the pilots are the unconstrained top {k}.",
        "sl_price": "Price of diversity",
        "sl_price_help": "Total score of the unconstrained top k minus that of the pilots.",
        "sl_total": "Total score of the pilots",
        "sl_top_total": "Unconstrained top {k}",
        "sl_binding": "Binding constraints",
        "sl_binding_none": "No constraint binds.",
        "sl_not_computed": "not computed",
        "sl_explain": "The shortlist in words",
        "sl_suboptimal": "The solver hit its time limit: this shortlist satisfies the "
                         "constraints but may not be the best one.",
        "sl_bind_province": "{province}: {n} of the top {k}",
        "sl_bind_distance": "{a} and {b}: {km} km",
        "sl_bind_peer": "groups without a pilot in the top {k}: {groups}",
        "sl_bind_include": "not in the top {k}: {cities}",
        "sl_bind_exclude": "in the top {k}: {cities}",
        "sl_family_k": "number of pilots",
        "sl_family_max_per_province": "pilots per province",
        "sl_family_max_per_region": "pilots per region",
        "sl_family_min_distance_km": "minimum distance",
        "sl_family_one_per_peer_group": "one pilot per peer group",
        "sl_family_population_tiers": "population tiers",
        "sl_family_must_include": "must include",
        "sl_family_must_exclude": "must exclude",
        "sl_family_min_readiness": "minimum readiness",
        "sl_family_budget": "budget",
        "sl_dossier": "The decision dossier",
        "sl_dossier_intro": "Ranking and shortlist (CSV), workbook (XLSX), candidates "
                            "(GeoJSON, GeoPackage), a self-contained HTML brief and a manifest "
                            "with checksums, in the app's language.",
        "sl_prepare": "Prepare the dossier",
        "sl_preparing": "Writing the dossier…",
        "sl_prepared": "Dossier ready: {n} files, built in {seconds} s.",
        "sl_download": "Download {name}",
        "sl_download_zip": "Download everything (ZIP)",
        "sl_workshop_included": "The weights come from workshop {code}: its record (participants "
                                "by pseudonym, submissions, aggregation) goes into the dossier.",
        "sl_no_dossier": "Fix the constraints first: the dossier needs a shortlist.",
    },
    "fa": {
        "sl_title": "فهرست کوتاه و خروجی",
        "sl_intro": "k شهر آزمایشی را برگزینید که با رعایت محدودیت‌های زیر بیشترین مجموع امتیاز را "
                    "دارند (بهینه‌سازی دقیق). بهای تنوع، امتیازی است که در برابر k شهر برتر بدون "
                    "محدودیت از دست می‌رود.",
        "sl_constraints": "محدودیت‌ها",
        "sl_k": "تعداد شهرهای آزمایشی (k)",
        "sl_max_per_province": "حداکثر شهر آزمایشی در هر استان",
        "sl_max_per_province_help": "برای بی‌حد، خالی بگذارید.",
        "sl_min_distance": "کمترین فاصلهٔ شهرهای آزمایشی (کیلومتر)",
        "sl_min_distance_help": "فاصلهٔ دایرهٔ عظیمه؛ برای بی‌حد، خالی یا ۰ بگذارید.",
        "sl_must_include": "حتماً باشد",
        "sl_must_exclude": "حتماً نباشد",
        "sl_no_limit": "بی‌حد",
        "sl_choose": "شهرها را برگزینید",
        "sl_peer": "دست‌کم یک شهر آزمایشی از هر گروه همتا",
        "sl_peer_help": "گروه‌های همتا نامزدها را بر پایهٔ نیمرخ شاخص‌هایشان خوشه‌بندی می‌کنند "
                        "(k-میانگین، شمار گروه‌ها با ضریب نیم‌رخ، بذر ۰).",
        "sl_peer_groups": "گروه‌های همتا ({n})",
        "sl_col_group": "گروه",
        "sl_col_size": "نامزدها",
        "sl_col_group_name": "وجه تمایز",
        "sl_peer_high": "{name} بالا",
        "sl_peer_low": "{name} پایین",
        "sl_peer_name": "گروه {group}: {terms}",
        "sl_tiers": "طبقه‌های جمعیتی: مرزها",
        "sl_tiers_help": "جمعیت‌هایی که نامزدها را به طبقه‌ها تقسیم می‌کنند، جداشده با فاصله یا "
                         "نقطه‌ویرگول؛ مثلاً ۵۰۰۰۰۰؛ ۱۰۰۰۰۰۰ طبقه‌های زیر ۵۰۰٬۰۰۰، از ۵۰۰٬۰۰۰ تا "
                         "۱٬۰۰۰٬۰۰۰ و بالاتر را می‌سازد. برای بی‌طبقه، خالی بگذارید.",
        "sl_tier_min": "کمترین شمار شهر آزمایشی در هر طبقه",
        "sl_tier_custom": "طبقه‌های جمعیتی سناریو از این دو جعبه جزئی‌ترند؛ تا وقتی جعبه‌ها را "
                          "ویرایش نکنید همان‌گونه می‌مانند.",
        "sl_min_readiness": "کمترین امتیاز آمادگی",
        "sl_min_readiness_help": "امتیاز زیرشاخص آمادگی هر شهر آزمایشی دست‌کم این باشد (نامزدها "
                                 "از {low} تا {high})؛ خالی: بی‌حد.",
        "sl_kept": "محدودیت‌های دیگر سناریو، حفظ‌شده: {text}",
        "sl_infeasible": "هیچ فهرست کوتاهی همهٔ این محدودیت‌ها را با هم برآورده نمی‌کند. تنظیمات شما "
                         "حفظ شد؛ یکی از محدودیت‌های نام‌برده در زیر را آسان‌تر کنید.",
        "sl_map_title": "{k} شهر آزمایشی",
        "sl_legend_pilot": "شهر آزمایشی",
        "sl_legend_left_out": "از {k} شهر برتر، کنارگذاشته با محدودیت‌ها",
        "sl_legend_other": "نامزد دیگر",
        "sl_hover_rank": "رتبهٔ {rank} از {n}، امتیاز {score}",
        "sl_hover_pilot": "شهر آزمایشی",
        "sl_hover_left_out": "در {k} شهر برتر بدون محدودیت، کنارگذاشته",
        "sl_pilots": "شهرهای آزمایشی",
        "sl_col_rank": "رتبه",
        "sl_col_name": "شهر",
        "sl_col_province": "استان",
        "sl_col_population": "جمعیت",
        "sl_col_score": "امتیاز",
        "sl_col_p_top": "احتمال حضور در {k} برتر",
        "sl_col_peer": "گروه همتا",
        "sl_col_why": "چرا",
        "sl_col_constraint": "محدودیت",
        "sl_col_binds": "چه چیز را محدود می‌کند",
        "sl_col_regains": "برداشتن تنها همین محدودیت بازمی‌گرداند",
        "sl_why_required": "الزامی (حتماً باشد)",
        "sl_why_top": "در {k} شهر برتر بدون محدودیت",
        "sl_why_peer": "پوشش گروه همتای {group} که {k} شهر برتر ندارند",
        "sl_why_tier": "پر کردن طبقهٔ جمعیتی‌ای که {k} شهر برتر کم دارند",
        "sl_why_next": "بهترین امتیاز بعدی که محدودیت‌ها را برآورده می‌کند",
        "sl_out_excluded": "کنارگذاشته (حتماً نباشد)",
        "sl_out_province": "{province} از پیش {n} شهر آزمایشی دارد",
        "sl_out_close": "کمتر از {km} کیلومتر تا شهر آزمایشی {city}",
        "sl_out_displaced": "جابه‌جاشده با محدودیت‌ها",
        "sl_left_out": "کنارگذاشته از {k} شهر برتر بدون محدودیت",
        "sl_none_left_out": "هیچ محدودیتی الزام‌آور نیست: شهرهای آزمایشی همان {k} شهر برتر بدون "
                            "محدودیت‌اند.",
        "sl_price": "بهای تنوع",
        "sl_price_help": "مجموع امتیاز k شهر برتر بدون محدودیت منهای مجموع امتیاز شهرهای آزمایشی.",
        "sl_total": "مجموع امتیاز شهرهای آزمایشی",
        "sl_top_total": "{k} شهر برتر بدون محدودیت",
        "sl_binding": "محدودیت‌های الزام‌آور",
        "sl_binding_none": "هیچ محدودیتی الزام‌آور نیست.",
        "sl_not_computed": "محاسبه نشد",
        "sl_explain": "فهرست کوتاه در چند جمله",
        "sl_suboptimal": "حل‌کننده به سقف زمان رسید: این فهرست محدودیت‌ها را برآورده می‌کند ولی "
                         "شاید بهترین نباشد.",
        "sl_bind_province": "{province}: {n} از {k} شهر برتر",
        "sl_bind_distance": "{a} و {b}: {km} کیلومتر",
        "sl_bind_peer": "گروه‌های بی‌شهر در {k} شهر برتر: {groups}",
        "sl_bind_include": "بیرون از {k} شهر برتر: {cities}",
        "sl_bind_exclude": "در {k} شهر برتر: {cities}",
        "sl_family_k": "تعداد شهرهای آزمایشی",
        "sl_family_max_per_province": "شهر آزمایشی در هر استان",
        "sl_family_max_per_region": "شهر آزمایشی در هر منطقه",
        "sl_family_min_distance_km": "کمترین فاصله",
        "sl_family_one_per_peer_group": "یک شهر از هر گروه همتا",
        "sl_family_population_tiers": "طبقه‌های جمعیتی",
        "sl_family_must_include": "حتماً باشد",
        "sl_family_must_exclude": "حتماً نباشد",
        "sl_family_min_readiness": "کمترین آمادگی",
        "sl_family_budget": "بودجه",
        "sl_dossier": "پروندهٔ تصمیم",
        "sl_dossier_intro": "رتبه‌بندی و فهرست کوتاه (CSV)، کارپوشه (XLSX)، نامزدها (GeoJSON و "
                            "GeoPackage)، گزارش کوتاه HTML خودبسنده و فهرست‌نامه با چکیده‌ها، به "
                            "زبان برنامه.",
        "sl_prepare": "آماده‌سازی پرونده",
        "sl_preparing": "در حال نوشتن پرونده…",
        "sl_prepared": "پرونده آماده است: {n} پرونده، ساخته‌شده در {seconds} ثانیه.",
        "sl_download": "بارگیری {name}",
        "sl_download_zip": "بارگیری همه (ZIP)",
        "sl_workshop_included": "وزن‌ها از کارگاه {code} آمده‌اند: گزارش آن (شرکت‌کنندگان با نام "
                                "مستعار، ثبت‌ها و روش ترکیب) در پرونده می‌آید.",
        "sl_no_dossier": "نخست محدودیت‌ها را درست کنید: پرونده به یک فهرست کوتاه نیاز دارد.",
    },
})


# --------------------------------------------------------------------------- constraints

def current_constraints(scenario: Scenario) -> Constraints:
    """The scenario's shortlist constraints, or k = its robustness top k and nothing else.

    Raises
    ------
    citykit.exceptions.ShortlistError
        If the scenario's ``shortlist`` is not a valid ``Constraints.to_dict()``.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> current_constraints(Scenario()).describe()
    ['k = 5 pilots']
    >>> current_constraints(Scenario(shortlist={"k": 3, "max_per_province": 1})).active()
    ('k', 'max_per_province')
    """
    if scenario.shortlist is None:
        return Constraints(k=int(scenario.robustness.get("top_k", 5)))
    return Constraints.from_dict(scenario.shortlist)


def parse_tier_bounds(text: str | None) -> list[float]:
    """Population boundaries between tiers from text (Latin or Persian digits).

    Parts are separated by spaces or semicolons (Latin or Persian); a comma inside a number
    groups thousands. The boundaries must be positive and increasing.

    Raises
    ------
    citykit.exceptions.ShortlistError
        A part that is not a number, a boundary <= 0, or boundaries out of order.

    Examples
    --------
    >>> parse_tier_bounds("500000; 1,000,000")
    [500000.0, 1000000.0]
    >>> parse_tier_bounds("۲۵۰۰۰۰ ۵۰۰۰۰۰")
    [250000.0, 500000.0]
    >>> parse_tier_bounds("")
    []
    >>> parse_tier_bounds("1e6; 5e5")
    Traceback (most recent call last):
    ...
    citykit.exceptions.ShortlistError: population tier boundaries must increase; got 1000000 before 500000. Write them smallest first, e.g. 500000; 1000000
    """
    parts = [p for p in _TIER_SPLIT.split(str(text or "").strip()) if p]
    bounds = []
    for part in parts:
        try:
            bounds.append(parse_number(part))
        except ValueError as err:
            raise ShortlistError(f"population tier boundary {part!r} is not a number ({err}); "
                                 "separate boundaries with spaces or semicolons, e.g. "
                                 "500000; 1000000") from None
    bad = [b for b in bounds if not np.isfinite(b) or b <= 0]
    if bad:
        raise ShortlistError(f"population tier boundaries must be positive numbers; got "
                             f"{bad[0]:g}")
    for low, high in zip(bounds, bounds[1:], strict=False):
        if high <= low:
            raise ShortlistError(f"population tier boundaries must increase; got {low:.0f} "
                                 f"before {high:.0f}. Write them smallest first, e.g. "
                                 "500000; 1000000")
    return bounds


def tier_bounds_text(bounds: Sequence[float]) -> str:
    """The text of :func:`parse_tier_bounds` for `bounds` (Latin digits, ``"; "`` between).

    Examples
    --------
    >>> tier_bounds_text([500000.0, 1e6])
    '500000; 1000000'
    """
    return "; ".join(f"{b:.0f}" if float(b).is_integer() else f"{b:g}" for b in bounds)


def _simple_tiers(spec: Mapping | None) -> tuple[str, int] | None:
    """(boundaries text, min per tier) when `spec` is what the page's two widgets can say."""
    if spec is None:
        return "", 1
    tiers, mins = spec["tiers"], spec["min_per_tier"]
    lows, highs = [t[0] for t in tiers], [t[1] for t in tiers]
    contiguous = lows[0] == 0 and highs[-1] is None and highs[:-1] == lows[1:]
    if not contiguous or spec.get("max_per_tier") is not None or len(set(mins)) != 1 \
            or len(tiers) < 2:
        return None
    return tier_bounds_text(lows[1:]), int(mins[0])


def tiers_fit_widgets(constraints: Constraints) -> bool:
    """Whether the constraints' population tiers (if any) are what the two tier boxes say.

    Examples
    --------
    >>> tiers_fit_widgets(Constraints(k=2, population_tiers={"tiers": [[0, 5e5], [5e5, None]]}))
    True
    >>> tiers_fit_widgets(Constraints(k=2, population_tiers={"tiers": [[1e5, 5e5]]}))
    False
    """
    return _simple_tiers(constraints.population_tiers) is not None


def kept_families(constraints: Constraints, lang: Lang = "en") -> list[str]:
    """Names, in `lang`, of the active constraints the page has no widget for (kept as they are).

    Examples
    --------
    >>> kept_families(Constraints(k=2, budget=10.0, cost={"a": 1.0}))
    ['budget']
    """
    return [tr(f"sl_family_{f}", lang) for f in constraints.active()
            if f in ("max_per_region", "budget")]


def widget_values(constraints: Constraints) -> dict:
    """The value of each of the page's widgets (:data:`WIDGET_FIELDS`) for `constraints`.

    Population tiers the two tier widgets cannot express (not contiguous from 0, a maximum per
    tier, different minimums) show their lower boundaries; :func:`constraints_from_widgets`
    keeps such tiers as they are while those widgets are unchanged.

    Examples
    --------
    >>> values = widget_values(Constraints(k=4, max_per_province=1, must_include=["a"]))
    >>> values["k"], values["max_per_province"], values["must_include"], values["tier_bounds"]
    (4, 1, ['a'], '')
    """
    spec = constraints.population_tiers
    simple = _simple_tiers(spec)
    if simple is None:
        simple = (tier_bounds_text([t[0] for t in spec["tiers"] if t[0] > 0]),
                  int(min(spec["min_per_tier"])))
    return {"k": constraints.k, "max_per_province": constraints.max_per_province,
            "min_distance_km": constraints.min_distance_km,
            "must_include": list(constraints.must_include),
            "must_exclude": list(constraints.must_exclude),
            "one_per_peer_group": bool(constraints.one_per_peer_group),
            "tier_bounds": simple[0], "tier_min": simple[1],
            "min_readiness": constraints.min_readiness}


def constraints_from_widgets(values: Mapping, base: Constraints | None = None) -> Constraints:
    """Constraints from the page's widget values; other fields are kept from `base`.

    Parameters
    ----------
    values : mapping
        Field of :data:`WIDGET_FIELDS` → widget value (a missing field keeps `base`'s value).
        ``None`` (an empty number box) or 0 km means "no such constraint".
    base : Constraints, optional
        The scenario's constraints: regions, budget and cost (which have no widget) are kept,
        and so are its population tiers while ``tier_bounds`` and ``tier_min`` are unchanged.

    Raises
    ------
    citykit.exceptions.ShortlistError
        A value :class:`~citykit.shortlist.Constraints` rejects (k < 1, a city both included
        and excluded, ...) or tier boundaries :func:`parse_tier_bounds` cannot read.

    Examples
    --------
    >>> c = constraints_from_widgets({"k": 6, "max_per_province": 1, "min_distance_km": 0,
    ...                               "tier_bounds": "500000", "tier_min": 1})
    >>> c.describe()
    ['k = 6 pilots', 'at most 1 pilot per province', 'population tiers (0-500,000: at least 1; 500,000+: at least 1)']
    >>> constraints_from_widgets(widget_values(c)) == c
    True
    >>> constraints_from_widgets({"k": 0})
    Traceback (most recent call last):
    ...
    citykit.exceptions.ShortlistError: k must be an integer >= 1; got 0
    """
    base = base if base is not None else Constraints(k=int(values.get("k") or 1))
    shown = widget_values(base)
    data = base.to_dict()
    merged = {**shown, **{f: values[f] for f in WIDGET_FIELDS if f in values}}
    for field in ("k", "max_per_province", "min_distance_km", "min_readiness"):
        value = merged[field]
        if isinstance(value, float) and field in ("k", "max_per_province") \
                and value.is_integer():
            value = int(value)  # number boxes may hand back floats
        data[field] = value
    if not data["min_distance_km"]:
        data["min_distance_km"] = None
    data["must_include"] = [str(c) for c in merged["must_include"] or []]
    data["must_exclude"] = [str(c) for c in merged["must_exclude"] or []]
    data["one_per_peer_group"] = bool(merged["one_per_peer_group"])
    if (merged["tier_bounds"], merged["tier_min"]) != (shown["tier_bounds"], shown["tier_min"]):
        bounds = parse_tier_bounds(merged["tier_bounds"])
        edges = [0.0, *bounds]
        data["population_tiers"] = None if not bounds else {
            "tiers": [[low, high] for low, high in zip(edges, [*bounds, None], strict=True)],
            "min_per_tier": int(merged["tier_min"] or 0)}
    return Constraints.from_dict(data)


def candidate_options(result: Result, constraints: Constraints) -> list[str]:
    """Ids for the must-include/exclude lists: the ranked candidates, best first, then any id
    the constraints name that is not a candidate (so the lists can show, and drop, it).

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> result = run(Scenario())
    >>> options = candidate_options(result, Constraints(k=2, must_exclude=["nowhere"]))
    >>> options[0] == result.ranking.ranks.idxmin(), options[-1]
    (True, 'nowhere')
    """
    ranks = result.ranking.ranks
    order = list(ranks.index[np.lexsort((ranks.index.astype(str), ranks.to_numpy()))])
    known = set(order)
    extra = [c for c in (*constraints.must_include, *constraints.must_exclude) if c not in known]
    return [str(c) for c in order] + list(dict.fromkeys(extra))


def candidate_labels(result: Result, lang: Lang = "en") -> dict[str, str]:
    """``{city_id: "name — province"}`` for every city of the dataset, in `lang`.

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> candidate_labels(run(Scenario()), "fa")["124665"]
    'مشهد — خراسان رضوی'
    """
    cities = result.dataset.cities
    names = maps.display_names(cities, lang)
    provinces = cities["province_code"].map(maps.display_names(result.dataset.provinces, lang))
    labels = names.str.cat(provinces.fillna("").astype("string"), sep=" — ").str.rstrip(" —")
    return {str(k): str(v) for k, v in labels.items()}


# --------------------------------------------------------------------------- peer groups

def peer_group_names(groups: PeerGroups, criteria: pd.DataFrame, lang: Lang = "en", *,
                     terms: int = 2) -> pd.Series:
    """A name for each peer group in `lang`: its `terms` most distinctive criteria.

    Parameters
    ----------
    groups : PeerGroups
        From :func:`citykit.peers.peer_groups_of`.
    criteria : pandas.DataFrame
        ``matrix.criteria`` with ``name_en`` and ``name_fa`` columns.

    Examples
    --------
    >>> from citykit.peers import peer_groups_of
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> result = run(Scenario())
    >>> names = peer_group_names(peer_groups_of(result.ranking, k=3), result.matrix.criteria)
    >>> names.index.tolist(), names[1].startswith("Group 1: ")
    ([1, 2, 3], True)
    """
    column = "name_fa" if lang == "fa" and "name_fa" in criteria.columns else "name_en"
    labels = criteria[column] if column in criteria.columns else pd.Series(dtype=object)
    out = {}
    for group in groups.names.index:
        words = [tr(f"sl_peer_{sign}", lang, name=labels.get(code, code))
                 for code, sign, _ in groups.terms.get(group, [])[:terms]]
        out[group] = tr("sl_peer_name", lang, group=_digits(group, lang),
                        terms=("، " if lang == "fa" else ", ").join(words))
    return pd.Series(out, name="peer_group_name")


def peer_groups_table(groups: PeerGroups, criteria: pd.DataFrame,
                      lang: Lang = "en") -> pd.DataFrame:
    """One row per peer group: number, size and name, in `lang`.

    Examples
    --------
    >>> from citykit.peers import peer_groups_of
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> result = run(Scenario())
    >>> groups = peer_groups_of(result.ranking, k=3)
    >>> table = peer_groups_table(groups, result.matrix.criteria, "fa")
    >>> table.columns.tolist(), table.iloc[0, 0]
    (['گروه', 'نامزدها', 'وجه تمایز'], '۱')
    """
    sizes = groups.labels.value_counts().reindex(groups.names.index).fillna(0).astype(int)
    names = peer_group_names(groups, criteria, lang, terms=3)
    out = pd.DataFrame({"group": groups.names.index, "size": sizes.to_numpy(),
                        "name": [n.split(": ", 1)[-1] for n in names]})
    out = _display(out, lang, {"group": 0, "size": 0})
    return out.rename(columns={"group": tr("sl_col_group", lang),
                               "size": tr("sl_col_size", lang),
                               "name": tr("sl_col_group_name", lang)})


@st.cache_resource(show_spinner=False, max_entries=16)
def _peer_groups(ranking_json: str) -> PeerGroups:
    from ..peers import peer_groups_of
    from ..scenario import Scenario
    from . import session

    return peer_groups_of(session.result(Scenario.from_json(ranking_json)).ranking)


def ranking_scenario(scenario: Scenario) -> Scenario:
    """The scenario without its shortlist constraints: the ranking does not depend on them, so
    its result (and peer groups, robustness) stay cached while the constraints change.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> ranking_scenario(Scenario(shortlist={"k": 3})) == Scenario()
    True
    """
    return scenario.with_(shortlist=None)


def peer_groups(scenario: Scenario) -> PeerGroups:
    """The candidates' peer groups as :func:`citykit.shortlist.shortlist` forms them by default
    (:func:`citykit.peers.peer_groups_of`, seed 0); cached per ranking, shared read-only.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> groups = peer_groups(Scenario())
    >>> peer_groups(Scenario().with_(shortlist={"k": 3})) is groups   # same ranking
    True
    """
    return _peer_groups(ranking_scenario(scenario).to_json())


@st.cache_resource(show_spinner=False, max_entries=64)
def _select(ranking_json: str, constraints_json: str) -> Shortlist:
    from ..scenario import Scenario
    from ..shortlist import shortlist
    from . import session

    constraints = Constraints.from_dict(json.loads(constraints_json))
    peers = _peer_groups(ranking_json) if constraints.one_per_peer_group else None
    return shortlist(session.result(Scenario.from_json(ranking_json)), constraints, peers=peers)


def select_pilots(scenario: Scenario, constraints: Constraints) -> Shortlist:
    """:func:`citykit.shortlist.shortlist` of the scenario's ranking under `constraints`, with
    the default peer groups; cached by the ranking and the constraints, shared read-only.

    Raises
    ------
    citykit.exceptions.ShortlistError
        Constraints that cannot all hold (with the library's minimal conflicting set), or ids
        that are not candidates.

    Examples
    --------
    >>> from citykit.eligibility import preset_rules
    >>> from citykit.scenario import Scenario
    >>> wide = Scenario(eligibility=preset_rules("urban-centres"))  # one city per urban centre
    >>> s = select_pilots(wide, Constraints(k=8, max_per_province=1))
    >>> len(s.ids), s.pilots["province_code"].is_unique, s.price_of_diversity > 0
    (8, True, True)
    >>> select_pilots(wide, Constraints(k=8, max_per_province=1)) is s    # cached
    True
    """
    return _select(ranking_scenario(scenario).to_json(),
                   json.dumps(constraints.to_dict(), sort_keys=True))


def p_top_k_at(acceptability, k: int) -> pd.Series:
    """P(rank <= k) of every candidate from SMAA rank-acceptability counts (any k).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> counts = pd.DataFrame([[3, 1, 0], [1, 2, 1], [0, 1, 3]], index=["a", "b", "c"],
    ...                       columns=[1, 2, 3])
    >>> p_top_k_at(SimpleNamespace(counts=counts, draws=4), 2).tolist()
    [1.0, 0.75, 0.25]
    """
    counts = acceptability.counts
    return (counts.iloc[:, :int(k)].sum(axis=1) / acceptability.draws).rename(f"p_top_{k}")


# --------------------------------------------------------------------------- tables

def _digits(value, lang: Lang) -> str:
    return to_persian_digits(str(value)) if lang == "fa" else str(value)


def _join(items: Sequence[str], lang: Lang) -> str:
    return ("، " if lang == "fa" else ", ").join(items)


def _names(table: pd.DataFrame, lang: Lang) -> pd.Series:
    return maps.display_names(table, lang)


def _provinces(table: pd.DataFrame, lang: Lang) -> pd.Series:
    first, second = ("province_name_fa", "province_name") if lang == "fa" else \
        ("province_name", "province_name_fa")
    out = pd.Series(pd.NA, index=table.index, dtype="string")
    for column in (first, second, "province_code"):
        if column in table.columns:
            out = out.fillna(table[column].astype("string"))
    return out


def _display(frame: pd.DataFrame, lang: Lang, decimals: Mapping[str, int]) -> pd.DataFrame:
    """Persian: numeric columns as text with Persian digits; English: numbers stay numbers."""
    if lang != "fa":
        return frame
    out = frame.copy()
    for column, places in decimals.items():
        if column in out.columns:
            out[column] = [format_number(v, lang, decimals=places) for v in out[column]]
    return out


def _pilot_reasons(s: Shortlist, lang: Lang) -> list[str]:
    con, k, pilots, top = s.constraints, s.constraints.k, s.pilots, s.top_k
    top_groups = set(top["peer_group"]) if "peer_group" in top.columns else set()
    shortfall = _tier_shortfall(s)
    reasons = []
    for city, row in pilots.iterrows():  # k rows, not every candidate
        if city in con.must_include:
            reasons.append(tr("sl_why_required", lang))
        elif city in top.index:
            reasons.append(tr("sl_why_top", lang, k=_digits(k, lang)))
        elif con.one_per_peer_group and "peer_group" in row and row["peer_group"] not in \
                top_groups:
            reasons.append(tr("sl_why_peer", lang, group=_digits(row["peer_group"], lang),
                              k=_digits(k, lang)))
        elif shortfall is not None and shortfall(row.get("population")):
            reasons.append(tr("sl_why_tier", lang, k=_digits(k, lang)))
        else:
            reasons.append(tr("sl_why_next", lang))
    return reasons


def _tier_shortfall(s: Shortlist):
    """A test "is this population in a tier the top k has too few of", or None."""
    spec = s.constraints.population_tiers
    if spec is None or "population" not in s.top_k.columns:
        return None
    pop = pd.to_numeric(s.top_k["population"], errors="coerce").to_numpy(dtype=float)
    short = []
    for (low, high), need in zip(spec["tiers"], spec["min_per_tier"], strict=True):
        inside = (pop >= low) & (pop < (np.inf if high is None else high))
        if int(inside.sum()) < need:
            short.append((low, np.inf if high is None else high))

    def test(value) -> bool:
        value = pd.to_numeric(value, errors="coerce")
        return bool(pd.notna(value) and any(lo <= value < hi for lo, hi in short))
    return test


def pilots_table(s: Shortlist, lang: Lang = "en", *, peer_names: pd.Series | None = None,
                 p_top_k: pd.Series | None = None) -> pd.DataFrame:
    """The pilots, best rank first, with why each is there; headers and values in `lang`.

    Parameters
    ----------
    s : Shortlist
    peer_names : pandas.Series, optional
        Group → name (:func:`peer_group_names`), shown when the pilots have peer groups.
    p_top_k : pandas.Series, optional
        P(top k) of every candidate (:func:`p_top_k_at` for the shortlist's k).

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> from citykit.shortlist import shortlist
    >>> s = shortlist(run(Scenario()), Constraints(k=3, max_per_province=1))
    >>> table = pilots_table(s, "fa")
    >>> table.columns.tolist()
    ['رتبه', 'شهر', 'استان', 'جمعیت', 'امتیاز', 'چرا']
    >>> table.iloc[0, 0]
    '۱'
    """
    pilots = s.pilots
    out = pd.DataFrame({
        "rank": pilots["rank"].astype(int), "name": _names(pilots, lang),
        "province": _provinces(pilots, lang)}, index=pilots.index)
    if "population" in pilots.columns:
        out["population"] = pd.to_numeric(pilots["population"], errors="coerce")
    out["score"] = pilots["score"].astype(float)
    k = s.constraints.k
    if p_top_k is not None:
        out["p_top"] = p_top_k.reindex(pilots.index).astype(float)
    if "peer_group" in pilots.columns:
        groups = pilots["peer_group"]
        out["peer"] = groups.map(peer_names) if peer_names is not None else groups.map(
            lambda g: _digits(g, lang))
    out["why"] = _pilot_reasons(s, lang)
    out = _display(out, lang, {"rank": 0, "population": 0, "score": 4})
    if "p_top" in out.columns:
        out["p_top"] = [format_percent(v, lang) for v in out["p_top"]] if lang == "fa" \
            else out["p_top"]
    headers = {"rank": tr("sl_col_rank", lang), "name": tr("sl_col_name", lang),
               "province": tr("sl_col_province", lang),
               "population": tr("sl_col_population", lang), "score": tr("sl_col_score", lang),
               "p_top": tr("sl_col_p_top", lang, k=_digits(k, lang)),
               "peer": tr("sl_col_peer", lang), "why": tr("sl_col_why", lang)}
    return out.rename(columns=headers).reset_index(drop=True)


def left_out_table(s: Shortlist, lang: Lang = "en") -> pd.DataFrame:
    """Cities of the unconstrained top k that are not pilots, and which constraint kept each out.

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> from citykit.shortlist import shortlist
    >>> result = run(Scenario())
    >>> top = result.ranking.ranks.idxmin()
    >>> table = left_out_table(shortlist(result, Constraints(k=3, must_exclude=[top])))
    >>> table.iloc[0].tolist()[-1]
    'excluded (must exclude)'
    """
    con, top, pilots = s.constraints, s.top_k, s.pilots
    out_ids = [c for c in top.index if c not in set(pilots.index)]
    frame = top.loc[out_ids]
    reasons = []
    pilot_provinces = pilots["province_code"].value_counts() if "province_code" in pilots \
        else pd.Series(dtype=int)
    province_names = _provinces(frame, lang)
    pilot_names = _names(pilots, lang)
    for city, row in frame.iterrows():  # at most k rows
        if city in con.must_exclude:
            reasons.append(tr("sl_out_excluded", lang))
            continue
        n_there = int(pilot_provinces.get(row.get("province_code"), 0))
        if con.max_per_province is not None and n_there >= con.max_per_province:
            reasons.append(tr("sl_out_province", lang, province=province_names[city],
                              n=_digits(n_there, lang)))
            continue
        if con.min_distance_km and {"latitude", "longitude"} <= set(pilots.columns):
            km = haversine_km(float(row["latitude"]), float(row["longitude"]),
                              pilots["latitude"].to_numpy(float),
                              pilots["longitude"].to_numpy(float))
            near = int(np.argmin(km))
            if km[near] < con.min_distance_km:
                reasons.append(tr("sl_out_close", lang,
                                  km=format_number(con.min_distance_km, lang),
                                  city=pilot_names.iloc[near]))
                continue
        reasons.append(tr("sl_out_displaced", lang))
    out = pd.DataFrame({"rank": frame["rank"].astype(int), "name": _names(frame, lang),
                        "province": province_names, "score": frame["score"].astype(float),
                        "why": reasons}, index=frame.index)
    out = _display(out, lang, {"rank": 0, "score": 4})
    return out.rename(columns={"rank": tr("sl_col_rank", lang), "name": tr("sl_col_name", lang),
                               "province": tr("sl_col_province", lang),
                               "score": tr("sl_col_score", lang),
                               "why": tr("sl_col_why", lang)}).reset_index(drop=True)


def _binding_detail(s: Shortlist, family: str, fallback: str, peers: PeerGroups | None,
                    lang: Lang) -> str:
    """What a binding family breaks in the top k, in short and by city names (the library's
    own sentence, with ids, is the fallback for a family this view does not know)."""
    con, top, k = s.constraints, s.top_k, _digits(s.constraints.k, lang)
    names = _names(top, lang)
    if family == "max_per_province" and "province_code" in top.columns:
        counts = top["province_code"].value_counts()
        over = counts[counts > con.max_per_province]
        provinces = _provinces(top, lang).groupby(top["province_code"]).first()
        return _join([tr("sl_bind_province", lang, province=provinces[p], n=_digits(n, lang),
                         k=k) for p, n in over.items()], lang)
    if family == "min_distance_km":
        lat, lon = top["latitude"].to_numpy(float), top["longitude"].to_numpy(float)
        km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        i, j = np.nonzero(np.triu(km < con.min_distance_km, 1))
        return _join([tr("sl_bind_distance", lang, a=names.iloc[a], b=names.iloc[b],
                         km=format_number(km[a, b], lang, decimals=0))
                      for a, b in zip(i, j, strict=True)], lang)
    if family == "one_per_peer_group" and peers is not None and "peer_group" in top.columns:
        missing = [g for g in peers.names.index if g not in set(top["peer_group"])]
        return tr("sl_bind_peer", lang, k=k, groups=_join([_digits(g, lang) for g in missing],
                                                          lang))
    labels = {c: n for c, n in zip(top.index, names, strict=True)}
    if family == "must_include":
        missing = [c for c in con.must_include if c not in top.index]
        pilots = _names(s.pilots, lang)
        return tr("sl_bind_include", lang, k=k,
                  cities=_join([str(pilots.get(c, c)) for c in missing], lang))
    if family == "must_exclude":
        return tr("sl_bind_exclude", lang, k=k, cities=_join(
            [labels[c] for c in con.must_exclude if c in labels], lang))
    return fallback


def binding_table(s: Shortlist, lang: Lang = "en", *,
                  peers: PeerGroups | None = None) -> pd.DataFrame:
    """One row per binding constraint: what it breaks in the top k, and what dropping it alone
    would regain (absolute, and as a share of the unconstrained top k's total score).

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> from citykit.shortlist import shortlist
    >>> s = shortlist(run(Scenario()), Constraints(k=5, max_per_province=1))
    >>> table = binding_table(s)
    >>> table.columns.tolist()
    ['Constraint', 'What binds', 'Dropping it alone regains']
    >>> len(table) == len(s.binding)
    True
    """
    rows = []
    for b in s.binding:
        if b.relief is None:
            regain = tr("sl_not_computed", lang)
        else:
            share = b.relief / s.top_k_objective if s.top_k_objective > 0 else None
            regain = format_number(b.relief, lang, decimals=4) + (
                "" if share is None else f" ({format_percent(share, lang, decimals=1)})")
        detail = _binding_detail(s, b.family, b.text, peers, lang)
        rows.append({tr("sl_col_constraint", lang): tr(f"sl_family_{b.family}", lang),
                     tr("sl_col_binds", lang): detail, tr("sl_col_regains", lang): regain})
    return pd.DataFrame(rows, columns=[tr("sl_col_constraint", lang), tr("sl_col_binds", lang),
                                       tr("sl_col_regains", lang)])


def price_summary(s: Shortlist, lang: Lang = "en") -> dict[str, str]:
    """The totals and the price of diversity, formatted: ``total``, ``top_total``, ``price``
    (absolute) and ``price_pct`` (share of the unconstrained top k's total, or "—").

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> s = SimpleNamespace(objective=2.5, top_k_objective=3.0, price_of_diversity=0.5,
    ...                     price_of_diversity_pct=100 * 0.5 / 3.0)
    >>> price_summary(s)
    {'total': '2.5000', 'top_total': '3.0000', 'price': '0.5000', 'price_pct': '16.7%'}
    >>> price_summary(s, "fa")["price_pct"]
    '۱۶٫۷٪'
    """
    pct = s.price_of_diversity_pct
    return {"total": format_number(s.objective, lang, decimals=4),
            "top_total": format_number(s.top_k_objective, lang, decimals=4),
            "price": format_number(s.price_of_diversity, lang, decimals=4),
            "price_pct": format_percent(None if pct is None else pct / 100, lang, decimals=1)}


# --------------------------------------------------------------------------- map

def _hover(table: pd.DataFrame, result: Result, status: str, lang: Lang) -> list[str]:
    ranks, scores, n = result.ranking.ranks, result.ranking.scores, len(result.ranking.scores)
    names, provinces = _names(table, lang), _provinces(table, lang)
    rank_text = [tr("sl_hover_rank", lang, rank=format_number(ranks[c], lang),
                    n=format_number(n, lang), score=format_number(scores[c], lang, decimals=4))
                 for c in table.index]
    lines = [f"<b>{maps.escape_hover(a)}</b><br>{maps.escape_hover(b)}<br>{c}"
             + (f"<br>{status}" if status else "")
             for a, b, c in zip(names, provinces.fillna(""), rank_text, strict=True)]
    if lang == "fa":  # right-to-left lines, as citykit.maps does for its hovers
        lines = [maps.RLM + t.replace("<br>", "<br>" + maps.RLM) for t in lines]
    return lines


def shortlist_map(result: Result, s: Shortlist, lang: Lang = "en") -> go.Figure:
    """The pilots, the top-k cities the constraints left out and the other candidates, over the
    province outlines, on an offline MapLibre map (``white-bg``, bundled geometry).

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> from citykit.shortlist import shortlist
    >>> result = run(Scenario())
    >>> fig = shortlist_map(result, shortlist(result, Constraints(k=4, max_per_province=1)))
    >>> fig.layout.map.style, [t.type for t in fig.data][0]
    ('white-bg', 'choroplethmap')
    >>> len(fig.data[-1].lat)
    4
    """
    from ..shortlist import candidates_from_result

    fig = maps.province_map(result.dataset, lang=lang)
    table = candidates_from_result(result)
    pilots = list(s.pilots.index)
    left_out = [c for c in s.top_k.index if c not in set(pilots)]
    others = table.index[~table.index.isin([*pilots, *left_out])]
    k = _digits(s.constraints.k, lang)
    sizes = maps.marker_sizes(table["population"] if "population" in table else
                              pd.Series(np.nan, index=table.index),
                              top=result.dataset.cities["population"].max())
    layers = ((others, OTHER_COLOUR, 0.55, tr("sl_legend_other", lang), ""),
              (left_out, LEFT_OUT_COLOUR, 0.95, tr("sl_legend_left_out", lang, k=k),
               tr("sl_hover_left_out", lang, k=k)),
              (pilots, PILOT_COLOUR, 0.95, tr("sl_legend_pilot", lang),
               tr("sl_hover_pilot", lang)))
    for ids, colour, opacity, name, status in layers:
        rows = table.loc[list(ids)]
        size = sizes[rows.index].clip(lower=9.0 if status else 4.0)
        if not status:
            size = size.clip(upper=8.0)  # other candidates stay small, behind the pilots
        fig.add_trace(go.Scattermap(
            lat=rows["latitude"].astype(float).tolist(),
            lon=rows["longitude"].astype(float).tolist(), mode="markers",
            marker={"size": size.tolist(), "color": colour, "opacity": opacity},
            customdata=[str(c) for c in rows.index], text=_hover(rows, result, status, lang),
            hovertemplate="%{text}<extra></extra>", name=name))
    title = tr("sl_map_title", lang, k=k)
    fig.update_layout(title_text=maps.RLM + title if lang == "fa" else title, showlegend=True)
    return fig


# --------------------------------------------------------------------------- dossier

@dataclass(frozen=True)
class DossierFiles:
    """The files of a decision dossier, in memory.

    Attributes
    ----------
    files : dict
        File name → bytes (the dossier's outputs and ``manifest.json``), in the order written.
    zip : bytes
        A ZIP archive holding every file of `files`.
    seconds : float
        Time taken to write and read back the dossier.
    """

    files: dict[str, bytes]
    zip: bytes
    seconds: float

    @staticmethod
    def mime(name: str) -> str:
        """The download type of file `name` (``application/octet-stream`` if unknown).

        Examples
        --------
        >>> DossierFiles.mime("brief.html"), DossierFiles.mime("notes")
        ('text/html', 'application/octet-stream')
        """
        suffix = name[name.rfind("."):].lower() if "." in name else ""
        return MIME_TYPES.get(suffix, "application/octet-stream")


def build_dossier(result: Result, shortlist=None, *, lang: Lang = "en",
                  robustness="scenario", zip_name: str = "citykit-dossier",
                  workshop: dict | None = None) -> DossierFiles:
    """Write the dossier with :func:`citykit.export.export_dossier` into a temporary folder and
    return its files as bytes, with a ZIP of them all (the folder is removed afterwards).

    Parameters
    ----------
    result : Result
    shortlist : Shortlist, optional
        The pilots (default: the ranking's top k, see :func:`~citykit.export.export_dossier`).
    lang : {"en", "fa"}
        Language of the brief, the methodology and the reasons.
    robustness : default "scenario"
        Passed to :func:`~citykit.export.export_dossier` (the scenario's own, seeded draws).
    zip_name : str
        Folder name inside the ZIP.
    workshop : dict, optional
        The record of the workshop whose weights the scenario uses (methodology and manifest).

    Raises
    ------
    citykit.exceptions.ExportError
        What :func:`~citykit.export.export_dossier` raises.

    Examples
    --------
    >>> from citykit.scenario import run
    >>> from citykit.scenario import Scenario
    >>> dossier = build_dossier(run(Scenario()), robustness=None)
    >>> sorted(dossier.files)
    ['brief.html', 'candidates.geojson', 'candidates.gpkg', 'dossier.xlsx', 'manifest.json', 'ranking.csv', 'scenario.json', 'shortlist.csv']
    >>> import io, zipfile
    >>> len(zipfile.ZipFile(io.BytesIO(dossier.zip)).namelist())
    8
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citykit-dossier-") as folder:
        dossier = export_dossier(result, folder, shortlist=shortlist, lang=lang,
                                 robustness=robustness, workshop=workshop)
        files = {path.name: path.read_bytes() for path in dossier.paths.values()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{zip_name}/{name}", data)
    return DossierFiles(files, buffer.getvalue(), time.perf_counter() - started)


def dossier_key(scenario: Scenario, lang: Lang) -> str:
    """What a built dossier depends on: the scenario (constraints included) and the language.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> dossier_key(Scenario(), "en") != dossier_key(Scenario(shortlist={"k": 3}), "en")
    True
    """
    return f"{lang}\n{scenario.to_json()}"


def applied_workshop(scenario: Scenario, state) -> dict | None:
    """The record of the workshop whose group weights `scenario` still uses, if any.

    The workshop page keeps the record (``ws_record``) and the weights it applied
    (``ws_record_weights``) in the session; once the weights move, the record no longer
    describes them and is left out.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> state = {"ws_record": {"code": "ABC234"}, "ws_record_weights": {"a": 1.0}}
    >>> applied_workshop(Scenario(weights={"a": 1.0}), state)["code"]
    'ABC234'
    >>> applied_workshop(Scenario(weights={"a": 0.5, "b": 0.5}), state) is None
    True
    """
    record, applied = state.get("ws_record"), state.get("ws_record_weights")
    if record is None or applied is None or scenario.weights != applied:
        return None
    return record
