"""The fine-tuning section: its macros and tables follow the results (claims that hold and
claims that do not change the words), and a configuration without either study still gives a
paper that says so."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from finetuning_fixtures import METHOD_VALUES, healing_results, methods_results, stage_outputs
from test_report import (
    assert_tex,
    flags,
    make_inputs,
    needs_latex,
    simple_paper_text,
    tex_of,
    write_inputs,
)

from frankenmodels.io import write_csv
from frankenmodels.report.inputs import Inputs
from frankenmodels.report.numbers import build_numbers
from frankenmodels.report.tables import build_tables


def inputs_with(healing: pd.DataFrame | None = None, **methods) -> Inputs:
    """The report fixture with the methods' files of `methods_results(**methods)`."""
    files = {f"methods_{name}": frame for name, frame in methods_results(**methods).items()}
    if healing is not None:
        files["healing_tests"] = healing
    return dataclasses.replace(make_inputs(), **files)


def section(macros, name: str) -> dict:
    return {m.name: m for m in macros if m.section == name}


def test_methods_macros_from_fixture():
    macros = build_numbers(make_inputs())
    assert_tex(
        macros,
        {
            "MethodsNumMethods": "3",
            "MethodsReference": "full fine-tuning",
            "MethodLoraAccuracyMean": "0.8990",
            "MethodLoraFOneBinarySD": "0.0050",
            "MethodLoraTrainablePct": "0.30",
            "MethodLoraTrainableParams": "30{,}000",
            "MethodLoraWall": r"3.0\,min",
            "MethodLayerSelectivePeakMemory": "700",
            "MethodLoraAccuracyDiffPP": r"\ensuremath{-}0.60",
            "MethodLoraAccuracyP": r"\ensuremath{p=0.020}",
            "MethodLoraAccuracyHolmP": r"\ensuremath{p=0.060}",
            "MethodsSelectiveLayers": "layers 2 and 3",
            "MethodLoraLearningRate": r"\ensuremath{5\times10^{-3}}",
            "LoraTargets": r"\texttt{query} and \texttt{value}",
            # The thresholds and the condition come from the results and the stats code, not
            # the prose.
            "MethodsAccuracyShareThresholdPct": "95",
            "MethodsTimeShareThresholdPct": "50",
            "MethodsTrainableLimitPct": "1",
            "MethodLayerSelectiveAccuracyShare": "98.7",
            "MethodLayerSelectiveTimeShare": "40.0",
            # The reference has no test against itself and no claims.
            "MethodFullAccuracyDiffPP": "n/a",
        },
    )
    f = flags(macros)
    assert f["MethodsRun"] and f["MethodFullIsReference"] and not f["MethodLoraIsReference"]
    assert f["MethodLoraRun"] and f["MethodLayerSelectiveRun"]
    assert not f["MethodLoraAccuracySignificantHolm"]  # p 0.02 three times: Holm 0.06


def test_claims_in_words():
    macros = build_numbers(make_inputs())
    assert_tex(
        macros,
        {
            "MethodLayerSelectiveAccuracyShareVerdict": "holds",
            "MethodLayerSelectiveTimeShareVerdict": "holds",
            "MethodLoraTimeShareVerdict": "does not hold",  # 60 % of the time
            "MethodsNumClaims": "4",
            "MethodsNumClaimsHold": "3",
        },
    )
    f = flags(macros)
    assert f["MethodLayerSelectiveAccuracyShareHolds"] and f["MethodLoraConditionHolds"]
    assert not f["MethodLayerSelectiveAccuracyShareHoldsAtCI"] and f["MethodsAnyClaimHolds"]


def test_claims_that_fail_change_the_words():
    slow = dict(METHOD_VALUES)
    slow["layer_selective"] = (0.80, 0.81, 0.12, 12_000, 290.0, 700.0, "2 3")
    slow["lora"] = (0.899, 0.902, 5.0, 500_000, 290.0, 900.0, "")  # 5 % trainable
    macros = build_numbers(inputs_with(values=slow))
    assert_tex(
        macros,
        {
            "MethodLayerSelectiveAccuracyShare": "88.4",
            "MethodLayerSelectiveAccuracyShareVerdict": "does not hold",
            "MethodLayerSelectiveTimeShareVerdict": "does not hold",
            # LoRA keeps 99.3 % of the accuracy, but with 5 % of the parameters trainable.
            "MethodLoraAccuracyShare": "99.3",
            "MethodLoraAccuracyShareVerdict": "does not hold",
        },
    )
    f = flags(macros)
    assert not f["MethodLoraConditionHolds"] and not f["MethodsAnyClaimHolds"]
    assert tex_of(macros, "MethodsNumClaimsHold") == "0"


