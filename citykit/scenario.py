"""The Scenario: one value that names every choice of a ranking, serialises to JSON, re-runs exactly.

The app's state, the CLI's input and every export's manifest are a :class:`Scenario`. Running it
(:func:`run`) goes dataset → framework → CityMatrix → eligibility → missing data → normalisation →
weights → aggregation, and returns a :class:`Result` holding the ranking and the audit of every
step.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .data import Dataset, load_dataset
from .eligibility import DEFAULT_PRESET, Audit, apply_rules, preset_of, preset_rules, rule_from_dict
from .exceptions import CityKitError
from .frameworks import Framework, load_framework
from .impute import MissingReport, handle_missing
from .matrix import CityMatrix
from .ranking import Ranking, rank
from .robustness import DEFAULTS as ROBUSTNESS_DEFAULTS

__all__ = ["Result", "Scenario", "ScenarioError", "check_paths", "check_scenario_targets",
           "dataset_fingerprint", "run"]

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
        Rules as dicts (see :func:`citykit.eligibility.rule_to_dict`); default: the
        ``metropolises`` preset (:data:`citykit.eligibility.PRESETS`): the metropolises other
        than the capital, without the towns of the capital's county or urban centre.
    missing : str or tuple
        Missing-data policy or chain of steps (see :func:`citykit.impute.handle_missing`);
        default ``median``: a criterion a candidate lacks (Karaj has no urban centre of its own,
        so no centre values) takes the median of the other candidates, flagged ``imputed``.
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
    shortlist : dict, optional
        Shortlist constraints (:meth:`citykit.shortlist.Constraints.to_dict`).
    dataset_sha256 : str, optional
        The dataset's fingerprint (:func:`dataset_fingerprint`); when set, :func:`run` refuses
        data that changed since (see :meth:`pin_dataset`).

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
    eligibility: tuple[dict, ...] = field(default_factory=lambda: preset_rules(DEFAULT_PRESET))
    missing: str | tuple = "median"
    normalisation: str | None = None
    normalisation_params: dict = field(default_factory=dict)
    weights: str | dict = "framework"
    normalise_weights: bool = False
    method: str = "wsum"
    method_params: dict = field(default_factory=dict)
    robustness: dict = field(default_factory=lambda: dict(ROBUSTNESS_DEFAULTS))
    shortlist: dict | None = None
    dataset_sha256: str | None = None

    def to_dict(self) -> dict:
        """Plain JSON-ready dict, with the schema and the citykit version."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return {"schema": SCHEMA, "citykit_version": __version__, **data}

    def to_json(self, path: str | Path | None = None) -> str:
        """Serialise (and write to `path` if given, atomically: a temporary file, then rename)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False)
        if path is not None:
            path = Path(path)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or ".",
                                             prefix=f".{path.name}.", delete=False) as handle:
                handle.write(text + "\n")
            os.replace(handle.name, path)
        return text

    @property
    def candidate_preset(self) -> str | None:
        """The candidate preset the eligibility rules amount to, or None for custom rules.

        Examples
        --------
        >>> Scenario().candidate_preset
        'metropolises'
        """
        return preset_of(self.eligibility)[0]

    def pin_dataset(self) -> Scenario:
        """A copy that records the dataset's fingerprint, so a re-run on changed data fails.

        Examples
        --------
        >>> Scenario().pin_dataset().dataset_sha256 == dataset_fingerprint("iran")
        True
        """
        return replace(self, dataset_sha256=dataset_fingerprint(self.dataset))

    @classmethod
    def from_dict(cls, data: dict, *, workspace: str | os.PathLike | None = None) -> Scenario:
        """Build from :meth:`to_dict` output; unknown keys are an error, not ignored.

        Parameters
        ----------
        data : dict
        workspace : path-like, optional
            When given, the ``dataset`` and ``framework`` paths must stay inside it (see
            :func:`check_paths`).

        Raises
        ------
        ScenarioError
            For a value that is not a JSON object, an unknown schema or key, a value of the wrong
            type, or (with `workspace`) a path outside the allowed folders.

        Examples
        --------
        >>> Scenario.from_dict({"method": "topsis", "wieghts": "equal"})
        Traceback (most recent call last):
        ...
        citykit.scenario.ScenarioError: unknown scenario keys ['wieghts']; ...
        """
        if not isinstance(data, dict):
            raise ScenarioError(f"a scenario must be a JSON object of settings, got "
                                f"{type(data).__name__}. Fix: start from `citykit scenario new "
                                "--out FILE.json` and edit it.")
        data = dict(data)
        schema = data.pop("schema", SCHEMA)
        data.pop("citykit_version", None)
        if schema != SCHEMA:
            raise ScenarioError(f"unknown scenario schema {schema!r}; expected {SCHEMA!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            near = {k: difflib.get_close_matches(k, sorted(known), n=1) for k in unknown}
            hints = "; ".join(f"{k!r} -> {v[0]!r}?" for k, v in near.items() if v)
            raise ScenarioError(f"unknown scenario keys {unknown}; known keys: {sorted(known)}"
                                + (f". Did you mean: {hints}" if hints else "")
                                + ". Fix: rename or remove them (unknown keys are never "
                                  "ignored, so a typo cannot silently drop a choice).")
        _check_types(data)
        for key in ("indicators", "candidates", "eligibility"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        if isinstance(data.get("missing"), list):
            data["missing"] = tuple(data["missing"])
        scenario = cls(**data)
        if workspace is not None:
            check_paths(scenario, workspace)
        return scenario

    @classmethod
    def from_json(cls, text_or_path: str | Path, *,
                  workspace: str | os.PathLike | None = None) -> Scenario:
        """Read a scenario from JSON text or a ``.json`` file.

        With `workspace`, the scenario's ``dataset`` and ``framework`` must be bundled names or
        paths inside the workspace or the bundled ``datasets/`` folder (:func:`check_paths`);
        ``citykit validate`` uses the current directory as the workspace.

        Examples
        --------
        >>> Scenario.from_json('{"dataset": "../../etc"}', workspace=".")
        Traceback (most recent call last):
        ...
        citykit.scenario.ScenarioError: scenario 'dataset' path '../../etc' resolves to ...
        """
        text = str(text_or_path)
        if not text.lstrip().startswith(("{", "[")):
            from .data import check_file_size
            from .exceptions import DataValidationError

            path = Path(text_or_path)
            try:
                check_file_size(path)
                text = path.read_bytes().decode("utf-8-sig")
            except DataValidationError as err:
                raise ScenarioError(str(err.problems[0])) from None
            except UnicodeDecodeError as err:
                raise ScenarioError(f"{path.name} is not UTF-8 text (byte {err.start}: "
                                    f"{err.reason}). Fix: save it as UTF-8.") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ScenarioError(f"scenario is not valid JSON: {err}. Fix: check commas, quotes "
                                "and brackets near that position.") from None
        except RecursionError:
            raise ScenarioError("scenario JSON is nested too deeply to be a scenario. Fix: "
                                "start from `citykit scenario new --out FILE.json`.") from None
        return cls.from_dict(data, workspace=workspace)

    def with_(self, **changes: Any) -> Scenario:
        """A copy with some choices changed."""
        return replace(self, **changes)


#: Accepted JSON types of each scenario key (None allowed where the default is None).
_TYPES = {
    "dataset": (str,), "framework": (str, type(None)), "indicators": (list, tuple, type(None)),
    "year": (int, str), "candidates": (list, tuple, type(None)), "eligibility": (list, tuple),
    "missing": (str, list, tuple, dict), "normalisation": (str, type(None)),
    "normalisation_params": (dict,), "weights": (str, dict), "normalise_weights": (bool,),
    "method": (str,), "method_params": (dict,), "robustness": (dict,),
    "shortlist": (dict, type(None)), "dataset_sha256": (str, type(None)),
}


def _check_types(data: dict) -> None:
    wrong = [f"{key!r} must be {' or '.join(t.__name__ for t in _TYPES[key])}, got "
             f"{type(value).__name__} {value!r}"[:200]
             for key, value in data.items()
             if key in _TYPES and (not isinstance(value, _TYPES[key])
                                   or (isinstance(value, bool) and bool not in _TYPES[key]))]
    if isinstance(data.get("year"), str) and data["year"] != "latest":
        wrong.append(f"'year' must be a year or 'latest', got {data['year']!r}")
    for key in ("indicators", "candidates"):
        if isinstance(data.get(key), (list, tuple)) and not all(
                isinstance(v, str) for v in data[key]):
            wrong.append(f"{key!r} must be a list of text ids, got {data[key]!r}"[:200])
    if isinstance(data.get("eligibility"), (list, tuple)) and not all(
            isinstance(v, dict) for v in data["eligibility"]):
        wrong.append("'eligibility' must be a list of rule objects such as "
                     "{\"rule\": \"exclude-capital\"}")
    if wrong:
        raise ScenarioError("invalid scenario: " + "; ".join(wrong)
                            + ". Fix: give each setting the type `citykit scenario new` writes.")


def check_paths(scenario: Scenario, workspace: str | os.PathLike) -> None:
    """Refuse a scenario whose dataset or framework path leads outside the allowed folders.

    The rule: ``dataset`` and ``framework`` are either a bundled name (``"iran"``,
    ``"iran_national"``) or a path. A relative path is read from `workspace`; after resolving
    ``..`` and symbolic links it must lie inside `workspace` or inside the bundled datasets
    folder (:func:`citykit.data.datasets_root`, which holds the bundled frameworks too). So a
    scenario received from someone else cannot make citykit read ``../../etc`` or any absolute
    path elsewhere on the machine.

    Raises
    ------
    ScenarioError
        Naming the key, the path, where it resolves to and the allowed folders.

    Examples
    --------
    >>> check_paths(Scenario(), ".")   # bundled names are always allowed
    >>> check_paths(Scenario(framework="/etc/passwd"), ".")
    Traceback (most recent call last):
    ...
    citykit.scenario.ScenarioError: scenario 'framework' path '/etc/passwd' resolves to ...
    """
    from .data import bundled_datasets, datasets_root
    from .frameworks import bundled_frameworks

    root = Path(workspace).resolve()
    allowed = (root, datasets_root().resolve())
    bundled = {"dataset": bundled_datasets(), "framework": bundled_frameworks()}
    for key in ("dataset", "framework"):
        value = getattr(scenario, key)
        if value is None or value in bundled[key]:
            continue
        target = Path(value)
        resolved = (target if target.is_absolute() else root / target).resolve()
        if not any(resolved == base or base in resolved.parents for base in allowed):
            raise ScenarioError(
                f"scenario {key!r} path {value!r} resolves to {str(resolved)!r}, outside the "
                f"workspace {str(root)!r} and the bundled datasets folder; a scenario may only "
                f"name a bundled {key} ({bundled[key]}) or a path inside those folders. Fix: "
                f"copy the {key} into the workspace and give its relative path.")


def dataset_fingerprint(source) -> str:
    """SHA-256 of a dataset folder's ``checksums.sha256`` (so of every file it seals).

    Raises
    ------
    ScenarioError
        If the dataset has no checksum manifest to fingerprint.
    """
    from .data import _resolve
    from .integrity import MANIFEST_NAME, file_sha256

    path = _resolve(source)
    manifest = path / MANIFEST_NAME if path.is_dir() else None
    if manifest is None or not manifest.exists():
        raise ScenarioError(f"dataset {str(source)!r} has no {MANIFEST_NAME} to pin; seal it "
                            "first with `citykit checksums`")
    return file_sha256(manifest)


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

    def weight_by_provenance(self) -> pd.DataFrame:
        """Per ranked candidate, the share of its ranking weight on each kind of value.

        Columns ``city-level`` (measured for the city, or for the urban centre it is the core
        of), ``proxy`` (county or province values), ``imputed`` and ``missing``; rows sum to 1.
        See :meth:`citykit.matrix.CityMatrix.weight_by_provenance`.
        """
        return self.ranking.matrix.weight_by_provenance(self.ranking.weights)

    def city_level_share(self) -> float:
        """Share of the ranking weight resting on city-level values, averaged over candidates.

        Examples
        --------
        >>> share = run(Scenario()).city_level_share()
        >>> 0.4 <= share <= 1
        True
        """
        return float(self.weight_by_provenance()["city-level"].mean())


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
    if scenario.dataset_sha256 is not None:
        found = dataset_fingerprint(scenario.dataset)
        if found != scenario.dataset_sha256:
            raise ScenarioError(
                f"dataset {scenario.dataset!r} has changed since the scenario was saved "
                f"(fingerprint {scenario.dataset_sha256[:12]}…, now {found[:12]}…); restore the "
                "data, or re-pin the scenario knowingly with Scenario.pin_dataset()")
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


def check_scenario_targets(scenario: Scenario) -> list[str]:
    """What a scenario names but cannot be found: its dataset and framework (empty when found).

    Cheap enough for ``citykit validate``: names are looked up among the bundled ones and paths
    are checked to exist; nothing is loaded.

    Examples
    --------
    >>> check_scenario_targets(Scenario())
    []
    >>> check_scenario_targets(Scenario(dataset="atlantis"))[0]
    "scenario 'dataset' 'atlantis' is neither a bundled dataset (['iran']) nor an existing path. Fix: give a bundled name or the path of a dataset folder, .xlsx workbook or .gpkg."
    """
    from .data import bundled_datasets
    from .frameworks import bundled_frameworks

    found = []
    for key, names, kinds in (("dataset", bundled_datasets(),
                               "a dataset folder, .xlsx workbook or .gpkg"),
                              ("framework", bundled_frameworks(), "a framework .yaml file")):
        value = getattr(scenario, key)
        if value is None or value in names or Path(value).exists():
            continue
        found.append(f"scenario {key!r} {value!r} is neither a bundled {key} ({names}) nor an "
                     f"existing path. Fix: give a bundled name or the path of {kinds}.")
    return found
