"""Smart-city frameworks: the standard catalogue, a national localisation, crosswalk and coverage.

A :class:`Framework` is a tree of :class:`Component` objects read from a YAML file in
``datasets/frameworks/`` (format: ``datasets/frameworks/README.md``). Standard frameworks (ITU
U4SSC, ISO 37120, ISO 37122, the European six-characteristic model, IMD, IESE) carry the codes of
their source; a national framework maps its leaves onto a dataset's indicators, with weights and a
readiness / need split. :func:`coverage` tells, for a framework and a dataset, which components
have data, at which level, for how many candidate cities and years, and lists the gaps as a
data-collection agenda.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from . import data as data_module
from .data import Dataset, datasets_root, read_limited
from .exceptions import CityKitWarning, DataValidationError, FrameworkError, Problem, short_repr

__all__ = [
    "Component",
    "Coverage",
    "Framework",
    "bundled_frameworks",
    "coverage",
    "crosswalk",
    "frameworks_root",
    "load_framework",
    "read_framework_file",
]

POLARITIES = ("+", "-", "target", "context")
VERIFICATION = ("checked", "partly checked", "unverified")
DATA_STATUS = ("available", "missing")
KINDS = ("standard", "national")
REQUIRED_KEYS = ("id", "name_en", "name_fa", "kind", "edition", "publisher", "citation",
                 "licence_note", "levels", "verification", "components")
COMPONENT_KEYS = ("code", "level", "name_en", "name_fa", "definition")
#: Weights of siblings must sum to 1 within this tolerance; citykit never re-normalises them.
WEIGHT_TOLERANCE = 1e-6
#: Dataset indicator metadata columns that hold the codes of a standard framework.
METADATA_COLUMNS = {"u4ssc": "u4ssc", "iso37120": "iso37120", "iso37122": "iso37122"}
STATUS_ORDER = ("city", "county", "province", "no data")


def _q(value) -> str:
    """A value from a framework file, quoted for a message and cut to a bounded length."""
    return short_repr(value)


def _clip(text: str, limit: int = 200) -> str:
    """Plain text from a framework file, cut to `limit` characters for a message."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _AliasRefused(yaml.YAMLError):
    """A YAML anchor (``&name``) or alias (``*name``): framework files never need them."""

    def __init__(self, event):
        super().__init__()
        self.problem_mark = event.start_mark
        self.shown = ("*" if isinstance(event, yaml.AliasEvent) else "&") + str(event.anchor)


class _FrameworkLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses anchors and aliases as soon as it meets one.

    An alias repeats a node without copying it, so a few kilobytes of nested aliases ("billion
    laughs") stand for billions of values, which any code that walks or prints them (a message
    quoting a value) expands. Refusing the first anchor costs nothing and no framework file
    needs them.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise _AliasRefused(event)
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class Component:
    """One node of a framework: a dimension, category, factor, indicator or KPI."""

    code: str
    level: str
    name_en: str
    name_fa: str
    definition: str
    parent: str | None = None
    unit: str | None = None
    polarity: str | None = None
    target: float | None = None
    type: str | None = None
    verification: str = "unverified"
    citation: str | None = None
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weight: float | None = None
    indicators: tuple[str, ...] = ()
    data: str = "available"
    subindex: str | None = None
    rationale: str | None = None


