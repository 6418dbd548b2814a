"""Tests for citykit.normalise: peer cross-checks, properties, fit/transform and errors.

pymcdm 1.4 (a dev-only dependency) is the reference for min-max, vector and sum normalisation;
scikit-learn for z-scores and scipy for average ranks. No test may emit a NumPy RuntimeWarning.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata
from sklearn.preprocessing import StandardScaler

from citykit.exceptions import CityKitError, NormalisationError, NotFittedError
from citykit.normalise import (
    NORMALISERS,
    Goalposts,
    MinMax,
    Rank,
    Sum,
    Vector,
    ZScore,
    check_directions,
    make_normaliser,
    normalise,
)

pymcdm_norm = pytest.importorskip("pymcdm.normalizations",
                                  reason="pymcdm (requirements-dev.txt) is the reference")

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SHAPES = [(2, 1), (5, 3), (31, 8), (200, 20)]
#: One instance of each normaliser that works on any finite positive matrix.
POSITIVE_OK = {
    "minmax": lambda m: MinMax(on_constant="neutral"),
    "zscore": lambda m: ZScore(on_constant="neutral"),
    "vector": lambda m: Vector(),
    "sum": lambda m: Sum(),
    "rank": lambda m: Rank(on_constant="neutral"),
    "goalposts": lambda m: Goalposts([(0.0, 1000.0)] * m),
}


def random_problem(n, m, seed):
    """A seeded positive matrix and alternating directions (benefit, cost, ...)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 100.0, (n, m))
    directions = np.where(np.arange(m) % 2 == 0, "max", "min")
    return X, directions


def pymcdm_columns(func, X, directions):
    return np.column_stack([func(X[:, j], d == "min") for j, d in enumerate(directions)])


# ---------------------------------------------------------------------------------------------
# Cross-checks against pymcdm, scikit-learn and scipy
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "m"), SHAPES[1:])
@pytest.mark.parametrize(("ours", "theirs"), [
    (MinMax, "minmax_normalization"),
    (Vector, "vector_normalization"),
    (Sum, "sum_normalization"),
])
def test_matches_pymcdm(ours, theirs, n, m):
    X, directions = random_problem(n, m, seed=n * m)
    ref = pymcdm_columns(getattr(pymcdm_norm, theirs), X, directions)
    np.testing.assert_allclose(ours().fit_transform(X, directions), ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("n", "m"), SHAPES[1:])
def test_zscore_matches_sklearn_standard_scaler_with_cost_negated(n, m):
    X, directions = random_problem(n, m, seed=n + m)
    ref = StandardScaler().fit_transform(X) * np.where(directions == "min", -1, 1)
    np.testing.assert_allclose(ZScore().fit_transform(X, directions), ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("n", "m"), SHAPES[1:])
