"""Macros of the healing paragraph (finetuning_healing_run.tex): FrankenModels trained a few
more steps after surgery with each method, against the base model trained for the same steps
with the same method, paired by seed, so that a gain of extra training alone is not credited to
the surgery.

From healing/tests.csv (docs/finetuning.md), on the headline metric, and the config. Healing is
optional: where it was not run only `\\ifHealingRun` (false) is defined. Where it was run,
every method of the schema gets its macros (n/a and false where it did not heal), so that the
prose can branch on `\\ifHealLoraRun` without meeting an undefined flag. The methods' settings
(LoRA's rank, the selective mode) come from sections/finetuning.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report import finetuning as ft
from frankenmodels.report.latex import escape
from frankenmodels.report.macros import FLAG, INT, PERCENT, PP, SCI, TEX, TEXT, P, Row, fixed
from frankenmodels.report.sections.finetuning import and_list, learning_rate, stem
from frankenmodels.stats.claims import as_bool
from frankenmodels.vocabulary import TRAINING_METHOD_NAMES, metric_label

if TYPE_CHECKING:
    import pandas as pd

    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

RATES = "finetuning.healing.learning_rate"
SETTINGS: tuple[str, ...] = (
    "training.learning_rate",
    "finetuning.healing.steps_fraction",
    *(f"{RATES}.{m}" for m in TRAINING_METHOD_NAMES),
)
MEAN = fixed(4)
CI_METHODS = {"BCa": "BCa bootstrap", "percentile": "percentile bootstrap"}


def _method(h: ft.Healing, m: str, focus: str, c: Settings) -> list[Row]:
    """The focus plan healed with one method against its control."""
    name, row = stem("Heal", m), h.row(m, focus)
    src = f"{ft.HEALING} ({m}, {focus}, {h.metric})"
    gain = ft.number(row, "healed_mean") - ft.number(row, "before_mean")
    control_gain = ft.number(row, "control_mean") - ft.number(row, "base_before_mean")
    return [
        Row(f"{name}Run", row is not None, FLAG, f"{src}: present"),
        Row(
            f"{name}LearningRate",
            learning_rate(c, RATES, m),
            SCI,
            f"config: {RATES}.{m}, else training.learning_rate",
        ),
        Row(f"{name}HealedMean", ft.number(row, "healed_mean"), MEAN, f"{src}: healed_mean"),
        Row(f"{name}ControlMean", ft.number(row, "control_mean"), MEAN, f"{src}: control_mean"),
        Row(f"{name}GainPP", gain, PP, f"{src}: healed_mean - before_mean, pp"),
        Row(f"{name}ControlGainPP", control_gain, PP, f"{src}: control_mean - base_before_mean"),
        Row(f"{name}DiffPP", ft.number(row, "mean_diff"), PP, f"{src}: mean_diff, pp"),
        Row(f"{name}CILow", ft.number(row, "ci_low"), PP, f"{src}: ci_low, pp"),
        Row(f"{name}CIHigh", ft.number(row, "ci_high"), PP, f"{src}: ci_high, pp"),
        Row(f"{name}HolmP", ft.number(row, "t_p_holm"), P, f"{src}: t_p_holm"),
        Row(
            f"{name}SignificantHolm",
            row is not None and as_bool(row["significant_holm"]),
            FLAG,
            f"{src}: significant_holm",
        ),
    ]


def _selective(h: ft.Healing, focus: str) -> list[Row]:
    """The layers layer_selective trained in the focus FrankenModel and in its control."""
    row, src = h.row("layer_selective", focus), f"{ft.HEALING} (layer_selective, {focus})"
    return [
        Row(
            f"HealSelective{name}",
            ft.layers_text(None if row is None else row[column]) or "n/a",
            TEXT,
            f"{src}: {column}",
        )
        for name, column in (("Layers", "trained_layers"), ("ControlLayers", "control_layers"))
    ]


def _focus(on_focus: pd.DataFrame, src: str) -> list[Row]:
    """The untrained models every method started from: the same checkpoint and plan."""
    first = on_focus.iloc[0]
    return [
        Row("HealBeforeMean", ft.number(first, "before_mean"), MEAN, f"{src}: before_mean"),
        Row(
            "HealBaseBeforeMean",
            ft.number(first, "base_before_mean"),
            MEAN,
            f"{src}: base_before_mean",
        ),
    ]


def rows(r: Results, c: Settings) -> list[Row]:
    run = ft.healing_ran(r.inp)
    flag = Row("HealingRun", run, FLAG, f"{ft.HEALING}: present (finetuning.healing.enabled)")
    if not run:
        return [flag]
    h, focus = ft.Healing(r.inp), r.study.focus
    on_focus = h.rows[h.rows["plan"] == focus]
    if on_focus.empty:
        raise KeyError(f"{ft.HEALING} has no row for the focus variant {focus!r}")
    ci_methods = sorted({str(x) for x in h.rows["ci_method"].dropna()})
    src, focus_src = f"{ft.HEALING} ({h.metric})", f"{ft.HEALING} ({focus}, {h.metric})"
    out = [
        flag,
        Row("HealMetricName", metric_label(h.metric).lower(), TEXT, f"{src}: metric, its label"),
        Row("HealSteps", h.rows["steps"].median(), INT, f"{src}: median steps"),
        Row.setting("HealStepsPct", c, "finetuning.healing.steps_fraction", PERCENT),
        Row("HealNumSeeds", h.rows["n_seeds"].min(), INT, f"{src}: min n_seeds"),
        Row("HealNumMethods", len(h.methods), INT, f"{src}: methods"),
        Row("HealNumPlans", len(h.plans), INT, f"{src}: distinct plans"),
        Row(
            "HealPlans",
            and_list([rf"\texttt{{{escape(p)}}}" for p in h.plans]),
            TEX,
            f"{src}: plans",
        ),
        Row("HealHasChosen", len(h.plans) > 1, FLAG, f"{src}: plans besides the focus variant"),
        Row("HealNumTests", len(h.rows), INT, f"{src}: rows (the Holm family)"),
        Row("HealNumSignificant", h.significant(), INT, f"{src}: significant_holm"),
        Row("HealAnySignificant", h.significant() > 0, FLAG, f"{src}: any significant_holm"),
        Row("HealFocusNumSignificant", h.significant(on_focus), INT, f"{focus_src}: significant"),
        Row("HealCILevel", ft.number(on_focus.iloc[0], "ci_level"), PERCENT, f"{src}: ci_level"),
        Row(
            "HealCIMethod",
            " or ".join(CI_METHODS.get(x, x) for x in ci_methods) or "n/a",
            TEXT,
            f"{src}: ci_method",
        ),
        *_focus(on_focus, focus_src),
        *_selective(h, focus),
    ]
    for m in TRAINING_METHOD_NAMES:
        out += _method(h, m, focus, c)
    return out
