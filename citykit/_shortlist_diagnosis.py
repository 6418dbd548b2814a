"""What binds and what conflicts, in words (private to :mod:`citykit.shortlist`).

:func:`binding` lists the constraint families that the unconstrained top k breaks (naming the
provinces, pairs, groups or cities concerned) and what dropping each alone would regain.
:func:`diagnose` explains an infeasible request: a deletion filter over the families (drop one;
if the rest is still infeasible it was not needed), then what the remaining families imply with
numbers: counts of eligible candidates, provinces, pairs of must-include cities that are too
close, the cheapest possible cost, or the most pilots the families allow together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .shortlist import Constraints

#: Items listed in one sentence before "and N more".
MAX_LISTED = 6


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def _listed(items: list, most: int = MAX_LISTED) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, ... and 3 more'."""
    items = [str(i) for i in items]
    if len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _with(label: str, extra: str) -> str:
    """'Karaj (128747)' + 'rank 3' -> 'Karaj (128747, rank 3)'."""
    return f"{label[:-1]}, {extra})" if label.endswith(")") else f"{label} ({extra})"


def _tier_text(con) -> str:
    tiers = con.population_tiers
    parts = []
    for t, (low, high) in enumerate(tiers["tiers"]):
        label = _tier_label(low, high)
        hi = None if tiers["max_per_tier"] is None else tiers["max_per_tier"][t]
        bound = f"at least {tiers['min_per_tier'][t]}" + ("" if hi is None else f", at most {hi}")
        parts.append(f"{label}: {bound}")
    return "population tiers (" + "; ".join(parts) + ")"


def describe_families(con, families) -> list[str]:
    """Each family of `families` in words, with its numbers."""
    m = {"max_per_province": con.max_per_province, "max_per_region": con.max_per_region}
    text = {
        "k": lambda: f"k = {_plural(con.k, 'pilot')}",
        "max_per_province": lambda: f"at most {_plural(m['max_per_province'], 'pilot')} per "
                                    "province",
        "max_per_region": lambda: f"at most {_plural(m['max_per_region'], 'pilot')} per region",
        "min_distance_km": lambda: f"pilots at least {con.min_distance_km:g} km apart",
        "one_per_peer_group": lambda: "at least one pilot per peer group",
        "population_tiers": lambda: _tier_text(con),
        "must_include": lambda: f"must include {_listed(list(con.must_include))}",
        "must_exclude": lambda: f"must exclude {_plural(len(con.must_exclude), 'city')}",
        "budget": lambda: f"total cost at most {con.budget:,.6g}",
        "min_readiness": lambda: f"readiness at least {con.min_readiness:g}",
    }
    return [text[f]() for f in families]


# --------------------------------------------------------------------------- facts

def _eligible(model, fams) -> tuple[np.ndarray, str]:
    """Candidates left by the exclusions in `fams`, and how to say so."""
    data, con = model.data, model.constraints
    keep, why = np.ones(len(data.ids), dtype=bool), []
    if "must_exclude" in fams:
        keep &= ~model.families["must_exclude"]["zeros"]
        why.append("must-exclude")
    if "min_readiness" in fams:
        keep &= ~model.families["min_readiness"]["zeros"]
        why.append(f"readiness at least {con.min_readiness:g}")
    return keep, (" (with " + " and ".join(why) + " applied)" if why else "")


def _facts_k(model, fams, elig, qual) -> list[str]:
    con, n = model.constraints, int(elig.sum())
    if n < con.k:
        have = "none is" if n == 0 else f"only {n} {'is' if n == 1 else 'are'}"
        return [f"k = {_plural(con.k, 'pilot')} needs {con.k} candidates, but {have} "
                f"eligible{qual}"]
    return []


