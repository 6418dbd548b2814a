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

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import MAX_LISTED, AggregationError

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

Preference = Literal["usual", "ushape", "vshape", "level", "linear"]

#: PROMETHEE preference functions (Brans & Vincke 1985 types I-V) and the thresholds each uses.
PREFERENCE_FUNCTIONS = MappingProxyType({
    "usual": (),             # I: P = 1 if d > 0
    "ushape": ("q",),        # II, quasi-criterion: P = 1 if d > q
    "vshape": ("p",),        # III, linear up to p: P = d/p on (0, p], 1 above
    "level": ("q", "p"),     # IV: P = 1/2 on (q, p], 1 above p
    "linear": ("q", "p"),    # V, linear with indifference: P = (d-q)/(p-q) on (q, p], 1 above p
})

#: Our preference-function names -> pymcdm's ``PROMETHEE_II(preference_function=...)`` names.
PYMCDM_PREFERENCE_NAMES = MappingProxyType({
    "usual": "usual", "ushape": "ushape", "vshape": "vshape", "level": "level",
    "linear": "vshape_2",
})


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def _listed(items: Iterable, total: int) -> str:
    shown = ", ".join(str(i) for i in list(items)[:MAX_LISTED])
    return f"[{shown}]" + (f" and {total - MAX_LISTED} more" if total > MAX_LISTED else "")


def _check_option(what: str, value, allowed: Iterable[str], hint: str = "") -> None:
    allowed = list(allowed)
    if isinstance(value, str) and value in allowed:
        return
    close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.4)
    suggestion = f"; did you mean {close[0]!r}?" if close else "."
    raise AggregationError(f"Unknown {what} {value!r}. Choose one of "
                           f"{', '.join(map(repr, allowed))}{suggestion}{hint}")


def _as_float(x: ArrayLike, what: str, method: str) -> np.ndarray:
    try:
        return np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AggregationError(f"{method}: {what} must be numeric; {exc}.") from None


def _check_matrix(N: ArrayLike, method: str) -> np.ndarray:
    arr = _as_float(N, "the matrix", method)
    if arr.ndim != 2 or arr.size == 0:
        raise AggregationError(f"{method}: the matrix must be 2-D (alternatives × criteria) and "
                               f"non-empty; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        raise AggregationError(
            f"{method}: the matrix has {len(bad)} NaN or infinite value(s) at (row, column) "
            f"{_listed(map(tuple, bad.tolist()), len(bad))}. Kernels need complete, finite data: "
            "impute or drop these cities first (citykit.impute.handle_missing).")
    return arr


def _check_weights(w: ArrayLike, m: int, method: str) -> np.ndarray:
    arr = _as_float(w, "weights", method)
    if arr.ndim not in (1, 2) or arr.shape[-1] != m or arr.shape[0] == 0:
        raise AggregationError(f"{method}: weights must have shape ({m},) or (draws, {m}), one "
                               f"weight per criterion of the matrix; got shape {arr.shape}.")
    where = "criteria" if arr.ndim == 1 else "(draw, criterion)"
    for bad, rule in ((~np.isfinite(arr), "finite"), (arr < 0, ">= 0")):
        if bad.any():
            idx = np.argwhere(bad)
            cells = idx[:, 0] if arr.ndim == 1 else map(tuple, idx.tolist())
            raise AggregationError(f"{method}: weights must be {rule}; not at {where} "
                                   f"{_listed(cells, len(idx))}: {arr[bad][:MAX_LISTED]}.")
    zero = np.flatnonzero(np.atleast_2d(arr).sum(axis=1) <= 0)
    if zero.size:
        which = "" if arr.ndim == 1 else f" in draws {_listed(zero, zero.size)}"
        raise AggregationError(f"{method}: all weights are 0{which}; give at least one "
                               "criterion a positive weight.")
    return arr


