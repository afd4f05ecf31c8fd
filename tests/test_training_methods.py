"""The training methods, after a few real optimiser steps on a tiny BERT: merged LoRA is exactly
W0 + (alpha/r) B A on its targets and nothing else moved but the head; layer_selective moves
only its layers; the trainable count is what received a gradient and, for whole layers, what a
state-dict diff shows changed; healing trains an inserted copy and never its source."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from training_fixtures import killed_after, sentiment_data, tiny_bert

from frankenmodels.importance import layer_signals
from frankenmodels.surgery import Plan, apply_plan
from frankenmodels.training import (
    TrainingSettings,
    copy_sources,
    finetune,
    heal,
    inserted_copies,
    loop,
)

ROOT = Path(__file__).parents[1]
BEFORE_METHODS = "0d6d97d"  # the last commit whose loop knew only full fine-tuning
CPU = torch.device("cpu")
HEAD = "classifier."
LORA = {"r": 4, "alpha": 8, "dropout": 0.1, "target_modules": ["query", "value"]}


@pytest.fixture(scope="module")
def data():
    return sentiment_data()


def _settings(**method) -> TrainingSettings:
    return TrainingSettings(learning_rate=1e-2, epochs=1, batch_size=16, **method)


def _model(data, layers=3):
    return tiny_bert(len(data[1].vocab) + 2, layers)


def _snapshot(model) -> dict[str, torch.Tensor]:
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def _changed(before, model) -> set[str]:
    after = model.state_dict()
    assert set(after) == set(before)  # an ordinary model again: no adapter left behind
    return {name for name in before if not torch.equal(before[name], after[name])}


def _targets(layers, modules=("query", "value")) -> set[str]:
    return {f"bert.encoder.layer.{i}.attention.self.{m}.weight" for i in layers for m in modules}


def _same_weights(a, b) -> None:
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(x, y), name


def _in_layers(name: str, layers) -> bool:
    return any(name.startswith(f"bert.encoder.layer.{i}.") for i in layers)


def _run(data, model, settings, **kwargs):
    train, tokenizer = data
    return finetune(model, tokenizer, train, settings, 3, CPU, **kwargs)


def test_full_is_the_loop_before_methods_bit_for_bit(data, tmp_path):
    """The default method runs the previous loop's code path: the same weights, bit for bit,
    as the loop of the commit before methods existed (read from git)."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE_METHODS}:src/frankenmodels/training/loop.py"],
        capture_output=True,
        text=True,
    )
    if source.returncode != 0:
        pytest.skip("the commit before methods is not in this checkout")
    path = tmp_path / "old_loop.py"
    path.write_text(source.stdout)
    spec = importlib.util.spec_from_file_location("old_loop", path)
    old = importlib.util.module_from_spec(spec)
    sys.modules["old_loop"] = old
    spec.loader.exec_module(old)
    settings = TrainingSettings(learning_rate=1e-3, epochs=2, batch_size=16, weight_decay=0.01)
    assert settings.method == "full"
    reference, new = _model(data), _model(data)
    old.finetune(reference, data[1], data[0], settings, 5, CPU)
    _, summary = finetune(new, data[1], data[0], settings, 5, CPU)
    _same_weights(reference, new)
    assert summary["trainable_percent"] == 100.0 and summary["method"] == "full"


def test_merged_lora_is_w0_plus_scaled_ba_and_nothing_else_moved(data, monkeypatch):
    model = _model(data)
    before = _snapshot(model)
    factors = {}
    original_finish = loop.finish

    def read_factors(trained, model):  # A, B and W0 as training left them, before the merge
        for name, module in trained.named_modules():
            if hasattr(module, "lora_A") and "default" in module.lora_A:
                key = name.removeprefix("base_model.model.") + ".weight"
                weight = module.base_layer.weight
                factors[key] = (
                    weight.detach().clone(),
                    module.lora_B["default"].weight.detach().clone(),
                    module.lora_A["default"].weight.detach().clone(),
                    module.scaling["default"],
                )
        original_finish(trained, model)

    monkeypatch.setattr(loop, "finish", read_factors)
    _, summary = _run(data, model, _settings(method="lora", lora=LORA))
    targets = _targets(range(3))
    assert set(factors) == targets
    for name, (w0, b, a, scaling) in factors.items():
        assert scaling == LORA["alpha"] / LORA["r"]
        assert torch.equal(w0, before[name])  # the base weight itself was frozen
        assert b.abs().sum() > 0  # B starts at zero: the adapter really trained
        expected = w0 + (b @ a) * (LORA["alpha"] / LORA["r"])
        assert torch.equal(model.state_dict()[name], expected), name
    changed = _changed(before, model)
    assert changed == targets | {"classifier.weight", "classifier.bias"}
    expected_count = sum(LORA["r"] * (16 + 16) for _ in targets) + 16 * 2 + 2
    assert summary["trainable_parameters"] == expected_count
    assert all(p.requires_grad for p in model.parameters())  # an ordinary model again
    assert 0 < summary["trainable_percent"] < 100


def _gradient_recorder(model):
    """Per parameter, the entries that got a nonzero gradient at some step."""
    nonzero = {}
    for name, parameter in model.named_parameters():

        def record(grad, name=name):
            seen = nonzero.get(name, torch.zeros_like(grad, dtype=torch.bool))
            nonzero[name] = seen | (grad != 0)

        parameter.register_hook(record)
    return nonzero


