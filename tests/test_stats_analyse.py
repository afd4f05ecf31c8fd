"""analyse(): the whole tests table from tidy inputs; summarise_claims(); the Snakemake script."""

from __future__ import annotations

import json
import logging
import math
import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from statsmodels.stats.multitest import multipletests

from frankenmodels.stats.analyse import EXTRA_COLUMNS, TESTS_COLUMNS, analyse
from frankenmodels.stats.claims import summarise_claims

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [42, 43, 44, 45, 46]
N_EX = 40
# Accuracy per seed (k / 40 examples); dup6 is clearly better, dup2 identical to base.
ACCURACY = {
    "base": [30, 31, 29, 32, 30],
    "dup2": [30, 31, 29, 32, 30],
    "dup6": [32, 34, 31, 33, 33],
    "dup9": [29, 32, 28, 32, 31],
    "rev4_8": [31, 30, 29, 33, 31],
}
VARIANTS = pd.DataFrame(
    {
        "variant": ["base", "dup2", "dup6", "dup9", "rev4_8"],
        "family": ["base", "duplicate", "duplicate", "duplicate", "named"],
        "layer": [np.nan, 2, 6, 9, np.nan],
        "depth": [12, 13, 13, 13, 12],
        "plan": [""] * 5,
    }
)
METRICS = ["accuracy", "f1_weighted"]


def _config(**overrides) -> dict:
    cfg = {
        "alpha": 0.05,
        "focus_variant": "dup6",
        "base_variant": "base",
        "metrics": METRICS,
        "bootstrap_resamples": 999,
        "bootstrap_seed": 3,
        "ci_level": 0.95,
        "power": 0.8,
        "target_effect": 0.0056,
        "selection": {"enabled": True, "family": "duplicate", "metric": "accuracy"},
    }
    cfg.update(overrides)
    return cfg


def _metrics(accuracy=ACCURACY, split="validation", seeds=SEEDS) -> pd.DataFrame:
    rows = []
    for variant, counts in accuracy.items():
        for seed, k in zip(seeds, counts, strict=True):
            rows.append((split, seed, variant, "accuracy", k / N_EX))
            rows.append((split, seed, variant, "f1_weighted", k / N_EX - 0.001))
    return pd.DataFrame(rows, columns=["split", "seed", "variant", "metric", "value"])


