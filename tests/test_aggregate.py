"""Tests for citykit.aggregate: peer cross-checks, published examples, properties and errors.

pymcdm (1.4) and scikit-criteria are dev-only dependencies used here as independent references.
pymcdm is given the same normalised matrix with all criteria types +1 and an identity
normalisation, unless a test says otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from citykit import aggregate as ag
from citykit._promethee import _promethee2_direct
from citykit.exceptions import AggregationError, CityKitError

pymcdm_methods = pytest.importorskip("pymcdm.methods")
skc = pytest.importorskip("skcriteria")

SHAPES = [(3, 2), (10, 4), (57, 7), (300, 20)]
PREFERENCES = list(ag.PREFERENCE_FUNCTIONS)
EXAMPLE_OT2004 = np.array([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]])  # f1 cost, f2 benefit


def identity(x, cost):
    return x


def minmax_benefit(X, types):
    """Min-max onto [0, 1], cost columns flipped: pymcdm's minmax_normalization, column-wise."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    N = (X - lo) / (hi - lo)
    return np.where(np.asarray(types) < 0, 1.0 - N, N)


def random_problem(n, m, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, m)), rng.dirichlet(np.ones(m)), np.ones(m)


def thresholds(preference, m, seed):
    """Per-criterion thresholds for a preference function, as our keyword arguments."""
    rng = np.random.default_rng(seed + 1000)
    q, p = rng.uniform(0.0, 0.15, m), rng.uniform(0.2, 0.6, m)
    return {k: v for k, v in {"q": q, "p": p}.items() if k in ag.PREFERENCE_FUNCTIONS[preference]}


