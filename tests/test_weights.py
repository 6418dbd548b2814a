"""Tests for citykit.weights: pymcdm cross-checks, Saaty's published examples, properties, errors.

pymcdm 1.4 (a dev-only dependency) is the reference for entropy, CRITIC and AHP weights.
No test may emit a NumPy RuntimeWarning.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from citykit.ahp import CR_THRESHOLD, RANDOM_INDEX, ahp, group_ahp, group_weights
from citykit.exceptions import CityKitError, CityKitWarning, WeightError
from citykit.weights import (
    WEIGHTING,
    check_weights,
    critic,
    data_weights,
    entropy,
    equal,
    pca,
    pca_details,
    varimax,
)
from citykit.weights import _n_components as n_components_rule

pymcdm_weights = pytest.importorskip("pymcdm.weights",
                                     reason="pymcdm (requirements-dev.txt) is the reference")
from pymcdm.weights.subjective import AHP as PymcdmAHP  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SHAPES = [(3, 2), (10, 4), (57, 7), (300, 20)]
SAATY_SCALE = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2,
                        1, 2, 3, 4, 5, 6, 7, 8, 9])


def random_matrix(n, m, seed):
    return np.random.default_rng(seed).uniform(1.0, 100.0, (n, m))


def random_pairwise(n, seed):
    """A random reciprocal matrix on Saaty's 1-9 scale."""
    rng = np.random.default_rng(seed)
    A = np.ones((n, n))
    iu = np.triu_indices(n, k=1)
    A[iu] = rng.choice(SAATY_SCALE, size=len(iu[0]))
    A[iu[::-1]] = 1.0 / A[iu]
    return A


def consistent_pairwise(w):
    w = np.asarray(w, float)
    return w[:, None] / w[None, :]


# ---------------------------------------------------------------------------------------------
# check_weights and equal
# ---------------------------------------------------------------------------------------------

def test_check_weights_accepts_valid_and_returns_a_copy():
    w = np.array([0.2, 0.3, 0.5])
    out = check_weights(w, 3)
    assert out.tolist() == [0.2, 0.3, 0.5] and out is not w


def test_check_weights_rejects_sum_not_one_unless_asked():
    with pytest.raises(WeightError, match=r"Weights sum to 0\.9000, not 1\. Pass normalise=True "
                                          r"to rescale them explicitly\."):
        check_weights([0.5, 0.4])
    assert check_weights([0.5, 0.4], normalise=True).tolist() == pytest.approx([5 / 9, 4 / 9])
    check_weights([0.5, 0.5 + 1e-10])  # within atol
    with pytest.raises(WeightError, match="sum to 1.0000, not 1"):
        check_weights([0.5, 0.5 + 1e-6])


@pytest.mark.parametrize(("w", "kwargs", "match"), [
    ([0.6, -0.1, 0.5], {"names": ["a", "b", "c"]},
     r"Weights must be >= 0; not for criteria 1 \('b'\): \[-0\.1\]"),
    ([0.5, np.nan, 0.5], {}, r"Weights must be finite; not for criteria 1: \[nan\]"),
    ([0.5, 0.5], {"n": 3}, r"Expected 3 weights, one per criterion; got 2"),
    ([[0.5, 0.5]], {}, r"non-empty 1-D sequence, one per criterion; got shape \(1, 2\)"),
    ([0.0, 0.0], {"normalise": True}, r"All weights are 0"),
    (["x"], {}, r"Weights must be numeric"),
    ([0.5, 0.5], {"names": ["a"]}, r"one name per weight: expected 2, got 1"),
])
def test_check_weights_errors(w, kwargs, match):
    with pytest.raises(WeightError, match=match):
        check_weights(w, **kwargs)


def test_equal():
    np.testing.assert_array_equal(equal(5), np.full(5, 0.2))
    for bad in (0, 2.5, True):
        with pytest.raises(WeightError, match="positive integer number of criteria"):
            equal(bad)


