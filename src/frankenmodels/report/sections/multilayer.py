"""Macros of "Several layers at once" (multilayer.tex): the plans an integer program chose
per budget, predicted against measured, and how well training-free signals rank layers.

From multilayer/tests.csv, plans.json, agreement.csv and signals.csv (docs/multilayer.md).
Where the study was not run only `\\ifMultiLayerRun` (false) is defined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from frankenmodels.report import multilayer as ml
from frankenmodels.report.inputs import require
from frankenmodels.report.latex import escape, fmt_fixed, fmt_p_stmt, fmt_pp, macro_name
from frankenmodels.report.macros import (
    FLAG,
    INT,
    PERCENT,
    PP,
    SMALL,
    TEX,
    TEXT,
    Format,
    P,
    Row,
    fixed,
)
from frankenmodels.vocabulary import metric_label

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS: tuple[str, ...] = ()  # budgets, metric and cost are read back from plans.json
TESTS, PLANS = "multilayer/tests.csv", "multilayer/plans.json"
AGREEMENT, SIGNALS = "multilayer/agreement.csv", "multilayer/signals.csv"
AGREEMENT_COLUMNS = ("signal", "action", "rho", "p_value", "n", "ci_low", "ci_high", "confidence")
SIGNAL_COLUMNS = ("layer", "block_influence", "angular_distance", "tokens")
SIGNAL_NAMES = ("block_influence", "angular_distance")
ACTIONS = ("delete", "duplicate")
PCT = fixed(1, signed=True)  # a change in percent: "+15.0"
SECONDS = Format(lambda v: fmt_fixed(v, 2) + r"\,s")  # the solver is fast: 0.31 s, not "0 s"
BUDGET = Format(ml.fmt_budget, raw=float)


def _item(b: ml.Budget, unit_layers: bool) -> str:
    """One budget as an \\item of the per-budget list: its plan, prediction and measurement."""
    pct = fmt_fixed(b.budget_pct, 1, signed=True) + r"\,\%"
    head = rf"\item Budget {ml.fmt_budget(b.budget)} ({pct}): " if unit_layers else ""
    head = head or rf"\item Budget {pct}: "  # a budget in percent is its own share
    if not b.feasible:
        return head + "no plan meets it."
    level = fmt_fixed(100 * b.value("ci_level"), 0)
    ci = f"{fmt_pp(b.value('ci_low'))} to {fmt_pp(b.value('ci_high'))}"
    return head + (
        rf"\texttt{{{escape(b.plan)}}}, {escape(ml.describe(b.actions))}; "
        rf"predicted {fmt_pp(b.value('predicted_gain'))}\,pp, "
        rf"measured {fmt_pp(b.value('mean_diff'))}\,pp "
        rf"({level}\,\% CI {ci}\,pp, Holm {fmt_p_stmt(b.value('t_p_holm'))})."
    )


def _pick(name: str, b: ml.Budget) -> list[Row]:
    """The macros of one singled-out budget (the best, the cheapest significant, zero)."""
    src = f"{TESTS} (budget {b.budget:g}, {b.plan})"
    return [
        Row(f"Multi{name}Plan", b.plan, TEXT, f"{src}: plan"),
        Row(f"Multi{name}Budget", b.budget, BUDGET, f"{src}: budget"),
        Row(f"Multi{name}DiffPP", b.value("mean_diff"), PP, f"{src}: mean_diff, pp"),
        Row(f"Multi{name}HolmP", b.value("t_p_holm"), P, f"{src}: t_p_holm"),
        Row(f"Multi{name}ParamsPct", b.value("params_pct"), PCT, f"{src}: params_pct"),
        Row(f"Multi{name}LatencyPct", b.value("latency_pct"), PCT, f"{src}: latency_pct"),
    ]


def _picked(feasible: list[ml.Budget]) -> list[Row]:
    """The best measured plan, the cheapest significant one (the best if none) and zero's."""
    best = max(feasible, key=lambda b: b.value("mean_diff"))
    significant = [b for b in feasible if b.flag("significant_holm")]
    cheapest = min(significant, key=lambda b: b.value("params_pct"), default=best)
    zero = next((b for b in feasible if b.budget == 0), None)
    src = f"{TESTS} (budget 0)"
    return [
        *_pick("Best", best),
        *_pick("CheapestSig", cheapest),
        Row("MultiCheapestIsBest", cheapest is best, FLAG, f"{TESTS}: the same plan"),
        Row("MultiHasZeroBudget", zero is not None, FLAG, f"{TESTS}: a feasible budget of 0"),
        Row("MultiZeroPlan", zero.plan if zero else "n/a", TEXT, f"{src}: plan"),
        Row("MultiZeroChanged", bool(zero and zero.actions), FLAG, f"{PLANS} (budget 0): actions"),
        # A zero budget may choose a plan that costs less than the base (a free deletion).
        Row(
            "MultiZeroCheaper",
            bool(zero and zero.value("params_pct") < -1e-6),
            FLAG,
            f"{src}: params_pct < 0",
        ),
        Row(
            "MultiZeroParamsPct",
            zero.value("params_pct") if zero else None,
            PCT,
            f"{src}: params_pct",
        ),
        Row(
            "MultiZeroSignificantHolm",
            bool(zero and zero.flag("significant_holm")),
            FLAG,
            f"{src}: significant_holm",
        ),
    ]


