"""Materialise a surgically altered model and write an ordinary transformers checkpoint."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .families import find_layer_stack


def materialize(model: nn.Module) -> nn.Module:
    """A copy of ``model`` in which no tensor is shared between two layer positions.

    ``save_pretrained`` refuses tensors shared in ways the model class does not declare; a
    shared-mode stack shares freely, so every repeated use of a tensor gets its own copy.
    Declared ties outside the stack (embeddings and lm_head) are left as they are.
    """
    new = copy.deepcopy(model)
    seen: set[int] = set()
    with torch.no_grad():
        for layer in find_layer_stack(new).layers:
            for module in layer.modules():
                for name, param in list(module._parameters.items()):
                    if param is None:
                        continue
                    if id(param) in seen:
                        module._parameters[name] = nn.Parameter(
                            param.detach().clone(), requires_grad=param.requires_grad
                        )
                    seen.add(id(module._parameters[name]))
    return new


def save_model(model: nn.Module, out_dir: str | Path, tokenizer: Any | None = None) -> Path:
    """Write ``model`` (any memory mode) to ``out_dir`` so ``from_pretrained`` reloads it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plain = materialize(model)
    _drop_gguf_quantization(plain)
    plain.save_pretrained(out)
    if tokenizer is not None:
        tokenizer.save_pretrained(out)
    return out


def _drop_gguf_quantization(model: nn.Module) -> None:
    """Forget that a model came from GGUF once its weights are plain dequantised tensors.

    transformers' GGUF loader (for most architectures) dequantises every tensor into ordinary
    float modules but still marks the model as GGUF-quantised, which save_pretrained refuses.
    """
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None or _quant_method(quantizer.quantization_config) != "gguf":
        return
    if getattr(quantizer, "supported", False):
        raise ValueError(
            "this GGUF model keeps packed quantised weights; load it dequantised to save it"
        )
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _quant_method(config: Any) -> str | None:
    method = config.get("quant_method") if isinstance(config, dict) else config.quant_method
    return getattr(method, "value", method)
