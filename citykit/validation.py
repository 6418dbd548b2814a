"""Check dataset tables against the format in ``datasets/README.md`` and report every problem.

The checks never fix anything silently: they return a list of :class:`~citykit.exceptions.Problem`
(file, row, column, expected vs got, how to fix), and the loader raises
:class:`~citykit.exceptions.DataValidationError` with all of them. Row numbers are 1-based data
rows, as a spreadsheet user counts them below the header.
"""

from __future__ import annotations

import difflib
import re
import warnings

import numpy as np
import pandas as pd

from .exceptions import CityKitWarning, Problem
from .text import join_key, normalise_persian, parse_number

__all__ = [
    "DIRECTIONS",
    "FLAGS",
    "LEVELS",
    "REQUIRED_COLUMNS",
    "TABLE_COLUMNS",
    "MAX_ABS_NUMBER",
    "check_tables",
    "coerce_bool",
    "coerce_numeric",
    "lint_names",
    "lint_percentages",
    "normalise_names",
]

#: The largest magnitude a number in a dataset may have. No indicator, population or coordinate
#: comes near it, and larger numbers overflow when squared (vector normalisation, TOPSIS), so
#: they are reported as typing or unit errors (e.g. rials written where billions of rials were
#: meant, or a cell pasted with its exponent).
MAX_ABS_NUMBER = 1e15

LEVELS = ("province", "county", "city", "urban_centre")
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
    "urban_centres": ("centre_id", "name_en"),
}
#: Every column of each table, required first (see datasets/README.md).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "provinces": REQUIRED_COLUMNS["provinces"] + ("geometry",),
    "counties": REQUIRED_COLUMNS["counties"] + ("name_en", "geometry"),
    "cities": REQUIRED_COLUMNS["cities"] + (
        "latitude", "longitude", "county_code", "population", "population_year",
        "population_source", "is_national_capital", "is_provincial_capital", "is_metropolis",
        "urban_centre_id", "centre_role"),
    "values": REQUIRED_COLUMNS["values"] + ("note",),
    "indicators": REQUIRED_COLUMNS["indicators"] + ("topic", "u4ssc", "iso37120", "iso37122",
                                                    "notes"),
    "sources": REQUIRED_COLUMNS["sources"] + ("attribution", "files"),
    "urban_centres": REQUIRED_COLUMNS["urban_centres"] + (
        "core_city_id", "member_city_ids", "latitude", "longitude", "population", "province_code"),
}
_KEYS = {"provinces": "province_code", "counties": "county_code", "cities": "city_id",
         "indicators": "code", "sources": "id", "urban_centres": "centre_id"}
#: What a city is to its urban centre: the core city (whose name the centre bears and which
#: takes its values), or another member town.
CENTRE_ROLES = ("core", "member")
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_MAX_ROWS_SHOWN = 5


def _rows(mask: pd.Series) -> list[int]:
    """1-based row numbers where `mask` is true (the frame has a default RangeIndex)."""
    return (np.flatnonzero(mask.to_numpy()) + 1).tolist()


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:_MAX_ROWS_SHOWN]))
    return shown + (f" and {len(rows) - _MAX_ROWS_SHOWN} more" if len(rows) > _MAX_ROWS_SHOWN else "")


def _rows_said(rows: list[int]) -> dict:
    """Rows as message params (:mod:`citykit.messages`): those shown, and how many more."""
    return {"rows": list(rows[:_MAX_ROWS_SHOWN]), "more": max(len(rows) - _MAX_ROWS_SHOWN, 0)}


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
            parsed, bad, reasons = [], [], []
            for idx, cell in text[todo].items():  # only the few cells in local notation
                try:
                    parsed.append((idx, parse_number(cell)))
                except ValueError as err:
                    bad.append(idx)
                    reasons.append(str(err).partition(": ")[2])
            for idx, number in parsed:
                out.loc[idx] = number
            if bad:
                rows = _rows(pd.Series(series.index.isin(bad)))
                examples = ", ".join(repr(str(text.loc[i])) for i in bad[:3])
                why = next((r for r in reasons if r), "")
                problems.append(Problem(
                    file, f"expected a number, got {examples}"
                    + ("" if len(rows) == 1 else f" in rows {_rows_text(rows)}")
                    + (f" ({why})" if why else "") + ("." if len(rows) > 1 or why else ""),
                    row=rows[0] if len(rows) == 1 else None, column=column,
                    fix="write numbers with a decimal point and no units; leave a missing value "
                        "empty (never 0).",
                    code="not_a_number", params={"examples": examples},
                ))
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        problems.append(Problem(file, f"infinite values in rows {_rows_text(_rows(pd.Series(infinite)))}",
                                column=column, fix="replace them with finite numbers or leave empty."))
        out[infinite] = np.nan
    huge = np.abs(out.to_numpy()) > MAX_ABS_NUMBER
    if huge.any():
        rows = _rows(pd.Series(huge))
        problems.append(Problem(
            file, f"numbers too large in rows {_rows_text(rows)}: expected at most "
                  f"{MAX_ABS_NUMBER:g} in size, got {out[huge].iloc[0]:g}",
            row=rows[0] if len(rows) == 1 else None, column=column,
            fix="check the unit (e.g. thousands or millions) and the cell for a typing error."))
        out[huge] = np.nan
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


