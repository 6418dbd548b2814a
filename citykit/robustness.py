r"""Robustness of a shortlist: does it survive reasonable disagreement about weights and choices?

Four analyses, each a function returning a frozen, labelled result:

:func:`rank_acceptability` (and :func:`robustness` for a scenario :class:`~citykit.scenario.Result`)
    SMAA-style Monte Carlo over weights: for each city the probability of each rank (the
    rank-acceptability indices), the probability of making the top k, its 5-95 % rank interval
    and its central weight vector. Draws come from a Dirichlet centred on the chosen weights, or
    uniformly from every weight vector, optionally within per-criterion bounds. Draws are scored
    in batches (one matrix product per chunk) and only counts are kept, so memory is bounded by
    the chunk size whatever the number of draws.
:func:`choice_sensitivity`
    Also varies the normalisation, the aggregation method, the missing-data policy and, where
    error margins are known, the data; reports each factor's first-order share of the rank
    variance (which choice moves the ranks most).
:func:`weight_stability`
    One criterion at a time: the interval its weight can move in (the others rescaled
    proportionally) before the top-k set changes, and for each shortlisted city the smallest
    such change that drops it.
:func:`framework_sensitivity`
    Re-ranks under every bundled framework; Kendall's tau and top-k overlap between them.

A seed gives identical results on every run, serially or on any ``concurrent.futures``
executor or Dask ``distributed.Client`` (``executor=``): chunk i always draws from the i-th
child of ``numpy.random.SeedSequence(seed)``. Results depend on the seed and the chunk size.

References
----------
Lahdelma, R., Hokkanen, J. & Salminen, P. (1998). SMAA - Stochastic multiobjective
acceptability analysis. *European Journal of Operational Research* 106(1), 137-143.

Tervonen, T. & Figueira, J. R. (2008). A survey on stochastic multicriteria acceptability
analysis methods. *Journal of Multi-Criteria Decision Analysis* 15(1-2), 1-14.

Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley (first-order
indices, chapter 4).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _sampling as smp
from . import normalise
from .exceptions import CityKitError, RobustnessError
from .weights import check_weights

__all__ = [
    "DEFAULTS",
    "Acceptability",
    "ChoiceSensitivity",
    "FrameworkSensitivity",
    "RankReversal",
    "WeightStability",
    "choice_sensitivity",
    "framework_sensitivity",
    "rank_acceptability",
    "rank_reversal",
    "robustness",
    "weight_draws",
    "weight_stability",
]

#: Default settings, also the default of :attr:`citykit.scenario.Scenario.robustness`.
DEFAULTS = {"draws": 2000, "concentration": 100.0, "top_k": 5, "seed": 0}
_SETTINGS = ("draws", "concentration", "top_k", "seed", "bounds", "chunk_size")
_QUANTILES = {"p5": 0.05, "median": 0.5, "p95": 0.95}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

def _labelled(N, weights) -> tuple[np.ndarray, np.ndarray, pd.Index, list[str]]:
    """N as a float array with candidate labels, weights checked (sum 1) in N's column order."""
    frame = N if isinstance(N, pd.DataFrame) else pd.DataFrame(np.asarray(N, dtype=float))
    frame = frame.rename(columns=str)  # a new frame: the caller's labels are left alone
    names = list(frame.columns)
    if isinstance(weights, pd.Series):
        missing = [c for c in names if c not in weights.index]
        if missing:
            raise RobustnessError(f"weights have no value for criteria {missing[:10]}; give one "
                                  "weight per column of the normalised matrix.")
        weights = weights.reindex(names)
    w = check_weights(np.asarray(weights, dtype=float), len(names), names=names)
    A = normalise.check_matrix(frame.to_numpy(dtype=float), names=names, error=RobustnessError)
    return A, w, frame.index, names


def _ranking_of(source):
    """The Ranking inside a scenario Result, or `source` itself if it is a Ranking."""
    return getattr(source, "ranking", source)


def _candidate_names(source, index: pd.Index) -> pd.Series:
    ranking = _ranking_of(source)
    if hasattr(ranking, "matrix"):
        return ranking.matrix.names("en").reindex(index).astype(str)
    return pd.Series(index.astype(str), index=index, name="name")


def _top_k(top_k, n: int, default: int = DEFAULTS["top_k"]) -> int:
    """`top_k` checked against n; None means `default`, or n when there are fewer candidates."""
    return smp.check_top_k(min(default, n) if top_k is None else top_k, n)


def _rank_quantiles(counts: np.ndarray) -> np.ndarray:
    """The 5 %, 50 % and 95 % rank of each row of `counts`, exactly (inverted CDF)."""
    cum = counts.cumsum(axis=1)
    total = cum[:, -1:]
    # the q-quantile is the first rank whose cumulative count reaches ceil(q * total)
    return np.column_stack([(cum < np.maximum(1, np.ceil(q * total - 1e-9))).sum(axis=1) + 1
                            for q in _QUANTILES.values()])


