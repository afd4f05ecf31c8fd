"""The honest selection protocol: choose on the selection split, never on validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from frankenmodels.stats.selection import select_variant

SEEDS = [42, 43, 44]
VARIANTS = pd.DataFrame(
    {
        "variant": ["base", "dup0", "dup1", "dup2", "del3"],
        "family": ["base", "duplicate", "duplicate", "duplicate", "delete"],
        "layer": [np.nan, 0, 1, 2, 3],
    }
)


def _metrics(split: str, improvements: dict[str, float], seeds=SEEDS) -> pd.DataFrame:
    rows = []
    for i, seed in enumerate(seeds):
        base = 0.90 + 0.001 * i
        rows.append((split, seed, "base", "accuracy", base))
        for variant, delta in improvements.items():
            rows.append((split, seed, variant, "accuracy", base + delta))
    return pd.DataFrame(rows, columns=["split", "seed", "variant", "metric", "value"])


def _select(metrics: pd.DataFrame, **kwargs) -> dict:
    args = {"family": "duplicate", "metric": "accuracy", "base": "base", "enabled": True}
    return select_variant(metrics, VARIANTS, **{**args, **kwargs})


def test_chooses_on_the_selection_split_not_on_validation() -> None:
    metrics = pd.concat(
        [
            _metrics("selection", {"dup0": 0.001, "dup1": 0.004, "dup2": -0.002, "del3": 0.02}),
            _metrics("validation", {"dup0": 0.010, "dup1": 0.000, "dup2": 0.003, "del3": 0.0}),
        ]
    )
    sel = _select(metrics)
    assert sel["enabled"] is True and sel["chosen"] == "dup1"  # del3 is not in the family
    assert sel["scores"] == pytest.approx({"dup0": 0.001, "dup1": 0.004, "dup2": -0.002})
    assert sel["n_seeds"] == {"dup0": 3, "dup1": 3, "dup2": 3}
    assert sel["split"] == "selection" and sel["family"] == "duplicate" and sel["reason"] is None


def test_ties_go_to_the_first_listed_variant() -> None:
    sel = _select(_metrics("selection", {"dup2": 0.003, "dup0": 0.003, "dup1": 0.001}))
    assert sel["chosen"] == "dup0"


def test_variant_absent_from_selection_split_is_not_scored() -> None:
    sel = _select(_metrics("selection", {"dup0": 0.001, "dup2": 0.002}))
    assert set(sel["scores"]) == {"dup0", "dup2"} and sel["chosen"] == "dup2"


def test_disabled_in_config() -> None:
    sel = _select(_metrics("selection", {"dup0": 0.001}), enabled=False)
    assert sel["enabled"] is False and sel["chosen"] is None and sel["scores"] == {}
    assert "config" in sel["reason"]


def test_no_selection_split() -> None:
    sel = _select(_metrics("validation", {"dup0": 0.001}))
    assert sel["enabled"] is False and sel["chosen"] is None
    assert "selection" in sel["reason"]


def test_family_without_variants_on_the_split() -> None:
    sel = _select(_metrics("selection", {"del3": 0.001}))
    assert sel["enabled"] is False and sel["chosen"] is None