_NAME_COLUMNS = {
    "name_fa": (normalise_persian, "one spelling of Persian letters (Arabic ي/ك -> Persian ی/ک), "
                                   "digits, zero-width non-joiners and spaces"),
    "name_en": (lambda text: re.sub(r"\s+", " ", str(text)).strip(), "extra spaces removed"),
}


def normalise_names(frame: pd.DataFrame, file: str) -> None:
    """Normalise the name columns of `frame` in place, warning of every change.

    ``name_fa`` gets one spelling (Arabic ي/ك become Persian ی/ک, Persian and Arabic-Indic
    digits become Latin, stray zero-width non-joiners, diacritics and tatweel are removed, runs
    of spaces become one; see :func:`citykit.text.normalise_persian`); ``name_en`` loses extra
    spaces. This is a documented repair: a :class:`~citykit.exceptions.CityKitWarning` names the
    file, column, rows and an example, so nothing changes silently.

    Examples
    --------
    >>> import warnings
    >>> frame = pd.DataFrame({"name_fa": ["كرج ", "تهران"], "name_en": ["Karaj", "Tehran"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     normalise_names(frame, "cities.csv")
    >>> frame["name_fa"].tolist() == ["کرج", "تهران"]
    True
    >>> "cities.csv, column 'name_fa': normalised 1 name (row 1)" in str(caught[0].message)
    True
    """
    for column, (normalise, how) in _NAME_COLUMNS.items():
        if column not in frame.columns:
            continue
        text = frame[column]
        present = text.notna()
        fixed = text.where(~present, text[present].map(normalise) if present.any() else text)
        changed = present & (fixed != text)
        if changed.any():
            rows = _rows(changed)
            first = changed.to_numpy().nonzero()[0][0]
            warnings.warn(
                f"{file}, column {column!r}: normalised {len(rows)} name"
                f"{'s' if len(rows) != 1 else ''} (row{'s' if len(rows) != 1 else ''} "
                f"{_rows_text(rows)}), e.g. {text.iloc[first]!r} -> {fixed.iloc[first]!r}: "
                f"{how}, so joins and search match.",
                CityKitWarning, stacklevel=3)
            frame[column] = fixed


def lint_names(cities: pd.DataFrame, file: str) -> None:
    """Warn of city names that match two or more cities once spelling variants are folded.

    Names are compared with :func:`citykit.text.join_key` (so ``خرم‌آباد`` and ``خرم آباد``
    match). Such cities are kept (towns of the same name exist), but selecting a city by name is
    ambiguous: the warning lists them with their ids and provinces so a duplicate entered twice
    can be found. :func:`citykit.data.validate_dataset` runs this check.

    Examples
    --------
    >>> import warnings
    >>> frame = pd.DataFrame({"city_id": ["a", "b"], "name_fa": ["خرم‌آباد", "خرم آباد"],
    ...                       "province_code": ["P1", "P1"]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     lint_names(frame, "cities.csv")
    >>> "1 name that matches 2 cities" in str(caught[0].message)
    True
    """
    if not {"city_id", "name_fa"} <= set(cities.columns):
        return
    names = cities["name_fa"]
    keys = names.map(lambda t: join_key(t) if isinstance(t, str) and t.strip() else pd.NA)
    clash = keys.notna() & keys.duplicated(keep=False)
    if not clash.any():
        return
    groups = []
    for _, group in cities[clash].groupby(keys[clash], sort=True):
        where = [f"{row.city_id}" + (f" in {row.province_code}" if "province_code" in group
                                     else "") for row in group.itertuples()]
        groups.append(f"{group['name_fa'].iloc[0]!r} ({', '.join(where)})")
    warnings.warn(
        f"{file}: {len(groups)} name{'s that match' if len(groups) != 1 else ' that matches'} "
        f"{int(clash.sum())} cities once spelling variants are folded: "
        + "; ".join(groups[:5]) + (f"; ... and {len(groups) - 5} more" if len(groups) > 5
                                   else "")
        + ". Select these cities by city_id, not by name; if two rows are one city, merge them.",
        CityKitWarning, stacklevel=3)


