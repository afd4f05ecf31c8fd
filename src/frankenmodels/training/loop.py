"""Fine-tune a sequence classifier: a plain loop a reader can hold in their head.

AdamW (fused) with a linear schedule; length-grouped batches padded to their longest sentence;
bf16 autocast on a GPU, fp32 on the CPU unless asked. The data order of epoch e is a function of
(seed, e), so a run interrupted at step k resumes from its last saved state and ends with the
same weights as an unbroken run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from frankenmodels.batching import batches, encode
from frankenmodels.provenance import environment
from frankenmodels.runtime import autocast, device_name, seed_everything
from frankenmodels.training.order import epoch_order
from frankenmodels.training.resume import load_resume, save_resume

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
    group_by_length: bool = True  # false: the plain permutation of earlier versions
    cpu_bf16: bool = False  # bf16 autocast on the CPU too (always on a GPU that supports it)
    compile: bool = False  # torch.compile the model's forward and backward


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
    lengths = [len(ids) for ids in token_ids]
    labels = torch.tensor(train["label"].to_numpy(), dtype=torch.long)
    batch_size = settings.batch_size
    steps_per_epoch = -(-len(token_ids) // batch_size)
    total_steps = steps_per_epoch * settings.epochs
    # Fused: one kernel updates every parameter, instead of a Python loop over ~100 tensors.
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
        fused=True,
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(settings.warmup_ratio * total_steps), total_steps
    )
    step, records = load_resume(resume_file, model, optimizer, scheduler)
    elapsed_before = records[-1][-1] if records else 0.0
    # The compiled module shares the parameters; dynamic: batch widths vary from step to step.
    forward = torch.compile(model, dynamic=True) if settings.compile else model
    started = time.perf_counter()
    progress = tqdm(total=total_steps, initial=step, desc=f"finetune seed {seed}", mininterval=5)
    for epoch in range(step // steps_per_epoch, settings.epochs):
        order = epoch_order(seed, epoch, lengths, batch_size, settings.group_by_length)
        done = step - epoch * steps_per_epoch  # batches of this epoch trained before a resume
        remaining = order[done * batch_size :]
        for rows, batch in batches(token_ids, batch_size, remaining, tokenizer.pad_token_id):
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            with autocast(device, cpu_bf16=settings.cpu_bf16):
                loss = forward(**batch, labels=labels[rows].to(device)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            elapsed = elapsed_before + time.perf_counter() - started
            # The loss stays a tensor until the end: no wait for the GPU at every step.
            records.append((step, epoch, loss.detach(), scheduler.get_last_lr()[0], elapsed))
            progress.update(1)
            if resume_file and step % settings.resume_every_steps == 0 and step < total_steps:
                save_resume(resume_file, model, optimizer, scheduler, step, records)
    progress.close()
    if device.type == "cuda" and records:
        # Kernels are queued asynchronously: the last time counts only once they have run.
        torch.cuda.synchronize(device)
        last = records[-1]
        records[-1] = (*last[:-1], elapsed_before + time.perf_counter() - started)
    history = pd.DataFrame(
        [(s, e, float(loss), lr, t) for s, e, loss, lr, t in records],
        columns=["step", "epoch", "loss", "learning_rate", "seconds"],
    )
    wall = float(history["seconds"].iloc[-1]) if len(history) else 0.0
    summary = {
        "seed": seed,
        "train_examples": len(token_ids),
        "epochs": settings.epochs,
        "steps": step,
        "wall_seconds": wall,
        "examples_per_second": len(token_ids) * settings.epochs / wall if wall else float("nan"),
        # The whole last epoch: its tail alone would be the shortest sentences under grouping.
        "final_loss": float(history.loc[history["epoch"] == history["epoch"].max(), "loss"].mean())
        if len(history)
        else float("nan"),
        "device": device.type,
        "device_name": device_name(device),
        "torch_version": torch.__version__,
        "environment": environment(device_name(device)),
    }
    return history, summary
