"""Build step for the Global Data Lab (GDL) subnational human-development data.

The raw files (``raw/indicators/gdl/IRN_only__<owner>__<file>.csv``) are the Iran rows of GDL
exports found in public GitHub repositories: wide tables with the columns ``Country``, optionally
``Continent``, ``ISO_Code``, ``Level`` (``National`` / ``Subnat``), ``GDLCODE``, ``Region`` and one
column per year. GDL divides Iran into 30 regions, ``IRNr101`` ... ``IRNr130``; for a
single-province region the code is ``IRNr`` + (101 + SCI province code), and Tehran and Alborz
form one region, ``IRNr124``.

Release choice
--------------
Where two exports hold the same indicator, the newest release with the most years is used and the
other is ignored, so a series never mixes releases (see :data:`SERIES` and :data:`NOT_USED`).

Tehran and Alborz
-----------------
The value of region ``IRNr124`` is written for both IR-23 and IR-30 with ``flag = "proxy"`` and a
note saying so. GDL's population is not used: a count for the merged region cannot stand for
either province.

The national rows (``IRNt``) are not emitted (values are province-level only); :func:`read_wide`
returns them for checks.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ._tables import INDICATOR_COLUMNS, SOURCE_COLUMNS, VALUE_COLUMNS, SourceTables

__all__ = ["NOT_USED", "REPOS", "SERIES", "build", "read_wide"]

RAW_DIR = Path("indicators") / "gdl"
INDICATORS_FILE = "gdl_indicators.csv"
REGIONS_FILE = "gdl_regions.csv"
LICENCE = "Global Data Lab terms of use: free use with attribution"
ATTRIBUTION = "Global Data Lab (globaldatalab.org), Subnational Human Development Database"

#: Source id -> (GitHub repo, commit, {raw file name: path in the repo}) for the repos used.
REPOS: dict[str, tuple[str, str, dict[str, str]]] = {
    "gdl-shdi-jeevasaravanan": (
        "JeevaSaravanan/Path-to-Equal-Analyse-GDI-and-HDI",
        "63c5f230f23ef301eed3922c0723cd92e375d4ba",
        {"IRN_only__JeevaSaravanan__GDL-Subnational-HDI-data.csv": "GDL-Subnational-HDI-data.csv"},
    ),
    "gdl-indices-marcellgranat": (
        "MarcellGranat/fertilityEU",
        "a2fc2a489c7d7f99d52f3493707cc831e571c198",
        {f"IRN_only__MarcellGranat__{name}": name for name in (
            "GDL-Health-index-data.csv", "GDL-Educational-index--data.csv",
            "GDL-Income-index-data.csv")},
    ),
    "gdl-components-martamastropietro": (
        "MartaMastropietro/hdi_climate_impacts_code",
        "eba96e32388e36cb1d62bf6944ea63d8a0551bd7",
        {f"IRN_only__MartaMastropietro__{name}": f"data/hdi_data/downloaded/{name}" for name in (
            "GDL-Life-expectancy-data.csv", "GDL-Mean-years-schooling-data.csv",
            "GDL-Expected-years-schooling-data.csv",
            "GDL-LGNIPC-in-1000-US-Dollars-(2011-PPP)-data.csv")},
    ),
}

#: Indicator code -> (source id, raw file name): one export per indicator, never mixed.
SERIES: dict[str, tuple[str, str]] = {
    "gdl_shdi": ("gdl-shdi-jeevasaravanan",
                 "IRN_only__JeevaSaravanan__GDL-Subnational-HDI-data.csv"),
    "gdl_health_index": ("gdl-indices-marcellgranat",
                         "IRN_only__MarcellGranat__GDL-Health-index-data.csv"),
    "gdl_education_index": ("gdl-indices-marcellgranat",
                            "IRN_only__MarcellGranat__GDL-Educational-index--data.csv"),
    "gdl_income_index": ("gdl-indices-marcellgranat",
                         "IRN_only__MarcellGranat__GDL-Income-index-data.csv"),
    "gdl_life_expectancy": ("gdl-components-martamastropietro",
                            "IRN_only__MartaMastropietro__GDL-Life-expectancy-data.csv"),
    "gdl_mean_years_schooling": ("gdl-components-martamastropietro",
                                 "IRN_only__MartaMastropietro__GDL-Mean-years-schooling-data.csv"),
    "gdl_expected_years_schooling": (
        "gdl-components-martamastropietro",
        "IRN_only__MartaMastropietro__GDL-Expected-years-schooling-data.csv"),
    "gdl_log_gni_per_capita": (
        "gdl-components-martamastropietro",
        "IRN_only__MartaMastropietro__GDL-LGNIPC-in-1000-US-Dollars-(2011-PPP)-data.csv"),
}

#: Raw files deliberately not used, with the reason (documented in the raw README too).
NOT_USED: dict[str, str] = {
    "IRN_only__MarcellGranat__GDL-Sub-national-HDI-data.csv":
        "older GDL release of the SHDI (1990-2018); gdl_shdi uses the 1990-2021 release",
    "IRN_only__JulieChandler-DS__GDL-Mean-years-schooling-data.csv":
        "older GDL release of mean years of schooling (1990-2019); the 1990-2022 release is used",
    "IRN_only__MartaMastropietro__GDL-Population-size-in-thousands-data.csv":
        "a count for the merged Tehran + Alborz region cannot stand for either province",
    "IRN_only__JeevaSaravanan__HDR_Data.csv": "UNDP national data, used in tests only",
}

_META = ["Country", "Continent", "ISO_Code", "Level", "GDLCODE", "Region"]
_REQUIRED = {"ISO_Code", "Level", "GDLCODE", "Region"}
_SUBNAT = re.compile(r"IRNr1\d\d")


def read_wide(path: Path) -> pd.DataFrame:
    """Read one GDL export (wide, one column per year) into long form, checking its layout.

    Parameters
    ----------
    path : Path
        A raw ``IRN_only__*.csv`` GDL file.

    Returns
    -------
    pandas.DataFrame
        Columns ``gdlcode, region, level, year, value``: the national row ``IRNt`` and the 30
        regions for every year; ``year`` is an integer and ``value`` a float (missing cells are
        left out).

    Raises
    ------
    ValueError
        Naming the file, row and column of anything unexpected: an unknown column, a non-year
        header, a non-Iranian row, a wrong set of regions or a cell that is not a number.
    """
    wide = pd.read_csv(path, dtype=str, keep_default_na=False)
    years = [c for c in wide.columns if c not in _META]
    if missing := _REQUIRED - set(wide.columns):
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    if bad := [c for c in years if not re.fullmatch(r"(19|20)\d\d", c)]:
        raise ValueError(f"{path}: unexpected columns {bad}: expected {_META} and years")
    if (wide["ISO_Code"] != "IRN").any():
        raise ValueError(f"{path}: rows {list(np.flatnonzero(wide['ISO_Code'] != 'IRN') + 1)} "
                         "are not Iran (ISO_Code != 'IRN')")
    national = wide["Level"] == "National"
    subnat = wide["Level"] == "Subnat"
    if (list(wide.loc[national, "GDLCODE"]) != ["IRNt"] or subnat.sum() != 30
            or not wide.loc[subnat, "GDLCODE"].str.fullmatch(_SUBNAT.pattern).all()
            or (national | subnat).sum() != len(wide) or wide["GDLCODE"].duplicated().any()):
        raise ValueError(f"{path}: expected one National row IRNt and 30 distinct Subnat rows "
                         f"IRNr1NN, found {list(zip(wide['Level'], wide['GDLCODE'], strict=True))}")
    long = wide.melt(id_vars=["GDLCODE", "Region", "Level"], value_vars=years,
                     var_name="year", value_name="text")
    long = long[long["text"].str.strip() != ""]
    value = pd.to_numeric(long["text"], errors="coerce")
    if value.isna().any():
        bad = long[value.isna()].iloc[0]
        raise ValueError(f"{path}: row {bad['GDLCODE']!r}, column {bad['year']!r}: "
                         f"{bad['text']!r} is not a number")
    return pd.DataFrame({"gdlcode": long["GDLCODE"].to_numpy(),
                         "region": long["Region"].to_numpy(),
                         "level": long["Level"].to_numpy(),
                         "year": long["year"].astype(int).to_numpy(),
                         "value": value.astype(float).to_numpy()})


def _read_regions(path: Path) -> pd.DataFrame:
    """Read the curated GDL region -> province table and check it against the IRNr1NN rule."""
    regions = pd.read_csv(path, dtype=str, keep_default_na=False)
    if missing := {"gdl_code", "gdl_region", "province_code", "note"} - set(regions.columns):
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    if regions["province_code"].duplicated().any() or regions["province_code"].nunique() != 31:
        raise ValueError(f"{path}: expected each of the 31 provinces exactly once")
    shared = regions["gdl_code"].duplicated(keep=False)
    # For a single-province region GDL's code is IRNr + (101 + SCI code); a mismatch means the
    # table (or GDL's coding) is wrong.
    expected = "IRNr" + (regions["province_code"].str[3:].astype(int) + 101).astype(str)
    if (wrong := regions[~shared & (regions["gdl_code"] != expected)]).any(axis=None):
        raise ValueError(f"{path}: codes break the IRNr(101 + SCI code) rule: "
                         f"{wrong[['gdl_code', 'province_code']].values.tolist()}")
    if (regions.loc[shared, "note"] == "").any():
        raise ValueError(f"{path}: a region shared by several provinces needs a note")
    return regions


def _match(long: pd.DataFrame, regions: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Attach province codes to the regional rows; a shared region yields one row per province."""
    sub = long[long["level"] == "Subnat"]
    found = set(zip(sub["gdlcode"], sub["region"], strict=True))
    known = set(zip(regions["gdl_code"], regions["gdl_region"], strict=True))
    if found != known:
        raise ValueError(f"{path}: regions differ from {REGIONS_FILE}: only in the file "
                         f"{sorted(found - known)}, only in the table {sorted(known - found)}")
    shared = regions["gdl_code"].duplicated(keep=False)
    table = regions.assign(shared=shared)[["gdl_code", "province_code", "shared", "note"]]
    return sub.merge(table, left_on="gdlcode", right_on="gdl_code", how="inner")


