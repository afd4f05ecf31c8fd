"""Metrics and per-example predictions from a split's logits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from frankenmodels.metrics import classification_metrics


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
