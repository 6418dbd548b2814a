"""Build the bundled Iran dataset (``datasets/iran/``) from its raw sources.

Run ``citykit build iran`` (or ``python -m citykit.build.iran``) after changing anything in
``datasets/iran/raw/`` or ``datasets/iran/curated/``. The output is deterministic: the same inputs
give byte-identical tables, which the test suite checks by rebuilding into a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import __version__
from ..integrity import write_manifest
from . import atlas, census, gdl, geography, register, urban
from ._tables import (
    AUDIT_COLUMNS,
    CENTRE_JOIN_COLUMNS,
    CITY_COLUMNS,
    COUNTY_COLUMNS,
    INDICATOR_COLUMNS,
    PROVINCE_COLUMNS,
    SOURCE_COLUMNS,
    URBAN_CENTRE_COLUMNS,
    VALUE_COLUMNS,
    SourceTables,
)

__all__ = ["DERIVED_FILES", "build", "main"]

#: The files this pipeline writes; everything else in the folder is input.
DERIVED_FILES = ("dataset.json", "provinces.geojson", "counties.geojson", "cities.csv",
                 "values.csv", "indicators.csv", "sources.csv", "urban_centres.csv",
                 "centre_join.csv", "register_audit.csv")
#: Decimal places kept in output coordinates (about 1 m): enough for maps, and stable across
#: GEOS versions so rebuilt files compare equal.
COORDINATE_DECIMALS = 5

MANIFEST = {
    "name": "iran",
    "title": "Iran: provinces, 2016-census counties and cities of 15,000+ people",
    "title_fa": "ایران: استان‌ها، شهرستان‌های سرشماری ۱۳۹۵ و شهرهای بالای ۱۵ هزار نفر",
    "country": "IR",
    "crs": "EPSG:4326",
    "keys": {
        "province": "ISO 3166-2:IR code (2018 scheme), equal to the SCI province code",
        "county": "SCI 4-digit county code of the 2016 census",
        "city": "GeoNames id",
        "urban_centre": "GHSL Urban Centre Database R2019A uc_id",
    },
    "unit_of_analysis": (
        "The candidate is the city (a GeoNames record, cleaned into a register: "
        "register_audit.csv). City-level figures come from UN WUP 2018 (28 agglomerations) and "
        "from GHSL urban centres (urban_centres.csv), which are built-up areas drawn from a "
        "2015 population grid, not municipalities: a centre may hold several cities, and only "
        "its core city takes its values (centre_join.csv). Everything else is county or "
        "province data, used for a city as a flagged proxy."),
    "metropolis_rule": "UN WUP 2018 population of the agglomeration in 2020 (a projection from "
                       "the 2016 census) >= 1,000,000",
    "pipeline": "citykit.build.iran",
}


def _round_geometry(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rounded = shapely.transform(gdf.geometry.to_numpy(),
                                lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return gdf.set_geometry(gpd.GeoSeries(rounded, index=gdf.index, crs=gdf.crs))


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    features = json.loads(_round_geometry(gdf).to_json(drop_id=True, na="null"))
    for feature in features["features"]:
        feature.pop("bbox", None)
    features.pop("bbox", None)
    text = json.dumps(features, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    flags = frame.select_dtypes(include="bool").columns
    frame = frame.assign(**{c: frame[c].map({True: "true", False: "false"}) for c in flags})
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _combine(parts: list[SourceTables], extra_sources: pd.DataFrame) -> SourceTables:
    values = pd.concat([p.values[VALUE_COLUMNS] for p in parts], ignore_index=True)
    indicators = pd.concat([p.indicators[INDICATOR_COLUMNS] for p in parts], ignore_index=True)
    sources = pd.concat([extra_sources[SOURCE_COLUMNS]]
                        + [p.sources[SOURCE_COLUMNS] for p in parts], ignore_index=True)
    for frame, key in ((indicators, "code"), (sources, "id")):
        dup = frame[key][frame[key].duplicated()].tolist()
        if dup:
            raise ValueError(f"two build steps define the same {key}: {dup}")
    values = values.sort_values(["indicator", "level", "entity_id", "year"], kind="stable")
    return SourceTables(values.reset_index(drop=True),
                        indicators.sort_values("code").reset_index(drop=True),
                        sources.sort_values("id").reset_index(drop=True))


def build(raw: Path, out: Path) -> dict[str, Path]:
    """Build every derived file of the Iran dataset from `raw` into `out`.

    Parameters
    ----------
    raw : pathlib.Path
        The ``raw/`` folder (verbatim source files); its sibling ``curated/`` holds our own
        indicator metadata and the reviewer's city overrides.
    out : pathlib.Path
        Where to write :data:`DERIVED_FILES` (created if needed).

    Returns
    -------
    dict
        File name to written path.
    """
    raw, out = Path(raw), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    provinces = geography.build_provinces(raw)
    counties = geography.build_counties(raw, provinces)
    base = geography.build_cities(raw, provinces, counties)
    reg = register.build_register(raw, base, provinces)
    cities = reg.cities
    centres = urban.build_centres(reg.centres, reg.join, cities, provinces)
    tables = _combine([census.build(raw), atlas.build(raw), gdl.build(raw),
                       urban.build_values(raw, reg.centres, reg.wup)],
                      geography.sources())
    manifest = dict(MANIFEST, citykit_version=__version__)
    written = {
        "provinces.geojson": provinces[PROVINCE_COLUMNS],
        "counties.geojson": counties[COUNTY_COLUMNS],
        "cities.csv": cities[CITY_COLUMNS],
        "values.csv": tables.values,
        "indicators.csv": tables.indicators,
        "sources.csv": tables.sources,
        "urban_centres.csv": centres[URBAN_CENTRE_COLUMNS],
        "centre_join.csv": reg.join[CENTRE_JOIN_COLUMNS],
        "register_audit.csv": reg.audit[AUDIT_COLUMNS],
    }
    paths = {}
    for name, frame in written.items():
        paths[name] = out / name
        if name.endswith(".geojson"):
            _write_geojson(frame, paths[name])
        else:
            _write_csv(frame, paths[name])
    paths["dataset.json"] = out / "dataset.json"
    paths["dataset.json"].write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return paths


def main(folder: Path | None = None) -> list[str]:
    """Rebuild ``datasets/iran`` in place and rewrite its checksum manifest.

    Returns
    -------
    list of str
        The names of the files written.
    """
    from ..data import datasets_root

    folder = Path(folder) if folder else datasets_root() / "iran"
    paths = build(folder / "raw", folder)
    write_manifest(folder)
    return sorted(paths)


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(main()))
