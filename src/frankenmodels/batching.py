"""Tokenised, dynamically padded batches: each batch is padded only to its longest sentence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch


def encode(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids per text, truncated to `max_length` (special tokens included)."""
    return tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]


def pad_batch(token_ids: Sequence[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids in token_ids)
    input_ids = torch.full((len(token_ids), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(token_ids), width), dtype=torch.long)
    for row, ids in enumerate(token_ids):
        input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        attention[row, : len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": attention}


def batches(
    token_ids: Sequence[list[int]], batch_size: int, order: Sequence[int], pad_id: int
) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """(indices, padded batch) for consecutive slices of `order`."""
    for start in range(0, len(order), batch_size):
        indices = [int(i) for i in order[start : start + batch_size]]
        yield indices, pad_batch([token_ids[i] for i in indices], pad_id)
