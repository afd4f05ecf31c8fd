"""Measure what one variant costs: parameters (unique and per use), peak memory, latency."""

from frankenmodels.efficiency import measure_variant
from frankenmodels.io import write_json
from frankenmodels.joblog import log_to
from frankenmodels.runtime import set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
record = measure_variant(
    snakemake.input.model,
    snakemake.input.data,
    params.plan,
    snakemake.wildcards.variant,
    settings=params.settings,
    max_length=params.max_length,
    num_labels=params.num_labels,
    device=params.device,
)
print(record)
write_json(snakemake.output[0], record)
