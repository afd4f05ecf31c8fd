"""Load a model (and its tokenizer) from a local folder, plain or GGUF, for the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import transformers
from torch import nn


def load_model(source: str | Path, gguf_file: str | None = None) -> nn.Module:
    """Load with the class the config names (``architectures``); GGUF files are decoders.

    Using the named class keeps heads (``lm_head``, pooler) that a bare AutoModel would drop.
    """
    kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
    config = transformers.AutoConfig.from_pretrained(source, **kwargs)
    names = getattr(config, "architectures", None) or []
    cls = next((getattr(transformers, n) for n in names if hasattr(transformers, n)), None)
    if cls is None:
        cls = transformers.AutoModelForCausalLM if gguf_file else transformers.AutoModel
    model = cls.from_pretrained(source, **kwargs)
    model.eval()
    return model


def load_tokenizer(source: str | Path, gguf_file: str | None = None) -> Any | None:
    """The tokenizer next to the weights, or None where the folder has none."""
    kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
    try:
        return transformers.AutoTokenizer.from_pretrained(source, **kwargs)
    except (OSError, ValueError, TypeError, KeyError):
        return None
