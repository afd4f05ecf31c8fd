"""Fetch the lab's causal LM (or its donor) into resources/lab/{role} as plain safetensors."""

from pathlib import Path

from frankenmodels.io import atomic_directory
from frankenmodels.joblog import log_to
from frankenmodels.lab.models import fetch_causal_lm

log_to(snakemake.log[0])
with atomic_directory(snakemake.output[0]) as folder:
    fetch_causal_lm(snakemake.params.spec, Path(folder))
