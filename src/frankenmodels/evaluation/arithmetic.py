"""An arithmetic spot check: does a changed model still answer "What is 37 + 48?" with 85?

Exact, cheap to score and sensitive to damage that perplexity on prose can hide; the items
are seeded so every experiment answers the same questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from frankenmodels.evaluation.generate import greedy_generate
from frankenmodels.evaluation.prompting import encode_prompts

OPERATIONS = {"+": np.add, "-": np.subtract, "*": np.multiply}
# Grouped thousands ("1,234") before plain digits, so a separator is read as one number.
INTEGER = re.compile(r"[-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?!\d)")
QUESTION = re.compile(r"(\d+) ([-+*]) (\d+)\?")
SPELLINGS = {"+": "+", "-": "-\u2212\u2013", "*": "*\u00d7x"}


def math_items(
    n: int, seed: int, *, operations: Sequence[str] = ("+", "-"), digits: int = 2
) -> pd.DataFrame:
    """``n`` questions on operands of ``digits`` digits, the operations in equal shares (as
    near as ``n`` allows) in seeded order; differences are arranged to be non-negative."""
    unknown = [op for op in operations if op not in OPERATIONS]
    if unknown or not operations:
        raise ValueError(f"operations must be some of {sorted(OPERATIONS)}, not {operations!r}")
    if digits < 1 or n < 0:
        raise ValueError(f"need digits >= 1 and n >= 0, not digits={digits}, n={n}")
    rng = np.random.default_rng(seed)
    ops = rng.permutation(np.resize(np.asarray(operations, dtype=object), n))
    operands = rng.integers(10 ** (digits - 1), 10**digits, size=(n, 2))
    width = max(3, len(str(n - 1)))
    rows = []
    for k, (op, (a, b)) in enumerate(zip(ops, operands.tolist(), strict=True)):
        if op == "-":
            a, b = max(a, b), min(a, b)
        rows.append(
            {
                "item": f"math_{k:0{width}d}",
                "question": f"What is {a} {op} {b}? Reply with the number only.",
                "answer": int(OPERATIONS[op](a, b)),
            }
        )
    return pd.DataFrame(rows, columns=["item", "question", "answer"]).astype({"answer": int})


def first_integer(text: str) -> int | None:
    """The first integer written in ``text`` ("The answer is 1,234." -> 1234), or None.
    A decimal's integer part counts ("85.0" -> 85)."""
    match = INTEGER.search(text)
    if match is None:
        return None
    return int(match.group().replace(",", "").replace("\u2212", "-"))


def predicted_answer(response: str, question: str) -> int | None:
    """The first integer of a response once a restatement of the question's sum is dropped:
    small models answer "48 + 46 = 94", whose first integer is an operand, not the answer."""
    match = QUESTION.search(question)
    if match is not None:
        a, op, b = match.groups()
        echo = rf"(?<!\d){a}\s*[{re.escape(SPELLINGS[op])}]\s*{b}(?!\d)"
        response = re.sub(echo, " ", response)
    return first_integer(response)


def score_math(
    model,
    tokenizer,
    items: pd.DataFrame,
    *,
    experiment: str,
    max_new_tokens: int = 8,
    batch_size: int = 16,
    chat: bool | None = None,
) -> pd.DataFrame:
    """Greedy answers to the items and whether their first integer, a restated question
    aside (:func:`predicted_answer`), is the answer."""
    prompts = encode_prompts(tokenizer, list(items["question"]), chat=chat)
    responses = greedy_generate(
        model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size
    )
    predicted = [
        predicted_answer(response, question)
        for response, question in zip(responses, items["question"], strict=True)
    ]
    answers = [int(answer) for answer in items["answer"]]
    return pd.DataFrame(
        {
            "experiment": experiment,
            "item": list(items["item"]),
            "question": list(items["question"]),
            "answer": answers,
            "response": responses,
            "predicted": pd.array(predicted, dtype="Int64"),
            "correct": [p is not None and p == a for p, a in zip(predicted, answers, strict=True)],
        }
    )