# ---------------------------------------------------------------------------------------------
# Entropy and CRITIC against pymcdm (1e-9)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_entropy_matches_pymcdm(n, m):
    X = random_matrix(n, m, seed=10 * n + m)
    np.testing.assert_allclose(entropy(X), pymcdm_weights.entropy_weights(X), rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_critic_matches_pymcdm_without_directions(n, m):
    X = random_matrix(n, m, seed=20 * n + m)
    np.testing.assert_allclose(critic(X), pymcdm_weights.critic_weights(X), rtol=0, atol=1e-9)


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_critic_with_directions_matches_pymcdm_on_negated_cost_columns(n, m):
    """Diakoulaki reverses cost criteria; pymcdm does not, so we hand it -x for them."""
    X = random_matrix(n, m, seed=30 * n + m)
    directions = np.where(np.arange(m) % 3 == 1, "min", "max")
    flipped = np.where(directions == "min", -X, X)
    np.testing.assert_allclose(critic(X, directions), pymcdm_weights.critic_weights(flipped),
                               rtol=0, atol=1e-9)


def test_entropy_zero_convention_against_an_explicit_formula():
    """pymcdm rejects zeros; we use 0 ln 0 = 0 (Shannon)."""
    X = np.array([[0.0, 1.0, 5.0], [2.0, 1.0, 0.0], [3.0, 1.0, 1.0], [5.0, 1.0, 0.0]])
    n = X.shape[0]
    d = []
    for col in X.T:
        p = col / col.sum()
        d.append(1 + sum(pi * np.log(pi) for pi in p if pi > 0) / np.log(n))
    np.testing.assert_allclose(entropy(X), np.array(d) / sum(d), rtol=0, atol=1e-12)
    assert entropy(X)[1] == 0.0  # a constant criterion does not discriminate
    with pytest.raises(ValueError, match="requires all positive values"):
        pymcdm_weights.entropy_weights(X)


@pytest.mark.parametrize(("X", "match"), [
    ([[1.0, -2.0], [2.0, 3.0]], r"Entropy weights need values >= 0; criteria 1 \('b'\) have "
                                r"negative values"),
    ([[1.0, 0.0], [2.0, 0.0]], r"Criteria 1 \('b'\) are 0 for every candidate"),
    ([[1.0, 2.0]], r"Entropy weights need at least 2 candidates; got 1"),
    ([[3.0, 2.0], [3.0, 2.0]], r"Entropy weights are undefined: every criterion is uniform"),
    ([[1.0, np.nan], [2.0, 3.0]], r"Missing values \(NaN\) in criteria 1 \('b'\)"),
])
def test_entropy_errors(X, match):
    with pytest.raises(WeightError, match=match):
        entropy(X, names=["a", "b"])


def test_critic_constant_criteria_raise_or_get_zero():
    X = random_matrix(12, 4, seed=5)
    X[:, 2] = 7.0
    with pytest.raises(WeightError, match=r"Constant criteria 2 \('c'\): every candidate has the "
                                          r"same value, so CRITIC weights are undefined for them\."
                                          r" Drop them, or pass on_constant='zero'"):
        critic(X, names=list("abcd"))
    w = critic(X, on_constant="zero")
    assert w[2] == 0.0
    np.testing.assert_allclose(np.delete(w, 2), critic(np.delete(X, 2, axis=1)), atol=1e-15)


@pytest.mark.parametrize(("X", "match"), [
    ([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]], r"CRITIC weights are undefined: no criterion conflicts"),
    ([[1.0, 5.0], [1.0, 5.0]], r"Every criterion is constant across the candidates"),
])
def test_critic_undefined(X, match):
    with pytest.raises(WeightError, match=match):
        critic(X, on_constant="zero")


