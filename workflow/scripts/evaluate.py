"""Evaluate every variant of one fine-tuned seed on one split, in one pass."""

from frankenmodels.evaluation import evaluate_sweep, outputs_by_variant, outputs_in_folder
from frankenmodels.joblog import log_to
from frankenmodels.runtime import set_threads

log_to(snakemake.log[0])
params = snakemake.params
set_threads(snakemake.threads)
if "folder" in snakemake.output.keys():  # the chosen multi-layer plans: named when it runs
    outputs = outputs_in_folder(snakemake.output.folder, list(params.plans))
else:
    outputs = outputs_by_variant(snakemake.output.metrics, snakemake.output.predictions)
evaluate_sweep(
    snakemake.input.model,
    snakemake.input.data,
    params.plans,
    outputs,
    split=params.split,
    seed=int(snakemake.wildcards.seed),
    num_labels=params.num_labels,
    batch_size=params.batch_size,
    max_length=params.max_length,
    device=params.device,
)
