"""County and province indicators from Iran's 2016 census (SCI Tables 1 and 5).

The inputs are the original Statistical Centre of Iran (SCI) Excel workbooks, one per province
and one sheet per county, as packed in two zip files of ``jalilian/iran2016census``:

* **Table 1** (``SCIdata_population2016census.zip``, ``jamiatNN.xls``): population by age, sex and
  residence (urban, rural, non-resident). Only the "all ages" row is used.
* **Table 5** (``SCIdata_unemployment2016census.zip``, ``NN.xls``; the file number is *not* the
  province code): population aged 15 and over by sex, economic activity and level of literacy.

The workbooks are read in memory with xlrd. Every sheet's headers are checked before a number is
taken, and the counts are checked for internal consistency (e.g. male + female = both sexes), so a
moved header or a misread cell raises ``ValueError`` naming the file and sheet.

Caveat kept from the source: Table 5's "diploma and pre-university" column is the one that
``iran2016unemployment.csv`` calls ``College``; "higher" (عالی) is the tertiary column used here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlrd

from ..text import normalise_persian
from ._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS, SourceTables

__all__ = ["CURATED_INDICATORS", "SOURCE_ID", "build", "read_table1", "read_table5"]

SOURCE_ID = "sci-census-2016"
YEAR = 2016
TABLE1_ZIP = "census/SCIdata_population2016census.zip"
TABLE5_ZIP = "census/SCIdata_unemployment2016census.zip"
AGE_CSV = "census/iran2016census.csv"
CENSUS_LICENCE = "census/LICENSE_jalilian_iran2016census_GPL-3.0.txt"
#: Our own indicator metadata, relative to the dataset folder (the parent of ``raw/``).
CURATED_INDICATORS = "curated/census_indicators.csv"
RATE_DECIMALS = 4

_TITLE_CODE = re.compile(r"\((\d{4})\s*:")

# Table 1: residence groups (header row) and sexes (sub-header row), by their Persian labels.
_T1_GROUPS = {"جمع": "total", "نقاط شهری": "urban", "نقاط روستایی": "rural",
              "غیر ساکن": "nonresident"}
_T1_SEXES = {"مردوزن": "", "مرد": "_male", "زن": "_female"}
_T1_ALL_AGES = "تمامی سنین"

# Table 5: the rows of one sex block, in order, and the columns by their (normalised) labels.
_T5_ROWS = ["pop15plus", "active", "employed", "unemployed", "inactive", "activity_not_reported"]
_T5_ROW_LABELS = ["", "فعال", "شاغل", "بیکار", "غیر فعال", "اظهار نشده"]
_T5_BLOCKS = {"15 ساله و بیشتر": "", "مرد": "_male", "زن": "_female"}
_T5_LEVELS = {  # sub-header keyword under "literate" -> our name
    "جمع": "literate", "ابتدایی": "primary", "سیکل اول": "lower_secondary",
    "سیکل دوم": "upper_secondary_no_diploma", "دیپلم": "diploma_preuniversity",
    "عالی": "higher", "سایر": "other_or_unknown_level",
}
_T5_GROUPS = {"جمع": "total", "با سواد": "literate", "بی سواد": "illiterate",
              "اظهارنشده": "literacy_not_reported"}


def _label(value: object) -> str:
    """Header text compared on one spelling (Persian yeh/kaf, single spaces)."""
    return normalise_persian(str(value)) if value is not None else ""


def _count(value: object, where: str) -> int:
    """A cell as a whole count; SCI leaves a cell blank (or '-') for zero."""
    if isinstance(value, float) and value >= 0 and value == int(value):
        return int(value)
    if str(value).strip() in ("", "-"):
        return 0
    raise ValueError(f"{where}: expected a count, got {value!r}")


def _sheets(raw: Path, member_zip: str) -> Iterator[tuple[str, xlrd.sheet.Sheet]]:
    """Every sheet of every workbook in a zip, read in memory, with a 'zip:member:sheet' tag."""
    path = Path(raw) / member_zip
    with zipfile.ZipFile(path) as zf:
        for member in sorted(zf.namelist()):
            if not member.lower().endswith(".xls"):
                continue
            book = xlrd.open_workbook(file_contents=zf.read(member))
            for sheet in book.sheets():
                yield f"{path.name}:{member}:{sheet.name}", sheet


def _row(sheet: xlrd.sheet.Sheet, r: int) -> list:
    return [sheet.cell_value(r, c) for c in range(sheet.ncols)]


def _county_code(sheet: xlrd.sheet.Sheet, where: str, table: str) -> tuple[str, int]:
    """The county code in the sheet title ('جدول N- ... (2301:تهران)') and the title's row."""
    for r in range(min(sheet.nrows, 8)):
        for cell in _row(sheet, r):
            text = _label(cell)
            if text.startswith(f"جدول {table}") or text.startswith(f"جدول{table}"):
                match = _TITLE_CODE.search(text)
                if match and sheet.name.endswith(match.group(1)):
                    return match.group(1), r
                raise ValueError(f"{where}: title {text!r} has no county code matching the sheet")
    raise ValueError(f"{where}: no 'جدول {table}' title in the first rows")


