"""Peer groups: candidates clustered on their indicator profiles, each group named by what sets it apart.

A pilot can stand for the cities that resemble it. :func:`peer_groups` clusters the candidates on
their normalised indicator profiles (k-means on standardised columns; the number of groups chosen
by the silhouette or given) and names each group by its two or three most distinctive criteria,
e.g. ``"high tertiary education, low unemployment"``. :func:`citykit.shortlist.select` can then
require at least one pilot per group.

The groups are learned from the candidates passed in: adding or removing a candidate can change
every group, as it changes the normalisation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .exceptions import PeerGroupError

__all__ = ["PeerGroupError", "PeerGroups", "peer_groups", "peer_groups_of"]

#: Runs of k-means (different centroid seeds) per k; the best inertia is kept.
N_INIT = 10
#: A criterion enters a group's name when its centroid is at least this many standard deviations
#: from the overall mean (the two most distinctive criteria always do).
NAME_MIN_Z = 0.5


@dataclass(frozen=True, eq=False)
class PeerGroups:
    """Candidates grouped by profile (the result of :func:`peer_groups`).

    Attributes
    ----------
    labels : pandas.Series
        Group of each candidate (1 = the largest group), indexed by candidate id.
    names : pandas.Series
        Name of each group, indexed by group: its most distinctive criteria with their sign.
    centroids : pandas.DataFrame
        Group × criterion mean of the standardised profiles (0 = the candidates' mean, in
        standard deviations).
    k : int
        Number of groups.
    silhouette : float
        Mean silhouette of the chosen grouping (-1 to 1; higher = better separated).
    silhouette_by_k : pandas.Series
        Silhouette of every k tried (just the chosen one when k was given).
    seed : int
        The k-means random state.
    terms : dict
        ``{group: [(criterion, "high" or "low", z), ...]}``: what each name says, with the
        centroid's z-score (the sign of z is on the normalised, benefit-oriented scale).
    """

    labels: pd.Series
    names: pd.Series
    centroids: pd.DataFrame
    k: int
    silhouette: float
    silhouette_by_k: pd.Series
    seed: int
    terms: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<PeerGroups k={self.k} over {len(self.labels)} candidates, "
                f"silhouette {self.silhouette:.3f}>")

    def members(self, group: int) -> list:
        """Candidate ids in `group`, in id order."""
        if group not in self.names.index:
            raise PeerGroupError(f"unknown peer group {group!r}; groups are "
                                 f"{self.names.index.tolist()}")
        return sorted(self.labels.index[self.labels == group], key=str)

    def table(self) -> pd.DataFrame:
        """One row per group: size and name."""
        size = self.labels.value_counts().reindex(self.names.index).rename("size")
        return pd.DataFrame({"size": size, "name": self.names}).rename_axis("peer_group")


def _standardise(normalised: pd.DataFrame) -> pd.DataFrame:
    """Columns to mean 0, sd 1; a constant column becomes 0 (it separates nobody)."""
    sd = normalised.std(ddof=0)
    return (normalised - normalised.mean()) / sd.where(sd > 0, 1.0)


def _check(normalised: pd.DataFrame, k: int | None, k_range: tuple[int, int]) -> None:
    if not isinstance(normalised, pd.DataFrame):
        raise PeerGroupError(f"normalised must be a pandas DataFrame (candidates x criteria); "
                             f"got {type(normalised).__name__}")
    if normalised.index.has_duplicates:
        dup = normalised.index[normalised.index.duplicated()].unique().tolist()
        raise PeerGroupError(f"duplicate candidate ids {dup[:10]}; give every row its own id")
    bad = [c for c in normalised.columns if not pd.api.types.is_numeric_dtype(normalised[c])]
    if bad:
        raise PeerGroupError(f"non-numeric criteria {bad[:10]}; pass the normalised matrix")
    values = normalised.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        rows = normalised.index[~np.isfinite(values).all(axis=1)].tolist()
        raise PeerGroupError(f"missing or infinite values for {len(rows)} candidates "
                             f"{rows[:10]}; handle missing data before forming peer groups")
    n = len(normalised)
    if n < 3:
        raise PeerGroupError(f"peer groups need at least 3 candidates (k from 2 to n - 1); "
                             f"got {n}")
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n - 1:
            raise PeerGroupError(f"k must be an integer from 2 to n - 1 = {n - 1} (the "
                                 f"silhouette is undefined outside); got {k!r}")
    else:
        lo, hi = k_range
        if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer))
                and 2 <= lo <= hi):
            raise PeerGroupError(f"k_range must be (low, high) integers with 2 <= low <= high; "
                                 f"got {k_range!r}")


def _cluster(z: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():  # duplicate profiles: fewer distinct clusters, checked below
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(z)


def _relabel(labels: np.ndarray, index: pd.Index) -> pd.Series:
    """Groups numbered 1.. by size (largest first), ties by their first member's id."""
    raw = pd.Series(labels, index=index)
    first = {g: min(map(str, members)) for g, members in raw.groupby(raw).groups.items()}
    order = sorted(first, key=lambda g: (-int((raw == g).sum()), first[g]))
    mapping = {g: i + 1 for i, g in enumerate(order)}
    return raw.map(mapping).astype(int).rename("peer_group")


def _terms(centroid: pd.Series, directions: Mapping) -> list[tuple[str, str, float]]:
    """(criterion, "high"/"low", z) for the criteria furthest from the mean, in the raw sense."""
    order = centroid.abs().sort_values(ascending=False, kind="stable")
    terms = []
    for criterion, size in order.items():
        if len(terms) >= 3 or (len(terms) >= 2 and size < NAME_MIN_Z):
            break
        better = centroid[criterion] > 0
        high = better if directions.get(criterion, "max") == "max" else not better
        terms.append((criterion, "high" if high else "low", float(centroid[criterion])))
    return terms


