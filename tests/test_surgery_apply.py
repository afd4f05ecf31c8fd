"""Executing plans on tiny random models of every supported family."""

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from surgery_fixtures import (
    DECODERS,
    DEPTH,
    FAMILIES,
    VOCAB,
    cached_model,
    greedy_cached,
    greedy_no_cache,
    output,
    plan_strategy,
    tiny_model,
)
from torch import nn

from frankenmodels.surgery import (
    LayerSource,
    Plan,
    PlanError,
    UnsupportedModelError,
    apply_plan,
    find_layer_stack,
)

IDS = torch.tensor([[5, 17, 3, 42, 8, 11, 30]])


def cached_step_logits(model, ids: torch.Tensor) -> torch.Tensor:
    """Last-token logits computed by prefill + one cached step."""
    with torch.no_grad():
        prefill = model(input_ids=ids[:, :-1], use_cache=True)
        step = model(input_ids=ids[:, -1:], past_key_values=prefill.past_key_values, use_cache=True)
    return step.logits[:, -1]


def layer_indices(model) -> list[list[int]]:
    layers = find_layer_stack(model).layers
    return [[m.layer_idx for m in layer.modules() if hasattr(m, "layer_idx")] for layer in layers]


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@pytest.mark.parametrize("family", FAMILIES)
def test_identity_plan_is_bit_identical(family, attn):
    model = cached_model(family, attn)
    new = apply_plan(model, Plan.identity(DEPTH))
    assert torch.equal(output(new, IDS), output(model, IDS))


@pytest.mark.parametrize("mode", ["shared", "copy"])
@pytest.mark.parametrize("family", FAMILIES)
def test_original_model_is_left_unchanged(family, mode):
    model = cached_model(family)
    before = output(model, IDS)
    params = [p.clone() for p in model.parameters()]
    depth_key = find_layer_stack(model).depth_key
    new = apply_plan(model, Plan.custom([3, 1, 1, 0]), mode=mode)
    new = apply_plan(new, Plan.merge(4, 0, 2, "block"), mode=mode)
    output(new, IDS)
    assert torch.equal(output(model, IDS), before)
    assert all(torch.equal(a, b) for a, b in zip(params, model.parameters(), strict=True))
    assert getattr(model.config, depth_key) == DEPTH
    assert layer_indices(model) == layer_indices(cached_model(family))


@pytest.mark.parametrize("family", FAMILIES)
def test_config_depth_and_layer_idx_follow_the_plan(family):
    plan = Plan.custom([2, 0, 0, 3, 1])
    new = apply_plan(cached_model(family), plan)
    stack = find_layer_stack(new)
    assert len(stack) == 5 and getattr(new.config, stack.depth_key) == 5
    assert new.config.num_hidden_layers == 5  # GPT-2 aliases this name to n_layer
    assert all(set(ids) == {position} for position, ids in enumerate(layer_indices(new)))
    # Shared mode: one set of weights, separate wrappers per position.
    assert stack.layers[1] is not stack.layers[2]
    assert all(
        a is b
        for a, b in zip(stack.layers[1].parameters(), stack.layers[2].parameters(), strict=True)
    )


def test_qwen2_per_layer_config_is_rebuilt_position_by_position():
    model = cached_model("qwen2")
    assert model.config.layer_types == ["full_attention"] * 2 + ["sliding_attention"] * 2
    new = apply_plan(model, Plan.custom([0, 3, 1, 1, 2]))
    assert new.config.layer_types == [
        "full_attention",
        "sliding_attention",
        "full_attention",
        "full_attention",
        "sliding_attention",
    ]
    assert new.config.max_window_layers == 1  # leading run of full-attention positions
    sliding = [layer.self_attn.sliding_window for layer in new.model.layers]
    assert sliding == [None, 3, None, None, 3]
    assert apply_plan(model, Plan.duplicate(4, 0)).config.max_window_layers == 3


