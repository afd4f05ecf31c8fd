"""Exact McNemar tests on paired per-example predictions, one per seed.

For one seed the base and the variant classify the same examples; only the discordant examples
carry information: n01 = base right, variant wrong; n10 = base wrong, variant right. The exact
test (statsmodels, binomial on n01 + n10) is two-sided: H0 is that both kinds of disagreement
are equally likely, i.e. equal accuracy on this seed's examples.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import mcnemar

from frankenmodels.stats.pairing import require_columns

PREDICTIONS_COLUMNS = ("split", "seed", "variant", "example", "label", "prediction")
MCNEMAR_COLUMNS = ("variant", "metric", "seed", "n01", "n10", "p")


def mcnemar_exact_p(n01: int, n10: int) -> float:
    """Two-sided exact McNemar p for the discordant counts (1.0 when there are none)."""
    table = [[0, int(n01)], [int(n10), 0]]  # the concordant cells do not enter the exact test
    return float(mcnemar(table, exact=True).pvalue)


def mcnemar_table(
    predictions: pd.DataFrame, *, base: str, split: str = "validation"
) -> pd.DataFrame:
    """One row per (variant, seed): discordant counts and the exact McNemar p vs `base`.

    Columns: variant, metric ("accuracy"), seed, n01, n10, p, n_examples. Examples are matched by
    (seed, example); a variant or seed without base predictions is skipped.
    """
    require_columns(predictions, PREDICTIONS_COLUMNS, "predictions.csv")
    preds = predictions[predictions["split"] == split]
    keys = ["seed", "example"]
    b = preds[preds["variant"] == base][[*keys, "label", "prediction"]]
    if b.duplicated(keys).any():
        raise ValueError(f"predictions.csv has duplicate (seed, example) rows for {base!r}")
    others = preds[preds["variant"] != base]
    merged = others.merge(b, on=keys, suffixes=("", "_base"), how="inner")
    if (merged["label"] != merged["label_base"]).any():
        raise ValueError("predictions.csv: base and variant disagree on an example's label")
    base_right = merged["prediction_base"] == merged["label"]
    variant_right = merged["prediction"] == merged["label"]
    merged = merged.assign(
        n01=(base_right & ~variant_right).astype(int),
        n10=(~base_right & variant_right).astype(int),
        n_examples=1,
    )
    counts = merged.groupby(["variant", "seed"], sort=True)[["n01", "n10", "n_examples"]].sum()
    counts = counts.reset_index()
    counts["p"] = [mcnemar_exact_p(a, c) for a, c in zip(counts["n01"], counts["n10"], strict=True)]
    counts.insert(1, "metric", "accuracy")
    return counts[[*MCNEMAR_COLUMNS, "n_examples"]]


def summarise_mcnemar(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per variant: mcnemar_seeds (tested), mcnemar_seeds_significant (p <= alpha, either
    direction), mcnemar_seeds_better (n10 > n01 and p <= alpha), mcnemar_p_min, mcnemar_p_median.
    """
    columns = [
        "variant",
        "mcnemar_seeds",
        "mcnemar_seeds_significant",
        "mcnemar_seeds_better",
        "mcnemar_p_min",
        "mcnemar_p_median",
    ]
    if table.empty:
        return pd.DataFrame(columns=columns)
    sig = table["p"] <= alpha
    t = table.assign(_sig=sig, _better=sig & (table["n10"] > table["n01"]))
    out = t.groupby("variant", sort=True).agg(
        mcnemar_seeds=("seed", "size"),
        mcnemar_seeds_significant=("_sig", "sum"),
        mcnemar_seeds_better=("_better", "sum"),
        mcnemar_p_min=("p", "min"),
        mcnemar_p_median=("p", "median"),
    )
    out = out.reset_index()
    for c in ("mcnemar_seeds", "mcnemar_seeds_significant", "mcnemar_seeds_better"):
        out[c] = out[c].astype(np.int64)
    return out[columns]
