r"""Aggregation kernels: a normalised city × criterion matrix and weights in, scores out.

Conventions shared by every kernel
----------------------------------
* ``N`` is **normalised and benefit-oriented**: n alternatives × m criteria, finite, and higher
  is better in every column (see :mod:`citykit.normalise`). Kernels never normalise, so a result
  is only meaningful together with the normalisation it was fed; :data:`METHODS` names the one
  each method is usually paired with, and the ranking layer records the one actually used.
* ``w`` is either one weight vector, shape (m,), giving scores of shape (n,), or a batch of
  weight vectors, shape (d, m), giving scores of shape (d, n) (one row per draw). Batches are
  computed with matrix products, never a Python loop over draws, and no kernel builds a
  (d, n, m) array; callers chunk d to bound memory at O(d·n).
* Weights must be finite and >= 0 with a positive sum. They are used as given, never rescaled:
  weighted-sum and PROMETHEE scores scale with their sum, TOPSIS and VIKOR do not depend on it.
* Pure numpy, no labels: :mod:`citykit.ranking` attaches city ids and explanations.

Conventions against pymcdm 1.4 (checked to 1e-9 in ``tests/test_aggregate.py``)
-------------------------------------------------------------------------------
pymcdm normalises inside each method (``normalization_function``: TOPSIS min-max, WSM and WPM
sum, VIKOR none). Our kernels equal pymcdm's when pymcdm gets the same matrix with
``types = +1`` and an identity normalisation ``lambda x, cost: x``, or, for pymcdm's default
min-max TOPSIS, when we get the min-max normalised matrix. Differences by design: pymcdm VIKOR
raises on a constant criterion, ours lets it contribute 0 (it separates no one); pymcdm's
min-max turns a constant column into ones, ours never normalises. PROMETHEE preference
functions are named as in pymcdm except ``"linear"`` (pymcdm ``"vshape_2"``); see
:data:`PYMCDM_PREFERENCE_NAMES`. pymcdm's ``PROMETHEE_II(..., p=..., q=...)`` object can be
called only once (its per-criterion functions are a generator); ours are plain functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from ._aggregate_checks import (
    _as_float,
    _check_matrix,
    _check_option,
    _check_weights,
    _listed,
    _weigh,
)
from ._promethee import (
    PREFERENCE_FUNCTIONS,
    PYMCDM_PREFERENCE_NAMES,
    promethee2,
    promethee2_criterion_flows,
)
from .exceptions import AggregationError

__all__ = [
    "METHODS",
    "PREFERENCE_FUNCTIONS",
    "PYMCDM_PREFERENCE_NAMES",
    "MethodInfo",
    "VikorCompromise",
    "VikorResult",
    "get_method",
    "promethee2",
    "promethee2_criterion_flows",
    "rank_scores",
    "topsis",
    "vikor",
    "vikor_compromise",
    "weighted_geometric",
    "weighted_sum",
]


# ---------------------------------------------------------------------------------------------
# Weighted sum and weighted geometric mean
# ---------------------------------------------------------------------------------------------

def weighted_sum(N: ArrayLike, w: ArrayLike) -> np.ndarray:
    r"""Weighted arithmetic mean: :math:`s_i = \sum_j w_j N_{ij}`; higher is better.

    Fully compensatory: a loss on one criterion is bought back by an equal weighted gain on
    another. The score is additive, so ``N * w`` are exact per-criterion contributions.

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix (finite).
    w : array_like, shape (m,) or (d, m)
        One weight vector, or d of them (rows), each >= 0 with a positive sum.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (d, n).

    Raises
    ------
    AggregationError
        If `N` has NaN/inf or the wrong shape, or `w` has the wrong shape, a negative, non-finite
        or all-zero weight vector.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User
    Guide*, OECD Publishing, Step 6 (weighting and aggregation).

    Examples
    --------
    >>> weighted_sum([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]], [0.75, 0.25]).tolist()
    [0.75, 0.5, 0.25]
    >>> weighted_sum([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]).tolist()  # two draws
    [[1.0, 0.0], [0.0, 1.0]]
    """
    A = _check_matrix(N, "weighted_sum")
    return _weigh(A, _check_weights(w, A.shape[1], "weighted_sum"))


def weighted_geometric(N: ArrayLike, w: ArrayLike, *,
                       on_zero: Literal["raise", "epsilon"] = "raise",
                       epsilon: float = 1e-6) -> np.ndarray:
    r"""Weighted geometric mean: :math:`s_i = \prod_j N_{ij}^{w_j} = \exp(\sum_j w_j \log N_{ij})`.

    Higher is better. Only partly compensatory: a value near 0 drags the score towards 0 whatever
    the other criteria, so balanced cities beat lopsided ones. It needs ``N >= 0``, and a 0 on a
    positively weighted criterion makes the score 0, which min-max normalisation causes for the
    worst city on every criterion: pair it with goalposts set below the worst value (as the UNDP
    Human Development Index does) or a ratio normalisation of positive data.

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix, all values >= 0.
    w : array_like, shape (m,) or (d, m)
        Weights (exponents), each vector >= 0 with a positive sum. Not rescaled: with weights that
        sum to 1 the score is a weighted geometric mean in the units of `N`.
    on_zero : {"raise", "epsilon"}, default "raise"
        Policy for zeros on a positively weighted criterion: raise, or replace every exact 0 in
        `N` by `epsilon` (a choice that shapes the result; report it). A 0 on a criterion whose
        weight is 0 in every draw is harmless (``0**0 = 1``) and never raises.
    epsilon : float, default 1e-6
        The replacement value for ``on_zero="epsilon"``; must be > 0.

    Returns
    -------
    numpy.ndarray
        Scores, shape (n,) or (d, n).

    Raises
    ------
    AggregationError
        On a negative value, on a zero under ``on_zero="raise"`` (listing the cells), an unknown
        policy, a non-positive `epsilon`, or the input errors of :func:`weighted_sum`.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User
    Guide*, OECD Publishing, Step 6 (geometric aggregation).

    Examples
    --------
    >>> round(float(weighted_geometric([[4.0, 1.0]], [0.5, 0.5])[0]), 12)
    2.0
    >>> weighted_geometric([[0.0, 1.0], [0.5, 0.5]], [0.5, 0.5], on_zero="epsilon").round(4).tolist()
    [0.001, 0.5]
    """
    A = _check_matrix(N, "weighted_geometric")
    W = _check_weights(w, A.shape[1], "weighted_geometric")
    _check_option("on_zero policy", on_zero, ("raise", "epsilon"))
    if (A < 0).any():
        bad = np.argwhere(A < 0)
        raise AggregationError(
            f"weighted_geometric: the matrix has {len(bad)} negative value(s) at (row, column) "
            f"{_listed(map(tuple, bad.tolist()), len(bad))}; a geometric mean needs values >= 0. "
            "Use a normalisation onto [0, 1] (e.g. goalposts) rather than z-scores.")
    zeros = A == 0
    if zeros.any():
        A = _handle_zeros(A, zeros, W, on_zero, epsilon)
    with np.errstate(divide="ignore"):
        logs = np.log(A)
    logs[np.isneginf(logs)] = 0.0  # only zeros whose weight is 0 in every draw remain: 0**0 = 1
    return np.exp(_weigh(logs, W))


def _handle_zeros(A: np.ndarray, zeros: np.ndarray, W: np.ndarray, on_zero: str,
                  epsilon: float) -> np.ndarray:
    if on_zero == "epsilon":
        if not (np.isfinite(epsilon) and epsilon > 0):
            raise AggregationError(f"weighted_geometric: epsilon must be a finite number > 0; "
                                   f"got {epsilon!r}.")
        return np.where(zeros, float(epsilon), A)
    used = (np.atleast_2d(W) > 0).any(axis=0)
    hit = np.argwhere(zeros & used)
    if hit.size:
        raise AggregationError(
            f"weighted_geometric: the matrix has {len(hit)} zero(s) on positively weighted "
            f"criteria at (row, column) {_listed(map(tuple, hit.tolist()), len(hit))}; a "
            "geometric mean is 0 as soon as one value is 0, whatever the others. Min-max "
            "normalisation gives 0 to the worst city on every criterion: use goalposts below the "
            "worst value or a shifted normalisation, or pass on_zero='epsilon' to replace zeros "
            f"by epsilon={epsilon:g}.")
    return A


# ---------------------------------------------------------------------------------------------
# TOPSIS
# ---------------------------------------------------------------------------------------------

def topsis(N: ArrayLike, w: ArrayLike) -> np.ndarray:
    r"""TOPSIS relative closeness to the ideal; higher is better, in [0, 1].

    With :math:`V = N w` (column-wise), ideal :math:`v^+_j = \max_i V_{ij}` and anti-ideal
    :math:`v^-_j = \min_i V_{ij}` (every column is a benefit),

    .. math::

        d^\pm_i = \sqrt{\sum_j (V_{ij} - v^\pm_j)^2}, \qquad C_i = \frac{d^-_i}{d^+_i + d^-_i}.

    Because :math:`w_j \ge 0`, :math:`v^+_j - V_{ij} = w_j r_j g^+_{ij}` with :math:`r_j` the
    range of column j and :math:`g^+_{ij} = (\max_k N_{kj} - N_{ij}) / r_j \in [0, 1]`, so
    :math:`(d^+_i)^2 = \sum_j (w_j r_j)^2 (g^+_{ij})^2`: a matrix product, which is how a batch of
    d weight vectors costs O(d·n·m) time and O(d·n) memory. The effective weights
    :math:`w_j r_j` are divided by their maximum first (C does not depend on their scale), so
    tiny values or weights cannot underflow to a spurious 0/0.

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix. Hwang & Yoon use vector normalisation; pymcdm's
        default is min-max. The closeness is unchanged by shifting a column, not by rescaling it.
    w : array_like, shape (m,) or (d, m)
        Weights, each vector >= 0 with a positive sum (the closeness does not depend on the sum).

    Returns
    -------
    numpy.ndarray
        Closeness, shape (n,) or (d, n).

    Raises
    ------
    AggregationError
        If every criterion with positive weight is constant (so :math:`d^+ + d^- = 0` for every
        alternative: no information separates them), or on the input errors of
        :func:`weighted_sum`.

    References
    ----------
    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Lecture Notes in Economics and Mathematical Systems 186, Springer.

    Examples
    --------
    Min-max normalised data of Opricovic & Tzeng (2004, section 5): C = 1/2, sqrt(13)/(sqrt(5) +
    sqrt(13)), 1/2.

    >>> topsis([[1.0, 0.0], [0.75, 0.5], [0.0, 1.0]], [0.5, 0.5]).round(4).tolist()
    [0.5, 0.6172, 0.5]
    """
    A = _check_matrix(N, "topsis")
    W = _check_weights(w, A.shape[1], "topsis")
    hi, lo = A.max(axis=0), A.min(axis=0)
    span = hi - lo
    effective = W * span  # weight of each criterion's whole range
    top = effective.max(axis=-1, keepdims=True)
    if (top == 0).any():
        draws = np.flatnonzero(np.atleast_1d(top.squeeze(-1)) == 0)
        which = "" if W.ndim == 1 else f" in draws {_listed(draws, draws.size)}"
        raise AggregationError(
            f"topsis: the ideal and anti-ideal coincide{which}: every criterion with positive "
            f"weight has the same value for all {A.shape[0]} alternatives, so closeness is 0/0. "
            "Give weight to a criterion that varies, or drop the constant criteria.")
    safe = np.where(span > 0, span, 1.0)
    U = (effective / top) ** 2  # scaled so the largest is 1: no underflow, C unchanged
    d_plus = np.sqrt(_weigh(((hi - A) / safe) ** 2, U))
    d_minus = np.sqrt(_weigh(((A - lo) / safe) ** 2, U))
    return d_minus / (d_plus + d_minus)  # > 0: on the top criterion g+ + g- = 1


# ---------------------------------------------------------------------------------------------
# VIKOR
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VikorResult:
    """VIKOR's three measures; for all three, **lower is better**.

    Attributes
    ----------
    S : numpy.ndarray
        Group utility (weighted Manhattan distance to the ideal), shape (n,) or (d, n).
    R : numpy.ndarray
        Individual regret (largest weighted gap to the ideal), same shape.
    Q : numpy.ndarray
        The compromise score ranked on, same shape, in [0, 1].
    v : float
        Weight of the group-utility strategy used for `Q`.
    """

    S: np.ndarray
    R: np.ndarray
    Q: np.ndarray
    v: float

    def compromise(self) -> VikorCompromise:
        """Apply :func:`vikor_compromise` to this (single weight vector) result."""
        return vikor_compromise(self.S, self.R, self.Q)


@dataclass(frozen=True)
class VikorCompromise:
    """The outcome of VIKOR's two acceptance conditions (Opricovic & Tzeng 2004).

    Attributes
    ----------
    best : int
        Row of a1, the alternative with the lowest Q (the first row among equals).
    acceptable_advantage : bool
        C1: ``Q[a2] - Q[a1] >= dq``, a2 being second by Q.
    acceptable_stability : bool
        C2: a1 is also best (lowest, ties included) by S or by R.
    compromise : tuple of int
        Rows of the compromise solution(s), in order of Q: ``(a1,)`` if C1 and C2 hold;
        ``(a1, a2)`` if only C2 fails; otherwise every row with ``Q - Q[a1] < dq``.
    dq : float
        The advantage threshold, ``1 / (n - 1)``.
    """

    best: int
    acceptable_advantage: bool
    acceptable_stability: bool
    compromise: tuple[int, ...]
    dq: float


def vikor(N: ArrayLike, w: ArrayLike, *, v: float = 0.5) -> VikorResult:
    r"""VIKOR group utility S, individual regret R and compromise score Q; lower is better.

    With :math:`f^*_j = \max_i N_{ij}` and :math:`f^-_j = \min_i N_{ij}` (every column a
    benefit) and gaps :math:`g_{ij} = (f^*_j - N_{ij}) / (f^*_j - f^-_j)`,

    .. math::

        S_i = \sum_j w_j g_{ij}, \quad R_i = \max_j w_j g_{ij}, \quad
        Q_i = v \frac{S_i - S^*}{S^- - S^*} + (1 - v) \frac{R_i - R^*}{R^- - R^*},

    where :math:`S^* = \min S`, :math:`S^- = \max S` and likewise for R. Degenerate cases,
    documented rather than divided by zero: a constant criterion has gap 0 for everyone (it
    separates no one; pymcdm raises instead), and a term of Q whose range is 0 (all S, or all R,
    equal) is 0. The gaps are invariant to positive affine rescaling of a column, so any affine
    normalisation (min-max, z-score) gives the same result as the raw benefit-oriented data.

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix.
    w : array_like, shape (m,) or (d, m)
        Weights, each vector >= 0 with a positive sum (Q does not depend on the sum).
    v : float, default 0.5
        Weight of the "majority rule" strategy (S) against individual regret (R), in [0, 1].

    Returns
    -------
    VikorResult
        S, R and Q of shape (n,) or (d, n); rank on Q (lowest first) and check
        :func:`vikor_compromise` before calling a single alternative best.

    Raises
    ------
    AggregationError
        If `v` is outside [0, 1], or on the input errors of :func:`weighted_sum`.

    References
    ----------
    Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: A comparative
    analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455.

    Examples
    --------
    >>> r = vikor([[1.0, 0.0], [0.75, 0.5], [0.0, 1.0]], [0.5, 0.5])
    >>> r.S.tolist(), r.R.tolist(), r.Q.tolist()
    ([0.5, 0.375, 0.5], [0.5, 0.25, 0.5], [1.0, 0.0, 1.0])
    """
    A = _check_matrix(N, "vikor")
    W = _check_weights(w, A.shape[1], "vikor")
    if not (isinstance(v, int | float) and 0 <= v <= 1):
        raise AggregationError(f"vikor: v must be a number in [0, 1] (1 = group utility only, "
                               f"0 = individual regret only); got {v!r}.")
    best = A.max(axis=0)
    span = best - A.min(axis=0)
    gaps = (best - A) / np.where(span > 0, span, 1.0)  # constant criterion: gap 0 for everyone
    S = _weigh(gaps, W)
    R = _max_weighted_gap(gaps, W)
    Q = v * _unit_range(S) + (1 - v) * _unit_range(R)
    return VikorResult(S=S, R=R, Q=Q, v=float(v))


def _max_weighted_gap(gaps: np.ndarray, W: np.ndarray) -> np.ndarray:
    if W.ndim == 1:
        return (gaps * W).max(axis=1)
    # Loop over criteria (m is small), vectorised over draws and rows: O(d·n) memory, no (d,n,m).
    R = np.outer(W[:, 0], gaps[:, 0])
    for j in range(1, gaps.shape[1]):
        np.maximum(R, np.outer(W[:, j], gaps[:, j]), out=R)
    return R


def _unit_range(x: np.ndarray) -> np.ndarray:
    lo = x.min(axis=-1, keepdims=True)
    span = x.max(axis=-1, keepdims=True) - lo
    return (x - lo) / np.where(span > 0, span, 1.0)  # all equal: 0, no 0/0


def vikor_compromise(S: ArrayLike, R: ArrayLike, Q: ArrayLike) -> VikorCompromise:
    """Check VIKOR's acceptable advantage (C1) and stability (C2); give the compromise set.

    Rank by Q ascending (a1 first, a2 second; ties keep row order). C1: ``Q[a2] - Q[a1] >= DQ``
    with ``DQ = 1/(n-1)``, compared exactly. C2: a1 also has the lowest S or the lowest R. If both
    hold, a1 alone is the compromise solution; if only C2 fails, {a1, a2}; if C1 fails, every
    alternative with ``Q - Q[a1] < DQ``.

    Parameters
    ----------
    S, R, Q : array_like, shape (n,)
        One weight vector's :class:`VikorResult` measures, n >= 2.

    Returns
    -------
    VikorCompromise

    Raises
    ------
    AggregationError
        If the arrays are not 1-D of one length n >= 2, or are not finite.

    References
    ----------
    Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: A comparative
    analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2), 445-455.

    Examples
    --------
    >>> c = vikor_compromise(S=[0.5, 0.375, 0.5], R=[0.5, 0.25, 0.5], Q=[1.0, 0.0, 1.0])
    >>> c.compromise, c.acceptable_advantage, c.acceptable_stability
    ((1,), True, True)
    >>> vikor_compromise(S=[0.3, 0.2, 0.9], R=[0.3, 0.1, 0.5], Q=[0.0, 0.6, 1.0]).compromise
    (0, 1)
    """
    S, R, Q = (_as_float(a, name, "vikor_compromise") for a, name in ((S, "S"), (R, "R"), (Q, "Q")))
    if not (S.ndim == 1 and S.shape == R.shape == Q.shape and S.size >= 2):
        raise AggregationError(f"vikor_compromise: S, R and Q must be 1-D of one length n >= 2 "
                               f"(one weight vector); got shapes {S.shape}, {R.shape}, {Q.shape}.")
    if not all(np.isfinite(a).all() for a in (S, R, Q)):
        raise AggregationError("vikor_compromise: S, R and Q must be finite.")
    order = np.argsort(Q, kind="stable")
    a1, a2 = int(order[0]), int(order[1])
    dq = 1.0 / (Q.size - 1)
    advantage = bool(Q[a2] - Q[a1] >= dq)
    stability = bool(S[a1] == S.min() or R[a1] == R.min())
    if advantage:
        chosen = (a1,) if stability else (a1, a2)
    else:
        chosen = tuple(int(i) for i in order[Q[order] - Q[a1] < dq])
    return VikorCompromise(best=a1, acceptable_advantage=advantage,
                           acceptable_stability=stability, compromise=chosen, dq=dq)


# ---------------------------------------------------------------------------------------------
# Ranks
# ---------------------------------------------------------------------------------------------

def rank_scores(scores: ArrayLike, *, higher_is_better: bool = True) -> np.ndarray:
    """Ranks 1..n, 1 = best, equal scores sharing the lowest rank (pandas ``method="min"``).

    Never ``argsort`` as rank: ``[0.2, 0.9, 0.9]`` ranks ``[3, 1, 1]``. Works on one score
    vector (n,) or a batch (d, n), ranking each row, vectorised (one sort per row, no loop).
    Scores are compared exactly; equal means bit-for-bit equal.

    Parameters
    ----------
    scores : array_like, shape (n,) or (d, n)
        Finite scores.
    higher_is_better : bool, default True
        False for VIKOR's Q (see :attr:`MethodInfo.higher_is_better`).

    Returns
    -------
    numpy.ndarray of int64
        Same shape as `scores`.

    Raises
    ------
    AggregationError
        If `scores` is empty, not 1-D or 2-D, or has NaN/inf.

    Examples
    --------
    >>> rank_scores([0.2, 0.9, 0.9, 0.5]).tolist()
    [4, 1, 1, 3]
    >>> rank_scores([[0.1, 0.3], [0.3, 0.3]], higher_is_better=False).tolist()
    [[1, 2], [1, 1]]
    """
    x = _as_float(scores, "scores", "rank_scores")
    if x.ndim not in (1, 2) or x.size == 0:
        raise AggregationError(f"rank_scores: scores must be 1-D (n,) or 2-D (draws, n) and "
                               f"non-empty; got shape {x.shape}.")
    if not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x))
        raise AggregationError(f"rank_scores: scores must be finite; NaN or inf at "
                               f"{_listed(map(tuple, bad.tolist()), len(bad))}.")
    key = -x if higher_is_better else x
    order = np.argsort(key, axis=-1)  # unstable is fine (tied entries share a rank) and 4x faster
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.broadcast_to(np.arange(x.shape[-1]), x.shape)
    starts = np.ones(x.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    # each sorted position takes the position of the first member of its tie group, plus one
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1) + 1
    ranks = np.empty(x.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first, axis=-1)
    return ranks


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MethodInfo:
    """What the ranking layer needs to know about an aggregation method.

    Attributes
    ----------
    name : str
        Registry key.
    full_name : str
        Name for people and reports.
    higher_is_better : bool
        Direction of the score (False for VIKOR's Q).
    additive : bool
        True when the score is exactly ``sum_j w_j N_ij``, so ``N * w`` are its per-criterion
        contributions (weighted sum only; the geometric mean is additive in logs, and PROMETHEE
        II decomposes as ``promethee2_criterion_flows(N) * w`` instead).
    default_normalisation : str
        The :mod:`citykit.normalise` normaliser the method is usually paired with.
    why_normalisation : str
        Why that pairing.
    options : tuple of str
        Keyword options :meth:`score` accepts.
    reference : str
        The method's source.
    kernel : callable
        ``kernel(N, w, **options) -> (scores, details)``.
    """

    name: str
    full_name: str
    higher_is_better: bool
    additive: bool
    default_normalisation: str
    why_normalisation: str
    options: tuple[str, ...]
    reference: str
    kernel: Callable = field(repr=False)

    def score(self, N: ArrayLike, w: ArrayLike, **options) -> tuple[np.ndarray, dict]:
        """Scores (n,) or (d, n) and a dict of method details; unknown options raise.

        Examples
        --------
        >>> scores, details = get_method("vikor").score([[1.0, 0.0], [0.75, 0.5], [0.0, 1.0]],
        ...                                             [0.5, 0.5], v=0.5)
        >>> scores.tolist(), details["compromise"].compromise
        ([1.0, 0.0, 1.0], (1,))
        """
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise AggregationError(f"Method {self.name!r} has no option {unknown}; its options "
                                   f"are {list(self.options) or 'none'}.")
        return self.kernel(N, w, **options)


def _score_vikor(N, w, **options) -> tuple[np.ndarray, dict]:
    result = vikor(N, w, **options)
    details = {"S": result.S, "R": result.R}
    if result.Q.ndim == 1 and result.Q.size >= 2:
        details["compromise"] = result.compromise()
    return result.Q, details


def _score_promethee2(N, w, **options) -> tuple[np.ndarray, dict]:
    flows = promethee2_criterion_flows(N, **options)
    scores = _weigh(flows, _check_weights(w, flows.shape[1], "promethee2"))
    return scores, {"criterion_flows": flows}


def _plain(kernel: Callable) -> Callable:
    return lambda N, w, **options: (kernel(N, w, **options), {})


_OT2004 = ("Opricovic & Tzeng (2004), Eur. J. Oper. Res. 156(2), 445-455")

#: The aggregation methods, by registry name (read-only).
METHODS = MappingProxyType({
    "wsum": MethodInfo(
        "wsum", "Weighted arithmetic mean", True, True, "minmax",
        "the composite-indicator default (OECD/JRC 2008); scores stay in [0, 1]",
        (), "OECD/JRC (2008), Handbook on Constructing Composite Indicators, Step 6",
        _plain(weighted_sum)),
    "geometric": MethodInfo(
        "geometric", "Weighted geometric mean", True, False, "vector",
        "needs values > 0: min-max gives the worst city 0 on every criterion, vector "
        "normalisation keeps every positive value positive (goalposts set below the worst value, "
        "UNDP HDI practice, also work when you give the bounds)",
        ("on_zero", "epsilon"),
        "OECD/JRC (2008), Handbook on Constructing Composite Indicators, Step 6",
        _plain(weighted_geometric)),
    "topsis": MethodInfo(
        "topsis", "TOPSIS (closeness to the ideal city)", True, False, "vector",
        "Hwang & Yoon's original; pymcdm defaults to min-max, which changes the column scales "
        "and so the result", (),
        "Hwang & Yoon (1981), Multiple Attribute Decision Making, Springer", _plain(topsis)),
    "vikor": MethodInfo(
        "vikor", "VIKOR compromise ranking (Q)", False, False, "minmax",
        "VIKOR rescales each criterion by its range itself, so any affine normalisation gives "
        "the same result; min-max keeps the matrix readable", ("v",), _OT2004, _score_vikor),
    "promethee2": MethodInfo(
        "promethee2", "PROMETHEE II net outranking flow", True, False, "minmax",
        "thresholds p and q are then fractions of each criterion's observed range; the usual "
        "criterion is unaffected by any increasing normalisation", ("preference", "p", "q"),
        "Brans & Vincke (1985), Management Science 31(6), 647-656", _score_promethee2),
})


def get_method(name: str) -> MethodInfo:
    """The :class:`MethodInfo` registered under `name`.

    Raises
    ------
    AggregationError
        For an unknown name, listing the names and the closest match.

    Examples
    --------
    >>> get_method("topsis").higher_is_better
    True
    >>> get_method("topsys")
    Traceback (most recent call last):
    ...
    citykit.exceptions.AggregationError: Unknown aggregation method 'topsys'. Choose one of 'wsum', 'geometric', 'topsis', 'vikor', 'promethee2'; did you mean 'topsis'?
    """
    _check_option("aggregation method", name, METHODS)
    return METHODS[name]
