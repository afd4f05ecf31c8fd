"""Prompts for a causal LM: the chat template where the tokenizer has one, and left-padded
batches whose next-token position is the last column, as ``generate()`` builds them.

Every lab measurement (probes, arithmetic, long-form generations) goes through these, so a
probe's next-token distribution is exactly the one greedy generation would start from.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def uses_chat(tokenizer, chat: bool | None = None) -> bool:
    """Whether prompts are wrapped in the chat template: ``chat=None`` means where it has one."""
    has_template = bool(getattr(tokenizer, "chat_template", None))
    if chat and not has_template:
        raise ValueError("chat=True, but this tokenizer has no chat template")
    return has_template if chat is None else bool(chat)


def format_prompt(tokenizer, text: str, *, chat: bool | None = None) -> str:
    """One user turn with the assistant's turn opened, or ``text`` followed by a newline."""
    if uses_chat(tokenizer, chat):
        messages = [{"role": "user", "content": text}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text + "\n"


def encode_prompts(tokenizer, texts: Sequence[str], *, chat: bool | None = None) -> list[list[int]]:
    """Token ids of each formatted prompt. The chat template writes its own special tokens;
    a plain prompt gets the tokenizer's (BOS where it has one), as generation would."""
    chat = uses_chat(tokenizer, chat)
    prompts = [format_prompt(tokenizer, text, chat=chat) for text in texts]
    encoded = tokenizer(prompts, add_special_tokens=not chat)["input_ids"]
    if chat:
        return [list(ids) for ids in encoded]
    # Encoder-style tokenizers append [SEP]; a prompt must end where the answer starts.
    sep = getattr(tokenizer, "sep_token_id", None)
    return [
        list(ids[:-1]) if sep is not None and ids and ids[-1] == sep else list(ids)
        for ids in encoded
    ]


def left_padded(token_ids: Sequence[Sequence[int]], pad: int) -> dict[str, torch.Tensor]:
    """input_ids, attention_mask and position_ids with padding on the left, so the last column
    is every prompt's next-token position; positions count real tokens only (as generate())."""
    width = max(len(ids) for ids in token_ids)
    input_ids = [[pad] * (width - len(ids)) + list(ids) for ids in token_ids]
    attention = [[0] * (width - len(ids)) + [1] * len(ids) for ids in token_ids]
    mask = torch.tensor(attention, dtype=torch.long)
    return {
        "input_ids": torch.tensor(input_ids, dtype=torch.long),
        "attention_mask": mask,
        "position_ids": (mask.cumsum(-1) - 1).clamp(min=0),
    }
