"""Saving a surgically altered model gives a checkpoint that reloads to the same function."""

import json
import tempfile

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from surgery_fixtures import FAMILIES, cached_model, output, plan_strategy
from transformers import AutoModel, AutoModelForCausalLM

from frankenmodels.surgery import Plan, apply_plan, count_parameters, materialize, save_model

IDS = torch.tensor([[5, 17, 3, 42, 8, 11, 30]])


def reload(folder, family):
    cls = AutoModel if family == "bert" else AutoModelForCausalLM
    return cls.from_pretrained(folder).eval()


@settings(max_examples=15, deadline=None)
@given(
    plan=plan_strategy(),
    family=st.sampled_from(FAMILIES),
    mode=st.sampled_from(["shared", "copy"]),
)
def test_saved_folder_reloads_with_the_same_outputs(plan, family, mode):
    new = apply_plan(cached_model(family), plan, mode=mode)
    with tempfile.TemporaryDirectory() as folder:
        save_model(new, folder)
        config = json.loads(open(f"{folder}/config.json").read())
        back = reload(folder, family)
    assert torch.equal(output(back, IDS), output(new, IDS))
    assert back.config.num_hidden_layers == plan.depth
    if "layer_types" in config:
        assert len(config["layer_types"]) == plan.depth
    # A saved model has no shared layers: every position counts once, both ways.
    assert count_parameters(back) == (count_parameters(new)[1],) * 2


def test_gpt2_with_inverse_layer_idx_scaling_survives_save_and_reload(tmp_path):
    model = cached_model("gpt2", scale_attn_by_inverse_layer_idx=True)
    new = apply_plan(model, Plan.custom([0, 1, 1, 3, 2]))
    save_model(new, tmp_path)
    torch.testing.assert_close(output(reload(tmp_path, "gpt2"), IDS), output(new, IDS))


def test_plain_save_pretrained_refuses_a_shared_stack_but_materialize_fixes_it(tmp_path):
    new = apply_plan(cached_model("llama"), Plan.duplicate(4, 2))
    with pytest.raises(RuntimeError):
        new.save_pretrained(tmp_path / "raw")
    plain = materialize(new)
    layers = plain.model.layers
    assert layers[2].mlp.up_proj.weight is not layers[3].mlp.up_proj.weight
    # materialize copies: the model it came from still shares
    assert new.model.layers[2].mlp.up_proj.weight is new.model.layers[3].mlp.up_proj.weight
    plain.save_pretrained(tmp_path / "ok")


def test_tied_embeddings_stay_tied_after_save(tmp_path):
    new = apply_plan(cached_model("gpt2"), Plan.delete(4, [1]))
    save_model(new, tmp_path)
    back = reload(tmp_path, "gpt2")
    assert back.lm_head.weight is back.transformer.wte.weight