def pymcdm_call(method, X, w, types, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymcdm warns on dominated alternatives
        return method(**kw)(X, w, types, validation=False)


# ---------------------------------------------------------------------------------------------
# Cross-checks against pymcdm and scikit-criteria (1e-9)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_topsis_matches_pymcdm_identity_normalisation(n, m):
    X, w, types = random_problem(n, m, seed=n)
    ref = pymcdm_call(pymcdm_methods.TOPSIS, X, w, types, normalization_function=identity)
    np.testing.assert_allclose(ag.topsis(X, w), ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_topsis_matches_pymcdm_default_minmax(n, m):
    """pymcdm TOPSIS normalises with min-max itself (cost columns flipped); we get it done."""
    rng = np.random.default_rng(n + 1)
    X = rng.uniform(1, 100, (n, m))
    w = rng.dirichlet(np.ones(m))
    types = np.where(np.arange(m) % 2 == 0, 1, -1)
    ref = pymcdm_call(pymcdm_methods.TOPSIS, X, w, types)
    np.testing.assert_allclose(ag.topsis(minmax_benefit(X, types), w), ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_vikor_matches_pymcdm_s_r_q(n, m):
    X, w, types = random_problem(n, m, seed=n + 2)
    *_, S, R, Q = pymcdm_methods.VIKOR(normalization_function=identity)._method(X, w, types)
    ours = ag.vikor(X, w)
    for got, ref in ((ours.S, S), (ours.R, R), (ours.Q, Q)):
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES[1:])
def test_vikor_matches_pymcdm_default_on_raw_costs(n, m):
    """pymcdm's default VIKOR uses raw values (cost: max - x); VIKOR is affine-invariant, so our
    Q on the min-max normalised matrix is the same."""
    rng = np.random.default_rng(n + 3)
    X = rng.uniform(-50, 50, (n, m))
    w = rng.dirichlet(np.ones(m))
    types = np.where(np.arange(m) % 3 == 0, -1, 1)
    ref = pymcdm_call(pymcdm_methods.VIKOR, X, w, types)
    np.testing.assert_allclose(ag.vikor(minmax_benefit(X, types), w).Q, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_weighted_sum_and_geometric_match_pymcdm_wsm_wpm(n, m):
    X, w, types = random_problem(n, m, seed=n + 4)
    X = X + 0.01  # WPM: keep away from 0
    ref_sum = pymcdm_call(pymcdm_methods.WSM, X, w, types, normalization_function=identity)
    ref_prod = pymcdm_call(pymcdm_methods.WPM, X, w, types, normalization_function=identity)
    np.testing.assert_allclose(ag.weighted_sum(X, w), ref_sum, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ag.weighted_geometric(X, w), ref_prod, rtol=0, atol=1e-9)


@pytest.mark.parametrize("preference", PREFERENCES)
@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_promethee2_matches_pymcdm(preference, n, m):
    """Per-criterion p and q; pymcdm names our "linear" "vshape_2". A fresh pymcdm object per
    call: its per-criterion preference functions are a generator, exhausted after one call."""
    X, w, types = random_problem(n, m, seed=n + 5)
    kw = thresholds(preference, m, seed=n)
    ref = pymcdm_call(pymcdm_methods.PROMETHEE_II, X, w, types,
                      preference_function=ag.PYMCDM_PREFERENCE_NAMES[preference],
                      **{k: list(v) for k, v in kw.items()})
    np.testing.assert_allclose(ag.promethee2(X, w, preference=preference, **kw), ref,
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("preference", PREFERENCES)
def test_promethee2_matches_pymcdm_with_ties_and_scalar_thresholds(preference):
    rng = np.random.default_rng(7)
    X = rng.integers(0, 6, (40, 5)) / 5.0
    w, types = rng.dirichlet(np.ones(5)), np.ones(5)
    kw = {k: v for k, v in {"q": 0.2, "p": 0.6}.items() if k in ag.PREFERENCE_FUNCTIONS[preference]}
    ref = pymcdm_call(pymcdm_methods.PROMETHEE_II, X, w, types,
                      preference_function=ag.PYMCDM_PREFERENCE_NAMES[preference],
                      **{k: [v] * 5 for k, v in kw.items()})
    np.testing.assert_allclose(ag.promethee2(X, w, preference=preference, **kw), ref,
                               rtol=0, atol=1e-9)


def _skc_evaluate(method, X, w):
    dm = skc.mkdm(X, objectives=[max] * X.shape[1], weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return method.evaluate(dm)


@pytest.mark.parametrize("seed", range(12))
def test_vikor_and_compromise_match_scikit_criteria(seed):
    """skcriteria's VIKOR gives S, R, Q and the two conditions; its compromise set comes in row
    order (ours in Q order) and, when only C2 fails, holds every row ranked <= 2 by Q."""
    from skcriteria.agg.vikor import VIKOR

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 9)), int(rng.integers(2, 5))
    X, w = rng.random((n, m)), rng.dirichlet(np.ones(m))
    extra = _skc_evaluate(VIKOR(use_compromise_set=False), X, w).e_
    ours = ag.vikor(X, w)
    np.testing.assert_allclose(ours.S, extra.s_k, atol=1e-9)
    np.testing.assert_allclose(ours.R, extra.r_k, atol=1e-9)
    np.testing.assert_allclose(ours.Q, extra.q_k, atol=1e-9)
    c = ours.compromise()
    assert (c.acceptable_advantage, c.acceptable_stability) == (
        extra.acceptable_advantage, extra.acceptable_stability)
    assert sorted(c.compromise) == sorted(extra.compromise_set.tolist())


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_topsis_and_weighted_sum_match_scikit_criteria(n, m):
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.agg.topsis import TOPSIS

    X, w, _ = random_problem(n, m, seed=n + 6)
    np.testing.assert_allclose(ag.topsis(X, w), _skc_evaluate(TOPSIS(), X, w).e_.similarity,
                               atol=1e-9)
    np.testing.assert_allclose(ag.weighted_sum(X, w),
                               _skc_evaluate(WeightedSumModel(), X, w).e_.score, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# Published worked examples and hand-checked cases
# ---------------------------------------------------------------------------------------------

def test_topsis_opricovic_tzeng_2004_example():
    """Data of Opricovic & Tzeng (2004), EJOR 156(2) 445-455, section 5 (f1 = 1, 2, 5 a cost;
    f2 = 3000, 3750, 4500 a benefit; equal weights), min-max normalised. Closed form by hand:
    weighted A2 = (0.375, 0.25), ideal (0.5, 0.5), anti-ideal (0, 0), so d+² = 5/64, d-² = 13/64
    and C2 = sqrt(13)/(sqrt(5) + sqrt(13)); A1, A3 sit at equal distances, C = 1/2. pymcdm's
    test suite pins the same 0.500, 0.617, 0.500 for this example."""
    N = minmax_benefit(EXAMPLE_OT2004, [-1, 1])
    expected = [0.5, np.sqrt(13) / (np.sqrt(5) + np.sqrt(13)), 0.5]
    np.testing.assert_allclose(ag.topsis(N, [0.5, 0.5]), expected, atol=1e-15)
    np.testing.assert_allclose(ag.topsis(N, [0.5, 0.5]).round(3), [0.5, 0.617, 0.5])


def test_vikor_opricovic_tzeng_2004_example_and_compromise():
    """Same data: gaps A1 (0, 1), A2 (1/4, 1/2), A3 (1, 0), so S = (1/2, 3/8, 1/2),
    R = (1/2, 1/4, 1/2), Q = (1, 0, 1) (pymcdm pins Q = [1, 0, 1]). A2 is a stable compromise:
    Q(A1) - Q(A2) = 1 >= DQ = 1/2 and A2 is best by S and R."""
    r = ag.vikor(minmax_benefit(EXAMPLE_OT2004, [-1, 1]), [0.5, 0.5])
    assert r.S.tolist() == [0.5, 0.375, 0.5]
    assert r.R.tolist() == [0.5, 0.25, 0.5]
    assert r.Q.tolist() == [1.0, 0.0, 1.0]
    assert r.compromise() == ag.VikorCompromise(best=1, acceptable_advantage=True,
                                                acceptable_stability=True, compromise=(1,),
                                                dq=0.5)


def test_promethee2_zhao_peng_li_2013_example():
    """Zhao, Peng & Li (2013), Procedia Computer Science 17, 181-188, as pinned in pymcdm's
    tests; hand check for the usual criterion: per-criterion flows (0, 1, -1), (-1, 0, 1),
    (1, -1, 0), so phi = (0.1, -0.3, 0.2)."""
    N = [[4, 3, 2], [3, 2, 4], [5, 1, 3]]
    np.testing.assert_allclose(ag.promethee2(N, [0.5, 0.3, 0.2]), [0.1, -0.3, 0.2], atol=1e-15)


def test_vikor_compromise_c2_fails_gives_top_two():
    c = ag.vikor_compromise(S=[0.3, 0.2, 0.9], R=[0.3, 0.1, 0.5], Q=[0.0, 0.6, 1.0])
    assert (c.best, c.acceptable_advantage, c.acceptable_stability) == (0, True, False)
    assert c.compromise == (0, 1)


def test_vikor_compromise_c1_fails_gives_all_within_dq():
    """n = 5, DQ = 1/4: Q - Q(a1) < 1/4 holds for rows 3 (0.0), 0 (0.1) and 4 (0.2), in Q order."""
    c = ag.vikor_compromise(S=[0.2, 0.5, 0.6, 0.1, 0.3], R=[0.2, 0.5, 0.6, 0.1, 0.3],
                            Q=[0.1, 0.3, 1.0, 0.0, 0.2])
    assert (c.best, c.acceptable_advantage, c.acceptable_stability, c.dq) == (3, False, True, 0.25)
    assert c.compromise == (3, 0, 4)


def test_vikor_compromise_both_fail_uses_c1_set_and_ties_fail_advantage():
    c = ag.vikor_compromise(S=[0.5, 0.1, 0.9], R=[0.5, 0.1, 0.9], Q=[0.0, 0.4, 1.0])
    assert (c.acceptable_advantage, c.acceptable_stability, c.compromise) == (False, False, (0, 1))
    tie = ag.vikor_compromise(S=[0.1, 0.1, 0.9], R=[0.1, 0.1, 0.9], Q=[0.0, 0.0, 1.0])
    assert (tie.best, tie.acceptable_advantage, tie.compromise) == (0, False, (0, 1))


def test_vikor_compromise_advantage_is_inclusive_at_dq():
    c = ag.vikor_compromise(S=[0.0, 0.5, 1.0], R=[0.0, 0.5, 1.0], Q=[0.0, 0.5, 1.0])
    assert c.acceptable_advantage and c.compromise == (0,)


def test_topsis_tiny_values_and_weights_do_not_underflow():
    """Found by hypothesis: squaring a 1e-191 gap underflows to 0 and made 0/0; the effective
    weights are rescaled to a maximum of 1 first."""
    np.testing.assert_array_equal(ag.topsis([[1.1e-191], [0.0]], [1.0]), [1.0, 0.0])
    np.testing.assert_allclose(ag.topsis([[0.3, 0.2], [0.1, 0.5]], [1e-200, 1e-200]),
                               ag.topsis([[0.3, 0.2], [0.1, 0.5]], [0.5, 0.5]), rtol=1e-15)


def test_vikor_constant_criterion_contributes_nothing():
    """pymcdm raises on a constant criterion; ours gives it gap 0, the same as dropping it."""
    X, w, _ = random_problem(8, 3, seed=1)
    with_const = np.column_stack([X, np.full(8, 0.4)])
    full, dropped = ag.vikor(with_const, [*w, 0.3]), ag.vikor(X, w)
    np.testing.assert_allclose(full.S, dropped.S)
    np.testing.assert_allclose(full.R, dropped.R)


def test_vikor_equal_s_or_r_gives_zero_term_not_nan():
    r = ag.vikor([[1.0, 0.0], [0.0, 1.0]], [0.5, 0.5])
    assert r.S.tolist() == [0.5, 0.5] and r.Q.tolist() == [0.0, 0.0]
    assert ag.vikor([[1.0, 0.0], [0.0, 1.0]], [0.5, 0.5], v=1.0).Q.tolist() == [0.0, 0.0]


def test_weighted_geometric_zero_policies():
    N = [[0.0, 1.0, 0.0], [0.5, 0.5, 0.3]]
    with pytest.raises(AggregationError, match=r"2 zero\(s\) on positively weighted criteria at "
                                                r"\(row, column\) \[\(0, 0\), \(0, 2\)\].*goalposts"):
        ag.weighted_geometric(N, [0.5, 0.25, 0.25])
    assert ag.weighted_geometric(N, [0.5, 0.5, 0.0], on_zero="epsilon")[0] == pytest.approx(1e-3)
    # a zero on a criterion weighted 0 in every draw is harmless: 0**0 = 1
    np.testing.assert_allclose(ag.weighted_geometric([[0.5, 0.0], [0.25, 1.0]], [1.0, 0.0]),
                               [0.5, 0.25])


def test_promethee2_flows_sum_to_zero_and_weights_are_linear():
    X, w, _ = random_problem(30, 4, seed=3)
    F = ag.promethee2_criterion_flows(X, preference="linear", q=0.05, p=0.3)
    np.testing.assert_allclose(F.sum(axis=0), 0, atol=1e-12)
    assert ((F >= -1) & (F <= 1)).all()
    np.testing.assert_allclose(ag.promethee2(X, w, preference="linear", q=0.05, p=0.3), F @ w)


@pytest.mark.parametrize("preference", PREFERENCES)
def test_promethee2_fast_equals_direct_seeded_with_ties(preference):
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.integers(0, 8, 400) / 7.0, rng.integers(0, 3, 400) * 0.1,
                         rng.random(400), np.full(400, 0.3)])
    w = rng.dirichlet(np.ones(4))
    kw = {k: v for k, v in {"q": [1 / 7, 0.1, 0.05, 0.0], "p": [3 / 7, 0.2, 0.3, 0.0]}.items()
          if k in ag.PREFERENCE_FUNCTIONS[preference]}
    np.testing.assert_allclose(ag.promethee2(X, w, preference=preference, **kw),
                               _promethee2_direct(X, w, preference=preference, **kw),
                               rtol=0, atol=1e-12)


def test_promethee2_ramp_error_bound_for_narrow_thresholds():
    """The ramp sums come from prefix sums of the sorted column, so a ramp of width p - q costs
    an absolute error of order eps * max|x - median| / (p - q), as documented in _ramp. Worst
    case here: two clusters at 0 and 1 (|x - median| = 1/2) on a 1e-8 grid, ramps of 1e-6 and
    1e-7 (errors about 5e-10 and 2e-9); the direct definition is exact."""
    rng = np.random.default_rng(12)
    k = rng.integers(0, 200, 400) * 1e-8
    x = np.where(np.arange(400) % 2 == 0, k, 1 - k)
    for q, p in ((0.0, 1e-6), (2e-7, 3e-7)):
        fast = ag.promethee2_criterion_flows(x[:, None], preference="linear", q=q, p=p)[:, 0]
        direct = _promethee2_direct(x[:, None], [1.0], preference="linear", q=q, p=p)
        bound = 8 * np.finfo(float).eps * np.abs(x - np.median(x)).max() / (p - q)
        assert np.abs(fast - direct).max() <= bound


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

# Exact ties, and differences that round across a threshold: 0.8 - 0.3 > 0.5 is False but
# 0.3 < 0.8 - 0.5 is True, so counting by searchsorted alone would be wrong.
GRID = sorted({k / 7 for k in range(8)} | {k / 10 for k in range(11)} | {1 / 3, 1e-9})
TIE_VALUES = st.sampled_from(GRID)
# Ramp widths p - q >= 1/70 here; narrower ramps lose accuracy as documented (see below).
THRESHOLDS = st.sampled_from([t for t in GRID if 0.05 <= t <= 0.6] + [0.0])


@st.composite
def promethee_case(draw):
    n, m = draw(st.integers(2, 12)), draw(st.integers(1, 3))
    X = draw(hnp.arrays(float, (n, m), elements=TIE_VALUES))
    w = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=m, max_size=m)))
    preference = draw(st.sampled_from(PREFERENCES))
    a = draw(st.lists(THRESHOLDS, min_size=m, max_size=m))
    b = draw(st.lists(THRESHOLDS, min_size=m, max_size=m))
    q, p = np.minimum(a, b), np.maximum(a, b)
    kw = {k: v for k, v in {"q": q, "p": p}.items() if k in ag.PREFERENCE_FUNCTIONS[preference]}
    return X, w, preference, kw