def test_critic_bad_option_and_directions():
    X = random_matrix(5, 2, seed=1)
    with pytest.raises(WeightError, match=r"Unknown on_constant 'drop'; expected 'raise' or 'zero'"):
        critic(X, on_constant="drop")
    with pytest.raises(CityKitError, match=r"Unknown direction 'up' for criterion 1"):
        critic(X, ["max", "up"])


# ---------------------------------------------------------------------------------------------
# AHP: Saaty's published examples
# ---------------------------------------------------------------------------------------------

#: Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48: 9-26,
#: house-buying example: the eight criteria (size of house, transportation, neighbourhood, age
#: of house, yard space, modern facilities, general condition, financing) compared pairwise.
SAATY_1990_CRITERIA = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
#: Same paper: houses A, B, C compared on "size of house".
SAATY_1990_SIZE = [[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]]


def test_saaty_1990_house_criteria():
    """Published: priorities .173 .054 .188 .018 .031 .036 .167 .333; lambda_max = 9.669,
    C.I. = 0.238, C.R. = 0.169 (with RI(8) = 1.41)."""
    with pytest.warns(CityKitWarning, match=r"Inconsistent pairwise judgements: CR = 0\.169 > "
                                            r"0\.1\. Revisit them; the judgement furthest"):
        res = ahp(SAATY_1990_CRITERIA)
    np.testing.assert_array_equal(res.weights.round(3),
                                  [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333])
    assert (round(res.lambda_max, 3), round(res.ci, 3), round(res.cr, 3)) == (9.669, 0.238, 0.169)
    assert (res.n, res.ri, res.consistent) == (8, 1.41, False)


def test_saaty_1990_size_of_house():
    """Published: A .754, B .181, C .065; lambda_max = 3.136, C.I. = 0.068, C.R. = 0.117."""
    with pytest.warns(CityKitWarning, match=r"CR = 0\.117 > 0\.1"):
        res = ahp(SAATY_1990_SIZE, names=["A", "B", "C"])
    np.testing.assert_array_equal(res.weights.round(3), [0.754, 0.181, 0.065])
    assert (round(res.lambda_max, 3), round(res.ci, 3), round(res.cr, 3)) == (3.136, 0.068, 0.117)


def test_inconsistency_warning_names_the_worst_judgement():
    A = consistent_pairwise([8, 4, 2, 1])
    A[0, 3], A[3, 0] = 1 / 8, 8.0  # reversed: 0 was 8x as important as 3
    with pytest.warns(CityKitWarning, match=r"furthest from the derived weights is a\[0, 3\] "
                                            r"\('gdp' vs 'air'\) = 0\.125 \(the weights imply "
                                            r"0\.66\)"):
        ahp(A, names=["gdp", "jobs", "water", "air"])


def test_consistent_matrix_recovers_weights_without_warning():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ahp(consistent_pairwise(w))
    np.testing.assert_allclose(res.weights, w, rtol=0, atol=1e-12)
    assert res.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert res.ci == pytest.approx(0.0, abs=1e-12) and res.ci >= 0 and res.consistent


