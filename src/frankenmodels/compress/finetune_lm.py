"""Fine-tune one variant of the compress study as a causal LM, then score its perplexity again.

Every variant trains with the project's loop (task ``causal_lm``, method ``full``) on the same
texts, for the same steps, under the same seeds, so the perplexity after fine-tuning shows how
much of a structural change training recovers. The variant is built in ``copy`` mode: each
position of a merged group holds weights of its own, so training moves the copies apart (shared
weights would train as one). The perplexity documents are those scored before fine-tuning, so
the two frames pair document by document.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from frankenmodels.compress.variants import load_variant, training_inputs
from frankenmodels.evaluation.perplexity import document_nll, scoring
from frankenmodels.runtime import select_device
from frankenmodels.stats.perplexity import corpus_perplexity
from frankenmodels.surgery import find_layer_stack
from frankenmodels.training import TrainingSettings, finetune
from frankenmodels.training.resume import resume_file as keyed_resume_file


def lm_settings(lm_training: Mapping[str, Any]) -> TrainingSettings:
    """The loop's settings from the config's ``lm_training`` section; its budget is in steps
    (``finetune(steps=...)``), so ``epochs`` is only the loop's fallback and never reached."""
    return TrainingSettings.from_section(lm_training, epochs=1, method="full")


def run_lm_finetune(
    model_dir: str | Path,
    variant_params: Mapping[str, Any],
    seed: int,
    *,
    dtype: str,
    train: pd.DataFrame,
    documents: Mapping[str, str],
    lm_training: Mapping[str, Any],
    perplexity: Mapping[str, Any],
    device: str = "auto",
    resume_file: Path | None = None,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """(record, nll, history) of one variant fine-tuned with one seed.

    ``train`` has ``doc`` and ``text``; its first ``lm_training["texts"]`` rows are trained on
    (the partition may hold more). ``documents`` maps doc -> text, scored with the settings of
    the config's ``perplexity`` section. An interrupted run keeps its state beside
    ``resume_file``, named from everything that changes the run (a stale state is never resumed
    under new settings), and deleted once the run has finished.
    """
    selected = select_device(device)
    name = variant_params["name"]
    texts = train.head(lm_training.get("texts", len(train)))
    if texts.empty:
        raise ValueError("no texts to fine-tune on: the lm_train partition is empty")
    settings, steps = lm_settings(lm_training), lm_training["steps"]
    state = None
    if resume_file is not None:
        key = {"file": Path(resume_file).name, "variant": dict(variant_params), "steps": steps}
        key |= {"texts": len(texts), "dtype": dtype}
        key |= training_inputs(model_dir, texts)
        state = keyed_resume_file(Path(resume_file).parent, seed, settings, str(model_dir), key)
    model, tokenizer = load_variant(model_dir, dict(variant_params), dtype=dtype, device=selected)
    history, summary = finetune(
        model,
        tokenizer,
        texts[["text"]],
        settings,
        seed,
        selected,
        state,
        steps=steps,
        task="causal_lm",
    )
    model.eval()  # no dropout while scoring
    nll = document_nll(
        model,
        tokenizer,
        dict(documents),
        experiment=name,
        **scoring(perplexity),
    )
    record = {
        "variant": name,
        "seed": seed,
        "depth": len(find_layer_stack(model)),
        "perplexity_after": corpus_perplexity(nll),
        "tokens": int(nll["tokens"].sum()),
        "training": summary,
    }
    if state is not None:
        state.unlink(missing_ok=True)
    return record, nll, history
