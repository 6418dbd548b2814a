"""Missing data: report it, then handle it by a named policy that leaves a trace.

Values a city borrows from its county or province are not missing: the matrix already carries
them, flagged ``proxy-county`` / ``proxy-province`` (the dataset's higher-level rule). What is
still missing after that is handled here, by one of the :data:`POLICIES`:

``none``
    Refuse to rank while values are missing; the error lists the gaps and the policies.
``drop-criteria``
    Drop criteria whose coverage is below ``min_coverage``; the rest must then be complete.
``drop-candidates``
    Drop every candidate with a missing value.
``median``
    Fill with the criterion's median over the eligible candidates.
``knn``
    Fill from the ``k`` most similar eligible candidates (scikit-learn ``KNNImputer``).
``province-mean``
    Fill with the mean of the other eligible candidates in the same province.

Imputed cells are flagged ``imputed-<policy>`` in :attr:`CityMatrix.provenance`, and every
dropped criterion or candidate is named in the returned :class:`MissingReport`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .exceptions import CityKitError
from .matrix import CityMatrix

__all__ = ["MissingDataError", "MissingReport", "POLICIES", "handle_missing"]

POLICIES = ("none", "drop-criteria", "drop-candidates", "median", "knn", "province-mean")


class MissingDataError(CityKitError, ValueError):
    """Values are missing and the chosen policy cannot proceed."""


@dataclass(frozen=True)
class MissingReport:
    """What a missing-data policy did."""

    policy: str
    params: dict
    missing_before: int
    dropped_criteria: tuple[str, ...] = ()
    dropped_candidates: tuple[str, ...] = ()
    imputed_cells: int = 0

    def __str__(self) -> str:
        parts = [f"missing data: policy {self.policy!r}, {self.missing_before} missing cells"]
        if self.dropped_criteria:
            parts.append(f"dropped criteria {list(self.dropped_criteria)}")
        if self.dropped_candidates:
            parts.append(f"dropped {len(self.dropped_candidates)} candidates "
                         f"{list(self.dropped_candidates)[:8]}")
        if self.imputed_cells:
            parts.append(f"imputed {self.imputed_cells} cells (flagged imputed-{self.policy})")
        return "; ".join(parts)


def _gaps(matrix: CityMatrix) -> str:
    missing = matrix.values.isna()
    per = missing.sum()
    per = per[per > 0].sort_values(ascending=False)
    listed = ", ".join(f"{c} ({n})" for c, n in per.head(8).items())
    return f"{int(missing.sum().sum())} missing cells in {len(per)} criteria: {listed}"


def handle_missing(matrix: CityMatrix, policy="none", *, min_coverage: float = 0.8,
                   k: int = 5) -> tuple[CityMatrix, MissingReport]:
    """Apply a missing-data policy (or a chain of them); return the complete matrix and a report.

    Parameters
    ----------
    matrix : CityMatrix
        Usually the eligible candidates (statistics are learned on them only).
    policy : str or sequence, default "none"
        One of :data:`POLICIES`, or a sequence of steps applied in order, each a name or a dict
        ``{"policy": name, **params}``, e.g. ``["drop-criteria", "median"]``.
    min_coverage : float, default 0.8
        For ``drop-criteria``: the share of candidates a criterion needs to be kept.
    k : int, default 5
        For ``knn``: neighbours used.

    Raises
    ------
    MissingDataError
        Unknown policy, bad parameters, or values still missing after the last step.

    Examples
    --------
    >>> m = CityMatrix.from_frame(pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]},
    ...                                        index=["X", "Y", "Z"]), ["max", "max"])
    >>> filled, report = handle_missing(m, "median")
    >>> float(filled.values.loc["Y", "a"]), filled.provenance.loc["Y", "a"]
    (2.0, 'imputed-median')
    """
    steps = [policy] if isinstance(policy, (str, dict)) else list(policy)
    reports = []
    for step in steps:
        params = dict(step) if isinstance(step, dict) else {"policy": step}
        name = params.pop("policy", None)
        params = {"min_coverage": min_coverage, "k": k, **params}
        matrix, report = _apply_one(matrix, name, **params)
        reports.append(report)
    if matrix.values.isna().any().any():
        raise MissingDataError(f"policy {policy!r} left values missing: {_gaps(matrix)}. Add a "
                               "step that imputes or drops them (e.g. ['drop-criteria', "
                               "'median']).")
    return matrix, reports[0] if len(reports) == 1 else _merge(reports)


def _merge(reports: list[MissingReport]) -> MissingReport:
    return MissingReport(
        " then ".join(r.policy for r in reports), {r.policy: r.params for r in reports},
        reports[0].missing_before,
        tuple(c for r in reports for c in r.dropped_criteria),
        tuple(c for r in reports for c in r.dropped_candidates),
        sum(r.imputed_cells for r in reports))


def _apply_one(matrix: CityMatrix, policy: str, *, min_coverage: float, k: int):
    if policy not in POLICIES:
        near = difflib.get_close_matches(str(policy), POLICIES, n=2)
        raise MissingDataError(f"unknown missing-data policy {policy!r}; expected one of "
                               f"{list(POLICIES)}" + (f"; closest: {near}" if near else ""))
    before = int(matrix.values.isna().sum().sum())
    params = {"min_coverage": min_coverage} if policy == "drop-criteria" else \
        {"k": k} if policy == "knn" else {}
    if before == 0:
        return matrix, MissingReport(policy, params, 0)
    handler = {"none": _refuse, "drop-criteria": _drop_criteria,
               "drop-candidates": _drop_candidates, "median": _median, "knn": _knn,
               "province-mean": _province_mean}[policy]
    return handler(matrix, before=before, min_coverage=min_coverage, k=k)


def _refuse(matrix, *, before, **_):
    raise MissingDataError(
        f"{_gaps(matrix)}. Choose a missing-data policy: {', '.join(POLICIES[1:])}.")


def _drop_criteria(matrix, *, before, min_coverage, **_):
    if not 0 <= min_coverage <= 1:
        raise MissingDataError(f"min_coverage must be a share between 0 and 1, got "
                               f"{min_coverage!r}")
    share = matrix.values.notna().mean()
    drop = share.index[share < min_coverage].tolist()
    if len(drop) == matrix.shape[1]:
        raise MissingDataError(f"every criterion has coverage below {min_coverage:.0%}; "
                               "lower min_coverage or impute instead")
    out = matrix.drop_criteria(drop, note=f"missing data: dropped {len(drop)} criteria with "
                                          f"coverage < {min_coverage:.0%}: {drop}")
    return out, MissingReport("drop-criteria", {"min_coverage": min_coverage}, before,
                              dropped_criteria=tuple(drop))


def _drop_candidates(matrix, *, before, **_):
    complete = matrix.values.notna().all(axis=1)
    drop = complete.index[~complete].tolist()
    if not complete.any():
        raise MissingDataError("every candidate has a missing value; impute instead")
    out = matrix.take(complete.index[complete], note=f"missing data: dropped {len(drop)} "
                                                     f"incomplete candidates: {drop[:8]}")
    return out, MissingReport("drop-candidates", {}, before, dropped_candidates=tuple(drop))


def _flagged(matrix: CityMatrix, filled: pd.DataFrame, policy: str, before: int,
             params: dict) -> tuple[CityMatrix, MissingReport]:
    was = matrix.values.isna() & filled.notna()
    provenance = matrix.provenance.mask(was, f"imputed-{policy}")
    n = int(was.sum().sum())
    out = matrix.with_history(f"missing data: imputed {n} cells by {policy} {params or ''}",
                              values=filled, provenance=provenance)
    return out, MissingReport(policy, params, before, imputed_cells=n)


def _finite_stat(values: pd.DataFrame, stat):
    """``stat(values)``, recomputed on each column divided by its largest magnitude (then scaled
    back) where it overflowed: a median or mean of values near the float64 limit (two values
    of 1e308 average to inf) must stay finite, as the values it summarises are."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = stat(values)
        overflow = np.isinf(out.to_numpy(dtype=float))
        if not overflow.any():
            return out
        top = values.abs().max().replace(0, 1.0).fillna(1.0)
        return out.mask(overflow, stat(values / top) * top)


