"""Make a rebuilt layer stack self-consistent: config depth, per-layer config, layer indices.

These are the silent traps of layer surgery:

* Llama/Qwen forward loops over ``layers[:config.num_hidden_layers]``: a stale depth drops layers.
* transformers 5 refuses to save or load a config whose ``layer_types`` length differs from
  the depth, and the KV cache is built from ``layer_types``.
* The KV cache is indexed by each attention module's ``layer_idx``. A reused layer with a
  stale index writes into another layer's cache slot: wrong logits under sdpa, a shape error
  under eager attention.
* GPT-2 with ``scale_attn_by_inverse_layer_idx`` divides attention scores by ``layer_idx + 1``.
  We use the *new position's* scaling: it is the only choice a saved checkpoint can express
  (``from_pretrained`` rebuilds each layer from its position), so the model evaluated here and
  the checkpoint written by ``save_model`` (or built by mergekit) compute the same function.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from .families import LayerStack
from .plan import Plan

# Config entries that hold one value per layer, beyond any key ending in "layer_types".
PER_LAYER_KEYS = ("no_rope_layers",)


def _per_layer_keys(config: Any, depth: int) -> list[str]:
    keys = []
    for key, value in vars(config).items():
        per_layer = key.endswith("layer_types") or key in PER_LAYER_KEYS
        if per_layer and isinstance(value, (list, tuple)) and len(value) == depth:
            keys.append(key)
    return keys


def rebuild_config(
    config: Any, plan: Plan, stack: LayerStack, source_configs: dict[str, Any]
) -> None:
    """Rewrite ``config`` (the new model's own copy) for the plan's stack, position by position.

    ``source_configs`` maps "base"/"donor" to the configs the layers come from, so a donor
    layer keeps the donor's per-layer entries.
    """
    old_depth = getattr(source_configs["base"], stack.depth_key)
    for key in _per_layer_keys(source_configs["base"], old_depth):
        rebuilt = [_lookup(source_configs, s.model, key, s.index) for s in plan.sources]
        setattr(config, key, rebuilt)
    if isinstance(getattr(config, "max_window_layers", None), int):
        # Qwen2: "the first max_window_layers layers use full attention". After surgery this
        # is the length of the leading run of positions whose source layer was one of those.
        prefix = 0
        for s in plan.sources:
            if s.index >= getattr(source_configs[s.model], "max_window_layers", 0):
                break
            prefix += 1
        config.max_window_layers = prefix
    setattr(config, stack.depth_key, plan.depth)
    if hasattr(config, "validate_layer_type"):
        config.validate_layer_type()


def _lookup(configs: dict[str, Any], model: str, key: str, index: int) -> Any:
    values = getattr(configs[model], key, None) or getattr(configs["base"], key)
    return values[index]


def renumber_layers(layers: nn.ModuleList) -> None:
    """Give every submodule with a ``layer_idx`` its new position (and GPT-2 its scaling)."""
    for position, layer in enumerate(layers):
        for module in layer.modules():
            if hasattr(module, "layer_idx"):
                module.layer_idx = position
            if getattr(module, "scale_attn_by_inverse_layer_idx", False):
                _rescale_gpt2(module, position)


def _rescale_gpt2(attention: nn.Module, position: int) -> None:
    # Mirrors GPT2Attention.__init__, which bakes the index into `scaling` once.
    scaling = attention.head_dim**-0.5 if attention.scale_attn_weights else 1.0
    attention.scaling = scaling / float(position + 1)


def refresh_model_flags(model: nn.Module) -> None:
    """Recompute flags some models derive from ``layer_types`` once at construction."""
    for module in model.modules():
        if hasattr(module, "has_sliding_layers") and hasattr(module, "config"):
            types = getattr(module.config, "layer_types", None) or []
            module.has_sliding_layers = "sliding_attention" in types