def test_saaty_random_index_table():
    assert dict(RANDOM_INDEX) == {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24,
                                  7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
    assert CR_THRESHOLD == 0.1


def test_small_matrices():
    one = ahp([[1.0]])
    assert (one.weights.tolist(), one.ci, one.cr) == ([1.0], 0.0, 0.0)
    two = ahp([[1, 4], [1 / 4, 1]])
    np.testing.assert_allclose(two.weights, [0.8, 0.2], atol=1e-15)
    assert two.cr == 0.0


def test_cr_threshold_is_a_parameter():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ahp(SAATY_1990_SIZE, cr_threshold=0.2)


def test_result_is_frozen_and_recordable():
    res = ahp(consistent_pairwise([2, 1]))
    with pytest.raises(ValueError, match="read-only"):
        res.weights[0] = 0.0
    with pytest.raises(AttributeError):
        res.cr = 0.5
    assert json.loads(json.dumps(res.to_dict()))["n"] == 2


# ---------------------------------------------------------------------------------------------
# AHP against pymcdm
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", range(3, 11))
def test_ahp_matches_pymcdm_weights_and_consistency_index(n):
    """Same eigenvector and CI; pymcdm's CR uses Tummala & Ling's random indices."""
    A = random_pairwise(n, seed=n)
    ref = PymcdmAHP(matrix=A)
    tummala_ling = {k + 1: ri for k, ri in enumerate(PymcdmAHP.RI_M)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)  # random matrices are inconsistent
        ours = ahp(A)
        theirs_ri = ahp(A, random_index=tummala_ling)
    np.testing.assert_allclose(ours.weights, ref(), rtol=0, atol=1e-9)
    assert ours.ci == pytest.approx(ref.get_cr() * tummala_ling[n], abs=1e-9)
    assert theirs_ri.cr == pytest.approx(ref.get_cr(), abs=1e-9)
    assert ours.cr == pytest.approx(ours.ci / RANDOM_INDEX[n], abs=1e-12)


def test_ahp_matches_pymcdm_on_its_ranking_built_matrix():
    ref = PymcdmAHP(ranking=[1, 2, 4, 3])
    expected = ref()  # builds ref.matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        np.testing.assert_allclose(ahp(ref.matrix).weights, expected, rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# AHP validation
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("A", "match"), [
    ([[1, 3, 5], [1 / 3, 1, 2], [1 / 4, 1 / 2, 1]],
     r"must be reciprocal \(a\[j, i\] = 1 / a\[i, j\]\); 1 pairs are not, the first at "
     r"\[0, 2\] \('gdp' vs 'air'\): a\[0, 2\] = 5 but a\[2, 0\] = 0\.25, expected 0\.2"),
    ([[1, 2], [1 / 2, 1], [1, 1]], r"must be square \(n × n\); got shape \(3, 2\)"),
    ([[1, 0, 1], [1, 1, 1], [1, 1, 1]],
     r"finite and > 0 .*; 1 are not, the first at \[0, 1\] \('gdp' vs 'jobs'\): 0\.0"),
    ([[1, -2, 1], [-0.5, 1, 1], [1, 1, 1]], r"2 are not, the first at \[0, 1\]"),
    ([[1, 2, np.nan], [0.5, 1, 1], [1, 1, 1]], r"finite and > 0"),
    ([[2, 2, 1], [0.5, 1, 1], [1, 1, 1]], r"diagonal of a pairwise matrix must be 1 .*\[\(0, 0\)\]"),
    ([["a"]], r"The pairwise matrix must be numeric"),
])
def test_ahp_invalid_matrices(A, match):
    with pytest.raises(WeightError, match=match):
        ahp(A, names=["gdp", "jobs", "air"] if np.shape(A)[0] == 3 else None)


def test_ahp_accepts_rounded_reciprocals_within_tolerance():
    res = ahp([[1, 3], [0.333, 1]])
    assert res.weights[0] == pytest.approx(0.75, abs=1e-3)
    with pytest.raises(WeightError, match="must be reciprocal"):
        ahp([[1, 3], [0.333, 1]], tol=1e-4)


def test_ahp_beyond_the_random_index_table():
    A = consistent_pairwise(np.arange(1, 12))
    with pytest.raises(WeightError, match=r"No random index for n = 11 \(the table covers n = "
                                          r"1\.\.10\)\. Saaty advises .* split the criteria into a "
                                          r"hierarchy, or pass random_index="):
        ahp(A)
    res = ahp(A, random_index={11: 1.51})
    np.testing.assert_allclose(res.weights, np.arange(1, 12) / 66, atol=1e-12)


def test_ahp_names_of_wrong_length():
    with pytest.raises(WeightError, match="one name per row: expected 2, got 1"):
        ahp([[1, 2], [0.5, 1]], names=["a"])


