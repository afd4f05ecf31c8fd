"""Logits of one classifier over a list of texts, in length-sorted batches."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from frankenmodels.batching import batches, encode
from frankenmodels.runtime import autocast


def sorted_batches(
    tokenizer, texts, batch_size: int, max_length: int
) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """(rows, padded batch), length-sorted to pad little. Every evaluation path uses these
    exact batches, so a variant's logits do not depend on which path computed them."""
    token_ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(ids) for ids in token_ids], kind="stable")
    return batches(token_ids, batch_size, order, tokenizer.pad_token_id)


@torch.inference_mode()
def predict_logits(
    model, tokenizer, texts, batch_size: int, max_length: int, device: torch.device
) -> np.ndarray:
    """Logits per text, in input order."""
    model.to(device).eval()
    logits = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    for rows, batch in sorted_batches(tokenizer, texts, batch_size, max_length):
        with autocast(device):
            out = model(**{name: tensor.to(device) for name, tensor in batch.items()}).logits
        logits[rows] = out.float().cpu().numpy()
    return logits
