"""The mixed-integer model behind :mod:`citykit.shortlist` (private): inputs checked and aligned,
distances, constraint families as sparse rows or variable fixings, and HiGHS solves of any subset
of the families.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .exceptions import ShortlistError

if TYPE_CHECKING:
    from .shortlist import Constraints

#: Mean Earth radius (IUGG), used by every distance in citykit.shortlist.
EARTH_RADIUS_KM = 6371.0088
#: Scores are rescaled to [0, SCORE_SCALE] before solving (HiGHS's absolute gap is 1e-6).
SCORE_SCALE = 1e7
#: Total tie-breaking bonus over any k pilots is below this (scaled units), i.e. below 1e-7 of
#: the score range.
TIE_BONUS = 1.0


# --------------------------------------------------------------------------- geometry

def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (haversine, mean Earth radius); broadcasts like numpy.

    Examples
    --------
    >>> round(float(haversine_km(35.6892, 51.3890, 32.6539, 51.6660)))  # Tehran-Isfahan
    338
    """
    la1, lo1, la2, lo2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _close_pairs(lat: np.ndarray, lon: np.ndarray, limit: float, *, block: int = 2048
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs i < j closer than `limit` km, with their distances.

    Candidate pairs come from a dot product of unit vectors (chord length, one matrix product
    per block of rows, with a small margin); the decision ``d < limit`` is then made with
    :func:`haversine_km` on those pairs only, so it agrees with every other distance here.
    """
    la, lo = np.radians(lat), np.radians(lon)
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    angle = min(limit / EARTH_RADIUS_KM * (1 + 1e-6) + 1e-6, np.pi)  # margin >= 6 m
    threshold = np.cos(angle)
    n, found = len(lat), []
    for start in range(0, n, block):
        stop = min(start + block, n)
        near = xyz[start:stop] @ xyz[start:].T >= threshold
        i, j = np.nonzero(near)
        i, j = i + start, j + start
        keep = j > i
        found.append((i[keep], j[keep]))
    i = np.concatenate([f[0] for f in found]).astype(np.int64)
    j = np.concatenate([f[1] for f in found]).astype(np.int64)
    d = haversine_km(lat[i], lon[i], lat[j], lon[j])
    close = d < limit
    return i[close], j[close], d[close]


# --------------------------------------------------------------------------- inputs

@dataclass(frozen=True, eq=False)
class Data:
    """The candidates as arrays aligned on `ids` (the order of the scores)."""

    ids: pd.Index
    score: np.ndarray
    position: np.ndarray            # position in string order of ids (tie-breaking)
    table: pd.DataFrame             # display columns, aligned on ids
    label: list                     # "Name (id)" per candidate
    group: dict                     # "province"/"region"/"peer"/"tier" -> array of labels
    readiness: np.ndarray | None
    cost: np.ndarray | None
    pairs: tuple | None             # (i, j, km) closer than the minimum distance
    peer_names: dict = field(default_factory=dict)


def _unknown_ids(what: str, ids: Sequence[str], known: pd.Index) -> None:
    missing = [c for c in ids if c not in known]
    if missing:
        near = difflib.get_close_matches(missing[0], [str(k) for k in known], n=3)
        raise ShortlistError(f"{what} names cities that are not candidates: {missing[:10]}"
                             + (f" ({len(missing)} in all)" if len(missing) > 10 else "")
                             + (f"; closest to {missing[0]!r}: {near}" if near else "")
                             + ". Check the ids, or whether eligibility rules dropped them.")


def _column(candidates: pd.DataFrame, name: str, why: str, ids: pd.Index) -> pd.Series:
    if name not in candidates.columns:
        raise ShortlistError(f"{why} needs a {name!r} column in candidates; columns are "
                             f"{list(candidates.columns)}")
    col = candidates[name].reindex(ids)
    if col.isna().any():
        bad = col.index[col.isna()].tolist()
        raise ShortlistError(f"{why} needs {name!r} for every candidate; missing for "
                             f"{len(bad)}: {bad[:10]}")
    return col


def aligned(what: str, values, ids: pd.Index, *, numeric: bool = True) -> pd.Series:
    """`values` (Series or mapping by city id) on `ids`; every candidate must have a value."""
    series = pd.Series(values) if isinstance(values, Mapping) else values
    if not isinstance(series, pd.Series):
        raise ShortlistError(f"{what} must be a pandas Series indexed by city id; got "
                             f"{type(values).__name__}")
    series = series.set_axis(series.index.map(str)).reindex(ids)
    if numeric:
        series = pd.to_numeric(series, errors="coerce")
    missing = series.index[series.isna()].tolist()
    if missing:
        raise ShortlistError(f"{what} has no (numeric) value for {len(missing)} candidates: "
                             f"{missing[:10]}")
    return series


def _scores(scores: pd.Series) -> pd.Series:
    if not isinstance(scores, pd.Series):
        raise ShortlistError(f"scores must be a pandas Series indexed by city id; got "
                             f"{type(scores).__name__}")
    if scores.empty:
        raise ShortlistError("scores is empty: there are no candidates to choose from")
    scores = scores.set_axis(scores.index.map(str)).astype(float)
    if scores.index.has_duplicates:
        raise ShortlistError(f"duplicate city ids in scores: "
                             f"{scores.index[scores.index.duplicated()].unique().tolist()[:10]}")
    bad = scores.index[~np.isfinite(scores.to_numpy())].tolist()
    if bad:
        raise ShortlistError(f"scores must be finite; missing or infinite for {len(bad)} "
                             f"cities: {bad[:10]}")
    return scores


def _groups(con: Constraints, candidates: pd.DataFrame, ids: pd.Index, peers) -> tuple:
    group, peer_names = {}, {}
    if con.max_per_province is not None or con.max_per_region is not None:
        group["province"] = _column(candidates, "province_code", "a per-province or per-region "
                                    "limit", ids).astype(str).to_numpy()
    if con.max_per_region is not None:
        if con.regions is None:
            group["region"] = _column(candidates, "region", "max_per_region without a regions "
                                      "mapping", ids).astype(str).to_numpy()
        else:
            missing = sorted(set(group["province"]) - set(con.regions))
            if missing:
                raise ShortlistError(f"regions has no region for provinces {missing[:10]}; map "
                                     "every candidate's province to a region")
            group["region"] = np.array([con.regions[p] for p in group["province"]])
    if con.one_per_peer_group:
        if peers is None:
            raise ShortlistError("one_per_peer_group needs peer groups: pass peers= (see "
                                 "citykit.peers.peer_groups)")
        labels = getattr(peers, "labels", peers)
        peer_names = dict(getattr(peers, "names", pd.Series(dtype=object)))
        group["peer"] = aligned("peers", labels, ids, numeric=False).to_numpy()
    if con.population_tiers is not None:
        pop = _column(candidates, "population", "population_tiers", ids).astype(float)
        tier = np.full(len(ids), -1)
        for t, (low, high) in enumerate(con.population_tiers["tiers"]):
            tier[((pop >= low) & (pop < (np.inf if high is None else high))).to_numpy()] = t
        group["tier"] = tier
    return group, peer_names


def _costs(con: Constraints, candidates: pd.DataFrame, ids: pd.Index, costs) -> np.ndarray | None:
    if con.budget is None:
        if costs is not None:
            raise ShortlistError("costs= is given but the constraints have no budget")
        return None
    if costs is None and con.cost is None:
        raise ShortlistError("a budget needs a cost per city: set Constraints.cost (a mapping or "
                             "a candidates' column) or pass costs=")
    if costs is not None and con.cost is not None:
        raise ShortlistError("costs are given twice (Constraints.cost and costs=); keep one")
    if isinstance(con.cost, str):
        costs = _column(candidates, con.cost, "the budget", ids)
    values = aligned("cost", costs if costs is not None else con.cost, ids)
    negative = values.index[values < 0].tolist()
    if negative or not np.isfinite(values.to_numpy()).all():
        raise ShortlistError(f"costs must be finite and >= 0; not so for {negative[:10]}")
    return values.to_numpy(dtype=float)


def prepare(scores, candidates, con: Constraints, peers, readiness, costs) -> Data:
    """Check the inputs against the constraints and align them on the scores' ids."""
    scores = _scores(scores)
    ids = scores.index
    if not isinstance(candidates, pd.DataFrame):
        raise ShortlistError(f"candidates must be a DataFrame indexed by city id; got "
                             f"{type(candidates).__name__}")
    candidates = candidates.set_axis(candidates.index.map(str))
    _unknown_ids("scores", list(ids), candidates.index)
    _unknown_ids("must_include", con.must_include, ids)
    _unknown_ids("must_exclude", con.must_exclude, ids)
    group, peer_names = _groups(con, candidates, ids, peers)
    ready = None
    if con.min_readiness is not None:
        if readiness is None:
            raise ShortlistError("min_readiness needs readiness= (e.g. the ranking's "
                                 "subindex_scores['readiness'])")
        ready = aligned("readiness", readiness, ids).to_numpy(dtype=float)
    pairs = None
    if con.min_distance_km:
        lat = _column(candidates, "latitude", "min_distance_km", ids).astype(float).to_numpy()
        lon = _column(candidates, "longitude", "min_distance_km", ids).astype(float).to_numpy()
        pairs = _close_pairs(lat, lon, con.min_distance_km)
    table = candidates.reindex(ids)
    names = table["name_en"] if "name_en" in table.columns else pd.Series(ids, index=ids)
    label = [f"{n} ({i})" if isinstance(n, str) and n and n != i else str(i)
             for i, n in zip(ids, names, strict=True)]
    position = np.argsort(np.argsort(np.array(ids, dtype=str), kind="stable"), kind="stable")
    return Data(ids, scores.to_numpy(), position, table, label, group, ready,
                 _costs(con, candidates, ids, costs), pairs, peer_names)


# --------------------------------------------------------------------------- model

def scaled_objective(data: Data, k: int) -> np.ndarray:
    """Scaled scores plus the tie-breaking bonus (maximised)."""
    s, n = data.score, len(data.score)
    span = s.max() - s.min()
    scaled = (s - s.min()) / span * SCORE_SCALE if span > 0 else np.zeros(n)
    return scaled + TIE_BONUS * (n - data.position) / (n * k)


def _indicator_rows(labels: np.ndarray, keep=None) -> tuple[sparse.csr_array, list]:
    """One row per distinct label (optionally only `keep`), 1 where the candidate has it."""
    values = list(dict.fromkeys(v for v in labels if keep is None or keep(v)))
    index = {v: r for r, v in enumerate(values)}
    cols = np.array([c for c, v in enumerate(labels) if v in index], dtype=np.int64)
    rows = np.array([index[labels[c]] for c in cols], dtype=np.int64)
    return sparse.csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(values),
                                                                       len(labels))), values


