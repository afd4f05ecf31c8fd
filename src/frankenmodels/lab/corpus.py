"""The neutral text perplexity is measured on: a fixed, documented slice of a corpus.

Documents are the corpus's texts (IMDb reviews offline; WikiText paragraphs from the hub) of at
least ``min_characters``, chosen by a seeded hash of their text, not by position, so the slice
does not depend on how the file is sorted. Each is scored on its first ``max_tokens`` tokens;
the slice must hold at least ``min_total_tokens`` scored tokens, checked with the model's own
tokenizer before any experiment runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from frankenmodels.evaluation.perplexity import encode_documents, windows

HTML_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)


def clean(text: str) -> str:
    """IMDb reviews carry HTML line breaks; WikiText has ' @-@ ' joins. Both become plain."""
    text = HTML_BREAK.sub(" ", text).replace(" @-@ ", "-").replace(" @,@ ", ",")
    return re.sub(r"\s+", " ", text).strip()


def raw_texts(ppl: dict[str, Any]) -> list[str]:
    """Every candidate text of the configured corpus."""
    if ppl["source"] == "local":
        local = ppl["local"]
        frame = pd.read_csv(local["path"], usecols=[local["text_column"]])
        return frame[local["text_column"]].dropna().astype(str).tolist()
    from datasets import load_dataset  # only the hub path needs it

    hub = ppl["hub"]
    data = load_dataset(hub["path"], hub.get("name"), split=hub.get("split", "test"))
    return _paragraphs(data[hub.get("text_column", "text")])


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """WikiText stores one line per row, headings as ' = Title = ': join the lines of each
    section into one paragraph."""
    paragraphs, current = [], []
    for line in lines:
        if line.strip().startswith("="):
            if current:
                paragraphs.append(" ".join(current))
            current = []
        elif line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def select_documents(texts: Sequence[str], *, documents: int, min_characters: int, seed: int):
    """The ``documents`` texts with the smallest seeded hash among those long enough."""
    cleaned = [clean(t) for t in texts]
    long_enough = sorted({t for t in cleaned if len(t) >= min_characters})
    if len(long_enough) < documents:
        raise ValueError(
            f"lab.perplexity.documents: {documents} requested, but only {len(long_enough)} texts "
            f"have at least {min_characters} characters"
        )

    def key(text: str) -> str:
        return hashlib.sha256(f"{seed}\x00{text}".encode()).hexdigest()

    return sorted(long_enough, key=key)[:documents]


def check_token_budget(
    tokenizer, docs: Sequence[str], *, max_tokens: int, window: int, stride: int, minimum: int
) -> int:
    """The number of tokens the perplexity code will score on this slice (counted with its own
    tokenisation and windows); raises where it is below ``minimum``."""
    scored = sum(
        end - first
        for ids in encode_documents(tokenizer, docs, max_tokens)
        for _, end, first in windows(len(ids), window, stride)
    )
    if scored < minimum:
        raise ValueError(
            f"lab.perplexity: the slice scores {scored} tokens, fewer than min_total_tokens "
            f"{minimum}; raise lab.perplexity.documents or max_tokens"
        )
    return scored
