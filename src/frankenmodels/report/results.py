"""The lookups that the section modules and the tables share, over the parsed inputs.

`Study` says who is compared with whom; `Results` answers questions about the results
(means over seeds, a test's row, the sweep, the claims), each computed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from frankenmodels.report.inputs import Inputs, require
from frankenmodels.report.settings import STUDY_KEYS, Settings
from frankenmodels.stats.claims import Claims, summarise_claims
from frankenmodels.stats.pairing import seed_differences
from frankenmodels.vocabulary import HEADLINE, metric_order

VALIDATION = "validation"


@dataclass(frozen=True)
class Study:
    """Who is compared with whom, from the rule's params and the variant table."""

    base: str
    focus: str
    alpha: float
    family: str  # the focus variant's family, e.g. "duplicate": the layer sweep
    sweep_metric: str  # the metric of the sweep and of the selection protocol
    tested_metrics: tuple[str, ...]  # metrics with an "original" test of the focus variant

    @classmethod
    def from_inputs(cls, inp: Inputs) -> Study:
        settings = Settings(inp.settings, STUDY_KEYS, "report.results.Study")
        focus = str(settings["stats.focus_variant"])
        require(inp.variants, ("variant", "family", "layer", "depth"), "variants.csv")
        require(inp.tests, ("protocol", "variant", "metric", "family"), "tests.csv")
        fam = inp.variants.loc[inp.variants["variant"] == focus, "family"]
        if fam.empty:
            raise KeyError(f"the focus variant {focus!r} is not in variants.csv")
        t = inp.tests
        on_focus = t[(t["protocol"] == "original") & (t["variant"] == focus)]
        tested = sorted(set(on_focus["metric"]), key=metric_order)
        if HEADLINE not in tested:
            raise KeyError(f"tests.csv has no 'original' {HEADLINE} row for {focus!r}")
        return cls(
            base=str(settings["stats.base_variant"]),
            focus=focus,
            alpha=float(settings["stats.alpha"]),
            family=str(fam.iloc[0]),
            sweep_metric=str(settings["stats.selection.metric"]),
            tested_metrics=tuple(tested),
        )


class Results:
    """The parsed inputs plus the lookups that both the macros and the tables need."""

    def __init__(self, inp: Inputs) -> None:
        self.inp = inp
        self.study = Study.from_inputs(inp)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Mean, sample SD and seed count of every (variant, metric) on validation."""
        m = self.inp.metrics
        require(m, ("split", "seed", "variant", "metric", "value"), "metrics.csv")
        part = m[m["split"] == VALIDATION]
        if part.empty:
            raise KeyError(f"metrics.csv has no rows for split {VALIDATION!r}")
        return part.groupby(["variant", "metric"])["value"].agg(mean="mean", sd="std", n="count")

    def seed_diff(self, metric: str) -> pd.Series:
        """Per-seed focus minus base on validation, over the seeds both have."""
        s = self.study
        diff = seed_differences(
            self.inp.metrics, split=VALIDATION, variant=s.focus, base=s.base, metric=metric
        )
        if diff.empty:
            raise KeyError(f"metrics.csv pairs no validation {metric} of {s.focus} with {s.base}")
        return diff

    def test(self, protocol: str, variant: str, metric: str) -> pd.Series:
        t = self.inp.tests
        rows = t[(t["protocol"] == protocol) & (t["variant"] == variant) & (t["metric"] == metric)]
        if rows.empty:
            raise KeyError(f"tests.csv has no row {protocol=} {variant=} {metric=}")
        return rows.iloc[0]

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """The "original" tests of the focus variant's family on the sweep metric, by layer."""
        t, s = self.inp.tests, self.study
        rows = t[(t["protocol"] == "original") & (t["metric"] == s.sweep_metric)]
        rows = rows[rows["family"] == s.family].drop(columns=["layer"], errors="ignore")
        rows = rows.merge(self.inp.variants[["variant", "layer"]], on="variant", how="left")
        if rows.empty:
            raise KeyError(f"tests.csv has no 'original' {s.sweep_metric} rows for {s.family}")
        return rows.sort_values(["layer", "variant"], kind="stable").reset_index(drop=True)

    @cached_property
    def claims(self) -> Claims:
        """The claims on the focus family (and the selected rows): "best" = best layer."""
        t, s = self.inp.tests, self.study
        part = t[(t["protocol"] == "selected") | (t["family"] == s.family)].copy()
        if "focus" not in part:  # a contract-only tests.csv: mark the focus rows here
            part["focus"] = part["variant"] == s.focus
        claims = summarise_claims(part, self.inp.selection, s.alpha, metric=s.sweep_metric)
        best = self.sweep.loc[self.sweep["mean_diff"].idxmax(), "variant"]
        if claims.best is None or claims.best.variant != best:
            raise ValueError("the claims and the sweep table disagree on the best variant")
        return claims

    def layer_of(self, variant: str | None) -> int | None:
        if variant is None:
            return None
        v = self.inp.variants
        layer = v.loc[v["variant"] == variant, "layer"]
        return None if layer.empty or pd.isna(layer.iloc[0]) else int(layer.iloc[0])

    def efficiency_row(self, variant: str) -> pd.Series:
        e = self.inp.efficiency
        rows = e[e["variant"] == variant] if "variant" in e else e
        if rows.empty:
            raise KeyError(f"efficiency.csv has no row for variant {variant!r}")
        return rows.iloc[0]
