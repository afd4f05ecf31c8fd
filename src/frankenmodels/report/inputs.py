"""What the numbers and tables jobs read: the rule's config params and the stage outputs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from frankenmodels.io import read_json

JSON_INPUTS = ("selection", "provenance", "multilayer_plans")
CSV_INPUTS = (
    "metrics",
    "efficiency",
    "training",
    "tests",
    "variants",
    "benchmarks",
    "multilayer_tests",
    "multilayer_agreement",
    "multilayer_signals",
    "methods_summary",
    "methods_tests",
    "methods_claims",
    "healing_tests",
)
# Optional: the multi-layer study's files exist only where `multi_layer.enabled`; a job
# that lacks them reports the study as not run.
MULTILAYER_INPUTS = (
    "multilayer_tests",
    "multilayer_agreement",
    "multilayer_signals",
    "multilayer_plans",
)
# What the multi-layer table prints from (besides the study's own inputs).
MULTILAYER_TABLE_INPUTS = ("multilayer_tests", "multilayer_plans")
# Optional likewise: the fine-tuning methods compared (finetuning.compare.enabled) and the
# healing of FrankenModels (finetuning.healing.enabled), each absent where it was not run.
METHODS_INPUTS = ("methods_summary", "methods_tests", "methods_claims")
HEALING_INPUTS = ("healing_tests",)
# What the methods and healing tables print from.
FINETUNING_TABLE_INPUTS = ("methods_summary", "methods_tests", "healing_tests")
# Layers as written ("4 5", "4"): text, so that a single layer is not read as a number.
_TEXT_COLUMNS = {"trained_layers": str, "control_layers": str}


def require(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{name} lacks column(s) {missing}; see docs/CONTRACTS.md")


def _read(name: str, path: str | os.PathLike) -> Any:
    if name in JSON_INPUTS:
        return read_json(path)
    # A layer is an integer or empty: keep it an integer where the column has gaps.
    if name == "variants":
        return pd.read_csv(path, dtype={"layer": "Int64"})
    if name in (*METHODS_INPUTS, *HEALING_INPUTS):
        return pd.read_csv(path, dtype=_TEXT_COLUMNS)
    return pd.read_csv(path)


@dataclass(frozen=True)
class Inputs:
    """Everything the report reads, parsed. `settings` holds the config values the rule
    passes as params, by dotted key; an input a job does not read is left empty."""

    settings: Mapping[str, Any]
    metrics: pd.DataFrame
    tests: pd.DataFrame
    selection: dict[str, Any]
    variants: pd.DataFrame
    efficiency: pd.DataFrame = field(default_factory=pd.DataFrame)
    training: pd.DataFrame = field(default_factory=pd.DataFrame)
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame)
    provenance: dict[str, Any] = field(default_factory=dict)
    multilayer_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    multilayer_agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    multilayer_signals: pd.DataFrame = field(default_factory=pd.DataFrame)
    multilayer_plans: dict[str, Any] = field(default_factory=dict)
    methods_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    methods_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    methods_claims: pd.DataFrame = field(default_factory=pd.DataFrame)
    healing_tests: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_paths(cls, settings: Mapping[str, Any], **paths: str | os.PathLike) -> Inputs:
        unknown = set(paths) - set(CSV_INPUTS) - set(JSON_INPUTS)
        if unknown:
            raise KeyError(f"the report reads no input called {sorted(unknown)}")
        return cls(dict(settings), **{name: _read(name, path) for name, path in paths.items()})

    @classmethod
    def from_snakemake(cls, smk: Any) -> Inputs:
        """The named inputs of the rule (those it has) and its `settings` param."""
        names = [n for n in (*CSV_INPUTS, *JSON_INPUTS) if getattr(smk.input, n, None)]
        return cls.from_paths(smk.params.settings, **{n: getattr(smk.input, n) for n in names})