def build_families(data: Data, con: Constraints) -> dict:
    """Each family as (rows A, lower, upper) and/or variable fixings (ones, zeros)."""
    n, fam = len(data.ids), {}
    fam["k"] = {"A": sparse.csr_array(np.ones((1, n))), "lo": [con.k], "hi": [con.k]}
    for key, name in (("max_per_province", "province"), ("max_per_region", "region")):
        limit = getattr(con, key)
        if limit is not None:
            A, _ = _indicator_rows(data.group[name])
            A = A[A.sum(axis=1) > limit]  # groups with at most `limit` candidates never bind
            fam[key] = {"A": A, "lo": np.full(A.shape[0], -np.inf), "hi": np.full(A.shape[0],
                                                                                 limit)}
    if data.pairs is not None and len(data.pairs[0]):
        i, j, _ = data.pairs
        m = len(i)
        A = sparse.csr_array((np.ones(2 * m), (np.repeat(np.arange(m), 2),
                                               np.column_stack([i, j]).ravel())), shape=(m, n))
        fam["min_distance_km"] = {"A": A, "lo": np.full(m, -np.inf), "hi": np.ones(m)}
    if con.one_per_peer_group:
        A, _ = _indicator_rows(data.group["peer"])
        fam["one_per_peer_group"] = {"A": A, "lo": np.ones(A.shape[0]),
                                     "hi": np.full(A.shape[0], np.inf)}
    if con.population_tiers is not None:
        tiers = con.population_tiers
        A, values = _indicator_rows(data.group["tier"], keep=lambda t: t >= 0)
        lo = [tiers["min_per_tier"][t] for t in values]
        hi = [np.inf if tiers["max_per_tier"] is None or tiers["max_per_tier"][t] is None
              else tiers["max_per_tier"][t] for t in values]
        missing = [t for t in range(len(tiers["tiers"])) if t not in values]
        A = sparse.vstack([A, sparse.csr_array((len(missing), n))]).tocsr()
        lo += [tiers["min_per_tier"][t] for t in missing]
        hi += [np.inf] * len(missing)
        fam["population_tiers"] = {"A": A, "lo": lo, "hi": hi}
    if data.cost is not None:
        fam["budget"] = {"A": sparse.csr_array(data.cost[None, :]), "lo": [-np.inf],
                         "hi": [con.budget]}
    in_ids = lambda ids: data.ids.isin(list(ids))  # noqa: E731
    if con.must_include:
        fam["must_include"] = {"ones": in_ids(con.must_include)}
    if con.must_exclude:
        fam["must_exclude"] = {"zeros": in_ids(con.must_exclude)}
    if data.readiness is not None:
        fam["min_readiness"] = {"zeros": data.readiness < con.min_readiness}
    return fam