# ---------------------------------------------------------------------------------------------
# Rank acceptability
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Acceptability:
    """Rank acceptability of every candidate under uncertain weights (see :func:`rank_acceptability`).

    Attributes
    ----------
    counts : pandas.DataFrame
        Candidate × rank (1..n): the number of draws in which the candidate took that rank.
        Ties share the lowest rank (``rank_scores``), so with ties a rank column can be empty
        while the rank before it counts twice; each row always sums to `draws`.
    central_weights : pandas.DataFrame
        Candidate × criterion: the mean weight vector of the draws that rank the candidate first
        (its SMAA central weight vector); NaN for a candidate never ranked first.
    base_ranks : pandas.Series
        The deterministic ranks under the chosen weights.
    names : pandas.Series
        Display name of each candidate.
    weights : pandas.Series
        The chosen weights the draws are centred on.
    top_k, draws, seed, chunk_size : int
        The settings that reproduce the run (`seed` is the entropy actually used).
    concentration : float or None
        Dirichlet concentration (None: uniform; inf: no spread).
    bounds : pandas.DataFrame or None
        Per-criterion weight bounds (``low``, ``high``).
    method, normalisation : str
        What was ranked (the normalisation is the one of the matrix given).
    method_params : dict
    """

    counts: pd.DataFrame
    central_weights: pd.DataFrame
    base_ranks: pd.Series
    names: pd.Series
    weights: pd.Series
    top_k: int
    draws: int
    seed: int
    chunk_size: int
    concentration: float | None
    bounds: pd.DataFrame | None
    method: str
    normalisation: str | None
    method_params: dict = field(default_factory=dict)

    @property
    def acceptability(self) -> pd.DataFrame:
        """Candidate × rank probabilities; each row sums to 1 (each column too, without ties)."""
        return self.counts / self.draws

    @property
    def p_top_k(self) -> pd.Series:
        """Probability of ranking in the top k (rank <= k)."""
        p = self.counts.iloc[:, :self.top_k].sum(axis=1) / self.draws
        return p.rename(f"p_top_{self.top_k}")

    @property
    def rank_interval(self) -> pd.DataFrame:
        """5 %, 50 % and 95 % rank of each candidate (``inverted_cdf`` quantiles, exact)."""
        return pd.DataFrame(_rank_quantiles(self.counts.to_numpy()), index=self.counts.index,
                            columns=list(_QUANTILES))

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate, by deterministic rank: the headline robustness figures."""
        interval = self.rank_interval.add_prefix("rank_")
        out = pd.DataFrame({"name": self.names, "rank": self.base_ranks,
                            self.p_top_k.name: self.p_top_k,
                            "p_first": self.counts.iloc[:, 0] / self.draws})
        out = out.join(interval)
        return out.sort_values(["rank", "name"], kind="stable")


def _check_draw_settings(draws, chunk_size, concentration):
    draws = smp.check_count(draws, "draws", "Ask for at least 1 weight draw (2,000 is the "
                                            "default; 10,000 gives about +-1 % on probabilities).")
    chunk_size = smp.check_count(chunk_size, "chunk_size", "It is the number of draws scored "
                                                           "per batch (memory ~ chunk_size x n).")
    return draws, chunk_size, smp.check_concentration(concentration)


def weight_draws(weights, *, draws: int, concentration: float | None = 100.0, bounds=None,
                 seed: int | None = 0, chunk_size: int = 1000) -> np.ndarray:
    r"""The weight vectors :func:`rank_acceptability` scores for the same settings.

    Parameters
    ----------
    weights : array_like or pandas.Series, shape (m,)
        The chosen weights (>= 0, summing to 1); the Dirichlet's mean.
    draws : int
        Number of weight vectors (>= 1).
    concentration : float or None, default 100
        Dirichlet(concentration × weights): larger means closer to `weights`
        (:math:`\mathrm{Var}(w_j) = w_j(1 - w_j)/(c + 1)`); a criterion with weight 0 stays at 0.
        ``None``: uniform over every weight vector (Dirichlet(1, ..., 1)). ``math.inf``: no
        spread, every draw equals `weights`.
    bounds : array_like (m, 2) or mapping {criterion: (low, high)}, optional
        Keep only draws with ``low <= w <= high`` (rejection sampling; uniform draws are first
        mapped onto ``w >= low``). Infeasible bounds, or bounds that accept almost no draw, raise.
    seed : int or None, default 0
        None draws fresh entropy.
    chunk_size : int, default 1000
        Draws per chunk; chunk i uses the i-th child of ``SeedSequence(seed)``.

    Returns
    -------
    numpy.ndarray, shape (draws, m)
        Rows sum to 1.

    Raises
    ------
    RobustnessError
        For draws or chunk_size <= 0, a concentration <= 0, bounds that are malformed, exclude
        every weight vector or accept (almost) none of the draws.

    Examples
    --------
    >>> W = weight_draws([0.5, 0.3, 0.2], draws=4, concentration=50, seed=1)
    >>> W.shape, bool(np.allclose(W.sum(axis=1), 1))
    ((4, 3), True)
    >>> weight_draws([0.5, 0.5], draws=3, concentration=float("inf")).tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    >>> weight_draws([0.5, 0.5], draws=3, bounds=[(0.7, 1.0), (0.4, 1.0)])
    Traceback (most recent call last):
    ...
    citykit.exceptions.RobustnessError: bounds exclude every weight vector: weights sum to 1, but the lows sum to 1.1 and the highs to 2. Need sum(low) <= 1 <= sum(high); lower some lows or raise some highs.
    """
    names = list(weights.index) if isinstance(weights, pd.Series) else \
        [str(j) for j in range(np.size(weights))]
    w = check_weights(np.asarray(weights, dtype=float), names=names)
    draws, chunk_size, concentration = _check_draw_settings(draws, chunk_size, concentration)
    entropy = smp.seed_entropy(seed)
    sampler = smp.make_sampler(w, concentration, smp.check_bounds(bounds, names), names, entropy)
    return np.concatenate([sampler.draw(size, np.random.default_rng(ss))
                           for size, ss in smp.chunk_plan(draws, chunk_size, entropy)])


def rank_acceptability(N, weights, *, method: str = "wsum", method_params: Mapping | None = None,
                       draws: int = 2000, concentration: float | None = 100.0, bounds=None,
                       top_k: int | None = None, seed: int | None = 0, chunk_size: int = 1000,
                       progress: Callable[[int, int], None] | None = None, executor=None,
                       normalisation: str | None = None,
                       names: pd.Series | None = None) -> Acceptability:
    r"""SMAA rank acceptability: how often each candidate takes each rank as the weights vary.

    For each weight draw the candidates are scored with `method` and ranked; the counts of
    (candidate, rank) pairs give the rank-acceptability indices :math:`b_i^r`, the probability
    of the top k is :math:`\sum_{r \le k} b_i^r`, the rank interval is the 5 % and 95 %
    quantile of the rank, and the central weight vector the mean of the draws that rank the
    candidate first (Lahdelma et al. 1998).

    Parameters
    ----------
    N : pandas.DataFrame or array_like, shape (n, m)
        The normalised, benefit-oriented matrix (e.g. ``Ranking.normalised``).
    weights : pandas.Series or array_like, shape (m,)
        The chosen weights (sum 1); draws are centred on them.
    method : str, default "wsum"
        An aggregation method of :data:`citykit.aggregate.METHODS`.
    method_params : mapping, optional
        The method's options (VIKOR ``v``, PROMETHEE ``preference``/``p``/``q``, ...).
    draws : int, default 2000
        Number of weight draws; the standard error of a probability p is
        :math:`\sqrt{p(1-p)/\mathrm{draws}}` (at most 1.1 % for 2,000 draws).
    concentration, bounds, seed, chunk_size
        See :func:`weight_draws`.
    top_k : int, optional
        Shortlist size, 1 <= top_k <= n; default 5 (or n when there are fewer candidates).
    progress : callable, optional
        ``progress(draws_done, draws_total)``, called after every chunk.
    executor : optional
        A ``concurrent.futures`` executor or a Dask ``distributed.Client``; chunks are submitted
        to it (at most 16 in flight) and combined in order, so the result equals the serial one.
    normalisation : str, optional
        The normalisation `N` was made with, recorded in the result.
    names : pandas.Series, optional
        Display names by candidate id; default the ids.

    Returns
    -------
    Acceptability

    Raises
    ------
    RobustnessError
        For draws, chunk_size or concentration out of range, top_k outside 1..n, bad bounds,
        or a matrix with NaN/inf. Unknown methods and options raise
        :class:`~citykit.exceptions.AggregationError`, bad weights
        :class:`~citykit.exceptions.WeightError`.

    Notes
    -----
    Memory is O(chunk_size × n + n²) whatever `draws`: a chunk's scores and ranks are reduced
    to rank counts (n × n) before the next chunk is drawn.

    Examples
    --------
    >>> N = pd.DataFrame({"jobs": [1.0, 0.6, 0.0], "air": [0.0, 0.5, 0.9]}, index=["A", "B", "C"])
    >>> acc = rank_acceptability(N, [0.5, 0.5], draws=1000, concentration=20, top_k=1, seed=3)
    >>> acc.acceptability.sum(axis=1).tolist()
    [1.0, 1.0, 1.0]
    >>> acc.to_frame()[["rank", "p_top_1", "rank_p5", "rank_p95"]]
       rank  p_top_1  rank_p5  rank_p95
    B     1    0.496        1         2
    A     2    0.342        1         3
    C     3    0.162        1         3
    """
    A, w, index, criteria = _labelled(N, weights)
    draws, chunk_size, concentration = _check_draw_settings(draws, chunk_size, concentration)
    top_k = _top_k(top_k, A.shape[0])
    entropy = smp.seed_entropy(seed)
    checked_bounds = smp.check_bounds(bounds, criteria)
    sampler = smp.make_sampler(w, concentration, checked_bounds, criteria, entropy)
    scorer = smp.Scorer.build(method, A, method_params)
    base_ranks = scorer.ranks(w[None, :])[0]
    counts = np.zeros((A.shape[0], A.shape[0]), dtype=np.int64)
    first = np.zeros(A.shape)
    done = 0
    plan = smp.chunk_plan(draws, chunk_size, entropy)
    tasks = ((scorer, sampler, size, ss) for size, ss in plan)
    for (size, _), (chunk_counts, chunk_first) in zip(
            plan, smp.ordered_results(smp.acceptability_chunk, tasks, executor), strict=True):
        counts += chunk_counts
        first += chunk_first
        done += size
        if progress is not None:
            progress(done, draws)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first / counts[:, :1]  # NaN where never first
    ranks = pd.RangeIndex(1, A.shape[0] + 1, name="rank")
    return Acceptability(
        counts=pd.DataFrame(counts, index=index, columns=ranks),
        central_weights=pd.DataFrame(central, index=index, columns=criteria),
        base_ranks=pd.Series(base_ranks, index=index, name="rank"),
        names=names.reindex(index) if names is not None else
        pd.Series(index.astype(str), index=index, name="name"),
        weights=pd.Series(w, index=criteria, name="weight"), top_k=top_k, draws=draws,
        seed=entropy, chunk_size=chunk_size, concentration=concentration,
        bounds=None if checked_bounds is None else pd.DataFrame(
            {"low": checked_bounds[0], "high": checked_bounds[1]}, index=criteria),
        method=method, normalisation=normalisation, method_params=dict(method_params or {}))


def _scenario_settings(result, given: dict) -> dict:
    scenario = getattr(result, "scenario", None)
    stored = dict(getattr(scenario, "robustness", None) or {})
    unknown = sorted(set(stored) - set(_SETTINGS))
    if unknown:
        near = difflib.get_close_matches(unknown[0], _SETTINGS, n=1)
        raise RobustnessError(f"unknown robustness settings {unknown} in the scenario; known: "
                              f"{list(_SETTINGS)}" + (f"; did you mean {near[0]!r}?" if near
                                                      else "."))
    return {**DEFAULTS, **stored, **{k: v for k, v in given.items() if v is not _SCENARIO}}


class _FromScenario:
    def __repr__(self) -> str:
        return "<from scenario>"


_SCENARIO = _FromScenario()


def robustness(result, *, draws=_SCENARIO, concentration=_SCENARIO, top_k=_SCENARIO,
               seed=_SCENARIO, bounds=_SCENARIO, chunk_size=_SCENARIO,
               progress: Callable[[int, int], None] | None = None,
               executor=None) -> Acceptability:
    """Rank acceptability of a scenario's ranking, labelled with city ids and names.

    Uses the Ranking's normalised matrix, weights, method and method options, and the
    scenario's ``robustness`` settings (:data:`DEFAULTS` where unset); any argument given here
    overrides the scenario. The settings must lie inside :data:`citykit.scenario.BOUNDS`
    (at most 100,000 draws, a batch of at most 2**24 candidate scores), whatever their source.

    Parameters
    ----------
    result : citykit.scenario.Result or citykit.ranking.Ranking
    draws, concentration, top_k, seed, bounds, chunk_size, progress, executor
        See :func:`rank_acceptability`.

    Returns
    -------
    Acceptability

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> acc = robustness(run(Scenario(method="topsis")), draws=200)
    >>> acc.method, acc.normalisation, acc.draws, acc.top_k
    ('topsis', 'vector', 200, 5)
    >>> bool((acc.acceptability.sum(axis=1).round(12) == 1).all())
    True
    """
    settings = _scenario_settings(result, {"draws": draws, "concentration": concentration,
                                           "top_k": top_k, "seed": seed, "bounds": bounds,
                                           "chunk_size": chunk_size})
    ranking = _ranking_of(result)
    from .scenario import check_robustness_settings  # scenario imports this module

    # the scenario's bounds (citykit.scenario.BOUNDS), with the batch memory for these candidates
    check_robustness_settings(settings, n_candidates=len(ranking.normalised),
                              error=RobustnessError)
    return rank_acceptability(
        ranking.normalised, ranking.weights, method=ranking.method,
        method_params=ranking.method_params, draws=settings["draws"],
        concentration=settings["concentration"], bounds=settings.get("bounds"),
        top_k=settings["top_k"], seed=settings["seed"],
        chunk_size=settings.get("chunk_size", 1000), progress=progress, executor=executor,
        normalisation=ranking.normalisation,
        names=_candidate_names(result, ranking.normalised.index))


# ---------------------------------------------------------------------------------------------
# Weight stability (one criterion at a time)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class WeightStability:
    """How far each weight can move before the shortlist changes (see :func:`weight_stability`).

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per criterion: ``weight`` (chosen), ``low`` and ``high``, the interval around it
        in which the top-k set stays the same when only this weight moves (the others rescaled
        proportionally); ``low = 0`` or ``high = 1`` means no change up to that end. NaN for a
        criterion holding all the weight (the others cannot be rescaled).
    shortlist : pandas.DataFrame
        One row per shortlisted candidate (rank <= k): ``name``, ``rank``, and the smallest
        one-criterion change that drops it: ``criterion``, its ``weight``, the ``new_weight``
        (within `tolerance` past the switch) and ``change = new_weight - weight``; NaN when no
        single weight in [0, 1] drops it.
    top_k : int
    tolerance : float
    method : str
    """

    intervals: pd.DataFrame
    shortlist: pd.DataFrame
    top_k: int
    tolerance: float
    method: str


def weight_stability(N, weights=None, *, method: str = "wsum",
                     method_params: Mapping | None = None, top_k: int | None = None,
                     grid: int = 201,
                     tolerance: float = 1e-4) -> WeightStability:
    """Weight intervals that keep the top-k set, and the change that drops each shortlisted city.

    One criterion at a time, weight :math:`w_j` moves to t in [0, 1] and the others are rescaled
    proportionally, :math:`w_i (1 - t) / (1 - w_j)`, so they keep their ratios and the sum
    stays 1. Each criterion is scanned on a grid of `grid` values (all criteria in one batch),
    then every switch found is refined by bisection to `tolerance`.

    Parameters
    ----------
    N : pandas.DataFrame, array_like, or a scenario Result / Ranking
        The normalised matrix; given a Result or Ranking, its normalised matrix, weights,
        method and options are used (and `weights`, `method`, `method_params` must be left out).
    weights : pandas.Series or array_like, shape (m,)
        The chosen weights (sum 1).
    method, method_params
        As in :func:`rank_acceptability`.
    top_k : int, optional
        Shortlist size; default the scenario's (given a Result), else 5, or n when there are
        fewer candidates.
    grid : int, default 201
        Grid points on [0, 1] per criterion (step 0.005). A change that reverts within one step
        can be missed; raise `grid` to look closer.
    tolerance : float, default 1e-4
        Bisection precision of the reported weights.

    Returns
    -------
    WeightStability

    Raises
    ------
    RobustnessError
        For top_k outside 1..n, grid < 3, tolerance <= 0, or a Result given with weights.

    Examples
    --------
    Scores are ``A = t``, ``B = 0.5 + 0.1 t``, ``C = 0.9 (1 - t)`` for a jobs weight t: B stays
    first for t in [0.4, 5/9].

    >>> N = pd.DataFrame({"jobs": [1.0, 0.6, 0.0], "air": [0.0, 0.5, 0.9]}, index=["A", "B", "C"])
    >>> ws = weight_stability(N, [0.5, 0.5], top_k=1)
    >>> ws.intervals.round(3)
          weight    low   high
    jobs     0.5  0.400  0.556
    air      0.5  0.444  0.600
    >>> ws.shortlist[["criterion", "weight", "new_weight"]].round(3)
      criterion  weight  new_weight
    B      jobs     0.5       0.556
    """
    A, w, index, criteria, method, params, names = _stability_inputs(N, weights, method,
                                                                     method_params)
    top_k = _top_k(top_k, A.shape[0], _scenario_settings(N, {})["top_k"])
    grid = smp.check_count(grid, "grid", "Use at least 3 grid points.")
    if grid < 3 or not (isinstance(tolerance, int | float) and tolerance > 0):
        raise RobustnessError(f"grid must be >= 3 and tolerance > 0; got grid={grid!r}, "
                              f"tolerance={tolerance!r}.")
    scorer = smp.Scorer.build(method, A, params)
    with smp.one_blas_thread():
        base, low, high, drops = smp.stability_search(scorer, w, top_k, grid, tolerance)
    intervals = pd.DataFrame({"weight": w, "low": low, "high": high}, index=criteria)
    rows = {index[i]: {"name": names.iloc[i], "rank": int(base[i]),
                       "criterion": criteria[j] if j >= 0 else None,
                       "weight": w[j] if j >= 0 else np.nan, "new_weight": new,
                       "change": new - w[j] if j >= 0 else np.nan}
            for i, (j, new) in drops.items()}
    shortlist = pd.DataFrame.from_dict(rows, orient="index", columns=[
        "name", "rank", "criterion", "weight", "new_weight", "change"])
    return WeightStability(intervals, shortlist.sort_values("rank", kind="stable"), top_k,
                           float(tolerance), method)


def _stability_inputs(N, weights, method, method_params):
    ranking = _ranking_of(N)
    if hasattr(ranking, "normalised"):
        if weights is not None:
            raise RobustnessError("Given a Result or Ranking, weight_stability uses its weights; "
                                  "leave `weights` out (or pass the normalised matrix instead).")
        A, w, index, criteria = _labelled(ranking.normalised, ranking.weights)
        names = _candidate_names(N, index)
        return A, w, index, criteria, ranking.method, ranking.method_params, names
    if weights is None:
        raise RobustnessError("weights are required with a normalised matrix.")
    A, w, index, criteria = _labelled(N, weights)
    return A, w, index, criteria, method, method_params, pd.Series(index.astype(str),
                                                                   index=index)


# ---------------------------------------------------------------------------------------------
# Framework sensitivity
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class FrameworkSensitivity:
    """Rankings of one scenario under each framework and their agreement.

    Attributes
    ----------
    ranks : pandas.DataFrame
        Candidate × framework rank (NaN where a framework did not rank the candidate).
    kendall_tau : pandas.DataFrame
        Framework × framework Kendall's tau-b on the ranks of the candidates both ranked.
    top_k_overlap : pandas.DataFrame
        Framework × framework ``|A ∩ B| / max(|A|, |B|)`` of the top-k sets (rank <= k);
        ``|A ∩ B| / k`` without ties.
    top_k : int
    skipped : dict
        Framework -> why it was not ranked (fewer than 2 criteria with data, or an error).
    skipped_codes : dict
        Framework -> the message code of that reason (:mod:`citykit.messages`), where it has one
        (``"framework_no_data"``: none of its components has data in the dataset).
    """

    ranks: pd.DataFrame
    kendall_tau: pd.DataFrame
    top_k_overlap: pd.DataFrame
    top_k: int
    skipped: dict
    skipped_codes: dict = field(default_factory=dict)


def framework_sensitivity(scenario, frameworks: Sequence[str] | None = None, *,
                          top_k: int | None = None, dataset=None) -> FrameworkSensitivity:
    """Re-run a scenario under each framework; compare the rankings.

    Every other choice of the scenario is kept (method, normalisation, missing data,
    eligibility). Weights given as a ``{criterion: weight}`` mapping belong to one framework's
    criteria, so they are replaced by ``"framework"`` weights.

    Parameters
    ----------
    scenario : citykit.scenario.Scenario
    frameworks : sequence of str, optional
        Framework ids or paths; default every bundled framework.
    top_k : int, optional
        Default the scenario's ``robustness["top_k"]``.
    dataset : citykit.data.Dataset, optional
        The scenario's dataset, already loaded.

    Returns
    -------
    FrameworkSensitivity

    Raises
    ------
    RobustnessError
        If fewer than two frameworks can be ranked.

    Examples
    --------
    >>> from citykit.scenario import Scenario
    >>> fs = framework_sensitivity(Scenario(), ["iran_national", "u4ssc", "iso37122"])
    >>> list(fs.kendall_tau.columns), sorted(fs.skipped)
    (['iran_national', 'u4ssc'], ['iso37122'])
    >>> float(fs.kendall_tau.loc["u4ssc", "u4ssc"])
    1.0
    """
    from scipy.stats import kendalltau

    from .data import load_dataset
    from .frameworks import bundled_frameworks
    from .scenario import run

    dataset = dataset if dataset is not None else load_dataset(scenario.dataset)
    names = list(frameworks) if frameworks is not None else bundled_frameworks()
    k = top_k if top_k is not None else _scenario_settings(scenario, {})["top_k"]
    weights = "framework" if isinstance(scenario.weights, Mapping) else scenario.weights
    ranks, skipped, codes = {}, {}, {}
    for name in names:
        try:
            ranking = run(scenario.with_(framework=name, indicators=None, weights=weights),
                          dataset=dataset).ranking
        except CityKitError as err:
            skipped[name] = str(err).splitlines()[-1].strip(" -")
            code = getattr(err, "code", None) or next(
                (p.code for p in getattr(err, "problems", None) or [] if p.code), None)
            if code:
                codes[name] = code
            continue
        if ranking.normalised.shape[1] < 2:
            skipped[name] = f"only {ranking.normalised.shape[1]} criterion with data"
            continue
        ranks[name] = ranking.ranks
    if len(ranks) < 2:
        raise RobustnessError(f"fewer than two frameworks could rank scenario's candidates; "
                              f"skipped: {skipped}")
    table = pd.DataFrame(ranks)
    k = smp.check_top_k(k, int(table.notna().sum().min()))
    tau = pd.DataFrame(1.0, index=table.columns, columns=table.columns)
    overlap = tau.copy()
    for a, b in itertools.combinations(table.columns, 2):
        both = table[[a, b]].dropna()
        tau.loc[a, b] = tau.loc[b, a] = float(kendalltau(both[a], both[b]).statistic)
        top_a, top_b = set(table.index[table[a] <= k]), set(table.index[table[b] <= k])
        overlap.loc[a, b] = overlap.loc[b, a] = len(top_a & top_b) / max(len(top_a), len(top_b))
    return FrameworkSensitivity(table, tau, overlap, k, skipped, codes)


# ---------------------------------------------------------------------------------------------
# Choice sensitivity (missing data, normalisation, method, weights, data)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ChoiceSensitivity:
    """Which choice moves the ranks most (see :func:`choice_sensitivity`).

    Attributes
    ----------
    shares : pandas.Series
        First-order share of the rank variance of each factor (``missing``, ``normalisation``,
        ``method``, ``weights``, ``data``), summed over candidates:
        ``sum_i Var(E[rank_i | factor]) / sum_i Var(rank_i)``; ``interactions`` is 1 minus
        their sum. A factor with one level, or not sampled, has share 0.
    per_city : pandas.DataFrame
        Candidate × factor: the same share for each candidate alone (NaN where its rank never
        changes).
    level_means : pandas.DataFrame
        Candidate × (factor, level): mean rank with that choice.
    counts : pandas.DataFrame
        Candidate × rank counts over every draw and combination of choices.
    names : pandas.Series
    levels : dict
        Factor -> the labels of its levels.
    top_k, draws, seed : int
    notes : tuple of str
        What was not varied, and why.
    """

    shares: pd.Series
    per_city: pd.DataFrame
    level_means: pd.DataFrame
    counts: pd.DataFrame
    names: pd.Series
    levels: dict
    top_k: int
    draws: int
    seed: int
    notes: tuple[str, ...] = ()

    @property
    def most_influential(self) -> str:
        """The factor with the largest first-order share."""
        return str(self.shares.drop("interactions").idxmax())

    @property
    def p_top_k(self) -> pd.Series:
        """Probability of the top k under every source of uncertainty together."""
        total = self.counts.to_numpy().sum(axis=1)
        return pd.Series(self.counts.iloc[:, :self.top_k].sum(axis=1) / total,
                         name=f"p_top_{self.top_k}")

    @property
    def rank_interval(self) -> pd.DataFrame:
        """5 %, 50 % and 95 % rank under every source of uncertainty together."""
        return pd.DataFrame(_rank_quantiles(self.counts.to_numpy()), index=self.counts.index,
                            columns=list(_QUANTILES))


def _choice_defaults(source) -> tuple:
    """(eligible matrix, defaults) from a scenario Result or a CityMatrix."""
    ranking = getattr(source, "ranking", None)
    if ranking is None:
        return source, {"weights": None, "normalisations": ("minmax",), "methods": ("wsum",),
                        "missing_policies": ("none",), "normalisation_params": {},
                        "method_params": {}, "top_k": DEFAULTS["top_k"]}
    from .eligibility import apply_rules, rule_from_dict

    scenario = source.scenario
    eligible, _ = apply_rules(source.matrix, [rule_from_dict(r) for r in scenario.eligibility],
                              require=2)
    return eligible, {
        "weights": ranking.weights.reindex(eligible.values.columns, fill_value=0.0),
        "normalisations": (ranking.normalisation,), "methods": (ranking.method,),
        "missing_policies": (scenario.missing,),
        "normalisation_params": {ranking.normalisation: dict(scenario.normalisation_params)},
        "method_params": {ranking.method: dict(ranking.method_params)},
        "top_k": _scenario_settings(source, {})["top_k"]}


def _check_levels(what: str, values) -> tuple:
    values = tuple([values] if isinstance(values, str) else values)
    labels = [smp.policy_label(v) if what == "missing_policies" else v for v in values]
    if not values or len(set(map(str, labels))) != len(labels):
        raise RobustnessError(f"{what} must be a non-empty list of distinct choices; got "
                              f"{list(values)!r}.")
    return values


def choice_sensitivity(source, *, weights=None, normalisations=None, methods=None,
                       missing_policies=None, normalisation_params: Mapping | None = None,
                       method_params: Mapping | None = None, margins: Mapping | None = None,
                       draws: int = 500, concentration: float | None = 100.0, bounds=None,
                       top_k: int | None = None, seed: int | None = 0, chunk_size: int = 250,
                       progress: Callable[[int, int], None] | None = None) -> ChoiceSensitivity:
    r"""Vary weights, normalisation, method, missing-data policy and data; rank each factor.

    Each discrete choice is uniform over the set given. For every weight draw (and data draw)
    *every* combination of the discrete choices is ranked, which makes the conditional means
    over the choices exact (the sets are small: a few normalisations × methods × policies),
    and the first-order share of factor X,
    :math:`S_X = \sum_i \mathrm{Var}(E[r_i | X]) / \sum_i \mathrm{Var}(r_i)`, is estimated
    without bias (see Notes). Summing over candidates weighs each by how much its rank moves,
    so candidates whose rank never changes do not dilute the shares.

    Parameters
    ----------
    source : citykit.scenario.Result or citykit.matrix.CityMatrix
        A Result: its eligible candidates *before* missing-data handling, and its weights,
        normalisation, method and policy as the defaults. A CityMatrix: the eligible candidates
        (may have missing values).
    weights : pandas.Series or array_like, optional
        Chosen weights over the matrix's criteria (default: the Result's, or equal). When a
        policy drops criteria, each draw is restricted to the kept ones and rescaled to sum 1.
    normalisations, methods, missing_policies : sequence, optional
        The choices to vary (names of :data:`citykit.normalise.NORMALISERS`,
        :data:`citykit.aggregate.METHODS`, :func:`citykit.impute.handle_missing` policies or
        chains). Policies must keep every candidate.
    normalisation_params, method_params : mapping, optional
        Options per name, e.g. ``{"vikor": {"v": 0.5}}``.
    margins : mapping, optional
        Relative error per criterion, e.g. ``{"pm25": 0.1}`` for ±10 %; overrides a ``margin``
        column of the criteria metadata. Each draw multiplies every value by an independent
        ``1 + margin * U(-1, 1)`` (after imputation) and renormalises; this costs a Python loop
        over draws (about 3 × combinations normalisations and scorings per draw).
    draws : int, default 500
        Weight (and data) draws; at least 2.
    concentration, bounds, seed, chunk_size, progress
        As in :func:`rank_acceptability`.
    top_k : int, optional
        For :attr:`ChoiceSensitivity.p_top_k`; default the scenario's, else 5.

    Returns
    -------
    ChoiceSensitivity

    Raises
    ------
    RobustnessError
        For bad settings, empty or duplicated choice sets, margins outside [0, 1), or a policy
        that drops candidates. Unknown names raise the errors of the modules they belong to.

    Notes
    -----
    The estimator, per candidate (ranks :math:`Y_{dc}`, draw d = 1..D, combination c = 1..C):
    with :math:`g(d)` the mean of :math:`Y_{dc}` over all combinations and :math:`g_l(d)` over
    those where factor f takes level l (L equally likely levels),

    .. math::

        \widehat{V}_f = \frac{1}{L} \sum_l (\bar g_l - \bar Y)^2
                       - \frac{1}{D}\Big(\frac{1}{L}\sum_l s^2(g_l) - s^2(g)\Big),

    the second term removing the Monte-Carlo bias of the squared means (:math:`s^2`: sample
    variance over draws). Without data noise :math:`E[Y | w] = g(d)` exactly, so
    :math:`\widehat{V}_{weights} = s^2(g)`. With data noise each draw is also ranked with fresh
    noise (same weights, :math:`g_B`) and with fresh weights (same noise, :math:`g_C`), and
    :math:`\widehat{V}_{weights} = \mathrm{cov}(g, g_B)`, :math:`\widehat{V}_{data} =
    \mathrm{cov}(g, g_C)` (pick-freeze, Saltelli et al. 2008). The total is
    :math:`\mathrm{Var}(Y) = \overline{\mathrm{Var}_c(Y_{dc})} + s^2(g)`, exact over the
    combinations. Negative estimates (noise) are set to 0; ``interactions`` is the remainder.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> m = CityMatrix.from_frame(pd.DataFrame(
    ...     {"jobs": [3.0, 5.0, 4.0, 1.0], "rent": [2.0, 1.0, np.nan, 3.0], "parks": [1, 2, 3, 4.0]},
    ...     index=["A", "B", "C", "D"]), ["max", "min", "max"])
    >>> cs = choice_sensitivity(m, normalisations=["minmax", "rank"], methods=["wsum", "topsis"],
    ...                         missing_policies=["median", "knn"], draws=200, seed=1)
    >>> list(cs.shares.index)
    ['missing', 'normalisation', 'method', 'weights', 'interactions']
    >>> cs.counts.to_numpy().sum(axis=1).tolist()  # 200 draws x 8 combinations
    [1600, 1600, 1600, 1600]
    """
    matrix, defaults = _choice_defaults(source)
    draws, chunk_size, concentration = _check_draw_settings(draws, chunk_size, concentration)
    if draws < 2:
        raise RobustnessError(f"draws must be at least 2 to estimate variances; got {draws}.")
    policies = _check_levels("missing_policies", missing_policies or
                             defaults["missing_policies"])
    norms = _check_levels("normalisations", normalisations or defaults["normalisations"])
    meths = _check_levels("methods", methods or defaults["methods"])
    criteria = list(matrix.values.columns)
    base = weights if weights is not None else defaults["weights"]
    if base is None:
        base = pd.Series(1.0 / len(criteria), index=criteria)
    if isinstance(base, pd.Series):
        base = base.reindex(criteria)
    w = check_weights(np.asarray(base, dtype=float), len(criteria), names=criteria)
    top_k = _top_k(top_k, matrix.shape[0], defaults["top_k"])
    entropy = smp.seed_entropy(seed)
    sampler = smp.make_sampler(w, concentration, smp.check_bounds(bounds, criteria), criteria,
                               entropy)
    design, notes = smp.choice_design(
        matrix, policies, norms, meths,
        {**defaults["normalisation_params"], **dict(normalisation_params or {})},
        {**defaults["method_params"], **dict(method_params or {})},
        smp.choice_margins(matrix, margins))
    levels = {"missing": tuple(smp.policy_label(p) for p in policies),
              "normalisation": tuple(norms), "method": tuple(meths)}
    factor_levels = {f: np.array([c[k] for c in design.combos]) for k, f in
                     enumerate(("missing", "normalisation", "method"))}
    stats = smp.ChoiceStats(matrix.shape[0], factor_levels, design.margins is not None)
    with smp.one_blas_thread():
        smp.run_choice_chunks(design, sampler, stats, smp.chunk_plan(draws, chunk_size, entropy),
                           draws, progress)
    return _choice_result(stats, design, levels, notes, matrix, top_k, draws, entropy)


def _choice_result(stats, design, levels, notes, matrix, top_k, draws, entropy):
    var, parts, means = stats.estimate()
    index = matrix.values.index
    factors = ["missing", "normalisation", "method", "weights"] + \
        (["data"] if design.margins is not None else [])
    notes = list(notes)
    if design.margins is None:
        notes.append("data uncertainty not sampled: no criterion has an error margin")
    complete = any(note.startswith("the matrix has no missing value") for note in notes)
    notes += [f"{f} not varied: one choice, {levels[f][0]!r}" for f in levels
              if len(levels[f]) == 1 and not (f == "missing" and complete)]
    total = var.sum()
    if total == 0:
        notes.append("no rank changed in any draw or combination: every share is 0")
    shares = pd.Series({f: parts[f].sum() / total if total > 0 else 0.0 for f in factors},
                       name="first_order_share")
    shares["interactions"] = 1.0 - shares.sum() if total > 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        per_city = pd.DataFrame({f: np.where(var > 0, parts[f] / var, np.nan) for f in factors},
                                index=index)
    level_means = pd.concat(
        {f: pd.DataFrame(means[f].T if means[f].shape[0] == len(levels[f]) else
                         np.repeat(means[f].T, len(levels[f]), axis=1),
                         index=index, columns=list(levels[f])) for f in levels}, axis=1)
    counts = pd.DataFrame(stats.counts, index=index,
                          columns=pd.RangeIndex(1, len(index) + 1, name="rank"))
    return ChoiceSensitivity(shares, per_city, level_means, counts,
                             matrix.names("en").reindex(index).astype(str),
                             {f: tuple(map(str, v)) for f, v in levels.items()}, top_k, draws,
                             entropy, tuple(notes))


# ---------------------------------------------------------------------------------------------
# Rank reversal (removing a candidate)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class RankReversal:
    """What removing each candidate outside the top k does to the others (see :func:`rank_reversal`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per removed candidate (index = its id), in the order of the base ranking:
        ``removed_rank`` (its rank before removal), ``entered`` and ``left`` (tuples of ids that
        entered or left the top k), ``top_k_changed`` (the top-k *set* changed),
        ``order_changed`` (the top k kept its members but not their ranks), ``pair_reversals``
        (pairs of remaining candidates whose strict order flipped, or became or stopped being
        a tie), ``pairs`` (pairs compared) and ``error`` (the message of a
        :class:`~citykit.exceptions.CityKitError` the re-ranking raised, e.g. a criterion that
        became constant; empty otherwise; such rows count as no change and are listed).
    top_k : int
    method, normalisation : str
    weights : str
        ``"fixed"`` (the ranking's weights reused) or the weighting re-learned on each subset.
    """

    table: pd.DataFrame
    top_k: int
    method: str
    normalisation: str
    weights: str

    @property
    def ranked(self) -> pd.DataFrame:
        """The rows whose re-ranking succeeded."""
        return self.table[self.table["error"] == ""]

    @property
    def rate(self) -> float:
        """Share of (successful) removals that changed the top-k set; NaN when none ran."""
        done = self.ranked
        return float(done["top_k_changed"].mean()) if len(done) else float("nan")

    @property
    def entry_rate(self) -> float:
        """Share of removals that brought a new candidate into the top k; NaN when none ran."""
        done = self.ranked
        return float(done["entered"].map(bool).mean()) if len(done) else float("nan")

    @property
    def pair_reversal_rate(self) -> float:
        """Flipped pairs over compared pairs, over every removal; NaN when none ran."""
        done = self.ranked
        pairs = int(done["pairs"].sum())
        return float(done["pair_reversals"].sum() / pairs) if pairs else float("nan")

    def summary(self) -> dict:
        """The headline figures as a plain dict (for reports and the manifest)."""
        return {"method": self.method, "normalisation": self.normalisation,
                "weights": self.weights, "top_k": self.top_k,
                "removals": int(len(self.table)), "failed": int(len(self.table) -
                                                                  len(self.ranked)),
                "top_k_change_rate": self.rate, "entry_rate": self.entry_rate,
                "pair_reversal_rate": self.pair_reversal_rate}


def _order_signs(key: np.ndarray) -> np.ndarray:
    """sign(key_i - key_j) for every pair i < j (flattened upper triangle); higher key better."""
    i, j = np.triu_indices(key.size, k=1)
    return np.sign(key[i] - key[j])


def rank_reversal(source, *, top_k: int | None = None, weights=None) -> RankReversal:
    """Remove each candidate outside the top k in turn, re-rank, and report what changed.

    A method whose normalisation or reference points are learned from the candidate set (min-max
    bounds, vector norms, TOPSIS's ideal points, VIKOR's best and worst values) can change the
    order of the others when one candidate leaves; this is *rank reversal*, reported here rather
    than hidden. The re-ranking uses the ranking's method, normalisation (refitted on the smaller
    set), normalisation options and method options.

    Parameters
    ----------
    source : citykit.ranking.Ranking or citykit.scenario.Result
    top_k : int, optional
        The shortlist size, 1 <= top_k < n; default 5 (or n - 1 when there are fewer
        candidates).
    weights : None, str or mapping, optional
        None (default): the ranking's weights are held fixed, so only the normalisation and the
        method depend on the set. A weighting spec (``"entropy"``, ``"critic"``, ``"pca"``,
        ``"equal"``, ``"framework"`` with a Result, or a mapping) is re-learned on every subset,
        as a re-run of the scenario would.

    Returns
    -------
    RankReversal

    Raises
    ------
    RobustnessError
        For fewer than 3 candidates or `top_k` outside 1..n-1.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> m = CityMatrix.from_frame(pd.DataFrame({"jobs": [10.0, 9.0, 4.0, 0.0],
    ...                                         "air": [0.0, 2.0, 10.0, 5.0]},
    ...                                        index=list("ABCD")), ["max", "max"])
    >>> r = rank(m, method="wsum")           # min-max bounds learned on A-D
    >>> r.ranks.to_dict()
    {'A': 3, 'B': 2, 'C': 1, 'D': 4}
    >>> rr = rank_reversal(r, top_k=1)
    >>> rr.table[["removed_rank", "entered", "left", "pair_reversals", "pairs"]]
       removed_rank entered  left  pair_reversals  pairs
    B             2      ()    ()               0      3
    A             3      ()    ()               0      3
    D             4    (B,)  (C,)               1      3

    Removing D, the last, moves the lower bound of ``jobs`` from 0 to 4 and B overtakes C:

    >>> round(rr.rate, 4), round(rr.pair_reversal_rate, 4), rr.summary()["failed"]
    (0.3333, 0.1111, 0)
    """
    from .ranking import rank

    ranking = _ranking_of(source)
    matrix = ranking.matrix
    n = matrix.shape[0]
    if n < 3:
        raise RobustnessError(f"rank reversal needs at least 3 candidates (one to remove and two "
                              f"to compare); got {n}.")
    if top_k is None:
        top_k = min(DEFAULTS["top_k"], n - 1)
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or \
            not 1 <= top_k <= n - 1:
        raise RobustnessError(f"top_k must be an integer between 1 and n - 1 = {n - 1} (some "
                              f"candidate must be outside the top k to remove); got {top_k!r}.")
    top_k = int(top_k)
    framework = getattr(source, "framework", None)
    spec = ranking.weights if weights is None else weights
    sign = 1.0 if ranking.higher_is_better else -1.0
    index = ranking.scores.index
    base_key = sign * ranking.scores.to_numpy(dtype=float)
    base_ranks = ranking.ranks.to_numpy()
    base_top = set(index[base_ranks <= top_k])
    rows = []
    for pos in np.argsort(base_ranks, kind="stable"):
        if base_ranks[pos] <= top_k:
            continue
        city = index[pos]
        keep = np.flatnonzero(np.arange(n) != pos)
        row = {"id": city, "removed_rank": int(base_ranks[pos]), "entered": (), "left": (),
               "top_k_changed": False, "order_changed": False, "pair_reversals": 0,
               "pairs": len(keep) * (len(keep) - 1) // 2, "error": ""}
        try:
            sub = rank(matrix.take(index[keep], note=f"rank reversal: without {city}"),
                       method=ranking.method, normalisation=ranking.normalisation,
                       weights=spec, framework=framework,
                       normalisation_params=ranking.normaliser.get("params") or {},
                       method_params=ranking.method_params,
                       normalise_weights=bool(getattr(getattr(source, "scenario", None),
                                                      "normalise_weights", False)))
        except CityKitError as err:
            row["error"] = str(err).splitlines()[0]
            rows.append(row)
            continue
        new_ranks = sub.ranks.to_numpy()
        new_top = set(sub.ranks.index[new_ranks <= top_k])
        row["entered"] = tuple(c for c in index if c in new_top - base_top)
        row["left"] = tuple(c for c in index if c in base_top - new_top)
        row["top_k_changed"] = bool(row["entered"] or row["left"])
        old = ranking.ranks.reindex(sorted(new_top, key=list(index).index))
        row["order_changed"] = not row["top_k_changed"] and bool(
            (old.to_numpy() != sub.ranks.reindex(old.index).to_numpy()).any())
        new_key = sign * sub.scores.reindex(index[keep]).to_numpy(dtype=float)
        row["pair_reversals"] = int((_order_signs(base_key[keep]) != _order_signs(new_key)).sum())
        rows.append(row)
    columns = ["removed_rank", "entered", "left", "top_k_changed", "order_changed",
               "pair_reversals", "pairs", "error"]
    table = pd.DataFrame(rows, columns=["id", *columns]).set_index("id")
    table.index.name = None
    for column in ("entered", "left"):
        table[column] = table[column].astype(object)
    return RankReversal(table, top_k, ranking.method, ranking.normalisation,
                        "fixed" if weights is None else str(weights))
