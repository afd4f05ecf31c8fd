"""Macros of the experimental setup (setup.tex, method.tex): model, data, fine-tuning
settings, seeds, variants and the statistics' settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frankenmodels.report.macros import FLAG, INT, INT_LIST, LAYER, NUMBER, SCI, TEXT, Row
from frankenmodels.vocabulary import metric_label

if TYPE_CHECKING:
    from frankenmodels.report.results import Results
    from frankenmodels.report.settings import Settings

SETTINGS = (
    "model.name",
    "model.source",
    "model.id",
    "model.dir",
    "model.package",
    "model.num_layers",
    "data.name",
    "data.task",
    "data.text_pair_column",
    "data.source",
    "data.max_length",
    "data.train_subset",
    "data.selection_size",
    "training.learning_rate",
    "training.epochs",
    "training.batch_size",
    "training.weight_decay",
    "training.warmup_ratio",
    "training.max_grad_norm",
    "training.group_by_length",
    "training.cpu_bf16",
    "training.compile",
    "efficiency.memory_mode",
    "efficiency.warmup",
)
# Where the model's identifier lives for each model.source.
MODEL_ID_KEY = {"hub": "model.id", "local": "model.dir", "package": "model.package"}


def rows(r: Results, c: Settings) -> list[Row]:
    s = r.study
    source = str(c["model.source"])
    id_key = MODEL_ID_KEY.get(source)
    data_name, data_source = str(c["data.name"]), c["data.source"]
    # Seeds as run (metrics.csv), not as configured: the paper describes what happened.
    val = r.inp.metrics[r.inp.metrics["split"] == "validation"]
    seeds = sorted(int(x) for x in val.loc[val["variant"] == s.focus, "seed"].unique())
    seed_src = "metrics.csv: validation seeds of the focus"
    return [
        Row.setting("ModelName", c, "model.name", TEXT),
        Row("ModelPretrained", source != "config", FLAG, "config: model.source is not 'config'"),
        Row(
            "ModelId",
            c[id_key] if id_key else "random initialisation",
            TEXT,
            f"config: {id_key or 'model.source'}",
        ),
        Row.setting("ModelNumLayers", c, "model.num_layers", INT),
        Row("DatasetName", data_name, TEXT, "config: data.name"),
        Row("DataSynthetic", data_source == "synthetic", FLAG, "config: data.source"),
        Row.setting("TaskName", c, "data.task", TEXT),
        Row(
            "TrainUnit",
            "sentence pairs" if c.get("data.text_pair_column") else "sentences",
            TEXT,
            "config: data.text_pair_column set or not",
        ),
        # Only SST-2 gets its citations; another data set is named but not cited.
        Row(
            "DataSST",
            "sst" in data_name.lower() and data_source != "synthetic",
            FLAG,
            "config: data.name mentions SST and the data are not generated",
        ),
        Row.setting("MaxLength", c, "data.max_length", INT),
        Row(
            "TrainSubset", c.get("data.train_subset") is not None, FLAG, "config: data.train_subset"
        ),
        Row.setting("SelectionSize", c, "data.selection_size", INT),
        Row(
            "SelectionHeldOut",
            int(c["data.selection_size"]) > 0,
            FLAG,
            "config: data.selection_size > 0",
        ),
        Row.setting("LearningRate", c, "training.learning_rate", SCI),
        Row.setting("Epochs", c, "training.epochs", INT),
        Row.setting("BatchSize", c, "training.batch_size", INT),
        Row.setting("WeightDecay", c, "training.weight_decay", NUMBER),
        Row.setting("WarmupRatio", c, "training.warmup_ratio", NUMBER),
        Row("Warmup", float(c["training.warmup_ratio"]) > 0, FLAG, "config: warmup_ratio > 0"),
        Row.setting("MaxGradNorm", c, "training.max_grad_norm", NUMBER),
        Row.setting("GroupByLength", c, "training.group_by_length", FLAG),
        Row.setting("TrainCpuBf", c, "training.cpu_bf16", FLAG),
        Row.setting("TrainCompiled", c, "training.compile", FLAG),
        Row.setting("MemoryMode", c, "efficiency.memory_mode", TEXT),
        Row.setting("EffWarmup", c, "efficiency.warmup", INT),
        Row("SeedList", seeds, INT_LIST, seed_src),
        Row("NumSeeds", len(seeds), INT, seed_src),
        Row("AlphaLevel", s.alpha, NUMBER, "config: stats.alpha"),
        Row("FocusVariant", s.focus, TEXT, "config: stats.focus_variant"),
        Row("FocusLayer", (r.layer_of(s.focus), s.focus), LAYER, "variants.csv: focus layer"),
        Row(
            "SweepMetricName",
            metric_label(s.sweep_metric).lower(),
            TEXT,
            "config: stats.selection.metric, its label",
        ),
    ]
