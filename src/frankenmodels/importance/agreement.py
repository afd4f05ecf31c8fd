"""How well a per-layer signal ranks layers against their measured gains: Spearman rho.

The p-value is a permutation test of rho against the seed-mean gains (scipy's
``permutation_test``, pairings): exact over all n! orderings when n <= 8, else a seeded Monte
Carlo whose p counts the observed ordering, (k + 1) / (permutations + 1). It is two-sided unless
asked otherwise. The CI resamples seeds with replacement, recomputes the mean gain per layer and
rho, and takes percentiles (seeded; a resample in which all layers tie has no rho and is left
out, and counted): it shows how much the ranking of gains moves with the seeds, not the
uncertainty of the signal.

A study has one rho per model, over its layers, and few layers can show little. With n = 6 there
are 720 orderings: the smallest two-sided p is 2/720 ~ 0.003, and p < 0.05 needs rho >= 0.89
(five of six layers in the right place). With n = 12, p < 0.05 still needs |rho| >= 0.59. A
rho near 0.5 over 6 or 12 layers is therefore no evidence either way.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

EXACT_UP_TO = 8  # 8! = 40,320 orderings: enumerated in well under a second
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class Agreement:
    """Spearman rho of a signal against mean gains over ``n`` layers, with its tests."""

    rho: float
    p_value: float
    alternative: str  # "two-sided", "greater" (signal and gain rise together) or "less"
    exact: bool  # True: all n! orderings; False: ``permutations`` random ones
    permutations: int
    n: int
    ci_low: float  # percentile bootstrap over seeds; NaN with fewer than two seeds
    ci_high: float
    confidence: float
    seeds: int
    undefined_resamples: int = 0  # seed resamples with all layers tied: left out of the CI


def spearman(x, y, axis: int = -1) -> np.ndarray:
    """Spearman rho along ``axis`` (Pearson of average ranks), vectorised for scipy's resamplers."""
    ranked_x = stats.rankdata(x, axis=axis)
    ranked_y = stats.rankdata(y, axis=axis)
    ranked_x, ranked_y = np.broadcast_arrays(ranked_x, ranked_y)
    return stats.pearsonr(ranked_x, ranked_y, axis=axis).statistic


def rank_agreement(
    signal,
    gains,
    *,
    alternative: str = "two-sided",
    confidence: float = 0.95,
    resamples: int = 9999,
    permutations: int = 10_000,
    seed: int = 0,
) -> Agreement:
    """Agreement of ``signal`` (one value per layer) with ``gains`` (layers x seeds).

    With pandas inputs the rows of ``gains`` are matched to ``signal``'s index (the layers);
    otherwise both are in the same layer order.
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, not {alternative!r}")
    x, table = _aligned(signal, gains)
    n, seeds = table.shape
    if n < 3:
        raise ValueError(f"a rank correlation needs at least 3 layers, got {n}")
    mean_gain = table.mean(axis=1)
    rho = float(stats.spearmanr(x, mean_gain).statistic)

    exact = n <= EXACT_UP_TO
    used = math.factorial(n) if exact else permutations
    # One sample permuted against the fixed signal: n! orderings (permuting both would count each
    # pairing n! times over, and scipy would not call it exact).
    test = stats.permutation_test(
        (mean_gain,),
        lambda gain, axis: spearman(x, gain, axis=axis),
        permutation_type="pairings",
        vectorized=True,
        n_resamples=used,
        alternative=alternative,
        rng=np.random.default_rng(seed),
    )

    ci_low, ci_high, undefined = _seed_bootstrap(x, table, confidence, resamples, seed)

    return Agreement(
        rho=rho,
        p_value=float(test.pvalue),
        alternative=alternative,
        exact=exact,
        permutations=used,
        n=n,
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        seeds=seeds,
        undefined_resamples=undefined,
    )


def _seed_bootstrap(
    x: np.ndarray, table: np.ndarray, confidence: float, resamples: int, seed: int
) -> tuple[float, float, int]:
    """Percentile CI of rho over resampled seeds, and how many resamples left rho undefined.

    A resample whose mean gains tie across all layers (e.g. every drawn seed has the same
    predictions for every variant) has no rank correlation; it is left out rather than
    letting one NaN void the interval (scipy's bootstrap would), and counted.
    """
    seeds = table.shape[1]
    if seeds < 2:
        return math.nan, math.nan, 0
    columns = np.random.default_rng(seed).integers(0, seeds, size=(resamples, seeds))
    means = table[:, columns].mean(axis=-1).T  # (resamples, layers)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant inputs warn; they are counted below
        rhos = spearman(x, means, axis=-1)
    defined = rhos[np.isfinite(rhos)]
    if defined.size < resamples / 2:  # mostly ties: no interval worth printing
        return math.nan, math.nan, int(resamples - defined.size)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high), int(resamples - defined.size)


def _aligned(signal, gains) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(signal, pd.Series) and isinstance(gains, pd.DataFrame):
        missing = set(signal.index) ^ set(gains.index)
        if missing:
            raise ValueError(f"signal and gains disagree on layers {sorted(missing)}")
        gains = gains.loc[signal.index]
    x = np.asarray(signal, dtype=float)
    table = np.asarray(gains, dtype=float)
    if table.ndim == 1:
        table = table[:, None]
    if table.shape[0] != x.shape[0]:
        raise ValueError(f"{x.shape[0]} signal values for {table.shape[0]} layers of gains")
    return x, table


SIGNALS = ("block_influence", "angular_distance")
# A layer that changes its input more should cost more to delete (negative gain): "less".
# Whether it gains from a second pass is an open question: two-sided.
ACTIONS = {"delete": (-1, "less"), "duplicate": (1, "two-sided")}


def signal_agreement(
    per_seed: pd.DataFrame,
    gains: pd.DataFrame,
    *,
    confidence: float = 0.95,
    resamples: int = 9999,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each signal (mean over seeds) against the delete and duplicate gains of each layer.

    ``per_seed``: layer signals with a ``seed`` column (one table per fine-tuned seed);
    ``gains``: the per-seed gains of the multi-layer study (``layer, action, seed, gain``).
    Returns the per-layer signal means (with SD over seeds) and one agreement row per
    (signal, action).
    """
    grouped = per_seed.groupby("layer", sort=True)
    signals = grouped[list(SIGNALS)].mean()
    for name in SIGNALS:
        signals[f"{name}_sd"] = grouped[name].std(ddof=1)
    signals["seeds"] = grouped["seed"].nunique()
    signals["tokens"] = grouped["tokens"].max()  # per seed: every seed reads the same texts
    rows = []
    for action, (code, alternative) in ACTIONS.items():
        table = gains[gains["action"] == code].pivot(index="layer", columns="seed", values="gain")
        for name in SIGNALS:
            result = rank_agreement(
                signals[name],
                table,
                alternative=alternative,
                confidence=confidence,
                resamples=resamples,
                seed=seed,
            )
            rows.append({"signal": name, "action": action, **asdict(result)})
    return signals.reset_index(), pd.DataFrame(rows)
