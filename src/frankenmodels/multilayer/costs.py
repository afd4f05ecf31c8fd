"""What an action costs, counted from the model's config: parameters and FLOPs per token.

Counting rather than timing keeps the chosen plans (and so the workflow's DAG) free of timing
noise; measured latency is reported after the choice. FLOPs per token of one layer are

    2 * (weights of its matrix multiplications)  +  4 * seq_len * d_attn

the first term is two FLOPs (multiply and add) per weight, the second the attention scores
(``Q K^T``) and the weighted sum of values, each ``seq_len * d_attn`` multiply-accumulates per
token, with ``d_attn = heads * head_dim``; biases, norms, softmax and activations are left
out. For a causal decoder it is the cost of the last token of a ``seq_len`` context, an upper
bound on the mean. Embeddings are lookups (no FLOPs); a classifier head runs once per sequence,
so its FLOPs are spread over ``seq_len`` tokens; an LM head runs on every token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .actions import DELETE


@dataclass(frozen=True)
class ModelCost:
    """Counts for one model: a single layer, and the whole model (embeddings, layers, head).

    Every layer of these architectures has the same shape, so one layer stands for all.
    """

    num_layers: int
    layer_params: int
    layer_flops: int  # per token
    params: int
    flops: float  # per token (a classifier head's share is fractional)

    @property
    def layer_params_pct(self) -> float:
        """Change of effective parameters, in % of the model, per layer added."""
        return 100.0 * self.layer_params / self.params

    @property
    def layer_flops_pct(self) -> float:
        return 100.0 * self.layer_flops / self.flops

    def layers_worth(self, n: float) -> float:
        """A parameter budget of ``n`` layers, in % (e.g. ``-2`` for two layers' worth)."""
        return n * self.layer_params_pct


def _get(config: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    if default is None:
        raise ValueError(f"config has none of {names}: cannot count its costs")
    return default


def _encoder(c: Any, h: int, seq_len: int) -> tuple[int, int, int, float]:
    """BERT-like: biased Q, K, V, O and FFN; LayerNorms after attention and FFN; a pooler plus
    a classifier, run once per sequence (RoBERTa's dense + out_proj head counts the same)."""
    inter, labels = c.intermediate_size, c.num_labels
    matrices = 4 * h * h + 2 * h * inter
    layer = matrices + 4 * h + inter + h + 2 * 2 * h
    positions = c.max_position_embeddings + _get(c, "type_vocab_size", default=0)
    head = h * h + h * labels
    outside = (c.vocab_size + positions) * h + 2 * h + head + h + labels
    return layer, matrices, outside, 2 * head / seq_len


def _gpt2(c: Any, h: int, seq_len: int) -> tuple[int, int, int, float]:
    """GPT-2: fused biased QKV, biased projections, two LayerNorms; a final LayerNorm and an
    LM head tied to the token embeddings unless the config unties it."""
    inter = _get(c, "n_inner", default=4 * h)
    matrices = 4 * h * h + 2 * h * inter
    layer = matrices + 4 * h + inter + h + 2 * 2 * h
    lm = c.vocab_size * h
    outside = (c.vocab_size + c.n_positions) * h + 2 * h + (0 if c.tie_word_embeddings else lm)
    return layer, matrices, outside, 2 * lm


def _decoder(c: Any, h: int, seq_len: int) -> tuple[int, int, int, float]:
    """Llama / Mistral / Qwen2: grouped K, V heads, gated MLP, two RMSNorms, no position
    weights; Qwen2 (and ``attention_bias``) add biases to Q, K, V, ``mlp_bias`` to the MLP."""
    inter, heads = c.intermediate_size, c.num_attention_heads
    kv = _get(c, "num_key_value_heads", default=heads)
    q, k = heads * _head_dim(c, h, heads), kv * _head_dim(c, h, heads)
    matrices = 2 * h * q + 2 * h * k + 3 * h * inter
    qkv_bias = c.model_type == "qwen2" or bool(getattr(c, "attention_bias", False))
    bias = (q + 2 * k) * qkv_bias + (2 * inter + h) * bool(getattr(c, "mlp_bias", False))
    layer = matrices + bias + 2 * h
    lm = c.vocab_size * h
    outside = lm + h + (0 if c.tie_word_embeddings else lm)
    return layer, matrices, outside, 2 * lm


def _head_dim(c: Any, h: int, heads: int) -> int:
    return _get(c, "head_dim", default=h // heads)


# model_type -> counter: (layer params, layer matmul weights, params outside the stack,
# head FLOPs per token)
_FAMILIES: dict[str, Callable[[Any, int, int], tuple[int, int, int, float]]] = {
    "bert": _encoder,
    "roberta": _encoder,
    "xlm-roberta": _encoder,
    "gpt2": _gpt2,
    "llama": _decoder,
    "mistral": _decoder,
    "qwen2": _decoder,
}
COUNTED_MODEL_TYPES = tuple(_FAMILIES)


def count_costs(config: Any, seq_len: int) -> ModelCost:
    """Per-layer and whole-model parameters and FLOPs per token of a transformers config
    (BERT-like encoders with a classification head, GPT-2, Llama/Mistral/Qwen2 with an LM
    head), for sequences of ``seq_len`` tokens."""
    kind = getattr(config, "model_type", None)
    if kind not in _FAMILIES:
        raise ValueError(f"cannot count costs of model_type {kind!r}; known: {sorted(_FAMILIES)}")
    if seq_len < 1:
        raise ValueError(f"seq_len must be >= 1, got {seq_len}")
    h = _get(config, "hidden_size", "n_embd")
    heads = _get(config, "num_attention_heads", "n_head")
    layers = _get(config, "num_hidden_layers", "n_layer")
    layer, matrices, outside, head_flops = _FAMILIES[kind](config, h, seq_len)
    layer_flops = 2 * matrices + 4 * seq_len * heads * _head_dim(config, h, heads)
    return ModelCost(
        num_layers=layers,
        layer_params=layer,
        layer_flops=layer_flops,
        params=outside + layers * layer,
        flops=head_flops + layers * layer_flops,
    )


def action_costs(
    cost: ModelCost, max_copies: int = 1
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """The ILP's cost tables: ``(layer, action) -> %`` change of effective parameters and of
    FLOPs per token, for delete and 1..max_copies extra copies of every layer."""
    actions = [DELETE, *range(1, max_copies + 1)]
    keys = [(i, a) for i in range(cost.num_layers) for a in actions]
    return (
        {key: key[1] * cost.layer_params_pct for key in keys},
        {key: key[1] * cost.layer_flops_pct for key in keys},
    )
