"""Load, verify and query datasets: provinces, counties, cities, indicator values and provenance.

:func:`load_dataset` opens a bundled dataset by name (``"iran"``) or a user's own dataset by
path (a folder of CSV / XLSX / GeoJSON / GeoPackage files, one XLSX workbook, or one GeoPackage),
checks its integrity and its format, and returns one :class:`Dataset`.

A city that has no value of its own for an indicator takes its county's value, else its
province's. :meth:`Dataset.city_values` returns every such value with its ``provenance``
(``own``, ``proxy-county`` or ``proxy-province``) so that a province figure is never shown as a
city figure.
"""

from __future__ import annotations

import difflib
import json
import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .exceptions import (
    CityKitWarning,
    DatasetNotFoundError,
    DataValidationError,
    IntegrityError,
    Problem,
)
from .integrity import MANIFEST_NAME, verify_manifest
from .validation import check_tables

__all__ = ["Dataset", "PROVENANCE", "bundled_datasets", "datasets_root", "load_dataset",
           "read_tables", "save_dataset", "validate_dataset"]

TABLES = ("provinces", "counties", "cities", "values", "indicators", "sources")
_EXTENSIONS = {
    "provinces": (".geojson", ".gpkg", ".csv", ".xlsx"),
    "counties": (".geojson", ".gpkg", ".csv", ".xlsx"),
    "cities": (".csv", ".xlsx", ".geojson", ".gpkg"),
    "values": (".csv", ".xlsx"),
    "indicators": (".csv", ".xlsx"),
    "sources": (".csv", ".xlsx"),
}
_OPTIONAL = {"counties"}
_ID_COLUMNS = ("province_code", "county_code", "city_id", "entity_id", "code", "id", "source",
               "indicator", "population_source")
#: Where a city's value came from, in order of preference.
PROVENANCE = ("own", "proxy-county", "proxy-province")
WGS84 = "EPSG:4326"


def datasets_root() -> Path:
    """The folder holding bundled datasets: ``$CITYKIT_DATASETS`` or the repository's ``datasets/``."""
    env = os.environ.get("CITYKIT_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "datasets"


def bundled_datasets() -> list[str]:
    """Names of the datasets under :func:`datasets_root` (folders with a ``dataset.json``).

    Examples
    --------
    >>> "iran" in bundled_datasets()
    True
    """
    root = datasets_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "dataset.json").is_file())


