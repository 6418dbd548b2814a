"""Urban centres (GHSL UCDB R2019A) and UN WUP 2018 agglomerations of Iran, from ``raw/urban``.

Two raw files give city-level figures:

* ``ghsl_ucdb_r2019a_street_network_indicators.csv``: one row per GHSL urban centre worldwide
  (Boeing's street-network indicators joined to the JRC GHS Urban Centre Database R2019A). Only the
  Iranian rows (``country_iso == "IRN"``, 173 centres) are read; the file is kept whole.
* ``WUP2018-F12-Cities_Over_300K.xls``: UN World Urbanization Prospects 2018, file 12, population
  (thousands) of every agglomeration of 300,000+ people, 1950-2035; Iran has 28.

**An urban centre is not a municipality.** GHSL draws centres from a 1 km population grid, so one
centre may hold several register cities (centre 5737 holds Tehran, Karaj, Eslamshahr, Qods and
Shahriyar). The join (:func:`join_centres`) gives every register city at most one centre and a
role: ``core`` for the one city whose name the centre bears (:data:`NAME_MATCH_KM`), ``member``
for any other city in it. Values are written at the level ``urban_centre`` (entity = centre id),
in per-capita or intensity form only; never raw totals, which only measure size.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._names import haversine_km, is_arabic_script, latin_key, name_key, skeleton_key
from ._tables import (
    CENTRE_JOIN_COLUMNS,
    INDICATOR_COLUMNS,
    SOURCE_COLUMNS,
    URBAN_CENTRE_COLUMNS,
    VALUE_COLUMNS,
    SourceTables,
    raw_file,
)

__all__ = [
    "GHSL_SOURCE",
    "WUP_SOURCE",
    "build_centres",
    "build_values",
    "centre_names",
    "join_centres",
    "match_wup",
    "read_ghsl",
    "read_wup",
    "sources",
]

GHSL_FILE = "urban/ghsl_ucdb_r2019a_street_network_indicators.csv"
GHSL_METADATA = "urban/ghsl_ucdb_r2019a_street_network_indicators_metadata.csv"
GHSL_LICENCE = "urban/LICENSE_street-network-models_MIT.txt"
WUP_FILE = "urban/WUP2018-F12-Cities_Over_300K.xls"
CURATED_INDICATORS = "curated/urban_indicators.csv"
GHSL_SOURCE = "ghsl-ucdb-2019"
WUP_SOURCE = "un-wup-2018"
COUNTRY_ISO3 = "IRN"
#: UN M49 numeric code of Iran, the ``Country Code`` column of the WUP file.
WUP_COUNTRY_CODE = 364
#: The 16 header rows of WUP file 12 end with the column names on row 17 (0-based row 16).
WUP_HEADER_ROW = 16
#: A city's name (or alternate name) matches a centre only within this distance of its centroid
#: (GHSL centroids of large, elongated centres lie tens of km from some member towns: Karaj is
#: about 25 km from the centroid of 5737).
NAME_MATCH_KM = 60.0
#: Without a name match, a city joins the nearest centre whose centroid lies within the radius of
#: a disc of the centre's area plus this margin: sqrt(area / pi) + 3 km.
DISTANCE_MARGIN_KM = 3.0
#: A WUP agglomeration matches a register city of the same name within this distance.
WUP_MATCH_KM = 30.0
#: Years of WUP population written as values (2015: estimate; 2020: projection).
WUP_VALUE_YEARS = (2015, 2020)
#: Years of the WUP growth indicator: percentage change 2015 -> 2025.
WUP_GROWTH_YEARS = (2015, 2025)
#: Year of the OpenStreetMap street networks (Boeing downloaded them in 2020).
OSM_YEAR = 2020

_GHSL_COLUMNS = [
    "uc_id", "country_iso", "core_city", "uc_names", "centroid_lat", "centroid_lng",
    "resident_pop", "area", "built_up_area", "night_light_em", "gdp_ppp",
    "transport_co2_em_fossil", "transport_pm25_em", "pm25_concentration", "pct_open_space",
    "intersect_count_clean", "prop_4way", "prop_deadend", "circuity",
]
_UNNAMED = "unnamed"


# --- raw readers ---------------------------------------------------------------------------

def read_ghsl(raw: Path) -> pd.DataFrame:
    """Read the Iranian GHSL urban centres from the worldwide file.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        The columns the build uses, one row per centre, ``centre_id`` (text ``uc_id``) added,
        sorted by numeric ``uc_id``.

    Raises
    ------
    ValueError
        When a column is missing, an id is repeated or no Iranian centre is found.
    """
    path = raw_file(raw, GHSL_FILE)
    table = pd.read_csv(path, dtype={"uc_names": str, "core_city": str})
    missing = sorted(set(_GHSL_COLUMNS) - set(table.columns))
    if missing:
        raise ValueError(f"{path}: columns {missing} missing")
    iran = table.loc[table["country_iso"] == COUNTRY_ISO3, _GHSL_COLUMNS].copy()
    if iran.empty or iran["uc_id"].duplicated().any():
        raise ValueError(f"{path}: no {COUNTRY_ISO3} centre, or a repeated uc_id")
    iran["centre_id"] = iran["uc_id"].astype(int).astype(str)
    iran["uc_names"] = iran["uc_names"].fillna("")
    return iran.sort_values("uc_id").reset_index(drop=True)


def read_wup(raw: Path) -> pd.DataFrame:
    """Read Iran's agglomerations from WUP 2018 file 12 (population in persons, not thousands).

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder.

    Returns
    -------
    pandas.DataFrame
        ``wup_code`` (the WUP City Code, text), ``wup_name``, ``latitude``, ``longitude`` and one
        float column per year (``1950`` ... ``2035``, integer labels) in persons, sorted by name.
    """
    import xlrd  # the .xls (BIFF) reader; an optional dependency (extra "build")

    path = raw_file(raw, WUP_FILE)
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    header = sheet.row_values(WUP_HEADER_ROW)
    rows = [sheet.row_values(i) for i in range(WUP_HEADER_ROW + 1, sheet.nrows)]
    table = pd.DataFrame(rows, columns=[int(h) if isinstance(h, float) else h for h in header])
    needed = {"Country Code", "City Code", "Urban Agglomeration", "Latitude", "Longitude", 2015}
    if not needed <= set(table.columns):
        raise ValueError(f"{path}: header row {WUP_HEADER_ROW + 1} lacks {sorted(map(str, needed))}")
    table = table[pd.to_numeric(table["Country Code"], errors="coerce") == WUP_COUNTRY_CODE]
    if table.empty:
        raise ValueError(f"{path}: no agglomeration with country code {WUP_COUNTRY_CODE}")
    years = [c for c in table.columns if isinstance(c, int)]
    out = pd.DataFrame({
        "wup_code": table["City Code"].astype(int).astype(str),
        "wup_name": table["Urban Agglomeration"].astype(str).str.strip(),
        "latitude": table["Latitude"].astype(float),
        "longitude": table["Longitude"].astype(float),
    })
    # Thousands with three decimals: x 1000 and rounded gives whole persons exactly.
    persons = (table[years].astype(float) * 1000).round()
    out = pd.concat([out, persons], axis=1)
    return out.sort_values("wup_name").reset_index(drop=True)


# --- names and joins -----------------------------------------------------------------------

def centre_names(centres: pd.DataFrame) -> pd.DataFrame:
    """One row per (centre, name key): ``core_city`` and every entry of ``uc_names``.

    ``is_core`` marks the key of the centre's core city: ``core_city`` itself, or, where GHSL
    calls the centre ``unnamed``, the first entry of ``uc_names``.
    """
    names = centres[["centre_id", "uc_names"]].assign(
        name=centres["uc_names"].str.split(";")).explode("name")
    names["name"] = names["name"].str.strip()
    names = names[names["name"].fillna("").str.len() > 0]
    first = names.drop_duplicates("centre_id").set_index("centre_id")["name"]
    core = centres["core_city"].where(centres["core_city"] != _UNNAMED,
                                      centres["centre_id"].map(first))
    core_keys = pd.DataFrame({"centre_id": centres["centre_id"],
                              "key": core.fillna("").map(name_key), "is_core": True})
    names = pd.DataFrame({"centre_id": names["centre_id"], "key": names["name"].map(name_key),
                          "is_core": False})
    long = pd.concat([core_keys, names], ignore_index=True)
    long = long[long["key"].str.len() > 0]
    long = long.sort_values(["centre_id", "key", "is_core"], ascending=[True, True, False])
    return long.drop_duplicates(["centre_id", "key"]).reset_index(drop=True)


def _best_name_match(cand: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """Keep per `group` the candidate with the best method (name before alternate) and distance."""
    cand = cand.assign(_rank=(cand["method"] != "name").astype(int))
    cand = cand.sort_values([*group, "_rank", "distance_km", "key"])
    return cand.drop_duplicates(group).drop(columns="_rank")


def join_centres(centres: pd.DataFrame, cities: pd.DataFrame,
                 names: pd.DataFrame) -> pd.DataFrame:
    """Join every register city to at most one urban centre (see the module docstring).

    1. **Name**: a key of the city (``method`` ``name`` for its GeoNames name,
       ``alternate-name`` for an alternate, Latin or Arabic-script) equals a key of
       :func:`centre_names`, and the city lies within :data:`NAME_MATCH_KM` of the centroid. A city
       with several such centres takes the one matched by its own name first, then the nearest.
    2. **Distance**: otherwise the nearest centroid within sqrt(area / pi) +
       :data:`DISTANCE_MARGIN_KM`.

    The ``core`` of a centre is the name-matched city whose key is the centre's core key (by
    method, then distance, if several). A centre with no such city takes as core the nearest
    distance-joined town whose name is a transliteration variant of the core name
    (:func:`~citykit.build._names.skeleton_key`: Sonqor for ``songhor``). Every other joined
    city is a ``member``.

    Parameters
    ----------
    centres : pandas.DataFrame
        :func:`read_ghsl`.
    cities : pandas.DataFrame
        The register: ``city_id, name_en, latitude, longitude``.
    names : pandas.DataFrame
        ``city_id, key, method`` (one row per name key of a city).

    Returns
    -------
    pandas.DataFrame
        :data:`~citykit.build._tables.CENTRE_JOIN_COLUMNS`, one row per city, in the order of
        `cities`; ``distance_km`` (to the centroid) is rounded to 0.1 km.
    """
    pos = centres.set_index("centre_id")[["centroid_lat", "centroid_lng", "area"]]
    where = cities.set_index("city_id")[["latitude", "longitude"]]
    cand = names.merge(centre_names(centres), on="key")
    cand["distance_km"] = haversine_km(
        cand["city_id"].map(where["latitude"]), cand["city_id"].map(where["longitude"]),
        cand["centre_id"].map(pos["centroid_lat"]), cand["centre_id"].map(pos["centroid_lng"]))
    cand = cand[cand["distance_km"] <= NAME_MATCH_KM]
    by_name = _best_name_match(cand, ["city_id"])
    # Is the chosen centre matched by the city's core key (through any of its names)?
    core_pairs = cand.loc[cand["is_core"], ["city_id", "centre_id", "method", "distance_km",
                                            "key"]]
    core_pairs = core_pairs.merge(by_name[["city_id", "centre_id"]], on=["city_id", "centre_id"])
    core = _best_name_match(core_pairs, ["centre_id"])
    by_name = by_name.assign(role="member")
    is_core = by_name.set_index(["city_id", "centre_id"]).index.isin(
        core.set_index(["city_id", "centre_id"]).index)
    by_name.loc[is_core, "role"] = "core"

    rest = cities.loc[~cities["city_id"].isin(by_name["city_id"]), ["city_id"]]
    pairs = rest.merge(centres[["centre_id"]], how="cross")
    pairs["distance_km"] = haversine_km(
        pairs["city_id"].map(where["latitude"]), pairs["city_id"].map(where["longitude"]),
        pairs["centre_id"].map(pos["centroid_lat"]), pairs["centre_id"].map(pos["centroid_lng"]))
    radius = np.sqrt(pairs["centre_id"].map(pos["area"]) / np.pi) + DISTANCE_MARGIN_KM
    near = pairs[pairs["distance_km"] <= radius].sort_values(["city_id", "distance_km"])
    near = near.drop_duplicates("city_id").assign(method="distance", role="member")

    near = _spelling_cores(near, centres, names, set(core["centre_id"]))
    joined = pd.concat([by_name[["city_id", "centre_id", "method", "distance_km", "role"]],
                        near[["city_id", "centre_id", "method", "distance_km", "role"]]])
    out = cities[["city_id", "name_en"]].merge(joined, on="city_id", how="left")
    out["method"] = out["method"].fillna("none")
    out["centre_id"] = out["centre_id"].fillna("")
    out["role"] = out["role"].fillna("")
    out["distance_km"] = out["distance_km"].round(1)
    if out["city_id"].duplicated().any():
        raise ValueError("centre join gave a city two centres")
    return out[CENTRE_JOIN_COLUMNS].reset_index(drop=True)


def _spelling_cores(near: pd.DataFrame, centres: pd.DataFrame, names: pd.DataFrame,
                    cored: set) -> pd.DataFrame:
    """Make core the distance-joined town whose name is a spelling variant of the core name.

    Only for a centre that no town matched by name as core: the nearest distance-joined town
    whose :func:`~citykit.build._names.skeleton_key` (of any Latin name) equals that of the
    centre's core name (GHSL's ``tikab`` is GeoNames' Takāb).
    """
    core_names = centre_names(centres)
    core_names = core_names[core_names["is_core"] & ~core_names["centre_id"].isin(cored)]
    core_names = core_names.assign(skeleton=core_names["key"].map(skeleton_key))
    latin = names[~names["key"].map(is_arabic_script)]
    cand = near.merge(latin.assign(skeleton=latin["key"].map(skeleton_key))[
        ["city_id", "skeleton"]], on="city_id")
    cand = cand.merge(core_names[["centre_id", "skeleton"]], on=["centre_id", "skeleton"])
    cand = cand[cand["skeleton"] != ""].sort_values(["centre_id", "distance_km", "city_id"])
    chosen = cand.drop_duplicates("centre_id")
    is_core = near.set_index(["city_id", "centre_id"]).index.isin(
        chosen.set_index(["city_id", "centre_id"]).index)
    return near.assign(role=np.where(is_core, "core", near["role"]))


def match_wup(wup: pd.DataFrame, cities: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Match each WUP agglomeration to one register city: same name key, within 30 km.

    The WUP spelling is compared with every Latin name of the city (GeoNames name and
    alternates), so Esfahan/Isfahan, Orumiyeh/Urmia and Hamadan/Hamedan match without a typed
    table; among several candidates the nearest wins.

    Returns
    -------
    pandas.DataFrame
        ``wup_code, wup_name, city_id, distance_km`` plus the year columns of `wup`.

    Raises
    ------
    ValueError
        When an agglomeration matches no city, or two agglomerations the same city.
    """
    keyed = wup.assign(key=wup["wup_name"].map(latin_key))
    where = cities.set_index("city_id")[["latitude", "longitude"]]
    cand = keyed.merge(names[["city_id", "key"]].drop_duplicates(), on="key")
    cand["distance_km"] = haversine_km(cand["latitude"], cand["longitude"],
                                       cand["city_id"].map(where["latitude"]),
                                       cand["city_id"].map(where["longitude"]))
    cand = cand[cand["distance_km"] <= WUP_MATCH_KM].sort_values(["wup_code", "distance_km"])
    best = cand.drop_duplicates("wup_code")
    lost = sorted(set(wup["wup_name"]) - set(best["wup_name"]))
    if lost:
        raise ValueError(f"{WUP_FILE}: agglomerations {lost} match no register city by name "
                         f"within {WUP_MATCH_KM} km")
    if best["city_id"].duplicated().any():
        raise ValueError(f"{WUP_FILE}: two agglomerations match one city: "
                         f"{best[best['city_id'].duplicated(keep=False)]['wup_name'].tolist()}")
    return best.drop(columns=["key", "latitude", "longitude"]).reset_index(drop=True)


