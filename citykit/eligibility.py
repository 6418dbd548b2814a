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
    "CentreCores",
    "CoverageFloor",
    "DEFAULT_PRESET",
    "EligibilityError",
    "ExcludeCapital",
    "ExcludeCapitalArea",
    "MetropolisOnly",
    "PRESETS",
    "PopulationFloor",
    "ProvincialCapitalsOnly",
    "RULES",
    "Veto",
    "apply_rules",
    "default_rules",
    "preset_of",
    "preset_rules",
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
class ExcludeCapitalArea:
    """Exclude the towns of the capital's county and urban centre: they are its suburbs.

    Satellite towns share the capital's county values and its urban centre, so as candidates
    they would only repeat the capital's numbers. A provincial capital (Karaj, in the capital's
    urban centre) is a city in its own right and stays. Needs the candidate attribute
    ``in_capital_area`` (see :meth:`citykit.data.Dataset.capital_area`).
    """

    name = "exclude-capital-area"

    def describe(self) -> str:
        return ("towns in the capital's county or urban centre are excluded (except provincial "
                "capitals)")

    def mask(self, matrix: CityMatrix) -> pd.Series:
        return ~_flag(matrix, "in_capital_area", self.name)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        return "in the capital's county or urban centre"


@dataclass(frozen=True)
class CentreCores:
    """One candidate per urban centre: keep core cities and provincial capitals.

    A centre (a functional city that may hold several municipalities) is represented by its
    core city, which takes the centre's values and lists the other towns; a member town is not a
    separate candidate. Provincial capitals stay even inside another city's centre. Cities
    outside every centre are excluded: they are below the urban-centre threshold.
    """

    name = "centre-cores"

    def describe(self) -> str:
        return "urban-centre core cities and provincial capitals only"

    def mask(self, matrix: CityMatrix) -> pd.Series:
        if "centre_role" not in matrix.candidates.columns or \
                matrix.candidates["centre_role"].isna().all():
            raise EligibilityError(f"rule {self.name!r} needs the candidate attribute "
                                   "'centre_role' (core or member of an urban centre), which "
                                   "this matrix lacks (a dataset without urban centres); use "
                                   "another candidate preset, e.g. 'provincial-capitals' or "
                                   "'all-cities' with a population floor")
        core = matrix.candidates["centre_role"].astype("string").eq("core").fillna(False)
        return core.astype(bool) | _flag(matrix, "is_provincial_capital", self.name)

    def reason(self, matrix: CityMatrix, city: str) -> str:
        role = matrix.candidates.at[city, "centre_role"]
        return "member town of another city's urban centre" if str(role) == "member" else \
            "outside every urban centre"


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


RULES = {cls.name: cls for cls in (ExcludeCapital, ExcludeCapitalArea, PopulationFloor,
                                    MetropolisOnly, ProvincialCapitalsOnly, CentreCores,
                                    CoverageFloor, Veto)}

#: Named candidate sets, each a chain of rules (what ``--candidates`` and the app offer). The
#: population floor of ``urban-centres`` is its default; ``--min-population`` sets any preset's.
PRESETS: dict[str, tuple[dict, ...]] = {
    "metropolises": ({"rule": "exclude-capital"}, {"rule": "exclude-capital-area"},
                     {"rule": "metropolis-only"}),
    "provincial-capitals": ({"rule": "exclude-capital"}, {"rule": "provincial-capitals-only"}),
    "urban-centres": ({"rule": "exclude-capital"}, {"rule": "exclude-capital-area"},
                      {"rule": "centre-cores"}, {"rule": "population-floor", "minimum": 100_000}),
    "all-cities": ({"rule": "exclude-capital"},),
}
#: The default candidates: the metropolises other than the capital (the working group's ask).
DEFAULT_PRESET = "metropolises"


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


