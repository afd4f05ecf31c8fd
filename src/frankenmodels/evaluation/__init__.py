"""Predict a split with classifiers and score the predictions.

One model at a time (:func:`predict_logits`), or a whole layer sweep of one model in one
pass (:func:`predict_sweep`), which runs each shared prefix of the variants' layer stacks
once; :func:`evaluate_sweep` is the job the workflow runs per (split, seed).
"""

from .job import evaluate_sweep, outputs_by_variant, outputs_in_folder
from .predict import predict_logits, sorted_batches
from .score import score
from .sweep import predict_sweep

__all__ = [
    "evaluate_sweep",
    "outputs_by_variant",
    "outputs_in_folder",
    "predict_logits",
    "predict_sweep",
    "score",
    "sorted_batches",
]
