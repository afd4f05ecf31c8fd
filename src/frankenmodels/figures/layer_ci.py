"""Figure: mean improvement with BCa CI for every tested variant (the statistics section)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
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
)
from frankenmodels.vocabulary import metric_label

TESTS_COLUMNS = (
    "protocol",
    "variant",
    "metric",
    "mean_diff",
    "ci_low",
    "ci_high",
    "family",
    "significant_holm",
)
# One marker shape per family, so families stay apart in greyscale.
FAMILY_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")


def _natural_key(name: str) -> tuple[object, ...]:
    """Sort 'dup10' after 'dup9' when a variant has no layer to sort by."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _row_positions(families: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """y of each variant row and of each family header row, top to bottom."""
    rows, headers, pos = [], [], 0
    for i, family in enumerate(families):
        if i == 0 or family != families[i - 1]:
            headers.append(pos)
            pos += 1
        rows.append(pos)
        pos += 1
    return np.array(rows, dtype=float), np.array(headers, dtype=float)


def _legend_entries(
    families: list[str], markers: dict[str, str], ci_text: str
) -> tuple[list[object], list[str]]:
    """Fill = Holm significance, shown on every family's shape; shape = family (row headers)."""
    handles: list[object] = []
    labels: list[str] = []
    for fill, text in ((INK, "significant (Holm)"), ("white", "not significant")):
        handles.append(
            tuple(Line2D([], [], marker=markers[f], ls="none", mfc=fill, mec=INK) for f in families)
        )
        labels.append(text)
    handles.append(Line2D([], [], color=GREY, linewidth=0.8))
    labels.append(ci_text)
    return handles, labels


def ci_table(
    tests: pd.DataFrame,
    variants: pd.DataFrame | None = None,
    *,
    metric: str = "accuracy",
    protocol: str = "original",
) -> pd.DataFrame:
    """Rows of one protocol and metric, in percentage points, sorted by family then layer.

    Families keep the order of variants.csv (the config order) when it is given.
    """
    require_columns(tests, TESTS_COLUMNS, "tests.csv")
    rows = tests[(tests["protocol"] == protocol) & (tests["metric"] == metric)].copy()
    if rows.empty:
        raise ValueError(f"tests.csv has no rows for protocol {protocol!r} and metric {metric!r}")
    rows = rows.drop_duplicates("variant")
    for col in ("mean_diff", "ci_low", "ci_high"):
        rows[f"{col}_pp"] = rows[col].astype(float) * PERCENT
    rows["significant_holm"] = as_bool(rows["significant_holm"])

    order = list(dict.fromkeys(rows["family"]))
    rows["layer_sort"] = np.nan
    if variants is not None:
        require_columns(variants, ("variant", "family", "layer"), "variants.csv")
        rows["layer_sort"] = rows["variant"].map(variants.set_index("variant")["layer"])
        config_order = [f for f in dict.fromkeys(variants["family"]) if f in set(order)]
        order = config_order + [f for f in order if f not in config_order]
    rows["family_rank"] = rows["family"].map({f: i for i, f in enumerate(order)})
    rows["name_key"] = rows["variant"].map(_natural_key)
    rows = rows.sort_values(
        ["family_rank", "layer_sort", "name_key"], na_position="last", kind="stable"
    )
    return rows.drop(columns=["layer_sort", "name_key"]).reset_index(drop=True)


def layer_ci(
    tests: pd.DataFrame,
    variants: pd.DataFrame | None = None,
    *,
    metric: str = "accuracy",
    protocol: str = "original",
) -> Figure:
    """Single-column forest plot: one row per variant, mean improvement (pp) with its BCa CI.

    Filled markers are significant after Holm within their family, open ones are not;
    marker shape encodes the family.
    """
    table = ci_table(tests, variants, metric=metric, protocol=protocol)
    families = list(dict.fromkeys(table["family"]))
    markers = {f: FAMILY_MARKERS[i % len(FAMILY_MARKERS)] for i, f in enumerate(families)}
    y, header_y = _row_positions(table["family"].tolist())
    n_rows = len(table) + len(families)

    with paper_style():
        fig = new_figure(SINGLE_COLUMN_IN, 0.8 + 0.13 * n_rows)
        ax = fig.add_subplot()
        ax.axvline(0.0, color=GREY, linewidth=0.6, linestyle="--", zorder=0)
        x = table["mean_diff_pp"].to_numpy(float)
        xerr = ci_yerr(x, table["ci_low_pp"].to_numpy(float), table["ci_high_pp"].to_numpy(float))
        ax.errorbar(x, y, xerr=xerr, fmt="none", ecolor=GREY, elinewidth=0.8, zorder=1)
        for family in families:
            for significant in (True, False):
                mask = (
                    (table["family"] == family) & (table["significant_holm"] == significant)
                ).to_numpy()
                if not mask.any():
                    continue
                ax.plot(
                    x[mask],
                    y[mask],
                    linestyle="none",
                    marker=markers[family],
                    markersize=4,
                    markeredgecolor=INK,
                    markerfacecolor=INK if significant else "white",
                    markeredgewidth=0.8,
                    zorder=2,
                )
        # A header row names each family (forest-plot style), above its variants.
        ax.set_yticks(np.concatenate([header_y, y]), [*families, *table["variant"].astype(str)])
        for label in ax.get_yticklabels()[: len(families)]:
            label.set_fontweight("bold")
        for h in header_y[1:]:
            ax.axhline(h - 0.5, color=LIGHT, linewidth=0.5, zorder=0)
        ax.set_ylim(n_rows - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(f"Δ {metric_label(metric)} vs base (pp)")

        level = table["ci_level"].dropna() if "ci_level" in table else pd.Series(dtype=float)
        ci_text = f"{level.iloc[0]:.0%} BCa CI" if not level.empty else "BCa CI"
        fig.legend(
            *_legend_entries(families, markers, ci_text),
            loc="outside lower center",
            ncols=3,
            handletextpad=0.4,
            handler_map={tuple: HandlerTuple(ndivide=None, pad=0.2)},
        )
    return fig
