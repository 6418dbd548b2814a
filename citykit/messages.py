"""Library messages in other languages: an error's code and parameters, said per language.

The library writes its messages in English, where they are built (what is wrong, where,
expected vs got, how to fix it). An error or problem that carries a ``code`` and ``params``
(:class:`citykit.exceptions.CityKitError`, :class:`citykit.exceptions.Problem`) can also be said
in another language: :func:`localise` looks the code up in :data:`MESSAGES` and fills in the
parameters, numbers written in that language's digits. A code without a translation, or an
error without a code, is said in English, as before.

Examples
--------
>>> from citykit.exceptions import Problem
>>> p = Problem("cities.csv", "missing required column 'city_id'; found columns ['id'].",
...             code="missing_column", params={"column": "city_id", "table": "cities"})
>>> localise(p, "fa")
'ستون لازم «city_id» نیست.'
>>> localise(p, "en") == p.message
True
"""

from __future__ import annotations

from collections.abc import Mapping

from .exceptions import FrameworkError, _cut
from .i18n import format_number

__all__ = ["MESSAGES", "localise", "localise_fix"]

#: Message templates by language and code; ``{name}`` is filled from the params. A code may
#: have a ``<code>.fix`` entry for the fix.
MESSAGES: dict[str, dict[str, str]] = {
    "fa": {
        "problems": "{n} مشکل در {what}:",
        "more": " و {n} ردیف دیگر",
        "what_data": "داده‌ها",
        "what_framework": "چارچوب",
        "missing_column": "ستون لازم «{column}» نیست.",
        "missing_column.fix": "این ستون را بیفزایید (datasets/README.md، جدول «{table}»).",
        "not_a_number": "عدد انتظار می‌رفت، اما آمده است: {examples}.",
        "not_a_number.fix": "عددها را با ممیز و بی‌واحد بنویسید؛ مقدار گمشده را خالی بگذارید "
                            "(هرگز ۰).",
        "empty_id": "ستون «{column}» در ردیف‌های {rows}{more} خالی است.",
        "empty_id.fix": "به هر ردیف یک «{column}» بدهید.",
        "duplicate_id": "«{column}» تکراری {ids} در ردیف‌های {rows}{more}.",
        "duplicate_id.fix": "هر «{column}» تنها یک بار بیاید؛ تکراری‌ها را یکی کنید یا شمارهٔ "
                            "تازه بدهید.",
        "unknown_id": "«{column}» ناشناخته {ids} (ردیف‌های {rows}{more})؛ باید یکی از شناسه‌های "
                      "{target} باشد.",
        "unknown_id.fix": "شناسه‌ها را درست کنید یا آنها را به {target} بیفزایید.",
        "year_not_whole": "سال در ردیف‌های {rows}{more} عدد درست نیست.",
        "year_not_whole.fix": "سال مرجع را بنویسید، مثلاً ۲۰۱۶.",
        "repeated_value": "{n} ردیف همان entity_id، level، indicator و year را تکرار می‌کنند "
                          "(ردیف‌های {rows}{more}).",
        "repeated_value.fix": "برای هر موجودیت، شاخص و سال تنها یک مقدار نگه دارید.",
        "framework_no_data": "هیچ‌یک از مؤلفه‌های چارچوب «{framework}» در مجموعه دادهٔ "
                             "«{dataset}» داده ندارد.",
        "framework_no_data.fix": "مؤلفه‌هایش را به شاخص‌های مجموعه داده نگاشت کنید (citykit "
                                 "frameworks).",
        "too_few_eligible": "پس از قاعدهٔ «{rule}» تنها {n} نامزد مانده است؛ دست‌کم {need} لازم "
                            "است. قاعده‌ها را سبک‌تر کنید یا دستهٔ دیگری از شهرهای نامزد "
                            "برگزینید (در نوار کناری: «شهرهای نامزد»).",
        "too_few_candidates": "برای رتبه‌بندی دست‌کم ۲ نامزد لازم است؛ {n} نامزد مانده است. "
                              "قاعده‌های نامزدی یا حداقل جمعیت را سبک‌تر کنید.",
        "shortlist_conflict": "هیچ فهرست کوتاهی همهٔ این محدودیت‌ها را با هم برآورده نمی‌کند: "
                              "{families}. یکی از آنها را سبک‌تر کنید. (چرایی، به انگلیسی: "
                              "{detail})",
        "family_k": "تعداد شهرهای آزمایشی (k)",
        "family_max_per_province": "سقف شهر در هر استان",
        "family_max_per_region": "سقف شهر در هر منطقه",
        "family_min_distance_km": "کمترین فاصله",
        "family_population_tiers": "ردهای جمعیت",
        "family_one_per_peer_group": "یک شهر از هر گروه همتا",
        "family_must_include": "حتماً باشد",
        "family_must_exclude": "حتماً نباشد",
        "family_budget": "بودجه",
        "family_min_readiness": "کمترین امتیاز آمادگی",
    },
}


def _value(value, lang: str, name: str = ""):
    """A parameter as text in `lang`: numbers in its digits, lists joined; ``more`` (rows not
    listed) as " and N more" in words."""
    if name == "more":
        n = int(value or 0)
        return "" if n <= 0 else MESSAGES.get(lang, {}).get("more", " +{n}").format(
            n=format_number(n, lang))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, list | tuple):
        return "، ".join(str(_value(v, lang)) for v in value) if lang == "fa" else \
            ", ".join(str(_value(v, lang)) for v in value)
    return value


def _said(code: str | None, params: Mapping | None, lang: str, suffix: str = "") -> str | None:
    table = MESSAGES.get(lang, {})
    template = table.get(f"{code}{suffix}") if code else None
    if template is None:
        return None
    values = {k: _value(v, lang, k) for k, v in (params or {}).items()}
    if code == "shortlist_conflict":  # the conflicting families by name
        values["families"] = "، ".join(table.get(f"family_{f}", f)
                                       for f in (params or {}).get("families", ()))
    try:  # bounded as the English message is: params may quote a file's values
        return _cut(template.format(**values))
    except (KeyError, IndexError, ValueError):  # a template and its params out of step
        return None


def localise(error, lang: str = "en") -> str:
    """What `error` (a CityKitError, a Problem, any exception) says, in `lang`.

    A Problem gives its message (its file, row and column are shown apart); an error that lists
    problems gives a heading and one line per problem; an error with a known code its template.
    English, or anything without a translation, gives the English text.
    """
    code, params = getattr(error, "code", None), getattr(error, "params", None)
    if hasattr(error, "message") and hasattr(error, "file"):  # a Problem
        return (_said(code, params, lang) if lang != "en" else None) or error.message
    if lang == "en":
        return str(error)
    problems = list(getattr(error, "problems", None) or [])
    if problems and any(getattr(p, "code", None) for p in problems):
        what = "what_framework" if isinstance(error, FrameworkError) else "what_data"
        table = MESSAGES.get(lang, {})
        lines = [table.get("problems", "{n}:").format(n=format_number(len(problems), lang),
                                                      what=table.get(what, ""))]
        for p in problems:
            where = ", ".join(str(part) for part in (p.file, p.row, p.column) if part is not None)
            lines.append(f"  - {where}: {localise(p, lang)}")
        return "\n".join(lines)
    return _said(code, params, lang) or str(error)


def localise_fix(problem, lang: str = "en") -> str | None:
    """A Problem's fix in `lang` (the English fix when the code has no translated one)."""
    if lang != "en":
        said = _said(getattr(problem, "code", None), getattr(problem, "params", None), lang,
                     ".fix")
        if said:
            return said
    return problem.fix
