"""Build step for the SCI provincial development atlas (``IrDevIndex2.xlsx``).

The workbook, compiled in GitHub ``soukhtanlou/iran-map-dashboard`` from the Statistical Centre of
Iran's report *Economic, Social and Cultural Status of Provinces*, has one sheet per indicator: a
header row ``ID_1, NAME_1, Prov, <year>, <year>, ...``, one row per province (the atlas's own
numeric id, an English name and a Persian label) and footnotes below the table in rows without an
``ID_1``. Group sheets (``Index03``, ``Index17``, ...) list each indicator sheet with its English
title.

Years
-----
The year headers are Gregorian labels of Iranian (solar Hijri) years: solar year + 621, i.e. the
Gregorian year in which the Iranian year starts (1395 -> 2016, which runs from 20 March 2016 to
20 March 2017; for school statistics the school year that starts that September). The workbook
itself shows it: the 2016 population estimates are the counts of the census of autumn 1395
(Tehran 13,268 thousand); the labour sheets' footnote "from spring 1398" heads series whose first
column is 2019; the student-teacher ratios drop in the 2021 column, where the footnote says
contractual teachers are counted from school year 1400-1401; and the price indices equal 100 in
every province in the 2021 column (base 1400; the group sheet's title "Base year 2022" is the one
label in the workbook that disagrees). So the headers are kept as they are, and ``year`` means
"the Iranian year (or school year) that starts in this Gregorian year".

Cleaning, all documented in the indicator's ``notes`` by the build itself
--------------------------------------------------------------------------
* Exact zeros are placeholders for missing values in these indicators (e.g. hospital beds in
  Golestan in 2022; ``Index04-1``, participation, is 0 in every province in 2020-2023 and is not
  used at all, see :data:`NOT_SELECTED`): they are dropped and counted.
* Columns listed in :data:`CORRUPT_COLUMNS` hold something other than the sheet's indicator and
  are dropped after the build has verified the defect described there.
* In five of the enrolment sheets ``ind15``-``ind20`` (all but ``ind18``) the Tehran row is
  labelled "تهران (شهر تهران)" (Tehran city). It is matched through the atlas ``ID_1`` and its
  values are flagged ``proxy``. Every row is keyed on ``ID_1`` (checked against ``NAME_1`` and the
  ``Location ID`` sheet); its Persian label must be a curated label of the same province, or blank.
* Years whose values repeat the previous year's in every province are reported (kept as published).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ..text import join_key, normalise_persian
from ._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS, SourceTables

__all__ = ["DERIVED_SHARES", "NOT_SELECTED", "SELECTED", "build", "read_sheet", "read_titles"]

SOURCE_ID = "sci-atlas"
RAW_FILE = Path("indicators") / "sci_atlas" / "IrDevIndex2.xlsx"
INDICATORS_FILE = "atlas_indicators.csv"
LABELS_FILE = "sci_atlas_province_labels.csv"
ORIGIN = "soukhtanlou/iran-map-dashboard@c5abd0e38d11f0844e5dfd45a7f241819425e835 IrDevIndex2.xlsx"

#: Atlas sheet -> our indicator code, for the indicators taken as published.
SELECTED: dict[str, str] = {
    # labour (SCI labour-force survey); Index04-1 is rejected, see NOT_SELECTED
    "Index04-2": "atlas_participation_rate_15plus_urban",
    "Index04-5": "atlas_participation_rate_women_15plus",
    "Index04-6": "atlas_unemployment_rate_15plus",
    "Index04-7": "atlas_unemployment_rate_15plus_urban",
    "Index04-10": "atlas_unemployment_rate_women_15plus",
    "Index04-11": "atlas_unemployment_rate_15_24",
    "Index04-12": "atlas_unemployment_rate_18_35",
    # health
    "Index18-1": "atlas_hospitals_per_100k",
    "Index18-2": "atlas_hospital_beds_per_10k",
    "Index18-3": "atlas_primary_care_centres_per_100k",
    "Index18-6": "atlas_diagnostic_labs_per_100k",
    "Index18-9": "atlas_pharmacies_per_10k",
    "Index18-14": "atlas_total_fertility_rate",
    # education (Ministry of Education)
    "ind2": "atlas_student_teacher_ratio_primary",
    "ind3": "atlas_student_teacher_ratio_lower_secondary",
    "ind4": "atlas_student_teacher_ratio_upper_secondary",
    "ind5": "atlas_class_size_primary",
    "ind15": "atlas_gross_enrolment_primary",
    "ind16": "atlas_gross_enrolment_lower_secondary",
    "ind17": "atlas_gross_enrolment_upper_secondary",
    "ind18": "atlas_net_enrolment_primary",
    "ind19": "atlas_net_enrolment_lower_secondary",
    "ind20": "atlas_net_enrolment_upper_secondary",
    "ind24": "atlas_dropout_rate_primary",
    "ind25": "atlas_dropout_rate_lower_secondary",
    "ind26": "atlas_dropout_rate_upper_secondary",
    "ind29": "atlas_transition_rate_primary_to_lower_secondary",
    "ind30": "atlas_transition_rate_lower_to_upper_secondary",
    # household budget survey
    "Index21-5": "atlas_household_income_urban",
    "Index21-1": "atlas_household_nonfood_expenditure_urban",
    "Index21-7": "atlas_gini_urban",
    "Index21-8": "atlas_gini_rural",
    # water and sanitation (Ministry of Energy)
    "Index09-8": "atlas_water_network_coverage_urban",
    "Index02-9": "atlas_sewage_coverage_urban",
    "Index09-13": "atlas_water_consumption_per_capita_urban",
    # population
    "Index03-1": "atlas_population_estimate",
    "Index03-5": "atlas_urbanisation_rate",
    "Index03-8": "atlas_population_share_under15",
    "Index03-10": "atlas_population_share_15_64",
    "Index03-11": "atlas_population_share_65plus",
}

#: Sheets that bear on readiness but are deliberately not used, and why (checked in the tests).
NOT_SELECTED: dict[str, str] = {
    "Index04-1": "participation rate 15+: its only non-zero year (2019) is not the same measure "
                 "as the urban and rural 15+ rates of 2019 (an overall rate must lie between them; "
                 "28 of 31 provinces fall outside), and 2020-2023 are exact-zero placeholders",
    "Index09-9": "urban sewage coverage: the values of Index02-9 with year labels one year later; "
                 "Index02-9 (one more year) is used",
    "Index16-6": "Relief Committee beneficiaries: the 2017 column is the sum of the 2015 and 2016 "
                 "columns in every province and 2018 holds fractional counts",
    "Index22-*": "consumer price indices: relative to a base year (= 100 in 2021), so they measure "
                 "price change since then, not a price level that provinces could be ranked on",
}

#: Indicators computed here as a percentage share: code -> (part sheet, rest sheet), value =
#: part / (part + rest) * 100 for each province and year where both are present.
DERIVED_SHARES: dict[str, tuple[str, str]] = {
    # Engel-type share: inflation cancels out, unlike the nominal rial amounts.
    "atlas_household_food_share_urban": ("Index21-3", "Index21-1"),
}

#: Columns that hold something other than their sheet's indicator, with the defect the build
#: verifies before dropping them ("whole numbers": every value in the column is an integer).
CORRUPT_COLUMNS: dict[tuple[str, int], str] = {
    # Total fertility rates elsewhere in the sheet are 1.0-3.7; this column holds counts.
    ("Index18-14", 2017): "whole numbers",
}

#: Group sheets that list the indicator sheets with their English titles.
GROUP_SHEETS = ("Index02", "Index03", "Index04", "Index09", "Index16", "Index17", "Index18",
                "Index21", "Index22")

#: Appended to every indicator's notes: how to read ``year`` (see the module docstring).
YEAR_NOTE = ("Year: the Iranian year (or school year) that starts in that Gregorian year; the "
             "workbook labels solar year Y as Y + 621 (1395 -> 2016).")

_HEADER = ("ID_1", "NAME_1", "Prov")
_YEAR = re.compile(r"\d{4}")
# Gregorian years only: a solar-year header (13xx/14xx) must fail loudly, not pass silently.
_YEAR_RANGE = (1950, 2100)

def _fa(text: object) -> str:
    """Persian display form of a cell (empty for an empty cell)."""
    return "" if text is None else normalise_persian(str(text))


def _cell(sheet: str, row: int, col: int) -> str:
    return f"sheet {sheet!r}, cell {get_column_letter(col)}{row}"


def _year_columns(header: tuple, sheet: str, path: Path) -> dict[int, int]:
    """Map 0-based column index -> year for the year headers after ``ID_1, NAME_1, Prov``."""
    if tuple(header[:3]) != _HEADER:
        raise ValueError(f"{path}: {_cell(sheet, 1, 1)}: expected header {_HEADER}, "
                         f"found {tuple(header[:3])}")
    years: dict[int, int] = {}
    for i, head in enumerate(header[3:], start=3):
        if head is None:
            continue
        text = str(head).strip()
        if not _YEAR.fullmatch(text) or not _YEAR_RANGE[0] <= int(text) <= _YEAR_RANGE[1]:
            raise ValueError(f"{path}: {_cell(sheet, 1, i + 1)}: expected a Gregorian year "
                             f"header, found {head!r}")
        years[i] = int(text)
    if not years or len(set(years.values())) != len(years):
        raise ValueError(f"{path}: sheet {sheet!r}: no or duplicate year headers {header[3:]}")
    return years


def read_sheet(wb, sheet: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read one indicator sheet into long form, checking its layout.

    Parameters
    ----------
    wb : openpyxl.Workbook
        The atlas workbook (read-only mode is fine).
    sheet : str
        The sheet name, e.g. ``"Index04-6"``.
    path : Path
        The workbook's path, for error messages.

    Returns
    -------
    values : pandas.DataFrame
        Columns ``sheet, row`` (the Excel row), ``atlas_id, atlas_name, label_fa, year, value``;
        one row per province and year, with ``value`` NaN where the cell is empty.
    footnotes : list of str
        The text of the rows below the table (normalised Persian).

    Raises
    ------
    ValueError
        If the header, a province row or a value cell is not what the layout promises.
    """
    if sheet not in wb.sheetnames:
        raise ValueError(f"{path}: sheet {sheet!r} not found")
    rows = list(wb[sheet].iter_rows(values_only=True))
    if not rows:
        raise ValueError(f"{path}: sheet {sheet!r} is empty")
    years = _year_columns(rows[0], sheet, path)
    records, footnotes = [], []
    for r, row in enumerate(rows[1:], start=2):
        if row[0] is None:  # footnote rows carry no ID_1; their text is in column C
            if len(row) > 2 and isinstance(row[2], str) and row[2].strip():
                footnotes.append(_fa(row[2]))
            continue
        if not isinstance(row[0], int) or not isinstance(row[1], str):
            raise ValueError(f"{path}: {_cell(sheet, r, 1)}: expected an integer ID_1 and an "
                             f"English NAME_1, found {row[:2]!r}")
        for i, cell in enumerate(row[3:], start=3):
            if i not in years and cell is not None:
                raise ValueError(f"{path}: {_cell(sheet, r, i + 1)}: value {cell!r} under an "
                                 "empty year header")
        for i, year in years.items():
            cell = row[i] if i < len(row) else None
            if cell is not None and (isinstance(cell, bool) or not isinstance(cell, int | float)):
                raise ValueError(f"{path}: {_cell(sheet, r, i + 1)}: expected a number, "
                                 f"found {cell!r}")
            records.append((sheet, r, row[0], row[1], _fa(row[2]), year,
                            np.nan if cell is None else float(cell)))
    out = pd.DataFrame(records, columns=["sheet", "row", "atlas_id", "atlas_name", "label_fa",
                                         "year", "value"])
    if out["atlas_id"].nunique() != 31:
        raise ValueError(f"{path}: sheet {sheet!r}: expected 31 province rows, found "
                         f"{out['atlas_id'].nunique()}")
    return out, footnotes


