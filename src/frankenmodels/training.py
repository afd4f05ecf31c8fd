"""Fine-tune a sequence classifier: a plain loop a reader can hold in their head.

AdamW with a linear schedule, dynamic padding, bf16 autocast on a GPU, fp32 on the CPU.
The data order of epoch e is a permutation seeded by (seed, e), so a run interrupted at
step k resumes from its last saved state and ends with the same weights as an unbroken run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from frankenmodels.batching import batches, encode
from frankenmodels.io import atomic_path
from frankenmodels.runtime import autocast, device_name, seed_everything

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSettings:
    learning_rate: float
    epochs: int
    batch_size: int
    weight_decay: float = 0.0
    warmup_ratio: float = 0.0
    max_grad_norm: float = 1.0
    max_length: int = 128
    resume_every_steps: int = 200


def epoch_order(seed: int, epoch: int, size: int) -> np.ndarray:
    return np.random.default_rng([seed, epoch]).permutation(size)


def finetune(
    model,
    tokenizer,
    train: pd.DataFrame,
    settings: TrainingSettings,
    seed: int,
    device: torch.device,
    resume_file: Path | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Train `model` in place; return the per-step log and a run summary."""
    seed_everything(seed)
    model.to(device).train()
    token_ids = encode(tokenizer, train["text"], settings.max_length)
    labels = torch.tensor(train["label"].to_numpy(), dtype=torch.long)
    steps_per_epoch = -(-len(token_ids) // settings.batch_size)
    total_steps = steps_per_epoch * settings.epochs
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(settings.warmup_ratio * total_steps), total_steps
    )
    state = _load_resume(resume_file, model, optimizer, scheduler)
    step, records, elapsed_before = state["step"], state["records"], state["elapsed"]
    started = time.perf_counter()
    progress = tqdm(total=total_steps, initial=step, desc=f"finetune seed {seed}", mininterval=5)
    for epoch in range(step // steps_per_epoch, settings.epochs):
        order = epoch_order(seed, epoch, len(token_ids))
        skip = step - epoch * steps_per_epoch  # batches already done before a resume
        for index, (rows, batch) in enumerate(
            batches(token_ids, settings.batch_size, order, tokenizer.pad_token_id)
        ):
            if index < skip:
                continue
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            with autocast(device):
                loss = model(**batch, labels=labels[rows].to(device)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            elapsed = elapsed_before + time.perf_counter() - started
            records.append((step, epoch, loss.item(), scheduler.get_last_lr()[0], elapsed))
            progress.update(1)
            if resume_file and step % settings.resume_every_steps == 0 and step < total_steps:
                _save_resume(resume_file, model, optimizer, scheduler, step, records, elapsed)
    progress.close()
    history = pd.DataFrame(records, columns=["step", "epoch", "loss", "learning_rate", "seconds"])
    wall = float(history["seconds"].iloc[-1]) if len(history) else 0.0
    summary = {
        "seed": seed,
        "train_examples": len(token_ids),
        "epochs": settings.epochs,
        "steps": step,
        "wall_seconds": wall,
        "examples_per_second": len(token_ids) * settings.epochs / wall if wall else float("nan"),
        "final_loss": float(history["loss"].tail(max(1, steps_per_epoch // 10)).mean()),
        "device": device.type,
        "device_name": device_name(device),
        "torch_version": torch.__version__,
    }
    return history, summary


def _save_resume(path: Path, model, optimizer, scheduler, step, records, elapsed) -> None:
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        "step": step,
        "records": records,
        "elapsed": elapsed,
    }
    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    log.info("saved resume state at step %d to %s", step, path)


def _load_resume(path: Path | None, model, optimizer, scheduler) -> dict:
    if path is None or not path.is_file():
        return {"step": 0, "records": [], "elapsed": 0.0}
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    if state["cuda_rng"] is not None:
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    log.info("resuming from step %d (%s)", state["step"], path)
    return state


def resume_file(folder: Path, seed: int, settings: TrainingSettings, model_dir: str) -> Path:
    """Where an interrupted run keeps its state; the name changes with anything that would
    change the result, so a stale state is never resumed under new settings."""
    key = json.dumps({"seed": seed, "settings": asdict(settings), "model": str(model_dir)})
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return folder / f"finetune-seed{seed}-{digest}.pt"
