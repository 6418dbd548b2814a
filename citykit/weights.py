r"""Criterion weights: checked, equal, or derived from the data (elicited ones: citykit.ahp).

Every function returns a 1-D float array with one weight per criterion, each >= 0, summing
to 1. Weights that do not sum to 1 are an error unless the caller asks for rescaling
(:func:`check_weights` with ``normalise=True``); nothing is rescaled silently.

Elicited weights (in :mod:`citykit.ahp`)
    :func:`~citykit.ahp.ahp` (Saaty's principal eigenvector, consistency ratio, a :class:`CityKitWarning`
    above CR 0.1), :func:`~citykit.ahp.group_ahp` (participants' matrices combined by the element-wise
    geometric mean, AIJ) and :func:`~citykit.ahp.group_weights` (participants' weight vectors combined, AIP).
Data-driven weights (:data:`WEIGHTING`, :func:`data_weights`)
    :func:`equal`, :func:`entropy`, :func:`critic`, :func:`pca`. They are learned from the
    candidates passed in, which should be the eligible set: adding a candidate changes them.

Conventions against pymcdm 1.4 (checked to 1e-9 in ``tests/test_weights.py``)
----------------------------------------------------------------------------
* :func:`entropy` equals ``pymcdm.weights.entropy_weights`` for positive data. pymcdm rejects
  any 0 (its sum normalisation needs ``x > 0``); we accept zeros with Shannon's convention
  ``0 · ln 0 = 0``.
* :func:`critic` equals ``pymcdm.weights.critic_weights`` when ``directions`` is omitted
  (pymcdm min-max normalises every criterion as a benefit). With ``directions``, cost criteria
  are reversed first, as Diakoulaki et al. (1995) do, which flips the sign of their
  correlations with benefit criteria; this equals pymcdm given the cost columns negated.
  pymcdm returns NaN for a constant criterion; we raise or, with ``on_constant="zero"``, give
  it weight 0.
* :func:`citykit.ahp.ahp` gives the same weights and consistency index as ``pymcdm.weights.subjective.AHP``
  (principal eigenvector of ``numpy.linalg.eig``, normalised to sum 1). The consistency
  *ratios* differ: pymcdm divides by the random indices of Tummala & Ling (1998)
  (0.5799, 0.8921, ...), we by Saaty's (1980) (0.58, 0.90, ...), the table behind the CRs
  Saaty publishes; pass ``random_index=`` to use another table.
"""

from __future__ import annotations

import inspect
import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import MAX_LISTED, CityKitWarning, WeightError
from .normalise import (
    _constant,
    _did_you_mean,
    _labels,
    _numeric_guard,
    check_directions,
    check_matrix,
)

__all__ = [
    "WEIGHTING",
    "PCAResult",
    "check_weights",
    "critic",
    "data_weights",
    "entropy",
    "equal",
    "pca",
    "pca_details",
    "varimax",
]


def _as_float(x: ArrayLike, what: str) -> np.ndarray:
    try:
        return np.array(x, dtype=float)  # a copy: results never alias caller data
    except (TypeError, ValueError) as exc:
        raise WeightError(f"{what} must be numeric; {exc}.") from None


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------------------------------------
# Checking weights
# ---------------------------------------------------------------------------------------------