def read_titles(wb, path: Path) -> dict[str, str]:
    """Return {indicator sheet: English title} from the group sheets (``Index03``, ...)."""
    titles: dict[str, str] = {}
    for group in GROUP_SHEETS:
        if group not in wb.sheetnames:
            raise ValueError(f"{path}: group sheet {group!r} not found")
        for r, row in enumerate(wb[group].iter_rows(min_row=2, values_only=True), start=2):
            if row[0] is None:
                continue
            if not isinstance(row[1], str):
                raise ValueError(f"{path}: {_cell(group, r, 2)}: expected a title, "
                                 f"found {row[1]!r}")
            titles[str(row[0]).strip()] = re.sub(r"\s+", " ", row[1]).strip()
    return titles


def _read_labels(path: Path) -> pd.DataFrame:
    """Read the curated table of province labels (Persian name -> ISO code, atlas ID_1)."""
    labels = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"province_code", "atlas_id_1", "atlas_name_1", "label_fa", "label_kind"}
    if missing := need - set(labels.columns):
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    if bad := set(labels["label_kind"]) - {"province", "city"}:
        raise ValueError(f"{path}: label_kind must be province or city, found {sorted(bad)}")
    labels["key"] = labels["label_fa"].map(join_key)
    labels["atlas_id"] = labels["atlas_id_1"].astype(int)
    if labels["key"].duplicated().any():
        dup = labels.loc[labels["key"].duplicated(), "label_fa"].tolist()
        raise ValueError(f"{path}: duplicate labels {dup}")
    ids = labels.drop_duplicates(["atlas_id", "province_code", "atlas_name_1"])
    if ids["atlas_id"].duplicated().any() or ids["province_code"].duplicated().any():
        raise ValueError(f"{path}: each atlas ID_1 must map to exactly one province code")
    return labels