@dataclass(frozen=True, eq=False)
class Dataset:
    """One country's candidate cities, their regions, indicator values and provenance.

    Attributes
    ----------
    name, title : str
        Short name (``"iran"``) and display title.
    provinces : geopandas.GeoDataFrame
        Indexed by ``province_code``; polygons in EPSG:4326.
    counties : geopandas.GeoDataFrame or None
        Indexed by ``county_code``; geometry may be empty.
    cities : geopandas.GeoDataFrame
        Indexed by ``city_id``; points in EPSG:4326 and boolean flags.
    values : pandas.DataFrame
        Tidy values (``entity_id, level, indicator, year, value, source, flag, note``).
    indicators, sources : pandas.DataFrame
        Indexed by ``code`` and ``id``.
    manifest : dict
        The contents of ``dataset.json`` (empty when absent).
    path : pathlib.Path
        Where it was loaded from.
    verified : bool
        True when every file matched ``checksums.sha256``.
    """

    name: str
    title: str
    provinces: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame | None
    cities: gpd.GeoDataFrame
    values: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    path: Path | None = None
    verified: bool = False

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.summary().items())
        return f"<Dataset {self.name!r}: {counts}>"

    def summary(self) -> dict[str, int]:
        """Counts of entities, indicators, values and sources.

        Examples
        --------
        >>> load_dataset("iran").summary()["provinces"]
        31
        """
        return {
            "provinces": len(self.provinces),
            "counties": 0 if self.counties is None else len(self.counties),
            "cities": len(self.cities),
            "indicators": len(self.indicators),
            "values": len(self.values),
            "sources": len(self.sources),
        }

    @property
    def national_capital(self) -> list[str]:
        """``city_id`` of the city (or cities) flagged as national capital."""
        return self.cities.index[self.cities["is_national_capital"]].tolist()

    def latest_year(self, indicator: str, level: str | None = None) -> int:
        """The most recent year with any value of `indicator` (at `level`, if given).

        Raises
        ------
        KeyError
            If the indicator has no values (at that level).
        """
        rows = self.values["indicator"] == indicator
        if level is not None:
            rows &= self.values["level"] == level
        if not rows.any():
            raise KeyError(f"indicator {indicator!r} has no values"
                           + (f" at level {level!r}" if level else ""))
        return int(self.values.loc[rows, "year"].max())

    def level_values(self, level: Literal["province", "county", "city"], *,
                     indicators: list[str] | None = None,
                     year: int | Literal["latest"] = "latest") -> pd.DataFrame:
        """Values published at one level, one row per entity and indicator.

        With ``year="latest"`` each indicator takes its most recent year at that level; an
        entity missing that year stays missing (an older value is not silently substituted).
        """
        rows = self.values["level"] == level
        if indicators is not None:
            self._check_indicators(indicators)
            rows &= self.values["indicator"].isin(indicators)
        sub = self.values.loc[rows]
        if year == "latest":
            latest = sub.groupby("indicator")["year"].transform("max")
            sub = sub.loc[sub["year"] == latest]
        else:
            sub = sub.loc[sub["year"] == year]
        return sub.reset_index(drop=True)

    def city_values(self, indicators: list[str] | None = None, *,
                    year: int | Literal["latest"] = "latest") -> pd.DataFrame:
        """Every candidate city's value of each indicator, borrowing from county or province.

        Parameters
        ----------
        indicators : list of str, optional
            Indicator codes. Default: all.
        year : int or "latest", default "latest"
            The reference year; ``"latest"`` takes, at each level, the indicator's most recent
            year (so a county value of 2016 and a province value of 2023 may both appear; the
            ``year`` column says which).

        Returns
        -------
        pandas.DataFrame
            One row per city and indicator that has a value: ``city_id, indicator, value, year,
            source, flag, provenance`` (``own``, ``proxy-county`` or ``proxy-province``) and
            ``from_entity`` (the entity whose value it is). Missing values are absent rows.

        Examples
        --------
        >>> ds = load_dataset("iran")
        >>> v = ds.city_values(["census_urban_share"])
        >>> sorted(v["provenance"].unique())
        ['proxy-county']
        """
        parts = []
        links = {"city": "city_id", "county": "county_code", "province": "province_code"}
        cities = self.cities.reset_index()[["city_id", "county_code", "province_code"]]
        for level, provenance in zip(("city", "county", "province"), PROVENANCE, strict=True):
            found = self.level_values(level, indicators=indicators, year=year)
            if found.empty:
                continue
            found = found.rename(columns={"entity_id": "from_entity"})
            joined = cities.merge(found, left_on=links[level], right_on="from_entity")
            joined["provenance"] = provenance
            parts.append(joined)
        columns = ["city_id", "indicator", "value", "year", "source", "flag", "provenance",
                   "from_entity"]
        if not parts:
            return pd.DataFrame(columns=columns)
        both = pd.concat(parts, ignore_index=True)
        # The first level in PROVENANCE order that has a value wins.
        both["rank"] = both["provenance"].map({p: i for i, p in enumerate(PROVENANCE)})
        both = both.sort_values(["city_id", "indicator", "rank"], kind="stable")
        best = both.drop_duplicates(["city_id", "indicator"], keep="first")
        return best[columns].reset_index(drop=True)

    def _check_indicators(self, codes: list[str]) -> None:
        unknown = [c for c in codes if c not in self.indicators.index]
        if unknown:
            hints = {c: difflib.get_close_matches(c, self.indicators.index, n=3) for c in unknown}
            raise DataValidationError([Problem(
                "indicators", f"unknown indicator code {c!r}"
                + (f"; closest known: {hints[c]}" if hints[c] else ""),
                fix="see Dataset.indicators for the codes.") for c in unknown])


def _find(folder: Path, table: str) -> Path | None:
    for ext in _EXTENSIONS[table]:
        path = folder / f"{table}{ext}"
        if path.exists():
            return path
    return None


def _as_text_ids(frame: pd.DataFrame) -> pd.DataFrame:
    for column in _ID_COLUMNS:
        if column in frame.columns:
            text = frame[column].astype("string").str.strip()
            frame[column] = text.where(text != "", pd.NA)
    return frame