def check_weights(w: ArrayLike, n: int | None = None, *, normalise: bool = False,
                  names: Sequence[str] | None = None, atol: float = 1e-9) -> np.ndarray:
    """Return `w` as a checked weight vector: finite, >= 0 and summing to 1.

    Parameters
    ----------
    w : array_like, shape (m,)
        One weight per criterion.
    n : int, optional
        The expected number of criteria.
    normalise : bool, default False
        Rescale `w` to sum 1 instead of raising when it does not. Explicit on purpose: a sum
        other than 1 usually means a typo, and rescaling changes every weight.
    names : sequence of str, optional
        Criterion names, quoted in messages.
    atol : float, default 1e-9
        Tolerance on the sum (``math.isclose(sum, 1, abs_tol=atol)``).

    Returns
    -------
    numpy.ndarray
        A new float array.

    Raises
    ------
    WeightError
        If `w` is not 1-D, has the wrong length, a NaN/infinite or negative weight, sums to 0,
        or (without ``normalise``) does not sum to 1.

    Examples
    --------
    >>> check_weights([0.5, 0.3, 0.2]).tolist()
    [0.5, 0.3, 0.2]
    >>> check_weights([2, 1, 1], normalise=True).tolist()
    [0.5, 0.25, 0.25]
    >>> check_weights([0.5, 0.4])
    Traceback (most recent call last):
    ...
    citykit.exceptions.WeightError: Weights sum to 0.9000, not 1. Pass normalise=True to rescale them explicitly.
    """
    arr = _as_float(w, "Weights")
    if arr.ndim != 1 or arr.size == 0:
        raise WeightError(f"Weights must be a non-empty 1-D sequence, one per criterion; got "
                          f"shape {arr.shape}.")
    if n is not None and arr.size != n:
        raise WeightError(f"Expected {n} weights, one per criterion; got {arr.size}.")
    if names is not None and len(names) != arr.size:
        raise WeightError(f"names must give one name per weight: expected {arr.size}, got "
                          f"{len(names)}.")
    for bad, rule in ((~np.isfinite(arr), "finite"), (arr < 0, ">= 0")):
        if bad.any():
            idx = np.flatnonzero(bad)
            raise WeightError(f"Weights must be {rule}; not for criteria {_labels(idx, names)}: "
                              f"{arr[idx][:MAX_LISTED].tolist()}.")
    total = float(arr.sum())
    if total <= 0:
        raise WeightError("All weights are 0; give at least one criterion a positive weight.")
    if normalise:
        return arr / total
    if not math.isclose(total, 1.0, abs_tol=atol):
        raise WeightError(f"Weights sum to {total:.4f}, not 1. Pass normalise=True to rescale "
                          "them explicitly.")
    return arr


def equal(n: int) -> np.ndarray:
    """Equal weights ``1/n``.

    Parameters
    ----------
    n : int
        The number of criteria (>= 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> equal(4).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise WeightError(f"equal(n) needs a positive integer number of criteria; got {n!r}.")
    return np.full(n, 1.0 / n)


# ---------------------------------------------------------------------------------------------
# Data-driven weights
# ---------------------------------------------------------------------------------------------

def _data(X: ArrayLike, names, *, min_rows: int, method: str) -> np.ndarray:
    A = check_matrix(X, names=names, error=WeightError)
    if A.shape[0] < min_rows:
        raise WeightError(f"{method} weights need at least {min_rows} candidates; got "
                          f"{A.shape[0]}.")
    return A


def entropy(X: ArrayLike, *, names: Sequence[str] | None = None) -> np.ndarray:
    r"""Shannon-entropy weights: criteria whose values differ more across candidates weigh more.

    With shares :math:`p_{ij} = x_{ij} / \sum_i x_{ij}`, the entropy of criterion j is
    :math:`E_j = -\sum_i p_{ij} \ln p_{ij} / \ln n` (with :math:`0 \ln 0 = 0`), its degree of
    diversification :math:`d_j = 1 - E_j`, and :math:`w_j = d_j / \sum_k d_k`.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Raw, ratio-scale values (>= 0, each criterion with a positive sum), n >= 2. Directions
        do not matter: the shares measure dispersion only.
    names : sequence of str, optional
        Criterion names, quoted in messages.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Raises
    ------
    WeightError
        For NaN/inf, negative values, an all-zero criterion, fewer than 2 candidates, or when
        every criterion is uniform (no criterion discriminates; use :func:`equal`).

    Notes
    -----
    Equal to pymcdm's ``entropy_weights`` on positive data. A constant criterion has
    :math:`E_j = 1` and weight 0; :math:`d_j` is floored at 0 to absorb rounding (``E_j`` a few
    ulps above 1 for near-uniform criteria). The weights change if a criterion is shifted
    (``x + c``), not if it is rescaled (``a x``).

    References
    ----------
    Shannon, C.E. (1948), A mathematical theory of communication, *Bell System Technical
    Journal* 27: 379-423, 623-656. Zeleny, M. (1982), *Multiple Criteria Decision Making*,
    McGraw-Hill (entropy as a measure of the contrast intensity of a criterion).

    Examples
    --------
    >>> entropy([[1.0, 2.0], [1.0, 8.0], [1.0, 5.0]]).round(6).tolist()
    [0.0, 1.0]
    """
    A = _data(X, names, min_rows=2, method="Entropy")
    if (A < 0).any():
        raise WeightError(f"Entropy weights need values >= 0; criteria "
                          f"{_labels(np.flatnonzero((A < 0).any(axis=0)), names)} have negative "
                          "values. Use min-max normalised data, or CRITIC weights.")
    with _numeric_guard("Entropy", WeightError):
        return _entropy(A, names)


def _entropy(A: np.ndarray, names) -> np.ndarray:
    total = A.sum(axis=0)
    if (total == 0).any():
        raise WeightError(f"Criteria {_labels(np.flatnonzero(total == 0), names)} are 0 for "
                          "every candidate; their entropy is undefined. Drop them.")
    p = A / total
    plogp = p * np.log(np.where(p > 0, p, 1.0))  # 0 ln 0 = 0, without a log(0) warning
    d = np.maximum(1.0 + plogp.sum(axis=0) / np.log(A.shape[0]), 0.0)
    return _share(d, "Entropy", "every criterion is uniform across the candidates")


def _share(c: np.ndarray, method: str, why: str) -> np.ndarray:
    total = c.sum()
    if not total > 0:
        raise WeightError(f"{method} weights are undefined: {why}. Use equal weights, or "
                          "expert weights (AHP).")
    return c / total


def _drop_constant(A, names, on_constant: str, method: str) -> np.ndarray:
    """The mask of non-constant criteria; raise on constant ones unless on_constant='zero'."""
    if on_constant not in ("raise", "zero"):
        raise WeightError(f"Unknown on_constant {on_constant!r}; expected 'raise' or 'zero'.")
    const = _constant(A)
    if const.all():
        raise WeightError(f"Every criterion is constant across the candidates; {method} weights "
                          "are undefined. Use equal weights, or expert weights (AHP).")
    if const.any() and on_constant == "raise":
        raise WeightError(
            f"Constant criteria {_labels(np.flatnonzero(const), names)}: every candidate has "
            f"the same value, so {method} weights are undefined for them. Drop them, or pass "
            "on_constant='zero' to give them weight 0 (recorded).")
    return ~const


def _unit_range(A: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1] per column (columns must be non-constant)."""
    lo = A.min(axis=0)
    return (A - lo) / (A.max(axis=0) - lo)


