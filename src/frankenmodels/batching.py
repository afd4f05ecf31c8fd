"""Tokenised, dynamically padded batches: each batch is padded only to its longest sentence.

A sentence-pair task (a `text_pair` column) is tokenised as one input, the tokenizer's
separator between the two texts and its segment ids (`token_type_ids`) marking them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    import pandas as pd

Text = str | tuple[str, str]  # one text, or a sentence pair


class TokenIds(list):
    """Token ids per example; `type_ids` holds the segment ids of pairs, None for single texts
    (then the model's default, all zeros, applies as before pairs existed)."""

    def __init__(self, ids: Sequence[list[int]], type_ids: Sequence[list[int]] | None = None):
        super().__init__(ids)
        self.type_ids = type_ids

    def take(self, indices: Sequence[int]) -> TokenIds:
        types = None if self.type_ids is None else [self.type_ids[i] for i in indices]
        return TokenIds([self[i] for i in indices], types)


def texts_of(table: pd.DataFrame) -> list[Text]:
    """The model inputs of a canonical table: its texts, or (text, text_pair) pairs."""
    if "text_pair" in table.columns:
        return list(zip(table["text"], table["text_pair"], strict=True))
    return list(table["text"])


def encode(tokenizer, texts: Sequence[Text], max_length: int) -> TokenIds:
    """Token ids per text or pair, truncated to `max_length` (special tokens included); a pair
    loses tokens from its longer text first (the tokenizer's `longest_first`)."""
    texts = list(texts)
    pairs = bool(texts) and isinstance(texts[0], tuple)
    parts = [list(part) for part in zip(*texts, strict=True)] if pairs else [texts]
    encoded = tokenizer(*parts, truncation=True, max_length=max_length)
    # Segment ids only for pairs, and only where the tokenizer has them (RoBERTa, GPT-2 do not).
    return TokenIds(encoded["input_ids"], encoded.get("token_type_ids") if pairs else None)


def pad_id(tokenizer) -> int:
    """The id that pads a batch: the tokenizer's pad token, else its EOS (decoders such as
    GPT-2 have none), else 0; the attention mask (and -100 targets) hide it either way."""
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return 0


def pad_batch(token_ids: Sequence[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    # Padded as Python lists, then one tensor each: a tensor per row costs more than the copy.
    width = max(len(ids) for ids in token_ids)
    input_ids = [list(ids) + [pad_id] * (width - len(ids)) for ids in token_ids]
    attention = [[1] * len(ids) + [0] * (width - len(ids)) for ids in token_ids]
    batch = {
        "input_ids": torch.tensor(input_ids, dtype=torch.long),
        "attention_mask": torch.tensor(attention, dtype=torch.long),
    }
    type_ids = getattr(token_ids, "type_ids", None)
    if type_ids is not None:
        padded = [list(types) + [0] * (width - len(types)) for types in type_ids]
        batch["token_type_ids"] = torch.tensor(padded, dtype=torch.long)
    return batch


def batches(
    token_ids: Sequence[list[int]], batch_size: int, order: Sequence[int], pad_id: int
) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """(indices, padded batch) for consecutive slices of `order`."""
    selected = token_ids if isinstance(token_ids, TokenIds) else TokenIds(token_ids)
    for start in range(0, len(order), batch_size):
        indices = [int(i) for i in order[start : start + batch_size]]
        yield indices, pad_batch(selected.take(indices), pad_id)
