"""The tables of the decision dossier, built from a Scenario's result (private to citykit.export).

Which candidates are the pilots (a given shortlist, or the top k with any tie at the cut), the
robustness columns recognised in a Monte-Carlo table, and one DataFrame per output table: the
ranking, the shortlist with each pilot's reasons, and the workbook's other sheets.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ._brief import pilot_reasons, provenance_note
from .exceptions import ExportError

#: Settings read from a robustness result that has no settings dict (e.g. citykit.robustness).
ROBUSTNESS_SETTINGS = ("draws", "concentration", "top_k", "seed", "chunk_size", "method",
                       "normalisation")
#: Standard robustness columns, recognised from the names a robustness table may use.
ROBUSTNESS_COLUMNS = {
    "p_top_k": ("ptopk", "ptop", "probtopk", "pshortlist", "pinshortlist", "probability"),
    "rank_low": ("ranklow", "ranklo", "ranklower", "rankmin", "rankbest", "rankp5", "rankp05",
                 "rankq05", "lo", "low", "lower", "p5", "p05", "q05"),
    "rank_median": ("rankmedian", "medianrank", "rankp50", "rankq50", "median", "p50", "q50"),
    "rank_high": ("rankhigh", "rankhi", "rankupper", "rankmax", "rankworst", "rankp95",
                  "rankq95", "hi", "high", "upper", "p95", "q95"),
}


@dataclass(frozen=True)
class Pilots:
    """The pilots of a dossier and how they were chosen (``mode``: "top-k" or "given")."""

    ids: tuple[str, ...]
    mode: str                       # "top-k" or "given"
    k: int
    tied_out: tuple[str, ...] = ()  # top-k only: tied with the last pilot, left out
    info: dict | None = None        # what the shortlist object said about itself


# --------------------------------------------------------------------------- pilots

def ranked_order(ranking) -> list[str]:
    """Candidate ids best first; ties broken by id in string order (as citykit.shortlist does)."""
    frame = pd.DataFrame({"rank": ranking.ranks, "id": ranking.scores.index.astype(str)})
    return frame.sort_values(["rank", "id"], kind="stable")["id"].tolist()


def resolve_pilots(ranking, shortlist, k: int) -> Pilots:
    """The given shortlist's pilots, or the top `k` of the ranking (naming any tie at the cut)."""
    order = ranked_order(ranking)
    if shortlist is None:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not \
                1 <= k <= len(order):
            raise ExportError(f"k must be a whole number from 1 to the {len(order)} ranked "
                              f"candidates, got {k!r}")
        ids = order[:k]
        cut = ranking.ranks[ids[-1]]
        tied = tuple(c for c in order[k:] if ranking.ranks[c] == cut)
        return Pilots(tuple(ids), "top-k", int(k), tied)
    ids = _shortlist_ids(shortlist, set(order))
    return Pilots(tuple(ids), "given", len(ids), info=_shortlist_info(shortlist))


def _shortlist_ids(shortlist, known: set[str]) -> list[str]:
    frame = getattr(shortlist, "pilots", shortlist)
    if isinstance(frame, pd.DataFrame):
        column = next((c for c in ("city_id", "id", "candidate") if c in frame.columns), None)
        ids = frame[column].tolist() if column and not set(map(str, frame.index)) <= known \
            else frame.index.tolist()
    elif isinstance(frame, pd.Series):
        ids = frame.tolist() if frame.dtype == object or pd.api.types.is_string_dtype(frame) \
            else frame.index.tolist()
    elif isinstance(frame, (str, bytes)) or not isinstance(frame, Sequence | set | pd.Index
                                                           | np.ndarray):
        raise ExportError(f"shortlist must be a Shortlist, a DataFrame of pilots or a list of "
                          f"candidate ids, got {type(shortlist).__name__}")
    else:
        ids = list(frame)
    ids = [str(i) for i in ids]
    unknown = [i for i in ids if i not in known]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if not ids or unknown or duplicated:
        raise ExportError(
            "the shortlist must name ranked candidates, each once: "
            + ("it is empty" if not ids else
               f"unknown ids {unknown[:10]}" + (f" and {len(unknown) - 10} more"
                                                if len(unknown) > 10 else "")
               + (f"; repeated ids {duplicated}" if duplicated else ""))
            + ". Use the city_id of candidates that passed the eligibility rules.")
    return ids


