"""Check dataset tables against the format in ``datasets/README.md`` and report every problem.

The checks never fix anything silently: they return a list of :class:`~citykit.exceptions.Problem`
(file, row, column, expected vs got, how to fix), and the loader raises
:class:`~citykit.exceptions.DataValidationError` with all of them. Row numbers are 1-based data
rows, as a spreadsheet user counts them below the header.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .exceptions import Problem
from .text import parse_number

__all__ = [
    "DIRECTIONS",
    "FLAGS",
    "LEVELS",
    "REQUIRED_COLUMNS",
    "TABLE_COLUMNS",
    "check_tables",
    "coerce_bool",
    "coerce_numeric",
]

LEVELS = ("province", "county", "city")
FLAGS = ("official", "derived", "proxy", "imputed")
DIRECTIONS = ("max", "min")

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "provinces": ("province_code", "name_en", "name_fa"),
    "counties": ("county_code", "province_code", "name_fa"),
    "cities": ("city_id", "name_en", "name_fa", "province_code"),
    "values": ("entity_id", "level", "indicator", "year", "value", "source", "flag"),
    "indicators": ("code", "name_en", "name_fa", "unit", "direction", "level", "definition",
                   "source"),
    "sources": ("id", "title", "publisher", "year", "origin", "licence"),
}
#: Every column of each table, required first (see datasets/README.md).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "provinces": REQUIRED_COLUMNS["provinces"] + ("geometry",),
    "counties": REQUIRED_COLUMNS["counties"] + ("name_en", "geometry"),
    "cities": REQUIRED_COLUMNS["cities"] + (
        "latitude", "longitude", "county_code", "population", "population_year",
        "population_source", "is_national_capital", "is_provincial_capital", "is_metropolis"),
    "values": REQUIRED_COLUMNS["values"] + ("note",),
    "indicators": REQUIRED_COLUMNS["indicators"] + ("topic", "u4ssc", "iso37120", "iso37122",
                                                    "notes"),
    "sources": REQUIRED_COLUMNS["sources"] + ("attribution", "files"),
}
_KEYS = {"provinces": "province_code", "counties": "county_code", "cities": "city_id",
         "indicators": "code", "sources": "id"}
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_MAX_ROWS_SHOWN = 5


def _rows(mask: pd.Series) -> list[int]:
    """1-based row numbers where `mask` is true (the frame has a default RangeIndex)."""
    return (np.flatnonzero(mask.to_numpy()) + 1).tolist()


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:_MAX_ROWS_SHOWN]))
    return shown + (f" and {len(rows) - _MAX_ROWS_SHOWN} more" if len(rows) > _MAX_ROWS_SHOWN else "")


def _closest(word: str, choices) -> str:
    near = difflib.get_close_matches(str(word), [str(c) for c in choices], n=3, cutoff=0.6)
    return f" Closest known: {', '.join(map(repr, near))}." if near else ""


def coerce_numeric(series: pd.Series, *, file: str, column: str,
                   problems: list[Problem]) -> pd.Series:
    """Convert text to float, accepting Persian digits and separators; report what fails.

    Empty cells become NaN. Cells that are not numbers are reported (one problem listing their
    rows) and become NaN, so that every other check can still run.

    Examples
    --------
    >>> found = []
    >>> coerce_numeric(pd.Series(["1.5", "۲٫۵", "", "abc"]), file="values.csv", column="value",
    ...                problems=found).tolist()
    [1.5, 2.5, nan, nan]
    >>> print(found[0])
    values.csv, row 4, column 'value': expected a number, got 'abc'. Fix: write numbers with a decimal point and no units; leave a missing value empty (never 0).
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        out = series.astype(float)
    else:
        text = series.astype("string").str.strip()
        out = pd.to_numeric(text, errors="coerce").astype(float)
        todo = out.isna() & text.notna() & (text != "")
        if todo.any():
            parsed, bad = [], []
            for idx, cell in text[todo].items():  # only the few cells in local notation
                try:
                    parsed.append((idx, parse_number(cell)))
                except ValueError:
                    bad.append(idx)
            for idx, number in parsed:
                out.loc[idx] = number
            if bad:
                rows = _rows(pd.Series(series.index.isin(bad)))
                examples = ", ".join(repr(str(text.loc[i])) for i in bad[:3])
                problems.append(Problem(
                    file, f"expected a number, got {examples}"
                    + ("" if len(rows) == 1 else f" in rows {_rows_text(rows)}."),
                    row=rows[0] if len(rows) == 1 else None, column=column,
                    fix="write numbers with a decimal point and no units; leave a missing value "
                        "empty (never 0).",
                ))
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        problems.append(Problem(file, f"infinite values in rows {_rows_text(_rows(pd.Series(infinite)))}",
                                column=column, fix="replace them with finite numbers or leave empty."))
        out[infinite] = np.nan
    return out