def _read_one(path: Path, *, layer: str | None = None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8-sig")
    if suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=layer or 0, dtype=str, engine="openpyxl")
    if suffix in (".geojson", ".json", ".gpkg"):
        return gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    raise DataValidationError([Problem(str(path), f"unsupported file type {suffix!r}",
                                       fix="use CSV, XLSX, GeoJSON or GeoPackage.")])


def read_tables(source: str | os.PathLike) -> tuple[dict[str, pd.DataFrame], dict[str, str],
                                                     dict, list[Problem]]:
    """Read the raw tables of a dataset folder, workbook or GeoPackage.

    Returns
    -------
    tables : dict
        Table name to frame (ids as text, other cells as read).
    files : dict
        Table name to the file (and sheet/layer) named in messages.
    manifest : dict
        ``dataset.json`` contents, or ``{}``.
    problems : list of Problem
        Missing required tables and unreadable files.
    """
    path = Path(source)
    tables, files, problems = {}, {}, []
    manifest: dict = {}
    if path.is_dir():
        if (path / "dataset.json").exists():
            manifest = json.loads((path / "dataset.json").read_text(encoding="utf-8"))
        for table in TABLES:
            found = _find(path, table)
            if found is None:
                if table not in _OPTIONAL:
                    problems.append(Problem(
                        str(path), f"missing table {table!r}: expected one of "
                                   f"{[table + e for e in _EXTENSIONS[table]]}",
                        fix="see datasets/README.md and the templates in datasets/templates/."))
                continue
            files[table] = found.name
            tables[table] = _read_one(found)
    elif path.suffix.lower() in (".xlsx", ".gpkg"):
        import pyogrio

        present = (pd.ExcelFile(path, engine="openpyxl").sheet_names
                   if path.suffix.lower() == ".xlsx"
                   else [name for name, _ in pyogrio.list_layers(path)])
        for table in TABLES:
            if table in present:
                files[table] = f"{path.name}[{table}]"
                tables[table] = _read_one(path, layer=table)
            elif table not in _OPTIONAL:
                problems.append(Problem(path.name, f"missing sheet/layer {table!r}; found "
                                                   f"{present}",
                                        fix="name the sheets/layers as in datasets/README.md."))
    else:
        raise DatasetNotFoundError(
            f"{str(path)!r} is not a dataset: expected a folder, an .xlsx workbook or a .gpkg "
            f"file. Bundled datasets: {bundled_datasets()}.")
    tables = {k: _as_text_ids(v) for k, v in tables.items()}
    return tables, files, manifest, problems