def _predictions(accuracy=ACCURACY, seeds=SEEDS) -> pd.DataFrame:
    """Variant v on seed s gets the first k examples right (so n01 = 0 whenever k >= base k)."""
    labels = np.arange(N_EX) % 2
    frames = []
    for variant, counts in accuracy.items():
        for seed, k in zip(seeds, counts, strict=True):
            correct = np.arange(N_EX) < k
            frames.append(
                pd.DataFrame(
                    {
                        "split": "validation",
                        "seed": seed,
                        "variant": variant,
                        "example": np.arange(N_EX),
                        "label": labels,
                        "prediction": np.where(correct, labels, 1 - labels),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _inputs(with_selection: bool = True):
    metrics = _metrics()
    if with_selection:
        sel = {v: list(c) for v, c in ACCURACY.items()}
        sel["dup9"] = [c + 3 for c in sel["dup9"]]  # dup9 looks best on the selection split
        metrics = pd.concat([metrics, _metrics(sel, split="selection")], ignore_index=True)
    return metrics, _predictions(), VARIANTS


@pytest.fixture(scope="module")
def result():
    return analyse(*_inputs(), _config())


def _row(tests: pd.DataFrame, variant: str, metric: str = "accuracy", protocol="original"):
    hit = tests[
        (tests["protocol"] == protocol)
        & (tests["variant"] == variant)
        & (tests["metric"] == metric)
    ]
    assert len(hit) == 1
    return hit.iloc[0]


def test_columns_follow_the_contract_then_the_additions(result) -> None:
    cols = list(result.tests.columns)
    assert cols[: len(TESTS_COLUMNS)] == list(TESTS_COLUMNS)
    assert cols[len(TESTS_COLUMNS) :] == list(EXTRA_COLUMNS)
    original = result.tests[result.tests["protocol"] == "original"]
    assert len(original) == 4 * len(METRICS)  # every variant but base, every metric
    assert set(original["variant"]) == {"dup2", "dup6", "dup9", "rev4_8"}


def test_original_rows_reproduce_the_papers_t_test(result) -> None:
    row = _row(result.tests, "dup6")
    v = np.array(ACCURACY["dup6"]) / N_EX
    b = np.array(ACCURACY["base"]) / N_EX
    ref = st.ttest_rel(v, b, alternative="greater")
    assert row["t_p"] == pytest.approx(ref.pvalue) and row["t_stat"] == pytest.approx(ref.statistic)
    assert row["n_seeds"] == 5 and row["n_unpaired"] == 0
    assert row["mean_diff"] == pytest.approx(np.mean(v - b))
    assert row["variant_mean"] - row["base_mean"] == pytest.approx(row["mean_diff"])
    assert row["sd_diff"] == pytest.approx(np.std(v - b, ddof=1))
    assert row["d_z"] == pytest.approx(row["mean_diff"] / row["sd_diff"])
    assert row["ci_low"] <= row["mean_diff"] <= row["ci_high"]
    assert (row["seeds_positive"], row["seeds_negative"], row["seeds_tied"]) == (5, 0, 0)
    assert row["wilcoxon_min_p"] == pytest.approx(1 / 32) and row["wilcoxon_p"] == pytest.approx(
        1 / 32
    )
    assert bool(row["significant"]) and bool(row["significant_wilcoxon"])
    assert row["focus"] and not _row(result.tests, "dup9")["focus"]


def test_holm_within_each_family(result) -> None:
    tests = result.tests[result.tests["protocol"] == "original"]
    dup = tests[(tests["family"] == "duplicate") & (tests["metric"] == "accuracy")]
    assert set(dup["family_size"]) == {3}
    # dup2's t_p is NaN (all differences zero) and counts as p = 1 in the family.
    raw = dup["t_p"].fillna(1.0).to_numpy()
    expected = multipletests(raw, method="holm")[1]
    finite = dup["t_p"].notna().to_numpy()
    np.testing.assert_allclose(dup["t_p_holm"].to_numpy()[finite], expected[finite])
    named = _row(result.tests, "rev4_8")
    assert named["family_size"] == 1 and named["t_p_holm"] == pytest.approx(named["t_p"])
    assert (dup["t_p_holm"].dropna() >= dup["t_p"].dropna()).all()


def test_all_differences_zero_is_reported_not_crashed(result) -> None:
    row = _row(result.tests, "dup2")
    assert math.isnan(row["t_p"]) and math.isnan(row["wilcoxon_p"]) and math.isnan(row["d_z"])
    assert not row["significant"] and not row["significant_holm"]
    assert (row["ci_low"], row["ci_high"], row["ci_method"]) == (0.0, 0.0, "degenerate")
    assert row["seeds_tied"] == 5 and pd.isna(row["mde"]) and pd.isna(row["seeds_needed"])


def test_power_columns(result) -> None:
    row = _row(result.tests, "dup6")
    assert row["mde"] > 0 and row["seeds_needed"] >= 2
    assert row["power"] == 0.8 and row["target_effect"] == 0.0056
    # The design is underpowered for the target exactly when its power falls short.
    assert (row["mde"] > row["target_effect"]) == (row["power_at_target"] < 0.8)


def test_mcnemar_only_on_accuracy_rows(result) -> None:
    acc = _row(result.tests, "dup6")
    f1 = _row(result.tests, "dup6", "f1_weighted")
    assert acc["mcnemar_seeds"] == 5 and acc["mcnemar_p_min"] <= 1
    assert pd.isna(f1["mcnemar_seeds"]) and pd.isna(f1["mcnemar_p_min"])
    mcn = result.mcnemar
    assert list(mcn.columns[:6]) == ["variant", "metric", "seed", "n01", "n10", "p"]
    dup6_42 = mcn[(mcn["variant"] == "dup6") & (mcn["seed"] == 42)].iloc[0]
    assert (dup6_42["n01"], dup6_42["n10"]) == (0, 2)  # 32 vs 30 examples right


def test_selected_protocol_tests_only_the_chosen_variant(result) -> None:
    assert result.selection["enabled"] and result.selection["chosen"] == "dup9"
    sel = result.tests[result.tests["protocol"] == "selected"]
    assert set(sel["variant"]) == {"dup9"} and len(sel) == len(METRICS)
    row = _row(result.tests, "dup9", protocol="selected")
    orig = _row(result.tests, "dup9")
    assert row["family_size"] == 1 and row["t_p_holm"] == pytest.approx(row["t_p"])
    assert row["t_p"] == pytest.approx(orig["t_p"])  # same validation data, no correction


@pytest.mark.parametrize("enabled, with_split", [(False, True), (True, False)])
def test_no_selected_rows_when_selection_is_off_or_has_no_split(enabled, with_split) -> None:
    cfg = _config(selection={"enabled": enabled, "family": "duplicate", "metric": "accuracy"})
    res = analyse(*_inputs(with_selection=with_split), cfg)
    assert res.selection["enabled"] is False and res.selection["chosen"] is None
    assert set(res.tests["protocol"]) == {"original"}


def test_missing_seed_pairs_only_common_seeds() -> None:
    metrics, preds, variants = _inputs(with_selection=False)
    metrics = metrics[~((metrics["variant"] == "dup6") & (metrics["seed"] == 44))]
    res = analyse(metrics, preds, variants, _config())
    row = _row(res.tests, "dup6")
    assert row["n_seeds"] == 4 and row["n_unpaired"] == 1
    keep = [0, 1, 3, 4]
    v = np.array(ACCURACY["dup6"])[keep] / N_EX
    b = np.array(ACCURACY["base"])[keep] / N_EX
    assert row["t_p"] == pytest.approx(st.ttest_rel(v, b, alternative="greater").pvalue)
    assert row["wilcoxon_min_p"] == pytest.approx(1 / 16) and row["wilcoxon_p"] > 0.05
    assert _row(res.tests, "dup9")["n_seeds"] == 5


def test_two_seeds() -> None:
    acc = {v: c[:2] for v, c in ACCURACY.items()}
    metrics = _metrics(acc, seeds=SEEDS[:2])
    res = analyse(metrics, _predictions(acc, SEEDS[:2]), VARIANTS, _config())
    row = _row(res.tests, "dup9")
    assert row["n_seeds"] == 2 and np.isfinite(row["t_p"]) and np.isfinite(row["mde"])
    assert row["wilcoxon_min_p"] == pytest.approx(1 / 4)
    assert np.isfinite(row["ci_low"]) and row["ci_low"] <= row["ci_high"]


def test_missing_focus_variant_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="focus_variant 'dup7'"):
        analyse(*_inputs(), _config(focus_variant="dup7"))


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"metrics": ["accuracy", "f1_macro"]}, "f1_macro"),
        ({"alpah": 0.05}, "unknown stats config"),
        ({"alpha": 1.5}, "alpha"),
        ({"base_variant": "bert"}, "base variant"),
    ],
)
def test_config_and_data_errors(overrides, match) -> None:
    with pytest.raises(ValueError, match=match):
        analyse(*_inputs(), _config(**overrides))