def test_rank_matches_scipy_average_rank_with_ties(n, m):
    rng = np.random.default_rng(n)
    X = rng.integers(0, max(n // 3, 2), (n, m)).astype(float)  # many ties
    X[0], X[1] = 0.0, 1.0  # no constant column
    directions = np.where(np.arange(m) % 2 == 0, "max", "min")
    expected = (rankdata(X, method="average", axis=0) - 1) / (n - 1)
    expected = np.where(directions == "min", 1 - expected, expected)
    np.testing.assert_allclose(Rank().fit_transform(X, directions), expected, rtol=0, atol=1e-12)


def test_goalposts_formula_and_target():
    X = np.array([[0.0, 20.0, 4.0], [5.0, 5.0, 7.0], [10.0, 0.0, 0.0], [15.0, 30.0, 10.0]])
    g = Goalposts([(0, 10), (0, 20), (0, 10)], target=[None, None, 4.0])
    out = g.fit_transform(X, ["max", "min", "max"])
    np.testing.assert_allclose(out, [[0.0, 0.0, 1.0],
                                     [0.5, 0.75, 0.5],     # |7 - 4| / max(4, 6) = 0.5
                                     [1.0, 1.0, 1 / 3],    # |0 - 4| / 6
                                     [1.0, 0.0, 0.0]])     # 15 and 30 clipped
    unclipped = Goalposts([(0, 10), (0, 20), (0, 10)], clip=False).fit_transform(X, [1, -1, 1])
    assert unclipped[3, 0] == 1.5 and unclipped[3, 1] == -0.5


def test_goalposts_do_not_depend_on_the_candidate_set():
    g = Goalposts([(0, 100)])
    full = g.fit_transform([[10.0], [50.0], [90.0]], ["max"])
    alone = Goalposts([(0, 100)]).fit_transform([[50.0]], ["max"])
    assert full[1, 0] == alone[0, 0] == 0.5


def test_vector_and_sum_constant_columns_are_fine():
    """A constant, non-zero column is valid ratio data for vector and sum normalisation."""
    X = np.full((4, 1), 2.0)
    np.testing.assert_allclose(Vector().fit_transform(X, ["max"]), 0.5)
    np.testing.assert_allclose(Sum().fit_transform(X, ["min"]), 0.25)


def test_sum_accepts_zero_on_benefit_criteria_unlike_pymcdm():
    X = np.array([[0.0], [1.0], [3.0]])
    np.testing.assert_allclose(Sum().fit_transform(X, ["max"]).ravel(), [0.0, 0.25, 0.75])
    with pytest.raises(ValueError, match="requires all positive"):
        pymcdm_norm.sum_normalization(X[:, 0])


# ---------------------------------------------------------------------------------------------
# fit / transform contract
# ---------------------------------------------------------------------------------------------

def test_minmax_transform_of_new_rows_uses_the_learned_bounds():
    rng = np.random.default_rng(7)
    eligible, new = rng.uniform(0, 10, (12, 3)), rng.uniform(-5, 15, (4, 3))
    directions = ["max", "min", "max"]
    norm = MinMax().fit(eligible, directions)
    lo, hi = eligible.min(axis=0), eligible.max(axis=0)
    expected = (new - lo) / (hi - lo)
    expected[:, 1] = (hi[1] - new[:, 1]) / (hi[1] - lo[1])
    np.testing.assert_allclose(norm.transform(new), expected, rtol=0, atol=1e-12)
    assert not np.allclose(norm.transform(new), MinMax().fit_transform(new, directions))
    np.testing.assert_array_equal(norm.min_, lo)  # transform did not refit


@pytest.mark.parametrize("name", list(POSITIVE_OK))
def test_transform_is_row_wise(name):
    """Transforming a subset of the fitted rows gives those rows of fit_transform."""
    X, directions = random_problem(20, 4, seed=3)
    norm = POSITIVE_OK[name](4).fit(X, directions)
    np.testing.assert_allclose(norm.transform(X[[3, 0, 17]]), norm.transform(X)[[3, 0, 17]],
                               rtol=0, atol=1e-15)


def test_zscore_and_rank_new_rows_use_learned_parameters():
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    z = ZScore().fit(X, ["max"])
    assert z.mean_.tolist() == [2.5]
    np.testing.assert_allclose(z.transform([[2.5], [2.5 + z.scale_[0]]]).ravel(), [0.0, 1.0])
    r = Rank().fit(X, ["max"])
    np.testing.assert_allclose(r.transform([[0.0], [2.5], [3.0], [9.0]]).ravel(),
                               [0.0, 0.5, 2 / 3, 1.0])


def test_learned_and_params_are_plain_and_json_serialisable():
    g = Goalposts(np.array([[0.0, 1.0], [0.0, 2.0]]), target=[None, 1.0])
    g.fit([[0.5, 1.5]], ["max", "min"], names=["a", "b"])
    record = {"params": g.get_params(), "learned": g.get_learned()}
    assert json.loads(json.dumps(record)) == {
        "params": {"bounds": [[0.0, 1.0], [0.0, 2.0]], "target": [None, 1.0], "clip": True},
        "learned": {"n_fitted": 1, "directions": ["max", "min"], "low": [0.0, 0.0],
                    "high": [1.0, 2.0], "target": [None, 1.0]},
    }
    assert repr(MinMax(on_constant="neutral")) == "MinMax(on_constant='neutral')"
    assert Vector().get_params() == {}


def test_fit_returns_self_and_sets_trailing_underscore_attributes():
    norm = MinMax()
    assert norm.fit([[1.0, 2.0], [3.0, 5.0]], ["max", "min"], names=["x", "y"]) is norm
    assert (norm.n_criteria_, norm.n_fitted_, norm.directions_, norm.names_) == (
        2, 2, ("max", "min"), ("x", "y"))


def test_failed_refit_leaves_the_normaliser_unfitted():
    norm = MinMax().fit([[1.0], [2.0]], ["max"])
    with pytest.raises(NormalisationError, match="Constant criteria 0"):
        norm.fit([[3.0], [3.0]], ["max"])
    assert not hasattr(norm, "min_")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        norm.transform([[1.0]])


def test_init_only_stores_parameters():
    norm = MinMax(on_constant="bogus")  # validated at fit, as scikit-learn does
    assert norm.on_constant == "bogus"
    with pytest.raises(NormalisationError, match=r"Unknown on_constant 'bogus'; expected one of "
                                                 r"'raise', 'neutral'"):
        norm.fit([[1.0], [2.0]], ["max"])


@pytest.mark.parametrize("name", list(POSITIVE_OK))
def test_not_fitted_error_is_sklearn_like(name):
    norm = POSITIVE_OK[name](1)
    cls = type(norm).__name__
    with pytest.raises(NotFittedError, match=rf"This {cls} instance is not fitted yet\. Call "
                                             r"'fit' with the eligible candidates"):
        norm.transform([[1.0]])
    with pytest.raises(AttributeError, match="not fitted yet"):
        norm.get_learned()


def test_registry_and_make_normaliser():
    assert set(NORMALISERS) == {"minmax", "zscore", "vector", "sum", "rank", "goalposts"}
    assert isinstance(make_normaliser("rank", on_constant="neutral"), Rank)
    with pytest.raises(NormalisationError, match=r"Unknown normalisation 'z-score'; expected "
                                                 r"one of .*'zscore'.*Did you mean 'zscore'\?"):
        make_normaliser("z-score")
    with pytest.raises(NormalisationError, match=r"takes parameters \['on_constant'\]; unknown: "
                                                 r"\['clip'\]"):
        make_normaliser("minmax", clip=True)
    with pytest.raises(NormalisationError, match=r"missing: \['bounds'\]"):
        make_normaliser("goalposts")


def test_normalise_function_twin():
    X, directions = random_problem(6, 3, seed=1)
    np.testing.assert_array_equal(normalise(X, directions, "zscore"),
                                  ZScore().fit_transform(X, directions))


# ---------------------------------------------------------------------------------------------
# Constant criteria: error or named, recorded policy
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cls", "neutral"), [(MinMax, 0.5), (ZScore, 0.0), (Rank, 0.5)])
def test_constant_column_raises_by_default_naming_it(cls, neutral):
    X = np.array([[1.0, 7.0, 2.0], [2.0, 7.0, 2.0], [3.0, 7.0, 2.0]])
    with pytest.raises(NormalisationError, match=(
            rf"Constant criteria 1 \('water'\), 2 \('air'\): every candidate has the same value, "
            rf"so {cls.__name__} cannot rescale them\. Drop them, or pass on_constant='neutral' "
            rf"to give every candidate {neutral} on them")):
        cls().fit(X, ["max"] * 3, names=["gdp", "water", "air"])
    norm = cls(on_constant="neutral").fit(X, ["max", "min", "max"])
    out = norm.transform(np.vstack([X, [[9.0, 100.0, -3.0]]]))
    assert (out[:, 1:] == neutral).all()
    assert norm.get_learned()["constant"] == [False, True, True]


def test_near_constant_column_is_treated_as_constant():
    """0.1 + 0.2 and 0.3 differ by one ulp: rescaling that difference would be noise."""
    with pytest.raises(NormalisationError, match="Constant criteria 0"):
        MinMax().fit([[0.1 + 0.2], [0.3]], ["max"])


def test_single_candidate_is_constant_everywhere():
    out = Rank(on_constant="neutral").fit_transform([[4.0, 5.0]], ["max", "min"])
    assert out.tolist() == [[0.5, 0.5]]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [MinMax, ZScore, Vector, Sum, Rank])
def test_nan_names_criteria_and_points_to_impute(cls):
    X = np.array([[1.0, np.nan, 3.0], [2.0, np.nan, np.nan], [3.0, 1.0, 4.0]])
    with pytest.raises(NormalisationError, match=(
            r"Missing values \(NaN\) in criteria 1 \('pm25'\), 2 \('gdp'\) \(3 cells\)\. Impute "
            r"them or drop those candidates or criteria first \(see citykit\.impute")):
        cls().fit(X, ["max"] * 3, names=["pop", "pm25", "gdp"])


def test_nan_and_inf_at_transform_are_rejected_too():
    norm = MinMax().fit([[1.0, 2.0], [2.0, 3.0]], ["max", "max"], names=["a", "b"])
    with pytest.raises(NormalisationError, match=r"Infinite values in criteria 1 \('b'\)"):
        norm.transform([[1.0, np.inf]])
    with pytest.raises(NormalisationError, match=r"Missing values \(NaN\) in criteria 0 \('a'\)"):
        norm.transform([[np.nan, 1.0]])


def test_inf_without_names_uses_indices():
    with pytest.raises(NormalisationError, match=r"Infinite values in criteria 0\. Check"):
        MinMax().fit([[-np.inf], [1.0]], ["max"])


@pytest.mark.parametrize(("X", "match"), [
    ([1.0, 2.0, 3.0], r"must be 2-D \(alternatives × criteria\) and non-empty; got shape \(3,\)\. "
                      r"For a single criterion use X\.reshape\(-1, 1\)"),
    (np.empty((0, 2)), r"got shape \(0, 2\)"),
    ([["a", "b"]], r"The matrix must be numeric"),
])
def test_bad_shape_or_type(X, match):
    with pytest.raises(NormalisationError, match=match):
        MinMax().fit(X, ["max", "max"])


def test_transform_with_other_criteria_count():
    norm = MinMax().fit([[1.0, 2.0], [2.0, 3.0]], ["max", "max"])
    with pytest.raises(NormalisationError, match=r"X has 3 criteria but this MinMax was fitted "
                                                 r"on 2; pass the same criteria in the same order"):
        norm.transform([[1.0, 2.0, 3.0]])


@pytest.mark.parametrize(("directions", "match"), [
    (["max", "maximise"], r"Unknown direction 'maximise' for criterion 1 \('b'\)\. Expected "
                          r"'max' \(higher is better\) or 'min' \(lower is better\), or \+1/-1"),
    ([1, 0], r"Unknown direction 0 for criterion 1"),
    ([True, False], r"Unknown direction True for criterion 0"),
    (["max"], r"one entry per criterion: expected 2, got 1"),
    ("max", r"got the string 'max'\. Pass e\.g\. \['max'\] \* 2"),
])
def test_bad_directions(directions, match):
    with pytest.raises(NormalisationError, match=match):
        MinMax().fit([[1.0, 2.0], [2.0, 3.0]], directions, names=["a", "b"])


def test_directions_accept_words_and_signs():
    assert check_directions(np.array(["min", "max"]), 2).tolist() == [-1, 1]
    assert check_directions(np.array([1, -1]), 2).tolist() == [1, -1]


def test_names_of_wrong_length():
    with pytest.raises(NormalisationError, match=r"one name per criterion: expected 2, got 1"):
        MinMax().fit([[1.0, 2.0], [2.0, 3.0]], ["max", "max"], names=["a"])


@pytest.mark.parametrize("cls", [Vector, Sum])
def test_negative_values_rejected_for_ratio_normalisers(cls):
    with pytest.raises(NormalisationError, match=(
            rf"{cls.__name__} normalisation needs values >= 0 \(ratio-scale data\); criteria "
            r"1 \('growth'\) break this\. Use 'minmax', 'zscore', 'rank' or 'goalposts'")):
        cls().fit([[1.0, -2.0], [2.0, 3.0]], ["max", "max"], names=["pop", "growth"])
    fitted = cls().fit([[1.0], [2.0]], ["max"])
    with pytest.raises(NormalisationError, match="needs values >= 0"):
        fitted.transform([[-1.0]])


def test_sum_cost_needs_strictly_positive_values():
    with pytest.raises(NormalisationError, match=r"needs values > 0 .* criteria 0 break this"):
        Sum().fit([[0.0], [2.0]], ["min"])


@pytest.mark.parametrize("cls", [Vector, Sum])
def test_all_zero_column(cls):
    with pytest.raises(NormalisationError, match=r"Criteria 1 \('b'\) are 0 for every candidate; "
                                                 r".* would divide by 0\. Drop them"):
        cls().fit([[1.0, 0.0], [2.0, 0.0]], ["max", "max"], names=["a", "b"])


@pytest.mark.parametrize(("bounds", "match"), [
    ([(0, 10), (5, 5)], r"Goalposts need low < high; not for criteria 1 \('b'\): \(5, 5\)"),
    ([(0, 10), (6, 5)], r"not for criteria 1 \('b'\): \(6, 5\)"),
    ([(0, 10)], r"expected shape \(2, 2\), got \(1, 2\)"),
    ([(0, 10), (0, np.inf)], r"must be finite \(low, high\) pairs"),
    ([(0, 10), ("a", 1)], r"Goalposts bounds must be numbers"),
])
def test_goalposts_invalid_bounds(bounds, match):
    with pytest.raises(NormalisationError, match=match):
        Goalposts(bounds).fit([[1.0, 2.0]], ["max", "max"], names=["a", "b"])


def test_goalposts_invalid_target():
    with pytest.raises(NormalisationError, match=r"targets must lie within their bounds; not "
                                                 r"for criteria 0 \('a'\)"):
        Goalposts([(0, 10), (0, 10)], target=[11.0, None]).fit(
            [[1.0, 2.0]], ["max", "max"], names=["a", "b"])
    with pytest.raises(NormalisationError, match=r"one finite value or None per criterion: "
                                                 r"expected 2, got 1"):
        Goalposts([(0, 10), (0, 10)], target=[1.0]).fit([[1.0, 2.0]], ["max", "max"])


@pytest.mark.parametrize("cls", [MinMax, ZScore, Sum])
def test_overflow_is_an_error_not_a_warning(cls):
    X = np.array([[-1.7e308, 1.0], [1.7e308, 2.0]]) if cls is not Sum else \
        np.array([[1.7e308, 1.0], [1.7e308, 2.0]])
    with pytest.raises(NormalisationError, match=rf"{cls.__name__}: numeric overflow .* rescale "
                                                 r"the criterion"):
        cls().fit(X, ["max", "max"])


def test_errors_belong_to_the_citykit_family():
    assert issubclass(NormalisationError, CityKitError) and issubclass(NormalisationError,
                                                                       ValueError)
    assert issubclass(NotFittedError, CityKitError) and issubclass(NotFittedError, AttributeError)


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

values = st.integers(-1000, 1000).map(float)  # exact; wide enough to exercise ties and signs


@st.composite
def problems(draw, *, positive=False, min_rows=2):
    n = draw(st.integers(min_rows, 12))
    m = draw(st.integers(1, 5))
    elements = st.integers(1, 1000).map(float) if positive else values
    X = draw(hnp.arrays(float, (n, m), elements=elements))
    directions = draw(st.lists(st.sampled_from(["max", "min"]), min_size=m, max_size=m))
    return X, np.array(directions)


@settings(max_examples=200, deadline=None)
@given(problems(), st.integers(0, 4), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_minmax_invariant_to_positive_affine_rescaling_of_a_column(problem, col, a, b):
    X, directions = problem
    col = col % X.shape[1]
    assume(np.ptp(X[:, col]) > 0)
    Y = X.copy()
    Y[:, col] = a * X[:, col] + b
    norm = MinMax(on_constant="neutral")
    np.testing.assert_allclose(norm.fit_transform(Y, directions),
                               norm.fit_transform(X, directions), rtol=0, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(problems(), st.integers(0, 4), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_zscore_and_rank_invariant_to_positive_affine_rescaling(problem, col, a, b):
    X, directions = problem
    col = col % X.shape[1]
    assume(np.ptp(X[:, col]) > 0)
    Y = X.copy()
    Y[:, col] = a * X[:, col] + b
    for norm in (ZScore(on_constant="neutral"), Rank(on_constant="neutral")):
        np.testing.assert_allclose(norm.fit_transform(Y, directions),
                                   norm.fit_transform(X, directions), rtol=0, atol=1e-9)


def _oriented(name, X, directions):
    """(raw values made benefit-oriented, normalised values) for normaliser `name`."""
    norm = POSITIVE_OK[name](X.shape[1])
    sign = np.where(directions == "min", -1.0, 1.0)
    return X * sign, norm.fit_transform(X, directions)


@settings(max_examples=150, deadline=None)
@given(problems(positive=True), st.sampled_from(list(POSITIVE_OK)))
def test_outputs_are_benefit_oriented(problem, name):
    """A better raw value never gets a lower normalised value; the best raw gets the top value."""
    X, directions = problem
    raw, out = _oriented(name, X, directions)
    for j in range(X.shape[1]):
        order = np.argsort(raw[:, j], kind="stable")
        assert (np.diff(out[order, j]) >= -1e-12).all()
        best = raw[:, j] == raw[:, j].max()
        assert np.isclose(out[best, j], out[:, j].max(), rtol=0, atol=1e-12).all()


@settings(max_examples=150, deadline=None)
@given(problems(positive=True), st.sampled_from(list(POSITIVE_OK)), st.randoms())
def test_row_order_does_not_matter(problem, name, rnd):
    X, directions = problem
    perm = np.array(rnd.sample(range(X.shape[0]), X.shape[0]))
    out = POSITIVE_OK[name](X.shape[1]).fit_transform(X, directions)
    out_perm = POSITIVE_OK[name](X.shape[1]).fit_transform(X[perm], directions)
    np.testing.assert_allclose(out_perm, out[perm], rtol=0, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(problems(positive=True, min_rows=1), st.sampled_from(list(POSITIVE_OK)))
def test_outputs_are_finite_and_in_range(problem, name):
    X, directions = problem
    out = POSITIVE_OK[name](X.shape[1]).fit_transform(X, directions)
    assert np.isfinite(out).all()
    if name != "zscore":
        assert ((out >= -1e-12) & (out <= 1 + 1e-12)).all()


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(float, st.tuples(st.integers(1, 8), st.integers(1, 3)),
                  elements=st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)))
def test_extreme_values_give_a_result_or_a_clear_error_never_a_warning(X):
    for norm in (MinMax(on_constant="neutral"), ZScore(on_constant="neutral"),
                 Rank(on_constant="neutral")):
        try:
            out = norm.fit_transform(X, ["max"] * X.shape[1])
        except NormalisationError as err:
            assert "numeric overflow" in str(err)
        else:
            assert np.isfinite(out).all()