@dataclass(frozen=True, eq=False)
class Framework:
    """A framework: metadata plus its components in file order.

    Examples
    --------
    >>> fw = load_framework("u4ssc")
    >>> [c.code for c in fw.roots]
    ['EC', 'EN', 'SC']
    >>> len(fw.leaves)
    91
    """

    id: str
    name_en: str
    name_fa: str
    kind: str
    edition: str
    publisher: str
    citation: str
    licence_note: str
    levels: tuple[str, ...]
    verification: str
    components: tuple[Component, ...]
    description: str = ""
    dataset: str | None = None
    subindices: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
    path: Path | None = None

    def __repr__(self) -> str:
        return (f"<Framework {self.id!r}: {len(self.components)} components, "
                f"{len(self.leaves)} leaves>")

    @cached_property
    def by_code(self) -> dict[str, Component]:
        """Components keyed by code."""
        return {c.code: c for c in self.components}

    @cached_property
    def roots(self) -> list[Component]:
        """Top-level components (dimensions, pillars, characteristics)."""
        return [c for c in self.components if c.parent is None]

    @cached_property
    def _children(self) -> dict[str | None, list[Component]]:
        out: dict[str | None, list[Component]] = {}
        for c in self.components:
            out.setdefault(c.parent, []).append(c)
        return out

    def children(self, code: str | None) -> list[Component]:
        """Direct children of `code` (of the roots when `code` is None)."""
        return list(self._children.get(code, []))

    @cached_property
    def leaves(self) -> list[Component]:
        """Components without children: the measurable indicators or KPIs."""
        return [c for c in self.components if c.code not in self._children]

    def root_of(self, code: str) -> Component:
        """The top-level component above `code`."""
        component = self.by_code[code]
        while component.parent is not None:
            component = self.by_code[component.parent]
        return component

    def leaf_weights(self) -> pd.Series:
        """Effective weight of each leaf: the product of the weights on its path.

        Components without a weight share their parent's weight equally with their siblings;
        components marked ``data: missing`` get weight 0 and are reported by :func:`coverage`.

        Examples
        --------
        >>> w = load_framework("iran_national").leaf_weights()
        >>> round(float(w.sum()), 9)
        1.0
        """
        weights = {}
        for component in self.leaves:
            total, node = 1.0, component
            while node is not None:
                total *= self._own_weight(node)
                node = self.by_code.get(node.parent) if node.parent else None
            weights[component.code] = total
        return pd.Series(weights, name="weight", dtype=float)

    def _own_weight(self, component: Component) -> float:
        if not _has_data(self, component):
            return 0.0
        if component.weight is not None:
            return float(component.weight)
        siblings = [s for s in self.children(component.parent) if _has_data(self, s)]
        return 1.0 / len(siblings)

    def to_frame(self) -> pd.DataFrame:
        """All components as a table (one row each, in file order)."""
        rows = []
        for c in self.components:
            row = {k: getattr(c, k) for k in Component.__dataclass_fields__}
            row["indicators"] = "|".join(c.indicators)
            row["crosswalk"] = "; ".join(f"{k}: {'|'.join(v)}" for k, v in c.crosswalk.items())
            row["root"] = self.root_of(c.code).code
            rows.append(row)
        return pd.DataFrame(rows)


def _has_data(framework: Framework, component: Component) -> bool:
    """False when the component, or every leaf below it, is marked ``data: missing``."""
    if component.data == "missing":
        return False
    kids = framework.children(component.code)
    return not kids or any(_has_data(framework, k) for k in kids)


# --------------------------------------------------------------------------- loading

def frameworks_root() -> Path:
    """The folder of bundled framework files (``datasets/frameworks``)."""
    return datasets_root() / "frameworks"


def bundled_frameworks() -> list[str]:
    """Ids of the bundled frameworks (file stems), in alphabetical order.

    Examples
    --------
    >>> "u4ssc" in bundled_frameworks() and "iran_national" in bundled_frameworks()
    True
    """
    return sorted(p.stem for p in frameworks_root().glob("*.yaml"))


def _resolve(source: str | os.PathLike) -> Path:
    path = Path(source)
    if path.is_file():
        return path
    candidate = frameworks_root() / f"{source}.yaml"
    if isinstance(source, str) and candidate.is_file():
        return candidate
    known = bundled_frameworks()
    near = difflib.get_close_matches(str(source), known, n=3)
    raise FrameworkError([Problem(
        str(source), f"no framework {_q(str(source))}: not a bundled framework ({known}) and no "
                     "such file" + (f"; closest: {near}" if near else ""),
        fix="give a bundled id or the path of a YAML framework file.")])


def _component_lines(text: str) -> list[int]:
    """1-based line where each item of ``components`` starts (for messages)."""
    try:
        node = yaml.compose(text, Loader=_FrameworkLoader)
    except (yaml.YAMLError, RecursionError):
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "components" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_framework(source: str | os.PathLike, *, dataset: Dataset | None = None) -> Framework:
    """Load and validate a framework by bundled id (``"u4ssc"``) or by path.

    Parameters
    ----------
    source : str or path-like
        A bundled framework id (see :func:`bundled_frameworks`) or a YAML file.
    dataset : Dataset, optional
        When given, every indicator code a component maps to must exist in it (unknown codes are
        reported with the closest known codes). A national framework is checked against its own
        ``dataset`` when none is given.

    Returns
    -------
    Framework

    Raises
    ------
    FrameworkError
        Listing every problem: a missing key, a duplicate code, an unknown parent or level, a
        cycle, an unknown polarity, weights that do not sum to 1, a component with no
        indicators, an unknown indicator code.

    Examples
    --------
    >>> fw = load_framework("iran_national")
    >>> sorted(fw.subindices)
    ['need', 'readiness']
    """
    path = _resolve(source)
    raw, text = _read_cached(path)
    if dataset is None and raw.get("kind") == "national" and raw.get("dataset"):
        from .data import load_dataset

        dataset = load_dataset(raw["dataset"])
    problems = check_framework(raw, file=path.name, lines=[], dataset=dataset)
    if problems:  # checked again with line numbers (a second parse, only when needed)
        raise FrameworkError(check_framework(raw, file=path.name, lines=_component_lines(text),
                                             dataset=dataset))
    return _build(raw, path)


