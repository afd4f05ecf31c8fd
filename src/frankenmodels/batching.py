"""Tokenised, dynamically padded batches: each batch is padded only to its longest sentence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch


def encode(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids per text, truncated to `max_length` (special tokens included)."""
    return tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]


def pad_batch(token_ids: Sequence[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    # Padded as Python lists, then one tensor each: a tensor per row costs more than the copy.
    width = max(len(ids) for ids in token_ids)
    input_ids = [list(ids) + [pad_id] * (width - len(ids)) for ids in token_ids]
    attention = [[1] * len(ids) + [0] * (width - len(ids)) for ids in token_ids]
    return {
        "input_ids": torch.tensor(input_ids, dtype=torch.long),
        "attention_mask": torch.tensor(attention, dtype=torch.long),
    }


def batches(
    token_ids: Sequence[list[int]], batch_size: int, order: Sequence[int], pad_id: int
) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """(indices, padded batch) for consecutive slices of `order`."""
    for start in range(0, len(order), batch_size):
        indices = [int(i) for i in order[start : start + batch_size]]
        yield indices, pad_batch([token_ids[i] for i in indices], pad_id)
