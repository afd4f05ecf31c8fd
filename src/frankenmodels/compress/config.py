"""Checks of a compress config that its schema cannot express, run before any job: every fault
is named by its config key, with the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frankenmodels.compress.partitions import check_fractions
from frankenmodels.compress.variants import Variant, plan_variants
from frankenmodels.config import ConfigError, check_model_source


def check_compress(compress: dict[str, Any], check_files: bool = True) -> list[Variant]:
    """Validate the compress section's cross-key rules; return the planned variants."""
    check_model_source(compress["model"], "compress.model")
    try:
        variants = plan_variants(compress["variants"], compress["model"]["num_layers"])
        check_fractions(compress["data"]["fractions"])
    except ValueError as error:
        raise ConfigError(f"config key {error}") from None
    for purpose in ("language", "classification"):
        corpus, key = compress["data"][purpose], f"compress.data.{purpose}"
        source = corpus["source"]
        if source not in corpus:
            raise ConfigError(
                f"config key {key}.{source}: source is {source} but the {source} section is "
                f"missing; add {key}.{source} (see config/compress-cpu.yaml)"
            )
        if source == "local" and check_files and not Path(corpus["local"]["path"]).is_file():
            raise ConfigError(
                f"config key {key}.local.path: {corpus['local']['path']} is not a file; fix the "
                "path (relative to the directory snakemake runs in)"
            )
        if purpose == "classification" and source == "local":
            if "label_column" not in corpus["local"]:
                raise ConfigError(f"config key {key}.local.label_column: missing; name it")
    return variants
