"""Counted costs against real models: parameters by numel, FLOPs by torch's FLOP counter."""

import pytest
import torch
from surgery_fixtures import DECODERS, tiny_model
from torch.utils.flop_counter import FlopCounterMode
from transformers import BertConfig, BertForSequenceClassification, DistilBertConfig

from frankenmodels.multilayer import action_costs, count_costs, plan_from_actions
from frankenmodels.surgery import apply_plan, count_parameters, find_layer_stack

SEQ = 16


def tiny_classifier(layers: int = 3) -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_attention_heads=4,
        intermediate_size=48,
        num_hidden_layers=layers,
        max_position_embeddings=64,
        num_labels=3,
        attn_implementation="eager",
    )
    return BertForSequenceClassification(config).eval()


def numel(module: torch.nn.Module, matrices_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.ndim == 2 or not matrices_only)


def test_bert_classifier_parameters_match_the_model():
    model = tiny_classifier()
    cost = count_costs(model.config, SEQ)
    assert cost.layer_params == numel(model.bert.encoder.layer[0])
    assert cost.params == numel(model)
    assert cost.num_layers == 3


def test_bert_base_has_its_published_size():
    assert count_costs(BertConfig(), 128).params == 109_483_778  # bert-base-uncased, 2 labels


@pytest.mark.parametrize("family", [*DECODERS, "gpt2_untied"])
def test_decoder_parameters_match_the_model(family):
    extra = {"tie_word_embeddings": False} if family == "gpt2_untied" else {}
    model = tiny_model(family.removesuffix("_untied"), **extra)
    cost = count_costs(model.config, SEQ)
    layer = find_layer_stack(model).layers[0]
    assert cost.layer_params == numel(layer)
    assert cost.params == count_parameters(model)[0]  # tied weights count once
    # The matmul term: two FLOPs per weight of the layer's matrices.
    attention = 4 * SEQ * model.config.hidden_size
    assert cost.layer_flops == 2 * numel(layer, matrices_only=True) + attention


def test_bert_layer_flops_match_torchs_flop_counter():
    model = tiny_classifier()
    cost = count_costs(model.config, SEQ)
    hidden = torch.randn(1, SEQ, model.config.hidden_size)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.bert.encoder.layer[0](hidden)
    assert counter.get_total_flops() == SEQ * cost.layer_flops


def test_bert_model_flops_are_layers_plus_classifier_head():
    model = tiny_classifier()
    cost = count_costs(model.config, SEQ)
    ids = torch.randint(0, 64, (1, SEQ))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(ids)
    assert counter.get_total_flops() == pytest.approx(SEQ * cost.flops)


def test_action_costs_predict_the_effective_parameters_of_the_plan():
    model = tiny_classifier(layers=4)
    cost = count_costs(model.config, SEQ)
    params, flops = action_costs(cost, max_copies=2)
    actions = (0, -1, 2, 1)
    predicted = sum(params[(i, a)] for i, a in enumerate(actions) if a)
    new = apply_plan(model, plan_from_actions(actions))
    measured = 100 * (count_parameters(new)[1] / cost.params - 1)
    assert measured == pytest.approx(predicted)
    assert flops[(1, -1)] == pytest.approx(-100 * cost.layer_flops / cost.flops)
    assert cost.layers_worth(-2) == pytest.approx(2 * params[(0, -1)])


def test_unknown_architecture_is_named():
    with pytest.raises(ValueError, match="distilbert"):
        count_costs(DistilBertConfig(), SEQ)