def preset_rules(name: str, *, min_population: float | None = None) -> tuple[dict, ...]:
    """The rules of a candidate preset, as dicts, with an optional population floor.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`.
    min_population : float, optional
        Replaces the preset's population floor (or adds one); ``0`` removes it.

    Examples
    --------
    >>> preset_rules("metropolises")
    ({'rule': 'exclude-capital'}, {'rule': 'exclude-capital-area'}, {'rule': 'metropolis-only'})
    >>> preset_rules("all-cities", min_population=50_000)[-1]
    {'rule': 'population-floor', 'minimum': 50000}
    >>> preset_rules("metropolis")
    Traceback (most recent call last):
    ...
    citykit.eligibility.EligibilityError: unknown candidate preset 'metropolis'; ...
    """
    if name not in PRESETS:
        near = difflib.get_close_matches(str(name), list(PRESETS), n=1)
        raise EligibilityError(f"unknown candidate preset {name!r}; known: {list(PRESETS)}"
                               + (f"; did you mean {near[0]!r}?" if near else "")
                               + ". Fix: pick one of the presets, or write eligibility rules "
                                 "in a scenario file.")
    rules = [dict(r) for r in PRESETS[name]]
    if min_population is not None:
        PopulationFloor(min_population)  # validates the number
        rules = [r for r in rules if r["rule"] != "population-floor"]
        if min_population > 0:
            rules.append({"rule": "population-floor", "minimum": min_population})
    return tuple(rules)


def preset_of(rules) -> tuple[str | None, float | None]:
    """Which preset a rule chain is, and its population floor: ``(None, None)`` if none.

    The capital rule and the population floor are set apart (the app has a switch and a box
    for them), so a preset with the capital kept in is still that preset.

    Examples
    --------
    >>> preset_of(preset_rules("urban-centres", min_population=250_000))
    ('urban-centres', 250000)
    >>> preset_of([{"rule": "exclude-capital"}, {"rule": "veto", "criterion": "x", "above": 1}])
    (None, None)
    """
    rules = [dict(r) for r in rules]
    floors = [r.get("minimum") for r in rules if r.get("rule") == "population-floor"]
    if len(floors) > 1:
        return None, None
    apart = ("population-floor", "exclude-capital")
    rest = [r for r in rules if r.get("rule") not in apart]
    for name, chain in PRESETS.items():
        if rest == [r for r in chain if r["rule"] not in apart]:
            return name, floors[0] if floors else None
    return None, None


def default_rules() -> list:
    """The default rules: the metropolises other than the capital (:data:`DEFAULT_PRESET`)."""
    return [rule_from_dict(r) for r in PRESETS[DEFAULT_PRESET]]


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
        Default :func:`default_rules` (the ``metropolises`` preset: the metropolises other
        than the capital, without the towns of the capital's county or urban centre). Pass
        ``[]`` for none.
    require : int, default 1
        Fewest candidates that must remain; fewer raises :class:`EligibilityError` naming the
        rule that emptied the list.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> m = CityMatrix.from_dataset(load_dataset("iran"), indicators=["census_urban_share"])
    >>> eligible, audit = apply_rules(m, [ExcludeCapital(), MetropolisOnly()])
    >>> sorted(eligible.names())
    ['Ahvaz', 'Isfahan', 'Karaj', 'Kermanshah', 'Mashhad', 'Qom', 'Shiraz', 'Tabriz']
    >>> print(audit.lines[0])
    exclude-capital: the national capital is excluded (pilots go to other cities); excluded 1: Tehran (national capital); 413 remain
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
                f"candidates remain; at least {require} needed. Relax the rules, or choose "
                f"another candidate preset ({', '.join(PRESETS)}; `--candidates` on the "
                f"command line): a dataset marks metropolises in cities.is_metropolis.\n"
                + str(Audit(tuple(lines), matrix.shape[0])),
                code="too_few_eligible",
                params={"rule": rule.name, "n": int(current.shape[0]), "need": int(require)})
    return current, Audit(tuple(lines), matrix.shape[0])

