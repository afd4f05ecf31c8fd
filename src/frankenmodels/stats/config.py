"""The `stats:` section of the workflow config, validated once into a frozen dataclass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from frankenmodels.vocabulary import TESTED_METRICS

DEFAULT_METRICS = TESTED_METRICS


@dataclass(frozen=True)
class SelectionConfig:
    """The honest selection protocol (issue 5).

    enabled: choose one variant of `family` by its mean improvement in `metric` on the
        "selection" split (carved from train), then test only that variant on "validation".
    """

    enabled: bool = False
    family: str = "duplicate"
    metric: str = "accuracy"


@dataclass(frozen=True)
class StatsConfig:
    """Parameters of the statistics stage.

    alpha: significance level of every one-sided test and of the Holm family-wise rate.
    focus_variant: the variant the paper is about (e.g. "dup6"); None means no focus.
    base_variant: the unmodified model every variant is compared with, paired by seed.
    metrics: which metrics of metrics.csv to test, in table order.
    bootstrap_resamples, bootstrap_seed, ci_level: the paired BCa bootstrap CI.
    power: the target power of the MDE and seeds-needed computations (e.g. 0.8).
    target_effect: the improvement to be detected, as a fraction (0.0056 = +0.56 points).
    """

    alpha: float = 0.05
    focus_variant: str | None = None
    base_variant: str = "base"
    metrics: tuple[str, ...] = DEFAULT_METRICS
    bootstrap_resamples: int = 9999
    bootstrap_seed: int = 0
    ci_level: float = 0.95
    power: float = 0.8
    target_effect: float = 0.0056
    selection: SelectionConfig = field(default_factory=SelectionConfig)

    def __post_init__(self) -> None:
        # Fail at the start of the rule, not after minutes of bootstrapping.
        for name in ("alpha", "ci_level", "power"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise ValueError(f"stats.{name} must lie strictly between 0 and 1, got {value!r}")
        if self.target_effect <= 0:
            raise ValueError(f"stats.target_effect must be > 0, got {self.target_effect!r}")
        if self.bootstrap_resamples < 1:
            raise ValueError("stats.bootstrap_resamples must be a positive integer")
        if not self.metrics:
            raise ValueError("stats.metrics must name at least one metric")
        if self.focus_variant == self.base_variant:
            raise ValueError("stats.focus_variant must differ from stats.base_variant")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | StatsConfig) -> StatsConfig:
        """Build from the config's `stats:` dict; unknown keys are an error (they are typos)."""
        if isinstance(mapping, StatsConfig):
            return mapping
        known = set(cls.__dataclass_fields__)
        unknown = set(mapping) - known
        if unknown:
            raise ValueError(f"unknown stats config keys {sorted(unknown)}; known: {sorted(known)}")
        kwargs: dict[str, Any] = dict(mapping)
        if "metrics" in kwargs:
            metrics = kwargs["metrics"]
            kwargs["metrics"] = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        for name, kind in (("alpha", float), ("ci_level", float), ("power", float)):
            if name in kwargs:
                kwargs[name] = kind(kwargs[name])
        if "target_effect" in kwargs:
            kwargs["target_effect"] = float(kwargs["target_effect"])
        for name in ("bootstrap_resamples", "bootstrap_seed"):
            if name in kwargs:
                kwargs[name] = int(kwargs[name])
        selection = kwargs.get("selection")
        if selection is None:
            kwargs["selection"] = SelectionConfig()
        elif not isinstance(selection, SelectionConfig):
            sel_known = set(SelectionConfig.__dataclass_fields__)
            sel_unknown = set(selection) - sel_known
            if sel_unknown:
                raise ValueError(f"unknown stats.selection keys {sorted(sel_unknown)}")
            sel = dict(selection)
            if "enabled" in sel:
                sel["enabled"] = bool(sel["enabled"])
            kwargs["selection"] = SelectionConfig(**sel)
        return cls(**kwargs)
