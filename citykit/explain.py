r"""What would it take? The change in one criterion that lifts a city to the score of another.

:func:`close_gap` answers, for every criterion at once, "how far would this one raw value have
to move, all other values fixed, for the city to reach the score of the next-better city?". The
normaliser keeps what it learned from the eligible candidates (min and max, mean and spread,
norms, ranked reference values): the question is about one city's value, not about refitting
the scale, so a new value beyond the observed range is scored on the same scale (see
:class:`citykit.normalise.MinMax`, Notes).

How it is solved
----------------
* **Weighted sum** with an affine normaliser (min-max, z-score, vector, or sum on a benefit
  criterion): analytically. The target's score does not move, so the normalised value must rise
  by ``gap / w_j``; the affine map is inverted exactly.
* **Every other case** (geometric mean, TOPSIS, VIKOR, PROMETHEE II, and rank or goalpost
  normalisation): by bisection on the raw value, run for all criteria at once. TOPSIS, VIKOR and
  PROMETHEE II are *relative* methods: one city's value moves the ideal and anti-ideal, the
  ranges or the pairwise preferences, and so the scores of the other cities too, the target's
  included. Each trial therefore rescores the whole matrix with the one cell changed (normaliser
  held fixed) and compares the city with the target *as rescored*. All criteria are evaluated
  in one kernel call: the matrix is widened to ``2m`` columns (the original ones plus a copy
  holding the trial values) and the method is given one weight vector per criterion ``j``, which
  moves criterion ``j``'s weight to its copy; every method's kernel treats columns
  independently, so each weight vector scores exactly "the matrix with criterion ``j`` of the
  city changed".

A value is *reachable* when one inside the searched interval makes the city at least equal to
the target (a tie shares the rank). The search runs from the current value, in the direction
that improves the criterion (towards a goalposts target when one is set), up to ``widen`` times
the observed range of the candidates beyond the best candidate; vector and sum normalisation
keep values non-negative (positive for a sum-normalised cost). Values the method cannot reach
there, or criteria with zero weight, are reported as not reachable, never silently dropped.

What is proposed
----------------
Only changes a city could make that are improvements in the real world. In a framework with
sub-indices, only **readiness** criteria are proposed: a *need* criterion scores higher when the
city is worse off (fewer hospital beds, less piped water), so "closing the gap" through it would
mean making the city's situation worse; need criteria are left out of the table and counted in
``attrs["excluded"]``. And a criterion is only moved in the direction that improves it in the
real world: up where more is better (``max``), down where less is better (``min``); a goalposts
target on the other side of the current value makes the criterion not reachable, never a
proposal to worsen it. A framework without sub-indices proposes every criterion, in that
direction.
"""

from __future__ import annotations

import difflib
from typing import Literal

import numpy as np
import pandas as pd

from . import aggregate, normalise
from .exceptions import CityKitError
from .ranking import criterion_groups

__all__ = ["ExplainError", "close_gap", "next_better", "proposable"]

#: Normalisers that are one affine map per criterion (``sum`` only on benefit criteria).
_AFFINE = ("minmax", "zscore", "vector", "sum")
#: Bisection steps: the interval shrinks by 2**-60 (far below any data's precision).
_STEPS = 60


class ExplainError(CityKitError, ValueError):
    """An explanation cannot be computed as asked (unknown city, no better city, bad option)."""


def _check_city(ranking, city: str, role: str) -> str:
    ids = [str(i) for i in ranking.scores.index]
    if str(city) not in ids:
        near = difflib.get_close_matches(str(city), ids, n=3)
        raise ExplainError(
            f"unknown {role} {city!r}: it is not among the {len(ids)} ranked candidates"
            + (f"; closest ids: {near}" if near else "")
            + ". Pick a ranked candidate (cities excluded by the eligibility rules or the "
            "missing-data policy have no score).")
    return str(city)


