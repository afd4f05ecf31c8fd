"""Several layers at once: an integer program picks, per layer, keep, delete or extra copies.

Quick use::

    from frankenmodels.multilayer import Problem, action_costs, count_costs, gain_table, solve
    cost = count_costs(model.config, seq_len=128)
    params, flops = action_costs(cost, max_copies=2)
    gains = gain_table(delete={...}, duplicate={...}, max_copies=2)
    choice = solve(Problem(cost.num_layers, gains, params, flops), budget_params=0.0)
    choice.plan, choice.name  # a surgery Plan and a wildcard-safe variant name
"""

from typing import TYPE_CHECKING

from frankenmodels.lazy import lazy_attributes

# Each name is loaded on first use: a job imports only the modules it runs (its code inputs),
# so an edit of the integer program reruns the checkpoint, not the estimates before it.
_LAZY = {
    "DELETE": ".actions",
    "KEEP": ".actions",
    "action_label": ".actions",
    "actions_from_name": ".actions",
    "estimation_variants": ".actions",
    "gain_table": ".actions",
    "plan_from_actions": ".actions",
    "plan_name": ".actions",
    "ModelCost": ".costs",
    "action_costs": ".costs",
    "count_costs": ".costs",
    "pareto_front": ".front",
    "solve_budgets": ".front",
    "Choice": ".ilp",
    "InfeasibleBudget": ".ilp",
    "Problem": ".ilp",
    "solve": ".ilp",
}

if TYPE_CHECKING:
    from .actions import (
        DELETE,
        KEEP,
        action_label,
        actions_from_name,
        estimation_variants,
        gain_table,
        plan_from_actions,
        plan_name,
    )
    from .costs import ModelCost, action_costs, count_costs
    from .front import pareto_front, solve_budgets
    from .ilp import Choice, InfeasibleBudget, Problem, solve

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "Choice",
    "DELETE",
    "InfeasibleBudget",
    "KEEP",
    "ModelCost",
    "Problem",
    "action_costs",
    "action_label",
    "actions_from_name",
    "count_costs",
    "estimation_variants",
    "gain_table",
    "pareto_front",
    "plan_from_actions",
    "plan_name",
    "solve",
    "solve_budgets",
]
