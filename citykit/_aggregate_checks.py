"""Input checks shared by the aggregation kernels (private)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import MAX_LISTED, AggregationError

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
    """``A @ w`` for one weight vector (n,); ``W @ A.T`` for a batch (d, n).

    Both sum the criteria in column order with plain multiply-adds, not BLAS: a matrix product
    rounds differently for one vector and for a batch (and for a row in batches of different
    sizes), which made a weight vector rank two mathematically tied cities as tied alone but not
    inside a batch of robustness draws (found by the property tests). This way a weight vector
    gets bit-identical scores alone or in any batch, so Monte-Carlo ranks agree with the ranking.
    """
    if W.ndim == 1:
        out = A[:, 0] * W[0]
        for j in range(1, A.shape[1]):
            out += A[:, j] * W[j]
        return out
    out = np.multiply.outer(W[:, 0], A[:, 0])
    for j in range(1, A.shape[1]):
        out += np.multiply.outer(W[:, j], A[:, j])
    return out


