"""Rank candidate cities: normalise, weight, aggregate per dimension and overall, explain.

:func:`rank` takes a complete :class:`~citykit.matrix.CityMatrix` (eligible candidates, missing
data handled) and returns a :class:`Ranking`: scores and ranks with explicit ties, a score per
framework dimension and sub-index, each city's contributions (additive methods), its strengths
and weaknesses against the median of its peers, and every intermediate table. Every result names
its method together with its normalisation, because the libraries of this field disagree on
what, say, a "weighted sum" normalises by.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import aggregate, normalise
from . import weights as weighting
from .exceptions import CityKitError
from .matrix import CityMatrix

__all__ = ["SW_GROUPS", "SW_KINDS", "Ranking", "RankingError", "criterion_groups",
           "framework_weights", "rank", "resolve_weights"]


class RankingError(CityKitError, ValueError):
    """The ranking cannot be computed as asked (missing values, unknown weighting, ...)."""


#: Groups of :meth:`Ranking.strengths_weaknesses`, in display order: a national framework's
#: sub-indices, or one ``"overall"`` group for a framework without them.
SW_GROUPS = ("readiness", "need", "overall")
#: The (favourable, unfavourable) kind of a gap in each group. In *need*, a favourable gap is
#: more need than most candidates (a pilot would serve more need there), never a "strength".
SW_KINDS = {"readiness": ("strength", "weakness"), "need": ("need", "less-need"),
            "overall": ("strength", "weakness")}


def criterion_groups(criteria: pd.DataFrame) -> pd.Series:
    """Each criterion's group: ``"need"`` or ``"readiness"`` by its sub-index, else ``"overall"``.

    A criterion in a sub-index other than need is read as readiness (more is more ready).

    Examples
    --------
    >>> criterion_groups(pd.DataFrame({"subindex": ["need", "readiness", None]},
    ...                               index=["beds", "degree", "jobs"])).tolist()
    ['need', 'readiness', 'overall']
    """
    sub = criteria["subindex"] if "subindex" in criteria.columns else \
        pd.Series(None, index=criteria.index, dtype=object)
    out = pd.Series("overall", index=criteria.index, dtype=object, name="group")
    has = sub.notna() & (sub.astype(str).str.len() > 0)
    out[has] = np.where(sub[has].astype(str) == "need", "need", "readiness")
    return out


# --------------------------------------------------------------------------- weights

def framework_weights(framework, matrix: CityMatrix, *, normalise_weights: bool = False
                      ) -> pd.Series:
    """Criterion weights from the framework hierarchy: dimension × component × indicator.

    Each leaf's weight is the product of the weights on its path (siblings without a stated
    weight share their parent's equally, among those that have criteria in `matrix`); a leaf's
    weight is split equally among its indicators. When a sibling with a stated weight has no
    criterion left in the matrix (dropped by a missing-data policy), the weights no longer sum
    to 1: that is an error unless ``normalise_weights=True`` asks to rescale them explicitly.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> from citykit.frameworks import load_framework
    >>> fw = load_framework("iran_national")
    >>> w = framework_weights(fw, CityMatrix.from_dataset(load_dataset("iran"), fw))
    >>> round(float(w.sum()), 12), round(float(w["census_unemployment_rate"]), 4)
    (1.0, 0.025)
    """
    present = set(matrix.criteria["component"])
    has = {}

    def has_criteria(code: str) -> bool:
        if code not in has:
            kids = framework.children(code)
            has[code] = code in present if not kids else any(has_criteria(k.code) for k in kids)
        return has[code]

    def own(component) -> float:
        siblings = [s for s in framework.children(component.parent) if has_criteria(s.code)]
        if component.weight is None or not any(s.weight is not None for s in siblings):
            return 1.0 / len(siblings)
        return float(component.weight)

    leaf_weight = {}
    for code in present:
        total, node = 1.0, framework.by_code[code]
        while node is not None:
            total *= own(node)
            node = framework.by_code[node.parent] if node.parent else None
        leaf_weight[code] = total
    per_leaf = matrix.criteria["component"].value_counts()
    w = matrix.criteria["component"].map(lambda c: leaf_weight[c] / per_leaf[c]).astype(float)
    w.name = "weight"
    return pd.Series(weighting.check_weights(w.to_numpy(), normalise=normalise_weights,
                                             names=list(w.index)), index=w.index, name="weight")


def resolve_weights(spec, matrix: CityMatrix, *, framework=None,
                    normalise_weights: bool = False) -> pd.Series:
    """Turn a weighting choice into one weight per criterion (summing to 1).

    Parameters
    ----------
    spec : str or mapping
        ``"framework"`` (hierarchical weights of `framework`), ``"equal"``, a data-driven method
        (``"entropy"``, ``"critic"``, ``"pca"``; learned on `matrix`, the eligible candidates), or
        a mapping ``{criterion: weight}`` covering every criterion.
    """
    names = list(matrix.values.columns)
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in names]
        missing = [c for c in names if c not in spec]
        if unknown or missing:
            hint = difflib.get_close_matches(str(unknown[0]), names, n=3) if unknown else []
            raise RankingError(
                f"weights must name every criterion exactly: unknown {unknown}, missing "
                f"{missing}" + (f"; closest to {unknown[0]!r}: {hint}" if hint else ""))
        w = np.array([float(spec[c]) for c in names])
        return pd.Series(weighting.check_weights(w, normalise=normalise_weights, names=names),
                         index=names, name="weight")
    if spec == "framework":
        if framework is None:
            raise RankingError("weights='framework' needs a framework; pass framework= or use "
                               "'equal' or explicit weights")
        return framework_weights(framework, matrix, normalise_weights=normalise_weights)
    if spec == "equal":
        return pd.Series(weighting.equal(len(names)), index=names, name="weight")
    known = ("framework", "equal") + tuple(sorted(weighting.WEIGHTING))
    if spec not in known:
        near = difflib.get_close_matches(str(spec), known, n=2)
        raise RankingError(f"unknown weighting {spec!r}; expected one of {list(known)} or a "
                           "mapping {criterion: weight}" + (f"; closest: {near}" if near else ""))
    return pd.Series(weighting.data_weights(spec, matrix.to_array()), index=names,
                     name="weight")


# --------------------------------------------------------------------------- result

@dataclass(frozen=True, eq=False)
class Ranking:
    """The result of :func:`rank`; every table is labelled by candidate id and criterion id.

    Attributes
    ----------
    method, normalisation : str
        What was computed, e.g. ``"topsis"`` on ``"minmax"``-normalised data.
    higher_is_better : bool
        Direction of :attr:`scores` (False for VIKOR's Q).
    scores, ranks : pandas.Series
        Overall score and rank (1 = best; ties share the lowest rank, never argsort order).
    dimension_scores, subindex_scores : pandas.DataFrame
        Candidate × dimension (sub-index) scores with the same method, using the criteria of each
        group and the overall weights rescaled to sum 1 inside the group.
    weights : pandas.Series
        One weight per criterion (sums to 1).
    normalised : pandas.DataFrame
        The benefit-oriented normalised matrix (higher is better in every column).
    contributions : pandas.DataFrame or None
        ``weight × normalised value`` per candidate and criterion; only for the weighted sum,
        where they add up to the score exactly.
    matrix : CityMatrix
        The input (raw values, provenance, criteria, candidates, history).
    normaliser : dict
        The normaliser's parameters and what it learned on the eligible candidates.
    details : dict
        Method-specific tables (e.g. VIKOR's S, R, Q and its compromise conditions).
    """

    method: str
    normalisation: str
    higher_is_better: bool
    scores: pd.Series
    ranks: pd.Series
    dimension_scores: pd.DataFrame
    subindex_scores: pd.DataFrame
    weights: pd.Series
    normalised: pd.DataFrame
    contributions: pd.DataFrame | None
    matrix: CityMatrix
    normaliser: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    method_params: dict = field(default_factory=dict)

    @property
    def has_ties(self) -> bool:
        """True when two candidates share a rank."""
        return bool(self.ranks.duplicated().any())

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per candidate, best first: rank, name, score, dimension scores, data flags.

        The data flags are ``proxy_share`` and ``imputed_share`` (shares of the criteria) and
        ``city_level_weight`` (share of the ranking weight on values measured for the city or
        the urban centre it is the core of).
        """
        prov = self.matrix.provenance
        out = pd.DataFrame({
            "rank": self.ranks, "name": self.matrix.names(lang), "score": self.scores,
        })
        for column in self.subindex_scores.columns:
            out[f"subindex:{column}"] = self.subindex_scores[column]
        for column in self.dimension_scores.columns:
            out[f"dimension:{column}"] = self.dimension_scores[column]
        out["proxy_share"] = prov.isin(["proxy-county", "proxy-province"]).mean(axis=1)
        out["imputed_share"] = prov.apply(lambda c: c.astype(str).str.startswith("imputed")) \
            .mean(axis=1)
        # The share of the *weight* (not of the criteria) resting on the city's own values or
        # its urban centre's: what the score of each city is really made of.
        out["city_level_weight"] = self.matrix.weight_by_provenance(self.weights)["city-level"]
        return out.sort_values(["rank", "name"], kind="stable")

    def strengths_weaknesses(self, city: str, *, n: int = 3, peers=None,
                             min_difference: float = 0.02) -> pd.DataFrame:
        """Where `city` stands out from the median of its peers, by sub-index, in plain terms.

        The gap is measured on the normalised scale (higher scores better) and ranked by
        ``weight × gap``, so a large gap on a criterion that barely counts ranks low. The
        criteria are grouped by sub-index, because a favourable gap means different things:

        * **readiness** (and **overall**, for a framework without sub-indices): a favourable
          gap is a ``"strength"`` (the city is better placed than most candidates to run a
          pilot), an unfavourable one a ``"weakness"``;
        * **need**: a favourable gap means *more need* than most candidates (fewer hospital
          beds, more unemployment): a ``"need"`` signal, where a pilot would serve more need;
          an unfavourable one is ``"less-need"``. Need is never called a strength or a weakness.

        Parameters
        ----------
        city : str
            Candidate id.
        n : int, default 3
            Rows returned per group and kind (at most ``n`` strengths, ``n`` weaknesses, ``n``
            need signals and ``n`` less-need signals).
        peers : sequence of str, optional
            Candidate ids to compare with; default all ranked candidates.
        min_difference : float, default 0.02
            Raw differences from the peers' median smaller than this share of the median are
            not called out: the normalised scale stretches whatever range the candidates span,
            so 99.85 % against 100 % water coverage would otherwise read as a large gap.

        Returns
        -------
        pandas.DataFrame
            One row per criterion shown, groups in the order of :data:`SW_GROUPS`, within a
            group the favourable kind first (largest impact first), then the unfavourable one
            (most negative impact first). Columns: ``criterion``, ``name``, ``dimension``,
            ``raw``, ``normalised``, ``peer_median`` (normalised), ``gap``, ``impact``,
            ``provenance``, ``kind`` (:data:`SW_KINDS`), ``group`` (``"readiness"``,
            ``"need"`` or ``"overall"``), ``direction`` (``max``/``min``: the criterion's
            polarity within its sub-index), ``raw_median`` (the peers' median raw value) and
            ``relation`` (``"higher"`` or ``"lower"``: the city's raw value against most
            candidates, in the direction the gap says).

        Examples
        --------
        >>> frame = pd.DataFrame({"degree": [25.0, 19.0, 18.0], "beds": [14.0, 18.0, 20.0]},
        ...                      index=["A", "B", "C"])           # SYNTHETIC
        >>> crit = pd.DataFrame({"subindex": ["readiness", "need"]}, index=frame.columns)
        >>> r = rank(CityMatrix.from_frame(frame, ["max", "min"], criteria=crit))
        >>> r.strengths_weaknesses("A")[["criterion", "group", "kind", "relation"]]
          criterion      group      kind relation
        0    degree  readiness  strength   higher
        1      beds       need      need    lower
        """
        if city not in self.normalised.index:
            near = difflib.get_close_matches(str(city), list(self.normalised.index), n=3)
            raise RankingError(f"unknown candidate {city!r}" + (f"; closest: {near}" if near
                                                                   else ""))
        peer_ids = self.normalised.index if peers is None else list(peers)
        median = self.normalised.loc[peer_ids].median()
        gap = self.normalised.loc[city] - median
        impact = gap * self.weights
        criteria = self.matrix.criteria
        direction = criteria["direction"].reindex(gap.index)
        rows = pd.DataFrame({
            "criterion": gap.index, "name": criteria["name_en"].reindex(gap.index),
            "dimension": criteria["dimension"].reindex(gap.index),
            "raw": self.matrix.values.loc[city], "normalised": self.normalised.loc[city],
            "peer_median": median, "gap": gap, "impact": impact,
            "provenance": self.matrix.provenance.loc[city],
            "group": criterion_groups(criteria).reindex(gap.index),
            "direction": direction,
            "raw_median": self.matrix.values.loc[peer_ids].median(),
            "relation": np.where((gap > 0) == (direction == "max"), "higher", "lower"),
        }).reset_index(drop=True)
        raw_gap = (rows["raw"] - rows["raw_median"]).abs().to_numpy(dtype=float)
        scale = rows["raw_median"].abs().to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            material = ~(raw_gap < min_difference * scale)  # NaN raw values are kept as they were
        rows = rows[material]
        parts = []
        for group in SW_GROUPS:
            mine = rows[rows["group"] == group]
            good, bad = SW_KINDS[group]
            parts.append(mine[mine["gap"] > 0].nlargest(n, "impact").assign(kind=good))
            parts.append(mine[mine["gap"] < 0].nsmallest(n, "impact").assign(kind=bad))
        columns = [*rows.columns[:9], "kind", *rows.columns[9:]]
        return pd.concat(parts, ignore_index=True)[columns]

    def contributions_by_dimension(self) -> pd.DataFrame | None:
        """Contributions summed per dimension (weighted sum only); rows add up to the score."""
        if self.contributions is None:
            return None
        dims = self.matrix.criteria["dimension"]
        return self.contributions.T.groupby(dims).sum().T


# --------------------------------------------------------------------------- ranking

def _score(method, normalised: np.ndarray, w: np.ndarray, params: dict) -> tuple[np.ndarray,
                                                                                   dict]:
    """Scores of one method on a normalised matrix, plus method-specific details."""
    return method.score(normalised, w, **params)


def _group_scores(method, normalised: pd.DataFrame, weights: pd.Series, groups: pd.Series,
                  params: dict) -> pd.DataFrame:
    """Each group's score: the method on the group's criteria, weights rescaled to sum to 1.

    Works on positions (numpy), not labels: pandas label lookups on string columns cost more
    than the scoring itself (every re-ranking computes the sub-index and dimension scores).
    """
    labels = groups.reindex(normalised.columns).to_numpy(dtype=object)
    codes, names = pd.factorize(labels)  # first-seen order; None and NaN get -1 (no group)
    values = normalised.to_numpy(dtype=float)
    w_all = weights.reindex(normalised.columns).to_numpy(dtype=float)
    m = values.shape[1]
    out = {}
    for g, group in enumerate(names):
        index = np.flatnonzero(codes == g)
        w = w_all[index]
        if w.sum() <= 0:
            continue
        sliced = {k: (np.asarray(v)[index] if np.ndim(v) == 1 and len(v) == m else v)
                  for k, v in params.items()}
        scores, _ = _score(method, values[:, index], w / w.sum(), sliced)
        out[group] = scores
    return pd.DataFrame(out, index=normalised.index)


def rank(matrix: CityMatrix, *, method: str = "wsum", normalisation: str | None = None,
         weights="equal", framework=None, normalise_weights: bool = False,
         normalisation_params: Mapping | None = None, method_params: Mapping | None = None
         ) -> Ranking:
    """Rank the candidates of a complete matrix.

    Parameters
    ----------
    matrix : CityMatrix
        Eligible candidates with no missing value (see :func:`citykit.impute.handle_missing`).
    method : {"wsum", "geometric", "topsis", "vikor", "promethee2"}, default "wsum"
    normalisation : str, optional
        A name from :data:`citykit.normalise.NORMALISERS`; default: the method's usual one.
        Learned on the candidates given (the eligible set), and recorded.
    weights : str, mapping or pandas.Series, default "equal"
        See :func:`resolve_weights`; a Series is used as given (checked to sum to 1).
    framework : Framework, optional
        Needed for ``weights="framework"``.
    normalise_weights : bool, default False
        Rescale weights that do not sum to 1 (explicitly; otherwise that is an error).
    normalisation_params, method_params : mapping, optional
        Passed to the normaliser (e.g. ``on_constant``, ``bounds``) and to the method (e.g.
        VIKOR's ``v``, PROMETHEE's ``preference``, ``p``, ``q``).

    Returns
    -------
    Ranking

    Examples
    --------
    >>> m = CityMatrix.from_frame(pd.DataFrame({"jobs": [3.0, 5.0, 4.0], "cost": [2.0, 1.0, 2.5]},
    ...                                        index=["A", "B", "C"]), ["max", "min"])
    >>> r = rank(m, method="wsum")
    >>> r.ranks.to_dict()
    {'A': 3, 'B': 1, 'C': 2}
    >>> f"{r.method} on {r.normalisation}"
    'wsum on minmax'
    """
    if matrix.values.isna().any().any():
        gaps = matrix.values.isna().sum()
        raise RankingError(
            f"{int(gaps.sum())} values are missing ({gaps[gaps > 0].to_dict()}); handle them first "
            "with citykit.impute.handle_missing (drop or impute), nothing is dropped silently")
    if matrix.shape[0] < 2:
        raise RankingError(f"need at least 2 candidates to rank, got {matrix.shape[0]}",
                           code="too_few_candidates", params={"n": int(matrix.shape[0])})
    spec = aggregate.get_method(method)
    norm_name = normalisation or spec.default_normalisation
    normaliser = normalise.make_normaliser(norm_name, **dict(normalisation_params or {}))
    raw = matrix.to_array()
    names = list(matrix.values.columns)
    n = normaliser.fit(raw, matrix.directions.to_numpy(), names=names).transform(raw)
    normalised = pd.DataFrame(n, index=matrix.values.index, columns=names)
    if isinstance(weights, pd.Series):
        w = pd.Series(weighting.check_weights(weights.reindex(names).to_numpy(),
                                              normalise=normalise_weights, names=names),
                      index=names, name="weight")
    else:
        w = resolve_weights(weights, matrix, framework=framework,
                            normalise_weights=normalise_weights)
    params = dict(method_params or {})
    scores, details = _score(spec, n, w.to_numpy(), params)
    scores = pd.Series(scores, index=matrix.values.index, name="score")
    ranks = pd.Series(aggregate.rank_scores(scores.to_numpy(),
                                            higher_is_better=spec.higher_is_better),
                      index=scores.index, name="rank")
    contributions = normalised * w if spec.additive else None
    return Ranking(
        method=method, normalisation=norm_name, higher_is_better=spec.higher_is_better,
        scores=scores, ranks=ranks,
        dimension_scores=_group_scores(spec, normalised, w, matrix.criteria["dimension"], params),
        subindex_scores=_group_scores(spec, normalised, w, matrix.criteria["subindex"], params),
        weights=w, normalised=normalised, contributions=contributions, matrix=matrix,
        normaliser={"name": norm_name, "params": normaliser.get_params(),
                    "learned": normaliser.get_learned()}, details=details,
        method_params=params,
    )