def _repeat_note(long: pd.DataFrame) -> str:
    """Report years whose values equal the previous year's in every region (carried forward)."""
    wide = long.pivot(index="gdlcode", columns="year", values="value").sort_index(axis=1)
    cols = list(wide.columns)
    same = [b for a, b in zip(cols, cols[1:], strict=False) if b == a + 1
            and wide[[a, b]].notna().all(axis=None) and np.isclose(wide[a], wide[b]).all()]
    if not same:
        return ""
    many = len(same) > 1
    return (f"Year{'s' if many else ''} {', '.join(map(str, same))} repeat{'' if many else 's'} "
            "the previous year's value in every region (carried forward by GDL, not new "
            "estimates; kept as published).")


def _tidy(matched: pd.DataFrame, code: str, source: str) -> pd.DataFrame:
    """Turn matched rows of one indicator into VALUE_COLUMNS rows."""
    return pd.DataFrame({
        "entity_id": matched["province_code"].to_numpy(), "level": "province", "indicator": code,
        "year": matched["year"].astype(int).to_numpy(), "value": matched["value"].to_numpy(),
        "source": source, "flag": np.where(matched["shared"], "proxy", "official"),
        "note": np.where(matched["shared"], matched["note"], ""),
    })


def _auto_notes(source: str, file: str, long: pd.DataFrame, matched: pd.DataFrame) -> list[str]:
    """Notes the build writes for one indicator: its file, years, proxies and repeats."""
    repo, commit, paths = REPOS[source]
    sub = long[long["level"] == "Subnat"]
    notes = [f"GDL export {repo}@{commit[:7]} {paths[file]}, years "
             f"{sub['year'].min()}-{sub['year'].max()}."]
    shared = matched[matched["shared"]]
    for note in sorted(set(shared["note"])):
        codes = ", ".join(sorted(shared.loc[shared["note"] == note, "province_code"].unique()))
        notes.append(f"{note} ({codes}, flag proxy).")
    if rep := _repeat_note(sub):
        notes.append(rep)
    return notes


