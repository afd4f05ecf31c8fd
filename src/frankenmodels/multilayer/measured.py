"""The chosen plans measured: each against the base on validation, paired by seed, with the
single-layer study's tests, Holm across the distinct plans, and their measured costs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.stats.analyse import VALIDATION_SPLIT, compare_pair
from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.multiplicity import holm
from frankenmodels.stats.pairing import pair_by_seed

_ROUNDING = 1e-12
TEST_COLUMNS = (
    "budget", "budget_pct", "status", "plan", "changed", "params_pct", "flops_pct",
    "predicted_gain", "predicted_sd", "n_seeds", "base_mean", "plan_mean", "mean_diff",
    "sd_diff", "ci_low", "ci_high", "ci_level", "ci_method", "t_stat", "t_p", "t_p_holm",
    "family_size", "significant", "significant_holm", "seeds_positive", "seeds_negative",
    "seeds_tied", "latency_ms", "latency_pct", "params_measured_pct", "predicted_in_ci",
)  # fmt: skip
_FROM_PAIR = (
    "n_seeds", "base_mean", "sd_diff", "ci_low", "ci_high", "ci_level", "ci_method",
    "t_stat", "t_p", "significant", "seeds_positive", "seeds_negative", "seeds_tied",
)  # fmt: skip


def measure_plans(
    plans: Mapping[str, Any],
    metrics: pd.DataFrame,
    efficiency: pd.DataFrame,
    stats: StatsConfig | Mapping[str, Any],
) -> pd.DataFrame:
    """One row per budget of plans.json (see docs/multilayer.md for the columns).

    ``metrics``: validation rows of the base and the chosen plans (metrics.csv columns);
    ``efficiency``: efficiency records of the base and the chosen plans.
    """
    cfg = stats if isinstance(stats, StatsConfig) else StatsConfig.from_mapping(stats)
    metric, base = plans["metric"], cfg.base_variant
    costs = efficiency.set_index("variant")
    tested: dict[str, dict[str, Any]] = {}  # one test per distinct plan
    rows = []
    for entry in plans["budgets"]:
        row = {key: entry.get(key) for key in ("budget", "budget_pct", "status", "changed")}
        row |= {"plan": entry["name"], "params_pct": entry["params_pct"]}
        row |= {key: entry[key] for key in ("flops_pct", "predicted_gain", "predicted_sd")}
        if entry["status"] == "optimal":
            name = entry["name"]
            if name not in tested:
                tested[name] = _measure(name, metrics, costs, base, metric, cfg)
            row |= tested[name]
        rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=list(TEST_COLUMNS))
    _add_holm(table, list(tested), cfg.alpha)
    # Metrics are multiples of 1/examples: a prediction equal to a bound must not fall
    # outside it by a rounding error.
    within = (table["ci_low"] - _ROUNDING <= table["predicted_gain"]) & (
        table["predicted_gain"] <= table["ci_high"] + _ROUNDING
    )
    table["predicted_in_ci"] = within.where(table["status"] == "optimal")
    return table


def _measure(
    name: str,
    metrics: pd.DataFrame,
    costs: pd.DataFrame,
    base: str,
    metric: str,
    cfg: StatsConfig,
) -> dict[str, Any]:
    pair = pair_by_seed(metrics, split=VALIDATION_SPLIT, variant=name, base=base, metric=metric)
    if pair.n == 0:
        raise ValueError(f"plan {name} has no validation {metric} paired with {base}")
    result = compare_pair(pair, cfg)
    measured = {key: result[key] for key in _FROM_PAIR}
    measured["plan_mean"] = result["variant_mean"]
    measured["mean_diff"] = result["mean_diff"]
    for variant in (name, base):
        if variant not in costs.index:
            raise ValueError(f"no efficiency record for {variant}")
    latency, base_latency = (costs.at[v, "latency_ms_median"] for v in (name, base))
    params, base_params = (costs.at[v, "params_effective"] for v in (name, base))
    measured["latency_ms"] = float(latency)
    measured["latency_pct"] = 100.0 * (latency / base_latency - 1.0)
    measured["params_measured_pct"] = 100.0 * (params / base_params - 1.0)
    return measured


def _add_holm(table: pd.DataFrame, names: list[str], alpha: float) -> None:
    """Holm over the distinct plans; a plan chosen for several budgets is one test."""
    table["family_size"] = len(names)
    if not names:
        table["significant_holm"] = False
        return
    firsts = table.drop_duplicates("plan").set_index("plan").loc[names, "t_p"]
    adjusted = dict(zip(names, holm(firsts.to_numpy(dtype=float)), strict=True))
    table["t_p_holm"] = table["plan"].map(adjusted).astype(float)
    table["significant_holm"] = (table["t_p_holm"] <= alpha).where(table["status"] == "optimal")
    table.loc[table["status"] != "optimal", "family_size"] = np.nan