@settings(max_examples=300, deadline=None)
@given(promethee_case())
def test_promethee2_fast_equals_direct_property(case):
    X, w, preference, kw = case
    np.testing.assert_allclose(ag.promethee2(X, w, preference=preference, **kw),
                               _promethee2_direct(X, w, preference=preference, **kw),
                               rtol=0, atol=1e-12)


MATRIX = hnp.arrays(float, st.tuples(st.integers(2, 15), st.integers(1, 5)),
                    elements=st.floats(0.0, 1.0, allow_subnormal=False))


@settings(max_examples=150, deadline=None)
@given(MATRIX, st.data())
def test_weighted_sum_never_drops_when_a_cell_improves(N, data):
    m = N.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=m, max_size=m)))
    w[0] += 0.1  # positive sum
    i, j = data.draw(st.integers(0, N.shape[0] - 1)), data.draw(st.integers(0, m - 1))
    better = N.copy()
    better[i, j] += data.draw(st.floats(0.0, 1.0))
    assert ag.weighted_sum(better, w)[i] >= ag.weighted_sum(N, w)[i]


def _all_methods(N, w):
    """Scores of every method (and every PROMETHEE preference function) on one matrix."""
    out = {name: info.score(N, w)[0] for name, info in ag.METHODS.items()
           if name not in ("geometric",)}
    out["geometric"] = ag.weighted_geometric(N + 0.5, w)
    for pref in PREFERENCES:
        kw = {k: v for k, v in {"q": 0.1, "p": 0.3}.items() if k in ag.PREFERENCE_FUNCTIONS[pref]}
        out[f"promethee2-{pref}"] = ag.promethee2(N, w, preference=pref, **kw)
    return out


