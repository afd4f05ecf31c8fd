"""Macros of "Threats to validity" (threats.tex, also setup.tex and the abstract): the power
of the design for the headline metric, from the focus variant's test in tests.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.latex import macro_name
from frankenmodels.report.macros import FLAG, INT, PERCENT, PP_ABS, Row
from frankenmodels.vocabulary import HEADLINE

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()


def rows(r: Results, c: Settings) -> list[Row]:
    t, n = r.claims.focus[HEADLINE], f"Focus{macro_name(HEADLINE)}"
    src = f"tests.csv (original, {t.variant}, {HEADLINE})"
    return [
        Row(f"{n}SdDiffPP", t.sd_diff, PP_ABS, f"{src}: sd_diff, pp"),
        Row(f"{n}MDEPP", t.mde, PP_ABS, f"{src}: mde, pp"),
        Row(f"{n}SeedsNeeded", t.seeds_needed, INT, f"{src}: seeds_needed"),
        # The effect the stats stage powered the design for (config stats.target_effect).
        Row("TargetEffectPP", t.target_effect, PP_ABS, f"{src}: target_effect, pp"),
        Row("Underpowered", bool(t.underpowered), FLAG, f"{src}: mde > target_effect"),
        Row("PowerDefined", t.underpowered is not None, FLAG, f"{src}: mde is defined"),
        Row("PowerPct", t.power, PERCENT, f"{src}: power (nominal), percent"),
        Row("PowerAtTargetPct", t.power_at_target, PERCENT, f"{src}: power_at_target, percent"),
    ]
