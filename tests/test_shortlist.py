"""citykit.shortlist: the MILP equals brute force under every constraint type; constraints hold;
conflicts are named; price of diversity; ties; Constraints JSON; the ``shortlist`` CLI.

Everything except the CLI tests on the bundled Iran dataset uses SYNTHETIC, seeded candidates
(ids ``synthetic-NN``) in a made-up 4-province box.
"""

import itertools
import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citykit.cli import main
from citykit.exceptions import ShortlistError
from citykit.shortlist import Constraints, Shortlist, haversine_km, objective_from_ranking, select

PROVINCES = ["P1", "P2", "P3", "P4"]
REGIONS = {"P1": "north", "P2": "north", "P3": "south", "P4": "south"}


def synthetic(n: int = 10, seed: int = 0):
    """SYNTHETIC candidates: scores, provinces, coordinates in a ~300 km box, population, cost,
    readiness and peer groups, all drawn from `seed`."""
    rng = np.random.default_rng(seed)
    ids = [f"synthetic-{i:02d}" for i in range(n)]
    candidates = pd.DataFrame({
        "name_en": [f"Synthetic city {i}" for i in range(n)],
        "province_code": rng.choice(PROVINCES, n),
        "latitude": rng.uniform(33.0, 35.5, n), "longitude": rng.uniform(50.0, 53.0, n),
        "population": rng.integers(20_000, 2_000_000, n).astype(float),
        "cost": rng.integers(1, 10, n).astype(float),
    }, index=ids)
    scores = pd.Series(rng.uniform(0, 1, n), index=ids)
    readiness = pd.Series(rng.uniform(0, 1, n), index=ids)
    peers = pd.Series(rng.integers(1, 4, n), index=ids)
    return scores, candidates, readiness, peers


def feasible(combo, candidates, con: Constraints, readiness, peers) -> bool:
    """Direct check of every constraint on one set of pilots (no MILP)."""
    rows = candidates.loc[list(combo)]
    if con.max_per_province and rows["province_code"].value_counts().max() > \
            con.max_per_province:
        return False
    if con.max_per_region and rows["province_code"].map(REGIONS).value_counts().max() > \
            con.max_per_region:
        return False
    if con.min_distance_km:
        lat, lon = rows["latitude"].to_numpy(), rows["longitude"].to_numpy()
        d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        if (d[np.triu_indices(len(combo), 1)] < con.min_distance_km).any():
            return False
    if con.one_per_peer_group and set(peers[list(combo)]) != set(peers):
        return False
    if con.population_tiers:
        t = con.population_tiers
        for i, (low, high) in enumerate(t["tiers"]):
            high = math.inf if high is None else high
            count = rows["population"].between(low, high, inclusive="left").sum()
            if count < t["min_per_tier"][i] or (t["max_per_tier"] and
                                                 count > t["max_per_tier"][i]):
                return False
    if not set(con.must_include) <= set(combo) or set(con.must_exclude) & set(combo):
        return False
    if con.budget is not None and rows["cost"].sum() > con.budget:
        return False
    return con.min_readiness is None or bool((readiness[list(combo)] >= con.min_readiness).all())


def brute_force(scores, candidates, con, readiness=None, peers=None):
    """(best total, list of optimal sets) over every k-subset; (None, []) if none is feasible."""
    best, winners = None, []
    for combo in itertools.combinations(scores.index, con.k):
        if not feasible(combo, candidates, con, readiness, peers):
            continue
        total = float(scores[list(combo)].sum())
        if best is None or total > best + 1e-12:
            best, winners = total, [set(combo)]
        elif abs(total - best) <= 1e-12:
            winners.append(set(combo))
    return best, winners


def solve(scores, candidates, con, readiness, peers, **kw):
    return select(scores, candidates, con, readiness=readiness,
                  peers=peers if con.one_per_peer_group else None,
                  costs=candidates["cost"] if con.budget is not None else None, **kw)


