"""Figures of the decoder-surgery lab drawn from results/lab/summary.tsv: what deleting or
doubling one layer, deleting a window of layers, or one of the catalogue's named patterns does
to perplexity, to the self-report probes and to arithmetic.

A lab run switches families on and off in its config, so every figure accepts a summary that
lacks its family and then says so on the canvas instead of failing: the report is still built
from whatever the run measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from frankenmodels.figures.style import (
    FULL_WIDTH_IN,
    GREY,
    INK,
    LIGHT,
    PERCENT,
    SINGLE_COLUMN_IN,
    ci_yerr,
    new_figure,
    paper_style,
    require_columns,
)
from frankenmodels.lab.catalogue import PATTERN_FAMILIES

RATIO_COLUMNS = ("ppl_ratio", "ppl_ratio_low", "ppl_ratio_high")
SWEEP_COLUMNS = ("experiment", "family", "layer", *RATIO_COLUMNS, "p_yes_self", "math_accuracy")
WINDOW_COLUMNS = ("family", "start", "size", "ppl_ratio")
PATTERN_COLUMNS = ("experiment", "family", *RATIO_COLUMNS, "math_accuracy")
IMPORTANCE_COLUMNS = ("layer", "block_influence", "angular_distance")
# Perplexity-ratio landmarks: 10% worse is a visible cost, ten times worse a broken model.
PPL_MARKS = (1.1, 10.0)
PPL_LABEL = "Perplexity ratio vs base"


def note_figure(text: str) -> Figure:
    """A small figure that only states ``text``: what a figure shows when its data is absent."""
    with paper_style():
        fig = new_figure(SINGLE_COLUMN_IN, 1.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    return fig


def base_value(summary: pd.DataFrame, column: str) -> float:
    """The base experiment's value of ``column``; NaN when the run has no base row."""
    values = pd.to_numeric(summary.loc[summary["family"] == "base", column], errors="coerce")
    return float(values.iloc[0]) if not values.empty else np.nan


def family_rows(summary: pd.DataFrame, family: str, key: str) -> pd.DataFrame:
    """The experiments of ``family`` that have a ``key`` value, sorted by it, ``key`` as int."""
    rows = summary[summary["family"] == family].dropna(subset=[key]).copy()
    rows[key] = rows[key].astype(float).astype(int)
    return rows.sort_values(key, kind="stable").reset_index(drop=True)


def _column(rows: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(rows[column], errors="coerce").to_numpy(float)


def _ratio_err(rows: pd.DataFrame) -> np.ndarray:
    ratio = _column(rows, "ppl_ratio")
    return ci_yerr(ratio, _column(rows, "ppl_ratio_low"), _column(rows, "ppl_ratio_high"))


def _ppl_marks(ax: Axes, vertical: bool = False) -> None:
    """The base (ratio 1, solid) and the landmarks (dashed) as reference lines."""
    line = ax.axvline if vertical else ax.axhline
    line(1.0, color=GREY, linewidth=0.7, label="base", zorder=0)
    for mark in PPL_MARKS:
        line(mark, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        where = ax.get_xaxis_transform() if vertical else ax.get_yaxis_transform()
        x, y, ha, va = (
            (mark, 1.0, "center", "bottom") if vertical else (1.0, mark, "right", "bottom")
        )
        ax.text(x, y, f"×{mark:g}", transform=where, ha=ha, va=va, color=GREY, fontsize=6)


def _ratio_ticks(axis: Axis) -> None:
    """Plain numbers on a log ratio axis (1, 2, 5, 10 rather than 10^0); the 2s and 5s only
    while the axis spans two decades or less, where the powers of ten alone are too few."""

    def minor(value: float, _pos: int) -> str:
        low, high = sorted(axis.get_view_interval())
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        return f"{value:g}" if mantissa in (2.0, 5.0) and np.log10(high / low) <= 2 else ""

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))
    axis.set_minor_formatter(FuncFormatter(minor))


def _sweep_panel(ax: Axes, x: np.ndarray, y: np.ndarray, base: float) -> None:
    """One measure per layer as a line, the base's value as a reference (skipped when NaN)."""
    ax.plot(x, y, color=INK, marker="o", markersize=3, linewidth=0.7)
    if np.isfinite(base):
        ax.axhline(base, color=GREY, linewidth=0.7, label="base", zorder=0)


