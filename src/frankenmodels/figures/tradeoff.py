"""Figure: absolute costs of base vs focus, and a radar of relative change (seed paper Fig. 3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from frankenmodels.figures.style import (
    FULL_WIDTH_IN,
    GREY,
    INK,
    new_figure,
    paper_style,
    require_columns,
    require_variants,
)
from frankenmodels.vocabulary import COSTS, PAPER_METRICS, Cost, memory_method, metric_short

METRICS_COLUMNS = ("split", "seed", "variant", "metric", "value")
EFFICIENCY_COLUMNS = (
    "variant",
    "params_unique",
    "params_effective",
    "peak_memory_mb",
    "latency_ms_median",
    "latency_ms_p25",
    "latency_ms_p75",
)

# Base plain, focus hatched: the two bars differ without colour.
BASE_STYLE = {"facecolor": "white", "edgecolor": INK, "hatch": None}
FOCUS_STYLE = {"facecolor": "0.85", "edgecolor": INK, "hatch": "////"}


def _efficiency_row(efficiency: pd.DataFrame, variant: str) -> pd.Series:
    return efficiency[efficiency["variant"] == variant].iloc[0]


def _pct_change(new: float, old: float) -> float:
    return float((new - old) / old * 100.0) if old else float("nan")


def change_table(
    metrics: pd.DataFrame,
    efficiency: pd.DataFrame,
    focus_variant: str,
    *,
    base: str = "base",
    metric_names: Sequence[str] = PAPER_METRICS,
    split: str = "validation",
) -> pd.DataFrame:
    """Percentage change focus vs base: one row per spoke, kind 'performance' or 'cost'."""
    rows = []
    sel = metrics[(metrics["split"] == split) & metrics["variant"].isin([base, focus_variant])]
    for metric in metric_names:
        means = sel[sel["metric"] == metric].groupby("variant")["value"].mean()
        require_variants(means.index, [base, focus_variant], f"metrics.csv ({metric}, {split})")
        rows.append(
            {
                "label": metric_short(metric),
                "kind": "performance",
                "pct": _pct_change(means[focus_variant], means[base]),
            }
        )
    b, f = _efficiency_row(efficiency, base), _efficiency_row(efficiency, focus_variant)
    for cost in COSTS:
        rows.append(
            {
                "label": cost.short,
                "kind": "cost",
                "pct": _pct_change(float(f[cost.column]), float(b[cost.column])),
            }
        )
    return pd.DataFrame(rows)


def _fmt_pct(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:+.2f}%" if abs(value) < 1 else f"{value:+.1f}%"


def _unit(cost: Cost, rows: Sequence[pd.Series]) -> str:
    """Unit label; memory also says how it was measured (RSS and CUDA peaks differ a lot)."""
    if cost.column != "peak_memory_mb":
        return cost.unit
    methods = {str(r.get("memory_method", "")) for r in rows} - {"", "nan"}
    if len(methods) != 1:
        return cost.unit
    method = methods.pop()
    return f"{cost.unit}, {memory_method(method).short}"


def _cost_bars(ax: Axes, cost: Cost, base_row: pd.Series, focus_row: pd.Series) -> None:
    """Two bars (base, focus) for one cost; latency gets its p25-p75 spread."""
    values = [float(base_row[cost.column]) * cost.scale, float(focus_row[cost.column]) * cost.scale]
    yerr = None
    if cost.column == "latency_ms_median":
        yerr = np.array(
            [
                [v - float(r["latency_ms_p25"]), float(r["latency_ms_p75"]) - v]
                for v, r in zip(values, (base_row, focus_row), strict=True)
            ]
        ).T.clip(min=0.0)
    bars = ax.bar(
        [0, 1],
        values,
        width=0.6,
        yerr=yerr,
        error_kw={"ecolor": INK, "elinewidth": 0.8},
        linewidth=0.7,
    )
    for bar, style in zip(bars, (BASE_STYLE, FOCUS_STYLE), strict=True):
        bar.set_facecolor(style["facecolor"])
        bar.set_edgecolor(style["edgecolor"])
        bar.set_hatch(style["hatch"])
    # Values on the bars: the 5-10 % differences are hard to read from bar heights alone.
    ax.bar_label(bars, fmt="%.1f", fontsize=6.5, padding=1.5)
    ax.set_title(cost.label)
    ax.set_ylabel(_unit(cost, [base_row, focus_row]))
    ax.margins(y=0.18)


def _radar(ax: Axes, table: pd.DataFrame) -> None:
    """Closed polygon of percentage change per spoke, with the 0 % ring dashed."""
    n = len(table)
    angles = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    pct = table["pct"].to_numpy(dtype=float)
    finite = pct[np.isfinite(pct)]
    lo, hi = min(0.0, finite.min(initial=0.0)), max(0.0, finite.max(initial=0.0))
    pad = 0.25 * (hi - lo if hi > lo else 1.0)
    ax.set_theta_offset(np.pi / 2.0)
    ax.set_theta_direction(-1)
    ax.set_ylim(lo - pad, hi + pad)

    ring = np.linspace(0.0, 2.0 * np.pi, 200)
    ax.plot(ring, np.zeros_like(ring), color=GREY, linewidth=0.8, linestyle="--", zorder=1)
    closed = np.append(angles, angles[:1])
    ax.plot(closed, np.append(pct, pct[:1]), color=INK, linewidth=1.0, zorder=2)
    ax.fill(closed, np.append(pct, pct[:1]), color="0.85", alpha=0.6, zorder=1)
    perf = (table["kind"] == "performance").to_numpy()
    ax.plot(angles[perf], pct[perf], "o", color=INK, markersize=4, zorder=3)
    ax.plot(angles[~perf], pct[~perf], "s", markerfacecolor="white", markeredgecolor=INK, zorder=3)

    labels = [f"{lab}\n{_fmt_pct(v)}" for lab, v in zip(table["label"], pct, strict=True)]
    ax.set_xticks(angles, labels)
    ax.tick_params(axis="x", pad=2)
    # Few, light radial ticks: the values are printed on the spoke labels anyway.
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    # No "0%" tick label: it would sit under the markers; the dashed ring is in the legend.
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:g}%" if v else "")
    ax.tick_params(axis="y", labelsize=6, labelcolor=GREY)
    ax.set_rlabel_position(180.0 / n)
    ax.grid(color=GREY, linewidth=0.4, alpha=0.5)
    ax.spines["polar"].set_visible(False)


def _radar_legend(fig: SubFigure, base: str) -> None:
    fig.legend(
        [
            Line2D([], [], color=INK, marker="o", linestyle="none", markersize=4),
            Line2D([], [], marker="s", markerfacecolor="white", markeredgecolor=INK, ls="none"),
            Line2D([], [], color=GREY, linewidth=0.8, linestyle="--"),
        ],
        ["performance (mean over seeds)", "cost", f"no change (= {base})"],
        loc="outside lower center",
        ncols=3,
        handletextpad=0.3,
        columnspacing=0.8,
    )


def tradeoff(
    metrics: pd.DataFrame,
    efficiency: pd.DataFrame,
    focus_variant: str,
    *,
    base: str = "base",
    metric_names: Sequence[str] = PAPER_METRICS,
    split: str = "validation",
) -> Figure:
    """Full-width figure: (a) absolute costs as hatched bar pairs, one small axis per cost
    since units differ; (b) radar of the percentage change focus vs base of performance
    (mean over seeds on ``split``) and cost."""
    require_columns(metrics, METRICS_COLUMNS, "metrics.csv")
    require_columns(efficiency, EFFICIENCY_COLUMNS, "efficiency.csv")
    require_variants(efficiency["variant"], [base, focus_variant], "efficiency.csv")
    require_variants(metrics["variant"], [base, focus_variant], "metrics.csv")
    table = change_table(
        metrics, efficiency, focus_variant, base=base, metric_names=metric_names, split=split
    )
    base_row = _efficiency_row(efficiency, base)
    focus_row = _efficiency_row(efficiency, focus_variant)

    with paper_style():
        fig = new_figure(FULL_WIDTH_IN, 3.4)
        left, right = fig.subfigures(1, 2, width_ratios=[1.15, 1.0], wspace=0.02)
        axes = left.subplots(2, 2).ravel()
        for ax, cost in zip(axes, COSTS, strict=True):
            _cost_bars(ax, cost, base_row, focus_row)
            ax.set_xticks([0, 1], [base, focus_variant])
        left.suptitle("(a) Absolute cost", fontsize=8)
        radar_ax = right.add_subplot(projection="polar")
        _radar(radar_ax, table)
        _radar_legend(right, base)
        right.suptitle(f"(b) Change of {focus_variant} vs {base} (%)", fontsize=8)
    return fig