def test_claims_that_hold_at_the_interval():
    f = flags(build_numbers(inputs_with(at_ci=True)))
    assert f["MethodLayerSelectiveAccuracyShareHoldsAtCI"]
    assert f["MethodLayerSelectiveTimeShareHoldsAtCI"]
    assert not f["MethodLoraTimeShareHoldsAtCI"]  # does not hold at all


def test_significant_difference_flips_the_flag():
    strong = {("lora", "full"): 0.001, ("layer_selective", "full"): 0.001}
    f = flags(build_numbers(inputs_with(t_p=strong)))
    assert (
        f["MethodLoraAccuracySignificantHolm"] and f["MethodLayerSelectiveAccuracySignificantHolm"]
    )


def test_pair_listed_the_other_way_round_is_turned():
    """tests.csv lists a pair once; where the reference is the `method`, the difference, its
    interval and nothing else change sign."""
    inp = make_inputs()
    t = inp.methods_tests.copy()
    row = (t["method"] == "lora") & (t["versus"] == "full")
    t.loc[row, ["method", "versus"]] = ["full", "lora"]
    t.loc[row, "mean_diff"] *= -1
    t.loc[row, ["ci_low", "ci_high"]] = -t.loc[row, ["ci_high", "ci_low"]].to_numpy()
    turned = build_numbers(dataclasses.replace(inp, methods_tests=t))
    before = build_numbers(inp)
    for name in ("DiffPP", "CILow", "CIHigh", "P", "HolmP"):
        macro = f"MethodLoraAccuracy{name}"
        assert tex_of(turned, macro) == tex_of(before, macro), macro


def test_healing_macros_from_fixture():
    macros = build_numbers(make_inputs())
    f = flags(macros)
    assert f["HealingRun"] and f["HealHasChosen"] and not f["HealAnySignificant"]
    assert f["HealLoraRun"] and not f["HealLoraSignificantHolm"]
    assert_tex(
        macros,
        {
            "HealSteps": "24",
            "HealStepsPct": "10",
            "HealNumPlans": "2",
            "HealPlans": r"\texttt{dup2} and \texttt{ilp\_dup2\_dup3}",
            "HealNumTests": "6",
            "HealLayerSelectiveDiffPP": "+0.20",
            "HealLayerSelectiveCILow": r"\ensuremath{-}0.20",
            "HealFullControlGainPP": "+0.40",
            "HealSelectiveLayers": "layer 3",
            "HealSelectiveControlLayers": "layer 2",
            "HealCIMethod": "BCa bootstrap",
        },
    )


def test_healing_credited_to_the_surgery_when_significant():
    healed = healing_results({("layer_selective", "dup2"): (0.006, 0.001)})
    macros = build_numbers(inputs_with(healing=healed))
    f = flags(macros)
    assert f["HealAnySignificant"] and f["HealLayerSelectiveSignificantHolm"]
    assert not f["HealFullSignificantHolm"]
    assert tex_of(macros, "HealNumSignificant") == "1"
    assert tex_of(macros, "HealFocusNumSignificant") == "1"
    assert tex_of(macros, "HealLayerSelectiveHolmP") == r"\ensuremath{p=0.006}"


def test_only_healing_run():
    macros = build_numbers(make_inputs(methods=False))
    f = flags(macros)
    assert not f["MethodsRun"] and f["HealingRun"]
    assert list(section(macros, "finetuning"))[0] == "MethodsRun"
    assert "LoraRank" in macros and "MethodLoraAccuracyMean" not in macros  # described, not run
    assert build_tables(make_inputs(methods=False))["methods"].startswith("% ")


def test_neither_study_defines_only_the_flags():
    inp = make_inputs(methods=False, healing=False)
    macros = build_numbers(inp)
    assert list(section(macros, "finetuning")) == ["MethodsRun"]
    assert list(section(macros, "healing")) == ["HealingRun"]
    tables = build_tables(inp)
    assert tables["methods"].startswith("% ") and tables["healing"].startswith("% ")


