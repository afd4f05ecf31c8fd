"""Parameter counts: unique tensors vs counted once per use in the stack."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from surgery_fixtures import DEPTH, FAMILIES, cached_model, plan_strategy

from frankenmodels.surgery import Plan, apply_plan, count_parameters, find_layer_stack


def layer_size(model) -> int:
    return sum(p.numel() for p in find_layer_stack(model).layers[0].parameters())


@pytest.mark.parametrize("family", FAMILIES)
def test_unaltered_model_counts_the_same_both_ways(family):
    model = cached_model(family)
    unique, effective = count_parameters(model)
    assert unique == effective == sum(p.numel() for p in model.parameters())


@settings(max_examples=20, deadline=None)
@given(plan=plan_strategy(averages=False), family=st.sampled_from(FAMILIES))
def test_counts_for_plain_plans(plan, family):
    model = cached_model(family)
    per_layer = layer_size(model)
    outside = count_parameters(model)[0] - DEPTH * per_layer
    distinct = len({s.index for s in plan.sources})
    assert count_parameters(apply_plan(model, plan)) == (
        outside + distinct * per_layer,
        outside + plan.depth * per_layer,
    )
    copied = apply_plan(model, plan, mode="copy")
    assert count_parameters(copied) == (outside + plan.depth * per_layer,) * 2


def test_duplicate_costs_nothing_shared_and_one_layer_copied():
    model = cached_model("llama")
    base, _ = count_parameters(model)
    per_layer = layer_size(model)
    assert count_parameters(apply_plan(model, Plan.duplicate(DEPTH, 1))) == (base, base + per_layer)
    copied = apply_plan(model, Plan.duplicate(DEPTH, 1), mode="copy")
    assert count_parameters(copied) == (base + per_layer, base + per_layer)


def test_merge_ffn_shares_one_averaged_feed_forward():
    model = cached_model("llama")
    base, _ = count_parameters(model)
    ffn = sum(p.numel() for p in model.model.layers[0].mlp.parameters())
    unique, effective = count_parameters(apply_plan(model, Plan.merge(DEPTH, 0, 3, "ffn")))
    assert effective == base
    assert unique == base - 2 * ffn  # three FFNs replaced by one shared average