@settings(max_examples=60, deadline=None)
@given(MATRIX, st.randoms(use_true_random=False))
def test_every_method_is_row_order_invariant(N, rnd):
    w = np.linspace(1.0, 2.0, N.shape[1])
    perm = np.array(rnd.sample(range(N.shape[0]), N.shape[0]))
    try:
        before = _all_methods(N, w)
    except AggregationError:  # TOPSIS on a matrix whose every column is constant
        assert (N == N[0]).all()
        return
    after = _all_methods(N[perm], w)
    for name, scores in before.items():
        np.testing.assert_allclose(after[name], scores[perm], rtol=0, atol=1e-12, err_msg=name)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(1, 4), st.integers(1, 30)),
                  elements=st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, -3.0, 1e-300])),
       st.booleans())
def test_rank_scores_is_pandas_min_rank(scores, higher_is_better):
    ranks = ag.rank_scores(scores, higher_is_better=higher_is_better)
    for row, got in zip(scores, ranks, strict=True):
        ref = pd.Series(row).rank(method="min", ascending=not higher_is_better).astype(int)
        assert got.tolist() == ref.tolist()
    np.testing.assert_array_equal(ag.rank_scores(scores[0], higher_is_better=higher_is_better),
                                  ranks[0])


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(float, st.integers(1, 50), elements=st.floats(-1e6, 1e6), unique=True))
def test_rank_scores_without_ties_is_a_permutation(scores):
    ranks = ag.rank_scores(scores)
    assert sorted(ranks.tolist()) == list(range(1, scores.size + 1))
    assert ranks[np.argmax(scores)] == 1