def _median(matrix, *, before, **_):
    empty = matrix.values.columns[matrix.values.isna().all()].tolist()
    if empty:
        raise MissingDataError(f"criteria {empty} have no value at all; a median cannot be "
                               "learned. Drop them first (policy drop-criteria).")
    filled = matrix.values.fillna(_finite_stat(matrix.values, lambda x: x.median()))
    return _flagged(matrix, filled, "median", before, {})


def _knn(matrix, *, before, k, **_):
    from sklearn.impute import KNNImputer

    if not isinstance(k, int) or k < 1:
        raise MissingDataError(f"k must be a positive integer, got {k!r}")
    empty = matrix.values.columns[matrix.values.isna().all()].tolist()
    if empty:
        raise MissingDataError(f"criteria {empty} have no value at all; KNN cannot impute them. "
                               "Drop them first (policy drop-criteria).")
    # Distances are computed on standardised columns so that no unit dominates. Each column is
    # first divided by its largest magnitude, so the mean and the squares of the standard
    # deviation cannot overflow for values near the float64 limit (1e300 and beyond).
    x = matrix.values
    top = x.abs().max().replace(0, 1.0)
    u = x / top
    mean, std = u.mean(), u.std(ddof=0).replace(0, 1.0)
    imputed = KNNImputer(n_neighbors=min(k, len(x) - 1) or 1).fit_transform((u - mean) / std)
    filled = (pd.DataFrame(imputed, index=x.index, columns=x.columns) * std + mean) * top
    filled = x.where(x.notna(), filled)  # known cells stay exactly as they were
    return _flagged(matrix, filled, "knn", before, {"k": k})


def _province_mean(matrix, *, before, **_):
    if "province_code" not in matrix.candidates.columns:
        raise MissingDataError("policy 'province-mean' needs each candidate's province_code")
    province = matrix.candidates["province_code"]
    means = _finite_stat(matrix.values, lambda x: x.groupby(province).transform("mean"))
    filled = matrix.values.fillna(means)
    return _flagged(matrix, filled, "province-mean", before, {})

