"""The multi-layer study's stages on small hand-made results: estimates from the selection
split, one plan per budget, the plans measured against the base, and the signals' agreement."""

import math

import numpy as np
import pandas as pd
import pytest
from transformers import BertConfig

from frankenmodels.importance import signal_agreement
from frankenmodels.multilayer import actions_from_name, count_costs, estimation_variants, plan_name
from frankenmodels.multilayer.choose import (
    budget_percent,
    choose_plans,
    chosen_plans,
    require_a_plan,
)
from frankenmodels.multilayer.estimates import gains_for_program, layer_gains, pooled_estimates
from frankenmodels.multilayer.measured import measure_plans

SEEDS = (1, 2, 3, 4)
# Selection-split gains (fractions) per layer: deleting layer 0 is free, layer 2 helps twice.
DELETE = {0: 0.0, 1: -0.05, 2: -0.08, 3: -0.10}
DUPLICATE = {0: -0.01, 1: 0.002, 2: 0.01, 3: -0.02}
REPEAT = {0: -0.03, 1: 0.0, 2: 0.025, 3: -0.05}  # two extra copies, measured totals
COST = count_costs(
    BertConfig(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=64),
    seq_len=32,
)


def _selection_metrics(noise=0.002):
    rng = np.random.default_rng(0)
    wanted = estimation_variants(4, 2)
    true = {(i, -1): g for i, g in DELETE.items()} | {(i, 1): g for i, g in DUPLICATE.items()}
    true |= {(i, 2): g for i, g in REPEAT.items()}
    rows = []
    for seed in SEEDS:
        base = 0.8 + 0.01 * seed
        rows.append(
            dict(split="selection", seed=seed, variant="base", metric="accuracy", value=base)
        )
        for name, key in wanted.items():
            value = base + true[key] + rng.normal(0, noise)
            rows.append(
                dict(split="selection", seed=seed, variant=name, metric="accuracy", value=value)
            )
    return pd.DataFrame(rows)


SETTINGS = dict(
    budgets=[-1, 0, 1, 2],
    unit="layers",
    cost="params",
    max_copies=2,
    max_changed=None,
    objective_metric="accuracy",
)


@pytest.fixture(scope="module")
def plans():
    gains = layer_gains(
        _selection_metrics(), base="base", metric="accuracy", num_layers=4, max_copies=2
    )
    estimates = pooled_estimates(gains, COST, max_copies=2)
    return choose_plans(estimates, gains, COST, SETTINGS, seq_len=32), gains, estimates


def test_plan_names_round_trip():
    for actions in [(0, 0, 0, 0), (-1, 0, 2, 1), (0, 3, -1, -1)]:
        assert actions_from_name(plan_name(actions), 4) == actions
    for bad in ["ilp_dup4", "ilp_rep1x2", "ilp_del1_del1", "base", "ilp_dup2_del1", "ilp_"]:
        with pytest.raises(ValueError):
            actions_from_name(bad, 4)


def test_estimation_variants_use_the_sweeps_names():
    names = estimation_variants(3, 2)
    assert names["del0"] == (0, -1) and names["dup2"] == (2, 1) and names["rep1x3"] == (1, 2)
    assert len(names) == 9 and len(estimation_variants(3, 1)) == 6


def test_gains_are_paired_by_seed_on_the_selection_split(plans):
    _, gains, estimates = plans
    assert set(gains["seed"]) == set(SEEDS) and len(gains) == 12 * len(SEEDS)
    row = estimates.set_index("variant").loc["dup2"]
    assert row["gain_mean"] == pytest.approx(0.01, abs=0.003)
    assert row["n_seeds"] == len(SEEDS) and row["label"] == "insert 1"
    assert row["params_pct"] == pytest.approx(COST.layer_params_pct)
    table = gains_for_program(estimates, 2)
    # Two copies take the measured rep2x3 total, not twice one copy.
    assert table[(2, 2)] == pytest.approx(estimates.set_index("variant").loc["rep2x3", "gain_mean"])


