"""Tiny random models of each supported family, and helpers shared by the surgery tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertModel,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    MistralConfig,
    MistralForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

VOCAB = 64
DEPTH = 4
DECODERS = ("llama", "gpt2", "qwen2", "mistral")
FAMILIES = (*DECODERS, "bert")


def tiny_model(family: str, attn: str = "sdpa", seed: int = 0, depth: int = DEPTH, **extra):
    """A 4-layer, 32-wide random model in eval mode; deterministic for a given seed."""
    torch.manual_seed(seed)
    common = dict(vocab_size=VOCAB, hidden_size=32, num_attention_heads=4, num_hidden_layers=depth)
    decoder = dict(common, intermediate_size=48, num_key_value_heads=2)
    if family == "llama":
        model = LlamaForCausalLM(LlamaConfig(**{**decoder, **extra}))
    elif family == "mistral":
        model = MistralForCausalLM(MistralConfig(**{**decoder, "sliding_window": None, **extra}))
    elif family == "qwen2":
        # Half the layers slide, over a window shorter than the test prompts: exercises
        # layer_types, max_window_layers and the sliding mask.
        sliding = dict(use_sliding_window=True, sliding_window=3, max_window_layers=depth // 2)
        model = Qwen2ForCausalLM(Qwen2Config(**{**decoder, **sliding, **extra}))
    elif family == "gpt2":
        gpt2 = dict(vocab_size=VOCAB, n_embd=32, n_head=4, n_layer=depth, n_positions=64)
        model = GPT2LMHeadModel(GPT2Config(**{**gpt2, **extra}))
    elif family == "bert":
        bert = dict(common, intermediate_size=48, max_position_embeddings=64)
        model = BertModel(BertConfig(**{**bert, **extra}))
    else:
        raise ValueError(family)
    model.set_attn_implementation(attn)
    return model.eval()


def output(model, ids: torch.Tensor) -> torch.Tensor:
    """Logits for decoders, last hidden state for encoders; no cache."""
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=False) if _is_decoder(model) else model(ids)
    return out.logits if hasattr(out, "logits") else out.last_hidden_state


def _is_decoder(model) -> bool:
    return hasattr(model, "generate") and hasattr(model, "lm_head")


def greedy_no_cache(model, ids: torch.Tensor, steps: int) -> torch.Tensor:
    """Greedy decoding by full forward passes: the reference the KV cache must reproduce."""
    for _ in range(steps):
        logits = output(model, ids)
        ids = torch.cat([ids, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    return ids


def greedy_cached(model, ids: torch.Tensor, steps: int) -> torch.Tensor:
    with torch.no_grad():
        return model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=steps,
            min_new_tokens=steps,
            do_sample=False,
            use_cache=True,
            pad_token_id=0,
        )


def installed_file(package: str, suffix: str) -> Path | None:
    """A data file shipped inside an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).glob(f"*{suffix}")):
            return path
    return None


# ----- shared model cache and plan strategies for property-based tests -------------------------
_MODELS: dict = {}


def cached_model(family: str, attn: str = "sdpa", **extra):
    """One tiny model per (family, attention, extras); tests must not modify it."""
    key = (family, attn, tuple(sorted(extra.items())))
    if key not in _MODELS:
        _MODELS[key] = tiny_model(family, attn, **extra)
    return _MODELS[key]


def plan_strategy(depth: int = DEPTH, max_len: int = 7, averages: bool = True):
    """Random plans: 1..max_len positions of plain layers, sometimes an averaged group."""
    from hypothesis import strategies as st

    from frankenmodels.surgery import LayerSource, Plan

    plain = st.integers(0, depth - 1).map(LayerSource)
    options = [plain]
    if averages:

        @st.composite
        def averaged(draw):
            start = draw(st.integers(0, depth - 2))
            n = draw(st.integers(2, depth - start))
            group = tuple(range(start, start + n))
            scope = draw(st.sampled_from(["block", "ffn"]))
            return LayerSource(draw(st.sampled_from(group)), average=group, scope=scope)

        options.append(averaged())
    return st.lists(st.one_of(*options), min_size=1, max_size=max_len).map(
        lambda sources: Plan(tuple(sources))
    )
