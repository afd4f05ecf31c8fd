"""The setting of the merge/compress section: the results it reads, and the macros that state
what the run had (model, variants, data partitions, fine-tuning, classification, perplexity
and latency budgets, device, seeds), so that the prose never types a budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from frankenmodels.compress.summary import ORIGINAL
from frankenmodels.report.lab import weights_note
from frankenmodels.report.macros import (
    DURATION,
    FLAG,
    INT,
    INT_LIST,
    PERCENT,
    SCI,
    TEXT,
    Row,
    fixed,
)
from frankenmodels.vocabulary import memory_method

VARIANTS = "results/compress/summary/variants.csv"
CFG = "config: compress."


@dataclass(frozen=True)
class CompressResults:
    variants: pd.DataFrame  # results/compress/summary/variants.csv
    seeds: pd.DataFrame
    tests: pd.DataFrame
    samples: pd.DataFrame
    smoothness: pd.DataFrame
    partitions: Mapping[str, Any]  # results/compress/data/partitions.json
    summaries: Mapping[str, Any]  # results/compress/data/summaries.json
    weights: Mapping[str, Any]  # the model folder's weights.json
    lm: Sequence[Mapping[str, Any]]  # results/compress/lm/*/seed*.json
    classify: Sequence[Mapping[str, Any]]  # results/compress/classify/*/seed*.json
    compress: Mapping[str, Any]  # the config's compress section

    @property
    def original(self) -> pd.Series:
        return self.variants.set_index("variant").loc[ORIGINAL]

    @property
    def changed(self) -> pd.DataFrame:
        return self.variants[self.variants["variant"] != ORIGINAL]

    @property
    def alpha(self) -> float:
        return 1 - self.compress["stats"]["confidence"]


def precision(dtype: str, lm: Sequence[Mapping[str, Any]]) -> str:
    """How the numbers were computed: the weights' dtype, and on a GPU the autocast and TF32
    matrix products every job of the study uses there."""
    if any(rec["training"]["device"] == "cuda" for rec in lm):
        return f"{dtype} weights, bf16 autocast and TF32 matrix products on the GPU"
    return dtype


def setup_rows(r: CompressResults) -> list[Row]:
    c, o, parts = r.compress, r.original, r.partitions
    lm, cls, ppl, lat = c["lm_training"], c["classification"], c["perplexity"], c["latency"]
    seeds = sorted({int(s) for s in r.seeds["seed"]})
    lm_seconds = [rec["training"]["wall_seconds"] for rec in r.lm]
    cls_seconds = [rec["training"]["wall_seconds"] for rec in r.classify]
    devices = sorted({rec["training"]["device_name"] for rec in (*r.lm, *r.classify)})
    counts, part = parts["counts"], "results/compress/data/partitions.json"
    model = c["model"]
    return [
        Row("CompressModelName", model.get("name") or model.get("id", "?"), TEXT, CFG + "model"),
        Row("CompressWeightsNote", weights_note(r.weights), TEXT, "model folder: weights.json"),
        Row("CompressDtype", precision(c["dtype"], r.lm), TEXT, CFG + "dtype; lm: device"),
        Row("CompressNumLayers", o["depth"], INT, VARIANTS + " (original): depth"),
        Row("CompressParamsM", o["params_unique"] / 1e6, fixed(1), VARIANTS + ": params_unique"),
        Row("CompressVariantCount", len(r.changed), INT, VARIANTS + ": changed variants"),
        Row("CompressSizes", sorted(set(r.changed["n"].astype(int))), INT_LIST, VARIANTS + ": n"),
        Row("CompressStarts", sorted(set(r.changed["start"].astype(int))), INT_LIST, VARIANTS),
        Row("CompressSeeds", seeds, INT_LIST, "seeds.csv: seed"),
        Row("CompressSeedCount", len(seeds), INT, "seeds.csv: seed"),
        Row("CompressTrainDevice", ", ".join(devices), TEXT, "lm, classify records: device_name"),
        Row("CompressLatencyDevice", o["latency_device"], TEXT, VARIANTS + ": latency_device"),
        Row("CompressLanguageName", parts["sources"]["language"], TEXT, part + ": sources"),
        Row("CompressClsName", parts["sources"]["classification"], TEXT, part + ": sources"),
        Row("CompressDisjoint", parts["overlap"] == 0, FLAG, part + ": overlap == 0"),
        Row("CompressLmTexts", counts["lm_train"], INT, part + ": counts.lm_train"),
        Row("CompressClsTrainTexts", counts["cls_train"], INT, part + ": counts.cls_train"),
        Row("CompressClsTestTexts", counts["cls_test"], INT, part + ": counts.cls_test"),
        Row.setting("CompressLmSteps", lm, "steps", INT),
        Row.setting("CompressLmBatch", lm, "batch_size", INT),
        Row.setting("CompressLmMaxLength", lm, "max_length", INT),
        Row.setting("CompressLmRate", lm, "learning_rate", SCI),
        Row(
            "CompressLmTokenBudget",
            lm["steps"] * lm["batch_size"] * lm["max_length"],
            INT,
            CFG + "lm_training: steps x batch_size x max_length",
        ),
        Row("CompressLmTime", np.mean(lm_seconds), DURATION, "lm records: wall_seconds, mean"),
        Row("CompressLmRuns", len(r.lm), INT, "lm records: count"),
        Row(
            "CompressClsTrainExamples", r.classify[0]["training"]["train_examples"], INT, "classify"
        ),
        Row("CompressClsTestExamples", r.classify[0]["test_examples"], INT, "classify records"),
        Row.setting("CompressClsEpochs", cls, "epochs", INT),
        Row.setting("CompressClsMaxLength", cls, "max_length", INT),
        Row("CompressClsTime", np.mean(cls_seconds), DURATION, "classify records: wall_seconds"),
        Row("CompressPplDocuments", o["documents"], INT, VARIANTS + " (original): documents"),
        Row("CompressScoredTokens", o["scored_tokens"], INT, VARIANTS + ": scored_tokens"),
        Row.setting("CompressPplMaxTokens", ppl, "max_tokens", INT),
        Row.setting("CompressPplWindow", ppl, "window", INT),
        Row.setting("CompressPplStride", ppl, "stride", INT),
        Row.setting("CompressLatencyBatch", lat, "batch_size", INT),
        Row.setting("CompressLatencyLength", lat, "sequence_length", INT),
        Row.setting("CompressLatencyNewTokens", lat, "new_tokens", INT),
        Row.setting("CompressLatencyRepeats", lat, "repeats", INT),
        Row("CompressMemoryMethod", memory_method(o["memory_method"]).prose, TEXT, VARIANTS),
        Row(
            "CompressSmoothDocuments",
            min(c["smoothness"]["documents"], int(o["documents"])),
            INT,
            CFG + "smoothness.documents (the first perplexity documents)",
        ),
        Row.setting("CompressSmoothTokens", c["smoothness"], "max_tokens", INT),
        Row("CompressSampleTokens", c["samples"]["max_new_tokens"], INT, CFG + "samples"),
        Row("CompressFirstPrompt", c["samples"]["prompts"][0], TEXT, CFG + "samples.prompts[0]"),
        Row("CompressConfidence", c["stats"]["confidence"], PERCENT, CFG + "stats.confidence"),
        Row("CompressResamples", c["stats"]["bootstrap_resamples"], INT, CFG + "stats"),
    ]
