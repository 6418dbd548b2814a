r"""Weights from pairwise comparisons: AHP, with Saaty's consistency ratio, and group judgements.

A participant compares criteria two at a time on Saaty's 1-9 scale; :func:`ahp` turns the
reciprocal matrix into weights (principal right eigenvector) and says how consistent the
judgements are (CR = CI / RI, warning above 0.1). :func:`group_ahp` combines several
participants' matrices by the element-wise geometric mean (aggregation of individual
judgements, AIJ) and keeps each participant's own result; :func:`group_weights` combines weight
vectors (aggregation of individual priorities, AIP).

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. *European Journal
of Operational Research* 48(1), 9-26.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research* 108(1), 165-169.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import MAX_LISTED, CityKitWarning, WeightError
from .weights import _as_float, _frozen, _share, check_weights

__all__ = ["CR_THRESHOLD", "RANDOM_INDEX", "AHPResult", "GroupAHPResult", "ahp", "group_ahp",
           "group_weights"]

#: Saaty's random consistency index RI(n): the mean CI of random reciprocal matrices on the 1-9
#: scale (Saaty 1980; Saaty 1987). Defined as 0 for n = 1, 2.
RANDOM_INDEX = MappingProxyType({1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24,
                                 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49})

#: Saaty's limit: a consistency ratio above it means the judgements should be revisited.
CR_THRESHOLD = 0.1


# ---------------------------------------------------------------------------------------------
# AHP
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class AHPResult:
    """The result of :func:`ahp`.

    Attributes
    ----------
    weights : numpy.ndarray, shape (n,)
        Priorities: the principal right eigenvector, normalised to sum 1.
    lambda_max : float
        The principal eigenvalue (>= n; n exactly for a consistent matrix).
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)`` (0 for n = 1).
    cr : float
        Consistency ratio ``ci / RI(n)`` (0 for n <= 2, where every matrix is consistent).
    n : int
        Number of elements compared.
    ri : float
        The random index used.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    n: int
    ri: float

    @property
    def consistent(self) -> bool:
        """Whether ``cr <= 0.1`` (Saaty's limit)."""
        return self.cr <= CR_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """Plain values for the scenario record."""
        return {"weights": self.weights.tolist(), "lambda_max": self.lambda_max, "ci": self.ci,
                "cr": self.cr, "n": self.n, "ri": self.ri}


def _cell(i: int, j: int, names) -> str:
    return f"[{i}, {j}]" + (f" ({names[i]!r} vs {names[j]!r})" if names is not None else "")