def _find_row(sheet: xlrd.sheet.Sheet, start: int, col: int, label: str, where: str) -> int:
    for r in range(start, min(sheet.nrows, start + 10)):
        if _label(sheet.cell_value(r, col)).startswith(label):
            return r
    raise ValueError(f"{where}: header {label!r} not found in column {col}")


def _column_map(groups: list, subs: list, group_names: dict, sub_names: dict,
                where: str) -> dict[str, int]:
    """Map (group, sub-header) labels to columns; a group label spans until the next one."""
    found: dict[str, int] = {}
    group = None
    for col, (g, s) in enumerate(zip(groups, subs, strict=True)):
        g, s = _label(g), _label(s)
        if g:
            group = next((v for k, v in group_names.items() if g == k), None)
        if group is None:
            continue
        sub = next((v for k, v in sub_names.items() if s.startswith(k)), None) if s else ""
        if sub is None:
            raise ValueError(f"{where}: unexpected sub-header {s!r} in column {col}")
        if not s and not g:
            continue  # a blank spacer column inside a group
        key = group + sub
        if key in found:
            raise ValueError(f"{where}: header {key!r} appears twice")
        found[key] = col
    return found


def _table1_sheet(sheet: xlrd.sheet.Sheet, where: str) -> dict:
    code, title_row = _county_code(sheet, where, "1")
    head = _find_row(sheet, title_row + 1, 1, "سن", where)
    cols = _column_map(_row(sheet, head), _row(sheet, head + 1), _T1_GROUPS, _T1_SEXES, where)
    expected = {g + s for g in _T1_GROUPS.values() for s in _T1_SEXES.values()}
    if set(cols) != expected:
        raise ValueError(f"{where}: Table 1 columns {sorted(cols)} != {sorted(expected)}")
    if _label(sheet.cell_value(head + 2, 1)) != _T1_ALL_AGES:
        raise ValueError(f"{where}: the row after the header is not {_T1_ALL_AGES!r}")
    values = {k: _count(sheet.cell_value(head + 2, c), f"{where} {k}") for k, c in cols.items()}
    return {"county_code": code, **values}