TIERS = {"tiers": [[0, 500_000], [500_000, None]], "min_per_tier": [2, 1]}
CASES = {
    "per-province": dict(k=4, max_per_province=1),
    "per-province-2": dict(k=5, max_per_province=2),
    "per-region": dict(k=3, max_per_region=2, regions=REGIONS),
    "min-distance": dict(k=3, min_distance_km=120),
    "peer-groups": dict(k=3, one_per_peer_group=True),
    "population-tiers": dict(k=4, population_tiers=TIERS),
    "must-include": dict(k=3, must_include=["synthetic-07", "synthetic-02"]),
    "must-exclude": dict(k=3, must_exclude=["synthetic-00", "synthetic-05", "synthetic-09"]),
    "budget": dict(k=4, budget=14.0),
    "readiness": dict(k=3, min_readiness=0.4),
    "combined": dict(k=4, max_per_province=2, min_distance_km=60, one_per_peer_group=True,
                     must_include=["synthetic-03"], budget=25.0, min_readiness=0.1),
}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("case", list(CASES))
def test_milp_equals_brute_force(case, seed):
    scores, candidates, readiness, peers = synthetic(n=10 + seed % 3, seed=seed)
    con = Constraints(**CASES[case])
    best, winners = brute_force(scores, candidates, con, readiness, peers)
    if best is None:
        with pytest.raises(ShortlistError, match="No shortlist satisfies"):
            solve(scores, candidates, con, readiness, peers)
        return
    result = solve(scores, candidates, con, readiness, peers)
    assert result.objective == pytest.approx(best, abs=1e-9)
    assert set(result.ids) in winners
    assert feasible(result.ids, candidates, con, readiness, peers)
    assert result.price_of_diversity >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(4, 11), k=st.integers(1, 4), m=st.integers(1, 2),
       km=st.floats(0, 250), seed=st.integers(0, 10_000))
def test_distance_and_per_province_always_hold(n, k, m, km, seed):
    scores, candidates, readiness, peers = synthetic(n=n, seed=seed)
    con = Constraints(k=min(k, n), max_per_province=m, min_distance_km=km)
    try:
        result = select(scores, candidates, con)
    except ShortlistError as err:
        assert brute_force(scores, candidates, con)[0] is None, str(err)
        return
    pilots = result.pilots
    assert len(pilots) == con.k and pilots.index.is_unique
    assert pilots["province_code"].value_counts().max() <= m
    for a, b in itertools.combinations(pilots.index, 2):
        assert haversine_km(*pilots.loc[a, ["latitude", "longitude"]],
                            *pilots.loc[b, ["latitude", "longitude"]]) >= km
    assert result.objective == pytest.approx(brute_force(scores, candidates, con)[0], abs=1e-9)


# --------------------------------------------------------------------------- conflicts

def two_clusters():
    """SYNTHETIC: 6 cities in 2 provinces; a-c within 20 km of each other, d-f 300 km away."""
    ids = [f"synthetic-{c}" for c in "abcdef"]
    candidates = pd.DataFrame({
        "name_en": [f"Synthetic {c.upper()}" for c in "abcdef"],
        "province_code": ["P1", "P1", "P1", "P2", "P2", "P2"],
        "latitude": [35.0, 35.1, 35.05, 32.3, 32.4, 32.35],
        "longitude": [51.0, 51.1, 51.0, 51.0, 51.1, 51.0],
        "population": [900_000, 80_000, 60_000, 70_000, 50_000, 40_000.0],
    }, index=ids)
    scores = pd.Series([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], index=ids)
    return scores, candidates


