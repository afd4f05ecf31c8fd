"""Several layers at once: an integer program picks, per layer, keep, delete or extra copies.

Quick use::

    from frankenmodels.multilayer import Problem, action_costs, count_costs, gain_table, solve
    cost = count_costs(model.config, seq_len=128)
    params, flops = action_costs(cost, max_copies=2)
    gains = gain_table(delete={...}, duplicate={...}, max_copies=2)
    choice = solve(Problem(cost.num_layers, gains, params, flops), budget_params=0.0)
    choice.plan, choice.name  # a surgery Plan and a wildcard-safe variant name
"""

from .actions import DELETE, KEEP, action_label, gain_table, plan_from_actions, plan_name
from .costs import ModelCost, action_costs, count_costs
from .front import pareto_front, solve_budgets
from .ilp import Choice, InfeasibleBudget, Problem, solve

__all__ = [
    "DELETE",
    "KEEP",
    "Choice",
    "InfeasibleBudget",
    "ModelCost",
    "Problem",
    "action_costs",
    "action_label",
    "count_costs",
    "gain_table",
    "pareto_front",
    "plan_from_actions",
    "plan_name",
    "solve",
    "solve_budgets",
]