def read_table1(raw: Path) -> pd.DataFrame:
    """Read the "all ages" row of Table 1 for every county.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        ``county_code`` and the counts ``total, urban, rural, nonresident``, each also with
        ``_male`` and ``_female``, sorted by ``county_code``.

    Raises
    ------
    ValueError
        When a sheet's layout differs, a county appears twice, or the counts do not add up.
    """
    rows = [_table1_sheet(sheet, where) for where, sheet in _sheets(raw, TABLE1_ZIP)]
    table = pd.DataFrame(rows).sort_values("county_code").reset_index(drop=True)
    _check_unique(table, TABLE1_ZIP)
    for sex in _T1_SEXES.values():
        parts = table[[f"urban{sex}", f"rural{sex}", f"nonresident{sex}"]].sum(axis=1)
        _check_equal(table, parts, table[f"total{sex}"], f"{TABLE1_ZIP}: urban+rural+non-resident")
    for group in _T1_GROUPS.values():
        _check_equal(table, table[f"{group}_male"] + table[f"{group}_female"], table[group],
                     f"{TABLE1_ZIP}: {group} male+female")
    return table


def _table5_sheet(sheet: xlrd.sheet.Sheet, where: str) -> dict:
    code, title_row = _county_code(sheet, where, "5")
    head = _find_row(sheet, title_row + 1, 0, "جنس", where)
    cols = _t5_columns(sheet, head, where)
    out = {"county_code": code}
    r = head + 2
    for block_label, sex in _T5_BLOCKS.items():
        for name, label in zip(_T5_ROWS, _T5_ROW_LABELS, strict=True):
            got = _label(sheet.cell_value(r, 0))
            want = block_label if name == "pop15plus" else label
            if got != want:
                raise ValueError(f"{where}: row {r + 1} is {got!r}, expected {want!r}")
            out[f"{name}{sex}"] = _count(sheet.cell_value(r, cols["total"]), f"{where} row {r + 1}")
            if name == "pop15plus":  # the education columns are taken from the 15+ row
                for key, c in cols.items():
                    if key != "total":
                        out[f"{key}{sex}"] = _count(sheet.cell_value(r, c), f"{where} {key}")
            r += 1
    return out


def _t5_columns(sheet: xlrd.sheet.Sheet, head: int, where: str) -> dict[str, int]:
    """Columns of Table 5: total, literate (+ its levels), illiterate, not reported."""
    groups, subs = _row(sheet, head), _row(sheet, head + 1)
    cols: dict[str, int] = {}
    group = None
    for col, (g, s) in enumerate(zip(groups, subs, strict=True)):
        g, s = _label(g), _label(s)
        if g:
            group = _T5_GROUPS.get(g)
            if group is None and col >= 2:
                raise ValueError(f"{where}: unexpected Table 5 header {g!r} in column {col}")
        if group is None or (not g and not s):
            continue
        key = group
        if group == "literate":
            key = next((v for k, v in _T5_LEVELS.items() if s.startswith(k)), None)
            if key is None:
                raise ValueError(f"{where}: unexpected education level {s!r} in column {col}")
        if key in cols:
            raise ValueError(f"{where}: Table 5 header {key!r} appears twice")
        cols[key] = col
    expected = {"total", "illiterate", "literacy_not_reported", *_T5_LEVELS.values()}
    if set(cols) != expected:
        raise ValueError(f"{where}: Table 5 columns {sorted(cols)} != {sorted(expected)}")
    return cols


