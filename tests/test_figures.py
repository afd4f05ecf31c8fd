"""Tests of the paper figures on small synthetic tables in the exact CONTRACTS.md format."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes

from frankenmodels.figures.layer_ci import ci_table, layer_ci
from frankenmodels.figures.layer_impact import layer_impact, layer_table
from frankenmodels.figures.seed_pairs import seed_pairs
from frankenmodels.figures.style import save_figure
from frankenmodels.figures.tradeoff import tradeoff
from frankenmodels.metrics import METRICS

FOCUS = "dup1"  # not the best layer (the synthetic effect peaks at dup2)


def make_tables(
    seeds: tuple[int, ...] = (42, 43, 44),
    n_layers: int = 4,
    delete_layers: tuple[int, ...] = (1,),
    rng_seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """variants, metrics, efficiency and tests as they would be read back from the CSVs."""
    rng = np.random.default_rng(rng_seed)
    variants = [{"variant": "base", "family": "base", "layer": None, "depth": n_layers}]
    variants += [
        {"variant": f"dup{i}", "family": "duplicate", "layer": i, "depth": n_layers + 1}
        for i in range(n_layers)
    ]
    variants += [
        {"variant": f"del{i}", "family": "delete", "layer": i, "depth": n_layers - 1}
        for i in delete_layers
    ]
    for v in variants:
        seq = list(range(n_layers))
        if v["family"] == "duplicate":
            seq.insert(v["layer"], v["layer"])
        elif v["family"] == "delete":
            seq.remove(v["layer"])
        v["plan"] = " ".join(map(str, seq))
    variants_df = pd.DataFrame(variants)

    # Effect peaks at the middle layer so the "best" marker has a clear winner.
    effect = {"base": 0.0}
    for v in variants:
        if v["family"] == "duplicate":
            effect[v["variant"]] = 0.008 - 0.004 * abs(v["layer"] - n_layers // 2)
        elif v["family"] == "delete":
            effect[v["variant"]] = -0.01
    rows = []
    for split in ("validation", "selection"):
        for seed in seeds:
            seed_level = 0.92 + rng.normal(0, 0.003)
            for v in variants_df["variant"]:
                noise = rng.normal(0, 0.002)
                for metric in METRICS:
                    value = seed_level + effect[v] + noise + rng.normal(0, 0.0005)
                    rows.append((split, seed, v, metric, float(np.clip(value, 0, 1))))
    metrics_df = pd.DataFrame(rows, columns=["split", "seed", "variant", "metric", "value"])

    eff = []
    for v in variants:
        depth = v["depth"]
        lat = 18.0 * depth / n_layers
        eff.append(
            {
                "variant": v["variant"],
                "depth": depth,
                "params_unique": 109_482_240 - (7_087_872 if v["family"] == "delete" else 0),
                "params_effective": 109_482_240 + 7_087_872 * (depth - n_layers),
                "peak_memory_mb": 435.2 + 17.0 * (depth - n_layers),
                "memory_method": "cuda_max_allocated",
                "latency_ms_median": lat,
                "latency_ms_p25": lat - 0.4,
                "latency_ms_p75": lat + 0.6,
                "batch_size": 32,
                "repeats": 20,
                "device": "cuda",
                "device_name": "Synthetic GPU",
            }
        )
    efficiency_df = pd.DataFrame(eff)

    tests = []
    val = metrics_df[metrics_df["split"] == "validation"]
    for v in variants[1:]:
        for metric in METRICS[:4]:
            wide = val[val["metric"] == metric].pivot(
                index="seed", columns="variant", values="value"
            )
            d = wide[v["variant"]] - wide["base"]
            mean, sd = float(d.mean()), float(d.std(ddof=1))
            significant = bool(mean > 0.004)
            tests.append(
                {
                    "protocol": "original",
                    "variant": v["variant"],
                    "metric": metric,
                    "n_seeds": len(d),
                    "alpha": 0.05,
                    "base_mean": float(wide["base"].mean()),
                    "variant_mean": float(wide[v["variant"]].mean()),
                    "mean_diff": mean,
                    "sd_diff": sd,
                    "t_stat": 1.0,
                    "t_p": 0.1,
                    "wilcoxon_stat": 3.0,
                    "wilcoxon_p": 0.25,
                    "wilcoxon_min_p": 0.125,
                    "ci_low": mean - 0.003,
                    "ci_high": mean + 0.002,
                    "ci_level": 0.95,
                    "d_z": mean / sd,
                    "family": v["family"],
                    "family_size": sum(w["family"] == v["family"] for w in variants),
                    "t_p_holm": 0.2,
                    "significant": significant,
                    "significant_holm": significant,
                    "seeds_positive": int((d > 0).sum()),
                    "seeds_negative": int((d < 0).sum()),
                    "seeds_tied": int((d == 0).sum()),
                    "mcnemar_seeds_significant": 0,
                    "mcnemar_p_min": 0.3,
                    "mcnemar_p_median": 0.6,
                    "mde": 0.01,
                    "seeds_needed": 12,
                }
            )
    # The "selected" protocol repeats one variant; figures must ignore it.
    tests.append({**tests[0], "protocol": "selected", "mean_diff": 0.5, "family": "duplicate"})
    tests_df = pd.DataFrame(tests)

    # Round-trip through CSV so dtypes (empty layer, bool columns) match what rules read.
    def roundtrip(df: pd.DataFrame) -> pd.DataFrame:
        buffer = io.StringIO()
        df.to_csv(buffer, index=False)
        buffer.seek(0)
        return pd.read_csv(buffer)

    return {
        "variants": roundtrip(variants_df),
        "metrics": roundtrip(metrics_df),
        "efficiency": roundtrip(efficiency_df),
        "tests": roundtrip(tests_df),
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


def _all_labels(fig: Figure) -> str:
    texts = []
    for ax in fig.axes:
        texts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
    return " | ".join(texts)


# --- layer_impact -------------------------------------------------------------------------


def test_layer_impact_points_and_labels(tables: dict[str, pd.DataFrame]) -> None:
    fig = layer_impact(tables["metrics"], tables["variants"], tables["tests"], FOCUS)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    data_line = ax.lines[1]  # lines[0] is the zero line
    assert list(data_line.get_xdata()) == [0, 1, 2, 3]
    assert "(pp)" in ax.get_ylabel() and "layer" in ax.get_xlabel().lower()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(FOCUS in t for t in legend) and any("best" in t for t in legend)
    assert any("95% BCa CI" in t for t in legend)


def test_layer_table_matches_paired_mean(tables: dict[str, pd.DataFrame]) -> None:
    table = layer_table(tables["metrics"], tables["variants"], tables["tests"])
    assert table["layer"].tolist() == [0, 1, 2, 3]
    assert table["mean_pp"].idxmax() == 2  # the synthetic effect peaks at layer 2
    val = tables["metrics"].query("split == 'validation' and metric == 'accuracy'")
    wide = val.pivot(index="seed", columns="variant", values="value")
    expected = ((wide["dup1"] - wide["base"]) * 100).mean()
    assert table.loc[1, "mean_pp"] == pytest.approx(expected)
    assert table["ci_low_pp"].notna().all()


def test_layer_impact_without_tests_has_no_error_bars(tables: dict[str, pd.DataFrame]) -> None:
    fig = layer_impact(tables["metrics"], tables["variants"], None, FOCUS)
    assert len(fig.axes[0].lines) == 4  # zero line, data, best, focus
    assert not any("CI" in t.get_text() for t in fig.legends[0].get_texts())


def test_layer_impact_focus_is_best_gets_one_marker(tables: dict[str, pd.DataFrame]) -> None:
    fig = layer_impact(tables["metrics"], tables["variants"], tables["tests"], "dup2")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[1:] == ["focus = best (dup2)"]


def test_layer_impact_focus_outside_family_warns(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.warns(UserWarning, match="del1"):
        layer_impact(tables["metrics"], tables["variants"], tables["tests"], "del1")


# --- seed_pairs ---------------------------------------------------------------------------


@pytest.mark.parametrize("ncols,width", [(4, 7.16), (2, 3.5)])
def test_seed_pairs_lines_per_panel(
    tables: dict[str, pd.DataFrame], ncols: int, width: float
) -> None:
    fig = seed_pairs(tables["metrics"], FOCUS, ncols=ncols)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4
    assert fig.get_size_inches()[0] == pytest.approx(width)
    titles = [ax.get_title() for ax in axes]
    assert titles == ["Accuracy", "F1 (weighted)", "Precision (weighted)", "Recall (weighted)"]
    for ax in axes:
        assert len(ax.lines) == 3 + 1  # one per seed + the mean pair
        assert ax.lines[-1].get_marker() == "D"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["base", FOCUS]
    assert "(%)" in axes[0].get_ylabel()


def test_seed_pairs_custom_metric_list(tables: dict[str, pd.DataFrame]) -> None:
    fig = seed_pairs(tables["metrics"], FOCUS, ["accuracy", "f1_binary"])
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [
        "Accuracy",
        "F1 (positive class)",
    ]


# --- tradeoff -----------------------------------------------------------------------------


def test_tradeoff_bars_and_radar(tables: dict[str, pd.DataFrame]) -> None:
    fig = tradeoff(tables["metrics"], tables["efficiency"], FOCUS)
    bar_axes = [ax for ax in fig.axes if not isinstance(ax, PolarAxes)]
    polar = [ax for ax in fig.axes if isinstance(ax, PolarAxes)]
    assert len(bar_axes) == 4 and len(polar) == 1
    for ax in bar_axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == 1 and len(bars[0]) == 2
        assert bars[0][0].get_hatch() != bars[0][1].get_hatch()  # greyscale-distinguishable
    units = " ".join(ax.get_ylabel() for ax in bar_axes)
    for unit in ("M parameters", "MB", "ms/batch"):
        assert unit in units
    # Params per use of dup2 (one extra layer) in M, as labelled on the bar.
    heights = [b.get_height() for b in bar_axes[0].containers[0]]
    assert heights == pytest.approx([109.48224, 116.570112])
    spokes = [t.get_text() for t in polar[0].get_xticklabels()]
    assert len(spokes) == 8
    assert any(s.startswith("Accuracy") for s in spokes)
    assert any("Latency" in s and "%" in s for s in spokes)
    assert any(isinstance(c, PolyCollection) for c in polar[0].collections) or polar[0].patches


def test_tradeoff_latency_has_iqr_error_bars(tables: dict[str, pd.DataFrame]) -> None:
    fig = tradeoff(tables["metrics"], tables["efficiency"], FOCUS)
    latency_ax = next(ax for ax in fig.axes if "ms/batch" in ax.get_ylabel())
    bars = next(c for c in latency_ax.containers if isinstance(c, BarContainer))
    assert bars.errorbar is not None


# --- layer_ci -----------------------------------------------------------------------------


def test_layer_ci_rows_sorted_and_marked(tables: dict[str, pd.DataFrame]) -> None:
    fig = layer_ci(tables["tests"], tables["variants"])
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = sorted(zip(ax.get_yticks(), labels, strict=True))
    # Family header rows sit above their variants.
    expected = ["duplicate", "dup0", "dup1", "dup2", "dup3", "delete", "del1"]
    assert [t for _, t in ticks] == expected
    assert "(pp)" in ax.get_xlabel()
    caps = (None, "None", "", "|", "_")  # error-bar caps are Line2D markers too
    points = [ln for ln in ax.lines if ln.get_marker() not in caps]
    assert sum(len(ln.get_xdata()) for ln in points) == 5
    filled = {to_rgba(ln.get_markerfacecolor()) != to_rgba("white") for ln in points}
    assert filled == {True, False}  # both significant and non-significant appear


def test_ci_table_ignores_selected_protocol(tables: dict[str, pd.DataFrame]) -> None:
    table = ci_table(tables["tests"], tables["variants"])
    assert len(table) == 5 and table["mean_diff_pp"].abs().max() < 5
    assert table["family"].tolist()[-1] == "delete"


def test_layer_ci_natural_order_without_variants() -> None:
    tables = make_tables(n_layers=12, delete_layers=())
    names = ci_table(tables["tests"])["variant"].tolist()
    assert names == [f"dup{i}" for i in range(12)]


# --- writer and determinism ---------------------------------------------------------------


def test_writer_pdf_png_and_deterministic(tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    outputs = []
    for attempt in range(2):
        fig = tradeoff(tables["metrics"], tables["efficiency"], FOCUS)
        pdf, png = tmp_path / f"t{attempt}" / "f.pdf", tmp_path / f"t{attempt}" / "f.png"
        save_figure(fig, pdf, png)
        assert pdf.read_bytes().startswith(b"%PDF")
        assert png.read_bytes().startswith(b"\x89PNG")
        assert b"CreationDate" not in pdf.read_bytes()
        assert b"/FontFile2" in pdf.read_bytes()  # Type 42 (TrueType) embedded
        outputs.append(pdf.read_bytes())
        leftovers = [p.name for p in pdf.parent.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("name", ["layer_impact", "seed_pairs", "layer_ci"])
def test_other_figures_write(name: str, tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    build = {
        "layer_impact": lambda: layer_impact(
            tables["metrics"], tables["variants"], tables["tests"], FOCUS
        ),
        "seed_pairs": lambda: seed_pairs(tables["metrics"], FOCUS),
        "layer_ci": lambda: layer_ci(tables["tests"], tables["variants"]),
    }[name]
    save_figure(build(), tmp_path / f"{name}.pdf", tmp_path / f"{name}.png")
    first = (tmp_path / f"{name}.pdf").read_bytes()
    save_figure(build(), tmp_path / f"{name}.pdf", tmp_path / f"{name}.png")
    assert first.startswith(b"%PDF") and (tmp_path / f"{name}.png").stat().st_size > 1000
    assert (tmp_path / f"{name}.pdf").read_bytes() == first


# --- clear errors -------------------------------------------------------------------------


def test_missing_focus_variant_is_named(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match="dup99"):
        layer_impact(tables["metrics"], tables["variants"], tables["tests"], "dup99")
    with pytest.raises(ValueError, match="dup99"):
        seed_pairs(tables["metrics"], "dup99")
    with pytest.raises(ValueError, match="dup99"):
        tradeoff(tables["metrics"], tables["efficiency"], "dup99")


def test_focus_missing_from_efficiency_is_named(tables: dict[str, pd.DataFrame]) -> None:
    efficiency = tables["efficiency"][tables["efficiency"]["variant"] != FOCUS]
    with pytest.raises(ValueError, match=f"{FOCUS}.*efficiency.csv"):
        tradeoff(tables["metrics"], efficiency, FOCUS)


@pytest.mark.parametrize(
    "table,column",
    [
        ("metrics", "value"),
        ("variants", "layer"),
        ("efficiency", "latency_ms_p75"),
        ("tests", "significant_holm"),
    ],
)
def test_missing_column_is_named(tables: dict[str, pd.DataFrame], table: str, column: str) -> None:
    t = {k: v.drop(columns=[column]) if k == table else v for k, v in tables.items()}
    calls = {
        "metrics": lambda: seed_pairs(t["metrics"], FOCUS),
        "variants": lambda: layer_impact(t["metrics"], t["variants"], t["tests"], FOCUS),
        "efficiency": lambda: tradeoff(t["metrics"], t["efficiency"], FOCUS),
        "tests": lambda: layer_ci(t["tests"], t["variants"]),
    }
    with pytest.raises(ValueError, match=column):
        calls[table]()


def test_unpaired_seeds_are_named(tables: dict[str, pd.DataFrame]) -> None:
    metrics = tables["metrics"].copy()
    metrics.loc[metrics["variant"] == "dup3", "seed"] += 100  # no seed in common with base
    with pytest.raises(ValueError, match="dup3.*share no seed"):
        layer_impact(metrics, tables["variants"], tables["tests"], FOCUS)
    with pytest.raises(ValueError, match="dup3"):
        seed_pairs(metrics, "dup3")


def test_missing_metric_is_named(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match="auroc"):
        seed_pairs(tables["metrics"], FOCUS, ["accuracy", "auroc"])


# --- multilayer ---------------------------------------------------------------------------


def _multilayer_tests() -> pd.DataFrame:
    from multilayer_fixtures import multilayer_results

    return multilayer_results()["tests"]


def test_multilayer_points_per_plan_and_singles_behind(tables: dict[str, pd.DataFrame]) -> None:
    from frankenmodels.figures.multilayer import multilayer, plan_table

    ml_tests = _multilayer_tests()
    fig = multilayer(ml_tests, tables["tests"], tables["efficiency"])
    ax = fig.axes[0]
    plans = plan_table(ml_tests)
    assert len(plans) == 4  # five budgets, one infeasible
    labels = [t.get_text() for t in ax.texts]
    assert labels == [f"{p} ({b})" for p, b in zip(plans["plan"], plans["budgets"], strict=True)]
    assert "ilp_del0 (\u22121)" in labels
    filled = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_zorder() == 3]
    assert sum(len(ln.get_xdata()) for ln in filled) == 4
    crosses = next(ln for ln in ax.lines if ln.get_marker() == "x")
    assert list(crosses.get_ydata()) == pytest.approx(plans["predicted_gain_pp"].tolist())
    # Single-layer variants at their counted cost: dup adds 7.09M to 109.48M (6.5 %).
    singles = next(ln for ln in ax.lines if ln.get_markersize() == 2.5)
    assert 6.47 < max(singles.get_xdata()) < 6.48 and len(singles.get_xdata()) == 5
    assert "parameters" in ax.get_xlabel() and "(pp)" in ax.get_ylabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "95% CI" in legend and "single-layer variant" in legend


def test_multilayer_plan_chosen_twice_is_one_point() -> None:
    from frankenmodels.figures.multilayer import plan_table

    ml_tests = _multilayer_tests()
    twice = pd.concat([ml_tests, ml_tests.iloc[[3]].assign(budget=3)], ignore_index=True)
    table = plan_table(twice)
    assert len(table) == 4
    assert table.loc[table["plan"] == "ilp_dup2", "budgets"].item() == "+1, +3"


def test_multilayer_writes_and_names_errors(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    from frankenmodels.figures.multilayer import multilayer

    ml_tests = _multilayer_tests()
    fig = multilayer(ml_tests, tables["tests"], tables["efficiency"])
    save_figure(fig, tmp_path / "m.pdf", tmp_path / "m.png")
    assert (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match="params_pct"):
        multilayer(ml_tests.drop(columns=["params_pct"]), tables["tests"], tables["efficiency"])
    no_base = tables["efficiency"][tables["efficiency"]["variant"] != "base"]
    with pytest.raises(ValueError, match="base"):
        multilayer(ml_tests, tables["tests"], no_base)
    infeasible = ml_tests.assign(status="infeasible")
    with pytest.raises(ValueError, match="no feasible budget"):
        multilayer(infeasible, tables["tests"], tables["efficiency"])
