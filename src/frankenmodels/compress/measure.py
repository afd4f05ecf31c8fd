"""One variant of the compress study before any fine-tuning: its size, its perplexity per
document, greedy continuations of fixed prompts and the smoothness of its layer stack.

Everything is measured on one model built once, so the four outputs describe the same
weights: the pretrained model with the variant's plan applied (``copy`` mode, as the
fine-tuning jobs build it, so the parameter counts are those of the model that is trained).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from frankenmodels.compress.smoothness import layer_smoothness
from frankenmodels.compress.variants import load_variant
from frankenmodels.evaluation.generate import greedy_generate
from frankenmodels.evaluation.perplexity import (
    document_nll,
    encode_documents,
    scoring,
)
from frankenmodels.stats.perplexity import corpus_perplexity
from frankenmodels.surgery import Plan, count_parameters


def run_measure(
    model_dir: str | Path,
    variant_params: Mapping[str, Any],
    *,
    dtype: str,
    documents: Mapping[str, str],
    perplexity: Mapping[str, Any],
    samples: Mapping[str, Any],
    smoothness: Mapping[str, Any],
    device: str = "auto",
) -> dict[str, Any]:
    """measure (the measure.json record), nll (``document_nll`` frame), samples
    ([{prompt, continuation}]) and smoothness (``layer_smoothness`` frame) of one variant.
    ``variant_params`` is {name, kind, scope, n, start, plan}; the settings are the config's
    perplexity, samples and smoothness sections."""
    started = time.perf_counter()
    name = variant_params["name"]
    plan = Plan.from_dict(variant_params["plan"])
    model, tokenizer = load_variant(model_dir, dict(variant_params), dtype=dtype, device=device)
    unique, effective = count_parameters(model)
    nll = document_nll(
        model,
        tokenizer,
        dict(documents),
        experiment=name,
        **scoring(perplexity),
    )
    # Raw continuations (no chat template), as the seed's first look at GPT-2.
    prompts = list(samples["prompts"])
    continuations = greedy_generate(
        model,
        tokenizer,
        # Raw text, continued where it stops (no chat template, no newline appended).
        encode_documents(tokenizer, prompts, 10**9),
        max_new_tokens=samples["max_new_tokens"],
    )
    texts = list(documents.values())[: smoothness["documents"]]
    smooth = layer_smoothness(
        model, tokenizer, texts, max_tokens=smoothness["max_tokens"], variant=name
    )
    measure = {
        "variant": name,
        **{key: variant_params[key] for key in ("kind", "scope", "n", "start")},
        "plan": plan.to_dict(),
        "depth": len(plan),
        "params_unique": unique,
        "params_effective": effective,
        "perplexity": corpus_perplexity(nll),
        "tokens": int(nll["tokens"].sum()),
        "seconds": time.perf_counter() - started,
    }
    return {
        "measure": measure,
        "nll": nll,
        "samples": [
            {"prompt": p, "continuation": c} for p, c in zip(prompts, continuations, strict=True)
        ],
        "smoothness": smooth,
    }
