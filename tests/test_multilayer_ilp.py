"""The integer program against brute force, and the plans and names it produces."""

import itertools
import json
import random

import pytest
from transformers import BertConfig

from frankenmodels.multilayer import (
    Choice,
    InfeasibleBudget,
    Problem,
    action_costs,
    count_costs,
    gain_table,
    pareto_front,
    plan_from_actions,
    plan_name,
    solve,
    solve_budgets,
)
from frankenmodels.multilayer.ilp import TIE
from frankenmodels.surgery import PlanError
from frankenmodels.surgery.sweeps import NAME

SLACK = 1e-9


def brute_force(problem, budget_params, budget_flops=None, max_changed=None):
    """Every feasible action tuple, best first by (gain, fewest changed, params, flops)."""
    per_layer = [
        [0] + sorted(a for j, a in problem.gains if j == i) for i in range(problem.num_layers)
    ]
    feasible = []
    for actions in itertools.product(*per_layer):
        changed = sum(a != 0 for a in actions)
        params = problem.value(problem.params, actions)
        flops = problem.value(problem.flops, actions) if problem.flops else 0.0
        if (
            all(a == -1 for a in actions)
            or params > budget_params + SLACK
            or (budget_flops is not None and flops > budget_flops + SLACK)
            or (max_changed is not None and changed > max_changed)
        ):
            continue
        feasible.append((problem.value(problem.gains, actions), changed, params, flops, actions))
    return feasible


def lexicographic_best(feasible):
    """The tie rule spelled out: best gain, then fewest changed, then params, then flops."""
    best = max(f[0] for f in feasible)
    pool = [f for f in feasible if f[0] >= best - TIE]
    for position in (1, 2, 3):
        low = min(f[position] for f in pool)
        pool = [f for f in pool if f[position] <= low + TIE]
    return pool


def random_problem(rng: random.Random):
    layers, copies = rng.randint(3, 5), rng.randint(1, 2)
    gains, params, flops = {}, {}, {}
    for i in range(layers):
        actions = ([-1] if rng.random() < 0.8 else []) + list(range(1, copies + 1))
        for a in actions:
            # Gains on a coarse grid, so that ties happen; costs unequal across layers.
            gains[(i, a)] = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]) * (abs(a) ** 0.5)
            params[(i, a)] = a * rng.uniform(0.5, 3.0)
            flops[(i, a)] = a * rng.uniform(0.5, 3.0)
    budget_flops = rng.choice([None, rng.uniform(-3.0, 4.0)])
    max_changed = rng.choice([None, rng.randint(1, layers)])
    return Problem(layers, gains, params, flops), rng.uniform(-4.0, 6.0), budget_flops, max_changed


@pytest.mark.parametrize("seed", range(60))
def test_optimum_equals_brute_force(seed):
    problem, budget, budget_flops, max_changed = random_problem(random.Random(seed))
    feasible = brute_force(problem, budget, budget_flops, max_changed)
    if not feasible:
        with pytest.raises(InfeasibleBudget, match="is infeasible"):
            solve(problem, budget, budget_flops, max_changed)
        return
    choice = solve(problem, budget, budget_flops, max_changed)
    assert choice.status == "Optimal"
    assert choice.gain == pytest.approx(max(f[0] for f in feasible), abs=1e-6)
    assert choice.params_pct <= budget + SLACK
    best = lexicographic_best(feasible)
    assert choice.changed == best[0][1]
    assert choice.params_pct == pytest.approx(best[0][2], abs=1e-6)
    assert choice.flops_pct == pytest.approx(best[0][3], abs=1e-6)
    assert choice.actions in [f[4] for f in best]


def greedy(problem, budget, key):
    """Take single extra copies in order of `key` while they fit the budget."""
    total, spent = 0.0, 0.0
    for i, a in sorted(problem.gains, key=lambda k: -key(k)):
        if spent + problem.params[(i, a)] <= budget:
            total, spent = total + problem.gains[(i, a)], spent + problem.params[(i, a)]
    return total


def test_unequal_costs_beat_greedy_by_gain_and_by_ratio():
    # A knapsack in disguise: the best single layer crowds out two that together gain more.
    gains = {(0, 1): 7.0, (1, 1): 5.0, (2, 1): 5.0}
    costs = {(0, 1): 6.0, (1, 1): 5.0, (2, 1): 5.0}
    problem = Problem(3, gains, costs)
    by_gain = greedy(problem, 10.0, lambda k: gains[k])
    by_ratio = greedy(problem, 10.0, lambda k: gains[k] / costs[k])
    choice = solve(problem, 10.0)
    assert (by_gain, by_ratio) == (7.0, 7.0)
    assert choice.gain == 10.0 > max(by_gain, by_ratio)
    assert choice.actions == (0, 1, 1)


def bert_problem(gains):
    cost = count_costs(BertConfig(num_hidden_layers=4), seq_len=128)
    params, flops = action_costs(cost, max_copies=2)
    return cost, Problem(4, gains, params, flops)