@pytest.mark.parametrize(("kwargs", "extra", "match"), [
    (dict(k=3, max_per_province=1), {},
     r"k = 3 pilots; at most 1 pilot per province\. Why: k = 3 pilots with at most 1 per "
     r"province needs 3 provinces, but only 2 provinces have eligible candidates"),
    (dict(k=5, max_per_province=2), {},
     r"at most 2 per province allows at most 4 pilots from the 2 provinces with eligible "
     r"candidates, fewer than k = 5"),
    (dict(k=3, min_distance_km=100), {},
     r"pilots at least 100 km apart allow at most 2 pilots among the candidates, fewer than "
     r"k = 3"),
    (dict(k=2, min_distance_km=50, must_include=["synthetic-a", "synthetic-b"]), {},
     r"must-include cities Synthetic A \(synthetic-a\) and Synthetic B \(synthetic-b\) are "
     r"\d+ km apart, closer than the 50 km minimum"),
    (dict(k=2, max_per_province=1, must_include=["synthetic-a", "synthetic-c"]), {},
     r"must-include cities Synthetic A \(synthetic-a\) and Synthetic C \(synthetic-c\) are all "
     r"in province P1, more than the 1 allowed per province"),
    (dict(k=1, must_include=["synthetic-a", "synthetic-d"]), {},
     r"must-include names 2 cities, more than k = 1"),
    (dict(k=4, must_exclude=["synthetic-a", "synthetic-b", "synthetic-c"]), {},
     r"k = 4 pilots needs 4 candidates, but only 3 are eligible \(with must-exclude applied\)"),
    (dict(k=2, min_readiness=0.5), {"readiness": [0.9, 0.1, 0.1, 0.2, 0.3, 0.4]},
     r"but only 1 is eligible \(with readiness at least 0.5 applied\)"),
    (dict(k=2, min_readiness=0.5, must_include=["synthetic-b"]),
     {"readiness": [0.9, 0.1, 0.8, 0.2, 0.3, 0.4]},
     r"must-include Synthetic B \(synthetic-b, readiness 0.100\) is below the readiness "
     r"minimum"),
    (dict(k=3, budget=5.0), {"costs": [2, 3, 3, 4, 2, 9]},
     r"the 3 cheapest eligible candidates cost 7 in total, over the budget of 5"),
    (dict(k=2, one_per_peer_group=True), {"peers": [1, 1, 2, 2, 3, 3]},
     r"one pilot per peer group needs 3 pilots \(3 groups\), more than k = 2"),
    (dict(k=3, one_per_peer_group=True, must_exclude=["synthetic-e", "synthetic-f"]),
     {"peers": [1, 1, 2, 2, 3, 3]},
     r"peer group 3 has no eligible candidate \(with must-exclude applied\)"),
    (dict(k=2, population_tiers={"tiers": [[0, 100_000], [100_000, None]],
                                 "min_per_tier": [1, 2]}), {},
     r"population tier 100,000\+ needs at least 2 pilots but has 1 eligible candidate"),
    (dict(k=2, max_per_province=1, min_distance_km=500), {},
     r"k = 2 pilots; pilots at least 500 km apart\. Why: pilots at least 500 km apart allow at "
     r"most 1 pilot"),
])
def test_infeasible_requests_name_their_conflict(kwargs, extra, match):
    scores, candidates = two_clusters()
    ids = scores.index
    extra = {key: pd.Series(v, index=ids) for key, v in extra.items()}
    with pytest.raises(ShortlistError, match=r"No shortlist satisfies these constraints "
                                             r"together: .*" + match):
        select(scores, candidates, Constraints(**kwargs), **extra)


def test_conflict_set_is_minimal():
    """Unrelated constraints that hold anyway are not blamed."""
    scores, candidates = two_clusters()
    con = Constraints(k=3, max_per_province=1, must_exclude=["synthetic-f"],
                      population_tiers={"tiers": [[0, 1e7]], "min_per_tier": 1})
    with pytest.raises(ShortlistError) as err:
        select(scores, candidates, con)
    message = str(err.value)
    assert "per province" in message
    assert "must exclude" not in message and "population" not in message


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(k=0), r"k must be an integer >= 1; got 0"),
    (dict(k=2.5), r"k must be an integer >= 1; got 2.5"),
    (dict(k=2, max_per_province=0), r"max_per_province must be an integer >= 1; got 0"),
    (dict(k=2, min_distance_km=-1), r"min_distance_km must be a finite number >= 0; got -1"),
    (dict(k=2, must_include="synthetic-a"), r"must_include must be a list of city ids, not "
                                            r"one string"),
    (dict(k=2, must_include=["x"], must_exclude=["x"]),
     r"cities \['x'\] are both must-include and must-exclude"),
    (dict(k=2, cost={"x": 1}), r"cost is given but budget is not"),
    (dict(k=2, population_tiers={"tiers": [[5, 1]]}), r"must have low < high"),
    (dict(k=2, population_tiers={"tiers": [[0, 1]], "min_per_tier": [1, 2]}),
     r"needs one integer per tier \(1\); got 2"),
    (dict(k=2, population_tiers={"tiers": [[0, 1]], "min": 1}),
     r"unknown population_tiers keys \['min'\]"),
])
def test_malformed_constraints(kwargs, match):
    with pytest.raises(ShortlistError, match=match):
        Constraints(**kwargs)