def coerce_bool(series: pd.Series, *, file: str, column: str,
                problems: list[Problem]) -> pd.Series:
    """Read true/false flags (``true``/``false``, ``1``/``0``, ``yes``/``no``; empty = false).

    Examples
    --------
    >>> coerce_bool(pd.Series(["true", "False", "", "1"]), file="cities.csv",
    ...             column="is_metropolis", problems=[]).tolist()
    [True, False, False, True]
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool)
    text = series.astype("string").str.strip().str.casefold().fillna("false").replace("", "false")
    out = text.map(_BOOL_WORDS)
    bad = out.isna()
    if bad.any():
        problems.append(Problem(
            file, f"expected true or false, got {sorted(set(text[bad]))[:3]} in rows "
                  f"{_rows_text(_rows(bad))}", column=column,
            fix="use true/false (or 1/0, yes/no)."))
    return out.fillna(False).astype(bool)


def _check_required(name: str, file: str, frame: pd.DataFrame, problems: list[Problem]) -> bool:
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    for column in missing:
        problems.append(Problem(
            file, f"missing required column {column!r}; found columns {list(frame.columns)}."
            + _closest(column, frame.columns),
            fix=f"add the column (see datasets/README.md, table '{name}')."))
    return not missing


def _check_key(name: str, file: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    key = _KEYS[name]
    ids = frame[key].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        problems.append(Problem(file, f"empty {key} in rows {_rows_text(_rows(empty))}",
                                column=key, fix=f"give every row a {key}."))
    dup = ids.duplicated(keep=False) & ~empty
    if dup.any():
        values = sorted(set(ids[dup]))
        problems.append(Problem(
            file, f"duplicate {key} {values[:5]}{' …' if len(values) > 5 else ''} in rows "
                  f"{_rows_text(_rows(dup))}", column=key,
            fix=f"each {key} must appear once; merge or renumber the duplicates."))


def _check_reference(file: str, frame: pd.DataFrame, column: str, known: set, target: str,
                     problems: list[Problem], *, allow_empty: bool = False) -> None:
    ids = frame[column].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    unknown = ~ids.isin(known) & ~empty
    if unknown.any():
        values = sorted(set(ids[unknown]))
        problems.append(Problem(
            file, f"unknown {column} {values[:5]}{' …' if len(values) > 5 else ''} "
                  f"(rows {_rows_text(_rows(unknown))}); expected one of the {len(known)} ids in "
                  f"{target}." + _closest(values[0], known),
            column=column, fix=f"correct the ids or add them to {target}."))
    if empty.any() and not allow_empty:
        problems.append(Problem(file, f"empty {column} in rows {_rows_text(_rows(empty))}",
                                column=column, fix=f"every row needs a {column}."))


def _check_choice(file: str, frame: pd.DataFrame, column: str, allowed: tuple[str, ...],
                  problems: list[Problem], meaning: str) -> None:
    words = frame[column].astype("string").str.strip()
    bad = ~words.isin(allowed)
    if bad.any():
        got = sorted(set(words[bad].fillna("<empty>")))
        problems.append(Problem(
            file, f"unknown {column} {got[:5]} in rows {_rows_text(_rows(bad))}; expected one of "
                  f"{list(allowed)}." + _closest(got[0], allowed),
            column=column, fix=meaning))


def check_tables(tables: dict[str, pd.DataFrame], files: dict[str, str], *,
                 partial: bool = False) -> list[Problem]:
    """Check the six tables of a dataset, alone and against each other.

    `tables` maps table names (``provinces``, ``counties``, ``cities``, ``values``,
    ``indicators``, ``sources``) to frames whose cells are still text (ids, numbers and flags
    are checked and converted here, in place of the frames given). `files` maps table names
    to the file names used in messages. ``counties`` may be absent. With ``partial=True`` (one
    table checked on its own) references to absent tables are not reported.

    Returns
    -------
    list of Problem
        Empty when the dataset is valid.
    """
    problems: list[Problem] = []
    ok = {name: _check_required(name, files[name], frame, problems)
          for name, frame in tables.items() if name in REQUIRED_COLUMNS}
    for name in _KEYS:
        if ok.get(name):
            _check_key(name, files[name], tables[name], problems)

    ids = {name: set(tables[name][_KEYS[name]].astype("string").str.strip())
           for name in _KEYS if ok.get(name)}
    if ok.get("counties") and "provinces" in ids:
        _check_reference(files["counties"], tables["counties"], "province_code",
                         ids["provinces"], files["provinces"], problems)
    if ok.get("cities"):
        cities, f = tables["cities"], files["cities"]
        if "provinces" in ids:
            _check_reference(f, cities, "province_code", ids["provinces"], files["provinces"],
                             problems)
        if "county_code" in cities.columns and "counties" in ids:
            _check_reference(f, cities, "county_code", ids["counties"], files["counties"],
                             problems, allow_empty=True)
        for column, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            if column in cities.columns:
                cities[column] = coerce_numeric(cities[column], file=f, column=column,
                                                problems=problems)
                out = ~cities[column].between(low, high)
                if out.any():
                    problems.append(Problem(
                        f, f"{column} outside [{low}, {high}] (or empty) in rows "
                           f"{_rows_text(_rows(out))}", column=column,
                        fix="give WGS 84 decimal degrees (EPSG:4326)."))
        for column in ("population", "population_year"):
            if column in cities.columns:
                cities[column] = coerce_numeric(cities[column], file=f, column=column,
                                                problems=problems)
        for column in ("is_national_capital", "is_provincial_capital", "is_metropolis"):
            if column in cities.columns:
                cities[column] = coerce_bool(cities[column], file=f, column=column,
                                             problems=problems)
    if ok.get("indicators"):
        ind, f = tables["indicators"], files["indicators"]
        _check_choice(f, ind, "direction", DIRECTIONS, problems,
                      "use 'max' when more is better for a city, 'min' when less is better.")
        _check_choice(f, ind, "level", LEVELS, problems,
                      "the finest level the source publishes: province, county or city.")
        if "sources" in ids:
            _check_reference(f, ind, "source", ids["sources"], files["sources"], problems)
    if ok.get("sources"):
        src, f = tables["sources"], files["sources"]
        empty = src["licence"].astype("string").str.strip().fillna("") == ""
        if empty.any():
            problems.append(Problem(
                f, f"sources {sorted(src.loc[empty, 'id'].astype(str))[:5]} have no licence "
                   f"(rows {_rows_text(_rows(empty))})", column="licence",
                fix="state the licence or terms of use; data without one cannot be shipped."))
    if ok.get("values"):
        _check_values(tables, files, ids, problems, partial=partial)
    return problems


def _check_values(tables, files, ids, problems, *, partial: bool) -> None:
    values, f = tables["values"], files["values"]
    _check_choice(f, values, "level", LEVELS, problems,
                  "level says which table entity_id refers to: province, county or city.")
    _check_choice(f, values, "flag", FLAGS, problems,
                  "official = as published, derived = computed from official counts, proxy = "
                  "another unit's value standing in, imputed = estimated.")
    if "indicators" in ids:
        _check_reference(f, values, "indicator", ids["indicators"], files["indicators"], problems)
    if "sources" in ids:
        _check_reference(f, values, "source", ids["sources"], files["sources"], problems)
    table_of = {"province": "provinces", "county": "counties", "city": "cities"}
    level = values["level"].astype("string").str.strip()
    for lev, table in table_of.items():
        rows = level == lev
        if rows.any() and table in ids:
            sub = values.loc[rows]
            entity = sub["entity_id"].astype("string").str.strip()
            unknown = ~entity.isin(ids[table])
            if unknown.any():
                bad = sorted(set(entity[unknown]))
                problems.append(Problem(
                    f, f"unknown {lev} entity_id {bad[:5]} (rows "
                       f"{_rows_text(_rows(rows & values['entity_id'].astype('string').str.strip().isin(bad)))});"
                       f" expected an id from {files[table]}." + _closest(bad[0], ids[table]),
                    column="entity_id", fix=f"correct the ids or add the {lev} to {files[table]}."))
        elif rows.any() and not partial and table not in tables:
            problems.append(Problem(f, f"{int(rows.sum())} values at level {lev!r} but the "
                                       f"dataset has no {table} table", column="level"))
    blank = values["value"].isna() | (values["value"].astype("string").str.strip() == "")
    values["value"] = coerce_numeric(values["value"], file=f, column="value", problems=problems)
    values["year"] = coerce_numeric(values["year"], file=f, column="year", problems=problems)
    not_int = values["year"].notna() & (values["year"] % 1 != 0)
    if not_int.any():
        problems.append(Problem(f, f"year is not a whole number in rows "
                                   f"{_rows_text(_rows(not_int))}", column="year",
                                fix="write the reference year, e.g. 2016."))
    empty_value = blank.fillna(True).astype(bool)  # unparseable cells were reported above
    if empty_value.any():
        problems.append(Problem(
            f, f"{int(empty_value.sum())} rows have no value (rows "
               f"{_rows_text(_rows(empty_value))})", column="value",
            fix="leave a missing value out of the table instead of writing an empty row."))
    key = ["entity_id", "level", "indicator", "year"]
    dup = values.duplicated(subset=key, keep=False)
    if dup.any():
        problems.append(Problem(
            f, f"{int(dup.sum())} rows repeat the same entity_id, level, indicator and year "
               f"(rows {_rows_text(_rows(dup))})",
            fix="keep one value per entity, indicator and year."))
