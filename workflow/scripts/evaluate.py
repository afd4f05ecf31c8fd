"""Evaluate every variant of one fine-tuned seed on one split, in one pass."""

from frankenmodels.evaluation import evaluate_sweep, outputs_by_variant
from frankenmodels.joblog import log_to
from frankenmodels.runtime import set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
evaluate_sweep(
    snakemake.input.model,
    snakemake.input.data,
    params.plans,
    outputs_by_variant(snakemake.output.metrics, snakemake.output.predictions),
    split=params.split,
    seed=int(snakemake.wildcards.seed),
    num_labels=params.num_labels,
    batch_size=params.batch_size,
    max_length=params.max_length,
    device=params.device,
)
