"""The heal job: one method, one seed, every healed plan and its control (docs/finetuning.md).

Each arm starts from a fresh load of the seed's fine-tuned checkpoint, is built in copy mode,
trained for the same steps with the same seed (so the same batches), and evaluated on
validation. The plans and the base are also evaluated untrained (`before/`), in one pass.
A finished arm is kept in a staging folder named from everything that changes its result, so
an interrupted job resumes at the first unfinished arm; the output folder appears only once
every arm is done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from frankenmodels.batching import texts_of
from frankenmodels.evaluation import evaluate_sweep, outputs_in_folder
from frankenmodels.evaluation.predict import predict_logits
from frankenmodels.evaluation.score import score
from frankenmodels.io import atomic_directory, write_csv, write_json
from frankenmodels.models import layer_count, load_classifier
from frankenmodels.provenance import environment
from frankenmodels.runtime import device_name, enable_fast_math, select_device
from frankenmodels.surgery import Plan, apply_plan
from frankenmodels.training.healing import Arm, heal, healing_arms, healing_steps
from frankenmodels.training.settings import TrainingSettings

log = logging.getLogger(__name__)
BEFORE = "before"  # the untrained plans and base, evaluated once


def run_healing(
    model_dir: str | Path,
    train_file: str | Path,
    validation_file: str | Path,
    plans: Mapping[str, dict[str, Any]],
    out_dir: str | Path,
    *,
    base: str,
    settings: TrainingSettings,
    steps_fraction: float,
    seed: int,
    num_labels: int,
    batch_size: int,
    device: str,
    staging_root: str | Path,
) -> list[Arm]:
    """Heal every plan of `plans` (name -> plan dict) and train the controls; write
    ``out_dir/{arm}/`` (metrics.json, predictions.csv, history.csv, summary.json) and
    ``out_dir/before/{plan or base}/``. Returns the arms trained."""
    train = pd.read_parquet(train_file)
    validation = pd.read_parquet(validation_file)
    parsed = {name: Plan.from_dict(plan) for name, plan in plans.items()}
    arms = healing_arms(parsed, settings.method)
    steps = healing_steps(len(train), settings, steps_fraction)
    log.info("%s: %d arms, %d steps each", settings.method, len(arms), steps)
    key = {
        # A retrained checkpoint is a new file: its stamp keeps stale arms from being resumed.
        "model": sorted(
            (path.name, path.stat().st_size, path.stat().st_mtime_ns)
            for path in Path(model_dir).iterdir()
        ),
        "settings": asdict(settings),
        "steps": steps,
        "seed": seed,
        "plans": {name: plans[name] for name in sorted(plans)},
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    staging = Path(staging_root) / f"heal-{settings.method}-seed{seed}-{digest}"
    target = select_device(device)
    enable_fast_math(target)
    if not (staging / BEFORE / "done").is_file():
        with atomic_directory(staging / BEFORE) as folder:
            identity = Plan.identity(layer_count(Path(model_dir))).to_dict()
            untrained = {base: identity, **plans}
            evaluate_sweep(
                model_dir,
                validation_file,
                untrained,
                outputs_in_folder(folder, list(untrained)),
                split="validation",
                seed=seed,
                num_labels=num_labels,
                batch_size=batch_size,
                max_length=settings.max_length,
                device=device,
            )
            (folder / "done").touch()
    for arm in arms:
        if (staging / arm.name / "summary.json").is_file():
            log.info("%s: done before, kept", arm.name)
            continue
        with atomic_directory(staging / arm.name) as folder:
            _train_arm(arm, model_dir, train, validation, folder, settings, steps, seed,
                       num_labels=num_labels, batch_size=batch_size, device=target)  # fmt: skip
    with atomic_directory(out_dir) as folder:
        for child in staging.iterdir():
            if not child.name.startswith("."):  # an arm killed mid-write left a temporary
                shutil.copytree(child, folder / child.name)
        (folder / BEFORE / "done").unlink()
    shutil.rmtree(staging)
    return arms


def _train_arm(
    arm: Arm,
    model_dir: str | Path,
    train: pd.DataFrame,
    validation: pd.DataFrame,
    folder: Path,
    settings: TrainingSettings,
    steps: int,
    seed: int,
    *,
    num_labels: int,
    batch_size: int,
    device: torch.device,
) -> None:
    tokenizer, model = load_classifier(model_dir, num_labels)
    if arm.plan is not None:
        # Copy mode: an inserted copy owns its weights, so training it leaves its source as is.
        model = apply_plan(model, arm.plan, mode="copy")
    history, summary = heal(
        model, tokenizer, train, settings, seed, device, steps, layers=arm.layers
    )
    logits = predict_logits(
        model, tokenizer, texts_of(validation), batch_size, settings.max_length, device
    )
    metrics, predictions = score(validation, logits)
    log.info("%s (%s) after %d steps: %s", arm.name, arm.role, steps, metrics)
    record = {
        "split": "validation",
        "seed": seed,
        "variant": arm.name,
        "role": arm.role,
        "plan": None if arm.plan is None else arm.plan.to_dict(),
        "control": arm.control,
        "examples": len(validation),
        "metrics": metrics,
        "environment": environment(device_name(device)),
    }
    write_json(folder / "metrics.json", record)
    write_csv(predictions, folder / "predictions.csv")
    write_csv(history, folder / "history.csv")
    write_json(folder / "summary.json", {**summary, "arm": arm.name, "role": arm.role})