#: Parsed framework files, by (real path, size, modification time): pure-Python YAML takes
#: about 0.2 s per framework, and the Robustness page loads every bundled one.
_PARSED: dict[tuple, tuple[dict, str]] = {}


def _read_cached(path: Path) -> tuple[dict, str]:
    """:func:`read_framework_file`, memoised while the file is unchanged (a deep copy each
    time: callers may change what they get)."""
    try:
        info = path.stat()
        # the size limit too: a lower limit must refuse a file parsed under a higher one
        key = (os.path.realpath(path), info.st_size, info.st_mtime_ns, data_module.MAX_FILE_BYTES)
    except OSError:
        return read_framework_file(path)
    if key not in _PARSED:
        if len(_PARSED) >= 64:
            _PARSED.clear()
        _PARSED[key] = read_framework_file(path)
    raw, text = _PARSED[key]
    return copy.deepcopy(raw), text


def read_framework_file(path: str | os.PathLike) -> tuple[dict, str]:
    """Read a framework YAML file safely; return the parsed mapping and the text.

    The file must be at most :data:`citykit.data.MAX_FILE_BYTES` (at most that many bytes plus
    one are read), UTF-8, and plain YAML: it is parsed with a safe loader, which builds only
    dicts, lists, strings and numbers, so a tag that would construct a Python object
    (``!!python/object/apply:os.system``) is refused and never run, and anchors and aliases
    (``&name``, ``*name``: the "billion laughs" bomb) are refused where the first one appears.

    Raises
    ------
    FrameworkError
        Saying what is wrong, with the line where YAML gives one.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     bad = Path(tmp) / "evil.yaml"
    ...     _ = bad.write_text("id: !!python/object/apply:os.system ['echo hi']")
    ...     read_framework_file(bad)
    Traceback (most recent call last):
    ...
    citykit.exceptions.FrameworkError: 1 problem in the framework:
      - evil.yaml, line 1: YAML tag '!!python/object/apply:os.system' is not allowed: ...
    """
    path = Path(path)
    try:
        data = read_limited(path)
    except DataValidationError as err:
        raise FrameworkError(err.problems) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FrameworkError([Problem(
            path.name, f"is not UTF-8 text (byte {err.start}: {err.reason})",
            fix="save the file as UTF-8 (any editor's 'Save with encoding' menu).")]) from None
    try:
        raw = yaml.load(text, Loader=_FrameworkLoader)  # noqa: S506 (a SafeLoader)
    except _AliasRefused as err:
        mark = err.problem_mark
        raise FrameworkError([Problem(
            path.name, f"YAML anchors and aliases are not allowed (found {_clip(err.shown, 40)}):"
                       " framework files never need them, and nested aliases can expand a small "
                       "file into billions of values",
            line=mark.line + 1 if mark else None,
            fix="write each value out in full instead of '&name' / '*name' references.")]
        ) from None
    except yaml.constructor.ConstructorError as err:
        mark = err.problem_mark
        tag = str(err.problem).split("tag ")[-1].strip("'")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        raise FrameworkError([Problem(
            path.name, f"YAML tag {_q(tag)} is not allowed: framework files are read with safe "
                       "loading (plain mappings, lists, text and numbers only), so a tag that "
                       "would construct a Python object or run code is refused and never run",
            line=mark.line + 1 if mark else None,
            fix="remove the tag; write the value as plain text or a number.")]) from None
    except (yaml.YAMLError, RecursionError) as err:
        mark = getattr(err, "problem_mark", None)
        raise FrameworkError([Problem(
            path.name, f"not valid YAML: {getattr(err, 'problem', None) or err}",
            line=mark.line + 1 if mark else None,
            fix="check indentation and quoting (codes such as '5.1' and polarity '+' need quotes).")]
        ) from None
    if not isinstance(raw, dict):
        raise FrameworkError([Problem(
            path.name, f"expected a mapping of keys at the top level, got "
                       f"{type(raw).__name__}", fix="see datasets/frameworks/README.md.")])
    return raw, text


