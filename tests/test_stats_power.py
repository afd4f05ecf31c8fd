"""Power of the one-sided paired t-test: checked against the noncentral t directly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
from statsmodels.stats.power import TTestPower

from frankenmodels.stats.power import minimum_detectable_effect, power_at, seeds_needed


def _nct_power(effect: float, sd: float, n: int, alpha: float) -> float:
    """Independent formula: P(T > t_{1-alpha, n-1}) with T ~ nct(n-1, sqrt(n) * effect / sd)."""
    return float(st.nct.sf(st.t.ppf(1 - alpha, n - 1), n - 1, np.sqrt(n) * effect / sd))


def test_power_at_matches_noncentral_t() -> None:
    assert power_at(0.0056, 0.005, 9, 0.05) == pytest.approx(_nct_power(0.0056, 0.005, 9, 0.05))
    assert power_at(0.0, 0.005, 9, 0.05) == pytest.approx(0.05)  # no effect: power = size


def test_mde_has_the_nominal_power() -> None:
    mde = minimum_detectable_effect(0.005, 9, 0.05, 0.8)
    assert _nct_power(mde, 0.005, 9, 0.05) == pytest.approx(0.8, abs=1e-6)
    es = TTestPower().solve_power(nobs=9, alpha=0.05, power=0.8, alternative="larger")
    assert mde == pytest.approx(es * 0.005)
    # More seeds -> smaller detectable effect; two seeds still give a (large) answer.
    assert minimum_detectable_effect(0.005, 20, 0.05, 0.8) < mde
    assert minimum_detectable_effect(0.005, 2, 0.05, 0.8) > 5 * mde


def test_seeds_needed_is_the_smallest_sufficient_integer() -> None:
    # d_z = 1, one-sided alpha 0.05, power 0.8: 8 seeds (power 0.815; 7 seeds give 0.754).
    assert seeds_needed(0.005, 0.005, 0.05, 0.8) == 8
    for target, sd in ((0.0056, 0.005), (0.0056, 0.01), (0.001, 0.005), (0.05, 0.005)):
        n = int(seeds_needed(target, sd, 0.05, 0.8))
        assert n >= 2
        assert _nct_power(target, sd, n, 0.05) >= 0.8
        if n > 2:
            assert _nct_power(target, sd, n - 1, 0.05) < 0.8


def test_degenerate_inputs_are_nan() -> None:
    assert np.isnan(minimum_detectable_effect(0.0, 9, 0.05, 0.8))
    assert np.isnan(minimum_detectable_effect(np.nan, 9, 0.05, 0.8))
    assert np.isnan(minimum_detectable_effect(0.005, 1, 0.05, 0.8))
    assert np.isnan(seeds_needed(0.0056, 0.0, 0.05, 0.8))
    assert np.isnan(power_at(0.0056, 0.0, 9, 0.05))