def test_a_delete_pays_for_a_duplicate_at_zero_budget():
    gains = gain_table(delete={0: -2.0, 2: -0.1, 3: -1.0}, duplicate={1: 1.0, 3: 0.2})
    cost, problem = bert_problem(gains)
    choice = solve(problem, 0.0)
    assert choice.actions == (0, 1, -1, 0)
    assert choice.gain == pytest.approx(0.9)
    assert choice.params_pct == pytest.approx(0.0, abs=1e-12)
    assert choice.plan.layers_string() == "0 1 1 3"
    # One layer's worth more buys the second duplicate as well.
    assert solve(problem, cost.layers_worth(1)).actions == (0, 1, -1, 1)


def test_ties_prefer_fewer_changed_layers_then_lower_cost():
    gains = {(0, 1): 2.0, (1, 1): 1.0, (2, 1): 1.0, (3, 1): 2.0}
    costs = {(0, 1): 2.0, (1, 1): 1.0, (2, 1): 1.0, (3, 1): 1.5}
    problem = Problem(4, gains, costs)
    # {0}, {3} and {1, 2} all gain 2 within a budget of 2: one layer, and the cheaper one.
    assert solve(problem, 2.0).actions == (0, 0, 0, 1)


def test_exact_ties_come_out_the_same_every_solve():
    gains = gain_table(delete={}, duplicate={i: 1.0 for i in range(4)}, max_copies=2)
    cost, problem = bert_problem(gains)
    answers = {solve(problem, cost.layers_worth(2)).actions for _ in range(5)}
    assert len(answers) == 1
    assert sum(next(iter(answers))) == 2


def test_budget_below_deleting_every_allowed_layer_names_the_smallest_cost():
    cost, problem = bert_problem(gain_table(delete={1: 0.1, 2: 0.1}, duplicate={0: 1.0}))
    lowest = 2 * cost.layers_worth(-1)
    with pytest.raises(InfeasibleBudget) as err:
        solve(problem, -30.0)
    assert "budget_params=-30%" in str(err.value)
    assert f"{lowest:+.4g}%" in str(err.value)
    with pytest.raises(InfeasibleBudget, match=r"budget_params=-1%.*\+0%"):
        solve(Problem(3, {(0, 1): 1.0}, {(0, 1): 1.0}), -1.0)  # nothing can be deleted


def test_infeasible_flops_budget_and_max_changed_are_named():
    cost, problem = bert_problem(gain_table(delete={1: 0.1, 2: 0.1}, duplicate={0: 1.0}))
    with pytest.raises(InfeasibleBudget, match=r"budget_flops=-90%.*FLOPs per token"):
        solve(problem, 0.0, budget_flops=-90.0)
    with pytest.raises(InfeasibleBudget, match="at most 1 changed layers"):
        solve(problem, 2 * cost.layers_worth(-1), max_changed=1)


def test_max_changed_layers_caps_the_plan():
    gains = gain_table(delete={}, duplicate={0: 1.0, 1: 3.0, 2: 2.0, 3: 0.5})
    cost, problem = bert_problem(gains)
    choice = solve(problem, cost.layers_worth(4), max_changed=2)
    assert choice.actions == (0, 1, 1, 0)
    assert choice.changed == 2


def test_gain_table_falls_back_to_n_times_one_copy():
    table = gain_table(
        delete={0: -1.0}, duplicate={0: 0.5, 1: 0.25}, max_copies=3, repeat={(0, 2): 0.7}
    )
    assert table == {
        (0, -1): -1.0,
        (0, 1): 0.5,
        (0, 2): 0.7,
        (0, 3): 1.5,
        (1, 1): 0.25,
        (1, 2): 0.5,
        (1, 3): 0.75,
    }


def test_plan_sequence_and_name():
    actions = (0, -1, 2, 1)
    plan = plan_from_actions(actions)
    assert plan.layers_string() == "0 2 2 2 3 3"
    assert plan_name(actions) == "ilp_del1_rep2x3_dup3"
    assert plan_name((0, 0, 0)) == "ilp_none"
    assert plan_from_actions((0, 0)).is_identity(2)
    assert NAME.match(plan_name(actions))
    with pytest.raises(PlanError, match="empty"):
        plan_from_actions((-1, -1))


def test_choice_records_what_the_workflow_needs():
    cost, problem = bert_problem(gain_table(delete={2: -0.1}, duplicate={1: 1.0}))
    data = json.loads(json.dumps(solve(problem, 0.0).to_dict()))
    assert data["name"] == "ilp_dup1_del2"
    assert data["layers"] == [0, 1, 1, 3]
    assert data["actions"] == {"1": "insert 1", "2": "delete"}
    assert data["status"] == "Optimal" and data["solve_seconds"] > 0


def test_pareto_front_drops_repeats_and_dominated_plans():
    cost, problem = bert_problem(gain_table(delete={2: -0.1, 3: -5.0}, duplicate={1: 1.0}))
    budgets = [cost.layers_worth(n) for n in (-1, 0, 1, 2)]
    choices = solve_budgets(problem, budgets)
    front = pareto_front(choices)
    # Budgets 1 and 2 choose the same plan (only one duplicate has a gain): it appears once.
    assert [c.actions for c in front] == [(0, 0, -1, 0), (0, 1, -1, 0), (0, 1, 0, 0)]
    assert [c.budget_params for c in front] == budgets[:3]
    worse = Choice((0, 0, 0, 1), 0.5, 30.0, 30.0, 40.0, None, "Optimal", 0.0)
    assert worse not in pareto_front([*choices, worse])
