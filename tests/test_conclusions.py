"""The conclusions in words (issue 15, item 3): every claim is checked against the numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from scipy.stats import kendalltau

from citykit.aggregate import METHODS
from citykit.conclusions import (
    AGREE_TAU,
    CONFIDENT,
    DISAGREE_TAU,
    TIE_GAP,
    UNLIKELY,
    conclusions,
    render,
)
from citykit.matrix import CityMatrix
from citykit.ranking import rank
from citykit.robustness import framework_sensitivity, robustness
from citykit.scenario import Scenario, run


@pytest.fixture(scope="module")
def default():
    result = run(Scenario())
    acceptability = robustness(result)
    from citykit.ui.robustness import choice_sensitivity_for

    choices = choice_sensitivity_for(result)
    frameworks = framework_sensitivity(result.scenario)
    found = conclusions(result, acceptability, choices=choices, frameworks=frameworks)
    return result, acceptability, choices, frameworks, {f.kind: f for f in found}


def test_the_claims_match_the_numbers(default):
    result, acceptability, choices, frameworks, found = default
    k = acceptability.top_k
    p_top = acceptability.counts.iloc[:, :k].sum(axis=1) / acceptability.draws
    by_method = {m: run(result.scenario.with_(method=m, method_params={})).ranking.ranks
                 for m in METHODS}
    in_every = {c for c in p_top.index if all(r[c] <= k for r in by_method.values())}
    assert set(found["confident"].cities) == {c for c in p_top.index
                                              if p_top[c] >= CONFIDENT and c in in_every}
    split = found["confident"].values["method_dependent"]
    assert set(split) == {c for c in p_top.index if p_top[c] >= CONFIDENT and c not in in_every}
    for city, missed in split.items():
        assert set(missed) == {m for m, r in by_method.items() if r[city] > k}
    assert set(found["unlikely"].cities) == {c for c in p_top.index if p_top[c] < UNLIKELY}

    scores = result.ranking.scores.sort_values(ascending=False)
    order = list(scores.index)
    runs = found["ties"].values["runs"]
    assert runs == [["128747", "418863"], ["124665", "115019"]]  # Karaj-Isfahan, Mashhad-Shiraz
    for run_ in runs:  # each group: neighbours, all within the gap of each other ...
        first, last = order.index(run_[0]), order.index(run_[-1])
        assert order[first:last + 1] == run_
        assert scores[run_[0]] - scores[run_[-1]] < TIE_GAP
        # ... and maximal: the next city is not within the gap of the group's first
        if last + 1 < len(order):
            assert scores[run_[0]] - scores[order[last + 1]] >= TIE_GAP

    leaders = found["leader"].values["leaders"]
    assert leaders == {m: r.sort_values(kind="stable").index[0] for m, r in by_method.items()}

    shares = found["variance"].values["shares"]
    for factor, share in shares.items():
        assert share == pytest.approx(float(choices.shares.get(factor, 0.0)))

    tau = found["frameworks"].values["tau"]
    ranks = frameworks.ranks
    for other, value in tau.items():
        both = ranks[["iran_national", other]].dropna()
        assert value == pytest.approx(kendalltau(both.iloc[:, 0], both.iloc[:, 1]).statistic)
    assert found["frameworks"].values["agree"] == [f for f, t in tau.items() if t >= AGREE_TAU]
    assert found["frameworks"].values["disagree"] == [f for f, t in tau.items()
                                                      if t < DISAGREE_TAU]


def test_the_sentences_say_the_numbers_in_both_languages(default):
    result, acceptability, _, _, found = default
    en = render(list(found.values()), result, "en")
    fa = render(list(found.values()), result, "fa")
    assert len(en) == len(fa) >= 6
    text = " ".join(en)
    assert "Ahvaz and Isfahan are in the top 5 under at least 90% of 2,000 weight draws" in text
    assert "Tabriz is in the top 5 under fewer than 10% of the weight draws" in text
    assert "Mashhad and Shiraz score within 0.01 of each other (0.400 to 0.394)" in text
    share = found["variance"].values["shares"]["method"]
    assert f"the method explains {round(100 * share)}%" in text
    assert "disagrees with every other standard framework" in text
    for line in fa:
        assert not re.search("[0-9]", line), line  # Persian digits throughout
    assert "اهواز و اصفهان" in fa[0] and "۹۰٪" in fa[0]


def test_no_confident_city_is_said_plainly():
    """A synthetic tie: four equal cities under equal weights, none is safely in the top 2."""
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 3.0, 2.0, 1.0]},
                         index=["c1", "c2", "c3", "c4"])  # synthetic
    ranking = rank(CityMatrix.from_frame(frame, ["max", "max"]), weights="equal")
    acceptability = robustness(ranking, draws=500, seed=1, top_k=2)
    found = conclusions(SimpleResult(ranking), acceptability)
    assert found[0].kind == "confident" and found[0].cities == ()
    lines = render(found, SimpleResult(ranking), "en", names={c: c.upper() for c in frame.index})
    assert lines[0].startswith("No city is in the top 2 under at least 90% of the 500 weight")
    assert any("C1, C2, C3 and C4 score within 0.01 of each other" in line for line in lines)


def test_ties_are_groups_within_the_gap_not_chains_and_lists_are_capped():
    """413 cities: chains of small steps are not one tie, and long lists are counted."""
    from citykit.eligibility import PRESETS

    result = run(Scenario(eligibility=PRESETS["all-cities"]))
    found = {f.kind: f for f in conclusions(result, robustness(result))}
    scores = result.ranking.scores
    for run_ in found["ties"].values["runs"]:
        assert scores[list(run_)].max() - scores[list(run_)].min() < TIE_GAP
    lines = render(list(found.values()), result, "en")
    assert max(len(line) for line in lines) < 300
    assert any(re.match(r"\d+ cities are in the top 5 under fewer than 10%", line)
               for line in lines)


class SimpleResult:
    """A bare ranking in the shape of a scenario Result (what conclusions() reads)."""

    def __init__(self, ranking):
        self.ranking = ranking
        self.scenario = Scenario()
