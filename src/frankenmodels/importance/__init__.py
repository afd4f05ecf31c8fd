"""Training-free layer importance and how well it ranks layers against measured gains.

Quick use::

    from frankenmodels.importance import layer_signals, rank_agreement
    signals = layer_signals(model, tokenizer, texts, token="all")   # "last" for causal LMs
    agreement = rank_agreement(signals.set_index("layer")["block_influence"], gains)  # layer x seed
"""

from typing import TYPE_CHECKING

from frankenmodels.lazy import lazy_attributes

# Each name is loaded on first use: a job imports only the modules it runs (its code inputs),
# so an edit of the agreement statistics does not rerun the forward passes of the signals.
_LAZY = {
    "Agreement": ".agreement",
    "rank_agreement": ".agreement",
    "signal_agreement": ".agreement",
    "spearman": ".agreement",
    "TOKENS": ".signals",
    "layer_cosines": ".signals",
    "layer_signals": ".signals",
    "selected_tokens": ".signals",
}

if TYPE_CHECKING:
    from .agreement import Agreement, rank_agreement, signal_agreement, spearman
    from .signals import TOKENS, layer_cosines, layer_signals, selected_tokens

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "Agreement",
    "TOKENS",
    "layer_cosines",
    "layer_signals",
    "rank_agreement",
    "selected_tokens",
    "signal_agreement",
    "spearman",
]
