"""One row per JSON record: efficiency per variant, or the training summary per seed."""

from frankenmodels.aggregate import records_table
from frankenmodels.io import write_csv
from frankenmodels.joblog import log_to

log_to(snakemake.log[0])  # noqa: F821 - injected by Snakemake
table = records_table(snakemake.input.records, snakemake.params.sort_by)  # noqa: F821
write_csv(table, snakemake.output[0])  # noqa: F821
