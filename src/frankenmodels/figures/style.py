"""Shared look of the paper figures, input checks, and the atomic PDF+PNG writer.

Every figure is built on a bare ``matplotlib.figure.Figure`` (no pyplot), inside
``rc_context(RC)``, so building a figure never touches global matplotlib state and
works on headless machines without choosing a backend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from frankenmodels.io import atomic_path

# IEEE two-column page: one column and the full text width, in inches.
SINGLE_COLUMN_IN = 3.5
FULL_WIDTH_IN = 7.16

PNG_DPI = 150

# Font subsetting for Type 42 embedding logs every glyph table at INFO; job logs
# (frankenmodels.joblog routes INFO to the Snakemake log) would drown in it.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Greyscale-safe palette: marks differ by marker/hatch/line style first, grey level second.
INK = "black"
GREY = "0.45"
LIGHT = "0.75"

RC: dict[str, object] = {
    # Times-like text to sit with the IEEE body font; STIX ships with matplotlib.
    "font.family": "serif",
    "font.serif": ["STIXGeneral", "DejaVu Serif"],
    "mathtext.fontset": "stix",
    "font.size": 8,
    "axes.labelsize": 8,
    "axes.titlesize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "lines.linewidth": 1.0,
    "lines.markersize": 4,
    "errorbar.capsize": 2,
    "hatch.linewidth": 0.6,
    "axes.prop_cycle": mpl.cycler(color=[INK]),
    "axes.unicode_minus": True,
    # Embedded TrueType (Type 42) fonts: required by IEEE PDF checks, text stays selectable.
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    # Fixed salt so any SVG export is byte-stable too.
    "svg.hashsalt": "frankenmodels",
    "savefig.dpi": PNG_DPI,
    "figure.dpi": 100,
}

# Metrics are fractions in [0, 1]; figures show percent / percentage points.
PERCENT = 100.0


@contextmanager
def paper_style() -> Iterator[None]:
    """Apply the paper rcParams for the duration of a figure build or save."""
    with mpl.rc_context(RC):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure with constrained layout (keeps labels inside the canvas)."""
    return Figure(figsize=(width, height), layout="constrained")


# --- input checks shared by the figure modules -------------------------------------------


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise ValueError naming the table and every missing column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table} is missing column(s) {missing}; has {list(df.columns)}")


def require_variants(present: Iterable[str], needed: Iterable[str], table: str) -> None:
    """Raise ValueError naming every needed variant that the table lacks."""
    have = set(present)
    missing = [v for v in needed if v not in have]
    if missing:
        raise ValueError(f"variant(s) {missing} not found in {table}; has {sorted(have)}")


def as_bool(values: pd.Series) -> pd.Series:
    """Booleans from a CSV column that may hold True/False, 1/0 or strings ('true', 'False')."""
    if values.dtype == bool:
        return values
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes"])


def ci_yerr(center: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Asymmetric error-bar lengths for a CI around ``center``.

    A row with a missing bound draws no bar at all: half a bar would look like a real CI.
    """
    err = np.clip(np.vstack([center - low, high - center]), 0.0, None)
    err[:, np.isnan(err).any(axis=0)] = 0.0
    return err


# --- writer ------------------------------------------------------------------------------


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _save_atomic(fig: Figure, path: Path, fmt: str, **kwargs: object) -> None:
    """Render into a temporary file next to ``path`` and move it in place in one step."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
        # The temporary file is owner-only; give the figure the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_current_umask())


def save_figure(fig: Figure, pdf: str | os.PathLike[str], png: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a vector PDF (paper) and a 150 dpi PNG (README), each atomically.

    The PDF carries no creation date, so the same input gives byte-identical files.
    """
    with paper_style():
        _save_atomic(fig, Path(pdf), "pdf", metadata={"CreationDate": None})
        _save_atomic(fig, Path(png), "png", dpi=PNG_DPI, metadata={"Software": None})
