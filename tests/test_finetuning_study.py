"""The fine-tuning methods study: healing arms and steps, the heal job on a saved tiny BERT
(what each arm trains, resuming after a crash), and the statistics of both uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
import torch
from training_fixtures import save_tiny_checkpoint
from transformers import BertForSequenceClassification

from frankenmodels.io import read_json
from frankenmodels.stats.config import StatsConfig
from frankenmodels.stats.healing import healing_runs, healing_tests
from frankenmodels.stats.methods import check_claims, compare_methods, runs_table, summarise
from frankenmodels.surgery import Plan
from frankenmodels.synthetic import generate_sentiment
from frankenmodels.training import heal_job
from frankenmodels.training.healing import healing_arms, healing_steps
from frankenmodels.training.settings import TrainingSettings

DUP1 = Plan.duplicate(3, 1)  # 0 1 1 2: the copy is position 2
DEL0 = Plan.from_indices([1, 2])


def test_full_and_lora_share_one_control_for_every_plan():
    arms = healing_arms({"dup1": DUP1, "del0": DEL0}, "full")
    assert [(a.name, a.role, a.layers, a.control) for a in arms] == [
        ("control", "control", None, None),
        ("dup1", "healed", None, "control"),
        ("del0", "healed", None, "control"),
    ]


def test_layer_selective_trains_copies_against_their_sources_and_skips_plans_without_copies():
    dup02 = Plan.from_indices([0, 0, 1, 2, 2])
    arms = healing_arms({"dup1": DUP1, "del0": DEL0, "dup02": dup02}, "layer_selective")
    assert [(a.name, a.layers, a.control) for a in arms] == [
        ("control_l1", (1,), None),
        ("control_l0-2", (0, 2), None),
        ("dup1", (2,), "control_l1"),
        ("dup02", (1, 4), "control_l0-2"),
    ]


def test_healing_steps_are_a_share_of_the_original_steps_rounded_up():
    settings = TrainingSettings(learning_rate=1e-3, epochs=6, batch_size=16)
    assert healing_steps(1150, settings, 0.1) == 44  # 72 steps a epoch, 432 in all
    assert healing_steps(1150, settings, 1.0) == 432


# ----- the heal job on a saved checkpoint ---------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A saved 3-layer tiny BERT with the MiniLM tokenizer, and train/validation parquet."""
    folder = tmp_path_factory.mktemp("heal")
    save_tiny_checkpoint(folder / "model")
    data = generate_sentiment(160, 40, seed=3)
    for split, name in (("train", "train"), ("validation", "validation")):
        table = data[split].rename(columns={"sentence": "text"})  # the prepared data's names
        table.to_parquet(folder / f"{name}.parquet")
    return folder


def _run(checkpoint, method, out, **kwargs):
    settings = TrainingSettings(
        learning_rate=1e-2,
        epochs=1,
        batch_size=16,
        max_length=32,
        method=method,
        selective={"mode": "whole", "layers": [0]},
    )
    return heal_job.run_healing(
        checkpoint / "model",
        checkpoint / "train.parquet",
        checkpoint / "validation.parquet",
        {"dup1": DUP1.to_dict()},
        out,
        base="base",
        settings=settings,
        steps_fraction=0.5,
        seed=7,
        num_labels=2,
        batch_size=32,
        device="cpu",
        staging_root=checkpoint / "staging",
        **kwargs,
    )


def _trained_models(monkeypatch):
    """Record the model each arm ends with, after its training."""
    models = {}
    train_arm, original_heal = heal_job._train_arm, heal_job.heal

    def recording(arm, *args, **kwargs):
        def heal_and_keep(model, *heal_args, **heal_kwargs):
            result = original_heal(model, *heal_args, **heal_kwargs)
            models[arm.name] = model
            return result

        monkeypatch.setattr(heal_job, "heal", heal_and_keep)
        return train_arm(arm, *args, **kwargs)

    monkeypatch.setattr(heal_job, "_train_arm", recording)
    return models


def _layer_weights(model, position):
    return {k: v.clone() for k, v in model.bert.encoder.layer[position].state_dict().items()}


def _changed_positions(model, reference_stack):
    return [
        i
        for i, layer in enumerate(model.bert.encoder.layer)
        if any(
            not torch.equal(value, reference_stack[i][name])
            for name, value in layer.state_dict().items()
        )
    ]