def _facts_include(model, fams, elig, qual) -> list[str]:
    data, con = model.data, model.constraints
    if "must_include" not in fams:
        return []
    lab = np.array(data.label, dtype=object)
    inc = model.families["must_include"]["ones"]
    out = []
    if "k" in fams and inc.sum() > con.k:
        out.append(f"must-include names {_plural(int(inc.sum()), 'city')}, more than k = {con.k}")
    for fam, word in (("must_exclude", "excluded"), ("min_readiness", "below the readiness "
                                                                      "minimum")):
        if fam in fams:
            bad = np.flatnonzero(inc & model.families[fam]["zeros"])
            if len(bad):
                who = [lab[i] if fam != "min_readiness" else
                       _with(lab[i], f"readiness {data.readiness[i]:.3f}") for i in bad]
                out.append(f"must-include {_listed(who)} {'are' if len(bad) > 1 else 'is'} "
                           f"{word}")
    for fam, key, word in (("max_per_province", "province", "province"),
                           ("max_per_region", "region", "region")):
        if fam in fams:
            limit = getattr(con, fam)
            counts = pd.Series(data.group[key][inc]).value_counts()
            for g in counts[counts > limit].sort_index().index:
                members = list(lab[inc & (data.group[key] == g)])
                out.append(f"must-include cities {_listed(members)} are all in {word} "
                           f"{_group_name(data, key, g)}, more than the {limit} allowed per "
                           f"{word}")
    if "min_distance_km" in fams and data.pairs is not None:
        i, j, d = data.pairs
        hit = inc[i] & inc[j]
        for a, b, km in list(zip(i[hit], j[hit], d[hit], strict=True))[:MAX_LISTED]:
            out.append(f"must-include cities {lab[a]} and {lab[b]} are {km:.0f} km apart, "
                       f"closer than the {con.min_distance_km:g} km minimum")
    if "budget" in fams:
        cost = data.cost[inc].sum()
        if cost > con.budget:
            out.append(f"the must-include cities cost {cost:,.6g}, over the budget of "
                       f"{con.budget:,.6g}")
    return out


def _group_name(data, key: str, code) -> str:
    """'IR-30 (Alborz)' when the candidates carry province names."""
    if key == "province" and "province_name" in data.table.columns:
        names = data.table["province_name"][data.group["province"] == code].dropna()
        if len(names):
            return f"{code} ({names.iloc[0]})"
    return str(code)


def _facts_groups(model, fams, elig, qual) -> list[str]:
    data, con = model.data, model.constraints
    out = []
    for fam, key, word in (("max_per_province", "province", "province"),
                           ("max_per_region", "region", "region")):
        if fam in fams and "k" in fams:
            limit = getattr(con, fam)
            sizes = pd.Series(data.group[key][elig]).value_counts()
            cap = int(np.minimum(sizes.to_numpy(), limit).sum())
            if cap < con.k and limit == 1:
                out.append(f"k = {_plural(con.k, 'pilot')} with at most 1 per {word} needs "
                           f"{con.k} {word}s, but only {_plural(len(sizes), word)} "
                           f"{'has' if len(sizes) == 1 else 'have'} eligible candidates{qual}")
            elif cap < con.k:
                out.append(f"at most {limit} per {word} allows at most {cap} pilots from the "
                           f"{_plural(len(sizes), word)} with eligible candidates{qual}, "
                           f"fewer than k = {con.k}")
    if "one_per_peer_group" in fams:
        peer = data.group["peer"]
        groups = sorted(set(peer), key=str)
        empty = [g for g in groups if not (elig & (peer == g)).any()]
        for g in empty:
            name = f" ({data.peer_names[g]})" if g in data.peer_names else ""
            out.append(f"peer group {g}{name} has no eligible candidate{qual}")
        if "k" in fams and len(groups) > con.k:
            out.append(f"one pilot per peer group needs {len(groups)} pilots "
                       f"({len(groups)} groups), more than k = {con.k}")
    if "population_tiers" in fams:
        out += _facts_tiers(model, fams, elig, qual)
    if "budget" in fams and "k" in fams and elig.sum() >= con.k:
        cheapest = np.sort(data.cost[elig])[:con.k].sum()
        if cheapest > con.budget:
            out.append(f"the {con.k} cheapest eligible candidates{qual} cost {cheapest:,.6g} "
                       f"in total, over the budget of {con.budget:,.6g}")
    return out


def _facts_tiers(model, fams, elig, qual) -> list[str]:
    data, con = model.data, model.constraints
    tiers, out = con.population_tiers, []
    need = sum(tiers["min_per_tier"])
    if "k" in fams and need > con.k:
        out.append(f"the population tiers need at least {need} pilots, more than k = {con.k}")
    for t, (low, high) in enumerate(tiers["tiers"]):
        have = int((elig & (data.group["tier"] == t)).sum())
        if have < tiers["min_per_tier"][t]:
            out.append(f"population tier {_tier_label(low, high)} needs at least "
                       f"{_plural(tiers['min_per_tier'][t], 'pilot')} but has "
                       f"{_plural(have, 'eligible candidate')}{qual}")
    return out