def _agreement(feasible: list[ml.Budget]) -> list[Row]:
    """Predicted (selection, additive) against measured (validation), over the distinct plans:
    a plan chosen for several budgets is one model, counted once."""
    feasible = list({b.plan: b for b in feasible}.values())  # a plan's budgets share its row
    pred = np.array([b.value("predicted_gain") for b in feasible])
    meas = np.array([b.value("mean_diff") for b in feasible])
    inside = [b.flag("predicted_in_ci") for b in feasible]
    same_sign = int(np.sum(np.sign(np.round(pred, 6)) == np.sign(np.round(meas, 6))))
    src = f"{TESTS}: distinct plans"
    return [
        Row("MultiNumPredictedInCI", sum(inside), INT, f"{src}, predicted_in_ci"),
        Row("MultiAllPredictedInCI", all(inside), FLAG, f"{src}, predicted_in_ci"),
        Row("MultiNoPredictedInCI", not any(inside), FLAG, f"{src}, predicted_in_ci"),
        Row("MultiNumSignAgree", same_sign, INT, f"{src}, sign(predicted_gain) = sign(mean_diff)"),
        Row("MultiMeanPredictedPP", float(np.nanmean(pred)), PP, f"{src}, mean predicted_gain"),
        Row("MultiMeanMeasuredPP", float(np.nanmean(meas)), PP, f"{src}, mean mean_diff"),
        Row(
            "MultiMeasuredBelowPredicted",
            bool(np.nanmean(meas) < np.nanmean(pred)),
            FLAG,
            f"{src}, mean mean_diff < mean predicted_gain",
        ),
        Row("MultiCostsAgree", _costs_agree(feasible), FLAG, f"{src}, params_measured_pct"),
    ]


def _costs_agree(feasible: list[ml.Budget]) -> bool:
    """The efficiency job's count of effective parameters matches the program's (0.05 %)."""
    return all(abs(b.value("params_measured_pct") - b.value("params_pct")) < 0.05 for b in feasible)


def _signals(r: Results) -> list[Row]:
    """Spearman rho of each signal against measured single-layer gains, and what n can show."""
    a, s = r.inp.multilayer_agreement, r.inp.multilayer_signals
    require(a, AGREEMENT_COLUMNS, AGREEMENT)
    require(s, SIGNAL_COLUMNS, SIGNALS)
    rows, significant = [], []
    for signal in SIGNAL_NAMES:
        for action in ACTIONS:
            hit = a[(a["signal"] == signal) & (a["action"] == action)]
            if hit.empty:
                raise KeyError(f"{AGREEMENT} has no row for {signal} / {action}")
            t, stem, src = hit.iloc[0], macro_name("Multi", signal, action), f"{AGREEMENT} "
            src += f"({signal}, {action})"
            significant.append(float(t["p_value"]) <= r.study.alpha)
            rows += [
                Row(f"{stem}Rho", t["rho"], fixed(2, signed=True), f"{src}: rho"),
                Row(f"{stem}P", t["p_value"], P, f"{src}: p_value"),
                Row(f"{stem}CILow", t["ci_low"], fixed(2, signed=True), f"{src}: ci_low"),
                Row(f"{stem}CIHigh", t["ci_high"], fixed(2, signed=True), f"{src}: ci_high"),
            ]
    n = int(a["n"].iloc[0])
    lim = ml.rank_limits(n, r.study.alpha)
    how = "exact null over n! orderings" if lim["exact"] else "normal approximation"
    top = s.loc[s["block_influence"].idxmax()]
    low = s.loc[s["block_influence"].idxmin()]
    return [
        *rows,
        Row("MultiNumSignalSignificant", sum(significant), INT, f"{AGREEMENT}: p_value <= alpha"),
        Row("MultiNumSignalTests", len(significant), INT, f"{AGREEMENT}: signal x action rows"),
        Row("MultiAnySignalSignificant", any(significant), FLAG, f"{AGREEMENT}: p <= alpha"),
        Row("MultiAgreementCILevel", a["confidence"].iloc[0], PERCENT, f"{AGREEMENT}: confidence"),
        Row("MultiRankN", n, INT, f"{AGREEMENT}: n"),
        Row("MultiRankOrderings", lim["orderings"], INT, "n! orderings of n layers"),
        Row("MultiRankMinP", lim["min_p_two"], SMALL, "2 / n!: the smallest two-sided p"),
        Row("MultiRankMinPOneSided", lim["min_p_one"], SMALL, "1 / n!: the smallest one-sided p"),
        Row("MultiRankCanReject", lim["min_p_two"] <= r.study.alpha, FLAG, "2 / n! <= alpha"),
        Row(
            "MultiRankRhoNeeded", lim["rho_two"], fixed(2), f"|rho| for two-sided p <= alpha, {how}"
        ),
        Row("MultiRankRhoNeededOneSided", lim["rho_one"], fixed(2), f"rho for one-sided p, {how}"),
        Row("MultiTopInfluenceLayer", int(top["layer"]), INT, f"{SIGNALS}: argmax block_influence"),
        Row("MultiLowInfluenceLayer", int(low["layer"]), INT, f"{SIGNALS}: argmin block_influence"),
        Row("MultiSignalTokens", s["tokens"].iloc[0], INT, f"{SIGNALS}: tokens (mean over seeds)"),
    ]