def _as_codes(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        return (str(value),)
    return tuple(str(v) for v in value)


def _build(raw: dict, path: Path) -> Framework:
    default_mark = raw["verification"]
    components = []
    for item in raw["components"]:
        components.append(Component(
            code=str(item["code"]), level=item["level"], name_en=item["name_en"],
            name_fa=item["name_fa"], definition=item["definition"],
            parent=None if item.get("parent") is None else str(item["parent"]),
            unit=item.get("unit"), polarity=item.get("polarity"), target=item.get("target"),
            type=item.get("type"), verification=item.get("verification", default_mark),
            citation=item.get("citation"),
            crosswalk={str(k): _as_codes(v) for k, v in (item.get("crosswalk") or {}).items()},
            weight=None if item.get("weight") is None else float(item["weight"]),
            indicators=_as_codes(item.get("indicators")), data=item.get("data", "available"),
            subindex=item.get("subindex"), rationale=item.get("rationale"),
        ))
    known = set(REQUIRED_KEYS) | {"description", "dataset", "subindices"}
    return Framework(
        id=str(raw["id"]), name_en=raw["name_en"], name_fa=raw["name_fa"], kind=raw["kind"],
        edition=str(raw["edition"]), publisher=raw["publisher"], citation=raw["citation"],
        licence_note=raw["licence_note"], levels=tuple(raw["levels"]),
        verification=default_mark, components=tuple(components),
        description=raw.get("description", ""), dataset=raw.get("dataset"),
        subindices=dict(raw.get("subindices") or {}),
        extras={k: v for k, v in raw.items() if k not in known}, path=path,
    )


# --------------------------------------------------------------------------- validation

def _choice(value, allowed: Iterable[str]) -> bool:
    return value in tuple(allowed)


def check_framework(raw: dict, *, file: str, lines: list[int] | None = None,
                    dataset: Dataset | None = None) -> list[Problem]:
    """Return every problem of a parsed framework file (empty when valid).

    Examples
    --------
    >>> raw = {"id": "x", "name_en": "X", "name_fa": "ایکس", "kind": "standard", "edition": "1",
    ...        "publisher": "p", "citation": "c", "licence_note": "l", "levels": ["theme"],
    ...        "verification": "checked",
    ...        "components": [{"code": "a", "level": "theme", "name_en": "A", "name_fa": "الف",
    ...                        "definition": "d", "unit": "%", "polarity": "up"}]}
    >>> print(check_framework(raw, file="x.yaml")[0])
    x.yaml: component 'a': unknown polarity 'up'; expected one of ['+', '-', 'target', 'context']. Fix: '+' when higher is better, '-' when lower is better, 'target' with a target value, 'context' for descriptive items.
    """
    problems: list[Problem] = []
    lines = lines or []
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        problems.append(Problem(file, f"missing top-level keys {missing}",
                                fix="see datasets/frameworks/README.md."))
    if "kind" in raw and not _choice(raw["kind"], KINDS):
        problems.append(Problem(file, f"unknown kind {_q(raw['kind'])}; expected one of "
                                      f"{list(KINDS)}"))
    if "verification" in raw and not _choice(raw["verification"], VERIFICATION):
        problems.append(Problem(file, f"unknown verification {_q(raw['verification'])}; expected "
                                      f"one of {list(VERIFICATION)}"))
    items = raw.get("components")
    if not isinstance(items, list) or not items:
        problems.append(Problem(file, "'components' must be a non-empty list"))
        return problems
    levels = list(raw.get("levels") or [])
    national = raw.get("kind") == "national"
    ctx = _Context(file, lines, levels, national, raw, dataset, problems)
    for index, item in enumerate(items):
        ctx.check_item(index, item)
    if not problems:
        ctx.check_tree(items)
    return problems


@dataclass
class _Context:
    """Holds what the component checks share, so each check stays short."""

    file: str
    lines: list[int]
    levels: list[str]
    national: bool
    raw: dict
    dataset: Dataset | None
    problems: list[Problem]

    def add(self, index: int | None, message: str, fix: str | None = None) -> None:
        line = self.lines[index] if index is not None and index < len(self.lines) else None
        self.problems.append(Problem(self.file, message, fix=fix, line=line))

    def check_item(self, index: int, item) -> None:
        if not isinstance(item, dict):
            self.add(index, f"component #{index + 1} is not a mapping of keys")
            return
        code = item.get("code", f"#{index + 1}")
        missing = [k for k in COMPONENT_KEYS if item.get(k) in (None, "")]
        if missing:
            self.add(index, f"component {_q(code)}: missing {missing}")
        if "level" in item and self.levels and item["level"] not in self.levels:
            self.add(index, f"component {_q(code)}: unknown level {_q(item['level'])}; expected one "
                            f"of {_q(self.levels)}")
        polarity = item.get("polarity")
        if polarity is not None and polarity not in POLARITIES:
            self.add(index, f"component {_q(code)}: unknown polarity {_q(polarity)}; expected one of "
                            f"{list(POLARITIES)}",
                     fix="'+' when higher is better, '-' when lower is better, 'target' with a "
                         "target value, 'context' for descriptive items.")
        if polarity == "target" and not isinstance(item.get("target"), (int, float)):
            self.add(index, f"component {_q(code)}: polarity 'target' needs a numeric 'target'")
        for key, allowed in (("verification", VERIFICATION), ("data", DATA_STATUS)):
            if key in item and item[key] not in allowed:
                self.add(index, f"component {_q(code)}: unknown {key} {_q(item[key])}; expected one "
                                f"of {list(allowed)}")
        weight = item.get("weight")
        if weight is not None and (not isinstance(weight, (int, float)) or weight < 0
                                   or math.isnan(weight)):
            self.add(index, f"component {_q(code)}: weight must be a number >= 0, got {_q(weight)}")
        if item.get("crosswalk") is not None and not isinstance(item["crosswalk"], dict):
            self.add(index, f"component {_q(code)}: crosswalk must map framework ids to codes")
        if item.get("subindex") is not None and item["subindex"] not in (
                self.raw.get("subindices") or {}):
            self.add(index, f"component {_q(code)}: unknown subindex {_q(item['subindex'])}; "
                            f"expected one of {_q(sorted(self.raw.get('subindices') or {}))}")

    def check_tree(self, items: list[dict]) -> None:
        index_of: dict[str, int] = {}
        for i, item in enumerate(items):
            code = str(item["code"])
            if code in index_of:
                self.add(i, f"duplicate code {_q(code)} (first at component "
                            f"#{index_of[code] + 1})", fix="every code must be unique.")
            else:
                index_of[code] = i
        parent_of = {str(it["code"]): (None if it.get("parent") is None else str(it["parent"]))
                     for it in items}
        for code, parent in parent_of.items():
            if parent is not None and parent not in parent_of:
                near = difflib.get_close_matches(parent, list(parent_of), n=3)
                self.add(index_of[code], f"component {_q(code)}: unknown parent {_q(parent)}"
                         + (f"; closest: {_q(near)}" if near else ""),
                         fix="give the code of an existing component as 'parent', or remove "
                             "'parent' to make it a top-level component.")
        if self.problems:
            return
        if self._check_cycles(parent_of, index_of):
            return
        self._check_levels(items, parent_of, index_of)
        children: dict[str | None, list[dict]] = {}
        for item in items:
            children.setdefault(parent_of[str(item["code"])], []).append(item)
        self._check_leaves(items, children, index_of)
        self._check_directions(items, children, parent_of, index_of)
        self._check_weights(children, index_of)

    def _check_cycles(self, parent_of, index_of) -> bool:
        for start in parent_of:
            seen, node = [], start
            while node is not None:
                if node in seen:
                    cycle = seen[seen.index(node):] + [node]
                    shown = " -> ".join(_clip(c, 40) for c in cycle[:20])
                    self.add(index_of[start], f"cycle in parents: {shown}"
                             + (f" ... ({len(cycle)} steps)" if len(cycle) > 20 else ""),
                             fix="a component cannot be its own ancestor; fix the 'parent' keys.")
                    return True
                seen.append(node)
                node = parent_of[node]
        return False

    def _check_levels(self, items, parent_of, index_of) -> None:
        level_of = {str(it["code"]): it["level"] for it in items}
        for code, parent in parent_of.items():
            depth = self.levels.index(level_of[code])
            expected = 0 if parent is None else self.levels.index(level_of[parent]) + 1
            if depth != expected:
                self.add(index_of[code], f"component {_q(code)}: level {_q(level_of[code])} does not "
                         f"fit under {_q(parent)}; expected level "
                         f"{_q(self.levels[expected] if expected < len(self.levels) else '(none)')}")

    def _check_leaves(self, items, children, index_of) -> None:
        known = None if self.dataset is None else list(self.dataset.indicators.index)
        for item in items:
            code = str(item["code"])
            if code in children:
                continue
            i = index_of[code]
            for key in ("unit", "polarity"):
                if item.get(key) in (None, ""):
                    self.add(i, f"leaf component {_q(code)}: missing {_q(key)}")
            indicators = _as_codes(item.get("indicators"))
            if self.national and not indicators and item.get("data", "available") != "missing":
                self.add(i, f"component {_q(code)} has no indicators",
                         fix="map it to dataset indicators with 'indicators: [...]', or mark it "
                             "'data: missing' to list it as a data gap.")
            if self.national and indicators and item.get("data") == "missing":
                self.add(i, f"component {_q(code)} is marked 'data: missing' but maps to "
                            f"{_q(list(indicators))}")
            if known is not None:
                for indicator in indicators:
                    if indicator not in known:
                        near = difflib.get_close_matches(indicator, known, n=3)
                        self.add(i, f"component {_q(code)}: unknown indicator code {_q(indicator)} "
                                    f"(not in dataset {_q(self.dataset.name)})"
                                 + (f"; closest known: {_q(near)}" if near else ""),
                                 fix="use a code from the dataset's indicators table, or mark "
                                     "the component 'data: missing'.")

    def _check_directions(self, items, children, parent_of, index_of) -> None:
        """A leaf's indicators must point one way, and agree with its sub-index's polarity."""
        if self.dataset is None or not self.national:
            return
        direction = self.dataset.indicators["direction"].to_dict()
        by_code = {str(it["code"]): it for it in items}
        for code, item in by_code.items():
            found = {direction[i] for i in _as_codes(item.get("indicators")) if i in direction}
            if code in children or not found:
                continue
            if len(found) > 1:
                self.add(index_of[code], f"component {_q(code)} mixes indicators where more is "
                                         "better with indicators where less is better",
                         fix="split it into two components, one per direction.")
                continue
            root = code
            while parent_of[root] is not None:
                root = parent_of[root]
            subindex = by_code[root].get("subindex")
            if subindex not in ("readiness", "need") or item.get("polarity") == "context":
                continue
            better_high = found == {"max"}
            expected = "+" if better_high == (subindex == "readiness") else "-"
            if item.get("polarity") != expected:
                warnings.warn(
                    f"{self.file}: component {_q(code)} has polarity {_q(item.get('polarity'))} in "
                    f"sub-index {_q(subindex)}, but its indicators are '{found.pop()}' (more is "
                    f"{'better' if better_high else 'worse'}); expected {_q(expected)}.",
                    CityKitWarning, stacklevel=5)

    def _check_weights(self, children, index_of) -> None:
        for parent, kids in children.items():
            weighted = [k for k in kids if k.get("weight") is not None]
            if not weighted:
                continue
            scored = [k for k in kids if self._subtree_has_data(k, children)]
            where = "top-level components" if parent is None else f"children of {_q(parent)}"
            for kid in kids:
                if kid not in scored and kid.get("weight"):
                    self.add(index_of[str(kid["code"])],
                             f"component {_q(kid['code'])} has weight {_q(kid['weight'])} but no data",
                             fix="give it weight 0 (or none) until its data exists.")
            unweighted = [str(k["code"]) for k in scored if k.get("weight") is None]
            if unweighted:
                self.add(index_of[str(kids[0]["code"])],
                         f"{where}: some have weights and {_q(unweighted)} have none",
                         fix="give every sibling a weight, or none of them (equal weights).")
                continue
            total = sum(float(k["weight"]) for k in scored)
            if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
                listing = _clip(", ".join(f"{k['code']}={k['weight']}" for k in scored))
                self.add(index_of[str(kids[0]["code"])],
                         f"weights of {where} sum to {total:.4f}, not 1 ({listing})",
                         fix="adjust them so they sum to 1; citykit does not re-normalise "
                             "weights silently.")

    def _subtree_has_data(self, item, children) -> bool:
        if item.get("data") == "missing":
            return False
        kids = children.get(str(item["code"]), [])
        return not kids or any(self._subtree_has_data(k, children) for k in kids)


# --------------------------------------------------------------------------- crosswalk

def _metadata_links(dataset: Dataset) -> pd.DataFrame:
    """Long table ``framework, code, indicator`` from the dataset's crosswalk columns."""
    rows = []
    for framework, column in METADATA_COLUMNS.items():
        if column not in dataset.indicators.columns:
            continue
        codes = dataset.indicators[column].dropna().astype(str)
        for indicator, text in codes.items():
            for code in filter(None, (c.strip() for c in text.split("|"))):
                rows.append((framework, code, indicator))
    return pd.DataFrame(rows, columns=["framework", "code", "indicator"])


def component_indicators(framework: Framework, dataset: Dataset) -> dict[str, tuple[str, ...]]:
    """Dataset indicators that measure each leaf of `framework`.

    A national framework's leaves name them explicitly. A standard framework's leaf is linked
    through the dataset's crosswalk columns (``u4ssc``, ``iso37120``, ``iso37122``), either by
    its own code or by the codes in its ``crosswalk``.
    """
    if framework.kind == "national":
        return {c.code: c.indicators for c in framework.leaves}
    links = _metadata_links(dataset)
    lookup = links.groupby(["framework", "code"])["indicator"].apply(tuple).to_dict()
    out = {}
    for leaf in framework.leaves:
        found = list(lookup.get((framework.id, leaf.code), ()))
        for other, codes in leaf.crosswalk.items():
            for code in codes:
                found += lookup.get((other, code), ())
        out[leaf.code] = tuple(dict.fromkeys(found))
    return out


def crosswalk(frameworks: Iterable[Framework], dataset: Dataset | None = None) -> pd.DataFrame:
    """Every link between framework components, and from them to dataset indicators.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_framework, from_code, from_name, to_framework, to_code``; links to a
        dataset's indicators have ``to_framework`` equal to ``dataset:<name>``. Links are listed
        in both directions once each.
    """
    rows = set()
    names = {}
    for fw in frameworks:
        for c in fw.components:
            names[(fw.id, c.code)] = c.name_en
            for other, codes in c.crosswalk.items():
                for code in codes:
                    rows.add((fw.id, c.code, other, code))
                    rows.add((other, code, fw.id, c.code))
        if dataset is not None:
            for leaf, indicators in component_indicators(fw, dataset).items():
                for indicator in indicators:
                    rows.add((fw.id, leaf, f"dataset:{dataset.name}", indicator))
    table = pd.DataFrame(sorted(rows), columns=["from_framework", "from_code", "to_framework",
                                                "to_code"])
    table.insert(2, "from_name", [names.get((f, c), "") for f, c in
                                  zip(table["from_framework"], table["from_code"], strict=True)])
    return table


# --------------------------------------------------------------------------- coverage

@dataclass(frozen=True)
class Coverage:
    """What data a framework finds in a dataset.

    Attributes
    ----------
    leaves : pandas.DataFrame
        One row per leaf component: ``code, name_en, root, indicators, status`` (finest level
        with data: ``city``, ``urban centre``, ``county``, ``province`` or ``no data``), counts
        of candidate cities with an own value, their urban centre's value (core cities only), a
        county proxy, a province proxy or nothing, and the years found.
    summary : dict
        ``leaves``, ``leaves_with_data``, ``leaf_coverage_pct`` (share of leaves with any data)
        and ``cell_coverage_pct`` (share of city × leaf cells with a value, proxies included),
        and the share of those cells that are own values, urban-centre values and proxies.
    by_root : pandas.DataFrame
        The same figures per top-level component.
    gaps : pandas.DataFrame
        Leaves without data: the data-collection agenda, with their crosswalk codes.
    """

    framework: str
    dataset: str
    candidates: int
    leaves: pd.DataFrame
    summary: dict
    by_root: pd.DataFrame
    gaps: pd.DataFrame


def coverage(framework: Framework, dataset: Dataset, *,
             candidates: Iterable[str] | None = None) -> Coverage:
    """Report which components of `framework` have data in `dataset`, and where not.

    Parameters
    ----------
    framework : Framework
    dataset : Dataset
    candidates : iterable of str, optional
        City ids to count; default every city in the dataset.

    Examples
    --------
    >>> from citykit.data import load_dataset
    >>> cov = coverage(load_framework("iran_national"), load_dataset("iran"))
    >>> cov.summary["leaves"] == len(cov.leaves)
    True
    >>> "gov_abroad_services" in set(cov.gaps["code"])
    True
    """
    mapping = component_indicators(framework, dataset)
    cities = list(dataset.cities.index if candidates is None else candidates)
    pairs = pd.DataFrame([(leaf, ind) for leaf, inds in mapping.items() for ind in inds],
                         columns=["leaf", "indicator"])
    used = sorted(set(pairs["indicator"]))
    values = dataset.city_values(used) if used else pd.DataFrame(
        columns=["city_id", "indicator", "year", "provenance"])
    values = values[values["city_id"].isin(cities)]
    rank = {"own": 0, "urban-centre": 1, "proxy-county": 2, "proxy-province": 3}
    cells = pairs.merge(values, on="indicator")
    cells["rank"] = cells["provenance"].map(rank)
    best = cells.sort_values("rank").drop_duplicates(["leaf", "city_id"])
    counts = best.pivot_table(index="leaf", columns="provenance", values="city_id",
                              aggfunc="count", fill_value=0)
    years = cells.groupby("leaf")["year"].agg(["min", "max"])
    rows = []
    for leaf in framework.leaves:
        n = {p: int(counts.loc[leaf.code, p]) if leaf.code in counts.index
             and p in counts.columns else 0 for p in rank}
        status = ("city" if n["own"] else "urban centre" if n["urban-centre"]
                  else "county" if n["proxy-county"]
                  else "province" if n["proxy-province"] else "no data")
        y = years.loc[leaf.code] if leaf.code in years.index else None
        rows.append({
            "code": leaf.code, "name_en": leaf.name_en, "name_fa": leaf.name_fa,
            "root": framework.root_of(leaf.code).code, "group": _group_label(framework, leaf),
            "indicators": "|".join(mapping[leaf.code]),
            "status": status, "cities_own": n["own"], "cities_centre": n["urban-centre"],
            "cities_county_proxy": n["proxy-county"],
            "cities_province_proxy": n["proxy-province"],
            "cities_missing": len(cities) - sum(n.values()),
            "years": "" if y is None else (f"{int(y['min'])}" if y["min"] == y["max"]
                                           else f"{int(y['min'])}-{int(y['max'])}"),
            "crosswalk": "; ".join(f"{k}: {'|'.join(v)}" for k, v in leaf.crosswalk.items()),
            "verification": leaf.verification,
        })
    leaves = pd.DataFrame(rows)
    by_root = _summarise_by(leaves, "root", len(cities))
    summary = _summarise(leaves, len(cities))
    gaps = leaves.loc[leaves["status"] == "no data",
                      ["code", "name_en", "name_fa", "root", "group", "crosswalk",
                       "verification"]]
    return Coverage(framework.id, dataset.name, len(cities), leaves, summary, by_root,
                    gaps.reset_index(drop=True))


def _group_label(framework: Framework, leaf: Component) -> str:
    """Names of the ancestors of `leaf`, from the root down (e.g. ``Readiness > Economy``)."""
    names, node = [], leaf
    while node.parent is not None:
        node = framework.by_code[node.parent]
        names.append(node.name_en)
    return " > ".join(reversed(names))


def _summarise(leaves: pd.DataFrame, n_cities: int) -> dict:
    n = len(leaves)
    cells = n * n_cities
    filled = int(leaves[["cities_own", "cities_centre", "cities_county_proxy",
                         "cities_province_proxy"]].sum().sum())
    with_data = int((leaves["status"] != "no data").sum())

    def pct(x: float, total: float) -> float:
        return round(100.0 * x / total, 1) if total else 0.0

    return {
        "leaves": n, "leaves_with_data": with_data, "leaf_coverage_pct": pct(with_data, n),
        "cell_coverage_pct": pct(filled, cells),
        "own_pct_of_filled": pct(int(leaves["cities_own"].sum()), filled),
        "centre_pct_of_filled": pct(int(leaves["cities_centre"].sum()), filled),
        "county_proxy_pct_of_filled": pct(int(leaves["cities_county_proxy"].sum()), filled),
        "province_proxy_pct_of_filled": pct(int(leaves["cities_province_proxy"].sum()), filled),
    }


def _summarise_by(leaves: pd.DataFrame, key: str, n_cities: int) -> pd.DataFrame:
    rows = [{key: name, **_summarise(group, n_cities)}
            for name, group in leaves.groupby(key, sort=False)]
    return pd.DataFrame(rows)
