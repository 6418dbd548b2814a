"""Monte-Carlo machinery behind :mod:`citykit.robustness` (private).

Weight samplers (Dirichlet centred on the chosen weights, uniform over the simplex, either one
restricted to per-criterion bounds), the seeding scheme that makes a run reproducible whatever
executes it, batched scoring and ranking of weight draws, and the chunked, executor-agnostic
loop that accumulates rank counts in bounded memory.

Reproducibility: chunk ``i`` draws from ``SeedSequence(seed).spawn(n_chunks)[i]`` and the
results are added in chunk order, so a seed and a chunk size give bit-identical counts and
central weights whether the chunks run in this process, in a thread or process pool, or on a
Dask cluster.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import aggregate
from .exceptions import MAX_LISTED, RobustnessError
from .impute import handle_missing
from .normalise import make_normaliser

#: Spawn key of the pilot stream that estimates how often bounded draws are accepted; chunk
#: streams use keys 0, 1, ... so the pilot never overlaps them.
_PILOT_KEY = 2**31 - 1
#: Trial weight vectors drawn to estimate the acceptance rate of bounds.
PILOT_DRAWS = 20_000
#: Largest number of chunks in flight on an executor (bounds memory on the caller's side).
MAX_IN_FLIGHT = 16


# ---------------------------------------------------------------------------------------------
# Checking settings
# ---------------------------------------------------------------------------------------------

def check_count(value, what: str, hint: str) -> int:
    """`value` as an int >= 1, or a RobustnessError naming `what`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise RobustnessError(f"{what} must be a positive integer; got {value!r}. {hint}")
    return int(value)