def _geometry(frame: pd.DataFrame, table: str, file: str, problems: list[Problem],
              *, points_from: tuple[str, str] | None = None) -> gpd.GeoDataFrame:
    """Give `frame` a valid EPSG:4326 geometry, reprojecting with a warning if needed."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        gdf = frame
        if gdf.crs is None:
            warnings.warn(f"{file} has no CRS; assuming WGS 84 (EPSG:4326).", CityKitWarning,
                          stacklevel=4)
            gdf = gdf.set_crs(WGS84)
        elif not gdf.crs.equals(WGS84):
            warnings.warn(f"{file} is in {gdf.crs.to_string()}, not EPSG:4326; reprojected to "
                          "EPSG:4326.", CityKitWarning, stacklevel=4)
            gdf = gdf.to_crs(WGS84)
    elif points_from and all(c in frame.columns for c in points_from):
        lon, lat = points_from
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame[lon], frame[lat]),
                               crs=WGS84)
    elif "geometry" in frame.columns:
        geoms = gpd.GeoSeries.from_wkt(frame["geometry"].fillna(""), on_invalid="ignore")
        gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms, crs=WGS84)
    else:
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)), crs=WGS84)
    present = gdf.geometry.notna() & ~gdf.geometry.is_empty
    invalid = present & ~gdf.geometry.is_valid
    if invalid.any():
        rows = (np.flatnonzero(invalid.to_numpy()) + 1).tolist()
        reasons = shapely.is_valid_reason(gdf.geometry[invalid].to_numpy())[:3]
        problems.append(Problem(
            file, f"invalid geometry in rows {rows[:5]}: {list(reasons)}", column="geometry",
            fix="repair it (e.g. shapely.make_valid or QGIS 'Fix geometries') and save again."))
    return gdf


def _assemble(name: str, tables: dict, files: dict, manifest: dict,
              problems: list[Problem]) -> Dataset:
    provinces = _geometry(tables["provinces"], "provinces", files["provinces"], problems)
    counties = tables.get("counties")
    if counties is not None:
        counties = _geometry(counties, "counties", files["counties"], problems)
    cities = _geometry(tables["cities"], "cities", files["cities"], problems,
                       points_from=("longitude", "latitude"))
    if problems:
        raise DataValidationError(problems)
    if isinstance(tables["cities"], gpd.GeoDataFrame) and "latitude" not in cities.columns:
        cities["latitude"], cities["longitude"] = cities.geometry.y, cities.geometry.x
    for column in ("county_code", "population", "population_year", "is_national_capital",
                   "is_provincial_capital", "is_metropolis"):
        if column not in cities.columns:
            cities[column] = False if column.startswith("is_") else pd.NA
    values = tables["values"]
    values["year"] = values["year"].astype("int64")
    if "note" not in values.columns:
        values["note"] = pd.NA
    return Dataset(
        name=name,
        title=manifest.get("title", name),
        provinces=provinces.set_index("province_code", drop=False).rename_axis(None),
        counties=None if counties is None
        else counties.set_index("county_code", drop=False).rename_axis(None),
        cities=cities.set_index("city_id", drop=False).rename_axis(None),
        values=values.reset_index(drop=True),
        indicators=tables["indicators"].set_index("code", drop=False).rename_axis(None),
        sources=tables["sources"].set_index("id", drop=False).rename_axis(None),
        manifest=manifest,
    )


def _resolve(source: str | os.PathLike) -> Path:
    path = Path(source)
    if path.exists():
        return path
    candidate = datasets_root() / str(source)
    if isinstance(source, str) and os.sep not in source and candidate.is_dir():
        return candidate
    raise DatasetNotFoundError(
        f"No dataset {str(source)!r}: not a bundled dataset ({bundled_datasets()}) and no such "
        "file or folder. Give a bundled name or the path of a dataset folder, .xlsx workbook, "
        ".gpkg file, or one table file (e.g. values.csv).")


def validate_dataset(source: str | os.PathLike) -> tuple[list[Problem], list[str]]:
    """Check a dataset (folder, workbook, GeoPackage, or one table file) and collect findings.

    Unlike :func:`load_dataset` it never stops at the first failing stage: integrity, format
    and cross-table problems are all reported. A single table file (``values.csv``,
    ``cities.xlsx`` ...) is checked on its own, without references to other tables.

    Returns
    -------
    problems : list of Problem
        Empty when valid.
    warnings : list of str
        Suspicious but valid findings (a layer reprojected, no checksum manifest).

    Examples
    --------
    >>> problems, notes = validate_dataset("iran")
    >>> problems
    []
    """
    path = _resolve(source)
    problems: list[Problem] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if path.is_file() and path.stem in TABLES and path.suffix.lower() in _EXTENSIONS[path.stem]:
            frame = _as_text_ids(_read_one(path))
            problems += check_tables({path.stem: frame}, {path.stem: path.name}, partial=True)
        else:
            if path.is_dir() and (path / MANIFEST_NAME).exists():
                problems += verify_manifest(path)
            elif path.is_dir():
                warnings.warn(f"no {MANIFEST_NAME}: integrity cannot be checked", CityKitWarning,
                              stacklevel=2)
            tables, files, manifest, found = read_tables(path)
            problems += found
            if not found:
                checked = check_tables(tables, files)
                try:
                    _assemble(path.stem, tables, files, manifest, checked)
                except DataValidationError as err:
                    problems += err.problems
    return problems, [str(w.message) for w in caught]


def load_dataset(source: str | os.PathLike = "iran", *,
                 verify: bool | Literal["warn"] = True) -> Dataset:
    """Load a bundled dataset by name, or a user's dataset by path.

    Parameters
    ----------
    source : str or path-like, default "iran"
        A bundled dataset's name (see :func:`bundled_datasets`), a dataset folder, an ``.xlsx``
        workbook with one sheet per table, or a ``.gpkg`` with one layer per table.
    verify : bool or "warn", default True
        Check every file against ``checksums.sha256``. ``True`` refuses modified files with an
        :class:`~citykit.exceptions.IntegrityError`; ``"warn"`` loads them knowingly with a
        warning; ``False`` skips the check.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetNotFoundError
        If `source` is neither a bundled name nor an existing path.
    IntegrityError
        If a file differs from its checksum (with ``verify=True``).
    DataValidationError
        If the tables break the format; lists every problem found.

    Examples
    --------
    >>> ds = load_dataset("iran")
    >>> ds.cities.loc[ds.national_capital, "name_en"].tolist()
    ['Tehran']
    """
    path = _resolve(source)
    verified = False
    if verify and path.is_dir():
        if (path / MANIFEST_NAME).exists():
            found = verify_manifest(path)
            if found and verify == "warn":
                listed = "; ".join(map(str, found[:5])) + (" ..." if len(found) > 5 else "")
                warnings.warn(f"Loading modified data knowingly (verify='warn'): {listed}",
                              CityKitWarning, stacklevel=2)
            elif found:
                raise IntegrityError(found)
            verified = not found
        else:
            warnings.warn(f"{path} has no {MANIFEST_NAME}; its integrity cannot be checked.",
                          CityKitWarning, stacklevel=2)
    tables, files, manifest, problems = read_tables(path)
    if problems:
        raise DataValidationError(problems)
    problems = check_tables(tables, files)
    name = manifest.get("name", path.stem)
    dataset = _assemble(name, tables, files, manifest, problems)
    return replace(dataset, path=path, verified=verified)


def save_dataset(dataset: Dataset, folder: str | os.PathLike, *, provinces: list[str] | None = None,
                 checksums: bool = True) -> Path:
    """Write `dataset` (or the part of it in some `provinces`) as a dataset folder.

    The folder has the format of ``datasets/README.md`` (GeoJSON for regions, CSV for the rest,
    ``dataset.json``) and, with ``checksums=True``, a ``checksums.sha256`` that seals it. Values
    of counties and cities outside the kept provinces are dropped with them; sources and
    indicators are kept whole.

    Parameters
    ----------
    dataset : Dataset
    folder : path-like
        Created if needed; existing tables in it are overwritten.
    provinces : list of str, optional
        ``province_code`` values to keep (default all).

    Returns
    -------
    pathlib.Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = save_dataset(load_dataset("iran"), Path(tmp) / "isfahan", provinces=["IR-10"])
    ...     load_dataset(path).summary()["provinces"]
    1
    """
    from .integrity import write_manifest

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    keep = list(dataset.provinces.index) if provinces is None else list(provinces)
    unknown = [p for p in keep if p not in dataset.provinces.index]
    if unknown:
        raise DataValidationError([Problem("provinces", f"unknown province codes {unknown}")])
    regions = dataset.provinces.loc[keep]
    counties = None if dataset.counties is None else \
        dataset.counties[dataset.counties["province_code"].isin(keep)]
    cities = dataset.cities[dataset.cities["province_code"].isin(keep)]
    ids = {"province": set(regions.index), "city": set(cities.index),
           "county": set() if counties is None else set(counties.index)}
    values = dataset.values[[eid in ids.get(level, ()) for eid, level in
                             zip(dataset.values["entity_id"], dataset.values["level"],
                                 strict=True)]]
    regions.to_file(folder / "provinces.geojson", driver="GeoJSON")
    if counties is not None:
        counties.to_file(folder / "counties.geojson", driver="GeoJSON")
    table = pd.DataFrame(cities.drop(columns="geometry"))
    for column in [c for c in table.columns if c.startswith("is_")]:
        table[column] = table[column].map({True: "true", False: "false"})
    table.to_csv(folder / "cities.csv", index=False)
    values.to_csv(folder / "values.csv", index=False)
    dataset.indicators.to_csv(folder / "indicators.csv", index=False)
    dataset.sources.to_csv(folder / "sources.csv", index=False)
    manifest = {**dataset.manifest, "name": folder.name,
                "title": f"{dataset.title} ({len(keep)} of {len(dataset.provinces)} provinces)"}
    (folder / "dataset.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    if checksums:
        write_manifest(folder)
    return folder
