"""Fine-tuning methods compared (docs/finetuning.md): each trained the base model with the same
seeds and data order, so every comparison is paired by seed.

`runs_table` joins each run's metrics and training summary; `summarise` gives one row per
method (mean and SD over seeds); `compare_methods` tests every pair of methods on each metric
(two-sided paired t: no method is expected to win beforehand, Holm over the pairs of a metric);
`check_claims` computes the seed 003 claims against the reference method from per-seed ratios
(their geometric mean, and an interval that stays positive).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats as st

from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.multiplicity import holm

RUN_KEYS = (
    "method", "trained_layers", "trainable_parameters", "model_parameters",
    "trainable_percent", "wall_seconds", "examples_per_second", "peak_memory_mb",
    "memory_method", "steps",
)  # fmt: skip
CLAIM_METRIC = "accuracy"  # the seed's claims are stated in accuracy
# (claim, the run column compared, threshold, whether the claim is value >= threshold)
CLAIMS = (
    ("accuracy_share", CLAIM_METRIC, 0.95, True),
    ("time_share", "wall_seconds", 0.5, False),
)
MAX_TRAINABLE_PERCENT = 1.0  # the accuracy claim's condition: fewer than 1 % trainable


def runs_table(records: Sequence[dict[str, Any]], summaries: Sequence[dict[str, Any]]):
    """One row per (method, seed): a run's training summary and its validation metrics.

    ``records[i]`` is the metrics.json record of the base model that ``summaries[i]`` trained.
    """
    if len(records) != len(summaries):
        raise ValueError(f"{len(records)} metrics records for {len(summaries)} training runs")
    rows = []
    for record, summary in zip(records, summaries, strict=True):
        if record["seed"] != summary["seed"]:
            raise ValueError(
                f"metrics of seed {record['seed']} paired with the training of seed "
                f"{summary['seed']}: the inputs are out of order"
            )
        rows.append(
            {"seed": summary["seed"], **{key: summary.get(key) for key in RUN_KEYS}}
            | record["metrics"]
        )
    table = pd.DataFrame(rows)
    duplicated = table.duplicated(["method", "seed"])
    if duplicated.any():
        first = table[duplicated].iloc[0]
        raise ValueError(f"method {first['method']} seed {first['seed']} appears twice")
    return table.sort_values(["method", "seed"], kind="stable").reset_index(drop=True)


def summarise(runs: pd.DataFrame, methods: Sequence[str], reference: str, metrics: Sequence[str]):
    """One row per method, in `methods` order: means (and SDs) over seeds."""
    rows = []
    for method in methods:
        own = runs[runs["method"] == method]
        if own.empty:
            raise ValueError(f"no run of method {method}")
        layers = sorted(own["trained_layers"].fillna("").astype(str).unique())
        row = {
            "method": method,
            "reference": method == reference,
            "n_seeds": len(own),
            "trainable_parameters": own["trainable_parameters"].mean(),
            "model_parameters": own["model_parameters"].mean(),
            "trainable_percent": own["trainable_percent"].mean(),
            # top-k layers may differ between seeds: then every choice is listed
            "trained_layers": " / ".join(layers) if layers != [""] else "",
            "wall_seconds_mean": own["wall_seconds"].mean(),
            "wall_seconds_sd": own["wall_seconds"].std(ddof=1),
            "examples_per_second_mean": own["examples_per_second"].mean(),
            "peak_memory_mb_mean": own["peak_memory_mb"].mean(),
            "memory_method": ", ".join(sorted(own["memory_method"].astype(str).unique())),
        }
        for metric in metrics:
            row[f"{metric}_mean"] = own[metric].mean()
            row[f"{metric}_sd"] = own[metric].std(ddof=1)
        rows.append(row)
    return pd.DataFrame(rows)


def paired_by_seed(runs: pd.DataFrame, method: str, versus: str, column: str):
    """The two methods' values of `column` on their common seeds, in seed order."""
    wide = runs.pivot_table(index="seed", columns="method", values=column)
    both = wide[[method, versus]].dropna()
    return both[method].to_numpy(float), both[versus].to_numpy(float)


