"""The Scenario: one value that names every choice of a ranking, serialises to JSON, re-runs exactly.

The app's state, the CLI's input and every export's manifest are a :class:`Scenario`. Running it
(:func:`run`) goes dataset → framework → CityMatrix → eligibility → missing data → normalisation →
weights → aggregation, and returns a :class:`Result` holding the ranking and the audit of every
step.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import __version__
from .data import Dataset, load_dataset
from .eligibility import Audit, apply_rules, rule_from_dict
from .exceptions import CityKitError
from .frameworks import Framework, load_framework
from .impute import MissingReport, handle_missing
from .matrix import CityMatrix
from .ranking import Ranking, rank
from .robustness import DEFAULTS as ROBUSTNESS_DEFAULTS

__all__ = ["Result", "Scenario", "ScenarioError", "run"]

SCHEMA = "citykit.scenario/1"


class ScenarioError(CityKitError, ValueError):
    """A scenario file or value is malformed."""


@dataclass(frozen=True)
class Scenario:
    """Every choice behind a ranking.

    Attributes
    ----------
    dataset : str
        Bundled dataset name or path.
    framework : str or None
        Bundled framework id or YAML path; None ranks ``indicators`` directly.
    indicators : tuple of str, optional
        Criteria when there is no framework (default: all of the dataset's indicators).
    year : int or "latest"
    candidates : tuple of str, optional
        Restrict to these city ids before the eligibility rules.
    eligibility : tuple of dict
        Rules as dicts (see :func:`citykit.eligibility.rule_to_dict`); default excludes the
        national capital.
    missing : str or tuple
        Missing-data policy or chain of steps (see :func:`citykit.impute.handle_missing`).
    normalisation : str, optional
        Default: the method's usual normalisation.
    normalisation_params, method_params : dict
    weights : str or dict
        ``"framework"``, ``"equal"``, ``"entropy"``, ``"critic"``, ``"pca"`` or
        ``{criterion: weight}``.
    normalise_weights : bool
        Explicitly rescale weights that do not sum to 1.
    method : str
        ``wsum``, ``geometric``, ``topsis``, ``vikor`` or ``promethee2``.
    robustness : dict
        Settings of :func:`citykit.robustness.robustness`: ``draws``, ``concentration`` (None =
        uniform weights), ``top_k``, ``seed``, optionally ``bounds`` and ``chunk_size``;
        default :data:`citykit.robustness.DEFAULTS`.

    Examples
    --------
    >>> s = Scenario(method="topsis")
    >>> Scenario.from_json(s.to_json()) == s
    True
    """

    dataset: str = "iran"
    framework: str | None = "iran_national"
    indicators: tuple[str, ...] | None = None
    year: int | str = "latest"
    candidates: tuple[str, ...] | None = None
    eligibility: tuple[dict, ...] = ({"rule": "exclude-capital"},)
    missing: str | tuple = "none"
    normalisation: str | None = None
    normalisation_params: dict = field(default_factory=dict)
    weights: str | dict = "framework"
    normalise_weights: bool = False
    method: str = "wsum"
    method_params: dict = field(default_factory=dict)
    robustness: dict = field(default_factory=lambda: dict(ROBUSTNESS_DEFAULTS))

    def to_dict(self) -> dict:
        """Plain JSON-ready dict, with the schema and the citykit version."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return {"schema": SCHEMA, "citykit_version": __version__, **data}

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise (and write to `path` if given)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: dict) -> Scenario:
        """Build from :meth:`to_dict` output; unknown keys are an error, not ignored."""
        data = dict(data)
        schema = data.pop("schema", SCHEMA)
        data.pop("citykit_version", None)
        if schema != SCHEMA:
            raise ScenarioError(f"unknown scenario schema {schema!r}; expected {SCHEMA!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScenarioError(f"unknown scenario keys {unknown}; known keys: {sorted(known)}")
        for key in ("indicators", "candidates", "eligibility"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        if isinstance(data.get("missing"), list):
            data["missing"] = tuple(data["missing"])
        return cls(**data)

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> Scenario:
        """Read a scenario from JSON text or a ``.json`` file."""
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as err:
            raise ScenarioError(f"scenario is not valid JSON: {err}") from None

    def with_(self, **changes: Any) -> Scenario:
        """A copy with some choices changed."""
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class Result:
    """A scenario's outcome: the ranking and the trail of every step before it."""

    scenario: Scenario
    dataset: Dataset
    framework: Framework | None
    matrix: CityMatrix
    audit: Audit
    missing: MissingReport
    ranking: Ranking


def run(scenario: Scenario, *, dataset: Dataset | None = None,
        framework: Framework | None = None) -> Result:
    """Run a scenario from its dataset to its ranking.

    `dataset` and `framework` may be passed already loaded (the app caches them); they must be
    the ones the scenario names.

    Examples
    --------
    >>> result = run(Scenario(method="topsis"))
    >>> "112931" in result.ranking.scores.index      # Tehran is excluded by default
    False
    """
    dataset = dataset if dataset is not None else load_dataset(scenario.dataset)
    if framework is None and scenario.framework is not None:
        framework = load_framework(scenario.framework, dataset=dataset)
    indicators = list(scenario.indicators) if scenario.indicators else None
    matrix = CityMatrix.from_dataset(dataset, framework, indicators=indicators,
                                     year=scenario.year)
    if scenario.candidates:
        matrix = matrix.take(scenario.candidates, note=f"candidates: {len(scenario.candidates)} "
                                                       "chosen")
    rules = [rule_from_dict(r) for r in scenario.eligibility]
    eligible, audit = apply_rules(matrix, rules, require=2)
    complete, missing = handle_missing(eligible, scenario.missing)
    ranking = rank(complete, method=scenario.method, normalisation=scenario.normalisation,
                   weights=scenario.weights, framework=framework,
                   normalise_weights=scenario.normalise_weights,
                   normalisation_params=scenario.normalisation_params,
                   method_params=scenario.method_params)
    return Result(scenario, dataset, framework, matrix, audit, missing, ranking)