def check_concentration(value) -> float | None:
    """None (uniform over the simplex), a number > 0, or ``math.inf`` (no spread)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value) \
            or value <= 0:
        raise RobustnessError(
            f"concentration must be a number > 0 (larger = draws closer to the chosen weights; "
            f"math.inf = no spread) or None for draws uniform over all weight vectors; got "
            f"{value!r}.")
    return float(value)


def check_top_k(top_k, n: int) -> int:
    """`top_k` as an int in 1..n."""
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or not 1 <= top_k <= n:
        raise RobustnessError(f"top_k must be an integer between 1 and the number of candidates "
                              f"({n}); got {top_k!r}. Choose a shortlist size of at most {n}.")
    return int(top_k)


def check_bounds(bounds, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-criterion ``(low, high)`` weight bounds as two arrays, checked for feasibility.

    `bounds` is None, an array of shape (m, 2), or a mapping ``{criterion: (low, high)}`` that
    may leave criteria out (they get ``(0, 1)``).
    """
    if bounds is None:
        return None
    m = len(names)
    if isinstance(bounds, Mapping):
        unknown = [k for k in bounds if k not in names]
        if unknown:
            raise RobustnessError(f"bounds name unknown criteria {unknown[:MAX_LISTED]}; the "
                                  f"criteria are {list(names)[:MAX_LISTED]}"
                                  + (" ..." if m > MAX_LISTED else "") + ".")
        pairs = [bounds.get(name, (0.0, 1.0)) for name in names]
    else:
        pairs = bounds
    try:
        arr = np.asarray(pairs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise RobustnessError(f"bounds must be numbers (low, high) per criterion; {exc}.") \
            from None
    if arr.shape != (m, 2):
        raise RobustnessError(f"bounds must give (low, high) for each of the {m} criteria: "
                              f"shape ({m}, 2) or a mapping; got shape {arr.shape}.")
    low, high = arr[:, 0], arr[:, 1]
    bad = [names[j] for j in np.flatnonzero(~np.isfinite(arr).all(axis=1) | (low < 0)
                                             | (high > 1) | (low > high))]
    if bad:
        raise RobustnessError(f"bounds must satisfy 0 <= low <= high <= 1; not for criteria "
                              f"{bad[:MAX_LISTED]}.")
    if low.sum() > 1 + 1e-12 or high.sum() < 1 - 1e-12:
        raise RobustnessError(
            f"bounds exclude every weight vector: weights sum to 1, but the lows sum to "
            f"{low.sum():.4g} and the highs to {high.sum():.4g}. Need sum(low) <= 1 <= "
            "sum(high); lower some lows or raise some highs.")
    return low, high


# ---------------------------------------------------------------------------------------------
# Weight samplers
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightSampler:
    """Draws weight vectors (rows summing to 1); picklable, so chunks can run anywhere.

    ``concentration=None``: uniform over the simplex (Dirichlet(1, ..., 1)); with bounds, uniform
    over ``{w : w >= low, sum(w) = 1}`` (the simplex shifted by the lows) restricted to
    ``w <= high`` by rejection. A number: Dirichlet(concentration × base), mean `base`,
    ``Var(w_j) = base_j (1 - base_j) / (concentration + 1)``; with bounds, truncated by
    rejection. ``math.inf``: every draw equals `base`.
    """

    base: np.ndarray
    concentration: float | None
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    acceptance: float = 1.0

    def _propose(self, size: int, rng: np.random.Generator) -> np.ndarray:
        m = self.base.size
        if self.concentration is None:
            u = rng.dirichlet(np.ones(m), size)
            return u if self.low is None else self.low + (1.0 - self.low.sum()) * u
        return rng.dirichlet(self.concentration * self.base, size)

    def _inside(self, w: np.ndarray) -> np.ndarray:
        tol = 1e-12
        return ((w >= self.low - tol) & (w <= self.high + tol)).all(axis=1)

    def draw(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """`size` weight vectors, shape (size, m)."""
        if self.concentration == math.inf:
            return np.tile(self.base, (size, 1))
        if self.low is None:
            return self._propose(size, rng)
        kept, got = [], 0
        for _ in range(10_000):
            want = size - got
            batch = self._propose(int(math.ceil(1.25 * want / self.acceptance)) + 16, rng)
            inside = batch[self._inside(batch)][:want]
            kept.append(inside)
            got += len(inside)
            if got == size:
                return np.concatenate(kept)
        raise RobustnessError("bounded weight sampling did not fill a chunk; the bounds accept "  # pragma: no cover
                              "too few draws. Widen them.")


def make_sampler(base: np.ndarray, concentration: float | None,
                 bounds: tuple[np.ndarray, np.ndarray] | None, names: Sequence[str],
                 entropy: int) -> WeightSampler:
    """A :class:`WeightSampler`, with the acceptance rate of `bounds` estimated by a pilot."""
    if bounds is None:
        return WeightSampler(base, concentration)
    low, high = bounds
    if concentration is not None:
        fixed = [names[j] for j in np.flatnonzero((base == 0) & (low > 0))]
        if fixed:
            raise RobustnessError(
                f"bounds need a positive weight for criteria {fixed[:MAX_LISTED]}, whose chosen "
                "weight is 0: a Dirichlet centred on the chosen weights keeps them at 0. Give "
                "them a weight, lower their bounds to 0, or use concentration=None (uniform).")
    if concentration == math.inf:
        outside = [names[j] for j in np.flatnonzero((base < low - 1e-12) | (base > high + 1e-12))]
        if outside:
            raise RobustnessError(f"with concentration=inf every draw equals the chosen weights, "
                                  f"which lie outside the bounds for criteria "
                                  f"{outside[:MAX_LISTED]}.")
        return WeightSampler(base, concentration, low, high)
    sampler = WeightSampler(base, concentration, low, high)
    pilot = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(_PILOT_KEY,)))
    accepted = int(sampler._inside(sampler._propose(PILOT_DRAWS, pilot)).sum())
    if accepted == 0:
        where = "the Dirichlet around the chosen weights" if concentration is not None else \
            "uniform draws"
        raise RobustnessError(
            f"bounds accept none of {PILOT_DRAWS:,} trial weight vectors from {where} (the "
            f"acceptance rate is below 1 in {PILOT_DRAWS:,}), so sampling would not end. Widen "
            "the bounds, lower the concentration, or centre the weights inside the bounds.")
    return WeightSampler(base, concentration, low, high, accepted / PILOT_DRAWS)


