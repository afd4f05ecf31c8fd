"""Metrics from the confusion matrix agree with scikit-learn's definitions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from frankenmodels.metrics import classification_metrics

label_pairs = st.integers(2, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
    )
)


@settings(max_examples=100, deadline=None)
@given(label_pairs)
def test_metrics_match_scikit_learn(pair):
    labels, predictions = map(np.array, pair)
    ours = classification_metrics(labels, predictions)
    assert ours["accuracy"] == pytest.approx(accuracy_score(labels, predictions))
    for average, suffix in (("weighted", "weighted"), ("binary", "binary")):
        precision, recall, f1, _ = precision_recall_fscore_support(
            labels, predictions, average=average, zero_division=0, labels=[0, 1]
        )
        assert ours[f"precision_{suffix}"] == pytest.approx(precision)
        assert ours[f"recall_{suffix}"] == pytest.approx(recall)
        assert ours[f"f1_{suffix}"] == pytest.approx(f1)


def test_known_confusion_matrix():
    # 6 positives (4 found), 4 negatives (3 kept): TP=4, FN=2, TN=3, FP=1.
    labels = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    predictions = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 1])
    result = classification_metrics(labels, predictions)
    assert result["accuracy"] == pytest.approx(0.7)
    assert result["precision_binary"] == pytest.approx(0.8)
    assert result["recall_binary"] == pytest.approx(4 / 6)
    assert result["f1_binary"] == pytest.approx(2 * 0.8 * (4 / 6) / (0.8 + 4 / 6))
    # Weighted recall equals accuracy by construction.
    assert result["recall_weighted"] == pytest.approx(result["accuracy"])


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="differ"):
        classification_metrics(np.array([0, 1]), np.array([0]))
