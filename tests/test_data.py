"""Loading, checking and splitting data sets."""

import sys
import types
from pathlib import Path

import pandas as pd
import pytest
import yaml

from frankenmodels.config import check_schema, load_schema
from frankenmodels.data import DataError, canonicalise, carve_splits, load_splits, read_table

ROOT = Path(__file__).resolve().parents[1]
SHARED_SST2 = ROOT.parent / "shared" / "data" / "sst2"
SHARED_MRPC = ROOT.parent / "shared" / "data" / "mrpc"


def _frame(labels, texts=None):
    texts = texts or [f"sentence {i}" for i in range(len(labels))]
    return pd.DataFrame({"sentence": texts, "label": labels})


def test_canonical_columns_and_types():
    out = canonicalise(
        _frame([0, 1, 1]), origin="x", text_column="sentence", label_column="label", num_labels=2
    )
    assert list(out.columns) == ["text", "label"]
    assert out["label"].dtype == "int64"


def test_missing_column_names_file_and_column():
    with pytest.raises(DataError, match=r"train\.tsv: column 'text' not found.*data.text_column"):
        canonicalise(
            _frame([0]), origin="train.tsv", text_column="text", label_column="label", num_labels=2
        )


def test_bad_label_names_row_and_value():
    with pytest.raises(DataError, match=r"dev\.tsv: column 'label' row 1 has label 7"):
        canonicalise(
            _frame([0, 7]),
            origin="dev.tsv",
            text_column="sentence",
            label_column="label",
            num_labels=2,
        )


def test_string_labels_need_a_map():
    frame = _frame(["positive", "negative"])
    with pytest.raises(DataError, match="data.label_map"):
        canonicalise(
            frame, origin="imdb", text_column="sentence", label_column="label", num_labels=2
        )
    out = canonicalise(
        frame,
        origin="imdb",
        text_column="sentence",
        label_column="label",
        num_labels=2,
        label_map={"negative": 0, "positive": 1},
    )
    assert out["label"].tolist() == [1, 0]


def test_empty_text_is_refused():
    with pytest.raises(DataError, match="row 1 is empty"):
        canonicalise(
            _frame([0, 1], ["fine", "  "]),
            origin="x",
            text_column="sentence",
            label_column="label",
            num_labels=2,
        )


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "absent.tsv")
    (tmp_path / "data.xlsx").write_text("x")
    with pytest.raises(DataError, match="unknown format"):
        read_table(tmp_path / "data.xlsx")


def test_local_file_with_a_header_and_no_rows_is_named(tmp_path):
    (tmp_path / "train.tsv").write_text("sentence\tlabel\nfine\t1\n")
    (tmp_path / "dev.tsv").write_text("sentence\tlabel\n")
    data = {
        "source": "local",
        "local": {"dir": str(tmp_path), "train": "train.tsv", "validation": "dev.tsv"},
        "text_column": "sentence",
        "label_column": "label",
        "num_labels": 2,
    }
    with pytest.raises(DataError, match=r"dev\.tsv: has a header but no rows"):
        load_splits(data)


def test_selection_is_disjoint_seeded_and_sized():
    train = _frame([i % 2 for i in range(100)]).rename(columns={"sentence": "text"})
    validation = _frame([0, 1]).rename(columns={"sentence": "text"})
    first = carve_splits(train, validation, train_subset=30, selection_size=20, seed=3)
    again = carve_splits(train, validation, train_subset=30, selection_size=20, seed=3)
    assert len(first["train"]) == 30 and len(first["selection"]) == 20
    assert set(first["train"]["text"]).isdisjoint(first["selection"]["text"])
    pd.testing.assert_frame_equal(first["selection"], again["selection"])
    with pytest.raises(DataError, match="exceed"):
        carve_splits(train, validation, train_subset=90, selection_size=20, seed=3)


def test_synthetic_source_is_deterministic():
    spec = dict(
        source="synthetic",
        text_column="sentence",
        label_column="label",
        num_labels=2,
        synthetic=dict(train_size=50, validation_size=20, label_noise=0.1, seed=4),
    )
    first, second = load_splits(spec), load_splits(spec)
    pd.testing.assert_frame_equal(first["train"], second["train"])
    assert set(first["train"]["label"]) == {0, 1}


@pytest.mark.skipif(not SHARED_SST2.is_dir(), reason="the shared GLUE SST-2 copy is not here")
def test_local_glue_sst2_reads_every_row():
    spec = dict(
        source="local",
        text_column="sentence",
        label_column="label",
        num_labels=2,
        local=dict(dir=str(SHARED_SST2), train="train.tsv", validation="dev.tsv"),
    )
    splits = load_splits(spec)
    assert len(splits["train"]) == 67349
    assert len(splits["validation"]) == 872
    assert splits["validation"]["label"].value_counts().to_dict() == {1: 444, 0: 428}


# ----- sentence pairs -------------------------------------------------------------------------

PAIRS = dict(
    text_column="sentence1", text_pair_column="sentence2", label_column="label", num_labels=2
)


def _pairs(labels):
    return pd.DataFrame(
        {
            "sentence1": [f"first {i}" for i in range(len(labels))],
            "sentence2": [f"second {i}" for i in range(len(labels))],
            "label": labels,
        }
    )