def _figure_legend(fig: Figure, axes: list[Axes]) -> None:
    """One legend above the panels, each label once (every panel has its own "base" line)."""
    seen: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    seen["base"] = seen.pop("base", None)  # the reference last, after what it is compared with
    seen = {label: handle for label, handle in seen.items() if handle is not None}
    fig.legend(list(seen.values()), list(seen), loc="outside upper center", ncols=len(seen))


def layer_sweep(
    summary: pd.DataFrame,
    family: str,
    xlabel: str,
    importance: pd.DataFrame | None = None,
) -> Figure:
    """Stacked panels over the layer a single-layer experiment changes: perplexity ratio vs base
    (log axis, CI bars), the self-report P(yes) and math accuracy against the base's values, and
    the training-free importance scores when given. A panel of its own, not a second y-axis on
    the first: a twin axis over a log scale with error bars reads as one tangle of lines."""
    require_columns(summary, SWEEP_COLUMNS, "summary.tsv")
    rows = family_rows(summary, family, "layer")
    if rows.empty:
        return note_figure(f"no {family} experiments in this run")
    scores = None
    if importance is not None and not importance.empty:
        require_columns(importance, IMPORTANCE_COLUMNS, "importance.tsv")
        scores = importance.sort_values("layer", kind="stable")

    with paper_style():
        fig = new_figure(FULL_WIDTH_IN, 1.4 * (3 + (scores is not None)) + 0.4)
        axes = list(fig.subplots(3 + (scores is not None), 1, sharex=True))
        x = rows["layer"].to_numpy()
        ratio = _column(rows, "ppl_ratio")
        axes[0].errorbar(
            x,
            ratio,
            yerr=_ratio_err(rows),
            color=INK,
            ecolor=GREY,
            marker="o",
            markersize=3,
            linewidth=0.7,
            elinewidth=0.8,
            label="experiment (bootstrap CI on perplexity)",
        )
        axes[0].set_yscale("log")
        _ratio_ticks(axes[0].yaxis)
        _ppl_marks(axes[0])
        axes[0].set_ylabel(PPL_LABEL)
        p_yes = _column(rows, "p_yes_self")
        _sweep_panel(axes[1], x, p_yes, base_value(summary, "p_yes_self"))
        axes[1].set_ylabel("P(yes), self-report\n(normalised)")
        math = _column(rows, "math_accuracy") * PERCENT
        _sweep_panel(axes[2], x, math, base_value(summary, "math_accuracy") * PERCENT)
        axes[2].set_ylabel("Math accuracy (%)")
        if scores is not None:
            for column, marker, color in (
                ("block_influence", "s", INK),
                ("angular_distance", "^", GREY),
            ):
                axes[3].plot(
                    scores["layer"],
                    _column(scores, column),
                    color=color,
                    marker=marker,
                    markersize=3,
                    linewidth=0.7,
                    label=column.replace("_", " "),
                )
            axes[3].set_ylabel("Importance\n(training-free)")
        axes[-1].set_xlabel(xlabel)
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        _figure_legend(fig, axes)
    return fig


def deletion(summary: pd.DataFrame, importance: pd.DataFrame | None = None) -> Figure:
    """The single-layer deletion sweep, with the importance scores that predict it."""
    return layer_sweep(summary, "delete", "Deleted layer (index)", importance)


def doubling(summary: pd.DataFrame) -> Figure:
    """The single-layer duplication sweep."""
    return layer_sweep(summary, "duplicate", "Doubled layer (index)")


def window_grid(summary: pd.DataFrame) -> pd.DataFrame:
    """log10 perplexity ratio of each deletion window: rows window size, columns every start
    from 0 to the last one (a start the run skipped stays a NaN column, not a missing one)."""
    require_columns(summary, WINDOW_COLUMNS, "summary.tsv")
    rows = summary[summary["family"] == "delete_window"].dropna(subset=["start", "size"])
    ratio = pd.to_numeric(rows["ppl_ratio"], errors="coerce")
    cells = pd.DataFrame(
        {
            "size": rows["size"].astype(float).astype(int),
            "start": rows["start"].astype(float).astype(int),
            "value": np.log10(ratio.where(ratio > 0)),
        }
    )
    grid = cells.groupby(["size", "start"])["value"].mean().unstack("start")
    last = int(cells["start"].max()) if not cells.empty else -1
    return grid.reindex(columns=range(last + 1))


