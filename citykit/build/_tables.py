"""Column contracts shared by the per-source build steps (see datasets/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

VALUE_COLUMNS = ["entity_id", "level", "indicator", "year", "value", "source", "flag", "note"]
INDICATOR_COLUMNS = [
    "code", "name_en", "name_fa", "unit", "direction", "level", "topic", "definition",
    "source", "u4ssc", "iso37120", "iso37122", "notes",
]
SOURCE_COLUMNS = ["id", "title", "publisher", "year", "origin", "licence", "attribution", "files"]
PROVINCE_COLUMNS = ["province_code", "sci_code", "name_en", "name_fa", "geometry"]
COUNTY_COLUMNS = ["county_code", "province_code", "name_fa", "name_en", "geometry"]
CITY_COLUMNS = [
    "city_id", "name_en", "name_fa", "name_fa_source", "latitude", "longitude",
    "province_code", "county_code", "population", "population_year", "population_source",
    "is_national_capital", "is_provincial_capital", "is_metropolis", "geonames_admin1", "notes",
]


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
