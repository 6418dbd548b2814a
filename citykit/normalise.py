r"""Normalisation: put every criterion on a common scale where higher is always better.

Every normaliser takes a float matrix ``X`` (n alternatives × m criteria) and one direction per
criterion (``"max"``: higher is better, ``"min"``: lower is better; ``+1``/``-1`` are accepted
too), and returns a **benefit-oriented** matrix: after ``transform``, higher is better in every
column, so aggregation can treat all columns alike.

Anything learned from the candidates (min, max, mean, norms, the ranked reference values) is
learned by ``fit`` on the set passed to it, which should be the *eligible* candidates, stored in
attributes ending in ``_`` and reused by ``transform``, following scikit-learn's estimator
contract. Adding or removing a candidate changes what is learned and so every other candidate's
value; refitting is therefore always explicit. ``get_params()`` returns the constructor options
and ``get_learned()`` what ``fit`` learned, as plain lists, for the scenario record.

=========== ====================================== ============================================
name        benefit ("max")                         cost ("min")
=========== ====================================== ============================================
minmax      (x - min) / (max - min)                 (max - x) / (max - min)
zscore      (x - mean) / std   (ddof=0)             -(x - mean) / std
vector      x / ||x||          (x >= 0)             1 - x / ||x||
sum         x / sum(x)         (x >= 0)             (1/x) / sum(1/x)   (x > 0)
rank        (average rank - 1) / (n - 1)            1 - the benefit value
goalposts   (x - low) / (high - low), clipped       (high - x) / (high - low), clipped
=========== ====================================== ============================================

``goalposts`` also scores distance to a per-criterion target:
``1 - |x - target| / max(target - low, high - target)``.

Conventions against pymcdm 1.4 (checked in ``tests/test_normalise.py``)
----------------------------------------------------------------------
``minmax``, ``vector`` and ``sum`` equal pymcdm's ``minmax_normalization``,
``vector_normalization`` and ``sum_normalization`` (including pymcdm's cost forms
``1 - x/||x||`` and ``(1/x)/sum(1/x)``) to 1e-12. Differences by design: pymcdm turns a constant
column into ones under min-max, we raise or, with ``on_constant="neutral"``, give 0.5 and record
it; pymcdm's sum normalisation rejects zeros even for a benefit column, ours accepts them there
(only ``1/x`` needs ``x > 0``); pymcdm's vector normalisation accepts negative values, ours
rejects them (the norm is only a meaningful scale for ratio data). z-score uses the population
standard deviation (``ddof=0``), as scikit-learn's ``StandardScaler`` does.

No normaliser divides by zero or lets a NumPy ``RuntimeWarning`` through: NaN, infinite values,
constant columns, an all-zero column and overflow are reported as :class:`NormalisationError`
naming the criteria, by index and, when ``names`` is given to ``fit``, by name.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
OECD Publishing, Step 5 (normalisation).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import MAX_LISTED, NormalisationError, NotFittedError

__all__ = [
    "NORMALISERS",
    "Goalposts",
    "MinMax",
    "Normaliser",
    "Rank",
    "Sum",
    "Vector",
    "ZScore",
    "check_directions",
    "check_matrix",
    "make_normaliser",
    "normalise",
]

_DIRECTIONS = {"max": 1, "min": -1, 1: 1, -1: -1}
_ON_CONSTANT = ("raise", "neutral")


# ---------------------------------------------------------------------------------------------
# Validation shared with citykit.weights
# ---------------------------------------------------------------------------------------------

def _label(j: int, names: Sequence[str] | None) -> str:
    return f"{j} ({names[j]!r})" if names is not None else str(j)


def _labels(idx: Sequence[int] | np.ndarray, names: Sequence[str] | None) -> str:
    """The first few criteria as '0 ('pm25'), 3 ('gdp')', and how many more."""
    idx = [int(j) for j in idx]
    shown = ", ".join(_label(j, names) for j in idx[:MAX_LISTED])
    more = f" and {len(idx) - MAX_LISTED} more" if len(idx) > MAX_LISTED else ""
    return shown + more


def _check_names(names: Sequence[str] | None, m: int, error: type[Exception]) -> tuple | None:
    if names is None:
        return None
    if isinstance(names, str) or len(names) != m:
        got = "a string" if isinstance(names, str) else f"{len(names)} names"
        raise error(f"names must give one name per criterion: expected {m}, got {got}.")
    return tuple(str(n) for n in names)


def check_matrix(X: ArrayLike, *, names: Sequence[str] | None = None,
                 error: type[Exception] = NormalisationError) -> np.ndarray:
    """Return `X` as a finite 2-D float array, or raise naming the offending criteria.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Alternatives in rows, criteria in columns.
    names : sequence of str, optional
        Criterion names, used in messages.
    error : type, default NormalisationError
        The exception class to raise (citykit.weights passes WeightError).

    Returns
    -------
    numpy.ndarray
        ``X`` as float64 (a view when it already is one; never modified).

    Raises
    ------
    NormalisationError
        If `X` is not numeric, not 2-D, empty, or has NaN or infinite values.

    Examples
    --------
    >>> check_matrix([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> check_matrix([[1.0, float("nan")]], names=["gdp", "pm25"])
    Traceback (most recent call last):
    ...
    citykit.exceptions.NormalisationError: Missing values (NaN) in criteria 1 ('pm25') (1 cells). Impute them or drop those candidates or criteria first (see citykit.impute.handle_missing).
    """
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise error(f"The matrix must be numeric; {exc}.") from None
    if A.ndim != 2 or 0 in A.shape:
        raise error(f"The matrix must be 2-D (alternatives × criteria) and non-empty; got shape "
                    f"{A.shape}. For a single criterion use X.reshape(-1, 1).")
    names = _check_names(names, A.shape[1], error)
    nan = np.isnan(A).sum(axis=0)
    if nan.any():
        cols = np.flatnonzero(nan)
        raise error(f"Missing values (NaN) in criteria {_labels(cols, names)} "
                    f"({int(nan.sum())} cells). Impute them or drop those candidates or criteria "
                    "first (see citykit.impute.handle_missing).")
    inf = np.isinf(A).any(axis=0)
    if inf.any():
        raise error(f"Infinite values in criteria {_labels(np.flatnonzero(inf), names)}. Check "
                    "the source data (a division by zero upstream?) and fix or drop them.")
    return A


def check_directions(directions: ArrayLike, m: int, *,
                     names: Sequence[str] | None = None) -> np.ndarray:
    """Return the directions as an int array of +1 (benefit) / -1 (cost).

    Parameters
    ----------
    directions : sequence of {"max", "min", 1, -1}
        One per criterion.
    m : int
        The number of criteria.
    names : sequence of str, optional
        Criterion names, used in messages.

    Returns
    -------
    numpy.ndarray of int

    Raises
    ------
    NormalisationError
        If the length is not `m` or a direction is not one of the four accepted values.

    Examples
    --------
    >>> check_directions(["max", "min", -1], 3).tolist()
    [1, -1, -1]
    >>> check_directions(["max", "maximum"], 2)
    Traceback (most recent call last):
    ...
    citykit.exceptions.NormalisationError: Unknown direction 'maximum' for criterion 1. Expected 'max' (higher is better) or 'min' (lower is better), or +1/-1.
    """
    if isinstance(directions, str):
        raise NormalisationError(f"directions must have one entry per criterion; got the string "
                                 f"{directions!r}. Pass e.g. [{directions!r}] * {m}.")
    directions = list(np.asarray(directions, dtype=object).ravel())
    if len(directions) != m:
        raise NormalisationError(f"directions must have one entry per criterion: expected {m}, "
                                 f"got {len(directions)}.")
    signs = []
    for j, d in enumerate(directions):
        key = d.item() if isinstance(d, np.generic) else d
        if isinstance(key, bool) or key not in _DIRECTIONS:
            raise NormalisationError(
                f"Unknown direction {d!r} for criterion {_label(j, names)}. Expected 'max' "
                "(higher is better) or 'min' (lower is better), or +1/-1.")
        signs.append(_DIRECTIONS[key])
    return np.array(signs, dtype=int)


def _did_you_mean(value: Any, allowed: Sequence[str]) -> str:
    """' Did you mean 'x'?' for the closest allowed name (case-insensitive), or ''."""
    lower = {a.lower(): a for a in allowed}
    close = difflib.get_close_matches(str(value).lower(), list(lower), n=1)
    return f" Did you mean {lower[close[0]]!r}?" if close else ""


def _check_option(what: str, value: Any, allowed: Sequence[str]) -> None:
    if isinstance(value, str) and value in allowed:
        return
    raise NormalisationError(f"Unknown {what} {value!r}; expected one of "
                             f"{', '.join(map(repr, allowed))}.{_did_you_mean(value, allowed)}")


def _constant(A: np.ndarray) -> np.ndarray:
    """Columns whose range is zero or negligible: within 10 ulps of the values (as scikit-learn
    decides), or subnormal, where any division by it would be noise or overflow."""
    lo, hi = A.min(axis=0), A.max(axis=0)
    ptp = hi - lo
    tol = 10 * np.finfo(float).eps * np.maximum(np.abs(lo), np.abs(hi))
    return (ptp <= tol) | (ptp < np.finfo(float).tiny)


def _reject_negative(A: np.ndarray, who: str, names, *, strict: np.ndarray | None = None) -> None:
    """Raise if a column has values < 0 (or <= 0 where `strict` is True)."""
    strict = np.zeros(A.shape[1], bool) if strict is None else strict
    bad = np.where(strict, (A <= 0).any(axis=0), (A < 0).any(axis=0))
    if bad.any():
        rule = "> 0" if strict[bad].all() else ">= 0"
        raise NormalisationError(
            f"{who} needs values {rule} (ratio-scale data); criteria {_labels(np.flatnonzero(bad), names)} "
            "break this. Use 'minmax', 'zscore', 'rank' or 'goalposts' for such criteria.")


# ---------------------------------------------------------------------------------------------
# The estimator contract
# ---------------------------------------------------------------------------------------------

class Normaliser:
    """Base class: scikit-learn's fit/transform contract for a column-wise normalisation.

    Subclasses implement ``_fit(A, cost)`` (store learned attributes ending in ``_``) and
    ``_transform(A, cost)``, and list their learned attributes in ``_learned``.
    """

    _learned: tuple[str, ...] = ()

    def fit(self, X: ArrayLike, directions: ArrayLike, *,
            names: Sequence[str] | None = None) -> Normaliser:
        """Validate `X` and learn what the method needs from it (the eligible candidates).

        Parameters
        ----------
        X : array_like, shape (n, m)
            Raw values: candidates in rows, criteria in columns; finite.
        directions : sequence of {"max", "min", 1, -1}
            One per criterion; "min" marks a cost criterion (lower is better).
        names : sequence of str, optional
            Criterion names, quoted in error messages.

        Returns
        -------
        self
        """
        self._reset()  # a failed refit must not leave the previous fit half in place
        self._check_params()
        A = check_matrix(X, names=names)
        names = _check_names(names, A.shape[1], NormalisationError)
        sign = check_directions(directions, A.shape[1], names=names)
        self.names_ = names
        try:
            with _numeric_guard(type(self).__name__):
                self._fit(A, sign < 0)
        except NormalisationError:
            self._reset()
            raise
        self.directions_ = tuple("max" if s > 0 else "min" for s in sign)
        self.n_fitted_ = A.shape[0]
        self.n_criteria_ = A.shape[1]  # set last: it marks the object as fitted
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Normalise `X` with what ``fit`` learned (never refits).

        Parameters
        ----------
        X : array_like, shape (k, m)
            Raw values with the same criteria, in the same order, as at ``fit``.

        Returns
        -------
        numpy.ndarray, shape (k, m)
            Benefit-oriented values: higher is better in every column.
        """
        self._check_fitted()
        A = check_matrix(X, names=self.names_)
        if A.shape[1] != self.n_criteria_:
            raise NormalisationError(
                f"X has {A.shape[1]} criteria but this {type(self).__name__} was fitted on "
                f"{self.n_criteria_}; pass the same criteria in the same order.")
        cost = np.array([d == "min" for d in self.directions_])
        with _numeric_guard(type(self).__name__):
            return self._transform(A, cost)

    def fit_transform(self, X: ArrayLike, directions: ArrayLike, *,
                      names: Sequence[str] | None = None) -> np.ndarray:
        """``fit(X, directions, names=names).transform(X)``."""
        return self.fit(X, directions, names=names).transform(X)

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, as a dict (arrays as lists, for the scenario record)."""
        return {p: _plain(getattr(self, p)) for p in inspect.signature(type(self)).parameters}

    def get_learned(self) -> dict[str, Any]:
        """What ``fit`` learned, as plain Python values (lists; NaN as None), for the record."""
        self._check_fitted()
        out = {"n_fitted": self.n_fitted_, "directions": list(self.directions_)}
        for attr in self._learned:
            out[attr.rstrip("_")] = _plain(getattr(self, attr))
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- hooks and helpers -------------------------------------------------------------------

    def _check_params(self) -> None:
        if "on_constant" in self.get_params():
            _check_option("on_constant", self.on_constant, _ON_CONSTANT)

    def _reset(self) -> None:
        """Forget everything learned (public attributes ending in '_')."""
        for attr in [a for a in vars(self) if a.endswith("_") and not a.startswith("_")]:
            delattr(self, attr)

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_criteria_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with the "
                "eligible candidates before using 'transform'.")

    def _fit_constant(self, A: np.ndarray, neutral: float) -> None:
        """Learn ``constant_``; raise unless ``on_constant='neutral'``."""
        self.constant_ = _constant(A)
        if self.constant_.any() and self.on_constant == "raise":
            raise NormalisationError(
                f"Constant criteria {_labels(np.flatnonzero(self.constant_), self.names_)}: every "
                f"candidate has the same value, so {type(self).__name__} cannot rescale them. "
                f"Drop them, or pass on_constant='neutral' to give every candidate {neutral} on "
                "them (recorded).")

    def _fill_constant(self, out: np.ndarray, neutral: float) -> np.ndarray:
        out[:, self.constant_] = neutral
        return out

    def _fit(self, A: np.ndarray, cost: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform(self, A: np.ndarray, cost: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


def _plain(value: Any) -> Any:
    """Arrays to (nested) lists with NaN as None, so the result can go into JSON."""
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.kind == "f":
        return np.where(np.isnan(value), None, value.astype(object)).tolist()
    return value.tolist()


class _numeric_guard:
    """Turn a floating-point overflow or a 0/0 into a typed error (never a RuntimeWarning)."""

    def __init__(self, who: str, error: type[Exception] = NormalisationError):
        self.who, self.error = who, error
        self.state = np.errstate(over="raise", divide="raise", invalid="raise", under="ignore")

    def __enter__(self):
        self.state.__enter__()

    def __exit__(self, kind, exc, tb):
        self.state.__exit__(kind, exc, tb)
        if kind is not None and issubclass(kind, FloatingPointError):
            raise self.error(
                f"{self.who}: numeric overflow or invalid operation ({exc}). The values are too "
                "large or too close to 0 for float64; rescale the criterion (e.g. to thousands) "
                "first.") from None
        return False


# ---------------------------------------------------------------------------------------------
# Normalisers
# ---------------------------------------------------------------------------------------------

class MinMax(Normaliser):
    """Min-max: rescale each criterion linearly so the worst candidate gets 0, the best 1.

    Benefit: ``(x - min) / (max - min)``; cost: ``(max - x) / (max - min)``. Equal to pymcdm's
    ``minmax_normalization(x, cost)`` for non-constant columns.

    Parameters
    ----------
    on_constant : {"raise", "neutral"}, default "raise"
        A constant criterion cannot be rescaled: raise, or give every candidate 0.5 on it.

    Attributes
    ----------
    min_, max_ : numpy.ndarray, shape (m,)
        Per-criterion minimum and maximum over the fitted (eligible) candidates.
    constant_ : numpy.ndarray of bool, shape (m,)
        Criteria treated as constant (only possible with ``on_constant="neutral"``).
    directions_ : tuple of str
        "max"/"min" per criterion.
    n_criteria_, n_fitted_ : int
        Criteria and candidates seen by ``fit``.

    See Also
    --------
    Goalposts : the same formula with fixed bounds, independent of the candidate set.

    Notes
    -----
    Candidates transformed later that lie outside the fitted range get values outside [0, 1];
    that is deliberate (nothing is refitted or clipped behind the caller's back).

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, Step 5 ("min-max").

    Examples
    --------
    >>> X = np.array([[10.0, 3.0], [20.0, 1.0], [30.0, 2.0]])
    >>> norm = MinMax().fit(X, ["max", "min"])
    >>> norm.transform(X)
    array([[0. , 0. ],
           [0.5, 1. ],
           [1. , 0.5]])
    >>> norm.get_learned()
    {'n_fitted': 3, 'directions': ['max', 'min'], 'min': [10.0, 1.0], 'max': [30.0, 3.0], 'constant': [False, False]}
    >>> norm.transform([[40.0, 0.0]])  # a new candidate, scaled with the learned bounds
    array([[1.5, 1.5]])
    """

    _learned = ("min_", "max_", "constant_")

    def __init__(self, *, on_constant: Literal["raise", "neutral"] = "raise"):
        self.on_constant = on_constant

    def _fit(self, A, cost):
        self._fit_constant(A, 0.5)
        self.min_, self.max_ = A.min(axis=0), A.max(axis=0)

    def _transform(self, A, cost):
        # One affine map per column, a·x + b, in two passes over the matrix (no temporaries
        # the size of A): benefit (x - lo)/(hi - lo), cost (hi - x)/(hi - lo).
        ok = ~self.constant_
        span = np.where(ok, self.max_ - self.min_, 1.0)
        scale = np.where(ok, 1.0 / span, 0.0)
        a = np.where(cost, -scale, scale)
        b = np.where(cost, self.max_ * scale, -self.min_ * scale)
        out = A * a
        out += b
        return self._fill_constant(out, 0.5)


class ZScore(Normaliser):
    """Standardise: ``(x - mean) / std`` with the population std (``ddof=0``); cost negated.

    Parameters
    ----------
    on_constant : {"raise", "neutral"}, default "raise"
        A constant criterion has std 0: raise, or give every candidate 0 on it.

    Attributes
    ----------
    mean_, scale_ : numpy.ndarray, shape (m,)
        Per-criterion mean and population standard deviation of the fitted candidates.
    constant_ : numpy.ndarray of bool, shape (m,)
    directions_, n_criteria_, n_fitted_
        As in :class:`MinMax`.

    Notes
    -----
    The mean and std are computed on ``(x - min) / (max - min)`` and mapped back, so large
    values cannot overflow when squared. ``ddof=0`` matches scikit-learn's ``StandardScaler``;
    ranks do not depend on it (it scales every column by the same factor).

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, Step 5
    ("standardisation (z-scores)").

    Examples
    --------
    >>> X = [[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]
    >>> ZScore().fit(X, ["max", "max"], names=["gdp", "sea_level"])
    Traceback (most recent call last):
    ...
    citykit.exceptions.NormalisationError: Constant criteria 1 ('sea_level'): every candidate has the same value, so ZScore cannot rescale them. Drop them, or pass on_constant='neutral' to give every candidate 0.0 on them (recorded).
    >>> z = ZScore(on_constant="neutral").fit(X, ["min", "max"])
    >>> z.transform(X).round(4).tolist()
    [[1.2247, 0.0], [-0.0, 0.0], [-1.2247, 0.0]]
    >>> z.mean_.tolist(), z.scale_.round(4).tolist()
    ([2.0, 5.0], [0.8165, 0.0])
    """

    _learned = ("mean_", "scale_", "constant_")

    def __init__(self, *, on_constant: Literal["raise", "neutral"] = "raise"):
        self.on_constant = on_constant

    def _fit(self, A, cost):
        self._fit_constant(A, 0.0)
        lo, ptp = A.min(axis=0), np.ptp(A, axis=0)
        ptp = np.where(self.constant_, 1.0, ptp)
        u = (A - lo) / ptp
        self.mean_ = lo + ptp * u.mean(axis=0)
        self.scale_ = np.where(self.constant_, 0.0, ptp * u.std(axis=0))

    def _transform(self, A, cost):
        ok = ~self.constant_
        out = np.empty_like(A)
        z = (A[:, ok] - self.mean_[ok]) / self.scale_[ok]
        out[:, ok] = np.where(cost[ok], -z, z)
        return self._fill_constant(out, 0.0)


class Vector(Normaliser):
    """Vector (Euclidean) normalisation: ``x / ||x||``; cost ``1 - x / ||x||`` (pymcdm's form).

    For non-negative data; the norm is learned per criterion. Equal to pymcdm's
    ``vector_normalization(x, cost)``.

    Attributes
    ----------
    norm_ : numpy.ndarray, shape (m,)
        Euclidean norm of each criterion over the fitted candidates.
    directions_, n_criteria_, n_fitted_
        As in :class:`MinMax`.

    Raises
    ------
    NormalisationError
        At ``fit`` or ``transform``, for negative values or (at ``fit``) an all-zero criterion.

    Notes
    -----
    The cost form ``1 - x/||x||`` is pymcdm's convention (used by its TOPSIS); another common
    one, reciprocals, is not provided. Values lie in [0, 1] for the fitted candidates.

    References
    ----------
    Hwang, C.L. & Yoon, K. (1981), *Multiple Attribute Decision Making*, Springer (TOPSIS's
    vector normalisation).

    Examples
    --------
    >>> Vector().fit_transform([[3.0, 3.0], [4.0, 4.0]], ["max", "min"])
    array([[0.6, 0.4],
           [0.8, 0.2]])
    """

    _learned = ("norm_",)

    def _fit(self, A, cost):
        _reject_negative(A, "Vector normalisation", self.names_)
        top = A.max(axis=0)
        zero = top == 0
        if zero.any():
            raise NormalisationError(
                f"Criteria {_labels(np.flatnonzero(zero), self.names_)} are 0 for every candidate; "
                "vector normalisation would divide by 0. Drop them.")
        # Scale by the column maximum first so squaring cannot overflow.
        self.norm_ = top * np.sqrt(((A / top) ** 2).sum(axis=0))

    def _transform(self, A, cost):
        _reject_negative(A, "Vector normalisation", self.names_)
        r = A / self.norm_
        return np.where(cost, 1.0 - r, r)


class Sum(Normaliser):
    """Sum normalisation: ``x / sum(x)``; cost ``(1/x) / sum(1/x)`` (pymcdm's form).

    Shares of the total, for ratio-scale data: benefit criteria need ``x >= 0`` with a positive
    sum, cost criteria ``x > 0``. Equal to pymcdm's ``sum_normalization(x, cost)`` (pymcdm's
    weighted-sum model uses it by default).

    Attributes
    ----------
    scale_ : numpy.ndarray, shape (m,)
        ``sum(x)`` for benefit criteria, ``sum(1/x)`` for cost criteria, over the fitted set.
    directions_, n_criteria_, n_fitted_
        As in :class:`MinMax`.

    Examples
    --------
    >>> Sum().fit_transform([[1.0, 1.0], [3.0, 3.0]], ["max", "min"])
    array([[0.25, 0.75],
           [0.75, 0.25]])
    """

    _learned = ("scale_",)

    def _fit(self, A, cost):
        _reject_negative(A, "Sum normalisation", self.names_, strict=cost)
        total = A.sum(axis=0)
        zero = ~cost & (total == 0)
        if zero.any():
            raise NormalisationError(
                f"Criteria {_labels(np.flatnonzero(zero), self.names_)} are 0 for every candidate; "
                "sum normalisation would divide by 0. Drop them.")
        recip = 1.0 / np.where(cost, A, 1.0)
        self.scale_ = np.where(cost, recip.sum(axis=0), total)

    def _transform(self, A, cost):
        _reject_negative(A, "Sum normalisation", self.names_, strict=cost)
        return np.where(cost, 1.0 / np.where(cost, A, 1.0), A) / self.scale_


class Rank(Normaliser):
    """Percentile rank: ``(average rank - 1) / (n - 1)`` in [0, 1]; ties share the average rank.

    The fitted candidates' values are kept, sorted, per criterion (``reference_``); a value is
    ranked among them with ``numpy.searchsorted``, so new candidates are ranked against the fitted
    set and never change it. Cost criteria are reversed: ``1 - value``.

    Parameters
    ----------
    on_constant : {"raise", "neutral"}, default "raise"
        A constant criterion ranks everybody equal: raise, or give every candidate 0.5 on it.

    Attributes
    ----------
    reference_ : numpy.ndarray, shape (n, m)
        The fitted values, sorted in each column.
    constant_ : numpy.ndarray of bool, shape (m,)
    directions_, n_criteria_, n_fitted_
        As in :class:`MinMax`.

    Notes
    -----
    For a fitted value, the average rank is ``(#less + #less-or-equal + 1) / 2``, the same as
    ``scipy.stats.rankdata(method="average")``. A new value between two fitted values gets the
    midpoint; one below the fitted minimum or above the maximum is clipped to 0 or 1.
    Rank normalisation discards the distances between candidates; only the order remains.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, Step 5
    ("ranking", "percentiles").

    Examples
    --------
    >>> Rank().fit_transform([[10.0], [30.0], [30.0], [20.0]], ["max"]).ravel().tolist()
    [0.0, 0.8333333333333334, 0.8333333333333334, 0.3333333333333333]
    >>> Rank().fit([[10.0], [20.0], [30.0]], ["min"]).transform([[25.0], [5.0]]).ravel().tolist()
    [0.25, 1.0]
    """

    _learned = ("reference_", "constant_")

    def __init__(self, *, on_constant: Literal["raise", "neutral"] = "raise"):
        self.on_constant = on_constant

    def _fit(self, A, cost):
        self._fit_constant(A, 0.5)
        self.reference_ = np.sort(A, axis=0)

    def _transform(self, A, cost):
        n = self.reference_.shape[0]
        out = np.empty_like(A)
        for j in np.flatnonzero(~self.constant_):  # loop over criteria; searchsorted is 1-D
            ref = self.reference_[:, j]
            below = np.searchsorted(ref, A[:, j], side="left")
            upto = np.searchsorted(ref, A[:, j], side="right")
            p = np.clip((below + upto - 1) / (2 * (n - 1)), 0.0, 1.0)
            out[:, j] = 1.0 - p if cost[j] else p
        return self._fill_constant(out, 0.5)


class Goalposts(Normaliser):
    """Fixed goalposts: rescale between user-given bounds, or score the distance to a target.

    The bounds are not learned from the candidates, so a candidate's value does not depend on
    who else is in the set (the UNDP Human Development Index uses goalposts for this reason).

    Parameters
    ----------
    bounds : array_like, shape (m, 2)
        ``(low, high)`` per criterion, with ``low < high``.
    target : sequence of float or None, optional
        A per-criterion target value within its bounds (``None``/NaN for none). Where given,
        the score is ``1 - |x - target| / max(target - low, high - target)`` and the criterion's
        direction is not used: the target is best, the farther bound worst.
    clip : bool, default True
        Clip the result to [0, 1] (values beyond the goalposts score as the goalposts).

    Attributes
    ----------
    low_, high_, target_ : numpy.ndarray, shape (m,)
        The validated bounds and targets (NaN where none).
    directions_, n_criteria_, n_fitted_
        As in :class:`MinMax`.

    References
    ----------
    UNDP (2010), *Human Development Report*, Technical notes (goalposts).
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, Step 5
    ("distance to a reference").

    Examples
    --------
    >>> g = Goalposts(bounds=[(0, 100), (0, 50), (0, 10)], target=[None, None, 4.0])
    >>> g.fit_transform([[50.0, 10.0, 4.0], [120.0, 60.0, 10.0]], ["max", "min", "max"])
    array([[0.5, 0.8, 1. ],
           [1. , 0. , 0. ]])
    """

    _learned = ("low_", "high_", "target_")

    def __init__(self, bounds: ArrayLike, *, target: Sequence[float | None] | None = None,
                 clip: bool = True):
        self.bounds = bounds
        self.target = target
        self.clip = clip

    def _fit(self, A, cost):
        m = A.shape[1]
        try:
            b = np.asarray(self.bounds, dtype=float)
        except (TypeError, ValueError) as exc:
            raise NormalisationError(f"Goalposts bounds must be numbers; {exc}.") from None
        if b.shape != (m, 2) or not np.isfinite(b).all():
            raise NormalisationError(f"Goalposts bounds must be finite (low, high) pairs, one per "
                                     f"criterion: expected shape ({m}, 2), got {b.shape}.")
        bad = np.flatnonzero(b[:, 0] >= b[:, 1])
        if bad.size:
            pairs = ", ".join(f"{_label(j, self.names_)}: ({b[j, 0]:g}, {b[j, 1]:g})"
                              for j in bad[:MAX_LISTED])
            raise NormalisationError(f"Goalposts need low < high; not for criteria {pairs}.")
        self.low_, self.high_ = b[:, 0].copy(), b[:, 1].copy()
        self.target_ = self._check_target(m)

    def _check_target(self, m: int) -> np.ndarray:
        if self.target is None:
            return np.full(m, np.nan)
        t = np.array([np.nan if v is None else v for v in self.target], dtype=float)
        if t.shape != (m,) or np.isinf(t).any():
            raise NormalisationError(f"Goalposts target must give one finite value or None per "
                                     f"criterion: expected {m}, got {t.shape[0]}.")
        outside = np.flatnonzero((t < self.low_) | (t > self.high_))
        if outside.size:
            raise NormalisationError(f"Goalposts targets must lie within their bounds; not for "
                                     f"criteria {_labels(outside, self.names_)}.")
        return t

    def _transform(self, A, cost):
        lo, hi, t = self.low_, self.high_, self.target_
        linear = np.where(cost, hi - A, A - lo) / (hi - lo)
        has = ~np.isnan(t)
        reach = np.maximum(t - lo, hi - t)  # NaN where no target; > 0 since low < high
        dist = 1.0 - np.abs(A - np.where(has, t, 0.0)) / np.where(has, reach, 1.0)
        out = np.where(has, dist, linear)
        return np.clip(out, 0.0, 1.0) if self.clip else out


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

#: Normalisers by the name used in scenarios.
NORMALISERS = MappingProxyType({
    "minmax": MinMax, "zscore": ZScore, "vector": Vector, "sum": Sum, "rank": Rank,
    "goalposts": Goalposts,
})


def make_normaliser(name: str, **params: Any) -> Normaliser:
    """Build the normaliser registered as `name` with `params`.

    Parameters
    ----------
    name : str
        A key of :data:`NORMALISERS`.
    **params
        The normaliser's constructor parameters (see each class).

    Returns
    -------
    Normaliser
        Unfitted.

    Raises
    ------
    NormalisationError
        For an unknown name (with the closest match) or parameters the normaliser does not take.

    Examples
    --------
    >>> make_normaliser("minmax", on_constant="neutral")
    MinMax(on_constant='neutral')
    >>> make_normaliser("min-max")
    Traceback (most recent call last):
    ...
    citykit.exceptions.NormalisationError: Unknown normalisation 'min-max'; expected one of 'minmax', 'zscore', 'vector', 'sum', 'rank', 'goalposts'. Did you mean 'minmax'?
    """
    _check_option("normalisation", name, list(NORMALISERS))
    cls = NORMALISERS[name]
    sig = inspect.signature(cls)
    unknown = sorted(set(params) - set(sig.parameters))
    missing = [p for p, v in sig.parameters.items()
               if v.default is inspect.Parameter.empty and p not in params]
    if unknown or missing:
        raise NormalisationError(
            f"Normalisation {name!r} takes parameters {list(sig.parameters) or 'none'}; "
            f"unknown: {unknown}, missing: {missing}.")
    return cls(**params)


def normalise(X: ArrayLike, directions: ArrayLike, method: str = "minmax", *,
              names: Sequence[str] | None = None, **params: Any) -> np.ndarray:
    """Fit a normaliser on `X` and transform `X` in one call (no learned state kept).

    Use the classes when the learned parameters must be recorded or reused on new candidates.

    Parameters
    ----------
    X : array_like, shape (n, m)
    directions : sequence of {"max", "min", 1, -1}
    method : str, default "minmax"
        A key of :data:`NORMALISERS`.
    names : sequence of str, optional
        Criterion names for messages.
    **params
        Passed to the normaliser.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        Benefit-oriented values.

    Examples
    --------
    >>> normalise([[1.0], [2.0], [5.0]], ["min"], "minmax").ravel().tolist()
    [1.0, 0.75, 0.0]
    """
    return make_normaliser(method, **params).fit_transform(X, directions, names=names)
