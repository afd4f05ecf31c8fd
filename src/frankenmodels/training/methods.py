"""Which parameters a training method trains, and the ordinary model it leaves behind.

* ``full``: every parameter (the loop as it always was; the model is not touched here).
* ``lora``: peft LoRA on the target modules of every layer, the classification head trained in
  full (peft's ``modules_to_save``); merged into the weights afterwards (``merge_and_unload``), so
  saving, surgery and evaluation see an ordinary checkpoint.
* ``layer_selective``: only chosen layers of the stack, plus the head: whole layers
  (``requires_grad`` only there) or LoRA on those layers only (peft's ``layers_to_transform``).

The head is every child of the model outside its base model that holds parameters (BERT:
``classifier``): a new head must learn under every method, and the pooler belongs to the
pretrained model. A causal LM has no new head: its LM head is pretrained, and often tied to the
input embeddings, so training it under LoRA or chosen layers would move the embeddings too.
The trainable count is what really received a gradient, read from the parameters' ``.grad``
during training, not what requires_grad or peft says.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from torch import nn

from frankenmodels.batching import texts_of
from frankenmodels.surgery import find_layer_stack
from frankenmodels.training.settings import LoraSettings, TrainingSettings


def head_modules(model: nn.Module) -> list[str]:
    """Names of the model's children outside its base model that hold parameters."""
    base = getattr(model, "base_model_prefix", "")
    return [
        name
        for name, child in model.named_children()
        if name != base and next(child.parameters(), None) is not None
    ]


def choose_layers(model, tokenizer, train: pd.DataFrame, settings: TrainingSettings) -> list[int]:
    """The layers `layer_selective` trains: the fixed list, or the top-k by a training-free
    score of the untrained model on the first training examples (ties: the lower layer)."""
    selective = settings.selective
    if selective.layers is not None:
        return checked_layers(model, selective.layers)
    if selective.top_k is None:
        raise ValueError("layer_selective needs training.selective.layers or top_k")
    # Only here: the other methods do not make the finetune job depend on the signal code.
    from frankenmodels.importance.signals import layer_signals

    signals = layer_signals(
        model,
        tokenizer,
        texts_of(train.iloc[: selective.score_examples]),
        batch_size=settings.batch_size,
        max_length=settings.max_length,
    )
    ranked = signals.sort_values([selective.score, "layer"], ascending=[False, True])
    return checked_layers(model, ranked["layer"].head(selective.top_k).tolist())


def checked_layers(model: nn.Module, layers: Sequence[int]) -> list[int]:
    depth = len(find_layer_stack(model))
    chosen = sorted({int(i) for i in layers})
    # peft reads an empty layers_to_transform as "every layer": never pass one on.
    if not chosen or chosen[0] < 0 or chosen[-1] >= depth:
        raise ValueError(f"layers to train must be a non-empty subset of 0..{depth - 1}: {layers}")
    return chosen


def trained_heads(model: nn.Module, task: str) -> list[str]:
    """The heads that train in full under every method: a classifier's new head; none for a
    causal LM, whose head is pretrained."""
    return head_modules(model) if task == "classification" else []


def prepare(
    model: nn.Module,
    settings: TrainingSettings,
    layers: Sequence[int] | None,
    task: str = "classification",
):
    """The module the loop trains: `model` itself (full, whole layers) or its peft wrapper;
    `model` is changed in place either way, and `finish` makes it ordinary again."""
    if settings.method == "full":
        return model
    heads = trained_heads(model, task)
    if settings.method == "lora":
        return _with_lora(model, settings.lora, None, heads)
    if layers is None:
        raise ValueError("layer_selective needs the layers to train")
    layers = checked_layers(model, layers)
    if settings.selective.mode == "lora":
        return _with_lora(model, settings.lora, layers, heads)
    stack = find_layer_stack(model)
    head = [getattr(model, name) for name in heads]
    keep = [stack.layers[i] for i in layers] + head
    model.requires_grad_(False)
    for module in keep:
        module.requires_grad_(True)
    return model


def _with_lora(model: nn.Module, lora: LoraSettings, layers: list[int] | None, heads: list[str]):
    from peft import LoraConfig, get_peft_model  # only the LoRA methods need it

    # peft's own error names missing targets: BERT's query/value are no decoder's modules
    # (Llama: q_proj, v_proj; GPT-2: c_attn), so a wrong list fails, never trains nothing.
    config = LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
        modules_to_save=heads or None,
        # The stack's own attribute name ("layer" in BERT): peft then reads the index after it.
        layers_to_transform=layers,
        layers_pattern=find_layer_stack(model).attribute if layers is not None else None,
    )
    return get_peft_model(model, config)


def finish(trained: nn.Module, model: nn.Module) -> None:
    """Merge LoRA into `model`'s weights and make every parameter trainable again, so the model
    is the same kind of object the caller passed in."""
    # peft replaces the wrapped modules inside `model` itself; the caller keeps that object.
    if trained is not model and trained.merge_and_unload() is not model:
        raise RuntimeError("peft returned another model than the one it wrapped")
    model.requires_grad_(True)


def with_gradient(named: Sequence[tuple[str, nn.Parameter]]) -> dict[str, int]:
    """{name: size} of the parameters holding a gradient now (after backward, before zero_grad);
    `named` is the trainable ones, listed once: only they can hold one."""
    return {name: p.numel() for name, p in named if p.grad is not None}


def trainable_summary(received: dict[str, int], model: nn.Module) -> dict:
    """The trained parameters against the ordinary model's (LoRA's factors count as trained,
    the model they were merged into as the whole)."""
    total = sum(p.numel() for p in model.parameters())
    trained = sum(received.values())
    return {
        "trainable_parameters": trained,
        "model_parameters": total,
        "trainable_percent": 100.0 * trained / total,
    }