def test_selective_healing_trains_the_copy_and_its_control_the_source(
    checkpoint, tmp_path, monkeypatch
):
    models = _trained_models(monkeypatch)
    _run(checkpoint, "layer_selective", tmp_path / "out")
    original = BertForSequenceClassification.from_pretrained(checkpoint / "model")
    base_stack = [_layer_weights(original, i) for i in range(3)]
    built = [base_stack[source.index] for source in DUP1.sources]  # before healing
    assert _changed_positions(models["dup1"], built) == [2]  # the copy, not its source
    assert _changed_positions(models["control_l1"], base_stack) == [1]
    summary = read_json(tmp_path / "out" / "dup1" / "summary.json")
    assert summary["steps"] == 5  # half of ceil(144 / 16) = 9 steps, rounded up
    assert summary["trained_layers"] == "2"
    assert sorted(p.name for p in (tmp_path / "out" / "before").iterdir()) == ["base", "dup1"]
    assert not (checkpoint / "staging").exists() or not any((checkpoint / "staging").iterdir())


def test_an_interrupted_job_keeps_its_finished_arms(checkpoint, tmp_path, monkeypatch):
    out = tmp_path / "full" / "seed7"  # the workflow's layout: method, then seed
    calls = []
    train_arm = heal_job._train_arm

    def crash_on_second(arm, *args, **kwargs):
        calls.append(arm.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return train_arm(arm, *args, **kwargs)

    monkeypatch.setattr(heal_job, "_train_arm", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        _run(checkpoint, "full", out)
    assert not (out).exists()  # nothing half-written where Snakemake looks
    calls.clear()
    monkeypatch.setattr(heal_job, "_train_arm", train_arm)
    recorded = []
    monkeypatch.setattr(
        heal_job,
        "_train_arm",
        lambda arm, *a, **k: (recorded.append(arm.name), train_arm(arm, *a, **k)),
    )
    _run(checkpoint, "full", out)
    assert recorded == ["dup1"]  # the control finished before the crash and was kept
    runs = healing_runs([out])
    assert set(runs["role"]) == {"healed", "control", "before"}


# ----- statistics ---------------------------------------------------------------------------


def _method_runs(accuracy: dict[str, list[float]], seconds: dict[str, float], trainable):
    records, summaries = [], []
    for method, values in accuracy.items():
        for seed, value in zip((1, 2, 3, 4), values, strict=True):
            records.append({"seed": seed, "metrics": {"accuracy": value}})
            summaries.append(
                {
                    "seed": seed,
                    "method": method,
                    "trained_layers": None,
                    "trainable_parameters": trainable[method] * 10,
                    "model_parameters": 1000,
                    "trainable_percent": trainable[method],
                    "wall_seconds": seconds[method] * (1 + seed / 100),
                    "examples_per_second": 10.0,
                    "peak_memory_mb": 100.0,
                    "memory_method": "rss",
                    "steps": 10,
                }
            )
    return runs_table(records, summaries)


ACCURACY = {
    "full": [0.80, 0.82, 0.81, 0.83],
    "lora": [0.79, 0.80, 0.80, 0.81],
    "layer_selective": [0.70, 0.72, 0.69, 0.71],
}
CFG = StatsConfig(metrics=("accuracy",), focus_variant="dup1", bootstrap_resamples=199)


def test_method_pairs_are_two_sided_paired_t_tests_with_holm():
    runs = _method_runs(ACCURACY, {"full": 100, "lora": 60, "layer_selective": 40}, {
        "full": 100.0, "lora": 0.5, "layer_selective": 0.1})  # fmt: skip
    tests = compare_methods(runs, list(ACCURACY), ["accuracy"], CFG)
    assert list(zip(tests["method"], tests["versus"], strict=True)) == [
        ("lora", "full"),
        ("layer_selective", "full"),
        ("layer_selective", "lora"),
    ]
    lora = tests.iloc[0]
    expected = st.ttest_rel(ACCURACY["lora"], ACCURACY["full"])
    assert lora["t_p"] == pytest.approx(expected.pvalue)
    assert lora["mean_diff"] == pytest.approx(-0.015)
    assert lora["ci_low"] < lora["mean_diff"] < lora["ci_high"]
    assert (tests["t_p_holm"] >= tests["t_p"]).all()


def test_claims_hold_or_fail_by_the_numbers():
    runs = _method_runs(ACCURACY, {"full": 100, "lora": 60, "layer_selective": 40}, {
        "full": 100.0, "lora": 0.5, "layer_selective": 0.1})  # fmt: skip
    summary = summarise(runs, list(ACCURACY), "full", ["accuracy"])
    claims = check_claims(runs, summary, list(ACCURACY), "full", 0.95).set_index(
        ["method", "claim"]
    )
    lora_share = claims.loc[("lora", "accuracy_share")]
    ratios = np.divide(ACCURACY["lora"], ACCURACY["full"])  # per seed
    assert lora_share["value"] == pytest.approx(np.exp(np.mean(np.log(ratios))))
    assert lora_share["ci_low"] < lora_share["value"] < lora_share["ci_high"]
    assert lora_share["holds"]  # 98 % of full with 0.5 % trainable
    assert not claims.loc[("layer_selective", "accuracy_share"), "holds"]  # 87 %
    assert not claims.loc[("lora", "time_share"), "holds"]  # 60 % of full's time
    assert claims.loc[("layer_selective", "time_share"), "holds"]  # 40 %
    # The same accuracy with 2 % trainable misses the claim's condition.
    runs2 = _method_runs(ACCURACY, {"full": 100, "lora": 60, "layer_selective": 40}, {
        "full": 100.0, "lora": 2.0, "layer_selective": 0.1})  # fmt: skip
    summary2 = summarise(runs2, list(ACCURACY), "full", ["accuracy"])
    claims2 = check_claims(runs2, summary2, list(ACCURACY), "full", 0.95)
    row = claims2[(claims2["method"] == "lora") & (claims2["claim"] == "accuracy_share")]
    assert not row["holds"].item() and not row["condition_holds"].item()


def test_runs_table_refuses_metrics_of_another_seed():
    with pytest.raises(ValueError, match="out of order"):
        runs_table(
            [{"seed": 2, "metrics": {"accuracy": 0.5}}],
            [{"seed": 1, "method": "full", "wall_seconds": 1.0}],
        )


def _heal_folder(root, method, seed, arms, before):
    folder = root / method / f"seed{seed}"
    for name, (role, control, layers, accuracy) in arms.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "metrics.json").write_text(
            pd.Series(
                {
                    "variant": name,
                    "role": role,
                    "control": control,
                    "seed": seed,
                    "metrics": {"accuracy": accuracy},
                }  # fmt: skip
            ).to_json()
        )
        (folder / name / "summary.json").write_text(
            pd.Series(
                {
                    "trained_layers": layers,
                    "steps": 5,
                    "wall_seconds": 1.0,
                    "trainable_percent": 10.0,
                }  # fmt: skip
            ).to_json()
        )
    for name, accuracy in before.items():
        (folder / "before" / name).mkdir(parents=True)
        (folder / "before" / name / "metrics.json").write_text(
            pd.Series({"variant": name, "seed": seed, "metrics": {"accuracy": accuracy}}).to_json()
        )
    return folder


def test_healed_plans_are_paired_with_their_control_by_seed(tmp_path):
    gains = [0.02, 0.01, 0.03, 0.02]
    folders = [
        _heal_folder(
            tmp_path,
            "layer_selective",
            seed,
            {
                "control_l1": ("control", None, "1", 0.80 + seed / 100),
                "dup1": ("healed", "control_l1", "2", 0.80 + seed / 100 + gain),
            },
            {"base": 0.78 + seed / 100, "dup1": 0.77 + seed / 100},
        )
        for seed, gain in zip((1, 2, 3, 4), gains, strict=True)
    ]
    tests = healing_tests(healing_runs(folders), ["layer_selective"], "base", CFG)
    row = tests.iloc[0]
    assert (row["plan"], row["control"], row["trained_layers"], row["control_layers"]) == (
        "dup1",
        "control_l1",
        "2",
        "1",
    )
    assert row["mean_diff"] == pytest.approx(np.mean(gains))
    assert row["t_p"] == pytest.approx(
        st.ttest_rel(np.array(gains) + 1, np.ones(4), alternative="greater").pvalue
    )
    assert row["before_mean"] == pytest.approx(0.795)
    assert row["base_before_mean"] == pytest.approx(0.805)
    assert row["t_p_holm"] == pytest.approx(row["t_p"])  # a family of one
