"""Choose k pilot cities under portfolio constraints, exactly, as a mixed-integer program.

:func:`select` picks the k candidates with the largest total score (or expected score, or
probability of making the top k, from :mod:`citykit.robustness`) subject to any of: at most m
pilots per province or per region, a minimum great-circle distance between pilots, at least one
pilot per peer group (:mod:`citykit.peers`), population tiers, must-include and must-exclude
lists, a budget, and a minimum readiness. It is solved as a binary program with
:func:`scipy.optimize.milp` (HiGHS, relative MIP gap 0), never by hand-written search:

.. math::

    \\max \\sum_i s_i x_i \\quad \\text{s.t.} \\quad \\sum_i x_i = k,\\;
    \\sum_{i \\in p} x_i \\le m \\;\\forall p,\\; x_i + x_j \\le 1 \\;\\forall (i, j):
    d_{ij} < D,\\; \\sum_{i \\in g} x_i \\ge 1 \\;\\forall g,\\; \\sum_i c_i x_i \\le B,\\;
    x \\in \\{0, 1\\}^n

The :class:`Shortlist` reports the *price of diversity* (score given up against the
unconstrained top k), the constraints that bind (the top k breaks them) with what dropping each
alone would regain, and :meth:`Shortlist.explain` says it in words. When no shortlist satisfies
every constraint, a deletion filter over the constraint families finds a minimal conflicting set
and :class:`~citykit.exceptions.ShortlistError` names it with numbers, e.g. "k = 10 pilots with
at most 1 per province needs 10 provinces, but only 6 provinces have eligible candidates".

Ties are broken deterministically: every candidate's score gets a bonus far below any real
difference (:data:`TIE_BONUS`, decreasing with the candidate's position in string order of
ids), so among shortlists with equal total score the one whose ids come first (smallest sum of
positions) wins, and the same input always gives the same shortlist. Total scores that differ
by less than 1e-7 of the candidates' score range count as equal.
"""

from __future__ import annotations

import difflib
import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from ._shortlist_diagnosis import Binding, binding, describe_families, diagnosis
from ._shortlist_model import EARTH_RADIUS_KM as EARTH_RADIUS_KM
from ._shortlist_model import TIE_BONUS as TIE_BONUS
from ._shortlist_model import Data, Model, aligned, build_families, prepare, scaled_objective
from ._shortlist_model import haversine_km as haversine_km
from .exceptions import CityKitWarning, ShortlistError

__all__ = ["Binding", "Constraints", "Shortlist", "ShortlistError", "candidates_from_result",
           "haversine_km", "objective_from_ranking", "select", "shortlist"]

SCHEMA = "citykit.constraints/1"
#: Default time limit of one solve, in seconds.
TIME_LIMIT = 60.0
#: Constraint families, in the order they are described.
FAMILIES = ("k", "max_per_province", "max_per_region", "min_distance_km", "one_per_peer_group",
            "population_tiers", "must_include", "must_exclude", "min_readiness", "budget")
#: The order in which the infeasibility diagnosis tries to drop them (k is never dropped).
DROP_ORDER = ("budget", "population_tiers", "one_per_peer_group", "min_readiness",
              "must_exclude", "max_per_region", "max_per_province", "min_distance_km",
              "must_include")


# --------------------------------------------------------------------------- constraints