def _check_location_ids(wb, labels: pd.DataFrame, path: Path) -> None:
    """Check the curated atlas ids and names against the workbook's ``Location ID`` sheet."""
    if "Location ID" not in wb.sheetnames:
        raise ValueError(f"{path}: sheet 'Location ID' not found")
    rows = list(wb["Location ID"].iter_rows(values_only=True))
    if tuple(rows[0][:2]) != ("ID_1", "NAME_1"):
        raise ValueError(f"{path}: sheet 'Location ID', row 1: expected ('ID_1', 'NAME_1'), "
                         f"found {rows[0][:2]}")
    found = {(r[0], r[1]) for r in rows[1:] if r[0] is not None}
    curated = set(labels[["atlas_id", "atlas_name_1"]].itertuples(index=False, name=None))
    if found != curated:
        raise ValueError(f"{path}: sheet 'Location ID' differs from {LABELS_FILE}: only in the "
                         f"workbook {sorted(found - curated)}, only curated "
                         f"{sorted(curated - found)}")


def match_provinces(long: pd.DataFrame, labels: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Add ``province_code`` and ``label_kind`` to rows of :func:`read_sheet`.

    Each row is keyed on the atlas ``ID_1`` (checked against the English ``NAME_1``), and its
    Persian label must be a curated label of the same province, or blank. A row labelled with a
    ``city`` label (Tehran city) keeps ``label_kind = "city"`` so its values become proxies.

    Raises
    ------
    ValueError
        Naming the sheet and cell of an unknown ID_1, a NAME_1 that disagrees, an unknown Persian
        label, or a label that belongs to another province.
    """
    by_id = labels.drop_duplicates("atlas_id").set_index("atlas_id")
    by_key = labels.set_index("key")
    out = long.copy()
    rows = out.drop_duplicates(["sheet", "atlas_id"])
    for row in rows.itertuples():
        where = f"{path}: {_cell(row.sheet, row.row, 3)}"
        known = row.atlas_id in by_id.index
        if not known or by_id.at[row.atlas_id, "atlas_name_1"] != row.atlas_name:
            raise ValueError(f"{where}: ID_1 {row.atlas_id} / NAME_1 {row.atlas_name!r} is not in "
                             f"{LABELS_FILE}")
        key = join_key(row.label_fa)
        if key and key not in by_key.index:
            raise ValueError(f"{where}: Persian label {row.label_fa!r} is not in {LABELS_FILE}; "
                             "add it there if it names this province")
        if key and by_key.at[key, "province_code"] != by_id.at[row.atlas_id, "province_code"]:
            raise ValueError(f"{where}: label {row.label_fa!r} belongs to "
                             f"{by_key.at[key, 'province_code']}, but ID_1 {row.atlas_id} to "
                             f"{by_id.at[row.atlas_id, 'province_code']}")
    out["province_code"] = out["atlas_id"].map(by_id["province_code"])
    kind = out["label_fa"].map(join_key).map(by_key["label_kind"])
    out["label_kind"] = kind.where(out["label_fa"] != "", "blank")
    return out


def _drop_corrupt_columns(long: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Drop the columns in :data:`CORRUPT_COLUMNS` after verifying their defect."""
    notes, drop = [], pd.Series(False, index=long.index)
    for (sheet, year), defect in CORRUPT_COLUMNS.items():
        column = (long["sheet"] == sheet) & (long["year"] == year)
        if not column.any():
            continue
        vals = long.loc[column, "value"].dropna()
        if defect != "whole numbers" or not (vals == vals.round()).all():
            raise ValueError(f"{path}: sheet {sheet!r}, column {year}: expected {defect}; the "
                             "workbook changed, review CORRUPT_COLUMNS")
        drop |= column
        notes.append(f"The {year} column of sheet {sheet} was dropped: it holds whole numbers "
                     f"({vals.min():g} to {vals.max():g}, {int((vals == 0).sum())} of them 0), "
                     "which cannot be this indicator.")
    return long[~drop], notes


def _span(years) -> str:
    """Write sorted years compactly: [2020, 2021, 2022, 2015] -> '2015, 2020-2022'."""
    years, parts = sorted(set(int(y) for y in years)), []
    for y in years:
        if parts and y == parts[-1][1] + 1:
            parts[-1][1] = y
        else:
            parts.append([y, y])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in parts)