def read_table5(raw: Path) -> pd.DataFrame:
    """Read Table 5 (population 15+ by activity and literacy) for every county.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        ``county_code``; the activity counts ``pop15plus, active, employed, unemployed,
        inactive, activity_not_reported``; and, for the whole 15+ population, ``literate,
        illiterate, literacy_not_reported`` and the levels ``primary, lower_secondary,
        upper_secondary_no_diploma, diploma_preuniversity, higher, other_or_unknown_level``.
        Every column is also given by sex (``_male``, ``_female``). Sorted by ``county_code``.

    Raises
    ------
    ValueError
        When a sheet's layout differs, a county appears twice, or the counts do not add up.
    """
    rows = [_table5_sheet(sheet, where) for where, sheet in _sheets(raw, TABLE5_ZIP)]
    table = pd.DataFrame(rows).sort_values("county_code").reset_index(drop=True)
    _check_unique(table, TABLE5_ZIP)
    levels = [v for v in _T5_LEVELS.values() if v != "literate"]
    for sex in _T5_BLOCKS.values():
        t = {c: table[f"{c}{sex}"] for c in [*_T5_ROWS, "literate", "illiterate",
                                              "literacy_not_reported", *levels]}
        _check_equal(table, t["employed"] + t["unemployed"], t["active"],
                     f"{TABLE5_ZIP}: employed+unemployed{sex}")
        _check_equal(table, t["active"] + t["inactive"] + t["activity_not_reported"],
                     t["pop15plus"], f"{TABLE5_ZIP}: active+inactive+not reported{sex}")
        _check_equal(table, t["literate"] + t["illiterate"] + t["literacy_not_reported"],
                     t["pop15plus"], f"{TABLE5_ZIP}: literate+illiterate+not reported{sex}")
        _check_equal(table, sum(t[lv] for lv in levels), t["literate"],
                     f"{TABLE5_ZIP}: sum of education levels{sex}")
    for col in [*_T5_ROWS, "literate", "higher"]:
        _check_equal(table, table[f"{col}_male"] + table[f"{col}_female"], table[col],
                     f"{TABLE5_ZIP}: {col} male+female")
    return table


def _check_unique(table: pd.DataFrame, name: str) -> None:
    dup = table["county_code"][table["county_code"].duplicated()].tolist()
    if dup:
        raise ValueError(f"{name}: counties {dup} appear in two sheets")


def _check_equal(table: pd.DataFrame, got: pd.Series, want: pd.Series, what: str) -> None:
    bad = table["county_code"][got.to_numpy() != want.to_numpy()].tolist()
    if bad:
        raise ValueError(f"{what} does not add up for counties {bad[:10]}")


# --- indicators --------------------------------------------------------------------------

#: code -> (numerator, denominator or None, flag at county level, how it is derived)
_INDICATORS = {
    "census_pop_total": ("total", None, "official", ""),
    "census_pop_urban": ("urban", None, "official", ""),
    "census_urban_share": ("urban", "total", "derived",
                           "urban population ÷ total population × 100 (Table 1)"),
    "census_literacy_rate_15plus": ("literate", "pop15plus", "derived",
                                    "literate ÷ population aged 15+ × 100 (Table 5)"),
    "census_tertiary_share_15plus": ("higher", "pop15plus", "derived",
                                     "higher-education level ÷ population aged 15+ × 100 "
                                     "(Table 5)"),
    "census_participation_rate_15plus": ("active", "pop15plus", "derived",
                                         "economically active ÷ population aged 15+ × 100 "
                                         "(Table 5)"),
    "census_unemployment_rate": ("unemployed", "active", "derived",
                                 "unemployed ÷ economically active × 100 (Table 5)"),
}


def county_counts(raw: Path) -> pd.DataFrame:
    """Tables 1 and 5 joined on ``county_code`` (both must list the same 429 counties)."""
    t1, t5 = read_table1(raw), read_table5(raw)
    if set(t1["county_code"]) != set(t5["county_code"]):
        raise ValueError(f"{TABLE1_ZIP} and {TABLE5_ZIP} list different counties: "
                         f"{sorted(set(t1['county_code']) ^ set(t5['county_code']))[:10]}")
    return t1.merge(t5, on="county_code", validate="one_to_one")


def _values(counts: pd.DataFrame, level: str, ids: pd.Series) -> pd.DataFrame:
    """Tidy values of every indicator for one level; `counts` holds one row per entity."""
    parts = []
    for code, (num, den, flag, how) in _INDICATORS.items():
        if den is None:
            value = counts[num].astype(float)
            note = "" if level == "county" else "sum of the 2016 census county counts"
            flag = flag if level == "county" else "derived"
        else:
            value = (100.0 * counts[num] / counts[den].where(counts[den] > 0)).round(RATE_DECIMALS)
            note = how if level == "county" else (
                f"{how}; counts summed over the province's counties")
        parts.append(pd.DataFrame({"entity_id": ids.to_numpy(), "level": level, "indicator": code,
                                   "year": YEAR, "value": value.to_numpy(), "source": SOURCE_ID,
                                   "flag": flag, "note": note}))
    out = pd.concat(parts, ignore_index=True)
    return out[np.isfinite(out["value"])]  # a zero denominator leaves the value out


