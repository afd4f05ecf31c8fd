"""The lab report's tables, as LaTeX tabular bodies built from results/lab/summary.csv."""

from __future__ import annotations

import pandas as pd

from frankenmodels.lab.catalogue import PATTERN_FAMILIES
from frankenmodels.report.lab import RATIO
from frankenmodels.report.latex import escape, fmt_fixed, is_missing


def _ci(row: pd.Series, stem: str) -> str:
    value, low, high = row[stem], row[f"{stem}_low"], row[f"{stem}_high"]
    if is_missing(value):
        return "n/a"
    return f"{RATIO.tex(value)} [{RATIO.tex(low)}, {RATIO.tex(high)}]"


def _signed_ci(row: pd.Series) -> str:
    if is_missing(row["notice"]):
        return "n/a"
    parts = (fmt_fixed(row[k], 3, signed=True) for k in ("notice", "notice_low", "notice_high"))
    value, low, high = parts
    return f"{value} [{low}, {high}]"


def _table(header: str, columns: str, lines: list[str]) -> str:
    body = "\n".join(lines) if lines else r"\multicolumn{6}{c}{(none in this run)} \\"
    return (
        rf"\begin{{tabular}}{{{columns}}}"
        "\n\\toprule\n" + header + " \\\\\n\\midrule\n" + body + "\n\\bottomrule\n\\end{tabular}\n"
    )


def deletion_table(summary: pd.DataFrame, importance: pd.DataFrame) -> str:
    """One row per deleted layer: perplexity ratio with CI, P(yes) on self-report, arithmetic,
    and the two training-free importance scores of that layer."""
    deleted = summary[summary["family"] == "delete"].dropna(subset=["layer"])
    deleted = deleted.assign(layer=deleted["layer"].astype(int)).merge(importance, on="layer")
    lines = [
        f"{row.layer} & {_ci(row, 'ppl_ratio')} & {fmt_fixed(row.p_yes_self, 3)} & "
        f"{fmt_fixed(100 * row.math_accuracy, 0)} & {fmt_fixed(row.block_influence, 3)} & "
        f"{fmt_fixed(row.angular_distance, 3)} \\\\"
        for _, row in deleted.sort_values("layer").iterrows()
    ]
    header = r"Layer & PPL ratio [CI] & $P(\text{yes})$ self & Math \% & BI & Angular"
    return _table(header, "rlrrrr", lines)


def patterns_table(summary: pd.DataFrame) -> str:
    """Every experiment outside the single-layer and window sweeps."""
    rows = summary[summary["family"].isin(PATTERN_FAMILIES)]
    order = {family: k for k, family in enumerate(PATTERN_FAMILIES)}
    rows = rows.assign(_order=rows["family"].map(order)).sort_values(["_order"], kind="stable")
    lines = [
        rf"{escape(row.family.replace('_', ' '))} & \texttt{{{escape(row.experiment)}}} & "
        f"{row.depth} & {_ci(row, 'ppl_ratio')} & {_signed_ci(row)} & "
        f"{fmt_fixed(100 * row.math_accuracy, 0)} \\\\"
        for _, row in rows.iterrows()
    ]
    header = "Family & Experiment & Depth & PPL ratio [CI] & Notice [CI] & Math \\%"
    return _table(header, "llrlll", lines)
