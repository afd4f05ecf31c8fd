"""Pair a variant's per-seed metric values with the base model's, seed by seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METRICS_COLUMNS = ("split", "seed", "variant", "metric", "value")


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
