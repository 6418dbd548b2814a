"""How far rankings agree: the same candidates ranked by every method, and their labels.

:func:`rankings_by_method` re-ranks a result's matrix and weights with each aggregation method;
:func:`method_agreement` compares each with the chosen one (Kendall's tau-b, Spearman's rho,
top-k overlap, leader). :func:`candidate_labels` names the candidates in English or Persian.
The Robustness page, the conclusions in words (:mod:`citykit.conclusions`) and the dossier use
them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .aggregate import METHODS
from .exceptions import CityKitError, RobustnessError
from .ranking import Ranking, rank
from .text import to_persian_digits

__all__ = ["candidate_labels", "method_agreement", "rankings_by_method"]


def _ranking(source) -> Ranking:
    """The Ranking of a scenario Result, or `source` itself."""
    return getattr(source, "ranking", source)


def _digits(value, lang: str) -> str:
    """An id or integer as text, with Persian digits in Persian (no grouping)."""
    return to_persian_digits(str(value), grouping=False) if lang == "fa" else str(value)


def candidate_labels(source, lang: str = "en") -> pd.Series:
    """Display name of each ranked candidate in `lang`; unique, so charts never merge two cities.

    Falls back to the English name, then to the id; a name two candidates share gets the id in
    brackets (in Persian digits in Persian).

    Parameters
    ----------
    source : citykit.scenario.Result or citykit.ranking.Ranking
    lang : {"en", "fa"}

    Returns
    -------
    pandas.Series
        Index = candidate ids (in ranking order), values = labels.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> frame = pd.DataFrame({"jobs": [3.0, 5.0, 4.0]}, index=["a", "b", "c"])  # synthetic
    >>> ranking = rank(CityMatrix.from_frame(frame, ["max"]))
    >>> candidate_labels(ranking, "fa").tolist()
    ['a', 'b', 'c']
    >>> from citykit.scenario import Scenario, run
    >>> labels = candidate_labels(run(Scenario()), "fa")
    >>> labels["128747"], labels.is_unique
    ('کرج', True)
    """
    ranking = _ranking(source)
    index = ranking.scores.index
    cities = ranking.matrix.candidates.reindex(index)
    first, second = ("name_fa", "name_en") if lang == "fa" else ("name_en", "name_fa")
    names = pd.Series(pd.NA, index=index, dtype="string")
    for column in (second, first):  # the preferred column last, so it wins
        if column in cities.columns:
            names = cities[column].astype("string").where(cities[column].notna(), names)
    names = names.fillna(pd.Series(index.astype(str), index=index, dtype="string"))
    twins = names.duplicated(keep=False)
    ids = pd.Series([_digits(i, lang) for i in index], index=index, dtype="string")
    return names.where(~twins, names + " (" + ids + ")").rename("label")


def rankings_by_method(source, methods: Sequence[str] = tuple(METHODS)) -> dict:
    """The same candidates and weights ranked by each method (an error where one cannot).

    Each method uses the scenario's normalisation when it names one, else its own usual
    normalisation, exactly as ``run(scenario.with_(method=m))`` would; the chosen method keeps
    its options (VIKOR's ``v``, ...), the others use their defaults. The complete matrix and the
    weights are taken from the ranking, so nothing upstream is recomputed.

    Parameters
    ----------
    source : citykit.scenario.Result or citykit.ranking.Ranking
        A bare Ranking is re-ranked with each method's usual normalisation.
    methods : sequence of str, default every method of :data:`citykit.aggregate.METHODS`

    Returns
    -------
    dict
        Method -> :class:`~citykit.ranking.Ranking`, or the :class:`CityKitError` that method
        raised (e.g. a geometric mean over a normalisation with zeros).

    Examples
    --------
    >>> from citykit.scenario import Scenario, run
    >>> result = run(Scenario(method="topsis"))
    >>> rankings = rankings_by_method(result)
    >>> list(rankings)
    ['wsum', 'geometric', 'topsis', 'vikor', 'promethee2']
    >>> rankings["topsis"] is result.ranking
    True
    >>> rankings["vikor"].ranks.equals(run(Scenario(method="vikor")).ranking.ranks)
    True
    """
    ranking = _ranking(source)
    scenario = getattr(source, "scenario", None)
    normalisation = scenario.normalisation if scenario is not None else None
    norm_params = dict(scenario.normalisation_params) if scenario is not None else {}
    out = {}
    for method in methods:
        if method == ranking.method:
            out[method] = ranking
            continue
        try:
            out[method] = rank(ranking.matrix, method=method, normalisation=normalisation,
                               normalisation_params=norm_params, weights=ranking.weights,
                               framework=getattr(source, "framework", None))
        except CityKitError as err:
            out[method] = err
    return out


def method_agreement(rankings: Mapping, chosen: str, *, top_k: int) -> pd.DataFrame:
    """Kendall τ, Spearman ρ and top-k overlap of each method's ranking with the chosen one.

    Parameters
    ----------
    rankings : mapping
        Method -> Ranking or error (:func:`rankings_by_method`).
    chosen : str
        The scenario's method (a key of `rankings` holding a Ranking).
    top_k : int
        Shortlist size.

    Returns
    -------
    pandas.DataFrame
        One row per method (index), columns ``kendall_tau``, ``spearman_rho`` (tau-b and rho
        over every candidate; ties allowed), ``top_k_shared`` (how many of the chosen method's
        top k the method also ranks k or better), ``top_k_size`` (the size of the chosen top k:
        more than k when cities tie at rank k), ``leader`` (its first-ranked city id; the first
        by id among ties) and ``error`` (why the method could not rank, else None).

    Raises
    ------
    RobustnessError
        If `chosen` has no ranking.

    Examples
    --------
    >>> from citykit.matrix import CityMatrix
    >>> from citykit.ranking import rank
    >>> rng = np.random.default_rng(3)  # synthetic: 10 cities, 4 criteria
    >>> frame = pd.DataFrame(rng.uniform(1, 2, (10, 4)), columns=list("abcd"),
    ...                      index=[f"c{i}" for i in range(10)])
    >>> ranking = rank(CityMatrix.from_frame(frame, ["max", "max", "min", "max"]))
    >>> table = method_agreement(rankings_by_method(ranking), "wsum", top_k=3)
    >>> table[["kendall_tau", "top_k_shared", "top_k_size"]].loc["wsum"].tolist()
    [1.0, 3.0, 3.0]
    >>> bool((table["kendall_tau"] <= 1).all()), bool(table["error"].isna().all())
    (True, True)
    >>> list(table.index)
    ['wsum', 'geometric', 'topsis', 'vikor', 'promethee2']
    """
    from scipy.stats import kendalltau, spearmanr

    base = rankings.get(chosen)
    if not hasattr(base, "ranks"):
        raise RobustnessError(f"the chosen method {chosen!r} has no ranking to compare with: "
                              f"{base}")
    ranks = base.ranks
    top = set(ranks.index[ranks <= top_k])
    rows = {}
    for method, other in rankings.items():
        if not hasattr(other, "ranks"):
            rows[method] = {"kendall_tau": np.nan, "spearman_rho": np.nan,
                            "top_k_shared": pd.NA, "top_k_size": len(top), "leader": None,
                            "error": str(other)}
            continue
        theirs = other.ranks.reindex(ranks.index)
        same = method == chosen
        rows[method] = {
            "kendall_tau": 1.0 if same else float(kendalltau(ranks, theirs).statistic),
            "spearman_rho": 1.0 if same else float(spearmanr(ranks, theirs).statistic),
            "top_k_shared": len(top & set(theirs.index[theirs <= top_k])),
            "top_k_size": len(top), "leader": str(theirs.sort_values(kind="stable").index[0]), "error": None}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table = table.astype({"top_k_shared": "Int64", "top_k_size": "Int64"})
    table.index.name = "method"
    return table

