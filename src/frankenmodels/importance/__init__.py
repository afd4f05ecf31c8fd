"""Training-free layer importance and how well it ranks layers against measured gains.

Quick use::

    from frankenmodels.importance import layer_signals, rank_agreement
    signals = layer_signals(model, tokenizer, texts, token="all")   # "last" for causal LMs
    agreement = rank_agreement(signals.set_index("layer")["block_influence"], gains)  # layer x seed
"""

from .agreement import Agreement, rank_agreement, spearman
from .signals import TOKENS, layer_cosines, layer_signals, selected_tokens

__all__ = [
    "TOKENS",
    "Agreement",
    "layer_cosines",
    "layer_signals",
    "rank_agreement",
    "selected_tokens",
    "spearman",
]
