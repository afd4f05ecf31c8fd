"""The multi-layer section: its macros follow the results, its table has a row per budget, and
a configuration without the study still gives a paper that says so."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from multilayer_fixtures import SPECS, Spec, multilayer_results
from test_report import assert_tex, flags, make_inputs, needs_latex, simple_paper_text, tex_of

from frankenmodels.report import multilayer as ml
from frankenmodels.report.inputs import Inputs
from frankenmodels.report.numbers import build_numbers
from frankenmodels.report.tables import build_tables


def inputs_with(specs: tuple[Spec, ...] = SPECS, **kwargs) -> Inputs:
    """The report fixture with the multi-layer files of `specs`."""
    files = multilayer_results(specs, **kwargs)
    return dataclasses.replace(
        make_inputs(), **{f"multilayer_{name}": value for name, value in files.items()}
    )


def section(macros) -> dict:
    return {m.name: m for m in macros if m.section == "multilayer"}


def test_macros_from_fixture():
    macros = build_numbers(inputs_with())
    assert_tex(
        macros,
        {
            "MultiNumBudgets": "5",
            "MultiNumInfeasible": "1",
            "MultiNumPlans": "4",
            "MultiBestPlan": r"ilp\_dup2",
            "MultiBestDiffPP": "+0.58",
            "MultiCheapestSigPlan": r"ilp\_del0\_dup2",
            "MultiCheapestSigLatencyPct": "0.0",
            "MultiBestLatencyPct": "+9.8",
            "MultiSolveTime": r"0.31\,s",
            "MultiNumPredictedInCI": "3",
            "MultiNumSignAgree": "4",
            "MultiBlockInfluenceDeleteRho": r"\ensuremath{-}0.80",
            # Four layers: 24 orderings; no two-sided test reaches 0.05, one-sided needs rho = -1.
            "MultiRankOrderings": "24",
            "MultiRankRhoNeededOneSided": "1.00",
        },
    )
    f = flags(macros)
    assert f["MultiLayerRun"] and f["MultiAnySignificantHolm"] and f["MultiAnyInfeasible"]
    assert f["MultiHasZeroBudget"] and f["MultiZeroChanged"] and f["MultiZeroSignificantHolm"]
    assert f["MultiMeasuredBelowPredicted"] and f["MultiCostsAgree"]
    assert not f["MultiRankCanReject"] and not f["MultiCheapestIsBest"]
    assert not f["MultiAllPredictedInCI"] and not f["MultiNoPredictedInCI"]


def test_per_budget_items_say_what_each_plan_does():
    items = tex_of(build_numbers(inputs_with()), "MultiBudgetItems").splitlines()
    assert len(items) == len(SPECS) and all(i.startswith(r"\item Budget") for i in items)
    assert items[0].endswith("no plan meets it.")
    assert r"\texttt{ilp\_del0\_dup2}, delete layer 0, duplicate layer 2" in items[2]
    assert r"predicted +0.40\,pp, measured +0.45\,pp" in items[2]
    assert r"Holm \ensuremath{p=0.030}" in items[2]


def test_no_significant_plan_flips_the_verdict():
    weak = tuple(dataclasses.replace(s, t_p=0.4) for s in SPECS)
    f = flags(build_numbers(inputs_with(weak)))
    assert not f["MultiAnySignificantHolm"] and not f["MultiZeroSignificantHolm"]
    assert f["MultiCheapestIsBest"]  # nothing significant: the sentence falls back to the best
    assert flags(build_numbers(inputs_with()))["MultiAnySignificantHolm"]


def test_measured_values_drive_the_macros():
    better = tuple(
        dataclasses.replace(s, measured=0.009, predicted=0.009) if s.budget == 2 else s
        for s in SPECS
    )
    macros = build_numbers(inputs_with(better))
    assert tex_of(macros, "MultiBestPlan") == r"ilp\_dup2\_dup3"
    assert tex_of(macros, "MultiBestDiffPP") == "+0.90"
    assert tex_of(macros, "MultiNumPredictedInCI") == "4"
    assert flags(macros)["MultiAllPredictedInCI"]


def test_zero_budget_that_keeps_every_layer():
    keep = tuple(Spec(0, {}, t_p=0.9) if s.budget == 0 else s for s in SPECS)
    macros = build_numbers(inputs_with(keep))
    f = flags(macros)
    assert f["MultiHasZeroBudget"] and not f["MultiZeroChanged"]
    assert "ilp\\_none}, keep every layer" in tex_of(macros, "MultiBudgetItems")


def test_more_layers_can_reject():
    macros = build_numbers(inputs_with(num_layers=6))
    assert tex_of(macros, "MultiRankOrderings") == "720"
    assert tex_of(macros, "MultiRankRhoNeeded") == "0.89"
    assert flags(macros)["MultiRankCanReject"]


def test_disabled_study_defines_only_the_flag():
    macros = build_numbers(make_inputs(multilayer=False))
    assert list(section(macros)) == ["MultiLayerRun"]
    assert not flags(macros)["MultiLayerRun"]
    assert build_tables(make_inputs(multilayer=False))["multilayer"].startswith("% ")


def test_table_has_a_row_per_budget_and_marks_infeasible():
    table = build_tables(inputs_with())["multilayer"]
    body = table.split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert len(body) == len(SPECS)
    assert body[0].startswith(r"\ensuremath{-}4 & \emph{infeasible} & --")
    assert r"\texttt{ilp\_del0\_dup2} & 0.0 & +0.40 $\pm$ 0.20 & +0.45" in body[2]
    assert r"\textbf{0.030}" in body[2] and r"\textbf{" not in body[4]  # Holm p 0.400
    assert r"\label{tab:multilayer}" in table and table.count("{") == table.count("}")


def test_files_that_disagree_on_budgets_are_refused():
    inp = inputs_with()
    plans = {**inp.multilayer_plans, "budgets": inp.multilayer_plans["budgets"][1:]}
    with pytest.raises(ValueError, match="different budgets"):
        build_numbers(dataclasses.replace(inp, multilayer_plans=plans))


def test_missing_column_is_named():
    inp = inputs_with()
    tests = inp.multilayer_tests.drop(columns=["predicted_in_ci"])
    with pytest.raises(KeyError, match="predicted_in_ci"):
        build_numbers(dataclasses.replace(inp, multilayer_tests=tests))


def test_describe_plans():
    assert ml.describe({3: "insert 2", 0: "delete"}) == "delete layer 0, add 2 copies of layer 3"
    assert ml.describe({}) == "keep every layer"
    assert ml.fmt_budget(-0.5) == r"\ensuremath{-}0.5" and ml.fmt_budget(2) == "+2"


@pytest.mark.parametrize("n", [4, 5, 6])
def test_rank_limits_match_brute_force(n):
    ranks = np.arange(n)
    rhos = np.array(
        [
            1 - 6 * np.sum((ranks - p) ** 2) / (n * (n * n - 1))
            for p in itertools.permutations(ranks)
        ]
    )
    lim = ml.rank_limits(n, 0.05)
    assert lim["min_p_two"] == pytest.approx(2 / math.factorial(n))
    levels = np.unique(np.round(np.abs(rhos), 9))
    two = [r for r in levels if r > 0 and np.mean(np.abs(rhos) >= r - 1e-9) <= 0.05]
    one = [r for r in levels if r > 0 and np.mean(rhos <= -r + 1e-9) <= 0.05]
    assert lim["rho_two"] == pytest.approx(min(two)) if two else math.isnan(lim["rho_two"])
    assert lim["rho_one"] == pytest.approx(min(one))


def test_rank_limits_twelve_layers_match_the_tables():
    lim = ml.rank_limits(12, 0.05)  # published critical values: 0.587 two-sided, 0.503 one
    assert round(lim["rho_two"], 3) == 0.587 and round(lim["rho_one"], 3) == 0.503


@needs_latex
def test_paper_without_the_study_says_it_was_not_run(tmp_path):
    no_figure = ("layer_impact", "seed_pairs", "tradeoff", "layer_ci")  # no multilayer figure
    flat = simple_paper_text(tmp_path, make_inputs(multilayer=False), no_figure)
    assert "It was not run in this configuration." in flat
    assert "ilp_" not in flat