def lint_percentages(tables: dict[str, pd.DataFrame], files: dict[str, str]) -> None:
    """Warn of values over 100 for indicators whose unit is a bare ``%``.

    A share (unit ``% of ...``) over 100 is an error (see :func:`check_tables`); a bare ``%``
    may legitimately exceed 100 (gross enrolment ratios, growth rates), so it is only reported
    as a warning to check. :func:`citykit.data.validate_dataset` runs this check.
    """
    values, indicators = tables.get("values"), tables.get("indicators")
    if values is None or indicators is None or "unit" not in indicators.columns:
        return
    unit = indicators.set_index("code")["unit"].astype("string").str.strip()
    bare = set(unit.index[unit == "%"])
    number = pd.to_numeric(values["value"], errors="coerce")
    over = values["indicator"].isin(bare) & (number > 100)
    if over.any():
        codes = sorted(set(values.loc[over, "indicator"]))
        warnings.warn(
            f"{files['values']}: {int(over.sum())} values over 100 for indicators in '%' "
            f"{codes[:5]} (rows {_rows_text(_rows(over))}); fine for ratios such as gross "
            "enrolment or growth, otherwise check the unit or the value.",
            CityKitWarning, stacklevel=3)


_RATE = re.compile(r"^\s*(%|per\b)|\bper\b", re.IGNORECASE)
_SHARE = re.compile(r"^\s*%\s*of\b", re.IGNORECASE)
_SIGNED = re.compile(r"change|growth|balance|net\b|difference", re.IGNORECASE)


def _check_ranges(values: pd.DataFrame, indicators: pd.DataFrame, file: str,
                  problems: list[Problem]) -> None:
    """Rates cannot be negative and shares cannot exceed 100 %.

    A rate is an indicator whose unit starts with ``%`` or ``per`` or contains ``per`` (``per
    10,000 people``, ``litres per person per day``) and does not say it is a change, growth,
    balance or difference. A share is a unit ``% of ...``.
    """
    if "unit" not in indicators.columns:
        return
    unit = indicators.drop_duplicates("code").set_index("code")["unit"].astype("string")
    unit_of = values["indicator"].map(unit).fillna("")
    rate = unit_of.map(lambda u: bool(_RATE.search(u)) and not _SIGNED.search(u))
    share = unit_of.map(lambda u: bool(_SHARE.search(u)))
    number = values["value"]
    for mask, what, expected, fix in (
            (rate & (number < 0), "negative values for a rate", ">= 0",
             "a rate or count per population cannot be negative; check the sign, or give the "
             "indicator a unit that allows it (e.g. '% change')."),
            (share & (number > 100), "percentages over 100 for a share", "0-100",
             "a share of a whole cannot exceed 100 %; check the value, or whether the column "
             "holds a ratio (then use unit '%' or 'ratio').")):
        if mask.any():
            rows = _rows(mask)
            codes = sorted(set(values.loc[mask, "indicator"]))
            first = mask.to_numpy().nonzero()[0][0]
            problems.append(Problem(
                file, f"{what} in rows {_rows_text(rows)} (indicators {codes[:5]}, unit "
                      f"{unit_of.iloc[first]!r}): expected {expected}, got "
                      f"{number.iloc[first]:g}", row=rows[0] if len(rows) == 1 else None,
                column="value", fix=fix))


def _check_required(name: str, file: str, frame: pd.DataFrame, problems: list[Problem]) -> bool:
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    for column in missing:
        problems.append(Problem(
            file, f"missing required column {column!r}; found columns {list(frame.columns)}."
            + _closest(column, frame.columns),
            fix=f"add the column (see datasets/README.md, table '{name}').",
            code="missing_column", params={"column": column, "table": name}))
    return not missing


def _check_key(name: str, file: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    key = _KEYS[name]
    ids = frame[key].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        problems.append(Problem(file, f"empty {key} in rows {_rows_text(_rows(empty))}",
                                column=key, fix=f"give every row a {key}.",
                                code="empty_id", params={"column": key, **_rows_said(_rows(empty))}))
    dup = ids.duplicated(keep=False) & ~empty
    if dup.any():
        values = sorted(set(ids[dup]))
        shown = f"{values[:5]}{' …' if len(values) > 5 else ''}"
        problems.append(Problem(
            file, f"duplicate {key} {shown} in rows {_rows_text(_rows(dup))}", column=key,
            fix=f"each {key} must appear once; merge or renumber the duplicates.",
            code="duplicate_id", params={"column": key, "ids": shown, **_rows_said(_rows(dup))}))


def _check_reference(file: str, frame: pd.DataFrame, column: str, known: set, target: str,
                     problems: list[Problem], *, allow_empty: bool = False) -> None:
    ids = frame[column].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    unknown = ~ids.isin(known) & ~empty
    if unknown.any():
        values = sorted(set(ids[unknown]))
        shown = f"{values[:5]}{' …' if len(values) > 5 else ''}"
        problems.append(Problem(
            file, f"unknown {column} {shown} (rows {_rows_text(_rows(unknown))}); expected one of "
                  f"the {len(known)} ids in {target}." + _closest(values[0], known),
            column=column, fix=f"correct the ids or add them to {target}.",
            code="unknown_id", params={"column": column, "ids": shown, "target": target,
                                       **_rows_said(_rows(unknown))}))
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
    for name in ("provinces", "counties", "cities"):
        if name in tables:
            normalise_names(tables[name], files[name])
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
        _check_centres(cities, f, ids, files, problems)
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
                      "the finest level the source publishes: province, county, city or "
                      "urban_centre.")
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


