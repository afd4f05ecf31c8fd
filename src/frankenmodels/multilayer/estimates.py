"""Per-layer gains on the selection split: one row per seed, then pooled over seeds.

The program's inputs are the mean per-seed gains (variant minus base, same seed) of the
single-layer variants on held-out data; validation is never read here, so the plans it
chooses can be tested on validation without having seen it.
"""

from __future__ import annotations

import pandas as pd

from frankenmodels.stats.pairing import pair_by_seed
from frankenmodels.stats.selection import SELECTION_SPLIT

from .actions import action_label, estimation_variants, gain_table
from .costs import ModelCost, action_costs

GAIN_COLUMNS = ("variant", "layer", "action", "seed", "metric", "base_value", "value", "gain")


def layer_gains(
    metrics: pd.DataFrame, *, base: str, metric: str, num_layers: int, max_copies: int
) -> pd.DataFrame:
    """Per-seed gains of every estimation variant on the selection split (metrics.csv rows).

    Raises ValueError naming the variants that are missing, rather than estimating from a part.
    """
    selection = metrics[metrics["split"] == SELECTION_SPLIT]
    wanted = estimation_variants(num_layers, max_copies)
    missing = sorted((set(wanted) | {base}) - set(selection["variant"]))
    if missing:
        raise ValueError(f"no selection-split metrics for {missing}: the estimates need them all")
    rows = []
    for variant, (layer, action) in wanted.items():
        pair = pair_by_seed(
            selection, split=SELECTION_SPLIT, variant=variant, base=base, metric=metric
        )
        if pair.n == 0:
            raise ValueError(f"{variant} shares no seed with {base} on the selection split")
        for seed, value, base_value in zip(pair.seeds, pair.variant, pair.base, strict=True):
            rows.append(
                dict(
                    variant=variant,
                    layer=layer,
                    action=action,
                    seed=int(seed),
                    metric=metric,
                    base_value=float(base_value),
                    value=float(value),
                    gain=float(value - base_value),
                )
            )
    return pd.DataFrame(rows, columns=list(GAIN_COLUMNS))


def pooled_estimates(gains: pd.DataFrame, cost: ModelCost, max_copies: int) -> pd.DataFrame:
    """One row per (layer, action): mean and SD over seeds of the gain, and its counted costs."""
    params, flops = action_costs(cost, max_copies)
    grouped = gains.groupby(["layer", "action", "variant"], sort=True)["gain"]
    table = grouped.agg(gain_mean="mean", gain_sd="std", n_seeds="count").reset_index()
    table.insert(2, "label", [action_label(a) for a in table["action"]])
    keys = list(zip(table["layer"], table["action"], strict=True))
    table["params_pct"] = [params[key] for key in keys]
    table["flops_pct"] = [flops[key] for key in keys]
    return table[
        ["layer", "action", "label", "variant", "gain_mean", "gain_sd", "n_seeds"]
        + ["params_pct", "flops_pct"]
    ]


def gains_for_program(estimates: pd.DataFrame, max_copies: int) -> dict[tuple[int, int], float]:
    """The program's gain table from the pooled estimates: a measured total for each number
    of copies (``rep{i}x{n+1}``), so no copy count is extrapolated."""
    by_key = {
        (int(i), int(a)): float(g)
        for i, a, g in estimates[["layer", "action", "gain_mean"]].itertuples(index=False)
    }
    return gain_table(
        delete={i: g for (i, a), g in by_key.items() if a == -1},
        duplicate={i: g for (i, a), g in by_key.items() if a == 1},
        max_copies=max_copies,
        repeat={(i, a): g for (i, a), g in by_key.items() if a > 1},
    )


def per_seed_prediction(gains: pd.DataFrame, actions: tuple[int, ...]) -> pd.Series:
    """The additive prediction of a plan on each seed: the sum of its actions' gains there."""
    chosen = {(i, a) for i, a in enumerate(actions) if a != 0}
    keys = list(zip(gains["layer"], gains["action"], strict=True))
    mask = pd.Series([key in chosen for key in keys], index=gains.index)
    return gains["gain"].where(mask, 0.0).groupby(gains["seed"]).sum()
