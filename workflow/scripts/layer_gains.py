"""Per-seed gains of the single-layer estimates on the selection split (docs/multilayer.md)."""

from frankenmodels.aggregate import metrics_table
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to
from frankenmodels.multilayer.estimates import layer_gains

log_to(snakemake.log[0])
params = snakemake.params
gains = layer_gains(
    metrics_table(snakemake.input.metrics),
    base=params.base,
    metric=params.metric,
    num_layers=params.num_layers,
    max_copies=params.max_copies,
)
write_csv(gains, snakemake.output[0])
