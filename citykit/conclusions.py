"""What can be said with confidence about a ranking, in plain words (English and Persian).

:func:`conclusions` reads the numbers the robustness analysis computes and returns a short list
of :class:`Finding` objects; :func:`render` turns them into sentences. Each finding keeps the
figures it rests on, so a test (or a sceptical reader) can check every claim against them.

The findings, in the order they are said:

``confident``
    The cities in the top k under at least :data:`CONFIDENT` (90 %) of the weight draws *and*
    under every aggregation method: the safe part of a shortlist. When none is, that is said.
``unlikely``
    The cities in the top k under fewer than :data:`UNLIKELY` (10 %) of the weight draws.
``ties``
    Runs of neighbours in the ranking whose scores differ by less than :data:`TIE_GAP` (0.01
    on the method's score scale) and that reach into the best 2k ranks: their order should be
    read as a tie.
``leader``
    Whether every method ranks the same city first, or which method puts which city first.
``variance``
    How much of the rank variation across the choices tried comes from the method, the weights,
    the normalisation and missing data (:func:`citykit.robustness.choice_sensitivity`).
``frameworks``
    Whether the scenario's framework agrees with the other standard frameworks (Kendall's tau
    of at least :data:`AGREE_TAU`) or disagrees (below :data:`DISAGREE_TAU`).

Examples
--------
>>> from citykit.robustness import robustness
>>> from citykit.scenario import Scenario, run
>>> result = run(Scenario())
>>> found = conclusions(result, robustness(result))
>>> [f.kind for f in found]
['confident', 'unlikely', 'ties', 'leader']
>>> found[0].cities
('144448', '418863')
>>> render(found, result, "en")[:2]  # doctest: +NORMALIZE_WHITESPACE
['Ahvaz and Isfahan are in the top 5 under at least 90% of 2,000 weight draws and under all 5
  methods: the safest choices.', 'Karaj is in the top 5 under at least 90% of the weight draws,
  but not under every method (outside it under: weighted geometric mean).']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .agreement import candidate_labels, rankings_by_method
from .i18n import format_number, format_percent, register, tr

__all__ = ["AGREE_TAU", "CONFIDENT", "DISAGREE_TAU", "TIE_GAP", "UNLIKELY", "Finding",
           "conclusions", "render"]

#: Share of weight draws at or above which a city's top-k place counts as confident.
CONFIDENT = 0.90
#: Share of weight draws below which a top-k place counts as unlikely.
UNLIKELY = 0.10
#: Score difference below which two neighbours in the ranking are effectively tied.
TIE_GAP = 0.01
#: Most cities a sentence names; the rest are counted ("and 12 more").
MAX_NAMED = 6
#: Kendall's tau from which two frameworks' rankings agree, and below which they disagree.
AGREE_TAU, DISAGREE_TAU = 0.5, 0.3

_FACTORS = ("method", "weights", "normalisation", "missing")


@dataclass(frozen=True)
class Finding:
    """One conclusion and the figures behind it.

    Attributes
    ----------
    kind : str
        ``confident``, ``unlikely``, ``ties``, ``leader``, ``variance`` or ``frameworks``.
    cities : tuple of str
        The candidate ids it names (for ``ties``: every city of every tied run).
    values : dict
        The figures it rests on (shares, scores, tau, method names…), by name.
    """

    kind: str
    cities: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)


def conclusions(result, acceptability, *, methods: Mapping | None = None, choices=None,
                frameworks=None, reference: str | None = None) -> list[Finding]:
    """The conclusions a working group can draw with confidence from a ranking.

    Parameters
    ----------
    result : citykit.scenario.Result
    acceptability : citykit.robustness.Acceptability
        The weight draws (:func:`citykit.robustness.robustness`).
    methods : mapping, optional
        Method -> Ranking or error (:func:`citykit.agreement.rankings_by_method`); computed
        from `result` when not given (five re-rankings, milliseconds).
    choices : citykit.robustness.ChoiceSensitivity, optional
        Adds the ``variance`` finding.
    frameworks : citykit.robustness.FrameworkSensitivity, optional
        Adds the ``frameworks`` finding, comparing `reference` (default: the scenario's
        framework) with the others.

    Returns
    -------
    list of Finding
    """
    ranking = result.ranking
    k = int(acceptability.top_k)
    methods = rankings_by_method(result) if methods is None else methods
    ranked = {m: r.ranks for m, r in methods.items() if hasattr(r, "ranks")}
    p_top = acceptability.p_top_k.reindex(ranking.scores.index)
    in_all = pd.concat([(r.reindex(p_top.index) <= k) for r in ranked.values()], axis=1).all(axis=1)
    order = ranking.ranks.sort_values(kind="stable").index
    out = []
    common = {"k": k, "draws": int(acceptability.draws), "methods": len(ranked)}

    sure = [c for c in order if p_top[c] >= CONFIDENT and in_all[c]]
    # likely under the weights, but out of the top k under some method: said apart
    split = {c: [m for m, r in ranked.items() if not r.get(c, np.inf) <= k]
             for c in order if p_top[c] >= CONFIDENT and not in_all[c]}
    out.append(Finding("confident", tuple(sure), {
        **common, "threshold": CONFIDENT, "p_top_k": {c: float(p_top[c]) for c in sure},
        "method_dependent": split}))
    unlikely = [c for c in order if p_top[c] < UNLIKELY]
    if unlikely:
        out.append(Finding("unlikely", tuple(unlikely), {
            **common, "threshold": UNLIKELY,
            "p_top_k": {c: float(p_top[c]) for c in unlikely}}))

    # ties that matter for the shortlist: runs reaching into the best 2k ranks
    near = set(order[:2 * k])
    runs = [run for run in _tied_runs(ranking.scores.reindex(order)) if near & set(run)]
    if runs:
        out.append(Finding("ties", tuple(c for run in runs for c in run), {
            "gap": TIE_GAP, "runs": [list(run) for run in runs],
            "scores": {c: float(ranking.scores[c]) for run in runs for c in run}}))

    leaders = {m: str(r.sort_values(kind="stable").index[0]) for m, r in ranked.items()}
    out.append(Finding("leader", tuple(dict.fromkeys(leaders.values())),
                       {"leaders": leaders, "methods": len(ranked)}))

    if choices is not None:
        shares = {f: float(choices.shares.get(f, 0.0)) for f in _FACTORS}
        shares["interactions"] = float(choices.shares.get("interactions", 0.0))
        out.append(Finding("variance", (), {"shares": shares, "draws": int(choices.draws)}))

    if frameworks is not None:
        reference = reference or result.scenario.framework
        tau = frameworks.kendall_tau
        if reference in tau.index and len(tau.index) > 1:
            others = tau.loc[reference].drop(reference).dropna().sort_values(ascending=False)
            if len(others):
                out.append(Finding("frameworks", (), {
                    "reference": reference, "tau": {f: float(t) for f, t in others.items()},
                    "agree": [f for f, t in others.items() if t >= AGREE_TAU],
                    "disagree": [f for f, t in others.items() if t < DISAGREE_TAU]}))
    return out


def _tied_runs(scores: pd.Series) -> list[tuple[str, ...]]:
    """Groups of rank neighbours (scores in rank order) whose highest and lowest scores differ
    by less than :data:`TIE_GAP`, formed from the top: every member is within the gap of every
    other (a chain of small steps is not a tie)."""
    values = scores.to_numpy(dtype=float)
    ids = scores.index.astype(str)
    # ascending in rank order whether higher or lower scores are better (VIKOR's Q)
    ordered = values if len(values) < 2 or values[0] <= values[-1] else -values
    # end[i]: one past the last neighbour within the gap of the i-th score
    end = np.searchsorted(ordered, ordered + TIE_GAP, side="left")
    runs, i = [], 0
    while i < len(values):
        j = max(int(end[i]), i + 1)
        if j - i > 1:
            runs.append(tuple(ids[i:j]))
        i = j
    return runs


# --------------------------------------------------------------------------- in words

register({
    "en": {
        "cc_heading": "What can be said with confidence",
        "cc_confident": "{cities} {verb} in the top {k} under at least {p} of {draws} weight "
                        "draws and under all {m} methods: the safest choices.",
        "cc_confident_none": "No city is in the top {k} under at least {p} of the {draws} "
                             "weight draws and under all {m} methods: any shortlist of {k} "
                             "depends on the weights or the method chosen.",
        "cc_unlikely": "{cities} {verb} in the top {k} under fewer than {p} of the weight "
                       "draws.",
        "cc_split": "{city} is in the top {k} under at least {p} of the weight draws, but not "
                    "under every method (outside it under: {methods}).",
        "cc_tie": "{cities} score within {gap} of each other ({scores}): read their order as "
                  "a tie.",
        "cc_leader_all": "All {m} methods rank {city} first.",
        "cc_leader_split": "The first place depends on the method: {parts}.",
        "cc_variance": "Of the rank changes across the choices tried, the method explains "
                       "{method}, the weights {weights}, the normalisation {normalisation} and "
                       "the handling of missing data {missing}; their interactions the rest "
                       "({interactions}).",
        "cc_variance_method": "The method matters more than the weights: agree on the method "
                              "before debating weights.",
        "cc_variance_weights": "The weights matter more than the method: the weighting "
                               "workshop is where the ranking is decided.",
        "cc_fw_disagree_all": "{reference} disagrees with every other standard "
                              "framework (Kendall τ from {low} to {high}): the ranking reflects "
                              "its national priorities, not a shared international view.",
        "cc_fw_agree_all": "{reference} agrees with every other standard "
                           "framework (Kendall τ from {low} to {high}).",
        "cc_fw_mixed": "{reference} agrees with {agree} and disagrees with "
                       "{disagree} (Kendall τ from {low} to {high}).",
        "cc_fw_middle": "{reference} agrees only partly with the other standard "
                        "frameworks (Kendall τ from {low} to {high}).",
        "cc_unlikely_many": "{n} cities are in the top {k} under fewer than {p} of the weight "
                            "draws, the best ranked of them {cities}.",
        "cc_more": "{n} more",
        "cc_range": "{high} to {low}",
        "cc_none_of": "none",
        "cc_verb_one": "is",
        "cc_verb_many": "are",
        "cc_and": " and ",
        "cc_comma": ", ",
        "cc_semicolon": "; ",
        "cc_m_wsum": "weighted sum",
        "cc_m_geometric": "weighted geometric mean",
        "cc_m_topsis": "TOPSIS",
        "cc_m_vikor": "VIKOR",
        "cc_m_promethee2": "PROMETHEE II",
    },
    "fa": {
        "cc_heading": "آنچه با اطمینان می‌توان گفت",
        "cc_confident": "{cities} در دست‌کم {p} از {draws} نمونهٔ وزن و با هر {m} روش در "
                        "میان {k} شهر نخست {verb}: مطمئن‌ترین گزینه‌ها.",
        "cc_confident_none": "هیچ شهری در دست‌کم {p} از {draws} نمونهٔ وزن و با هر {m} روش "
                             "در میان {k} شهر نخست نیست: هر فهرست کوتاه {k} شهری به وزن‌ها یا "
                             "روش برگزیده بستگی دارد.",
        "cc_unlikely": "{cities} تنها در کمتر از {p} نمونه‌های وزن در میان {k} شهر نخست "
                       "{verb}.",
        "cc_split": "{city} در دست‌کم {p} نمونه‌های وزن در میان {k} شهر نخست است، اما نه با "
                    "{methods}.",
        "cc_tie": "امتیاز {cities} کمتر از {gap} با هم فاصله دارد ({scores}): ترتیب آنها را "
                  "برابر بخوانید.",
        "cc_leader_all": "هر {m} روش {city} را نخست می‌دانند.",
        "cc_leader_split": "رتبهٔ نخست به روش بستگی دارد: {parts}.",
        "cc_variance": "از جابه‌جایی رتبه‌ها در میان گزینه‌های آزموده، {method} از روش، "
                       "{weights} از وزن‌ها، {normalisation} از نرمال‌سازی و {missing} از شیوهٔ "
                       "رفتار با دادهٔ گمشده می‌آید؛ باقی ({interactions}) از برهم‌کنش آنها.",
        "cc_variance_method": "روش از وزن‌ها مهم‌تر است: پیش از بحث دربارهٔ وزن‌ها بر سر روش "
                              "توافق کنید.",
        "cc_variance_weights": "وزن‌ها از روش مهم‌ترند: رتبه‌بندی در کارگاه وزن‌دهی تعیین "
                               "می‌شود.",
        "cc_fw_disagree_all": "{reference} با هیچ‌یک از دیگر چارچوب‌های استاندارد هم‌سو "
                              "نیست (τ کندال از {low} تا {high}): رتبه‌بندی اولویت‌های ملی آن "
                              "را نشان می‌دهد، نه دیدگاهی مشترک در سطح بین‌المللی.",
        "cc_fw_agree_all": "{reference} با همهٔ دیگر چارچوب‌های استاندارد هم‌سوست "
                           "(τ کندال از {low} تا {high}).",
        "cc_fw_mixed": "{reference} با {agree} هم‌سو و با {disagree} ناهم‌سوست "
                       "(τ کندال از {low} تا {high}).",
        "cc_fw_middle": "{reference} تنها تا اندازه‌ای با دیگر چارچوب‌های استاندارد "
                        "هم‌سوست (τ کندال از {low} تا {high}).",
        "cc_unlikely_many": "{n} شهر تنها در کمتر از {p} نمونه‌های وزن در میان {k} شهر نخست "
                            "هستند؛ بهترینِ آنها {cities}.",
        "cc_more": "{n} شهر دیگر",
        "cc_range": "{high} تا {low}",
        "cc_none_of": "هیچ",
        "cc_verb_one": "است",
        "cc_verb_many": "هستند",
        "cc_and": " و ",
        "cc_comma": "، ",
        "cc_semicolon": "؛ ",
        "cc_m_wsum": "مجموع وزنی",
        "cc_m_geometric": "میانگین هندسی وزنی",
        "cc_m_topsis": "TOPSIS",
        "cc_m_vikor": "VIKOR",
        "cc_m_promethee2": "PROMETHEE II",
    },
})


def _join(items: Sequence[str], lang: str) -> str:
    """``a``, ``a and b``, ``a, b and c`` (Persian: ``a، b و c``); beyond :data:`MAX_NAMED`
    names, the rest are counted."""
    items = list(items)
    if len(items) > MAX_NAMED:
        rest = tr("cc_more", lang, n=format_number(len(items) - MAX_NAMED + 1, lang))
        items = [*items[:MAX_NAMED - 1], rest]
    if len(items) <= 1:
        return "".join(items)
    return tr("cc_comma", lang).join(items[:-1]) + tr("cc_and", lang) + items[-1]


def _framework_name(code: str, lang: str, titles: Mapping[str, str] | None) -> str:
    if titles and code in titles:
        return titles[code]
    try:
        from .frameworks import load_framework

        fw = load_framework(code)
        return getattr(fw, f"name_{lang}", None) or fw.name_en
    except Exception:  # a framework that no longer loads is still named, by its id
        return code


def render(findings: Sequence[Finding], result, lang: str = "en", *,
           names: Mapping[str, str] | None = None,
           framework_titles: Mapping[str, str] | None = None) -> list[str]:
    """The findings as sentences in `lang`, one per finding (plain text: escape it for markdown).

    Parameters
    ----------
    findings : sequence of Finding
    result : citykit.scenario.Result
        Gives the candidates' names (:func:`citykit.agreement.candidate_labels`).
    lang : {"en", "fa"}
    names : mapping, optional
        Candidate id -> label, to use instead.
    framework_titles : mapping, optional
        Framework id -> title, to use instead of loading each framework.
    """
    labels = dict(names) if names is not None else candidate_labels(result, lang).to_dict()
    label = lambda c: str(labels.get(c, c))  # noqa: E731
    number = lambda v: format_number(v, lang)  # noqa: E731
    out = []
    for f in findings:
        v = f.values
        if f.kind == "confident":
            common = dict(k=number(v["k"]), p=format_percent(v["threshold"], lang, decimals=0),
                          draws=number(v["draws"]), m=number(v["methods"]))
            if f.cities:
                out.append(tr("cc_confident", lang, cities=_join([label(c) for c in f.cities],
                                                                  lang),
                              verb=tr("cc_verb_one" if len(f.cities) == 1 else "cc_verb_many",
                                      lang), **common))
            else:
                out.append(tr("cc_confident_none", lang, **common))
            for city, missed in v["method_dependent"].items():
                out.append(tr("cc_split", lang, city=label(city), k=common["k"], p=common["p"],
                              methods=_join([tr(f"cc_m_{m}", lang) for m in missed], lang)))
        elif f.kind == "unlikely" and len(f.cities) > MAX_NAMED:
            out.append(tr("cc_unlikely_many", lang, n=number(len(f.cities)), k=number(v["k"]),
                          p=format_percent(v["threshold"], lang, decimals=0),
                          cities=_join([label(c) for c in f.cities[:3]], lang)))
        elif f.kind == "unlikely":
            out.append(tr("cc_unlikely", lang, cities=_join([label(c) for c in f.cities], lang),
                          verb=tr("cc_verb_one" if len(f.cities) == 1 else "cc_verb_many", lang),
                          k=number(v["k"]),
                          p=format_percent(v["threshold"], lang, decimals=0)))
        elif f.kind == "ties":
            for run in v["runs"]:
                scores = tr("cc_range", lang,
                            high=format_number(v["scores"][run[0]], lang, decimals=3),
                            low=format_number(v["scores"][run[-1]], lang, decimals=3))
                out.append(tr("cc_tie", lang, cities=_join([label(c) for c in run], lang),
                              gap=format_number(v["gap"], lang, decimals=2), scores=scores))
        elif f.kind == "leader":
            leaders = v["leaders"]
            if len(set(leaders.values())) == 1:
                out.append(tr("cc_leader_all", lang, m=number(v["methods"]),
                              city=label(next(iter(leaders.values())))))
            else:
                by_city: dict[str, list[str]] = {}
                for method, city in leaders.items():
                    by_city.setdefault(city, []).append(tr(f"cc_m_{method}", lang))
                parts = tr("cc_semicolon", lang).join(f"{label(c)} ({tr('cc_comma', lang).join(ms)})"
                                  for c, ms in by_city.items())
                out.append(tr("cc_leader_split", lang, parts=parts))
        elif f.kind == "variance":
            shares = {k: format_percent(s, lang, decimals=0) for k, s in v["shares"].items()}
            text = tr("cc_variance", lang, **shares)
            method, weights = v["shares"]["method"], v["shares"]["weights"]
            if method > weights:
                text += " " + tr("cc_variance_method", lang)
            elif weights > method:
                text += " " + tr("cc_variance_weights", lang)
            out.append(text)
        elif f.kind == "frameworks":
            tau = v["tau"]
            name = lambda code: _framework_name(code, lang, framework_titles)  # noqa: E731
            bounds = dict(reference=name(v["reference"]),
                          low=format_number(min(tau.values()), lang, decimals=2),
                          high=format_number(max(tau.values()), lang, decimals=2))
            if len(v["disagree"]) == len(tau):
                out.append(tr("cc_fw_disagree_all", lang, **bounds))
            elif len(v["agree"]) == len(tau):
                out.append(tr("cc_fw_agree_all", lang, **bounds))
            elif v["agree"] and v["disagree"]:
                out.append(tr("cc_fw_mixed", lang, agree=_join([name(c) for c in v["agree"]],
                                                              lang),
                              disagree=_join([name(c) for c in v["disagree"]], lang), **bounds))
            else:
                out.append(tr("cc_fw_middle", lang, **bounds))
    return [" ".join(line.split()) for line in out]
