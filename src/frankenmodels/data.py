"""Load a text-classification data set from the hub, local files or the generator, and check it.

Every source ends as the same canonical frame: a `text` column (str), for sentence-pair tasks
a `text_pair` column (str) after it, and a `label` column (int, 0 … num_labels-1), written once
as parquet so later rules never see the source format.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.synthetic import generate_sentiment

SPLITS = ("train", "validation")
BOM = "\ufeff"


class DataError(ValueError):
    """A data set that cannot be used as configured; the message names the file and the fix."""


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a TSV, CSV or parquet file, chosen by its extension."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (check data.local.dir and the file names)")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in {".tsv", ".tab"}:
        # GLUE's TSVs contain bare quote characters inside sentences: no quoting at all.
        return pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8-sig")
    if suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig")
    raise DataError(f"{path}: unknown format {suffix!r} (use .tsv, .csv or .parquet)")


def _nonempty(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A header without rows is a truncated or placeholder file: say so before any work."""
    if frame.empty:
        raise DataError(
            f"{path}: has a header but no rows; replace it with the full split "
            "(see data.local.dir and the file names)"
        )
    return frame


def _unmarked(name: Any) -> Any:
    """A column name without a leading byte-order mark (a BOM never breaks a column match)."""
    return name.lstrip(BOM) if isinstance(name, str) else name


def _check_columns(frame: pd.DataFrame, origin: str, named: dict[str, str | None]) -> None:
    """Every configured column (`named`: config key -> column) is present, or one line says
    which is missing and which columns there are."""
    for key, column in named.items():
        if column is not None and column not in frame.columns:
            raise DataError(
                f"{origin}: column {column!r} not found (columns are {list(frame.columns)}); "
                f"set data.{key}"
            )


def _texts(frame: pd.DataFrame, column: str, origin: str) -> pd.Series:
    text = frame[column]
    empty = text.isna() | (text.astype(str).str.strip() == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataError(f"{origin}: column {column!r} row {row} is empty")
    return text.astype(str)


def canonicalise(
    frame: pd.DataFrame,
    *,
    origin: str,
    text_column: str,
    label_column: str,
    num_labels: int,
    label_map: dict[str, int] | None = None,
    text_pair_column: str | None = None,
) -> pd.DataFrame:
    """Return `text`/`label` columns (`text`/`text_pair`/`label` for a sentence-pair task), or
    raise naming `origin` and the faulty column."""
    frame = frame.rename(columns=_unmarked)
    text_column, label_column = _unmarked(text_column), _unmarked(label_column)
    text_pair_column = _unmarked(text_pair_column)
    _check_columns(
        frame,
        origin,
        {
            "text_column": text_column,
            "text_pair_column": text_pair_column,
            "label_column": label_column,
        },
    )
    labels = frame[label_column]
    if label_map:
        unknown = sorted(set(labels.astype(str)) - set(label_map))
        if unknown:
            raise DataError(f"{origin}: labels {unknown[:5]} are missing from data.label_map")
        labels = labels.astype(str).map(label_map)
    numeric = pd.to_numeric(labels, errors="coerce")
    bad = numeric.isna() | (numeric % 1 != 0) | (numeric < 0) | (numeric >= num_labels)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{origin}: column {label_column!r} row {row} has label {labels.tolist()[row]!r}; "
            f"expected an integer in 0..{num_labels - 1} (or set data.label_map)"
        )
    texts = {"text": _texts(frame, text_column, origin)}
    if text_pair_column is not None:
        texts["text_pair"] = _texts(frame, text_pair_column, origin)
    return pd.DataFrame({**texts, "label": numeric.astype("int64")})


def load_splits(data: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The configured train and validation splits in canonical form."""
    source = data["source"]
    common = dict(
        text_column=data["text_column"],
        label_column=data["label_column"],
        num_labels=data["num_labels"],
        label_map=data.get("label_map"),
        text_pair_column=data.get("text_pair_column"),
    )
    if source == "synthetic":
        generated = generate_sentiment(**data["synthetic"])
        return {
            split: canonicalise(frame, origin=f"synthetic {split}", **common)
            for split, frame in generated.items()
        }
    if source == "local":
        local = data["local"]
        paths = {split: Path(local["dir"]) / local[split] for split in SPLITS}
        return {
            split: canonicalise(_nonempty(read_table(path), path), origin=str(path), **common)
            for split, path in paths.items()
        }
    if source == "hub":
        return {split: _load_from_hub(data["hub"], split, common) for split in SPLITS}
    raise DataError(f"data.source must be hub, local or synthetic, not {source!r}")


def _load_from_hub(hub: dict[str, Any], split: str, common: dict[str, Any]) -> pd.DataFrame:
    import datasets  # imported here: only the hub path needs it

    split_name = hub[f"{split}_split"]
    origin = f"hub {hub['path']}/{hub.get('name') or ''} split {split_name}"
    try:
        loaded = datasets.load_dataset(hub["path"], hub.get("name"), split=split_name)
    except Exception as error:  # the hub raises many kinds; all mean the same to the user
        raise DataError(
            f"{origin}: could not be loaded ({type(error).__name__}: {error}); "
            "without internet, use data.source: local with data.local.dir"
        ) from error
    return canonicalise(loaded.to_pandas(), origin=origin, **common)


def carve_splits(
    train: pd.DataFrame,
    validation: pd.DataFrame,
    *,
    train_subset: int | None,
    selection_size: int,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """Split off a fixed, seeded selection set from train, then subsample what is left.

    The selection set is disjoint from the training examples and from validation, so a
    layer chosen on it can be tested on validation without peeking.
    """
    if selection_size + (train_subset or 0) > len(train):
        raise DataError(
            f"data.selection_size ({selection_size}) + data.train_subset ({train_subset}) "
            f"exceed the {len(train)} training examples"
        )
    order = np.random.default_rng(seed).permutation(len(train))
    selection = train.iloc[order[:selection_size]]
    rest = order[selection_size:]
    if train_subset:
        rest = rest[:train_subset]
    return {
        "train": train.iloc[np.sort(rest)].reset_index(drop=True),
        "selection": selection.reset_index(drop=True),
        "validation": validation.reset_index(drop=True),
    }