def _check_centres(cities: pd.DataFrame, f: str, ids: dict, files: dict,
                   problems: list[Problem]) -> None:
    """A city's ``urban_centre_id`` must name a centre, and its ``centre_role`` be a known one."""
    if "urban_centre_id" in cities.columns and "urban_centres" in ids:
        _check_reference(f, cities, "urban_centre_id", ids["urban_centres"],
                         files["urban_centres"], problems, allow_empty=True)
    if "centre_role" not in cities.columns:
        return
    role = cities["centre_role"].astype("string").str.strip()
    present = role.notna() & (role != "")
    bad = present.fillna(False) & ~role.isin(CENTRE_ROLES).fillna(False)
    if bad.any():
        got = sorted(set(role[bad]))
        problems.append(Problem(
            f, f"unknown centre_role {got[:5]} in rows {_rows_text(_rows(bad))}; expected one of "
               f"{list(CENTRE_ROLES)} or empty." + _closest(got[0], CENTRE_ROLES),
            column="centre_role", fix="core: the city the centre is named after; member: another "
                                      "town in it; leave empty for a city outside every centre."))
    if "urban_centre_id" in cities.columns:
        centre = cities["urban_centre_id"].astype("string").str.strip().fillna("")
        orphan = present.fillna(False) & (centre == "")
        if orphan.any():
            problems.append(Problem(
                f, f"centre_role set without an urban_centre_id in rows "
                   f"{_rows_text(_rows(orphan))}", column="centre_role",
                fix="give the centre's id, or leave centre_role empty."))
        cores = cities.loc[(role == "core").fillna(False).to_numpy()]
        twice = cores["urban_centre_id"][cores["urban_centre_id"].duplicated()]
        if len(twice):
            problems.append(Problem(
                f, f"urban centres {sorted(set(twice.astype(str)))[:5]} have more than one core "
                   "city; expected at most one (the city the centre is named after)",
                column="centre_role", fix="mark the other towns 'member'."))


def _check_values(tables, files, ids, problems, *, partial: bool) -> None:
    values, f = tables["values"], files["values"]
    _check_choice(f, values, "level", LEVELS, problems,
                  "level says which table entity_id refers to: province, county, city or "
                  "urban_centre.")
    _check_choice(f, values, "flag", FLAGS, problems,
                  "official = as published, derived = computed from official counts, proxy = "
                  "another unit's value standing in, imputed = estimated.")
    if "indicators" in ids:
        _check_reference(f, values, "indicator", ids["indicators"], files["indicators"], problems)
    if "sources" in ids:
        _check_reference(f, values, "source", ids["sources"], files["sources"], problems)
    table_of = {"province": "provinces", "county": "counties", "city": "cities",
                "urban_centre": "urban_centres"}
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
        problems.append(Problem(f, "year is not a whole number in rows "
                                   f"{_rows_text(_rows(not_int))}", column="year",
                                fix="write the reference year, e.g. 2016.",
                                code="year_not_whole", params=_rows_said(_rows(not_int))))
    empty_value = blank.fillna(True).astype(bool)  # unparseable cells were reported above
    if empty_value.any():
        problems.append(Problem(
            f, f"{int(empty_value.sum())} rows have no value (rows "
               f"{_rows_text(_rows(empty_value))})", column="value",
            fix="leave a missing value out of the table instead of writing an empty row."))
    if "indicators" in ids:
        _check_ranges(values, tables["indicators"], f, problems)
    key = ["entity_id", "level", "indicator", "year"]
    dup = values.duplicated(subset=key, keep=False)
    if dup.any():
        problems.append(Problem(
            f, f"{int(dup.sum())} rows repeat the same entity_id, level, indicator and year "
               f"(rows {_rows_text(_rows(dup))})",
            fix="keep one value per entity, indicator and year.",
            code="repeated_value", params={"n": int(dup.sum()), **_rows_said(_rows(dup))}))
