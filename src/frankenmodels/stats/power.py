"""Power of the one-sided paired t-test over seeds (statsmodels TTestPower).

A paired t-test is a one-sample t-test on d = variant - base, so the standardised effect is
d_z = delta / sd_diff. All functions use alternative="larger" (H1: the variant improves).
The SD is the one observed over the seeds at hand: an estimate, itself noisy with few seeds.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import norm
from statsmodels.stats.power import TTestPower
from statsmodels.tools.sm_exceptions import ConvergenceWarning

_POWER = TTestPower()
_MAX_SEEDS = 10**7  # beyond this the answer is "practically never"; report NaN


def _usable(sd_diff: float) -> bool:
    return bool(np.isfinite(sd_diff) and sd_diff > 0)


def power_at(effect: float, sd_diff: float, n: int, alpha: float) -> float:
    """Probability that the one-sided paired t-test at `alpha` with `n` seeds rejects when the
    true mean improvement is `effect` and the SD of the differences is `sd_diff`."""
    if n < 2 or not _usable(sd_diff):
        return np.nan
    return float(
        _POWER.power(effect_size=effect / sd_diff, nobs=n, alpha=alpha, alternative="larger")
    )


def minimum_detectable_effect(sd_diff: float, n: int, alpha: float, power: float) -> float:
    """Smallest true mean improvement (same units as the metric) that the one-sided paired
    t-test with `n` seeds detects with probability `power` at level `alpha`."""
    if n < 2 or not _usable(sd_diff):
        return np.nan
    es = _POWER.solve_power(nobs=n, alpha=alpha, power=power, alternative="larger")
    return float(es) * sd_diff


def seeds_needed(target_effect: float, sd_diff: float, alpha: float, power: float) -> float:
    """Smallest number of seeds (>= 2) at which the one-sided paired t-test reaches `power` for
    a true improvement `target_effect`, given `sd_diff`. NaN when sd_diff is 0 or unknown."""
    if not _usable(sd_diff) or target_effect <= 0:
        return np.nan
    es = target_effect / sd_diff
    try:
        with warnings.catch_warnings():
            # The root finder can fail (tiny or huge effects); we fall back below.
            warnings.simplefilter("ignore", ConvergenceWarning)
            guess = float(
                _POWER.solve_power(effect_size=es, alpha=alpha, power=power, alternative="larger")
            )
    except (ValueError, RuntimeError, ArithmeticError):
        guess = np.nan
    if not np.isfinite(guess):  # normal approximation, refined to the t below
        guess = ((norm.ppf(1 - alpha) + norm.ppf(power)) / es) ** 2
    if guess > _MAX_SEEDS:
        return np.nan

    def reaches(k: int) -> bool:
        return _POWER.power(effect_size=es, nobs=k, alpha=alpha, alternative="larger") >= power

    # solve_power returns a real number; step to the smallest integer that really reaches it.
    n = max(2, math.ceil(guess - 1e-9))
    while not reaches(n):
        n += 1
    while n > 2 and reaches(n - 1):
        n -= 1
    return float(n)
