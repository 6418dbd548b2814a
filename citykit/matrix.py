"""The CityMatrix: candidate cities × criteria, with metadata per column and provenance per cell.

Every stage of the ranking reads a :class:`CityMatrix` and returns a new one (it is immutable), so
city labels, criterion metadata and the provenance of every value travel from the dataset to the
exported shortlist. A matrix is built from a dataset and a framework
(:meth:`CityMatrix.from_dataset`) or from any plain decision matrix (:meth:`CityMatrix.from_frame`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .exceptions import DataValidationError, Problem

__all__ = ["CityMatrix", "criteria_from_framework"]

#: Provenance of a cell whose value is missing.
MISSING = "missing"
CRITERIA_COLUMNS = ("name_en", "name_fa", "direction", "unit", "level", "component", "dimension",
                    "subindex", "year", "source", "also")


def _problem(message: str, fix: str | None = None, **said) -> DataValidationError:
    """`said`: the message's ``code`` and ``params`` (see :mod:`citykit.messages`)."""
    return DataValidationError([Problem("decision matrix", message, fix=fix, **said)])


@dataclass(frozen=True, eq=False)
class CityMatrix:
    """Candidates × criteria with metadata; transformations return new objects.

    Attributes
    ----------
    values : pandas.DataFrame
        Float values, index = candidate id, columns = criterion id; NaN where missing.
    provenance : pandas.DataFrame
        Same shape: ``own``, ``proxy-county``, ``proxy-province``, ``imputed-*`` or ``missing``.
    criteria : pandas.DataFrame
        One row per criterion (same order as the columns): ``direction`` (``max``/``min``),
        ``name_en``, ``name_fa``, ``unit``, ``level``, ``component``, ``dimension``,
        ``subindex``, ``year``, ``source``.
    candidates : pandas.DataFrame
        Attributes of each candidate used by eligibility rules and displays (names, province,
        population, capital and metropolis flags); same index as `values`.
    history : tuple of str
        What has been done to the matrix, one line per step.

    Examples
    --------
    >>> m = CityMatrix.from_frame(pd.DataFrame({"jobs": [3.0, 5.0], "cost": [2.0, 1.0]},
    ...                                        index=["A", "B"]), directions=["max", "min"])
    >>> m.shape
    (2, 2)
    >>> m.directions.tolist()
    ['max', 'min']
    """

    values: pd.DataFrame
    provenance: pd.DataFrame
    criteria: pd.DataFrame
    candidates: pd.DataFrame
    history: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.values.index.equals(self.provenance.index) or not \
                self.values.columns.equals(self.provenance.columns):
            raise _problem("values and provenance must have the same labels")
        if list(self.criteria.index) != list(self.values.columns):
            raise _problem("criteria rows must match the value columns, in order")
        if self.values.index.has_duplicates:
            dup = self.values.index[self.values.index.duplicated()].unique().tolist()
            raise _problem(f"duplicate candidate ids {dup[:5]}", "give every row its own id.")
        if self.values.columns.has_duplicates:
            dup = self.values.columns[self.values.columns.duplicated()].unique().tolist()
            raise _problem(f"duplicate criterion ids {dup[:5]}")

    def __repr__(self) -> str:
        return (f"<CityMatrix {self.shape[0]} candidates x {self.shape[1]} criteria, "
                f"{int(self.values.isna().sum().sum())} missing cells>")

    # ----------------------------------------------------------------- constructors

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, directions: Sequence[str] | Mapping[str, str], *,
                   criteria: pd.DataFrame | None = None) -> CityMatrix:
        """A matrix from a plain table (rows = alternatives, numeric columns = criteria).

        Parameters
        ----------
        frame : pandas.DataFrame
            Index = alternative names; every column must be numeric.
        directions : sequence or mapping of {"max", "min"}
            One per column (or keyed by column).
        criteria : pandas.DataFrame, optional
            Extra metadata per column (index = column names).

        Raises
        ------
        DataValidationError
            Non-numeric columns, a directions list of the wrong length, or an unknown word.
        """
        if isinstance(directions, Mapping):
            missing = [c for c in frame.columns if c not in directions]
            if missing:
                raise _problem(f"no direction for criteria {missing}")
            directions = [directions[c] for c in frame.columns]
        directions = [str(d).strip().lower() for d in directions]
        if len(directions) != frame.shape[1]:
            raise _problem(f"got {len(directions)} directions for {frame.shape[1]} criteria "
                           f"{list(frame.columns)}", "give one of max/min per criterion.")
        bad = sorted({d for d in directions if d not in ("max", "min")})
        if bad:
            raise _problem(f"unknown direction {bad}; expected 'max' (more is better) or 'min'")
        non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            raise _problem(f"non-numeric criteria {non_numeric}",
                           "every column after the first (the alternatives) must hold numbers.")
        values = frame.astype(float).copy()
        values.index = values.index.astype(str)
        values.columns = values.columns.astype(str)
        meta = pd.DataFrame(index=values.columns, columns=list(CRITERIA_COLUMNS), dtype=object)
        meta["name_en"] = values.columns
        meta["direction"] = directions
        meta["dimension"] = "all"
        if criteria is not None:
            for column in criteria.columns:
                meta[column] = criteria[column].reindex(values.columns)
        provenance = pd.DataFrame("own", index=values.index, columns=values.columns, dtype=object)
        provenance = provenance.mask(values.isna(), MISSING)
        candidates = pd.DataFrame({"name_en": values.index}, index=values.index)
        return cls(values, provenance, meta, candidates, ("built from a decision matrix",))

    @classmethod
    def from_dataset(cls, dataset, framework=None, *, indicators: Iterable[str] | None = None,
                     year="latest") -> CityMatrix:
        """A matrix of every city of `dataset`, with the criteria of `framework`.

        Each city takes its own value of an indicator, else its urban centre's (core cities
        only; flagged ``urban-centre``), else its county's, else its province's (flagged
        ``proxy-county`` / ``proxy-province`` in :attr:`provenance`). With a framework,
        the criteria are the indicators its scored leaves map to, and each criterion's direction
        is the leaf's polarity (so a national framework's *need* components count more need as
        higher); leaves marked ``context`` are left out. Without a framework, `indicators` (or
        all indicators) are used with their dataset direction.

        Examples
        --------
        >>> from citykit.data import load_dataset
        >>> from citykit.frameworks import load_framework
        >>> m = CityMatrix.from_dataset(load_dataset("iran"), load_framework("iran_national"))
        >>> m.shape[0]
        414
        >>> m.criteria.loc["census_unemployment_rate", ["direction", "dimension", "subindex"]].tolist()
        ['max', 'labour_market', 'need']
        """
        if framework is not None:
            meta = criteria_from_framework(framework, dataset)
        else:
            codes = list(dataset.indicators.index if indicators is None else indicators)
            dataset._check_indicators(codes)
            meta = pd.DataFrame(index=pd.Index(codes, dtype=object))
            meta["direction"] = dataset.indicators.loc[codes, "direction"].to_numpy()
            meta["component"] = codes
            meta["dimension"] = dataset.indicators.loc[codes, "topic"].fillna("all").to_numpy() \
                if "topic" in dataset.indicators.columns else "all"
            meta["subindex"] = None
        codes = list(meta.index)
        info = dataset.indicators.reindex(codes)
        for column in ("name_en", "name_fa", "unit", "level", "source"):
            meta[column] = info[column].to_numpy() if column in info.columns else None
        long = dataset.city_values(codes, year=year)
        cities = list(dataset.cities.index)
        values = long.pivot(index="city_id", columns="indicator", values="value")
        values = values.reindex(index=cities, columns=codes).astype(float)
        provenance = long.pivot(index="city_id", columns="indicator", values="provenance")
        provenance = provenance.reindex(index=cities, columns=codes).fillna(MISSING)
        years = long.groupby("indicator")["year"].agg(lambda y: "-".join(
            str(v) for v in sorted({y.min(), y.max()})))
        meta["year"] = years.reindex(codes).to_numpy()
        meta = meta.reindex(columns=list(CRITERIA_COLUMNS))
        values.index.name = provenance.index.name = None
        values.columns.name = provenance.columns.name = None
        keep = [c for c in ("name_en", "name_fa", "province_code", "county_code", "population",
                            "is_national_capital", "is_provincial_capital", "is_metropolis",
                            "urban_centre_id", "centre_role")
                if c in dataset.cities.columns]
        candidates = pd.DataFrame(dataset.cities[keep]).copy()
        candidates["in_capital_area"] = dataset.capital_area()
        candidates["centre_members"] = dataset.centre_members()
        candidates.index.name = None
        note = f"built from dataset {dataset.name!r}" + (
            f" and framework {framework.id!r}" if framework is not None else "")
        return cls(values, provenance.astype(object), meta, candidates, (note,))

    # ----------------------------------------------------------------- views

    @property
    def shape(self) -> tuple[int, int]:
        """(candidates, criteria)."""
        return self.values.shape

    @property
    def directions(self) -> pd.Series:
        """``max`` or ``min`` per criterion."""
        return self.criteria["direction"]

    def names(self, lang: str = "en") -> pd.Series:
        """Display name of each candidate (falls back to the id)."""
        column = f"name_{lang}"
        if column in self.candidates.columns:
            return self.candidates[column].fillna(pd.Series(self.candidates.index,
                                                            index=self.candidates.index))
        return pd.Series(self.values.index, index=self.values.index)

    def coverage(self) -> dict[str, pd.DataFrame]:
        """Share of candidates with a value per criterion, and of criteria per candidate.

        Returns
        -------
        dict
            ``by_criterion`` (criterion × {n, share, own, urban-centre, proxy-county,
            proxy-province, imputed, missing}) and ``by_candidate`` (candidate × {n, share,
            missing}).
        """
        prov = self.provenance
        kinds = ("own", "urban-centre", "proxy-county", "proxy-province")
        by_criterion = pd.DataFrame({
            "n": self.values.notna().sum(),
            "share": self.values.notna().mean(),
            **{k: (prov == k).sum() for k in kinds},
            "imputed": prov.apply(lambda col: col.astype(str).str.startswith("imputed")).sum(),
            "missing": self.values.isna().sum(),
        })
        by_candidate = pd.DataFrame({
            "n": self.values.notna().sum(axis=1),
            "share": self.values.notna().mean(axis=1),
            "missing": self.values.isna().sum(axis=1),
        })
        return {"by_criterion": by_criterion, "by_candidate": by_candidate}

    def weight_by_provenance(self, weights: pd.Series) -> pd.DataFrame:
        """Share of each candidate's ranking weight resting on each kind of value.

        Parameters
        ----------
        weights : pandas.Series
            Criterion weights (index = criteria; rescaled here to sum to 1).

        Returns
        -------
        pandas.DataFrame
            Candidate × {``city-level`` (``own`` or ``urban-centre``: measured for the city or
            the urban centre it is the core of), ``proxy`` (a county or province value),
            ``imputed``, ``missing``}; each row sums to 1.

        Examples
        --------
        >>> m = CityMatrix.from_frame(pd.DataFrame({"a": [1.0, None], "b": [2.0, 3.0]},
        ...                                        index=["X", "Y"]), ["max", "max"])
        >>> m.weight_by_provenance(pd.Series({"a": 0.75, "b": 0.25}))["city-level"].tolist()
        [1.0, 0.25]
        """
        w = pd.Series(weights, dtype=float).reindex(self.values.columns).fillna(0.0)
        if w.sum() <= 0:
            raise _problem("weights must have a positive sum to share them out")
        w = w / w.sum()
        prov = self.provenance.astype(str)
        kinds = {"city-level": prov.isin(["own", "urban-centre"]),
                 "proxy": prov.isin(["proxy-county", "proxy-province"]),
                 "imputed": prov.apply(lambda c: c.str.startswith("imputed")),
                 "missing": prov == MISSING}
        return pd.DataFrame({k: mask.to_numpy() @ w.to_numpy() for k, mask in kinds.items()},
                            index=self.values.index)

    # ----------------------------------------------------------------- transformations

    def with_history(self, line: str, **changes) -> CityMatrix:
        """A copy with `changes` applied and `line` appended to the history."""
        return replace(self, history=self.history + (line,), **changes)

    def take(self, candidates: Iterable[str], *, note: str) -> CityMatrix:
        """Keep only `candidates` (in the given order)."""
        keep = list(candidates)
        unknown = [c for c in keep if c not in self.values.index]
        if unknown:
            near = difflib.get_close_matches(str(unknown[0]), list(self.values.index), n=3)
            raise _problem(f"unknown candidate ids {unknown[:5]}"
                           + (f"; closest: {near}" if near else ""))
        return self.with_history(note, values=self.values.loc[keep],
                                 provenance=self.provenance.loc[keep],
                                 candidates=self.candidates.loc[keep])

    def drop_criteria(self, criteria: Iterable[str], *, note: str) -> CityMatrix:
        """Remove `criteria` (columns)."""
        drop = list(criteria)
        keep = [c for c in self.values.columns if c not in drop]
        return self.with_history(note, values=self.values[keep],
                                 provenance=self.provenance[keep],
                                 criteria=self.criteria.loc[keep])

    def to_array(self) -> np.ndarray:
        """The values as a float array (candidates × criteria)."""
        return self.values.to_numpy(dtype=float)