def test_variant_missing_from_variants_csv_is_an_error() -> None:
    metrics, preds, variants = _inputs()
    with pytest.raises(ValueError, match="rev4_8"):
        analyse(metrics, preds, variants[variants["variant"] != "rev4_8"], _config())


def test_summarise_claims(result) -> None:
    claims = summarise_claims(result.tests, result.selection, 0.05)
    json.dumps(claims.to_dict(), allow_nan=False)  # plain values only, None for undefined
    acc = claims.focus["accuracy"]
    assert claims.focus_variant == "dup6" and acc.n_seeds == 5
    assert {m: t.significant for m, t in claims.focus.items()} == {
        "accuracy": True,
        "f1_weighted": True,
    }
    row = _row(result.tests, "dup6")
    assert acc.t_p == pytest.approx(row["t_p"])
    assert acc.significant_holm == bool(row["significant_holm"])
    assert claims.best is not None and claims.best.variant == "dup6"
    assert claims.n_variants == 4
    n_holm = int(result.tests.query("protocol == 'original' and metric == 'accuracy'")[
        "significant_holm"
    ].sum())  # fmt: skip
    assert claims.n_significant_holm == n_holm
    assert claims.selected_variant == "dup9" and claims.selected_is_focus is False
    assert claims.selected is not None
    assert claims.selected.significant == bool(
        _row(result.tests, "dup9", protocol="selected")["significant"]
    )
    assert acc.wilcoxon_min_p == pytest.approx(1 / 32) and claims.wilcoxon_can_reject("accuracy")
    assert acc.mde == pytest.approx(row["mde"])
    assert acc.seeds_needed == row["seeds_needed"] and isinstance(acc.seeds_needed, int)
    assert acc.underpowered == (row["mde"] > 0.0056)
    assert acc.mcnemar_seeds == row["mcnemar_seeds"]