def next_better(ranking, city: str) -> str | None:
    """The candidate ranked just above `city`: the lowest-scoring of those that score better.

    Among equal scores the first in the ranking's order is taken. None when `city` ranks first
    (alone or tied).

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> m = CityMatrix.from_frame(pd.DataFrame({"jobs": [3.0, 5.0, 4.0], "cost": [2.0, 1.0, 2.5]},
    ...                                        index=["A", "B", "C"]), ["max", "min"])
    >>> r = rank(m)
    >>> next_better(r, "A"), next_better(r, "C"), next_better(r, "B")
    ('C', 'B', None)
    """
    city = _check_city(ranking, city, "city")
    sign = 1.0 if ranking.higher_is_better else -1.0
    key = sign * ranking.scores.to_numpy(dtype=float)
    own = key[ranking.scores.index.get_loc(city)]
    better = np.flatnonzero(key > own)
    if better.size == 0:
        return None
    return str(ranking.scores.index[better[np.argmin(key[better])]])


def proposable(criteria: pd.DataFrame) -> pd.Series:
    """Which criteria :func:`close_gap` may propose changing: readiness, never need.

    With sub-indices (a national framework), only the readiness criteria; without them, all.
    Improving a need criterion in the real world (more hospital beds, better water coverage)
    *lowers* the city's score by design, so it can never close a gap.

    Examples
    --------
    >>> proposable(pd.DataFrame({"subindex": ["readiness", "need"]}, index=["degree", "beds"]))
    criterion
    degree     True
    beds      False
    Name: proposable, dtype: bool
    """
    groups = criterion_groups(criteria)
    out = (groups != "need") if (groups != "overall").any() else groups == "overall"
    return pd.Series(out.to_numpy(dtype=bool), index=pd.Index(criteria.index, name="criterion"),
                     name="proposable")


