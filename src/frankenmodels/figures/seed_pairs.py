"""Figure: base vs focus variant per seed, one panel per metric (the seed paper's Fig. 1)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from frankenmodels.figures.style import (
    FULL_WIDTH_IN,
    GREY,
    INK,
    PERCENT,
    SINGLE_COLUMN_IN,
    new_figure,
    paper_style,
    require_columns,
    require_variants,
)
from frankenmodels.vocabulary import PAPER_METRICS, metric_label

METRICS_COLUMNS = ("split", "seed", "variant", "metric", "value")


def pair_table(
    metrics: pd.DataFrame, base: str, focus_variant: str, metric: str, split: str
) -> pd.DataFrame:
    """Seeds x (base, focus) in percent, only the seeds that have both."""
    rows = metrics[
        (metrics["split"] == split)
        & (metrics["metric"] == metric)
        & metrics["variant"].isin([base, focus_variant])
    ]
    if rows.empty:
        raise ValueError(f"metrics.csv has no rows for metric {metric!r} on split {split!r}")
    wide = rows.pivot_table(index="seed", columns="variant", values="value", aggfunc="mean")
    require_variants(wide.columns, [base, focus_variant], f"metrics.csv ({metric}, {split})")
    pairs = wide[[base, focus_variant]].dropna()
    if pairs.empty:
        raise ValueError(f"{focus_variant!r} shares no seed with {base!r} for {metric!r}")
    return (pairs * PERCENT).sort_index()


def seed_pairs(
    metrics: pd.DataFrame,
    focus_variant: str,
    metric_names: Sequence[str] = PAPER_METRICS,
    *,
    base: str = "base",
    split: str = "validation",
    ncols: int = 4,
) -> Figure:
    """Paired base/focus values per seed, one panel per metric.

    ``ncols=4`` gives a full-width 1x4 row; ``ncols=2`` a single-column 2x2 grid.
    Solid lines are seeds where the focus variant scores higher, dashed where it does
    not, so the direction reads without colour; the diamond pair is the mean over seeds.
    """
    require_columns(metrics, METRICS_COLUMNS, "metrics.csv")
    require_variants(metrics["variant"], [base, focus_variant], "metrics.csv")
    if not metric_names:
        raise ValueError("seed_pairs needs at least one metric")
    tables = {m: pair_table(metrics, base, focus_variant, m, split) for m in metric_names}

    n = len(metric_names)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    width = FULL_WIDTH_IN if ncols > 2 else SINGLE_COLUMN_IN
    with paper_style():
        fig = new_figure(width, 1.9 * nrows + 0.35)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, metric in zip(axes, metric_names, strict=False):
            table = tables[metric]
            for _, (b, f) in table.iterrows():
                ax.plot(
                    [0, 1],
                    [b, f],
                    color=GREY,
                    linewidth=0.7,
                    linestyle="-" if f > b else "--",
                    marker="o",
                    markersize=2.5,
                    zorder=1,
                )
            mean = table.mean()
            ax.plot(
                [0, 1],
                [mean[base], mean[focus_variant]],
                color=INK,
                linewidth=1.4,
                marker="D",
                markersize=5,
                zorder=3,
            )
            ax.set_xticks([0, 1], [base, focus_variant])
            ax.set_xlim(-0.3, 1.3)
            ax.set_title(metric_label(metric))
        # Each panel keeps its own y range (the metrics differ); one shared unit label.
        for ax in axes[::ncols]:
            ax.set_ylabel(f"Score on {split} (%)")
        for ax in axes[n:]:
            ax.set_visible(False)

        handles = [
            Line2D([], [], color=GREY, linewidth=0.7, marker="o", markersize=2.5),
            Line2D([], [], color=GREY, linewidth=0.7, linestyle="--", marker="o", markersize=2.5),
            Line2D([], [], color=INK, linewidth=1.4, marker="D", markersize=5),
        ]
        labels = [f"seed, {focus_variant} higher", f"seed, {focus_variant} not higher", "mean"]
        fig.legend(handles, labels, loc="outside lower center", ncols=3)
    return fig
