"""The evaluate job: one fine-tuned checkpoint, one split, every variant of the sweep."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from frankenmodels.batching import texts_of
from frankenmodels.io import write_csv, write_json
from frankenmodels.models import load_classifier
from frankenmodels.provenance import environment
from frankenmodels.runtime import device_name, select_device
from frankenmodels.surgery import Plan

from .score import score
from .sweep import predict_sweep

log = logging.getLogger(__name__)


def outputs_by_variant(
    metrics_files: list[str], predictions_files: list[str]
) -> dict[str, tuple[str, str]]:
    """Each variant's (metrics, predictions) files, keyed by their folder `.../{variant}/`."""
    pairs = {Path(file).parent.name: (file,) for file in metrics_files}
    for file in predictions_files:
        pairs[Path(file).parent.name] += (file,)
    return pairs


def outputs_in_folder(folder: str | Path, variants: list[str]) -> dict[str, tuple[Path, Path]]:
    """Each variant's (metrics, predictions) files in ``folder/{variant}/``: for a job whose
    variants are known only when it runs (the plans a checkpoint chose)."""
    return {
        name: (Path(folder) / name / "metrics.json", Path(folder) / name / "predictions.csv")
        for name in variants
    }


def evaluate_sweep(
    model_dir: str | Path,
    data: str | Path,
    plans: Mapping[str, dict[str, Any]],
    outputs: Mapping[str, tuple[str | Path, str | Path]],
    *,
    split: str,
    seed: int,
    num_labels: int,
    batch_size: int,
    max_length: int,
    device: str = "auto",
) -> dict[str, dict[str, float]]:
    """Write each variant's metrics.json and predictions.csv (`outputs[name]`, in that order)
    and return the metrics by variant. `plans` maps variant names to plan dicts."""
    tokenizer, model = load_classifier(model_dir, num_labels)
    table = pd.read_parquet(data)
    target = select_device(device)
    logits = predict_sweep(
        model,
        {name: Plan.from_dict(plan) for name, plan in plans.items()},
        tokenizer,
        texts_of(table),
        batch_size,
        max_length,
        target,
    )
    results = {}
    for name, variant_logits in logits.items():
        metrics, predictions = score(table, variant_logits)
        log.info("%s seed %s on %s: %s", name, seed, split, metrics)
        metrics_file, predictions_file = outputs[name]
        write_csv(predictions, predictions_file)
        record = {
            "split": split,
            "seed": seed,
            "variant": name,
            "examples": len(table),
            "metrics": metrics,
            "environment": environment(device_name(target)),
        }
        write_json(metrics_file, record)
        results[name] = metrics
    return results