def _facts_count(model, fams, qual) -> list[str]:
    """How many pilots the families other than k allow together, against k."""
    rest = [f for f in fams if f != "k"]
    if "k" not in fams or not rest:
        return []
    con, ones = model.constraints, np.ones(len(model.data.ids))
    words = " and ".join(describe_families(con, rest))
    _, most = model.solve(rest, objective=ones)
    if most is not None and most.sum() < con.k:
        return [f"{words} allow at most {_plural(int(most.sum()), 'pilot')} among the "
                f"candidates{qual}, fewer than k = {con.k}"]
    _, least = model.solve(rest, objective=-ones)
    if least is not None and least.sum() > con.k:
        return [f"{words} need at least {_plural(int(least.sum()), 'pilot')}, more than "
                f"k = {con.k}"]
    return []


def diagnose(model, drop_order, display_order) -> str:
    """A message naming a minimal set of conflicting families of an infeasible `model`."""
    return diagnosis(model, drop_order, display_order)[0]


def diagnosis(model, drop_order, display_order) -> tuple[str, list[str], str]:
    """:func:`diagnose`'s message, the conflicting families' codes, and the reasons alone.

    Deletion filter: each family in `drop_order` is dropped in turn and stays dropped when the
    others are still infeasible without it; k is never dropped. A solve that stops at the time
    limit counts as feasible, so the family is kept (the set may then not be minimal).
    """
    keep = list(model.families)
    for family in drop_order:
        if family not in keep:
            continue
        trial = [f for f in keep if f != family]
        status, _ = model.solve(trial)
        if status == "infeasible":
            keep = trial
    keep = [f for f in display_order if f in keep]
    elig, qual = _eligible(model, keep)
    facts = (_facts_k(model, keep, elig, qual) + _facts_include(model, keep, elig, qual)
             + _facts_groups(model, keep, elig, qual))
    if not facts:
        facts = _facts_count(model, keep, qual)
    if not facts:
        facts = ["no choice of exactly k pilots satisfies them all, although any smaller set "
                 "of these constraints can be met"]
    why = "; ".join(facts)
    return ("No shortlist satisfies these constraints together: "
            + "; ".join(describe_families(model.constraints, keep)) + ". Why: "
            + why + ". Relax one of them."), keep, why


# --------------------------------------------------------------------------- binding

@dataclass(frozen=True)
class Binding:
    """One constraint family that the unconstrained top k breaks.

    Attributes
    ----------
    family : str
        The :class:`~citykit.shortlist.Constraints` field (``"max_per_province"``,
        ``"min_distance_km"``, ...).
    text : str
        What binds, in words, naming the provinces, cities or pairs concerned.
    relief : float or None
        Score regained if this family alone were dropped (re-solved); None when not computed.
    """

    family: str
    text: str
    relief: float | None = None

    def __str__(self) -> str:
        if self.relief is None:
            return self.text
        return f"{self.text} (dropping it alone regains {self.relief:.4g} score)"


def _count_text(data, counts: pd.Series, k: int) -> str:
    """'IR-23 Tehran (3 of the unconstrained top 10) and IR-30 Alborz (7)'."""
    names = {}
    if "province_name" in data.table.columns and "province" in data.group:
        names = dict(zip(data.group["province"], data.table["province_name"], strict=True))
    parts = [f"{g}{' ' + str(names[g]) if isinstance(names.get(g), str) else ''} ({n}"
             + (f" of the unconstrained top {k})" if i == 0 else ")")
             for i, (g, n) in enumerate(counts.items())]
    return _listed(parts, most=10)


