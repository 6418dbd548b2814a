r"""PROMETHEE II net outranking flows in O(m·n log n), exact (private; see citykit.aggregate).

Each criterion's net flow is computed from its sorted values with counts (searchsorted) and
prefix sums, which is exact for the usual, U-shape, V-shape, level and linear preference
functions; :func:`_promethee2_direct` is the O(n²·m) definition the tests compare against.
"""

from __future__ import annotations

from collections.abc import Callable
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
from .exceptions import MAX_LISTED, AggregationError

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


