"""Everything the lab measures on one experiment (one surgically changed model), as tidy tables.

``quick`` mode: the blind self-report probes and their factual controls, perplexity on the
neutral corpus, the arithmetic spot check. ``full`` adds every probe group (the informed
self-report questions) and long-form greedy answers to a fixed prompt set, with and without
the chat template (the seed's chat/completion behaviour). Probes and generations run through
the KV cache exactly as ``generate()`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from frankenmodels.evaluation.arithmetic import score_math
from frankenmodels.evaluation.generate import greedy_generate
from frankenmodels.evaluation.perplexity import document_nll, scoring
from frankenmodels.evaluation.probes import PROBES, probe_groups, score_probes
from frankenmodels.evaluation.prompting import encode_prompts, uses_chat

MODES = ("quick", "full")

# The fixed prompts of full mode: open questions whose answers show fluency, knowledge and
# whether the model still follows an instruction; the same for every experiment.
GENERATION_PROMPTS = (
    "Describe your morning routine in three sentences.",
    "Explain why the sky is blue to a ten-year-old.",
    "Write a short poem about a river.",
    "List three uses of a paperclip.",
    "What is the capital of Japan, and what is it known for?",
    "Tell me about yourself.",
)


@dataclass(frozen=True)
class LabInputs:
    """What every experiment is measured on: fixed before the first experiment runs."""

    documents: Sequence[str]
    math_items: pd.DataFrame
    settings: Mapping[str, Any]  # the config's lab section (mode, budgets, batch sizes)


def measure(model, tokenizer, experiment: str, inputs: LabInputs) -> dict[str, pd.DataFrame]:
    """Every table of one experiment; ``model`` is already the changed model."""
    settings = inputs.settings
    mode = settings["mode"]
    if mode not in MODES:
        raise ValueError(f"lab.mode must be one of {MODES}, not {mode!r}")
    groups = probe_groups(mode)
    probes = [probe for probe in PROBES if probe.group in groups]
    probe_cfg = settings["probes"]
    scored = score_probes(
        model,
        tokenizer,
        probes,
        experiment=experiment,
        batch_size=probe_cfg["batch_size"],
        top_k=probe_cfg["top_k"],
    )
    ppl_cfg = settings["perplexity"]
    tables = {
        "probe_tokens": scored["tokens"],
        "probe_answers": scored["answers"],
        "probe_top": scored["top"],
        "perplexity": document_nll(
            model,
            tokenizer,
            inputs.documents,
            experiment=experiment,
            **scoring(ppl_cfg),
        ),
        "math": score_math(
            model,
            tokenizer,
            inputs.math_items,
            experiment=experiment,
            max_new_tokens=settings["math"]["max_new_tokens"],
            batch_size=settings["math"]["batch_size"],
        ),
    }
    if mode == "full":
        tables["generations"] = generations(
            model, tokenizer, experiment, settings["generations"]["max_new_tokens"]
        )
    return tables


def generations(model, tokenizer, experiment: str, max_new_tokens: int) -> pd.DataFrame:
    """Greedy answers to the fixed prompts, in the chat template and as plain completions."""
    rows = []
    chats = (True, False) if uses_chat(tokenizer) else (False,)
    for chat in chats:
        ids = encode_prompts(tokenizer, GENERATION_PROMPTS, chat=chat)
        answers = greedy_generate(model, tokenizer, ids, max_new_tokens=max_new_tokens)
        for k, (prompt, answer) in enumerate(zip(GENERATION_PROMPTS, answers, strict=True)):
            rows.append(
                {
                    "experiment": experiment,
                    "prompt_id": f"gen_{k:02d}",
                    "chat": chat,
                    "prompt": prompt,
                    "response": answer,
                }
            )
    return pd.DataFrame(rows, columns=["experiment", "prompt_id", "chat", "prompt", "response"])
