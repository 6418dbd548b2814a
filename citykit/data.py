"""Load, verify and query datasets: provinces, counties, cities, indicator values and provenance.

:func:`load_dataset` opens a bundled dataset by name (``"iran"``) or a user's own dataset by
path (a folder of CSV / XLSX / GeoJSON / GeoPackage files, one XLSX workbook, or one GeoPackage),
checks its integrity and its format, and returns one :class:`Dataset`.

A city that has no value of its own for an indicator takes its urban centre's value (only the
*core* city of a centre does: a centre may hold several municipalities, and its values belong to
the centre, not to every town in it), else its county's, else its province's.
:meth:`Dataset.city_values` returns every such value with its ``provenance`` (``own``,
``urban-centre``, ``proxy-county`` or ``proxy-province``) so that a province figure is never
shown as a city figure.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import os
import re
import sqlite3
import stat
import time
import urllib.parse
import warnings
import zipfile
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
    short_repr,
)
from .integrity import MANIFEST_NAME, verify_manifest
from .validation import check_tables, lint_names, lint_percentages

__all__ = ["CITY_LEVEL", "Dataset", "GPKG_TIME_BUDGET_S", "MAX_FILE_BYTES", "MAX_SHEET_CELLS",
           "MAX_UNZIPPED_BYTES", "PROVENANCE",
           "SIDE_TABLES", "bundled_datasets",
           "check_file_size", "datasets_root", "load_dataset", "read_limited", "read_table",
           "read_tables",
           "save_dataset",
           "validate_dataset"]

#: The largest input file citykit reads (50 MiB): checked before a file is parsed, by reading
#: at most this many bytes plus one (a reported size is not trusted), so an upload of any size,
#: or a device such as ``/dev/zero``, is refused with a message instead of filling memory. The
#: bundled Iran dataset's largest file is about 2 MB.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The most an XLSX workbook may hold once unzipped (all parts together), against zip bombs.
MAX_UNZIPPED_BYTES = 4 * MAX_FILE_BYTES
#: The most cells one XLSX sheet may have, counted twice before anything iterates over it: the
#: cells stored in the sheet's XML (counted before openpyxl parses it), and the area from A1 to
#: the last stored cell (rows × columns, which openpyxl and pandas walk cell by cell). A sheet
#: with cells only at A1 and XFD1048576 has an area of 17 billion cells. The bundled Iran values
#: table has about 190,000 cells; a larger table belongs in a CSV file.
MAX_SHEET_CELLS = 1_000_000
#: Seconds the SQLite queries citykit runs itself on a GeoPackage may take (stopped by SQLite's
#: progress handler); the file is inspected read-only, and views are refused, before GDAL opens it.
GPKG_TIME_BUDGET_S = 5.0

TABLES = ("provinces", "counties", "cities", "values", "indicators", "sources", "urban_centres")
_EXTENSIONS = {
    "provinces": (".geojson", ".gpkg", ".csv", ".xlsx"),
    "counties": (".geojson", ".gpkg", ".csv", ".xlsx"),
    "cities": (".csv", ".xlsx", ".geojson", ".gpkg"),
    "values": (".csv", ".xlsx"),
    "indicators": (".csv", ".xlsx"),
    "sources": (".csv", ".xlsx"),
    "urban_centres": (".csv", ".xlsx"),
}
_OPTIONAL = {"counties", "urban_centres"}
#: Published side tables of a dataset folder that :meth:`Dataset.side_table` reads on demand:
#: how the city register was cleaned, and how cities were joined to urban centres.
SIDE_TABLES = ("register_audit", "centre_join")
_ID_COLUMNS = ("province_code", "county_code", "city_id", "entity_id", "code", "id", "source",
               "indicator", "population_source", "centre_id", "urban_centre_id", "core_city_id")
#: Where a city's value came from, in order of preference: its own, its urban centre's (core
#: cities only), then its county's and its province's as flagged proxies.
PROVENANCE = ("own", "urban-centre", "proxy-county", "proxy-province")
#: Provenance levels that count as measured for the city itself (or the functional city, the
#: urban centre, it is the core of): the rest are proxies from an administrative unit.
CITY_LEVEL = ("own", "urban-centre")
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
    urban_centres : pandas.DataFrame or None
        Functional urban areas (e.g. GHSL urban centres), indexed by ``centre_id``; a city's
        ``urban_centre_id`` and ``centre_role`` (``core`` or ``member``) link to it.
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
    urban_centres: pd.DataFrame | None = None
    manifest: dict = field(default_factory=dict)
    path: Path | None = None
    verified: bool = False
    #: Side tables already read (the files were checked when the dataset loaded, and a Dataset
    #: never changes), so a page shown again does not read them again.
    _side: dict = field(default_factory=dict, init=False, repr=False)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in self.summary().items())
        return f"<Dataset {self.name!r}: {counts}>"

    def title_in(self, lang: str = "en") -> str:
        """The dataset's title in `lang` (``title_fa`` of its manifest in Persian, when given).

        Examples
        --------
        >>> load_dataset("iran").title_in("fa").startswith("ایران")
        True
        """
        own = self.manifest.get(f"title_{lang}") if lang != "en" else None
        return own if isinstance(own, str) and own.strip() else self.title

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
            "urban_centres": 0 if self.urban_centres is None else len(self.urban_centres),
        }

    @property
    def national_capital(self) -> list[str]:
        """``city_id`` of the city (or cities) flagged as national capital."""
        return self.cities.index[self.cities["is_national_capital"]].tolist()

    def capital_area(self) -> pd.Series:
        """Which cities lie in the national capital's county or urban centre (its suburbs).

        The capital itself and provincial capitals (Karaj, inside Tehran's urban centre, is the
        capital of Alborz) are not counted: they are cities in their own right.

        Returns
        -------
        pandas.Series
            Boolean, indexed like :attr:`cities`.

        Examples
        --------
        >>> ds = load_dataset("iran")
        >>> area = ds.capital_area()
        >>> bool(area[ds.cities["name_en"] == "Eslamshahr"].all())
        True
        >>> bool(area[ds.cities["name_en"] == "Karaj"].any())
        False
        """
        cities = self.cities
        capital = cities["is_national_capital"].fillna(False).astype(bool)
        inside = pd.Series(False, index=cities.index)
        for column in ("county_code", "urban_centre_id"):
            keys = cities[column].astype("string")
            shared = set(keys[capital].dropna())
            inside |= keys.isin(shared).fillna(False).astype(bool)
        provincial = cities["is_provincial_capital"].fillna(False).astype(bool)
        return inside & ~capital & ~provincial

    def centre_members(self) -> pd.Series:
        """For each core city, the names of the other towns in its urban centre (text).

        Examples
        --------
        >>> ds = load_dataset("iran")
        >>> ds.centre_members()[ds.national_capital[0]].split(", ")[:3]    # largest first
        ['Karaj', 'Eslamshahr', 'Shahrīār']
        """
        cities = self.cities
        empty = pd.Series("", index=cities.index, dtype=object)
        if cities["urban_centre_id"].isna().all():
            return empty
        centre = cities["urban_centre_id"].astype("string")
        role = cities["centre_role"].astype("string")
        members = cities[(role == "member").fillna(False).to_numpy()]
        names = (members.assign(_pop=pd.to_numeric(members["population"], errors="coerce"))
                 .sort_values("_pop", ascending=False)
                 .groupby(members["urban_centre_id"].astype("string"))["name_en"]
                 .agg(lambda n: ", ".join(map(str, n))))
        listed = centre.map(names).where((role == "core").fillna(False), "")
        return listed.fillna("").astype(object)

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
        """Every candidate city's value of each indicator, borrowing from larger units.

        A city takes its own value, else its urban centre's (only when it is the centre's core
        city: a centre may hold several municipalities, and a member town such as Karaj in the
        capital's centre does not take the capital's numbers), else its county's, else its
        province's.

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
            source, flag, provenance`` (one of :data:`PROVENANCE`) and ``from_entity`` (the
            entity whose value it is). Missing values are absent rows.

        Examples
        --------
        >>> ds = load_dataset("iran")
        >>> v = ds.city_values(["census_urban_share"])
        >>> sorted(v["provenance"].unique())
        ['proxy-county']
        """
        parts = []
        cities = self.cities.reset_index(drop=True)
        core = (cities["centre_role"].astype("string").eq("core").fillna(False)
                if "centre_role" in cities.columns else pd.Series(False, index=cities.index))
        centre = (cities["urban_centre_id"].astype("string")
                  if "urban_centre_id" in cities.columns
                  else pd.Series(pd.NA, index=cities.index, dtype="string"))
        cities = pd.DataFrame({"city_id": cities["city_id"],
                               "county_code": cities["county_code"],
                               "province_code": cities["province_code"],
                               "core_centre": centre.where(core, pd.NA)})
        links = {"city": "city_id", "urban_centre": "core_centre", "county": "county_code",
                 "province": "province_code"}
        for level, provenance in zip(links, PROVENANCE, strict=True):
            found = self.level_values(level, indicators=indicators, year=year)
            if found.empty:
                continue
            found = found.rename(columns={"entity_id": "from_entity"})
            link = cities[list(dict.fromkeys(["city_id", links[level]]))].dropna()
            joined = link.merge(found, left_on=links[level], right_on="from_entity")
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

    def side_table(self, name: str) -> pd.DataFrame | None:
        """A published side table of the dataset folder, or None when it has none.

        Parameters
        ----------
        name : {"register_audit", "centre_join"}
            ``register_audit``: every merge, drop and override made while cleaning the city
            register, with its reason; ``centre_join``: how each city was joined to an urban
            centre (``name``, ``alternate-name``, ``distance`` or ``none``).

        Examples
        --------
        >>> join = load_dataset("iran").side_table("centre_join")
        >>> sorted(set(join["method"]))[:2]
        ['alternate-name', 'distance']
        """
        if name not in SIDE_TABLES:
            raise DataValidationError([Problem(
                "dataset", f"unknown side table {name!r}; expected one of {list(SIDE_TABLES)}",
                fix="use one of the names listed.")])
        if name not in self._side:
            path = None if self.path is None else Path(self.path) / f"{name}.csv"
            self._side[name] = _as_text_ids(_read_one(path)) \
                if path is not None and path.is_file() else None
        table = self._side[name]
        return None if table is None else table.copy()

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


def _too_large(path: Path, size: int | None, limit: int) -> DataValidationError:
    got = (f"{size} bytes ({size / 1e6:.1f} MB)" if size is not None
           else f"more than {limit} bytes (its reported size was smaller)")
    return _fail(path.name, f"file is too large: {got}, the limit is {limit} bytes "
                            f"({limit / 1e6:.1f} MB)",
                 fix="split the data, drop columns or geometry detail citykit does not use (e.g. "
                     "simplify boundaries in QGIS), or check that this is the intended file.")


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"))


def read_limited(path: str | os.PathLike, limit: int | None = None, *,
                  keep: bool = True) -> bytes:
    """The bytes of the regular file `path`, refusing it once more than `limit` are read.

    Reads at most ``limit + 1`` bytes (default :data:`MAX_FILE_BYTES`) whatever the file system
    reports, and refuses anything but a regular file (a FIFO, ``/dev/zero``, a folder) before
    opening it. With ``keep=False`` the bytes are counted, not kept (returns ``b""``).
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    path = Path(path)

    def refuse_kind(mode: int) -> None:
        kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
        raise _fail(path.name, f"is {kind}, not a regular file; expected a data file",
                    fix="give the path of a file saved on disk (a table, workbook, "
                        "GeoPackage, YAML or JSON file).")

    try:
        info = os.stat(path)
    except OSError as err:
        raise _fail(path.name, f"cannot be read: {err.strerror or err}",
                    fix="check that the file exists and can be read.") from None
    if not stat.S_ISREG(info.st_mode):
        refuse_kind(info.st_mode)
    if info.st_size > limit:
        raise _too_large(path, info.st_size, limit)
    try:  # O_NONBLOCK: a file swapped for a FIFO after the check must not block the open
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise _fail(path.name, f"cannot be read: {err.strerror or err}",
                    fix="check that the file exists and can be read.") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            refuse_kind(mode)
        chunks, total = [], 0
        while total <= limit:
            chunk = handle.read(min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if keep:
                chunks.append(chunk)
    if total > limit:
        raise _too_large(path, None, limit)
    return b"".join(chunks)


def check_file_size(path: str | os.PathLike, *, limit: int | None = None) -> None:
    """Refuse a file larger than `limit` bytes (default :data:`MAX_FILE_BYTES`) before parsing it.

    The reported size is not trusted: at most ``limit + 1`` bytes are read and counted. Anything
    but a regular file (a folder, a FIFO, a device such as ``/dev/zero``) is refused unread.

    Raises
    ------
    DataValidationError
        Saying the file's size and the limit, or what kind of file it is.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv") as f:
    ...     _ = f.write(b"x" * 11); f.flush()
    ...     check_file_size(f.name, limit=10)
    Traceback (most recent call last):
    ...
    citykit.exceptions.DataValidationError: 1 problem in the data:
      - ...: file is too large: 11 bytes (0.0 MB), the limit is 10 bytes (0.0 MB). Fix: ...
    >>> check_file_size("/dev/zero")
    Traceback (most recent call last):
    ...
    citykit.exceptions.DataValidationError: 1 problem in the data:
      - zero: is a character device, not a regular file; expected a data file. Fix: ...
    """
    read_limited(path, limit, keep=False)


def _fail(file: str, message: str, fix: str | None = None, **where) -> DataValidationError:
    return DataValidationError([Problem(file, message, fix=fix, **where)])


def _resave_utf8(encoding: str) -> str:
    return ("re-save it as UTF-8: in Excel 'Save As' → 'CSV UTF-8 (Comma delimited)'; in "
            "LibreOffice tick 'Edit filter settings' and choose 'Unicode (UTF-8)'; or run "
            f"`iconv -f {encoding} -t UTF-8 in.csv > out.csv`.")


def _decode_text(path: Path, raw: bytes) -> str:
    """Decode a CSV's bytes: UTF-8 (with or without a BOM) or UTF-16 with a BOM.

    Any other encoding is reported, not guessed: single-byte code pages (Windows-1256, the
    'ANSI' of Persian Windows, Windows-1252, Mac Farsi ...) all decode any bytes without error,
    so a wrong guess would silently turn names into other letters.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise _fail(path.name, f"starts with a UTF-16 byte-order mark but is not valid "
                                   f"UTF-16 ({err.reason} at byte {err.start})",
                        fix=_resave_utf8("UTF-16")) from None
    if b"\x00" in raw[:4096]:
        raise _fail(path.name, "contains NUL bytes: it looks like UTF-16 saved without a "
                               "byte-order mark (expected UTF-8, or UTF-16 with a BOM)",
                    fix=_resave_utf8("UTF-16LE"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        byte = raw[err.start:err.start + 1].hex().upper()
        arabic = sum("\u0600" <= ch <= "\u06ff" for ch in raw.decode("cp1256", "replace"))
        guess = ("; its bytes read as Arabic-script text in Windows-1256, the 'ANSI' encoding of "
                 "Persian and Arabic Windows" if arabic else "")
        raise _fail(path.name, f"is not UTF-8 text: byte 0x{byte} on line {line} cannot be "
                               f"decoded (expected UTF-8{guess})",
                    fix=_resave_utf8("WINDOWS-1256" if arabic else "YOUR-ENCODING"),
                    line=line) from None
    return text


def _read_csv(path: Path) -> pd.DataFrame:
    raw = read_limited(path)
    text = _decode_text(path, raw)
    if not text.strip():
        raise _fail(path.name, f"is empty ({len(raw)} bytes); expected a header row and data "
                               "rows", fix="export the table again, or remove the file if the "
                                           "table is optional.")
    first = text.lstrip("\r\n").splitlines()[0]
    if ";" in first and "," not in first and "\t" not in first:
        raise _fail(path.name, "separates columns with semicolons (the 'CSV' of Excel in "
                               "decimal-comma locales); expected commas",
                    fix="in Excel choose 'CSV UTF-8 (Comma delimited)', or in LibreOffice set "
                        "the field delimiter to ',' and the decimal separator to '.'.", row=0)
    sep = "\t" if "\t" in first and "," not in first else ","
    header = next(csv.reader([first], delimiter=sep))
    names = [h.strip() for h in header]
    dup = sorted({h for h in names if names.count(h) > 1})
    if dup:
        cols = {h: [i + 1 for i, n in enumerate(names) if n == h] for h in dup}
        raise _fail(path.name, "duplicate column names " + ", ".join(
            f"{h!r} (columns {c})" for h, c in cols.items())
            + "; expected each column once (a second copy would be silently renamed)",
            fix="delete or rename the extra column.", row=0)
    blank = [i + 1 for i, h in enumerate(names) if not h]
    if blank:
        raise _fail(path.name, f"empty column name in header columns {blank}",
                    fix="name every column (see datasets/README.md) or delete empty ones.", row=0)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            sep=sep)
    except (pd.errors.ParserError, csv.Error) as err:
        found = re.search(r"line (\d+)", str(err))
        raise _fail(path.name, f"is not a well-formed CSV table: {err}",
                    fix="every row needs as many cells as the header; quote cells that contain "
                        "commas.", line=int(found.group(1)) if found else None) from None
    if names != header:
        warnings.warn(f"{path.name}: removed spaces around column names "
                      f"{[h for h, n in zip(header, names, strict=True) if h != n]}.",
                      CityKitWarning, stacklevel=4)
        frame.columns = names
    if frame.empty:
        raise _fail(path.name, f"has a header ({len(names)} columns) but no data rows",
                    fix="add the rows, or remove the file if the table is optional.")
    return frame


_XML_BOMB = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
#: The start of a cell element (``<c ...>``, ``<c>``, ``<x:c ...>``) in a worksheet part.
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _count_cells(archive: zipfile.ZipFile, part: zipfile.ZipInfo, cap: int) -> int:
    """Cells stored in a worksheet part, streamed; stops counting once over `cap`."""
    count, carry = 0, b""
    with archive.open(part) as handle:
        while count <= cap:
            chunk = handle.read(1 << 20)
            if not chunk:
                count += len(_CELL_TAG.findall(carry))
                break
            buffer = carry + chunk
            cut = buffer.rfind(b"<")  # a tag cut by the chunk boundary is counted next time
            cut = len(buffer) if cut < 0 else cut
            count += len(_CELL_TAG.findall(buffer, 0, cut))
            carry = buffer[cut:]
    return count


def _too_many_cells(file: str, where: str, got: str) -> DataValidationError:
    return _fail(file, f"{where} has {got}, over the limit of {MAX_SHEET_CELLS:,} cells per "
                       "sheet; refused before reading it",
                 fix="delete stray cells far from the table (in Excel: select the empty rows and "
                     "columns after the data, Delete, save), or save a large table as CSV.")


def _open_workbook(path: Path):
    """Open an XLSX workbook safely, or raise DataValidationError saying why it cannot be read.

    The zip is checked first: every part together must unzip to at most
    :data:`MAX_UNZIPPED_BYTES`, and no XML part may declare a DTD or entities (the 'billion
    laughs' XML bomb; Excel never writes them). openpyxl parses with ``defusedxml`` too when it
    is installed (it is a runtime requirement).
    """
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise _fail(path.name, "cannot be read as an XLSX workbook: it is not a zip archive",
                    fix="save it from Excel or LibreOffice as 'Excel Workbook (.xlsx)'; a CSV or "
                        "an old .xls renamed to .xlsx does not work.")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unzipped = sum(p.file_size for p in parts)
            if unzipped > MAX_UNZIPPED_BYTES:
                raise _fail(path.name, f"unzips to {unzipped} bytes, over the limit of "
                                       f"{MAX_UNZIPPED_BYTES} (a possible zip bomb); refused",
                            fix="split the workbook, or check that it is the intended file.")
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(part) as handle:
                        head = handle.read(64 * 1024)
                    if _XML_BOMB.search(head):
                        raise _fail(path.name, f"part {short_repr(part.filename)} declares a "
                                               "DTD or XML entities, which Excel never writes (a "
                                               "possible 'billion laughs' XML bomb); refused "
                                               "unread",
                                    fix="open and re-save the file in Excel or LibreOffice, "
                                        "and only use workbooks from a trusted source.")
                if _SHEET_PART.match(part.filename):
                    cells = _count_cells(archive, part, MAX_SHEET_CELLS)
                    if cells > MAX_SHEET_CELLS:
                        raise _too_many_cells(path.name, f"part {short_repr(part.filename)}",
                                              f"more than {MAX_SHEET_CELLS:,} stored cells")
        return openpyxl.load_workbook(path, read_only=False, data_only=False)
    except DataValidationError:
        raise
    except Exception as err:  # openpyxl/zip/XML errors of a damaged workbook
        root = err
        while (root.__cause__ or root.__context__) is not None:  # openpyxl re-raises vaguely
            root = root.__cause__ or root.__context__
        said = str(err).splitlines()[0] if str(err) else ""
        cause = f"; cause: {type(root).__name__}: {root}" if root is not err else ""
        raise _fail(path.name, f"cannot be read as an XLSX workbook ({type(err).__name__}: "
                               f"{said}{cause})",
                    fix="open it in Excel or LibreOffice and save it again as .xlsx.") from None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _stored_cells(ws) -> list:
    """The cells a sheet stores, in reading order, without creating the empty ones between."""
    cells = getattr(ws, "_cells", None)
    if cells is None:  # not openpyxl's in-memory worksheet: walk it (its area was checked)
        return [c for row in ws.iter_rows() for c in row]
    return [cells[key] for key in sorted(cells)]


def _check_sheet(book, sheet: str, file: str) -> None:
    ws = book[sheet]
    rows, columns = ws.max_row, ws.max_column
    if rows * columns > MAX_SHEET_CELLS:
        from openpyxl.utils import get_column_letter

        raise _too_many_cells(file, f"the sheet {short_repr(sheet)}",
                              f"an area of {rows:,} rows × {columns:,} columns = "
                              f"{rows * columns:,} cells (A1:{get_column_letter(columns)}{rows})")
    problems = []
    for merged in sorted(map(str, ws.merged_cells.ranges)):
        header = ws[merged.split(":")[0]].row == 1
        problems.append(Problem(
            file, f"merged cells {merged} in {'the header row' if header else 'the data'}: "
                  "only the first cell of a merged range keeps its text, the others read as "
                  "empty", row=0 if header else None,
            fix="unmerge the cells and give every column its own header (see "
                "datasets/README.md)." if header else "unmerge the cells and fill every cell."))
    formulas = [c for c in _stored_cells(ws) if c.data_type == "f"]
    if formulas:
        shown = ", ".join(f"{c.coordinate} ({_clip(str(c.value), 60)})" for c in formulas[:3])
        problems.append(Problem(
            file, f"{len(formulas)} cell{'s hold' if len(formulas) != 1 else ' holds'} a formula, "
                  f"e.g. {shown}; citykit reads stored values only and does not compute "
                  "formulas (a workbook's cached results may be missing or stale)",
            row=formulas[0].row - 1, column=str(ws.cell(1, formulas[0].column).value),
            fix="in Excel select the cells, Copy, then Paste Special → Values, and save."))
    if problems:
        raise DataValidationError(problems)


def _read_sheet(book, sheet: str, file: str) -> pd.DataFrame:
    _check_sheet(book, sheet, file)
    frame = pd.read_excel(book, sheet_name=sheet, dtype=str, engine="openpyxl")
    names = [str(c) for c in frame.columns]
    mangled = [c for c in names if c.startswith("Unnamed: ")]
    if mangled:
        raise _fail(file, f"empty header cells (columns {[c.split(': ')[1] for c in mangled]}, "
                          "counted from 0); expected a name above every column",
                    fix="name every column (see datasets/README.md) or delete empty ones.", row=0)
    header = [c.value for c in book[sheet][1]]
    dup = sorted({str(h) for h in header if h is not None and header.count(h) > 1})
    if dup:
        raise _fail(file, f"duplicate column names {dup}; expected each column once",
                    fix="delete or rename the extra column.", row=0)
    if frame.empty:
        raise _fail(file, f"has a header ({len(names)} columns) but no data rows",
                    fix="add the rows, or remove the sheet if the table is optional.")
    return frame


def _read_xlsx_table(path: Path, table: str) -> pd.DataFrame:
    """One table from ``TABLE.xlsx``: its only sheet, or the sheet named after the table."""
    book = _open_workbook(path)
    sheets = book.sheetnames
    if len(sheets) == 1:
        return _read_sheet(book, sheets[0], path.name)
    if table in sheets:
        warnings.warn(f"{path.name} has {len(sheets)} sheets {sheets}; read sheet {table!r} and "
                      f"ignored the others.", CityKitWarning, stacklevel=4)
        return _read_sheet(book, table, f"{path.name}[{table}]")
    raise _fail(path.name, f"has {len(sheets)} sheets {sheets} and none is named {table!r}; "
                           "citykit cannot tell which one holds the table",
                fix=f"keep one sheet, or name the sheet with the data {table!r}.")


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_geopackage(path: Path) -> None:
    """Inspect a GeoPackage with SQLite, read-only and on a time budget, before GDAL opens it.

    A GeoPackage is an SQLite database, and a layer may be a *view*: a query that runs when the
    layer is read, and may never end (a recursive view) or fill memory. citykit's layers are
    tables, so any view is refused, as is a table with generated columns (expressions computed
    as rows are read). The file is opened with ``mode=ro`` (nothing is written, not even a
    journal), and every query run here is stopped by SQLite's progress handler after
    :data:`GPKG_TIME_BUDGET_S` seconds. Triggers run only when rows are written, which neither
    citykit nor GDAL does when reading, so GDAL's own (spatial index) triggers are allowed.

    A file that is not an SQLite database is left to GDAL, which reports it.
    """
    with open(path, "rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            return
    fix = ("save the layers as plain tables (e.g. QGIS 'Export → Save Features As…' "
           "GeoPackage, or geopandas to_file), without views.")
    deadline = time.monotonic() + GPKG_TIME_BUDGET_S
    uri = "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    except sqlite3.Error as err:
        raise _fail(path.name, f"cannot be read as a GeoPackage: {err}",
                    fix="check it opens in QGIS and save it again.") from None
    try:
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
        connection.execute("PRAGMA query_only = ON")
        rows = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        views = [name for kind, name in rows if kind == "view"]
        if views:
            raise _fail(path.name, f"holds SQL views {short_repr(sorted(views)[:5])}: a view "
                                   "is a query run whenever it is read (it can be made to "
                                   "never end); citykit reads layers that are tables only, "
                                   "and refused the file before reading it", fix=fix)
        for _, name in rows:
            columns = connection.execute("SELECT name, hidden FROM pragma_table_xinfo(?)",
                                         (name,)).fetchall()
            generated = [column for column, hidden in columns if hidden in (2, 3)]
            if generated:
                raise _fail(path.name, f"table {short_repr(name)} has generated columns "
                                       f"{short_repr(generated[:5])}, computed whenever a row "
                                       "is read; citykit reads stored values only", fix=fix)
    except sqlite3.OperationalError as err:
        if "interrupted" in str(err):
            raise _fail(path.name, f"took more than {GPKG_TIME_BUDGET_S:g} s to inspect (its "
                                   "schema is unusually large or slow); refused",
                        fix=fix) from None
        raise _fail(path.name, f"cannot be read as a GeoPackage: {err}",
                    fix="check it opens in QGIS and save it again.") from None
    except sqlite3.DatabaseError as err:
        raise _fail(path.name, f"cannot be read as a GeoPackage: {err}",
                    fix="check it opens in QGIS and save it again.") from None
    finally:
        connection.close()


def _check_geo_content(path: Path, kind: str) -> None:
    """GDAL picks its driver by a file's content, not its name: make sure it picks `kind`.

    A ``.gpkg`` must be an SQLite database (then inspected by :func:`_check_geopackage`) and a
    ``.geojson``/``.json`` a JSON object, so that no other GDAL driver (a VRT that points at
    other files, an SQLite database with views) can open a file uploaded under either name.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(_SQLITE_MAGIC):
        if kind != "GeoPackage":
            raise _fail(path.name, f"is an SQLite database (a GeoPackage?), not {kind}",
                        fix="give a GeoPackage the extension .gpkg.")
        _check_geopackage(path)
    elif kind == "GeoPackage":
        raise _fail(path.name, "cannot be read as a GeoPackage: it is not an SQLite database",
                    fix="check it opens in QGIS and save it again as GeoPackage.")
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b""):
        raise _fail(path.name, "cannot be read as GeoJSON: it does not start with '{' (a JSON "
                               "object)",
                    fix="save the layer as GeoJSON (a FeatureCollection), EPSG:4326.")


def _read_geo(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    import pyogrio

    kind = "GeoPackage" if path.suffix.lower() == ".gpkg" else "GeoJSON"
    _check_geo_content(path, kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
                shapely.errors.ShapelyError, ValueError, OSError) as err:
            said = "".join(f" ({w.message})" for w in caught[:1])
            raise _fail(path.name, f"cannot be read as {kind}: {str(err).splitlines()[0]}{said}",
                        fix=f"check it opens in QGIS ('Fix geometries' repairs rings); save it "
                            f"again as {kind} (EPSG:4326).") from None
    for note in caught:  # what GDAL said about a file it could read, e.g. a ring it closed
        if issubclass(note.category, RuntimeWarning):
            warnings.warn(f"{path.name}: {note.message}", CityKitWarning, stacklevel=4)
        else:
            warnings.warn(note.message, note.category, stacklevel=4)
    return frame


def _read_one(path: Path, *, layer: str | None = None) -> pd.DataFrame:
    """Read one table file, refusing it with DataValidationError when it cannot be read."""
    check_file_size(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx_table(path, layer or path.stem)
    if suffix in (".geojson", ".json", ".gpkg"):
        return _read_geo(path, layer)
    raise DataValidationError([Problem(str(path), f"unsupported file type {suffix!r}",
                                       fix="use CSV, XLSX, GeoJSON or GeoPackage.")])


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read one table file (CSV, XLSX, GeoJSON, GeoPackage) with the dataset reader's checks.

    Size limit, UTF-8, one name per column, no formulas or merged cells: the same rules as a
    dataset's tables. Cells stay text.

    Raises
    ------
    DataValidationError
        Saying what is wrong with the file and how to fix it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "m.csv").write_text("city,a,a\\nX,1,2\\n")
    ...     read_table(Path(tmp) / "m.csv")
    Traceback (most recent call last):
    ...
    citykit.exceptions.DataValidationError: 1 problem in the data:
      - m.csv, row 0: duplicate column names 'a' (columns [2, 3]); ...
    """
    return _read_one(Path(path))


def _read_manifest(path: Path) -> dict:
    file = path / "dataset.json"
    try:
        manifest = json.loads(read_limited(file).decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise _fail("dataset.json", f"is not valid UTF-8 JSON: {err}",
                    fix='write a JSON object such as {"name": "...", "title": "..."}.') from None
    if not isinstance(manifest, dict):
        raise _fail("dataset.json", f"expected a JSON object, got {type(manifest).__name__}",
                    fix='write a JSON object such as {"name": "...", "title": "..."}.')
    return manifest


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
            try:
                manifest = _read_manifest(path)
            except DataValidationError as err:
                problems += err.problems
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
            try:
                tables[table] = _read_one(found)
            except DataValidationError as err:
                problems += err.problems
    elif path.suffix.lower() in (".xlsx", ".gpkg"):
        import pyogrio

        check_file_size(path)
        if path.suffix.lower() == ".xlsx":
            book = _open_workbook(path)
            present = book.sheetnames
            extra = [s for s in present if s not in TABLES]
            if extra:
                warnings.warn(f"{path.name}: sheets {extra} are not dataset tables and were "
                              f"ignored (tables: {list(TABLES)}).", CityKitWarning, stacklevel=3)
        else:
            _check_geo_content(path, "GeoPackage")
            try:
                present = [name for name, _ in pyogrio.list_layers(path)]
            except pyogrio.errors.DataSourceError as err:
                raise _fail(path.name, f"cannot be read as a GeoPackage: {err}",
                            fix="check it opens in QGIS and save it again.") from None
        for table in TABLES:
            if table in present:
                files[table] = f"{path.name}[{table}]"
                try:
                    tables[table] = (_read_sheet(book, table, files[table])
                                     if path.suffix.lower() == ".xlsx"
                                     else _read_geo(path, table))
                except DataValidationError as err:
                    problems += err.problems
            elif table not in _OPTIONAL:
                problems.append(Problem(path.name, f"missing sheet/layer {table!r}; found "
                                                   f"{present}",
                                        fix="name the sheets/layers as in datasets/README.md."))
    else:
        raise DatasetNotFoundError(
            f"{short_repr(str(path))} is not a dataset: expected a folder, an .xlsx workbook or a .gpkg "
            f"file. Bundled datasets: {bundled_datasets()}.")
    tables = {k: _as_text_ids(v) for k, v in tables.items()}
    return tables, files, manifest, problems


def _geometry(frame: pd.DataFrame, table: str, file: str, problems: list[Problem],
              *, points_from: tuple[str, str] | None = None) -> gpd.GeoDataFrame:
    """Give `frame` a valid EPSG:4326 geometry, reprojecting with a warning if needed.

    Invalid geometry (e.g. a self-intersecting ring), a province without a polygon (missing,
    empty or unreadable WKT), a geometry of the wrong type and coordinates outside the WGS 84
    range (a projected layer that declares EPSG:4326, or none) are reported in `problems`.
    """
    from_columns = False  # points built from latitude/longitude (their range is checked there)
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
        from_columns = True
        lon, lat = points_from
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame[lon], frame[lat]),
                               crs=WGS84)
    elif "geometry" in frame.columns:
        text = frame["geometry"].fillna("")
        geoms = gpd.GeoSeries.from_wkt(text, on_invalid="ignore")
        missing = shapely.is_missing(np.asarray(geoms.values, dtype=object))
        unreadable = (text.astype(str).str.strip() != "") & pd.Series(missing, index=text.index)
        if unreadable.any():
            rows = (np.flatnonzero(unreadable.to_numpy()) + 1).tolist()
            problems.append(Problem(
                file, f"geometry is not readable WKT in rows {rows[:5]}, e.g. "
                      f"{str(text[unreadable].iloc[0])[:60]!r}", column="geometry",
                fix="write WKT such as 'POLYGON ((0 0, 1 0, 1 1, 0 0))', or use GeoJSON."))
        gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms, crs=WGS84)
    else:
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)), crs=WGS84)
    geom = gdf.geometry
    shapes = np.asarray(geom.values, dtype=object)
    present = pd.Series(~(shapely.is_missing(shapes) | shapely.is_empty(shapes)),
                        index=geom.index)
    if table == "provinces" and not present.all() and "geometry" in getattr(frame, "columns", ()):
        rows = (np.flatnonzero(~present.to_numpy()) + 1).tolist()
        problems.append(Problem(
            file, f"{len(rows)} province{'s' if len(rows) != 1 else ''} without a polygon "
                  f"(null or empty geometry) in rows {rows[:5]}; expected a Polygon or "
                  "MultiPolygon", column="geometry",
            fix="draw or copy the boundary; every province needs one for maps and distances."))
    allowed = {"provinces": ("Polygon", "MultiPolygon"), "counties": ("Polygon", "MultiPolygon"),
               "cities": ("Point",)}[table]
    wrong = present & ~geom.geom_type.isin(allowed)
    if wrong.any():
        rows = (np.flatnonzero(wrong.to_numpy()) + 1).tolist()
        problems.append(Problem(
            file, f"wrong geometry type in rows {rows[:5]}: expected {' or '.join(allowed)}, got "
                  f"{sorted(set(geom[wrong].geom_type))}", column="geometry",
            fix="save the layer with the geometry type of datasets/README.md."))
    invalid = present & ~geom.is_valid
    if invalid.any():
        rows = (np.flatnonzero(invalid.to_numpy()) + 1).tolist()
        reasons = shapely.is_valid_reason(geom[invalid].to_numpy())[:3]
        problems.append(Problem(
            file, f"invalid geometry in rows {rows[:5]}: {list(reasons)}", column="geometry",
            fix="repair it (e.g. shapely.make_valid or QGIS 'Fix geometries') and save again."))
    if present.any() and not from_columns:
        minx, miny, maxx, maxy = geom[present].total_bounds
        if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
            problems.append(Problem(
                file, f"coordinates outside the WGS 84 range (x {minx:.6g} to {maxx:.6g}, y "
                      f"{miny:.6g} to {maxy:.6g}; expected longitude -180..180, latitude "
                      "-90..90): the layer looks projected (e.g. metres in UTM or Web Mercator) "
                      "but declares EPSG:4326 or no CRS", column="geometry",
                fix="declare the layer's real CRS (GeoJSON 'crs' member, or the .gpkg's SRS) so "
                    "citykit can reproject it, or reproject it to EPSG:4326 in QGIS."))
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
                   "is_provincial_capital", "is_metropolis", "urban_centre_id", "centre_role"):
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
        urban_centres=None if "urban_centres" not in tables
        else tables["urban_centres"].set_index("centre_id", drop=False).rename_axis(None),
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
        f"No dataset {short_repr(str(source))}: not a bundled dataset ({bundled_datasets()}) and no such "
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
        try:
            if path.is_file() and path.stem in TABLES \
                    and path.suffix.lower() in _EXTENSIONS[path.stem]:
                frame = _as_text_ids(_read_one(path))
                problems += check_tables({path.stem: frame}, {path.stem: path.name}, partial=True)
                if path.stem == "cities":
                    lint_names(frame, path.name)
            else:
                if path.is_dir() and (path / MANIFEST_NAME).exists():
                    problems += verify_manifest(path)
                elif path.is_dir():
                    warnings.warn(f"no {MANIFEST_NAME}: integrity cannot be checked",
                                  CityKitWarning, stacklevel=2)
                tables, files, manifest, found = read_tables(path)
                problems += found
                if not found:
                    checked = check_tables(tables, files)
                    try:
                        _assemble(path.stem, tables, files, manifest, checked)
                    except DataValidationError as err:
                        problems += err.problems
                    lint_names(tables["cities"], files["cities"])
                    lint_percentages(tables, files)
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
    centres = None
    if dataset.urban_centres is not None:
        centres = dataset.urban_centres[dataset.urban_centres["centre_id"].isin(
            set(cities["urban_centre_id"].dropna()))]
        ids["urban_centre"] = set(centres.index)
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
    if centres is not None:
        centres.to_csv(folder / "urban_centres.csv", index=False)
    for name in SIDE_TABLES:  # how the register was cleaned travels with the cities it explains
        side = dataset.side_table(name)
        if side is not None:
            keys = [c for c in ("city_id", "other_id") if c in side.columns]
            about = side[keys].isin(set(cities.index)).any(axis=1) if keys else True
            kept = side[about | side[keys[:1]].isna().all(axis=1)] if keys else side
            kept.to_csv(folder / f"{name}.csv", index=False)
    manifest = {**dataset.manifest, "name": folder.name,
                "title": f"{dataset.title} ({len(keep)} of {len(dataset.provinces)} provinces)"}
    (folder / "dataset.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
    if checksums:
        write_manifest(folder)
    return folder
