"""Perplexity of a causal LM, kept per document so that its uncertainty can be estimated by
resampling documents: the corpus is a sample of documents, and tokens within one are not
independent draws.

A document longer than the window is scored with Hugging Face's sliding-window scheme
(https://huggingface.co/docs/transformers/perplexity): windows of ``window`` tokens advance
by ``stride``, each scores only the tokens no earlier window scored, the overlap serving as
context. ``stride == window`` is independent chunks (each chunk's first token unscored);
``stride < window`` scores every token but the document's first exactly once.

The corpus value and its intervals are in ``frankenmodels.stats.perplexity``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from frankenmodels.batching import batches, pad_id

COLUMNS = ["experiment", "doc", "tokens", "nll"]


def encode_documents(tokenizer, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Token ids per text, the tokenizer's BOS included where it adds one, cut to
    ``max_tokens``. Encoder-style tokenizers' trailing [SEP] is dropped (as for prompts):
    it is no part of the text."""
    encoded = tokenizer(list(texts), add_special_tokens=True, verbose=False)["input_ids"]
    sep = getattr(tokenizer, "sep_token_id", None)
    ids = [list(i[:-1]) if sep is not None and i and i[-1] == sep else list(i) for i in encoded]
    return [i[:max_tokens] for i in ids]


def windows(length: int, window: int, stride: int) -> list[tuple[int, int, int]]:
    """(begin, end, first scored position) of each window over ``length`` tokens; position
    ``j`` is scored as the prediction of token ``j`` from the tokens before it."""
    spans: list[tuple[int, int, int]] = []
    if length < 2:
        return spans
    scored = 1
    for begin in range(0, length, stride):
        end = min(begin + window, length)
        spans.append((begin, end, max(scored, begin + 1)))
        scored = end
        if end == length:
            break
    return spans


def _check(max_tokens: int, window: int, stride: int, batch_size: int, model) -> None:
    if window < 2:
        raise ValueError(f"window must be at least 2 tokens, not {window}")
    if not 1 <= stride <= window:
        raise ValueError(f"stride must be between 1 and the window ({window}), not {stride}")
    if max_tokens < 2:
        raise ValueError(f"max_tokens must be at least 2, not {max_tokens}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions is not None and window > positions:
        raise ValueError(f"window {window} exceeds the model's {positions} positions")


@torch.inference_mode()
def document_nll(
    model,
    tokenizer,
    texts: Sequence[str] | Mapping[object, str],
    *,
    experiment: str,
    max_tokens: int,
    window: int,
    stride: int,
    batch_size: int = 8,
) -> pd.DataFrame:
    """Summed next-token negative log-likelihood (nats) and the number of predicted tokens of
    each document (``doc``: the mapping's keys, else positions). The model should be in eval
    mode; windows of all documents are batched, right-padded, as the scores do not depend on
    what they are batched with."""
    _check(max_tokens, window, stride, batch_size, model)
    docs = list(texts.keys()) if isinstance(texts, Mapping | pd.Series) else None
    texts = list(texts.values()) if docs is not None else list(texts)
    docs = docs if docs is not None else list(range(len(texts)))
    owners, segments, firsts = [], [], []
    for k, ids in enumerate(encode_documents(tokenizer, texts, max_tokens)):
        for begin, end, first in windows(len(ids), window, stride):
            owners.append(k)
            segments.append(ids[begin:end])
            firsts.append(first - begin)
    nll = np.zeros(len(texts), dtype=np.float64)
    tokens = np.zeros(len(texts), dtype=np.int64)
    device = next(model.parameters()).device
    order = np.argsort([-len(ids) for ids in segments], kind="stable")
    for rows, batch in batches(segments, batch_size, order, pad_id(tokenizer)):
        batch = {name: tensor.to(device) for name, tensor in batch.items()}
        logits = model(**batch, use_cache=False).logits
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        for r, row in enumerate(rows):
            labels[r, : firsts[row]] = -100
        losses = torch.nn.functional.cross_entropy(
            logits[:, :-1].float().transpose(1, 2), labels[:, 1:], reduction="none"
        )
        counted = (labels[:, 1:] != -100).sum(-1).cpu().numpy()
        summed = losses.double().sum(-1).cpu().numpy()
        np.add.at(nll, [owners[row] for row in rows], summed)
        np.add.at(tokens, [owners[row] for row in rows], counted)
    return pd.DataFrame(
        {"experiment": experiment, "doc": docs, "tokens": tokens, "nll": nll}, columns=COLUMNS
    )


SCORING_KEYS = ("max_tokens", "window", "stride", "batch_size")


def scoring(settings: Mapping[str, Any]) -> dict[str, int]:
    """`document_nll`'s keyword arguments from a config's perplexity section (which also holds
    the corpus and its budget)."""
    return {key: int(settings[key]) for key in SCORING_KEYS}
