"""Macros of "Significance under the original protocol" (results.tex): the tests of the
focus variant against the base, from tests.csv through the typed claims."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.latex import macro_name
from frankenmodels.report.macros import FLAG, INT, PERCENT, PP, SMALL, P, Row, fixed
from frankenmodels.vocabulary import HEADLINE

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()


def _headline(r: Results) -> list[Row]:
    t, n = r.claims.focus[HEADLINE], f"Focus{macro_name(HEADLINE)}"
    src = f"tests.csv (original, {t.variant}, {HEADLINE})"
    return [
        Row(f"{n}TP", t.t_p, P, f"{src}: t_p"),
        Row(f"{n}HolmP", t.t_p_holm, P, f"{src}: t_p_holm"),
        Row(f"{n}WilcoxonP", t.wilcoxon_p, P, f"{src}: wilcoxon_p"),
        Row(f"{n}CILowPP", t.ci_low, PP, f"{src}: ci_low, pp"),
        Row(f"{n}CIHighPP", t.ci_high, PP, f"{src}: ci_high, pp"),
        Row(f"{n}Dz", t.d_z, fixed(2, signed=True), f"{src}: d_z"),
        Row(f"{n}SeedsPositive", t.seeds_positive, INT, f"{src}: seeds_positive"),
        Row(f"{n}SeedsNegative", t.seeds_negative, INT, f"{src}: seeds_negative"),
        Row(f"{n}Significant", t.significant, FLAG, f"{src}: significant"),
        Row(f"{n}SignificantHolm", t.significant_holm, FLAG, f"{src}: significant_holm"),
        Row(f"{n}CIExcludesZero", t.ci_excludes_zero, FLAG, f"{src}: ci_low > 0 or ci_high < 0"),
        Row("CILevel", t.ci_level, PERCENT, f"{src}: ci_level in percent"),
        Row("WilcoxonMinP", t.wilcoxon_min_p, SMALL, f"{src}: 2^-n_seeds"),
        Row(
            "WilcoxonCanReject",
            r.claims.wilcoxon_can_reject(HEADLINE),
            FLAG,
            f"{src}: 2^-n_seeds <= alpha",
        ),
        Row("FocusMcNemarSeeds", t.mcnemar_seeds, INT, f"{src}: mcnemar_seeds"),
        Row(
            "FocusMcNemarSig", t.mcnemar_seeds_significant, INT, f"{src}: mcnemar_seeds_significant"
        ),
        Row("FocusMcNemarBetter", t.mcnemar_seeds_better, INT, f"{src}: mcnemar_seeds_better"),
    ]


def rows(r: Results, c: Settings) -> list[Row]:
    tests = [r.claims.focus[m] for m in r.study.tested_metrics]
    src = "tests.csv (original): the focus over the tested metrics"
    counts = []
    for label, flags in (
        ("Significant", [t.significant for t in tests]),
        ("SignificantHolm", [t.significant_holm for t in tests]),
    ):
        counts += [
            Row(f"FocusNum{label}", sum(flags), INT, f"{src}, {label.lower()}"),
            Row(f"FocusAll{label}", all(flags), FLAG, f"{src}, {label.lower()}"),
            Row(f"FocusAny{label}", any(flags), FLAG, f"{src}, {label.lower()}"),
        ]
    return [*_headline(r), *counts]
