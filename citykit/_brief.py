"""The words and the page of the decision dossier: methodology, pilots' reasons, the HTML brief.

Private to :mod:`citykit.export`. Every sentence exists in English and Persian; numbers in
Persian text use Persian digits. The brief is one HTML file that needs nothing from outside: the
plotly.js bundle is inlined once, the maps use MapLibre's ``white-bg`` style and the dataset's
own geometry, and in Persian the bundled Vazirmatn font is embedded as a ``data:`` URL.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import __version__
from .maps import FONT_FILE, city_map, escape_hover, format_number, sources_table
from .ranking import criterion_groups
from .text import to_persian_digits

RLM = "\u200f"
PROVENANCE_NOTE = {
    "en": {"own": "", "urban-centre": "urban-centre value", "proxy-county": "county value",
           "proxy-province": "province value",
           "missing": "missing", "imputed": "imputed ({policy})"},
    "fa": {"own": "", "urban-centre": "مقدار مرکز شهری", "proxy-county": "مقدار شهرستان",
           "proxy-province": "مقدار استان",
           "missing": "گمشده", "imputed": "برآوردی ({policy})"},
}
METHODS = {
    "en": {"wsum": "weighted sum", "geometric": "weighted geometric mean", "topsis": "TOPSIS",
           "vikor": "VIKOR", "promethee2": "PROMETHEE II"},
    "fa": {"wsum": "مجموع وزنی", "geometric": "میانگین هندسی وزنی", "topsis": "TOPSIS",
           "vikor": "VIKOR", "promethee2": "PROMETHEE II"},
}
TEXT = {
    "en": {
        "title": "Smart-city pilots: decision brief",
        "nav": ("Pilots", "Map", "Ranking", "Robustness", "Reasons", "Methodology", "Sources"),
        "said": "What can be said with confidence",
        "lead": "{n_pilots} pilot cities among {n} eligible candidates of the dataset “{dataset}”,"
                " ranked by {method} on {normalisation}-normalised values{framework}.",
        "framework": " in the framework “{name}”",
        "topk": "No shortlist was given: the pilots are the top {k} of the ranking.",
        "given": "The pilots are the shortlist given to the export (see the methodology).",
        "tie": "The cut falls inside a tie: {names} share rank {rank} with the last pilot and "
               "are left out only by the order of their ids.",
        "cols": {"pilot": "#", "rank": "Rank", "city": "City", "province": "Province",
                 "score": "Score", "population": "Population", "proxy": "Proxy values",
                 "p": "P(top-{k})", "interval": "Rank interval", "mark": "Pilot"},
        "map_title": "Pilots in colour, numbered as in the table; other cities in grey (marker area ~ population)",
        "ranking_note": "The best {n} candidates{plus}. Rank 1 is the best; tied scores share "
                        "the lowest rank. Proxy values: share of a city's values that are its "
                        "county's or province's figures.",
        "ranking_plus": " and the pilots ranked below them",
        "robust_none": "Robustness was not computed for this dossier (no Monte-Carlo result was "
                       "given to the export). The ranks have no uncertainty interval: treat "
                       "small differences in score with caution.",
        "robust_p": "Probability of ranking in the top {k} across the Monte-Carlo runs",
        "robust_interval": "Rank interval across the Monte-Carlo runs",
        "strengths": "Strengths", "weaknesses": "Weaknesses", "none": "none",
        "readiness_strengths": "Readiness: strengths",
        "readiness_weaknesses": "Readiness: weaknesses",
        "need_more": "Need: more than most candidates",
        "need_less": "Need: less than most candidates",
        "reasons_note": "Strengths and weaknesses are the criteria where the city is furthest "
                        "above or below the median of the ranked candidates, on the normalised "
                        "scale (higher is better), ordered by weight × gap.",
        "reasons_note_need": "Readiness criteria say whether a pilot is likely to succeed in "
                             "the city (strengths and weaknesses); need criteria say whether "
                             "the city would benefit: more need than most candidates means a "
                             "pilot would serve more need there, and is not a weakness.",
        "higher": "higher than most candidates", "lower": "lower than most candidates",
        "more_need": "{relation} — more need: a pilot would serve more need here",
        "less_need": "{relation} — less need than most",
        "pilot_line": "Rank {rank} · score {score} · {province} · population {population}",
        "proxy_line": "{share} of this city's values are county or province figures standing "
                      "in for the city.",
        "robust_line": "P(top-{k}) {p} · rank interval {interval}",
        "reason": "{name}: {raw} (median {raw_median}; normalised {norm} vs median "
                  "{median}{note}): {relation}",
        "sources_note": "Every source with its licence and the attribution it requires.",
        "font": "",
        "footer": "Made with citykit {version}. scenario.json re-creates this dossier "
                  "(citykit export --scenario scenario.json); manifest.json lists the dataset's "
                  "checksums and the SHA-256 of every file.",
    },
    "fa": {
        "title": "طرح‌های آزمایشی شهر هوشمند: گزارش تصمیم",
        "said": "آنچه با اطمینان می‌توان گفت",
        "nav": ("شهرهای آزمایشی", "نقشه", "رتبه‌بندی", "پایداری", "دلایل", "روش‌شناسی",
                "منابع"),
        "lead": "{n_pilots} شهر آزمایشی از میان {n} نامزد واجد شرایط مجموعه دادهٔ «{dataset}»، "
                "رتبه‌بندی‌شده با روش {method} بر مقادیر نرمال‌شده با روش {normalisation}"
                "{framework}.",
        "framework": " در چارچوب «{name}»",
        "topk": "فهرست کوتاهی داده نشده بود: شهرهای آزمایشی {k} شهر نخست رتبه‌بندی‌اند.",
        "given": "شهرهای آزمایشی همان فهرست کوتاهِ داده‌شده به خروجی‌اند (روش‌شناسی را ببینید).",
        "tie": "برش در میان شهرهای هم‌رتبه افتاده است: {names} با آخرین شهر آزمایشی در رتبهٔ "
               "{rank} برابرند و تنها به ترتیب شناسه کنار مانده‌اند.",
        "cols": {"pilot": "#", "rank": "رتبه", "city": "شهر", "province": "استان",
                 "score": "امتیاز", "population": "جمعیت", "proxy": "مقادیر جانشین",
                 "p": "احتمال حضور در {k} نخست", "interval": "بازهٔ رتبه", "mark": "آزمایشی"},
        "map_title": "شهرهای آزمایشی رنگی و شماره‌دار، مانند جدول؛ دیگر شهرها خاکستری (مساحت نشانه متناسب با جمعیت)",
        "ranking_note": "{n} نامزد برتر{plus}. رتبهٔ ۱ بهترین است؛ امتیازهای برابر کمترین رتبه را "
                        "به اشتراک دارند. مقادیر جانشین: سهم مقادیری از شهر که رقم شهرستان یا "
                        "استان آن است.",
        "ranking_plus": " و شهرهای آزمایشیِ پایین‌تر از آنها",
        "robust_none": "پایداری رتبه‌ها برای این گزارش محاسبه نشده است (نتیجهٔ مونت‌کارلو به "
                       "خروجی داده نشد). رتبه‌ها بازهٔ عدم قطعیت ندارند: تفاوت‌های کوچک امتیاز "
                       "را با احتیاط تفسیر کنید.",
        "robust_p": "احتمال حضور در {k} رتبهٔ نخست در اجراهای مونت‌کارلو",
        "robust_interval": "بازهٔ رتبه در اجراهای مونت‌کارلو",
        "strengths": "نقاط قوت", "weaknesses": "نقاط ضعف", "none": "هیچ",
        "readiness_strengths": "آمادگی: نقاط قوت",
        "readiness_weaknesses": "آمادگی: نقاط ضعف",
        "need_more": "نیاز: بیشتر از بیشتر نامزدها",
        "need_less": "نیاز: کمتر از بیشتر نامزدها",
        "reasons_note_need": "معیارهای آمادگی نشان می‌دهند که آیا طرح آزمایشی در شهر به احتمال "
                             "زیاد موفق می‌شود (نقاط قوت و ضعف)؛ معیارهای نیاز نشان می‌دهند که "
                             "آیا شهر از آن سود می‌برد: نیاز بیشتر از بیشتر نامزدها یعنی طرح "
                             "آزمایشی در آنجا به نیاز بیشتری پاسخ می‌دهد و نقطهٔ ضعف نیست.",
        "higher": "بالاتر از بیشتر نامزدها", "lower": "پایین‌تر از بیشتر نامزدها",
        "more_need": "{relation} — نیاز بیشتر: طرح آزمایشی در اینجا به نیاز بیشتری پاسخ می‌دهد",
        "less_need": "{relation} — نیاز کمتر از بیشتر نامزدها",
        "reasons_note": "نقاط قوت و ضعف معیارهایی‌اند که شهر در آنها بیشترین فاصله را بالاتر یا "
                        "پایین‌تر از میانهٔ نامزدهای رتبه‌بندی‌شده دارد، بر مقیاس نرمال‌شده (بالاتر "
                        "بهتر)، به ترتیب وزن × فاصله.",
        "pilot_line": "رتبهٔ {rank} · امتیاز {score} · {province} · جمعیت {population}",
        "proxy_line": "{share} از مقادیر این شهر ارقام شهرستان یا استان‌اند که به جای شهر به کار "
                      "رفته‌اند.",
        "robust_line": "احتمال حضور در {k} نخست {p} · بازهٔ رتبه {interval}",
        "reason": "{name}: {raw} (میانه {raw_median}؛ نرمال‌شده {norm} در برابر میانهٔ "
                  "{median}{note}): {relation}",
        "sources_note": "همهٔ منابع با مجوز و انتسابی که می‌خواهند.",
        "font": "قلم: وزیرمتن (Vazirmatn)، با مجوز SIL Open Font License 1.1، درون همین پرونده.",
        "footer": "ساخته‌شده با citykit {version}. پروندهٔ scenario.json این گزارش را دوباره "
                  "می‌سازد (citykit export --scenario scenario.json)؛ manifest.json چکیده‌های "
                  "مجموعه داده و SHA-256 هر پرونده را فهرست می‌کند.",
    },
}


# --------------------------------------------------------------------------- small formats

def _num(value, lang: str) -> str:
    return format_number(value, lang)


def _fixed(value, lang: str, decimals: int = 3) -> str:
    if value is None or pd.isna(value):
        return "—"
    return to_persian_digits(float(value), decimals=decimals) if lang == "fa" \
        else f"{float(value):.{decimals}f}"


def _pct(value, lang: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    whole = round(float(value) * 100)
    return f"{to_persian_digits(whole)}٪" if lang == "fa" else f"{whole}%"


def _int(value, lang: str) -> str:
    return to_persian_digits(int(value)) if lang == "fa" else str(int(value))


def _range(low, high, lang: str) -> str:
    """A rank interval: ``3–8``, or ``۳ تا ۸`` (a dash between digits flips in Persian text)."""
    return f"{_num(low, lang)} تا {_num(high, lang)}" if lang == "fa" else \
        f"{_num(low, lang)}–{_num(high, lang)}"


def _join(items, lang: str) -> str:
    return ("، " if lang == "fa" else ", ").join(str(i) for i in items)


def provenance_note(provenance: object, lang: str = "en") -> str:
    """How a value's provenance reads in `lang` ("" for a city's own value)."""
    text = str(provenance)
    notes = PROVENANCE_NOTE[lang]
    if text.startswith("imputed"):
        return notes["imputed"].format(policy=text.removeprefix("imputed-") or "?")
    return notes.get(text, text)


# --------------------------------------------------------------------------- reasons

def pilot_reasons(ranking, city: str, *, lang: str = "en", n: int = 3,
                  isolate: bool = False) -> list[dict]:
    """Where a city stands out, as rows with a sentence each (provenance included).

    The rows of :meth:`citykit.ranking.Ranking.strengths_weaknesses`: readiness (or overall)
    ``strength``/``weakness``, and need signals ``need`` (more need than most candidates: a
    pilot would serve more need) and ``less-need``, never called strengths or weaknesses.

    ``isolate=True`` wraps each value with its (often Latin) unit in Unicode directional
    isolates, so that it reads in order inside Persian text (for display; not for tables).
    """
    rows = ranking.strengths_weaknesses(city, n=n)
    crit = ranking.matrix.criteria
    out = []
    for row in rows.itertuples(index=False):
        name = crit.at[row.criterion, f"name_{lang}"] if f"name_{lang}" in crit.columns else None
        name = str(name) if name is not None and not pd.isna(name) else str(row.criterion)
        unit = crit.at[row.criterion, "unit"] if "unit" in crit.columns else None
        suffix = "" if unit is None or pd.isna(unit) else f" {unit}"
        raw, raw_median = _num(row.raw, lang) + suffix, _num(row.raw_median, lang) + suffix
        if isolate:
            raw, raw_median = f"\u2068{raw}\u2069", f"\u2068{raw_median}\u2069"
        note = provenance_note(row.provenance, lang)
        relation = TEXT[lang][row.relation]             # "higher/lower than most candidates"
        if row.kind in ("need", "less-need"):
            relation = TEXT[lang]["more_need" if row.kind == "need" else "less_need"].format(
                relation=relation)
        text = TEXT[lang]["reason"].format(
            name=name, raw=raw, raw_median=raw_median, norm=_fixed(row.normalised, lang, 2),
            median=_fixed(row.peer_median, lang, 2),
            note=(("؛ " if lang == "fa" else "; ") + note) if note else "", relation=relation)
        out.append({"kind": row.kind, "group": row.group, "criterion": row.criterion,
                    "name": name, "provenance": row.provenance, "note": note, "text": text})
    return out


# --------------------------------------------------------------------------- methodology

def _data_step(result, lang):
    ds, prov = result.dataset, result.ranking.matrix.provenance
    counts = prov.stack().astype(str).map(lambda p: "imputed" if p.startswith("imputed")
                                          else p).value_counts()
    total = int(counts.sum())
    share = {k: _pct(counts.get(k, 0) / total if total else 0, lang)
             for k in ("own", "urban-centre", "proxy-county", "proxy-province", "imputed")}
    n = {k: _int(v, lang) for k, v in ds.summary().items()}
    if lang == "fa":
        title = ds.manifest.get("title_fa") or ds.title
        check = ("همهٔ پرونده‌ها با چکیده‌های SHA-256 مجموعه داده مطابقت داشتند" if ds.verified
                 else "پرونده‌ها با چکیده‌ها بررسی نشدند")
        return "داده‌ها", (
            f"مجموعه دادهٔ «{ds.name}»: {title}. {n['cities']} شهر در {n['provinces']} استان؛ "
            f"{n['sources']} منبع (مجوز و انتساب در برگهٔ sources). {check}. از "
            f"{_int(total, lang)} مقدار به‌کاررفته در رتبه‌بندی، {share['own']} مقدار خود شهر، "
            f"{share['urban-centre']} مقدار مرکز شهری (شهر هستهٔ آن)، {share['proxy-county']} مقدار شهرستان، {share['proxy-province']} مقدار استان و "
            f"{share['imputed']} برآوردی است. مقدار جانشین استان وصف استان است، نه شهر.")
    check = ("every file matched the dataset's SHA-256 checksums" if ds.verified
             else "files were NOT verified against checksums")
    return "Data", (
        f"Dataset '{ds.name}': {ds.title}. {n['cities']} cities in {n['provinces']} provinces; "
        f"{n['sources']} sources (licences and attribution in the sources sheet). Integrity: "
        f"{check}. Of the {total:,} values ranked, {share['own']} are the city's own, "
        f"{share['urban-centre']} its urban centre's (as the centre's core city), "
        f"{share['proxy-county']} its county's, {share['proxy-province']} its province's and "
        f"{share['imputed']} imputed. A province value (proxy) describes the province, not the "
        "city.")


def _framework_step(result, lang):
    fw, crit = result.framework, result.ranking.matrix.criteria
    m, n_max = len(crit), int((crit["direction"] == "max").sum())
    years = sorted({str(y) for y in crit["year"].dropna()})
    if lang == "fa":
        about = (f"{fw.name_fa} (شناسه {fw.id}، ویرایش {fw.edition}، {fw.publisher})"
                 if fw is not None else "بدون چارچوب: شاخص‌ها مستقیماً و با جهت تعریف‌شده در "
                 "مجموعه داده رتبه‌بندی شدند")
        return "چارچوب و معیارها", (
            f"{about}. {_int(m, 'fa')} معیار ({_int(n_max, 'fa')} با «بیشتر بهتر است» و "
            f"{_int(m - n_max, 'fa')} با «کمتر بهتر است») در "
            f"{_int(crit['dimension'].nunique(), 'fa')} بُعد؛ سال‌ها: "
            f"{to_persian_digits(_join(years, 'fa'))}.")
    about = (f"{fw.name_en} (id {fw.id}, edition {fw.edition}, {fw.publisher})"
             if fw is not None else "No framework: the indicators are ranked directly, with "
             "their dataset directions")
    return "Framework and criteria", (
        f"{about}. {m} criteria ({n_max} where more is better, {m - n_max} where less is "
        f"better) in {crit['dimension'].nunique()} dimensions; years {_join(years, 'en')}.")


def _eligibility_step(result, lang):
    audit, names_fa = result.audit, result.matrix.names("fa")
    parts = []
    for line in audit.lines:
        if lang == "fa":
            names = _join([names_fa.get(cid, name) for cid, name, _ in line.excluded[:8]], "fa")
            parts.append(f"قاعدهٔ «{line.rule}» ({line.description}): "
                         f"{_int(len(line.excluded), 'fa')} شهر کنار گذاشته شد"
                         + (f" ({names})" if names else "")
                         + f"؛ {_int(line.remaining, 'fa')} شهر ماند.")
        else:
            parts.append(str(line) + ".")
    restricted = result.scenario.candidates
    if lang == "fa":
        head = f"{_int(audit.start, 'fa')} شهر نامزد" + (
            f" (محدود به {_int(len(restricted), 'fa')} شهر انتخاب‌شده)" if restricted else "")
        return "نامزدها و شرایط احراز", " ".join([head + ".", *parts] if parts else
                                                   [head + "؛ بدون قاعدهٔ احراز."])
    head = f"{audit.start} candidate cities" + (
        f" (restricted to {len(restricted)} chosen ones)" if restricted else "")
    return "Candidates and eligibility", " ".join([head + ".", *parts] if parts else
                                                  [head + "; no eligibility rule."])


def _missing_step(result, lang):
    rep = result.missing
    if lang != "fa":
        text = str(rep).removeprefix("missing data: ")
        return "Missing data", text[:1].upper() + text[1:] + "."
    parts = [f"سیاست «{rep.policy}»؛ {_int(rep.missing_before, 'fa')} خانهٔ خالی پیش از اعمال آن"]
    if rep.dropped_criteria:
        parts.append(f"معیارهای حذف‌شده: {_join(rep.dropped_criteria, 'fa')}")
    if rep.dropped_candidates:
        parts.append(f"{_int(len(rep.dropped_candidates), 'fa')} نامزد حذف شد")
    if rep.imputed_cells:
        parts.append(f"{_int(rep.imputed_cells, 'fa')} خانه برآورد شد (برچسب imputed-{rep.policy})")
    return "داده‌های گمشده", "؛ ".join(parts) + "."


def _normalisation_step(result, lang):
    norm = result.ranking.normaliser
    learned = norm.get("learned", {})
    n = learned.get("n_fitted", len(result.ranking.scores))
    keys = [k for k in learned if k not in ("n_fitted", "directions")]
    params = json.dumps(norm.get("params", {}), ensure_ascii=False)
    if lang == "fa":
        return "نرمال‌سازی", (
            f"روش {norm.get('name')} (پارامترها {params})، برازش‌شده بر {_int(n, 'fa')} نامزد "
            f"واجد شرایط؛ آنچه برای هر معیار آموخت ({_join(keys, 'fa')}) در برگهٔ weights آمده "
            "است. افزودن یا حذف یک نامزد این مقادیر و در نتیجه همهٔ امتیازها را تغییر می‌دهد.")
    return "Normalisation", (
        f"{norm.get('name')} (parameters {params}), fitted on the {n} eligible candidates; what "
        f"it learned per criterion ({_join(keys, 'en')}) is in the weights sheet. Adding or "
        "removing a candidate changes these values, and so every score.")


def _weights_step(result, lang):
    spec, w = result.scenario.weights, result.ranking.weights
    crit = result.ranking.matrix.criteria
    top = w.sort_values(ascending=False).head(3)
    col = f"name_{lang}"
    listed = _join([f"{crit.at[c, col]} ({_pct(v, lang)})" for c, v in top.items()], lang)
    fa = lang == "fa"
    if isinstance(spec, dict):
        how = "وزن هر معیار به‌صراحت داده شد" if fa else "weights given for each criterion"
    elif spec == "framework":
        how = ("وزن‌های سلسله‌مراتبی چارچوب: وزن بُعد × وزن مؤلفه در آن، میان شاخص‌های هر "
               "مؤلفه به‌تساوی تقسیم‌شده") if fa else (
            "the framework's hierarchical weights: dimension weight × component weight within "
            "it, split equally among a component's indicators")
    elif spec == "equal":
        how = "وزن برابر برای همهٔ معیارها" if fa else "equal weights for every criterion"
    else:
        how = (f"وزن‌های داده‌محور به روش {spec}، آموخته از نامزدهای واجد شرایط" if fa else
               f"data-driven {spec} weights, learned from the eligible candidates")
    rescaled = result.scenario.normalise_weights
    if fa:
        return "وزن‌دهی", (f"{how}{'؛ وزن‌ها به‌صراحت به مجموع ۱ بازمقیاس شدند' if rescaled else ''}"
                           f". بیشترین وزن‌ها: {listed}. همهٔ وزن‌ها در برگهٔ weights.")
    return "Weights", (f"{how[:1].upper() + how[1:]}{'; explicitly rescaled to sum to 1' if rescaled else ''}"
                       f". Largest: {listed}. All weights are in the weights sheet.")


def _aggregation_step(result, lang):
    r = result.ranking
    method = METHODS[lang].get(r.method, r.method)
    tied = int(r.ranks.duplicated(keep=False).sum())
    params = json.dumps(r.method_params, ensure_ascii=False) if r.method_params else ""
    if lang == "fa":
        better = "امتیاز بالاتر بهتر است" if r.higher_is_better else "امتیاز پایین‌تر بهتر است"
        return "تجمیع و رتبه‌بندی", (
            f"{method} ({r.method}) بر مقادیر نرمال‌شده با روش {r.normalisation}"
            f"{' با پارامترهای ' + params if params else ''}؛ {better}. رتبهٔ ۱ بهترین است و "
            f"امتیازهای برابر کمترین رتبه را به اشتراک دارند ({_int(tied, 'fa')} شهر با شهر "
            "دیگری هم‌رتبه است). امتیاز هر بُعد و زیرشاخص با همین روش بر معیارهای همان گروه و با "
            "وزن‌های بازمقیاس‌شده در گروه محاسبه شد.")
    better = "higher" if r.higher_is_better else "lower"
    return "Aggregation and ranking", (
        f"{method} ('{r.method} on {r.normalisation}'){' with ' + params if params else ''}; "
        f"{better} scores are better. Rank 1 is the best; tied scores share the lowest rank "
        f"({tied} cities share their rank with another). Dimension and sub-index scores use the "
        "same method on each group's criteria, with the weights rescaled within the group.")


def _robustness_step(settings, lang):
    if settings is None:
        return ("پایداری" if lang == "fa" else "Robustness"), TEXT[lang]["robust_none"]
    settings = dict(settings)
    columns, source = settings.pop("columns", {}), settings.pop("source", None)
    listed = _join([f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in settings.items()],
                   lang)
    low, high = columns.get("rank_low"), columns.get("rank_high")
    fa = lang == "fa"
    origin = ("با تنظیمات خود سناریو (scenario.json)، که آن را بازتولیدپذیر می‌کند" if fa
              else "with the Scenario's own settings (scenario.json), so it is reproducible"
              ) if source == "scenario" else ""
    head = ("تحلیل مونت‌کارلو" if fa else "Monte-Carlo analysis") + (f" {origin}" if origin
                                                                     else "")
    parts = [f"{head}: {listed}."]
    if columns.get("p_top_k"):
        parts.append(f"احتمال حضور در k نخست (ستون {columns['p_top_k']}) سهم اجراهایی است که شهر "
                     "در آنها در k رتبهٔ نخست است." if fa else
                     f"P(top-k) (column {columns['p_top_k']}) is the share of runs in which a "
                     "city ranks in the top k.")
    if low and high:
        parts.append(f"بازهٔ رتبه از ستون {low} تا ستون {high} است." if fa else
                     f"The rank interval runs from column {low} to column {high}.")
    return ("پایداری" if fa else "Robustness"), " ".join(parts)


def _shortlist_step(result, pilots, lang):
    names = result.ranking.matrix.names(lang)
    if pilots.mode == "top-k":
        text = TEXT[lang]["topk"].format(k=_int(pilots.k, lang))
        text += (" ترتیب: رتبه، سپس شناسهٔ شهر (city_id) به ترتیب رشته‌ای، مانند citykit.shortlist."
                 if lang == "fa" else " Order: rank, then city_id in string order (as "
                 "citykit.shortlist breaks ties).")
        if pilots.tied_out:
            rank = result.ranking.ranks[pilots.ids[-1]]
            text += " " + TEXT[lang]["tie"].format(
                names=_join([names[c] for c in pilots.tied_out[:10]], lang)
                + (" …" if len(pilots.tied_out) > 10 else ""), rank=_int(rank, lang))
    else:
        info = dict(pilots.info or {})
        if lang == "en" and "explain" in info:
            text = info["explain"]
        else:
            info.pop("explain", None)
            text = TEXT[lang]["given"] + " " + _join(
                [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in info.items()
                 if k in ("constraints", "price_of_diversity", "binding", "optimal")], lang)
    return ("فهرست کوتاه" if lang == "fa" else "Shortlist"), text.strip()


def _reproducibility_step(lang):
    if lang == "fa":
        return "بازتولیدپذیری", (
            "scenario.json همهٔ انتخاب‌های بالا را نگه می‌دارد؛ manifest.json چکیده‌های مجموعه "
            "داده، نسخهٔ citykit و SHA-256 هر پرونده را می‌افزاید. فرمان citykit export "
            "--scenario scenario.json --out DIR گزارش را دوباره می‌سازد و "
            "citykit.export.verify_dossier(DIR) آن را بررسی می‌کند.")
    return "Reproducibility", (
        "scenario.json holds every choice above; manifest.json adds the dataset's checksums, the "
        "citykit version and the SHA-256 of each file. `citykit export --scenario scenario.json "
        "--out DIR` re-creates the dossier and citykit.export.verify_dossier(DIR) checks it.")


def methodology_steps(result, *, pilots, robustness: dict | None, lang: str,
                      conclusions: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The steps of the analysis in words: ``[(title, text), ...]`` (see citykit.export).

    `conclusions` (sentences of :mod:`citykit.conclusions`) follow the robustness step.
    """
    said = [(TEXT[lang]["said"], "\n".join(conclusions))] if conclusions else []
    return [_data_step(result, lang), _framework_step(result, lang),
            _eligibility_step(result, lang), _missing_step(result, lang),
            _normalisation_step(result, lang), _weights_step(result, lang),
            _aggregation_step(result, lang), _robustness_step(robustness, lang), *said,
            _shortlist_step(result, pilots, lang), _reproducibility_step(lang)]