def test_rank_scores_ties_share_the_minimum_rank():
    assert ag.rank_scores([0.2, 0.9, 0.9, 0.5]).tolist() == [4, 1, 1, 3]
    assert ag.rank_scores([0.2, 0.9, 0.9, 0.5], higher_is_better=False).tolist() == [1, 3, 3, 2]
    assert ag.rank_scores(np.zeros((2, 3))).tolist() == [[1, 1, 1], [1, 1, 1]]


# ---------------------------------------------------------------------------------------------
# Batched weights
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(ag.METHODS))
def test_batched_weights_equal_a_loop_over_single_vectors(name):
    rng = np.random.default_rng(5)
    N = rng.random((25, 6)) + 0.05
    W = rng.dirichlet(np.ones(6), size=40)
    W[0, :3] = 0.0  # a draw with zero weights
    info = ag.get_method(name)
    batch, _ = info.score(N, W)
    assert batch.shape == (40, 25)
    loop = np.array([info.score(N, w)[0] for w in W])
    np.testing.assert_allclose(batch, loop, rtol=0, atol=1e-12)


def test_batched_vikor_s_and_r_equal_a_loop():
    rng = np.random.default_rng(6)
    N, W = rng.random((15, 4)), rng.dirichlet(np.ones(4), size=7)
    batch = ag.vikor(N, W, v=0.3)
    for k, w in enumerate(W):
        single = ag.vikor(N, w, v=0.3)
        for attr in ("S", "R", "Q"):
            np.testing.assert_allclose(getattr(batch, attr)[k], getattr(single, attr), atol=1e-12)


