"""Figures of the merge/compress study, from results/compress/summary/: what each averaged
variant costs in quality (perplexity ratio to the original, before and after fine-tuning)
against what it buys in speed, one figure per scope family, and how similar consecutive
layers' hidden states are along the depth of each variant (the seed's "smoothness").

Merged and compressed variants differ by marker shape and before/after by fill, so the
figures read in greyscale; a family absent from the run gives a figure that says so.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from frankenmodels.figures.lab_sweeps import note_figure
from frankenmodels.figures.style import (
    FULL_WIDTH_IN,
    GREY,
    INK,
    LIGHT,
    SINGLE_COLUMN_IN,
    ci_yerr,
    new_figure,
    paper_style,
    require_columns,
    save_figure,
)

ORIGINAL = "original"
MARKERS = {"merged": "o", "compressed": "s"}
TRADEOFF_COLUMNS = (
    "variant",
    "kind",
    "scope",
    "n",
    "start",
    "speedup_token",
    "ppl_ratio_before",
    "ppl_ratio_before_low",
    "ppl_ratio_before_high",
    "ppl_ratio_after_mean",
)
SMOOTHNESS_COLUMNS = ("variant", "layer", "cka")
FIGURES = ("tradeoff_ffn", "tradeoff_block", "smoothness")
# Line styles for the variants of one smoothness panel, the original drawn solid and heavier.
DASHES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 2)))
NAME = re.compile(r"^(?P<kind>[a-z]+)_(?P<n>\d+)_at(?P<start>\d+)_(?P<scope>[a-z]+)$")


def _label(rows: pd.DataFrame, row: pd.Series) -> str:
    """n, and the start too where the family has more than one position."""
    several = rows["start"].nunique() > 1
    n = f"n={int(row['n'])}"
    return f"{n} at {int(row['start'])}" if several else n


def ratio_ticks(low: float, high: float) -> list[float]:
    """Plain ticks for a log ratio axis from ``low`` to ``high``: 1, 1.1, 1.2, 1.5, 2 ... where
    the axis spans little, only 1, 2, 5 times powers of ten where that would be too many."""
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    for mantissas in ((1, 1.1, 1.2, 1.5, 2, 3, 5, 7), (1, 2, 5), (1,)):
        ticks = [m * 10.0**d for d in decades for m in mantissas]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) <= 7:
            return ticks
    return ticks


def _plain_log_axis(ax) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator(ratio_ticks(*ax.get_ylim())))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def tradeoff(variants: pd.DataFrame, scope: str) -> Figure:
    """Perplexity ratio to the original (log) against the per-token speed-up for one family."""
    require_columns(variants, TRADEOFF_COLUMNS, "variants.csv")
    rows = variants[variants["scope"] == scope].reset_index(drop=True)
    if rows.empty:
        return note_figure(f"No {scope} variants in this run.")
    with paper_style():
        fig = new_figure(SINGLE_COLUMN_IN, 2.6)
        ax = fig.add_subplot()
        ax.axhline(1.0, color=GREY, linewidth=0.6, zorder=0)
        ax.axvline(1.0, color=GREY, linewidth=0.6, zorder=0)
        ax.plot([1.0], [1.0], marker="*", markersize=8, color=INK, linestyle="none")
        for _, row in rows.iterrows():
            x, marker = float(row["speedup_token"]), MARKERS[row["kind"]]
            before = float(row["ppl_ratio_before"])
            after = float(row["ppl_ratio_after_mean"])
            err = ci_yerr(
                np.array([before]),
                np.array([float(row["ppl_ratio_before_low"])]),
                np.array([float(row["ppl_ratio_before_high"])]),
            )
            ax.errorbar([x], [before], yerr=err, marker=marker, color=INK, mfc="white")
            if np.isfinite(after):
                ax.plot([x, x], [before, after], color=LIGHT, linewidth=0.8, zorder=1)
                ax.plot([x], [after], marker=marker, color=INK, linestyle="none")
            ax.annotate(_label(rows, row), (x, before), xytext=(4, 2), textcoords="offset points")
        _plain_log_axis(ax)
        ax.set_xlabel("Speed-up per generated token (original / variant)")
        ax.set_ylabel("Perplexity ratio to the original")
        handles = [
            Line2D([], [], marker="*", markersize=8, color=INK, linestyle="none"),
            *(
                Line2D([], [], marker=MARKERS[kind], color=INK, mfc="white", linestyle="none")
                for kind in ("merged", "compressed")
            ),
            Line2D([], [], marker="o", color=INK, mfc="white", linestyle="none"),
            Line2D([], [], marker="o", color=INK, linestyle="none"),
        ]
        labels = ["original", "merged", "compressed", "before fine-tuning", "after (mean)"]
        fig.legend(handles, labels, loc="outside upper center", ncols=3)
    return fig


def _short(variant: str) -> str:
    """ "merged_2_at5_ffn" -> "n=2 at 5, ffn" (the panel already names the kind)."""
    match = NAME.match(variant)
    if match is None:
        return variant
    return f"n={match['n']} at {match['start']}, {match['scope']}"


def smoothness(table: pd.DataFrame) -> Figure:
    """CKA of consecutive layers along depth: a panel per kind, the original in each."""
    require_columns(table, SMOOTHNESS_COLUMNS, "smoothness.csv")
    # A name starts with its kind (compress.variants.variant_name: "merged_2_at5_ffn").
    kind = table["variant"].str.split("_").str[0]
    panels = [k for k in ("merged", "compressed") if (kind == k).any()]
    if not panels:
        return note_figure("Only the original model in this run.")
    original = table[table["variant"] == ORIGINAL].sort_values("layer")
    with paper_style():
        width = FULL_WIDTH_IN if len(panels) > 1 else SINGLE_COLUMN_IN
        fig = new_figure(width, 2.4)
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, panel in zip(axes, panels, strict=True):
            ax.plot(original["layer"], original["cka"], color=INK, linewidth=1.4, label=ORIGINAL)
            names = table.loc[kind == panel, "variant"].unique()
            for k, name in enumerate(names):
                rows = table[table["variant"] == name].sort_values("layer")
                ax.plot(
                    rows["layer"],
                    rows["cka"],
                    color=GREY,
                    linestyle=DASHES[k % len(DASHES)],
                    marker="o",
                    markersize=2,
                    label=_short(name),
                )
            ax.set_title(f"{panel} variants")
            ax.set_xlabel("Layer (position in the variant's stack)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(loc="best")
        axes[0].set_ylabel("Linear CKA with the next layer")
    return fig


def tradeoff_figure(variants: pd.DataFrame, scope: str, pdf, png) -> None:
    save_figure(tradeoff(variants, scope), pdf, png)


def smoothness_figure(table: pd.DataFrame, pdf, png) -> None:
    save_figure(smoothness(table), pdf, png)


def draw_files(
    figure: str,
    variants: str | os.PathLike[str],
    smoothness_csv: str | os.PathLike[str],
    pdf: str | os.PathLike[str],
    png: str | os.PathLike[str],
) -> None:
    """The figure called ``figure`` (one of ``FIGURES``) from the summary's CSV files."""
    if figure == "smoothness":
        smoothness_figure(pd.read_csv(smoothness_csv), pdf, png)
    elif figure.startswith("tradeoff_"):
        tradeoff_figure(pd.read_csv(variants), figure.removeprefix("tradeoff_"), pdf, png)
    else:
        raise ValueError(f"unknown compress figure {figure!r}; expected one of {FIGURES}")
