"""Pair a variant's per-seed metric values with the base model's, seed by seed.

The one place where "variant minus base, per seed" is computed: the tests, the selection
protocol, the figures and the report's means all pair through `pair_by_seed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

METRICS_COLUMNS = ("split", "seed", "variant", "metric", "value")
# Metric values are ratios such as k/872; subtracting two floats can leave 1e-17 residues that
# make equal differences look distinct (spurious Wilcoxon ranks, a near-zero SD that blows up t).
DIFF_DECIMALS = 12


def paired_differences(variant: ArrayLike, base: ArrayLike) -> np.ndarray:
    """d = variant - base per seed (seeds on the last axis), rounded to DIFF_DECIMALS."""
    v = np.asarray(variant, dtype=float)
    b = np.asarray(base, dtype=float)
    if v.shape != b.shape or v.ndim == 0:
        raise ValueError(f"paired samples must have equal shapes, got {v.shape} and {b.shape}")
    return np.round(v - b, DIFF_DECIMALS)


@dataclass(frozen=True)
class PairedSample:
    """Values of one metric for one variant and the base, on the seeds both have.

    seeds: the common seeds, ascending. variant, base: values aligned with `seeds`.
    n_unpaired: seeds present for only one of the two (dropped, so the test stays paired).
    """

    seeds: np.ndarray
    variant: np.ndarray
    base: np.ndarray
    n_unpaired: int

    @property
    def n(self) -> int:
        return int(self.seeds.size)

    @property
    def differences(self) -> pd.Series:
        """variant - base per seed (index: seed), rounded as every test rounds it."""
        if not self.n:
            return pd.Series(dtype=float, index=pd.Index([], name="seed"))
        d = paired_differences(self.variant, self.base)
        return pd.Series(d, index=pd.Index(self.seeds, name="seed"))


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    """Raise a clear error when an input file lacks a contract column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; see docs/CONTRACTS.md")


def seed_values(metrics: pd.DataFrame, *, split: str, variant: str, metric: str) -> pd.Series:
    """The metric's value per seed (index: seed) for one variant on one split."""
    rows = metrics[
        (metrics["split"] == split)
        & (metrics["variant"] == variant)
        & (metrics["metric"] == metric)
    ]
    if rows["seed"].duplicated().any():
        raise ValueError(f"metrics.csv has duplicate seeds for {split}/{variant}/{metric}")
    return rows.set_index("seed")["value"].astype(float).sort_index()


def pair_by_seed(
    metrics: pd.DataFrame, *, split: str, variant: str, base: str, metric: str
) -> PairedSample:
    """Inner-join the variant's and the base's values on seed (a missing seed drops the pair)."""
    v = seed_values(metrics, split=split, variant=variant, metric=metric)
    b = seed_values(metrics, split=split, variant=base, metric=metric)
    common = v.index.intersection(b.index).sort_values()
    n_unpaired = len(v.index.symmetric_difference(b.index))
    return PairedSample(
        seeds=np.asarray(common),
        variant=v.loc[common].to_numpy(dtype=float),
        base=b.loc[common].to_numpy(dtype=float),
        n_unpaired=int(n_unpaired),
    )


def seed_differences(
    metrics: pd.DataFrame, *, split: str, variant: str, base: str, metric: str
) -> pd.Series:
    """variant - base per seed on the seeds both have (empty when either has none)."""
    return pair_by_seed(metrics, split=split, variant=variant, base=base, metric=metric).differences
