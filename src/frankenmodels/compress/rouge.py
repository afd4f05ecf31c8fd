"""Summarisation quality of a variant: ROUGE-L of its greedy summaries against reference
summaries, with the ``rouge-score`` package (Lin 2004's longest common subsequence, stemmed),
the scorer the summarisation literature reports, so the numbers compare with published ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

OUTPUT_COLUMNS = {"doc": object, "summary": object, "rougeL_f": float}


def rouge_l(predictions: Sequence[str], references: Sequence[str]) -> pd.DataFrame:
    """Per pair: ROUGE-L ``precision``, ``recall``, ``fmeasure`` of a prediction against its
    reference (precision over the prediction's tokens, recall over the reference's)."""
    from rouge_score import rouge_scorer

    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    scores = [
        scorer.score(ref, pred)["rougeL"] for pred, ref in zip(predictions, references, strict=True)
    ]
    return pd.DataFrame(
        [(s.precision, s.recall, s.fmeasure) for s in scores],
        columns=["precision", "recall", "fmeasure"],
        dtype=float,
    )


def truncate(tokenizer, text: str, max_tokens: int) -> str:
    """The text's first ``max_tokens`` tokens, decoded back: long articles are cut the same
    way for every variant, and the prompt stays within the model's context."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"][:max_tokens]
    return tokenizer.decode(ids, skip_special_tokens=True).strip()


def summarise(
    model,
    tokenizer,
    articles: Sequence[str],
    *,
    prompt: str,
    max_input_tokens: int,
    max_new_tokens: int,
    batch_size: int = 4,
) -> list[str]:
    """A greedy summary of each article. An instruct model (its tokenizer has a chat template)
    gets the instruction, a blank line and the truncated article as one user turn; a base
    model (GPT-2) gets the article followed by "TL;DR:", the cue GPT-2 was shown to summarise
    after (Radford et al., 2019), as an instruction would only be continued as text."""
    from frankenmodels.evaluation.generate import greedy_generate
    from frankenmodels.evaluation.perplexity import encode_documents
    from frankenmodels.evaluation.prompting import encode_prompts, uses_chat

    cut = [truncate(tokenizer, a, max_input_tokens) for a in articles]
    if uses_chat(tokenizer):
        prompts = encode_prompts(tokenizer, [f"{prompt}\n\n{article}" for article in cut])
    else:
        # Raw text (no newline after the cue), tokenised as the perplexity documents are.
        prompts = encode_documents(tokenizer, [f"{article}\nTL;DR:" for article in cut], 10**9)
    context = _context_length(model.config)
    longest = max((len(ids) for ids in prompts), default=0)
    if context is not None and longest + max_new_tokens > context:
        raise ValueError(
            f"compress.summarisation: a prompt of {longest} tokens plus max_new_tokens "
            f"{max_new_tokens} exceeds the model's context of {context}; lower "
            "max_input_tokens or max_new_tokens"
        )
    return greedy_generate(
        model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size
    )


def _context_length(config) -> int | None:
    """The longest sequence the model was built for: past it, learned position tables
    (GPT-2) fail with an index error and rotary ones produce noise."""
    return getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)


def run_rouge(
    model_dir,
    variant_params: dict[str, Any],
    *,
    dtype: str,
    table: pd.DataFrame,
    info: dict[str, Any],
    settings: dict[str, Any],
    device,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """``rouge.json``'s record and the per-article summaries of one variant. Where the data
    could not be had (``info["available"]`` false) the record carries the reason and NaN
    scores, and no model is loaded."""
    record = {"variant": variant_params["name"], "available": bool(info["available"])}
    if not info["available"]:
        nan = math.nan
        record.update(reason=info["reason"], rougeL_f=nan, rougeL_p=nan, rougeL_r=nan, articles=0)
        return record, pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT_COLUMNS.items()})
    from frankenmodels.compress.variants import load_variant

    model, tokenizer = load_variant(model_dir, variant_params, dtype=dtype, device=device)
    summaries = summarise(
        model,
        tokenizer,
        table["article"].tolist(),
        prompt=settings["prompt"],
        max_input_tokens=settings["max_input_tokens"],
        max_new_tokens=settings["max_new_tokens"],
        batch_size=settings.get("batch_size", 4),
    )
    scores = rouge_l(summaries, table["reference"].tolist())
    record.update(
        reason=None,
        rougeL_f=float(scores["fmeasure"].mean()),
        rougeL_p=float(scores["precision"].mean()),
        rougeL_r=float(scores["recall"].mean()),
        articles=len(table),
    )
    frame = pd.DataFrame(
        {"doc": table["doc"].tolist(), "summary": summaries, "rougeL_f": scores["fmeasure"]}
    )
    return record, frame
