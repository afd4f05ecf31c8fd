"""What a variant costs: parameters, peak memory, latency per batch and per generated token.

Peak memory is the CUDA allocator's peak on a GPU and, on the CPU, the process's peak
resident set (VmHWM) over the timed forward passes, reset just before them so that loading
and surgery do not count; the two methods are not comparable with each other, so the method
is recorded with the number. Latencies are measured after warm-up, synchronised on a GPU, and
summarised by the median and the interquartile range of repeated timings (``_timed``, shared
by the forward pass and the generation).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from transformers import GenerationConfig

from frankenmodels.batching import encode, pad_batch, pad_id, texts_of
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


def _timed(fn: Callable[[], object], warmup: int, repeats: int, device: torch.device) -> list:
    """Wall milliseconds of ``repeats`` calls of ``fn`` after ``warmup`` untimed ones: warm-up
    absorbs one-off costs (kernel selection, allocator growth, lazy init); on a GPU the clock
    stops only when the queued kernels have finished."""
    if warmup < 0 or repeats < 1:
        raise ValueError(f"need warmup >= 0 and repeats >= 1, not {warmup} and {repeats}")
    timings = []
    for run in range(warmup + repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        with autocast(device):
            fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if run >= warmup:
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def _quartiles(timings: Sequence[float], prefix: str) -> dict[str, float]:
    p25, median, p75 = np.percentile(timings, [25, 50, 75])
    return {
        f"{prefix}_median": float(median),
        f"{prefix}_p25": float(p25),
        f"{prefix}_p75": float(p75),
    }


def forward_call(model, tokenizer, texts, *, batch_size: int, max_length: int, device):
    """(call, batch): one forward pass of `model` over a fixed batch of the first
    `batch_size` texts cut to `max_length` tokens, and that batch."""
    model.to(device).eval()
    ids = encode(tokenizer, list(texts)[:batch_size], max_length)
    # pad_id: decoder tokenizers (GPT-2) have no pad token; padding is masked anyway.
    batch = {k: v.to(device) for k, v in pad_batch(ids, pad_id(tokenizer)).items()}
    return (lambda: model(**batch)), batch


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
    call, batch = forward_call(
        model, tokenizer, texts, batch_size=batch_size, max_length=max_length, device=device
    )
    reset_peak_memory(device)
    timings = _timed(call, warmup, repeats, device)
    memory, method = peak_memory_mb(device)
    return {
        **_quartiles(timings, "latency_ms"),
        "batch_size": int(batch["input_ids"].shape[0]),
        "sequence_length": int(batch["input_ids"].shape[1]),
        "repeats": repeats,
        "peak_memory_mb": float(memory),
        "memory_method": method,
    }


def generate_call(model, tokenizer, prompt_ids: Sequence[int], *, new_tokens: int, device):
    """A call that greedily generates exactly `new_tokens` tokens from one fixed prompt with
    the KV cache (the end-of-sequence token held back, so every variant does the same work);
    it raises if a stopping rule cut a generation short."""
    if new_tokens < 1:
        raise ValueError(f"new_tokens must be at least 1, not {new_tokens}")
    if not prompt_ids:
        raise ValueError("an empty prompt has no next-token position to generate from")
    model.to(device).eval()
    input_ids = torch.tensor([list(prompt_ids)], dtype=torch.long, device=device)
    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        pad_token_id=pad_id(tokenizer),
        use_cache=True,
    )

    def generate() -> None:
        output = model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            generation_config=config,
        )
        if output.shape[1] - input_ids.shape[1] != new_tokens:
            raise RuntimeError(
                f"generated {output.shape[1] - input_ids.shape[1]} tokens, not {new_tokens}"
            )

    return generate


@torch.inference_mode()
def measure_token_latency(
    model,
    tokenizer,
    prompt_ids: Sequence[int],
    *,
    new_tokens: int,
    warmup: int,
    repeats: int,
    device: torch.device,
) -> dict[str, float]:
    """Median and quartiles, in ms, of the time per generated token (`generate_call`, divided
    by `new_tokens`). The prompt's prefill is part of the wall time, amortised over the new
    tokens, as a user waiting for the answer sees it."""
    call = generate_call(model, tokenizer, prompt_ids, new_tokens=new_tokens, device=device)
    timings = _timed(call, warmup, repeats, device)
    return {
        **_quartiles([t / new_tokens for t in timings], "token_ms"),
        "new_tokens": new_tokens,
        "repeats": repeats,
    }


@torch.inference_mode()
def paired_speedup(
    call: Callable[[], object],
    reference: Callable[[], object],
    *,
    warmup: int,
    repeats: int,
    device: torch.device,
) -> dict[str, float]:
    """The reference's time over `call`'s (> 1: `call` is faster), median and quartiles over
    repeats in which the two run in turn (ABBA order): drift during the job (clock speed, the
    other tenants of a shared host) slows both alike, so the ratio of a pair is steadier than
    the ratio of two medians taken minutes apart."""
    ratios = []
    for run in range(warmup + repeats):
        order = (call, reference) if run % 2 == 0 else (reference, call)
        first, second = (_timed(fn, 0, 1, device)[0] for fn in order)
        mine, theirs = (first, second) if run % 2 == 0 else (second, first)
        if run >= warmup:
            ratios.append(theirs / mine)
    return _quartiles(ratios, "speedup")