# ---------------------------------------------------------------------------------------------
# Seeds and chunks
# ---------------------------------------------------------------------------------------------

def seed_entropy(seed) -> int:
    """The entropy that reproduces a run: `seed` itself, or fresh entropy for ``None``."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise RobustnessError(f"seed must be a non-negative integer or None; got {seed!r}.")
    return int(seed)


def chunk_plan(draws: int, chunk_size: int, entropy: int) -> list[tuple[int, np.random.SeedSequence]]:
    """``(size, seed sequence)`` of each chunk; a fresh SeedSequence, so plans repeat exactly."""
    sizes = [chunk_size] * (draws // chunk_size) + ([draws % chunk_size] if draws % chunk_size
                                                     else [])
    return list(zip(sizes, np.random.SeedSequence(entropy).spawn(len(sizes)), strict=True))


# ---------------------------------------------------------------------------------------------
# Scoring a batch of weight vectors
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scorer:
    """Scores and ranks one normalised matrix under a batch of weight vectors (picklable).

    PROMETHEE II's net flow is ``criterion_flows @ w``, so its per-criterion flows (O(n² m)) are
    computed once here and each batch is one matrix product.
    """

    method: str
    N: np.ndarray
    params: dict = field(default_factory=dict)
    higher_is_better: bool = True

    @classmethod
    def build(cls, method: str, N: np.ndarray, params: Mapping | None) -> Scorer:
        info = aggregate.get_method(method)
        params = dict(params or {})
        unknown = sorted(set(params) - set(info.options))
        if unknown:
            raise RobustnessError(f"Method {method!r} has no option {unknown}; its options are "
                                  f"{list(info.options) or 'none'}.")
        if method == "promethee2":
            flows = aggregate.promethee2_criterion_flows(N, **params)
            return cls("wsum", flows, {}, True)
        return cls(method, np.ascontiguousarray(N, dtype=float), params, info.higher_is_better)

    def scores(self, W: np.ndarray) -> np.ndarray:
        scores, _ = aggregate.get_method(self.method).score(self.N, W, **self.params)
        return scores

    def ranks(self, W: np.ndarray) -> np.ndarray:
        """Ranks (1 = best, ties share the lowest rank), shape (d, n) for W of shape (d, m)."""
        return aggregate.rank_scores(self.scores(W), higher_is_better=self.higher_is_better)


def count_ranks(R: np.ndarray) -> np.ndarray:
    """(n, n) int64 counts: row = candidate, column = rank - 1, over the rows of `R` (d, n)."""
    n = R.shape[1]
    flat = (np.arange(n) * n + (R - 1)).ravel()
    return np.bincount(flat, minlength=n * n).reshape(n, n)


def one_blas_thread():
    """Limit BLAS to one thread: the products here are skinny (m ~ 20 columns), where BLAS
    threads add only latency (up to 5x on a busy 2-core machine); chunks run in parallel
    through an executor instead."""
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    return threadpool_limits(1, user_api="blas")


def acceptability_chunk(scorer: Scorer, sampler: WeightSampler, size: int,
                        seed: np.random.SeedSequence) -> tuple[np.ndarray, np.ndarray]:
    """One chunk: rank counts (n, n) and, per candidate, the sum of the draws ranking it first."""
    with one_blas_thread():
        W = sampler.draw(size, np.random.default_rng(seed))
        R = scorer.ranks(W)
        first = (R == 1).astype(float)
        return count_ranks(R), first.T @ W


# ---------------------------------------------------------------------------------------------
# Running chunks serially or on an executor
# ---------------------------------------------------------------------------------------------

def ordered_results(fn: Callable, tasks: Iterable[tuple], executor=None) -> Iterator:
    """``fn(*task)`` for each task, in task order; on `executor` with a bounded window.

    `executor` is anything with ``submit(fn, *args)`` returning a future with ``result()``:
    a ``concurrent.futures`` executor or a Dask ``distributed.Client``.
    """
    if executor is None:
        for task in tasks:
            yield fn(*task)
        return
    pending: deque = deque()
    for task in tasks:
        pending.append(executor.submit(fn, *task))
        if len(pending) >= MAX_IN_FLIGHT:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# ---------------------------------------------------------------------------------------------
# One-at-a-time weight search (weight stability)
# ---------------------------------------------------------------------------------------------

def moved(base: np.ndarray, j: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weight vectors with ``w_j = t`` and the others scaled by ``(1 - t) / (1 - w_j)``."""
    W = base[None, :] * ((1.0 - t) / (1.0 - base[j]))[:, None]
    W[np.arange(len(j)), j] = t
    return W


