"""Figure: change in validation accuracy per duplicated layer (the seed paper's Fig. 2)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from frankenmodels.figures.style import (
    GREY,
    INK,
    PERCENT,
    SINGLE_COLUMN_IN,
    ci_yerr,
    new_figure,
    paper_style,
    require_columns,
    require_variants,
)
from frankenmodels.stats.pairing import seed_differences
from frankenmodels.vocabulary import metric_label

METRICS_COLUMNS = ("split", "seed", "variant", "metric", "value")
VARIANTS_COLUMNS = ("variant", "family", "layer")
TESTS_COLUMNS = ("protocol", "variant", "metric", "ci_low", "ci_high")


def layer_table(
    metrics: pd.DataFrame,
    variants: pd.DataFrame,
    tests: pd.DataFrame | None = None,
    *,
    base: str = "base",
    family: str = "duplicate",
    metric: str = "accuracy",
    split: str = "validation",
) -> pd.DataFrame:
    """One row per duplicated layer: variant, layer, n_seeds, mean_pp, ci_low_pp, ci_high_pp."""
    require_columns(metrics, METRICS_COLUMNS, "metrics.csv")
    require_columns(variants, VARIANTS_COLUMNS, "variants.csv")
    require_variants(metrics["variant"], [base], "metrics.csv")

    fam = variants[variants["family"] == family].dropna(subset=["layer"])
    if fam.empty:
        raise ValueError(f"variants.csv has no variant of family {family!r} with a layer")
    require_variants(metrics["variant"], fam["variant"], "metrics.csv")

    rows = []
    for variant, layer in zip(fam["variant"], fam["layer"].astype(int), strict=True):
        pair = dict(split=split, variant=variant, base=base, metric=metric)
        diff = seed_differences(metrics, **pair) * PERCENT
        rows.append(
            {"variant": variant, "layer": layer, "n_seeds": len(diff), "mean_pp": diff.mean()}
        )
    table = pd.DataFrame(rows).sort_values("layer", kind="stable").reset_index(drop=True)
    unpaired = table.loc[table["n_seeds"] == 0, "variant"].tolist()
    if unpaired:
        raise ValueError(
            f"variant(s) {unpaired} share no seed with {base!r} for {metric!r} on {split!r}"
        )

    table["ci_low_pp"] = np.nan
    table["ci_high_pp"] = np.nan
    table["ci_level"] = np.nan
    if tests is not None and not tests.empty:
        require_columns(tests, TESTS_COLUMNS, "tests.csv")
        sel = tests[(tests["protocol"] == "original") & (tests["metric"] == metric)]
        sel = sel.drop_duplicates("variant").set_index("variant")
        table["ci_low_pp"] = table["variant"].map(sel["ci_low"]) * PERCENT
        table["ci_high_pp"] = table["variant"].map(sel["ci_high"]) * PERCENT
        if "ci_level" in sel:
            table["ci_level"] = table["variant"].map(sel["ci_level"])
    return table


def _ring(ax: Axes, row: pd.Series, marker: str, size: float, label: str) -> None:
    """Open marker around one layer's point, to single it out without colour."""
    ax.plot(
        [row["layer"]],
        [row["mean_pp"]],
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor="none",
        markeredgecolor=INK,
        markeredgewidth=0.9,
        label=label,
        zorder=3,
    )


def layer_impact(
    metrics: pd.DataFrame,
    variants: pd.DataFrame,
    tests: pd.DataFrame | None = None,
    focus_variant: str = "dup6",
    *,
    base: str = "base",
    metric: str = "accuracy",
    split: str = "validation",
) -> Figure:
    """Mean change (pp, variant minus base, over seeds) per duplicated layer, single column.

    Error bars are the paired BCa CI from tests.csv (protocol "original") when given.
    The focus variant and the best layer are marked; a focus outside the "duplicate"
    family is only warned about, because the panel has no x position for it.
    """
    require_columns(metrics, METRICS_COLUMNS, "metrics.csv")
    require_variants(metrics["variant"], [focus_variant], "metrics.csv")
    table = layer_table(metrics, variants, tests, base=base, metric=metric, split=split)

    with paper_style():
        fig = new_figure(SINGLE_COLUMN_IN, 2.3)
        ax = fig.add_subplot()
        ax.axhline(0.0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)

        x = table["layer"].to_numpy()
        y = table["mean_pp"].to_numpy(dtype=float)
        has_ci = table["ci_low_pp"].notna().any()
        yerr = (
            ci_yerr(y, table["ci_low_pp"].to_numpy(float), table["ci_high_pp"].to_numpy(float))
            if has_ci
            else None
        )
        level = table["ci_level"].dropna()
        ci_text = f"{level.iloc[0]:.0%} BCa CI" if not level.empty else "BCa CI"
        ax.errorbar(
            x,
            y,
            yerr=yerr,
            color=INK,
            ecolor=GREY,
            elinewidth=0.8,
            linewidth=0.6,
            marker="o",
            markersize=3.5,
            label=f"mean ± {ci_text}" if has_ci else "mean over seeds",
            zorder=2,
        )

        best = table.loc[table["mean_pp"].idxmax()]
        focus = table[table["variant"] == focus_variant]
        if focus.empty:
            warnings.warn(
                f"focus variant {focus_variant!r} is not a duplicated layer; not marked",
                stacklevel=2,
            )
        # One ring when focus is the best layer: two overlapping rings read as clutter.
        if best["variant"] == focus_variant:
            _ring(ax, best, "s", 7, f"focus = best ({focus_variant})")
        else:
            _ring(ax, best, "^", 9, f"best ({best['variant']})")
            if not focus.empty:
                _ring(ax, focus.iloc[0], "s", 7, f"focus ({focus_variant})")

        ax.set_xticks(x)
        ax.set_xlabel("Duplicated layer (index)")
        where = "" if split == "validation" else f" on {split}"
        ax.set_ylabel(f"Δ {metric_label(metric)}{where} vs base (pp)")
        # Legend above the axes: inside, it would hide error bars for some layer profiles.
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: not labels[i].startswith("mean"))
        fig.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="outside upper center",
            ncols=3,
            handlelength=1.5,
            columnspacing=1.0,
        )
    return fig
