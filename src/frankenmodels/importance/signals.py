"""Training-free importance of each layer, from one forward pass over a set of texts.

For layer ``i`` with input ``h_i`` and output ``h_{i+1}`` at each token:

* Block Influence (ShortGPT, Men et al. 2024): ``BI_i = 1 - mean cos(h_i, h_{i+1})``
* angular distance (Gromov et al. 2024, as in PruneMe): ``mean arccos(cos(h_i, h_{i+1})) / pi``

Both are means over the selected tokens of all texts pooled: every non-padding token
(``token="all"``, the default, as ShortGPT; for encoders) or the last non-padding token of each
text (``token="last"``, as Gromov et al. do for causal LMs). A layer that passes its input through
unchanged scores 0 on both; a high score marks a layer that changes the residual stream a lot.

The pair is read by forward hooks on the layers themselves, not from ``output_hidden_states``:
transformers overwrites the last entry of ``hidden_states`` with the final-norm output for Llama-
and GPT-2-style models, so the last layer would be compared across the final norm. Here every
layer, the last one included, is compared before any final norm, the same way for every family;
the hooks fire in call order, so a stack with a layer repeated (shared weights) scores each
position. The cosine is taken in float64: the angle of a near-identity layer is
``sqrt(2 (1 - cos))`` and float32 rounding would dominate it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from frankenmodels.batching import batches, encode, pad_id
from frankenmodels.surgery import find_layer_stack

TOKENS = ("all", "last")


def selected_tokens(attention_mask: torch.Tensor, token: str) -> torch.Tensor:
    """Boolean (batch, length) mask of the tokens that count; padding never does."""
    mask = attention_mask.bool()
    if token == "all":
        return mask
    if token == "last":
        # The highest non-padding position, whichever side the padding is on.
        positions = torch.arange(mask.shape[1], device=mask.device)
        last = torch.where(mask, positions, -1).amax(dim=1, keepdim=True)
        return mask & (positions == last)
    raise ValueError(f"token must be one of {TOKENS}, not {token!r}")


@torch.inference_mode()
def layer_cosines(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """cos(input, output) of every layer at every position: (layers, batch, length), float64.

    Padding positions hold whatever the model computed there; select with :func:`selected_tokens`.
    """
    stack = find_layer_stack(model)
    dtype = torch.float32 if batch["input_ids"].device.type == "mps" else torch.float64
    cosines: list[torch.Tensor] = []

    def record(module, args, kwargs, output):
        inputs = args[0] if args else kwargs["hidden_states"]
        outputs = output[0] if isinstance(output, tuple) else output
        cosines.append(torch.cosine_similarity(inputs.to(dtype), outputs.to(dtype), dim=-1))

    inputs = dict(batch)
    if stack.family != "encoder":
        inputs["use_cache"] = False
        # Positions from the mask, as generate() does: left padding then leaves each text's
        # positions (GPT-2's are absolute) as they are when it runs alone.
        inputs.setdefault("position_ids", (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0))
    # Each shared module once: a repeated layer fires its hook once per position it holds.
    layers = dict.fromkeys(stack.layers)
    handles = [layer.register_forward_hook(record, with_kwargs=True) for layer in layers]
    try:
        # The base model skips the head: a causal LM's logits would be the largest tensor.
        model.base_model(**inputs)
    finally:
        for handle in handles:
            handle.remove()
    if len(cosines) != len(stack):
        raise RuntimeError(f"{len(cosines)} layer calls recorded for {len(stack)} layers")
    return torch.stack(cosines)


def layer_signals(
    model,
    tokenizer,
    texts: Sequence[str],
    *,
    token: str = "all",
    batch_size: int = 32,
    max_length: int = 128,
) -> pd.DataFrame:
    """Block Influence and angular distance per layer (0-based), on the model's device.

    Texts run in length-sorted, right-padded batches; ``tokens`` is how many token pairs each
    mean pools (one per text with ``token="last"``).
    """
    if token not in TOKENS:
        raise ValueError(f"token must be one of {TOKENS}, not {token!r}")
    if not texts:
        raise ValueError("layer_signals needs at least one text")
    model.eval()
    device = next(model.parameters()).device
    # Decoder tokenizers often have no pad token; the id is irrelevant as padding is masked.
    token_ids = encode(tokenizer, texts, max_length)
    order = np.argsort([len(ids) for ids in token_ids], kind="stable")
    depth = len(find_layer_stack(model))
    cos_sum = torch.zeros(depth, dtype=torch.float64)
    angle_sum = torch.zeros(depth, dtype=torch.float64)
    count = 0
    for _, batch in batches(token_ids, batch_size, order, pad_id(tokenizer)):
        batch = {name: tensor.to(device) for name, tensor in batch.items()}
        keep = selected_tokens(batch["attention_mask"], token)
        # Boolean indexing, not multiplication by the mask: padding may hold NaN.
        cos = layer_cosines(model, batch)[:, keep].clamp(-1.0, 1.0).cpu()
        cos_sum += cos.sum(dim=1, dtype=torch.float64)
        angle_sum += torch.arccos(cos).sum(dim=1, dtype=torch.float64) / math.pi
        count += int(keep.sum())
    return pd.DataFrame(
        {
            "layer": range(depth),
            "block_influence": (1.0 - cos_sum / count).numpy(),
            "angular_distance": (angle_sum / count).numpy(),
            "tokens": count,
        }
    )
