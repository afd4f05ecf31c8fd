"""The state an interrupted fine-tuning run resumes from.

One `torch.save` file of tensors and plain Python values only, so it loads with
`torch.load(..., weights_only=True)`: reading it cannot run code. The loop draws random numbers
only from torch's generators (dropout; the data order has its own seeded generator), so those
are the only RNG states kept; Python's and numpy's global generators are not used.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from pathlib import Path

import torch

from frankenmodels.io import atomic_path

log = logging.getLogger(__name__)


def save_resume(path: Path, model, optimizer, scheduler, step: int, records: list) -> None:
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "step": step,
        # (step, epoch, loss, learning rate, seconds); the loss may still be a tensor.
        "records": [(s, e, float(loss), lr, t) for s, e, loss, lr, t in records],
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    log.info("saved resume state at step %d to %s", step, path)


def load_resume(path: Path | None, model, optimizer, scheduler) -> tuple[int, list]:
    """(step, records) of the saved state, restored into the objects; (0, []) without one."""
    if path is None or not path.is_file():
        return 0, []
    # On the CPU first: a state saved on a GPU node resumes anywhere; load_state_dict moves
    # each tensor to its parameter's device.
    state = torch.load(path, weights_only=True, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    if state["cuda_rng"]:
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    log.info("resuming from step %d (%s)", state["step"], path)
    return state["step"], list(state["records"])


def resume_file(
    folder: Path, seed: int, settings, model_dir: str, extra: dict | None = None
) -> Path:
    """Where an interrupted run keeps its state; the name changes with anything that would
    change the result (`extra`: what else does, e.g. healing's steps and layers), so a stale
    state is never resumed under new settings."""
    key = {"seed": seed, "settings": asdict(settings), "model": str(model_dir)}
    if extra is not None:
        key["extra"] = extra
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return folder / f"finetune-seed{seed}-{digest}.pt"
