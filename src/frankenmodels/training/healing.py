"""Healing a FrankenModel: a few more training steps after surgery, and the control for them.

The FrankenModel is built in copy mode (``apply_plan(base, plan, mode="copy")``), so training an
inserted copy never trains its source. The control is the base model trained for the same steps
with the same method, so that a gain from extra training is not credited to the surgery; for
``layer_selective`` the FrankenModel trains its inserted copies (:func:`inserted_copies`) and the
control the source layer of each (:func:`copy_sources`). One function trains both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import torch

from frankenmodels.surgery import find_layer_stack
from frankenmodels.surgery.plan import Plan
from frankenmodels.training.loop import finetune
from frankenmodels.training.settings import TrainingSettings


def inserted_copies(plan: Plan) -> list[int]:
    """Positions of the new stack that hold a base layer already placed at an earlier position
    (``0 1 2 2 3`` -> ``[3]``); averaged and donor positions are new layers, not copies."""
    placed: set[int] = set()
    copies = []
    for position, source in enumerate(plan.sources):
        if source.is_averaged or source.model != "base":
            continue
        if source.index in placed:
            copies.append(position)
        placed.add(source.index)
    return copies


def copy_sources(plan: Plan) -> list[int]:
    """The base layer each inserted copy repeats, once each: what the control trains."""
    return sorted({plan.sources[position].index for position in inserted_copies(plan)})


def heal(
    model,
    tokenizer,
    train: pd.DataFrame,
    settings: TrainingSettings,
    seed: int,
    device: torch.device,
    steps: int,
    layers: Sequence[int] | None = None,
    resume_file: Path | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Train `model` (a FrankenModel in copy mode, or the base model as the control) in place
    for `steps` steps with the settings' method; `layer_selective` trains `layers` (positions
    in `model`'s stack). Returns the loop's step log and summary."""
    check_unshared(model)
    return finetune(
        model, tokenizer, train, settings, seed, device, resume_file, steps=steps, layers=layers
    )


def check_unshared(model) -> None:
    """Refuse a stack whose positions share tensors (shared-mode surgery): training one
    position would train the others."""
    layers = find_layer_stack(model).layers
    seen: set[int] = set()
    for layer in layers:
        ids = {id(p) for p in layer.parameters()}
        if ids & seen:
            raise ValueError("layers share weights: build the FrankenModel with mode='copy'")
        seen |= ids