def close_gap(ranking, city: str, target: str | None = None, *, widen: float = 1.0,
              solver: Literal["auto", "bisection"] = "auto") -> pd.DataFrame:
    r"""The change in each criterion alone that lets `city` reach the score of `target`.

    Parameters
    ----------
    ranking : citykit.ranking.Ranking
        Any method and normalisation.
    city : str
        Candidate id.
    target : str, optional
        A candidate that scores better; default :func:`next_better` (the city ranked just above).
    widen : float, default 1.0
        How far beyond the candidates' observed range to search, as a multiple of that range.
    solver : {"auto", "bisection"}, default "auto"
        ``"auto"`` solves the weighted sum on an affine normaliser analytically and everything
        else by bisection; ``"bisection"`` always bisects (to cross-check the analytic answer).

    Returns
    -------
    pandas.DataFrame
        One row per proposable criterion (:func:`proposable`: readiness, or all criteria
        without sub-indices; index: criterion id), easiest first: ``name_en``, ``name_fa``,
        ``unit``, ``direction``, ``weight``, ``current`` and ``needed`` raw value, ``change``
        (needed - current), ``relative_change`` (change / \|current\|; NaN when current is 0),
        ``observed_min``, ``observed_max``, ``within_range`` (the needed value lies within the
        candidates' observed range), ``reachable``, ``tie_only`` (the criterion can only bring
        the city level with the target, equal up to rounding: a plateau of rank normalisation or
        of PROMETHEE's usual criterion) and ``solver`` (``"analytic"``,
        ``"bisection"`` or ``"none"`` for a zero weight). Needed values are NaN where not
        reachable. Rows are sorted reachable first, by ``|relative_change|`` (then by the change
        as a share of the observed range). Every ``change`` is an improvement in the real
        world: positive for a ``max`` criterion, negative for a ``min`` one. ``attrs`` holds
        ``city``, ``target``, ``method``, ``normalisation``, ``city_score``, ``target_score``,
        ``excluded`` (the need criteria left out, a tuple of ids) and ``n_excluded``.

    Raises
    ------
    ExplainError
        For an unknown city or target, a target that does not score better than the city, no
        target when the city ranks first, or an invalid `widen` or `solver`.

    Notes
    -----
    Only one value changes and the normaliser stays as fitted, so the answers are "what if",
    not forecasts: under TOPSIS, VIKOR and PROMETHEE II the other cities' scores are recomputed
    with the changed cell (they are relative methods), so the target may move too; the needed
    value accounts for that. A needed value is verified (the city's rescored score is at least
    the target's, by a margin of 1e-12 times the largest absolute score) before it is returned,
    except for ``tie_only`` rows, which reach the target's score within that margin.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> m = CityMatrix.from_frame(pd.DataFrame({"jobs": [3.0, 5.0, 4.0], "cost": [2.0, 1.0, 2.5]},
    ...                                        index=["A", "B", "C"]), ["max", "min"])
    >>> gap = close_gap(rank(m), "C", widen=0.5)   # C (rank 2) to reach B (rank 1)
    >>> gap.attrs["target"]
    'B'
    >>> table = gap[["current", "needed", "reachable", "within_range"]].round(3)
    >>> table  # doctest: +NORMALIZE_WHITESPACE
               current  needed  reachable  within_range
    criterion
    cost           2.5    0.25       True         False
    jobs           4.0     NaN      False         False

    The cost would have to fall to 0.25, below every candidate's (1 to 2.5); jobs alone cannot
    do it within half the observed range (3 to 5) beyond the best candidate: ``widen=2`` finds 7.

    >>> float(close_gap(rank(m), "C", widen=2).loc["jobs", "needed"].round(6))
    7.0

    Under TOPSIS, C is third and A second; the needed values account for A's score moving too.

    >>> g = close_gap(rank(m, method="topsis"), "C")
    >>> g.attrs["target"], g["needed"].round(3).to_dict()
    ('A', {'cost': 2.433, 'jobs': 4.185})

    With sub-indices, only readiness is proposed. Read ``cost`` as a need criterion such as
    hospital beds (polarity ``-``: fewer beds, more need): cutting beds would lift C's score,
    but making a city worse off is never proposed.

    >>> crit = pd.DataFrame({"subindex": ["readiness", "need"]}, index=["jobs", "cost"])
    >>> m2 = CityMatrix.from_frame(m.values, ["max", "min"], criteria=crit)
    >>> g = close_gap(rank(m2), "C", widen=2)
    >>> list(g.index), g.attrs["excluded"], bool(g.loc["jobs", "change"] > 0)
    (['jobs'], ('cost',), True)
    """
    city = _check_city(ranking, city, "city")
    if target is None:
        target = next_better(ranking, city)
        if target is None:
            raise ExplainError(
                f"{city!r} already ranks first ({ranking.method}), so there is no better city to "
                "catch up with; pass target= to compare with a specific candidate.")
    target = _check_city(ranking, target, "target")
    if target == city:
        raise ExplainError(f"target and city are the same candidate ({city!r}); pick another "
                           "target.")
    if solver not in ("auto", "bisection"):
        raise ExplainError(f"solver must be 'auto' or 'bisection'; got {solver!r}.")
    if not (isinstance(widen, int | float) and np.isfinite(widen) and widen >= 0):
        raise ExplainError(f"widen must be a finite number >= 0 (multiples of the observed "
                           f"range); got {widen!r}.")
    sign = 1.0 if ranking.higher_is_better else -1.0
    index = ranking.scores.index
    c, t = index.get_loc(city), index.get_loc(target)
    scores = ranking.scores.to_numpy(dtype=float)
    if sign * (scores[t] - scores[c]) <= 0:
        raise ExplainError(
            f"target {target!r} (rank {int(ranking.ranks[target])}) does not score better than "
            f"{city!r} (rank {int(ranking.ranks[city])}); pick a target ranked above the city.")
    problem = _Problem(ranking, c, t, sign, float(widen))
    needed, how, tie = problem.solve(analytic=solver == "auto")
    table = problem.table(needed, how, tie, city=city, target=target)
    allowed = problem.allowed
    excluded = tuple(str(c) for c in np.asarray(problem.names)[~allowed])
    out = table[table.index.isin(np.asarray(problem.names)[allowed])]
    out.attrs.update(table.attrs, excluded=excluded, n_excluded=len(excluded))
    return out


