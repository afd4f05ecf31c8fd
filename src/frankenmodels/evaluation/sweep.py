"""Logits of every variant of a layer sweep, with each shared prefix of layers run once.

Each variant is the model the surgery library builds (`apply_plan`, shared weights), run by
its own forward: embeddings, attention masks, position embeddings and the head are the
model's, so nothing of an architecture's layer call is re-implemented here. Only the layers
are wrapped: a wrapper either runs its layer (and caches the output at a branch point of the
prefix tree) or replays the cached output of the prefix the variant shares with an earlier
one. Hidden states are cached per batch, so memory stays at one batch's activations times
the depth of the tree, whatever the size of the split.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from frankenmodels.runtime import autocast
from frankenmodels.surgery import Plan, apply_plan, find_layer_stack

from .predict import sorted_batches
from .trie import Step, layer_keys, schedule

# Layer stacks whose forward only threads each layer's output into the next layer, checked
# against whole-variant evaluation in tests/test_evaluation_sweep.py. Other families are
# evaluated variant by variant.
BRANCHING_FAMILIES = ("encoder",)


class _Cursor:
    """Where one variant's forward stands: its step of the walk and the batch's cache."""

    def __init__(self, cache: dict):
        self.cache = cache
        self.step: Step | None = None


class _Replayable(nn.Module):
    """A layer that is skipped when the variant resumes past it."""

    def __init__(self, layer: nn.Module, position: int, cursor: _Cursor):
        super().__init__()
        self.layer = layer
        self.position = position
        self.cursor = cursor

    def forward(self, *args, **kwargs):
        step, cache = self.cursor.step, self.cursor.cache
        if self.position < step.resume:
            # The layers before the resume point hand on the cached output; only the layer
            # after them reads it, as its input.
            return cache[step.keys[: step.resume]]
        out = self.layer(*args, **kwargs)
        if self.position + 1 in step.store:
            cache[step.keys[: self.position + 1]] = out
        return out

    def __getattr__(self, name: str):
        # A model may read attributes of its layers (e.g. `attention_type`) between calls.
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(super().__getattr__("layer"), name)


def can_branch(model: nn.Module) -> bool:
    return find_layer_stack(model).family in BRANCHING_FAMILIES


@torch.inference_mode()
def predict_sweep(
    model: nn.Module,
    plans: Mapping[str, Plan],
    tokenizer,
    texts,
    batch_size: int,
    max_length: int,
    device: torch.device,
    share_prefix: bool = True,
) -> dict[str, np.ndarray]:
    """Logits per variant (name -> array in input order), equal to evaluating each variant
    whole on the same batches. `share_prefix=False` runs every variant whole (the baseline)."""
    model.to(device).eval()
    variants = {name: apply_plan(model, plan, mode="shared") for name, plan in plans.items()}
    cache: dict = {}
    cursors = {name: _Cursor(cache) for name in variants}
    if share_prefix and can_branch(model):
        steps = schedule({name: layer_keys(plan, name) for name, plan in plans.items()})
        for name, variant in variants.items():
            _wrap_layers(variant, cursors[name])
    else:
        steps = [Step(name, (), 0, frozenset(), ()) for name in plans]
    logits = {name: np.zeros((len(texts), model.config.num_labels), np.float32) for name in plans}
    for rows, batch in sorted_batches(tokenizer, texts, batch_size, max_length):
        batch = {name: tensor.to(device) for name, tensor in batch.items()}
        for step in steps:
            cursors[step.name].step = step
            with autocast(device):
                out = variants[step.name](**batch).logits
            logits[step.name][rows] = out.float().cpu().numpy()
            for prefix in step.release:
                del cache[prefix]
        cache.clear()
    return logits


def _wrap_layers(variant: nn.Module, cursor: _Cursor) -> None:
    stack = find_layer_stack(variant)
    wrapped = [_Replayable(layer, i, cursor) for i, layer in enumerate(stack.layers)]
    setattr(stack.parent, stack.attribute, nn.ModuleList(wrapped))
