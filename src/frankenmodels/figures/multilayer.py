"""Figure: cost against measured change of the multi-layer plans, one point per plan, with the
single-layer variants behind them (the multi-layer section)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from frankenmodels.figures.style import (
    GREY,
    INK,
    LIGHT,
    PERCENT,
    SINGLE_COLUMN_IN,
    as_bool,
    ci_yerr,
    new_figure,
    paper_style,
    require_columns,
    require_variants,
)
from frankenmodels.vocabulary import metric_label

PLAN_COLUMNS = (
    "budget",
    "status",
    "plan",
    "params_pct",
    "predicted_gain",
    "mean_diff",
    "ci_low",
    "ci_high",
    "significant_holm",
)
SINGLE_COLUMNS = ("protocol", "variant", "metric", "mean_diff", "ci_low", "ci_high")
EFFICIENCY_COLUMNS = ("variant", "params_effective")


def _budget_text(budgets: list[float]) -> str:
    """The budgets that chose a plan, signed with a true minus: "+1, +2", "−1"."""
    return ", ".join((f"{b:+g}" if b else "0").replace("-", "\u2212") for b in budgets)


def plan_table(multilayer_tests: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct feasible plan, in percentage points, with every budget that chose
    it: a plan chosen for two budgets is one model and one point."""
    require_columns(multilayer_tests, PLAN_COLUMNS, "multilayer/tests.csv")
    rows = multilayer_tests[multilayer_tests["status"] == "optimal"].copy()
    if rows.empty:
        raise ValueError("multilayer/tests.csv has no feasible budget: nothing to plot")
    budgets = rows.groupby("plan", sort=False)["budget"].agg(lambda b: list(map(float, b)))
    rows = rows.drop_duplicates("plan").set_index("plan")
    out = pd.DataFrame(
        {
            "plan": rows.index,
            "budgets": rows.index.map(lambda p: _budget_text(budgets[p])),
            "x": rows["params_pct"].to_numpy(float),
            "significant": as_bool(rows["significant_holm"]).to_numpy(),
        }
    )
    for col in ("mean_diff", "ci_low", "ci_high", "predicted_gain"):
        out[f"{col}_pp"] = rows[col].to_numpy(float) * PERCENT
    return out.sort_values("x", kind="stable").reset_index(drop=True)


def single_table(
    tests: pd.DataFrame, efficiency: pd.DataFrame, *, metric: str, base: str
) -> pd.DataFrame:
    """Single-layer variants of the original protocol at their counted cost: effective
    parameters relative to the base, in percent."""
    require_columns(tests, SINGLE_COLUMNS, "tests.csv")
    require_columns(efficiency, EFFICIENCY_COLUMNS, "efficiency.csv")
    rows = tests[(tests["protocol"] == "original") & (tests["metric"] == metric)]
    rows = rows.drop_duplicates("variant")
    if rows.empty:
        raise ValueError(f"tests.csv has no 'original' rows for metric {metric!r}")
    params = efficiency.drop_duplicates("variant").set_index("variant")["params_effective"]
    require_variants(params.index, [base, *rows["variant"]], "efficiency.csv")
    out = pd.DataFrame({"variant": rows["variant"].to_numpy()})
    out["x"] = (params[rows["variant"]].to_numpy(float) / float(params[base]) - 1.0) * PERCENT
    for col in ("mean_diff", "ci_low", "ci_high"):
        out[f"{col}_pp"] = rows[col].to_numpy(float) * PERCENT
    return out


def _legend(level: str) -> tuple[list[Line2D], list[str]]:
    """Fill = Holm significance; a cross = the additive prediction; grey = single layers."""
    handles = [
        Line2D([], [], marker="o", ls="none", mfc=INK, mec=INK),
        Line2D([], [], marker="o", ls="none", mfc="white", mec=INK),
        Line2D([], [], marker="x", ls="none", color=INK, markersize=4),
        Line2D([], [], color=GREY, linewidth=0.8),
        Line2D([], [], marker="o", ls="none", mfc=LIGHT, mec=LIGHT, markersize=2.5),
    ]
    labels = [
        "plan, significant (Holm)",
        "plan, not significant",
        "predicted (additive)",
        level,
        "single-layer variant",
    ]
    return handles, labels


def multilayer(
    multilayer_tests: pd.DataFrame,
    tests: pd.DataFrame,
    efficiency: pd.DataFrame,
    *,
    metric: str = "accuracy",
    base: str = "base",
) -> Figure:
    """Single column: change of effective parameters (%) against measured change (pp, plan
    minus base on validation, with its CI) of each chosen plan, labelled with its name and the
    budgets that chose it; a cross marks its predicted gain. Filled: significant after Holm."""
    plans = plan_table(multilayer_tests)
    singles = single_table(tests, efficiency, metric=metric, base=base)
    levels = multilayer_tests.get("ci_level", pd.Series(dtype=float)).dropna()
    level = f"{levels.iloc[0]:.0%} CI" if not levels.empty else "CI"

    with paper_style():
        fig = new_figure(SINGLE_COLUMN_IN, 2.9)
        ax = fig.add_subplot()
        ax.axhline(0.0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        # The single layers first and light, so the plans read on top of them.
        sy = singles["mean_diff_pp"].to_numpy(float)
        ax.errorbar(
            singles["x"],
            sy,
            yerr=ci_yerr(sy, singles["ci_low_pp"].to_numpy(), singles["ci_high_pp"].to_numpy()),
            fmt="o",
            color=LIGHT,
            markersize=2.5,
            elinewidth=0.5,
            capsize=0,
            zorder=1,
        )
        x, y = plans["x"].to_numpy(float), plans["mean_diff_pp"].to_numpy(float)
        yerr = ci_yerr(y, plans["ci_low_pp"].to_numpy(), plans["ci_high_pp"].to_numpy())
        ax.errorbar(x, y, yerr=yerr, fmt="none", ecolor=GREY, elinewidth=0.8, zorder=2)
        for significant in (True, False):
            mask = (plans["significant"] == significant).to_numpy()
            ax.plot(
                x[mask],
                y[mask],
                linestyle="none",
                marker="o",
                markersize=4,
                markeredgecolor=INK,
                markerfacecolor=INK if significant else "white",
                zorder=3,
            )
        ax.plot(x, plans["predicted_gain_pp"], "x", color=INK, markersize=4, zorder=3)
        for (_, row), dy in zip(plans.iterrows(), _offsets(len(plans)), strict=True):
            ax.annotate(
                f"{row['plan']} ({row['budgets']})",
                (row["x"], row["mean_diff_pp"]),
                xytext=(4, dy),
                textcoords="offset points",
                fontsize=5.5,
                va="center",
            )
        ax.set_xlabel("Δ effective parameters vs base (%)")
        ax.set_ylabel(f"Δ {metric_label(metric)} vs base (pp)")
        ax.margins(x=0.25)
        fig.legend(*_legend(level), loc="outside upper center", ncols=2, handletextpad=0.3)
    return fig


def _offsets(n: int) -> np.ndarray:
    """Alternate label offsets (points), so labels of plans close in cost do not overlap."""
    return np.where(np.arange(n) % 2 == 0, 5.0, -5.0)
