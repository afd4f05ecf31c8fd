"""Build results/stats/{tests.csv, mcnemar.csv, selection.json} from the tidy inputs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.mcnemar import mcnemar_table, summarise_mcnemar
from frankenmodels.stats.multiplicity import holm
from frankenmodels.stats.paired import (
    effect_size_dz,
    paired_bootstrap_ci,
    paired_differences,
    paired_t_test,
    paired_wilcoxon,
    sign_counts,
)
from frankenmodels.stats.pairing import METRICS_COLUMNS, PairedSample, pair_by_seed, require_columns
from frankenmodels.stats.power import minimum_detectable_effect, power_at, seeds_needed
from frankenmodels.stats.selection import select_variant

VALIDATION_SPLIT = "validation"
VARIANTS_COLUMNS = ("variant", "family")

# Column order of tests.csv as fixed by docs/CONTRACTS.md ...
TESTS_COLUMNS = (
    "protocol", "variant", "metric", "n_seeds", "alpha",
    "base_mean", "variant_mean", "mean_diff", "sd_diff",
    "t_stat", "t_p",
    "wilcoxon_stat", "wilcoxon_p", "wilcoxon_min_p",
    "ci_low", "ci_high", "ci_level",
    "d_z",
    "family", "family_size", "t_p_holm",
    "significant", "significant_holm",
    "seeds_positive", "seeds_negative", "seeds_tied",
    "mcnemar_seeds_significant", "mcnemar_p_min", "mcnemar_p_median",
    "mde", "seeds_needed",
)  # fmt: skip
# ... and the columns this stage adds after them (documented in analyse()).
EXTRA_COLUMNS = (
    "split", "base", "layer", "focus", "n_unpaired",
    "wilcoxon_n", "wilcoxon_method", "significant_wilcoxon", "ci_method",
    "mcnemar_seeds", "mcnemar_seeds_better",
    "power", "target_effect", "power_at_target",
)  # fmt: skip
_INT_COLUMNS = (
    "n_seeds", "family_size", "seeds_positive", "seeds_negative", "seeds_tied",
    "mcnemar_seeds_significant", "seeds_needed", "n_unpaired", "wilcoxon_n",
    "mcnemar_seeds", "mcnemar_seeds_better", "layer",
)  # fmt: skip


@dataclass(frozen=True)
class StatsResult:
    """The three outputs of the stats stage (see docs/CONTRACTS.md)."""

    tests: pd.DataFrame
    mcnemar: pd.DataFrame
    selection: dict[str, Any]


def compare_pair(pair: PairedSample, cfg: StatsConfig) -> dict[str, Any]:
    """Every per-pair statistic of one (variant, metric) row; d = variant - base per seed."""
    n = pair.n
    d = paired_differences(pair.variant, pair.base)
    sd_diff = float(np.std(d, ddof=1)) if n >= 2 else np.nan
    t = paired_t_test(pair.variant, pair.base)
    w = paired_wilcoxon(pair.variant, pair.base)
    ci = paired_bootstrap_ci(
        pair.variant,
        pair.base,
        level=cfg.ci_level,
        n_resamples=cfg.bootstrap_resamples,
        seed=cfg.bootstrap_seed,
    )
    signs = sign_counts(d)
    return {
        "n_seeds": n,
        "n_unpaired": pair.n_unpaired,
        "alpha": cfg.alpha,
        "base_mean": float(np.mean(pair.base)) if n else np.nan,
        "variant_mean": float(np.mean(pair.variant)) if n else np.nan,
        "mean_diff": float(np.mean(d)) if n else np.nan,
        "sd_diff": sd_diff,
        "t_stat": t.statistic,
        "t_p": t.pvalue,
        "wilcoxon_stat": w.statistic,
        "wilcoxon_p": w.pvalue,
        "wilcoxon_min_p": w.min_p,
        "wilcoxon_n": w.n_nonzero,
        "wilcoxon_method": w.method,
        "significant_wilcoxon": bool(w.pvalue <= cfg.alpha),  # NaN compares False
        "ci_low": ci.low,
        "ci_high": ci.high,
        "ci_level": ci.level,
        "ci_method": ci.method,
        "d_z": effect_size_dz(d),
        "significant": bool(t.pvalue <= cfg.alpha),
        "seeds_positive": signs.positive,
        "seeds_negative": signs.negative,
        "seeds_tied": signs.tied,
        "mde": minimum_detectable_effect(sd_diff, n, cfg.alpha, cfg.power),
        "seeds_needed": seeds_needed(cfg.target_effect, sd_diff, cfg.alpha, cfg.power),
        "power": cfg.power,
        "target_effect": cfg.target_effect,
        "power_at_target": power_at(cfg.target_effect, sd_diff, n, cfg.alpha),
    }


def _check_inputs(val: pd.DataFrame, variants: pd.DataFrame, cfg: StatsConfig) -> list[str]:
    """Validate the validation-split data against the config; return the variants to test."""
    if val.empty:
        raise ValueError(f"metrics.csv has no rows for split {VALIDATION_SPLIT!r}")
    present = set(val["variant"])
    if cfg.base_variant not in present:
        raise ValueError(f"base variant {cfg.base_variant!r} is not in metrics.csv (validation)")
    if cfg.focus_variant is not None and cfg.focus_variant not in present:
        raise ValueError(
            f"stats.focus_variant {cfg.focus_variant!r} is not in metrics.csv (validation); "
            f"variants there: {sorted(present)}"
        )
    missing_metrics = [m for m in cfg.metrics if m not in set(val["metric"])]
    if missing_metrics:
        raise ValueError(f"stats.metrics {missing_metrics} are not in metrics.csv (validation)")
    listed = list(dict.fromkeys(variants["variant"]))
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise ValueError(f"variants {unlisted} are in metrics.csv but not in variants.csv")
    absent = [v for v in listed if v not in present]
    if absent:
        warnings.warn(
            f"variants {absent} of variants.csv have no metrics; not tested", stacklevel=3
        )
    return [v for v in listed if v in present and v != cfg.base_variant]


def _add_holm(tests: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Holm across the variants of each (family, metric); family_size counts them."""
    tests = tests.copy()
    tests["t_p_holm"] = np.nan
    tests["family_size"] = 0
    for _, idx in tests.groupby(["family", "metric"], sort=False, dropna=False).groups.items():
        tests.loc[idx, "t_p_holm"] = holm(tests.loc[idx, "t_p"].to_numpy(dtype=float))
        tests.loc[idx, "family_size"] = len(idx)
    tests["significant_holm"] = tests["t_p_holm"] <= alpha  # NaN compares False
    return tests


