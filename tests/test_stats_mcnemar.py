"""Exact McNemar per seed on paired per-example predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import mcnemar

from frankenmodels.stats.mcnemar import mcnemar_exact_p, mcnemar_table, summarise_mcnemar


def test_exact_p_hand_checked() -> None:
    # 10 discordant, 1 vs 9: two-sided binomial p = 2 * (C(10,0) + C(10,1)) / 2**10 = 22 / 1024.
    assert mcnemar_exact_p(1, 9) == pytest.approx(22 / 1024)
    assert mcnemar_exact_p(9, 1) == pytest.approx(22 / 1024)
    assert mcnemar_exact_p(0, 0) == 1.0
    assert mcnemar_exact_p(3, 4) == pytest.approx(mcnemar([[50, 3], [4, 40]], exact=True).pvalue)


def _predictions(base_correct, variant_correct, seed: int = 42) -> pd.DataFrame:
    n = len(base_correct)
    labels = np.arange(n) % 2
    rows = []
    for variant, correct in (("base", base_correct), ("dup6", variant_correct)):
        pred = np.where(np.asarray(correct, bool), labels, 1 - labels)
        rows.append(
            pd.DataFrame(
                {
                    "split": "validation",
                    "seed": seed,
                    "variant": variant,
                    "example": np.arange(n),
                    "label": labels,
                    "prediction": pred,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_table_counts_discordant_pairs_in_the_right_direction() -> None:
    base = [1, 1, 1, 0, 0, 0, 0, 1, 0, 1]
    var = [1, 0, 1, 1, 1, 1, 0, 1, 1, 1]  # base right/variant wrong: ex 1; reverse: 3, 4, 5, 8
    preds = pd.concat([_predictions(base, var, 42), _predictions(base, base, 43)])
    table = mcnemar_table(preds, base="base")
    row = table[table["seed"] == 42].iloc[0]
    assert (row["n01"], row["n10"], row["n_examples"]) == (1, 4, 10)
    assert row["p"] == pytest.approx(mcnemar_exact_p(1, 4))
    assert list(table.columns[:6]) == ["variant", "metric", "seed", "n01", "n10", "p"]
    assert set(table["metric"]) == {"accuracy"}
    tied = table[table["seed"] == 43].iloc[0]
    assert (tied["n01"], tied["n10"], tied["p"]) == (0, 0, 1.0)


def test_other_splits_are_ignored() -> None:
    preds = _predictions([1, 0], [0, 1])
    other = preds.assign(split="selection", seed=99)
    table = mcnemar_table(pd.concat([preds, other]), base="base")
    assert list(table["seed"]) == [42]


def test_label_mismatch_is_an_error() -> None:
    preds = _predictions([1, 0, 1], [1, 1, 1])
    preds.loc[preds["variant"] == "dup6", "label"] = 1
    with pytest.raises(ValueError, match="label"):
        mcnemar_table(preds, base="base")


def test_summary_counts_significant_and_better_seeds() -> None:
    table = pd.DataFrame(
        {
            "variant": ["dup6"] * 3,
            "metric": "accuracy",
            "seed": [1, 2, 3],
            "n01": [0, 12, 3],
            "n10": [12, 0, 4],
            "p": [mcnemar_exact_p(0, 12), mcnemar_exact_p(12, 0), mcnemar_exact_p(3, 4)],
        }
    )
    s = summarise_mcnemar(table, alpha=0.05).iloc[0]
    assert s["mcnemar_seeds"] == 3
    assert s["mcnemar_seeds_significant"] == 2
    assert s["mcnemar_seeds_better"] == 1
    assert s["mcnemar_p_min"] == pytest.approx(mcnemar_exact_p(0, 12))
    assert s["mcnemar_p_median"] == pytest.approx(mcnemar_exact_p(0, 12))
