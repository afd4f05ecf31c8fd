"""Fine-tuning is deterministic per seed, and a resumed run ends where an unbroken one does."""

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import torch
from training_fixtures import killed_after, sentiment_data, tiny_bert

from frankenmodels.training import TrainingSettings, epoch_order, finetune


@pytest.fixture(scope="module")
def data():
    return sentiment_data()


def _train(data, seed, resume=None, settings=None):
    train, tokenizer = data
    model = tiny_bert(len(tokenizer.vocab) + 2)
    settings = settings or TrainingSettings(learning_rate=1e-3, epochs=2, batch_size=16)
    history, summary = finetune(
        model, tokenizer, train, settings, seed, torch.device("cpu"), resume
    )
    return model, history, summary


def _same_weights(a, b):
    return all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


def test_same_seed_same_weights_and_losses(data):
    first, history_1, summary = _train(data, seed=5)
    second, history_2, _ = _train(data, seed=5)
    assert _same_weights(first, second)
    pd.testing.assert_series_equal(history_1["loss"], history_2["loss"])
    assert summary["steps"] == 12 and summary["train_examples"] == 96


def test_other_seed_other_weights(data):
    assert not _same_weights(_train(data, seed=5)[0], _train(data, seed=6)[0])


def test_cpu_bf16_is_deterministic_too(data):
    settings = TrainingSettings(learning_rate=1e-3, epochs=1, batch_size=16, cpu_bf16=True)
    first, history, _ = _train(data, seed=5, settings=settings)
    assert _same_weights(first, _train(data, seed=5, settings=settings)[0])
    assert history["loss"].notna().all()


@pytest.mark.parametrize("group_by_length", [True, False])
def test_resume_matches_an_unbroken_run(data, tmp_path, monkeypatch, group_by_length):
    settings = TrainingSettings(
        learning_rate=1e-3,
        epochs=2,
        batch_size=16,
        resume_every_steps=4,
        group_by_length=group_by_length,
    )
    unbroken, history, _ = _train(data, seed=7, settings=settings)

    resume = tmp_path / "state.pt"
    with killed_after(monkeypatch, 9):  # a job killed in epoch 2 (steps 7-12)
        _train(data, seed=7, resume=resume, settings=settings)
    assert resume.is_file()  # the state of step 8, two batches into epoch 2, was kept
    state = torch.load(resume, weights_only=True)  # tensors and plain values: no code runs
    assert state["step"] == 8 and len(state["records"]) == 8

    resumed, resumed_history, summary = _train(data, seed=7, resume=resume, settings=settings)
    assert summary["steps"] == 12
    assert _same_weights(unbroken, resumed)
    pd.testing.assert_series_equal(history["loss"], resumed_history["loss"])


def test_length_grouped_order_is_a_seeded_permutation_that_pads_little():
    lengths = torch.randint(3, 60, (800,), generator=torch.Generator().manual_seed(0)).tolist()
    order = epoch_order(1, 0, lengths, 16)
    assert sorted(order) == list(range(800))
    assert order == epoch_order(1, 0, lengths, 16)  # a function of (seed, epoch) alone
    assert order != epoch_order(1, 1, lengths, 16) and order != epoch_order(2, 0, lengths, 16)
    assert lengths[order[0]] == max(lengths)  # the longest batch first: memory errors show early

    def padded(order):
        return sum(16 * max(lengths[i] for i in order[k : k + 16]) for k in range(0, 800, 16))

    plain = epoch_order(1, 0, lengths, 16, group_by_length=False)
    assert sorted(plain) == list(range(800))
    assert padded(order) < 0.7 * padded(plain)


def test_settings_have_a_schema_entry_with_the_same_default():
    import yaml

    schema_file = Path(__file__).parents[1] / "workflow/schemas/config.schema.yaml"
    schema = yaml.safe_load(schema_file.read_text())
    training = schema["properties"]["training"]["properties"]
    defaults = TrainingSettings(learning_rate=1e-3, epochs=1, batch_size=1)
    for field in dataclasses.fields(TrainingSettings):
        if field.name == "max_length":  # data.max_length: the evaluation truncates alike
            continue
        assert field.name in training, field.name
        value = getattr(defaults, field.name)
        if dataclasses.is_dataclass(value):  # lora, selective: a nested section, each key
            nested = training[field.name]["properties"]
            assert set(nested) == {f.name for f in dataclasses.fields(value)}, field.name
            for name, default in dataclasses.asdict(value).items():
                expected = list(default) if isinstance(default, tuple) else default
                assert nested[name]["default"] == expected, (field.name, name)
        elif field.default is not dataclasses.MISSING:
            assert training[field.name]["default"] == field.default, field.name
    # and the other way: every setting the schema admits reaches TrainingSettings(**params)
    fields = {field.name for field in dataclasses.fields(TrainingSettings)}
    assert set(training) - {"seeds"} <= fields, set(training) - {"seeds"} - fields
