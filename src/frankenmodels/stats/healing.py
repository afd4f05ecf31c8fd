"""Healed FrankenModels against equally-trained controls (docs/finetuning.md).

Every heal job leaves, per arm, the metrics after the extra training, and the untrained plans
and base under ``before/``. A healed plan is compared with its control (the base trained for the
same steps with the same method), paired by seed, with the paper's one-sided test (H1: the
healed FrankenModel is better) and paired bootstrap CI; Holm runs over every (method, plan) of a
metric. The untrained means are kept beside them, so the report can say how much of a healed
model's accuracy the extra training alone gives the base.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.io import read_json
from frankenmodels.stats.analyse import VALIDATION_SPLIT, compare_pair
from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.multiplicity import holm
from frankenmodels.stats.pairing import pair_by_seed

BEFORE = "before"
_FROM_PAIR = (
    "n_seeds", "sd_diff", "mean_diff", "ci_low", "ci_high", "ci_level", "ci_method",
    "t_stat", "t_p", "seeds_positive", "seeds_negative", "seeds_tied",
)  # fmt: skip


def read_heal_folder(folder: str | Path) -> list[dict[str, Any]]:
    """The rows of one heal job's folder ``.../{method}/seed{seed}``: one per trained arm and
    one per untrained model (role "before")."""
    folder = Path(folder)
    method, seed = folder.parent.name, int(folder.name.removeprefix("seed"))
    rows = []
    for metrics_file in sorted(folder.glob("*/metrics.json")):
        if metrics_file.parent.name == BEFORE:
            continue
        record = read_json(metrics_file)
        summary = read_json(metrics_file.parent / "summary.json")
        rows.append(
            {
                "method": method,
                "seed": seed,
                "arm": record["variant"],
                "role": record["role"],
                "control": record["control"],
                "trained_layers": summary["trained_layers"],
                "steps": summary["steps"],
                "wall_seconds": summary["wall_seconds"],
                "trainable_percent": summary["trainable_percent"],
                **record["metrics"],
            }
        )
    for metrics_file in sorted((folder / BEFORE).glob("*/metrics.json")):
        record = read_json(metrics_file)
        rows.append(
            {
                "method": method,
                "seed": seed,
                "arm": record["variant"],
                "role": BEFORE,
                **record["metrics"],
            }
        )
    if not any(row["role"] == BEFORE for row in rows):
        raise ValueError(f"{folder} holds no evaluation: was it written by the heal job?")
    return rows


def healing_runs(folders: Sequence[str | Path]) -> pd.DataFrame:
    """Every heal folder's rows, one per (method, seed, arm, role)."""
    rows = [row for folder in folders for row in read_heal_folder(folder)]
    return pd.DataFrame(rows).sort_values(["method", "role", "arm", "seed"], kind="stable")


def healing_tests(
    runs: pd.DataFrame, methods: Sequence[str], base: str, cfg: StatsConfig
) -> pd.DataFrame:
    """One row per (method, healed plan, metric): healed against its control, paired by seed."""
    rows = []
    for method in methods:
        own = runs[runs["method"] == method]
        trained = own[own["role"] != BEFORE]  # none: layer_selective found no copy to train
        before = own[own["role"] == BEFORE]
        for plan in trained.loc[trained["role"] == "healed", "arm"].unique():
            healed = trained[trained["arm"] == plan]
            control = healed["control"].iloc[0]
            control_rows = trained[trained["arm"] == control]
            for metric in cfg.metrics:
                long = _long(pd.concat([healed, control_rows]), metric)
                pair = pair_by_seed(
                    long, split=VALIDATION_SPLIT, variant=plan, base=control, metric=metric
                )
                result = compare_pair(pair, cfg)
                rows.append(
                    {
                        "method": method,
                        "plan": plan,
                        "control": control,
                        "trained_layers": healed["trained_layers"].iloc[0],
                        "control_layers": control_rows["trained_layers"].iloc[0],
                        "steps": int(healed["steps"].iloc[0]),
                        "metric": metric,
                        "healed_mean": result["variant_mean"],
                        "control_mean": result["base_mean"],
                        "before_mean": _mean(before, plan, metric),
                        "base_before_mean": _mean(before, base, metric),
                        **{key: result[key] for key in _FROM_PAIR},
                    }
                )
    tests = pd.DataFrame(rows)
    if tests.empty:
        return tests
    tests["t_p_holm"] = np.nan
    for _, family in tests.groupby("metric"):
        defined = family[np.isfinite(family["t_p"])]
        if len(defined):
            tests.loc[defined.index, "t_p_holm"] = holm(defined["t_p"].to_numpy(float))
    tests["family_size"] = tests.groupby("metric")["t_p"].transform(lambda p: p.notna().sum())
    tests["significant_holm"] = tests["t_p_holm"] <= cfg.alpha  # NaN: False
    return tests


def _long(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Arms' rows in metrics.csv's long format, for the shared pairing code."""
    return pd.DataFrame(
        {
            "split": VALIDATION_SPLIT,
            "seed": rows["seed"],
            "variant": rows["arm"],
            "metric": metric,
            "value": rows[metric],
        }
    )


def _mean(before: pd.DataFrame, arm: str, metric: str) -> float:
    values = before.loc[before["arm"] == arm, metric]
    return float(values.mean()) if len(values) else np.nan