# ---------------------------------------------------------------------------------------------
# Group weights
# ---------------------------------------------------------------------------------------------

def test_group_ahp_is_ahp_of_the_geometric_mean_matrix():
    mats = [random_pairwise(5, seed=s) for s in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        res = group_ahp(mats)
        manual = np.exp(np.mean(np.log(mats), axis=0))
        np.testing.assert_allclose(res.matrix, manual, rtol=1e-12)
        np.testing.assert_allclose(res.matrix * res.matrix.T, 1.0, rtol=1e-12)  # reciprocal
        np.testing.assert_allclose(res.weights, ahp(manual).weights, atol=1e-12)
        for mine, M in zip(res.participants, mats, strict=True):
            assert mine.cr == pytest.approx(ahp(M).cr, abs=1e-12)
    np.testing.assert_array_equal(res.participant_weights, np.full(4, 0.25))


def test_group_ahp_of_consistent_judgements_equals_geometric_group_weights():
    """AIJ and AIP agree when every participant is consistent: both give ∝ Π w_k^(1/K)."""
    w = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.1, 0.6, 0.3]])
    res = group_ahp([consistent_pairwise(v) for v in w])
    np.testing.assert_allclose(res.weights, group_weights(w), atol=1e-12)
    assert res.inconsistent == ()


def test_group_ahp_flags_inconsistent_participants_once():
    mats = [consistent_pairwise([3, 2, 1]), SAATY_1990_SIZE, consistent_pairwise([1, 1, 1])]
    with pytest.warns(CityKitWarning, match=r"Group AHP: participants 1 \(CR = 0\.117\) are "
                                            r"inconsistent \(limit 0\.1\)") as record:
        res = group_ahp(mats)
    assert len(record) == 1
    assert res.inconsistent == (1,)
    assert res.participants[1].cr == pytest.approx(0.117, abs=5e-4)


def test_group_ahp_participant_weights():
    mats = [consistent_pairwise([3, 1]), consistent_pairwise([1, 3])]
    res = group_ahp(mats, participant_weights=[0.75, 0.25])
    # weighted geometric mean of 3 and 1/3 with weights .75/.25 is 3^0.5
    np.testing.assert_allclose(res.matrix[0, 1], np.sqrt(3.0))
    with pytest.raises(WeightError, match=r"Weights sum to 1\.2000"):
        group_ahp(mats, participant_weights=[0.6, 0.6])


@pytest.mark.parametrize(("mats", "match"), [
    ([[[1, 2], [0.5, 1]], [[1, 2, 1], [0.5, 1, 1], [1, 1, 1]]],
     r"must compare the same elements; got matrix shapes \[\(2, 2\), \(3, 3\)\]"),
    ([[[1, 2], [0.5, 1]], [[1, 2], [2, 1]]], r"Participant 1: The pairwise matrix must be "
                                             r"reciprocal"),
    ([], r"needs at least one participant's matrix"),
])
def test_group_ahp_errors(mats, match):
    with pytest.raises(WeightError, match=match):
        group_ahp(mats)