def test_batched_ranks_equal_a_loop():
    rng = np.random.default_rng(8)
    scores = rng.integers(0, 5, (30, 12)).astype(float)
    np.testing.assert_array_equal(ag.rank_scores(scores),
                                  [ag.rank_scores(row) for row in scores])


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(ag.METHODS))
def test_every_method_ranks_a_dominating_city_first(name):
    info = ag.get_method(name)
    N = np.array([[0.2, 0.3, 0.4], [0.9, 0.95, 0.8], [0.5, 0.1, 0.6], [0.3, 0.6, 0.2]])
    scores, details = info.score(N, [0.5, 0.3, 0.2])
    assert isinstance(details, dict) and info.name == name
    assert ag.rank_scores(scores, higher_is_better=info.higher_is_better)[1] == 1
    assert info.default_normalisation in {"minmax", "vector", "goalposts"}


def test_registry_details():
    N, w, _ = random_problem(6, 3, seed=9)
    _, details = ag.get_method("promethee2").score(N, w, preference="vshape", p=0.3)
    np.testing.assert_allclose(details["criterion_flows"],
                               ag.promethee2_criterion_flows(N, preference="vshape", p=0.3))
    assert [k for k, info in ag.METHODS.items() if info.additive] == ["wsum"]
    assert not ag.get_method("vikor").higher_is_better


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

