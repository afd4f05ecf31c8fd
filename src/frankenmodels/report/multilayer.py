"""The multi-layer study as the report reads it: one record per budget, joined from
multilayer/tests.csv and plans.json (docs/multilayer.md), shared by its section and its table.

The study is optional: when it was not run, the numbers and tables jobs get none of its files,
`ran` says so, and the paper prints one sentence instead of the section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from frankenmodels.report.inputs import require
from frankenmodels.report.latex import MINUS, is_missing
from frankenmodels.stats.claims import as_bool

if TYPE_CHECKING:
    from frankenmodels.report.inputs import Inputs

FEASIBLE = "optimal"  # the status of a budget that has a plan
# What the section and the table read of tests.csv (plans, status and names come from plans.json).
TESTS_COLUMNS = (
    "budget",
    "params_pct",
    "predicted_gain",
    "predicted_sd",
    "mean_diff",
    "ci_low",
    "ci_high",
    "ci_level",
    "t_p_holm",
    "significant_holm",
    "latency_pct",
    "params_measured_pct",
    "predicted_in_ci",
)
PLANS_KEYS = ("metric", "cost", "unit", "num_layers", "seeds", "solve_seconds", "budgets")
COST_NAMES = {"params": "effective parameters", "flops": "FLOPs per token"}
EXACT_LIMITS_UP_TO = 12  # 2^12 rank sets x 573 sums: the exact null takes a fraction of a second


@dataclass(frozen=True)
class Budget:
    """One budget: its plan (None where infeasible), what the plan does, and its test row."""

    budget: float
    budget_pct: float
    plan: str | None
    actions: dict[int, str]  # layer -> "delete" / "insert n", from plans.json
    row: pd.Series  # the tests.csv row: empty statistics where infeasible

    @property
    def feasible(self) -> bool:
        return self.plan is not None

    def value(self, column: str) -> float:
        x = self.row.get(column)
        return math.nan if is_missing(x) else float(x)

    def flag(self, column: str) -> bool:
        return as_bool(self.row.get(column))


def ran(inp: Inputs) -> bool:
    return not inp.multilayer_tests.empty


def budgets(inp: Inputs) -> list[Budget]:
    """The budgets in config order; tests.csv and plans.json must list the same ones."""
    tests, plans = inp.multilayer_tests, inp.multilayer_plans
    require(tests, TESTS_COLUMNS, "multilayer/tests.csv")
    missing = [k for k in PLANS_KEYS if k not in plans]
    if missing:
        raise KeyError(f"multilayer/plans.json lacks {missing}; see docs/multilayer.md")
    entries = plans["budgets"]
    if [float(e["budget"]) for e in entries] != [float(b) for b in tests["budget"]]:
        raise ValueError("multilayer/tests.csv and plans.json list different budgets")
    out = []
    for entry, (_, row) in zip(entries, tests.iterrows(), strict=True):
        feasible = entry.get("status") == FEASIBLE and entry.get("name")
        out.append(
            Budget(
                budget=float(entry["budget"]),
                budget_pct=float(entry["budget_pct"]),
                plan=str(entry["name"]) if feasible else None,
                actions={int(k): str(v) for k, v in (entry.get("actions") or {}).items()},
                row=row,
            )
        )
    return out


def describe(actions: dict[int, str]) -> str:
    """What a plan does, in words: "delete layer 0, duplicate layer 3"."""
    words = []
    for layer, label in sorted(actions.items()):
        if label == "delete":
            words.append(f"delete layer {layer}")
        elif label == "insert 1":
            words.append(f"duplicate layer {layer}")
        else:
            words.append(f"{label.replace('insert', 'add')} copies of layer {layer}")
    return ", ".join(words) or "keep every layer"


def fmt_budget(x: Any) -> str:
    """A budget as configured, signed: +2, 0, -0.5 (LaTeX minus)."""
    x = float(x)
    return ("+" if x > 0 else MINUS if x < 0 else "") + f"{abs(x):g}"


# --- what n layers can show about a rank correlation ------------------------------------------


def _spearman_null(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact null of Spearman's rho over the n! orderings: (rho values, their counts).

    rho = 1 - 6 S / (n (n^2 - 1)) with S = sum_i (i - pi(i))^2; S is counted by dynamic
    programming over the set of ranks given to the first positions (2^n sets, not n!).
    """
    top = n * (n * n - 1) // 3
    counts = np.zeros((1 << n, top + 1), dtype=np.int64)
    counts[0, 0] = 1
    for used in range(1 << n):  # every predecessor of a set is a smaller number
        position = bin(used).count("1")
        if position == n:
            continue
        for rank in range(n):
            if not used >> rank & 1:
                step = (position - rank) ** 2
                counts[used | 1 << rank, step:] += counts[used, : top + 1 - step]
    total = counts[-1]
    s = np.nonzero(total)[0]
    return 1.0 - 6.0 * s / (n * (n * n - 1)), total[s]


def rank_limits(n: int, alpha: float) -> dict[str, float | bool]:
    """The smallest p a permutation test of rho over n layers can give, and the rho it needs
    for p <= alpha: two-sided (|rho|) and one-sided (rho below zero). Exact up to 12 layers,
    the normal approximation rho * sqrt(n - 1) ~ N(0, 1) above. NaN: no ordering is enough."""
    orderings = math.factorial(n)
    out: dict[str, float | bool] = {
        "orderings": orderings,
        "min_p_two": min(1.0, 2.0 / orderings),
        "min_p_one": 1.0 / orderings,
        "exact": n <= EXACT_LIMITS_UP_TO,
    }
    if n > EXACT_LIMITS_UP_TO:
        from scipy.stats import norm

        out["rho_two"] = float(norm.ppf(1 - alpha / 2) / math.sqrt(n - 1))
        out["rho_one"] = float(norm.ppf(1 - alpha) / math.sqrt(n - 1))
        return out
    rho, count = _spearman_null(n)
    prob = count / orderings
    # Tails of the symmetric null: P(rho <= -r) one-sided, P(|rho| >= r) two-sided.
    levels = np.unique(np.round(np.abs(rho), 12))
    one = np.array([prob[rho <= -r + 1e-12].sum() for r in levels])
    two = np.array([prob[np.abs(rho) >= r - 1e-12].sum() for r in levels])
    for key, tail in (("rho_one", one), ("rho_two", two)):
        ok = levels[(tail <= alpha + 1e-12) & (levels > 0)]
        out[key] = float(ok.min()) if ok.size else math.nan
    return out