def paired_t(a: np.ndarray, b: np.ndarray, level: float) -> dict[str, Any]:
    """Two-sided paired t-test of a - b with the t interval of the mean difference."""
    d = a - b
    n = len(d)
    row: dict[str, Any] = {
        "n_seeds": n,
        "mean_diff": float(d.mean()) if n else np.nan,
        "sd_diff": float(d.std(ddof=1)) if n >= 2 else np.nan,
        "ci_level": level,
        "seeds_positive": int((d > 0).sum()),
        "seeds_negative": int((d < 0).sum()),
        "seeds_tied": int((d == 0).sum()),
    }
    # Undefined with one seed or identical differences (no spread): NaN, never a fake p.
    if n < 2 or np.allclose(d, d[0], rtol=0, atol=1e-12):
        return row | {"ci_low": np.nan, "ci_high": np.nan, "t_stat": np.nan, "t_p": np.nan}
    result = st.ttest_rel(a, b)
    ci = result.confidence_interval(confidence_level=level)
    return row | {
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "t_stat": float(result.statistic),
        "t_p": float(result.pvalue),
    }


def compare_methods(
    runs: pd.DataFrame, methods: Sequence[str], metrics: Sequence[str], cfg: StatsConfig
) -> pd.DataFrame:
    """Every pair of methods on every metric; `method` is the later one in `methods`, so the
    reference (usually listed first) is the `versus` of its pairs."""
    rows = []
    for metric in metrics:
        family = []
        for versus, method in combinations(methods, 2):
            a, b = paired_by_seed(runs, method, versus, metric)
            family.append(
                {
                    "metric": metric,
                    "method": method,
                    "versus": versus,
                    "method_mean": float(a.mean()),
                    "versus_mean": float(b.mean()),
                    **paired_t(a, b, cfg.ci_level),
                }
            )
        defined = [i for i, row in enumerate(family) if np.isfinite(row["t_p"])]
        adjusted = holm([family[i]["t_p"] for i in defined]) if defined else []
        for row in family:
            row["t_p_holm"] = np.nan
        for i, p in zip(defined, adjusted, strict=True):
            family[i]["t_p_holm"] = float(p)
        for row in family:
            row["significant_holm"] = bool(row["t_p_holm"] <= cfg.alpha)  # NaN: False
        rows += family
    return pd.DataFrame(rows)


def check_claims(
    runs: pd.DataFrame, summary: pd.DataFrame, methods: Sequence[str], reference: str, level: float
) -> pd.DataFrame:
    """The seed's claims for every method but the reference: the geometric mean of the per-seed
    ratios to the reference, its interval (the t interval of the mean log ratio, exponentiated:
    a ratio's interval stays positive), and whether the claim holds at the point estimate
    (`holds`) and for the whole interval (`holds_at_ci`)."""
    trainable = summary.set_index("method")["trainable_percent"]
    rows = []
    for method in methods:
        if method == reference:
            continue
        for claim, column, threshold, at_least in CLAIMS:
            a, b = paired_by_seed(runs, method, reference, column)
            logs = np.log(a / b)
            value = float(np.exp(logs.mean())) if len(logs) else np.nan
            low, high = np.exp(_mean_interval(logs, level))
            condition = bool(trainable[method] < MAX_TRAINABLE_PERCENT) if at_least else True
            beyond = value >= threshold if at_least else value <= threshold
            bound = low if at_least else high
            at_ci = bool(bound >= threshold) if at_least else bool(bound <= threshold)
            rows.append(
                {
                    "method": method,
                    "reference": reference,
                    "claim": claim,
                    "value": value,
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "ci_level": level,
                    "threshold": threshold,
                    "trainable_percent": float(trainable[method]),
                    "condition_holds": condition,
                    "holds": bool(beyond and condition),
                    "holds_at_ci": bool(at_ci and condition and np.isfinite(bound)),
                    "n_seeds": len(logs),
                }
            )
    return pd.DataFrame(rows)


def _mean_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """t interval of a mean; NaN with fewer than two values, a point without spread."""
    if len(values) < 2:
        return np.nan, np.nan
    sd = values.std(ddof=1)
    if sd == 0:
        return float(values[0]), float(values[0])
    half = st.t.ppf(0.5 + level / 2, len(values) - 1) * sd / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)
