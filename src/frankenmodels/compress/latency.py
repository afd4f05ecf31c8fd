"""What one variant of the compress study costs to run: the time of a forward pass over a fixed
batch, the time per generated token, peak memory and size.

The job runs alone with every core (the workflow gives it all of them); the thread count is
recorded with the timings. Both timings come from ``efficiency`` (median and quartiles after
warm-up, synchronised on a GPU). The speed-up over the original is not a ratio of two jobs'
medians, which would carry whatever drifted between the jobs (on a 2-core shared host two
identical models timed minutes apart differ by several per cent), but a paired measurement:
the original is loaded into the same job and timed in turn with the variant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from frankenmodels.compress.variants import load_variant
from frankenmodels.efficiency import (
    forward_call,
    generate_call,
    measure_latency,
    measure_token_latency,
    paired_speedup,
)
from frankenmodels.evaluation.perplexity import encode_documents
from frankenmodels.models import layer_count
from frankenmodels.runtime import device_name
from frankenmodels.surgery import Plan, count_parameters

# The generation prompt: long enough to be a real context, short enough that the time per
# token is dominated by decoding rather than by the prompt's prefill.
PROMPT_TOKENS = 32
QUARTILES = ("median", "p25", "p75")


def run_latency(
    model_dir: str | Path,
    variant_params: Mapping[str, Any],
    *,
    dtype: str,
    texts: Sequence[str],
    settings: Mapping[str, Any],
    device: str = "auto",
) -> dict[str, Any]:
    """The latency.json record of one variant. ``settings`` is the config's latency section
    (batch_size, sequence_length, new_tokens, warmup, repeats); the forward batch is the
    first ``batch_size`` texts cut to ``sequence_length`` tokens, the generation prompt the
    first text cut to ``PROMPT_TOKENS`` tokens."""
    plan = Plan.from_dict(variant_params["plan"])
    model, tokenizer = load_variant(model_dir, dict(variant_params), dtype=dtype, device=device)
    target = next(model.parameters()).device
    unique, _ = count_parameters(model)
    texts = list(texts)
    if len(texts) < settings["batch_size"]:
        raise ValueError(f"{len(texts)} texts cannot fill a batch of {settings['batch_size']}")
    forward = measure_latency(
        model,
        tokenizer,
        texts,
        batch_size=settings["batch_size"],
        max_length=settings["sequence_length"],
        warmup=settings["warmup"],
        repeats=settings["repeats"],
        device=target,
    )
    prompt = encode_documents(tokenizer, texts[:1], PROMPT_TOKENS)[0]
    token = measure_token_latency(
        model,
        tokenizer,
        prompt,
        new_tokens=settings["new_tokens"],
        warmup=settings["warmup"],
        repeats=settings["repeats"],
        device=target,
    )
    speedups = _paired_speedups(
        model, tokenizer, variant_params, model_dir, dtype, texts, prompt, settings, target
    )
    return {
        "variant": variant_params["name"],
        "device": target.type,
        "device_name": device_name(target),
        "threads": torch.get_num_threads(),
        **{f"forward_ms_{q}": forward[f"latency_ms_{q}"] for q in ("median", "p25", "p75")},
        "batch_size": forward["batch_size"],
        "sequence_length": forward["sequence_length"],
        **{f"token_ms_{q}": token[f"token_ms_{q}"] for q in ("median", "p25", "p75")},
        "new_tokens": token["new_tokens"],
        "prompt_tokens": len(prompt),
        "repeats": settings["repeats"],
        "peak_memory_mb": forward["peak_memory_mb"],
        "memory_method": forward["memory_method"],
        "params_unique": unique,
        "depth": len(plan),
        **speedups,
    }


def _paired_speedups(
    model, tokenizer, variant_params, model_dir, dtype, texts, prompt, settings, device
) -> dict[str, float]:
    """The variant's speed-up over the original, forward pass and generated token, each timed
    in turn with the original in this same job (`efficiency.paired_speedup`); 1 for the
    original itself. The original is loaded only now, after the variant's peak memory."""
    if variant_params["kind"] == "original":
        return {f"speedup_{what}_{q}": 1.0 for what in ("forward", "token") for q in QUARTILES}
    # Built as the variants are (the identity plan, copy mode): weights read straight from the
    # checkpoint sit in other memory than copied ones, and that alone made two identical
    # stacks time a few per cent apart.
    identity = {"plan": Plan.identity(layer_count(Path(model_dir))).to_dict()}
    original, _ = load_variant(model_dir, identity, dtype=dtype, device=device)
    timing = dict(warmup=settings["warmup"], repeats=settings["repeats"], device=device)
    batch = dict(
        batch_size=settings["batch_size"], max_length=settings["sequence_length"], device=device
    )
    generation = dict(new_tokens=settings["new_tokens"], device=device)
    forward = paired_speedup(
        forward_call(model, tokenizer, texts, **batch)[0],
        forward_call(original, tokenizer, texts, **batch)[0],
        **timing,
    )
    token = paired_speedup(
        generate_call(model, tokenizer, prompt, **generation),
        generate_call(original, tokenizer, prompt, **generation),
        **timing,
    )
    return {
        **{f"speedup_forward_{q}": forward[f"speedup_{q}"] for q in QUARTILES},
        **{f"speedup_token_{q}": token[f"speedup_{q}"] for q in QUARTILES},
    }