def _add_mcnemar(tests: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """McNemar is a test of accuracy: fill its columns on accuracy rows, leave others empty."""
    tests = tests.merge(summary, on="variant", how="left")
    mcn_cols = [c for c in summary.columns if c != "variant"]
    tests.loc[tests["metric"] != "accuracy", mcn_cols] = np.nan
    return tests


def _selected_rows(original: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """The chosen variant's validation rows: one pre-specified test, so no correction."""
    rows = original[original["variant"] == chosen].copy()
    if rows.empty:
        raise ValueError(
            f"the variant chosen on the selection split, {chosen!r}, has no validation metrics"
        )
    rows["protocol"] = "selected"
    rows["family_size"] = 1
    rows["t_p_holm"] = rows["t_p"]
    rows["significant_holm"] = rows["significant"]
    return rows


def analyse(
    metrics: pd.DataFrame,
    predictions: pd.DataFrame,
    variants: pd.DataFrame,
    config: StatsConfig | Mapping[str, Any],
) -> StatsResult:
    """Test every variant against the base, paired by seed, on the validation split.

    metrics, predictions, variants: the frames of results/aggregate/metrics.csv,
    results/aggregate/predictions.csv and results/variants.csv. config: the `stats:` dict.

    tests: protocol "original" has one row per (variant, metric) for every variant except the
    base, Holm-corrected within its variants.csv family; protocol "selected" repeats the rows of
    the variant chosen on the selection split (family_size 1, t_p_holm = t_p). Columns are those
    of docs/CONTRACTS.md, then:
      split ("validation"), base (the base variant's name), layer (from variants.csv),
      focus (variant == stats.focus_variant), n_unpaired (seeds present for only one of the two,
      dropped), wilcoxon_n (non-zero differences ranked), wilcoxon_method, significant_wilcoxon
      (wilcoxon_p <= alpha), ci_method, mcnemar_seeds (seeds with paired predictions),
      mcnemar_seeds_better (seeds where McNemar is significant and the variant is the better),
      power (the nominal power of mde / seeds_needed), target_effect, power_at_target (power of
      this design, n_seeds and sd_diff, against target_effect).
    mean_diff, the CI and mde are in metric units (fractions: 0.0056 = 0.56 points).
    """
    cfg = StatsConfig.from_mapping(config)
    require_columns(metrics, METRICS_COLUMNS, "metrics.csv")
    require_columns(variants, VARIANTS_COLUMNS, "variants.csv")
    val = metrics[metrics["split"] == VALIDATION_SPLIT]
    tested = _check_inputs(val, variants, cfg)
    info = variants.drop_duplicates("variant").set_index("variant")
    layer = info["layer"] if "layer" in info.columns else pd.Series(dtype=float)

    rows = []
    for variant in tested:
        for metric in cfg.metrics:
            pair = pair_by_seed(
                val, split=VALIDATION_SPLIT, variant=variant, base=cfg.base_variant, metric=metric
            )
            if pair.n < 2:
                msg = f"{variant}/{metric}: {pair.n} paired seed(s); the tests are undefined"
                warnings.warn(msg, stacklevel=2)
            rows.append(
                {
                    "protocol": "original",
                    "variant": variant,
                    "metric": metric,
                    "family": info.at[variant, "family"],
                    "split": VALIDATION_SPLIT,
                    "base": cfg.base_variant,
                    "layer": layer.get(variant, np.nan),
                    "focus": variant == cfg.focus_variant,
                    **compare_pair(pair, cfg),
                }
            )
    original = _add_holm(pd.DataFrame(rows), cfg.alpha) if rows else _empty_tests()

    mcn = mcnemar_table(predictions, base=cfg.base_variant, split=VALIDATION_SPLIT)
    original = _add_mcnemar(original, summarise_mcnemar(mcn, cfg.alpha))

    sel_cfg = cfg.selection
    selection = select_variant(
        metrics,
        variants,
        family=sel_cfg.family,
        metric=sel_cfg.metric,
        base=cfg.base_variant,
        enabled=sel_cfg.enabled,
    )
    parts = [original]
    if selection["chosen"] is not None:
        parts.append(_selected_rows(original, selection["chosen"]))
    tests = pd.concat(parts, ignore_index=True) if len(parts) > 1 else original
    return StatsResult(tests=_tidy(tests), mcnemar=mcn.reset_index(drop=True), selection=selection)


def _empty_tests() -> pd.DataFrame:
    return pd.DataFrame(columns=[*TESTS_COLUMNS, *EXTRA_COLUMNS])


def _tidy(tests: pd.DataFrame) -> pd.DataFrame:
    """Contract column order, then the added columns; integer counts as nullable ints."""
    tests = tests.reindex(columns=[*TESTS_COLUMNS, *EXTRA_COLUMNS]).reset_index(drop=True)
    for col in _INT_COLUMNS:
        tests[col] = pd.to_numeric(tests[col]).round().astype("Int64")
    for col in ("significant", "significant_holm", "significant_wilcoxon", "focus"):
        tests[col] = tests[col].astype(bool)
    return tests
