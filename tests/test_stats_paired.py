"""Paired one-sided statistics against scipy and hand-checked values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.stats as st

from frankenmodels.stats.paired import (
    effect_size_dz,
    paired_bootstrap_ci,
    paired_differences,
    paired_t_test,
    paired_wilcoxon,
    sign_counts,
    wilcoxon_min_p,
)

# Nine seeds of accuracies on an 872-example set (k / 872), shaped like the seed paper's.
BASE = np.array([803, 806, 801, 808, 805, 804, 807, 802, 806]) / 872
VARIANT = np.array([808, 809, 800, 812, 810, 803, 813, 806, 809]) / 872


def test_t_test_reproduces_scipy_ttest_rel_greater() -> None:
    res = paired_t_test(VARIANT, BASE)
    ref = st.ttest_rel(VARIANT, BASE, alternative="greater")
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)


def test_t_test_hand_checked() -> None:
    # d = [1, 2, 3]: mean 2, sd 1, t = 2 / (1 / sqrt 3); one-sided p = P(T_2 >= t).
    res = paired_t_test(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0]))
    assert res.statistic == pytest.approx(2 * np.sqrt(3))
    assert res.pvalue == pytest.approx(st.t.sf(2 * np.sqrt(3), df=2))
    assert res.pvalue < 0.05
    # The direction matters: swapping variant and base gives the complementary p.
    swapped = paired_t_test(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))
    assert swapped.pvalue == pytest.approx(1 - res.pvalue)


def test_t_test_all_differences_zero_is_nan_not_a_crash() -> None:
    res = paired_t_test(BASE, BASE.copy())
    assert np.isnan(res.statistic) and np.isnan(res.pvalue)


def test_t_test_constant_difference_ignores_float_residue() -> None:
    base = np.array([0.1, 0.2, 0.7, 0.33, 0.9])
    variant = base + 0.3  # float residue makes the SD ~1e-17: scipy would report t ~ 1e16
    res = paired_t_test(variant, base)
    assert res.statistic == np.inf and res.pvalue == 0.0
    worse = paired_t_test(base, variant)
    assert worse.statistic == -np.inf and worse.pvalue == 1.0


def test_t_test_two_seeds_and_one_seed() -> None:
    res = paired_t_test(np.array([0.93, 0.925]), np.array([0.92, 0.921]))
    ref = st.ttest_rel([0.93, 0.925], [0.92, 0.921], alternative="greater")
    assert res.pvalue == pytest.approx(ref.pvalue)
    assert np.isnan(paired_t_test(np.array([0.9]), np.array([0.8])).pvalue)


def test_t_test_vectorised_over_leading_axes_equals_row_by_row() -> None:
    rng = np.random.default_rng(0)
    base = np.round(rng.normal(0.92, 0.005, size=(6, 9)) * 872) / 872
    variant = np.round((base + rng.normal(0.003, 0.005, size=(6, 9))) * 872) / 872
    variant[1] = base[1]  # an all-zero row
    variant[2] = base[2] + 2 / 872  # a constant row
    res = paired_t_test(variant, base)
    rows = [paired_t_test(v, b) for v, b in zip(variant, base, strict=True)]
    np.testing.assert_allclose(res.pvalue, [r.pvalue for r in rows])
    np.testing.assert_allclose(res.statistic, [r.statistic for r in rows])
    assert np.isnan(res.pvalue[1]) and res.pvalue[2] == 0.0


def test_paired_differences_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError):
        paired_differences(np.ones(3), np.ones(4))


def test_wilcoxon_min_p_hand_checked() -> None:
    assert wilcoxon_min_p(5) == 1 / 32
    assert wilcoxon_min_p(4) == 1 / 16  # > 0.05: four seeds can never reject at alpha 0.05
    assert wilcoxon_min_p(9) == 1 / 512
    assert np.isnan(wilcoxon_min_p(0))


def test_wilcoxon_five_positive_seeds_reaches_exactly_one_32nd() -> None:
    res = paired_wilcoxon(np.array([1.0, 2, 3, 4, 5]), np.zeros(5))
    assert res.pvalue == pytest.approx(1 / 32)
    assert res.min_p == pytest.approx(1 / 32)
    assert res.statistic == 15 and res.method == "exact"


def test_wilcoxon_hand_checked_one_negative() -> None:
    # d = [1, -2, 3, 4, 5]: W+ = 13; sign patterns with W+ >= 13 are {1..5}, {2,3,4,5},
    # {1,3,4,5}: p = 3/32.
    res = paired_wilcoxon(np.array([1.0, -2, 3, 4, 5]), np.zeros(5))
    assert res.statistic == 13
    assert res.pvalue == pytest.approx(3 / 32)
    ref = st.wilcoxon([1.0, -2, 3, 4, 5], alternative="greater", method="exact")
    assert res.pvalue == pytest.approx(ref.pvalue)


def _brute_force_signed_rank_p(d: np.ndarray) -> float:
    """Enumerate all 2**n sign flips of the non-zero |d| (midranks for ties)."""
    nz = d[d != 0]
    ranks = st.rankdata(np.abs(nz))
    observed = ranks[nz > 0].sum()
    stats = [
        sum(r for r, s in zip(ranks, signs, strict=True) if s > 0)
        for signs in itertools.product((-1, 1), repeat=nz.size)
    ]
    return float(np.mean(np.array(stats) >= observed - 1e-9))


def test_wilcoxon_with_ties_and_zeros_is_exact_by_enumeration() -> None:
    # Accuracy differences are multiples of 1/872, so ties and zeros are the rule.
    d = np.array([2, 2, -1, 0, 3, 3, 5, -2, 0]) / 872
    res = paired_wilcoxon(d, np.zeros_like(d))
    assert res.method == "exact-ties"
    assert res.n_nonzero == 7
    assert res.min_p == pytest.approx(1 / 128)
    assert res.pvalue == pytest.approx(_brute_force_signed_rank_p(np.round(d, 12)))
    nz = np.round(d, 12)[d != 0]
    ref = st.wilcoxon(nz, alternative="greater", method=st.PermutationMethod(n_resamples=2**7))
    assert res.pvalue == pytest.approx(ref.pvalue)
    assert res.statistic == pytest.approx(ref.statistic)


def test_wilcoxon_with_ties_random_cases_match_enumeration() -> None:
    rng = np.random.default_rng(3)
    for _ in range(15):
        d = rng.integers(-3, 6, size=int(rng.integers(3, 10))) / 872  # ties and zeros
        if not np.any(d):
            continue
        res = paired_wilcoxon(d, np.zeros_like(d))
        assert res.pvalue == pytest.approx(_brute_force_signed_rank_p(np.round(d, 12)))


def test_wilcoxon_with_ties_all_positive_reaches_min_p() -> None:
    d = np.array([1, 1, 2, 2, 2, 3]) / 872
    res = paired_wilcoxon(d, np.zeros_like(d))
    assert res.method == "exact-ties" and res.pvalue == pytest.approx(1 / 64) == res.min_p


def test_wilcoxon_all_zero_is_undefined() -> None:
    res = paired_wilcoxon(BASE, BASE.copy())
    assert np.isnan(res.pvalue) and res.method == "undefined" and res.n_nonzero == 0


def test_bootstrap_ci_matches_scipy_bca_paired() -> None:
    ci = paired_bootstrap_ci(VARIANT, BASE, level=0.95, n_resamples=1999, seed=7)
    ref = st.bootstrap(
        (VARIANT, BASE),
        lambda a, b, axis=-1: np.mean(a - b, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=1999,
        method="BCa",
        rng=np.random.default_rng(7),
    )
    assert ci.method == "BCa"
    assert ci.low == pytest.approx(ref.confidence_interval.low)
    assert ci.high == pytest.approx(ref.confidence_interval.high)
    assert ci.low < np.mean(VARIANT - BASE) < ci.high


def test_bootstrap_is_seeded() -> None:
    a = paired_bootstrap_ci(VARIANT, BASE, n_resamples=999, seed=1)
    b = paired_bootstrap_ci(VARIANT, BASE, n_resamples=999, seed=1)
    c = paired_bootstrap_ci(VARIANT, BASE, n_resamples=999, seed=2)
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)


def test_bootstrap_all_differences_equal_is_degenerate_point() -> None:
    base = np.array([0.91, 0.92, 0.93, 0.90])
    ci = paired_bootstrap_ci(base + 0.004, base, n_resamples=999)
    assert ci.method == "degenerate"
    assert ci.low == pytest.approx(0.004) and ci.high == pytest.approx(0.004)
    zero = paired_bootstrap_ci(base, base.copy(), n_resamples=999)
    assert (zero.low, zero.high) == (0.0, 0.0)


def test_bootstrap_two_seeds_is_finite_and_one_seed_undefined() -> None:
    ci = paired_bootstrap_ci(np.array([0.93, 0.925]), np.array([0.92, 0.921]), n_resamples=999)
    assert np.isfinite(ci.low) and np.isfinite(ci.high) and ci.low <= ci.high
    one = paired_bootstrap_ci(np.array([0.93]), np.array([0.92]), n_resamples=999)
    assert one.method == "undefined" and np.isnan(one.low)


def test_effect_size_dz_hand_checked() -> None:
    assert effect_size_dz(np.array([1.0, 2.0, 3.0])) == pytest.approx(2.0)
    assert effect_size_dz(np.array([-1.0, -2.0, -3.0])) == pytest.approx(-2.0)
    assert np.isnan(effect_size_dz(np.zeros(4)))
    assert effect_size_dz(np.full(4, 0.01)) == np.inf
    assert np.isnan(effect_size_dz(np.array([1.0])))


def test_sign_counts() -> None:
    s = sign_counts(np.array([0.01, -0.002, 0.0, 0.003, 0.0]))
    assert (s.positive, s.negative, s.tied) == (2, 1, 2)