def _setup(r: Results, all_budgets: list[ml.Budget]) -> list[Row]:
    """What the program was asked: layers, copies, cost, budgets, and how long it took."""
    p, src = r.inp.multilayer_plans, PLANS
    feasible = [b for b in all_budgets if b.feasible]
    unit_layers = p["unit"] == "layers"
    layer_pct = p.get("layer_params_pct" if p["cost"] == "params" else "layer_flops_pct")
    max_changed = p.get("max_changed")
    return [
        Row("MultiMetricName", metric_label(p["metric"]).lower(), TEXT, f"{src}: metric"),
        Row("MultiCostName", ml.COST_NAMES[p["cost"]], TEXT, f"{src}: cost"),
        Row("MultiUnitLayers", unit_layers, FLAG, f"{src}: unit = layers"),
        Row("MultiLayerCostPct", layer_pct, fixed(1), f"{src}: layer_{p['cost']}_pct"),
        Row("MultiNumLayers", p["num_layers"], INT, f"{src}: num_layers"),
        Row("MultiMaxCopies", p.get("max_copies", 1), INT, f"{src}: max_copies"),
        Row("MultiMaxCopiesOne", p.get("max_copies", 1) == 1, FLAG, f"{src}: max_copies = 1"),
        Row("MultiMaxChangedSet", max_changed is not None, FLAG, f"{src}: max_changed set"),
        Row("MultiMaxChanged", max_changed, INT, f"{src}: max_changed"),
        Row("MultiNumSeeds", len(p["seeds"]), INT, f"{src}: seeds"),
        Row("MultiSolveTime", p["solve_seconds"], SECONDS, f"{src}: solve_seconds"),
        Row("MultiNumBudgets", len(all_budgets), INT, f"{src}: budgets"),
        Row(
            "MultiNumFeasible",
            len(feasible),
            INT,
            f"{src}: budgets with a plan",
            "the prose counts distinct plans; this counts budgets, for reviewers",
        ),
        Row(
            "MultiNumInfeasible",
            len(all_budgets) - len(feasible),
            INT,
            f"{src}: infeasible budgets",
        ),
        Row("MultiAnyInfeasible", len(feasible) < len(all_budgets), FLAG, f"{src}: infeasible"),
        Row("MultiNumPlans", len({b.plan for b in feasible}), INT, f"{TESTS}: distinct plans"),
        Row(
            "MultiBudgetItems",
            "\n".join(_item(b, unit_layers) for b in all_budgets),
            TEX,
            f"{TESTS} + {PLANS}: one item per budget",
        ),
    ]


def _verdict(feasible: list[ml.Budget]) -> list[Row]:
    sig = {b.plan for b in feasible if b.flag("significant_holm")}
    src = f"{TESTS}: significant_holm over distinct plans"
    ci = next((b.value("ci_level") for b in feasible), float("nan"))
    return [
        Row("MultiNumSignificantHolm", len(sig), INT, src),
        Row("MultiAnySignificantHolm", bool(sig), FLAG, src),
        Row("MultiCILevel", ci, PERCENT, f"{TESTS}: ci_level in percent"),
    ]


def rows(r: Results, c: Settings) -> list[Row]:
    run = ml.ran(r.inp)
    flag = Row("MultiLayerRun", run, FLAG, f"{TESTS}: present (multi_layer.enabled)")
    if not run:
        return [flag]
    all_budgets = ml.budgets(r.inp)
    feasible = [b for b in all_budgets if b.feasible]
    if not feasible:
        raise ValueError(f"{TESTS}: no budget has a plan; the section has nothing to report")
    return [
        flag,
        *_setup(r, all_budgets),
        *_verdict(feasible),
        *_picked(feasible),
        *_agreement(feasible),
        *_signals(r),
    ]
