"""The decoder-surgery lab's figures by name, and the reading of the lab's tables: the logic of
workflow/scripts/figure_lab.py, which draws one figure per job."""

from __future__ import annotations

import os

import pandas as pd
from matplotlib.figure import Figure

from frankenmodels.figures.lab_sweeps import deletion, doubling, patterns, windows
from frankenmodels.figures.lab_tokens import token_shifts
from frankenmodels.figures.style import save_figure

FIGURES = ("deletion", "doubling", "windows", "patterns", "token_shifts")
# Columns that hold text whatever it spells: a token "nan", "NA" or "null" is a token.
TEXT_COLUMNS = ("experiment", "token")


def draw(
    figure: str,
    summary: pd.DataFrame,
    importance: pd.DataFrame | None = None,
    shifts: pd.DataFrame | None = None,
) -> Figure:
    """The lab figure called ``figure`` (one of ``FIGURES``) from the lab's tables."""
    if figure == "deletion":
        return deletion(summary, importance)
    if figure == "doubling":
        return doubling(summary)
    if figure == "windows":
        return windows(summary)
    if figure == "patterns":
        return patterns(summary)
    if figure == "token_shifts":
        return token_shifts(shifts, summary)
    raise ValueError(f"unknown lab figure {figure!r}; expected one of {FIGURES}")


def read_table(path: str | os.PathLike[str] | None) -> pd.DataFrame | None:
    """A lab table as written (tab-separated for a .tsv name, else comma-separated), text
    columns kept verbatim; None for no path, an empty frame for an empty file."""
    if path is None:
        return None
    sep = "\t" if os.fspath(path).endswith(".tsv") else ","
    try:
        header = pd.read_csv(path, sep=sep, nrows=0).columns
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    text = [column for column in header if column in TEXT_COLUMNS]
    return pd.read_csv(
        path,
        sep=sep,
        dtype=dict.fromkeys(text, str),
        keep_default_na=False,
        na_values={column: ["", "nan", "NaN", "NA"] for column in header if column not in text},
    )


def draw_files(
    figure: str,
    summary: str | os.PathLike[str],
    importance: str | os.PathLike[str] | None,
    shifts: str | os.PathLike[str] | None,
    pdf: str | os.PathLike[str],
    png: str | os.PathLike[str],
) -> None:
    """Read the lab's tables, draw ``figure`` and write it as PDF and PNG."""
    fig = draw(figure, read_table(summary), read_table(importance), read_table(shifts))
    save_figure(fig, pdf, png)