def test_missing_estimates_are_named_not_guessed():
    metrics = _selection_metrics()
    metrics = metrics[metrics["variant"] != "rep3x3"]
    with pytest.raises(ValueError, match=r"rep3x3"):
        layer_gains(metrics, base="base", metric="accuracy", num_layers=4, max_copies=2)
    validation = _selection_metrics().assign(split="validation")
    with pytest.raises(ValueError, match=r"no selection-split metrics"):
        layer_gains(validation, base="base", metric="accuracy", num_layers=4, max_copies=2)


def test_one_plan_per_budget_trades_a_free_deletion_for_a_copy(plans):
    chosen, _, _ = plans
    by_budget = {entry["budget"]: entry for entry in chosen["budgets"]}
    assert [e["budget"] for e in chosen["budgets"]] == SETTINGS["budgets"]
    # At zero cost: delete the useless layer 0 to pay for a copy of layer 2.
    assert by_budget[0]["name"] == "ilp_del0_dup2"
    assert by_budget[0]["params_pct"] == pytest.approx(0.0, abs=1e-9)
    assert by_budget[-1]["name"] == "ilp_del0"
    # Two layers' worth buys the second copy of layer 2 (measured total 0.025 > 0.01).
    assert by_budget[2]["name"] == "ilp_del0_rep2x3" or by_budget[2]["predicted_gain"] >= 0.025
    for entry in chosen["budgets"]:
        assert entry["params_pct"] <= entry["budget_pct"] + 1e-9
    assert by_budget[0]["predicted_gain"] == pytest.approx(
        sum(
            _estimate(plans, layer, action)
            for layer, action in enumerate(actions_from_name(by_budget[0]["name"], 4))
            if action
        )
    )
    assert chosen_plans(chosen) == list(dict.fromkeys(e["name"] for e in chosen["budgets"]))
    assert chosen["solve_seconds"] > 0 and chosen["layer_params_pct"] == COST.layer_params_pct


def _estimate(plans, layer, action):
    estimates = plans[2].set_index(["layer", "action"])
    return estimates.loc[(layer, action), "gain_mean"]


def test_an_infeasible_budget_is_recorded_with_its_reason(plans):
    _, gains, estimates = plans
    settings = dict(SETTINGS, budgets=[-5, 0], max_changed=1)
    chosen = choose_plans(estimates, gains, COST, settings, seq_len=32)
    infeasible, feasible = chosen["budgets"]
    assert infeasible["status"] == "infeasible" and infeasible["name"] is None
    assert "smallest achievable change" in infeasible["message"]
    assert feasible["status"] == "optimal" and feasible["changed"] <= 1
    assert chosen_plans(chosen) == [feasible["name"]]


def test_budgets_in_layers_percent_and_flops():
    assert budget_percent(2, "layers", "params", COST) == pytest.approx(2 * COST.layer_params_pct)
    assert budget_percent(-1, "layers", "flops", COST) == pytest.approx(-COST.layer_flops_pct)
    assert budget_percent(3.5, "percent", "params", COST) == 3.5


def test_a_flops_budget_bounds_flops_and_leaves_parameters_free(plans):
    _, gains, estimates = plans
    settings = dict(SETTINGS, cost="flops", budgets=[0])
    (entry,) = choose_plans(estimates, gains, COST, settings, seq_len=32)["budgets"]
    assert entry["flops_pct"] <= 1e-9 and entry["name"] == "ilp_del0_dup2"


def _validation(plans_json, shift):
    """Validation metrics: base, and each chosen plan ``shift[name]`` above it per seed."""
    rows = []
    for seed in SEEDS:
        base = 0.8 + 0.005 * seed
        rows.append(
            dict(split="validation", seed=seed, variant="base", metric="accuracy", value=base)
        )
        for name in chosen_plans(plans_json):
            value = base + shift[name] + (0.001 if seed % 2 else -0.001)
            rows.append(
                dict(split="validation", seed=seed, variant=name, metric="accuracy", value=value)
            )
    return pd.DataFrame(rows)


def _efficiency(names):
    rows = [dict(variant="base", latency_ms_median=10.0, params_effective=1000)]
    rows += [
        dict(variant=n, latency_ms_median=11.0, params_effective=1000 + 10 * i)
        for i, n in enumerate(names)
    ]
    return pd.DataFrame(rows)


STATS = dict(alpha=0.05, base_variant="base", bootstrap_resamples=999, focus_variant=None)