def criteria_from_framework(framework, dataset) -> pd.DataFrame:
    """One row per indicator that a framework's scored leaves map to, with its place in the tree.

    ``component`` is the leaf, ``dimension`` the second-level ancestor (the root when the tree has
    two levels), ``subindex`` the root's sub-index (national frameworks) and ``direction`` the
    leaf's polarity (``+`` → ``max``, ``-`` → ``min``). In a national framework an indicator
    mapped by two leaves is an error (its weight would be ambiguous); in a standard framework,
    reached through the crosswalk, it stays with its first leaf and ``also`` lists the others.

    Raises
    ------
    DataValidationError
        If no leaf has data in the dataset, or an indicator is used twice.
    """
    from .frameworks import component_indicators

    mapping = component_indicators(framework, dataset)
    rows, seen = [], {}
    for leaf in framework.leaves:
        if leaf.polarity not in ("+", "-"):
            continue  # context and target leaves are described, not scored
        path = [leaf]
        while path[-1].parent is not None:
            path.append(framework.by_code[path[-1].parent])
        root = path[-1]
        dimension = path[-2] if len(path) >= 3 else root
        for indicator in mapping.get(leaf.code, ()):
            if indicator in seen and framework.kind == "standard":
                first = next(r for r in rows if r["criterion"] == indicator)
                first["also"] = "|".join(filter(None, [first.get("also"), leaf.code]))
                continue
            if indicator in seen:
                raise _problem(
                    f"indicator {indicator!r} is mapped by two components: {seen[indicator]!r} and "
                    f"{leaf.code!r}", "map each indicator to one component of the framework.")
            seen[indicator] = leaf.code
            rows.append({"criterion": indicator, "component": leaf.code,
                         "dimension": dimension.code, "subindex": root.subindex,
                         "direction": "max" if leaf.polarity == "+" else "min"})
    if not rows:
        raise _problem(f"framework {framework.id!r} has no scored component with data in "
                       f"dataset {dataset.name!r}",
                       "map its components to the dataset's indicators (see citykit frameworks).",
                       code="framework_no_data",
                       params={"framework": framework.id, "dataset": dataset.name})
    return pd.DataFrame(rows).set_index("criterion").rename_axis(None)
