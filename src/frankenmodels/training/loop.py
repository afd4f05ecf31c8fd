"""Fine-tune a model: a plain loop a reader can hold in their head, for two tasks.

``classification``: a sequence classifier on the table's ``label`` column. ``causal_lm``: a
causal LM on the table's texts alone, its targets its own input ids with the padding masked
(-100; the model shifts them), so a padded example's loss is that of the example alone.

AdamW (fused) with a linear schedule; length-grouped batches padded to their longest sentence;
bf16 autocast on a GPU, fp32 on the CPU unless asked. The data order of epoch e is a function of
(seed, e), so a run interrupted at step k resumes from its last saved state and ends with the
same weights as an unbroken run. The task changes only the targets; the method (full, LoRA,
chosen layers; see `methods`) decides which parameters the optimiser sees; the data order and
seeds are the same for every task and method.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import torch
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from frankenmodels.batching import batches, encode, pad_id, texts_of
from frankenmodels.memory import peak_memory_mb, reset_peak_memory
from frankenmodels.provenance import environment
from frankenmodels.runtime import autocast, device_name, seed_everything
from frankenmodels.training.methods import (
    choose_layers,
    finish,
    prepare,
    trainable_summary,
    with_gradient,
)
from frankenmodels.training.order import epoch_order
from frankenmodels.training.resume import load_resume, save_resume
from frankenmodels.training.settings import TrainingSettings

log = logging.getLogger(__name__)

TASKS = ("classification", "causal_lm")


def finetune(
    model,
    tokenizer,
    train: pd.DataFrame,
    settings: TrainingSettings,
    seed: int,
    device: torch.device,
    resume_file: Path | None = None,
    *,
    steps: int | None = None,
    layers: Sequence[int] | None = None,
    task: str = "classification",
) -> tuple[pd.DataFrame, dict]:
    """Train `model` in place with the settings' method; return the per-step log and a summary.

    `steps` stops after that many steps (healing's budget) instead of `settings.epochs`;
    `layers` are the layers `layer_selective` trains, instead of the settings' rule;
    `task` is one of TASKS (causal_lm reads only the table's `text` column).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, not {task!r}")
    seed_everything(seed)
    model.to(device).train()
    token_ids = encode(tokenizer, texts_of(train), settings.max_length)
    lengths = [len(ids) for ids in token_ids]
    labels = (
        None if task == "causal_lm" else torch.tensor(train["label"].to_numpy(), dtype=torch.long)
    )
    pad = pad_id(tokenizer)
    batch_size = settings.batch_size
    steps_per_epoch = -(-len(token_ids) // batch_size)
    if steps is not None and steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    total_steps = steps or steps_per_epoch * settings.epochs
    choosing = time.perf_counter()
    if settings.method != "layer_selective":
        layers = None  # full and lora train every layer
    elif layers is None:
        layers = choose_layers(model, tokenizer, train, settings)
    choice_seconds = time.perf_counter() - choosing  # the scores' forward pass, outside the wall
    trained = prepare(model, settings, layers, task)
    trained.train()  # the layer scores ran in eval mode
    named = [(name, p) for name, p in trained.named_parameters() if p.requires_grad]
    parameters = [p for _, p in named]
    # Fused: one kernel updates every parameter, instead of a Python loop over ~100 tensors.
    optimizer = torch.optim.AdamW(
        parameters,
        lr=settings.learning_rate,
        weight_decay=settings.weight_decay,
        fused=True,
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(settings.warmup_ratio * total_steps), total_steps
    )
    step, records = load_resume(resume_file, trained, optimizer, scheduler)
    elapsed_before = records[-1][-1] if records else 0.0
    # The compiled module shares the parameters; dynamic: batch widths vary from step to step.
    forward = torch.compile(trained, dynamic=True) if settings.compile else trained
    received: dict[str, int] = {}  # the parameters that really got a gradient
    reset_peak_memory(device)
    started = time.perf_counter()
    progress = tqdm(total=total_steps, initial=step, desc=f"finetune seed {seed}", mininterval=5)
    for epoch in range(step // steps_per_epoch, -(-total_steps // steps_per_epoch)):
        order = epoch_order(seed, epoch, lengths, batch_size, settings.group_by_length)
        done = step - epoch * steps_per_epoch  # batches of this epoch trained before a resume
        end = (total_steps - epoch * steps_per_epoch) * batch_size  # a step budget may end early
        remaining = order[done * batch_size : end]
        for rows, batch in batches(token_ids, batch_size, remaining, pad):
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            with autocast(device, cpu_bf16=settings.cpu_bf16):
                if labels is None:  # no cache: nothing is generated, and it would cost memory
                    loss = forward(**batch, labels=lm_targets(batch), use_cache=False).loss
                else:
                    loss = forward(**batch, labels=labels[rows].to(device)).loss
            loss.backward()
            received.update(with_gradient(named))
            torch.nn.utils.clip_grad_norm_(parameters, settings.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            elapsed = elapsed_before + time.perf_counter() - started
            # The loss stays a tensor until the end: no wait for the GPU at every step.
            records.append((step, epoch, loss.detach(), scheduler.get_last_lr()[0], elapsed))
            progress.update(1)
            if resume_file and step % settings.resume_every_steps == 0 and step < total_steps:
                save_resume(resume_file, trained, optimizer, scheduler, step, records)
    progress.close()
    memory, memory_method = peak_memory_mb(device)
    finish(trained, model)
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
    # Every batch but an epoch's last is full, and a step budget never ends on a partial one.
    seen = step // steps_per_epoch * len(token_ids) + step % steps_per_epoch * batch_size
    summary = {
        "seed": seed,
        "task": task,
        "method": settings.method,
        # "1 5", as a plan's layers string: one cell in the aggregated training table.
        "trained_layers": None if layers is None else " ".join(map(str, sorted(set(layers)))),
        "train_examples": len(token_ids),
        "epochs": settings.epochs if steps is None else seen / len(token_ids),
        "steps": step,
        "wall_seconds": wall,
        "layer_choice_seconds": choice_seconds,
        "examples_per_second": seen / wall if wall else float("nan"),
        **trainable_summary(received, model),
        "peak_memory_mb": memory,
        "memory_method": memory_method,
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


def lm_targets(batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """A causal LM's targets: its input ids, padding ignored (-100), unshifted (the model
    predicts position i + 1 from position i itself)."""
    return batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