def _weigh(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``A @ w`` for one weight vector (n,); ``W @ A.T`` for a batch (d, n)."""
    return A @ W if W.ndim == 1 else W @ A.T


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
# PROMETHEE II
# ---------------------------------------------------------------------------------------------

def promethee2(N: ArrayLike, w: ArrayLike, *, preference: Preference = "usual",
               p: ArrayLike | None = None, q: ArrayLike | None = None) -> np.ndarray:
    r"""PROMETHEE II net outranking flow; higher is better, in [-1, 1] for weights summing to 1.

    For each criterion j and pair (a, b), :math:`d = N_{aj} - N_{bj}` and a preference function
    :math:`P_j(d) \in [0, 1]`, zero for :math:`d \le 0`. With :math:`\pi(a, b) = \sum_j w_j
    P_j(d)`, the net flow is

    .. math::

        \phi(a) = \frac{1}{n - 1} \sum_{b \ne a} \left(\pi(a, b) - \pi(b, a)\right)
                = \sum_j w_j \phi_j(a),

    linear in w, with :math:`\phi_j` the per-criterion flows of
    :func:`promethee2_criterion_flows`. Those are computed by an exact algorithm in
    O(m·n log n) time and O(n) extra memory (sorting, counting and prefix sums), not from the
    O(n²) pairwise table, so n = 100,000
    takes well under a second; a batch of weight vectors is one more matrix product.

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix, n >= 2. The thresholds are in its units (with
        min-max normalisation: fractions of the observed range).
    w : array_like, shape (m,) or (d, m)
        Weights, each vector >= 0 with a positive sum.
    preference : {"usual", "ushape", "vshape", "level", "linear"}, default "usual"
        Preference function (Brans & Vincke types I-V), see :data:`PREFERENCE_FUNCTIONS`:
        ``usual`` P = 1 if d > 0; ``ushape`` P = 1 if d > q; ``vshape`` P = d/p on (0, p] and 1
        above; ``level`` P = 1/2 on (q, p] and 1 above p; ``linear`` P = (d-q)/(p-q) on (q, p]
        and 1 above p. pymcdm calls ``linear`` ``"vshape_2"`` (:data:`PYMCDM_PREFERENCE_NAMES`).
    p, q : float or array_like of shape (m,), optional
        Preference and indifference thresholds, >= 0, one per criterion or one for all; required
        exactly by the functions that use them (an unused one raises, so a typo cannot pass),
        with q <= p for ``level`` and ``linear``.

    Returns
    -------
    numpy.ndarray
        Net flows, shape (n,) or (d, n).

    Raises
    ------
    AggregationError
        On fewer than 2 alternatives, an unknown preference function, missing, unused, negative
        or non-finite thresholds, q > p, or the input errors of :func:`weighted_sum`.

    References
    ----------
    Brans, J.-P. & Vincke, Ph. (1985). A preference ranking organisation method (The PROMETHEE
    method for multiple criteria decision-making). *Management Science* 31(6), 647-656.

    Examples
    --------
    The example of pymcdm's test suite (after Zhao, Peng & Li 2013), usual criterion:

    >>> N = [[4, 3, 2], [3, 2, 4], [5, 1, 3]]
    >>> promethee2(N, [0.5, 0.3, 0.2]).round(12).tolist()
    [0.1, -0.3, 0.2]
    >>> promethee2(N, [0.5, 0.3, 0.2], preference="linear", q=0.5, p=1.5).round(4).tolist()
    [0.075, -0.225, 0.15]
    """
    F = promethee2_criterion_flows(N, preference=preference, p=p, q=q)
    return _weigh(F, _check_weights(w, F.shape[1], "promethee2"))


def promethee2_criterion_flows(N: ArrayLike, *, preference: Preference = "usual",
                               p: ArrayLike | None = None,
                               q: ArrayLike | None = None) -> np.ndarray:
    r"""Per-criterion net flows :math:`\phi_j(a)`, by an exact O(m·n log n) algorithm.

    :math:`\phi_j(a) = \frac{1}{n-1} \sum_b (P_j(N_{aj} - N_{bj}) - P_j(N_{bj} - N_{aj}))`, so
    ``promethee2(N, w) == F @ w`` for any weights: compute F once, then score any number of
    weight vectors with one matrix product. ``F * w`` is also an exact per-criterion
    decomposition of the net flow (for explanations).

    Each column is sorted once. For a threshold t, the number of b with d > t (or -d > t) is a
    prefix (or suffix) of the sorted column, found by binary search and checked against the
    rounded difference itself, so counts match the pairwise definition exactly; usual, U-shape and
    level need only counts, V-shape and linear add the sum of d over the pairs between q and p
    from prefix sums (rounding error a few eps·range/(p - q): 1e-13 for p - q = 1% of the
    range; tested against the pairwise definition to 1e-12).

    Parameters
    ----------
    N : array_like, shape (n, m)
        Normalised, benefit-oriented matrix, n >= 2.
    preference, p, q
        As for :func:`promethee2`.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        Each column in [-1, 1] and summing to 0.

    Raises
    ------
    AggregationError
        As :func:`promethee2`, except for the weight errors.

    References
    ----------
    Brans, J.-P. & Vincke, Ph. (1985). A preference ranking organisation method (The PROMETHEE
    method for multiple criteria decision-making). *Management Science* 31(6), 647-656.

    Examples
    --------
    >>> promethee2_criterion_flows([[4, 3], [3, 2], [5, 1]]).tolist()
    [[0.0, 1.0], [-1.0, 0.0], [1.0, -1.0]]
    """
    A = _check_matrix(N, "promethee2")
    if A.shape[0] < 2:
        raise AggregationError(f"promethee2: needs at least 2 alternatives to compare; got "
                               f"{A.shape[0]}.")
    q_, p_ = _check_thresholds(preference, p, q, A.shape[1])
    level = preference == "level"
    return np.column_stack([_criterion_flow(A[:, j], float(q_[j]), float(p_[j]), level=level)
                            for j in range(A.shape[1])])


def _check_thresholds(preference, p, q, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Validated (q, p) per criterion, in the form every function shares (see _criterion_flow)."""
    hint = (" pymcdm's 'vshape_2' is citykit's 'linear'." if preference == "vshape_2" else "")
    _check_option("PROMETHEE preference function", preference, PREFERENCE_FUNCTIONS, hint)
    uses = PREFERENCE_FUNCTIONS[preference]
    given = {"q": q, "p": p}
    missing = [k for k in uses if given[k] is None]
    unused = [k for k, value in given.items() if value is not None and k not in uses]
    if missing or unused:
        needs = " and ".join(uses) or "no threshold"
        raise AggregationError(
            f"promethee2: preference={preference!r} uses {needs}; "
            + "; ".join(filter(None, [missing and f"missing {' and '.join(missing)}",
                                      unused and f"{' and '.join(unused)} given but unused"]))
            + ". Pass exactly the thresholds the function uses.")
    q_, p_ = (np.zeros(m) if given[k] is None else _threshold(k, given[k], m) for k in ("q", "p"))
    if preference in ("level", "linear") and (q_ > p_).any():
        bad = np.flatnonzero(q_ > p_)
        raise AggregationError(
            f"promethee2: the indifference threshold q must be <= the preference threshold p; "
            f"q > p at criteria {_listed(bad, bad.size)} (q={q_[bad][:MAX_LISTED].tolist()}, "
            f"p={p_[bad][:MAX_LISTED].tolist()}).")
    if preference == "ushape":
        p_ = q_  # a step at q: "linear" with p == q
    return q_, p_


def _threshold(name: str, value: ArrayLike, m: int) -> np.ndarray:
    arr = _as_float(value, f"threshold {name}", "promethee2")
    if arr.ndim == 0:
        arr = np.full(m, float(arr))
    if arr.shape != (m,):
        raise AggregationError(f"promethee2: threshold {name} must be a number or have shape "
                               f"({m},), one per criterion; got shape {arr.shape}.")
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr >= 0)))
    if bad.size:
        raise AggregationError(f"promethee2: threshold {name} must be finite and >= 0; not at "
                               f"criteria {_listed(bad, bad.size)}: {arr[bad][:MAX_LISTED]}.")
    return arr