def windows(summary: pd.DataFrame) -> Figure:
    """Heatmap of the deletion windows: window size by start layer, colour = log10 ppl ratio."""
    grid = window_grid(summary)
    if grid.empty:
        return note_figure("no deletion windows in this run")
    values = grid.to_numpy(float)
    finite = values[np.isfinite(values)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(low + 1e-3, float(finite.max())) if finite.size else 1.0
    with paper_style():
        fig = new_figure(FULL_WIDTH_IN, max(2.0, 0.9 + 0.3 * len(grid)))
        ax = fig.add_subplot()
        image = ax.imshow(
            np.ma.masked_invalid(values),
            aspect="auto",
            cmap=colormaps["viridis"],
            vmin=low,
            vmax=high,
            interpolation="nearest",
        )
        ax.set_yticks(range(len(grid)), labels=[str(size) for size in grid.index])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("First deleted layer (window start)")
        ax.set_ylabel("Window size (layers)")
        ax.spines[["top", "right"]].set_visible(True)
        fig.colorbar(image, ax=ax, label="log$_{10}$ perplexity ratio vs base", pad=0.01)
    return fig


def pattern_rows(
    summary: pd.DataFrame, families: tuple[str, ...] = PATTERN_FAMILIES
) -> pd.DataFrame:
    """The named experiments of ``families`` that the run has, grouped in that order."""
    require_columns(summary, PATTERN_COLUMNS, "summary.tsv")
    rank = {family: i for i, family in enumerate(families)}
    rows = summary[summary["family"].isin(families)].copy()
    rows["_rank"] = rows["family"].map(rank)
    return rows.sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def patterns(summary: pd.DataFrame, families: tuple[str, ...] = PATTERN_FAMILIES) -> Figure:
    """Two bar panels side by side, one bar per named experiment, coloured and grouped by family:
    perplexity ratio vs base (log axis, bars grow from the base's 1, CI bars) and math accuracy
    (the base's accuracy as a line)."""
    rows = pattern_rows(summary, families)
    if rows.empty:
        return note_figure("no named pattern experiments in this run")
    present = list(dict.fromkeys(rows["family"]))
    palette = colormaps["tab10"]
    colour = {family: palette(families.index(family) % 10) for family in present}
    colours = [colour[family] for family in rows["family"]]
    y = np.arange(len(rows))
    ratio = _column(rows, "ppl_ratio")

    with paper_style():
        fig = new_figure(FULL_WIDTH_IN, 0.9 + 0.15 * len(rows))
        ax_ppl, ax_math = fig.subplots(1, 2, sharey=True, width_ratios=(3, 2))
        ax_ppl.barh(
            y,
            ratio - 1.0,
            left=1.0,
            color=colours,
            xerr=_ratio_err(rows),
            error_kw={"ecolor": INK, "elinewidth": 0.6},
            height=0.7,
        )
        ax_ppl.set_xscale("log")
        _ratio_ticks(ax_ppl.xaxis)
        _ppl_marks(ax_ppl, vertical=True)
        ax_ppl.set_xlabel(PPL_LABEL)
        ax_ppl.set_yticks(y, labels=rows["experiment"].astype(str))
        ax_math.barh(y, _column(rows, "math_accuracy") * PERCENT, color=colours, height=0.7)
        base_math = base_value(summary, "math_accuracy") * PERCENT
        if np.isfinite(base_math):
            ax_math.axvline(base_math, color=GREY, linewidth=0.7, zorder=3)
        ax_math.set_xlabel("Math accuracy (%)")
        ax_math.tick_params(labelleft=False)
        ax_ppl.invert_yaxis()  # shared y: the first experiment on top in both panels
        # A faint rule between families, so the groups read even without colour.
        edges = np.flatnonzero(rows["family"].to_numpy()[1:] != rows["family"].to_numpy()[:-1])
        for ax in (ax_ppl, ax_math):
            for edge in edges:
                ax.axhline(edge + 0.5, color=LIGHT, linewidth=0.5, zorder=0)
        handles = [Patch(color=colour[family], label=family) for family in present]
        handles.append(Line2D([], [], color=GREY, linewidth=0.7, label="base"))
        fig.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 5))
    return fig
