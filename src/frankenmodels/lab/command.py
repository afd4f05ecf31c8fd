"""The work behind ``python -m frankenmodels lab``: single experiments, measured as the
workflow's lab jobs measure them, and a short table printed.

The unchanged model is always measured too, since every number is relative to it. An
experiment is a plan file (``--plan``, the surgery command's formats) or a name from the
catalogue scaled to this model's depth (``--experiment del5``, ``reverse_all``...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from frankenmodels.evaluation.arithmetic import math_items
from frankenmodels.lab.catalogue import stage1_variants
from frankenmodels.lab.corpus import raw_texts, select_documents
from frankenmodels.lab.job import experiment_rows
from frankenmodels.lab.measure import LabInputs, measure
from frankenmodels.lab.summary import summarise
from frankenmodels.runtime import select_device
from frankenmodels.surgery import PlanError, apply_plan, find_layer_stack
from frankenmodels.surgery.load import load_model, load_tokenizer
from frankenmodels.surgery.planfile import load_plan
from frankenmodels.surgery.sweeps import Variant

CATALOGUE = {
    "delete": True,
    "duplicate": True,
    "windows": [{"size": 2, "step": 1}],
    "blocks": True,
    "doubling": True,
    "skips": True,
    "reversals": True,
    "repeats": True,
    "splice": False,
    "extra": [],
}


@dataclass
class LabRequest:
    model: str
    corpus: str
    text_column: str
    gguf_file: str | None = None
    plans: list[str] = field(default_factory=list)
    experiments: list[str] = field(default_factory=list)
    mode: str = "quick"
    documents: int = 8
    max_tokens: int = 128
    math_items: int = 20
    math_digits: int = 1
    device: str = "auto"


def _settings(request: LabRequest) -> dict:
    return {
        "mode": request.mode,
        "probes": {"batch_size": 16, "top_k": 20},
        "perplexity": {
            "max_tokens": request.max_tokens,
            "window": request.max_tokens,
            "stride": request.max_tokens,
            "batch_size": 8,
        },
        "math": {"max_new_tokens": 16, "batch_size": 16},
        "generations": {"max_new_tokens": 48},
    }


def requested_variants(request: LabRequest, num_layers: int) -> list[Variant]:
    """base, then each --experiment (from the catalogue), then each --plan file."""
    catalogue = {v.name: v for v in stage1_variants(num_layers, CATALOGUE)}
    variants = [catalogue["base"]]
    for name in request.experiments:
        if name not in catalogue:
            close = ", ".join(sorted(catalogue)[:12])
            raise PlanError(f"--experiment {name!r} is not in the catalogue (e.g. {close}, ...)")
        variants.append(catalogue[name])
    for path in request.plans:
        plan, _ = load_plan(path, num_layers)
        variants.append(Variant(Path(path).stem, plan, "custom", None))
    if len(variants) == 1:
        raise PlanError("give at least one --plan or --experiment")
    return variants


def run_lab(request: LabRequest, echo=print) -> pd.DataFrame:
    """Measure the unchanged model and each requested experiment; print and return a table."""
    model = load_model(request.model, request.gguf_file)
    tokenizer = load_tokenizer(request.model, request.gguf_file)
    if tokenizer is None:
        raise ValueError(f"--model {request.model}: no tokenizer there; the lab needs one")
    variants = requested_variants(request, len(find_layer_stack(model)))
    model.to(select_device(request.device))
    corpus = {
        "source": "local",
        "local": {"path": request.corpus, "text_column": request.text_column},
    }
    inputs = LabInputs(
        documents=select_documents(
            raw_texts(corpus), documents=request.documents, min_characters=100, seed=0
        ),
        math_items=math_items(request.math_items, 0, digits=request.math_digits),
        settings=_settings(request),
    )
    tables: dict[str, list[pd.DataFrame]] = {}
    for variant in variants:
        changed = model if variant.name == "base" else apply_plan(model, variant.plan)
        for kind, table in measure(changed, tokenizer, variant.name, inputs).items():
            tables.setdefault(kind, []).append(table)
    merged = {kind: pd.concat(frames, ignore_index=True) for kind, frames in tables.items()}
    merged["experiments"] = experiment_rows(variants, stage=1)
    summary = summarise(merged, resamples=999, level=0.95)
    echo(format_table(summary))
    return summary


def format_table(summary: pd.DataFrame) -> str:
    columns = [
        "experiment",
        "depth",
        "perplexity",
        "ppl_ratio",
        "p_yes_self",
        "p_yes_control",
        "notice",
        "math_accuracy",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in summary[columns].iterrows():
        cells = [
            f"{v:.3g}"
            if isinstance(v, float) and not math.isnan(v)
            else ("n/a" if isinstance(v, float) else str(v))
            for v in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
