"""Choose one action per layer with an integer program (pulp's bundled CBC).

Binary ``x[i, a]`` says layer ``i`` takes action ``a`` (see :mod:`.actions`); exactly one per
layer, at least one layer left. Maximise the summed predicted gains subject to the net %
change of effective parameters <= ``budget_params``, optionally of FLOPs per token <=
``budget_flops``, and optionally at most ``max_changed`` layers not kept.

Ties are broken lexicographically by further solves, not by a small weight in one objective
(which would trade a little gain for a little cost and needs a scale): among plans within
``TIE`` of the best gain, the fewest changed layers; among those, the lowest parameter cost,
then the lowest FLOPs cost. CBC is deterministic for the same program, so what is still tied
after that (e.g. two equal layers) comes out the same on every solve.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

import pulp

from frankenmodels.surgery import Plan

from .actions import DELETE, KEEP, Table, action_label, plan_from_actions, plan_name

TIE = 1e-7  # gains and costs closer than this are equal (CBC's own tolerances are ~1e-7)
_EPS = 1e-9  # budget slack, so that a delete exactly paying for a duplicate fits a zero budget


# CBC 2.10.3 (the one pulp bundles) returned a worse plan as "Optimal" on one of the brute-force
# test cases when its preprocessing substituted a variable away (a known class of bug:
# coin-or/Cbc#283, #720); these programs are tiny, so preprocessing is not worth the risk.
_SOLVER = pulp.PULP_CBC_CMD(msg=False, gapRel=0, options=["preprocess off"])


class InfeasibleBudget(ValueError):
    """No choice of actions meets the budgets; the message names the smallest achievable."""


@dataclass(frozen=True)
class Problem:
    """The program's data. Each table maps ``(layer, action)`` to a value; an action missing
    from ``gains`` is not allowed for that layer (keep always is, at zero gain and cost).
    ``params`` and ``flops`` give every allowed action's % change of effective parameters and
    of FLOPs per token (see :func:`.costs.action_costs`); ``flops`` may be omitted when no
    FLOPs budget is used."""

    num_layers: int
    gains: Table
    params: Table
    flops: Table | None = None

    def __post_init__(self) -> None:
        if self.num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {self.num_layers}")
        for i, a in self.gains:
            if not 0 <= i < self.num_layers or a < DELETE or a == KEEP:
                raise ValueError(f"gain table: bad key {(i, a)} for {self.num_layers} layers")
            for name, table in (("params", self.params), ("flops", self.flops)):
                if table is not None and (i, a) not in table:
                    raise ValueError(f"{name} table has no cost for layer {i} {action_label(a)}")

    def choices(self) -> list[tuple[int, int]]:
        """Every allowed ``(layer, action)``, keep included, in a fixed order."""
        return sorted({(i, KEEP) for i in range(self.num_layers)} | set(self.gains))

    def value(self, table: Table | None, actions: Iterable[int]) -> float:
        return sum(0.0 if a == KEEP else table[(i, a)] for i, a in enumerate(actions))


@dataclass(frozen=True)
class Choice:
    """The program's answer: one action per layer and what it is predicted to give."""

    actions: tuple[int, ...]
    gain: float
    params_pct: float
    flops_pct: float | None
    budget_params: float
    budget_flops: float | None
    status: str
    solve_seconds: float = field(compare=False)

    @property
    def changed(self) -> int:
        return sum(a != KEEP for a in self.actions)

    @property
    def name(self) -> str:
        return plan_name(self.actions)

    @property
    def plan(self) -> Plan:
        return plan_from_actions(self.actions)

    def to_dict(self) -> dict:
        """Plain data for a JSON file: the plan as its layer list."""
        return {
            "name": self.name,
            "actions": {str(i): action_label(a) for i, a in enumerate(self.actions) if a},
            "layers": self.plan.to_dict()["layers"],
            "gain": self.gain,
            "params_pct": self.params_pct,
            "flops_pct": self.flops_pct,
            "budget_params": self.budget_params,
            "budget_flops": self.budget_flops,
            "status": self.status,
            "solve_seconds": self.solve_seconds,
        }


_CHANGED = "changed"  # a criterion: the number of layers not kept
Criterion = Table | str


