"""citykit.peers: k by silhouette, group naming, determinism and clear errors.

All data here is SYNTHETIC: seeded blobs around made-up profiles, labelled as such in the ids.
"""

import numpy as np
import pandas as pd
import pytest

from citykit.exceptions import PeerGroupError
from citykit.peers import PeerGroups, peer_groups, peer_groups_of


def synthetic_blobs(n_groups: int, per_group: int = 12, *, seed: int = 0,
                    spread: float = 0.03) -> tuple[pd.DataFrame, np.ndarray]:
    """SYNTHETIC profiles: `n_groups` tight blobs on 4 criteria in [0, 1]."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1, 0.9, size=(n_groups, 4))
    truth = np.repeat(np.arange(n_groups), per_group)
    values = centres[truth] + rng.normal(0, spread, size=(len(truth), 4))
    index = [f"synthetic-{i:03d}" for i in range(len(truth))]
    frame = pd.DataFrame(values, index=index, columns=["c_jobs", "c_air", "c_schools",
                                                        "c_unemployment"])
    return frame, truth


def same_partition(a, b) -> bool:
    return pd.crosstab(np.asarray(a), np.asarray(b)).gt(0).sum(axis=1).eq(1).all() and \
        pd.crosstab(np.asarray(b), np.asarray(a)).gt(0).sum(axis=1).eq(1).all()


@pytest.mark.parametrize("true_k", [2, 3, 5])
def test_silhouette_finds_the_number_of_blobs(true_k):
    frame, truth = synthetic_blobs(true_k, seed=true_k)
    groups = peer_groups(frame, k_range=(2, 7))
    assert groups.k == true_k
    assert same_partition(groups.labels.to_numpy(), truth)
    assert groups.silhouette == pytest.approx(groups.silhouette_by_k.max())
    assert list(groups.silhouette_by_k.index) == list(range(2, 8))


def test_given_k_is_used_and_labels_are_ordered_by_size():
    frame, _ = synthetic_blobs(3, seed=1)
    frame = frame.iloc[:30]  # sizes 12, 12, 6
    groups = peer_groups(frame, k=3)
    assert isinstance(groups, PeerGroups) and groups.k == 3
    sizes = groups.labels.value_counts().sort_index()
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)
    assert list(groups.silhouette_by_k.index) == [3]
    assert groups.table()["size"].sum() == 30
    assert groups.members(3) == sorted(groups.labels.index[groups.labels == 3])


def test_deterministic_with_a_seed():
    frame, _ = synthetic_blobs(4, seed=7, spread=0.2)
    a, b = peer_groups(frame, seed=3), peer_groups(frame, seed=3)
    assert a.labels.equals(b.labels) and a.names.equals(b.names) and a.k == b.k


def test_names_say_high_and_low_in_the_raw_indicator_sense():
    frame = pd.DataFrame({"tertiary": [0.9, 0.95, 0.85, 0.1, 0.15, 0.05],
                          "unemployment": [0.9, 0.85, 0.95, 0.1, 0.05, 0.15],
                          "noise": [0.5, 0.52, 0.48, 0.5, 0.49, 0.51]},
                         index=[f"synthetic-{i}" for i in range(6)])
    groups = peer_groups(frame, k=2, directions={"unemployment": "min"},
                         names={"tertiary": "tertiary education",
                                "unemployment": "unemployment"})
    # normalised unemployment is benefit-oriented: a high value is LOW raw unemployment
    named = set(groups.names)
    assert named == {"high tertiary education, low unemployment",
                     "low tertiary education, high unemployment"}
    assert groups.names[groups.labels["synthetic-0"]] == \
        "high tertiary education, low unemployment"


def test_name_has_a_third_term_only_when_it_is_distinctive():
    frame, _ = synthetic_blobs(2, seed=4)
    groups = peer_groups(frame, k=2)
    for group, name in groups.names.items():
        terms = name.split(", ")
        assert 2 <= len(terms) <= 3 and len(groups.terms[group]) == len(terms)
        z = groups.centroids.loc[group].abs().sort_values(ascending=False)
        assert (len(terms) == 3) == bool(z.iloc[2] >= 0.5)


def test_constant_criterion_is_ignored_not_an_error():
    frame, truth = synthetic_blobs(2, seed=5)
    frame["c_constant"] = 1.0
    groups = peer_groups(frame, k=2)
    assert same_partition(groups.labels.to_numpy(), truth)
    assert not any("c_constant" in n for n in groups.names)


def test_on_a_ranking(iran):
    from citykit.eligibility import preset_rules
    from citykit.scenario import Scenario, run

    # the default 8 metropolises are too few for peer groups: take the urban-centre cores
    wide = Scenario(eligibility=preset_rules("urban-centres"))
    ranking = run(wide, dataset=iran).ranking
    assert len(ranking.scores) > 50
    groups = peer_groups_of(ranking, k=3)
    assert groups.labels.index.equals(ranking.normalised.index)
    english = ranking.matrix.criteria["name_en"]
    directions = ranking.matrix.criteria["direction"]
    for group, terms in groups.terms.items():
        assert 2 <= len(terms) <= 3
        words = [f"{sign} {english[c]}" for c, sign, _ in terms]
        # "; " only when a criterion's name has a comma of its own, else ", "
        sep = "; " if any("," in w for w in words) else ", "
        assert groups.names[group] == sep.join(words)
        for criterion, sign, z in terms:  # "high" in the raw sense: flip for "min" criteria
            assert (sign == "high") == ((z > 0) == (directions[criterion] == "max"))


@pytest.mark.parametrize(("make", "kwargs", "match"), [
    (lambda f: f.iloc[:2], {}, r"at least 3 candidates .*got 2"),
    (lambda f: f, {"k": 1}, r"k must be an integer from 2 to n - 1 = 23 .*got 1"),
    (lambda f: f, {"k": 24}, r"k must be an integer from 2 to n - 1 = 23 .*got 24"),
    (lambda f: f, {"k_range": (1, 4)}, r"k_range must be .*2 <= low <= high"),
    (lambda f: f.assign(c_air=np.where(np.arange(len(f)) < 2, np.nan, f["c_air"])), {},
     r"missing or infinite values for 2 candidates \['synthetic-000', 'synthetic-001'\]"),
    (lambda f: f.assign(c_air="x"), {}, r"non-numeric criteria \['c_air'\]"),
    (lambda f: f * 0, {}, "every criterion is constant"),
    (lambda f: f, {"directions": {"c_air": "up"}}, r"'max' or 'min'; got \['up'\]"),
    (lambda f: pd.concat([f.iloc[:1]] * 5), {"k": 2}, "duplicate candidate ids"),
])
def test_errors(make, kwargs, match):
    frame, _ = synthetic_blobs(2)
    with pytest.raises(PeerGroupError, match=match):
        peer_groups(make(frame), **kwargs)


def test_too_few_distinct_profiles_is_explained():
    frame = pd.DataFrame({"a": [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]},
                         index=[f"synthetic-{i}" for i in range(6)])
    with pytest.raises(PeerGroupError, match="only 2 distinct profiles among 6 candidates"):
        peer_groups(frame, k=3)
    assert peer_groups(frame).k == 2


def test_unknown_group():
    frame, _ = synthetic_blobs(2)
    with pytest.raises(PeerGroupError, match=r"unknown peer group 9; groups are \[1, 2\]"):
        peer_groups(frame, k=2).members(9)