def test_measured_plans_are_tested_with_holm_across_distinct_plans(plans):
    chosen, _, _ = plans
    names = chosen_plans(chosen)
    shift = {name: 0.02 if i == 0 else -0.01 for i, name in enumerate(names)}
    tests = measure_plans(chosen, _validation(chosen, shift), _efficiency(names), STATS)
    assert list(tests["budget"]) == SETTINGS["budgets"]
    assert (tests["family_size"] == len(names)).all()
    first = tests[tests["plan"] == names[0]].iloc[0]
    assert first["mean_diff"] == pytest.approx(0.02, abs=1e-9)
    assert first["significant"] and first["significant_holm"]
    assert first["t_p_holm"] == pytest.approx(min(1.0, len(names) * first["t_p"]))
    others = tests[tests["plan"] != names[0]]
    assert not others["significant_holm"].astype(bool).any()
    assert first["latency_pct"] == pytest.approx(10.0)
    # The same data with the signs flipped: the verdicts flip.
    flipped = measure_plans(
        chosen, _validation(chosen, {n: -s for n, s in shift.items()}), _efficiency(names), STATS
    )
    assert list(flipped["significant_holm"]) == [not v for v in tests["significant_holm"]]


def test_prediction_inside_the_measured_interval(plans):
    chosen, _, _ = plans
    names = chosen_plans(chosen)
    shift = {e["name"]: e["predicted_gain"] for e in chosen["budgets"]}
    tests = measure_plans(chosen, _validation(chosen, shift), _efficiency(names), STATS)
    assert tests["predicted_in_ci"].astype(bool).all()
    far = {n: s + 0.2 for n, s in shift.items()}
    tests = measure_plans(chosen, _validation(chosen, far), _efficiency(names), STATS)
    assert not tests["predicted_in_ci"].astype(bool).any()


def test_infeasible_budgets_keep_a_row_without_statistics(plans):
    _, gains, estimates = plans
    chosen = choose_plans(
        estimates, gains, COST, dict(SETTINGS, budgets=[-5, 0], max_changed=1), 32
    )
    names = chosen_plans(chosen)
    tests = measure_plans(chosen, _validation(chosen, {names[0]: 0.01}), _efficiency(names), STATS)
    infeasible = tests.iloc[0]
    assert infeasible["status"] == "infeasible" and math.isnan(infeasible["t_p"])
    assert tests.iloc[1]["family_size"] == 1


def _signals(strength):
    """Per-seed signals: Block Influence rises with the harm of deleting a layer."""
    rows = []
    for seed in SEEDS:
        for layer, gain in DELETE.items():
            value = 0.1 - strength * gain + 0.001 * seed
            rows.append(
                dict(
                    seed=seed,
                    layer=layer,
                    block_influence=value,
                    angular_distance=value / 2,
                    tokens=10,
                )
            )
    return pd.DataFrame(rows)


def test_signals_that_track_deletion_harm_agree(plans):
    _, gains, _ = plans
    means, agreement = signal_agreement(_signals(1.0), gains, resamples=999)
    assert list(means["layer"]) == [0, 1, 2, 3] and (means["seeds"] == len(SEEDS)).all()
    rows = agreement.set_index(["signal", "action"])
    delete = rows.loc[("block_influence", "delete")]
    assert delete["rho"] == pytest.approx(-1.0) and delete["alternative"] == "less"
    assert delete["p_value"] == pytest.approx(1 / 24)  # the one best of 4! orderings
    assert rows.loc[("angular_distance", "duplicate"), "alternative"] == "two-sided"
    _, reversed_ = signal_agreement(_signals(-1.0), gains, resamples=999)
    assert (
        reversed_.set_index(["signal", "action"]).loc[("block_influence", "delete"), "rho"] == 1.0
    )


def test_no_feasible_budget_stops_at_the_checkpoint_with_the_reasons(plans):
    _, gains, estimates = plans
    chosen = choose_plans(
        estimates, gains, COST, dict(SETTINGS, budgets=[-5, -6], max_changed=1), 32
    )
    with pytest.raises(ValueError, match=r"no budget of multi_layer\.budgets has a plan \(-5: "):
        require_a_plan(chosen)
    require_a_plan(plans[0])  # feasible budgets: no error
