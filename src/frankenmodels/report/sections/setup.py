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
        Row("ModelName", c["model.name"], TEXT, "config: model.name"),
        Row("ModelPretrained", source != "config", FLAG, "config: model.source is not 'config'"),
        Row(
            "ModelId",
            c[id_key] if id_key else "random initialisation",
            TEXT,
            f"config: {id_key or 'model.source'}",
        ),
        Row("ModelNumLayers", c["model.num_layers"], INT, "config: model.num_layers"),
        Row("DatasetName", data_name, TEXT, "config: data.name"),
        Row("DataSynthetic", data_source == "synthetic", FLAG, "config: data.source"),
        # Only SST-2 gets its citations; another data set is named but not cited.
        Row(
            "DataSST",
            "sst" in data_name.lower() and data_source != "synthetic",
            FLAG,
            "config: data.name mentions SST and the data are not generated",
        ),
        Row("MaxLength", c["data.max_length"], INT, "config: data.max_length"),
        Row(
            "TrainSubset", c.get("data.train_subset") is not None, FLAG, "config: data.train_subset"
        ),
        Row("SelectionSize", c["data.selection_size"], INT, "config: data.selection_size"),
        Row("LearningRate", c["training.learning_rate"], SCI, "config: training.learning_rate"),
        Row("Epochs", c["training.epochs"], INT, "config: training.epochs"),
        Row("BatchSize", c["training.batch_size"], INT, "config: training.batch_size"),
        Row("WeightDecay", c["training.weight_decay"], NUMBER, "config: training.weight_decay"),
        Row("WarmupRatio", c["training.warmup_ratio"], NUMBER, "config: training.warmup_ratio"),
        Row("Warmup", float(c["training.warmup_ratio"]) > 0, FLAG, "config: warmup_ratio > 0"),
        Row("MaxGradNorm", c["training.max_grad_norm"], NUMBER, "config: training.max_grad_norm"),
        Row("GroupByLength", c["training.group_by_length"], FLAG, "config: group_by_length"),
        Row("TrainCpuBf", c["training.cpu_bf16"], FLAG, "config: training.cpu_bf16"),
        Row("TrainCompiled", c["training.compile"], FLAG, "config: training.compile"),
        Row("MemoryMode", c["efficiency.memory_mode"], TEXT, "config: efficiency.memory_mode"),
        Row("EffWarmup", c["efficiency.warmup"], INT, "config: efficiency.warmup"),
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