@pytest.mark.parametrize(("con", "kw", "match"), [
    (Constraints(k=2, must_include=["synthetic-z"]), {},
     r"must_include names cities that are not candidates: \['synthetic-z'\]; closest to "
     r"'synthetic-z': \['synthetic-"),
    (Constraints(k=2, min_readiness=0.5), {}, r"min_readiness needs readiness="),
    (Constraints(k=2, one_per_peer_group=True), {}, r"one_per_peer_group needs peer groups"),
    (Constraints(k=2, budget=3), {}, r"a budget needs a cost per city"),
    (Constraints(k=2, budget=3, cost="price"), {}, r"the budget needs a 'price' column"),
    (Constraints(k=2, max_per_region=1), {}, r"max_per_region without a regions mapping needs a "
                                             r"'region' column"),
    (Constraints(k=2, max_per_region=1, regions={"P1": "north"}), {},
     r"regions has no region for provinces \['P2'\]"),
    (Constraints(k=2, min_readiness=0.5), {"readiness": pd.Series({"synthetic-a": 1.0})},
     r"readiness has no \(numeric\) value for 5 candidates"),
    (Constraints(k=2), {"costs": pd.Series(1.0, index=[f"synthetic-{c}" for c in "abcdef"])},
     r"costs= is given but the constraints have no budget"),
])
def test_bad_input_is_named(con, kw, match):
    scores, candidates = two_clusters()
    with pytest.raises(ShortlistError, match=match):
        select(scores, candidates, con, **kw)


def test_missing_coordinates_and_bad_scores():
    scores, candidates = two_clusters()
    with pytest.raises(ShortlistError, match=r"needs 'latitude' for every candidate; missing for "
                                             r"1: \['synthetic-b'\]"):
        select(scores, candidates.assign(latitude=[35.0, None, 35, 32, 32, 32]),
               Constraints(k=2, min_distance_km=10))
    with pytest.raises(ShortlistError, match=r"scores must be finite; missing or infinite for 1"):
        select(scores.replace(0.9, np.nan), candidates, Constraints(k=2))
    with pytest.raises(ShortlistError, match=r"scores names cities that are not candidates"):
        select(scores, candidates.iloc[1:], Constraints(k=2))


# --------------------------------------------------------------------------- results

def test_unconstrained_is_the_top_k_with_zero_price():
    scores, candidates, *_ = synthetic(n=30, seed=3)
    result = select(scores, candidates, Constraints(k=5))
    assert result.ids == scores.sort_values(ascending=False).index[:5].tolist()
    assert result.price_of_diversity == 0 and result.price_of_diversity_pct == 0
    assert result.binding == () and "No constraint binds" in result.explain()
    assert result.pilots["rank"].tolist() == [1, 2, 3, 4, 5]


def test_price_of_diversity_and_binding_in_words():
    scores, candidates = two_clusters()
    result = select(scores, candidates, Constraints(k=2, max_per_province=1,
                                                    min_distance_km=50))
    assert result.ids == ["synthetic-a", "synthetic-d"]
    assert result.top_k.index.tolist() == ["synthetic-a", "synthetic-b"]
    assert result.price_of_diversity == pytest.approx(0.2)
    assert result.price_of_diversity_pct == pytest.approx(100 * 0.2 / 1.7)
    assert [b.family for b in result.binding] == ["max_per_province", "min_distance_km"]
    province, distance = result.binding
    assert province.text == ("at most 1 pilot per province binds in P1 (2 of the "
                             "unconstrained top 2)")
    assert province.relief == pytest.approx(0.0)  # distance alone also splits a and b
    assert distance.text.startswith("pilots at least 50 km apart binds: in the unconstrained "
                                    "top 2, Synthetic A (synthetic-a) and Synthetic B "
                                    "(synthetic-b) (")
    text = result.explain()
    assert "price of diversity 0.2000 (11.76% of the unconstrained top 2)" in text
    assert "Synthetic D (synthetic-d, P2)" in text


