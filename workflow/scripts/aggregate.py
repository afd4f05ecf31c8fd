"""Tidy metrics (seed, variant, metric, value) and per-example predictions of every job."""

from frankenmodels.aggregate import metrics_table, predictions_table
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])
inputs = snakemake.input
write_csv(metrics_table(inputs.metrics), snakemake.output.metrics)
write_csv(
    predictions_table(inputs.metrics, inputs.predictions),
    snakemake.output.predictions,
)
