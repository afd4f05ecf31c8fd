"""Checks of a lab config that its schema cannot express, run before any job: every fault is
named by its config key, with the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from frankenmodels.config import ConfigError, check_model_source
from frankenmodels.lab.catalogue import stage1_variants
from frankenmodels.surgery import PlanError
from frankenmodels.surgery.sweeps import Variant


def check_lab(lab: dict[str, Any], check_files: bool = True) -> list[Variant]:
    """Validate the lab section's cross-key rules; return the stage-1 variants."""
    model, donor = lab["model"], lab["donor"]
    check_model_source(model, "lab.model")
    if donor is not None:
        check_model_source(donor, "lab.donor")
    n = model["num_layers"]
    catalogue = lab["catalogue"]
    if donor is not None and donor["num_layers"] != n:
        raise ConfigError(
            f"config key lab.donor.num_layers: {donor['num_layers']} differs from "
            f"lab.model.num_layers {n}; the splice needs two models of the same depth"
        )
    for k, window in enumerate(catalogue["windows"]):
        if window["size"] >= n:
            raise ConfigError(
                f"config key lab.catalogue.windows[{k}].size: {window['size']} would delete all "
                f"{n} layers; use a size below {n}"
            )
    if catalogue["critical"]["enabled"] and not catalogue["delete"]:
        raise ConfigError(
            "config key lab.catalogue.critical.enabled: the critical region is found from the "
            "single-layer deletion sweep; set lab.catalogue.delete: true or critical.enabled: false"
        )
    size = catalogue["critical"]["size"]
    if size is not None and size >= n:
        raise ConfigError(
            f"config key lab.catalogue.critical.size: {size} is not below the depth {n}"
        )
    ppl = lab["perplexity"]
    if ppl["window"] < ppl["stride"]:
        raise ConfigError(
            f"config key lab.perplexity.stride: {ppl['stride']} exceeds the window "
            f"{ppl['window']}; tokens between windows would never be scored"
        )
    if ppl["documents"] * ppl["max_tokens"] < ppl["min_total_tokens"]:
        raise ConfigError(
            f"config key lab.perplexity.documents: {ppl['documents']} documents of at most "
            f"{ppl['max_tokens']} tokens cannot reach min_total_tokens {ppl['min_total_tokens']}; "
            "raise documents or max_tokens"
        )
    if ppl["source"] not in ppl:
        raise ConfigError(
            f"config key lab.perplexity.{ppl['source']}: source is {ppl['source']!r} but the "
            f"lab.perplexity.{ppl['source']} section is missing"
        )
    if check_files and ppl["source"] == "local":
        _check_local_corpus(ppl["local"])
    try:
        return stage1_variants(n, catalogue, donor["num_layers"] if donor else None)
    except (PlanError, ValueError) as error:
        raise ConfigError(f"config key lab.catalogue: {error}") from None


def _check_local_corpus(local: dict[str, Any]) -> None:
    path = Path(local["path"])
    if not path.is_file():
        raise ConfigError(
            f"config key lab.perplexity.local.path: {path} does not exist (paths are relative "
            "to the directory snakemake runs in)"
        )
    columns = list(pd.read_csv(path, nrows=0).columns)
    if local["text_column"] not in columns:
        raise ConfigError(
            f"config key lab.perplexity.local.text_column: {local['text_column']!r} is not a "
            f"column of {path} (columns: {columns})"
        )