def _int_or_none(name: str, value, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ShortlistError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


def _number_or_none(name: str, value, low: float | None = 0.0) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ShortlistError(f"{name} must be a number; got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(number) or (low is not None and number < low):
        raise ShortlistError(f"{name} must be a finite number" + (f" >= {low:g}" if low is not None
                                                                   else "") + f"; got {value!r}")
    return number


def _ids(name: str, value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise ShortlistError(f"{name} must be a list of city ids, not one string; got {value!r} "
                             f"(write [{value!r}])")
    return tuple(dict.fromkeys(str(v) for v in value))


def _per_tier(name: str, value, n: int, *, optional: bool) -> list | None:
    if value is None:
        if optional:
            return None
        value = 0
    values = [value] * n if np.ndim(value) == 0 else list(value)
    if len(values) != n:
        raise ShortlistError(f"population_tiers {name!r} needs one integer per tier ({n}); "
                             f"got {len(values)}")
    return [_int_or_none(f"population_tiers {name!r}", v, 0) for v in values]


def _tiers(spec) -> dict | None:
    if spec is None:
        return None
    if not isinstance(spec, Mapping) or "tiers" not in spec:
        raise ShortlistError("population_tiers must be a mapping like {'tiers': [[0, 500000], "
                             f"[500000, None]], 'min_per_tier': 1}}; got {spec!r}")
    unknown = sorted(set(spec) - {"tiers", "min_per_tier", "max_per_tier"})
    if unknown:
        raise ShortlistError(f"unknown population_tiers keys {unknown}; known: 'tiers', "
                             "'min_per_tier', 'max_per_tier'")
    tiers = []
    for tier in spec["tiers"]:
        if np.ndim(tier) != 1 or len(tier) != 2:
            raise ShortlistError(f"each population tier is [low, high] (high None = no upper "
                                 f"bound); got {tier!r}")
        low = _number_or_none("population tier low", tier[0], None)
        high = _number_or_none("population tier high", tier[1], None)
        if low is None or (high is not None and high <= low):
            raise ShortlistError(f"population tier {list(tier)} must have low < high")
        tiers.append([low, high])
    if not tiers:
        raise ShortlistError("population_tiers needs at least one tier")
    return {"tiers": tiers,
            "min_per_tier": _per_tier("min_per_tier", spec.get("min_per_tier"), len(tiers),
                                      optional=False),
            "max_per_tier": _per_tier("max_per_tier", spec.get("max_per_tier"), len(tiers),
                                      optional=True)}


@dataclass(frozen=True)
class Constraints:
    """What a shortlist must satisfy; JSON-ready through :meth:`to_dict` / :meth:`from_dict`.

    Attributes
    ----------
    k : int
        Number of pilots.
    max_per_province, max_per_region : int, optional
        At most this many pilots per province (candidates' ``province_code``) or per region.
    regions : dict, optional
        ``{province_code: region}`` for `max_per_region` (default: a ``region`` column of the
        candidates).
    min_distance_km : float, optional
        Every two pilots at least this far apart (great circle, mean Earth radius).
    one_per_peer_group : bool, default False
        At least one pilot in every peer group (see :mod:`citykit.peers`).
    population_tiers : dict, optional
        ``{"tiers": [[low, high], ...], "min_per_tier": int or list, "max_per_tier": int or
        list}``; a city is in a tier when ``low <= population < high`` (high None: no bound).
    must_include, must_exclude : tuple of str
        City ids that must, or must not, be pilots.
    budget : float, optional
        Total cost of the pilots at most this.
    cost : dict or str, optional
        ``{city: cost}`` or the name of a candidates' column; needed with `budget` unless
        :func:`select` gets ``costs=``.
    min_readiness : float, optional
        Pilots' readiness sub-index score at least this (on the ranking's scale).

    Examples
    --------
    >>> c = Constraints(k=5, max_per_province=1, min_distance_km=100)
    >>> Constraints.from_dict(c.to_dict()) == c
    True
    >>> c.describe()
    ['k = 5 pilots', 'at most 1 pilot per province', 'pilots at least 100 km apart']
    """

    k: int
    max_per_province: int | None = None
    max_per_region: int | None = None
    regions: dict | None = None
    min_distance_km: float | None = None
    one_per_peer_group: bool = False
    population_tiers: dict | None = None
    must_include: tuple[str, ...] = ()
    must_exclude: tuple[str, ...] = ()
    budget: float | None = None
    cost: dict | str | None = None
    min_readiness: float | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: normalise the inputs once, here
        put(self, "k", _int_or_none("k", self.k, 1))
        put(self, "max_per_province", _int_or_none("max_per_province", self.max_per_province, 1))
        put(self, "max_per_region", _int_or_none("max_per_region", self.max_per_region, 1))
        put(self, "min_distance_km", _number_or_none("min_distance_km", self.min_distance_km))
        put(self, "budget", _number_or_none("budget", self.budget))
        put(self, "min_readiness", _number_or_none("min_readiness", self.min_readiness, None))
        put(self, "population_tiers", _tiers(self.population_tiers))
        put(self, "must_include", _ids("must_include", self.must_include))
        put(self, "must_exclude", _ids("must_exclude", self.must_exclude))
        if not isinstance(self.one_per_peer_group, (bool, np.bool_)):
            raise ShortlistError(f"one_per_peer_group must be true or false; got "
                                 f"{self.one_per_peer_group!r}")
        if self.regions is not None:
            if not isinstance(self.regions, Mapping):
                raise ShortlistError(f"regions must map province codes to regions; got "
                                     f"{type(self.regions).__name__}")
            put(self, "regions", {str(p): str(r) for p, r in self.regions.items()})
        if isinstance(self.cost, Mapping):
            put(self, "cost", {str(c): v for c, v in self.cost.items()})
        elif self.cost is not None and not isinstance(self.cost, str):
            raise ShortlistError(f"cost must map city ids to costs or name a column; got "
                                 f"{type(self.cost).__name__}")
        if self.cost is not None and self.budget is None:
            raise ShortlistError("cost is given but budget is not; set budget (or drop cost)")
        both = [c for c in self.must_include if c in set(self.must_exclude)]
        if both:
            raise ShortlistError(f"cities {both} are both must-include and must-exclude; "
                                 "remove them from one list")

    def active(self) -> tuple[str, ...]:
        """Names of the constraint families in use (``"k"`` always)."""
        on = {"k": True, "max_per_province": self.max_per_province is not None,
              "max_per_region": self.max_per_region is not None,
              "min_distance_km": bool(self.min_distance_km),
              "one_per_peer_group": bool(self.one_per_peer_group),
              "population_tiers": self.population_tiers is not None,
              "must_include": bool(self.must_include), "must_exclude": bool(self.must_exclude),
              "budget": self.budget is not None, "min_readiness": self.min_readiness is not None}
        return tuple(f for f in FAMILIES if on[f])

    def describe(self) -> list[str]:
        """Each active family in words."""
        return describe_families(self, self.active())

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (with the schema)."""
        data = asdict(self)
        for key in ("must_include", "must_exclude"):
            data[key] = list(data[key])
        return {"schema": SCHEMA, **data}

    @classmethod
    def from_dict(cls, data: Mapping) -> Constraints:
        """Build from :meth:`to_dict` output; unknown keys are an error, not ignored."""
        data = dict(data)
        schema = data.pop("schema", SCHEMA)
        if schema != SCHEMA:
            raise ShortlistError(f"unknown constraints schema {schema!r}; expected {SCHEMA!r}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            near = difflib.get_close_matches(unknown[0], known, n=2)
            raise ShortlistError(f"unknown constraint keys {unknown}; known keys: {known}"
                                 + (f"; closest to {unknown[0]!r}: {near}" if near else ""))
        if "k" not in data:
            raise ShortlistError("constraints need k, the number of pilots")
        return cls(**data)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class Shortlist:
    """The pilots chosen by :func:`select`, with what the constraints cost and why.

    Attributes
    ----------
    pilots : pandas.DataFrame
        One row per pilot, best rank first, indexed by ``city_id``: names, province, latitude,
        longitude, ``score``, ``rank`` (by score among all candidates), and ``p_top_k`` and
        ``peer_group`` when given.
    objective : float
        Total score of the pilots.
    top_k : pandas.DataFrame
        The unconstrained top k (same columns), ties broken as for the pilots.
    top_k_objective : float
    price_of_diversity : float
        ``top_k_objective - objective`` (>= 0): score given up for the constraints.
    price_of_diversity_pct : float or None
        The same as a percentage of `top_k_objective` (None when that is <= 0).
    binding : tuple of Binding
        Constraint families the unconstrained top k breaks.
    constraints : Constraints
    model : dict
        Model size and solve statistics (variables, rows, non-zeros, pairs, seconds, solves).
    optimal : bool
        False when the solver stopped at its time limit with a feasible, possibly
        sub-optimal shortlist.
    """

    pilots: pd.DataFrame
    objective: float
    top_k: pd.DataFrame
    top_k_objective: float
    price_of_diversity: float
    price_of_diversity_pct: float | None
    binding: tuple[Binding, ...]
    constraints: Constraints
    model: dict
    optimal: bool = True

    def __repr__(self) -> str:
        return (f"<Shortlist of {len(self.pilots)}: objective {self.objective:.4f}, price of "
                f"diversity {self.price_of_diversity:.4f}>")

    @property
    def ids(self) -> list[str]:
        """The pilots' city ids, best rank first."""
        return list(self.pilots.index)

    def explain(self) -> str:
        """The shortlist, its constraints, their price and what binds, in words."""
        k = len(self.pilots)
        pct = "" if self.price_of_diversity_pct is None else \
            f" ({self.price_of_diversity_pct:.2f}% of the unconstrained top {k})"
        lines = [f"{k} pilots chosen under: " + "; ".join(self.constraints.describe()) + ".",
                 f"Total score {self.objective:.4f} against {self.top_k_objective:.4f} for the "
                 f"unconstrained top {k}: price of diversity {self.price_of_diversity:.4f}"
                 f"{pct}."]
        if self.binding:
            lines.append("Binding constraints:")
            lines += [f"  - {b}" for b in self.binding]
        else:
            lines.append("No constraint binds: the pilots are the unconstrained top k.")
        lines.append("Pilots:")
        for city, row in self.pilots.iterrows():
            name = row.get("name_en", city)
            where = f", {row['province_code']}" if "province_code" in row else ""
            lines.append(f"  {int(row['rank']):>4}. {name} ({city}{where}), score "
                         f"{row['score']:.4f}")
        if not self.optimal:
            lines.append("The solver hit its time limit: this shortlist is feasible but may "
                         "not be optimal.")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready summary: pilots, price of diversity, binding constraints, model size."""
        import json

        pilots = self.pilots.rename_axis("city_id").reset_index()
        return {"pilots": json.loads(pilots.to_json(orient="records", force_ascii=False)),
                "objective": self.objective, "top_k": list(self.top_k.index),
                "top_k_objective": self.top_k_objective,
                "price_of_diversity": {"absolute": self.price_of_diversity,
                                       "percent": self.price_of_diversity_pct},
                "binding": [{"family": b.family, "text": b.text, "relief": b.relief}
                            for b in self.binding],
                "constraints": self.constraints.to_dict(), "model": dict(self.model),
                "optimal": self.optimal}


def _table(data: Data, chosen: np.ndarray, p_top_k) -> pd.DataFrame:
    keep = [c for c in ("name_en", "name_fa", "province_code", "province_name",
                        "province_name_fa", "region", "latitude", "longitude", "population")
            if c in data.table.columns]
    out = data.table.loc[chosen, keep].copy()
    rank = pd.Series(data.score, index=data.ids).rank(ascending=False, method="min")
    out["score"] = data.score[chosen]
    out["rank"] = rank[chosen].astype(int).to_numpy()
    if p_top_k is not None:
        out["p_top_k"] = aligned("p_top_k", p_top_k, data.ids)[chosen].to_numpy()
    if "peer" in data.group:
        out["peer_group"] = data.group["peer"][chosen]
        if data.peer_names:
            out["peer_group_name"] = [data.peer_names.get(g) for g in out["peer_group"]]
    out.index.name = "city_id"
    order = np.lexsort((data.position[chosen], out["rank"].to_numpy()))
    return out.iloc[order]


# --------------------------------------------------------------------------- select

def select(scores: pd.Series, candidates: pd.DataFrame, constraints: Constraints, *,
           peers=None, readiness: pd.Series | None = None, costs=None,
           p_top_k: pd.Series | None = None, relief: bool = True,
           time_limit: float = TIME_LIMIT) -> Shortlist:
    """Choose `constraints.k` pilots maximising their total score under the constraints.

    Parameters
    ----------
    scores : pandas.Series
        Higher is better, indexed by city id: the candidates to choose from (see
        :func:`objective_from_ranking` for a ranking's scores, expected scores or P(top-k)).
    candidates : pandas.DataFrame
        Indexed by city id, covering `scores`. Columns used: ``province_code`` (per-province
        and per-region limits), ``region``, ``latitude`` and ``longitude`` (distance),
        ``population`` (tiers), a cost column (budget); ``name_en``, ``name_fa``,
        ``province_name`` are copied to the pilots table.
    constraints : Constraints
    peers : PeerGroups or pandas.Series, optional
        Peer group of every candidate (needed for ``one_per_peer_group``).
    readiness : pandas.Series, optional
        Readiness score of every candidate (needed for ``min_readiness``).
    costs : pandas.Series, optional
        Cost of every candidate (for ``budget``, instead of ``Constraints.cost``).
    p_top_k : pandas.Series, optional
        Probability of being in the top k (from robustness draws), reported per pilot.
    relief : bool, default True
        For each binding family, re-solve without it to report the score it costs.
    time_limit : float, default 60
        Seconds per MILP solve; at the limit a feasible shortlist is returned with a
        :class:`~citykit.exceptions.CityKitWarning` and ``optimal=False``.

    Returns
    -------
    Shortlist

    Raises
    ------
    ShortlistError
        Malformed input (unknown ids, missing columns or values), or constraints that cannot
        all hold; the message names a minimal set of conflicting constraints, with numbers.

    Examples
    --------
    >>> cities = pd.DataFrame({"province_code": ["P1", "P1", "P2", "P3"],
    ...                        "latitude": [35.0, 35.1, 30.0, 38.0],
    ...                        "longitude": [51.0, 51.1, 52.0, 46.0]},
    ...                       index=["a", "b", "c", "d"])
    >>> scores = pd.Series([0.9, 0.8, 0.5, 0.4], index=cities.index)
    >>> s = select(scores, cities, Constraints(k=2, max_per_province=1))
    >>> s.ids, round(s.price_of_diversity, 2)
    (['a', 'c'], 0.3)
    >>> print(s.binding[0])
    at most 1 pilot per province binds in P1 (2 of the unconstrained top 2) (dropping it alone regains 0.3 score)
    >>> select(scores, cities, Constraints(k=4, max_per_province=1))
    Traceback (most recent call last):
    ...
    citykit.exceptions.ShortlistError: No shortlist satisfies these constraints together: k = 4 pilots; at most 1 pilot per province. Why: k = 4 pilots with at most 1 per province needs 4 provinces, but only 3 provinces have eligible candidates. Relax one of them.
    """
    if not isinstance(constraints, Constraints):
        raise ShortlistError(f"constraints must be a Constraints; got "
                             f"{type(constraints).__name__} (use Constraints.from_dict)")
    if _number_or_none("time_limit", time_limit) in (None, 0.0):
        raise ShortlistError(f"time_limit must be a number of seconds > 0; got {time_limit!r}")
    started = time.perf_counter()
    data = prepare(scores, candidates, constraints, peers, readiness, costs)
    model = Model(data, constraints, build_families(data, constraints), float(time_limit))
    c = scaled_objective(data, constraints.k)
    status, chosen = model.solve(objective=c)
    if status == "infeasible":
        message, families, why = diagnosis(model, DROP_ORDER, FAMILIES)
        raise ShortlistError(message, code="shortlist_conflict",
                             params={"families": families, "detail": why})
    if chosen is None:
        raise ShortlistError(f"the solver found no shortlist within the time limit of "
                             f"{time_limit:g} s; raise time_limit or relax the constraints")
    if status == "limit":
        warnings.warn(f"the MILP solver hit its time limit of {time_limit:g} s; the shortlist "
                      "is feasible but may not be optimal", CityKitWarning, stacklevel=2)
    top = np.zeros(len(c), dtype=bool)
    top[np.argsort(-c, kind="stable")[:constraints.k]] = True
    objective = float(data.score[chosen].sum())
    top_objective = float(data.score[top].sum())
    price = max(top_objective - objective, 0.0)  # >= 0 up to float noise
    bound = binding(model, top, objective, c, relief, FAMILIES)
    stats = {**model.size(), "solves": model.solves,
             "seconds": round(time.perf_counter() - started, 4)}
    return Shortlist(_table(data, chosen, p_top_k), objective, _table(data, top, p_top_k),
                     top_objective, price,
                     100 * price / top_objective if top_objective > 0 else None,
                     bound, constraints, stats, status == "optimal")


# --------------------------------------------------------------------------- from a ranking

def objective_from_ranking(ranking, *, expected: pd.Series | None = None) -> pd.Series:
    """Scores to maximise from a :class:`~citykit.ranking.Ranking` (higher is better).

    Parameters
    ----------
    ranking : Ranking
    expected : pandas.Series, optional
        Expected scores or P(top-k) per candidate (e.g. from :mod:`citykit.robustness`);
        used instead of the ranking's scores. Must cover every ranked candidate.

    Returns
    -------
    pandas.Series
        The ranking's scores when higher is better; their negation when lower is better
        (VIKOR's Q), which keeps the same order; or `expected`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> q = pd.Series([0.0, 0.7, 1.0], index=["a", "b", "c"])
    >>> objective_from_ranking(SimpleNamespace(scores=q, higher_is_better=False)).to_dict()
    {'a': -0.0, 'b': -0.7, 'c': -1.0}
    """
    if expected is not None:
        return aligned("expected", expected, ranking.scores.index.map(str)).rename("objective")
    scores = ranking.scores.astype(float)
    return (scores if ranking.higher_is_better else -scores).rename("objective")


def candidates_from_result(result) -> pd.DataFrame:
    """A scenario result's candidates with latitude, longitude and province names.

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> table = candidates_from_result(run(Scenario()))
    >>> table.loc["124665", ["name_en", "province_name"]].tolist()
    ['Mashhad', 'Razavi Khorasan']
    """
    table = result.ranking.matrix.candidates.copy()
    cities = result.dataset.cities
    for column in ("latitude", "longitude"):
        if column in cities.columns:
            table[column] = cities[column].reindex(table.index).astype(float)
    provinces = result.dataset.provinces
    if "province_code" in table.columns:
        for column, out in (("name_en", "province_name"), ("name_fa", "province_name_fa")):
            if column in provinces.columns:
                table[out] = table["province_code"].map(provinces[column]).astype(object)
    return table


def shortlist(result, constraints: Constraints, *, peers=None, expected: pd.Series | None = None,
              costs=None, p_top_k: pd.Series | None = None, **kwargs) -> Shortlist:
    """Shortlist pilots from a scenario :class:`~citykit.scenario.Result`.

    Uses :func:`objective_from_ranking` (or `expected`), :func:`candidates_from_result`, the
    ranking's ``readiness`` sub-index for ``min_readiness``, and, for ``one_per_peer_group``
    without `peers`, :func:`citykit.peers.peer_groups_of` (k by silhouette, seed 0).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario())
    >>> s = shortlist(result, Constraints(k=5, max_per_province=1, min_distance_km=100))
    >>> len(s.pilots), s.pilots["province_code"].is_unique
    (5, True)
    """
    ranking = result.ranking
    readiness = None
    if constraints.min_readiness is not None:
        if "readiness" not in ranking.subindex_scores.columns:
            raise ShortlistError("min_readiness needs a 'readiness' sub-index; the framework "
                                 f"has {list(ranking.subindex_scores.columns)}")
        if not ranking.higher_is_better:
            raise ShortlistError(f"min_readiness needs a method where higher is better; "
                                 f"{ranking.method}'s readiness score is lower-is-better. Use "
                                 "wsum, geometric, topsis or promethee2, or drop min_readiness")
        readiness = ranking.subindex_scores["readiness"]
    if constraints.one_per_peer_group and peers is None:
        from .peers import peer_groups_of

        peers = peer_groups_of(ranking)
    return select(objective_from_ranking(ranking, expected=expected),
                  candidates_from_result(result), constraints, peers=peers,
                  readiness=readiness, costs=costs, p_top_k=p_top_k, **kwargs)
