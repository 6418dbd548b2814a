"""Eligibility rules: who may be a candidate, with an audit line for every exclusion.

Each rule is a small frozen object with a ``name``, a ``describe()`` sentence and ``mask(matrix)``
(True = stays eligible). :func:`apply_rules` applies rules in order and returns the eligible matrix
and an :class:`Audit` that names every excluded city and the rule that excluded it, so nobody is
dropped silently. Rules serialise to plain dicts (``to_dict`` / :func:`rule_from_dict`) for the
scenario file.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import pandas as pd

from .exceptions import CityKitError
from .matrix import CityMatrix

__all__ = [
    "Audit",
    "AuditLine",
    "CoverageFloor",
    "EligibilityError",
    "ExcludeCapital",
    "MetropolisOnly",
    "PopulationFloor",
    "ProvincialCapitalsOnly",
    "RULES",
    "Veto",
    "apply_rules",
    "default_rules",
    "rule_from_dict",
    "rule_to_dict",
]


class EligibilityError(CityKitError, ValueError):
    """A rule is malformed, or the rules leave no candidate."""


def _flag(matrix: CityMatrix, column: str, rule: str) -> pd.Series:
    if column not in matrix.candidates.columns:
        raise EligibilityError(f"rule {rule!r} needs the candidate attribute {column!r}, which "
                               f"this matrix lacks (it has {list(matrix.candidates.columns)})")
    return matrix.candidates[column].fillna(False).astype(bool)


@dataclass(frozen=True)
class ExcludeCapital:
    """Exclude the national capital: pilots are meant to go to other metropolises."""

    name = "exclude-capital"

    def describe(self) -> str:
        return "the national capital is excluded (pilots go to other cities)"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        return ~_flag(matrix, "is_national_capital", self.name)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        return "national capital"


@dataclass(frozen=True)
class PopulationFloor:
    """Keep cities with at least `minimum` people (cities with unknown population are excluded)."""

    minimum: float
    name = "population-floor"

    def __post_init__(self) -> None:
        if not (isinstance(self.minimum, (int, float)) and self.minimum >= 0):
            raise EligibilityError(f"population floor must be a number >= 0, got {self.minimum!r}")

    def describe(self) -> str:
        return f"population of at least {self.minimum:,.0f}"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        if "population" not in matrix.candidates.columns:
            raise EligibilityError("rule 'population-floor' needs a 'population' attribute")
        population = pd.to_numeric(matrix.candidates["population"], errors="coerce")
        return population.ge(self.minimum).fillna(False).astype(bool)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        try:  # one scalar: pd.to_numeric on a Series per excluded city was the hot spot
            value = float(matrix.candidates.at[city, "population"])
        except (TypeError, ValueError):
            value = math.nan
        return "population unknown" if math.isnan(value) else \
            f"population {value:,.0f} < {self.minimum:,.0f}"


@dataclass(frozen=True)
class MetropolisOnly:
    """Keep only cities flagged as metropolises."""

    name = "metropolis-only"

    def describe(self) -> str:
        return "metropolises only"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        return _flag(matrix, "is_metropolis", self.name)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        return "not a metropolis"


@dataclass(frozen=True)
class ProvincialCapitalsOnly:
    """Keep only provincial capitals."""

    name = "provincial-capitals-only"

    def describe(self) -> str:
        return "provincial capitals only"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        return _flag(matrix, "is_provincial_capital", self.name)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        return "not a provincial capital"


@dataclass(frozen=True)
class CoverageFloor:
    """Keep cities with a value for at least `minimum` (a share, 0–1) of the criteria."""

    minimum: float
    name = "coverage-floor"

    def __post_init__(self) -> None:
        if not (isinstance(self.minimum, (int, float)) and 0 <= self.minimum <= 1):
            raise EligibilityError(f"coverage floor must be a share between 0 and 1, got "
                                   f"{self.minimum!r}")

    def describe(self) -> str:
        return f"values for at least {self.minimum:.0%} of the criteria"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        return matrix.values.notna().mean(axis=1) >= self.minimum

    def reason(self, matrix: CityMatrix, city: str) -> str:
        share = matrix.values.loc[city].notna().mean()
        return f"data for {share:.0%} of criteria < {self.minimum:.0%}"


@dataclass(frozen=True)
class Veto:
    """Exclude cities whose value of a critical criterion is on the wrong side of a threshold.

    ``Veto("census_unemployment_rate", above=25)`` excludes cities with more than 25 %
    unemployment; ``below=`` excludes values under the threshold. A city with no value for the
    criterion is excluded too (it cannot be shown to pass), with that reason.
    """

    criterion: str
    above: float | None = None
    below: float | None = None
    name = "veto"

    def __post_init__(self) -> None:
        if (self.above is None) == (self.below is None):
            raise EligibilityError(f"veto on {self.criterion!r} needs exactly one of above= or "
                                   "below=")

    def describe(self) -> str:
        side = f"above {self.above:g}" if self.above is not None else f"below {self.below:g}"
        return f"veto: {self.criterion} {side} excludes"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        if self.criterion not in matrix.values.columns:
            near = difflib.get_close_matches(self.criterion, list(matrix.values.columns), n=3)
            raise EligibilityError(f"veto on unknown criterion {self.criterion!r}"
                                   + (f"; closest: {near}" if near else ""))
        x = matrix.values[self.criterion]
        bad = x > self.above if self.above is not None else x < self.below
        return ~(bad | x.isna())

    def reason(self, matrix: CityMatrix, city: str) -> str:
        x = matrix.values.loc[city, self.criterion]
        if pd.isna(x):
            return f"no value for {self.criterion}"
        side = f"> {self.above:g}" if self.above is not None else f"< {self.below:g}"
        return f"{self.criterion} = {x:g} {side}"


RULES = {cls.name: cls for cls in (ExcludeCapital, PopulationFloor, MetropolisOnly,
                                    ProvincialCapitalsOnly, CoverageFloor, Veto)}


def rule_to_dict(rule) -> dict:
    """A rule as a plain dict, e.g. ``{"rule": "population-floor", "minimum": 500000}``."""
    return {"rule": rule.name, **asdict(rule)}


def rule_from_dict(spec: dict):
    """Build a rule from :func:`rule_to_dict` output.

    Examples
    --------
    >>> rule_from_dict({"rule": "population-floor", "minimum": 500000})
    PopulationFloor(minimum=500000)
    """
    spec = dict(spec)
    name = spec.pop("rule", None)
    if name not in RULES:
        near = difflib.get_close_matches(str(name), list(RULES), n=3)
        raise EligibilityError(f"unknown eligibility rule {name!r}; known: {sorted(RULES)}"
                               + (f"; closest: {near}" if near else ""))
    try:
        return RULES[name](**spec)
    except TypeError as err:
        raise EligibilityError(f"rule {name!r}: {err}") from None


def default_rules() -> list:
    """The default rules: exclude the national capital."""
    return [ExcludeCapital()]


@dataclass(frozen=True)
class AuditLine:
    """What one rule did: which candidates it excluded and why."""

    rule: str
    description: str
    excluded: tuple[tuple[str, str, str], ...]   # (id, name, reason)
    remaining: int

    def __str__(self) -> str:
        names = ", ".join(f"{name} ({reason})" for _, name, reason in self.excluded[:8])
        more = f" and {len(self.excluded) - 8} more" if len(self.excluded) > 8 else ""
        return (f"{self.rule}: {self.description}; excluded {len(self.excluded)}"
                + (f": {names}{more}" if self.excluded else "") + f"; {self.remaining} remain")


@dataclass(frozen=True)
class Audit:
    """The audit trail of eligibility: one line per rule, in the order applied."""

    lines: tuple[AuditLine, ...] = field(default_factory=tuple)
    start: int = 0

    def __str__(self) -> str:
        return "\n".join([f"{self.start} candidates before eligibility rules"]
                         + [str(line) for line in self.lines])

    def excluded(self) -> pd.DataFrame:
        """Every excluded candidate with the rule and the reason."""
        rows = [(cid, name, line.rule, reason) for line in self.lines
                for cid, name, reason in line.excluded]
        return pd.DataFrame(rows, columns=["id", "name", "rule", "reason"])


def apply_rules(matrix: CityMatrix, rules: Sequence | None = None, *,
                require: int = 1) -> tuple[CityMatrix, Audit]:
    """Apply eligibility rules in order; return the eligible matrix and its audit.

    Parameters
    ----------
    matrix : CityMatrix
    rules : sequence of rules, optional
        Default :func:`default_rules` (exclude the national capital). Pass ``[]`` for none.
    require : int, default 1
        Fewest candidates that must remain; fewer raises :class:`EligibilityError` naming the
        rule that emptied the list.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> m = CityMatrix.from_dataset(load_dataset("iran"), indicators=["census_urban_share"])
    >>> eligible, audit = apply_rules(m, [ExcludeCapital(), MetropolisOnly()])
    >>> sorted(eligible.names())
    ['Isfahan', 'Karaj', 'Mashhad', 'Shiraz', 'Tabriz']
    >>> print(audit.lines[0])
    exclude-capital: the national capital is excluded (pilots go to other cities); excluded 1: Tehran (national capital); 424 remain
    """
    rules = default_rules() if rules is None else list(rules)
    names = matrix.names()
    current, lines = matrix, []
    for rule in rules:
        keep = rule.mask(current).reindex(current.values.index).fillna(False).astype(bool)
        out = current.values.index[~keep.to_numpy()]
        excluded = tuple((cid, str(names[cid]), rule.reason(current, cid)) for cid in out)
        current = current.take(current.values.index[keep.to_numpy()],
                               note=f"eligibility: {rule.describe()} (excluded {len(out)})")
        lines.append(AuditLine(rule.name, rule.describe(), excluded, current.shape[0]))
        if current.shape[0] < require:
            raise EligibilityError(
                f"after rule {rule.name!r} ({rule.describe()}) only {current.shape[0]} "
                f"candidates remain; at least {require} needed. Relax the rules.\n"
                + str(Audit(tuple(lines), matrix.shape[0])))
    return current, Audit(tuple(lines), matrix.shape[0])

