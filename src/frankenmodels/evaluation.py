"""Predict a split with a (possibly operated-on) classifier and score the predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from frankenmodels.batching import batches, encode
from frankenmodels.metrics import classification_metrics
from frankenmodels.runtime import autocast


@torch.inference_mode()
def predict_logits(
    model, tokenizer, texts, batch_size: int, max_length: int, device: torch.device
) -> np.ndarray:
    """Logits per text, in input order. Batches are length-sorted to pad little."""
    model.to(device).eval()
    token_ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(ids) for ids in token_ids], kind="stable")
    logits = np.zeros((len(token_ids), model.config.num_labels), dtype=np.float32)
    for rows, batch in batches(token_ids, batch_size, order, tokenizer.pad_token_id):
        with autocast(device):
            out = model(**{name: tensor.to(device) for name, tensor in batch.items()}).logits
        logits[rows] = out.float().cpu().numpy()
    return logits


def score(split: pd.DataFrame, logits: np.ndarray) -> tuple[dict[str, float], pd.DataFrame]:
    """Metrics and the per-example predictions table (kept for McNemar's test)."""
    prediction = logits.argmax(axis=1)
    labels = split["label"].to_numpy()
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    per_example = pd.DataFrame(
        {
            "example": np.arange(len(split)),
            "label": labels,
            "prediction": prediction,
            "confidence": probabilities.max(axis=1),
        }
    )
    return classification_metrics(labels, prediction, logits.shape[1]), per_example
