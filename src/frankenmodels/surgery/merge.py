"""Average the weights of a group of layers (seed 004's merge and compress)."""

from __future__ import annotations

import torch
from torch import nn

from .families import LayerStack, ffn_parameter_names
from .plan import PlanError


def averaged_names(layer: nn.Module, stack: LayerStack, scope: str) -> list[str]:
    """Parameter names (relative to one layer) that an average of this scope replaces."""
    if scope == "ffn":
        return ffn_parameter_names(layer, stack)
    return [name for name, _ in layer.named_parameters()]


def check_same_shapes(layers: list[nn.Module], names: list[str], where: str) -> None:
    """Raise PlanError unless every layer has every name with one common shape and dtype."""
    reference = dict(layers[0].named_parameters())
    for k, layer in enumerate(layers[1:], start=1):
        params = dict(layer.named_parameters())
        for name in names:
            if name not in params:
                raise PlanError(f"{where}: layer #{k} of the group has no parameter {name!r}")
            a, b = reference[name], params[name]
            if a.shape != b.shape or a.dtype != b.dtype:
                raise PlanError(
                    f"{where}: cannot average {name!r}: {tuple(a.shape)} {a.dtype} vs "
                    f"{tuple(b.shape)} {b.dtype}"
                )


@torch.no_grad()
def average_parameters(layers: list[nn.Module], names: list[str]) -> dict[str, nn.Parameter]:
    """Element-wise mean of each named parameter over ``layers``.

    Accumulates in float32 so a bf16/fp16 model does not lose precision in the sum, then casts
    back to the parameter's own dtype.
    """
    per_layer = [dict(layer.named_parameters()) for layer in layers]
    out: dict[str, nn.Parameter] = {}
    for name in names:
        first = per_layer[0][name]
        mean = torch.stack([p[name].detach().float() for p in per_layer]).mean(dim=0)
        out[name] = nn.Parameter(mean.to(first.dtype), requires_grad=first.requires_grad)
    return out


def set_parameter(layer: nn.Module, name: str, value: nn.Parameter) -> None:
    """Replace the parameter at dotted ``name`` inside ``layer`` by ``value``."""
    owner_path, _, leaf = name.rpartition(".")
    owner = layer.get_submodule(owner_path) if owner_path else layer
    owner._parameters[leaf] = value