def _sources() -> pd.DataFrame:
    origin = ("jalilian/iran2016census@208d713f6fd07073321aa27719bd998d95054d39: the SCI Excel "
              "workbooks zipped in its SCIdata/ folder (copied as SCIdata_population2016census.zip"
              " and SCIdata_unemployment2016census.zip) and iran2016census.csv")
    row = {
        "id": SOURCE_ID,
        "title": "National Population and Housing Census 2016 (1395): Table 1 (population by "
                 "age, sex and residence) and Table 5 (population aged 15+ by sex, economic "
                 "activity and literacy), by county",
        "publisher": "Statistical Centre of Iran (SCI)",
        "year": "2016",
        "origin": origin,
        "licence": "Official statistics of the Statistical Centre of Iran (cite the publication); "
                   "repackaged by jalilian/iran2016census under GPL-3.0",
        "attribution": "Statistical Centre of Iran, National Population and Housing Census 2016; "
                       "tables collected by Abdollah Jalilian (github.com/jalilian/iran2016census)",
        "files": "|".join([TABLE1_ZIP, TABLE5_ZIP, AGE_CSV, CENSUS_LICENCE]),
    }
    return pd.DataFrame([row])[SOURCE_COLUMNS]


def read_indicators(raw: Path) -> pd.DataFrame:
    """Read and check our curated metadata (``curated/census_indicators.csv``)."""
    path = Path(raw).parent / CURATED_INDICATORS
    meta = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(meta.columns) != INDICATOR_COLUMNS:
        raise ValueError(f"{path}: columns {list(meta.columns)} != {INDICATOR_COLUMNS}")
    required = ["code", "name_en", "name_fa", "unit", "direction", "level", "topic",
                "definition", "source"]
    empty = meta[required].eq("").any(axis=1)
    if empty.any():
        raise ValueError(f"{path}: rows {meta.loc[empty, 'code'].tolist()} miss a required field")
    if not meta["direction"].isin(["max", "min"]).all() or not meta["source"].eq(SOURCE_ID).all():
        raise ValueError(f"{path}: direction must be max/min and source {SOURCE_ID!r}")
    if meta["code"].duplicated().any():
        raise ValueError(f"{path}: duplicate codes")
    return meta.sort_values("code").reset_index(drop=True)


def build(raw: Path) -> SourceTables:
    """Build the census values, their indicator metadata and the census source.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder; the curated metadata is read from ``raw/../curated/``.

    Returns
    -------
    SourceTables
        County values (``entity_id`` = 4-digit SCI code) and province values (``IR-xx``; counts
        summed over counties, then rates), year 2016, source ``sci-census-2016``.

    Raises
    ------
    ValueError
        When a workbook does not look as expected, or the curated metadata does not describe
        exactly the indicators built here.
    """
    counts = county_counts(raw)
    province = counts.drop(columns="county_code").groupby(counts["county_code"].str[:2]).sum()
    values = pd.concat([
        _values(counts, "county", counts["county_code"]),
        _values(province.reset_index(drop=True), "province",
                "IR-" + province.index.to_series()),
    ], ignore_index=True)
    values = values.sort_values(["indicator", "level", "entity_id"]).reset_index(drop=True)
    meta = read_indicators(raw)
    built, described = set(values["indicator"]), set(meta["code"])
    if built != described:
        raise ValueError(f"{Path(raw).parent / CURATED_INDICATORS}: codes differ from the built "
                         f"values (missing {sorted(built - described)}, "
                         f"extra {sorted(described - built)})")
    return SourceTables(values[VALUE_COLUMNS], meta[INDICATOR_COLUMNS], _sources())