def _local_mrpc_overlay():
    """config/local-mrpc.yaml's data section, its relative folder read from the repository."""
    data = yaml.safe_load((ROOT / "config" / "local-mrpc.yaml").read_text())["data"]
    data["local"]["dir"] = str(ROOT / data["local"]["dir"])
    return data


def test_pairs_keep_both_texts_in_order():
    out = canonicalise(_pairs([1, 0]), origin="x", **PAIRS)
    assert list(out.columns) == ["text", "text_pair", "label"]
    assert out.loc[1, "text"] == "first 1" and out.loc[1, "text_pair"] == "second 1"


def test_missing_pair_column_is_one_line_naming_it_and_the_columns():
    frame = _pairs([0]).drop(columns="sentence2").rename(columns={"label": "\ufeffQuality"})
    with pytest.raises(DataError) as raised:
        canonicalise(frame, origin="dev.tsv", **{**PAIRS, "label_column": "Quality"})
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        "dev.tsv: column 'sentence2' not found (columns are ['sentence1', 'Quality']); "
        "set data.text_pair_column"
    )


def test_empty_second_text_is_refused():
    frame = _pairs([0, 1])
    frame.loc[1, "sentence2"] = " "
    with pytest.raises(DataError, match="column 'sentence2' row 1 is empty"):
        canonicalise(frame, origin="x", **PAIRS)


def test_byte_order_mark_never_breaks_a_column_match():
    # A BOM on the frame's header (a parquet or hub frame) or on the configured name.
    frame = _pairs([0, 1]).rename(columns={"sentence1": "\ufeffsentence1"})
    out = canonicalise(frame, origin="x", **PAIRS)
    assert out["text"].tolist() == ["first 0", "first 1"]
    out = canonicalise(_pairs([1]), origin="x", **{**PAIRS, "text_column": "\ufeffsentence1"})
    assert out["text"].tolist() == ["first 0"]


@pytest.mark.parametrize(("name", "sep"), [("train.tsv", "\t"), ("train.csv", ",")])
def test_byte_order_mark_in_a_local_header_still_matches(tmp_path, name, sep):
    rows = ["sentence1", "sentence2", "label"], ["a 'quoted\" one", "b", "1"], ["c", "d", "0"]
    text = "\ufeff" + "".join(sep.join(row) + "\n" for row in rows)
    (tmp_path / name).write_text(text.replace('"', "") if sep == "," else text, encoding="utf-8")
    local = {"dir": str(tmp_path), "train": name, "validation": name}
    splits = load_splits({"source": "local", "local": local, **PAIRS})
    assert splits["train"]["label"].tolist() == [1, 0]
    assert splits["train"]["text_pair"].tolist() == ["b", "d"]


def test_hub_pairs_load_through_datasets(monkeypatch):
    """GLUE's mrpc from the hub (sentence1, sentence2, label, idx), datasets replaced by a fake."""
    calls = []

    def load_dataset(path, name, split):
        calls.append((path, name, split))
        frame = _pairs([1, 0, 1]).assign(idx=range(3))
        return types.SimpleNamespace(to_pandas=lambda: frame)

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    hub = {"path": "glue", "name": "mrpc", "train_split": "train", "validation_split": "validation"}
    splits = load_splits({"source": "hub", "hub": hub, **PAIRS})
    assert calls == [("glue", "mrpc", "train"), ("glue", "mrpc", "validation")]
    assert list(splits["validation"].columns) == ["text", "text_pair", "label"]
    assert splits["train"]["text_pair"].tolist() == ["second 0", "second 1", "second 2"]


def test_single_text_configs_have_no_pair_column():
    out = load_splits(
        dict(
            source="synthetic",
            text_column="sentence",
            text_pair_column=None,
            label_column="label",
            num_labels=2,
            synthetic=dict(train_size=20, validation_size=10),
        )
    )
    assert list(out["train"].columns) == ["text", "label"]


def test_local_mrpc_overlay_passes_the_schema_over_cpu():
    config = yaml.safe_load((ROOT / "config" / "cpu.yaml").read_text())
    config["data"].update(yaml.safe_load((ROOT / "config" / "local-mrpc.yaml").read_text())["data"])
    check_schema(config, load_schema(ROOT / "workflow/schemas/config.schema.yaml"))
    assert config["data"]["text_pair_column"] == "#2 String"


@pytest.mark.skipif(not SHARED_MRPC.is_dir(), reason="the shared MRPC copy is not here")
def test_local_mrpc_reads_every_pair_through_the_overlay():
    """The original MRPC files: a BOM before `Quality`, bare quotes inside sentences."""
    splits = load_splits({**_local_mrpc_overlay(), "num_labels": 2})
    train, validation = splits["train"], splits["validation"]
    assert (len(train), len(validation)) == (3668, 408)
    assert train["label"].value_counts().to_dict() == {1: 2474, 0: 1194}
    assert validation["label"].value_counts().to_dict() == {1: 279, 0: 129}
    assert list(train.columns) == ["text", "text_pair", "label"]
    first = train.iloc[0]
    assert first["text"].startswith('Amrozi accused his brother, whom he called "the witness"')
    assert first["text_pair"].startswith('Referring to him as only "the witness", Amrozi')
    assert first["label"] == 1