def _read_curated(path: Path, codes: set[str]) -> pd.DataFrame:
    """Read curated indicator metadata and check it against the codes the build produces."""
    meta = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(meta.columns) != INDICATOR_COLUMNS:
        raise ValueError(f"{path}: columns must be {INDICATOR_COLUMNS}, found {list(meta.columns)}")
    if meta["code"].duplicated().any() or set(meta["code"]) != codes:
        raise ValueError(f"{path}: codes must be exactly {sorted(codes)}, found "
                         f"{sorted(meta['code'])}")
    if bad := set(meta["direction"]) - {"max", "min"}:
        raise ValueError(f"{path}: direction must be max or min, found {sorted(bad)}")
    required = ["name_en", "name_fa", "unit", "topic", "definition"]
    if (empty := meta[required].eq("").any(axis=1)).any():
        raise ValueError(f"{path}: empty {required} for {meta.loc[empty, 'code'].tolist()}")
    if (meta["level"] != "province").any():
        raise ValueError(f"{path}: every row must have level 'province'")
    wrong = meta[meta["source"] != meta["code"].map(lambda c: SERIES[c][0])]
    if len(wrong):
        raise ValueError(f"{path}: source must be the series' source for {wrong['code'].tolist()}")
    return meta


def _sources(values: pd.DataFrame) -> pd.DataFrame:
    """One sources row per repository used."""
    rows = []
    for source, (repo, commit, paths) in sorted(REPOS.items()):
        years = values.loc[values["source"] == source, "year"]
        rows.append({
            "id": source,
            "title": "Subnational Human Development Database (GDL export: "
                     + ", ".join(Path(p).name for p in paths.values()) + ")",
            "publisher": "Global Data Lab, Radboud University Nijmegen",
            "year": f"{years.min()}-{years.max()}",
            "origin": f"{repo}@{commit} " + " | ".join(paths.values()),
            "licence": LICENCE,
            "attribution": ATTRIBUTION,
            "files": "|".join(f"raw/{(RAW_DIR / name).as_posix()}" for name in paths),
        })
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS)