GOOD_N = np.array([[0.1, 0.2], [0.3, 0.4], [0.9, 0.0]])


@pytest.mark.parametrize("kernel", [ag.weighted_sum, ag.weighted_geometric, ag.topsis,
                                    ag.vikor, ag.promethee2])
def test_nan_and_inf_in_the_matrix_are_listed(kernel):
    N = GOOD_N.copy()
    N[0, 1], N[2, 0] = np.nan, np.inf
    with pytest.raises(AggregationError, match=r"2 NaN or infinite value\(s\) at \(row, column\) "
                                                r"\[\(0, 1\), \(2, 0\)\].*impute or drop"):
        kernel(N, [0.5, 0.5])


def test_matrix_shape_and_type_errors():
    with pytest.raises(AggregationError, match=r"must be 2-D .* got shape \(3,\)"):
        ag.topsis([0.1, 0.2, 0.3], [1.0])
    with pytest.raises(AggregationError, match=r"got shape \(0, 2\)"):
        ag.weighted_sum(np.empty((0, 2)), [0.5, 0.5])
    with pytest.raises(AggregationError, match=r"weighted_sum: the matrix must be numeric"):
        ag.weighted_sum([["a", "b"]], [0.5, 0.5])
    assert issubclass(AggregationError, CityKitError) and issubclass(AggregationError, ValueError)


@pytest.mark.parametrize(("w", "pattern"), [
    ([0.5, 0.3, 0.2], r"weights must have shape \(2,\) or \(draws, 2\).*got shape \(3,\)"),
    ([[0.5, 0.3, 0.2]], r"got shape \(1, 3\)"),
    ([0.5, -0.5], r"weights must be >= 0; not at criteria \[1\]: \[-0.5\]"),
    ([[0.5, 0.5], [-0.1, 1.1]], r"not at \(draw, criterion\) \[\(1, 0\)\]"),
    ([0.5, np.nan], r"weights must be finite; not at criteria \[1\]"),
    ([0.0, 0.0], r"all weights are 0; give at least one criterion a positive weight"),
    ([[0.5, 0.5], [0.0, 0.0]], r"all weights are 0 in draws \[1\]"),
])
def test_weight_errors(w, pattern):
    with pytest.raises(AggregationError, match=pattern):
        ag.topsis(GOOD_N, w)


def test_topsis_all_constant_raises():
    with pytest.raises(AggregationError, match=r"ideal and anti-ideal coincide: every criterion "
                                                r"with positive weight has the same value"):
        ag.topsis([[0.5, 0.1], [0.5, 0.9]], [1.0, 0.0])
    with pytest.raises(AggregationError, match=r"coincide in draws \[1\]"):
        ag.topsis([[0.5, 0.1], [0.5, 0.9]], [[0.5, 0.5], [1.0, 0.0]])


@pytest.mark.parametrize("v", [-0.1, 1.5, "half", np.nan])
def test_vikor_v_out_of_range(v):
    with pytest.raises(AggregationError, match=r"v must be a number in \[0, 1\]"):
        ag.vikor(GOOD_N, [0.5, 0.5], v=v)