@dataclass
class Model:
    """The families of one request; solves any subset of them."""

    data: Data
    constraints: Constraints
    families: dict
    time_limit: float
    solves: int = 0

    def solve(self, names=None, objective: np.ndarray | None = None):
        """(status, chosen mask or None); status 'optimal', 'infeasible' or 'limit'."""
        names = list(self.families) if names is None else list(names)
        n = len(self.data.ids)
        lb, ub = np.zeros(n), np.ones(n)
        rows = []
        for name in names:
            fam = self.families[name]
            if "ones" in fam:
                lb[fam["ones"]] = 1
            if "zeros" in fam:
                ub[fam["zeros"]] = 0
            if "A" in fam and fam["A"].shape[0]:
                rows.append(fam)
        if (lb > ub).any():
            return "infeasible", None
        constraints = [LinearConstraint(f["A"], np.asarray(f["lo"], dtype=float),
                                        np.asarray(f["hi"], dtype=float)) for f in rows]
        c = np.zeros(n) if objective is None else -objective
        self.solves += 1
        res = milp(c, integrality=np.ones(n), bounds=Bounds(lb, ub),
                   constraints=constraints or None,
                   options={"mip_rel_gap": 0.0, "time_limit": self.time_limit})
        if res.status == 2:
            return "infeasible", None
        if res.x is None:
            if res.status == 1:
                return "limit", None
            raise RuntimeError(f"the MILP solver failed (status {res.status}): {res.message}")
        return ("optimal" if res.status == 0 else "limit"), res.x > 0.5

    def size(self) -> dict:
        """Variables, constraint rows and non-zeros of the full model."""
        rows = sum(f["A"].shape[0] for f in self.families.values() if "A" in f)
        nnz = sum(f["A"].nnz for f in self.families.values() if "A" in f)
        fixed = sum(int(np.count_nonzero(f.get("ones", [])) + np.count_nonzero(f.get("zeros",
                                                                                      [])))
                    for f in self.families.values())
        pairs = 0 if self.data.pairs is None else len(self.data.pairs[0])
        return {"variables": len(self.data.ids), "rows": int(rows), "nonzeros": int(nnz),
                "fixed_variables": fixed, "distance_pairs": int(pairs)}