def _criterion_flow(x: np.ndarray, q: float, p: float, *, level: bool) -> np.ndarray:
    """Net flow of one criterion. All five functions are a step or a ramp between q and p:
    usual (q = p = 0), U-shape (q = p), V-shape (q = 0), linear; level is two half steps."""
    n = x.size
    order = np.argsort(x, kind="stable")
    s = x[order]
    below_p, above_p = _count_below(s, p), _count_above(s, p)
    below_q, above_q = ((below_p, above_p) if q == p
                        else (_count_below(s, q), _count_above(s, q)))
    if level:
        net = 0.5 * ((below_q + below_p) - (above_q + above_p))
    else:
        net = (below_p - above_p).astype(float)
        if p > q:
            net += _ramp(s, below_q, below_p, above_q, above_p, q, p)
    flow = np.empty(n)
    flow[order] = net / (n - 1)
    return flow


def _ramp(s, below_q, below_p, above_q, above_p, q: float, p: float) -> np.ndarray:
    """Sum over b of (d - q)/(p - q) where q < d <= p, minus the same for -d, via prefix sums.

    Exact in exact arithmetic; in floating point, sums of O(n) values of size max|s - median|
    cancel down to O(n·p), so each flow carries an absolute error of order
    a few eps·max|s - median|/(p - q): about 1e-13 for data in [0, 1] and p - q = 0.01, and
    1e-9 for a ramp a millionth of the range wide (where a step function would do as well).
    """
    n = s.size
    z = s - s[n // 2]  # centred, so the prefix sums stay small and lose little to cancellation
    c = np.concatenate(([0.0], np.cumsum(z)))
    plus = (below_q - below_p) * (z - q) - (c[below_q] - c[below_p])  # b in sorted [below_p, below_q)
    minus = (c[n - above_p] - c[n - above_q]) - (above_q - above_p) * (z + q)
    return (plus - minus) / (p - q)


def _count_below(s: np.ndarray, t: float) -> np.ndarray:
    """For each a (s sorted): #{b : s[a] - s[b] > t}, with the rounded difference; a prefix of s."""
    if t == 0:
        return np.searchsorted(s, s, side="left")  # s[a] - s[b] > 0 exactly when s[b] < s[a]
    return _settle(np.searchsorted(s, s - t, side="left"), lambda k, a: s[a] - s[k] <= t)


def _count_above(s: np.ndarray, t: float) -> np.ndarray:
    """For each a (s sorted): #{b : s[b] - s[a] > t}; a suffix of s."""
    n = s.size
    if t == 0:
        return n - np.searchsorted(s, s, side="right")
    return n - _settle(np.searchsorted(s, s + t, side="right"), lambda k, a: s[k] - s[a] > t)


def _settle(guess: np.ndarray, pred: Callable) -> np.ndarray:
    """Move each guess to the first k where ``pred(k, a)`` holds (pred is False then True in k).

    The guess compares s[k] with the rounded s[a] ± t, which can disagree with the rounded
    s[a] - s[k] within an ulp of the threshold; only those few queries are searched again,
    on the exact predicate, so the counts equal the pairwise definition's.
    """
    n = guess.size
    a = np.arange(n)
    left_ok = (guess == 0) | ~pred(np.maximum(guess - 1, 0), a)
    right_ok = (guess == n) | pred(np.minimum(guess, n - 1), a)
    wrong = np.flatnonzero(~(left_ok & right_ok))
    if wrong.size:
        guess = guess.copy()
        guess[wrong] = _bisect(n, wrong, pred)
    return guess


def _bisect(n: int, a: np.ndarray, pred: Callable) -> np.ndarray:
    lo, hi = np.zeros(a.size, dtype=np.intp), np.full(a.size, n, dtype=np.intp)
    while (active := lo < hi).any():
        mid = (lo + hi) // 2
        hit = pred(np.minimum(mid, n - 1), a)
        hi = np.where(active & hit, mid, hi)
        lo = np.where(active & ~hit, mid + 1, lo)
    return lo


def _preference(d: np.ndarray, preference: str, q: float, p: float) -> np.ndarray:
    """P(d) of Brans & Vincke, straight from the definition (for the O(n²) reference)."""
    if preference == "usual":
        return (d > 0).astype(float)
    if preference == "ushape":
        return (d > q).astype(float)
    if preference == "level":
        return np.where(d > p, 1.0, np.where(d > q, 0.5, 0.0))
    low = 0.0 if preference == "vshape" else q
    with np.errstate(divide="ignore", invalid="ignore"):  # p == low: the ramp is never used
        return np.where(d > p, 1.0, np.where(d > low, (d - low) / (p - low), 0.0))


def _promethee2_direct(N: ArrayLike, w: ArrayLike, *, preference: Preference = "usual",
                       p: ArrayLike | None = None, q: ArrayLike | None = None) -> np.ndarray:
    """Net flows from the pairwise definition: O(n²·m) time, O(n²) memory; tests and tiny n.

    One weight vector only. π(a, b) = Σ_j w_j P_j(N[a, j] - N[b, j]);
    φ(a) = (Σ_b π(a, b) - Σ_b π(b, a)) / (n - 1).
    """
    A = _check_matrix(N, "promethee2")
    w_ = _check_weights(w, A.shape[1], "promethee2")
    if w_.ndim != 1 or A.shape[0] < 2:
        raise AggregationError("_promethee2_direct: one weight vector and n >= 2 only.")
    q_, p_ = _check_thresholds(preference, p, q, A.shape[1])
    pi = sum(w_[j] * _preference(A[:, j, None] - A[None, :, j], preference, q_[j], p_[j])
             for j in range(A.shape[1]))
    return (pi.sum(axis=1) - pi.sum(axis=0)) / (A.shape[0] - 1)


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