# --------------------------------------------------------------------------- the page

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1d2733;
 line-height:1.5;max-width:1100px;margin:0 auto;padding:1.5rem}
html[lang=fa] body{font-family:Vazirmatn,Tahoma,'DejaVu Sans',sans-serif}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;
 margin-top:2.2rem}h3{margin-bottom:.2rem}
nav a{margin-inline-end:1rem;color:#0b5cad;text-decoration:none}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}
th,td{border-bottom:1px solid #e1e4e8;padding:.3rem .5rem;text-align:start;vertical-align:top;
 overflow-wrap:break-word}.scroll{overflow-x:auto}td:first-child{white-space:nowrap}
th{background:#f4f6f8}td.num{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.pilot{background:#fff6d6}.note{color:#57606a;font-size:.9rem}
.said{background:#eef6ff;border-inline-start:4px solid #0b5cad;padding:.3rem .9rem;margin:.8rem 0}
.warn{background:#fff4e5;border-inline-start:4px solid #e08a00;padding:.5rem .8rem}
.plot{direction:ltr}ol.method li{margin-bottom:.6rem}
@media print{nav{display:none}.plot{break-inside:avoid}}
"""


def _e(value) -> str:
    return html.escape("" if value is None or (not isinstance(value, str) and pd.isna(value))
                       else str(value))


def _table(header: list[str], rows: list[list[tuple[str, bool]]],
           classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = "".join(f'<td class="num">{_e(v)}</td>' if num else f"<td>{_e(v)}</td>"
                        for v, num in row)
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _city_rows(table: pd.DataFrame, lang: str, k: int, robust: bool, *, pilot_no: bool = False):
    c = TEXT[lang]["cols"]
    header = ([c["pilot"]] if pilot_no else []) + [c["rank"], c["city"], c["province"],
                                                   c["score"], c["population"], c["proxy"]]
    has_p, has_int = robust and "p_top_k" in table, robust and {"rank_low", "rank_high"} <= set(table)
    header += ([c["p"].format(k=_int(k, lang))] if has_p else []) + (
        [c["interval"]] if has_int else []) + ([] if pilot_no else [c["mark"]])
    rows = []
    for i, r in enumerate(table.itertuples(index=False), start=1):
        row = ([(_int(i, lang), True)] if pilot_no else []) + [
            (_int(r.rank, lang), True), (getattr(r, f"name_{lang}"), False),
            (getattr(r, f"province_{lang}"), False), (_fixed(r.score, lang), True),
            (_num(r.population, lang), True), (_pct(r.proxy_share, lang), True)]
        if has_p:
            row.append((_pct(r.p_top_k, lang), True))
        if has_int:
            row.append((_range(r.rank_low, r.rank_high, lang), True))
        if not pilot_no:
            row.append(("★" if r.pilot else "", False))
        rows.append(row)
    return header, rows


#: Chromium and Safari refuse MapLibre's web worker in a page opened from disk (file://): the
#: worker is a module blob that imports another blob, which an opaque origin may not load, so
#: the map stays blank. Before plotly.js starts, this swaps such a worker for one built from a
#: data: URL of the same code (nothing is fetched from outside; pages served over http(s) are
#: left alone).
FILE_WORKER_SHIM = """<script>
(function () {
  if (location.protocol !== "file:" || !window.Worker) return;
  var Native = window.Worker, cache = {};
  function read(url) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url, false);
    xhr.send();
    return xhr.responseText || "";
  }
  function FileSafeWorker(url, options) {
    var target = String(url);
    if (target.indexOf("blob:") === 0) {
      try {
        var code = read(target), inner = /^import\\s+"(blob:[^"]+)"/.exec(code);
        var key = inner ? inner[1] : target;
        if (!cache[key]) {
          cache[key] = "data:text/javascript;charset=utf-8," +
            encodeURIComponent(inner ? read(inner[1]) : code);
        }
        target = cache[key];
      } catch (err) { target = String(url); }
    }
    return new Native(target, options);
  }
  FileSafeWorker.prototype = Native.prototype;
  window.Worker = FileSafeWorker;
})();
</script>"""


def _figure_html(fig: go.Figure, div_id: str, first: bool) -> str:
    return pio.to_html(fig, include_plotlyjs=first, full_html=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True},
                       default_width="100%")


#: One colour per pilot on the brief's map (the legend names them: a map drawn offline has no
#: glyphs for text labels).
PILOT_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22", "#7f7f7f")


def _map_figure(result, pilots: list[str], lang: str) -> go.Figure:
    """Every city in grey, each pilot in its own colour, named in the legend by its number."""
    fig = city_map(result.dataset, lang=lang, highlight=[])
    cities = result.dataset.cities
    column = f"name_{lang}"
    for i, city in enumerate(pilots):
        row = cities.loc[city]
        name = row.get(column) if isinstance(row.get(column), str) else row.get("name_en", city)
        label = f"{_int(i + 1, lang)}. {name}"
        fig.add_trace(go.Scattermap(
            lat=[float(row["latitude"])], lon=[float(row["longitude"])], mode="markers",
            marker={"size": 16, "color": PILOT_COLOURS[i % len(PILOT_COLOURS)]},
            name=escape_hover(label), hovertext=[escape_hover(label)],
            hovertemplate="%{hovertext}<extra></extra>"))
    title = TEXT[lang]["map_title"]
    fig.update_layout(title_text=(RLM + title) if lang == "fa" else title,
                      height=max(fig.layout.height or 0, 560 + 22 * ((len(pilots) + 3) // 4)))
    return fig


def _robustness_figure(shown: pd.DataFrame, lang: str, k: int) -> go.Figure | None:
    names = shown[f"name_{lang}"].tolist()[::-1]
    colours = ["#d62728" if p else "#5b7fa6" for p in shown["pilot"].tolist()[::-1]]
    if "p_top_k" in shown:
        trace = go.Bar(x=shown["p_top_k"].tolist()[::-1], y=names, orientation="h",
                       marker={"color": colours})
        title, axis = TEXT[lang]["robust_p"].format(k=_int(k, lang)), {"range": [0, 1]}
    elif {"rank_low", "rank_high"} <= set(shown):
        mid = shown["rank_median"] if "rank_median" in shown else shown["rank"]
        trace = go.Scatter(x=mid.tolist()[::-1], y=names, mode="markers",
                           marker={"color": colours, "size": 9}, error_x={
                               "type": "data", "symmetric": False,
                               "array": (shown["rank_high"] - mid).tolist()[::-1],
                               "arrayminus": (mid - shown["rank_low"]).tolist()[::-1]})
        title, axis = TEXT[lang]["robust_interval"], {"autorange": "reversed"}
    else:
        return None
    fig = go.Figure(trace)
    fig.update_layout(title_text=(RLM + title) if lang == "fa" else title, xaxis=axis,
                      height=140 + 22 * len(shown), margin={"l": 10, "r": 10, "t": 50, "b": 30},
                      yaxis={"automargin": True},
                      font={"family": "Vazirmatn, Tahoma, sans-serif" if lang == "fa" else
                            "Arial, sans-serif"}, paper_bgcolor="white", plot_bgcolor="white")
    return fig


def _reasons_html(result, table: pd.DataFrame, pilots: list[str], lang: str, k: int) -> str:
    t, by_id = TEXT[lang], table.set_index("city_id")
    groups = set(criterion_groups(result.ranking.matrix.criteria))
    sections = _REASON_SECTIONS["national" if groups & {"readiness", "need"} else "overall"]
    parts = [f'<p class="note">{_e(t["reasons_note"])}</p>']
    if "need" in groups:
        parts.append(f'<p class="note">{_e(t["reasons_note_need"])}</p>')
    for i, cid in enumerate(pilots, start=1):
        r = by_id.loc[cid]
        parts.append(f"<h3>{_e(_int(i, lang))}. {_e(r[f'name_{lang}'])}</h3>")
        lines = [t["pilot_line"].format(rank=_int(r["rank"], lang), score=_fixed(r["score"], lang),
                                        province=r[f"province_{lang}"],
                                        population=_num(r["population"], lang))]
        if r["proxy_share"] > 0:
            lines.append(t["proxy_line"].format(share=_pct(r["proxy_share"], lang)))
        if "p_top_k" in by_id or {"rank_low", "rank_high"} <= set(by_id.columns):
            lines.append(t["robust_line"].format(
                k=_int(k, lang), p=_pct(r.get("p_top_k"), lang),
                interval=_range(r.get("rank_low"), r.get("rank_high"), lang)))
        parts += [f"<p>{_e(line)}</p>" for line in lines]
        reasons = pilot_reasons(result.ranking, cid, lang=lang, isolate=lang == "fa")
        for kind, key in sections:
            label = t[key]
            items = [f"<li>{_e(x['text'])}</li>" for x in reasons if x["kind"] == kind]
            parts.append(f"<h4>{_e(label)}</h4><ul>{''.join(items) or '<li>' + _e(t['none'])}"
                         "</ul>")
    return "".join(parts)


#: The reasons' sections (kind, heading key): with sub-indices, readiness then need.
_REASON_SECTIONS = {
    "overall": (("strength", "strengths"), ("weakness", "weaknesses")),
    "national": (("strength", "readiness_strengths"), ("weakness", "readiness_weaknesses"),
                 ("need", "need_more"), ("less-need", "need_less")),
}


def _font_face(lang: str) -> str:
    if lang != "fa" or not FONT_FILE.exists():
        return ""
    data = base64.b64encode(FONT_FILE.read_bytes()).decode("ascii")
    return ("@font-face{font-family:'Vazirmatn';font-weight:100 900;font-display:swap;"
            f"src:url(data:font/woff2;base64,{data}) format('woff2');}}\n")


def render_brief(result, *, table: pd.DataFrame, shortlist, steps, lang: str, k: int,
                 robust: bool, conclusions: Sequence[str] = ()) -> str:
    """The brief as one self-contained HTML document.

    `shortlist` has ``ids``, ``mode`` ("top-k" or "given") and ``tied_out``; `k` is the k of
    P(top-k).
    """
    t, r = TEXT[lang], result.ranking
    pilots = list(shortlist.ids)
    fw = result.framework
    lead = t["lead"].format(
        n_pilots=_int(len(pilots), lang), n=_int(len(table), lang),
        dataset=(result.dataset.manifest.get("title_fa") if lang == "fa" else None)
        or result.dataset.title, method=METHODS[lang].get(r.method, r.method),
        normalisation=r.normalisation,
        framework=t["framework"].format(name=getattr(fw, f"name_{lang}")) if fw else "")
    top = table[(table.index < 20) | table["pilot"]]
    pilot_rows = table.set_index("city_id").loc[pilots].reset_index()
    ids = ("pilots", "map", "ranking", "robustness", "reasons", "methodology", "sources")
    nav = "".join(f'<a href="#{i}">{_e(label)}</a>' for i, label in zip(ids, t["nav"],
                                                                          strict=True))
    intro = t["topk"].format(k=_int(len(pilots), lang)) if shortlist.mode == "top-k" \
        else t["given"]
    if shortlist.tied_out:
        names = table.set_index("city_id")[f"name_{lang}"]
        rank = table.set_index("city_id").at[pilots[-1], "rank"]
        intro += " " + t["tie"].format(
            names=_join([names[c] for c in shortlist.tied_out[:10]], lang)
            + (" …" if len(shortlist.tied_out) > 10 else ""), rank=_int(rank, lang))
    body = [f"<header><h1>{_e(t['title'])}</h1><p>{_e(lead)}</p><nav>{nav}</nav></header>",
            f'<section id="pilots"><h2>{_e(t["nav"][0])}</h2><p>{_e(intro)}</p>',
            _table(*_city_rows(pilot_rows, lang, k, robust, pilot_no=True)),
            (f'<div class="said"><h3>{_e(t["said"])}</h3><ul>'
             + "".join(f"<li>{_e(line)}</li>" for line in conclusions) + "</ul></div>")
            if conclusions else "", "</section>",
            f'<section id="map"><h2>{_e(t["nav"][1])}</h2><div class="plot">',
            FILE_WORKER_SHIM,
            _figure_html(_map_figure(result, pilots, lang), "citykit-map", True), "</div></section>"]
    header, rows = _city_rows(top, lang, k, robust)
    note = t["ranking_note"].format(n=_int(min(20, len(table)), lang),
                                    plus=t["ranking_plus"] if len(top) > 20 else "")
    body += [f'<section id="ranking"><h2>{_e(t["nav"][2])}</h2><p class="note">{_e(note)}</p>',
             _table(header, rows, ["pilot" if p else "" for p in top["pilot"]]), "</section>",
             f'<section id="robustness"><h2>{_e(t["nav"][3])}</h2>']
    fig = _robustness_figure(top, lang, k) if robust else None
    body.append(f'<div class="plot">{_figure_html(fig, "citykit-robustness", False)}</div>'
                if fig is not None else f'<p class="warn">{_e(t["robust_none"])}</p>')
    items = "".join(f"<li><strong>{_e(s)}.</strong> {_e(x).replace(chr(10), '<br>')}</li>"
                    for s, x in steps)
    sources = sources_table(result.dataset, lang=lang)
    body += ["</section>", f'<section id="reasons"><h2>{_e(t["nav"][4])}</h2>',
             _reasons_html(result, table, pilots, lang, k), "</section>",
             f'<section id="methodology"><h2>{_e(t["nav"][5])}</h2><ol class="method">{items}'
             "</ol></section>", f'<section id="sources"><h2>{_e(t["nav"][6])}</h2>'
             f'<p class="note">{_e(t["sources_note"])}</p>',
             _table(list(sources.columns), [[(v, False) for v in row] for row in
                                             sources.itertuples(index=False)]),
             f'<p class="note">{_e(t["font"])}</p>' if t["font"] else "", "</section>",
             f'<footer><p class="note">{_e(t["footer"].format(version=__version__))}</p></footer>']
    direction = "rtl" if lang == "fa" else "ltr"
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
            '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
            f'initial-scale=1">\n<title>{_e(t["title"])}</title>\n'
            f"<style>\n{_font_face(lang)}{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