@settings(max_examples=15, deadline=None)
@given(
    plan=plan_strategy(), family=st.sampled_from(DECODERS), attn=st.sampled_from(["sdpa", "eager"])
)
def test_kv_cache_matches_full_forward(plan, family, attn):
    new = apply_plan(cached_model(family, attn), plan)
    full = output(new, IDS)[:, -1]
    torch.testing.assert_close(cached_step_logits(new, IDS), full, rtol=1e-4, atol=1e-5)
    prompt = IDS[:, :4]
    assert torch.equal(greedy_cached(new, prompt, 3), greedy_no_cache(new, prompt, 3))


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@pytest.mark.parametrize("family", DECODERS)
def test_stale_layer_idx_would_break_the_cache(family, attn):
    """The trap the renumbering avoids: a reused module keeps its old cache slot."""
    naive = copy.deepcopy(cached_model(family, attn))
    stack = find_layer_stack(naive)
    layers = list(stack.layers)
    layers.insert(2, layers[1])  # layer 1 twice, both claiming layer_idx 1
    setattr(stack.parent, stack.attribute, nn.ModuleList(layers))
    setattr(naive.config, stack.depth_key, len(layers))
    if getattr(naive.config, "layer_types", None):
        naive.config.layer_types.insert(2, naive.config.layer_types[1])
    full = output(naive, IDS)[:, -1]
    try:
        wrong = not torch.allclose(cached_step_logits(naive, IDS), full, atol=1e-5)
    except (RuntimeError, IndexError, ValueError):
        wrong = True
    assert wrong
    fixed = apply_plan(cached_model(family, attn), Plan.duplicate(DEPTH, 1))
    torch.testing.assert_close(fixed(IDS, use_cache=False).logits[:, -1], full)
    torch.testing.assert_close(cached_step_logits(fixed, IDS), full, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("family", FAMILIES)
def test_merge_ffn_averages_feed_forward_only(family):
    model = cached_model(family)
    base = find_layer_stack(model)
    new = apply_plan(model, Plan.merge(DEPTH, 1, 2, scope="ffn"))
    layers = find_layer_stack(new).layers
    ffn = base.ffn_modules
    for position in (1, 2):
        for name, param in layers[position].named_parameters():
            sources = [dict(base.layers[i].named_parameters())[name] for i in (1, 2)]
            if name.split(".")[0] in ffn:
                torch.testing.assert_close(param, (sources[0] + sources[1]) / 2)
            else:  # attention and norms stay those of the layer at this position
                assert param is dict(base.layers[position].named_parameters())[name]
    # "the average in each of the n places": both positions share one averaged tensor
    first, second = (dict(layers[p].named_parameters()) for p in (1, 2))
    shared = [n for n in first if n.split(".")[0] in ffn]
    assert shared and all(first[n] is second[n] for n in shared)


@pytest.mark.parametrize("family", FAMILIES)
def test_compress_block_replaces_group_by_one_average(family):
    model = cached_model(family)
    base = find_layer_stack(model)
    new = apply_plan(model, Plan.compress(DEPTH, 1, 3, scope="block"))
    layers = find_layer_stack(new).layers
    assert len(layers) == 2
    groups = [dict(base.layers[i].named_parameters()) for i in (1, 2, 3)]
    for name, param in layers[1].named_parameters():
        torch.testing.assert_close(param, sum(g[name] for g in groups) / 3)
    assert output(new, IDS).shape[-1] == output(model, IDS).shape[-1]


def test_merge_in_copy_mode_gives_independent_tensors():
    new = apply_plan(cached_model("llama"), Plan.merge(DEPTH, 0, 2, "ffn"), mode="copy")
    a, b = new.model.layers[0].mlp.up_proj.weight, new.model.layers[1].mlp.up_proj.weight
    assert a is not b and torch.equal(a, b)


def test_copy_mode_weights_are_independent_and_shared_mode_weights_are_not():
    model = tiny_model("llama")
    before = output(model, IDS)
    copied = apply_plan(model, Plan.duplicate(DEPTH, 0), mode="copy")
    with torch.no_grad():
        for p in copied.parameters():
            p.add_(1.0)
    assert torch.equal(output(model, IDS), before)
    shared = apply_plan(model, Plan.duplicate(DEPTH, 0), mode="shared")
    assert (
        shared.model.layers[0].self_attn.q_proj.weight
        is model.model.layers[0].self_attn.q_proj.weight
    )
    assert shared.lm_head.weight is model.lm_head.weight


def test_gpt2_inverse_layer_idx_scaling_follows_the_new_position():
    model = cached_model("gpt2", scale_attn_by_inverse_layer_idx=True)
    new = apply_plan(model, Plan.custom([3, 0, 0]))
    head_dim = model.transformer.h[0].attn.head_dim
    for position, block in enumerate(new.transformer.h):
        assert block.attn.scaling == pytest.approx(head_dim**-0.5 / (position + 1))
    # Position 0 now runs layer 3's weights with layer 0's scaling, so it differs from a model
    # whose index does not enter the maths.
    plain = apply_plan(cached_model("gpt2"), Plan.identity(DEPTH))
    assert not torch.allclose(output(new, IDS), output(plain, IDS))


# ----- cross-model stacks ----------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
def test_cross_model_stack_takes_each_layer_from_its_model(family):
    base, donor = cached_model(family), tiny_model(family, seed=1)
    plan = Plan.splice([("donor", 0, 2), ("base", 2, 4)])
    new = apply_plan(base, plan, donor=donor)
    layers = find_layer_stack(new).layers
    donor_layers, base_layers = find_layer_stack(donor).layers, find_layer_stack(base).layers
    assert all(
        a is b for a, b in zip(layers[0].parameters(), donor_layers[0].parameters(), strict=True)
    )
    assert all(
        a is b for a, b in zip(layers[3].parameters(), base_layers[3].parameters(), strict=True)
    )
    assert all(set(ids) == {p} for p, ids in enumerate(layer_indices(new)))
    assert not torch.allclose(output(new, IDS), output(base, IDS))
    if family != "bert":
        assert torch.equal(greedy_cached(new, IDS[:, :4], 3), greedy_no_cache(new, IDS[:, :4], 3))


def test_donor_of_another_architecture_is_refused():
    plan = Plan.splice([("donor", 0, 1), ("base", 1, 4)])
    with pytest.raises(PlanError, match="donor architecture GPT2LMHeadModel differs"):
        apply_plan(cached_model("llama"), plan, donor=cached_model("gpt2"))
    wider = tiny_model("llama", intermediate_size=64)
    with pytest.raises(PlanError, match="donor layers differ"):
        apply_plan(cached_model("llama"), plan, donor=wider)
    with pytest.raises(PlanError, match="no donor"):
        apply_plan(cached_model("llama"), plan)


# ----- invalid plans fail before anything is built ------------------------------------------
def test_invalid_plans_raise_before_changing_anything():
    model = cached_model("llama")
    before = output(model, IDS)
    with pytest.raises(PlanError, match="index 4 out of range"):
        apply_plan(model, Plan.custom([0, 4]))
    with pytest.raises(PlanError, match="mode"):
        apply_plan(model, Plan.identity(DEPTH), mode="borrow")
    odd = copy.deepcopy(model)
    odd.model.layers[2].mlp.up_proj = nn.Linear(32, 40, bias=False)
    with pytest.raises(PlanError, match="cannot average 'mlp.up_proj.weight'"):
        apply_plan(odd, Plan.merge(DEPTH, 1, 2, "ffn"))
    with pytest.raises(PlanError, match="cannot average"):
        apply_plan(odd, Plan((LayerSource(0, average=(0, 2)),)))
    assert torch.equal(output(model, IDS), before)


def test_unsupported_model_names_what_was_looked_for():
    with pytest.raises(UnsupportedModelError, match="model.layers.*transformer.h.*encoder.layer"):
        apply_plan(nn.Sequential(nn.Embedding(VOCAB, 8), nn.Linear(8, 8)), Plan.identity(1))


def test_layer_stack_locations():
    assert find_layer_stack(cached_model("llama")).path == "model.layers"
    assert find_layer_stack(cached_model("gpt2")).path == "transformer.h"
    gpt2 = find_layer_stack(cached_model("gpt2"))
    assert gpt2.depth_key == "n_layer" and gpt2.family == "gpt2"
    assert find_layer_stack(cached_model("bert")).path == "encoder.layer"
    assert find_layer_stack(cached_model("llama").model).path == "layers"
