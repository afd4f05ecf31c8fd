"""Greedy generation from prompts already encoded (``prompting.encode_prompts``), in
left-padded batches with the KV cache, exactly as ``generate()`` runs a deployed model: a
changed layer stack is judged by what it would actually answer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers import GenerationConfig

from frankenmodels.batching import pad_id
from frankenmodels.evaluation.prompting import left_padded


@torch.inference_mode()
def greedy_generate(
    model,
    tokenizer,
    prompts_token_ids: Sequence[Sequence[int]],
    *,
    max_new_tokens: int,
    batch_size: int = 16,
) -> list[str]:
    """The decoded new tokens of each prompt (special tokens skipped, stripped), in input
    order. Prompts are batched by length to pad little; greedy answers do not depend on it."""
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, not {max_new_tokens}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if any(len(ids) == 0 for ids in prompts_token_ids):
        raise ValueError("an empty prompt has no next-token position to generate from")
    pad = pad_id(tokenizer)
    # Only what is set here counts as user-set: sampling knobs from the model's own generation
    # config (temperature, top_p) are then inert under do_sample=False and raise no warnings.
    config = GenerationConfig(
        do_sample=False, max_new_tokens=max_new_tokens, pad_token_id=pad, use_cache=True
    )
    device = next(model.parameters()).device
    order = np.argsort([len(ids) for ids in prompts_token_ids], kind="stable")
    answers = [""] * len(prompts_token_ids)
    for start in range(0, len(order), batch_size):
        rows = [int(i) for i in order[start : start + batch_size]]
        batch = left_padded([prompts_token_ids[i] for i in rows], pad)
        output = model.generate(
            input_ids=batch["input_ids"].to(device),
            attention_mask=batch["attention_mask"].to(device),
            generation_config=config,
        )
        new = output[:, batch["input_ids"].shape[1] :]
        decoded = tokenizer.batch_decode(new, skip_special_tokens=True)
        for row, text in zip(rows, decoded, strict=True):
            answers[row] = text.strip()
    return answers
