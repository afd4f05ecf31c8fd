"""Classification metrics from the confusion matrix.

`weighted` averages the per-class scores weighted by class support (what the seed paper
reports: its F1 equals its accuracy to four digits); `binary` scores the positive class (1).
"""

from __future__ import annotations

import numpy as np

from frankenmodels.vocabulary import METRIC_NAMES

METRICS = METRIC_NAMES  # the names classification_metrics returns, in table order


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # A class that is never predicted has precision 0 (scikit-learn's zero_division=0).
    return np.divide(
        numerator, denominator, out=np.zeros_like(numerator, dtype=float), where=denominator > 0
    )


def confusion(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts[i, j]: examples of true class i predicted as class j."""
    labels = np.asarray(labels, dtype=int)
    predictions = np.asarray(predictions, dtype=int)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predictions.shape} differ")
    return np.bincount(num_classes * labels + predictions, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


def classification_metrics(
    labels: np.ndarray, predictions: np.ndarray, num_classes: int = 2
) -> dict[str, float]:
    """Accuracy plus weighted and positive-class precision, recall and F1."""
    counts = confusion(labels, predictions, num_classes).astype(float)
    if counts.sum() == 0:
        raise ValueError("no examples to score")
    true_positive = np.diag(counts)
    support = counts.sum(axis=1)
    predicted = counts.sum(axis=0)
    precision = _safe_divide(true_positive, predicted)
    recall = _safe_divide(true_positive, support)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    weights = support / support.sum()
    result = {
        "accuracy": float(true_positive.sum() / counts.sum()),
        "f1_weighted": float(weights @ f1),
        "precision_weighted": float(weights @ precision),
        "recall_weighted": float(weights @ recall),
    }
    if num_classes == 2:
        result |= {
            "f1_binary": float(f1[1]),
            "precision_binary": float(precision[1]),
            "recall_binary": float(recall[1]),
        }
    return result
