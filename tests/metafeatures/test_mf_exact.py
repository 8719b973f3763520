"""Exact values on tables small enough to check by hand.

Table ``TOY`` (4 rows): ``x = 1, 2, 3, 4`` (numeric), ``c = a, b, a, b``
(categorical), ``y = 0, 1, 0, 1``. So ``N = [x, c==a, c==b]`` (the first
categorical keeps all its levels), ``C = [c codes, x in int(4 ** (1/3)) = 1 bin]``,
and ``c`` predicts ``y`` perfectly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from autometa.metafeatures import SUMMARIES, extract_metafeatures
from autometa.metafeatures._shared import bin_codes, discretise, linear_quantiles_sorted
from autometa.metafeatures._summary import summarise
from autometa.metafeatures.statistical import _median_abs_dev_sorted

TOY = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "b"]})
TOY_Y = np.array([0, 1, 0, 1])


@pytest.fixture(scope="module")
def toy() -> pd.Series:
    return extract_metafeatures(TOY, TOY_Y, summary=["mean", "sd", "min", "max"])


def test_general_counts(toy: pd.Series) -> None:
    expected = {"nr_inst": 4, "nr_attr": 2, "nr_num": 1, "nr_cat": 1, "attr_to_inst": 0.5, "inst_to_attr": 2,
                "cat_to_num": 1, "num_to_cat": 1, "nr_bin": 1, "nr_class": 2, "freq_class.mean": 0.5,
                "freq_class.sd": 0.0, "missing_frac": 0.0, "inst_missing_frac": 0.0}
    assert toy[list(expected)].to_dict() == pytest.approx(expected, abs=0, rel=1e-15)


def test_statistical_by_hand(toy: pd.Series) -> None:
    # columns of N: x, (c == "a"), (c == "b")
    assert toy["mean.max"] == 2.5
    assert toy["mean.min"] == 0.5
    assert toy["min.min"] == 0.0 and toy["max.max"] == 4.0
    assert toy["range.max"] == 3.0
    assert toy["sd.max"] == pytest.approx(math.sqrt(5 / 3), rel=1e-15)
    assert toy["var.max"] == pytest.approx(5 / 3, rel=1e-15)
    assert toy["median.max"] == 2.5
    assert toy["iq_range.max"] == pytest.approx(1.5, rel=1e-15)  # 3.25 - 1.75
    # |cor|: x with each dummy 1/sqrt(5), the two dummies -1
    assert toy["cor.max"] == pytest.approx(1.0, rel=1e-15)
    assert toy["cor.min"] == pytest.approx(1 / math.sqrt(5), rel=1e-14)
    assert toy["cor.mean"] == pytest.approx((2 / math.sqrt(5) + 1) / 3, rel=1e-14)
    # kurtosis (e1071 type 3): (m4 / m2^2) (1 - 1/n)^2 - 3; x: 1.64 * 0.5625 - 3, the dummies 0.5625 - 3
    assert toy["kurtosis.max"] == pytest.approx(1.64 * 0.5625 - 3, rel=1e-14)
    assert toy["kurtosis.min"] == pytest.approx(0.5625 - 3, rel=1e-15)
    assert toy["skewness.max"] == pytest.approx(0.0, abs=1e-15)
    assert toy["t_mean.max"] == 2.5  # int(0.2 * 4) = 0 rows cut
    assert toy["nr_cor_attr"] == pytest.approx(1 / 3, rel=1e-15)  # one pair of three at >= 0.5
    # majority class 0 (first of the tied), minority 1: means (2, 1, 0) and (3, 0, 1)
    assert toy["gravity"] == pytest.approx(math.sqrt(3), rel=1e-15)
    assert toy["can_cor.max"] == pytest.approx(1.0, rel=1e-12)  # c separates the classes
    assert toy["nr_disc"] == 1


def test_info_theory_by_hand(toy: pd.Series) -> None:
    # c: one bit; x: a single bin (int(4 ** (1/3)) = 1), no entropy
    assert toy["attr_ent.max"] == pytest.approx(1.0, rel=1e-15)
    assert toy["attr_ent.min"] == 0.0
    assert toy["class_ent"] == pytest.approx(1.0, rel=1e-15)
    # c determines y: its joint entropy is one bit (plus pymfe's 1e-8 smoothing of empty cells)
    assert toy["joint_ent.max"] == pytest.approx(1.0, abs=1e-6)
    assert toy["mut_inf.max"] == pytest.approx(1.0, abs=1e-6)
    assert toy["mut_inf.min"] == pytest.approx(0.0, abs=1e-6)
    assert toy["eq_num_attr"] == pytest.approx(2.0, rel=1e-6)  # 2 attributes * 1 bit / 1 bit
    assert toy["ns_ratio"] == pytest.approx(0.0, abs=1e-6)


def test_model_based_by_hand(toy: pd.Series) -> None:
    # one split on a dummy of c, two pure leaves
    assert toy["leaves"] == 2 and toy["nodes"] == 1
    assert toy["tree_depth.mean"] == pytest.approx(2 / 3, rel=1e-15)
    assert toy["leaves_branch.mean"] == 1.0
    assert toy["leaves_corrob.mean"] == 0.5
    assert toy["tree_shape.mean"] == 0.5  # -0.5 * log2(0.5)
    assert toy["leaves_homo.mean"] == 4.0  # 2 leaves / 0.5
    assert toy["nodes_per_attr"] == pytest.approx(1 / 3, rel=1e-15)
    assert toy["nodes_per_inst"] == 0.25
    assert toy["var_importance.max"] == 1.0
    assert toy["leaves_per_class.mean"] == 0.5


def test_landmarking_on_a_separable_table() -> None:
    X = np.column_stack([np.repeat([0.0, 10.0], 20) + np.arange(40.0) % 3 / 10, np.arange(40.0) % 7])
    y = np.repeat([0, 1], 20)
    mf = extract_metafeatures(X, y, groups="landmarking")
    for name in ("best_node", "one_nn", "linear_discr", "naive_bayes", "elite_nn"):
        assert mf[f"{name}.mean"] == 1.0, name
        assert mf[f"{name}.sd"] == 0.0, name


def test_regression_target_statistics() -> None:
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    y = 2 * np.arange(10.0) + 1
    mf = extract_metafeatures(X, y, groups="statistical", kind="regression", summary=["max"])
    assert mf["target_mean"] == 10.0
    assert mf["target_sd"] == pytest.approx(2 * np.std(np.arange(10.0), ddof=1), rel=1e-15)
    assert mf["target_skewness"] == pytest.approx(0.0, abs=1e-15)
    assert mf["target_cor.max"] == pytest.approx(1.0, rel=1e-15)  # the constant column is NaN, left out


def test_quantiles_match_numpy_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 10, 101, 1000):
        A = np.sort(rng.normal(size=(n, 4)) * 10.0 ** rng.integers(-3, 4, size=4), axis=0)
        qs = np.linspace(0, 1, 8)
        assert np.array_equal(linear_quantiles_sorted(A, qs), np.quantile(A, qs, axis=0))


def test_discretisation_is_pymfes_rule() -> None:
    x = np.array([5.0, 1.0, 2.0, 2.0, 3.0, 8.0, 9.0, 4.0])  # int(8 ** (1/3)) = 1... in floating point
    codes, levels = discretise(x[:, None], np.sort(x)[:, None])
    n_bins = int(8 ** (1 / 3))
    edges = np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1)[1:]))
    assert levels[0] == edges.size
    assert np.array_equal(codes[:, 0], np.digitize(x, edges, right=True))
    # 1,000 rows give 9 bins: the cube root is taken in floating point
    big = np.arange(1000.0)
    _, levels = discretise(big[:, None], big[:, None])
    assert levels[0] == 9


@pytest.mark.parametrize("make", [
    lambda r: r.normal(size=5000), lambda r: np.exp(3 * r.normal(size=5000)), lambda r: r.integers(0, 5, 5000) * 1.0,
    lambda r: np.round(r.normal(size=5000), 1), lambda r: r.normal(size=5000) * 1e-300, lambda r: np.ones(5000),
    lambda r: np.r_[r.normal(size=4990), np.full(10, 1e12)],
])
def test_bin_codes_equal_a_binary_search(make: object) -> None:
    rng = np.random.default_rng(5)
    x = make(rng)  # type: ignore[operator]
    for n_edges in (1, 3, 17, 46):
        edges = np.unique(np.quantile(x, np.linspace(0, 1, n_edges + 1)[1:]))
        assert np.array_equal(bin_codes(x, edges, x.min(), x.max()), np.searchsorted(edges, x, side="left"))


def test_median_absolute_deviation_from_sorted_values() -> None:
    rng = np.random.default_rng(6)
    for n in range(1, 60):
        for x in (rng.normal(size=n), rng.integers(0, 3, n) * 1.0):
            med = np.median(x)
            assert _median_abs_dev_sorted(np.sort(x), med) == np.median(np.abs(x - med))


@pytest.mark.parametrize("values", [[1.0], [1.0, 2.0], [3.0, 1.0, 2.0, 10.0, -4.0], [2.0, 2.0, 2.0]])
def test_summaries(values: list[float]) -> None:
    v = np.array(values)
    out = dict(zip([n for s in SUMMARIES.values() for n in s.names("f")], summarise(v, list(SUMMARIES.values()))))
    assert out["f.mean"] == np.mean(v)
    assert out["f.min"] == v.min() and out["f.max"] == v.max()
    assert out["f.count"] == v.size
    assert [out[f"f.quantiles.{i}"] for i in range(5)] == list(np.quantile(v, [0, 0.25, 0.5, 0.75, 1]))
    assert sum(out[f"f.histogram.{i}"] for i in range(10)) == pytest.approx(1.0)
    if v.size > 1:
        assert out["f.sd"] == np.std(v, ddof=1)
    else:
        assert math.isnan(out["f.sd"])
    if np.ptp(v) == 0:
        assert math.isnan(out["f.skewness"]) and math.isnan(out["f.kurtosis"])


def test_summaries_ignore_nan() -> None:
    out = summarise(np.array([1.0, np.nan, 3.0]), [SUMMARIES["mean"], SUMMARIES["count"]])
    assert out == [2.0, 2.0]
    assert all(math.isnan(v) for v in summarise(np.array([np.nan]), [SUMMARIES["mean"], SUMMARIES["sd"]]))


def test_g_mean_and_h_mean_leave_out_columns_with_negative_values() -> None:
    # the documented difference from pymfe 0.4.4, which makes every summary NaN when one column has a negative
    # value (checked against it: g_mean.mean NaN there, 1.7561 on the two positive columns alone)
    pos = pd.DataFrame({"a": [1.0, 2.0, 4.0, 8.0], "b": [1.0, 1.0, 9.0, 9.0]})
    both = pos.assign(n=[-1.0, 0.5, 2.0, 3.0])
    y = np.array([0, 1, 0, 1])
    alone = extract_metafeatures(pos, y, groups="statistical", summary=["mean"])
    mixed = extract_metafeatures(both, y, groups="statistical", summary=["mean"])
    assert alone["g_mean.mean"] == pytest.approx((math.sqrt(math.sqrt(64)) + 3.0) / 2, rel=1e-12)
    assert alone["h_mean.mean"] == pytest.approx((4 / (1 + 1 / 2 + 1 / 4 + 1 / 8) + 4 / (2 + 2 / 9)) / 2, rel=1e-12)
    assert mixed["g_mean.mean"] == pytest.approx(alone["g_mean.mean"], rel=1e-12)
    assert mixed["h_mean.mean"] == pytest.approx(alone["h_mean.mean"], rel=1e-12)
    # a zero is not negative: it makes that column's means 0 (pymfe's rule too)
    zero = extract_metafeatures(pos.assign(z=[0.0, 1.0, 2.0, 3.0]), y, groups="statistical", summary=["mean"])
    assert zero["g_mean.mean"] == pytest.approx(2 * alone["g_mean.mean"] / 3, rel=1e-12)


def _canonical_correlations_50_digits(X: np.ndarray, y: np.ndarray) -> list[float]:
    """sqrt of the eigenvalues of Sxx^-1 Sxy Syy^-1 Syx in 50-digit arithmetic (the textbook formula: squaring the
    condition number costs nothing at that precision)."""
    import mpmath

    mpmath.mp.dps = 50
    n = len(y)
    Y = np.eye(int(y.max()) + 1)[y][:, 1:]
    xs = [[mpmath.mpf(float(v)) for v in row] for row in X]
    ys = [[mpmath.mpf(float(v)) for v in row] for row in Y]

    def centred(rows):
        cols = len(rows[0])
        means = [sum(r[j] for r in rows) / n for j in range(cols)]
        return mpmath.matrix([[r[j] - means[j] for j in range(cols)] for r in rows])

    Xc, Yc = centred(xs), centred(ys)
    Sxx, Syy, Sxy = Xc.T * Xc, Yc.T * Yc, Xc.T * Yc
    M = mpmath.inverse(Sxx) * Sxy * mpmath.inverse(Syy) * Sxy.T
    values = sorted((float(mpmath.re(v)) for v in mpmath.eig(M)[0]), reverse=True)
    return [math.sqrt(max(v, 0.0)) for v in values[: Y.shape[1]]]


def test_canonical_correlations_are_exact_on_near_collinear_data() -> None:
    """A fourth column within 1e-7 of x1 + x2: the correlation matrix's smallest eigenvalue is ~1e-14 of its largest
    (a fixed eigenvalue tolerance of 1e-10 dropped that direction and changed can_cor)."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    X = rng.normal(size=(120, 3)) + 0.5 * y[:, None]
    X = np.column_stack([X, X[:, 0] + X[:, 1] + 1e-7 * rng.normal(size=120)])
    expected = _canonical_correlations_50_digits(X, y)
    mf = extract_metafeatures(X, y, groups="statistical", summary=["max", "min"])
    assert mf["can_cor.max"] == pytest.approx(expected[0], rel=1e-9)
    assert mf["can_cor.min"] == pytest.approx(expected[1], rel=1e-9)
    assert mf["lh_trace"] == pytest.approx(sum(r**2 / (1 - r**2) for r in expected), rel=1e-8)


def test_canonical_correlations_on_exactly_dependent_columns_are_those_of_the_independent_ones() -> None:
    """x4 = x1 + x2 exactly: the direction is absent (rank 3, NumPy's matrix_rank rule), and the canonical
    correlations are those of the column space, i.e. of x1..x3 alone."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 40)
    X = rng.normal(size=(120, 3)) + 0.5 * y[:, None]
    expected = _canonical_correlations_50_digits(X, y)
    mf = extract_metafeatures(np.column_stack([X, X[:, 0] + X[:, 1]]), y, groups="statistical",
                              summary=["max", "min"])
    assert mf["can_cor.max"] == pytest.approx(expected[0], rel=1e-9)
    assert mf["can_cor.min"] == pytest.approx(expected[1], rel=1e-9)
