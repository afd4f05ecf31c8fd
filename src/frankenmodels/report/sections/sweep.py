"""Macros of "Layer-wise sweep" (results.tex): every variant of the focus variant's family
on the sweep metric, its best and worst layer, from tests.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.latex import pp_sign
from frankenmodels.report.macros import FLAG, INT, LAYER, PP, TEXT, P, Row, fixed
from frankenmodels.stats.claims import Test

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()
WHY_VARIANT = "SweepBestLayer prints a layer index; this names the variant of its tests.csv row"


def _extreme(r: Results, label: str, test: Test, src: str) -> list[Row]:
    n, where = f"Sweep{label}", f"{src} ({label.lower()} mean_diff)"
    rows = [
        Row(f"{n}Variant", test.variant, TEXT, where, reviewer_only=WHY_VARIANT),
        Row(f"{n}Layer", (r.layer_of(test.variant), test.variant), LAYER, f"{where}: layer"),
        Row(f"{n}DiffPP", test.mean_diff, PP, f"{where}: mean_diff, pp"),
    ]
    if label == "Best":  # the prose gives the p-values of the best layer only
        rows += [
            Row(f"{n}TP", test.t_p, P, f"{where}: t_p"),
            Row(f"{n}HolmP", test.t_p_holm, P, f"{where}: t_p_holm"),
        ]
    return rows


def rows(r: Results, c: Settings) -> list[Row]:
    s, claims, sw = r.study, r.claims, r.sweep
    src = f"tests.csv (original, family {s.family}, {s.sweep_metric})"
    best = claims.best
    worst = Test.from_row(sw.loc[sw["mean_diff"].idxmin()])
    ranks = sw["mean_diff"].rank(ascending=False, method="min")
    hit = ranks[sw["variant"] == s.focus]
    rank = int(hit.iloc[0]) if not hit.empty else None
    return [
        Row("SweepSize", len(sw), INT, f"{src}: rows"),
        Row("SweepNumPositive", int((sw["mean_diff"] > 0).sum()), INT, f"{src}: mean_diff > 0"),
        Row("SweepNumSignificant", claims.n_significant, INT, f"{src}: significant"),
        Row("SweepNumSignificantHolm", claims.n_significant_holm, INT, f"{src}: significant_holm"),
        Row("SweepAnySignificant", claims.n_significant > 0, FLAG, f"{src}: any significant"),
        Row(
            "SweepExpectedFalsePositives",
            len(sw) * s.alpha,
            fixed(2),
            f"{src}: rows x alpha, false positives expected if no layer helps",
        ),
        *_extreme(r, "Best", best, src),
        *_extreme(r, "Worst", worst, src),
        # Signs as printed, so that prose never says "raises" next to a printed 0.00.
        Row("SweepBestPositive", pp_sign(best.mean_diff) > 0, FLAG, f"{src}: best > 0 as printed"),
        Row("SweepBestZero", pp_sign(best.mean_diff) == 0, FLAG, f"{src}: best 0.00 as printed"),
        Row("SweepWorstNegative", pp_sign(worst.mean_diff) < 0, FLAG, f"{src}: worst < 0 printed"),
        Row("FocusIsBest", best.variant == s.focus, FLAG, f"{src}: best variant is the focus"),
        Row("FocusRank", rank, INT, f"{src}: rank of the focus by mean_diff"),
    ]