# --- the urban-centre table ----------------------------------------------------------------

def _pretty_name(centres: pd.DataFrame, core_name: pd.Series) -> pd.Series:
    """The ``uc_names`` spelling of ``core_city`` (``gonbad_e_qabus`` -> ``Gonbad-e Qabus``)."""
    names = centres[["centre_id", "uc_names"]].assign(
        name=centres["uc_names"].str.split(";")).explode("name")
    names["name"] = names["name"].str.strip()
    names = names[names["name"].fillna("").str.len() > 0]
    core_key = centres.set_index("centre_id")["core_city"].map(latin_key)
    same = names[names["name"].map(latin_key) == names["centre_id"].map(core_key)]
    spelled = centres["centre_id"].map(same.drop_duplicates("centre_id")
                                       .set_index("centre_id")["name"])
    fallback = centres["core_city"].str.replace("_", " ").str.title()
    pretty = spelled.fillna(fallback)
    # An unnamed centre takes its core city's English name where it has one.
    unnamed = centres["core_city"] == _UNNAMED
    return pretty.where(~unnamed, core_name.fillna(pretty))


def build_centres(centres: pd.DataFrame, join: pd.DataFrame, cities: pd.DataFrame,
                  provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    """Build ``urban_centres.csv``: one row per Iranian centre.

    ``province_code`` is the core city's; a centre without a core takes the province containing
    its centroid. ``member_city_ids`` lists every register city joined to the centre, the core
    included, by numeric id.
    """
    joined = join[join["centre_id"] != ""].copy()
    joined["_id"] = joined["city_id"].astype(int)
    members = (joined.sort_values("_id").groupby("centre_id")["city_id"].agg("|".join))
    core = joined[joined["role"] == "core"].set_index("centre_id")["city_id"]
    city = cities.set_index("city_id")
    points = gpd.GeoDataFrame(centres[["centre_id"]], crs="EPSG:4326", geometry=gpd.points_from_xy(
        centres["centroid_lng"], centres["centroid_lat"]))
    inside = gpd.sjoin(points, provinces[["province_code", "geometry"]], how="left",
                       predicate="within").drop_duplicates("centre_id")
    spatial = inside.set_index("centre_id")["province_code"]
    core_id = centres["centre_id"].map(core)
    province = core_id.map(city["province_code"]).fillna(centres["centre_id"].map(spatial))
    if province.isna().any():
        raise ValueError(f"centres {centres.loc[province.isna(), 'centre_id'].tolist()} have no "
                         "core city and their centroid lies in no province")
    out = pd.DataFrame({
        "centre_id": centres["centre_id"],
        "name_en": _pretty_name(centres, core_id.map(city["name_en"])),
        "uc_names": centres["uc_names"],
        "core_city_id": core_id.fillna(""),
        "member_city_ids": centres["centre_id"].map(members).fillna(""),
        "latitude": centres["centroid_lat"].round(5),
        "longitude": centres["centroid_lng"].round(5),
        "population": centres["resident_pop"].astype("Int64"),
        "area_km2": centres["area"],
        "built_up_km2": centres["built_up_area"].round(4),
        "province_code": province,
    })
    return out[URBAN_CENTRE_COLUMNS].reset_index(drop=True)


# --- values --------------------------------------------------------------------------------

def _centre_series(c: pd.DataFrame) -> dict[str, tuple[pd.Series, int, str, str]]:
    """Indicator code -> (value per centre, year, flag, note). Formulas in the curated notes."""
    pop = c["resident_pop"].astype(float)
    # night_light_em is a mean radiance over the centre, so area x mean approximates the total.
    return {
        "uc_population": (pop, 2015, "official", ""),
        "uc_gdp_ppp_per_capita": (c["gdp_ppp"] / pop, 2015, "derived",
                                  "gdp_ppp / resident_pop"),
        "uc_night_light_per_capita": (c["night_light_em"] * c["area"] / pop * 1000, 2015,
                                      "derived", "night_light_em x area / resident_pop x 1000"),
        "uc_built_up_per_capita": (c["built_up_area"] * 1e6 / pop, 2015, "derived",
                                   "built_up_area x 1e6 / resident_pop"),
        "uc_pm25_concentration": (c["pm25_concentration"], 2014, "official",
                                  "modelled (GBD 2014, satellite-based), not measured"),
        "uc_transport_co2_per_capita": (c["transport_co2_em_fossil"] / pop, 2015, "derived",
                                        "transport_co2_em_fossil (tonnes) / resident_pop"),
        "uc_transport_pm25_per_capita": (c["transport_pm25_em"] * 1000 / pop, 2015, "derived",
                                         "transport_pm25_em (tonnes) x 1000 / resident_pop"),
        "uc_open_space_share": (c["pct_open_space"], 2015, "official", ""),
        "uc_intersection_density": (c["intersect_count_clean"] / c["built_up_area"], OSM_YEAR,
                                    "derived", "intersect_count_clean (OSM about 2020) / "
                                               "built_up_area (2015)"),
        "uc_prop_4way": (c["prop_4way"] * 100, OSM_YEAR, "derived", "prop_4way x 100"),
        "uc_prop_deadend": (c["prop_deadend"] * 100, OSM_YEAR, "derived", "prop_deadend x 100"),
        "uc_circuity": (c["circuity"], OSM_YEAR, "official", ""),
    }


def _tidy(frames: list[pd.DataFrame]) -> pd.DataFrame:
    values = pd.concat(frames, ignore_index=True)
    values["value"] = pd.to_numeric(values["value"]).astype(float)
    # Missing or non-finite values (a zero population, an absent figure) are left out, never 0.
    values = values[np.isfinite(values["value"])]
    values["year"] = values["year"].astype(int)
    return values[VALUE_COLUMNS]


def _read_indicators(raw: Path) -> pd.DataFrame:
    path = Path(raw).parent / CURATED_INDICATORS
    if not path.exists():
        raise FileNotFoundError(f"curated file missing: {path}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != INDICATOR_COLUMNS or table["code"].duplicated().any():
        raise ValueError(f"{path}: expected columns {INDICATOR_COLUMNS} and unique codes")
    return table


def build_values(raw: Path, centres: pd.DataFrame, wup_match: pd.DataFrame) -> SourceTables:
    """Values of the ``uc_*`` (level ``urban_centre``) and ``wup_*`` (level ``city``) indicators.

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder; its sibling ``curated/urban_indicators.csv`` holds the metadata.
    centres : pandas.DataFrame
        :func:`read_ghsl`.
    wup_match : pandas.DataFrame
        :func:`match_wup`.

    Returns
    -------
    SourceTables
        Values, indicators (from the curated file, which must list exactly the built codes) and
        the two sources.
    """
    frames = [pd.DataFrame({"entity_id": centres["centre_id"], "level": "urban_centre",
                            "indicator": code, "year": year, "value": series,
                            "source": GHSL_SOURCE, "flag": flag, "note": note})
              for code, (series, year, flag, note) in _centre_series(centres).items()]
    projection = "UN WUP 2018 projection from the 2016 census"
    for year in WUP_VALUE_YEARS:
        frames.append(pd.DataFrame({
            "entity_id": wup_match["city_id"], "level": "city", "indicator": "wup_population",
            "year": year, "value": wup_match[year], "source": WUP_SOURCE, "flag": "official",
            "note": ("WUP agglomeration " + wup_match["wup_name"]
                     + ("" if year <= 2015 else f"; {projection}"))}))
    start, end = WUP_GROWTH_YEARS
    frames.append(pd.DataFrame({
        "entity_id": wup_match["city_id"], "level": "city",
        "indicator": "wup_growth_2015_2025", "year": end,
        "value": (wup_match[end] / wup_match[start] - 1) * 100, "source": WUP_SOURCE,
        "flag": "derived",
        "note": ("WUP agglomeration " + wup_match["wup_name"]
                 + f": ({end} / {start} - 1) x 100; {projection}")}))
    values = _tidy(frames)
    indicators = _read_indicators(raw)
    built, listed = set(values["indicator"]), set(indicators["code"])
    if built != listed:
        raise ValueError(f"{Path(raw).parent / CURATED_INDICATORS}: codes differ from the built "
                         f"ones (missing {sorted(built - listed)}, extra {sorted(listed - built)})")
    levels = values.drop_duplicates("indicator").set_index("indicator")["level"]
    wrong = indicators[indicators["code"].map(levels) != indicators["level"]]
    if len(wrong):
        raise ValueError(f"{CURATED_INDICATORS}: wrong level for {wrong['code'].tolist()}")
    return SourceTables(values.reset_index(drop=True), indicators, sources())


# --- sources -------------------------------------------------------------------------------

_SOURCES = [
    {
        "id": GHSL_SOURCE,
        "title": "GHS Urban Centre Database 2015, multitemporal and multidimensional attributes, "
                 "R2019A, with street-network indicators from OpenStreetMap (Iranian centres)",
        "publisher": "European Commission, Joint Research Centre (Florczyk et al. 2019); "
                     "street-network indicators by Geoff Boeing",
        "year": "2015 (PM2.5 2014; OpenStreetMap streets about 2020)",
        "origin": "gboeing/street-network-models@6bc56bff indicators/indicators.csv and "
                  "indicators/indicators-metadata.csv (removed from the repository head later; "
                  "copied verbatim from its history)",
        "licence": "MIT (file and code, street-network-models); GHSL attributes: European "
                   "Commission reuse policy (Decision 2011/833/EU), reuse with acknowledgement",
        "attribution": "Florczyk, A. et al. (2019) GHS Urban Centre Database 2015, multitemporal "
                       "and multidimensional attributes, R2019A. European Commission, Joint "
                       "Research Centre; Boeing, G. Street network models and indicators for "
                       "every urban area in the world (github.com/gboeing/street-network-models, "
                       "MIT)",
        "files": f"{GHSL_FILE}|{GHSL_METADATA}|{GHSL_LICENCE}",
    },
    {
        "id": WUP_SOURCE,
        "title": "World Urbanization Prospects: The 2018 Revision, File 12: population of urban "
                 "agglomerations with 300,000 inhabitants or more in 2018, 1950-2035 (thousands)",
        "publisher": "United Nations, Department of Economic and Social Affairs, Population "
                     "Division",
        "year": "2018 revision (Iran based on the 2016 census; values after 2015 are "
                "projections)",
        "origin": "sashatrubetskoy/zipf_regions@e083e647 WUP2018-F12-Cities_Over_300K.xls "
                  "(unaltered UN file, POP/DB/WUP/Rev.2018/1/F12)",
        "licence": "CC-BY-3.0-IGO",
        "attribution": "United Nations, Department of Economic and Social Affairs, Population "
                       "Division (2018). World Urbanization Prospects: The 2018 Revision, Online "
                       "Edition. CC BY 3.0 IGO",
        "files": WUP_FILE,
    },
]


def sources() -> pd.DataFrame:
    """The two urban sources (:data:`SOURCE_COLUMNS`, sorted by id)."""
    return pd.DataFrame(_SOURCES)[SOURCE_COLUMNS].sort_values("id").reset_index(drop=True)


def city_name_keys(records: pd.DataFrame) -> pd.DataFrame:
    """One row per (city, name key) from GeoNames records: ``city_id, key, method``.

    ``method`` is ``name`` for the GeoNames name and ``alternate-name`` for its alternates (Latin
    or Arabic-script); a key present under both counts as ``name``.
    """
    own = pd.DataFrame({"city_id": records["city_id"], "key": records["name"].map(latin_key),
                        "method": "name"})
    alt = records[["city_id", "alternatenames"]].explode("alternatenames").dropna()
    alt = pd.DataFrame({"city_id": alt["city_id"],
                        "key": alt["alternatenames"].map(name_key), "method": "alternate-name",
                        "arabic": alt["alternatenames"].map(is_arabic_script)})
    keys = pd.concat([own, alt.drop(columns="arabic")], ignore_index=True)
    keys = keys[keys["key"].str.len() > 0]
    return (keys.sort_values(["city_id", "key", "method"], ascending=[True, True, False])
            .drop_duplicates(["city_id", "key"]).reset_index(drop=True))
