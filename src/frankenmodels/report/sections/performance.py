"""Macros of "Performance of the focus variant" (results.tex): means over seeds and the
paired change of the focus variant, from metrics.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.latex import macro_name, pct_change
from frankenmodels.report.macros import FLAG, INT, PP, PP_ABS, Row, fixed
from frankenmodels.vocabulary import HEADLINE

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()
# The prose sets the positive class's F1 against the weighted F1.
F1_METRICS = ("f1_weighted", "f1_binary")
SRC = "metrics.csv (validation)"


def _headline(r: Results) -> list[Row]:
    s, summ, name = r.study, r.summary, macro_name(HEADLINE)
    base, focus = summ.loc[(s.base, HEADLINE)], summ.loc[(s.focus, HEADLINE)]
    diff = float(r.seed_diff(HEADLINE).mean())
    base_sd = float(base["sd"])
    of = f"{HEADLINE} of"
    return [
        Row(f"Base{name}Mean", base["mean"], fixed(4), f"{SRC}: mean {of} {s.base}"),
        Row(f"Base{name}Sd", base_sd, fixed(4), f"{SRC}: sd over seeds {of} {s.base}"),
        Row(f"Base{name}SdPP", base_sd, PP_ABS, f"{SRC}: the same in pp"),
        Row(f"Focus{name}Mean", focus["mean"], fixed(4), f"{SRC}: mean {of} {s.focus}"),
        Row(f"Focus{name}Sd", focus["sd"], fixed(4), f"{SRC}: sd over seeds {of} {s.focus}"),
        Row(f"Focus{name}DiffPP", diff, PP, f"{SRC}: mean paired difference, pp"),
        Row(f"Focus{name}DiffAbsPP", abs(diff), PP_ABS, f"{SRC}: its magnitude in pp"),
        Row(
            f"Focus{name}RelPct",
            pct_change(float(base["mean"]) + diff, base["mean"]),
            fixed(2, signed=True),
            f"{SRC}: relative change in percent of the base mean",
        ),
        Row(f"Focus{name}Positive", diff > 0, FLAG, f"{SRC}: mean paired difference > 0"),
        Row(
            f"Focus{name}GainBelowSeedSd",
            abs(diff) < base_sd,
            FLAG,
            f"{SRC}: |difference| < seed-to-seed sd of {s.base}",
        ),
    ]


def rows(r: Results, c: Settings) -> list[Row]:
    claims, tested = r.claims, r.study.tested_metrics
    positive = [(claims.focus[m].mean_diff or 0.0) > 0 for m in tested]
    src = "tests.csv (original): mean_diff of the focus over the tested metrics"
    return [
        *_headline(r),
        *[
            Row(
                f"Focus{macro_name(m)}DiffPP",
                float(r.seed_diff(m).mean()),
                PP,
                f"{SRC}: mean paired difference of {m}, pp",
            )
            for m in F1_METRICS
        ],
        Row("NumTestedMetrics", len(tested), INT, "tests.csv (original): metrics of the focus"),
        Row("FocusNumPositive", sum(positive), INT, src),
        Row("FocusAllPositive", all(positive), FLAG, src),
        Row("FocusAnyPositive", any(positive), FLAG, src),
    ]
