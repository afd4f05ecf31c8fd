"""Tests of the decoder-surgery lab's figures on synthetic tables in the SPEC's column format."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from frankenmodels.figures.lab import FIGURES, draw, draw_files, read_table
from frankenmodels.figures.lab_sweeps import (
    deletion,
    doubling,
    pattern_rows,
    patterns,
    window_grid,
    windows,
)
from frankenmodels.figures.lab_tokens import shift_experiments, token_label, token_shifts

ROOT = Path(__file__).resolve().parents[1]
N_LAYERS = 6
SUMMARY_COLUMNS = (
    "experiment family stage layer start size depth layers perplexity perplexity_low "
    "perplexity_high ppl_ratio ppl_ratio_low ppl_ratio_high p_yes_self p_yes_control notice "
    "notice_low notice_high control_accuracy math_accuracy math_n"
).split()
PATTERNS = {
    "block_delete": ["del_first_quarter", "del_middle_quarter"],
    "block_double": ["double_middle_quarter", "double_all"],
    "skip": ["skip_every_2", "keep_even"],
    "reverse": ["reverse_all"],
    "repeat": ["repeat_first_x5"],
    "critical": ["critical_delete", "critical_layer_x5"],
    "splice": ["splice_early_late"],
}
WINDOWS = [(2, start) for start in range(0, 5, 2)] + [(3, start) for start in range(4)]


def _row(experiment: str, family: str, ratio: float, rng: np.random.Generator, **where) -> dict:
    return {
        "experiment": experiment,
        "family": family,
        "stage": 2 if family == "critical" else 1,
        "layer": where.get("layer", np.nan),
        "start": where.get("start", np.nan),
        "size": where.get("size", np.nan),
        "depth": N_LAYERS,
        "layers": " ".join(map(str, range(N_LAYERS))),
        "perplexity": 20.0 * ratio,
        "perplexity_low": 18.0 * ratio,
        "perplexity_high": 22.0 * ratio,
        "ppl_ratio": ratio,
        "ppl_ratio_low": np.nan if family == "base" else ratio * 0.9,
        "ppl_ratio_high": np.nan if family == "base" else ratio * 1.1,
        "p_yes_self": rng.uniform(0.3, 0.7),
        "p_yes_control": rng.uniform(0.3, 0.7),
        "notice": np.nan if family == "base" else rng.normal(0, 0.05),
        "notice_low": np.nan,
        "notice_high": np.nan,
        "control_accuracy": rng.uniform(0.5, 1.0),
        "math_accuracy": rng.uniform(0.0, 0.5),
        "math_n": 20,
    }


def make_summary() -> pd.DataFrame:
    """Base, both single-layer sweeps over 6 layers, two window sizes, every pattern family."""
    rng = np.random.default_rng(0)
    rows = [_row("base", "base", 1.0, rng)]
    rows += [_row(f"del{i}", "delete", 1.05 + i**2, rng, layer=i) for i in range(N_LAYERS)]
    rows += [_row(f"dup{i}", "duplicate", 1.0 + 0.1 * i, rng, layer=i) for i in range(N_LAYERS)]
    rows += [
        _row(
            f"delwin{start}_{start + size}",
            "delete_window",
            2.0 + size + start,
            rng,
            start=start,
            size=size,
        )
        for size, start in WINDOWS
    ]
    for family, names in PATTERNS.items():
        rows += [_row(name, family, 1.5 + 3 * k, rng) for k, name in enumerate(names)]
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    frame.loc[frame["experiment"] == "repeat_first_x5", "math_accuracy"] = np.nan  # no math
    return frame


def make_importance() -> pd.DataFrame:
    layers = np.arange(N_LAYERS)
    return pd.DataFrame(
        {
            "layer": layers,
            "block_influence": 0.1 + 0.05 * layers,
            "angular_distance": 0.2 + 0.01 * layers,
        }
    )


def make_shifts() -> pd.DataFrame:
    """Five experiments (one more than a figure shows), 15 tokens each, awkward tokens included."""
    tokens = [" the", "\n", "$", "nan", "NA", "Ġyes", "\tx", "a b "] + [f"t{i}" for i in range(7)]
    rows = []
    for e, experiment in enumerate(["reverse_all", "del5", "double_all", "skip_every_2", "dup3"]):
        for i, token in enumerate(tokens):
            base = 0.01 * (i + 1)
            rows.append((experiment, token, base, base + (-1) ** i * 0.001 * (len(tokens) - i + e)))
    frame = pd.DataFrame(rows, columns=["experiment", "token", "prob_base", "prob"])
    frame["shift"] = frame["prob"] - frame["prob_base"]
    return frame


@pytest.fixture
def summary() -> pd.DataFrame:
    return make_summary()


def _bars(fig: Figure) -> list[int]:
    """Number of bars in each axes that has bars."""
    return [
        sum(len(c) for c in ax.containers if isinstance(c, BarContainer))
        for ax in fig.axes
        if any(isinstance(c, BarContainer) for c in ax.containers)
    ]


def _texts(fig: Figure) -> str:
    return " ".join(text.get_text() for ax in fig.axes for text in ax.texts)


# --- single-layer sweeps ---------------------------------------------------------------------


def test_deletion_panels_points_and_marks(summary: pd.DataFrame) -> None:
    fig = deletion(summary, make_importance())
    assert isinstance(fig, Figure)
    ppl, p_yes, math, scores = fig.axes
    assert ppl.get_yscale() == "log"
    x, y = ppl.lines[0].get_data()
    assert list(x) == list(range(N_LAYERS))
    np.testing.assert_allclose(y, 1.05 + np.arange(N_LAYERS) ** 2)
    flat = {line.get_ydata()[0] for line in ppl.lines[1:] if line.get_linestyle() == "--"}
    assert flat == {1.1, 10.0}
    base = summary.set_index("experiment").loc["base"]
    assert p_yes.lines[-1].get_ydata()[0] == pytest.approx(base["p_yes_self"])
    assert math.lines[-1].get_ydata()[0] == pytest.approx(100 * base["math_accuracy"])
    assert [line.get_label() for line in scores.lines] == ["block influence", "angular distance"]
    assert scores.get_shared_x_axes().joined(ppl, scores)


def test_deletion_without_importance_and_doubling_have_three_panels(summary: pd.DataFrame) -> None:
    assert len(deletion(summary).axes) == 3
    assert len(deletion(summary, pd.DataFrame()).axes) == 3
    fig = doubling(summary)
    assert len(fig.axes) == 3
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), 1.0 + 0.1 * np.arange(N_LAYERS))
    assert fig.axes[-1].get_xlabel().startswith("Doubled layer")


def test_sweep_with_nan_ci_and_no_base_draws(summary: pd.DataFrame) -> None:
    summary[["ppl_ratio_low", "ppl_ratio_high"]] = np.nan
    summary.loc[summary["experiment"] == "del2", "ppl_ratio"] = np.nan
    fig = deletion(summary[summary["family"] != "base"], make_importance())
    assert len(fig.axes) == 4
    assert len(fig.axes[1].lines) == 1  # no base: no reference line
    fig.canvas.draw()


def test_importance_missing_column_is_named(summary: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="angular_distance"):
        deletion(summary, make_importance().drop(columns="angular_distance"))


# --- windows ---------------------------------------------------------------------------------


def test_windows_heatmap_shape_and_blank_cells(summary: pd.DataFrame) -> None:
    grid = window_grid(summary)
    assert list(grid.index) == [2, 3] and list(grid.columns) == [0, 1, 2, 3, 4]
    assert grid.loc[3, 1] == pytest.approx(np.log10(2.0 + 3 + 1))
    assert np.isnan(grid.loc[2, 1]) and np.isnan(grid.loc[3, 4])
    fig = windows(summary)
    image = fig.axes[0].images[0]
    assert image.get_array().shape == (2, 5)
    assert image.get_array().mask.sum() == 3
    assert "perplexity ratio" in fig.axes[1].get_ylabel()  # the colour bar


# --- patterns --------------------------------------------------------------------------------


def test_patterns_bars_grouped_by_family(summary: pd.DataFrame) -> None:
    shuffled = summary.sample(frac=1.0, random_state=1)
    rows = pattern_rows(shuffled)
    families = list(dict.fromkeys(rows["family"]))
    assert families == list(PATTERNS)
    fig = patterns(shuffled)
    n = sum(map(len, PATTERNS.values()))
    assert _bars(fig) == [n, n]
    ppl = fig.axes[0]
    assert ppl.get_xscale() == "log"
    assert [t.get_text() for t in ppl.get_yticklabels()] == list(rows["experiment"])
    colours = {bar.get_facecolor() for bar in ppl.patches}
    assert len(colours) == len(PATTERNS)
    fig.canvas.draw()


def test_patterns_with_some_families_and_nan_ci(summary: pd.DataFrame) -> None:
    summary[["ppl_ratio_low", "ppl_ratio_high"]] = np.nan
    some = summary[summary["family"].isin(["base", "skip", "reverse"])]
    assert _bars(patterns(some)) == [3, 3]


# --- token shifts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "label"),
    [
        (" the", "\u2423the"),
        ("Ġyes", "\u2423yes"),
        ("\u2581yes", "\u2423yes"),
        ("\n", "\u21b5"),
        ("\tx", "\u21e5x"),
        ("a b ", "a\u2423b\u2423"),
        ("  ", "\u2423\u2423"),
        ("$", r"\$"),
        ("\x00", "\\x00"),
        ("", "(empty)"),
        (np.nan, "(missing)"),
        ("nan", "nan"),
    ],
)
def test_token_label(token: object, label: str) -> None:
    assert token_label(token) == label


def test_token_shifts_most_damaging_four(summary: pd.DataFrame) -> None:
    shifts = make_shifts()
    names = shift_experiments(shifts, summary)
    ratio = summary.set_index("experiment")["ppl_ratio"]
    assert len(names) == 4 and "dup3" not in names
    assert list(ratio[names]) == sorted(ratio[names], reverse=True)
    assert shift_experiments(shifts) == ["reverse_all", "del5", "double_all", "skip_every_2"]

    fig = token_shifts(shifts, summary, max_tokens=10)
    assert len(fig.axes) == 4
    assert _bars(fig) == [10, 10, 10, 10]
    assert fig.axes[0].get_title().startswith(names[0])
    first = shifts[shifts["experiment"] == names[0]]
    change = 100 * (first["prob"] - first["prob_base"])
    widths = [bar.get_width() for bar in fig.axes[0].patches]
    assert widths == sorted(widths, reverse=True)
    assert max(widths) == pytest.approx(change.max())
    labels = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    assert {"\u2423the", "\u21b5", r"\$"} <= labels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing glyph, no mathtext parse of '$'
        fig.canvas.draw()


def test_token_shifts_one_experiment_and_none() -> None:
    shifts = make_shifts()
    fig = token_shifts(shifts[shifts["experiment"] == "dup3"])
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "dup3"
    assert "no token shifts" in _texts(token_shifts(shifts.iloc[:0]))


# --- missing families, the dispatcher, the files ---------------------------------------------


@pytest.mark.parametrize(
    ("figure", "text"),
    [
        ("deletion", "no delete experiments"),
        ("doubling", "no duplicate experiments"),
        ("windows", "no deletion windows in this run"),
        ("patterns", "no named pattern experiments"),
        ("token_shifts", "no token shifts"),
    ],
)
def test_missing_family_states_it(summary: pd.DataFrame, figure: str, text: str) -> None:
    base_only = summary[summary["family"] == "base"]
    fig = draw(figure, base_only, make_importance(), make_shifts().iloc[:0])
    assert isinstance(fig, Figure)
    assert text in _texts(fig)


def test_draw_unknown_figure_is_named(summary: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="heatmap"):
        draw("heatmap", summary)


def _write_tables(folder: Path, suffix: str = ".csv") -> dict[str, Path]:
    """The tables as the workflow writes them (frankenmodels.io.write_csv), or tab-separated."""
    sep = "\t" if suffix == ".tsv" else ","
    paths = {name: folder / f"{name}{suffix}" for name in ("summary", "importance", "token_shifts")}
    make_summary().to_csv(paths["summary"], sep=sep, index=False)
    make_importance().to_csv(paths["importance"], sep=sep, index=False)
    make_shifts().to_csv(paths["token_shifts"], sep=sep, index=False)
    return paths


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_read_table_keeps_tokens_verbatim(tmp_path: Path, suffix: str) -> None:
    paths = _write_tables(tmp_path, suffix)
    shifts = read_table(paths["token_shifts"])
    pd.testing.assert_frame_equal(shifts, make_shifts())
    summary = read_table(paths["summary"])
    assert summary["layer"].isna().sum() == 1 + len(WINDOWS) + sum(map(len, PATTERNS.values()))
    assert summary["ppl_ratio_low"].dtype == float
    (tmp_path / f"empty{suffix}").write_text("")
    assert read_table(tmp_path / f"empty{suffix}").empty
    assert read_table(None) is None


@pytest.mark.parametrize("figure", FIGURES)
def test_draw_files_writes_pdf_and_png(figure: str, tmp_path: Path) -> None:
    paths = _write_tables(tmp_path)
    pdf, png = tmp_path / "out" / f"{figure}.pdf", tmp_path / "out" / f"{figure}.png"
    draw_files(figure, paths["summary"], paths["importance"], paths["token_shifts"], pdf, png)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes().startswith(b"\x89PNG")


SCRIPT = """
import runpy, sys
from types import SimpleNamespace as NS
folder = sys.argv[1]
snakemake = NS(
    input=NS(**{n: f"{folder}/{n}.csv" for n in ("summary", "importance", "token_shifts")}),
    output=NS(pdf=f"{folder}/fig.pdf", png=f"{folder}/fig.png"),
    params=NS(figure="deletion"),
    log=[f"{folder}/fig.log"],
)
runpy.run_path(sys.argv[2], init_globals={"snakemake": snakemake})
"""


def test_script_writes_the_chosen_figure(tmp_path: Path) -> None:
    _write_tables(tmp_path)
    script = ROOT / "workflow" / "scripts" / "figure_lab.py"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "fig.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "fig.png").stat().st_size > 1000
