"""Simulations: the tests reject at the rates theory says (fixed RNG seeds, small R).

Tolerances are binomial: an empirical rate over R replicates has SD sqrt(p (1 - p) / R); we
allow 4 SD (a false failure about once in 16 000 runs, and the seeds are fixed anyway).
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from statsmodels.stats.power import TTestPower

from frankenmodels.stats.multiplicity import holm
from frankenmodels.stats.paired import paired_bootstrap_ci, paired_t_test, paired_wilcoxon
from frankenmodels.stats.power import minimum_detectable_effect

ALPHA = 0.05
N_SEEDS = 9
SD = 0.005  # seed-to-seed SD of accuracy differences: about the paper's claimed gain


@pytest.fixture(autouse=True)
def _no_gc_collect_in_holm(monkeypatch: pytest.MonkeyPatch) -> None:
    # statsmodels' Holm branch calls gc.collect() on every call (~0.1 s in a large process);
    # it does not touch the result, and a thousand replicates would otherwise take minutes.
    monkeypatch.setattr(gc, "collect", lambda *args, **kwargs: 0)


def _tol(p: float, reps: int) -> float:
    return 4 * np.sqrt(p * (1 - p) / reps)


def _rejection_rate(effect: float, n: int, reps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    base = rng.normal(0.92, 0.005, size=(reps, n))
    variant = base + effect + rng.normal(0, SD, size=(reps, n))
    return float(np.mean(paired_t_test(variant, base).pvalue <= ALPHA))


@pytest.mark.parametrize("d_z", [0.0, 0.6, 1.0])
def test_t_test_rejection_rate_matches_ttestpower(d_z: float) -> None:
    reps = 2000
    theory = TTestPower().power(effect_size=d_z, nobs=N_SEEDS, alpha=ALPHA, alternative="larger")
    empirical = _rejection_rate(d_z * SD, N_SEEDS, reps, seed=int(100 * d_z) + 1)
    # A two-sided test would sit ~0.15 lower at d_z = 0.6; a wrong sign near 0.
    assert empirical == pytest.approx(theory, abs=_tol(theory, reps))


def test_mde_is_detected_with_the_nominal_power() -> None:
    reps = 2000
    mde = minimum_detectable_effect(SD, N_SEEDS, ALPHA, 0.8)
    assert _rejection_rate(mde, N_SEEDS, reps, seed=11) == pytest.approx(0.8, abs=_tol(0.8, reps))


def _sweep_pvalues(reps: int, n_variants: int, effects: np.ndarray, seed: int) -> np.ndarray:
    """p-values (reps x variants) of a layer sweep sharing one base model per seed.

    Each variant's accuracy = seed effect + its own noise; all are compared with the same base
    run, so the tests of one sweep are positively correlated, as in the real workflow.
    """
    rng = np.random.default_rng(seed)
    seed_effect = rng.normal(0.92, 0.004, size=(reps, 1, N_SEEDS))
    noise_sd = SD / np.sqrt(2)  # so that a difference has SD `SD`
    base = seed_effect[:, 0, :] + rng.normal(0, noise_sd, size=(reps, N_SEEDS))
    variants = seed_effect + effects[None, :, None]
    variants = variants + rng.normal(0, noise_sd, size=(reps, n_variants, N_SEEDS))
    return paired_t_test(variants, np.broadcast_to(base[:, None, :], variants.shape)).pvalue


def test_holm_controls_family_wise_error_under_the_null() -> None:
    reps, m = 1000, 12
    p = _sweep_pvalues(reps, m, np.zeros(m), seed=3)
    holm_fwer = np.mean([np.any(holm(row) <= ALPHA) for row in p])
    raw_fwer = np.mean(np.any(p <= ALPHA, axis=1))
    assert holm_fwer <= ALPHA + _tol(ALPHA, reps)
    # The check can fail: without correction twelve layers give a far higher rate.
    assert raw_fwer > 0.2


def test_holm_keeps_power_for_one_real_effect() -> None:
    reps, m = 400, 12
    effects = np.zeros(m)
    effects[6] = 2.0 * SD  # d_z = 2: a genuinely large improvement of one layer
    p = _sweep_pvalues(reps, m, effects, seed=4)
    adjusted = np.array([holm(row) for row in p])
    assert np.mean(adjusted[:, 6] <= ALPHA) > 0.8
    assert np.mean(np.any(np.delete(adjusted, 6, axis=1) <= ALPHA, axis=1)) <= ALPHA + _tol(
        ALPHA, reps
    )


def test_selecting_on_validation_inflates_false_positives_but_honest_selection_does_not() -> None:
    reps, m = 1000, 12
    p_val = _sweep_pvalues(reps, m, np.zeros(m), seed=5)
    # A selection split independent of validation: choose by its own one-sided p (same order as
    # by mean improvement only when SDs are equal, so use independent draws of the mean instead).
    rng = np.random.default_rng(6)
    selection_means = rng.normal(0, SD, size=(reps, m))
    honest = p_val[np.arange(reps), np.argmax(selection_means, axis=1)]
    peeked = p_val.min(axis=1)  # the paper: choose the best-looking layer on validation
    assert np.mean(honest <= ALPHA) <= ALPHA + _tol(ALPHA, reps)
    assert np.mean(peeked <= ALPHA) > 0.2


def test_exact_wilcoxon_is_never_liberal_and_cannot_reject_with_four_seeds() -> None:
    reps = 600
    rng = np.random.default_rng(7)
    d = rng.normal(0, SD, size=(reps, N_SEEDS))
    p = np.array([paired_wilcoxon(row, np.zeros(N_SEEDS)).pvalue for row in d])
    assert np.mean(p <= ALPHA) <= ALPHA + _tol(ALPHA, reps)
    assert np.mean(p <= ALPHA) > 0.01  # not trivially conservative either
    d4 = rng.normal(3 * SD, SD, size=(200, 4))  # a huge effect, but 4 seeds: min p = 1/16
    assert all(paired_wilcoxon(row, np.zeros(4)).pvalue > ALPHA for row in d4)


def test_bca_interval_covers_the_true_mean_improvement() -> None:
    reps, effect = 200, 0.003
    rng = np.random.default_rng(8)
    base = rng.normal(0.92, 0.005, size=(reps, N_SEEDS))
    variant = base + effect + rng.normal(0, SD, size=(reps, N_SEEDS))
    covered = []
    for v, b in zip(variant, base, strict=True):
        ci = paired_bootstrap_ci(v, b, level=0.95, n_resamples=999, seed=0)
        covered.append(ci.low <= effect <= ci.high)
    # BCa under-covers somewhat with 9 seeds (about 0.91 for normal data); a wrong sign or a
    # wrong level would push this far outside.
    assert 0.85 <= np.mean(covered) <= 0.99