def _broken(data, con: Constraints, top: np.ndarray) -> dict:
    """For each family the unconstrained top k breaks: what it breaks, in words."""
    k, out = con.k, {}
    lab = np.array(data.label, dtype=object)
    for key, name, word in (("max_per_province", "province", "province"),
                            ("max_per_region", "region", "region")):
        limit = getattr(con, key)
        if limit is not None:
            counts = pd.Series(data.group[name][top]).value_counts()
            over = counts[counts > limit].sort_index()
            if len(over):
                out[key] = (f"at most {limit} pilot{'s' if limit > 1 else ''} per {word} binds "
                            f"in {_count_text(data, over, k)}")
    if data.pairs is not None:
        i, j, d = data.pairs
        hit = top[i] & top[j]
        if hit.any():
            shown = [f"{lab[a]} and {lab[b]} ({km:.0f} km)" for a, b, km in
                     zip(i[hit], j[hit], d[hit], strict=True)]
            out["min_distance_km"] = (
                f"pilots at least {con.min_distance_km:g} km apart binds: in the unconstrained "
                f"top {k}, " + "; ".join(shown[:5])
                + (f"; and {len(shown) - 5} more pairs" if len(shown) > 5 else "")
                + " are too close")
    if "peer" in data.group:
        missing = sorted(set(data.group["peer"]) - set(data.group["peer"][top]), key=str)
        if missing:
            named = [str(g) for g in missing]
            out["one_per_peer_group"] = (f"at least one pilot per peer group binds: group"
                                         f"{'s' if len(named) > 1 else ''} {_listed(named, most=10)} "
                                         f"{'have' if len(named) > 1 else 'has'} none in the "
                                         f"unconstrained top {k}")
    if con.population_tiers is not None:
        text = _tiers_broken(data, con, top)
        if text:
            out["population_tiers"] = text
    out.update(_broken_lists(data, con, top, lab))
    if data.cost is not None and data.cost[top].sum() > con.budget:
        out["budget"] = (f"the budget of {con.budget:,.6g} binds: the unconstrained top {k} "
                         f"costs {data.cost[top].sum():,.6g}")
    return out


def _tiers_broken(data, con: Constraints, top: np.ndarray) -> str:
    tiers, broken = con.population_tiers, []
    for t, (low, high) in enumerate(tiers["tiers"]):
        have = int((data.group["tier"][top] == t).sum())
        lo, hi = tiers["min_per_tier"][t], (tiers["max_per_tier"] or [None] * (t + 1))[t]
        if have < lo or (hi is not None and have > hi):
            bound = f"at least {lo}" if have < lo else f"at most {hi}"
            broken.append(f"tier {_tier_label(low, high)} needs {bound} and the unconstrained "
                          f"top {con.k} has {have}")
    return "population tiers bind: " + "; ".join(broken) if broken else ""


def _tier_label(low: float, high: float | None) -> str:
    return f"{low:,.0f}+" if high is None else f"{low:,.0f}-{high:,.0f}"


def _broken_lists(data, con: Constraints, top: np.ndarray, lab: np.ndarray) -> dict:
    out, k = {}, con.k
    rank = pd.Series(data.score).rank(ascending=False, method="min").astype(int).to_numpy()
    if con.must_include:
        idx = np.flatnonzero(data.ids.isin(list(con.must_include)) & ~top)
        if len(idx):
            out["must_include"] = ("must-include binds: " + ", ".join(
                _with(lab[i], f"rank {rank[i]}") for i in idx[:10])
                + f" {'are' if len(idx) > 1 else 'is'} not in the unconstrained top {k}")
    if con.must_exclude:
        idx = np.flatnonzero(data.ids.isin(list(con.must_exclude)) & top)
        if len(idx):
            out["must_exclude"] = ("must-exclude binds: " + ", ".join(
                _with(lab[i], f"rank {rank[i]}") for i in idx[:10])
                + f" {'are' if len(idx) > 1 else 'is'} in the unconstrained top {k}")
    if data.readiness is not None:
        idx = np.flatnonzero((data.readiness < con.min_readiness) & top)
        if len(idx):
            out["min_readiness"] = (f"readiness at least {con.min_readiness:g} binds: " + ", ".join(
                _with(lab[i], f"rank {rank[i]}, readiness {data.readiness[i]:.3f}")
                for i in idx[:10])
                + f" {'are' if len(idx) > 1 else 'is'} in the unconstrained top {k} but below it")
    return out


def binding(model, top: np.ndarray, objective: float, c: np.ndarray, relief: bool,
            order) -> tuple[Binding, ...]:
    """Families the unconstrained top k (`top`) breaks, in `order`, with their relief."""
    broken = _broken(model.data, model.constraints, top)
    out = []
    for family in order:
        if family not in broken:
            continue
        gain = None
        if relief and family in model.families:
            _, x = model.solve([f for f in model.families if f != family], objective=c)
            if x is not None:
                gain = max(float(model.data.score[x].sum()) - objective, 0.0)
        out.append(Binding(family, broken[family], gain))
    return tuple(out)