def test_tables_have_a_row_per_method_and_per_healed_plan():
    tables = build_tables(make_inputs())
    body = tables["methods"].split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert [line.split(" & ")[0] for line in body] == ["Full", "LoRA", "Layer-selective"]
    assert body[0].endswith(r"& -- \\")  # the reference is not tested against itself
    assert r"0.8990 $\pm$ 0.0040 & 0.9020 $\pm$ 0.0050 & 0.30 & 0.030" in body[1]
    heal = tables["healing"].split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert len(heal) == 6
    assert heal[4].startswith(r"Layer-selective & \texttt{dup2} & 0.9108 & 0.9110 & 0.9090 & +0.20")
    for tex in tables.values():
        assert tex.count("{") == tex.count("}")
    strong = healing_results({("layer_selective", "dup2"): (0.006, 0.001)})
    assert r"\textbf{0.006}" in build_tables(inputs_with(healing=strong))["healing"]


def test_files_round_trip_keep_layers_as_text(tmp_path):
    """A single trained layer ("3") is read back as text, not as the number 3.0."""
    inp = make_inputs()
    loaded = Inputs.from_paths(inp.settings, **write_inputs(inp, tmp_path))
    t = loaded.healing_tests
    own = t[(t["method"] == "layer_selective") & (t["plan"] == "dup2")]
    assert own["trained_layers"].iloc[0] == "3" and own["control_layers"].iloc[0] == "2"
    assert build_numbers(loaded)["HealSelectiveLayers"].tex == "layer 3"
    assert build_tables(loaded) == build_tables(inp)


def test_reads_what_the_stats_stage_writes(tmp_path):
    """The stage's own functions, through CSV files, into the macros and the tables."""
    inp = make_inputs(methods=False, healing=False)
    paths = write_inputs(inp, tmp_path)
    stats = {"metrics": ["accuracy", "f1_binary"], "bootstrap_resamples": 199}
    for name, frame in stage_outputs(stats).items():
        paths[name] = tmp_path / f"{name}.csv"
        write_csv(frame, paths[name])
    loaded = Inputs.from_paths(inp.settings, **paths)
    macros = build_numbers(loaded)
    assert tex_of(macros, "MethodsSelectiveLayers") == "layers 2 and 3"
    assert tex_of(macros, "HealSelectiveLayers") == "layer 3"
    assert tex_of(macros, "HealSelectiveControlLayers") == "layer 2"
    assert tex_of(macros, "MethodLayerSelectiveTimeShare").startswith("40.")
    assert tex_of(macros, "MethodLayerSelectiveTimeShareVerdict") == "holds"
    f = flags(macros)
    assert f["MethodsRun"] and f["HealingRun"] and f["HealLoraRun"]
    tables = build_tables(loaded)
    assert (
        r"\label{tab:methods}" in tables["methods"] and r"\label{tab:healing}" in tables["healing"]
    )


def test_missing_column_and_focus_are_named():
    inp = make_inputs()
    with pytest.raises(KeyError, match="holds_at_ci"):
        build_numbers(
            dataclasses.replace(inp, methods_claims=inp.methods_claims.drop(columns="holds_at_ci"))
        )
    other = inp.healing_tests[inp.healing_tests["plan"] != "dup2"]
    with pytest.raises(KeyError, match="focus variant 'dup2'"):
        build_numbers(dataclasses.replace(inp, healing_tests=other))


@needs_latex
def test_paper_without_the_studies_says_they_were_not_run(tmp_path):
    flat = simple_paper_text(tmp_path, make_inputs(methods=False, healing=False))
    assert "This comparison was not run in this configuration." in flat
    assert "This was not run in this configuration." in flat
    assert "LayerLens claims" not in flat and "Table 7" not in flat


@needs_latex
def test_paper_states_the_claims_as_computed(tmp_path):
    slow = dict(METHOD_VALUES)
    slow["layer_selective"] = (0.80, 0.81, 0.12, 12_000, 290.0, 700.0, "2 3")
    healed = healing_results({("layer_selective", "dup2"): (0.006, 0.001)})
    flat = simple_paper_text(tmp_path, inputs_with(values=slow, healing=healed))
    assert "keeps 88.4 % of the accuracy of full fine-tuning" in flat
    assert "with 0.12 % of the parameters trainable: the accuracy claim does not hold." in flat
    assert "LoRA keeps 99.3 % of the accuracy" in flat
    assert "the accuracy claim holds at the point estimate, though not for the whole" in flat
    assert "1 of the 6 healed FrankenModels beat their equally trained controls" in flat