def _shortlist_info(shortlist) -> dict:
    """What a shortlist object says about itself (constraints, price of diversity, binding)."""
    if isinstance(shortlist, (pd.DataFrame, pd.Series)) or not hasattr(shortlist, "pilots"):
        return {}
    if callable(getattr(shortlist, "to_dict", None)):
        info = {k: v for k, v in jsonable(shortlist.to_dict()).items() if k != "pilots"}
    else:
        info = {name: jsonable(getattr(shortlist, name)) for name in
                ("price_of_diversity", "binding", "constraints")
                if getattr(shortlist, name, None) is not None}
    if callable(getattr(shortlist, "explain", None)):
        info["explain"] = str(shortlist.explain())
    return info


def jsonable(value):
    """`value` as plain JSON data (numpy scalars, pandas objects, dataclasses, sets; a
    non-finite number becomes its text, e.g. ``"inf"``, so the manifest stays strict JSON)."""
    def default(obj):
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, pd.DataFrame):
            return json.loads(obj.to_json(orient="records", force_ascii=False))
        if isinstance(obj, pd.Series):
            return json.loads(obj.to_json(force_ascii=False))
        if isinstance(obj, (set, frozenset)):
            return sorted(obj, key=str)
        if hasattr(obj, "__dataclass_fields__"):
            return asdict(obj)
        return str(obj)

    def finite(obj):
        if isinstance(obj, float) and not math.isfinite(obj):
            return str(obj)
        if isinstance(obj, dict):
            return {k: finite(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [finite(v) for v in obj]
        return obj

    return finite(json.loads(json.dumps(value, default=default, ensure_ascii=False)))


# --------------------------------------------------------------------------- robustness

def _robustness_table(robustness) -> pd.DataFrame:
    if isinstance(robustness, pd.DataFrame):
        return robustness
    for name in ("to_frame", "table", "summary", "frame"):
        attr = getattr(robustness, name, None)
        attr = attr() if callable(attr) else attr
        if isinstance(attr, pd.DataFrame):
            return attr
    raise ExportError("robustness must be a DataFrame per candidate or an object with a "
                      f"to_frame() or table() method; got {type(robustness).__name__}")


def _robustness_settings(robustness) -> dict:
    if isinstance(robustness, pd.DataFrame):
        return {"source": "a table given to the export"}
    for name in ("settings", "spec", "params", "config"):
        value = getattr(robustness, name, None)
        if isinstance(value, dict):
            return jsonable(value)
    if callable(getattr(robustness, "to_dict", None)):
        return jsonable(robustness.to_dict())
    found = {name: getattr(robustness, name) for name in ROBUSTNESS_SETTINGS
             if isinstance(getattr(robustness, name, None), (int, float, str, np.generic))
             or (name == "concentration" and hasattr(robustness, name))}
    return jsonable(found) or {"source": type(robustness).__name__}


def robustness_frame(robustness, index: pd.Index) -> tuple[pd.DataFrame | None, dict]:
    """Standard robustness columns per candidate, and the settings that produced them.

    Columns are recognised by name (case, ``_`` and spaces ignored): ``p_top_k`` (also
    ``p_top_5`` and the like), ``rank_low``, ``rank_median``, ``rank_high`` (also ``rank_p5``,
    ``rank_p95``, ...). A table with none of them is kept as ``robustness_<column>``.
    """
    if robustness is None:
        return None, {}
    frame = _robustness_table(robustness).copy()
    if "city_id" in frame.columns:
        frame = frame.set_index("city_id")
    frame.index = frame.index.astype(str)
    keys = {"".join(ch for ch in str(c).lower() if ch.isalnum()): c for c in frame.columns}
    out, used = pd.DataFrame(index=index), {}
    for standard, aliases in ROBUSTNESS_COLUMNS.items():
        found = next((keys[a] for a in aliases if a in keys), None)
        if found is None and standard == "p_top_k":
            found = next((c for key, c in keys.items() if re.fullmatch(r"ptop\d+", key)), None)
        if found is not None:
            out[standard] = pd.to_numeric(frame[found], errors="coerce").reindex(index)
            used[standard] = str(found)
    if out.shape[1] == 0:
        numeric = frame.select_dtypes("number")
        out = numeric.reindex(index).rename(columns=lambda c: f"robustness_{c}")
    return out, {**_robustness_settings(robustness), "columns": used}


# --------------------------------------------------------------------------- tables

def _province_names(result, codes: pd.Series, lang: str) -> pd.Series:
    provinces = result.dataset.provinces
    column = f"name_{lang}"
    names = provinces[column] if column in provinces.columns else pd.Series(dtype=object)
    return codes.map(names)


def _whole(values: pd.Series) -> pd.Series:
    """Whole numbers as nullable integers (so a population reads 116062, not 116062.0)."""
    finite = values.dropna()
    return values.round().astype("Int64") if (finite == finite.round()).all() else values


def ranking_frame(result, pilots: Pilots, rob: pd.DataFrame | None) -> pd.DataFrame:
    ranking = result.ranking
    order = ranked_order(ranking)
    cands = ranking.matrix.candidates.reindex(order)
    codes = cands.get("province_code", pd.Series(pd.NA, index=order, dtype=object))
    table = ranking.table("en").reindex(order)
    out = pd.DataFrame({
        "rank": ranking.ranks.reindex(order).astype(int),
        "city_id": pd.Index(order).astype(str),
        "name_en": ranking.matrix.names("en").reindex(order).astype(str),
        "name_fa": ranking.matrix.names("fa").reindex(order).astype(str),
        "province_code": codes,
        "province_en": _province_names(result, codes, "en"),
        "province_fa": _province_names(result, codes, "fa"),
        "population": _whole(pd.to_numeric(cands.get("population"), errors="coerce")),
        "score": ranking.scores.reindex(order).astype(float),
    }, index=order)
    groups = [c for c in table.columns if c.startswith(("subindex:", "dimension:"))]
    for column in [*groups, "proxy_share", "imputed_share"]:
        out[column] = table[column].astype(float)
    if rob is not None:
        for column in rob.columns:
            out[column] = rob[column].reindex(order)
    out["pilot"] = out.index.isin(pilots.ids)
    return out.reset_index(drop=True)


def shortlist_frame(result, table: pd.DataFrame, pilots: Pilots, lang: str) -> pd.DataFrame:
    rows = table.set_index("city_id").loc[list(pilots.ids)].reset_index()
    rows = rows.drop(columns=[c for c in rows.columns if c.startswith("dimension:")] + ["pilot"])
    rows.insert(0, "pilot", range(1, len(rows) + 1))
    reasons = {cid: pilot_reasons(result.ranking, cid, lang=lang) for cid in pilots.ids}
    sep = "؛ " if lang == "fa" else "; "
    kinds = (("strength", "strengths"), ("weakness", "weaknesses"), ("need", "more_need"),
             ("less-need", "less_need"))  # need signals are never strengths or weaknesses
    for kind, column in kinds:
        rows[column] = [sep.join(r["text"] for r in reasons[cid] if r["kind"] == kind)
                        for cid in rows["city_id"]]
    return rows


def _weights_frame(ranking) -> pd.DataFrame:
    crit = ranking.matrix.criteria
    prov = ranking.matrix.provenance
    out = pd.DataFrame({"criterion": crit.index.astype(str)}, index=crit.index)
    for column in ("name_en", "name_fa", "dimension", "subindex", "component", "direction",
                   "unit", "level", "year", "source"):
        out[column] = crit[column].astype(object) if column in crit.columns else None
    out["weight"] = ranking.weights.reindex(crit.index).astype(float)
    for kind in ("own", "urban-centre", "proxy-county", "proxy-province"):
        out[f"cities_{kind.replace('-', '_')}"] = (prov == kind).sum().reindex(crit.index)
    out["cities_imputed"] = prov.apply(lambda c: c.astype(str).str.startswith("imputed")).sum()
    learned = ranking.normaliser.get("learned", {})
    for key, value in learned.items():
        if isinstance(value, (list, tuple, np.ndarray)) and len(value) == len(crit) \
                and key != "directions":
            out[f"normaliser_{key}"] = list(value)
    return out.reset_index(drop=True)


def _excluded_frame(result) -> pd.DataFrame:
    names_fa = result.matrix.names("fa")
    rows = [(cid, name, names_fa.get(cid), "eligibility", rule, reason)
            for cid, name, rule, reason in result.audit.excluded().itertuples(index=False)]
    scenario = result.scenario
    if scenario.candidates:
        chosen = set(scenario.candidates)
        names = result.matrix.names("en")
        rows += [(cid, names[cid], names_fa.get(cid), "candidates", "candidates",
                  "not in the scenario's list of candidates")
                 for cid in result.matrix.values.index if cid not in chosen]
    names = result.matrix.names("en")
    rows += [(cid, names.get(cid), names_fa.get(cid), "missing data",
              result.missing.policy, "missing values under the missing-data policy")
             for cid in result.missing.dropped_candidates]
    return pd.DataFrame(rows, columns=["city_id", "name_en", "name_fa", "stage", "rule",
                                       "reason"])


def _indicators_frame(result) -> pd.DataFrame:
    matrix = result.ranking.matrix
    values = matrix.values.stack(future_stack=True).rename("value")
    prov = matrix.provenance.stack(future_stack=True).rename("provenance")
    long = pd.concat([values, prov], axis=1).rename_axis(["city_id", "criterion"]).reset_index()
    found = result.dataset.city_values(list(matrix.values.columns), year=result.scenario.year)
    found = found.rename(columns={"indicator": "criterion", "value": "dataset_value"})
    long = long.merge(found[["city_id", "criterion", "year", "source", "flag", "from_entity"]],
                      on=["city_id", "criterion"], how="left")
    imputed = long["provenance"].astype(str).str.startswith("imputed")
    long.loc[imputed, ["year", "source", "flag", "from_entity"]] = None
    crit = matrix.criteria
    long.insert(1, "name_en", long["city_id"].map(matrix.names("en")))
    long.insert(3, "criterion_name", long["criterion"].map(crit["name_en"]))
    long.insert(5, "unit", long["criterion"].map(crit["unit"]))
    long["note"] = long["provenance"].map(provenance_note)
    return long


def _sources_frame(result) -> pd.DataFrame:
    sources = result.dataset.sources.copy()
    used = set(result.ranking.matrix.criteria["source"].dropna().astype(str))
    if "id" not in sources.columns:
        sources.insert(0, "id", sources.index.astype(str))
    sources["used_by_ranking"] = sources["id"].astype(str).isin(used)
    return sources.reset_index(drop=True)


def _gaps_frame(result) -> pd.DataFrame:
    if result.framework is None:
        return pd.DataFrame({"note": ["no framework: the ranking uses the dataset's indicators "
                                      "directly, so there is no framework coverage to report"]})
    from .frameworks import coverage

    cov = coverage(result.framework, result.dataset,
                   candidates=list(result.ranking.scores.index))
    if cov.gaps.empty:
        return pd.DataFrame({"note": [f"every leaf component of {result.framework.id} has data"]})
    return cov.gaps.assign(framework=result.framework.id)


def workbook_sheets(result, table, short, steps) -> dict[str, pd.DataFrame]:
    return {
        "shortlist": short,
        "ranking": table,
        "weights": _weights_frame(result.ranking),
        "methodology": pd.DataFrame([(i, s, t) for i, (s, t) in enumerate(steps, start=1)],
                                    columns=["step", "title", "text"]),
        "excluded": _excluded_frame(result),
        "indicators": _indicators_frame(result),
        "sources": _sources_frame(result),
        "data_gaps": _gaps_frame(result),
    }
