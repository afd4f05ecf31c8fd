"""Solve the program for a list of budgets and keep the plans worth having (the Pareto front)."""

from __future__ import annotations

from collections.abc import Iterable

from .ilp import TIE, Choice, Problem, solve


def solve_budgets(
    problem: Problem,
    budgets: Iterable[float],
    budget_flops: float | None = None,
    max_changed: int | None = None,
) -> list[Choice]:
    """One choice per parameter budget, in the order given."""
    return [solve(problem, b, budget_flops, max_changed) for b in budgets]


def pareto_front(choices: Iterable[Choice]) -> list[Choice]:
    """The choices no other beats on gain without costing more, one per plan, by cost.

    A choice is dominated if another has at least its gain and at most its parameter (and
    FLOPs) cost, better in one; a plan chosen for several budgets appears once, for the
    smallest budget that chose it.
    """
    unique: dict[tuple[int, ...], Choice] = {}
    for c in sorted(choices, key=lambda c: c.budget_params):
        unique.setdefault(c.actions, c)

    def score(c: Choice) -> tuple[float, float, float]:  # all three: lower is better
        return -c.gain, c.params_pct, c.flops_pct or 0.0

    def dominates(a: Choice, b: Choice) -> bool:
        pairs = list(zip(score(a), score(b), strict=True))
        return all(x <= y + TIE for x, y in pairs) and any(x < y - TIE for x, y in pairs)

    front = [c for c in unique.values() if not any(dominates(o, c) for o in unique.values())]
    return sorted(front, key=lambda c: (c.params_pct, c.gain))
