"""The settings of a training job: the loop's, and which parameters its method trains.

The config's `training:` section (without `seeds`) is passed as keyword arguments; the nested
`lora:` and `selective:` mappings become frozen dataclasses, so the settings stay hashable and
`asdict` gives the same JSON for the same meaning (the resume file is named from it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

METHODS = ("full", "lora", "layer_selective")
SELECTIVE_MODES = ("whole", "lora")
SCORES = ("block_influence", "angular_distance")


@dataclass(frozen=True)
class LoraSettings:
    """peft LoRA: rank, alpha (the update is scaled by alpha / r), dropout on the LoRA branch,
    and the modules adapted, by the last part of their name (BERT: query, key, value)."""

    r: int = 8
    alpha: float = 16
    dropout: float = 0.1
    target_modules: tuple[str, ...] = ("query", "value")

    def __post_init__(self) -> None:
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        if self.r < 1 or not self.target_modules:
            raise ValueError("training.lora: r must be >= 1 and target_modules not empty")


@dataclass(frozen=True)
class SelectiveSettings:
    """Which layers `layer_selective` trains, and how: a fixed list (`layers`), or the `top_k`
    layers by a training-free `score` over the first `score_examples` training examples; `mode`
    whole trains every parameter of those layers, lora puts LoRA (settings `lora`) on them only."""

    mode: str = "whole"
    layers: tuple[int, ...] | None = None
    top_k: int | None = None
    score: str = "block_influence"
    score_examples: int = 512

    def __post_init__(self) -> None:
        if self.layers is not None:
            object.__setattr__(self, "layers", tuple(int(i) for i in self.layers))
        if self.mode not in SELECTIVE_MODES:
            raise ValueError(f"training.selective.mode must be one of {SELECTIVE_MODES}")
        if self.score not in SCORES:
            raise ValueError(f"training.selective.score must be one of {SCORES}")
        if self.layers is not None and self.top_k is not None:
            raise ValueError("training.selective: give layers or top_k, not both")


@dataclass(frozen=True)
class TrainingSettings:
    learning_rate: float
    epochs: int
    batch_size: int
    weight_decay: float = 0.0
    warmup_ratio: float = 0.0
    max_grad_norm: float = 1.0
    max_length: int = 128
    resume_every_steps: int = 200
    group_by_length: bool = True  # false: the plain permutation of earlier versions
    cpu_bf16: bool = False  # bf16 autocast on the CPU too (always on a GPU that supports it)
    compile: bool = False  # torch.compile the model's forward and backward
    method: str = "full"  # full | lora | layer_selective
    lora: LoraSettings = field(default_factory=LoraSettings)
    selective: SelectiveSettings = field(default_factory=SelectiveSettings)

    @classmethod
    def from_section(cls, section: Mapping[str, Any], **fixed: Any) -> TrainingSettings:
        """Settings from a config section that also holds other keys (a study's budget: texts,
        steps, examples): the keys this class knows are taken, `fixed` overrides them."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in section.items() if key in known} | fixed)

    def __post_init__(self) -> None:
        if isinstance(self.lora, dict):
            object.__setattr__(self, "lora", LoraSettings(**self.lora))
        if isinstance(self.selective, dict):
            object.__setattr__(self, "selective", SelectiveSettings(**self.selective))
        if self.method not in METHODS:
            raise ValueError(f"training.method must be one of {METHODS}, not {self.method!r}")
