"""The fine-tuning studies as the report reads them, shared by their section and their tables:
the methods compared on the base model (results/methods/summary.csv, tests.csv, claims.csv)
and the healing of FrankenModels (results/healing/tests.csv); see docs/finetuning.md.

Both studies are optional: where one was not run its files are absent, `methods_ran` or
`healing_ran` says so, and the paper prints one sentence instead of its paragraphs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from frankenmodels.report.inputs import require
from frankenmodels.report.latex import is_missing
from frankenmodels.stats.claims import as_bool
from frankenmodels.vocabulary import HEADLINE, TRAINING_METHOD_NAMES

if TYPE_CHECKING:
    from frankenmodels.report.inputs import Inputs

SUMMARY, TESTS, CLAIMS = "methods/summary.csv", "methods/tests.csv", "methods/claims.csv"
HEALING = "healing/tests.csv"
# The metrics the section and the table print: the headline and the positive class's F1.
PRINTED_METRICS = (HEADLINE, "f1_binary")
CLAIM_NAMES = ("accuracy_share", "time_share")
SUMMARY_COLUMNS = (
    "method",
    "reference",
    "n_seeds",
    "trainable_parameters",
    "model_parameters",
    "trainable_percent",
    "trained_layers",
    "wall_seconds_mean",
    "wall_seconds_sd",
    "examples_per_second_mean",
    "peak_memory_mb_mean",
    "memory_method",
    f"{HEADLINE}_mean",
    f"{HEADLINE}_sd",
)
TESTS_COLUMNS = (
    "metric",
    "method",
    "versus",
    "n_seeds",
    "mean_diff",
    "ci_low",
    "ci_high",
    "ci_level",
    "t_stat",
    "t_p",
    "t_p_holm",
    "significant_holm",
)
CLAIMS_COLUMNS = (
    "method",
    "reference",
    "claim",
    "value",
    "ci_low",
    "ci_high",
    "threshold",
    "condition_holds",
    "holds",
    "holds_at_ci",
    "trainable_percent",
)
HEALING_COLUMNS = (
    "method",
    "plan",
    "control",
    "trained_layers",
    "control_layers",
    "steps",
    "metric",
    "n_seeds",
    "healed_mean",
    "control_mean",
    "before_mean",
    "base_before_mean",
    "mean_diff",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "t_p",
    "t_p_holm",
    "significant_holm",
)


def methods_ran(inp: Inputs) -> bool:
    return not inp.methods_summary.empty


def healing_ran(inp: Inputs) -> bool:
    return not inp.healing_tests.empty


def number(row: pd.Series | None, column: str) -> float:
    """A cell as a float; NaN where the row or the value is missing."""
    x = None if row is None else row.get(column)
    return math.nan if is_missing(x) else float(x)


def layers_text(value: object) -> str:
    """Trained layers as written ("4 5"), in words: "layers 4 and 5", "layer 4"; seeds that
    chose differently ("4 5 / 3 5") are joined by "or"; "" where none were chosen."""
    if is_missing(value) or not str(value).strip():
        return ""
    words = []
    for choice in str(value).split("/"):
        layers = choice.split()
        if len(layers) == 1:
            words.append(f"layer {layers[0]}")
        else:
            words.append("layers " + ", ".join(layers[:-1]) + " and " + layers[-1])
    return " or ".join(words)


@dataclass(frozen=True)
class Versus:
    """A method's test against the reference on one metric, oriented method minus reference
    (tests.csv lists each pair once, the later method of the config first)."""

    mean_diff: float
    ci_low: float
    ci_high: float
    ci_level: float
    t_p: float
    t_p_holm: float
    significant_holm: bool

    @classmethod
    def from_row(cls, row: pd.Series, flip: bool) -> Versus:
        low, high = number(row, "ci_low"), number(row, "ci_high")
        return cls(
            mean_diff=-number(row, "mean_diff") if flip else number(row, "mean_diff"),
            ci_low=-high if flip else low,
            ci_high=-low if flip else high,
            ci_level=number(row, "ci_level"),
            t_p=number(row, "t_p"),
            t_p_holm=number(row, "t_p_holm"),
            significant_holm=as_bool(row["significant_holm"]),
        )


NO_TEST = Versus(*(math.nan,) * 6, significant_holm=False)


class Methods:
    """The comparison of fine-tuning methods: one summary row per method, its tests against
    the reference, its claims (read only by the section: the table does not print them)."""

    def __init__(self, inp: Inputs) -> None:
        self.summary, self.tests, self._claims = (
            inp.methods_summary,
            inp.methods_tests,
            inp.methods_claims,
        )
        require(self.summary, SUMMARY_COLUMNS, SUMMARY)
        require(self.tests, TESTS_COLUMNS, TESTS)
        unknown = set(self.summary["method"]) - set(TRAINING_METHOD_NAMES)
        if unknown:
            raise ValueError(f"{SUMMARY} lists unknown method(s) {sorted(unknown)}")
        refs = self.summary.loc[self.summary["reference"].map(as_bool), "method"].tolist()
        if len(refs) != 1:
            raise ValueError(f"{SUMMARY} must mark exactly one reference method, got {refs}")
        self.reference: str = str(refs[0])
        self.methods: list[str] = [str(m) for m in self.summary["method"]]

    def row(self, method: str) -> pd.Series | None:
        rows = self.summary[self.summary["method"] == method]
        return None if rows.empty else rows.iloc[0]

    def versus(self, method: str, metric: str) -> Versus:
        """`method` against the reference on `metric`; NO_TEST for the reference itself, an
        absent method or an untested metric."""
        if method == self.reference or method not in self.methods:
            return NO_TEST
        t, ref = self.tests, self.reference
        on = t[t["metric"] == metric]
        direct = on[(on["method"] == method) & (on["versus"] == ref)]
        if not direct.empty:
            return Versus.from_row(direct.iloc[0], flip=False)
        flipped = on[(on["method"] == ref) & (on["versus"] == method)]
        if not flipped.empty:
            return Versus.from_row(flipped.iloc[0], flip=True)
        if on.empty:
            return NO_TEST  # the metric was not tested (not in stats.metrics)
        raise KeyError(f"{TESTS} has no {metric} row of {method} against {ref}")

    @cached_property
    def claims(self) -> pd.DataFrame:
        require(self._claims, CLAIMS_COLUMNS, CLAIMS)
        return self._claims

    def claim(self, method: str, claim: str) -> pd.Series | None:
        c = self.claims
        rows = c[(c["method"] == method) & (c["claim"] == claim)]
        if rows.empty and method != self.reference and method in self.methods:
            raise KeyError(f"{CLAIMS} has no {claim} row for {method}")
        return None if rows.empty else rows.iloc[0]

    def threshold(self, claim: str) -> float:
        rows = self.claims[self.claims["claim"] == claim]
        return math.nan if rows.empty else float(rows["threshold"].iloc[0])

    def pairs_per_metric(self) -> int:
        """The size of each Holm family: the pairs of methods tested on one metric."""
        return int(self.tests.groupby("metric").size().max())


class Healing:
    """Healed FrankenModels against their controls: the rows of one metric."""

    def __init__(self, inp: Inputs, metric: str = HEADLINE) -> None:
        t = inp.healing_tests
        require(t, HEALING_COLUMNS, HEALING)
        self.metric = metric
        self.rows = t[t["metric"] == metric].reset_index(drop=True)
        if self.rows.empty:
            raise KeyError(f"{HEALING} has no {metric} rows")
        self.methods = list(dict.fromkeys(str(m) for m in self.rows["method"]))
        self.plans = list(dict.fromkeys(str(p) for p in self.rows["plan"]))

    def row(self, method: str, plan: str) -> pd.Series | None:
        r = self.rows
        hit = r[(r["method"] == method) & (r["plan"] == plan)]
        return None if hit.empty else hit.iloc[0]

    def significant(self, rows: pd.DataFrame | None = None) -> int:
        rows = self.rows if rows is None else rows
        return int(sum(as_bool(x) for x in rows["significant_holm"]))
