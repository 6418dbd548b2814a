"""Column contracts shared by the per-source build steps (see datasets/README.md), and the
lookup of a raw source file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

VALUE_COLUMNS = ["entity_id", "level", "indicator", "year", "value", "source", "flag", "note"]
INDICATOR_COLUMNS = [
    "code", "name_en", "name_fa", "unit", "direction", "level", "topic", "definition",
    "source", "u4ssc", "iso37120", "iso37122", "notes",
]
SOURCE_COLUMNS = ["id", "title", "publisher", "year", "origin", "licence", "attribution", "files"]
PROVINCE_COLUMNS = ["province_code", "sci_code", "name_en", "name_fa", "geometry"]
COUNTY_COLUMNS = ["county_code", "province_code", "name_fa", "name_en", "geometry"]
#: The cities as read from GeoNames (:func:`citykit.build.geography.build_cities`), before the
#: register is cleaned (:mod:`citykit.build.register`).
GEONAMES_CITY_COLUMNS = [
    "city_id", "name_en", "name_fa", "name_fa_source", "latitude", "longitude",
    "province_code", "county_code", "population", "population_year", "population_source",
    "is_national_capital", "is_provincial_capital", "geonames_admin1", "notes",
]
#: The published city register (``cities.csv``).
CITY_COLUMNS = [
    "city_id", "name_en", "name_fa", "name_fa_source", "latitude", "longitude",
    "province_code", "county_code", "population", "population_year", "population_source",
    "population_check", "is_national_capital", "is_provincial_capital", "is_metropolis",
    "urban_centre_id", "centre_role", "geonames_admin1", "notes",
]
#: ``urban_centres.csv``: one GHSL urban centre per row.
URBAN_CENTRE_COLUMNS = [
    "centre_id", "name_en", "uc_names", "core_city_id", "member_city_ids", "latitude",
    "longitude", "population", "area_km2", "built_up_km2", "province_code",
]
#: ``centre_join.csv``: how each register city was joined to an urban centre.
CENTRE_JOIN_COLUMNS = ["city_id", "name_en", "centre_id", "method", "distance_km", "role"]
#: ``register_audit.csv``: one row per change the register build made to the GeoNames records.
AUDIT_COLUMNS = ["action", "city_id", "name_en", "other_id", "field", "old_value", "new_value",
                 "rule", "reason"]
#: ``curated/city_overrides.csv``: reviewer decisions the automatic rules cannot take.
OVERRIDE_COLUMNS = ["city_id", "action", "field", "value", "reason"]


@dataclass(frozen=True)
class SourceTables:
    """What one source's build step contributes: tidy values, indicator metadata and sources.

    ``values`` has exactly :data:`VALUE_COLUMNS`, ``indicators`` :data:`INDICATOR_COLUMNS` and
    ``sources`` :data:`SOURCE_COLUMNS`; ids are text, ``year`` is an integer, ``value`` a float
    with no NaN (missing values are left out, never written as 0).
    """

    values: pd.DataFrame
    indicators: pd.DataFrame
    sources: pd.DataFrame


def raw_file(raw: Path, name: str) -> Path:
    """The path of raw source `name` in the folder `raw`; a missing file is a build error."""
    path = Path(raw) / name
    if not path.exists():
        raise FileNotFoundError(f"raw file missing: {path}")
    return path