def test_vikor_compromise_errors():
    with pytest.raises(AggregationError, match=r"1-D of one length n >= 2"):
        ag.vikor_compromise([0.1], [0.1], [0.0])
    with pytest.raises(AggregationError, match=r"got shapes \(2,\), \(3,\), \(2,\)"):
        ag.vikor_compromise([0.1, 0.2], [0.1, 0.2, 0.3], [0.0, 1.0])
    with pytest.raises(AggregationError, match=r"must be finite"):
        ag.vikor_compromise([0.1, np.nan], [0.1, 0.2], [0.0, 1.0])


def test_weighted_geometric_errors():
    with pytest.raises(AggregationError, match=r"1 negative value\(s\) at \(row, column\) "
                                                r"\[\(1, 0\)\].*goalposts"):
        ag.weighted_geometric([[0.1, 0.2], [-0.3, 0.4]], [0.5, 0.5])
    with pytest.raises(AggregationError, match=r"Unknown on_zero policy 'eps'.*'raise', "
                                                r"'epsilon'; did you mean 'epsilon'\?"):
        ag.weighted_geometric(GOOD_N, [0.5, 0.5], on_zero="eps")
    with pytest.raises(AggregationError, match=r"epsilon must be a finite number > 0; got 0"):
        ag.weighted_geometric(GOOD_N, [0.5, 0.5], on_zero="epsilon", epsilon=0)


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"preference": "vshpe", "p": 0.2}, r"Unknown PROMETHEE preference function 'vshpe'. Choose "
                                         r"one of 'usual', 'ushape', 'vshape', 'level', 'linear'; "
                                         r"did you mean 'vshape'\?"),
    ({"preference": "vshape_2"}, r"did you mean 'vshape'\? pymcdm's 'vshape_2' is citykit's "
                                 r"'linear'"),
    ({"preference": "gaussian"}, r"Unknown PROMETHEE preference function 'gaussian'"),
    ({"preference": "linear", "p": 0.3}, r"uses q and p; missing q\. Pass exactly"),
    ({"preference": "usual", "p": 0.3}, r"uses no threshold; p given but unused"),
    ({"preference": "vshape", "p": 0.3, "q": 0.1}, r"uses p; q given but unused"),
    ({"preference": "level", "q": [0.1, 0.5], "p": [0.2, 0.4]},
     r"q must be <= the preference threshold p; q > p at criteria \[1\] \(q=\[0.5\], p=\[0.4\]\)"),
    ({"preference": "vshape", "p": [0.2, -0.1]}, r"threshold p must be finite and >= 0; not at "
                                                 r"criteria \[1\]"),
    ({"preference": "ushape", "q": [0.1, 0.2, 0.3]}, r"threshold q must be a number or have "
                                                     r"shape \(2,\).*got shape \(3,\)"),
])
def test_promethee2_option_errors(kwargs, pattern):
    with pytest.raises(AggregationError, match=pattern):
        ag.promethee2(GOOD_N, [0.5, 0.5], **kwargs)


def test_promethee2_needs_two_alternatives():
    with pytest.raises(AggregationError, match=r"needs at least 2 alternatives to compare; got 1"):
        ag.promethee2([[0.1, 0.2]], [0.5, 0.5])


def test_rank_scores_errors():
    with pytest.raises(AggregationError, match=r"scores must be finite; NaN or inf at \[\(1,\)\]"):
        ag.rank_scores([0.1, np.nan])
    with pytest.raises(AggregationError, match=r"got shape \(1, 1, 2\)"):
        ag.rank_scores([[[0.1, 0.2]]])


def test_get_method_and_options_errors():
    with pytest.raises(AggregationError, match=r"Unknown aggregation method 'promethee'. Choose one "
                                                r"of .*; did you mean 'promethee2'\?"):
        ag.get_method("promethee")
    with pytest.raises(AggregationError, match=r"Method 'topsis' has no option \['v'\]; its "
                                                r"options are none"):
        ag.get_method("topsis").score(GOOD_N, [0.5, 0.5], v=0.5)
    with pytest.raises(AggregationError, match=r"Method 'vikor' has no option \['vv'\]; its "
                                                r"options are \['v'\]"):
        ag.get_method("vikor").score(GOOD_N, [0.5, 0.5], vv=0.5)