def critic(X: ArrayLike, directions: ArrayLike | None = None, *,
           on_constant: Literal["raise", "zero"] = "raise",
           names: Sequence[str] | None = None) -> np.ndarray:
    r"""CRITIC weights: contrast (std) times conflict (low correlation with the others).

    Each criterion is min-max normalised to [0, 1] (cost criteria reversed when `directions` is
    given); :math:`C_j = \sigma_j \sum_k (1 - r_{jk})` with the sample std (``ddof=1``) and
    Pearson's :math:`r`; :math:`w_j = C_j / \sum_k C_k`.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Raw values, n >= 2.
    directions : sequence of {"max", "min", 1, -1}, optional
        Reverse cost criteria before correlating (Diakoulaki et al. 1995). Omitted: every
        criterion is normalised as a benefit, as pymcdm does.
    on_constant : {"raise", "zero"}, default "raise"
        A constant criterion has no contrast and an undefined correlation: raise, or give it
        weight 0 and compute the others without it.
    names : sequence of str, optional
        Criterion names, quoted in messages.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Raises
    ------
    WeightError
        For NaN/inf, fewer than 2 candidates, a constant criterion (by default), or when no
        criterion conflicts with another (a single criterion, or all perfectly correlated).

    Notes
    -----
    The std's ``ddof`` scales every :math:`C_j` alike, so it does not change the weights.

    References
    ----------
    Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995), Determining objective weights in
    multiple criteria problems: the CRITIC method, *Computers & Operations Research* 22(7):
    763-770.

    Examples
    --------
    >>> X = [[1.0, 10.0, 3.0], [2.0, 30.0, 1.0], [3.0, 20.0, 2.0], [4.0, 50.0, 0.5]]
    >>> critic(X).round(4).tolist()  # every criterion as a benefit (pymcdm's convention)
    [0.2456, 0.2676, 0.4868]
    >>> critic(X, ["max", "max", "min"]).round(4).tolist()  # the third one reversed
    [0.4388, 0.2351, 0.3261]
    """
    A = _data(X, names, min_rows=2, method="CRITIC")
    sign = None if directions is None else check_directions(directions, A.shape[1], names=names)
    with _numeric_guard("CRITIC", WeightError):
        ok = _drop_constant(A, names, on_constant, "CRITIC")
        N = _unit_range(A[:, ok])
        if sign is not None:
            N = np.where(sign[ok] < 0, 1.0 - N, N)
        r = np.atleast_2d(np.corrcoef(N, rowvar=False))
        c = np.zeros(A.shape[1])
        c[ok] = N.std(axis=0, ddof=1) * (1.0 - r).sum(axis=0)
    return _share(c, "CRITIC", "no criterion conflicts with another (fewer than 2 non-constant "
                  "criteria, or all perfectly correlated)")