def build(raw: Path, curated: Path | None = None) -> SourceTables:
    """Build the GDL province values, indicator metadata and source rows.

    Parameters
    ----------
    raw : Path
        The dataset's ``raw/`` folder; the exports are in ``raw/indicators/gdl/``.
    curated : Path, optional
        The folder with ``gdl_indicators.csv`` and ``gdl_regions.csv``; default ``raw/../curated``.

    Returns
    -------
    SourceTables
        Values for the 31 provinces (Tehran and Alborz share region ``IRNr124`` and are flagged
        ``proxy``), every year of every indicator in :data:`SERIES`; metadata with the build's notes
        appended; one source row per repository.

    Raises
    ------
    ValueError
        If an export's layout or regions are unexpected, or the curated metadata does not describe
        exactly the indicators built.
    """
    raw = Path(raw)
    curated = Path(curated) if curated is not None else raw.parent / "curated"
    regions = _read_regions(curated / REGIONS_FILE)
    frames, notes = [], {}
    for code, (source, file) in SERIES.items():
        path = raw / RAW_DIR / file
        long = read_wide(path)
        matched = _match(long, regions, path)
        frames.append(_tidy(matched, code, source))
        notes[code] = _auto_notes(source, file, long, matched)
    values = (pd.concat(frames, ignore_index=True)
              .sort_values(["indicator", "entity_id", "year"], ignore_index=True)[VALUE_COLUMNS])
    meta = _read_curated(curated / INDICATORS_FILE, set(values["indicator"]))
    meta["notes"] = [" ".join(filter(None, [n.strip(), *notes[c]]))
                     for c, n in zip(meta["code"], meta["notes"], strict=True)]
    meta = meta.sort_values("code", ignore_index=True)[INDICATOR_COLUMNS]
    return SourceTables(values=values, indicators=meta, sources=_sources(values))
