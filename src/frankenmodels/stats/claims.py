"""Plain values for the paper's sentences, computed from tests.csv and selection.json."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

CLAIM_KEYS_DOC = """
Keys of summarise_claims(); every value is a plain bool/int/float/str/list/dict or None, where
None means "undefined or not applicable" (never NaN). Differences are fractions (0.0056 = 0.56
points), d = variant - base per seed, and every test is one-sided (H1: variant better).
Per-metric dicts are keyed by metric name; the other focus_* and power keys refer to `metric`.

alpha                        the significance level used.
metric                       the headline metric (default "accuracy").
metrics                      metrics present in tests, in table order.
focus_variant                the variant the paper is about (tests.focus), or None.
focus_family, focus_family_size   its variants.csv family and how many variants Holm spans.
n_seeds                      paired seeds of the focus variant on `metric` (else the maximum).
focus_mean_diff              {metric: mean improvement}.
focus_ci_low, focus_ci_high  {metric: paired BCa bootstrap CI bounds of the mean improvement}.
focus_d_z                    {metric: mean_diff / sd_diff}.
focus_t_p                    {metric: the paper's one-sided paired t-test p}.
focus_significant            {metric: t_p <= alpha}, uncorrected: the paper's claim.
focus_t_p_holm               {metric: Holm-adjusted p across the focus variant's family}.
focus_significant_holm       {metric: t_p_holm <= alpha}: does the claim survive the sweep?
focus_wilcoxon_p             {metric: exact one-sided signed-rank p}.
focus_significant_wilcoxon   {metric: wilcoxon_p <= alpha}.
focus_seeds_positive, focus_seeds_negative, focus_seeds_tied   seeds by sign of d on `metric`.
focus_mcnemar_seeds          seeds with paired predictions (accuracy), or None.
focus_mcnemar_seeds_significant   of those, seeds whose exact McNemar p <= alpha (either way).
focus_mcnemar_seeds_better   of those, significant seeds where the variant is the better one.
wilcoxon_min_p               smallest attainable one-sided signed-rank p with n_seeds (2**-n).
wilcoxon_can_reject          wilcoxon_min_p <= alpha (False: too few seeds for that test).
n_variants                   variants tested under the original protocol.
n_significant                of those, significant on `metric` by the uncorrected t-test.
n_significant_holm           of those, significant on `metric` after Holm within family.
n_significant_holm_by_metric {metric: count significant after Holm}.
best_variant                 the variant with the largest mean improvement on `metric`
                             (original protocol, validation: chosen after looking, as the paper
                             did), with best_mean_diff, best_t_p, best_t_p_holm,
                             best_significant, best_significant_holm.
selection_enabled            the honest protocol ran (selection.json enabled).
selection_family             the family it chose from, or None.
selected_variant             the variant chosen on the selection split, or None.
selected_is_focus            selected_variant == focus_variant, or None.
selected_mean_diff, selected_t_p   its validation improvement and one-sided t-test p on
                             `metric` (a single pre-specified test: no correction needed).
selected_significant         selected_t_p <= alpha, or None when the protocol did not run.
target_effect                the effect the power analysis targets (the paper's +0.0056).
mde                          minimum detectable mean improvement on `metric` for the focus
                             variant: one-sided paired t at alpha, n_seeds, observed sd_diff.
seeds_needed                 seeds needed to detect target_effect with the nominal power.
power                        the nominal power (0.8).
power_at_target              the design's power against target_effect.
underpowered                 mde > target_effect (the design cannot reliably detect the
                             claimed effect), or None when undefined (e.g. sd_diff = 0).
"""


def _plain(value: Any) -> Any:
    """numpy/pandas scalars -> Python; NaN/NA -> None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def _count(value: Any) -> int | None:
    """A count read back from CSV may be a float (its column had gaps): make it an int."""
    value = _plain(value)
    return None if value is None else int(value)


def _by_metric(rows: pd.DataFrame, column: str) -> dict[str, Any]:
    return {str(m): _plain(v) for m, v in zip(rows["metric"], rows[column], strict=True)}


def _row(rows: pd.DataFrame, metric: str) -> pd.Series | None:
    hit = rows[rows["metric"] == metric]
    return None if hit.empty else hit.iloc[0]


def summarise_claims(
    tests: pd.DataFrame, selection: dict[str, Any], alpha: float, *, metric: str = "accuracy"
) -> dict[str, Any]:
    """Numbers and yes/no answers for the paper's sentences; keys in CLAIM_KEYS_DOC."""
    original = tests[tests["protocol"] == "original"]
    on_metric = original[original["metric"] == metric]
    out: dict[str, Any] = {
        "alpha": float(alpha),
        "metric": metric,
        "metrics": [str(m) for m in dict.fromkeys(original["metric"])],
    }

    focus_rows = original[original["focus"].astype(bool)] if "focus" in original else original[:0]
    focus = _row(focus_rows, metric)
    out["focus_variant"] = None if focus_rows.empty else str(focus_rows["variant"].iloc[0])
    out["focus_family"] = None if focus is None else _plain(focus["family"])
    out["focus_family_size"] = None if focus is None else _count(focus["family_size"])
    if focus is not None:
        n_seeds = _count(focus["n_seeds"])
    else:
        n_seeds = _count(on_metric["n_seeds"].max()) if not on_metric.empty else None
    out["n_seeds"] = n_seeds
    for key, column in (
        ("focus_mean_diff", "mean_diff"),
        ("focus_ci_low", "ci_low"),
        ("focus_ci_high", "ci_high"),
        ("focus_d_z", "d_z"),
        ("focus_t_p", "t_p"),
        ("focus_significant", "significant"),
        ("focus_t_p_holm", "t_p_holm"),
        ("focus_significant_holm", "significant_holm"),
        ("focus_wilcoxon_p", "wilcoxon_p"),
        ("focus_significant_wilcoxon", "significant_wilcoxon"),
    ):
        out[key] = _by_metric(focus_rows, column)
    for key in ("seeds_positive", "seeds_negative", "seeds_tied"):
        out[f"focus_{key}"] = None if focus is None else _count(focus[key])
    for key in ("mcnemar_seeds", "mcnemar_seeds_significant", "mcnemar_seeds_better"):
        acc = _row(focus_rows, "accuracy")
        out[f"focus_{key}"] = None if acc is None or key not in acc else _count(acc[key])

    out["wilcoxon_min_p"] = None if not n_seeds else 0.5**n_seeds
    out["wilcoxon_can_reject"] = None if not n_seeds else bool(0.5**n_seeds <= alpha)

    out["n_variants"] = int(original["variant"].nunique())
    out["n_significant"] = int(on_metric["significant"].astype(bool).sum())
    out["n_significant_holm"] = int(on_metric["significant_holm"].astype(bool).sum())
    out["n_significant_holm_by_metric"] = {
        str(m): int(g["significant_holm"].astype(bool).sum())
        for m, g in original.groupby("metric", sort=False)
    }

    ranked = on_metric.dropna(subset=["mean_diff"])
    best = None if ranked.empty else ranked.loc[ranked["mean_diff"].idxmax()]
    out["best_variant"] = None if best is None else str(best["variant"])
    for key, column in (
        ("best_mean_diff", "mean_diff"),
        ("best_t_p", "t_p"),
        ("best_t_p_holm", "t_p_holm"),
        ("best_significant", "significant"),
        ("best_significant_holm", "significant_holm"),
    ):
        out[key] = None if best is None else _plain(best[column])

    chosen = selection.get("chosen") if selection.get("enabled") else None
    out["selection_enabled"] = chosen is not None
    out["selection_family"] = selection.get("family") if chosen is not None else None
    out["selected_variant"] = chosen
    out["selected_is_focus"] = None if chosen is None else chosen == out["focus_variant"]
    sel_rows = tests[(tests["protocol"] == "selected") & (tests["variant"] == chosen)]
    sel = _row(sel_rows, metric) if chosen is not None else None
    out["selected_mean_diff"] = None if sel is None else _plain(sel["mean_diff"])
    out["selected_t_p"] = None if sel is None else _plain(sel["t_p"])
    out["selected_significant"] = None if sel is None else _plain(sel["significant"])

    for key in ("target_effect", "mde", "seeds_needed", "power", "power_at_target"):
        out[key] = None if focus is None or key not in focus else _plain(focus[key])
    out["seeds_needed"] = _count(out["seeds_needed"])
    if out["mde"] is None or out["target_effect"] is None:
        out["underpowered"] = None
    else:
        out["underpowered"] = bool(out["mde"] > out["target_effect"])
    return out


summarise_claims.__doc__ = (summarise_claims.__doc__ or "") + "\n" + CLAIM_KEYS_DOC