class _Problem:
    """One city, one target: the fixed normaliser, the widened matrix and the search bounds."""

    def __init__(self, ranking, c: int, t: int, sign: float, widen: float):
        matrix = ranking.matrix
        self.ranking, self.c, self.t, self.sign = ranking, c, t, sign
        self.raw = matrix.to_array()
        names = list(matrix.values.columns)
        self.names = names
        self.norm = normalise.make_normaliser(ranking.normaliser["name"],
                                              **ranking.normaliser["params"])
        self.norm.fit(self.raw, matrix.directions.to_numpy(), names=names)
        self.N = self.norm.transform(self.raw)
        self.w = ranking.weights.reindex(names).to_numpy(dtype=float)
        m = len(names)
        self.spec = aggregate.get_method(ranking.method)
        # Weight vector j scores "criterion j of the city changed": its weight moves to column m+j.
        self.W = np.zeros((m, 2 * m))
        self.W[:, :m] = self.w
        self.W[np.arange(m), np.arange(m)] = 0.0
        self.W[np.arange(m), m + np.arange(m)] = self.w
        self.params = {k: (np.concatenate([np.asarray(v), np.asarray(v)])
                           if np.ndim(v) == 1 and len(v) == m else v)
                       for k, v in ranking.method_params.items()}
        self.margin = 1e-12 * max(1.0, float(np.abs(ranking.scores.to_numpy()).max()))
        self.lo, self.hi = self.raw.min(axis=0), self.raw.max(axis=0)
        span = self.hi - self.lo
        self.span = np.where(span > 0, span, np.maximum(np.abs(self.hi), 1.0))
        self.current = self.raw[c].copy()
        self.allowed = proposable(matrix.criteria).reindex(names).to_numpy(dtype=bool)
        self.end, self.step = self._search_end(widen)

    def _search_end(self, widen: float) -> tuple[np.ndarray, np.ndarray]:
        """The far end of the search per criterion and the direction (+1/-1/0) towards it."""
        cost = self.ranking.matrix.directions.to_numpy() == "min"
        name = self.ranking.normaliser["name"]
        end = np.where(cost, self.lo - widen * self.span, self.hi + widen * self.span)
        if name in ("vector", "sum"):  # ratio scales: values stay >= 0 (> 0 for 1/x)
            floor = np.where(cost & (name == "sum"), self.lo / 1000.0, 0.0)
            end = np.maximum(end, floor)
        if name == "goalposts":
            target = getattr(self.norm, "target_", np.full(len(end), np.nan))
            end = np.where(np.isnan(target), end, target)
        step = np.sign(end - self.current)
        # Only real-world improvements (up for max, down for min) of proposable criteria.
        improving = np.where(cost, -1.0, 1.0)
        step = np.where(self.allowed & (step == improving), step, 0.0)
        return np.where(step != 0, end, self.current), step

    def gaps(self, values: np.ndarray) -> np.ndarray:
        """Per criterion j: sign·(score(city) - score(target)) with the city's value j = values[j]."""
        row = self.norm.transform(values[None, :])[0]
        wide = np.hstack([self.N, self.N])
        wide[self.c, len(row):] = row
        scores, _ = self.spec.score(wide, self.W, **self.params)  # (m, n): one row per criterion
        return self.sign * (scores[:, self.c] - scores[:, self.t])

    def reached(self, values: np.ndarray, threshold: float | None = None) -> np.ndarray:
        """Whether the city's (rescored) score is at least the target's plus `threshold`."""
        return self.gaps(values) >= (self.margin if threshold is None else threshold)

    def solve(self, *, analytic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = len(self.w)
        usable = (self.w > 0) & (self.step != 0)
        needed = np.full(m, np.nan)
        how = np.where(usable, "bisection", "none").astype(object)
        at_end = self.gaps(np.where(usable, self.end, self.current))
        strict = usable & (at_end >= self.margin)
        # A plateau (rank normalisation, PROMETHEE's usual criterion) may allow only a tie.
        tie = usable & ~strict & (at_end >= -self.margin)
        closed = self._analytic() if analytic else None
        if closed is not None:
            found = strict & np.isfinite(closed)
            needed[found] = closed[found]
            how[usable] = "analytic"
        elif strict.any():
            needed[strict] = self._bisect(strict, self.margin)
        if tie.any():
            needed[tie] = self._bisect(tie, -self.margin)
            how[tie] = "bisection"
        return needed, how, tie

    def _analytic(self) -> np.ndarray | None:
        """Weighted sum on an affine normaliser: invert ``a·x + b`` exactly; else None."""
        name = self.ranking.normaliser["name"]
        cost = self.ranking.matrix.directions.to_numpy() == "min"
        if self.ranking.method != "wsum" or name not in _AFFINE or (name == "sum" and cost.any()):
            return None
        ends = self.norm.transform(np.vstack([self.lo, self.hi]))
        a = np.divide(ends[1] - ends[0], self.hi - self.lo, out=np.zeros(len(self.w)),
                      where=self.hi > self.lo)
        b = ends[0] - a * self.lo
        gap = self.sign * (self.ranking.scores.iloc[self.t] - self.ranking.scores.iloc[self.c])
        ok = (a != 0) & (self.w > 0) & (self.step != 0)
        target_n = self.N[self.c] + np.divide(gap + self.margin, self.w,
                                              out=np.zeros_like(self.w), where=ok)
        x = np.where(ok, (target_n - b) / np.where(ok, a, 1.0), np.nan)
        inside = ok & ((x - self.current) * self.step >= 0) & ((self.end - x) * self.step >= 0)
        x = np.where(inside, x, np.nan)
        # Rounding can leave the city a hair short of the target: nudge towards the end.
        for k in range(12):
            short = inside & ~self.reached(np.where(inside, x, self.current))
            if not short.any():
                break
            x = np.where(short, x + self.step * self.span * 1e-12 * 4.0 ** k, x)
        return x

    def _bisect(self, todo: np.ndarray, threshold: float) -> np.ndarray:
        """Bisect every criterion of `todo` at once; returns the reached end of each bracket."""
        low = self.current.copy()           # not reached
        high = np.where(todo, self.end, self.current)  # reached (checked by the caller)
        for _ in range(_STEPS):
            mid = np.where(todo, 0.5 * (low + high), self.current)
            ok = self.reached(mid, threshold)
            high = np.where(todo & ok, mid, high)
            low = np.where(todo & ~ok, mid, low)
        return high[todo]

    def table(self, needed: np.ndarray, how: np.ndarray, tie: np.ndarray, *, city: str,
              target: str) -> pd.DataFrame:
        criteria = self.ranking.matrix.criteria
        change = needed - self.current
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(self.current != 0, change / np.abs(self.current), np.nan)
        reachable = ~np.isnan(needed)
        within = reachable & (needed >= self.lo) & (needed <= self.hi)
        out = pd.DataFrame({
            "name_en": criteria["name_en"].to_numpy(), "name_fa": criteria["name_fa"].to_numpy(),
            "unit": criteria["unit"].to_numpy(), "direction": criteria["direction"].to_numpy(),
            "weight": self.w, "current": self.current, "needed": needed, "change": change,
            "relative_change": relative, "observed_min": self.lo, "observed_max": self.hi,
            "within_range": within, "reachable": reachable, "tie_only": tie & reachable,
            "solver": how,
        }, index=pd.Index(self.names, name="criterion"))
        order = np.lexsort((np.abs(change) / self.span,
                            np.where(np.isnan(relative), np.inf, np.abs(relative)), ~reachable))
        out = out.iloc[order]
        out.attrs.update(city=city, target=target, method=self.ranking.method,
                         normalisation=self.ranking.normaliser["name"],
                         city_score=float(self.ranking.scores.iloc[self.c]),
                         target_score=float(self.ranking.scores.iloc[self.t]))
        return out
