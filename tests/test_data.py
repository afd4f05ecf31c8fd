"""Loading, checking and splitting data sets."""

from pathlib import Path

import pandas as pd
import pytest

from frankenmodels.data import DataError, canonicalise, carve_splits, load_splits, read_table

SHARED_SST2 = Path(__file__).resolve().parents[2] / "shared" / "data" / "sst2"


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
