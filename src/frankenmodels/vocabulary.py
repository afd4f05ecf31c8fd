"""What the study measures, how it is printed, and in which unit: the one list of names.

metrics.csv, tests.csv and efficiency.csv name their quantities (accuracy, f1_binary,
latency_ms_median, ...). The statistics, the figures, the tables and the macros all print
those names through this module, so a label cannot drift between a figure and the table
beside it. Labels are plain text (no LaTeX), so that figures and tables can share them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """A classification metric, a fraction in [0, 1]; its differences print in points (pp)."""

    name: str  # as in metrics.csv and tests.csv
    label: str  # figure titles, table rows and prose: "F1 (weighted)"
    short: str  # where space is short (the spokes of a radar chart)


@dataclass(frozen=True)
class Cost:
    """An inference cost of efficiency.csv, printed in `unit` after multiplying by `scale`."""

    column: str
    label: str  # a panel title: "Parameters (unique)"
    unit: str  # an axis unit: "M parameters"
    scale: float
    short: str  # a radar spoke or a narrow column: "Params\n(unique)"


@dataclass(frozen=True)
class TrainingMethod:
    """A fine-tuning method of training.method (full, lora, layer_selective)."""

    name: str  # as in the config and in results/methods/*.csv
    label: str  # prose: "layer-selective training"
    short: str  # a table row: "Layer-selective"


@dataclass(frozen=True)
class MemoryMethod:
    """How peak memory was measured: the two methods differ by a lot, so both print it."""

    name: str  # efficiency.csv memory_method
    prose: str  # "the peak of allocated GPU memory"
    short: str  # a caption or an axis label: "peak allocated GPU memory"


# In table order; the first is the headline metric of the seed paper.
METRICS: tuple[Metric, ...] = (
    Metric("accuracy", "Accuracy", "Accuracy"),
    Metric("f1_weighted", "F1 (weighted)", "F1"),
    Metric("precision_weighted", "Precision (weighted)", "Precision"),
    Metric("recall_weighted", "Recall (weighted)", "Recall"),
    Metric("f1_binary", "F1 (positive class)", "F1 (pos.)"),
    Metric("precision_binary", "Precision (positive class)", "Precision (pos.)"),
    Metric("recall_binary", "Recall (positive class)", "Recall (pos.)"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
HEADLINE = "accuracy"  # the abstract, the threats and the power analysis speak of it
# The four metrics the seed paper reported (weighted averages, as its F1 equals its accuracy).
PAPER_METRICS: tuple[str, ...] = (
    "accuracy",
    "f1_weighted",
    "precision_weighted",
    "recall_weighted",
)
# What the stats stage tests by default: the seed paper's four plus the positive class's F1.
TESTED_METRICS: tuple[str, ...] = (*PAPER_METRICS, "f1_binary")

COSTS: tuple[Cost, ...] = (
    Cost("params_effective", "Parameters (per use)", "M parameters", 1e-6, "Params\n(per use)"),
    Cost("params_unique", "Parameters (unique)", "M parameters", 1e-6, "Params\n(unique)"),
    Cost("peak_memory_mb", "Peak memory", "MB", 1.0, "Memory"),
    Cost("latency_ms_median", "Latency (median)", "ms/batch", 1.0, "Latency"),
)

MEMORY_METHODS: tuple[MemoryMethod, ...] = (
    MemoryMethod(
        "cuda_max_allocated", "the peak of allocated GPU memory", "peak allocated GPU memory"
    ),
    MemoryMethod("process_rss", "the peak resident set size of the process", "peak process RSS"),
)


TRAINING_METHODS: tuple[TrainingMethod, ...] = (
    TrainingMethod("full", "full fine-tuning", "Full"),
    TrainingMethod("lora", "LoRA", "LoRA"),
    TrainingMethod("layer_selective", "layer-selective training", "Layer-selective"),
)
TRAINING_METHOD_NAMES: tuple[str, ...] = tuple(m.name for m in TRAINING_METHODS)

_METRICS = {m.name: m for m in METRICS}
_MEMORY = {m.name: m for m in MEMORY_METHODS}
_TRAINING = {m.name: m for m in TRAINING_METHODS}


def metric(name: str) -> Metric:
    """The Metric called `name`; an unknown name prints as given (a metric added later)."""
    return _METRICS.get(name, Metric(name, name, name))


def metric_label(name: str) -> str:
    return metric(name).label


def metric_short(name: str) -> str:
    return metric(name).short


def metric_order(name: str) -> tuple[int, str]:
    """Sort key: table order first, unknown names after, alphabetically."""
    return (METRIC_NAMES.index(name) if name in _METRICS else len(METRICS), name)


def memory_method(name: str) -> MemoryMethod:
    return _MEMORY.get(name, MemoryMethod(name, name, name))


def training_method(name: str) -> TrainingMethod:
    return _TRAINING.get(name, TrainingMethod(name, name, name))
