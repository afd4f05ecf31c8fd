"""Healing a FrankenModel: a few more training steps after surgery, and the control for them.

The FrankenModel is built in copy mode (``apply_plan(base, plan, mode="copy")``), so training an
inserted copy never trains its source. The control is the base model trained for the same steps
with the same method, so that a gain from extra training is not credited to the surgery; for
``layer_selective`` the FrankenModel trains its inserted copies (:func:`inserted_copies`) and the
control the source layer of each (:func:`copy_sources`). One function trains both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


CONTROL = "control"


@dataclass(frozen=True)
class Arm:
    """One model a heal job trains: a FrankenModel (`plan` applied in copy mode) or a control
    (the base, `plan` None). `layers`: the positions layer_selective trains (None: the method
    trains every layer); `control`: the arm a FrankenModel is compared with."""

    name: str
    plan: Plan | None
    layers: tuple[int, ...] | None
    control: str | None = None

    @property
    def role(self) -> str:
        return "control" if self.plan is None else "healed"


def healing_arms(plans: Mapping[str, Plan], method: str) -> list[Arm]:
    """The controls, then the FrankenModels, for one method. full and LoRA train every layer,
    so one control (the base, same steps) serves every plan; layer_selective trains a plan's
    inserted copies, and its control the source layers of those copies (`control_l3-5`); a plan
    without an inserted copy gives layer_selective nothing to train and is left out."""
    controls: dict[str, tuple[int, ...] | None] = {}
    healed = []
    for name, plan in plans.items():
        if method == "layer_selective":
            layers: tuple[int, ...] | None = tuple(inserted_copies(plan))
            if not layers:
                continue
            sources: tuple[int, ...] | None = tuple(copy_sources(plan))
            control = f"{CONTROL}_l" + "-".join(map(str, sources))
        else:
            layers = sources = None
            control = CONTROL
        controls.setdefault(control, sources)
        healed.append(Arm(name, plan, layers, control))
    return [Arm(name, None, layers) for name, layers in controls.items()] + healed


def healing_steps(train_examples: int, settings: TrainingSettings, fraction: float) -> int:
    """The extra steps: `fraction` of the original fine-tuning's steps, rounded up."""
    original = math.ceil(train_examples / settings.batch_size) * settings.epochs
    return math.ceil(fraction * original)


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
