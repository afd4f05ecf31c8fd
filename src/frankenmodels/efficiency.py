"""What a variant costs: parameters, peak memory and latency per batch.

Peak memory is the CUDA allocator's peak on a GPU and, on the CPU, the process's peak
resident set (VmHWM) over the timed forward passes, reset just before them so that loading
and surgery do not count; the two methods are not comparable with each other, so the method
is recorded with the number. Latency is measured after warm-up, synchronised on a GPU, and
summarised by the median and the interquartile range of repeated timings.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from frankenmodels.batching import encode, pad_batch, texts_of
from frankenmodels.memory import peak_memory_mb, reset_peak_memory
from frankenmodels.models import load_classifier
from frankenmodels.provenance import environment
from frankenmodels.runtime import autocast, device_name, seed_everything, select_device
from frankenmodels.surgery import Plan, apply_plan, count_parameters


def measure_variant(
    model_dir: str | Path,
    data: str | Path,
    plan: dict[str, Any],
    variant: str,
    *,
    settings: dict[str, Any],
    max_length: int,
    num_labels: int,
    device: str = "auto",
) -> dict[str, Any]:
    """The efficiency record of one variant built from the pretrained model: parameters
    (unique and per use), then peak memory and latency over real validation texts.
    `settings` is the config's efficiency section (batch_size, warmup, repeats, memory_mode)."""
    target = select_device(device)
    seed_everything(0)  # a checkpoint without a head gets a fresh one: the same every run
    tokenizer, base = load_classifier(model_dir, num_labels)
    layer_plan = Plan.from_dict(plan)
    model = apply_plan(base, layer_plan, mode=settings["memory_mode"])
    del base  # only the variant may count towards the peak
    gc.collect()
    unique, effective = count_parameters(model)
    timing = measure_latency(
        model,
        tokenizer,
        texts_of(pd.read_parquet(data)),
        batch_size=settings["batch_size"],
        max_length=max_length,
        warmup=settings["warmup"],
        repeats=settings["repeats"],
        device=target,
    )
    return {
        "variant": variant,
        "depth": len(layer_plan),
        "params_unique": unique,
        "params_effective": effective,
        "memory_mode": settings["memory_mode"],
        "device": target.type,
        "device_name": device_name(target),
        "environment": environment(device_name(target)),
        **timing,
    }


@torch.inference_mode()
def measure_latency(
    model,
    tokenizer,
    texts,
    *,
    batch_size: int,
    max_length: int,
    warmup: int,
    repeats: int,
    device: torch.device,
) -> dict[str, float]:
    """Median and quartiles, in ms, of one forward pass over a fixed batch of real texts."""
    model.to(device).eval()
    ids = encode(tokenizer, list(texts)[:batch_size], max_length)
    batch = {k: v.to(device) for k, v in pad_batch(ids, tokenizer.pad_token_id).items()}
    reset_peak_memory(device)
    timings = []
    for run in range(warmup + repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        with autocast(device):
            model(**batch)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if run >= warmup:
            timings.append((time.perf_counter() - start) * 1000)
    p25, median, p75 = np.percentile(timings, [25, 50, 75])
    memory, method = peak_memory_mb(device)
    return {
        "latency_ms_median": float(median),
        "latency_ms_p25": float(p25),
        "latency_ms_p75": float(p75),
        "batch_size": len(ids),
        "sequence_length": int(batch["input_ids"].shape[1]),
        "repeats": repeats,
        "peak_memory_mb": float(memory),
        "memory_method": method,
    }