def test_binding_texts_for_tiers_budget_readiness_and_peers():
    scores, candidates = two_clusters()
    ids = scores.index
    con = Constraints(k=2, one_per_peer_group=True, budget=9.5, min_readiness=0.5,
                      population_tiers={"tiers": [[0, 100_000], [100_000, None]],
                                        "min_per_tier": [2, 0]})
    result = select(scores, candidates, con, costs=pd.Series([9, 1, 1, 1, 1, 1.0], index=ids),
                    readiness=pd.Series([0.9, 0.2, 0.9, 0.9, 0.9, 0.9], index=ids),
                    peers=pd.Series([1, 1, 1, 2, 2, 2], index=ids))
    assert result.ids == ["synthetic-c", "synthetic-d"]
    assert {b.family: b.text for b in result.binding} == {
        "one_per_peer_group": "at least one pilot per peer group binds: group 2 has none in the "
                              "unconstrained top 2",
        "population_tiers": "population tiers bind: tier 0-100,000 needs at least 2 and the "
                            "unconstrained top 2 has 1",
        "min_readiness": "readiness at least 0.5 binds: Synthetic B (synthetic-b, rank 2, "
                         "readiness 0.200) is in the unconstrained top 2 but below it",
        "budget": "the budget of 9.5 binds: the unconstrained top 2 costs 10",
    }
    assert [b.family for b in result.binding] == ["one_per_peer_group", "population_tiers",
                                                  "min_readiness", "budget"]
    assert all(b.relief is not None and b.relief >= 0 for b in result.binding)
    assert "Binding constraints:" in result.explain()


def test_must_include_and_exclude_are_respected_and_reported():
    scores, candidates = two_clusters()
    result = select(scores, candidates, Constraints(k=2, must_include=["synthetic-f"],
                                                    must_exclude=["synthetic-a"]))
    assert result.ids == ["synthetic-b", "synthetic-f"]
    words = {b.family: str(b) for b in result.binding}
    assert words["must_include"].startswith("must-include binds: Synthetic F (synthetic-f, "
                                            "rank 6) is not in the unconstrained top 2")
    assert "Synthetic A (synthetic-a, rank 1) is in the unconstrained top 2" in \
        words["must_exclude"]


def test_ties_are_broken_by_id_and_reproducible():
    ids = [f"synthetic-{i:02d}" for i in range(12)]
    rng = np.random.default_rng(0)
    candidates = pd.DataFrame({"province_code": rng.choice(PROVINCES, 12)}, index=ids)
    flat = pd.Series(0.5, index=ids[::-1])  # order of the input does not matter
    result = select(flat, candidates, Constraints(k=4))
    assert result.ids == ids[:4]
    assert result.pilots["rank"].tolist() == [1, 1, 1, 1]
    again = select(flat.sample(frac=1, random_state=1), candidates, Constraints(k=4))
    assert again.ids == result.ids and again.objective == result.objective
    tied = pd.Series([0.9, 0.5, 0.5, 0.5, 0.1], index=ids[:5])
    assert select(tied, candidates, Constraints(k=2)).ids == ["synthetic-00", "synthetic-01"]


def test_deterministic():
    scores, candidates, readiness, peers = synthetic(n=40, seed=11)
    con = Constraints(k=6, max_per_province=2, min_distance_km=40)
    a, b = select(scores, candidates, con), select(scores, candidates, con)
    assert a.ids == b.ids and a.pilots.equals(b.pilots)


def test_pilot_table_columns_and_p_top_k():
    scores, candidates, _, peers = synthetic(n=12, seed=2)
    p = pd.Series(np.linspace(1, 0, 12), index=scores.index)
    result = select(scores, candidates, Constraints(k=3, one_per_peer_group=True),
                    peers=peers, p_top_k=p)
    assert list(result.pilots.columns) == ["name_en", "province_code", "latitude", "longitude",
                                           "population", "score", "rank", "p_top_k",
                                           "peer_group"]
    assert result.pilots.index.name == "city_id"
    assert (result.pilots["p_top_k"] == p[result.ids]).all()
    assert set(result.pilots["peer_group"]) == set(peers)
    doc = json.loads(json.dumps(result.to_dict()))
    assert [r["city_id"] for r in doc["pilots"]] == result.ids
    assert doc["constraints"]["one_per_peer_group"] is True


def test_objective_from_ranking():
    q = pd.Series([0.2, 0.0, 1.0], index=["a", "b", "c"])
    vikor = SimpleNamespace(scores=q, higher_is_better=False)
    assert objective_from_ranking(vikor).sort_values(ascending=False).index.tolist() == \
        ["b", "a", "c"]
    expected = pd.Series({"a": 0.9, "b": 0.1, "c": 0.5})
    assert objective_from_ranking(vikor, expected=expected).to_dict() == expected.to_dict()
    with pytest.raises(ShortlistError, match=r"expected has no \(numeric\) value for 1"):
        objective_from_ranking(vikor, expected=expected.drop("c"))