def _zero_note(zeros: pd.DataFrame, n_provinces: int) -> str:
    """Describe the exact-zero placeholders removed from one indicator."""
    n = len(zeros)
    where = (f"all {n_provinces} provinces" if zeros["province_code"].nunique() == n_provinces
             else ", ".join(sorted(zeros["province_code"].unique())))
    return (f"{n} exact-zero placeholder{'s' if n != 1 else ''} removed: {where}, "
            f"year{'s' if zeros['year'].nunique() != 1 else ''} {_span(zeros['year'])}.")


def _repeat_note(values: pd.DataFrame) -> str:
    """Report years whose values equal the previous year's in every province."""
    wide = values.pivot(index="province_code", columns="year", values="value").sort_index(axis=1)
    cols = list(wide.columns)
    # Tolerance for values Excel recomputed separately (they differ in the 14th digit).
    same = [b for a, b in zip(cols, cols[1:], strict=False)
            if b == a + 1 and wide[[a, b]].notna().all(axis=None)
            and np.isclose(wide[a], wide[b], rtol=1e-9, atol=0).all()]
    if not same:
        return ""
    many = len(same) > 1
    return (f"Year{'s' if many else ''} {_span(same)} repeat{'' if many else 's'} the previous "
            "year's value in every province (kept as published).")