def test_whole_layers_change_exactly_what_received_a_gradient(data):
    model = _model(data)
    before = _snapshot(model)
    # Five entries whose gradient is exactly zero at every step, as a dead unit's would be:
    # they receive a gradient (counted as trained) and yet must not move.
    dead = model.bert.encoder.layer[1].intermediate.dense.bias
    dead.register_hook(lambda grad: torch.cat([torch.zeros_like(grad[:5]), grad[5:]]))
    nonzero = _gradient_recorder(model)
    selective = {"mode": "whole", "layers": [1]}
    _, summary = _run(data, model, _settings(method="layer_selective", selective=selective))
    changed = _changed(before, model)
    assert changed and all(_in_layers(n, [1]) or n.startswith(HEAD) for n in changed)
    trained = {n for n, p in model.named_parameters() if _in_layers(n, [1]) or n.startswith(HEAD)}
    assert set(nonzero) == trained  # the frozen parameters got no gradient at all
    assert summary["trained_layers"] == "1"
    assert summary["trainable_parameters"] == sum(before[n].numel() for n in trained)
    # An entry whose gradient was zero at every step gets a zero AdamW update (no weight decay):
    # it stays bit-identical. Every other entry moved: the diff is the gradient's support.
    after = model.state_dict()
    for name in trained:
        assert torch.equal(before[name] != after[name], nonzero[name]), name
    zero = sum(int((~nonzero[n]).sum()) for n in trained)
    assert zero == 5
    moved = sum(int((before[n] != after[n]).sum()) for n in trained)
    assert moved == summary["trainable_parameters"] - zero


def test_lora_on_chosen_layers_only(data):
    model = _model(data)
    before = _snapshot(model)
    selective = {"mode": "lora", "layers": [0, 2]}
    settings = _settings(method="layer_selective", lora=LORA, selective=selective)
    _, summary = _run(data, model, settings)
    targets = _targets((0, 2))
    assert _changed(before, model) == targets | {"classifier.weight", "classifier.bias"}
    assert summary["trainable_parameters"] == len(targets) * LORA["r"] * 32 + 34


def test_count_is_gradients_not_requires_grad(data):
    """A parameter that requires a gradient but is never used is not counted as trained."""
    model = _model(data, layers=2)
    model.unused = torch.nn.Parameter(torch.zeros(7))
    _, summary = _run(data, model, _settings())
    assert summary["trainable_parameters"] == summary["model_parameters"] - 7


def test_top_k_trains_the_layers_with_the_highest_block_influence(data):
    train, tokenizer = data
    model = _model(data)
    scores = layer_signals(model, tokenizer, list(train["text"][:40]), max_length=128)
    best = int(scores["block_influence"].idxmax())
    before = _snapshot(model)
    selective = {"top_k": 1, "score_examples": 40}
    _, summary = _run(data, model, _settings(method="layer_selective", selective=selective))
    assert summary["trained_layers"] == str(best)
    assert all(_in_layers(n, [best]) or n.startswith(HEAD) for n in _changed(before, model))


def test_a_step_budget_crosses_epochs(data):
    _, summary = _run(data, _model(data), _settings(), steps=8)  # 6 steps per epoch
    assert summary["steps"] == 8 and summary["epochs"] == pytest.approx(8 * 16 / 96)


@pytest.mark.parametrize("mode", ["whole", "lora"])
def test_healing_trains_the_copy_and_never_its_source(data, mode):
    train, tokenizer = data
    base = _model(data)
    plan = Plan.duplicate(3, 1)  # 0 1 1 2: position 2 is the inserted copy of layer 1
    assert inserted_copies(plan) == [2] and copy_sources(plan) == [1]
    base_weights = _snapshot(base)
    franken = apply_plan(base, plan, mode="copy")
    start = _snapshot(franken)
    settings = _settings(method="layer_selective", lora=LORA, selective={"mode": mode})
    _, summary = heal(franken, tokenizer, train, settings, 3, CPU, 4, inserted_copies(plan))
    assert summary["steps"] == 4
    changed = _changed(start, franken)
    assert any(_in_layers(n, [2]) for n in changed)
    assert all(_in_layers(n, [2]) or n.startswith(HEAD) for n in changed)
    assert not _changed(base_weights, base)  # the source model is untouched

    # The control: the base model, the same steps and method, on the copy's source layer.
    control = _model(data)
    _, control_summary = heal(control, tokenizer, train, settings, 3, CPU, 4, copy_sources(plan))
    changed = _changed(base_weights, control)
    assert any(_in_layers(n, [1]) for n in changed)
    assert all(_in_layers(n, [1]) or n.startswith(HEAD) for n in changed)
    assert control_summary["trainable_parameters"] == summary["trainable_parameters"]


def test_healing_refuses_shared_weights(data):
    train, tokenizer = data
    franken = apply_plan(_model(data), Plan.duplicate(3, 1))  # shared mode
    with pytest.raises(ValueError, match="mode='copy'"):
        heal(franken, tokenizer, train, _settings(), 3, CPU, 2)


def test_lora_resumes_to_the_same_weights(data, tmp_path, monkeypatch):
    settings = TrainingSettings(
        learning_rate=1e-2, epochs=2, batch_size=16, resume_every_steps=4, method="lora", lora=LORA
    )
    unbroken = _model(data)
    _run(data, unbroken, settings)
    resume = tmp_path / "state.pt"
    with killed_after(monkeypatch, 5):
        _run(data, _model(data), settings, resume_file=resume)
    resumed = _model(data)
    _run(data, resumed, settings, resume_file=resume)
    _same_weights(unbroken, resumed)