def ranks_batched(scorer: Scorer, W: np.ndarray, size: int = 4096) -> np.ndarray:
    """``scorer.ranks`` over `W` in batches of `size` rows."""
    return np.concatenate([scorer.ranks(W[i:i + size]) for i in range(0, len(W), size)])


def bisect(scorer: Scorer, base: np.ndarray, j: np.ndarray, t_in: np.ndarray,
           t_out: np.ndarray, is_out: Callable, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Shrink every ``[t_in, t_out]`` pair (criterion `j`) to width <= `tol`, all at once.

    ``is_out(R)`` flags, for the ranks R (pairs × n) at the midpoints, the pairs whose state
    matches ``t_out``.
    """
    t_in, t_out = t_in.astype(float).copy(), t_out.astype(float).copy()
    while t_in.size and np.max(np.abs(t_out - t_in)) > tol:
        mid = (t_in + t_out) / 2
        out = is_out(ranks_batched(scorer, moved(base, j, mid)))
        t_out = np.where(out, mid, t_out)
        t_in = np.where(out, t_in, mid)
    return t_in, t_out


def nearest_switches(flag: np.ndarray, grid: np.ndarray, w: float) -> list[tuple[float, float]]:
    """``(last t without the flag, first t with it)``, walking up and down the grid from `w`."""
    pairs = []
    up = np.flatnonzero(flag & (grid > w))
    if up.size:
        g = up[0]
        pairs.append((max(grid[g - 1], w) if g > 0 else w, grid[g]))
    down = np.flatnonzero(flag & (grid < w))
    if down.size:
        g = down[-1]
        pairs.append((min(grid[g + 1], w) if g + 1 < grid.size else w, grid[g]))
    return pairs


def stability_search(scorer: Scorer, w: np.ndarray, top_k: int, grid: int, tol: float):
    """One-at-a-time weight stability: see :func:`citykit.robustness.weight_stability`.

    Returns the base ranks, the ``low`` and ``high`` weight of each criterion between which the
    top-k set stays the same (NaN for a criterion holding all the weight), and for each
    shortlisted candidate ``(criterion index or -1, new weight)``: the smallest one-criterion
    change that drops it (``new weight`` just past the switch, within `tol`).
    """
    base = scorer.ranks(w[None, :])[0]
    shortlisted = base <= top_k
    movable = np.flatnonzero(w < 1.0 - 1e-12)
    t = np.linspace(0.0, 1.0, grid)
    R = ranks_batched(scorer, moved(w, np.repeat(movable, grid), np.tile(t, movable.size)))
    R = R.reshape(movable.size, grid, -1)
    low, high = np.full(w.size, np.nan), np.full(w.size, np.nan)
    low[movable], high[movable] = 0.0, 1.0
    changed = ((R <= top_k) != shortlisted).any(axis=2)
    pairs = [(j, a, b) for k, j in enumerate(movable)
             for a, b in nearest_switches(changed[k], t, w[j])]
    if pairs:
        j_arr, a_arr, b_arr = (np.array(col) for col in zip(*pairs, strict=True))
        t_in, _ = bisect(scorer, w, j_arr, a_arr, b_arr,
                         lambda Rb: ((Rb <= top_k) != shortlisted).any(axis=1), tol)
        for j, a, b, edge in zip(j_arr, a_arr, b_arr, t_in, strict=True):
            (high if b > a else low)[j] = edge
    return base, low, high, _drops(scorer, w, R, t, movable, shortlisted, top_k, tol)


def _drops(scorer, w, R, t, movable, shortlisted, top_k, tol) -> dict:
    cities = np.flatnonzero(shortlisted)
    triples = [(i, j, a, b) for i in cities for k, j in enumerate(movable)
               for a, b in nearest_switches(R[k, :, i] > top_k, t, w[j])]
    best = {int(i): (-1, np.nan) for i in cities}
    if not triples:
        return best
    i_arr, j_arr, a_arr, b_arr = (np.array(col) for col in zip(*triples, strict=True))
    _, t_out = bisect(scorer, w, j_arr, a_arr, b_arr,
                      lambda Rb: Rb[np.arange(len(i_arr)), i_arr] > top_k, tol)
    for i, j, new in zip(i_arr, j_arr, t_out, strict=True):
        old_j, old_new = best[int(i)]
        if old_j < 0 or abs(new - w[j]) < abs(old_new - w[old_j]):
            best[int(i)] = (int(j), float(new))
    return best


# ---------------------------------------------------------------------------------------------
# Choice sensitivity: the design and the first-order estimator
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChoiceDesign:
    """Every combination of (missing-data policy, normalisation, method), ready to score.

    ``matrices[p]`` is policy p's complete raw matrix and ``keeps[p]`` the columns of the full
    criteria it kept; ``scorers[c]`` scores combination ``combos[c] = (p, q, r)`` on the
    unperturbed data. With `margins` (relative errors per full criterion) each draw perturbs
    the raw values by a factor ``1 + margin * U(-1, 1)`` and renormalises them.
    """

    matrices: tuple
    keeps: tuple
    directions: tuple
    criteria: tuple
    normalisers: tuple  # (name, params)
    methods: tuple  # (name, params)
    combos: tuple
    scorers: tuple
    margins: np.ndarray | None

    def _weights(self, W: np.ndarray, p: int) -> np.ndarray:
        sub = W[:, self.keeps[p]]
        total = sub.sum(axis=1, keepdims=True)
        if (total <= 0).any():
            raise RobustnessError("a weight draw gives weight 0 to every criterion the "
                                  "missing-data policy kept; give those criteria weight.")
        return sub / total

    def ranks(self, W: np.ndarray, factors: np.ndarray | None = None) -> np.ndarray:
        """Ranks of every combination under every draw: shape (combos, draws, n)."""
        sub = [self._weights(W, p) for p in range(len(self.matrices))]
        if factors is None:
            return np.stack([s.ranks(sub[p]) for s, (p, _, _) in
                             zip(self.scorers, self.combos, strict=True)])
        out = np.empty((len(self.combos), len(W), self.matrices[0].shape[0]), dtype=np.int64)
        for d in range(len(W)):
            out[:, d, :] = self._perturbed_ranks(factors[d], [s[d:d + 1] for s in sub])
        return out

    def _perturbed_ranks(self, factor: np.ndarray, sub: list) -> np.ndarray:
        normalised = {}
        rows = []
        for p, q, r in self.combos:
            if (p, q) not in normalised:
                name, params = self.normalisers[q]
                X = self.matrices[p] * factor[:, self.keeps[p]]
                normalised[p, q] = make_normaliser(name, **params).fit_transform(
                    X, self.directions[p], names=self.criteria[p])
            method, params = self.methods[r]
            rows.append(Scorer.build(method, normalised[p, q], params).ranks(sub[p])[0])
        return np.stack(rows)

    def noise(self, rng: np.random.Generator, size: int, n: int) -> np.ndarray | None:
        if self.margins is None:
            return None
        return 1.0 + self.margins * rng.uniform(-1.0, 1.0, (size, n, self.margins.size))


class ChoiceStats:
    """Running sums for the first-order shares of rank variance (bounded memory).

    Per draw d (weights, and data noise when sampled) every combination c of the discrete
    choices is evaluated, giving ranks ``Y[d, c]``. For a discrete factor f with equally likely
    levels, ``E[Y | f = l]`` is the mean over draws of ``g_l(d)``, the mean of ``Y[d, c]`` over
    the combinations with that level (exact over the other choices), and

        V_f = mean_l (E[Y | f = l] - mean Y)^2 - (mean_l s^2(g_l) - s^2(g)) / D,

    the second term removing the Monte-Carlo bias of the squared means (s^2 are sample
    variances over the D draws, g(d) the mean over all combinations). The rank variance is
    ``Var(Y) = mean_d Var_c(Y[d, c]) + s^2(g)``, exact over the combinations. Without data noise,
    ``E[Y | weights] = g(d)`` exactly, so ``V_weights = s^2(g)``. With data noise, each draw is
    also evaluated with fresh noise (same weights: g_B) and with fresh weights (same noise:
    g_C), and ``V_weights = cov(g, g_B)``, ``V_data = cov(g, g_C)`` (pick-freeze; Saltelli et
    al. 2008, ch. 4).
    """

    def __init__(self, n: int, factor_levels: Mapping[str, np.ndarray], pick_freeze: bool):
        self.n, self.draws = n, 0
        self.combos = len(next(iter(factor_levels.values())))
        self.factor_levels = dict(factor_levels)
        self.sum_y = np.zeros(n)
        self.sum_y2 = np.zeros(n)
        self.counts = np.zeros((n, n), dtype=np.int64)
        self.g = np.zeros((2, n))
        self.levels = {f: np.zeros((2, int(lv.max()) + 1, n)) for f, lv in factor_levels.items()}
        self.pick_freeze = pick_freeze
        self.cross = np.zeros((2, 2, n))  # [weights|data] × [sum g·g_x, sum g_x]

    def add(self, R: np.ndarray, g_b: np.ndarray | None = None, g_c: np.ndarray | None = None):
        """Add the ranks R (combos, draws, n) and, with data noise, the pick-freeze means."""
        Y = R.astype(float)
        self.draws += Y.shape[1]
        self.sum_y += Y.sum(axis=(0, 1))
        self.sum_y2 += np.square(Y).sum(axis=(0, 1))
        for block in R:
            self.counts += count_ranks(block)
        g = Y.mean(axis=0)
        self.g += (g.sum(axis=0), np.square(g).sum(axis=0))
        for f, lv in self.factor_levels.items():
            for level in range(self.levels[f].shape[1]):
                g_l = Y[lv == level].mean(axis=0)
                self.levels[f][:, level] += (g_l.sum(axis=0), np.square(g_l).sum(axis=0))
        if self.pick_freeze:
            for k, other in enumerate((g_b, g_c)):
                self.cross[k] += ((g * other).sum(axis=0), other.sum(axis=0))

    def _var(self, s: np.ndarray, s2: np.ndarray) -> np.ndarray:
        d = self.draws
        return np.maximum((s2 - s * s / d) / (d - 1), 0.0)

    def estimate(self) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Rank variance per candidate, V_f per factor, and the level means per factor."""
        d = self.draws
        mean = self.sum_y / (d * self.combos)
        s2_g = self._var(*self.g)
        # Var(Y) = E[Var(Y | draw)] + Var(E[Y | draw]); the first is exact over the combinations.
        var = np.maximum((self.sum_y2 / self.combos - self.g[1]) / d, 0.0) + s2_g
        parts, means = {}, {}
        for f, acc in self.levels.items():
            m_l = acc[0] / d
            means[f] = m_l
            if acc.shape[1] < 2:
                parts[f] = np.zeros(self.n)
                continue
            s2_l = np.stack([self._var(acc[0, i], acc[1, i]) for i in range(acc.shape[1])])
            raw = np.square(m_l - mean).mean(axis=0)
            parts[f] = np.maximum(raw - (s2_l.mean(axis=0) - s2_g) / d, 0.0)
        if self.pick_freeze:
            g_mean = self.g[0] / d
            for k, f in enumerate(("weights", "data")):
                cov = (self.cross[k, 0] - g_mean * self.cross[k, 1]) / (d - 1)
                parts[f] = np.maximum(cov, 0.0)
        else:
            parts["weights"] = s2_g
        return var, parts, means


def policy_label(policy) -> str:
    """A missing-data policy or chain as text: ``"drop-criteria then median"``."""
    if isinstance(policy, str):
        return policy
    if isinstance(policy, Mapping):
        return str(policy.get("policy"))
    return " then ".join(policy_label(p) for p in policy)


def choice_margins(matrix, margins) -> np.ndarray | None:
    """Relative error per criterion (metadata ``margin`` column, overridden by `margins`)."""
    criteria = list(matrix.values.columns)
    values = pd.Series(0.0, index=criteria)
    if "margin" in matrix.criteria.columns:
        values = matrix.criteria["margin"].astype(float).fillna(0.0).reindex(criteria)
    unknown = [k for k in (margins or {}) if k not in criteria]
    if unknown:
        raise RobustnessError(f"margins name unknown criteria {unknown[:10]}.")
    for key, value in (margins or {}).items():
        values[key] = float(value)
    bad = values[~((values >= 0) & (values < 1))]
    if len(bad):
        raise RobustnessError(f"margins are relative errors in [0, 1); got {bad.to_dict()}.")
    return values.to_numpy() if (values > 0).any() else None


def choice_design(matrix, policies, normalisations, methods, norm_params, method_params,
                  margins) -> tuple[ChoiceDesign, list[str]]:
    """The :class:`ChoiceDesign` of every combination, and notes on what cannot vary."""
    notes = []
    if not matrix.values.isna().any().any() and len(policies) > 1:
        notes.append("the matrix has no missing value: every missing-data policy gives the same "
                     "data, so that choice has no effect (share 0)")
        policies = policies[:1]
    complete = [handle_missing(matrix, policy)[0] for policy in policies]
    for policy, m in zip(policies, complete, strict=True):
        if not m.values.index.equals(matrix.values.index):
            raise RobustnessError(
                f"missing-data policy {policy_label(policy)!r} drops candidates; ranks can only "
                "be compared over the same candidates. Use a policy that imputes or drops "
                "criteria.")
    columns = list(matrix.values.columns)
    keeps = tuple(np.array([columns.index(c) for c in m.values.columns]) for m in complete)
    norms = tuple((name, dict(norm_params.get(name, {}))) for name in normalisations)
    meths = tuple((name, dict(method_params.get(name, {}))) for name in methods)
    combos = tuple(itertools.product(range(len(complete)), range(len(norms)), range(len(meths))))
    normalised = {(p, q): make_normaliser(name, **params).fit_transform(
        m.to_array(), m.directions.to_numpy(), names=list(m.values.columns))
        for p, m in enumerate(complete) for q, (name, params) in enumerate(norms)}
    scorers = tuple(Scorer.build(meths[r][0], normalised[p, q], meths[r][1])
                    for p, q, r in combos)
    design = ChoiceDesign(
        tuple(m.to_array() for m in complete), keeps,
        tuple(m.directions.to_numpy() for m in complete),
        tuple(list(m.values.columns) for m in complete), norms, meths, combos, scorers, margins)
    return design, notes


def run_choice_chunks(design, sampler, stats, plan, draws, progress) -> None:
    """Draw weights (and noise) chunk by chunk, rank every combination, add to `stats`."""
    n, done = stats.n, 0
    for size, ss in plan:
        rng = np.random.default_rng(ss)
        W = sampler.draw(size, rng)
        noise = design.noise(rng, size, n)
        if noise is None:
            stats.add(design.ranks(W))
        else:
            W2, noise2 = sampler.draw(size, rng), design.noise(rng, size, n)
            stats.add(design.ranks(W, noise), design.ranks(W, noise2).mean(axis=0),
                      design.ranks(W2, noise).mean(axis=0))
        done += size
        if progress is not None:
            progress(done, draws)