# ---------------------------------------------------------------------------------------------
# PCA weights (OECD/JRC 2008)
# ---------------------------------------------------------------------------------------------

def _planar_angle(x: np.ndarray, y: np.ndarray) -> float:
    """The rotation angle of factors (x, y) that maximises their varimax criterion (Kaiser).

    0 when the angle is below its own rounding noise: where the criterion hardly depends on the
    angle, ``num`` and ``den`` are both tiny and their ratio is noise, which would keep the
    iteration from ever settling.
    """
    u, v = x ** 2 - y ** 2, 2 * x * y
    p = len(x)
    num = 2 * (u @ v - u.sum() * v.sum() / p)
    den = (u @ u - v @ v) - (u.sum() ** 2 - v.sum() ** 2) / p
    size = np.hypot(num, den)
    phi = np.arctan2(num, den) / 4 if size > 0 else 0.0
    noise = 64 * np.finfo(float).eps * p  # |u|, |v| <= 1: sums of p terms, rounded
    return float(phi) if abs(phi) * size > noise else 0.0


def varimax(loadings: ArrayLike, *, normalize: bool = True, tol: float = 1e-12,
            max_sweeps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    r"""Varimax rotation of a loadings matrix (Kaiser 1958).

    Finds the orthogonal rotation ``R`` maximising the variance of the squared loadings within
    each factor, so that each indicator loads mainly on one factor. Uses Kaiser's algorithm:
    sweeps over every pair of factors, each rotated by the angle that maximises the criterion
    for that pair (exact for two factors), until no angle exceeds `tol`. An angle below its
    rounding noise (a pair on which the criterion is flat) counts as 0.

    Parameters
    ----------
    loadings : array_like, shape (m, k)
        Indicators in rows, factors in columns.
    normalize : bool, default True
        Kaiser normalisation: rotate the rows scaled to unit length (communality 1), then scale
        back, so indicators with small communalities count equally.
    tol : float, default 1e-12
        Stop after a sweep in which no pair was rotated by more than `tol` radians.
    max_sweeps : int, default 1000

    Returns
    -------
    rotated : numpy.ndarray, shape (m, k)
        ``loadings @ R``.
    R : numpy.ndarray, shape (k, k)
        The orthogonal rotation.

    Warns
    -----
    CityKitWarning
        If the rotation has not converged after `max_sweeps` sweeps.

    References
    ----------
    Kaiser, H.F. (1958), The varimax criterion for analytic rotation in factor analysis,
    *Psychometrika* 23(3): 187-200.

    Examples
    --------
    >>> L = np.array([[0.8, 0.3], [0.7, 0.4], [0.3, 0.8], [0.2, 0.9]])
    >>> rotated, R = varimax(L)
    >>> np.allclose(R @ R.T, np.eye(2)), np.allclose((rotated ** 2).sum(1), (L ** 2).sum(1))
    (True, True)
    """
    L = _as_float(loadings, "Loadings")
    if L.ndim != 2 or 0 in L.shape or not np.isfinite(L).all():
        raise WeightError(f"Loadings must be a finite 2-D array (indicators × factors); got "
                          f"shape {L.shape}.")
    m, k = L.shape
    h = np.sqrt((L ** 2).sum(axis=1)) if normalize else np.ones(m)
    h = np.where(h > 0, h, 1.0)  # an all-zero row stays zero
    B, R = L / h[:, None], np.eye(k)
    pairs = list(itertools.combinations(range(k), 2))  # loops over factors, not indicators
    for _ in range(max_sweeps):
        largest = 0.0
        for a, b in pairs:
            phi = _planar_angle(B[:, a], B[:, b])
            if phi == 0.0:
                continue
            largest = max(largest, abs(phi))
            G = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
            B[:, [a, b]] = B[:, [a, b]] @ G
            R[:, [a, b]] = R[:, [a, b]] @ G
        if largest < tol:
            break
    else:
        warnings.warn(f"varimax did not converge in {max_sweeps} sweeps.", CityKitWarning,
                      stacklevel=2)
    return B * h[:, None], R


@dataclass(frozen=True, eq=False)
class PCAResult:
    """PCA weights with the intermediate results, for display and audit.

    Attributes
    ----------
    weights : numpy.ndarray, shape (m,)
        The weights (sum 1).
    eigenvalues : numpy.ndarray, shape (m,)
        Of the correlation matrix, descending (explained variance of each component).
    n_components : int
        Components retained.
    loadings : numpy.ndarray, shape (m, n_components)
        Rotated (varimax) loadings; unrotated when one component is kept.
    factor : numpy.ndarray of int, shape (m,)
        The factor each indicator is assigned to (-1 for a constant indicator given weight 0).
    factor_share : numpy.ndarray, shape (n_components,)
        Each rotated factor's share of the variance the retained factors explain.
    """

    weights: np.ndarray
    eigenvalues: np.ndarray
    n_components: int
    loadings: np.ndarray
    factor: np.ndarray
    factor_share: np.ndarray


def _n_components(eig: np.ndarray, n_components: int | None) -> int:
    """The retention rule (see :func:`pca`), or the caller's choice, checked."""
    share = eig / eig.sum()
    if n_components is not None:
        ok = isinstance(n_components, int | np.integer) and not isinstance(n_components, bool)
        if not ok or not 1 <= n_components <= int((eig > 1e-12 * eig[0]).sum()):
            raise WeightError(f"n_components must be an integer from 1 to the number of "
                              f"components with positive variance "
                              f"({int((eig > 1e-12 * eig[0]).sum())}); got {n_components!r}.")
        return int(n_components)
    kaiser = int(((eig > 1.0) & (share > 0.10)).sum())
    cumulative = int(np.searchsorted(np.cumsum(share), 0.60 - 1e-12) + 1)
    return max(kaiser, min(cumulative, len(eig)), 1)


def pca_details(X: ArrayLike, *, n_components: int | None = None,
                on_constant: Literal["raise", "zero"] = "raise",
                names: Sequence[str] | None = None) -> PCAResult:
    """PCA weights as in the OECD/JRC Handbook, with the intermediate results.

    See :func:`pca` for the method; this returns a :class:`PCAResult`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(40, 2))
    >>> X = np.column_stack([f[:, 0], f[:, 0], f[:, 1], f[:, 1]]) + 0.3 * rng.normal(size=(40, 4))
    >>> res = pca_details(X)
    >>> res.n_components, res.eigenvalues.round(2).tolist()
    (2, [2.4, 1.44, 0.1, 0.06])
    >>> f = res.factor  # each pair of indicators shares a factor
    >>> bool(f[0] == f[1] and f[2] == f[3] and f[0] != f[2])
    True
    """
    A = _data(X, names, min_rows=3, method="PCA")
    with _numeric_guard("PCA", WeightError):
        ok = _drop_constant(A, names, on_constant, "PCA")
        corr = np.atleast_2d(np.corrcoef(_unit_range(A[:, ok]), rowvar=False))
    eig, vec = np.linalg.eigh(corr)
    eig, vec = np.clip(eig[::-1], 0.0, None), vec[:, ::-1]
    k = _n_components(eig, n_components)
    L = vec[:, :k] * np.sqrt(eig[:k])
    if k > 1:
        L, _ = varimax(L)
    ss = (L ** 2).sum(axis=0)  # variance explained by each (rotated) factor
    scaled = L ** 2 / ss  # squared loadings scaled to unity sum per factor
    assigned = scaled.argmax(axis=1)
    share = ss / ss.sum()
    w = np.zeros(A.shape[1])
    w[ok] = share[assigned] * scaled[np.arange(len(assigned)), assigned]
    factor = np.full(A.shape[1], -1)
    factor[ok] = assigned
    return PCAResult(_frozen(_share(w, "PCA", "no indicator loads on a retained factor")),
                     _frozen(eig), k, _frozen(L), _frozen(factor), _frozen(share))


def pca(X: ArrayLike, *, n_components: int | None = None,
        on_constant: Literal["raise", "zero"] = "raise",
        names: Sequence[str] | None = None) -> np.ndarray:
    """PCA-based weights (OECD/JRC 2008 Handbook, Step 6: weights from PCA/factor analysis).

    1. Standardise the indicators and take their correlation matrix (PCA on correlations).
    2. Retain factors: the leading components with eigenvalue > 1 that each explain more
       than 10% of the variance, extended with further components until together they
       explain at least 60% (the Handbook's three criteria); at least one. Or exactly
       `n_components`.
    3. Rotate the retained loadings with varimax (Kaiser-normalised; none for one factor).
    4. Square the rotated loadings and scale them to unity sum within each factor.
    5. Assign each indicator to the factor on which its scaled squared loading is largest,
       and weight it by that scaled squared loading times the factor's share of the explained
       variance (the factor's sum of squared loadings over the total).
    6. Normalise the weights to sum 1 (step 5 leaves them below 1: each indicator keeps only
       one factor's loading).

    Parameters
    ----------
    X : array_like, shape (n, m)
        Raw values, n >= 3. Directions do not matter (loadings are squared).
    n_components : int, optional
        Override the retention rule.
    on_constant : {"raise", "zero"}, default "raise"
        A constant indicator has no correlation: raise, or give it weight 0 and leave it out.
    names : sequence of str, optional
        Indicator names, quoted in messages.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Raises
    ------
    WeightError
        For NaN/inf, fewer than 3 candidates, a constant indicator (by default), or an invalid
        `n_components`.

    Notes
    -----
    These weights describe how indicators co-vary in the candidate set, not how important
    they are; the Handbook warns that correlated indicators are not necessarily redundant.
    Use :func:`pca_details` for the loadings, retained factors and their shares.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User
    Guide*, OECD Publishing, Step 4 (multivariate analysis) and Step 6 (weighting: weights
    based on principal components analysis or factor analysis).
    Nicoletti, G., Scarpetta, S. & Boylaud, O. (2000), Summary indicators of product market
    regulation with an extension to employment protection legislation, OECD Economics
    Department Working Paper 226.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(30, 4))
    >>> w = pca(X)
    >>> bool(np.isclose(w.sum(), 1.0)), bool((w >= 0).all())
    (True, True)
    """
    return pca_details(X, n_components=n_components, on_constant=on_constant,
                       names=names).weights.copy()


# ---------------------------------------------------------------------------------------------
# Registry of data-driven methods
# ---------------------------------------------------------------------------------------------

def _equal_data(X: ArrayLike, *, names: Sequence[str] | None = None) -> np.ndarray:
    return equal(check_matrix(X, names=names, error=WeightError).shape[1])


#: Data-driven weighting methods by the name used in scenarios; each takes ``(X, **options)``.
WEIGHTING: Mapping[str, Callable[..., np.ndarray]] = MappingProxyType({
    "equal": _equal_data, "entropy": entropy, "critic": critic, "pca": pca,
})


def data_weights(name: str, X: ArrayLike, *, directions: ArrayLike | None = None,
                 names: Sequence[str] | None = None, **options: Any) -> np.ndarray:
    """Weights from the data by the method registered as `name` in :data:`WEIGHTING`.

    Parameters
    ----------
    name : {"equal", "entropy", "critic", "pca"}
    X : array_like, shape (n, m)
        Raw values of the eligible candidates.
    directions : sequence of {"max", "min", 1, -1}, optional
        Passed to the methods that use directions (CRITIC); the others do not depend on them.
    names : sequence of str, optional
        Criterion names, quoted in messages.
    **options
        The method's own options (e.g. ``on_constant``, ``n_components``).

    Returns
    -------
    numpy.ndarray, shape (m,)

    Raises
    ------
    WeightError
        For an unknown name (with the closest match) or options the method does not take,
        and whatever the method raises.

    Examples
    --------
    >>> data_weights("equal", [[1.0, 2.0], [3.0, 4.0]]).tolist()
    [0.5, 0.5]
    >>> data_weights("entrophy", [[1.0]])
    Traceback (most recent call last):
    ...
    citykit.exceptions.WeightError: Unknown weighting method 'entrophy'; expected one of 'equal', 'entropy', 'critic', 'pca'. Did you mean 'entropy'?
    """
    if not isinstance(name, str) or name not in WEIGHTING:
        raise WeightError(f"Unknown weighting method {name!r}; expected one of "
                          f"{', '.join(map(repr, WEIGHTING))}.{_did_you_mean(name, WEIGHTING)}")
    func = WEIGHTING[name]
    accepted = set(inspect.signature(func).parameters) - {"X"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise WeightError(f"Weighting {name!r} takes options {sorted(accepted - {'names', 'directions'})}; "
                          f"unknown: {unknown}.")
    if "directions" in accepted:
        options["directions"] = directions
    elif directions is not None:
        check_directions(directions, np.shape(X)[-1], names=names)  # still validate the input
    return func(X, names=names, **options)