class _Program:
    """One pulp problem with its structural constraints; objectives and bounds are added."""

    def __init__(self, problem: Problem, max_changed: int | None) -> None:
        self.problem = problem
        self.lp = pulp.LpProblem("multilayer", pulp.LpMaximize)
        # The name shifts the action by one: pulp names may not hold a minus sign.
        self.x = {
            (i, a): self.lp.add_variable(f"x_{i}_{a + 1}", cat="Binary")
            for i, a in problem.choices()
        }
        for i in range(problem.num_layers):
            self.lp += pulp.lpSum(v for (j, _), v in self.x.items() if j == i) == 1, f"one_{i}"
        deletes = [v for (_, a), v in self.x.items() if a == DELETE]
        if deletes:  # an empty stack is no model
            self.lp += pulp.lpSum(deletes) <= problem.num_layers - 1, "keep_one"
        if max_changed is not None:
            self.lp += self.expr(_CHANGED) <= max_changed, "max_changed"

    def expr(self, criterion: Criterion) -> pulp.LpAffineExpression:
        return pulp.lpSum(
            (1.0 if criterion == _CHANGED else criterion[(i, a)]) * v
            for (i, a), v in self.x.items()
            if a != KEEP
        )

    def value(self, criterion: Criterion, actions: tuple[int, ...]) -> float:
        if criterion == _CHANGED:
            return float(sum(a != KEEP for a in actions))
        return self.problem.value(criterion, actions)

    def optimise(self, criterion: Criterion, sense: int) -> tuple[str, tuple[int, ...]]:
        self.lp.sense = sense
        self.lp.setObjective(self.expr(criterion))
        self.lp.solve(_SOLVER)
        status = pulp.LpStatus[self.lp.status]
        if status != "Optimal":
            return status, ()
        chosen = dict(k for k, v in self.x.items() if v.varValue > 0.5)
        return status, tuple(chosen[i] for i in range(self.problem.num_layers))

    def hold(self, criterion: Criterion, sense: int, actions: tuple[int, ...]) -> None:
        """Keep later solves within TIE of this criterion's optimum."""
        best, expr = self.value(criterion, actions), self.expr(criterion)
        self.lp += (expr >= best - TIE) if sense == pulp.LpMaximize else (expr <= best + TIE)


def solve(
    problem: Problem,
    budget_params: float,
    budget_flops: float | None = None,
    max_changed: int | None = None,
) -> Choice:
    """The best actions within the budgets (in % of the base model); raises InfeasibleBudget."""
    if budget_flops is not None and problem.flops is None:
        raise ValueError("a FLOPs budget needs the problem's flops table")
    start = time.perf_counter()
    prog = _Program(problem, max_changed)
    prog.lp += prog.expr(problem.params) <= budget_params + _EPS, "budget_params"
    if budget_flops is not None:
        prog.lp += prog.expr(problem.flops) <= budget_flops + _EPS, "budget_flops"
    criteria = [(problem.gains, pulp.LpMaximize), (_CHANGED, pulp.LpMinimize)]
    criteria += [(problem.params, pulp.LpMinimize)]
    criteria += [(problem.flops, pulp.LpMinimize)] if problem.flops is not None else []
    status, actions = prog.optimise(*criteria[0])
    if status != "Optimal":
        raise _infeasible(problem, budget_params, budget_flops, max_changed, status)
    for previous, current in pairwise(criteria):
        prog.hold(*previous, actions)
        status, actions = prog.optimise(*current)
        if status != "Optimal":  # the previous answer is feasible: only a solver fault gets here
            raise RuntimeError(f"CBC returned {status} while breaking ties")
    return Choice(
        actions=actions,
        gain=problem.value(problem.gains, actions),
        params_pct=problem.value(problem.params, actions),
        flops_pct=None if problem.flops is None else problem.value(problem.flops, actions),
        budget_params=budget_params,
        budget_flops=budget_flops,
        status=status,
        solve_seconds=time.perf_counter() - start,
    )


def _minimum(problem: Problem, table: Table, max_changed: int | None, **budget) -> float | None:
    """The smallest achievable total of ``table``, or None if even that is infeasible."""
    prog = _Program(problem, max_changed)
    if budget.get("flops") is not None:
        prog.lp += prog.expr(problem.flops) <= budget["flops"] + _EPS, "budget_flops"
    status, actions = prog.optimise(table, pulp.LpMinimize)
    return problem.value(table, actions) if status == "Optimal" else None


def _infeasible(
    problem: Problem,
    budget_params: float,
    budget_flops: float | None,
    max_changed: int | None,
    status: str,
) -> InfeasibleBudget:
    limit = "" if max_changed is None else f" with at most {max_changed} changed layers"
    if budget_flops is not None:
        lowest = _minimum(problem, problem.flops, max_changed)
        if lowest is not None and budget_flops < lowest - _EPS:
            return InfeasibleBudget(
                f"budget_flops={budget_flops:g}% is infeasible: the smallest achievable change "
                f"of FLOPs per token is {lowest:+.4g}%{limit}"
            )
        limit += f" and FLOPs within {budget_flops:g}%"
    lowest = _minimum(problem, problem.params, max_changed, flops=budget_flops)
    achievable = "none" if lowest is None else f"{lowest:+.4g}%"
    return InfeasibleBudget(
        f"budget_params={budget_params:g}% is infeasible (CBC: {status}): the smallest "
        f"achievable change of effective parameters is {achievable}{limit}"
    )
