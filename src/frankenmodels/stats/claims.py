"""The paper's claims, typed: what tests.csv and selection.json say about the focus variant,
the layer sweep and the selection protocol.

Every value is a plain bool/int/float/str or None, where None means "undefined or not
applicable" (never NaN). Differences are fractions (0.0056 = 0.56 points) of d = variant -
base per seed, and every test is one-sided (H1: the variant is better).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def _plain(value: Any) -> Any:
    """numpy/pandas scalars -> Python; NaN/NA -> None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def _count(value: Any) -> int | None:
    """A count read back from CSV may be a float (its column had gaps): make it an int."""
    value = _plain(value)
    return None if value is None else int(value)


def as_bool(value: Any) -> bool:
    """CSV booleans arrive as bool, "True"/"False" strings, or NaN (= False)."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    value = _plain(value)
    return bool(value) if value is not None else False


@dataclass(frozen=True)
class Test:
    """One row of tests.csv (see docs/CONTRACTS.md), as the prose reads it."""

    variant: str
    metric: str
    n_seeds: int | None
    family_size: int | None  # how many variants Holm spans
    mean_diff: float | None
    sd_diff: float | None
    ci_low: float | None  # paired BCa bootstrap interval of mean_diff
    ci_high: float | None
    ci_level: float | None
    d_z: float | None
    t_p: float | None  # the seed paper's one-sided paired t-test
    t_p_holm: float | None  # Holm-adjusted across the variant's family
    wilcoxon_p: float | None  # exact one-sided signed-rank test
    significant: bool  # t_p <= alpha, uncorrected: the seed paper's claim
    significant_holm: bool  # does the claim survive the sweep?
    seeds_positive: int | None
    seeds_negative: int | None
    mcnemar_seeds: int | None  # seeds with paired predictions (accuracy rows only)
    mcnemar_seeds_significant: int | None  # of those, exact McNemar p <= alpha (either way)
    mcnemar_seeds_better: int | None  # of those, seeds where the variant is the better one
    mde: float | None  # minimum detectable mean improvement at alpha, n_seeds, sd_diff
    seeds_needed: int | None  # seeds to detect target_effect with the nominal power
    power: float | None  # the nominal power of mde and seeds_needed (0.8)
    power_at_target: float | None  # this design's power against target_effect
    target_effect: float | None  # the effect the power analysis targets (0.0056)

    @classmethod
    def from_row(cls, row: pd.Series) -> Test:
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = row.get(f.name)
            if f.type == "bool":
                values[f.name] = as_bool(raw)
            elif f.type == "int | None":
                values[f.name] = _count(raw)
            else:
                values[f.name] = _plain(raw)
        return cls(**values)

    @property
    def ci_excludes_zero(self) -> bool:
        return (self.ci_low or 0.0) > 0 or (self.ci_high or 0.0) < 0

    @property
    def wilcoxon_min_p(self) -> float | None:
        """The smallest one-sided signed-rank p any data can give with n_seeds seeds."""
        return 0.5**self.n_seeds if self.n_seeds else None

    @property
    def underpowered(self) -> bool | None:
        """mde > target_effect; None when undefined (e.g. the differences do not vary)."""
        if self.mde is None or self.target_effect is None:
            return None
        return self.mde > self.target_effect


@dataclass(frozen=True)
class Claims:
    """Numbers and yes/no answers for the paper's sentences, from tests.csv and selection.json.

    `metric` is the metric of the sweep and of the selection protocol: "best" and "selected"
    are judged on it. `focus` holds every tested metric, so the headline may be another one.
    """

    alpha: float
    metric: str
    focus_variant: str | None
    focus: dict[str, Test]  # the focus variant's original-protocol test, by metric
    n_variants: int  # variants tested under the original protocol
    n_significant: int  # of those, significant on `metric` by the uncorrected t-test
    n_significant_holm: int  # of those, significant on `metric` after Holm within family
    best: Test | None  # the largest mean improvement on `metric`, chosen after looking
    selection_enabled: bool  # the honest protocol ran and chose a variant
    selected_variant: str | None  # chosen on the selection split
    selected: Test | None  # its single, pre-specified test on validation

    @property
    def selected_is_focus(self) -> bool | None:
        return (
            None if self.selected_variant is None else self.selected_variant == self.focus_variant
        )

    def wilcoxon_can_reject(self, metric: str) -> bool | None:
        """Can the signed-rank test reach alpha at all with the focus variant's seeds?"""
        test = self.focus.get(metric)
        low = None if test is None else test.wilcoxon_min_p
        return None if low is None else low <= self.alpha

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def summarise_claims(
    tests: pd.DataFrame, selection: dict[str, Any], alpha: float, *, metric: str = "accuracy"
) -> Claims:
    """The claims of tests.csv rows (the focus rows marked by its `focus` column)."""
    original = tests[tests["protocol"] == "original"]
    on_metric = original[original["metric"] == metric]
    # A tests.csv without a `focus` column (contract columns only) has no focus variant.
    focus_rows = original[original["focus"].map(as_bool)] if "focus" in original else original[:0]
    focus = {str(row["metric"]): Test.from_row(row) for _, row in focus_rows.iterrows()}

    ranked = on_metric.dropna(subset=["mean_diff"])
    best = None if ranked.empty else Test.from_row(ranked.loc[ranked["mean_diff"].idxmax()])

    chosen = selection.get("chosen") if selection.get("enabled") else None
    sel_rows = tests[
        (tests["protocol"] == "selected")
        & (tests["variant"] == chosen)
        & (tests["metric"] == metric)
    ]
    return Claims(
        alpha=float(alpha),
        metric=metric,
        focus_variant=None if focus_rows.empty else str(focus_rows["variant"].iloc[0]),
        focus=focus,
        n_variants=int(original["variant"].nunique()),
        n_significant=int(on_metric["significant"].map(as_bool).sum()),
        n_significant_holm=int(on_metric["significant_holm"].map(as_bool).sum()),
        best=best,
        selection_enabled=chosen is not None,
        selected_variant=chosen,
        selected=None if chosen is None or sel_rows.empty else Test.from_row(sel_rows.iloc[0]),
    )
