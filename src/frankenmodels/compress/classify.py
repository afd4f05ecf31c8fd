"""IMDb sentiment on one variant of the compress study: the model's own sequence-classification
class, trained with the project's classification loop and scored on held-out reviews.

A decoder's classifier (``LlamaForSequenceClassification`` and the others built on
transformers' ``GenericForSequenceClassification``, and ``GPT2ForSequenceClassification``;
read in transformers 5.23) scores the hidden state of the rightmost token whose id is not
``config.pad_token_id``. The project's batches are right-padded, so that is each review's last
real token, which has attended to the whole review (causal attention). ``load_classifier``
gives a tokenizer without a pad token (GPT-2) its EOS as pad and the config the same id, so
padding and pooling agree; without a pad id the class refuses batches of more than one.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from frankenmodels.compress.variants import training_inputs
from frankenmodels.evaluation.predict import predict_logits
from frankenmodels.metrics import classification_metrics
from frankenmodels.models import load_classifier
from frankenmodels.runtime import seed_everything, select_device
from frankenmodels.surgery import Plan, apply_plan, find_layer_stack
from frankenmodels.training import TrainingSettings, finetune
from frankenmodels.training.resume import resume_file as keyed_resume_file

NUM_LABELS = 2  # IMDb: negative, positive


def classification_settings(settings: Mapping[str, Any]) -> TrainingSettings:
    """The loop's settings from the config's ``classification`` section (method full)."""
    return TrainingSettings.from_section(settings, method="full")


def load_variant_classifier(
    model_dir: str | Path, variant_params: Mapping[str, Any], seed: int, dtype: str
):
    """(tokenizer, classifier) of one variant: a new head initialised from ``seed`` (seeded
    before loading), the plan applied in ``copy`` mode so every position trains on its own."""
    seed_everything(seed)
    tokenizer, base = load_classifier(model_dir, NUM_LABELS)
    # The surgery library finds the stack under the classifier too (model.layers, transformer.h).
    model = apply_plan(
        base.to(getattr(torch, dtype)), Plan.from_dict(variant_params["plan"]), mode="copy"
    )
    del base
    gc.collect()
    return tokenizer, model


def run_classification(
    model_dir: str | Path,
    variant_params: Mapping[str, Any],
    seed: int,
    *,
    dtype: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    settings: Mapping[str, Any],
    device: str = "auto",
    resume_file: Path | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """(record, predictions) of one variant trained with one seed.

    ``train`` and ``test`` have ``doc``, ``text`` and ``label`` (0/1); their first
    ``train_examples`` and ``test_examples`` rows are used (the partitions may hold more).
    ``predictions`` has ``doc``, ``label`` and ``prediction`` for every test review. An
    interrupted run keeps its state beside ``resume_file``, named from everything that changes
    the run, and deleted once the run has finished.
    """
    selected = select_device(device)
    train = train.head(settings.get("train_examples", len(train)))
    test = test.head(settings.get("test_examples", len(test)))
    if train.empty or test.empty:
        raise ValueError("classification needs training and test reviews; a partition is empty")
    training = classification_settings(settings)
    state = None
    if resume_file is not None:
        key = {"file": Path(resume_file).name, "variant": dict(variant_params)}
        key |= {"train": len(train), "dtype": dtype}
        key |= training_inputs(model_dir, train)
        state = keyed_resume_file(Path(resume_file).parent, seed, training, str(model_dir), key)
    tokenizer, model = load_variant_classifier(model_dir, variant_params, seed, dtype)
    _, summary = finetune(
        model, tokenizer, train[["text", "label"]], training, seed, selected, state
    )
    logits = predict_logits(
        model, tokenizer, list(test["text"]), training.batch_size, training.max_length, selected
    )
    predictions = pd.DataFrame(
        {
            "doc": test["doc"].to_numpy(),
            "label": test["label"].to_numpy(dtype="int64"),
            "prediction": logits.argmax(axis=1).astype("int64"),
        }
    )
    scores = classification_metrics(
        predictions["label"].to_numpy(), predictions["prediction"].to_numpy(), NUM_LABELS
    )
    record = {
        "variant": variant_params["name"],
        "seed": seed,
        "depth": len(find_layer_stack(model)),
        "accuracy": scores["accuracy"],
        "f1": scores["f1_binary"],
        "f1_weighted": scores["f1_weighted"],
        "test_examples": len(test),
        "training": summary,
    }
    if state is not None:
        state.unlink(missing_ok=True)
    return record, predictions