def test_summarise_claims_without_selection_or_focus() -> None:
    res = analyse(*_inputs(with_selection=False), _config(focus_variant=None))
    claims = summarise_claims(res.tests, res.selection, 0.05)
    json.dumps(claims.to_dict(), allow_nan=False)
    assert claims.focus_variant is None and claims.focus == {}
    assert claims.selection_enabled is False and claims.selected_variant is None
    assert claims.selected is None and claims.selected_is_focus is None
    assert claims.wilcoxon_can_reject("accuracy") is None


def test_snakemake_script_writes_the_three_outputs(tmp_path: Path) -> None:
    metrics, preds, variants = _inputs()
    inputs = {}
    for name, frame in (("metrics", metrics), ("predictions", preds), ("variants", variants)):
        inputs[name] = str(tmp_path / f"{name}.csv")
        frame.to_csv(inputs[name], index=False)
    outputs = {n: str(tmp_path / "stats" / f"{n}.{e}") for n, e in
               (("tests", "csv"), ("mcnemar", "csv"), ("selection", "json"))}  # fmt: skip
    snakemake = SimpleNamespace(
        input=SimpleNamespace(**inputs),
        output=SimpleNamespace(**outputs),
        params=SimpleNamespace(stats=_config()),
        log=[str(tmp_path / "stats.log")],
    )
    root_handlers = list(logging.getLogger().handlers)
    try:
        runpy.run_path(
            str(ROOT / "workflow" / "scripts" / "stats.py"),
            init_globals={"snakemake": snakemake},
            run_name="__main__",
        )
    finally:  # the script configures logging for its own process; undo that in ours
        logging.captureWarnings(False)
        for handler in set(logging.getLogger().handlers) - set(root_handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
    tests = pd.read_csv(outputs["tests"])
    assert list(tests.columns[: len(TESTS_COLUMNS)]) == list(TESTS_COLUMNS)
    assert set(tests["protocol"]) == {"original", "selected"}
    assert list(pd.read_csv(outputs["mcnemar"]).columns[:6]) == [
        "variant", "metric", "seed", "n01", "n10", "p",
    ]  # fmt: skip
    selection = json.loads(Path(outputs["selection"]).read_text())
    assert selection["chosen"] == "dup9" and selection["split"] == "selection"
    assert "selection chosen: dup9" in (tmp_path / "stats.log").read_text()
    # The macro writer reads the CSV back: the claims must survive the round trip.
    claims = summarise_claims(tests, selection, 0.05)
    json.dumps(claims.to_dict(), allow_nan=False)
    assert claims.focus_variant == "dup6" and claims.focus["accuracy"].significant is True
    assert claims.selected_variant == "dup9"
    assert isinstance(claims.focus["accuracy"].seeds_needed, int)