def test_group_weights_geometric_and_arithmetic():
    W = np.array([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    g = np.sqrt(W[0] * W[1])
    assert g.sum() < 1  # why the rescale is part of the method
    np.testing.assert_allclose(group_weights(W), g / g.sum(), atol=1e-15)
    np.testing.assert_allclose(group_weights(W, method="arithmetic"), W.mean(axis=0), atol=1e-15)
    np.testing.assert_allclose(group_weights(W, participant_weights=[1.0, 0.0]), W[0],
                               atol=1e-15)


def test_group_weights_zero_weight_vetoes_under_geometric_mean():
    W = np.array([[0.5, 0.5, 0.0], [0.2, 0.2, 0.6]])
    out = group_weights(W)
    assert out[2] == 0.0 and out.sum() == pytest.approx(1.0)
    with pytest.raises(WeightError, match=r"every criterion has weight 0 from some participant; "
                                          r"use method='arithmetic'"):
        group_weights([[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize(("W", "kwargs", "match"), [
    ([[0.5, 0.5], [0.6, 0.5]], {}, r"Participant 1: Weights sum to 1\.1000, not 1"),
    ([[0.5, 0.5], [1.2, -0.2]], {"names": ["gdp", "air"]},
     r"Participant 1: Weights must be >= 0; not for criteria 1 \('air'\)"),
    ([0.5, 0.5], {}, r"one row of weights per participant; got shape \(2,\)"),
    ([[0.5, 0.5]], {"method": "median"}, r"Unknown method 'median'; expected 'geometric' or "
                                         r"'arithmetic'"),
])
def test_group_weights_errors(W, kwargs, match):
    with pytest.raises(WeightError, match=match):
        group_weights(W, **kwargs)


# ---------------------------------------------------------------------------------------------
# PCA weights (OECD/JRC 2008) against an independent implementation
# ---------------------------------------------------------------------------------------------

def svd_varimax(L, iterations=100_000, tol=1e-13):
    """The SVD fixed-point iteration (as in R's stats::varimax), Kaiser-normalised, run long."""
    h = np.sqrt((L ** 2).sum(axis=1, keepdims=True))
    B = L / h
    p, k = B.shape
    R = np.eye(k)
    for _ in range(iterations):
        Lam = B @ R
        u, _, vt = np.linalg.svd(B.T @ (Lam ** 3 - Lam @ np.diag((Lam ** 2).sum(axis=0)) / p))
        R, old = u @ vt, R
        if np.abs(R - old).max() < tol:
            break
    return B @ R * h


def handbook_pca_weights(X):
    """OECD/JRC (2008) Step 6 written out plainly: z-scores, PCA via SVD, Kaiser + 60% rule,
    SVD-iteration varimax, squared loadings scaled per factor, max per indicator, shares."""
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    eig = s ** 2 / X.shape[0]
    share = eig / eig.sum()
    k = max(int(((eig > 1) & (share > 0.1)).sum()), int(np.argmax(np.cumsum(share) >= 0.6)) + 1)
    L = vt[:k].T * np.sqrt(eig[:k])
    if k > 1:
        L = svd_varimax(L)
    sq = L ** 2
    factor_var = sq.sum(axis=0)
    scaled = sq / factor_var
    w = np.array([factor_var[f] / factor_var.sum() * scaled[j, f]
                  for j, f in enumerate(scaled.argmax(axis=1))])
    return w / w.sum()


def clustered(n, sizes, seed, noise=0.5):
    """Synthetic indicators in clusters, each driven by its own latent factor."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, len(sizes)))
    cols = [f[:, c] * rng.uniform(0.5, 2) for c, size in enumerate(sizes) for _ in range(size)]
    return np.column_stack(cols) + noise * rng.normal(size=(n, sum(sizes)))


@pytest.mark.parametrize(("sizes", "seed"), [((3, 2), 0), ((2, 2, 2), 1), ((4, 3, 2), 2),
                                             ((5,), 3), ((2, 3, 1, 2), 4)])
def test_pca_matches_an_independent_handbook_implementation(sizes, seed):
    X = clustered(60, sizes, seed)
    np.testing.assert_allclose(pca(X), handbook_pca_weights(X), rtol=0, atol=1e-10)


def test_pca_finds_the_clusters():
    X = clustered(80, (3, 3, 2), seed=9, noise=0.3)
    res = pca_details(X)
    assert res.n_components == 3
    f = res.factor
    assert len({f[0], f[1], f[2]}) == 1 and len({f[3], f[4], f[5]}) == 1 and f[6] == f[7]
    assert len({f[0], f[3], f[6]}) == 3
    assert res.factor_share.sum() == pytest.approx(1.0)


@pytest.mark.filterwarnings("error::citykit.exceptions.CityKitWarning")
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 7), st.randoms())
def test_pca_weights_are_a_distribution_and_permutation_equivariant(seed, m, rnd):
    X = np.random.default_rng(seed).normal(size=(25, m))
    w = pca(X)
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0, abs=1e-12)
    perm = np.array(rnd.sample(range(m), m))
    np.testing.assert_allclose(pca(X[:, perm]), w[perm], rtol=0, atol=1e-10)
    rows = np.array(rnd.sample(range(25), 25))
    np.testing.assert_allclose(pca(X[rows]), w, rtol=0, atol=1e-10)


def test_pca_direction_and_scale_do_not_matter():
    X = clustered(40, (2, 2), seed=3)
    Y = X * np.array([-1.0, 3.0, 1.0, 0.01]) + 100.0
    np.testing.assert_allclose(pca(Y), pca(X), atol=1e-9)


def test_retention_rule():
    """Kaiser (eigenvalue > 1 and > 10% each) extended until at least 60% cumulative."""
    assert n_components_rule(np.array([1.5, 1.05, 0.95, 0.5]), None) == 2  # both rules: 2
    assert n_components_rule(np.array([1.2, 0.9, 0.8, 0.6, 0.5]), None) == 3  # 30, 52.5, 72.5%
    assert n_components_rule(np.array([3.9, 0.05, 0.05]), None) == 1
    assert n_components_rule(np.array([2.0, 1.0, 1.0]), 3) == 3


def test_pca_n_components_override_and_errors():
    X = clustered(30, (2, 2), seed=1)
    assert pca_details(X, n_components=1).n_components == 1
    for bad in (0, 5, 1.5):
        with pytest.raises(WeightError, match=r"n_components must be an integer from 1 to the "
                                              r"number of components with positive variance \(4\)"):
            pca(X, n_components=bad)


def test_pca_constant_and_small_inputs():
    X = clustered(30, (2, 2), seed=1)
    X[:, 1] = 3.0
    with pytest.raises(WeightError, match=r"Constant criteria 1: .* PCA weights are undefined"):
        pca(X)
    res = pca_details(X, on_constant="zero")
    assert res.weights[1] == 0.0 and res.factor[1] == -1
    np.testing.assert_allclose(np.delete(res.weights, 1), pca(np.delete(X, 1, axis=1)),
                               atol=1e-12)
    with pytest.raises(WeightError, match="PCA weights need at least 3 candidates; got 2"):
        pca([[1.0, 2.0], [2.0, 1.0]])
    assert pca([[1.0], [2.0], [4.0]]).tolist() == [1.0]


def varimax_criterion(M):
    """Kaiser's varimax criterion on row-normalised loadings."""
    B = M / np.sqrt((M ** 2).sum(axis=1, keepdims=True))
    return ((B ** 4).mean(axis=0) - ((B ** 2).mean(axis=0)) ** 2).sum()


@pytest.mark.parametrize("k", [2, 3, 4])
def test_varimax_is_an_orthogonal_rotation_reaching_the_maximum(k):
    rng = np.random.default_rng(k)
    L = rng.uniform(-1, 1, (9, k))
    rotated, R = varimax(L)
    np.testing.assert_allclose(R @ R.T, np.eye(k), atol=1e-12)
    np.testing.assert_allclose(rotated, L @ R, atol=1e-12)
    assert varimax_criterion(rotated) == pytest.approx(varimax_criterion(svd_varimax(L)),
                                                       abs=1e-12)
    assert varimax_criterion(rotated) >= varimax_criterion(L)
    for angle in np.linspace(-0.3, 0.3, 13):  # no small rotation of two factors improves it
        c, s = np.cos(angle), np.sin(angle)
        G = np.eye(k)
        G[:2, :2] = [[c, -s], [s, c]]
        assert varimax_criterion(rotated @ G) <= varimax_criterion(rotated) + 1e-12


def test_varimax_warns_when_not_converged():
    L = np.random.default_rng(0).uniform(-1, 1, (10, 4))
    with pytest.warns(CityKitWarning, match="varimax did not converge in 1 sweeps"):
        varimax(L, max_sweeps=1, tol=0.0)


# ---------------------------------------------------------------------------------------------
# Registry and data_weights
# ---------------------------------------------------------------------------------------------

def test_registry():
    assert set(WEIGHTING) == {"equal", "entropy", "critic", "pca"}


@pytest.mark.parametrize("name", ["equal", "entropy", "critic", "pca"])
def test_data_weights_dispatches(name):
    X = clustered(30, (2, 2), seed=2) + 10.0
    directions = ["max", "min", "max", "max"]
    expected = {"equal": lambda: equal(4), "entropy": lambda: entropy(X),
                "critic": lambda: critic(X, directions), "pca": lambda: pca(X)}[name]()
    np.testing.assert_array_equal(data_weights(name, X, directions=directions), expected)


def test_data_weights_errors():
    X = random_matrix(5, 2, seed=0)
    with pytest.raises(WeightError, match=r"Unknown weighting method 'CRITIC'; expected one of "
                                          r"'equal', 'entropy', 'critic', 'pca'\. Did you mean "
                                          r"'critic'\?"):
        data_weights("CRITIC", X)
    with pytest.raises(WeightError, match=r"Weighting 'entropy' takes options \[\]; unknown: "
                                          r"\['on_constant'\]"):
        data_weights("entropy", X, on_constant="zero")
    with pytest.raises(CityKitError, match=r"Unknown direction 'best' for criterion 0"):
        data_weights("entropy", X, directions=["best", "max"])


def test_errors_belong_to_the_citykit_family():
    assert issubclass(WeightError, CityKitError) and issubclass(WeightError, ValueError)


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

positive = hnp.arrays(float, st.tuples(st.integers(2, 15), st.integers(1, 6)),
                      elements=st.integers(0, 1000).map(float))


@settings(max_examples=200, deadline=None)
@given(positive, st.sampled_from(["entropy", "critic"]), st.randoms())
def test_data_weights_are_a_distribution_and_row_order_free(X, name, rnd):
    try:
        w = data_weights(name, X, **({"on_constant": "zero"} if name == "critic" else {}))
    except WeightError as err:  # a clear refusal (all uniform, all-zero column, no conflict)
        assert "undefined" in str(err) or "are 0 for every candidate" in str(err)
        return
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0, abs=1e-12)
    perm = np.array(rnd.sample(range(X.shape[0]), X.shape[0]))
    kwargs = {"on_constant": "zero"} if name == "critic" else {}
    np.testing.assert_allclose(data_weights(name, X[perm], **kwargs), w, rtol=0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(3, 9), st.integers(0, 10_000))
def test_ahp_weights_are_positive_and_cr_nonnegative(n, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CityKitWarning)
        res = ahp(random_pairwise(n, seed))
    assert (res.weights > 0).all() and res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert res.lambda_max >= n - 1e-9 and res.cr >= 0


@pytest.mark.filterwarnings("error::citykit.exceptions.CityKitWarning")
@settings(max_examples=150, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(3, 8), st.integers(1, 4)),
                  elements=st.floats(-1e308, 1e308, allow_nan=False, allow_infinity=False)),
       st.sampled_from(["entropy", "critic", "pca"]))
def test_extreme_values_give_weights_or_a_clear_error_never_a_warning(X, name):
    kwargs = {} if name == "entropy" else {"on_constant": "zero"}
    try:
        w = data_weights(name, X, **kwargs)
    except WeightError as err:
        assert any(s in str(err) for s in ("numeric overflow", "undefined", "are 0 for every",
                                           "need values >= 0"))
    else:
        assert np.isfinite(w).all() and w.sum() == pytest.approx(1.0, abs=1e-9)