def _name(terms: list, names: Mapping) -> str:
    """'high X, low Y' ('; ' between terms when a criterion's name has a comma)."""
    words = [f"{sign} {names.get(criterion, criterion)}" for criterion, sign, _ in terms]
    return ("; " if any("," in w for w in words) else ", ").join(words)


def peer_groups(normalised: pd.DataFrame, *, k: int | None = None,
                k_range: tuple[int, int] = (2, 8), seed: int = 0,
                names: Mapping | None = None, directions: Mapping | None = None) -> PeerGroups:
    """Cluster candidates on their indicator profiles and name each group.

    Columns are standardised (mean 0, sd 1 over the candidates; a constant column is set to 0)
    and clustered with k-means (``n_init=10``, ``random_state=seed``), so the result is the
    same on every run with the same seed.

    Parameters
    ----------
    normalised : pandas.DataFrame
        Candidates × criteria, e.g. :attr:`citykit.ranking.Ranking.normalised` (benefit-oriented:
        higher is better in every column). No missing values.
    k : int, optional
        Number of groups, from 2 to n - 1. Default: the k in `k_range` with the highest mean
        silhouette (the smallest such k on a tie).
    k_range : tuple of int, default (2, 8)
        Smallest and largest k tried when `k` is None (capped at n - 1).
    seed : int, default 0
        k-means random state.
    names : mapping, optional
        Display name of each criterion (default: the column name). Terms of a group's name are
        joined by ", ", or by "; " when a criterion's name contains a comma.
    directions : mapping, optional
        ``"max"`` or ``"min"`` per criterion: the direction of the *raw* indicator. The name
        of a group says "high"/"low" of the raw indicator, so a group that scores well on a
        ``"min"`` criterion such as unemployment is named "low unemployment". Default: every
        column read as it is given.

    Returns
    -------
    PeerGroups

    Raises
    ------
    PeerGroupError
        Fewer than 3 candidates, k outside 2..n-1, missing or non-numeric values, or no k in
        range giving that many distinct groups (too many identical profiles).

    See Also
    --------
    peer_groups_of : the same from a :class:`~citykit.ranking.Ranking`, with its criteria's
        names and directions.

    Examples
    --------
    >>> x = pd.DataFrame({"jobs": [0.9, 0.8, 0.85, 0.1, 0.2, 0.15],
    ...                   "unemployment": [0.8, 0.9, 0.85, 0.1, 0.2, 0.15]},
    ...                  index=list("ABCDEF"))
    >>> groups = peer_groups(x, directions={"unemployment": "min"})
    >>> groups.k, groups.labels.to_dict()
    (2, {'A': 1, 'B': 1, 'C': 1, 'D': 2, 'E': 2, 'F': 2})
    >>> groups.names[1]
    'high jobs, low unemployment'
    """
    _check(normalised, k, k_range)
    names, directions = dict(names or {}), dict(directions or {})
    unknown = sorted(str(d) for d in set(directions.values()) - {"max", "min"})
    if unknown:
        raise PeerGroupError(f"directions must be 'max' or 'min'; got {unknown}")
    z = _standardise(normalised.astype(float))
    if not (z.to_numpy() != 0).any():
        raise PeerGroupError("every criterion is constant over the candidates; there is "
                             "nothing to group them by")
    n = len(z)
    tried = [k] if k is not None else list(range(k_range[0], min(k_range[1], n - 1) + 1))
    results = {}
    for kk in tried:
        labels = _cluster(z.to_numpy(), kk, seed)
        if len(np.unique(labels)) == kk:
            results[kk] = labels
    if not results:
        raise PeerGroupError(f"no k in {tried} gives that many distinct groups: only "
                             f"{len(z.drop_duplicates())} distinct profiles among {n} candidates")
    from sklearn.metrics import silhouette_score

    scores = pd.Series({kk: float(silhouette_score(z, lab)) for kk, lab in results.items()},
                       name="silhouette").rename_axis("k")
    best = int(scores.idxmax())  # first maximum = smallest k on a tie
    labels = _relabel(results[best], z.index)
    centroids = z.groupby(labels).mean().rename_axis("peer_group")
    terms = {int(g): _terms(centroids.loc[g], directions) for g in centroids.index}
    group_names = pd.Series({g: _name(terms[g], names) for g in terms},
                            name="name").rename_axis("peer_group")
    return PeerGroups(labels, group_names, centroids, best, float(scores[best]), scores, seed,
                      terms)


def peer_groups_of(ranking, **kwargs) -> PeerGroups:
    """Peer groups of a ranking's candidates, named with its criteria's English names.

    Same as ``peer_groups(ranking.normalised, names=..., directions=..., **kwargs)`` with the
    names and directions of ``ranking.matrix.criteria``.

    Examples
    --------
    >>> from citykit.eligibility import preset_rules
    >>> from citykit.scenario import Scenario, run
    >>> wide = Scenario(eligibility=preset_rules("urban-centres"))    # 90 candidates
    >>> groups = peer_groups_of(run(wide).ranking, k=4)
    >>> groups.k, int(groups.labels.count())
    (4, 90)
    """
    criteria = ranking.matrix.criteria
    names = criteria["name_en"].dropna().to_dict() if "name_en" in criteria else {}
    directions = criteria["direction"].to_dict() if "direction" in criteria else {}
    return peer_groups(ranking.normalised, names=names, directions=directions, **kwargs)