def test_constraints_json_round_trip():
    con = Constraints(k=4, max_per_province=1, max_per_region=2, regions=REGIONS,
                      min_distance_km=80.5, one_per_peer_group=True, population_tiers=TIERS,
                      must_include=["a"], must_exclude=["b", "c"], budget=10,
                      cost={"a": 1, "b": 2}, min_readiness=0.3)
    data = json.loads(json.dumps(con.to_dict()))
    assert Constraints.from_dict(data) == con
    assert data["population_tiers"]["min_per_tier"] == [2, 1]
    with pytest.raises(ShortlistError, match=r"unknown constraint keys \['max_per_provinc'\].*"
                                             r"closest to 'max_per_provinc': \['max_per_pro"):
        Constraints.from_dict({"k": 2, "max_per_provinc": 1})
    with pytest.raises(ShortlistError, match="constraints need k"):
        Constraints.from_dict({})


def test_haversine():
    assert float(haversine_km(0, 0, 0, 1)) == pytest.approx(111.195, abs=1e-3)
    assert float(haversine_km(35.0, 51.0, 35.0, 51.0)) == 0.0


def test_result_type_and_model_size():
    scores, candidates, *_ = synthetic(n=20, seed=4)
    result = select(scores, candidates, Constraints(k=3, min_distance_km=100))
    assert isinstance(result, Shortlist) and result.optimal
    assert result.model["variables"] == 20
    assert result.model["distance_pairs"] == result.model["rows"] - 1  # plus the k row


# --------------------------------------------------------------------------- CLI (Iran)

def test_cli_shortlist_csv(capsys):
    # spread constraints need more candidates than the 8 default metropolises
    assert main(["shortlist", "--dataset", "iran", "--framework", "iran_national",
                 "--candidates", "urban-centres", "--method", "wsum", "-k", "5",
                 "--max-per-province", "1", "--min-distance-km", "100"]) == 0
    out = capsys.readouterr()
    table = pd.read_csv(pd.io.common.StringIO(out.out), dtype={"city_id": str})
    assert list(table.columns) == ["city_id", "name_en", "name_fa", "province_code",
                                   "province_name", "latitude", "longitude", "score", "rank",
                                   "p_top_k"]
    assert len(table) == 5 and table["province_code"].is_unique
    assert "112931" not in set(table["city_id"])  # Tehran, the capital, is excluded
    for (_, a), (_, b) in itertools.combinations(table.iterrows(), 2):
        assert haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) >= 100
    assert "price of diversity" in out.err
    assert "binding: at most 1 pilot per province binds" in out.err   # the spread mattered


def test_cli_shortlist_json(capsys):
    # Yazd (111822) is no metropolis: it is a candidate among the urban-centre cores
    assert main(["shortlist", "--candidates", "urban-centres", "-k", "4", "--max-per-province",
                 "1", "--must-include", "111822", "--peer-groups", "3", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"pilots", "price_of_diversity", "binding", "scenario", "constraints"}
    ids = [p["city_id"] for p in doc["pilots"]]
    assert len(ids) == 4 and "111822" in ids
    assert doc["constraints"]["one_per_peer_group"] is True
    assert doc["scenario"]["method"] == "wsum"
    assert doc["price_of_diversity"]["absolute"] >= 0
    assert {"peer_group", "province_name", "latitude"} <= set(doc["pilots"][0])
    assert len({p["province_code"] for p in doc["pilots"]}) == 4
    assert len({p["peer_group"] for p in doc["pilots"]}) == 3


@pytest.mark.parametrize(("args", "message"), [
    (["--candidates", "all-cities", "-k", "40", "--max-per-province", "1"],
     "only 31 provinces have eligible candidates"),
    (["-k", "9"], "k = 9 pilots needs 9 candidates, but only 8 are eligible"),
    (["-k", "3", "--must-include", "nope"], "must_include names cities that are not candidates"),
    (["-k", "3", "--peer-groups", "many"], "--peer-groups must be a whole number >= 2 or "
                                           "'auto'"),
    (["-k", "3", "--constraints", "/nonexistent/c.json"], "no such constraints file"),
])
def test_cli_shortlist_bad_input_exits_2(capsys, args, message):
    assert main(["shortlist", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_shortlist_constraints_file(tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(Constraints(k=3, max_per_province=1).to_dict()), encoding="utf-8")
    assert main(["shortlist", "--constraints", str(path), "-k", "2"]) == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(table) == 2 and table["province_code"].is_unique
