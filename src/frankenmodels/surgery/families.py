"""Find the stack of transformer layers inside a model, from its module structure.

Supported layouts (tried in this order, first match wins):

* Llama / Mistral / Qwen-style decoders: ``model.layers`` (or ``layers`` on the bare model)
* GPT-2: ``transformer.h`` (or ``h``)
* BERT-like encoders (BERT, MiniLM, RoBERTa, ...): ``<prefix>.encoder.layer`` or ``encoder.layer``
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from .plan import PlanError

# (family, dotted paths tried, names of the feed-forward submodules inside one layer)
_LAYOUTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("decoder", ("model.layers", "layers"), ("mlp",)),
    ("gpt2", ("transformer.h", "h"), ("mlp",)),
    # BERT's FFN sublayer is `intermediate` (up-projection) plus `output` (down-projection with
    # its post-residual LayerNorm); `attention.output` belongs to attention and is not included.
    ("encoder", ("{prefix}.encoder.layer", "encoder.layer"), ("intermediate", "output")),
)


class UnsupportedModelError(PlanError):
    """The model has no layer stack in any of the layouts this library knows."""


@dataclass(frozen=True)
class LayerStack:
    """Where a model keeps its layers, and how its config names the depth."""

    family: str  # "decoder" (Llama/Mistral/Qwen), "gpt2" or "encoder" (BERT-like)
    path: str  # dotted path from the model root, e.g. "model.layers"
    parent: nn.Module  # the module that owns the ModuleList
    attribute: str  # the ModuleList's attribute name on `parent`
    depth_key: str  # config attribute holding the layer count: "num_hidden_layers" or "n_layer"
    ffn_modules: tuple[str, ...]  # child names of one layer that form its feed-forward sublayer

    @property
    def layers(self) -> nn.ModuleList:
        return getattr(self.parent, self.attribute)

    def __len__(self) -> int:
        return len(self.layers)


def _resolve(root: nn.Module, path: str) -> tuple[nn.Module, str] | None:
    """Return (parent, attribute) if ``path`` names a ModuleList under ``root``."""
    *parents, attribute = path.split(".")
    node: object = root
    for name in parents:
        node = getattr(node, name, None)
        if not isinstance(node, nn.Module):
            return None
    if isinstance(getattr(node, attribute, None), nn.ModuleList):
        return node, attribute  # type: ignore[return-value]
    return None


def depth_key(config: object) -> str:
    """The attribute that really stores the depth (GPT-2 aliases num_hidden_layers to n_layer)."""
    attribute_map = getattr(config, "attribute_map", {}) or {}
    return attribute_map.get("num_hidden_layers", "num_hidden_layers")


def find_layer_stack(model: nn.Module) -> LayerStack:
    """Locate the layer stack of ``model``; raise UnsupportedModelError naming what was tried."""
    prefix = getattr(model, "base_model_prefix", "") or "bert"
    tried: list[str] = []
    for family, paths, ffn in _LAYOUTS:
        for template in paths:
            path = template.format(prefix=prefix)
            tried.append(path)
            found = _resolve(model, path)
            if found is not None and len(getattr(*found)) > 0:
                parent, attribute = found
                key = depth_key(getattr(model, "config", None))
                return LayerStack(family, path, parent, attribute, key, ffn)
    raise UnsupportedModelError(
        f"unsupported model {type(model).__name__}: no nn.ModuleList of layers at any of "
        f"{', '.join(tried)} (Llama/Mistral/Qwen, GPT-2 and BERT-like layouts)"
    )


def ffn_parameter_names(layer: nn.Module, stack: LayerStack) -> list[str]:
    """Names (relative to ``layer``) of the parameters in its feed-forward sublayer."""
    names = [n for n, _ in layer.named_parameters() if n.split(".", 1)[0] in stack.ffn_modules]
    if not names:
        raise PlanError(
            f"no feed-forward parameters under {stack.ffn_modules} in {type(layer).__name__}"
        )
    return names
