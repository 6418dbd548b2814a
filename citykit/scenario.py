"""The Scenario: one value that names every choice of a ranking, serialises to JSON, re-runs exactly.

The app's state, the CLI's input and every export's manifest are a :class:`Scenario`. Running it
(:func:`run`) goes dataset → framework → CityMatrix → eligibility → missing data → normalisation →
weights → aggregation, and returns a :class:`Result` holding the ranking and the audit of every
step.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .data import Dataset, load_dataset
from .eligibility import (
    DEFAULT_PRESET,
    RULES,
    Audit,
    apply_rules,
    preset_of,
    preset_rules,
    rule_from_dict,
)
from .exceptions import CityKitError, short_repr
from .frameworks import Framework, load_framework
from .impute import POLICIES as MISSING_POLICIES
from .impute import MissingReport, handle_missing
from .matrix import CityMatrix
from .ranking import Ranking, rank
from .robustness import DEFAULTS as ROBUSTNESS_DEFAULTS

__all__ = ["BOUNDS", "Result", "Scenario", "ScenarioError", "check_paths",
           "check_robustness_settings", "check_scenario_targets", "dataset_fingerprint", "run"]

SCHEMA = "citykit.scenario/1"

#: The allowed range of every bounded scenario setting, ``key: (low, high)``, both inclusive.
#: The one source of these limits: :meth:`Scenario.from_dict` (so the app's link and scenario
#: file, the CLI and :func:`citykit.robustness.robustness`) refuses a value outside them with a
#: :class:`ScenarioError` that names the key, the range and the value. Entries:
#:
#: - ``robustness.*``: the draw settings. ``draws`` is capped so that one link cannot cost more
#:   than seconds of CPU (the Robustness page offers the same 100,000); ``chunk_size`` (draws
#:   scored per batch) is also capped, with ``robustness.chunk_cells`` (chunk size x number of
#:   candidates, checked when the candidates are known) bounding a batch's memory;
#:   ``concentration`` must be above 0 (``inf`` = no spread; None = uniform draws); ``seed`` stays
#:   an integer any JSON reader holds exactly (2**53 - 1).
#: - ``year``: a data year (or ``"latest"``).
#: - ``candidates``, ``indicators``, ``eligibility``, ``missing``, ``weights``: how many items
#:   the list (rules, missing-data steps, criterion weights) may hold.
#: - ``dataset``, ``framework``: characters of a name or path (NUL is never allowed).
#: - ``nesting`` and ``items``: how deep and how large any setting that holds a JSON object
#:   (``method_params``, ``normalisation_params``, ``weights``, ``robustness``, ``shortlist``,
#:   ``missing``) may be; every number in it must be finite.
BOUNDS: dict[str, tuple[float, float]] = {
    "robustness.draws": (1, 100_000),
    "robustness.chunk_size": (1, 10_000),
    "robustness.chunk_cells": (1, 2**24),
    "robustness.top_k": (1, 10_000),
    "robustness.concentration": (0.0, math.inf),  # 0 itself excluded
    "robustness.seed": (0, 2**53 - 1),
    "year": (1900, 2100),
    "candidates": (0, 10_000),
    "indicators": (0, 1_000),
    "eligibility": (0, 50),
    "missing": (1, 50),
    "weights": (1, 1_000),
    "dataset": (1, 4_096),
    "framework": (1, 4_096),
    "nesting": (0, 8),
    "items": (0, 10_000),
}
#: Settings of ``Scenario.robustness`` (see :func:`citykit.robustness.robustness`).
ROBUSTNESS_KEYS = ("draws", "concentration", "top_k", "seed", "bounds", "chunk_size")
#: Parameters a missing-data step may carry (see :func:`citykit.impute.handle_missing`).
_MISSING_PARAMS = {"min_coverage", "k"}

def _short(value) -> str:
    """A repr of bounded length and depth (never recurses into deep values)."""
    return short_repr(value, limit=80)


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

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        _check_shapes(values)
        _check_types(values)
        _check_bounds(values)

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
            type, a value outside its :data:`BOUNDS`, an unknown eligibility rule or missing-data
            policy, or (with `workspace`) a path outside the allowed folders.

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
        _check_shapes(data)
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
             f"{type(value).__name__} {_short(value)}"[:200]
             for key, value in data.items()
             if key in _TYPES and (not isinstance(value, _TYPES[key])
                                   or (isinstance(value, bool) and bool not in _TYPES[key]))]
    if isinstance(data.get("year"), str) and data["year"] != "latest":
        wrong.append(f"'year' must be a year or 'latest', got {_short(data['year'])}")
    for key in ("indicators", "candidates"):
        if isinstance(data.get(key), (list, tuple)) and not all(
                isinstance(v, str) for v in data[key]):
            wrong.append(f"{key!r} must be a list of text ids, got {_short(data[key])}"[:200])
    if isinstance(data.get("eligibility"), (list, tuple)) and not all(
            isinstance(v, dict) for v in data["eligibility"]):
        wrong.append("'eligibility' must be a list of rule objects such as "
                     "{\"rule\": \"exclude-capital\"}")
    if wrong:
        raise ScenarioError("invalid scenario: " + "; ".join(wrong)
                            + ". Fix: give each setting the type `citykit scenario new` writes.")


def _range(key: str) -> str:
    low, high = BOUNDS[key]
    return f"from {low} to {high}" if key == "year" else f"from {low:,} to {high:,}"


def _shown(value) -> str:
    return f"{value:,}" if _whole(value) and abs(value) >= 10_000 else _short(value)


def _out_of_range(key: str, what: str, value) -> str:
    return f"{key!r} must be {what} {_range(key)}; got {_shown(value)}"


def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _in(key: str, value) -> bool:
    low, high = BOUNDS[key]
    return low <= value <= high


def _walk(value, limit_depth: int, limit_items: int) -> tuple[str | None, str | None]:
    """(size problem, first non-finite number) of a JSON-like value, found without recursion."""
    stack, items = [(value, 0, "")], 0
    bad_number = None
    while stack:
        item, depth, where = stack.pop()
        if depth > limit_depth:
            return f"nested more than {limit_depth} levels deep", bad_number
        if isinstance(item, dict):
            items += len(item)
            children = [(v, depth + 1, f"{where}.{k}" if isinstance(k, str) else where)
                        for k, v in item.items()]
        elif isinstance(item, (list, tuple)):
            items += len(item)
            children = [(v, depth + 1, f"{where}[{i}]") for i, v in enumerate(item)]
        else:
            if bad_number is None and isinstance(item, float) and not math.isfinite(item):
                bad_number = f"{item!r} at {where.lstrip('.') or 'the top'}"
            continue
        if items > limit_items:
            return f"holds more than {limit_items:,} items", bad_number
        stack.extend(children)
    return None, bad_number


#: Settings whose value may be a nested JSON value, checked for depth, size and finite numbers.
_NESTED = ("candidates", "indicators", "eligibility", "missing", "normalisation_params",
           "weights", "method_params", "robustness", "shortlist")


def _check_shapes(data: dict) -> None:
    """Lengths, depth and size of every list or object, before anything else looks inside them.

    A scenario from a link or a file is someone else's data: a 10,000-deep list or a
    100,000-item dict must be a clear error, never a RecursionError or minutes of work.
    """
    wrong = []
    for key in ("candidates", "indicators", "eligibility", "missing", "weights"):
        value = data.get(key)
        if isinstance(value, (list, tuple, dict)) and not _in(key, len(value)):
            what = {"eligibility": "a number of rules", "missing": "a number of steps",
                    "weights": "a number of criteria"}.get(key, "a number of ids")
            wrong.append(f"{key!r} must hold {what} {_range(key)}; got {len(value):,}")
    if wrong:
        raise ScenarioError("invalid scenario: " + "; ".join(wrong) + ".")
    depth, items = BOUNDS["nesting"][1], BOUNDS["items"][1]
    for key in _NESTED:
        value = data.get(key)
        if key == "robustness" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "concentration"}  # inf is allowed
        if not isinstance(value, (list, tuple, dict)):
            continue
        problem, bad_number = _walk(value, depth, items)
        if problem:
            wrong.append(f"{key!r} is {problem} (limits: {depth} levels, {items:,} items)")
        elif bad_number:
            wrong.append(f"{key!r} holds a number that is not finite: {bad_number}")
    if wrong:
        raise ScenarioError("invalid scenario: " + "; ".join(wrong)
                            + ". Fix: start from `citykit scenario new --out FILE.json`.")


def _rule_problem(index: int, rule: dict) -> str | None:
    """Why eligibility rule `index` (0-based) is invalid, or None."""
    label = f"eligibility rule {index + 1}"
    name = rule.get("rule")
    if not isinstance(name, str) or name not in RULES:
        near = difflib.get_close_matches(name, list(RULES), n=1) if isinstance(name, str) else []
        return (f"{label}: unknown eligibility rule {_short(name)}; known: {sorted(RULES)}"
                + (f"; did you mean {near[0]!r}?" if near else ""))
    kinds = {f.name: f.type for f in fields(RULES[name])}
    for param, value in rule.items():
        if param == "rule" or param not in kinds:
            continue  # unknown parameters: rule_from_dict names them
        kind = str(kinds[param])
        if value is None and "None" in kind:
            continue
        if "float" in kind and not _number(value):
            return f"{label} ({name}): {param!r} must be a number, got {_short(value)}"
        if kind == "str" and not isinstance(value, str):
            return f"{label} ({name}): {param!r} must be text, got {_short(value)}"
    try:
        rule_from_dict(rule)
    except (CityKitError, TypeError, ValueError) as err:
        return f"{label}: {err}"[:300]
    return None


def _missing_problem(step, where: str) -> str | None:
    """Why a missing-data step is invalid, or None."""
    name = step.get("policy") if isinstance(step, dict) else step
    if not isinstance(name, str) or name not in MISSING_POLICIES:
        near = difflib.get_close_matches(name, MISSING_POLICIES, n=1) \
            if isinstance(name, str) else []
        return (f"{where} names the unknown missing-data policy {_short(name)}; known: "
                f"{list(MISSING_POLICIES)}" + (f"; did you mean {near[0]!r}?" if near else ""))
    if not isinstance(step, dict):
        return None
    unknown = sorted(set(step) - _MISSING_PARAMS - {"policy"})
    if unknown:
        return (f"{where} ({name}) has unknown parameters {_short(unknown)}; allowed: "
                f"{sorted(_MISSING_PARAMS)}")
    coverage, k = step.get("min_coverage", 0.8), step.get("k", 5)
    if not _number(coverage) or not 0 <= coverage <= 1:
        return f"{where} ({name}): 'min_coverage' must be a share from 0 to 1, got {_short(coverage)}"
    if not _whole(k) or not 1 <= k <= 1_000:
        return f"{where} ({name}): 'k' must be a whole number from 1 to 1,000, got {_short(k)}"
    return None


def check_robustness_settings(settings, *, n_candidates: int | None = None,
                              error: type[Exception] = ScenarioError) -> None:
    """Refuse robustness settings outside :data:`BOUNDS` (unknown keys too).

    Parameters
    ----------
    settings : mapping
        ``draws``, ``concentration``, ``top_k``, ``seed``, ``bounds``, ``chunk_size`` (any of
        them; the others take :data:`citykit.robustness.DEFAULTS`).
    n_candidates : int, optional
        When known, the batch memory bound ``robustness.chunk_cells`` (chunk size x candidates)
        is checked too.
    error : exception class
        Raised with the message (default :class:`ScenarioError`).

    Examples
    --------
    >>> check_robustness_settings({"draws": 5000, "top_k": 3})
    >>> check_robustness_settings({"draws": 40_000_000})
    Traceback (most recent call last):
    ...
    citykit.scenario.ScenarioError: invalid robustness settings: 'robustness.draws' must be a whole number from 1 to 100,000; got 40,000,000. ...
    """
    if not isinstance(settings, dict):
        raise error(f"robustness settings must be an object, got {type(settings).__name__}")
    unknown = sorted(str(k) for k in settings if k not in ROBUSTNESS_KEYS)
    if unknown:
        near = difflib.get_close_matches(unknown[0], ROBUSTNESS_KEYS, n=1)
        raise error(f"unknown robustness settings {_short(unknown)} in the scenario; known: "
                    f"{list(ROBUSTNESS_KEYS)}" + (f"; did you mean {near[0]!r}?" if near else "."))
    wrong = []
    for key, what in (("draws", "a whole number"), ("chunk_size", "a whole number"),
                      ("top_k", "a whole number")):
        if key in settings and (not _whole(settings[key])
                                or not _in(f"robustness.{key}", settings[key])):
            wrong.append(_out_of_range(f"robustness.{key}", what, settings[key]))
    seed = settings.get("seed")
    if seed is not None and (not _whole(seed) or not _in("robustness.seed", seed)):
        wrong.append(_out_of_range("robustness.seed", "None or a whole number", seed))
    concentration = settings.get("concentration")
    if concentration is not None and (not _number(concentration) or math.isnan(concentration)
                                      or concentration <= 0):
        wrong.append(f"'robustness.concentration' must be a number above 0 (inf = no spread) "
                     f"or None (uniform draws); got {_short(concentration)}")
    chunk = settings.get("chunk_size", 1000)
    if not wrong and n_candidates is not None and _whole(chunk) \
            and not _in("robustness.chunk_cells", chunk * n_candidates):
        most = BOUNDS["robustness.chunk_cells"][1] // max(n_candidates, 1)
        wrong.append(f"'robustness.chunk_size' x candidates must be {_range('robustness.chunk_cells')} "
                     f"(the memory of one batch); got {chunk:,} x {n_candidates:,}. Use a chunk "
                     f"size of at most {most:,}")
    if wrong:
        raise error("invalid robustness settings: " + "; ".join(wrong)
                    + ". Fix: choose values inside citykit.scenario.BOUNDS.")


def _check_bounds(data: dict) -> None:
    """Every value inside :data:`BOUNDS`; rules and missing-data steps that citykit knows."""
    wrong = []
    year = data.get("year")
    if _whole(year) and not _in("year", year):
        wrong.append(_out_of_range("year", "'latest' or a year", year))
    for key in ("dataset", "framework"):
        value = data.get(key)
        if isinstance(value, str):
            if "\x00" in value:
                wrong.append(f"{key!r} must not contain a NUL character; got "
                             f"{_short(value)}")
            elif not _in(key, len(value)):
                wrong.append(f"{key!r} must be a name or path of {BOUNDS[key][0]} to "
                             f"{BOUNDS[key][1]:,} characters; got {len(value):,} characters")
    weights = data.get("weights")
    if isinstance(weights, dict):
        bad = [k for k, v in weights.items() if not isinstance(k, str) or not _number(v)
               or not math.isfinite(v) or v < 0]
        if bad:
            wrong.append(f"'weights' must map criterion ids to finite numbers >= 0; not for "
                         f"{_short(bad)}")
    for index, rule in enumerate(data.get("eligibility") or ()):
        if isinstance(rule, dict):
            problem = _rule_problem(index, rule)
            if problem:
                wrong.append(problem)
    missing = data.get("missing")
    steps = [missing] if isinstance(missing, (str, dict)) else list(missing or ())
    for index, step in enumerate(steps):
        where = "'missing'" if isinstance(missing, (str, dict)) else f"'missing' step {index + 1}"
        problem = _missing_problem(step, where)
        if problem:
            wrong.append(problem)
    sha = data.get("dataset_sha256")
    if isinstance(sha, str) and len(sha) > 128:
        wrong.append(f"'dataset_sha256' must be a SHA-256 hex digest; got {len(sha):,} "
                     "characters")
    if wrong:
        raise ScenarioError("invalid scenario: " + "; ".join(wrong)[:2000]
                            + ". Fix: correct the settings named above (ranges: "
                              "citykit.scenario.BOUNDS; `citykit scenario new` writes a valid "
                              "file to start from).")
    if isinstance(data.get("robustness"), dict):
        check_robustness_settings(data["robustness"])


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
