"""The honest selection protocol: choose on held-out training data, test once on validation.

The seed paper picked layer 6 by looking at the validation set and then tested it on the same
set. Here the workflow carves a fixed, seeded "selection" split from the training data; the
variant of the family with the largest mean improvement there is the only one tested on
"validation", so that test needs no multiplicity correction and is not biased by selection.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.stats.pairing import pair_by_seed

SELECTION_SPLIT = "selection"


def disabled_selection(*, family: str, metric: str, reason: str) -> dict[str, Any]:
    """selection.json content when the protocol is off or cannot run (chosen is None)."""
    return {
        "enabled": False,
        "split": SELECTION_SPLIT,
        "metric": metric,
        "family": family,
        "scores": {},
        "n_seeds": {},
        "chosen": None,
        "reason": reason,
    }


def select_variant(
    metrics: pd.DataFrame,
    variants: pd.DataFrame,
    *,
    family: str,
    metric: str,
    base: str,
    enabled: bool = True,
) -> dict[str, Any]:
    """Score each variant of `family` on the selection split and choose the best.

    scores: {variant: mean over common seeds of (variant - base) in `metric`, selection split};
    a variant with no seed in common with the base is not scored. chosen: the argmax; ties go
    to the variant listed first in variants.csv (i.e. the lowest layer), deterministically.
    Returns the selection.json dict (contract keys plus n_seeds and reason).
    """
    if not enabled:
        return disabled_selection(family=family, metric=metric, reason="disabled in config")
    sel = metrics[metrics["split"] == SELECTION_SPLIT]
    if sel.empty:
        return disabled_selection(
            family=family, metric=metric, reason="no 'selection' split in metrics.csv"
        )
    candidates = [v for v in variants.loc[variants["family"] == family, "variant"] if v != base]
    present = set(sel.loc[sel["metric"] == metric, "variant"])
    scores: dict[str, float] = {}
    n_seeds: dict[str, int] = {}
    for variant in candidates:
        if variant not in present:
            continue
        pair = pair_by_seed(sel, split=SELECTION_SPLIT, variant=variant, base=base, metric=metric)
        if pair.n == 0:
            continue
        scores[variant] = float(np.mean(pair.variant - pair.base))
        n_seeds[variant] = pair.n
    if not scores:
        return disabled_selection(
            family=family,
            metric=metric,
            reason=f"no variant of family {family!r} paired with {base!r} on the selection split",
        )
    best = max(scores.values())
    chosen = next(v for v in scores if scores[v] == best)  # dict keeps variants.csv order
    return {
        "enabled": True,
        "split": SELECTION_SPLIT,
        "metric": metric,
        "family": family,
        "scores": scores,
        "n_seeds": n_seeds,
        "chosen": chosen,
        "reason": None,
    }