def _tidy(long: pd.DataFrame, code: str) -> pd.DataFrame:
    """Turn matched long rows of one indicator into VALUE_COLUMNS rows."""
    proxy = long["label_kind"] == "city"
    note = np.where(proxy, "Atlas row labelled 'تهران (شهر تهران)' (Tehran city) stands for the "
                           "province; matched by atlas ID_1", "")
    return pd.DataFrame({
        "entity_id": long["province_code"].to_numpy(), "level": "province", "indicator": code,
        "year": long["year"].astype(int).to_numpy(), "value": long["value"].to_numpy(),
        "source": SOURCE_ID, "flag": np.where(proxy, "proxy", "official"), "note": note,
    })


def _clean(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split matched rows into (kept non-missing non-zero rows, exact-zero rows)."""
    present = long[long["value"].notna()]
    zero = present["value"] == 0
    return present[~zero], present[zero]


def _indicator_notes(long: pd.DataFrame, kept: pd.DataFrame, zeros: pd.DataFrame) -> list[str]:
    """Notes the build writes about one sheet from what it found there."""
    notes = []
    if len(zeros):
        notes.append(_zero_note(zeros, long["province_code"].nunique()))
    if rep := _repeat_note(kept):
        notes.append(rep)
    if (kept["label_kind"] == "city").any():
        years = _span(kept.loc[kept["label_kind"] == "city", "year"])
        notes.append(f"IR-23 (Tehran) values for {years} come from the row labelled "
                     "'تهران (شهر تهران)' (Tehran city), matched by atlas ID_1; they may cover "
                     "Tehran city only and are flagged proxy.")
    blank = long.loc[long["label_kind"] == "blank"].drop_duplicates(["sheet", "province_code"])
    if len(blank):
        notes.append("Persian label blank in sheet " + ", ".join(
            f"{s} for {', '.join(sorted(g['province_code']))}" for s, g in blank.groupby("sheet"))
            + "; matched by atlas ID_1 and NAME_1.")
    return notes


def _sheet_context(sheets: list[str], titles: dict[str, str], footnotes: dict[str, list[str]],
                   path: Path) -> list[str]:
    """Name the atlas sheets an indicator comes from, with their titles and footnotes."""
    notes = []
    for sheet in sheets:
        if sheet not in titles:
            raise ValueError(f"{path}: sheet {sheet!r} has no title in the group sheets")
        notes.append(f"SCI atlas id {sheet}: '{titles[sheet]}'.")
        if footnotes[sheet]:
            notes.append(f"Footnotes of {sheet}: " + " ".join(f"«{f}»" for f in footnotes[sheet])
                         + ".")
    return notes


def _derive_share(parts: dict[str, pd.DataFrame], part: str, rest: str) -> pd.DataFrame:
    """Compute part / (part + rest) * 100 per province and year from two cleaned sheets."""
    keys = ["province_code", "year"]
    both = parts[part][keys + ["value", "label_kind"]].merge(
        parts[rest][keys + ["value"]], on=keys, how="inner", suffixes=("", "_rest"))
    both["value"] = both["value"] / (both["value"] + both["value_rest"]) * 100
    return both


def _read_curated(path: Path, codes: set[str]) -> pd.DataFrame:
    """Read curated indicator metadata and check it against the codes the build produces."""
    meta = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(meta.columns) != INDICATOR_COLUMNS:
        raise ValueError(f"{path}: columns must be {INDICATOR_COLUMNS}, found {list(meta.columns)}")
    if meta["code"].duplicated().any():
        dup = meta.loc[meta["code"].duplicated(), "code"].tolist()
        raise ValueError(f"{path}: duplicate codes {dup}")
    if set(meta["code"]) != codes:
        raise ValueError(f"{path}: codes differ from those built; only in the file: "
                         f"{sorted(set(meta['code']) - codes)}, only built: "
                         f"{sorted(codes - set(meta['code']))}")
    if bad := set(meta["direction"]) - {"max", "min"}:
        raise ValueError(f"{path}: direction must be max or min, found {sorted(bad)}")
    required = ["name_en", "name_fa", "unit", "topic", "definition"]
    if (empty := meta[required].eq("").any(axis=1)).any():
        raise ValueError(f"{path}: empty {required} for {meta.loc[empty, 'code'].tolist()}")
    if (meta["source"] != SOURCE_ID).any() or (meta["level"] != "province").any():
        raise ValueError(f"{path}: every row must have source {SOURCE_ID!r} and level 'province'")
    return meta


def _sources(values: pd.DataFrame) -> pd.DataFrame:
    """The one sources row for the atlas."""
    return pd.DataFrame([{
        "id": SOURCE_ID,
        "title": "Economic, Social and Cultural Status of Provinces (جایگاه اقتصادی، اجتماعی و "
                 "فرهنگی استان‌های کشور), edition 1398-1402, with earlier years; provincial "
                 "indicators compiled as IrDevIndex2.xlsx",
        "publisher": "Statistical Centre of Iran (SCI); compiled by GitHub user soukhtanlou",
        "year": f"{values['year'].min()}-{values['year'].max()}",
        "origin": ORIGIN,
        "licence": "No licence file in the repository; official statistics of the Statistical "
                   "Centre of Iran — cite the publication",
        "attribution": "Statistical Centre of Iran, Economic, Social and Cultural Status of "
                       "Provinces (https://amar.org.ir/Portals/0/Articles/jayegah.98-1402.pdf); "
                       "compiled in github.com/soukhtanlou/iran-map-dashboard",
        "files": "raw/" + RAW_FILE.as_posix(),
    }], columns=SOURCE_COLUMNS)


def build(raw: Path, curated: Path | None = None) -> SourceTables:
    """Build the SCI-atlas values, indicator metadata and source row.

    Parameters
    ----------
    raw : Path
        The dataset's ``raw/`` folder; the workbook is
        ``raw/indicators/sci_atlas/IrDevIndex2.xlsx``.
    curated : Path, optional
        The folder with ``atlas_indicators.csv`` and ``sci_atlas_province_labels.csv``; default
        ``raw/../curated``.

    Returns
    -------
    SourceTables
        Province values (``level = "province"``, source ``sci-atlas``) for every year of every
        indicator in :data:`SELECTED` and :data:`DERIVED_SHARES`, their metadata with the
        cleaning notes appended, and the source row.

    Raises
    ------
    ValueError
        If the workbook's layout is not as expected, a province label is unknown, or the curated
        metadata does not describe exactly the indicators built.
    """
    raw = Path(raw)
    curated = Path(curated) if curated is not None else raw.parent / "curated"
    path = raw / RAW_FILE
    labels = _read_labels(curated / LABELS_FILE)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        _check_location_ids(wb, labels, path)
        titles = read_titles(wb, path)
        needed = sorted(set(SELECTED) | {s for pair in DERIVED_SHARES.values() for s in pair})
        sheets, footnotes = {}, {}
        for sheet in needed:
            sheets[sheet], footnotes[sheet] = read_sheet(wb, sheet, path)
    finally:
        wb.close()

    frames, notes, cleaned, cleaning = [], {}, {}, {}
    for sheet in needed:
        long = match_provinces(sheets[sheet], labels, path)
        long, dropped = _drop_corrupt_columns(long, path)
        kept, zeros = _clean(long)
        cleaned[sheet] = kept
        cleaning[sheet] = dropped + _indicator_notes(long, kept, zeros)
        if sheet in SELECTED:
            frames.append(_tidy(kept, SELECTED[sheet]))
            notes[SELECTED[sheet]] = (_sheet_context([sheet], titles, footnotes, path)
                                      + cleaning[sheet])
    for code, (part, rest) in DERIVED_SHARES.items():
        share = _derive_share(cleaned, part, rest)
        tidy = _tidy(share, code)
        tidy["flag"] = np.where(tidy["flag"] == "proxy", "proxy", "derived")
        tidy["note"] = f"computed as {part} / ({part} + {rest}) x 100"
        frames.append(tidy)
        notes[code] = (_sheet_context([part, rest], titles, footnotes, path)
                       + [f"Derived by the build: {part} / ({part} + {rest}) x 100 for each "
                          "province and year where both are published."]
                       + [f"{s}: {n}" for s in (part, rest) for n in cleaning[s]]
                       + [n for n in [_repeat_note(share)] if n])

    values = (pd.concat(frames, ignore_index=True)
              .sort_values(["indicator", "entity_id", "year"], ignore_index=True)[VALUE_COLUMNS])
    meta = _read_curated(curated / INDICATORS_FILE, set(values["indicator"]))
    built = meta["code"].map(lambda c: " ".join(notes[c] + [YEAR_NOTE]))
    meta["notes"] = [" ".join(filter(None, [a.strip(), b]))
                     for a, b in zip(meta["notes"], built, strict=True)]
    meta = meta.sort_values("code", ignore_index=True)[INDICATOR_COLUMNS]
    return SourceTables(values=values, indicators=meta, sources=_sources(values))