def _check_pairwise(M: ArrayLike, names, tol: float, who: str = "") -> np.ndarray:
    A = _as_float(M, f"{who}The pairwise matrix")
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise WeightError(f"{who}The pairwise matrix must be square (n × n); got shape "
                          f"{A.shape}.")
    n = A.shape[0]
    if names is not None and len(names) != n:
        raise WeightError(f"names must give one name per row: expected {n}, got {len(names)}.")
    bad = ~(np.isfinite(A) & (A > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise WeightError(f"{who}Pairwise judgements must be finite and > 0 (Saaty's 1-9 scale "
                          f"and reciprocals); {int(bad.sum())} are not, the first at "
                          f"{_cell(i, j, names)}: {A[i, j]}.")
    off = np.flatnonzero(np.abs(np.diag(A) - 1.0) > tol)
    if off.size:
        raise WeightError(f"{who}The diagonal of a pairwise matrix must be 1 (each element "
                          f"equals itself); not at {[(int(k), int(k)) for k in off[:MAX_LISTED]]}.")
    upper = np.triu(np.abs(A * A.T - 1.0) > tol, k=1)
    if upper.any():
        i, j = np.argwhere(upper)[0]
        raise WeightError(f"{who}The pairwise matrix must be reciprocal (a[j, i] = 1 / a[i, j]); "
                          f"{int(upper.sum())} pairs are not, the first at {_cell(i, j, names)}: "
                          f"a[{i}, {j}] = {A[i, j]:g} but a[{j}, {i}] = {A[j, i]:g}, expected "
                          f"{1 / A[i, j]:g}.")
    return A


def _random_index(n: int, table: Mapping[int, float] | None) -> float:
    table = RANDOM_INDEX if table is None else table
    if n not in table:
        raise WeightError(
            f"No random index for n = {n} (the table covers n = {min(table)}..{max(table)}). "
            "Saaty advises comparing at most about 9 elements at once: split the criteria into "
            "a hierarchy, or pass random_index= with a table that covers n.")
    return float(table[n])


def _eigen(A: np.ndarray, ri: float) -> AHPResult:
    n = A.shape[0]
    values, vectors = np.linalg.eig(A)
    k = int(np.argmax(values.real))  # the Perron root: real, positive, the largest
    w = vectors[:, k].real
    w = w / w.sum()
    lam = float(values[k].real)
    ci = max((lam - n) / (n - 1), 0.0) if n > 1 else 0.0  # floored: rounding only, lam >= n
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(_frozen(w), lam, ci, cr, n, ri)


def _worst_judgement(A: np.ndarray, w: np.ndarray, names) -> str:
    """The judgement furthest from the ratio the weights imply (Saaty's revision hint)."""
    ratio = A * w[None, :] / w[:, None]  # 1 where a[i, j] = w_i / w_j
    dev = np.triu(np.maximum(ratio, 1.0 / ratio), k=1)
    i, j = np.unravel_index(np.argmax(dev), dev.shape)
    return (f"the judgement furthest from the derived weights is a{_cell(i, j, names)} = "
            f"{A[i, j]:.3g} (the weights imply {w[i] / w[j]:.3g})")


def ahp(pairwise: ArrayLike, *, names: Sequence[str] | None = None,
        cr_threshold: float = CR_THRESHOLD, random_index: Mapping[int, float] | None = None,
        tol: float = 0.01) -> AHPResult:
    r"""AHP priorities from a pairwise-comparison matrix (Saaty's eigenvector method).

    ``pairwise[i, j]`` says how many times more important element i is than element j
    (Saaty's 1-9 scale: 1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely more
    important), with ``pairwise[j, i] = 1 / pairwise[i, j]``.

    Parameters
    ----------
    pairwise : array_like, shape (n, n)
        Positive reciprocal matrix with ones on the diagonal.
    names : sequence of str, optional
        Element names, quoted in messages.
    cr_threshold : float, default 0.1
        Warn when the consistency ratio exceeds it.
    random_index : mapping of int to float, optional
        RI by n; default :data:`RANDOM_INDEX` (Saaty 1980, n <= 10).
    tol : float, default 0.01
        Tolerance of the reciprocity and diagonal checks: ``|a_ij a_ji - 1| <= tol``, so
        ``0.333`` is accepted for 1/3. The matrix is used as given (never symmetrised).

    Returns
    -------
    AHPResult
        Weights, lambda_max, CI, CR, n and the RI used.

    Raises
    ------
    WeightError
        If the matrix is not square, has a non-positive or non-finite entry, a diagonal entry
        other than 1, or is not reciprocal (the message names the first offending cell), or
        if there is no random index for n.

    Warns
    -----
    CityKitWarning
        When ``cr > cr_threshold``, with the CR and the judgement furthest from the weights.

    Notes
    -----
    The weights are the real part of the eigenvector of the eigenvalue with the largest real
    part (``numpy.linalg.eig``), divided by their sum. For a positive matrix this eigenvalue is
    the Perron root: real, simple, and with a positive eigenvector. ``ci`` is floored at 0
    (``lambda_max >= n`` in exact arithmetic; rounding can undershoot by ~1e-15).

    References
    ----------
    Saaty, T.L. (1980), *The Analytic Hierarchy Process*, McGraw-Hill (the random indices).
    Saaty, T.L. (1987), The analytic hierarchy process: what it is and how it is used,
    *Mathematical Modelling* 9(3-5): 161-176. Saaty, T.L. (1990), How to make a decision: the
    analytic hierarchy process, *European Journal of Operational Research* 48(1): 9-26.

    Examples
    --------
    Saaty (1990), the "size of house" comparison of houses A, B and C (published: .754, .181,
    .065; lambda_max 3.136, CR 0.117):

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     res = ahp([[1, 6, 8], [1/6, 1, 4], [1/8, 1/4, 1]])
    >>> res.weights.round(3).tolist(), round(res.lambda_max, 3), round(res.cr, 3)
    ([0.754, 0.181, 0.065], 3.136, 0.117)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    Inconsistent pairwise judgements: CR = 0.117 > 0.1. Revisit them; ...
    >>> ahp([[1, 3], [1/3, 1]]).weights.round(12).tolist()
    [0.75, 0.25]
    """
    A = _check_pairwise(pairwise, names, tol)
    res = _eigen(A, _random_index(A.shape[0], random_index))
    if res.cr > cr_threshold:
        warnings.warn(f"Inconsistent pairwise judgements: CR = {res.cr:.3f} > {cr_threshold:g}. "
                      f"Revisit them; {_worst_judgement(A, res.weights, names)}.",
                      CityKitWarning, stacklevel=2)
    return res


# ---------------------------------------------------------------------------------------------
# Group weights
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GroupAHPResult:
    """The result of :func:`group_ahp`.

    Attributes
    ----------
    combined : AHPResult
        AHP of the aggregated matrix: the group's weights and consistency.
    matrix : numpy.ndarray, shape (n, n)
        The element-wise weighted geometric mean of the participants' matrices.
    participants : tuple of AHPResult
        Each participant's own result, in input order, to show who is inconsistent.
    participant_weights : numpy.ndarray, shape (k,)
        The weight of each participant in the aggregation.
    cr_threshold : float
    """

    combined: AHPResult
    matrix: np.ndarray
    participants: tuple[AHPResult, ...]
    participant_weights: np.ndarray
    cr_threshold: float = CR_THRESHOLD

    @property
    def weights(self) -> np.ndarray:
        """The group's weights (``combined.weights``)."""
        return self.combined.weights

    @property
    def inconsistent(self) -> tuple[int, ...]:
        """Indices of the participants whose CR exceeds the threshold."""
        return tuple(k for k, r in enumerate(self.participants) if r.cr > self.cr_threshold)


def _participants(k: int, participant_weights) -> np.ndarray:
    if participant_weights is None:
        return np.full(k, 1.0 / k)
    return check_weights(participant_weights, k, names=[f"participant {i}" for i in range(k)])


def group_ahp(matrices: Sequence[ArrayLike], *, participant_weights: ArrayLike | None = None,
              names: Sequence[str] | None = None, cr_threshold: float = CR_THRESHOLD,
              random_index: Mapping[int, float] | None = None,
              tol: float = 0.01) -> GroupAHPResult:
    r"""Group AHP by aggregating individual judgements (AIJ): the geometric mean of matrices.

    The aggregated matrix is :math:`\bar a_{ij} = \prod_k a^{(k)}_{ij}{}^{\alpha_k}`, which is
    again reciprocal (the arithmetic mean is not); its AHP gives the group weights.

    Parameters
    ----------
    matrices : sequence of array_like, each (n, n)
        One pairwise matrix per participant (validated as in :func:`ahp`).
    participant_weights : array_like, shape (k,), optional
        Weights of the participants, summing to 1; default equal.
    names, cr_threshold, random_index, tol
        As in :func:`ahp`.

    Returns
    -------
    GroupAHPResult

    Raises
    ------
    WeightError
        If a matrix is invalid (the message names the participant) or the shapes differ.

    Warns
    -----
    CityKitWarning
        Once, listing the participants with CR above the threshold and whether the combined
        matrix is above it.

    References
    ----------
    Aczél, J. & Saaty, T.L. (1983), Procedures for synthesizing ratio judgements, *Journal of
    Mathematical Psychology* 27(1): 93-102. Forman, E. & Peniwati, K. (1998), Aggregating
    individual judgments and priorities with the analytic hierarchy process, *European
    Journal of Operational Research* 108(1): 165-169.

    Examples
    --------
    >>> res = group_ahp([[[1, 3], [1/3, 1]], [[1, 1/3], [3, 1]]])
    >>> res.weights.round(12).tolist(), res.inconsistent
    ([0.5, 0.5], ())
    """
    if isinstance(matrices, np.ndarray) and matrices.ndim == 2:
        matrices = [matrices]
    mats = [_check_pairwise(M, names, tol, who=f"Participant {k}: ")
            for k, M in enumerate(matrices)]
    if not mats:
        raise WeightError("group_ahp needs at least one participant's matrix.")
    shapes = sorted({M.shape for M in mats})
    if len(shapes) > 1:
        raise WeightError(f"All participants must compare the same elements; got matrix shapes "
                          f"{shapes}.")
    alpha = _participants(len(mats), participant_weights)
    agg = np.exp(np.tensordot(alpha, np.log(np.stack(mats)), axes=1))
    ri = _random_index(agg.shape[0], random_index)
    res = GroupAHPResult(_eigen(agg, ri), _frozen(agg), tuple(_eigen(M, ri) for M in mats),
                         _frozen(alpha), cr_threshold)
    _warn_group(res, cr_threshold)
    return res


def _warn_group(res: GroupAHPResult, threshold: float) -> None:
    bad = res.inconsistent
    parts = []
    if bad:
        crs = ", ".join(f"{k} (CR = {res.participants[k].cr:.3f})" for k in bad[:MAX_LISTED])
        parts.append(f"participants {crs} are inconsistent")
    if res.combined.cr > threshold:
        parts.append(f"the combined matrix has CR = {res.combined.cr:.3f}")
    if parts:
        warnings.warn(f"Group AHP: {'; '.join(parts)} (limit {threshold:g}). Ask them to revisit "
                      "their judgements, or weight them less.", CityKitWarning, stacklevel=3)


def group_weights(vectors: ArrayLike, *, method: Literal["geometric", "arithmetic"] = "geometric",
                  participant_weights: ArrayLike | None = None,
                  names: Sequence[str] | None = None) -> np.ndarray:
    r"""Combine participants' weight vectors (aggregation of individual priorities, AIP).

    ``"geometric"``: :math:`w_j \propto \prod_k w^{(k)}_j{}^{\alpha_k}`, then rescaled to sum 1.
    The geometric mean of vectors that each sum to 1 does not itself sum to 1 (it sums to less,
    by the AM-GM inequality), so the rescaling is part of the method (Forman & Peniwati 1998),
    not a silent fix. A criterion that any participant weights 0 gets 0.
    ``"arithmetic"``: :math:`w_j = \sum_k \alpha_k w^{(k)}_j`, which sums to 1 already.

    Parameters
    ----------
    vectors : array_like, shape (k, m)
        One weight vector per participant (row), each checked by :func:`check_weights`.
    method : {"geometric", "arithmetic"}, default "geometric"
    participant_weights : array_like, shape (k,), optional
        Weights of the participants, summing to 1; default equal.
    names : sequence of str, optional
        Criterion names, quoted in messages.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Raises
    ------
    WeightError
        If a vector is invalid (the message names the participant), the method is unknown, or
        the geometric mean is 0 for every criterion.

    References
    ----------
    Forman, E. & Peniwati, K. (1998), Aggregating individual judgments and priorities with the
    analytic hierarchy process, *European Journal of Operational Research* 108(1): 165-169.

    Examples
    --------
    >>> group_weights([[0.5, 0.5], [0.9, 0.1]]).round(4).tolist()  # sqrt(.45) : sqrt(.05)
    [0.75, 0.25]
    >>> group_weights([[0.5, 0.5], [0.9, 0.1]], method="arithmetic").round(4).tolist()
    [0.7, 0.3]
    """
    if method not in ("geometric", "arithmetic"):
        raise WeightError(f"Unknown method {method!r}; expected 'geometric' or 'arithmetic'.")
    W = _as_float(vectors, "Weight vectors")
    if W.ndim != 2 or 0 in W.shape:
        raise WeightError(f"vectors must be 2-D: one row of weights per participant; got shape "
                          f"{W.shape}.")
    for k, row in enumerate(W):
        try:
            check_weights(row, names=names)
        except WeightError as err:
            raise WeightError(f"Participant {k}: {err}") from None
    alpha = _participants(W.shape[0], participant_weights)
    if method == "arithmetic":
        return alpha @ W
    zero = ((W == 0) & (alpha[:, None] > 0)).any(axis=0)
    g = np.where(zero, 0.0, np.exp(alpha @ np.log(np.where(W > 0, W, 1.0))))
    return _share(g, "Geometric group", "every criterion has weight 0 from some participant; "
                  "use method='arithmetic'")


