"""Missing-data policies: nothing dropped silently, imputed cells flagged."""

import numpy as np
import pandas as pd
import pytest

from citykit.impute import MissingDataError, handle_missing
from citykit.matrix import CityMatrix


def _matrix(seed=0, n=12):
    rng = np.random.default_rng(seed)        # SYNTHETIC test data
    frame = pd.DataFrame(rng.normal(50, 10, (n, 3)), columns=["a", "b", "c"],
                         index=[f"S{i}" for i in range(n)])
    frame.iloc[1, 0] = np.nan
    frame.iloc[2, 0] = np.nan
    frame.iloc[3, 1] = np.nan
    frame.iloc[:9, 2] = np.nan                   # c: only 3 of 12 values
    m = CityMatrix.from_frame(frame, ["max", "min", "max"])
    province = pd.Series(np.where(np.arange(n) % 2 == 0, "P1", "P2"), index=frame.index)
    return m.with_history("provinces", candidates=m.candidates.assign(province_code=province))


def test_none_refuses_and_lists_the_gaps():
    with pytest.raises(MissingDataError, match=r"12 missing cells in 3 criteria: c \(9\), a \(2\), "
                                               r"b \(1\)\. Choose a missing-data policy"):
        handle_missing(_matrix(), "none")


def test_drop_criteria_then_median():
    dropped = _matrix().drop_criteria(["c"], note="c dropped")
    with pytest.raises(MissingDataError, match=r"policy 'drop-criteria' left values missing: 3 "
                                               r"missing cells in 2 criteria"):
        handle_missing(_matrix(), "drop-criteria", min_coverage=0.5)
    filled, report = handle_missing(_matrix(), [{"policy": "drop-criteria", "min_coverage": 0.5},
                                                "median"])
    assert report.policy == "drop-criteria then median"
    assert report.dropped_criteria == ("c",)
    assert report.imputed_cells == 3
    assert filled.provenance.loc["S1", "a"] == "imputed-median"
    assert filled.values.loc["S1", "a"] == dropped.values["a"].median()


def test_drop_candidates_names_them():
    m = _matrix().drop_criteria(["c"], note="x")
    kept, report = handle_missing(m, "drop-candidates")
    assert report.dropped_candidates == ("S1", "S2", "S3")
    assert kept.shape[0] == 9


def test_knn_keeps_known_cells_and_flags_imputed():
    m = _matrix().drop_criteria(["c"], note="x")
    filled, report = handle_missing(m, "knn", k=3)
    known = m.values.notna()
    pd.testing.assert_frame_equal(filled.values[known], m.values[known])
    assert (filled.provenance.to_numpy()[~known.to_numpy()] == "imputed-knn").all()
    assert report.imputed_cells == 3


def test_province_mean():
    m = _matrix().drop_criteria(["c"], note="x")
    filled, _ = handle_missing(m, "province-mean")
    p2 = m.candidates.index[m.candidates["province_code"] == "P2"]
    assert filled.values.loc["S1", "a"] == pytest.approx(m.values.loc[p2, "a"].mean())


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"policy": "mean"}, r"unknown missing-data policy 'mean'; expected one of"),
    ({"policy": "knn", "k": 0}, r"k must be a positive integer, got 0"),
    ({"policy": "drop-criteria", "min_coverage": 80}, r"min_coverage must be a share"),
])
def test_bad_policies(kwargs, message):
    with pytest.raises(MissingDataError, match=message):
        handle_missing(_matrix(), **kwargs)


def test_complete_matrix_is_untouched(iran):
    m = CityMatrix.from_dataset(iran, indicators=["census_urban_share"])
    same, report = handle_missing(m, "none")
    assert same is m and report.missing_before == 0
