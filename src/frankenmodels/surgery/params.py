"""Parameter counts of a (possibly surgically altered) model, two ways."""

from __future__ import annotations

from torch import nn

from .families import find_layer_stack


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """Return ``(unique, effective)`` parameter counts.

    ``unique`` counts each distinct tensor once: the memory the weights take. ``effective``
    counts the layer stack once per position (a layer run twice counts twice) plus every
    distinct tensor outside the stack once: the size of the network the input flows through.
    Tied weights outside the stack (embeddings and lm_head) count once in both.
    """
    unique = sum(p.numel() for p in _distinct(model.parameters()))
    layers = find_layer_stack(model).layers
    in_stack = {id(p) for p in layers.parameters()}
    outside = sum(p.numel() for p in _distinct(model.parameters()) if id(p) not in in_stack)
    per_position = sum(sum(p.numel() for p in _distinct(layer.parameters())) for layer in layers)
    return unique, outside + per_position


def _distinct(params) -> list[nn.Parameter]:
    seen: dict[int, nn.Parameter] = {}
    for p in params:
        seen.setdefault(id(p), p)
    return list(seen.values())
