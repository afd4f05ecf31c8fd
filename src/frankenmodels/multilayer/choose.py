"""The checkpoint's work: one plan per budget from the pooled estimates, as plans.json.

An infeasible budget is recorded with the solver's explanation (the smallest achievable
change), not dropped and not turned into an empty plan, so the paper can say why it has no
FrankenModel for that budget.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .costs import ModelCost, action_costs
from .estimates import gains_for_program, per_seed_prediction
from .front import pareto_front
from .ilp import Choice, InfeasibleBudget, Problem, solve

UNITS = ("layers", "percent")
COSTS = ("params", "flops")


def budget_percent(budget: float, unit: str, cost: str, model: ModelCost) -> float:
    """A budget in % of the model's parameters (or FLOPs per token)."""
    if unit not in UNITS or cost not in COSTS:
        raise ValueError(f"unit must be one of {UNITS} and cost one of {COSTS}")
    if unit == "percent":
        return float(budget)
    per_layer = model.layer_params_pct if cost == "params" else model.layer_flops_pct
    return float(budget) * per_layer


def choose_plans(
    estimates: pd.DataFrame,
    gains: pd.DataFrame,
    model: ModelCost,
    settings: Mapping[str, Any],
    seq_len: int,
) -> dict[str, Any]:
    """Solve the program for every budget of ``settings`` (the ``multi_layer`` config)."""
    max_copies, cost = int(settings["max_copies"]), settings["cost"]
    params, flops = action_costs(model, max_copies)
    problem = Problem(model.num_layers, gains_for_program(estimates, max_copies), params, flops)
    start = time.perf_counter()
    entries, choices = [], []
    for budget in settings["budgets"]:
        pct = budget_percent(budget, settings["unit"], cost, model)
        # The bounded cost gets the budget; the other is left free (a bound no plan reaches:
        # CBC takes no infinite right-hand side).
        free = 100.0 * max_copies * model.num_layers
        limits = {
            "budget_params": pct if cost == "params" else free,
            "budget_flops": pct if cost == "flops" else None,
        }
        entry = {"budget": budget, "budget_pct": pct}
        try:
            choice = solve(problem, max_changed=settings["max_changed"], **limits)
        except InfeasibleBudget as error:
            entries.append({**entry, **_infeasible(str(error))})
            continue
        choices.append(choice)
        entries.append({**entry, **_feasible(choice, gains)})
    front = {c.actions for c in pareto_front(choices)}
    for entry, choice in zip(
        [e for e in entries if e["status"] == "optimal"], choices, strict=True
    ):
        entry["pareto"] = choice.actions in front
    return {
        "metric": settings["objective_metric"],
        "cost": cost,
        "unit": settings["unit"],
        "max_copies": max_copies,
        "max_changed": settings["max_changed"],
        "seq_len": seq_len,
        "num_layers": model.num_layers,
        "layer_params_pct": model.layer_params_pct,
        "layer_flops_pct": model.layer_flops_pct,
        "seeds": sorted(int(s) for s in gains["seed"].unique()),
        "solve_seconds": time.perf_counter() - start,
        "budgets": entries,
    }


def _feasible(choice: Choice, gains: pd.DataFrame) -> dict[str, Any]:
    record = choice.to_dict()
    per_seed = per_seed_prediction(gains, choice.actions)
    return {
        "status": "optimal",
        "message": None,
        "name": record["name"],
        "actions": record["actions"],
        "layers": record["layers"],
        "changed": choice.changed,
        "predicted_gain": record["gain"],
        "predicted_sd": float(per_seed.std(ddof=1)) if len(per_seed) > 1 else None,
        "params_pct": record["params_pct"],
        "flops_pct": record["flops_pct"],
        "pareto": False,
        "solve_seconds": record["solve_seconds"],
    }


def _infeasible(message: str) -> dict[str, Any]:
    empty = ("name", "actions", "layers", "changed", "predicted_gain", "predicted_sd")
    return {
        "status": "infeasible",
        "message": message,
        **dict.fromkeys(empty),
        "params_pct": None,
        "flops_pct": None,
        "pareto": False,
        "solve_seconds": None,
    }


def chosen_plans(plans: Mapping[str, Any]) -> list[str]:
    """The distinct plan names of plans.json, in budget order (what the DAG evaluates)."""
    names = [entry["name"] for entry in plans["budgets"] if entry["status"] == "optimal"]
    return list(dict.fromkeys(names))


def require_a_plan(plans: Mapping[str, Any]) -> None:
    """Stop at the checkpoint, naming why, when no budget has a plan: there is nothing to
    measure, and the paper would have nothing to say."""
    if chosen_plans(plans):
        return
    reasons = "; ".join(f"{e['budget']:g}: {e['message']}" for e in plans["budgets"])
    raise ValueError(
        f"no budget of multi_layer.budgets has a plan ({reasons}); widen the budgets "
        "or raise multi_layer.max_changed"
    )
