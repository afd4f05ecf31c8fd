"""Figure of the decoder-surgery lab drawn from results/lab/token_shifts.tsv: which next tokens
the most damaging experiments make more or less likely than the base model does.

Tokens are shown as text a reader can tell apart: a token's leading space is what separates
" the" from "the", so whitespace is drawn with visible marks instead of vanishing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from frankenmodels.figures.lab_sweeps import note_figure
from frankenmodels.figures.style import (
    FULL_WIDTH_IN,
    GREY,
    INK,
    LIGHT,
    PERCENT,
    new_figure,
    paper_style,
    require_columns,
)

SHIFT_COLUMNS = ("experiment", "token", "prob_base", "prob")
MAX_EXPERIMENTS = 4
MAX_TOKENS = 12

# Whitespace drawn as visible marks. Byte-level BPE (GPT-2, Llama 3, SmolLM) and SentencePiece
# write a space or a newline as a marker character in raw vocabulary pieces, and a table may
# hold pieces rather than decoded text: their markers read the same.
_VISIBLE = {
    " ": "\u2423",
    "\u0120": "\u2423",
    "\u2581": "\u2423",
    "\n": "\u21b5",
    "\u010a": "\u21b5",
    "\t": "\u21e5",
    "\r": "\u240d",
}


def token_label(token: object) -> str:
    """A token as readable, unambiguous text: '␣' for a space, '↵' for a newline,
    '⇥' for a tab, other control characters escaped, and '$' escaped so matplotlib does not
    read the label as mathtext."""
    if token is None or (isinstance(token, float) and np.isnan(token)):
        return "(missing)"
    text = "".join(
        _VISIBLE.get(char, char if char.isprintable() else char.encode("unicode_escape").decode())
        for char in str(token)
    )
    return text.replace("$", r"\$") or "(empty)"


def _ratios(summary: pd.DataFrame | None) -> pd.Series:
    """Perplexity ratio by experiment name; empty without a summary that has it."""
    if summary is None or not {"experiment", "ppl_ratio"} <= set(summary.columns):
        return pd.Series(dtype=float)
    rows = summary.drop_duplicates("experiment")
    return pd.Series(
        pd.to_numeric(rows["ppl_ratio"], errors="coerce").to_numpy(float),
        index=rows["experiment"].astype(str),
    )


def shift_experiments(
    shifts: pd.DataFrame, summary: pd.DataFrame | None = None, limit: int = MAX_EXPERIMENTS
) -> list[str]:
    """Up to ``limit`` experiments of the shift table, the most damaging first: by perplexity
    ratio where the summary has it (the others after, in the table's own order)."""
    ratio = _ratios(summary)

    def damage(name: str) -> float:
        value = ratio.get(name, np.nan)
        return -value if np.isfinite(value) else np.inf

    return sorted(dict.fromkeys(shifts["experiment"].astype(str)), key=damage)[:limit]


def token_shifts(
    shifts: pd.DataFrame,
    summary: pd.DataFrame | None = None,
    *,
    max_experiments: int = MAX_EXPERIMENTS,
    max_tokens: int = MAX_TOKENS,
) -> Figure:
    """One horizontal bar panel per experiment (at most ``max_experiments``, the most damaging):
    each token's probability change vs base (prob − prob_base, percentage points), the
    ``max_tokens`` largest changes, increases dark and decreases light."""
    if shifts is None or shifts.empty:
        return note_figure("no token shifts in this run")
    require_columns(shifts, SHIFT_COLUMNS, "token_shifts.tsv")
    names = shift_experiments(shifts, summary, max_experiments)
    ratio = _ratios(summary)
    ncols = 1 if len(names) == 1 else 2
    nrows = -(-len(names) // ncols)

    with paper_style():
        fig = new_figure(FULL_WIDTH_IN, nrows * (0.5 + 0.14 * max_tokens))
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in axes[len(names) :]:
            fig.delaxes(ax)
        for ax, name in zip(axes, names, strict=False):
            rows = shifts[shifts["experiment"].astype(str) == name]
            change = (
                pd.to_numeric(rows["prob"], errors="coerce")
                - pd.to_numeric(rows["prob_base"], errors="coerce")
            ) * PERCENT
            top = change.abs().sort_values(ascending=False, kind="stable").index[:max_tokens]
            change = change[top].sort_values(ascending=False, kind="stable")
            y = np.arange(len(change))
            colours = [INK if value > 0 else LIGHT for value in change]
            ax.barh(y, change.to_numpy(float), color=colours, edgecolor=INK, linewidth=0.4)
            ax.set_yticks(y, labels=[token_label(t) for t in rows.loc[change.index, "token"]])
            ax.invert_yaxis()
            ax.axvline(0.0, color=GREY, linewidth=0.6)
            known = ratio.get(name, np.nan)
            ax.set_title(f"{name} (perplexity ×{known:.3g})" if np.isfinite(known) else name)
            ax.set_xlabel("Δ next-token probability vs base (pp)")
    return fig
