"""Paired, one-sided comparisons of a variant with the base over seeds.

Every difference is ``d = variant - base`` for the same seed, so d > 0 means the variant is
better. Every test is one-sided with H1: the variant improves on the base (mean or location of
d > 0), matching the seed paper's analysis.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.stats as st
from numpy.typing import ArrayLike

from frankenmodels.stats.pairing import paired_differences


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


@dataclass(frozen=True)
class TTestResult:
    """One-sided paired t-test, H1: mean(variant - base) > 0. NaN when undefined.

    Floats for 1-D input; arrays (one value per row) when seeds are the last of several axes.
    """

    statistic: float | np.ndarray
    pvalue: float | np.ndarray


def paired_t_test(variant: ArrayLike, base: ArrayLike) -> TTestResult:
    """The seed paper's test: ``scipy.stats.ttest_rel(variant, base, alternative='greater')``.

    Seeds lie on the last axis; leading axes are independent comparisons (vectorised, which
    the simulation tests rely on). Degenerate cases are decided on the rounded differences,
    not left to float residue: fewer than 2 seeds or all differences zero -> NaN (undefined;
    not significant); all differences equal and non-zero -> t = +/-inf and p = 0 or 1, the
    limit scipy reports for an exactly constant difference.
    """
    v = np.asarray(variant, dtype=float)
    b = np.asarray(base, dtype=float)
    d = paired_differences(v, b)
    if d.shape[-1] < 2:
        nan = np.full(d.shape[:-1], np.nan)
        return TTestResult(_scalar_or_array(nan), _scalar_or_array(nan.copy()))
    with warnings.catch_warnings():
        # Constant rows warn about precision loss; they are overwritten just below.
        warnings.simplefilter("ignore", RuntimeWarning)
        res = st.ttest_rel(v, b, axis=-1, alternative="greater")
    t = np.asarray(res.statistic, dtype=float)
    p = np.asarray(res.pvalue, dtype=float)
    first = d[..., 0]
    constant = np.all(d == first[..., None], axis=-1)
    sign = np.sign(first)
    with np.errstate(invalid="ignore"):
        t = np.where(constant, np.where(sign == 0, np.nan, sign * np.inf), t)
    p = np.where(constant, np.select([sign > 0, sign < 0], [0.0, 1.0], np.nan), p)
    return TTestResult(_scalar_or_array(t), _scalar_or_array(p))


def wilcoxon_min_p(n_nonzero: int) -> float:
    """Smallest one-sided p the signed-rank test can reach with n non-zero differences.

    Only the sign pattern "all positive" attains it, so it is 2**-n (n = 5 -> 1/32). When it
    exceeds alpha the test cannot reject whatever the data (n <= 4 at alpha = 0.05).
    """
    return float(0.5 ** int(n_nonzero)) if n_nonzero > 0 else np.nan


@dataclass(frozen=True)
class WilcoxonResult:
    """One-sided signed-rank test, H1: d is shifted above zero.

    statistic: W+, the sum of the ranks of |d| over the positive differences (zeros dropped,
        Wilcoxon's convention). pvalue: exact one-sided p. min_p: wilcoxon_min_p(n_nonzero).
    method: "exact" (no ties: scipy's exact null distribution), "exact-ties" (tied |d|: the exact
        sign-flip distribution of the observed midranks), or "undefined" (all d zero).
    """

    statistic: float
    pvalue: float
    min_p: float
    n_nonzero: int
    method: str


def _signed_rank_sf_with_ties(nz: np.ndarray) -> tuple[float, float]:
    """W+ and P(W+ >= observed) over all 2**n equally likely sign flips of the midranks.

    Midranks are multiples of 1/2, so doubled they are integers and the null distribution is a
    subset-sum count (dynamic programming): exact, and fast for any number of seeds, unlike
    scipy's permutation fallback, which calls the statistic once per sign pattern.
    """
    ranks2 = np.rint(2 * st.rankdata(np.abs(nz))).astype(np.int64)
    observed2 = int(ranks2[nz > 0].sum())
    counts = np.zeros(int(ranks2.sum()) + 1)
    counts[0] = 1.0
    for r in ranks2:
        shifted = np.zeros_like(counts)
        shifted[r:] = counts[:-r]
        counts += shifted
    return observed2 / 2, float(counts[observed2:].sum() / 2.0**nz.size)


def paired_wilcoxon(variant: np.ndarray, base: np.ndarray) -> WilcoxonResult:
    """Exact one-sided Wilcoxon signed-rank test of the paired differences (1-D, per seed)."""
    d = paired_differences(variant, base)
    nz = d[d != 0]
    n = int(nz.size)
    if n == 0:
        return WilcoxonResult(np.nan, np.nan, np.nan, 0, "undefined")
    # scipy's method="exact" is only exact without ties; accuracy differences (multiples of
    # 1/n_examples) tie often, and then we count sign flips of the midranks ourselves.
    if np.unique(np.abs(nz)).size == n:
        res = st.wilcoxon(nz, alternative="greater", method="exact")
        statistic, pvalue, label = float(res.statistic), float(res.pvalue), "exact"
    else:
        statistic, pvalue = _signed_rank_sf_with_ties(nz)
        label = "exact-ties"
    return WilcoxonResult(statistic, pvalue, wilcoxon_min_p(n), n, label)


@dataclass(frozen=True)
class BootstrapCI:
    """Two-sided CI of mean(variant - base) from a seeded paired bootstrap over seeds.

    method: "BCa"; "percentile" when BCa is numerically undefined (e.g. very few distinct
    resample means); "degenerate" when all differences are equal (CI = [d, d]);
    "undefined" with fewer than 2 seeds (NaN bounds).
    """

    low: float
    high: float
    level: float
    method: str


def _mean_difference(variant: np.ndarray, base: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(variant - base, axis=axis)


def paired_bootstrap_ci(
    variant: np.ndarray,
    base: np.ndarray,
    *,
    level: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
) -> BootstrapCI:
    """BCa CI via ``scipy.stats.bootstrap(paired=True)``: seeds (1-D) are resampled as pairs."""
    d = paired_differences(variant, base)
    if d.size < 2:
        return BootstrapCI(np.nan, np.nan, level, "undefined")
    if np.all(d == d[0]):
        # Every resample has the same mean; scipy's BCa would return NaN with a warning.
        return BootstrapCI(float(d[0]), float(d[0]), level, "degenerate")
    data = (np.asarray(variant, float), np.asarray(base, float))
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", st.DegenerateDataWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            res = st.bootstrap(
                data,
                _mean_difference,
                paired=True,
                vectorized=True,
                n_resamples=n_resamples,
                confidence_level=level,
                method=method,
                rng=np.random.default_rng(seed),  # same seed per cell: order-independent output
            )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        if np.isfinite(low) and np.isfinite(high):
            return BootstrapCI(low, high, level, method)
    return BootstrapCI(np.nan, np.nan, level, "undefined")


def effect_size_dz(d: np.ndarray) -> float:
    """Cohen's d_z = mean(d) / sd(d) (ddof=1): the standardised paired improvement.

    NaN with < 2 seeds or when all d are zero; +/-inf when all d are equal and non-zero.
    """
    d = np.asarray(d, dtype=float)
    if d.size < 2:
        return np.nan
    mean, sd = float(np.mean(d)), float(np.std(d, ddof=1))
    if sd == 0:
        return np.nan if mean == 0 else float(np.sign(mean) * np.inf)
    return mean / sd


@dataclass(frozen=True)
class SignCounts:
    """How many seeds the variant beat (positive), lost to (negative) or tied the base."""

    positive: int
    negative: int
    tied: int


def sign_counts(d: np.ndarray) -> SignCounts:
    """Count seeds by the sign of d = variant - base."""
    d = np.asarray(d, dtype=float)
    return SignCounts(int(np.sum(d > 0)), int(np.sum(d < 0)), int(np.sum(d == 0)))
